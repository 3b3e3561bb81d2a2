"""The document model: what every writer walks.

Prose is a tree of blocks and inlines, close to Pandoc's own (from which it is read), minus what
a brief may not carry (raw HTML/TeX). A `Document` is the whole brief after reading and
resolving: metadata, the parts a layout places, numbered notes, labels. Writers (docx, html,
pdf) never look at YAML or at Pandoc; they read this.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from briefkit.core.diagnostics import Location
from briefkit.formats import NAMES

# ---- composed lines ----------------------------------------------------------------------------


@dataclass
class Piece:
    """A piece of a line that resolve composes (byline, dateline, meta lines, colophon): its
    text, its role (HTML: a class; Word: a hint such as "name" for bold), a link, and for a date
    its ISO form (HTML `<time datetime>`). Writers lay pieces out; they never add words."""

    text: str
    role: str = ""
    href: Optional[str] = None
    datetime: Optional[str] = None
    key: tuple = ()  # the brief's value it shows, when it shows one as written (a title, a name)


Phrase = list[Piece]


def phrase_text(phrase: Phrase) -> str:
    return "".join(piece.text for piece in phrase)


@dataclass
class ContentsEntry:
    """One line of the contents: its text, the id it links to, its depth (1 or 2), the lines
    under it."""

    text: str
    target: str
    level: int = 1
    children: list["ContentsEntry"] = field(default_factory=list)


# ---- inlines ---------------------------------------------------------------------------------


@dataclass
class Text:
    text: str


@dataclass
class Styled:
    """Emphasis and its kin: `style` is emph, strong, strike, sup, sub, smallcaps, underline."""

    style: str
    children: list["Inline"]


@dataclass
class Code:
    text: str


@dataclass
class LineBreak:
    pass


@dataclass
class Math:
    """A TeX formula as Pandoc's writers typeset it (prose/formulas.py): MathML for the web,
    OMML for Word; the PDF prints an inline formula Pandoc can render as text (`x₂`, `δ`) as
    that text and typesets the rest as SVG. A formula texmath cannot read never becomes one:
    its TeX prints as text, as Pandoc prints it."""

    tex: str
    display: bool
    mathml: str
    omml: str
    text: list["Inline"] = field(default_factory=list)  # Pandoc's plain rendering, if any
    id: str = ""  # a numbered display formula's anchor (`{#eq:x}`)
    number: str = ""  # its number, in its TeX already (`\qquad{(1)}`)


@dataclass
class Link:
    children: list["Inline"]
    url: str
    internal: bool = False  # a cross-reference to an id in the brief (url is "#id")
    bare: bool = False  # a cross-reference printing its target's number alone (`[-@fig:x]`)
    written: str = ""  # how the brief writes the cross-reference (`@fig:x`), to locate it


@dataclass
class NoteRef:
    """Where a note is called; the note itself is in `Document.notes`."""

    note: "Note"


@dataclass
class Citation:
    """A citation (`[@key, 12]`): what citeproc printed (`children`), and its items as CSL says
    them (key, locator, label, prefix, suffix). With a note style the citation stands inside its
    note. `number` counts citations in reading order."""

    items: list
    children: list["Inline"]
    number: int = 0


@dataclass
class Anchor:
    """A place cross-references lead to, where no element of its own carries the id (a
    numbered formula printed as its TeX)."""

    id: str


Inline = Union[Text, Styled, Code, LineBreak, Math, Link, NoteRef, Anchor, Citation]

# ---- blocks ----------------------------------------------------------------------------------


@dataclass
class Para:
    children: list[Inline]


@dataclass
class Heading:
    level: int  # absolute: 1 is a top-level part heading
    children: list[Inline]
    id: Optional[str] = None


@dataclass
class ListBlock:
    ordered: bool
    items: list[list["Block"]]
    start: int = 1


@dataclass
class Quote:
    children: list["Block"]


@dataclass
class Callout:
    """A fenced div the format knows: `pullquote`, `box`, or `bibliography` (`::: {#refs}`:
    the sources cited, placed where the author put them)."""

    kind: str
    children: list["Block"]


@dataclass
class Table:
    header: list[list["Block"]]  # the (first) header row's cells
    rows: list[list[list["Block"]]]
    aligns: list[str]  # "left" | "right" | "center" | "default"
    caption: list[Inline] = field(default_factory=list)
    label: str = ""  # "Table 1", numbered by resolve in reading order
    id: str = ""  # its anchor (`{#tbl:x}`), the target of cross-references
    more_header: list[list[list["Block"]]] = field(default_factory=list)  # further header rows
    # Merged cells, as Pandoc's table model keeps them: (row, cell) -> (rows, columns) spanned,
    # with rows counted as `all_rows` gives them and a cell by its place in its row's list.
    spans: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    def all_rows(self) -> list[tuple[list[list["Block"]], bool]]:
        """Every row with whether it is a header row: header rows first."""
        head = ([self.header] if self.header else []) + self.more_header
        return [(row, True) for row in head] + [(row, False) for row in self.rows]

    def columns(self) -> int:
        """How many grid columns the rows fill, spans counted."""
        return max(
            [
                len(self.aligns),
                *(
                    sum(self.spans.get((r, c), (1, 1))[1] for c in range(len(row)))
                    for r, (row, _) in enumerate(self.all_rows())
                ),
            ],
            default=0,
        )


@dataclass
class Figure:
    path: Path  # resolved, confined
    caption: list[Inline]
    alt: str
    label: str = ""  # "Figure 1", numbered by resolve in reading order (figures with a caption)
    location: Optional["Location"] = None  # where the brief shows it (for engines' refusals)
    id: str = ""  # its anchor (`{#fig:x}`), the target of cross-references


@dataclass
class CodeBlock:
    text: str
    id: str = ""  # its anchor (`{#lst:x}`), the target of cross-references
    caption: list[Inline] = field(default_factory=list)  # a listing's caption
    label: str = ""  # "Listing 1", numbered by resolve in reading order (captioned ones)


@dataclass
class Rule:
    pass


Block = Union[Para, Heading, ListBlock, Quote, Callout, Table, Figure, CodeBlock, Rule]


@dataclass
class Note:
    number: int
    children: list[Block]
    id: str = ""  # "note-12": the anchor used by HTML

    def __post_init__(self):
        self.id = self.id or f"note-{self.number}"


# ---- the document ----------------------------------------------------------------------------


@dataclass
class Person:
    name: str
    title: Optional[str] = None
    affiliation: Optional[str] = None
    email: Optional[str] = None
    bio: list[Block] = field(default_factory=list)
    credit: Phrase = field(default_factory=list)  # "Name, title, affiliation" above the bio
    key: tuple = ()  # ("authors", 0)
    name_key: tuple = ()  # where the name is written: ("authors", 0) or ("authors", 0, "name")


@dataclass
class Item:
    """A numbered finding or recommendation."""

    number: int
    id: str
    title: Optional[str]
    body: list[Block]
    audience: Optional[str] = None
    findings: list["Item"] = field(default_factory=list)  # recommendations: the findings answered
    label: str = ""  # "Finding 2"
    heading: Phrase = field(default_factory=list)  # "Finding 2: title"
    meta: list[Phrase] = field(default_factory=list)  # "For: …", "Responds to: Finding 1"
    key: tuple = ()  # where the item stands in the brief: ("findings", 1)


@dataclass
class ItemGroup:
    intro: list[Block]
    items: list[Item]
    key: tuple = ()

    def __bool__(self) -> bool:
        return bool(self.items or self.intro)


@dataclass
class Section:
    title: Optional[str]
    id: str
    level: int  # 1..3
    body: list[Block]
    sections: list["Section"] = field(default_factory=list)
    key: tuple = ()  # ("sections", 0, "sections", 1)

    def walk(self):
        yield self
        for child in self.sections:
            yield from child.walk()


@dataclass
class RelatedEntry:
    title: str
    url: Optional[str]
    date: Optional[dt.date]
    authors: list[str]
    summary: list[Block]
    kind: Optional[str] = None  # "Commentary", "Podcast" ...
    outlet: Optional[str] = None  # "Foreign Affairs"
    meta: Phrase = field(default_factory=list)  # "Commentary · Foreign Affairs · 12 August 2020"
    byline: str = ""  # "By A and B"


@dataclass
class Document:
    slug: str
    layout: str
    title: str
    date: dt.date
    subtitle: Optional[str] = None
    short_title: Optional[str] = None  # the running head (the title when not given)
    box_size: Optional[float] = None  # pt: the front box's text, as planned (layout/front_box)
    kicker: Optional[str] = None
    updated: Optional[dt.date] = None
    status: str = "final"
    version: Optional[str] = None
    authors: list[Person] = field(default_factory=list)
    publisher: dict = field(default_factory=dict)  # name, program, url, address, logo (Path)
    series: dict = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    copyright: Optional[str] = None
    license: Optional[str] = None
    labels: dict[str, str] = field(default_factory=dict)

    standfirst: list[Block] = field(default_factory=list)
    problem: list[Block] = field(default_factory=list)
    solution: list[Block] = field(default_factory=list)
    executive_summary: list[Block] = field(default_factory=list)
    key_takeaways: list[list[Block]] = field(default_factory=list)
    findings: ItemGroup = field(default_factory=lambda: ItemGroup([], []))
    recommendations: ItemGroup = field(default_factory=lambda: ItemGroup([], []))
    sections: list[Section] = field(default_factory=list)
    acknowledgements: list[Block] = field(default_factory=list)
    about: list[Block] = field(default_factory=list)
    disclaimer: list[Block] = field(default_factory=list)
    acronyms: list[tuple[str, str]] = field(default_factory=list)
    full_report: Optional[dict] = None  # {label, url}
    related: list[RelatedEntry] = field(default_factory=list)

    notes: list[Note] = field(default_factory=list)
    notes_placement: str = "endnotes"  # or "footnotes"
    csl_items: dict = field(default_factory=dict)  # cited key -> CSL-JSON (Word's citation fields)
    # The citation style as Zotero names it: {"id", "notes" (a note style), "bibliography"}.
    citation_style: dict = field(default_factory=dict)
    source_text: str = ""  # the brief's YAML as read (a DOCX carries it: import --into)
    bibliography: list[Block] = field(default_factory=list)

    paper: str = "A4"
    toc: bool = True
    words: int = 0  # words of running text (notes excluded): how long the brief reads
    formats: list[str] = field(default_factory=lambda: list(NAMES))
    output_name: str = ""
    theme: dict = field(default_factory=dict)
    lang: str = "en"
    lang_given: bool = True  # False: the brief (and its series) sets no `lang`, `en` applies
    # Keys of the brief the layout does not show, as written (plain YAML values): kept in the
    # outputs' metadata (HTML: a JSON block; DOCX: custom document properties).
    unshown: dict = field(default_factory=dict)
    # The content of parts a layout adds (its parts.yaml), by part name: blocks (prose), a list
    # of blocks per item (list) or an `ItemGroup` (items).
    extra: dict = field(default_factory=dict)

    # What resolve composes for the reader (presentation.py), in the brief's language: the
    # writers lay these out and add no words of their own.
    publisher_line: Phrase = field(default_factory=list)
    byline: Phrase = field(default_factory=list)  # names, with titles
    by_byline: Phrase = field(default_factory=list)  # "By " + byline
    dateline: Phrase = field(default_factory=list)  # "29 October 2019 · Updated …"
    dateline_outlet: Phrase = field(default_factory=list)  # dateline · outlet
    series_line: Phrase = field(default_factory=list)
    contents: list[ContentsEntry] = field(default_factory=list)
    full_report_text: str = ""
    categories_line: Phrase = field(default_factory=list)  # "Related categories: A; B"
    colophon: list[Piece] = field(default_factory=list)  # one line each
    logo_alt: str = ""

    def unshown_json(self, key: Optional[str] = None) -> str:
        """The unshown keys (or one of them) as JSON (with <, > and & escaped, so that it can
        stand in any HTML or XML text)."""
        value = self.unshown if key is None else self.unshown[key]
        text = json.dumps(_as_written(value), ensure_ascii=False, default=str, sort_keys=True)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    @property
    def is_draft(self) -> bool:
        return self.status != "final"

    @property
    def author_names(self) -> list[str]:
        return [a.name for a in self.authors]

    def all_sections(self):
        for section in self.sections:
            yield from section.walk()

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    def part_content(self, part) -> Any:
        """What a part (a row of the table of parts) shows of this document: blocks, items,
        entries; a box's fields that have content, by name."""
        if part.declared:
            return self.extra.get(part.name)
        if part.shape == "box":
            return {name: getattr(self, name) for name in part.fields if getattr(self, name)}
        return getattr(self, _CONTENT_OF_SHAPE.get(part.shape, part.name), None)

    def block_lists(self):
        """Every list of blocks in the document (parts, items, sections, bios, notes)."""
        yield from (
            self.standfirst,
            self.problem,
            self.solution,
            self.executive_summary,
            self.acknowledgements,
            self.about,
            self.disclaimer,
            self.bibliography,
        )
        yield from self.key_takeaways
        for group in (self.findings, self.recommendations):
            yield group.intro
            yield from (item.body for item in group.items)
        yield from (section.body for section in self.all_sections())
        yield from (entry.summary for entry in self.related)
        yield from (person.bio for person in self.authors)
        yield from (note.children for note in self.notes)
        for content in self.extra.values():
            yield from content_blocks(content)

    def image_paths(self) -> list[Path]:
        """Every image file the document shows: figures and the publisher's logo."""
        paths = [self.publisher["logo"]] if isinstance(self.publisher.get("logo"), Path) else []

        def walk(blocks):
            for block in blocks:
                if isinstance(block, Figure):
                    paths.append(block.path)
                elif isinstance(block, (Quote, Callout)):
                    walk(block.children)
                elif isinstance(block, ListBlock):
                    for item in block.items:
                        walk(item)

        for blocks in self.block_lists():
            walk(blocks)
        return paths


