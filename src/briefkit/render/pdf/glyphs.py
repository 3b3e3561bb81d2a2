"""Glyphs: a resolved document in, a warning naming the characters no installed font can print.

WeasyPrint draws a character no font has as an empty box, silently (话语权 without a CJK font).
fontconfig knows every installed font's character set: `fc-list --format '%{charset}'` prints
them all at once (~0.1 s, once per process), and a character none covers is named in a
warning, located at its first place in the brief. Without fontconfig nothing is said here
(`briefkit doctor` reports fontconfig missing).
"""

from __future__ import annotations

import bisect
import dataclasses
import subprocess
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

from briefkit.core.diagnostics import Diagnostic, Location
from briefkit.load.source import display_path

SHOWN = 12  # characters named in the message; the rest are counted
_SILENT = {"Cc", "Cf", "Zs", "Zl", "Zp", "Cs"}  # drawn as nothing, never as a box


@lru_cache(maxsize=1)
def installed_coverage() -> Optional[tuple[list[int], list[int]]]:
    """Merged (starts, ends) of every code point some installed font has, or None."""
    try:
        out = subprocess.run(
            ["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    ranges = []
    for token in out.split():
        low, _, high = token.partition("-")
        try:
            ranges.append((int(low, 16), int(high or low, 16)))
        except ValueError:
            continue
    if not ranges:
        return None
    ranges.sort()
    starts, ends = [ranges[0][0]], [ranges[0][1]]
    for first, last in ranges[1:]:
        if first <= ends[-1] + 1:
            ends[-1] = max(ends[-1], last)
        else:
            starts.append(first)
            ends.append(last)
    return starts, ends


def _covered(code: int, coverage: tuple[list[int], list[int]]) -> bool:
    starts, ends = coverage
    i = bisect.bisect_right(starts, code) - 1
    return i >= 0 and code <= ends[i]


def _strings(value, depth: int = 0) -> Iterator[str]:
    """Every text in the document model (titles, prose, notes, bibliography …)."""
    if depth > 200:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item, depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name), depth + 1)


def unprintable(document, coverage=None) -> list[str]:
    """The characters of `document`'s text that no installed font has, in order of first use."""
    coverage = coverage or installed_coverage()
    if coverage is None:
        return []
    seen: dict[str, None] = {}
    for text in _strings(document):
        for char in text:
            if (
                ord(char) > 0x7E
                and char not in seen
                and unicodedata.category(char) not in _SILENT
                and not _covered(ord(char), coverage)
            ):
                seen[char] = None
    return list(seen)


def missing_glyph_warning(document, brief: Path, coverage=None) -> Optional[Diagnostic]:
    missing = unprintable(document, coverage)
    if not missing:
        return None
    named = ", ".join(f"{c} (U+{ord(c):04X})" for c in missing[:SHOWN])
    more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
    return Diagnostic(
        _first_place(brief, missing),
        f"no installed font has {named}{more}, so the PDF would show empty boxes for them",
        severity="warning",
        hint="install a font for this script (Chinese, Japanese, Korean: Debian "
        "fonts-noto-cjk, macOS brew install --cask font-noto-sans-cjk); `briefkit doctor` "
        "lists the fonts there are",
    )


def _first_place(brief: Path, chars: list[str]) -> Location:
    shown = display_path(brief)
    try:
        lines = Path(brief).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return Location(shown)
    wanted = set(chars)
    for number, line in enumerate(lines, 1):
        for column, char in enumerate(line, 1):
            if char in wanted:
                return Location(shown, number, column)
    return Location(shown)  # from a bibliography or a series file: the brief as a whole
