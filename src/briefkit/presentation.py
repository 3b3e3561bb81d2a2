"""The presentation model: the table of parts, and every line a reader sees composed once.

`PARTS` says what each part of a brief is: the brief keys it shows, the label of its heading,
the anchor its heading carries (HTML id, Word bookmark, contents target), the label of its
numbered items, and whether the contents lists it. Layouts (which parts, in which order), the
schema side of resolve (which keys a layout leaves unshown) and both writers read it.

`compose` takes a resolved `model.Document` and its `Locale` and writes, in the brief's language,
every reader-visible string the writers would otherwise each make up: bylines with titles,
datelines, "Finding 2", "Table 1", related items' meta lines, bios' credits, the contents, the
colophon. The DOCX writer and the HTML templates only lay these out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from . import model as m

if TYPE_CHECKING:
    from .locales import Locale


@dataclass(frozen=True)
class Part:
    name: str
    keys: tuple[str, ...]  # top-level brief keys the part shows
    label: Optional[str] = None  # label key of its heading
    anchor: Optional[str] = None  # id of the part (HTML id, Word bookmark)
    item_label: Optional[str] = None  # label key of its numbered items ("Finding 2")
    in_contents: bool = False


PARTS: tuple[Part, ...] = (
    Part(
        "title_page",
        ("title", "subtitle", "kicker", "authors", "publisher", "series"),
        anchor="top",
    ),
    Part("standfirst", ("standfirst",), "standfirst", "standfirst"),
    Part("categories", ("categories",), "categories", "categories"),
    Part("front_box", ("summary",), None, "front-box", in_contents=True),  # problem, solution
    Part("contents", (), "contents", "contents"),
    Part(
        "executive_summary",
        ("executive_summary",),
        "executive_summary",
        "executive-summary",
        in_contents=True,
    ),
    Part("key_takeaways", ("key_takeaways",), "key_takeaways", "key-takeaways", in_contents=True),
    Part("findings", ("findings",), "findings", "findings", "finding", in_contents=True),
    Part("sections", ("sections",), in_contents=True),
    Part(
        "recommendations",
        ("recommendations",),
        "recommendations",
        "recommendations",
        "recommendation",
        in_contents=True,
    ),
    Part("full_report", ("links",), "full_report"),
    Part("related", ("related",), "related", "related"),
    Part("notes", (), "notes", "notes", in_contents=True),
    Part("bibliography", ("bibliography_title",), "bibliography", "bibliography", in_contents=True),
    Part("acronyms", ("acronyms",), "acronyms", "acronyms", in_contents=True),
    Part("authors", (), "authors", "authors"),
    Part("acknowledgements", ("acknowledgements",), "acknowledgements", "acknowledgements"),
    Part("about", ("about",), "about", "about"),
    Part("disclaimer", ("disclaimer",), "disclaimer", "disclaimer"),
    Part("colophon", ("copyright", "license", "version")),
)
PART = {part.name: part for part in PARTS}
KNOWN_PARTS = frozenset(PART)


def compose(doc: m.Document, locale: Locale, parts: list[str]) -> None:
    """Fill the document's composed lines (see `model.Document`) for a layout placing `parts`."""
    label, sep = doc.label, locale.meta_separator

    def date_piece(value) -> m.Piece:
        return m.Piece(locale.date(value), "date", datetime=value.isoformat())

    publisher = doc.publisher
    if publisher.get("name"):
        doc.publisher_line = [m.Piece(publisher["name"], "publisher-name")]
        if publisher.get("program"):
            doc.publisher_line += [m.Piece(sep, "sep"), m.Piece(publisher["program"], "program")]
    doc.logo_alt = publisher.get("name") or label("logo")

    doc.byline = _names(doc.authors, locale)
    doc.by_byline = [m.Piece(label("by") + " ", "by"), *doc.byline] if doc.byline else []
    doc.dateline = [date_piece(doc.date)]
    if doc.updated:
        doc.dateline += [
            m.Piece(sep),
            m.Piece(f"{label('updated')} ", "updated"),
            date_piece(doc.updated),
        ]
    doc.dateline_outlet = list(doc.dateline)
    if publisher.get("name"):
        doc.dateline_outlet += [m.Piece(sep, "sep"), m.Piece(publisher["name"], "outlet")]

    series = doc.series
    if series.get("name") or series.get("number"):
        text = " ".join(
            filter(
                None,
                [
                    series.get("name"),
                    series.get("number") and f"{label('series_number')} {series['number']}",
                ],
            )
        )
        doc.series_line = [m.Piece(text, "series-name")]
        if series.get("issn"):
            doc.series_line += [m.Piece(sep), m.Piece(f"ISSN {series['issn']}", "issn")]

    for group, prefix in ((doc.findings, "finding"), (doc.recommendations, "recommendation")):
        for item in group.items:
            _compose_item(item, prefix, doc, locale)
    for person in doc.authors:
        person.credit = [m.Piece(person.name, "name")] + [
            m.Piece(f", {detail}", "detail")
            for detail in (person.title, person.affiliation)
            if detail
        ]
    for entry in doc.related:
        entry.meta = []
        for piece in [
            m.Piece(entry.kind, "kind") if entry.kind else None,
            m.Piece(entry.outlet, "outlet") if entry.outlet else None,
            date_piece(entry.date) if entry.date else None,
        ]:
            if piece is not None:
                entry.meta += ([m.Piece(sep)] if entry.meta else []) + [piece]
        entry.byline = f"{label('by')} {locale.and_list(entry.authors)}" if entry.authors else ""
    if doc.categories:
        doc.categories_line = [
            m.Piece(label("categories") + locale.label_separator.rstrip(), "categories-label"),
            m.Piece(" " + "; ".join(doc.categories), "categories-list"),
        ]
    if doc.full_report:
        doc.full_report_text = doc.full_report.get("label") or label("full_report")
    doc.contents = contents(doc, parts) if doc.toc and "contents" in parts else []
    doc.colophon = [
        m.Piece(text, role)
        for text, role in [
            (doc.copyright, "copyright"),
            (doc.license, "license"),
            (doc.version and f"{label('version')} {doc.version}", "version"),
            (m.phrase_text(doc.publisher_line), "publisher-name"),
            (publisher.get("address"), "address"),
            (publisher.get("url"), "url"),
        ]
        if text
    ]


