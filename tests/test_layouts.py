"""Each layout shows what its source shows, in DOCX, HTML and PDF; a house Word template keeps
its cover, styles and header; non-Latin text prints with real glyphs; a layout can be exported
and used without Python."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import docx
import pytest
from click.testing import CliRunner
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt, RGBColor
from readers import docx_notes, docx_text, html_tree, pdf_text, squash

from briefkit.cli import cli
from briefkit.diagnostics import BriefInvalid
from briefkit.pipeline import build_brief

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


def test_commentary_shows_standfirst_byline_titles_categories_and_footnotes(write_brief, tmp_path):
    out = build(write_brief, tmp_path, """
        layout: commentary
        title: China, Russia Deepen Technological Ties
        standfirst: With joint dialogues, incubators, and technology parks, Beijing and Moscow compete.
        sections:
          - title: Ties
            body: China and Russia are deepening their ties.^[On the ties.]
    """)
    everywhere(out, "With joint dialogues, incubators", "Adjunct Senior Fellow", "Related categories",
               "China and Russia are deepening their ties.", "12 October 2019", "Example Outlet")
    tree = html_tree(out["html"])
    assert tree.xpath("//div[contains(@class,'article-head')]//p[@class='byline']")
    assert tree.xpath("//div[@class='standfirst']")
    assert not tree.xpath("//nav[@id='contents']")  # no contents page for an article
    assert docx_notes(out["docx"], "footnotes") == ["On the ties."]
    text = pdf_text(out["pdf"])
    first_page = text.split("\f")[0]
    assert "China, Russia Deepen Technological Ties" in first_page and "deepening their ties" in first_page


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
          full_report: {url: "full.pdf"}
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
    assert tree.xpath("//p[@class='call-to-action']/a/@href") == ["full.pdf"]
    numbered = [p for p in docx.Document(str(out["docx"])).paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == ["First takeaway.", "Second takeaway.", "Third takeaway."]
    # The executive summary comes before the body, on the page after the cover.
    text = pdf_text(out["pdf"])
    assert text.index("The summary of the research.") < text.index("Text.")


def test_summary_shows_pull_quote_call_to_action_and_related_items(write_brief, tmp_path):
    out = build(write_brief, tmp_path, """
        layout: summary
        title: The Resilience of Sino-Russian High-Tech Cooperation
        links:
          full_report: {label: Read the full article in War on the Rocks., url: "https://example.org/article"}
        related:
          - title: Taking on China and Russia
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
               "18 November 2022", "Richard Fontaine")
    tree = html_tree(out["html"])
    assert tree.xpath("//aside[@class='pullquote']")
    assert tree.xpath("//p[@class='call-to-action']/a/@href") == ["https://example.org/article"]
    assert tree.xpath("//section[@id='related']//time[@datetime='2022-11-18']")
    styles = {p.style.name for p in docx.Document(str(out["docx"])).paragraphs}
    assert "Pull Quote" in styles


def test_report_shows_front_box_contents_and_endnotes(write_brief, tmp_path):
    out = build(write_brief, tmp_path, """
        title: A report
        summary: {problem: The problem., solution: The solution.}
        sections:
          - title: Body
            body: Text.^[A note.]
    """)
    everywhere(out, "What's the problem?", "What's the solution?", "Contents")
    assert docx_notes(out["docx"], "endnotes") == ["A note."]


def test_keys_a_layout_does_not_show_are_warned_about(write_brief):
    path = write_brief("""
        layout: summary
        title: T
        date: 2024-01-02
        acronyms: {AI: artificial intelligence}
    """)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 0
    assert "warning: acronyms: 'acronyms' is not shown by the 'summary' layout" in result.stderr


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
    heading = next(p for p in document.paragraphs if p.text == "First section")
    assert heading.style.name == "Heading 1"
    assert document.styles["Heading 1"].font.color.rgb == RGBColor(0, 0x55, 0)
    assert document.styles["Title"].font.color.rgb == RGBColor(0x8B, 0, 0)
    header = document.sections[0].header
    assert "House header" in [p.text for p in header.paragraphs]
    assert header.part.rels and any("image" in r.reltype for r in header.part.rels.values())
    assert docx_notes(out, "endnotes") == ["A note."]
    # briefkit's own styles were added because the template lacked them.
    assert document.styles["Front Box Text"].type == WD_STYLE_TYPE.PARAGRAPH


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_house_template_output_converts_in_libreoffice(write_brief, tmp_path, logo):
    make_house_template(tmp_path / "house.docx", logo)
    path = write_brief("title: House brief\noutput: {word_template: house.docx, formats: [docx]}\n"
                       "sections:\n  - title: First section\n    body: Body text.^[A note.]\n", COMMON)
    out = build_brief(path, tmp_path / "out").outputs[0]
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path / "lo-out"), str(out)],
                   check=True, capture_output=True, timeout=180)
    text = squash(pdf_text(tmp_path / "lo-out" / f"{out.stem}.pdf"))
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


def test_template_lacking_a_needed_style_is_an_error(write_brief, tmp_path):
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
    with pytest.raises(BriefInvalid) as caught:
        build_brief(path, tmp_path / "out")
    assert "plain.docx: error: the Word template lacks the style 'Heading 1'" in str(caught.value)


def test_chinese_and_russian_print_with_real_glyphs(write_brief, tmp_path):
    out = build(write_brief, tmp_path, """
        title: Discourse power (话语权)
        sections:
          - title: Сколково
            body: The Chinese term 话语权 and the «Сколково» foundation.
    """)
    text = pdf_text(out["pdf"])
    assert "话语权" in text and "«Сколково»" in text
    fonts = subprocess.run(["pdffonts", str(out["pdf"])], capture_output=True, text=True).stdout
    assert "CJK" in fonts, fonts  # a font that has the Chinese glyphs is embedded
    assert "DejaVu" in fonts
    with zipfile.ZipFile(out["docx"]) as archive:
        assert 'w:eastAsia="Noto Sans CJK SC"' in archive.read("word/styles.xml").decode()
    assert "话语权" in docx_text(out["docx"])


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
        css = project / "templates" / "house" / "css" / "summary.css"
        css.write_text(css.read_text() + "\n.layout-house h1 { color: #aa0000; }\n")
        result = runner.invoke(cli, ["layouts"])
        assert "house" in result.stdout
        path = write_brief("layout: house\ntitle: Housed\ndate: 2024-01-02\nsections:\n  - body: x\n")
        out = build_brief(path, project / "out", ["html"]).outputs[0]
        assert "#aa0000" in out.read_text()
        assert html_tree(out).xpath("//body[contains(@class, 'layout-house')]")
    finally:
        os.chdir(cwd)


def test_new_writes_a_starter_that_builds(tmp_path):
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        runner = CliRunner()
        result = runner.invoke(cli, ["new", "energy-security", "--layout", "research"])
        assert result.exit_code == 0
        assert runner.invoke(cli, ["new", "energy-security"]).exit_code == 2  # no overwrite
        out = build_brief(tmp_path / "briefs" / "energy-security.yaml", tmp_path / "out").outputs
        assert {p.suffix for p in out} == {".docx", ".html", ".pdf"}
        assert "Energy security" in html_tree(next(p for p in out if p.suffix == ".html")).findtext(".//h1")
    finally:
        os.chdir(cwd)
