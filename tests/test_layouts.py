"""Each layout shows what its source shows, in DOCX, HTML and PDF; a house Word template keeps
its cover, styles and header; non-Latin text prints with real glyphs; a layout can be exported
and used without Python."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile

import docx
import pytest
import yaml
from click.testing import CliRunner
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt, RGBColor
from lxml import etree
from readers import (W, docx_notes, docx_paragraphs, docx_text, html_tree, libreoffice_pdf,
                     pdf_pages, pdf_text,
                     squash)

from briefkit.cli import cli
from briefkit.core.diagnostics import BriefInvalid
from briefkit.layout.folders import load_layout
from briefkit.builder.batch import build_brief

COMMON = """
    date: 2019-10-12
    authors:
      - name: Samuel Bendett
        title: Adjunct Senior Fellow
        bio: Samuel Bendett researches Russian military technology.
      - name: Elsa B. Kania
    publisher: {name: Example Outlet}
    categories: [Science and Technology, China, Russia]
"""


def build(write_brief, tmp_path, text):
    path = write_brief(text, COMMON)
    outputs = build_brief(path, tmp_path / "out").outputs
    return {p.suffix[1:]: p for p in outputs}


def everywhere(out, *phrases):
    """Each phrase is in the DOCX text, the HTML and the PDF text."""
    # Case is ignored: CSS may print a dateline or byline in capitals (text-transform).
    texts = {"docx": squash(docx_text(out["docx"])),
             "html": squash(html_tree(out["html"]).text_content()),
             "pdf": squash(pdf_text(out["pdf"]))}
    for fmt, text in texts.items():
        for phrase in phrases:
            assert squash(phrase).casefold() in text.casefold(), f"{phrase!r} missing from the {fmt}"


def docx_xml(path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml").decode("utf-8")


def page_breaks_before(path, text: str) -> int:
    """Page breaks (and section breaks, as the cover's; a paragraph's own "page break before")
    in the DOCX body before the first paragraph whose text is `text`, that one's included."""
    breaks = 0
    for p in docx_paragraphs(path):
        breaks += len(p._p.xpath("./w:pPr/w:pageBreakBefore[not(@w:val) or @w:val!='0']"))
        if p.text == text:
            return breaks
        breaks += len(p._p.xpath(".//w:br[@w:type='page'] | ./w:pPr/w:sectPr"))
    raise AssertionError(f"no paragraph {text!r}")


def test_commentary_shows_standfirst_byline_titles_categories_and_footnotes(write_brief, tmp_path):
    out = build(write_brief, tmp_path, """
        layout: commentary
        kicker: Analysis
        title: China, Russia Deepen Technological Ties
        standfirst: With joint dialogues, incubators, and technology parks, Beijing and Moscow compete.
        sections:
          - title: Ties
            body: China and Russia are deepening their ties.^[On the ties.]
    """)
    everywhere(out, "Analysis", "With joint dialogues, incubators", "Related categories",
               "Science and Technology", "China and Russia are deepening their ties.",
               "12 October 2019", "Example Outlet")
    # The byline: one author a line in print, the "and" ending the line before (the same words
    # as the Word file's byline).
    lines = [line.strip().casefold() for line in pdf_text(out["pdf"]).splitlines()]
    assert "by samuel bendett, adjunct senior fellow and" in lines and "elsa b. kania" in lines
    everywhere(out, "Samuel Bendett, Adjunct Senior Fellow and Elsa B. Kania")
    tree = html_tree(out["html"])
    assert tree.xpath("//div[contains(@class,'article-head')]//p[@class='byline']")
    assert tree.xpath("//div[@class='standfirst']")
    assert not tree.xpath("//nav[@id='contents']")  # no contents page for an article
    assert docx_notes(out["docx"], "footnotes") == ["On the ties."]
    text = pdf_text(out["pdf"])
    first_page = squash(text.split("\f")[0])  # the title may wrap
    assert "China, Russia Deepen Technological Ties" in first_page and "deepening their ties" in first_page
    # Word: the article head reads like the source (date and outlet, title, "By ..."), and the
    # text follows on the same page: no cover page, no contents.
    paragraphs = [(p.style.name, p.text) for p in docx.Document(str(out["docx"])).paragraphs]
    assert paragraphs[:4] == [
        ("Dateline", "12 October 2019 · Example Outlet"),
        ("Kicker", "Analysis"),
        ("Title", "China, Russia Deepen Technological Ties"),
        ("Byline", "By Samuel Bendett, Adjunct Senior Fellow and Elsa B. Kania")]
    assert not page_breaks_before(out["docx"], "Ties")
    assert "TOC" not in docx_xml(out["docx"])


