"""Citation sources: the brief's `references` and `bibliography` files in, what Pandoc reads out.

Every source reaches Pandoc in its own format, as Pandoc reads it with `--bibliography`: `.bib`
as BibLaTeX, CSL-JSON as is, CSL-YAML (files, `---`-fenced or not, and the brief's inline
`references`) as YAML with Pandoc's rules (fields are Markdown, `issued: 2019` is a date). The
inline `references` are handed over as their own source text, on the same lines as in the brief,
so Pandoc sees what the author wrote (`language: no` stays "no") and its messages point into the
brief. Nothing is converted beforehand.

Which ids each source defines is also Pandoc's answer (a Lua filter, `pandoc/sources.lua`, reads
each file alone in the same run): ids are what Pandoc makes of them (`timmory\\_\\_x` is
`timmory__x`), a duplicate names both places, and a file Pandoc cannot read is a located error
naming that file, never a temporary one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Diagnostics, KeyPath, Location
from briefkit.core.paths import PathRefused, Roots
from briefkit.load.source import SourceMap, display_path, load_data
from briefkit.prose.bibtex_budget import over_budget

SOURCES_FILTER = Path(__file__).parent / "pandoc" / "sources.lua"
INLINE_NAME = "<references>"  # how the filter names the metadata's references
SUFFIXES = {
    ".bib": "BibLaTeX",
    ".bibtex": "BibTeX",
    ".json": "CSL-JSON",
    ".yaml": "CSL-YAML",
    ".yml": "CSL-YAML",
}


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    import pypandoc  # imported late: it probes for the binary on import

    return pypandoc.get_pandoc_path()


@dataclass
class Bibliography:
    """One source as Pandoc reads it: a file the brief names, or the brief's `references`."""

    file: Optional[Path]  # the file Pandoc reads; None until written (inline references)
    shown: Path  # what messages name
    text: str  # its text: ids and errors are located in it
    where: Location  # where the brief names it
    key: KeyPath
    item_locations: list[Location] = field(default_factory=list)  # inline: each item's id

    @property
    def kind(self) -> str:
        return SUFFIXES.get(self.shown.suffix.lower(), "CSL-YAML") if self.file else "CSL-YAML"


@dataclass
class Sources:
    bibliographies: list[Bibliography] = field(default_factory=list)
    origin: dict[str, Location] = field(default_factory=dict)  # id -> where it is defined
    files: list[Path] = field(default_factory=list)  # bibliography files read (fingerprints)
    complete: bool = True  # False when a source could not be read: unknown keys are not errors

    def __bool__(self) -> bool:
        return bool(self.bibliographies)

    def pandoc_arguments(self, scratch: Path) -> list[str]:
        """`--bibliography` for each file; the inline references as the document's metadata
        (where Pandoc reads every value as Markdown, the id too), written into `scratch`."""
        arguments: list[str] = []
        for bibliography in self.bibliographies:
            if bibliography.file is None:
                bibliography.file = scratch / "references.yaml"
                bibliography.file.write_text(bibliography.text, encoding="utf-8")
                arguments += ["--metadata-file", str(bibliography.file)]
            else:
                arguments += ["--bibliography", str(bibliography.file)]
        return arguments

    @property
    def inline(self) -> Optional[Bibliography]:
        return next((b for b in self.bibliographies if b.key == ("references",)), None)

    def register(self, report, diagnostics: Diagnostics) -> None:
        """Take in the filter's report: ids (duplicates are errors) and unreadable files."""
        by_file = {str(b.file): b for b in self.bibliographies}
        by_file[INLINE_NAME] = self.inline
        for entry in report if isinstance(report, list) else []:
            bibliography = by_file.get(entry.get("file"))
            if bibliography is None:
                continue
            if "error" in entry:
                self.complete = False
                diagnostics.add(_read_error(bibliography, str(entry["error"])))
                continue
            ids = [str(i) for i in entry.get("ids") or []]  # Lua encodes an empty list as {}
            if not ids and bibliography.text.strip():
                diagnostics.warning(
                    bibliography.where,
                    f"'{bibliography.shown}' defines no references",
                    key=bibliography.key,
                    hint=f"check that it is {bibliography.kind}",
                )
            seen: dict[str, int] = {}
            for index, key in enumerate(ids):
                seen[key] = seen.get(key, 0) + 1
                self._add(key, _locate(bibliography, key, index, seen[key]), diagnostics)

    def _add(self, key: str, where: Location, diagnostics: Diagnostics) -> None:
        if key in self.origin:
            diagnostics.error(
                where,
                f"the reference id '{key}' is defined twice",
                hint=f"it is also defined at {self.origin[key]}; ids must be "
                "unique across references and bibliography files",
            )
            return
        self.origin[key] = where


