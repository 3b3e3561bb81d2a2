"""Carry an editor's changes into Markdown: a field's Markdown, the paragraphs briefkit wrote for
it and the paragraphs an editor left in, the same Markdown with only the changed words rewritten
out.

The words of the Markdown are matched to the words the document shows (markup, link targets and
note brackets say nothing a reader sees; a note, a citation, a cross-reference and a picture are
one token each). The editor's changes are found word by word between what briefkit wrote and
what the editor saved, and each is made where its words stand in the Markdown, in the Markdown's
own spelling: an italic word changed inside `*…*` stays inside it, a changed note is patched
inside its `^[…]`, a changed locator inside its `[@key, …]`. Anything that cannot be placed (a
change inside words briefkit composed, such as "Figure 1") makes the patch fail: the caller then
writes the field anew and says so.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any, Optional

from briefkit.ooxml.story import Citation, CrossReference, NoteMark, Paragraph, Picture, Text

_WORD = re.compile(r"\w+|[^\w\s]|\s+", re.UNICODE)
_FOLD = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u00a0": " ",
        "\u2011": "-",
    }
)
_CITE_KEY = re.compile(r"(-?)@([\w](?:[\w:.#$%&+?<>~/-]*[\w])?)")
_LIST = re.compile(r"(\s*)([-*+]|\d+[.)])(\s+)")
_MARKUP = set("*_~^|`")


class PatchFailed(ValueError):
    """A change could not be placed in the Markdown."""


@dataclass
class Token:
    key: tuple  # compared between the Markdown and the document
    exact: tuple = ()  # compared between two documents (text with its formatting)
    start: int = -1  # the Markdown's characters that show it (source tokens)
    end: int = -1
    inner: Optional[tuple] = None  # a note's own Markdown (start, end)
    part: Any = None  # the document's part (rendered tokens)
    flags: frozenset = frozenset()
    style: str = ""  # a paragraph break: the next paragraph's style, and the previous one's
    previous: str = ""


# ---- the document's side ----------------------------------------------------------------------


def note_citation(note: NoteMark) -> Optional[Citation]:
    """The citation a note consists of (a note style's citation), if it is one."""
    if len(note.paragraphs) == 1:
        parts = [
            p for p in note.paragraphs[0].parts if not (isinstance(p, Text) and not p.text.strip())
        ]
        if len(parts) == 1 and isinstance(parts[0], Citation):
            return parts[0]
    return None


def document_tokens(paragraphs) -> list[Token]:
    out: list[Token] = []
    for index, paragraph in enumerate(paragraphs):
        if index:
            role = paragraph_role(paragraph.style)
            out.append(
                Token(
                    ("p",),
                    ("p", role),
                    style=role,
                    previous=paragraph_role(paragraphs[index - 1].style),
                )
            )
        for part in paragraph.parts:
            out.extend(_part_tokens(part))
    return out


def _part_tokens(part) -> list[Token]:
    if isinstance(part, Text):
        tokens = []
        for match in _WORD.finditer(part.text):
            word = match.group()
            if word.isspace():
                kind = ("br",) if "\n" in word else ("s",)
                tokens.append(
                    Token(kind, kind + (tuple(sorted(part.flags)),), part=part, flags=part.flags)
                )
            else:
                tokens.append(
                    Token(
                        ("w", word.translate(_FOLD)),
                        ("w", word, tuple(sorted(part.flags))),
                        part=part,
                        flags=part.flags,
                    )
                )
        return tokens
    if isinstance(part, NoteMark):
        cited = note_citation(part)
        if cited is not None:
            return [Token(_cite_key(cited), ("cite", cited.items), part=cited)]
        return [Token(("note",), ("note", note_identity(part)), part=part)]
    if isinstance(part, Citation):
        return [Token(_cite_key(part), ("cite", part.items), part=part)]
    if isinstance(part, CrossReference):  # its words are briefkit's; an edit of them shows
        return [Token(("xref", part.anchor), ("xref", part.anchor, part.text), part=part)]
    if isinstance(part, Picture):
        return [Token(("pic",), ("pic", part.alt), part=part)]
    return []


def _cite_key(citation: Citation) -> tuple:
    return ("cite",) + tuple(str(item.get("id")) for item in citation.data)


def note_identity(note: NoteMark) -> tuple:
    return tuple(token.exact for token in document_tokens(note.paragraphs))


# ---- the Markdown's side ----------------------------------------------------------------------


def source_tokens(text: str) -> list[Token]:
    """The tokens a reader would see of Markdown `text`, each with the characters showing it."""
    return _Scanner(text).scan()


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.markup = bytearray(len(text))  # 1: block markup a reader does not see
        self.starts: set[int] = set()  # where a new paragraph (block) begins
        self.definitions: dict[str, tuple[int, int]] = {}  # note label -> its text
        self.tokens: list[Token] = []
        self._lines()

    def _lines(self) -> None:
        """Line-level markup: block markers, fences, table rules; note definitions are taken
        out of the text (their notes show them)."""
        offset, in_code, blank_before = 0, False, True
        definition: Optional[tuple[str, int, int]] = None  # label, text start, definition start
        for line in self.text.split("\n"):
            end = offset + len(line)
            stripped = line.strip()
            if definition is not None:  # continues while indented or not after a blank line
                if stripped and (line.startswith((" ", "\t")) or not blank_before):
                    self._mark(offset, end + 1)
                    blank_before = False
                    offset = end + 1
                    continue
                if stripped:
                    self._close_definition(definition, offset)
                    definition = None
                else:
                    self._mark(offset, end + 1)
                    blank_before = True
                    offset = end + 1
                    continue
            labelled = None if in_code else re.match(r" {0,3}\[\^([^\]\s]+)\]:[ \t]*", line)
            if stripped.startswith(("```", "~~~")):
                in_code = not in_code
                self._mark(offset, end)
                self.starts.add(end + 1)
            elif not in_code and (
                stripped.startswith(":::")
                or re.fullmatch(r"\|?[\s:|+=-]*-{3,}[\s:|+=-]*", stripped)
            ):
                self._mark(offset, end)
                self.starts.add(end + 1)
            elif labelled:
                definition = (labelled.group(1), offset + labelled.end(), offset)
                self._mark(offset, end + 1)
            elif stripped:
                prefix = 0 if in_code else self._line_prefix(line)
                self._mark(offset, offset + prefix)
                if blank_before or re.search(r"#|[-*+]\s|\d[.)]\s", line[:prefix]):
                    self.starts.add(offset + prefix)
            blank_before = not stripped
            offset = end + 1
        if definition is not None:
            self._close_definition(definition, len(self.text))

    def _close_definition(self, definition, until: int) -> None:
        label, start, _ = definition
        end = until
        while end > start and self.text[end - 1].isspace():
            end -= 1
        self.definitions[label] = (start, end)
        self._mark(start, until)

    @staticmethod
    def _line_prefix(line: str) -> int:
        """Characters of block markup at the start of a line: quotes, headings, list markers,
        a table's leading pipe."""
        position = 0
        while True:
            rest = line[position:]
            match = (
                re.match(r"[ \t]*>[ \t]?", rest)
                or re.match(r"[ \t]*#{1,6}[ \t]+", rest)
                or _LIST.match(rest)
                or re.match(r"[ \t]*\|[ \t]*", rest)
            )
            if not match or not match.group():
                return position
            position += match.end()

    def _mark(self, start: int, end: int) -> None:
        for i in range(start, min(end, len(self.markup))):
            self.markup[i] = 1

    # ---- inlines ----
    def scan(self) -> list[Token]:
        text, i, starting = self.text, 0, False
        while i < len(text):
            starting = starting or i in self.starts
            if self.markup[i]:
                i += 1
                continue
            if starting:
                self._break(i)
                starting = False
            i = self._inline(i)
        while self.tokens and self.tokens[-1].key in (("s",), ("p",)):
            self.tokens.pop()
        return self.tokens

    def _break(self, at: int) -> None:
        if not self.tokens:
            return
        while self.tokens and self.tokens[-1].key == ("s",):
            self.tokens.pop()
        if self.tokens and self.tokens[-1].key != ("p",):
            start = self.tokens[-1].end
            self.tokens.append(Token(("p",), start=start, end=at))

    def _add(self, key: tuple, start: int, end: int, **more) -> None:
        self.tokens.append(Token(key, start=start, end=end, **more))

    def _inline(self, i: int) -> int:
        text = self.text
        char = text[i]
        if char.isspace():
            end = i + 1
            while end < len(text) and text[end].isspace() and end not in self.starts:
                end += 1
            if (
                self.tokens
                and self.tokens[-1].key not in (("s",), ("p",))
                and end not in self.starts
            ):
                self._add(("s",), i, end)
            return end
        if char == "\\" and i + 1 < len(text):
            if text[i + 1] == "\n":
                self._add(("br",), i, i + 2)
                return i + 2
            self._add(("w", text[i + 1].translate(_FOLD)), i, i + 2)
            return i + 2
        if text.startswith("^[", i):
            close = self._closing(i + 1)
            if close is not None:
                self._add(("note",), i, close + 1, inner=(i + 2, close))
                return close + 1
        if text.startswith("[^", i):
            match = re.match(r"\[\^([^\]\s]+)\]", text[i:])
            if match and match.group(1) in self.definitions:
                self._add(("note",), i, i + match.end(), inner=self.definitions[match.group(1)])
                return i + match.end()
        if text.startswith("[#", i):
            match = re.match(r"\[#([A-Za-z][A-Za-z0-9_-]*)\]", text[i:])
            if match:
                self._add(("xref", match.group(1)), i, i + match.end())
                return i + match.end()
        if char == "[":
            close = self._closing(i)
            if (
                close is not None
                and text[close + 1 : close + 2] not in ("(", "[", "{")
                and re.search(r"(^|[\s;\-\[])@\w", text[i : close + 1])
            ):
                keys = tuple(m.group(2) for m in _CITE_KEY.finditer(text[i + 1 : close]))
                self._add(("cite",) + keys, i, close + 1)
                return close + 1
            return i + 1  # a link's or span's bracket
        if char == "@" and (i == 0 or not text[i - 1].isalnum()):
            match = _CITE_KEY.match(text, i)
            if match:
                end = match.end()
                locator = re.match(r" \[[^\]\[]*\]", text[end:])
                if locator and text[end + locator.end() : end + locator.end() + 1] not in (
                    "(",
                    "{",
                ):
                    end += locator.end()
                self._add(("cite", match.group(2)), i, end)
                return end
        if char == "!" and text.startswith("![", i):
            self._add(("pic",), i, i + 2)
            return i + 2
        if char == "]":
            if text.startswith("](", i):
                close = self._closing(i + 1, "(", ")")
                end = (close + 1) if close is not None else i + 1
            elif text.startswith("]{", i):
                close = text.find("}", i)
                end = close + 1 if close > 0 else i + 1
            else:
                end = i + 1
            while text.startswith("{", end) and text.find("}", end) > 0:
                end = text.find("}", end) + 1
            return end
        if char in _MARKUP or char in "<>":
            if (
                char == "_"
                and 0 < i < len(text) - 1
                and text[i - 1].isalnum()
                and text[i + 1].isalnum()
            ):
                self._add(("w", "_"), i, i + 1)
                return i + 1
            if char in "<>" and not re.match(
                r"<https?://|<mailto:", text[i:] if char == "<" else "<http://"
            ):
                self._add(("w", char), i, i + 1)
                return i + 1
            return i + 1
        for spelled, shown in (("---", "\u2014"), ("--", "\u2013"), ("...", "\u2026")):
            if text.startswith(spelled, i):
                self._add(("w", shown), i, i + len(spelled))
                return i + len(spelled)
        match = re.compile(r"\w+|[^\w\s]", re.UNICODE).match(text, i)
        end = match.end() if match else i + 1
        self._add(("w", text[i:end].translate(_FOLD)), i, end)
        return end

    def _closing(self, opening: int, open_char: str = "[", close_char: str = "]") -> Optional[int]:
        depth, i, text = 0, opening, self.text
        while i < len(text):
            char = text[i]
            if char == "\\":
                i += 2
                continue
            if char == "`":
                end = text.find("`", i + 1)
                i = end + 1 if end > 0 else i + 1
                continue
            if char == open_char:
                depth += 1
            elif char == close_char:
                depth -= 1
                if depth == 0:
                    return i
            i += 1
        return None


# ---- placing the changes ----------------------------------------------------------------------


@dataclass
class _Edit:
    start: int
    end: int
    text: str


def patch(markdown: str, built: list[Paragraph], edited: list[Paragraph]) -> str:
    """`markdown` with the changes from `built` to `edited` made in it; raises PatchFailed.

    Paragraphs are matched first (a paragraph the editor removed goes with its lines and its
    block's fences, a new one is a block of its own after the one it follows); words within
    matched paragraphs after."""
    old = document_tokens(built)
    new = document_tokens(edited)
    if [t.exact for t in old] == [t.exact for t in new]:
        return markdown
    source = source_tokens(markdown)
    mapped = _align(source, old)
    old_ranges, new_ranges = _ranges(old), _ranges(new)
    edits: list[_Edit] = []
    previous: Optional[int] = None  # the last paragraph of the Markdown kept, for insertions
    waiting: list[int] = []  # new paragraphs to insert after `previous`
    for i, j in pair_paragraphs(old, new, old_ranges, new_ranges):
        if i is None:
            waiting.append(j)
            continue
        if waiting:
            edits.append(
                _inserted(markdown, source, mapped, old_ranges, previous, i, waiting, edited)
            )
            waiting = []
        if j is None:
            edits.append(_deleted(markdown, source, mapped, old_ranges, i))
            continue
        previous = i
        a1, a2 = old_ranges[i]
        b1, b2 = new_ranges[j]
        if paragraph_role(built[i].style) != paragraph_role(edited[j].style):
            raise PatchFailed("a paragraph's style changed")
        edits += _word_edits(markdown, source, mapped, old, new, a1, a2, b1, b2)
    if waiting:
        edits.append(
            _inserted(markdown, source, mapped, old_ranges, previous, None, waiting, edited)
        )
    return _apply(markdown, edits)


def _ranges(tokens: list[Token]) -> list[tuple[int, int]]:
    """Each paragraph's tokens (start, end) in a field's token list."""
    out, start = [], 0
    for index, token in enumerate(tokens):
        if token.key == ("p",):
            out.append((start, index))
            start = index + 1
    out.append((start, len(tokens)))
    return out


def pair_paragraphs(old: list[Token], new: list[Token], old_ranges, new_ranges):
    """(old paragraph, new paragraph) in reading order; None where one side has none. Equal
    paragraphs pair first, then changed ones that still share most of their words."""

    def exact(tokens, ranges):
        return [tuple(t.exact for t in tokens[a:b]) for a, b in ranges]

    old_keys, new_keys = exact(old, old_ranges), exact(new, new_ranges)
    out: list[tuple[Optional[int], Optional[int]]] = []
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [(i1 + k, j1 + k) for k in range(i2 - i1)]
            continue
        j = j1
        for i in range(i1, i2):
            best = None
            for candidate in range(j, j2):
                ratio = difflib.SequenceMatcher(
                    None, old_keys[i], new_keys[candidate], autojunk=False
                ).ratio()
                if ratio > 0.5:
                    best = candidate
                    break
            if best is None:
                out.append((i, None))
                continue
            out += [(None, k) for k in range(j, best)] + [(i, best)]
            j = best + 1
        out += [(None, k) for k in range(j, j2)]
    return out


def _word_edits(markdown, source, mapped, old, new, a1, a2, b1, b2) -> list[_Edit]:
    edits = []
    matcher = difflib.SequenceMatcher(
        None, [t.exact for t in old[a1:a2]], [t.exact for t in new[b1:b2]], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        i1, i2, j1, j2 = i1 + a1, i2 + a1, j1 + b1, j2 + b1
        if (
            op == "replace"
            and i2 - i1 == j2 - j1 == 1
            and old[i1].key == new[j1].key
            and old[i1].key[0] in ("note", "cite")
            and i1 in mapped
        ):
            edits.append(_changed_marker(markdown, source[mapped[i1]], old[i1], new[j1]))
            continue
        edits.append(_replacement(markdown, source, mapped, old, new, i1, i2, j1, j2))
    return edits


def _lines_of(markdown: str, source, mapped, old_ranges, i) -> tuple[int, int]:
    """The lines showing paragraph `i` (offsets of their start and end): no other
    paragraph's words may stand on them."""
    a, b = old_ranges[i]
    mine = [mapped[k] for k in range(a, b) if k in mapped and source[mapped[k]].key != ("s",)]
    if not mine:
        raise PatchFailed("a paragraph's words are not in the Markdown")
    start = markdown.rfind("\n", 0, source[min(mine)].start) + 1
    end = markdown.find("\n", source[max(mine)].end)
    end = len(markdown) if end < 0 else end
    others = {
        mapped[k]
        for other, (c, d) in enumerate(old_ranges)
        if other != i
        for k in range(c, d)
        if k in mapped
    }
    if any(start <= source[k].start < end for k in others if source[k].key[0] != "s"):
        raise PatchFailed("a paragraph shares its lines with another")
    return start, end


_FENCE_OPEN = re.compile(r"\s{0,3}:{3,}\s*\S")
_FENCE_CLOSE = re.compile(r"\s{0,3}:{3,}\s*$")


def _deleted(markdown: str, source, mapped, old_ranges, i) -> _Edit:
    """A paragraph the editor removed: its lines go, with the blank line before them, and the
    fences of a div it was alone in."""
    start, end = _lines_of(markdown, source, mapped, old_ranges, i)
    lines_before = markdown[:start].split("\n")[:-1]
    lines_after = markdown[end + 1 :].split("\n") if end < len(markdown) else []
    if (
        lines_before
        and _FENCE_OPEN.match(lines_before[-1])
        and lines_after
        and _FENCE_CLOSE.match(lines_after[0])
    ):
        start -= len(lines_before[-1]) + 1
        end += len(lines_after[0]) + 1
        lines_before = lines_before[:-1]
        lines_after = lines_after[1:]
    if end >= len(markdown):  # the field's last block: the break before it goes
        while start > 0 and markdown[start - 1] == "\n":
            start -= 1
        return _Edit(start, len(markdown), "")
    end += 1  # its line end
    if (
        lines_before
        and not lines_before[-1].strip()
        and (not lines_after or not lines_after[0].strip())
    ):
        end += len(lines_after[0]) + 1 if lines_after else 0  # one blank line stays between
    return _Edit(start, min(end, len(markdown)), "")


def _inserted(
    markdown: str,
    source,
    mapped,
    old_ranges,
    previous: Optional[int],
    following: Optional[int],
    paragraphs: list[int],
    edited,
) -> _Edit:
    """New paragraphs as blocks of their own, after the block of the paragraph they follow
    (past its div's closing fence), or before the first."""
    blocks = [paragraphs_markdown([edited[j]]) for j in paragraphs]
    roles = [paragraph_role(edited[j].style) for j in paragraphs]
    if previous is None:
        start, _ = (
            _lines_of(markdown, source, mapped, old_ranges, following)
            if following is not None
            else (0, 0)
        )
        return _Edit(start, start, _joined(blocks, roles) + "\n\n")
    _, end = _lines_of(markdown, source, mapped, old_ranges, previous)
    while end < len(markdown):
        line_end = markdown.find("\n", end + 1)
        line = markdown[end + 1 : line_end if line_end >= 0 else len(markdown)]
        if not _FENCE_CLOSE.match(line):
            break
        end = line_end if line_end >= 0 else len(markdown)
    before = paragraph_role(edited[paragraphs[0] - 1].style) if paragraphs[0] else ""
    tight = roles[0] in ("bullet", "number") and roles[0] == before
    return _Edit(end, end, ("\n" if tight else "\n\n") + _joined(blocks, roles))


def _joined(blocks: list[str], roles: list[str]) -> str:
    out = blocks[0]
    for block, role, before in zip(blocks[1:], roles[1:], roles):
        out += ("\n" if role in ("bullet", "number") and role == before else "\n\n") + block
    return out


def _align(source: list[Token], old: list[Token]) -> dict[int, int]:
    """Document token index -> Markdown token index, for the tokens both show."""
    matcher = difflib.SequenceMatcher(
        None, [t.key for t in source], [t.key for t in old], autojunk=False
    )
    mapped = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapped[block.b + k] = block.a + k
    return mapped


def _replacement(
    markdown: str,
    source: list[Token],
    mapped: dict[int, int],
    old,
    new,
    i1: int,
    i2: int,
    j1: int,
    j2: int,
) -> _Edit:
    inside = [mapped[i] for i in range(i1, i2) if i in mapped]
    if any(i not in mapped and old[i].key[0] not in ("s",) for i in range(i1, i2)):
        raise PatchFailed("a change touches words briefkit composed")
    base = _base_flags(old, i1, i2)
    text = render(new[j1:j2], base)
    if inside:
        first, last = min(inside), max(inside)
        if sorted(inside) != list(range(first, last + 1)) and any(
            k not in inside and source[k].key[0] not in ("s", "p") for k in range(first, last)
        ):
            raise PatchFailed("a change spans words placed elsewhere in the Markdown")
        start, end = source[first].start, source[last].end
        if source[first].key == ("p",) and new[j1:j2] and new[j1].key != ("p",):
            text = "\n\n" + text
        return _Edit(start, end, text)
    before = next((mapped[i] for i in range(i1 - 1, -1, -1) if i in mapped), None)
    after = next((mapped[i] for i in range(i2, len(old)) if i in mapped), None)
    if before is not None:
        at = source[before].end
        if source[before].key == ("p",):
            at = source[before].end
        return _Edit(at, at, _spaced(markdown, at, text, new[j1:j2], after_token=True))
    if after is not None:
        at = source[after].start
        return _Edit(at, at, _spaced(markdown, at, text, new[j1:j2], after_token=False))
    raise PatchFailed("nothing to place the change against")


def _spaced(markdown: str, at: int, text: str, tokens: list[Token], after_token: bool) -> str:
    """An insertion keeps its spaces: a new paragraph after a word starts with its break."""
    if tokens and tokens[0].key == ("p",) or tokens and tokens[-1].key == ("p",):
        return text
    return text


def _base_flags(old: list[Token], i1: int, i2: int) -> frozenset:
    """The formatting the Markdown already gives the place of a change (inside `*…*`, a
    link): what every replaced word had, or for an insertion what both neighbours have."""
    around = old[i1:i2] if i2 > i1 else [t for t in old[max(0, i1 - 1) : i1 + 1]]
    words = [t for t in around if t.key[0] == "w"]
    if not words:
        return frozenset()
    base = frozenset(words[0].flags)
    for token in words[1:]:
        base &= token.flags
    return base


def _changed_marker(markdown: str, source: Token, old: Token, new: Token) -> _Edit:
    if old.key[0] == "note":
        if source.inner is None:
            raise PatchFailed("a note's text is not in this field")
        start, end = source.inner
        inner = patch(markdown[start:end], list(old.part.paragraphs), list(new.part.paragraphs))
        return _Edit(start, end, inner)
    return _Edit(
        source.start,
        source.end,
        changed_citation(markdown[source.start : source.end], old.part, new.part),
    )


def changed_citation(written: str, old: Citation, new: Citation) -> str:
    """A citation as written (`[see @key, 12]`) with what changed between two fields: a
    locator, prefix or suffix replaced where it stands, else written anew."""
    out = written
    olds, news = old.data, new.data
    if [o.get("id") for o in olds] != [n.get("id") for n in news]:
        return citation_markdown(new, bracketed=written.startswith("["))
    for before, after in zip(olds, news):
        for key in ("locator", "prefix", "suffix"):
            was, now = str(before.get(key) or ""), str(after.get(key) or "")
            if was == now:
                continue
            if was and out.count(was) == 1:
                out = out.replace(was, now)
            else:
                return citation_markdown(new, bracketed=written.startswith("["))
        if before.get("label") != after.get("label") or bool(before.get("suppress-author")) != bool(
            after.get("suppress-author")
        ):
            return citation_markdown(new, bracketed=written.startswith("["))
    return out


_LABEL_WORDS = {
    "page": "",
    "chapter": "chapter",
    "section": "section",
    "paragraph": "para.",
    "volume": "vol.",
    "line": "line",
    "figure": "fig.",
    "note": "n.",
    "book": "book",
    "part": "part",
    "verse": "verse",
    "column": "col.",
    "issue": "no.",
    "folio": "fol.",
    "opus": "op.",
    "sub-verbo": "s.v.",
}


def citation_markdown(citation: Citation, bracketed: bool = True) -> str:
    items = []
    for item in citation.data:
        piece = ""
        if item.get("prefix"):
            piece += str(item["prefix"]).rstrip() + " "
        piece += ("-" if item.get("suppress-author") else "") + "@" + str(item.get("id"))
        if item.get("locator"):
            label = _LABEL_WORDS.get(str(item.get("label") or "page"), str(item.get("label")))
            piece += ", " + (label + " " if label else "") + str(item["locator"])
        if item.get("suffix"):
            suffix = str(item["suffix"])
            piece += suffix if suffix[:1] in ",;." else ", " + suffix
        items.append(piece)
    return "[" + "; ".join(items) + "]" if bracketed or len(items) != 1 else items[0]


def _apply(markdown: str, edits: list[_Edit]) -> str:
    edits.sort(key=lambda e: (e.start, e.end))
    for a, b in zip(edits, edits[1:]):
        if b.start < a.end:
            raise PatchFailed("two changes overlap in the Markdown")
    out = markdown
    for edit in reversed(edits):
        out = out[: edit.start] + edit.text + out[edit.end :]
    return out


# ---- writing new words ------------------------------------------------------------------------

_ESCAPE = re.compile(r"([\\`*_\[\]<>@^~$|])")
_WRAP = (
    ("b", "**", "**"),
    ("i", "*", "*"),
    ("s", "~~", "~~"),
    ("sup", "^", "^"),
    ("sub", "~", "~"),
)


def render(tokens: list[Token], base: frozenset = frozenset()) -> str:
    """Markdown for document tokens, formatting beyond `base` written out."""
    out: list[str] = []
    group: list[Token] = []
    flags: Optional[frozenset] = None

    def flush():
        if not group:
            return
        body = "".join(_token_markdown(t) for t in group)
        extra = (flags or frozenset()) - base
        lead = body[: len(body) - len(body.lstrip())]
        trail = body[len(body.rstrip()) :]
        core = body.strip()
        if core:
            for flag, opening, closing in _WRAP:
                if flag in extra:
                    core = opening + core + closing
            if "sc" in extra:
                core = f"[{core}]{{.smallcaps}}"
            if "u" in extra:
                core = f"[{core}]{{.underline}}"
            link = next((f[5:] for f in extra if f.startswith("href=")), None)
            if link:
                core = f"[{core}]({link})"
        out.append(lead + core + trail)
        group.clear()

    for token in tokens:
        token_flags = token.flags if token.key[0] in ("w", "s") else frozenset()
        if token.key[0] != "w" and token.key[0] != "s":
            flush()
            flags = None
            out.append(_token_markdown(token))
            continue
        if flags is not None and token_flags != flags and not (token.key == ("s",)):
            flush()
        if not group:
            flags = token_flags
        group.append(token)
    flush()
    return "".join(out)


def _token_markdown(token: Token) -> str:
    kind = token.key[0]
    if kind == "w":
        word = token.exact[1] if token.exact else token.key[1]
        return _ESCAPE.sub(r"\\\1", word)
    if kind == "s":
        return " "
    if kind == "br":
        return "\\\n"
    if kind == "p":  # the items of one list follow each other without a blank line
        prefix = _paragraph_prefix(token.style)
        tight = prefix in ("- ", "1. ") and token.style == token.previous
        return ("\n" if tight else "\n\n") + prefix
    if kind == "xref":
        return f"[#{token.key[1]}]"
    if kind == "cite":
        return citation_markdown(token.part)
    if kind == "note":
        inner = render(document_tokens(token.part.paragraphs))
        if "\n\n" in inner:
            raise PatchFailed("a new note of several paragraphs")
        return "^[" + inner + "]"
    raise PatchFailed(f"a new {kind} cannot be written as Markdown")


def paragraph_role(style: str) -> str:
    """What a paragraph style says about the Markdown (a list item, a quote, a heading), in
    words that survive an application renaming styles ("footnote text" saved as "Footnote")."""
    name = style.lower()
    for prefix, role in (
        ("list bullet", "bullet"),
        ("list number", "number"),
        ("heading", "heading"),
        ("caption", "caption"),
    ):
        if name.startswith(prefix):
            return role + name[len(prefix) :].strip()
    if name in ("quote", "intense quote", "block text"):
        return "quote"
    if name in ("pull quote", "box text"):  # briefkit's ::: pullquote and ::: box
        return name.split()[0].replace("pull", "pullquote")
    return ""


def _paragraph_prefix(role: str) -> str:
    if role.startswith("bullet"):
        return "- "
    if role.startswith("number"):
        return "1. "
    if role == "quote":
        return "> "
    if role.startswith("heading"):
        return "#" * int(role[7:] or 1) + " " if role[7:].isdigit() else "# "
    return ""


def paragraphs_markdown(paragraphs: list[Paragraph]) -> str:
    """A field written anew from the document's paragraphs (what cannot be patched)."""
    text = render(document_tokens(paragraphs))
    first = paragraph_role(paragraphs[0].style) if paragraphs else ""
    return (_paragraph_prefix(first) + text).strip() if text.strip() else ""


def identity(paragraphs: list[Paragraph]) -> str:
    """What a field shows, as one comparable text (for telling changed fields apart)."""
    return json.dumps([t.exact for t in document_tokens(paragraphs)], ensure_ascii=False)