def test_research_shows_executive_summary_numbered_takeaways_call_to_action_and_bios(write_brief, tmp_path):
    out = build(write_brief, tmp_path, """
        layout: research
        title: A research report
        executive_summary: The summary of the research.
        key_takeaways:
          - First takeaway.
          - Second takeaway.
          - Third takeaway.
        links:
          full_report: {url: "https://example.org/full.pdf"}
        sections:
          - title: Body
            body: Text.
    """)
    everywhere(out, "Executive summary", "The summary of the research.", "Key takeaways",
               "Download the full paper", "About the authors", "Samuel Bendett researches")
    tree = html_tree(out["html"])
    takeaways = tree.xpath("//section[@id='key-takeaways']/ol/li")
    assert [squash(li.text_content()) for li in takeaways] == ["First takeaway.", "Second takeaway.",
                                                               "Third takeaway."]
    assert tree.xpath("//p[@class='call-to-action']/a/@href") == ["https://example.org/full.pdf"]
    # Word: the takeaways a numbered list (their numbers set large, as in print)
    items = [p for p in docx.Document(str(out["docx"])).paragraphs if p.style.name == "Takeaway"]
    assert [p.text for p in items] == ["First takeaway.", "Second takeaway.", "Third takeaway."]
    assert len({p._p.pPr.numPr.numId.val for p in items}) == 1
    # The executive summary comes before the body, on the page after the cover.
    text = pdf_text(out["pdf"])
    assert text.index("The summary of the research.") < text.index("Text.")
    pages = text.split("\f")
    assert "A research report" in pages[0] and "The summary of the research." not in pages[0]
    assert "The summary of the research." in pages[1] and "Key takeaways" in pages[1]
    assert page_breaks_before(out["docx"], "Executive summary") == 1  # the cover is a page


def test_summary_shows_pull_quote_call_to_action_and_related_items(write_brief, tmp_path):
    out = build(write_brief, tmp_path, """
        layout: summary
        title: The Resilience of Sino-Russian High-Tech Cooperation
        links:
          full_report: {label: Read the full article in War on the Rocks., url: "https://example.org/article"}
        related:
          - kind: Commentary
            outlet: Foreign Affairs
            title: Taking on China and Russia
            date: 2022-11-18
            authors: [Richard Fontaine]
            summary: Today Washington has chosen to compete with both.
        sections:
          - body: |
              The outlook is complex.

              ::: pullquote
              The outlook is more complex beneath the surface.
              :::
    """)
    everywhere(out, "The outlook is more complex beneath the surface.",
               "Read the full article in War on the Rocks.", "Taking on China and Russia",
               "Commentary · Foreign Affairs · 18 November 2022", "By Richard Fontaine")
    tree = html_tree(out["html"])
    assert tree.xpath("//aside[@class='pullquote']")
    assert tree.xpath("//p[@class='call-to-action']/a/@href") == ["https://example.org/article"]
    assert tree.xpath("//section[@id='related']//time[@datetime='2022-11-18']")
    paragraphs = docx.Document(str(out["docx"])).paragraphs
    assert [p.text for p in paragraphs if p.style.name == "Pull Quote"] == [
        "The outlook is more complex beneath the surface."]
    assert [p.style.name for p in paragraphs[:3]] == ["Dateline", "Title", "Byline"]
    assert not page_breaks_before(out["docx"], "The outlook is complex.")
    # The PDF's first page holds the title, the text, the pull quote and the call to action
    # (read with pypdf: pdftotext drops a hard hyphen that ends a line, as in "High-|Tech").
    first_page = squash(pdf_pages(out["pdf"])[0])
    for phrase in ("The Resilience of Sino-Russian High-Tech Cooperation", "The outlook is complex.",
                   "The outlook is more complex beneath the surface.",
                   "Read the full article in War on the Rocks."):
        assert phrase in first_page


def test_report_shows_front_box_contents_and_endnotes(write_brief, tmp_path):
    out = build(write_brief, tmp_path, """
        title: A report
        summary: {problem: The problem., solution: The solution.}
        sections:
          - title: Body
            body: Text.^[A note.]
    """)
    # Four entries (problem, solution, Body, Notes) do not earn a contents page.
    everywhere(out, "What’s the problem?", "What’s the solution?")
    assert "Contents" not in pdf_text(out["pdf"]) and "Contents" not in docx_text(out["docx"])
    assert not html_tree(out["html"]).xpath("//nav[@id='contents']")
    assert docx_notes(out["docx"], "endnotes") == ["A note."]


