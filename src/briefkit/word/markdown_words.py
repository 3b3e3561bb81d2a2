"""The words of a field on both sides: a Word field's paragraphs in, tokens out (words, spaces,
paragraph breaks, one token each for a note, a citation, a cross-reference, a picture); a
field's Markdown in, the tokens a reader would see of it out, each with the characters that
show it (markup, link targets, note brackets and block markers show nothing).

`markdown_patch` matches the two to place an editor's changes in the Markdown; `identity` says
whether a field's paragraphs read the same.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional

from briefkit.ooxml.story_parts import Citation, CrossReference, NoteMark, Paragraph, Picture, Text

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


def identity(paragraphs: list[Paragraph]) -> str:
    """What a field shows, as one comparable text (for telling changed fields apart)."""
    return json.dumps([t.exact for t in document_tokens(paragraphs)], ensure_ascii=False)
