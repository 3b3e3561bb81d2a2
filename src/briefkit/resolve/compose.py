"""Compose: a resolved `model.Document`, its `Locale` and the layout's placed parts in, every
line a reader sees out (written into the document).

`compose` takes a resolved `model.Document` and its `Locale` and writes, in the brief's language,
every reader-visible string the writers would otherwise each make up: bylines with titles,
datelines, "Finding 2", "Table 1", related items' meta lines, bios' credits, the contents, the
colophon. The DOCX writer and the HTML templates only lay these out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefkit import model as m
from briefkit.layout.parts import Part, PartTable

if TYPE_CHECKING:
    from briefkit.layout.locales import Locale


def compose(doc: m.Document, locale: Locale, parts: list[Part], table: PartTable) -> None:
    """Fill the document's composed lines (see `model.Document`) for a layout placing `parts`
    (rows of `table`: numbered items are labelled whether placed or not, as cross-references
    name them)."""
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

    for part in table.of_shape("items"):
        for item in doc.part_content(part).items:
            _compose_item(item, part.item_label or part.name, doc, locale)
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
    doc.contents = (
        contents(doc, parts) if doc.toc and any(p.shape == "contents" for p in parts) else []
    )
    doc.colophon = [
        m.Piece(text, role)
        for text, role in [
            (doc.copyright, "copyright"),
            (doc.license, "license"),
            (doc.version and f"{label('version')} {doc.version}", "version"),
            (m.phrase_text(doc.series_line), "series"),
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
        out.append(m.Piece(person.name, "author", key=person.name_key))
        if person.title:
            out.append(m.Piece(f", {person.title}", "author-title"))
    return out


def _compose_item(item: m.Item, prefix: str, doc: m.Document, locale: Locale) -> None:
    item.label = f"{doc.label(prefix)} {item.number}"
    item.heading = [m.Piece(item.label, "item-number")]
    if item.title:
        item.heading += [
            m.Piece(locale.label_separator, "item-separator"),
            m.Piece(item.title, "item-title", key=item.key + ("title",)),
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


def contents(doc: m.Document, parts: list[Part]) -> list[m.ContentsEntry]:
    """The contents in reading order: the placed parts that have content and a heading."""
    entries: list[m.ContentsEntry] = []
    for part in parts:
        if not part.in_contents:
            continue
        if part.shape == "box":
            entries += [
                m.ContentsEntry(doc.label(field), field)
                for field in part.fields
                if getattr(doc, field, None)
            ]
        elif part.shape == "sections":
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
        elif has_content(doc, part):
            entries.append(
                m.ContentsEntry(doc.label(part.label or part.name), part.anchor or part.name)
            )
    return entries


def has_content(doc: m.Document, part: Part) -> bool:
    """Whether `part` shows anything for this document (its heading is printed)."""
    if part.shape == "notes":
        return bool(doc.notes) and doc.notes_placement == "endnotes"
    if part.shape == "people":
        return any(person.bio for person in doc.authors)
    if part.shape == "box":
        return any(getattr(doc, field, None) for field in part.fields)
    return bool(doc.part_content(part))


def number_tables_and_figures(doc: m.Document, block_lists) -> None:
    """ "Table 1", "Figure 1", "Listing 1" (a code block with a caption) in reading order over
    `block_lists` (the placed fields in order)."""
    counts = {"table": 0, "figure": 0, "listing": 0}

    def walk(blocks):
        for block in blocks:
            if isinstance(block, m.Table):
                counts["table"] += 1
                block.label = f"{doc.label('table')} {counts['table']}"
            elif isinstance(block, m.Figure) and block.caption:
                counts["figure"] += 1
                block.label = f"{doc.label('figure')} {counts['figure']}"
            elif isinstance(block, m.CodeBlock) and block.caption:
                counts["listing"] += 1
                block.label = f"{doc.label('listing')} {counts['listing']}"
            elif isinstance(block, (m.Quote, m.Callout)):
                walk(block.children)
            elif isinstance(block, m.ListBlock):
                for item in block.items:
                    walk(item)

    for blocks in block_lists:
        walk(blocks)