def test_report_contents_only_when_it_earns_a_page(write_brief, tmp_path):
    sections = "".join(f"  - title: Part {n}\n    body: Text {n}.\n" for n in range(1, 5))
    out = build(write_brief, tmp_path, "title: A report\nsummary: {problem: P., solution: S.}\n"
                "sections:\n" + sections)
    everywhere(out, "Contents")  # problem, solution and four parts: six entries
    (tmp_path / "b2").mkdir()
    path = write_brief("title: Asked for\noutput: {toc: true}\nsections:\n  - title: One\n"
                       "    body: Text.\n", COMMON, name="b2/brief.yaml")
    outputs = {p.suffix[1:]: p for p in build_brief(path, tmp_path / "out2").outputs}
    everywhere(outputs, "Contents")  # a brief that asks for contents gets them


UNSHOWN = {
    "summary": {"acronyms": "{AI: artificial intelligence}", "categories": "[China]",
                "executive_summary": "Summary."},
    "commentary": {"key_takeaways": "[One.]", "summary": "{problem: P.}",
                   "acronyms": "{AI: artificial intelligence}"},
    "research": {"standfirst": "Dek.", "summary": "{problem: P.}", "related": "[{title: R}]"},
}


@pytest.mark.parametrize("layout", sorted(UNSHOWN))
def test_keys_a_layout_does_not_show_are_warned_about_and_kept_in_metadata(write_brief, tmp_path,
                                                                         layout):
    keys = UNSHOWN[layout]
    path = write_brief(f"layout: {layout}\ntitle: T\ndate: 2024-01-02\n"
                       + "".join(f"{k}: {v}\n" for k, v in keys.items()))
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 0
    for number, key in enumerate(keys, 4):
        assert (f"brief.yaml:{number}:1: warning: {key}: '{key}' is not shown by the '{layout}' "
                "layout. It is kept in the document metadata only") in result.stderr
    out = {p.suffix[1:]: p for p in build_brief(path, tmp_path / "out", ["docx", "html"]).outputs}
    meta = {m.get("name"): m.get("content") for m in
            html_tree(out["html"]).xpath("//head/meta[starts-with(@name, 'briefkit.unshown.')]")}
    custom = docx_custom_properties(out["docx"])
    for key, value in keys.items():
        expected = json.dumps(yaml.safe_load(value), sort_keys=True)
        assert json.loads(meta[f"briefkit.unshown.{key}"]) == json.loads(expected)
        assert json.loads(custom[f"briefkit.unshown.{key}"]) == json.loads(expected)
    # Not shown is not unchecked: a mistake in such a key is an error at its place.
    path = write_brief(f"layout: {layout}\ntitle: T\ndate: 2024-01-02\nacronyms: [AI]\n")
    with pytest.raises(BriefInvalid) as caught:
        build_brief(path, tmp_path / "out")
    assert "brief.yaml:4:" in str(caught.value) and "acronyms" in str(caught.value)


def docx_custom_properties(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("docProps/custom.xml"))
        assert "docProps/custom.xml" in archive.read("_rels/.rels").decode()
    ns = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
    return {p.get("name"): "".join(p.itertext()) for p in root.iter(f"{ns}property")}


def test_draft_status_marks_every_output(write_brief, tmp_path):
    out = build(write_brief, tmp_path, """
        layout: commentary
        title: Draft piece
        status: review
        sections: [{title: S, body: Text.}]
    """)
    assert html_tree(out["html"]).xpath("//div[@class='draft-banner']")[0].text_content().startswith("In review")
    with zipfile.ZipFile(out["docx"]) as archive:
        headers = [archive.read(n).decode() for n in archive.namelist() if n.startswith("word/header")]
    assert any('string="REVIEW"' in h and "v:textpath" in h for h in headers)
    assert "REVIEW" in pdf_text(out["pdf"])


def make_house_template(path, logo):
    """A Word template with its own fonts and colours, a logo in the header, a cover whose
    `{{ title }}` Word split over three runs, and a `{{ body }}` paragraph."""
    document = docx.Document()
    title = document.styles["Title"]
    title.font.name, title.font.size, title.font.color.rgb = "DejaVu Serif", Pt(30), RGBColor(0x8B, 0, 0)
    heading = document.styles["Heading 1"]
    heading.font.name, heading.font.color.rgb = "DejaVu Serif", RGBColor(0, 0x55, 0)
    section = document.sections[0]
    section.header.paragraphs[0].add_run().add_picture(str(logo))
    section.header.add_paragraph("House header")
    cover = document.add_paragraph(style="Title")
    for piece in ("{{ ti", "tle", " }}"):
        cover.add_run(piece)
    document.add_paragraph("By {{ authors }}, {{ date }} — series {{ series.number }}")
    document.add_paragraph("{{ body }}")
    document.add_paragraph("House back page")
    document.save(str(path))


