"""Edit a brief in place: its YAML text and the values to change in, the same text with only
those values rewritten out, byte for byte everywhere else.

A YAML library that loads and dumps (ruamel.yaml's round trip included) writes the whole file
again in its own layout: measured on this project's briefs (examples, corpus, starters), a
ruamel.yaml 0.19 load-and-dump with no edit changes 36 of 103 files (indentation of lists,
comments' alignment, line folding, block indicators). An author's file must not move. So each
edit is a splice of the text at the value's position as briefkit's loader reports it (the
positions every located message uses), written in the value's own style: a literal block keeps
its indentation and every line that did not change, a plain or quoted scalar keeps its line
breaks between the words that did not change. Every splice is checked by loading the result:
the value must read back as given and nothing else may change; otherwise the value is written
out whole in a style that holds it (a literal block for several lines), and checked again.
"""

from __future__ import annotations

import copy
import difflib
import re
from pathlib import Path
from typing import Any, Optional

from briefkit.core.diagnostics import BriefInvalid, KeyPath, format_key_path
from briefkit.load.brief_yaml import literal_safe, printable, scalar
from briefkit.load.source import Loaded, load_bytes, value_at

_BLOCK_HEADER = re.compile(r"([|>])([1-9]?)([+-]?)([1-9]?)[ \t]*(#.*)?$")


class EditFailed(ValueError):
    """The value could not be written so that it reads back as given (the message says which);
    `key`: where in the brief the reason stands, when one place does."""

    def __init__(self, message: str, key: Optional[KeyPath] = None):
        super().__init__(message)
        self.key = key


