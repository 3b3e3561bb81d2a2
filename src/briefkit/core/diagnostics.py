"""Diagnostics: what briefkit tells an author about a brief.

Every problem an author can cause becomes one `Diagnostic`: where (`file:line:column`), which key,
what was expected, what was found and what to do. Stages collect diagnostics instead of raising
at the first one, so a single run reports everything wrong with a brief; a stage that cannot go
on raises `BriefInvalid` carrying all it collected.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

KeyPath = tuple  # e.g. ("findings", 2, "title"): mapping keys and list indexes


def format_key_path(path: Sequence) -> str:
    """`("findings", 2, "title")` -> `findings[2].title`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "(top level)"


@dataclass(frozen=True)
class Location:
    file: Path
    line: int = 0  # 1-based; 0 when the problem is the file as a whole
    column: int = 0  # 1-based

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return str(self.file)


@dataclass
class Diagnostic:
    location: Location
    message: str
    key: KeyPath = ()
    expected: str | None = None
    found: str | None = None
    hint: str | None = None
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        head = f"{self.location}: {self.severity}"
        if self.key:
            head += f": {format_key_path(self.key)}"
        text = f"{head}: {self.message}"
        if self.expected is not None:
            text += f"; expected {self.expected}"
        if self.found is not None:
            text += f", found {self.found}"
        if self.hint:
            text += f". {self.hint[0].upper()}{self.hint[1:]}"
        return text


@dataclass
class Diagnostics:
    """An ordered collection; errors make a brief unbuildable, warnings do not."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def error(self, location: Location, message: str, **kwargs) -> None:
        self.items.append(Diagnostic(location, message, **kwargs))

    def warning(self, location: Location, message: str, **kwargs) -> None:
        self.items.append(Diagnostic(location, message, severity="warning", **kwargs))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise BriefInvalid(self)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class BriefInvalid(Exception):
    """The brief cannot be built; `diagnostics` says every reason found."""

    def __init__(self, diagnostics: Diagnostics | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = Diagnostics([diagnostics])
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics.errors))


def did_you_mean(word: object, choices: Iterable[str]) -> str | None:
    """A hint naming the closest of `choices` to `word` (a key, or any value an author wrote,
    as it prints), or None when nothing is close."""
    matches = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None


def describe_value(value) -> str:
    """How a found value is named in a message: its kind, and the value when short."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
