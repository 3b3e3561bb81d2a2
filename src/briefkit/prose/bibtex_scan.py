"""Scan a BibTeX/BibLaTeX file: its text in, an index of its entries and the first value over
the expansion budget out.

Pandoc reads every entry of every `--bibliography` file, so a library of 20,000 entries costs
seconds even when a brief cites 50 of them, and a `crossref`/`xdata` cycle among the cited
entries makes it grow without bound. This scan reads only what it needs (entry types and keys,
`@string` macros, `#` concatenations, the `crossref` and `xdata` fields), measures what each
value would expand to without expanding anything, and records where each entry starts and ends,
so that the entries a brief cites (with the entries they inherit from) can be handed to Pandoc
alone, and inheritance can be checked first.

It follows Pandoc's own grammar: whatever it does not understand the way Pandoc would (an entry
in parentheses, an `@` that opens no entry, a value followed by anything but `,`, `}` or `#`)
ends the scan as `understood = False`; the whole file then goes to Pandoc, which reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

MAX_VALUE_CHARS = 100_000  # one field or @string after expansion (real abstracts: ~5,000)
MAX_TOTAL_CHARS = 16_000_000  # every field of the file together, after expansion

_NAME = re.compile(r"[^\s\"#%'(),={}]+")
_ENTRY_TYPE = re.compile(r"[A-Za-z]+")
_KEY = re.compile(r"[^\s,{}]+")  # Pandoc: anything up to white space or ','
_SPACE = re.compile(r"(?:\s|%[^\n]*)*")  # Pandoc skips comments where it skips spaces
_BRACES = re.compile(r"[{}]")
_QUOTED = re.compile(r'[{}"]')
_BETWEEN = re.compile(r"[@%]")  # what matters between entries
_GAP = r"(?:\s|%[^\n]*)*"
_FIELD = re.compile(_GAP + r"([^\s\"#%'(),={}]+)" + _GAP + "=")  # the value starts after it
INHERITING = ("crossref", "xdata")  # fields whose value names entries this one inherits from


@dataclass
class OverBudget:
    offset: int  # where the value starts in the text
    name: str  # the field or @string it belongs to
    size: int  # what it would expand to (at least)
    budget: int
    total: bool  # the file's total budget rather than one value's


@dataclass
class Entry:
    kind: str  # lower case: article, book, xdata …
    key: str
    start: int  # offset of its '@'
    end: int  # offset just past its closing brace
    key_offset: int
    parents: list[tuple[str, str, int]] = field(default_factory=list)  # (field, key, offset)


@dataclass
class BibIndex:
    """What the scan found: `understood` is False when the file holds something it does not read
    as Pandoc would (then only `over` may be set, and the whole file must go to Pandoc)."""

    entries: list[Entry] = field(default_factory=list)
    strings: list[tuple[int, int]] = field(default_factory=list)  # spans of @string blocks
    over: Optional[OverBudget] = None
    understood: bool = True

    def by_key(self) -> dict[str, list[Entry]]:
        found: dict[str, list[Entry]] = {}
        for entry in self.entries:
            found.setdefault(entry.key, []).append(entry)
        return found


class _Stop(Exception):
    """The scan cannot go on (a syntax Pandoc will report); what was measured stands."""


def scan(text: str) -> BibIndex:
    scanner = _Scanner(text)
    try:
        scanner.scan()
    except _Stop:
        scanner.index.understood = False
    return scanner.index


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.macros: dict[str, int] = {}
        self.total = 0
        self.index = BibIndex()

    def scan(self) -> None:
        while True:
            found = _BETWEEN.search(self.text, self.pos)
            if found is None:
                return
            at = found.start()
            if found.group() == "%":  # a comment line between entries (Pandoc skips it whole)
                end = self.text.find("\n", at)
                self.pos = len(self.text) if end < 0 else end + 1
                continue
            self.pos = at + 1
            kind_match = _ENTRY_TYPE.match(self.text, self.pos)
            kind = kind_match.group().lower() if kind_match else ""
            self.pos = kind_match.end() if kind_match else self.pos
            self._skip_space()
            if not kind or self._peek() != "{":
                self._refuse()  # Pandoc reads an '@' between entries as one, and fails
                continue
            self.pos += 1
            if kind in ("comment", "preamble"):
                self._balanced()
                continue
            if kind == "string":
                start = at
                if self._fields(kind, at):
                    return
                self.index.strings.append((start, self.pos))
                continue
            self._skip_space()
            key = _KEY.match(self.text, self.pos)
            if key is None:
                self._refuse()
                raise _Stop
            entry = Entry(kind, key.group(), at, at, key.start())
            self.pos = key.end()
            self._skip_space()
            if self._peek() != ",":
                self._refuse()  # `@misc{key}`: Pandoc wants at least the comma
                raise _Stop
            self.pos += 1
            if self._fields(kind, at, entry):
                return
            entry.end = self.pos
            self.index.entries.append(entry)

    def _refuse(self) -> None:
        self.index.understood = False

    def _fields(self, kind: str, start: int, entry: Optional[Entry] = None) -> bool:
        """Read fields up to the closing brace; True when a value is over budget."""
        while True:
            field = _FIELD.match(self.text, self.pos)  # `name =` in one step: the common case
            if field is None:
                self._skip_space()
                char = self._peek()
                if char == "}":
                    self.pos += 1
                    return False
                if char == ",":
                    self.pos += 1
                    continue
                raise _Stop
            name, self.pos = field.group(1), field.end()
            value_start = self.pos
            size, literal = self._value()
            if size > MAX_VALUE_CHARS:
                self.index.over = OverBudget(value_start, name, size, MAX_VALUE_CHARS, False)
                return True
            if kind == "string":
                self.macros[name.lower()] = size
                continue
            self.total += size
            if self.total > MAX_TOTAL_CHARS:
                self.index.over = OverBudget(value_start, name, self.total, MAX_TOTAL_CHARS, True)
                return True
            if entry is not None and name.lower() in INHERITING and literal is not None:
                for part in literal.split(","):
                    if part.strip():
                        at = _SPACE.match(self.text, value_start)
                        where = at.end() if at else value_start  # the value, past its spaces
                        entry.parents.append((name.lower(), part.strip(), where))

    def _value(self) -> tuple[int, Optional[str]]:
        """The expanded size of a value, and its text when it is one literal part."""
        size = 0
        parts: list[Optional[str]] = []  # each part's text (None: a macro's, defined elsewhere)
        while True:
            self._skip_space()
            char = self._peek()
            if char == "{":
                self.pos += 1
                start = self.pos
                size += self._balanced()
                parts.append(self.text[start : self.pos - 1])
            elif char == '"':
                self.pos += 1
                start = self.pos
                size += self._quoted()
                parts.append(self.text[start : self.pos - 1])
            else:
                name = self._name()
                if not name:
                    raise _Stop
                size += len(name) if name.isdigit() else self.macros.get(name.lower(), len(name))
                parts.append(name if name.isdigit() else None)
            self._skip_space()
            if self._peek() != "#":
                if self._peek() not in ",}":
                    raise _Stop  # Pandoc fails here too (an unbalanced brace, a missing comma)
                literal = parts[0] if len(parts) == 1 else None
                return size, literal
            self.pos += 1

    def _balanced(self) -> int:
        """Skip to the partner of an opened brace; the length of what was inside."""
        depth, start = 1, self.pos
        for match in _BRACES.finditer(self.text, self.pos):
            depth += 1 if match.group() == "{" else -1
            if depth == 0:
                self.pos = match.end()
                return self.pos - start - 1
        raise _Stop

    def _quoted(self) -> int:
        depth, start = 0, self.pos
        for match in _QUOTED.finditer(self.text, self.pos):
            char = match.group()
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif depth <= 0:
                self.pos = match.end()
                return self.pos - start - 1
        raise _Stop

    def _name(self) -> str:
        match = _NAME.match(self.text, self.pos)
        if not match:
            return ""
        self.pos = match.end()
        return match.group()

    def _skip_space(self) -> None:
        match = _SPACE.match(self.text, self.pos)
        assert match is not None  # a pattern of `*` matches the empty string
        self.pos = match.end()

    def _peek(self) -> str:
        if self.pos >= len(self.text):
            raise _Stop
        return self.text[self.pos]