@pytest.fixture
def logo(tmp_path):
    from PIL import Image

    path = tmp_path / "logo.png"
    Image.new("RGB", (40, 20), (200, 0, 0)).save(path)
    return path


def test_house_word_template_keeps_cover_styles_and_header(write_brief, tmp_path, logo):
    make_house_template(tmp_path / "house.docx", logo)
    path = write_brief("""
        title: House brief
        series: {number: "7/2024"}
        output: {word_template: house.docx, formats: [docx]}
        sections:
          - title: First section
            body: Body text.^[A note.]
    """, COMMON)
    out = build_brief(path, tmp_path / "out").outputs[0]
    document = docx.Document(str(out))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "House brief" and document.paragraphs[0].style.name == "Title"
    assert texts[1] == "By Samuel Bendett and Elsa B. Kania, 12 October 2019 — series 7/2024"
    assert texts[-1] == "House back page"
    assert texts.index("First section") < texts.index("House back page")
    assert "{{ body }}" not in texts
    # The contents, written at build time, lists it first; then the heading itself.
    heading = [p for p in document.paragraphs if p.text == "First section"][-1]
    assert heading.style.name == "Heading 1"
    assert document.styles["Heading 1"].font.color.rgb == RGBColor(0, 0x55, 0)
    assert document.styles["Title"].font.color.rgb == RGBColor(0x8B, 0, 0)
    header = document.sections[0].header
    assert "House header" in [p.text for p in header.paragraphs]
    assert header.part.rels and any("image" in r.reltype for r in header.part.rels.values())
    assert docx_notes(out, "endnotes") == ["A note."]
    # briefkit's own styles were added because the template lacked them.
    assert document.styles["Front Box Text"].type == WD_STYLE_TYPE.PARAGRAPH


@pytest.mark.needs("soffice")
def test_house_template_output_converts_in_libreoffice(write_brief, tmp_path, logo):
    make_house_template(tmp_path / "house.docx", logo)
    path = write_brief("title: House brief\noutput: {word_template: house.docx, formats: [docx]}\n"
                       "sections:\n  - title: First section\n    body: Body text.^[A note.]\n", COMMON)
    out = build_brief(path, tmp_path / "out").outputs[0]
    text = squash(pdf_text(libreoffice_pdf(out, tmp_path / "lo-out")))
    assert "House brief" in text and "First section" in text and "House back page" in text
    assert "A note." in text