# Where a part of these shapes keeps its content in a `Document` (others: the part's name).
_CONTENT_OF_SHAPE = {"people": "authors", "call_to_action": "full_report"}


def content_blocks(content) -> list[list[Block]]:
    """The lists of blocks in a part's content: blocks, a list of them, or an `ItemGroup`."""
    if isinstance(content, ItemGroup):
        return [content.intro, *(item.body for item in content.items)]
    if content and isinstance(content[0], list):
        return list(content)
    return [content] if content else []


# ---- walking ---------------------------------------------------------------------------------


def walk_inlines(blocks, *, into_notes: bool = False):
    """Every inline under `blocks`, in reading order (depth first)."""
    for block in blocks:
        if isinstance(block, (Para, Heading)):
            yield from _walk_inline_list(block.children, into_notes)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from walk_inlines(item, into_notes=into_notes)
        elif isinstance(block, (Quote, Callout)):
            yield from walk_inlines(block.children, into_notes=into_notes)
        elif isinstance(block, Table):
            yield from _walk_inline_list(block.caption, into_notes)
            for row, _header in block.all_rows():
                for cell in row:
                    yield from walk_inlines(cell, into_notes=into_notes)
        elif isinstance(block, Figure):
            yield from _walk_inline_list(block.caption, into_notes)


def _walk_inline_list(inlines, into_notes):
    for inline in inlines:
        yield inline
        if isinstance(inline, (Styled, Link, Citation)):
            yield from _walk_inline_list(inline.children, into_notes)
        elif isinstance(inline, NoteRef) and into_notes:
            yield from walk_inlines(inline.note.children, into_notes=True)


_JSON_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")


def _as_written(value):
    """Values as the brief spells them: a number the loader read from YAML 1.1 spelling that
    JSON does not share (`010`, `1:30`, `0x1F`, `1_000`, `.nan`) is its text, never another
    number (json writes an int subclass by its value: 8 for `010`)."""
    spelling = getattr(value, "spelling", None)
    if isinstance(spelling, str):
        return (
            float(value)
            if _JSON_NUMBER.fullmatch(spelling) and isinstance(value, float)
            else int(value)
            if _JSON_NUMBER.fullmatch(spelling)
            else spelling
        )
    if isinstance(value, dict):
        return {key: _as_written(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_written(item) for item in value]
    return value
