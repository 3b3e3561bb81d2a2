"""Render DOCX: a `Prepared` document in, the bytes of a Word file out.

The document starts from the house Word template (`word_template.py`: its styles, page setup,
headers, footers and cover are kept, placeholders filled) or from python-docx's default, which
gets the page furniture a reader expects (running title, "Page x of y"). briefkit's own styles
come from the layout's design tokens and `word/styles.yaml` (briefkit.layout.design) and are added
only where the template lacks them; the content is written by `DocxWriter` in style names only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Optional

from docx import Document

from briefkit import __version__
from briefkit import model as m
from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Location
from briefkit.layout.design import design_of
from briefkit.layout.locales import load_locale
from briefkit.ooxml import package as word_package
from briefkit.ooxml import wordml
from briefkit.ooxml.brief_record import FIELD_PREFIX, Record, add_record
from briefkit.ooxml.story import read_document
from briefkit.render.pdf.pages import PrintPages
from briefkit.render.stamp import CUSTOM_XML, DOCX_PROPERTY, PLACEHOLDER, DocxSeal
from briefkit.render.word import builtins as word_builtins
from briefkit.render.word import citations as word_citations
from briefkit.render.word import fonts as word_fonts
from briefkit.render.word import furniture as word_furniture
from briefkit.render.word import notes as word_notes
from briefkit.render.word import pagination as word_pagination
from briefkit.render.word import reference as word_reference
from briefkit.render.word import styles as word_styles
from briefkit.render.word import template as word_template
from briefkit.render.word.writer import DocxWriter

EAST_ASIAN_FONT = "Noto Sans CJK SC"


@dataclass
class DocxDraft:
    """A DOCX written but for what depends on the print edition's pages (the PDF is laid out
    meanwhile, in another process): where chapters open a page, the contents' numbers."""

    document: Any  # the python-docx Document
    openers: dict  # bookmark -> w:p of a heading that opens a page where print does
    chapter_openers: set  # those of chapters, which print opens at the page's top edge
    page_references: list  # the contents' page number runs, (w:r, bookmark)
    follows_print: bool  # the design's pages (briefkit's reference document, not a house's)


def render_docx(prepared) -> list[tuple[str, bytes]]:
    """The DOCX's members, (name, bytes) in archive order: `render` zips them once, stamped.
    Paginated as the print edition when its pages are known (`prepared.print_pages`: a
    `check` makes the DOCX without them)."""
    draft = draft_docx(prepared)
    if draft.follows_print:
        word_pagination.paginate(draft, prepared.print_pages)
    early, last = _members(draft.document)
    return early + last  # zipped once, by the stamp


def pending_docx(prepared) -> Optional["PendingDocx"]:
    """The DOCX begun while the PDF is laid out, finished with its pages (the table of formats'
    `pending`); None when it does not follow the print's pages (`render_docx` makes it whole):
    a house template's own page setup, or a brief whose pages print's rules never break on
    purpose and that has no contents to number (an article, a summary: Word's own flow is
    the print's then, and a DOCX alone need not wait for a layout)."""
    if prepared.word_template is not None or not _paginated_by_print(prepared):
        return None
    return PendingDocx(draft_docx(prepared))


def _paginated_by_print(prepared) -> bool:
    """Whether the print's pages decide anything in Word: a contents' numbers, or breaks the
    layout makes on purpose (a cover, parts and chapters that begin pages)."""
    pagination = design_of(prepared).tokens.get("pagination") or {}
    return bool(
        prepared.document.contents
        or prepared.layout.settings.get("cover")
        or pagination.get("page_before")
        or pagination.get("chapters")
    )


class PendingDocx:
    """A DOCX written, and zipped but for its main part, while the print edition is laid out in
    the PDF process; `finish` paginates it as the print and seals it (render/stamp.py)."""

    def __init__(self, draft: DocxDraft):
        self.draft = draft
        early, self._last = _members(draft.document)
        self._seal = DocxSeal(early)

    def finish(self, pages: Optional[PrintPages]) -> bytes:
        """The stamped DOCX, paginated as `pages` (None: the PDF could not be laid out)."""
        word_pagination.paginate(self.draft, pages)
        main = self.draft.document.part
        return self._seal.close(
            [
                (name, main.blob if name == main.partname.membername else data)
                for name, data in self._last
            ]
        )


def _members(document) -> tuple[list, list]:
    """The package's members in archive order, split: all but the last, and the last (the main
    part, which the print's pages change, and custom.xml, which holds the fingerprint). Both
    ways of writing a DOCX (whole, or begun while the PDF is laid out) zip them in this order,
    so they give the same bytes."""
    members = word_package.package_members(document)
    late = (document.part.partname.membername, CUSTOM_XML)
    return (
        [m for m in members if m[0] not in late],
        sorted((m for m in members if m[0] in late), key=lambda m: late.index(m[0])),
    )


