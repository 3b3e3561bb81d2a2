"""What a reader sees in a Word document, as data: paragraphs of text runs with their
formatting, note marks holding the note's paragraphs, citations (a Zotero field's items and
printed text), cross-references, pictures, the bookmarks of the brief's fields and editors'
comments. `story` reads WordprocessingML into these; `brief_record` stores them in a DOCX.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Text:
    text: str
    flags: frozenset = frozenset()  # i, b, s, sup, sub, sc, u; "href=URL" inside a link out


@dataclass(frozen=True)
class NoteMark:
    paragraphs: tuple  # of Paragraph


@dataclass(frozen=True)
class Citation:
    items: tuple  # of CSL citation items without itemData, as sorted JSON texts
    printed: str  # the field's result as it reads

    @property
    def data(self) -> list[dict]:
        return [json.loads(item) for item in self.items]


@dataclass(frozen=True)
class CrossReference:
    anchor: str
    text: str = ""  # the words briefkit wrote for it ("Finding 2")


@dataclass(frozen=True)
class Picture:
    alt: str


Part = object  # Text | NoteMark | Citation | CrossReference | Picture


@dataclass
class Mark:
    """A field bookmark in a paragraph: its name, start or end, before which part."""

    name: str
    start: bool
    at: int


@dataclass
class Comment:
    author: str
    date: str
    text: str
    annotated: str = ""


@dataclass
class Paragraph:
    style: str
    parts: Any = field(default_factory=list)  # a list while read, a tuple once `frozen`
    in_table: bool = False
    marks: list[Mark] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    looks: set = field(default_factory=set)  # direct formatting Markdown cannot say (colour …)

    def frozen(self) -> "Paragraph":
        """Runs of the same formatting merged, never across a field's bookmark."""
        cuts = sorted({0, len(self.parts), *(m.at for m in self.marks)})
        merged: list = []
        moved: dict[int, int] = {}
        for start, end in zip(cuts, cuts[1:]):
            moved[start] = len(merged)
            merged.extend(_merge(list(self.parts[start:end])))
        moved[len(self.parts)] = len(merged)
        for mark in self.marks:
            mark.at = moved.get(mark.at, len(merged))
        self.parts = tuple(merged)
        return self

    @property
    def text(self) -> str:
        return plain(self.parts)


def plain(parts) -> str:
    """The characters of parts: text, a note's text in brackets, a citation's printed text."""
    out = []
    for part in parts:
        if isinstance(part, Text):
            out.append(part.text)
        elif isinstance(part, NoteMark):
            out.append("[" + " ".join(p.text for p in part.paragraphs) + "]")
        elif isinstance(part, Citation):
            out.append(part.printed)
    return "".join(out)


def _merge(parts: list) -> list:
    out: list = []
    for part in parts:
        if (
            isinstance(part, Text)
            and out
            and isinstance(out[-1], Text)
            and out[-1].flags == part.flags
        ):
            out[-1] = Text(out[-1].text + part.text, part.flags)
        elif not (isinstance(part, Text) and not part.text):
            out.append(part)
    return out


@dataclass
class Story:
    paragraphs: list[Paragraph]
    tracked_changes: int = 0
    comments: int = 0
