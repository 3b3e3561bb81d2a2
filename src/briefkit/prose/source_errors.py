"""What Pandoc says about a bibliography it cannot read, in: one located diagnostic out, naming
the source's own file and line (never a scratch file), with what to do.

Pandoc's parsers report `(line 267, column 1): unexpected '@'` for BibTeX, `YAML parse exception
at line 3, column 0` (from 0) for YAML, `Error in $[3].issued` for CSL-JSON; each is turned into
`file:line:column`, and where Pandoc notices a mistake late (an entry never closed), the place
where it was made.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Optional, Protocol

from briefkit.core.diagnostics import Diagnostic, Location


class Source(Protocol):
    """What a message about a source needs of it (citations.Bibliography has it): said as a
    protocol so that this module, which citations.py imports, imports nothing back."""

    shown: Path
    text: str
    handed: Optional[Path]
    file: Optional[Path]
    where: Location
    key: tuple

    @property
    def kind(self) -> str: ...


def offset_location(file: Path, text: str, offset: int) -> Location:
    return Location(
        file, text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1
    )


def read_error(bibliography: Source, message: str) -> Diagnostic:
    shown, text, kind = bibliography.shown, bibliography.text, bibliography.kind
    for named in {bibliography.handed, bibliography.file} - {None}:
        message = message.replace(str(named), str(shown))
    body = re.sub(r"^Error reading bibliography file [^\n]*:\s*", "", message).strip()
    parsec = re.search(r"\(line (\d+), column (\d+)\):\s*(.*)", body, re.S)
    if parsec:  # BibTeX/BibLaTeX
        line, column = int(parsec.group(1)), int(parsec.group(2))
        detail = parsec.group(3).strip().splitlines()[0]  # Pandoc then quotes the line
        hint = "check the braces and commas of the entry before this place"
        opened = _entry_before(text, line)
        if detail.startswith(("unexpected end of input", "unexpected '@'")) and opened:
            # Pandoc notices at the next entry or past the end: name the unclosed one
            (line, column), detail = opened[:2], f"the entry '{opened[2]}' is never closed"
            hint = "a '{' or '\"' in it has no closing partner; check each field's braces"
        lines = text.splitlines()
        written = lines[line - 1][: column - 1] if 0 < line <= len(lines) else ""
        if detail.startswith("unexpected '('") and re.search(r"@\w+\s*$", written):
            hint = "Pandoc reads an entry only in braces: write @article{key, …}, not (…)"
        return Diagnostic(Location(shown, line, column), f"not valid {kind}: {detail}", hint=hint)
    yaml_error = re.match(
        r"YAML parse exception at line (\d+), column (\d+)[,:]?\s*(.*)", body, re.S
    )
    if yaml_error:  # HsYAML counts lines and columns from 0
        detail = " ".join(yaml_error.group(3).split())
        return Diagnostic(
            Location(shown, int(yaml_error.group(1)) + 1, int(yaml_error.group(2)) + 1),
            f"not valid YAML: {detail}",
            hint="check the YAML syntax here",
        )
    alias = re.match(r"Unknown alias `([^`]*)`", body)
    if alias:
        offset = text.find("*" + alias.group(1))
        return Diagnostic(
            offset_location(shown, text, max(offset, 0)),
            f"the alias '*{alias.group(1)}' has no anchor",
            hint=f"define '&{alias.group(1)}' before it, or write the value out",
        )
    item = re.match(r"Error in \$\[(\d+)\]((?:\.[\w-]+|\[\d+\])*): (.*)", body, re.S)
    if item:  # CSL-JSON read by aeson: `$[3].issued`
        offset = _json_item_offset(text, int(item.group(1)), item.group(2))
        return Diagnostic(
            offset_location(shown, text, offset),
            f"not valid CSL-JSON: item {int(item.group(1)) + 1}"
            f"{' ' + item.group(2).lstrip('.') if item.group(2) else ''}: "
            f"{' '.join(item.group(3).split())}",
            hint='write it as CSL-JSON does (dates as {"date-parts": [[2019]]})',
        )
    problem = json_problem(shown, text) if kind == "CSL-JSON" else None
    if problem is not None:
        return problem
    inline = bibliography.key == ("references",)
    return Diagnostic(
        bibliography.where if inline else Location(shown, 1, 1),
        f"Pandoc cannot read this {kind} bibliography: {' '.join(body.split())}",
    )


def json_problem(shown: Path, text: str) -> Optional[Diagnostic]:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return Diagnostic(
            Location(shown, exc.lineno, exc.colno),
            f"not valid CSL-JSON: {exc.msg}",
            hint="fix the JSON syntax here",
        )
    except RecursionError:
        return Diagnostic(Location(shown, 1, 1), "not valid CSL-JSON: values are nested too deeply")
    return None


def _entry_before(text: str, line: int):
    """(line, column, opening) of the last BibTeX entry that starts before `line`, or None."""
    lines = text.splitlines()[: line - 1]
    for number in range(len(lines), 0, -1):
        match = re.match(r"\s*(@\w+\s*[{(][^,\s]*,?)", lines[number - 1])
        if match:
            return number, match.start(1) + 1, match.group(1)
    return None


def _json_item_offset(text: str, index: int, path: str) -> int:
    """Where the `index`-th element of the top-level JSON list starts (then `path`'s key)."""
    depth, count, in_string, escaped = 0, -1, False, False
    for offset, char in enumerate(text):
        if in_string:
            escaped = not escaped and char == "\\"
            if char == '"' and not escaped:
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth == 2:
                count += 1
                if count == index:
                    field_name = re.match(r"\.([\w-]+)", path)
                    if field_name:
                        found = text.find(f'"{field_name.group(1)}"', offset)
                        return found if found >= 0 else offset
                    return offset
        elif char in "]}":
            depth -= 1
    return 0