def draft_docx(prepared) -> DocxDraft:
    """Everything of the DOCX that does not depend on the print edition's pages."""
    doc = prepared.document
    template = prepared.word_template
    design = design_of(prepared)
    specs = design.word_styles(prepared.layout)
    if template is None:
        # briefkit's reference document: every style, the theme and the defaults from the
        # design's tokens (word_reference).
        document = Document()
        word_furniture.lay_out_pages(document, doc, design)  # first: tabs stand at its width
        word_reference.make_reference(document, design, specs["default_template"], specs["ensure"])
        _front_box_size(document, doc, design)
        anchor, has_cover = None, False
    else:
        document = word_template.open_template(template, prepared.roots)
        anchor, has_cover = word_template.fill(
            document, doc, template, load_locale(doc.lang, prepared.roots.project)
        )
        # Word's built-in styles the house template lacks, with Word's own definitions (as
        # Pandoc does), then briefkit's own where the house has none: a house template is
        # Word's world.
        word_builtins.supply_builtin_styles(document)
        for name, spec in specs["ensure"].items():
            word_styles.apply_style_spec(
                document, name, spec, mode="ensure", text_width=document._block_width
            )
        word_reference.tidy_settings(document)
    wordml.declare_east_asian_font(document, EAST_ASIAN_FONT, replace_theme=template is None)
    # A house template's proofing language stays when the brief names none (a French house's
    # fr-FR template is not made English by the default `lang: en`).
    kept = None if template is None or doc.lang_given else wordml.document_language(document)
    if kept is None:
        wordml.set_language(document, doc.lang)

    before = set(document.element.body)
    try:
        # A template with a cover of its own replaces briefkit's title page.
        writer = DocxWriter(
            document,
            doc,
            prepared.layout.settings,
            design,
            full_bleed=template is None,
            roots=prepared.roots,
        )
        writer.write(
            [p for p in prepared.layout.placed() if not (has_cover and p.shape == "title_page")]
        )
        if writer.full_bleed:  # the cover is a section of its own: the body's first page
            if writer.imprint_written:  # is the imprint, bare as print sets it
                word_furniture.bare_first_page(document.sections[-1])
            else:  # has its running head
                document.sections[-1].different_first_page_header_footer = False
        if template is None and writer.notes_heading is not None:
            word_notes.print_endnotes_under(document, writer.notes_heading)
    except KeyError as exc:
        if template is None:
            raise
        name = re.sub(r"^no style with name ", "", str(exc.args[0] if exc.args else exc)).strip(
            "'\""
        )
        raise BriefInvalid(
            Diagnostic(
                Location(template),
                f"the Word template lacks the style '{name}' that this brief "
                "needs, and it is neither one of Word's built-in styles nor one of the layout's",
                hint=f"define a style named '{name}' in the template (Home > Styles > New style) "
                "and save it",
            )
        ) from None
    word_template.place_body(document, anchor, before)
    if doc.is_draft:  # every section but a full-bleed cover, which carries its own mark
        for index, section in enumerate(document.sections):
            if not (writer.full_bleed and index == 0):
                wordml.add_watermark(section, doc.label(doc.status), design.display_face)
    word_notes.drop_orphan_notes(document)
    if template is None:  # the catalogue: what the document uses and an editor reaches for
        word_reference.prune_catalogue(document)
    wordml.number_drawings(document)
    # What each field showed, and the brief as built: `import --into` reads them back.
    story = read_document(document, FIELD_PREFIX)
    add_record(
        document,
        Record(
            doc.source_text,
            prepared.path.name,
            writer.fields,
            writer.kinds,
            story.paragraphs,
            [doc.csl_items[key] for key in sorted(doc.csl_items)],
        ),
    )
    # The design's faces travel with the file, so it looks the same where they are not installed.
    word_fonts.embed_fonts(document, design.font_files())
    _properties(document, doc)
    return DocxDraft(
        document, writer.openers, writer.chapter_openers, writer.page_references, template is None
    )


def _front_box_size(document, doc: m.Document, design) -> None:
    """The front box's text at the size planned for it (`box_size`: stepped down so the box
    fits its pages, print.css sets the same), else the design's `type.box`, if it has one."""
    size = getattr(doc, "box_size", None) or design.tokens.get("type", {}).get("box")
    if size:
        leading = float(design.get("type", "leading"))
        for name in ("Front Box Text", "Front Box List"):
            word_styles.apply_style_spec(
                document, name, {"size": float(size), "line_spacing": leading}, mode="restyle"
            )


def _properties(document, doc: m.Document) -> None:
    props = document.core_properties
    props.title = _fit(doc.title)
    props.subject = _fit(doc.subtitle or "")
    props.author = _fit("; ".join(doc.author_names))
    props.keywords = _fit(", ".join(doc.keywords))
    props.category = _fit(doc.series.get("name") or "")
    props.version = _fit(doc.version or "")
    props.language = wordml.document_language(document) or doc.lang  # what proofing says
    props.content_status = doc.status
    props.comments = f"Made with briefkit {__version__}"
    props.created = dt.datetime.combine(doc.date, dt.time(0, 0))
    # Always set: a template without core properties would otherwise be stamped with the time
    # of the build (python-docx's default part), and the same brief would give other bytes.
    props.modified = dt.datetime.combine(doc.updated or doc.date, dt.time(0, 0))
    props.last_modified_by = "briefkit"
    # Keys the layout does not show are kept, as JSON, in custom properties.
    # The fingerprint is reserved here and filled in once the file is made (stamp.py).
    wordml.set_custom_properties(
        document,
        {
            **{f"briefkit.unshown.{key}": doc.unshown_json(key) for key in doc.unshown},
            **_zotero_preferences(doc),
            DOCX_PROPERTY: PLACEHOLDER,
        },
    )


def _zotero_preferences(doc: m.Document) -> dict[str, str]:
    """Zotero's document preferences: its plugin refreshes the citation fields in the brief's
    style and language, as footnotes or endnotes as the brief places its notes."""
    style = doc.citation_style
    if not style or not doc.csl_items:
        return {}
    return word_citations.document_preferences(
        style["id"],
        doc.lang,
        doc.notes_placement if style["notes"] else None,
        style["bibliography"],
        doc.slug,
    )


def _fit(text: str, limit: int = 255) -> str:
    """Word's core properties hold at most 255 characters: cut at a word boundary."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;") + "…"
