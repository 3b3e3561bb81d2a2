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

from docx import Document
from docx.shared import Mm

from briefkit import __version__
from briefkit import model as m
from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Location
from briefkit.layout.design import design_of
from briefkit.ooxml import package as word_package
from briefkit.ooxml import wordml
from briefkit.render.stamp import DOCX_PROPERTY, PLACEHOLDER
from briefkit.render.word import builtins as word_builtins
from briefkit.render.word import fonts as word_fonts
from briefkit.render.word import notes as word_notes
from briefkit.render.word import template as word_template
from briefkit.render.word.writer import DocxWriter

EAST_ASIAN_FONT = "Noto Sans CJK SC"


def render_docx(prepared) -> list[tuple[str, bytes]]:
    """The DOCX's members, (name, bytes) in archive order: `render` zips them once, stamped."""
    doc = prepared.document
    template = prepared.word_template
    design = design_of(prepared)
    specs = design.word_styles(prepared.layout)
    if template is None:
        document = Document()
        for name, spec in specs["default_template"].items():
            wordml.apply_style_spec(document, name, spec, create=False)
        anchor, has_cover = None, False
    else:
        document = word_template.open_template(template, prepared.roots)
        anchor, has_cover = word_template.fill(document, doc, template)
        # Word's built-in styles the house template lacks, with Word's own definitions (as
        # Pandoc does), before briefkit's: a house template is Word's world.
        word_builtins.supply_builtin_styles(document)
    for name, spec in specs["ensure"].items():
        wordml.apply_style_spec(document, name, spec, create=True)
    word_builtins.supply_builtin_styles(document)  # what the default template lacks (Hyperlink)
    wordml.declare_east_asian_font(document, EAST_ASIAN_FONT, replace_theme=template is None)
    # A house template's proofing language stays when the brief names none (a French house's
    # fr-FR template is not made English by the default `lang: en`).
    kept = None if template is None or doc.lang_given else wordml.document_language(document)
    if kept is None:
        wordml.set_language(document, doc.lang)

    if template is None:
        _page_furniture(document, doc, design)
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
        if writer.full_bleed:  # the cover is a section of its own: the body's first page has
            document.sections[-1].different_first_page_header_footer = False  # its header
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
    if doc.is_draft:  # every section, the cover's too
        for section in document.sections:
            wordml.add_watermark(section, doc.label(doc.status))
    word_notes.drop_orphan_notes(document)
    wordml.number_drawings(document)
    # The design's faces travel with the file, so it looks the same where they are not installed.
    word_fonts.embed_fonts(document, design.font_files())
    _properties(document, doc)
    return word_package.package_members(document)  # zipped once, by the stamp


def _page_furniture(document, doc: m.Document, design) -> None:
    """Page size and margins (the design's, as in the PDF), running title and page numbers, for
    the default template only (a house template's own page setup, headers and footers are kept
    as they are)."""
    page = design.page_setup()
    for section in document.sections:
        section.page_width, section.page_height = Mm(page["width"]), Mm(page["height"])
        section.top_margin, section.bottom_margin = Mm(page["top"]), Mm(page["bottom"])
        section.left_margin, section.right_margin = Mm(page["left"]), Mm(page["right"])
        section.different_first_page_header_footer = True
        header = (
            section.header.paragraphs[0]
            if section.header.paragraphs
            else section.header.add_paragraph()
        )
        if not header.text.strip():
            header.text = doc.title
            header.style = document.styles["Header"]
        footer = (
            section.footer.paragraphs[0]
            if section.footer.paragraphs
            else section.footer.add_paragraph()
        )
        if not footer.text.strip():
            footer.style = document.styles["Footer"]
            footer.add_run(doc.label("page") + " ")
            wordml.add_field(footer, "PAGE", "1")
            footer.add_run(f" {doc.label('page_of')} ")
            wordml.add_field(footer, "NUMPAGES", "1")


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
            DOCX_PROPERTY: PLACEHOLDER,
        },
    )


def _fit(text: str, limit: int = 255) -> str:
    """Word's core properties hold at most 255 characters: cut at a word boundary."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;") + "…"
