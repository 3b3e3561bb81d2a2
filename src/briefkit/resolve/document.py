"""Resolve: typed brief + prose + layout in, a numbered `model.Document` out.

Here the brief becomes a document a reader would recognise: parts in the layout's order, notes
numbered in reading order, findings and recommendations numbered, `[#id]` cross-references
turned into links that read "Finding 2" or a section's title, labels merged, paths confined.
The same order drives `prose_fields`, so citeproc and the note numbers agree.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from briefkit import model as m
from briefkit.core.diagnostics import Diagnostics, KeyPath, did_you_mean
from briefkit.core.paths import safe_link
from briefkit.layout.folders import Layout
from briefkit.layout.locales import layout_labels, load_locale
from briefkit.layout.parts import Part
from briefkit.load.source import Loaded, group_path
from briefkit.load.source import value_at as _get
from briefkit.prose.pandoc_ast import plain_text
from briefkit.prose.read import BIBLIOGRAPHY_KEY, Prose, ProseField
from briefkit.resolve.compose import compose, contents, number_tables_and_figures
from briefkit.resolve.display import display

if TYPE_CHECKING:
    from briefkit.validate import schema

# Shapes whose parts hold Markdown fields of the brief.
PROSE_SHAPES = ("lead", "box", "prose", "list", "items", "sections", "related", "people")


def part_keys(part: Part, data: dict) -> list[KeyPath]:
    """The key paths of the prose fields of `part`, in reading order."""
    key = part.content_key
    if key is None or part.shape not in PROSE_SHAPES:
        return []
    if part.shape in ("lead", "prose"):
        return [(key,)]
    if part.shape == "box":
        return [(key, field) for field in part.fields]
    if part.shape == "list":
        return [(key, i) for i in range(_length(data.get(key)))]
    if part.shape == "items":
        keys: list[KeyPath] = [(key, "intro")] if isinstance(data.get(key), dict) else []
        items_at = group_path(data, key)
        return keys + [items_at + (i, "text") for i in range(_length(_get(data, items_at)))]
    if part.shape == "sections":
        sections = data.get(key)
        return list(_section_keys(sections if isinstance(sections, list) else [], (key,)))
    if part.shape == "related":
        return [(key, i, "summary") for i in range(_length(data.get(key)))]
    people = data.get(key)  # people: the bios of those given as mappings
    return [
        (key, i, "bio")
        for i, person in enumerate(people if isinstance(people, list) else [])
        if isinstance(person, dict)
    ]


def _length(value) -> int:
    """Items of a raw list (read before validation: any other shape counts as none)."""
    return len(value) if isinstance(value, list) else 0


def _section_keys(sections, path: KeyPath):
    for i, section in enumerate(sections):
        if isinstance(section, dict):
            yield path + (i, "body")
            children = section.get("sections")
            yield from _section_keys(
                children if isinstance(children, list) else [], path + (i, "sections")
            )


def prose_fields(data: dict, layout: Layout) -> tuple[list[ProseField], list[ProseField]]:
    """(fields the layout places, in reading order; fields it does not place)."""
    placed_parts = [p for p in layout.placed() if p.shape in PROSE_SHAPES]
    unplaced_parts = [p for p in layout.table if p.shape in PROSE_SHAPES and p not in placed_parts]

    def fields(parts: Iterable[Part]) -> list[ProseField]:
        out = []
        for part in parts:
            for key in part_keys(part, data):
                value = _get(data, key)
                if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                    out.append(ProseField(key, str(value)))
        return out

    return fields(placed_parts), fields(unplaced_parts)


def unused_keys(data: dict, layout: Layout) -> list[KeyPath]:
    """Top-level keys with content that the layout does not show."""
    placed = layout.placed()
    hidden = {key for part in layout.table if part not in placed for key in part.keys}
    hidden -= {key for part in placed for key in part.keys}
    return [(key,) for key in sorted(hidden) if data.get(key)]


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug if slug and slug[0].isalpha() else f"s-{slug or 'section'}"


def make_document(
    brief: schema.Brief,
    loaded: Loaded,
    layout: Layout,
    prose: Prose,
    placed: list[ProseField],
    slug: str,
    diagnostics: Diagnostics,
    logo: Optional[Path] = None,
    project: Optional[Path] = None,
) -> m.Document:
    data = loaded.data
    doc = m.Document(
        slug=slug,
        layout=layout.name,
        # Display text with Pandoc's smart punctuation, as the prose has it (display.py).
        title=display(prose, ("title",), brief.title),
        date=brief.date,
        subtitle=display(prose, ("subtitle",), brief.subtitle),
        short_title=display(prose, ("short_title",), brief.short_title),
        kicker=display(prose, ("kicker",), brief.kicker),
        updated=brief.updated,
        status=brief.status,
        version=brief.version,
        lang=brief.lang,
        lang_given="lang" in data,
    )
    locale = load_locale(brief.lang, project)
    doc.labels = {
        **locale.labels,
        **layout_labels(layout.settings.get("labels") or {}, locale),
        **{name: display(prose, ("labels", name), text) for name, text in brief.labels.items()},
    }
    if brief.bibliography_title:
        doc.labels["bibliography"] = display(
            prose, ("bibliography_title",), brief.bibliography_title
        )
    for i, author in enumerate(brief.authors):
        if isinstance(author, str):
            doc.authors.append(m.Person(author, key=("authors", i), name_key=("authors", i)))
        else:
            doc.authors.append(
                m.Person(
                    author.name,
                    author.title,
                    author.affiliation,
                    author.email,
                    prose.get(("authors", i, "bio")),
                    key=("authors", i),
                    name_key=("authors", i, "name"),
                )
            )
    doc.publisher = {**brief.publisher.model_dump(), "logo": logo}
    doc.series = brief.series.model_dump()
    doc.categories, doc.keywords = list(brief.categories), list(brief.keywords)
    doc.copyright, doc.license = brief.copyright, brief.license

    doc.standfirst = prose.get(("standfirst",))
    doc.problem = prose.get(("summary", "problem"))
    doc.solution = prose.get(("summary", "solution"))
    doc.executive_summary = prose.get(("executive_summary",))
    doc.key_takeaways = [prose.get(("key_takeaways", i)) for i in range(len(brief.key_takeaways))]
    doc.findings = _items(brief.finding_list(), data, "findings", prose, "finding")
    doc.recommendations = _items(
        brief.recommendation_list(), data, "recommendations", prose, "recommendation"
    )
    by_id = {item.id: item for item in doc.findings.items}
    _, recommendations = brief.recommendation_list()
    for item, rec in zip(doc.recommendations.items, recommendations):
        item.audience = rec.audience
        item.findings = [by_id[name] for name in rec.findings if name in by_id]
    doc.sections = _sections(brief.sections, ("sections",), 1, prose, set())
    doc.acknowledgements = prose.get(("acknowledgements",))
    doc.about = prose.get(("about",))
    doc.disclaimer = prose.get(("disclaimer",))
    doc.acronyms = sorted(brief.acronyms.items(), key=lambda kv: kv[0].casefold())
    if brief.links.full_report:
        doc.full_report = brief.links.full_report.model_dump()
        doc.full_report["url"] = safe_link(doc.full_report.get("url"))
    doc.related = [
        m.RelatedEntry(
            r.title,
            safe_link(r.url),
            r.date,
            list(r.authors),
            prose.get(("related", i, "summary")),
            r.kind,
            r.outlet,
        )
        for i, r in enumerate(brief.related)
    ]
    doc.bibliography = prose.get(BIBLIOGRAPHY_KEY)
    doc.csl_items = prose.csl_items
    for part in layout.table.declared():
        doc.extra[part.name] = _declared_content(part, data, prose)

    doc.notes_placement = brief.notes or layout.notes
    doc.paper = brief.output.paper
    doc.formats = list(dict.fromkeys(brief.output.formats))
    doc.output_name = brief.output.name or slug
    doc.theme = brief.theme.model_dump()

    _number_notes(doc, placed, prose)
    number_tables_and_figures(doc, [prose.get(f.key) for f in placed])
    _resolve_cross_references(doc, layout, prose, loaded, diagnostics)
    doc.words = count_words(
        [
            doc.problem,
            doc.solution,
            doc.executive_summary,
            doc.key_takeaways,
            doc.findings,
            doc.recommendations,
            doc.sections,
            list(doc.extra.values()),
        ]
    )
    # A contents page the brief did not ask for is made only when it earns a page.
    doc.toc = (
        layout.toc
        and contents_entries(doc, layout.placed()) >= int(layout.settings.get("toc_min_entries", 0))
        if brief.output.toc is None
        else brief.output.toc
    )
    compose(doc, locale, layout.placed(), layout.table)
    return doc


def _declared_content(part: Part, data: dict, prose: Prose):
    """The content of a part a layout adds, read by its shape from its one brief key."""
    key = part.content_key
    assert key is not None  # a part a layout adds has one key (layout/parts.py)
    if part.shape == "list":
        return [prose.get((key, i)) for i in range(_length(data.get(key)))]
    if part.shape == "items":
        value = data.get(key)
        items = _get(data, group_path(data, key)) if value is not None else []
        group = (
            value.get("intro") if isinstance(value, dict) else None,
            [_Plain(item) for item in (items if isinstance(items, list) else [])],
        )
        return _items(group, data, key, prose, part.item_label or part.name)
    return prose.get((key,))


class _Plain:
    """A declared part's item (validated as a finding is) as `_items` reads typed items."""

    def __init__(self, value: dict):
        self.id, self.title = value.get("id"), value.get("title")