def _names(authors: list[m.Person], locale: Locale) -> m.Phrase:
    """ "Samuel Bendett, Adjunct Senior Fellow and Elsa B. Kania" as pieces."""
    out: m.Phrase = []
    for i, person in enumerate(authors):
        if i:
            last = i == len(authors) - 1
            out.append(m.Piece(f" {locale.and_word} " if last else locale.list_separator))
        out.append(m.Piece(person.name, "author"))
        if person.title:
            out.append(m.Piece(f", {person.title}", "author-title"))
    return out


def _compose_item(item: m.Item, prefix: str, doc: m.Document, locale: Locale) -> None:
    item.label = f"{doc.label(prefix)} {item.number}"
    item.heading = [m.Piece(item.label, "item-number")]
    if item.title:
        item.heading += [
            m.Piece(locale.label_separator, "item-separator"),
            m.Piece(item.title, "item-title"),
        ]
    item.meta = []
    if item.audience:
        item.meta.append(
            [m.Piece(doc.label("audience"), "meta-label"), m.Piece(f" {item.audience}", "audience")]
        )
    if item.findings:
        answered: m.Phrase = [m.Piece(doc.label("responds_to"), "meta-label"), m.Piece(" ")]
        for i, finding in enumerate(item.findings):
            if i:
                answered.append(m.Piece(locale.list_separator))
            answered.append(
                m.Piece(
                    f"{doc.label('finding')} {finding.number}", "finding", href=f"#{finding.id}"
                )
            )
        item.meta.append(answered)


def contents(doc: m.Document, parts: list[str]) -> list[m.ContentsEntry]:
    """The contents in reading order: the layout's parts that have content and a heading."""
    entries: list[m.ContentsEntry] = []
    for name in parts:
        part = PART[name]
        if not part.in_contents:
            continue
        if name == "front_box":
            entries += [
                m.ContentsEntry(doc.label(key), key)
                for key, blocks in (("problem", doc.problem), ("solution", doc.solution))
                if blocks
            ]
        elif name == "sections":
            for section in doc.sections:
                if section.title:
                    entries.append(
                        m.ContentsEntry(
                            section.title,
                            section.id,
                            1,
                            [
                                m.ContentsEntry(child.title, child.id, 2)
                                for child in section.sections
                                if child.title
                            ],
                        )
                    )
        elif has_content(doc, name):
            entries.append(m.ContentsEntry(doc.label(part.label), part.anchor))
    return entries


def has_content(doc: m.Document, name: str) -> bool:
    """Whether part `name` shows anything for this document (its heading is printed)."""
    if name == "notes":
        return bool(doc.notes) and doc.notes_placement == "endnotes"
    if name == "authors":
        return any(person.bio for person in doc.authors)
    if name == "front_box":
        return bool(doc.problem or doc.solution)
    return bool(getattr(doc, name, None))


def number_tables_and_figures(doc: m.Document, block_lists) -> None:
    """ "Table 1", "Figure 1" in reading order over `block_lists` (the placed fields in order)."""
    counts = {"table": 0, "figure": 0}

    def walk(blocks):
        for block in blocks:
            if isinstance(block, m.Table):
                counts["table"] += 1
                block.label = f"{doc.label('table')} {counts['table']}"
            elif isinstance(block, m.Figure) and block.caption:
                counts["figure"] += 1
                block.label = f"{doc.label('figure')} {counts['figure']}"
            elif isinstance(block, (m.Quote, m.Callout)):
                walk(block.children)
            elif isinstance(block, m.ListBlock):
                for item in block.items:
                    walk(item)

    for blocks in block_lists:
        walk(blocks)
