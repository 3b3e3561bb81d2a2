"""Each writer, read back the way a user's tools read it: python-docx, an HTML parser, pypdf."""

from __future__ import annotations

import re
import zipfile

import docx
from pypdf import PdfReader
from readers import (docx_headings, docx_note_references, docx_notes, docx_paragraphs, docx_text,
                     html_tree,
                     pdf_text_in_columns, squash)

from briefkit.builder.batch import build_brief

SECTION_TITLES = ["Background", "What to watch"]


# ---- DOCX -----------------------------------------------------------------------------------

def test_docx_has_real_footnotes_with_ibid(tech_ties):
    notes = docx_notes(tech_ties["docx"], "footnotes")
    assert len(notes) == 13
    assert docx_note_references(tech_ties["docx"], "footnotes") == 13
    assert notes[0].startswith("Samuel Bendett and Elsa B. Kania, A New Sino-Russian High-Tech")
    assert notes[1] == "Ibid., 4."
    assert "Russia lacks technology giants" in notes[6]


def test_docx_headings_use_word_styles(tech_ties):
    headings = docx_headings(tech_ties["docx"])
    assert ("Title", "Sino-Russian technology ties") in headings
    for title in SECTION_TITLES + ["Findings", "Policy considerations and recommendations",
                                   "Bibliography", "Acronyms and abbreviations"]:
        assert ("Heading 1", title) in headings, title


def test_docx_front_box_recommendations_and_lists(tech_ties):
    document = docx.Document(str(tech_ties["docx"]))
    styles = {(p.style.name, p.text) for p in docx_paragraphs(document)}
    assert ("Front Box Heading", "What’s the problem?") in styles
    assert ("Front Box Heading", "What’s the solution?") in styles
    assert ("Item Title", "Recommendation 1: Track the trajectory of the collaborations") in styles
    assert ("Item Title", "Finding 2: Obstacles remain") in styles
    text = docx_text(tech_ties["docx"])
    assert "Changchun Sino-Russian S&T Park" in text  # the table
    assert "see Recommendation 1 and Recommendation 2" in text  # cross-references


def test_docx_header_footer_properties_and_links(tech_ties):
    document = docx.Document(str(tech_ties["docx"]))
    section = document.sections[-1]  # the body's (the cover is a section of its own)
    assert section.header.paragraphs[0].text == "Sino-Russian technology ties"
    # the report's folios are bare page numbers, as print sets them (design.yaml page.mirror)
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" not in footer_xml
    props = document.core_properties
    assert props.title == "Sino-Russian technology ties"
    assert props.author == "Briefkit Example Team"
    assert props.version == "1.0"
    body = document.element.body.xml
    assert "w:hyperlink" in body and 'w:anchor="track"' in body  # working internal link


def test_docx_endnotes_are_decimal_and_in_their_own_part(write_brief, tmp_path):
    path = write_brief("""
        title: Endnotes
        date: 2021-03-04
        notes: endnotes
        sections:
          - title: One
            body: First.^[Note one.] Second.^[Note *two*.]
    """)
    out = build_brief(path, tmp_path / "out", ["docx"]).outputs[0]
    assert docx_notes(out, "endnotes") == ["Note one.", "Note two."]
    assert docx_notes(out, "footnotes") == []
    with zipfile.ZipFile(out) as archive:
        settings = archive.read("word/settings.xml").decode()
    assert re.search(r'<w:endnotePr><w:numFmt w:val="decimal"/>', settings)


# ---- HTML -----------------------------------------------------------------------------------

def test_html_is_standalone_with_notes_and_backlinks(tech_ties):
    tree = html_tree(tech_ties["html"])
    assert tree.findtext(".//title") == "Sino-Russian technology ties: What three years of reporting show"
    assert not tree.xpath("//link[@rel='stylesheet']") and tree.xpath("//style")
    notes = tree.xpath("//section[@role='doc-endnotes']/ol/li")
    assert len(notes) == 13
    refs = tree.xpath("//a[@role='doc-noteref']")
    assert [r.text_content() for r in refs] == [str(i) for i in range(1, 14)]
    assert notes[1].xpath(".//a[@role='doc-backlink']/@href") == ["#ref-note-2"]
    assert squash(notes[1].text_content()).startswith("Ibid., 4.")


def test_html_headings_and_parts(tech_ties):
    tree = html_tree(tech_ties["html"])
    assert [h.text_content() for h in tree.xpath("//h1")] == ["Sino-Russian technology ties"]
    h2 = [squash(h.text_content()) for h in tree.xpath("//h2")]
    for title in ["What’s the problem?", "What’s the solution?", "Contents", "Findings", *SECTION_TITLES,
                  "Policy considerations and recommendations", "Notes", "Bibliography"]:
        assert title in h2, title
    assert tree.xpath("//aside[@class='pullquote']") and tree.xpath("//aside[@class='box']")
    assert tree.xpath("//nav[@id='contents']//a[@href='#background']")


def test_html_escapes_brief_text_and_drops_unsafe_links(write_brief, tmp_path):
    path = write_brief("""
        title: "<script>alert(1)</script>"
        date: 2021-03-04
        sections:
          - title: "<b>Bold?</b>"
            body: |
              Text <img src=x onerror=alert(1)> [click](javascript:alert(1)) [ok](https://example.org).
    """)
    out = build_brief(path, tmp_path / "out", ["html"]).outputs[0]
    source = out.read_text(encoding="utf-8")
    tree = html_tree(out)
    assert not tree.xpath("//script") and not tree.xpath("//img[@onerror]")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    assert tree.xpath("//h1")[0].text_content() == "<script>alert(1)</script>"
    assert tree.xpath("//a[text()='ok']/@href") == ["https://example.org"]
    assert not tree.xpath("//a[contains(@href, 'javascript')]")


# ---- PDF ------------------------------------------------------------------------------------

def test_pdf_footnotes_all_printed_and_metadata(tech_ties):
    reader = PdfReader(str(tech_ties["pdf"]))
    text = pdf_text_in_columns(tech_ties["pdf"])  # the endnotes are set in two columns
    for number in range(1, 14):
        assert re.search(rf"^{number}\. \S", text, re.M), f"footnote {number} missing"
    assert "Ibid., 4." in text
    assert reader.metadata.title == "Sino-Russian technology ties: What three years of reporting show"
    assert reader.metadata.author == "Briefkit Example Team"
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_pdf_contents_page_has_page_numbers_and_bookmarks(tech_ties):
    reader = PdfReader(str(tech_ties["pdf"]))
    contents = next(p.extract_text() for p in reader.pages if "Contents" in (p.extract_text() or ""))
    for title in SECTION_TITLES:
        assert re.search(rf"{title}[ .]*\d+", contents), title
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Background" in outline and "Policy considerations and recommendations" in outline
    footer = reader.pages[2].extract_text()  # a bare folio, as the report sets it
    assert re.search(r"^\s*3\s*$", footer, re.M) and "Page 3 of" not in footer


def test_pdf_letter_paper_and_draft_watermark(write_brief, tmp_path):
    path = write_brief("""
        title: Draft on Letter
        date: 2021-03-04
        status: draft
        output: {paper: Letter}
        sections:
          - title: One
            body: Text.
    """)
    out = build_brief(path, tmp_path / "out", ["pdf"]).outputs[0]
    reader = PdfReader(str(out))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (612, 792)
    for page in reader.pages[1:]:
        assert "DRAFT" in page.extract_text()