def count_words(value) -> int:
    """Words of the text in a model value (blocks, items, sections), notes not followed."""
    if isinstance(value, m.Text):
        return len(value.text.split())
    if isinstance(value, m.NoteRef):
        return 0
    if isinstance(value, (list, tuple)):
        return sum(count_words(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return sum(count_words(getattr(value, name)) for name in value.__dataclass_fields__)
    return 0


def contents_entries(doc: m.Document, parts: list[Part]) -> int:
    """How many lines a contents page of `doc` would list (the contents resolve composes)."""
    return sum(1 + len(entry.children) for entry in contents(doc, parts))


def _items(group, data, key, prose: Prose, prefix: str) -> m.ItemGroup:
    intro, items = group
    items_at = group_path(data, key)
    return m.ItemGroup(
        prose.get((key, "intro")) if intro else [],
        [
            m.Item(
                i + 1,
                item.id or f"{prefix}-{i + 1}",
                display(prose, items_at + (i, "title"), item.title),
                prose.get(items_at + (i, "text")),
                key=items_at + (i,),
            )
            for i, item in enumerate(items)
        ],
        key=(key,),
    )


def _sections(sections, path: KeyPath, level: int, prose: Prose, used: set) -> list[m.Section]:
    out = []
    for i, section in enumerate(sections):
        ident = section.id or slugify(section.title or f"section-{i + 1}")
        base, n = ident, 2
        while ident in used:
            ident, n = f"{base}-{n}", n + 1
        used.add(ident)
        here = path + (i,)
        out.append(
            m.Section(
                display(prose, here + ("title",), section.title),
                ident,
                level,
                prose.get(here + ("body",)),
                _sections(section.sections, here + ("sections",), level + 1, prose, used),
                key=here,
            )
        )
    return out


def _number_notes(doc: m.Document, placed: list[ProseField], prose: Prose) -> None:
    """One numbering for citations and plain notes, in the order the layout places fields."""
    for f in placed:
        for inline in m.walk_inlines(prose.get(f.key)):
            if isinstance(inline, m.NoteRef):
                inline.note.number = len(doc.notes) + 1
                inline.note.id = f"note-{inline.note.number}"
                doc.notes.append(inline.note)


def _resolve_cross_references(
    doc: m.Document, layout: Layout, prose: Prose, loaded: Loaded, diagnostics: Diagnostics
) -> None:
    """Each cross-reference's text: `[#id]` of a finding, recommendation or section, and
    pandoc-crossref's `@fig:x`, `@tbl:x`, `@eq:x`, `@lst:x`, `@sec:x` of a labelled figure,
    table, equation, listing or heading ("Figure 2"; `[-@fig:x]`: "2")."""
    targets: dict[str, tuple[str, str]] = {}  # id -> (its text, its number alone)
    for part in layout.table.of_shape("items"):
        for item in doc.part_content(part).items:
            label = doc.label(part.item_label or part.name)
            targets[item.id] = (f"{label} {item.number}", str(item.number))
    for section in doc.all_sections():
        title = section.title or section.id
        targets[section.id] = (title, title)
    for blocks in prose.blocks.values():
        targets.update(_labelled(blocks))
    label = doc.label("equation")
    targets.update({name: (f"{label} {n}", n) for name, n in prose.equations.items()})
    for key, blocks in prose.blocks.items():
        for inline in m.walk_inlines(blocks, into_notes=True):
            if isinstance(inline, m.Link) and inline.internal:
                name = inline.url[1:]
                written = inline.written or f"[#{name}]"
                if name in targets:
                    inline.children = [m.Text(targets[name][1 if inline.bare else 0])]
                else:
                    diagnostics.error(
                        loaded.source.locate_text(key, written),
                        f"the cross-reference {written} names no finding, recommendation, "
                        "section, or labelled figure, table, equation or listing",
                        key=key,
                        hint=did_you_mean(name, targets)
                        or "give the target an id: 'id:', or {#fig:name} after a figure",
                    )
                    inline.children = [m.Text(written)]


def _labelled(blocks) -> dict[str, tuple[str, str]]:
    """The figures, tables, listings and headings of `blocks` that have an id."""
    found: dict[str, tuple[str, str]] = {}
    stack = list(blocks)
    while stack:
        block = stack.pop()
        if isinstance(block, (m.Figure, m.Table, m.CodeBlock)) and block.id:
            label = block.label or block.id
            found[block.id] = (label, label.rsplit(" ", 1)[-1])
        elif isinstance(block, m.Heading) and block.id:
            text = plain_text(block.children)
            found[block.id] = (text, text)
        elif isinstance(block, (m.Quote, m.Callout)):
            stack.extend(block.children)
        elif isinstance(block, m.ListBlock):
            for item in block.items:
                stack.extend(item)
    return found
