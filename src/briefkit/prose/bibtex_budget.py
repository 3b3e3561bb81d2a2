"""The BibTeX `@string` expansion budget: a `.bib` text in, the first value over budget out.

`@string` macros may be concatenated (`a # a # a`) and nested, so a few hundred bytes can expand
to millions of characters; Pandoc expands them all, in memory, before anything else. This module
measures what each value would expand to, without expanding anything, and reports the first that
crosses a budget. It reads only what it needs (entries, fields, `#` concatenations); anything it
cannot follow ends the scan quietly, for Pandoc to report as a syntax error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

MAX_VALUE_CHARS = 100_000  # one field or @string after expansion (real abstracts: ~5,000)
MAX_TOTAL_CHARS = 16_000_000  # every field of the file together, after expansion

_NAME = re.compile(r"[^\s\"#%'(),={}]+")
_SPACE = re.compile(r"\s*")


@dataclass
class OverBudget:
    offset: int  # where the value starts in the text
    name: str  # the field or @string it belongs to
    size: int  # what it would expand to (at least)
    budget: int
    total: bool  # the file's total budget rather than one value's


class _Stop(Exception):
    """The scan cannot go on (a syntax Pandoc will report); what was measured stands."""


def over_budget(text: str) -> Optional[OverBudget]:
    scanner = _Scanner(text)
    try:
        return scanner.scan()
    except _Stop:
        return None


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.macros: dict[str, int] = {}
        self.total = 0

    def scan(self) -> Optional[OverBudget]:
        while True:
            at = self.text.find("@", self.pos)
            if at < 0:
                return None
            self.pos = at + 1
            kind = self._name().lower()
            self._skip_space()
            if self.pos >= len(self.text) or self.text[self.pos] not in "{(":
                continue  # an '@' in a comment between entries
            close = "}" if self.text[self.pos] == "{" else ")"
            self.pos += 1
            if kind in ("comment", "preamble"):
                self._balanced(close)
                continue
            if kind != "string":
                self._skip_space()
                self._name()  # the entry's key
                self._skip_space()
                if self._peek() == ",":
                    self.pos += 1
            found = self._fields(kind, close)
            if found is not None:
                return found

    def _fields(self, kind: str, close: str) -> Optional[OverBudget]:
        while True:
            self._skip_space()
            char = self._peek()
            if char == close:
                self.pos += 1
                return None
            if char == ",":
                self.pos += 1
                continue
            name = self._name()
            if not name:
                raise _Stop
            self._skip_space()
            if self._peek() != "=":
                raise _Stop
            self.pos += 1
            start = self.pos
            size = self._value()
            if size > MAX_VALUE_CHARS:
                return OverBudget(start, name, size, MAX_VALUE_CHARS, False)
            if kind == "string":
                self.macros[name.lower()] = size
            else:
                self.total += size
                if self.total > MAX_TOTAL_CHARS:
                    return OverBudget(start, name, self.total, MAX_TOTAL_CHARS, True)

    def _value(self) -> int:
        size = 0
        while True:
            self._skip_space()
            char = self._peek()
            if char == "{":
                self.pos += 1
                size += self._balanced("}")
            elif char == '"':
                self.pos += 1
                size += self._quoted()
            else:
                name = self._name()
                if not name:
                    raise _Stop
                size += len(name) if name.isdigit() else self.macros.get(name.lower(), len(name))
            self._skip_space()
            if self._peek() != "#":
                return size
            self.pos += 1

    def _balanced(self, close: str) -> int:
        """Skip to the partner of an opened brace; the length of what was inside."""
        depth, start = 1, self.pos
        opener = "{" if close == "}" else "("
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char == opener:
                depth += 1
            elif char == close:
                depth -= 1
                if depth == 0:
                    return self.pos - start - 1
        raise _Stop

    def _quoted(self) -> int:
        depth, start = 0, self.pos
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif char == '"' and depth <= 0:
                return self.pos - start - 1
        raise _Stop

    def _name(self) -> str:
        match = _NAME.match(self.text, self.pos)
        if not match:
            return ""
        self.pos = match.end()
        return match.group()

    def _skip_space(self) -> None:
        self.pos = _SPACE.match(self.text, self.pos).end()

    def _peek(self) -> str:
        if self.pos >= len(self.text):
            raise _Stop
        return self.text[self.pos]
