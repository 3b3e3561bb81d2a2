"""The WordprocessingML pieces python-docx has no API for (fields, bookmarks, hyperlinks, runs,
outline levels, custom properties, drawing ids), made on a blank python-docx document and read
back from its XML: what Word and LibreOffice read, in the order the WML schema requires."""

from __future__ import annotations

import io
import struct
import zlib

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from briefkit.ooxml import wordml

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# ECMA-376 Part 1, CT_PPrBase then CT_PPr: the order a paragraph's properties must come in.
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers "
    "pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
    "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
    "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle "
    "rPr sectPr pPrChange"
).split()


def local(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def in_schema_order(ppr) -> bool:
    positions = [PPR_ORDER.index(local(child)) for child in ppr]
    return positions == sorted(positions)


def png() -> bytes:
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + b"\x00\x80\xff" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture
def document():
    return docx.Document()


def test_a_field_is_begin_instruction_separate_result_end_and_never_dirty(document):
    paragraph = document.add_paragraph("Page ")
    wordml.add_field(paragraph, "PAGE", "3")
    runs = paragraph._p.findall(qn("w:r"))[1:]  # after the text "Page "
    marks = [(r.find(qn("w:fldChar")).get(qn("w:fldCharType")) if r.find(qn("w:fldChar"))
              is not None else None) for r in runs]
    assert marks == ["begin", None, "separate", None, "end"]
    assert runs[1].find(qn("w:instrText")).text.strip() == "PAGE"
    assert runs[1].find(qn("w:instrText")).get(XML_SPACE) == "preserve"
    assert "".join(t.text for t in runs[3].iter(qn("w:t"))) == "3"  # the cached result
    assert not [el for el in paragraph._p.iter() if el.get(qn("w:dirty")) is not None]
    assert paragraph.text == "Page 3"  # what a reader without fields sees


def test_a_bookmark_spans_the_paragraph_after_its_properties(document):
    paragraph = document.add_paragraph("Findings", style="Heading 1")
    wordml.add_bookmark(paragraph, "findings", 7)
    children = [local(child) for child in paragraph._p]
    assert children[0] == "pPr" and children[1] == "bookmarkStart"
    assert children[-1] == "bookmarkEnd"
    start, end = paragraph._p[1], paragraph._p[-1]
    assert start.get(qn("w:name")) == "findings"
    assert start.get(qn("w:id")) == end.get(qn("w:id")) == "7"


@pytest.mark.parametrize("anchor", ["fig:chart", 'a "quoted" & <odd> id', "sec-2.1", "表-1"])
def test_a_link_inside_the_document_names_the_bookmark_it_goes_to(document, anchor):
    """Word takes letters, digits, '_' and '-' in a bookmark's name: whatever an id holds, the
    link's anchor and the bookmark's name are the same valid name."""
    target = document.add_paragraph("Chart")
    wordml.add_bookmark(target, anchor, 1)
    link = wordml.add_hyperlink(document.add_paragraph(), f"#{anchor}", internal=True)
    name = target._p.find(qn("w:bookmarkStart")).get(qn("w:name"))
    assert link.get(qn("w:anchor")) == name
    assert all(c.isalnum() or c in "_-" for c in name)


def test_a_bookmark_on_a_paragraph_without_properties_opens_it(document):
    paragraph = document.add_paragraph("Plain")
    assert paragraph._p.pPr is None
    wordml.add_bookmark(paragraph, "plain", 1)
    assert local(paragraph._p[0]) == "bookmarkStart"


def test_text_runs_keep_edge_spaces_drop_what_xml_cannot_hold_and_keep_tabs(document):
    paragraph = document.add_paragraph()
    wordml.add_text_run(paragraph, " leading and trailing ")
    wordml.add_text_run(paragraph, "bell\x07 and form feed\x0c gone")
    wordml.add_text_run(paragraph, "a\tb")
    first, second, third = paragraph.runs
    assert first._r.find(qn("w:t")).get(XML_SPACE) == "preserve"
    assert first.text == " leading and trailing "
    assert second.text == "bell and form feed gone"
    assert second._r.find(qn("w:t")).get(XML_SPACE) is None  # no spaces at its edges
    assert third._r.find(qn("w:tab")) is not None and third.text == "a\tb"


def test_an_internal_link_names_its_anchor_and_an_external_one_a_relationship(document):
    paragraph = document.add_paragraph()
    internal = wordml.add_hyperlink(paragraph, "#finding-2", internal=True)
    external = wordml.add_hyperlink(paragraph, "https://example.org/a?b=1&c=2")
    assert internal.get(qn("w:anchor")) == "finding-2"
    rel = document.part.rels[external.get(qn("r:id"))]
    assert rel.reltype == RT.HYPERLINK and rel.is_external
    assert rel.target_ref == "https://example.org/a?b=1&c=2"


def test_an_outline_level_goes_where_the_schema_puts_it(document):
    paragraph = document.add_paragraph("Finding 2: Beijing leads", style="Heading 2")
    paragraph.alignment = 1  # w:jc
    paragraph.paragraph_format.keep_with_next = True
    paragraph._p.pPr.append(parse_xml(f"<w:rPr {nsdecls('w')}><w:b/></w:rPr>"))
    wordml.set_outline_level(paragraph, 1)
    ppr = paragraph._p.pPr
    assert ppr.find(qn("w:outlineLvl")).get(qn("w:val")) == "1"
    assert in_schema_order(ppr), [local(c) for c in ppr]


def test_style_ids_are_found_by_name_whatever_the_case(document):
    assert wordml.style_id(document, "heading 1") == "Heading1"
    assert wordml.style_id(document, "List Number") == "ListNumber"
    with pytest.raises(KeyError):
        wordml.style_id(document, "No Such Style")


def test_custom_properties_are_made_then_replaced_each_name_once(document):
    wordml.set_custom_properties(document, {"briefkit.slug": "ties", "briefkit.layout": "report"})
    wordml.set_custom_properties(document, {"briefkit.slug": "ties-2"})
    out = io.BytesIO()
    document.save(out)
    reopened = docx.Document(io.BytesIO(out.getvalue()))
    part = next(rel.target_part for rel in reopened.part.package.rels.values()
                if rel.reltype == RT.CUSTOM_PROPERTIES)
    root = parse_xml(part.blob)
    properties = {p.get("name"): (p.get("pid"), "".join(p.itertext())) for p in root}
    assert {name: text for name, (_, text) in properties.items()} == {
        "briefkit.slug": "ties-2", "briefkit.layout": "report"}
    pids = [int(pid) for pid, _ in properties.values()]
    assert len(set(pids)) == len(pids) and min(pids) >= 2  # Word reserves pid 0 and 1


def test_every_drawing_gets_an_id_of_its_own_across_body_and_header(document):
    picture = io.BytesIO(png())
    document.add_picture(picture)
    document.sections[0].header.paragraphs[0].add_run().add_picture(io.BytesIO(png()))
    document.add_picture(io.BytesIO(png()))
    wordml.number_drawings(document)
    ids = [el.get("id") for part in document.part.package.iter_parts()
           if hasattr(part, "element")
           for el in part.element.iter(
               "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    assert len(ids) == 3 and len(set(ids)) == 3


def test_the_proofing_language_reaches_the_defaults_and_every_style_naming_one(document):
    wordml.set_language(document, "fr-FR")
    defaults = wordml.default_run_properties(document)
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "fr-FR"
    langs = {el.get(qn("w:val")) for el in document.styles.element.iter(qn("w:lang"))}
    assert langs == {"fr-FR"}
