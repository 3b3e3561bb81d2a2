"""One presentation model: every line a reader sees is composed once, in the brief's language,
and the DOCX, the HTML and the PDF show the same words; `lang` is declared by every output."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from docx.text.paragraph import Paragraph
from pypdf import PdfReader
from readers import docx_notes, docx_text, html_tree, pdf_text, squash

from briefkit.core.diagnostics import BriefInvalid
from briefkit.layout.locales import load_locale
from briefkit.builder.batch import build_brief

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

BRIEF = """
    title: One model
    date: 2020-09-01
    updated: 2020-10-02
    layout: {layout}
    {lang}
    authors:
      - name: Samuel Bendett
        title: Adjunct Senior Fellow
        affiliation: CNA
        bio: Samuel Bendett researches Russian military technology.
      - name: Elsa B. Kania
        title: Adjunct Senior Fellow
        bio: Elsa Kania researches Chinese military innovation.
      - Third Author
    publisher: {{name: Example Institute, program: Cyber Centre}}
    findings:
      - id: lead
        title: Beijing leads
        text: China leads the partnership.
    recommendations:
      - title: Track the collaborations
        text: |
          Track them, as [#lead] shows.[^n]

          [^n]: A note with a [link](https://example.org/a).
        findings: [lead]
    sections:
      - title: Evidence
        body: |
          | Year | Parks |
          |------|-------|
          | 2019 | 3     |

          : Technology parks by year

          ![A bar chart of parks](chart.png)
    related:
      - title: An earlier piece
        kind: Commentary
        outlet: War on the Rocks
        date: 2020-08-12
        authors: [Samuel Bendett, Elsa B. Kania]
    copyright: © Example Institute 2020
    output: {{toc: true}}
"""


def build(write_brief, tmp_path, lang: str = "", *, layout: str = "report"):
    path = write_brief(BRIEF.format(lang=f"lang: {lang}" if lang else "", layout=layout))
    _png(path.parent / "chart.png")
    outputs = build_brief(path, tmp_path / "out").outputs
    return {p.suffix[1:]: p for p in outputs}


def _png(path: Path) -> None:
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def texts(out) -> dict[str, str]:
    return {"docx": squash(docx_text(out["docx"])),
            "html": squash(html_tree(out["html"]).text_content()),
            # U+2010 is where the PDF hyphenated a word at a line end
            "pdf": squash(pdf_text(out["pdf"]).replace("\u2010\n", ""))}


def everywhere(out, *phrases):
    for fmt, text in texts(out).items():
        for phrase in phrases:
            assert squash(phrase).casefold() in text.casefold(), f"{phrase!r} missing from the {fmt}"


def test_composed_lines_read_the_same_in_docx_html_and_pdf(write_brief, tmp_path):
    out = build(write_brief, tmp_path)
    everywhere(out,
               # bylines with titles, in the locale's list form
               "Samuel Bendett, Adjunct Senior Fellow, Elsa B. Kania, Adjunct Senior Fellow and "
               "Third Author",
               "1 September 2020 · Updated 2 October 2020",
               "Finding 1: Beijing leads", "Recommendation 1: Track the collaborations",
               "Responds to: Finding 1", "as Finding 1 shows",
               # bios keep title and affiliation
               "Samuel Bendett, Adjunct Senior Fellow, CNA",
               "Table 1 Technology parks by year", "Figure 1 A bar chart of parks",
               "© Example Institute 2020")


def test_docx_has_no_stub_line_and_its_notes_under_a_notes_heading(write_brief, tmp_path):
    out = build(write_brief, tmp_path)
    document = docx.Document(str(out["docx"]))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert not any("notes follow" in text for _, text in paragraphs)
    assert ("Heading 1", "Notes") in paragraphs
    assert docx_notes(out["docx"], "endnotes") == ["A note with a link."]


def test_docx_endnotes_print_under_their_heading_before_the_parts_after_it(write_brief,
                                                                           tmp_path):
    """The report places notes before the authors and colophon: Word is told to print
    endnotes at the end of their section, and the section ends with the Notes heading; the
    parts after it follow in a continuous section with the same page setup and running
    heads. (LibreOffice prints them at the document's end whatever the placement.)"""
    out = build(write_brief, tmp_path)
    document = docx.Document(str(out["docx"]))
    with zipfile.ZipFile(out["docx"]) as archive:
        settings = archive.read("word/settings.xml").decode()
    assert re.search(r"<w:endnotePr><w:pos w:val=\"sectEnd\"/>", settings)
    body = [p for p in document.element.body if p.tag == f"{W}p"]
    text = {p: Paragraph(p, document._body).text for p in body}
    heading = next(p for p in body if text[p] == "Notes")
    assert "About the authors" in [text[p] for p in body[body.index(heading) + 1:]]
    ends_section = heading.find(f"{W}pPr/{W}sectPr")
    final = document.element.body.sectPr
    assert ends_section is not None
    assert document.sections[-1].start_type == 0  # WD_SECTION.CONTINUOUS
    for tag in ("pgSz", "pgMar", "headerReference", "footerReference"):
        assert [e.attrib for e in ends_section.findall(f"{W}{tag}")] == \
               [e.attrib for e in final.findall(f"{W}{tag}")], tag
    # the notes themselves are all there, called from the section that ends with the heading
    assert docx_notes(out["docx"], "endnotes") == ["A note with a link."]


def test_docx_contents_is_a_toc_field_with_page_numbers_and_no_update_prompt(write_brief, tmp_path):
    """Word's own table of contents: one TOC field (References > Update Table rebuilds it from
    the headings) whose cached result lists every entry, a link to its heading, then its page
    number (a PAGEREF field with its result), the PDF's page; nothing asks Word to update."""
    out = build(write_brief, tmp_path)
    with zipfile.ZipFile(out["docx"]) as archive:
        settings = archive.read("word/settings.xml").decode()
        body = archive.read("word/document.xml").decode()
    assert "updateFields" not in settings
    assert "Update the table of contents" not in body
    assert "w:dirty" not in body  # a dirty field makes Word ask too
    document = docx.Document(str(out["docx"]))
    entries = [p for p in document.paragraphs if p.style.name.startswith("toc")]
    texts = [p.text.split("\t") for p in entries]
    assert [t[0] for t in texts] == [
        "Findings", "Evidence", "Policy considerations and recommendations", "Notes"]
    instructions = [" ".join(t.text for t in p._p.iter(f"{W}instrText")).split() for p in entries]
    assert instructions[0][:2] == ["TOC", "\\o"] and {"\\h", "\\u"} <= set(instructions[0])
    assert "TOC" not in sum(instructions[1:], [])  # one field around every entry
    begins = [c.get(f"{W}fldCharType") for p in entries for c in p._p.iter(f"{W}fldChar")]
    assert begins.count("begin") == begins.count("end") == len(entries) + 1
    # each entry links to a bookmark on its heading, and names its page by the same bookmark
    anchors = [p._p.find(f"{W}hyperlink").get(f"{W}anchor") for p in entries]
    bookmarks = set(re.findall(r'w:bookmarkStart w:id="\d+" w:name="([^"]+)"', body))
    assert anchors and set(anchors) <= bookmarks
    assert [i[-3:] for i in instructions] == [["PAGEREF", anchor, "\\h"] for anchor in anchors]
    # the cached numbers are the PDF's pages of those headings
    pdf_pages = pdf_text(out["pdf"]).split("\f")
    for (heading, number) in texts:
        # A chapter heading (twice the body's size) may wrap onto a second line.
        pattern = r"\s+".join(map(re.escape, heading.split()))
        found = [n for n, text in enumerate(pdf_pages, 1) if re.search(rf"^{pattern}$", text, re.M)]
        assert int(number) == found[-1], (heading, number, found)


@pytest.mark.needs("soffice", "pdftotext")
def test_docx_contents_shows_the_page_of_each_heading_in_libreoffice(write_brief, tmp_path):
    """The contents' cached page numbers are the pages LibreOffice puts the headings on (it
    shows the cached result of a TOC field as it is)."""
    from readers import libreoffice_pdf

    out = build(write_brief, tmp_path)
    converted = libreoffice_pdf(out["docx"], tmp_path / "lo")
    pages = pdf_text(converted).split("\f")  # pdftotext ends each page with a form feed
    contents = next(text for text in pages if "Contents" in text)
    numbered = dict(re.findall(r"^(\w[^\n]*?)[ .]*?(\d+)$", contents, re.M))
    for heading in ("Findings", "Evidence"):
        shown = int(numbered[heading])
        # (the heading's own line: the contents' entry ends in dots and its number)
        body_pages = [n for n, text in enumerate(pages, 1) if re.search(rf"^{heading}$", text, re.M)]
        assert shown in body_pages, (heading, shown, body_pages)


def test_docx_pictures_carry_alt_text_and_tables_mark_header_rows(write_brief, tmp_path):
    out = build(write_brief, tmp_path)
    with zipfile.ZipFile(out["docx"]) as archive:
        body = archive.read("word/document.xml").decode()
    assert re.search(r'<wp:docPr [^>]*descr="A bar chart of parks"', body)
    assert "<w:tblHeader/>" in body


def test_lang_declared_by_every_output_and_fixed_words_translated(write_brief, tmp_path):
    out = build(write_brief, tmp_path, "fr-FR")
    assert html_tree(out["html"]).get("lang") == "fr-FR"
    assert str(PdfReader(str(out["pdf"])).trailer["/Root"]["/Lang"]) == "fr-FR"
    with zipfile.ZipFile(out["docx"]) as archive:
        styles = archive.read("word/styles.xml").decode()
        core = archive.read("docProps/core.xml").decode()
    assert "<dc:language>fr-FR</dc:language>" in core
    assert set(re.findall(r'<w:lang w:val="([^"]+)"', styles)) == {"fr-FR"}
    everywhere(out, "1er septembre 2020 · Mis à jour le 2 octobre 2020",
               "Samuel Bendett, Adjunct Senior Fellow, Elsa B. Kania, Adjunct Senior Fellow et "
               "Third Author", "Constat 1 : Beijing leads", "Recommandation 1 : Track",
               "Tableau 1")


@pytest.mark.parametrize("lang, meta, byline", [
    ("", "Commentary · War on the Rocks · 12 August 2020", "By Samuel Bendett and Elsa B. Kania"),
    ("de", "Commentary · War on the Rocks · 12. August 2020", "Von Samuel Bendett und Elsa B. Kania"),
])
def test_related_items_read_kind_outlet_date_then_title_then_byline(write_brief, tmp_path, lang,
                                                                     meta, byline):
    out = build(write_brief, tmp_path, lang, layout="commentary")
    everywhere(out, meta, "An earlier piece", byline)
    document = docx.Document(str(out["docx"]))
    texts = [p.text for p in document.paragraphs]
    at = texts.index(meta)  # its own paragraph, not run together with the title
    assert texts[at + 1] == "An earlier piece" and texts[at + 2] == byline


@pytest.mark.parametrize("tag, date, heading", [
    ("en-AU", "1 September 2020", "Findings"), ("en-GB", "1 September 2020", "Findings"),
    ("en-US", "September 1, 2020", "Findings"), ("de", "1. September 2020", "Befunde"),
    ("de-AT", "1. September 2020", "Befunde"),  # falls back by language subtag
    ("fr-CA", "1er septembre 2020", "Constats"), ("pt-BR", "1 September 2020", "Findings"),
])
def test_locales_fall_back_by_language_subtag(tag, date, heading):
    import datetime as dt

    locale = load_locale(tag)
    assert locale.tag == tag
    assert locale.date(dt.date(2020, 9, 1)) == date
    assert locale.labels["findings"] == heading


def test_project_locale_file_adds_a_language(tmp_path):
    import datetime as dt

    (tmp_path / "templates" / "locales").mkdir(parents=True)
    (tmp_path / "templates" / "locales" / "it.yaml").write_text(
        "extends: en\nmonths: [gennaio, febbraio, marzo, aprile, maggio, giugno, luglio, agosto,"
        " settembre, ottobre, novembre, dicembre]\nand: e\nlabels: {findings: Risultati}\n",
        encoding="utf-8")
    locale = load_locale("it-IT", tmp_path)
    assert locale.date(dt.date(2020, 9, 1)) == "1 settembre 2020"
    assert locale.and_list(["A", "B"]) == "A e B" and locale.labels["findings"] == "Risultati"
    assert locale.labels["notes"] == "Notes"  # untranslated words stay English


def test_brief_labels_win_over_the_language(write_brief, tmp_path):
    path = write_brief(BRIEF.format(lang="lang: fr\n    labels: {findings: Nos constats}",
                                    layout="report"))
    _png(path.parent / "chart.png")
    out = {p.suffix[1:]: p for p in build_brief(path, tmp_path / "out", formats=["docx"]).outputs}
    headings = [p.text for p in docx.Document(str(out["docx"])).paragraphs
                if p.style.name == "Heading 1"]
    assert "Nos constats" in headings and "Recommandations" in headings


def test_a_wrong_language_tag_is_a_located_error(write_brief):
    path = write_brief("title: T\ndate: 2020-01-01\nlang: French language\n")
    with pytest.raises(BriefInvalid) as caught:
        build_brief(path, path.parent / "out")
    message = str(caught.value)
    assert "brief.yaml:3:7: error: lang: not a language tag" in message and "fr-FR" in message


@pytest.mark.needs("shared")
def test_corpus_french_brief_declares_fr_fr_and_cites_in_french(tmp_path):
    folder = tmp_path / "fr"
    shutil.copytree(CORPUS / "csl-chicago-notes-fr", folder)
    out = {p.suffix[1:]: p for p in build_brief(folder / "brief-lang.yaml", tmp_path / "out").outputs}
    assert html_tree(out["html"]).get("lang") == "fr-FR"
    assert str(PdfReader(str(out["pdf"])).trailer["/Root"]["/Lang"]) == "fr-FR"
    with zipfile.ZipFile(out["docx"]) as archive:
        assert "<dc:language>fr-FR</dc:language>" in archive.read("docProps/core.xml").decode()
        assert 'w:val="fr-FR"' in archive.read("word/styles.xml").decode()
    # citeproc's French locale: "et" between authors, "dir." for editors
    notes = " ".join(docx_notes(out["docx"], "footnotes"))
    assert "John Doe et Jenny Roe" in notes and "dir." in notes