class BriefText:
    """A brief's text under edit. `set` and `comment` change it at once (each checked)."""

    def __init__(self, text: str, file: Path):
        self.text = text
        self.file = Path(file)
        self.loaded = self._load(text)

    def _load(self, text: str) -> Loaded:
        try:
            return load_bytes(text.encode("utf-8"), self.file)
        except BriefInvalid as exc:
            raise EditFailed(
                f"the edited text is not a brief: {exc.diagnostics.items[0]}"
            ) from None

    @property
    def data(self) -> dict:
        return self.loaded.data

    def get(self, path: KeyPath) -> Any:
        value: Any = self.loaded.data
        for part in path:
            value = value[part]
        return value

    # ---- values ----
    def set(self, path: KeyPath, value: str) -> None:
        """Give the text value at `path` (which exists) the text `value`."""
        path = tuple(path)
        if self.get(path) == value:
            return
        span = self.loaded.source.values[path]
        expected = copy.deepcopy(self.loaded.data)
        for other, where in self.loaded.source.values.items():  # an anchor's aliases follow it
            if (where.start, where.end) == (span.start, span.end) and isinstance(
                self.get(other), str
            ):
                _put(expected, other, value)
        key = self.loaded.source.keys.get(path)
        old = str(self.get(path))
        for write in (self._in_place, self._whole):
            replacement = write(span, old, value, key)
            if replacement is None:
                continue
            text = self.text[: span.start] + replacement + self.text[span.end :]
            try:
                loaded = self._load(text)
            except EditFailed:
                continue
            if _same(loaded.data, expected):
                self.text, self.loaded = text, loaded
                return
        raise EditFailed(
            f"{format_key_path(path)}: the new text could not be written so that "
            "it reads back the same"
        )

    def _in_place(self, span, old: str, value: str, key) -> Optional[str]:
        source = self.text[span.start : span.end]
        header = _BLOCK_HEADER.match(source.split("\n", 1)[0])
        if header and header.group(1) == "|":
            return _literal(source, header, value)
        if header or "\n" in value or "\n" in old:
            return None
        return _reflowed(source, old, value)

    def _whole(self, span, old: str, value: str, key) -> Optional[str]:
        """`value` written out whole: a literal block for several lines, else one line."""
        owner = key.start if key is not None else span.start
        indent = owner - (self.text.rfind("\n", 0, owner) + 1)
        if "\n" in value.strip("\n") and literal_safe(value):
            pad = " " * (indent + 2)
            body = value[:-1] if value.endswith("\n") else value
            chomp = "" if value.endswith("\n") and not value.endswith("\n\n") else "-"
            if value.endswith("\n\n"):
                return None
            lead = "2" if body[:1] == " " else ""
            lines = [pad + line if line else "" for line in body.split("\n")]
            tail = "\n" if self.text[span.end - 1 : span.end] == "\n" else ""
            return f"|{lead}{chomp}\n" + "\n".join(lines) + tail
        return scalar(value) + ("\n" if self.text[span.end - 1 : span.end] == "\n" else "")

    # ---- lists ----
    def _item_blocks(self, path: KeyPath) -> list[tuple[int, int]]:
        """The text of each item of the block list at `path`: from the start of the line of
        its dash (with the comment lines just above it) to where the next one starts."""
        items = self.get(path)
        if not isinstance(items, list) or not items:
            raise EditFailed(f"{format_key_path(path)}: not a list with items")
        starts = []
        for index in range(len(items)):
            span = self.loaded.source.values[tuple(path) + (index,)]
            line = self.text.rfind("\n", 0, span.start) + 1
            if self.text[line : span.start].strip() != "-":
                raise EditFailed(f"{format_key_path(path)}: not a list written one item a line")
            while line > 0:  # comments above the dash belong to the item
                previous = self.text.rfind("\n", 0, line - 1) + 1
                if not self.text[previous:line].strip().startswith("#"):
                    break
                line = previous
            starts.append(line)
        end = self.loaded.source.values[tuple(path)].end
        end = self.text.rfind("\n", 0, end) + 1 if not self.text[:end].endswith("\n") else end
        return [(a, b) for a, b in zip(starts, starts[1:] + [max(end, starts[-1])])]

    def reorder(self, path: KeyPath, order: list[int]) -> None:
        """Put the items of the list at `path` in `order` (old indexes), their text moved whole
        (comments, blank lines and styles with them)."""
        blocks = self._item_blocks(path)
        if sorted(order) != list(range(len(blocks))):
            raise EditFailed(f"{format_key_path(path)}: not an order of its items")
        pieces = [self.text[a:b] for a, b in blocks]
        pieces = [p if p.endswith("\n") else p + "\n" for p in pieces]
        start, end = blocks[0][0], blocks[-1][1]
        moved = "".join(pieces[i] for i in order)
        if not self.text[start:end].endswith("\n"):
            moved = moved[:-1]
        expected = copy.deepcopy(self.loaded.data)
        items = value_at(expected, path)
        items[:] = [items[i] for i in order]
        self._replace(start, end, moved, expected, path)

    def insert(self, path: KeyPath, index: int, value: dict) -> None:
        """A new mapping item (text values) in the list at `path`, before item `index` (after
        the last when `index` is its length), written as its neighbours are."""
        blocks = self._item_blocks(path)
        dash = self.loaded.source.values[tuple(path) + (0,)].column - 3  # `- ` before the key
        lines: list[str] = []
        for number, (key, text) in enumerate(value.items()):
            head = (" " * dash + "- ") if number == 0 else " " * (dash + 2)
            lines.extend(_entry_lines(head + f"{key}:", text, dash + 2))
        block = "\n".join(lines) + "\n"
        at = blocks[index][0] if index < len(blocks) else blocks[-1][1]
        if index >= len(blocks) and not self.text[:at].endswith("\n"):
            block = "\n" + block
        expected = copy.deepcopy(self.loaded.data)
        value_at(expected, path).insert(index, dict(value))
        self._replace(at, at, block, expected, path)

    def remove(self, path: KeyPath, indexes: list[int]) -> None:
        """Take the items at `indexes` out of the list at `path`, each with its text (the
        comments above its dash included); at least one item stays."""
        blocks = self._item_blocks(path)
        gone = sorted(set(indexes), reverse=True)
        if not gone or len(gone) >= len(blocks) or gone[0] >= len(blocks) or gone[-1] < 0:
            raise EditFailed(f"{format_key_path(path)}: its items cannot all be removed")
        expected = copy.deepcopy(self.loaded.data)
        items = value_at(expected, path)
        text = self.text
        for index in gone:
            start, end = blocks[index]
            if index == len(blocks) - 1 and not text[:end].endswith("\n"):
                start = max(blocks[index - 1][1] - 1, 0)  # the last item: the newline before it
            text = text[:start] + text[end:]
            del items[index]
        self._replace(0, len(self.text), text, expected, path)

    def _replace(self, start: int, end: int, text: str, expected, path: KeyPath) -> None:
        new = self.text[:start] + text + self.text[end:]
        loaded = self._load(new)
        if not _same(loaded.data, expected):
            raise EditFailed(
                f"{format_key_path(path)}: the list could not be rewritten so that "
                "it reads back as it should"
            )
        self.text, self.loaded = new, loaded

    # ---- comments ----
    def comment(self, path: KeyPath, lines: list[str]) -> None:
        """`# line` comments above the key at `path` (above the list item's dash when the key
        is the item's first), at its indentation."""
        if not lines:
            return
        source = self.loaded.source
        span = source.keys.get(tuple(path)) or source.values.get(tuple(path))
        if span is None:
            raise EditFailed(f"{format_key_path(path)}: not in the brief")
        start = self.text.rfind("\n", 0, span.start) + 1
        indent = self.text[start : span.start]
        if indent.strip():  # `- key:` (or `- - key`): above the dash, at the dash's column
            indent = indent[: len(indent) - len(indent.lstrip(" "))]
        block = "".join(
            f"{indent}# {printable(line)}".rstrip() + "\n"
            for comment in lines
            for line in (comment.splitlines() or [""])
        )
        before = self.text
        self.text = self.text[:start] + block + self.text[start:]
        loaded = self._load(self.text)
        if not _same(loaded.data, self.loaded.data):
            self.text = before
            raise EditFailed(f"{format_key_path(path)}: a comment could not be placed above it")
        self.loaded = loaded


