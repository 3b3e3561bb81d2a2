"""The page furniture of briefkit's own pages: a document and its design in, Word sections with
the print's page size, margins, running head and folios out.

What print.css and the design's tokens set is set here the same way: the page size and margins
(`page.margin`; with `page.mirror` they are mirrored, Word's "mirror margins", left the inner
margin and right the outer one), the running head (the short title, else the title) and the
folio, at the outer corners of a spread when the design says where its folios go, with bare
numbers; else at the head's left and the foot's right as "Page 3 of 12". The first page carries
no running head (print's `@page :first`); a cover and an imprint carry nothing. A house
template's own page setup, headers and footers are kept as they are: none of this runs.
"""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm

from briefkit import model as m
from briefkit.ooxml import wordml
from briefkit.ooxml.order import place

# Where print.css hangs the furniture of a design that places its folios (page.mirror): the
# head's foot 4 mm above the text, the folio 5 mm below it (its margin boxes' padding).
HEAD_GAP_MM, FOLIO_GAP_MM = 4.0, 5.0


def lay_out_pages(document, doc: m.Document, design) -> None:
    """Page setup and furniture of every section of `document` (briefkit's reference document,
    one section when this runs: the cover's, if any, is made later from it)."""
    page = design.page_setup()
    placed = "mirror" in (design.tokens.get("page") or {})  # the design says where folios go
    mirrored = placed and design.tokens["page"]["mirror"] is True
    line = float(design.get("type", "running")) * 1.45 * 25.4 / 72  # the running line, mm
    if mirrored:
        place(document.settings.element, parse_xml(f"<w:mirrorMargins {nsdecls('w')}/>"))
        document.settings.odd_and_even_pages_header_footer = True
    for section in document.sections:
        section.page_width, section.page_height = Mm(page["width"]), Mm(page["height"])
        section.top_margin, section.bottom_margin = Mm(page["top"]), Mm(page["bottom"])
        # Mirrored, Word's left and right margins are the inner and outer ones, as the design's.
        section.left_margin, section.right_margin = Mm(page["left"]), Mm(page["right"])
        if placed:
            section.header_distance = Mm(page["top"] - HEAD_GAP_MM - line)
            section.footer_distance = Mm(page["bottom"] - FOLIO_GAP_MM - line)
        else:  # print's margin boxes centre their text in the margin
            section.header_distance = Mm((page["top"] - line) / 2)
            section.footer_distance = Mm((page["bottom"] - line) / 2)
        section.different_first_page_header_footer = True
        head = doc.short_title or doc.title
        # A right-hand page: the head and folio at its outer (right) side when mirrored.
        _head(document, section.header, head, WD_ALIGN_PARAGRAPH.RIGHT if mirrored else None)
        outer = WD_ALIGN_PARAGRAPH.RIGHT
        _folio(document, section.footer, doc, bare=placed, align=outer)
        _folio(document, section.first_page_footer, doc, bare=placed, align=outer)
        if mirrored:  # a left-hand page: both at its left
            _head(document, section.even_page_header, head, WD_ALIGN_PARAGRAPH.LEFT)
            _folio(
                document, section.even_page_footer, doc, bare=True, align=WD_ALIGN_PARAGRAPH.LEFT
            )


def bare_first_page(section) -> None:
    """The first page of `section` without furniture (a report's imprint, on the cover's
    verso): its first-page header and footer are made empty."""
    section.different_first_page_header_footer = True
    for story in (section.first_page_header, section.first_page_footer):
        for paragraph in story.paragraphs:
            for child in list(paragraph._p):
                if child.tag != wordml.qn("w:pPr"):
                    paragraph._p.remove(child)


def _head(document, header, text: str, align) -> None:
    paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
    if paragraph.text.strip():
        return
    paragraph.text = text
    paragraph.style = document.styles["Header"]
    if align is not None:
        paragraph.alignment = align


def _folio(document, footer, doc: m.Document, *, bare: bool, align) -> None:
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    if paragraph.text.strip():
        return
    paragraph.style = document.styles["Footer"]  # it stands at the right
    paragraph.alignment = align
    if bare:
        wordml.add_field(paragraph, "PAGE", "1")
        return
    paragraph.add_run(doc.label("page") + " ")
    wordml.add_field(paragraph, "PAGE", "1")
    paragraph.add_run(f" {doc.label('page_of')} ")
    wordml.add_field(paragraph, "NUMPAGES", "1")