def collect_sources(
    data: dict, bibliography: list[str], source: SourceMap, roots: Roots, diagnostics: Diagnostics
) -> Sources:
    sources = Sources()
    inline = _inline_references(data, source)
    if inline is not None:
        sources.bibliographies.append(inline)
    for i, text in enumerate(bibliography):
        key = (
            ("bibliography", i) if isinstance(data.get("bibliography"), list) else ("bibliography",)
        )
        where = source.location(key)
        try:
            path = roots.resolve(text)
        except PathRefused as exc:
            diagnostics.error(where, f"the bibliography cannot be used: {exc}", key=key)
            sources.complete = False
            continue
        sources.files.append(path)
        read = _read_file(path, where, key, diagnostics)
        if read is None:
            sources.complete = False
        else:
            sources.bibliographies.append(read)
    return sources


def _inline_references(data: dict, source: SourceMap) -> Optional[Bibliography]:
    """The `references:` key and its value as the author wrote them, on their own lines."""
    references = data.get("references")
    if not isinstance(references, list) or not references:
        return None  # a wrong shape: the schema says what is wrong
    holder = source
    while holder is not None and not (
        ("references",) in holder.keys and ("references",) in holder.values
    ):
        holder = holder.under  # defined in a series file
    if holder is None:
        return None
    key, value = holder.keys[("references",)], holder.values[("references",)]
    line_start = holder.text.rfind("\n", 0, key.start) + 1
    written = holder.text[key.start : value.end]
    text = "\n" * (key.line - 1) + " " * (key.start - line_start) + written + "\n"
    locations = [
        holder.location(("references", i, "id"))
        if holder is source
        else _in(holder, ("references", i, "id"))
        for i, item in enumerate(references)
        if isinstance(item, dict) and "id" in item
    ]
    return Bibliography(
        None,
        holder.file,
        text,
        Location(holder.file, key.line, key.column),
        ("references",),
        locations,
    )


def _in(source: SourceMap, path: KeyPath) -> Location:
    span = source.values.get(path)
    return Location(source.file, span.line, span.column) if span else Location(source.file, 1, 1)


def _read_file(
    path: Path, where: Location, key: KeyPath, diagnostics: Diagnostics
) -> Optional[Bibliography]:
    shown = display_path(path)
    if path.suffix.lower() not in SUFFIXES:
        diagnostics.error(
            where,
            f"'{path.name}' is not a bibliography file",
            key=key,
            expected=".bib (BibLaTeX), .json (CSL-JSON) or .yaml (CSL-YAML)",
        )
        return None
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        diagnostics.error(
            Location(shown), f"cannot read this bibliography: {exc.strerror}", key=key
        )
        return None
    except UnicodeDecodeError as exc:
        diagnostics.error(
            _offset_location(shown, exc.object.decode("utf-8", "replace"), exc.start),
            f"byte 0x{exc.object[exc.start]:02X} is not UTF-8",
            hint="save the bibliography as UTF-8 (Zotero and Better BibTeX can export UTF-8)",
        )
        return None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:  # briefkit's loader first: its budgets (aliases, depth) hold before Pandoc's
            load_data(_first_document(text), shown)
        except BriefInvalid as exc:
            diagnostics.extend(exc.diagnostics)
            return None
    if path.suffix.lower() == ".json":
        problem = _json_problem(shown, text)
        if problem is not None:
            diagnostics.add(problem)
            return None
    if path.suffix.lower() in (".bib", ".bibtex"):
        over = over_budget(text)
        if over is not None:
            what = (
                "all fields of the file together" if over.total else f"the value of '{over.name}'"
            )
            diagnostics.error(
                _offset_location(shown, text, over.offset),
                f"{what} would expand to {over.size:,} characters, over the "
                f"@string expansion budget of {over.budget:,}",
                hint="@string macros concatenated with '#' multiply; write the "
                "value out or use fewer of them",
            )
            return None
    return Bibliography(path, shown, text, where, key)