def _entry_lines(head: str, value: str, column: int) -> list[str]:
    """`head` (`- key:` or `key:`) and a text value: on its line, or a literal block."""
    if "\n" in value.strip("\n") and literal_safe(value):
        body = value.rstrip("\n")
        chomp = "" if value.endswith("\n") else "-"
        return [f"{head} |{chomp}"] + [
            (" " * (column + 2) + line) if line else "" for line in body.split("\n")
        ]
    return [f"{head} {scalar(value)}"]


def _put(data: Any, path: KeyPath, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _same(a: Any, b: Any) -> bool:
    """Equal as loaded values (a number keeps its spelling: compared as text too)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b and str(a) == str(b)


def _literal(source: str, header, value: str) -> Optional[str]:
    """A literal block with `value`: its header, indentation and unchanged lines as they were."""
    _, explicit_a, chomp, explicit_b, comment = header.groups()
    head, _, rest = source.partition("\n")
    lines = rest.split("\n")
    if rest.endswith("\n"):
        lines = lines[:-1]
    explicit = explicit_a or explicit_b
    content = [line for line in lines if line.strip()]
    if not content:
        return None
    indent = int(explicit) if explicit else len(content[0]) - len(content[0].lstrip(" "))
    if explicit:  # relative to the parent's indentation: find it from the header's line
        return None
    # The value's lines stand on the first source lines; blank lines after them are chomped.
    old_lines = [line[indent:] if line.strip() or len(line) > indent else "" for line in lines]
    while old_lines and not old_lines[-1] and not lines[len(old_lines) - 1].strip():
        old_lines.pop()
    kept_tail = lines[len(old_lines) :]
    if value.endswith("\n\n") or (value[:1] == " "):
        return None
    new_chomp = "" if value.endswith("\n") else "-"
    new_lines = (value[:-1] if value.endswith("\n") else value).split("\n")
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(lines[i1:i2])
        else:
            out.extend(" " * indent + line if line else "" for line in new_lines[j1:j2])
    new_head = head if new_chomp == chomp else head.replace("|" + chomp, "|" + new_chomp, 1)
    return new_head + "\n" + "\n".join(out + kept_tail) + ("\n" if rest.endswith("\n") else "")


_WORD = re.compile(r"\S+")


def _reflowed(source: str, old: str, new: str) -> Optional[str]:
    """A one-line value written where `source` (a plain or quoted scalar, on one line or
    folded over several) stood: the words that did not change keep their places and the line
    breaks between them; changed words take the place of those they replace."""
    quote = source[:1] if source[:1] in "\"'" else ""
    if quote and not source.rstrip().endswith(quote):
        return None
    inner = source[1 : len(source.rstrip()) - 1] if quote else source
    trailer = source[len(source.rstrip()) :] if quote else ""
    spots = [(m.start(), m.end()) for m in _WORD.finditer(inner)]
    old_words, new_words = old.split(" "), new.split(" ")
    if len(spots) != len(old_words) or any(not w for w in old_words + new_words):
        return None  # escapes or runs of spaces: written whole
    if quote == '"' and any("\\" in inner[a:b] for a, b in spots):
        return None

    def written(word: str) -> str:
        if quote == '"':
            return word.replace("\\", "\\\\").replace('"', '\\"')
        if quote == "'":
            return word.replace("'", "''")
        return word

    pieces: list[str] = []
    position = 0
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        words = " ".join(written(w) for w in new_words[j1:j2])
        if i1 < i2:  # the changed words stand where the first of the old ones stood
            start, end = spots[i1][0], spots[i2 - 1][1]
            pieces += [inner[position:start], words]
            position = end
            if not words:  # a deletion: drop one of the spaces around it
                if position < len(inner) and inner[position] == " ":
                    position += 1
                elif pieces[-2].endswith(" "):
                    pieces[-2] = pieces[-2][:-1]
        else:  # an insertion after the previous word
            at = spots[i1 - 1][1] if i1 else 0
            pieces += [inner[position:at], (" " + words) if i1 else (words + " ")]
            position = at
    pieces.append(inner[position:])
    return quote + "".join(pieces) + quote + trailer
