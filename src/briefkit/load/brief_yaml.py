"""Write a brief as YAML text: nested dicts/lists of plain values in, YAML an author edits out.

PyYAML can write the values but not comments, and an imported brief carries its editors'
comments as YAML comments above the field they annotate (the format stays unchanged). So the
layout (mappings, lists, comments) is written here, and every scalar is written by PyYAML, which
knows when a value must be quoted (`2019`, `yes`, `: `); Markdown with several lines becomes a
literal block, which keeps it exactly as written.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from typing import Sequence

import yaml

KeyPath = tuple
INDENT = "  "


def dump_brief(
    data: dict, comments: dict[KeyPath, list[str]] | None = None, header: Sequence[str] = ()
) -> str:
    """YAML text of `data`; `comments[path]` are written as `# ...` lines above that key, as
    are the `header` lines (a line break inside one starts another comment line: no text of
    a draft's ever leaves a comment)."""
    lines = [
        f"# {line}".rstrip() for text in header for line in printable(text).splitlines() or [""]
    ]
    _mapping(data, (), 0, comments or {}, lines)
    return "\n".join(lines) + "\n"


def quoted(text: str) -> str:
    """`text` (a file name, a path) as data in a comment or a message: in double quotes, with
    every line break, control or format character escaped, so that it can end nothing."""
    out = []
    for char in str(text):
        if char in '"\\':
            out.append("\\" + char)
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def printable(text: str) -> str:
    """YAML allows no control characters, not even in comments."""
    return "".join(
        ch
        if ch in "\n\t"
        or (
            ch >= " "
            and ch not in "\x7f\x85\ufeff"
            and not 0xD800 <= ord(ch) <= 0xDFFF
            and ch not in "\ufffe\uffff"
        )
        else "\ufffd"
        for ch in text
    )


def _comment_lines(comments, path, depth) -> list[str]:
    out = []
    for comment in map(printable, comments.get(path, ())):
        for line in comment.splitlines() or [""]:
            out.append(f"{INDENT * depth}# {line}".rstrip())
    return out


def _mapping(data: dict, path, depth: int, comments, lines: list[str]) -> None:
    for key, value in data.items():
        here = path + (key,)
        lines.extend(_comment_lines(comments, here, depth))
        _entry(f"{INDENT * depth}{scalar(key)}:", value, here, depth, comments, lines)


def _entry(head: str, value, path, depth: int, comments, lines: list[str]) -> None:
    """`head` (`key:` or `-`) followed by `value`, inline when it is a scalar."""
    if isinstance(value, dict) and value:
        lines.append(head)
        _mapping(value, path, depth + 1, comments, lines)
    elif (
        isinstance(value, list)
        and value
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        lines.append(f"{head} [{', '.join(scalar(v) for v in value)}]")  # date-parts: [2020, 3]
    elif isinstance(value, list) and value:
        lines.append(head)
        for index, item in enumerate(value):
            lines.extend(_comment_lines(comments, path + (index,), depth + 1))
            prefix = f"{INDENT * (depth + 1)}- "
            if isinstance(item, dict) and item:
                # the first key on the dash's line, the others aligned under it
                sub: list[str] = []
                _mapping(item, path + (index,), 0, comments, sub)
                pad = " " * len(prefix)
                lines.append(prefix + sub[0])
                lines.extend((pad + line) if line else line for line in sub[1:])
            else:
                _entry(prefix.rstrip(), item, path + (index,), depth + 1, comments, lines)
    elif isinstance(value, str) and "\n" in value.strip("\n") and literal_safe(value):
        text = value.strip("\n")
        column = len(head) - len(head.lstrip()) + 2  # deeper than the key or the dash
        indicator = ""
        if text[:1] in (" ", "\t"):
            if head.lstrip().startswith("-"):  # keep it simple: quoted
                lines.append(f"{head} {scalar(value)}")
                return
            indicator = "2"
        lines.append(f"{head} |{indicator}" + ("" if value.endswith("\n") else "-"))
        lines.extend((" " * column + line) if line.strip() else "" for line in text.split("\n"))
    else:
        lines.append(f"{head} {scalar(value)}")


def literal_safe(text: str) -> bool:
    """A literal block keeps text as is, except trailing spaces, control characters and
    lines of only spaces (which YAML folds away)."""
    return all(
        ch in "\n\t" or (ch >= " " and ch not in "\x7f\x85\u2028\u2029\ufeff") for ch in text
    ) and not any(line != line.rstrip(" \t") for line in text.split("\n"))


def scalar(value) -> str:
    if isinstance(value, dict) and not value:
        return "{}"
    if isinstance(value, list) and not value:
        return "[]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    if isinstance(value, (dt.date, int, float)):
        return str(value)
    text = yaml.safe_dump(str(value), allow_unicode=True, width=math.inf, default_flow_style=True)
    text = text.removesuffix("\n").removesuffix("\n...").rstrip("\n")
    return text