def test_dotx_template_and_template_errors(write_brief, tmp_path, logo):
    make_house_template(tmp_path / "house.docx", logo)
    with zipfile.ZipFile(tmp_path / "house.docx") as source, \
            zipfile.ZipFile(tmp_path / "house.dotx", "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            target.writestr(name, data)
    path = write_brief("title: T\noutput: {word_template: house.dotx, formats: [docx]}\n", COMMON)
    out = build_brief(path, tmp_path / "out").outputs[0]
    assert docx.Document(str(out)).paragraphs[0].text == "T"

    document = docx.Document(str(tmp_path / "house.docx"))
    document.add_paragraph("{{ nonsense }}")
    document.save(str(tmp_path / "bad.docx"))
    path = write_brief("title: T\noutput: {word_template: bad.docx, formats: [docx]}\n", COMMON)
    with pytest.raises(BriefInvalid) as caught:
        build_brief(path, tmp_path / "out")
    assert "bad.docx: error: the placeholder {{ nonsense }} names nothing" in str(caught.value)

    (tmp_path / "fake.docx").write_text("not a zip")
    path = write_brief("title: T\noutput: {word_template: fake.docx, formats: [docx]}\n", COMMON)
    with pytest.raises(BriefInvalid) as caught:
        build_brief(path, tmp_path / "out")
    assert "fake.docx: error: not a Word document" in str(caught.value)


def test_template_lacking_a_builtin_style_gets_words_definition(write_brief, tmp_path):
    document = docx.Document()
    styles = document.styles.element
    for style in list(styles):
        name = style.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}name")
        if name is not None and name.get(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") == "heading 1":
            styles.remove(style)
    document.save(str(tmp_path / "plain.docx"))
    path = write_brief("title: T\noutput: {word_template: plain.docx, formats: [docx]}\n"
                       "sections:\n  - title: S\n    body: x\n", COMMON)
    # As Pandoc does: Word's built-in style is supplied, not refused (one rebuild per style).
    out = build_brief(path, tmp_path / "out").outputs[0]
    headings = [p for p in docx.Document(str(out)).paragraphs if p.text == "S"]
    assert headings[0].style.name == "Heading 1" and headings[0].style.font.bold is not False


@pytest.mark.needs('pdffonts')
def test_chinese_and_russian_print_with_real_glyphs(write_brief, tmp_path):
    out = build(write_brief, tmp_path, """
        title: Discourse power (话语权)
        sections:
          - title: Сколково
            body: The Chinese term 话语权 and the «Сколково» foundation.
    """)
    text = pdf_text(out["pdf"])
    assert "话语权" in text and "«Сколково»" in text
    # pdffonts: every font is embedded and has a Unicode map; a CJK font and briefkit's own
    # Noto faces are there, and no DejaVu (the system fallback a publication never shows).
    listing = subprocess.run(["pdffonts", str(out["pdf"])], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    fonts = {line.split()[0].split("+")[-1]: line.split()[-5:-2] for line in listing}
    assert all(flags == ["yes", "yes", "yes"] for flags in fonts.values()), fonts  # emb sub uni
    assert any("CJK" in name for name in fonts) and any("Noto-Serif" in name for name in fonts), fonts
    assert not any("DejaVu" in name for name in fonts), fonts
    # Each character is drawn with a real glyph (not glyph 0, the empty box) of a font that
    # has it: Chinese from the CJK font, Cyrillic and guillemets from the shipped Noto faces.
    covered = glyph_coverage(out["pdf"])
    assert set("话语权") <= set().union(*(c for name, c in covered.items() if "CJK" in name))
    assert set("«Сколво»") <= set().union(*(c for name, c in covered.items()
                                            if name.startswith("Noto-S") and "CJK" not in name))
    assert "Noto Sans CJK SC" in "".join(html_tree(out["html"]).xpath("//style/text()"))
    with zipfile.ZipFile(out["docx"]) as archive:
        styles = etree.fromstring(archive.read("word/styles.xml"))
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert defaults.get(f"{W}eastAsia") == "Noto Sans CJK SC"
    assert defaults.get(f"{W}eastAsiaTheme") is None  # a theme font would win over the name
    assert "话语权" in docx_text(out["docx"]) and "«Сколково»" in docx_text(out["docx"])


def glyph_coverage(pdf) -> dict[str, set[str]]:
    """Font name -> the characters its ToUnicode map gives a real glyph (not glyph 0)."""
    import re

    from pypdf import PdfReader

    covered: dict[str, set[str]] = {}
    for page in PdfReader(str(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            name = str(font["/BaseFont"]).split("+")[-1]
            for glyph, code in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", cmap.split("endcodespacerange")[1]):
                if int(glyph, 16):
                    covered.setdefault(name, set()).add(chr(int(code, 16)))
    return covered


def test_exported_layout_works_as_a_project_layout(tmp_path, write_brief):
    project = tmp_path
    (project / ".git").mkdir()
    runner = CliRunner()
    import os

    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = runner.invoke(cli, ["template", "export", "summary", "templates/house"])
        assert result.exit_code == 0, result.output
        css = project / "templates" / "house" / "css" / "03-summary.css"
        css.write_text(css.read_text() + "\n.layout-house h1 { color: #aa0000; }\n")
        result = runner.invoke(cli, ["layouts"])
        assert "house" in result.stdout
        path = write_brief("layout: house\ntitle: Housed\ndate: 2024-01-02\nsections:\n  - body: x\n")
        out = build_brief(path, project / "out", ["html"]).outputs[0]
        assert "#aa0000" in out.read_text()
        assert html_tree(out).xpath("//body[contains(@class, 'layout-house')]")
    finally:
        os.chdir(cwd)


@pytest.mark.needs("pdftoppm")
def test_exported_layout_looks_like_the_layout_it_was_copied_from(tmp_path, write_brief):
    """The flattened copy works on its own: the same brief gives the same pages and the same
    Word styles with the copy as with briefkit's own layout."""
    from visual import difference, render_pages

    from briefkit.layout.export import export

    (tmp_path / ".git").mkdir()
    export("summary", tmp_path / "templates" / "house", tmp_path)
    brief = """
        title: The Resilience of Sino-Russian High-Tech Cooperation
        links: {full_report: {label: Read the full article in War on the Rocks.}}
        related: [{kind: Podcast, title: A related piece, date: 2022-11-16, authors: [A. Author]}]
        sections:
          - body: |
              Text.

              ::: pullquote
              A pull quote.
              :::
    """
    built = {}
    for name in ("summary", "house"):
        path = write_brief(f"layout: {name}\n", brief, COMMON, name=f"briefs/{name}.yaml")
        built[name] = {p.suffix[1:]: p for p in build_brief(path, tmp_path / "out").outputs}
    for ours, theirs in zip(render_pages(built["summary"]["pdf"], (1,)),
                            render_pages(built["house"]["pdf"], (1,))):
        assert difference(ours, theirs) < 0.001
    styles = [[(p.style.name, p.text) for p in docx.Document(str(built[n]["docx"])).paragraphs]
              for n in ("summary", "house")]
    assert styles[0] == styles[1]


STARTER_SHOWS = {  # something each layout's starter shows that the others' do not
    "report": "What’s the problem?", "research": "Download the full paper",
    "commentary": "The piece in one or two sentences", "summary": "The sentence a reader should remember.",
}


@pytest.mark.parametrize("layout", sorted(STARTER_SHOWS))
def test_new_writes_a_starter_that_builds_without_warnings(tmp_path, monkeypatch, layout):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["new", "energy-security", "--layout", layout])
    assert result.exit_code == 0, result.output
    brief = tmp_path / "briefs" / "energy-security.yaml"
    assert f"layout: {layout}" in brief.read_text()
    before = brief.read_text()
    again = runner.invoke(cli, ["new", "energy-security", "--layout", layout])
    assert again.exit_code == 2 and "exists already" in again.output  # never overwritten
    assert brief.read_text() == before
    result = build_brief(brief, tmp_path / "out")
    assert not result.warnings.items, [str(w) for w in result.warnings.items]
    out = {p.suffix[1:]: p for p in result.outputs}
    assert set(out) == {"docx", "html", "pdf"}
    everywhere(out, "Energy security", STARTER_SHOWS[layout])


def test_layouts_lists_every_layout_with_a_line_each(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = CliRunner().invoke(cli, ["layouts"]).stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["commentary", "report", "research", "summary"]
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)  # each with its description


LAYOUTS = ["report", "research", "commentary", "summary"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_marks_a_draft_in_every_output(write_brief, tmp_path, layout):
    out = build(write_brief, tmp_path, f"""
        layout: {layout}
        title: Draft piece
        status: draft
        sections:
          - title: One
            body: "{'Text. ' * 1500}"
          - title: Two
            body: More text.
    """)
    banner = html_tree(out["html"]).xpath("//div[@class='draft-banner']")
    assert [b.text_content() for b in banner] == ["Draft: not for circulation"]
    pages = pdf_pages(out["pdf"])
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        assert "DRAFT" in page, f"page {number} of the {layout} PDF has no DRAFT mark"
    # Word: a watermark shape (Word's own kind) in the header of every kind of page; a
    # full-bleed cover (a section of its own) carries it across its colour, in front.
    document = docx.Document(str(out["docx"]))
    sections = list(document.sections)
    if load_layout(layout).settings.get("cover"):
        cover, *sections = sections
        assert len(document.tables[0]._tbl.xpath(
            ".//*[local-name()='shape'][contains(@id, 'PowerPlusWaterMarkObject')]"
            "/*[local-name()='textpath'][@string='DRAFT']")) == 1
    for section in sections:
        headers = [section.header] + ([section.first_page_header]
                                      if section.different_first_page_header_footer else [])
        for header in headers:
            xml = header._element.xml
            assert 'id="PowerPlusWaterMarkObject' in xml and 'string="DRAFT"' in xml


def test_final_status_marks_nothing(write_brief, tmp_path):
    out = build(write_brief, tmp_path, """
        layout: summary
        title: Final piece
        status: final
        sections: [{body: Text.}]
    """)
    assert not html_tree(out["html"]).xpath("//div[@class='draft-banner']")
    assert "DRAFT" not in pdf_text(out["pdf"]) and "REVIEW" not in pdf_text(out["pdf"])
    with zipfile.ZipFile(out["docx"]) as archive:
        assert not any("PowerPlusWaterMarkObject" in archive.read(n).decode()
                       for n in archive.namelist() if n.startswith("word/header"))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_shows_the_logo_on_the_title_page_and_in_the_html_header(
        write_brief, tmp_path, logo, layout):
    (tmp_path / "assets").mkdir()
    shutil.copy(logo, tmp_path / "assets" / "house-logo.png")
    path = write_brief(f"""
        layout: {layout}
        title: With a logo
        date: 2024-01-02
        publisher: {{name: Example Institute, logo: assets/house-logo.png}}
        sections: [{{title: One, body: Text.}}]
    """)
    out = {p.suffix[1:]: p for p in build_brief(path, tmp_path / "out").outputs}
    tree = html_tree(out["html"])
    logos = tree.xpath("//header//img[contains(@class,'logo')]")
    assert len(logos) == 1 and logos[0].get("src").startswith("data:image/png;base64,")
    assert logos[0].get("alt") == "Example Institute"
    from pypdf import PdfReader

    first = PdfReader(str(out["pdf"])).pages[0]
    assert len(first.images) == 1 and "With a logo" in first.extract_text()
    document = docx.Document(str(out["docx"]))
    paragraphs = docx_paragraphs(document)  # a cover is a shaded table
    with_picture = [i for i, p in enumerate(paragraphs) if p._p.xpath(".//pic:pic")]
    title = next(i for i, p in enumerate(paragraphs) if p.style.name == "Title")
    assert len(with_picture) == 1 and with_picture[0] < title


@pytest.mark.needs('pdffonts')
def test_house_html_templates_override_a_part_extend_the_page_and_add_css(write_brief, tmp_path):
    house = tmp_path / "house"
    (house / "parts").mkdir(parents=True)
    (house / "parts" / "categories.html").write_text(
        '<p class="house-categories">Filed under {{ doc.categories | join(" / ") }}</p>\n')
    (house / "document.html").write_text(
        '{% extends "base/document.html" %}\n'
        '{% block head %}<meta name="house" content="Example House">{% endblock %}\n')
    (house / "house.css").write_text(".layout-commentary h1.title { color: #7a1f5c; }\n")
    out = build(write_brief, tmp_path, """
        layout: commentary
        title: Housed article
        output: {html_template: house}
        theme: {colors: {primary: "#224466"}, fonts: {body: DejaVu Serif}}
        sections: [{title: One, body: Text.}]
    """)
    for medium in ("html",):
        tree = html_tree(out[medium])
        assert tree.xpath("//meta[@name='house']/@content") == ["Example House"]
        assert [squash(p.text_content()) for p in tree.xpath("//p[@class='house-categories']")] == [
            "Filed under Science and Technology / China / Russia"]
        assert not tree.xpath("//section[@class='categories']")  # the layout's part is replaced
        css = "".join(tree.xpath("//style/text()"))
        assert css.index(".layout-commentary h1.title { color: #7a1f5c; }") > css.index("commentary layout")
        assert "--primary: #224466;" in css and '--font-body: "DejaVu Serif"' in css
    assert "Filed under Science and Technology / China / Russia" in squash(pdf_text(out["pdf"]))
    fonts = subprocess.run(["pdffonts", str(out["pdf"])], capture_output=True, text=True).stdout
    assert "DejaVu-Serif" in fonts  # the theme's body font reached the PDF


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
V_NS = 'xmlns:v="urn:schemas-microsoft-com:vml"'


def split_runs(paragraph, *pieces):
    for piece in pieces:
        paragraph.add_run(piece)


def make_cover_template(path):
    """A house template as Word writes covers: the title in a text box, the kicker in a content
    control, the subtitle in a hyperlink, placeholders split over runs, and its own first-page,
    even-page and default headers and footers."""
    from docx.oxml import parse_xml

    document = docx.Document()
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    section.different_first_page_header_footer = True
    split_runs(section.first_page_header.paragraphs[0], "{{ publ", "isher.name }} · No. {{ series.",
               "number }}")
    split_runs(section.even_page_header.paragraphs[0], "Even page: {{", " title }}")
    split_runs(section.header.paragraphs[0], "Odd page: {{ title }}")
    split_runs(section.footer.paragraphs[0], "{{ date }} · {{ au", "thors }}")
    split_runs(section.first_page_footer.paragraphs[0], "Version {{ version }}")
    split_runs(section.even_page_footer.paragraphs[0], "© {{ publisher.name }}")
    body = document.element.body
    box = parse_xml(
        f'<w:p {W_NS} {V_NS}><w:r><w:pict><v:shape style="width:400pt;height:80pt">'
        f'<v:textbox><w:txbxContent><w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr>'
        f'<w:r><w:t>{{{{ ti</w:t></w:r><w:r><w:t>tle }}}}</w:t></w:r></w:p></w:txbxContent>'
        f'</v:textbox></v:shape></w:pict></w:r></w:p>')
    control = parse_xml(
        f'<w:sdt {W_NS}><w:sdtPr><w:alias w:val="Kicker"/></w:sdtPr><w:sdtContent><w:p>'
        f'<w:r><w:t>{{{{ kicker }}}}</w:t></w:r></w:p></w:sdtContent></w:sdt>')
    linked = parse_xml(
        f'<w:p {W_NS}><w:hyperlink w:anchor="top"><w:r><w:t>{{{{ sub</w:t></w:r>'
        f'<w:r><w:t>title }}}}</w:t></w:r></w:hyperlink></w:p>')
    for element in (box, control, linked):
        body.insert(len(body) - 1, element)
    document.add_paragraph("{{ body }}")
    document.add_paragraph("Back cover")
    document.save(str(path))


def header_texts(part) -> str:
    return "".join(t.text or "" for t in part._element.iter(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))


def test_house_cover_in_text_boxes_and_every_header_and_footer_variant_is_filled(write_brief, tmp_path):
    make_cover_template(tmp_path / "cover.docx")
    path = write_brief("""
        kicker: Policy brief
        title: House brief
        subtitle: The subtitle
        version: "2.1"
        series: {number: "7/2024"}
        output: {word_template: cover.docx, formats: [docx]}
        sections:
          - title: First section
            body: Body text.
    """, COMMON)
    out = build_brief(path, tmp_path / "out").outputs[0]
    with zipfile.ZipFile(out) as archive:
        parts = {n: archive.read(n).decode() for n in archive.namelist()
                 if n.startswith(("word/document", "word/header", "word/footer"))}
    assert not [n for n, xml in parts.items() if "{{" in xml], "a placeholder was left unfilled"
    document = docx.Document(str(out))
    body = "".join(header_texts(document))
    for text in ("House brief", "Policy brief", "The subtitle"):
        assert text in body
    section = document.sections[0]
    assert header_texts(section.first_page_header) == "Example Outlet · No. 7/2024"
    assert header_texts(section.even_page_header) == "Even page: House brief"
    assert header_texts(section.header) == "Odd page: House brief"
    assert header_texts(section.footer) == "12 October 2019 · Samuel Bendett and Elsa B. Kania"
    assert header_texts(section.first_page_footer) == "Version 2.1"
    assert header_texts(section.even_page_footer) == "© Example Outlet"
    texts = [(p.style.name, p.text) for p in document.paragraphs]
    # The template's cover has the title: briefkit's own title page is left out.
    assert ("Title", "House brief") not in texts
    assert texts.index(("Heading 1", "First section")) < texts.index(("Normal", "Back cover"))


def test_house_template_placeholder_errors_name_the_template_and_the_place(write_brief, tmp_path):
    document = docx.Document()
    split_runs(document.sections[0].footer.paragraphs[0], "{{ tit", "el }}")
    document.add_paragraph("Text {{ body }}")
    document.add_paragraph("{{ title | upper }}")
    document.save(str(tmp_path / "typo.docx"))
    path = write_brief("title: T\noutput: {word_template: typo.docx, formats: [docx]}\n", COMMON)
    with pytest.raises(BriefInvalid) as caught:
        build_brief(path, tmp_path / "out")
    message = str(caught.value)
    assert ("typo.docx: error: the placeholder {{ titel }} names nothing briefkit knows "
            "(footer of section 1, paragraph 1)") in message
    assert "typo.docx: error: {{ body }} (body, paragraph 1) must be alone in its paragraph" in message
    assert "the placeholder {{ title | upper }} names nothing" in message


def test_draft_watermark_goes_into_the_house_header(write_brief, tmp_path, logo):
    make_house_template(tmp_path / "house.docx", logo)
    path = write_brief("title: House draft\nstatus: review\n"
                       "output: {word_template: house.docx, formats: [docx]}\n", COMMON)
    out = build_brief(path, tmp_path / "out").outputs[0]
    header = docx.Document(str(out)).sections[0].header
    assert "House header" in [p.text for p in header.paragraphs]
    assert 'string="REVIEW"' in header._element.xml


@pytest.mark.needs("soffice", "pdftoppm")
def test_docx_draft_watermark_is_drawn_by_libreoffice(write_brief, tmp_path):
    from PIL import Image

    path = write_brief("layout: commentary\ntitle: Draft piece\nstatus: draft\n"
                       "output: {formats: [docx]}\nsections: [{body: Text.}]\n", COMMON)
    out = build_brief(path, tmp_path / "out").outputs[0]
    converted = libreoffice_pdf(out, tmp_path / "lo-out")
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1",
                    str(converted), str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    width, height = image.size
    # The watermark's pale red (#f4c7cf at half opacity) covers a good part of the page.
    pink = sum(1 for x in range(width) for y in range(height)
               if (lambda r, g, b: r > 240 and r - g > 12 and r - b > 8)(*image.getpixel((x, y))))
    assert pink > 0.03 * width * height, "no watermark drawn on page 1"