def _first_document(text: str) -> str:
    """The YAML document Pandoc reads (a `---`-fenced file may end with `---` or `...`);
    lines after it are blanked, so positions stay those of the file."""
    lines = text.split("\n")
    content = [i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")]
    start = content[0] + 1 if content and lines[content[0]].rstrip() == "---" else 0
    for i in range(start, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[:i] + [""] * (len(lines) - i))
    return text


# ---- where an id is defined ----------------------------------------------------------------------


def _locate(bibliography: Bibliography, key: str, index: int, nth: int) -> Location:
    """The `nth` definition of `key` in a source (`index` is its place in Pandoc's list)."""
    if bibliography.item_locations and len(bibliography.item_locations) > index:
        return bibliography.item_locations[index]
    # the key where an entry defines it (`@book{key,`, `"id": "key"`, `id: key`), not where it
    # is a prefix of another key or a word of a title; CSL-YAML ids may hold Markdown escapes
    spelled = "".join(re.escape(c) if c.isalnum() else r"\\?" + re.escape(c) for c in key)
    pattern = r"""(?:@\w+\s*[{(]\s*|\bid["']?\s*:\s*["']?)(%s)(?=[\s,"'}]|$)""" % spelled
    matches = list(re.finditer(pattern, bibliography.text, re.M))
    if not matches:
        return Location(bibliography.shown, 1, 1)
    match = matches[min(nth, len(matches)) - 1]
    return _offset_location(bibliography.shown, bibliography.text, match.start(1))


def _offset_location(file: Path, text: str, offset: int) -> Location:
    return Location(
        file, text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1
    )


# ---- what Pandoc says about a source it cannot read -------------------------------------------


def _read_error(bibliography: Bibliography, message: str) -> Diagnostic:
    shown, text, kind = bibliography.shown, bibliography.text, bibliography.kind
    message = message.replace(str(bibliography.file), str(shown))
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
            _offset_location(shown, text, max(offset, 0)),
            f"the alias '*{alias.group(1)}' has no anchor",
            hint=f"define '&{alias.group(1)}' before it, or write the value out",
        )
    item = re.match(r"Error in \$\[(\d+)\]((?:\.[\w-]+|\[\d+\])*): (.*)", body, re.S)
    if item:  # CSL-JSON read by aeson: `$[3].issued`
        offset = _json_item_offset(text, int(item.group(1)), item.group(2))
        return Diagnostic(
            _offset_location(shown, text, offset),
            f"not valid CSL-JSON: item {int(item.group(1)) + 1}"
            f"{' ' + item.group(2).lstrip('.') if item.group(2) else ''}: "
            f"{' '.join(item.group(3).split())}",
            hint='write it as CSL-JSON does (dates as {"date-parts": [[2019]]})',
        )
    if kind == "CSL-JSON" and _json_problem(shown, text) is not None:
        return _json_problem(shown, text)
    inline = bibliography.key == ("references",)
    return Diagnostic(
        bibliography.where if inline else Location(shown, 1, 1),
        f"Pandoc cannot read this {kind} bibliography: {' '.join(body.split())}",
    )


def _json_problem(shown: Path, text: str) -> Optional[Diagnostic]:
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


def unused_warnings(sources: Sources, cited: set[str]) -> list[Diagnostic]:
    return [
        Diagnostic(
            where,
            f"the source '{key}' is never cited",
            severity="warning",
            hint="cite it with [@" + key + "] or remove it",
        )
        for key, where in sources.origin.items()
        if key not in cited
    ]
