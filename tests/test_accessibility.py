"""Outputs every reader accepts: axe-core in Chromium finds no serious or critical violation in
any example's HTML (wide and at 320 px), every PDF is tagged PDF/UA-1 with headings in order and
alt text on figures, and every DOCX has Word headings and a contents field that updates on open.

PDF/UA is checked here by reading the structure tree (veraPDF cannot be installed from the
package registries this project may use)."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import example_briefs
from pypdf import PdfReader

A11Y = Path(__file__).parent / "a11y"
EXAMPLES = example_briefs()
IDS = [p.parent.name if p.name == "brief.yaml" else p.stem for p in EXAMPLES]

needs_browser = pytest.mark.needs("axe")


def axe(html: Path, width: int) -> dict:
    result = subprocess.run(["node", str(A11Y / "axe.js"), str(html), str(width)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@needs_browser
@pytest.mark.parametrize("brief", EXAMPLES, ids=IDS)
def test_axe_finds_no_serious_violation(examples, brief):
    for width in (1280, 320):
        report = axe(examples[brief]["html"], width)
        serious = [v for v in report["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], f"at {width}px: {serious}"
        assert not report["horizontalScroll"], f"the page scrolls sideways at {width}px"


@needs_browser
def test_axe_does_find_violations_in_a_broken_page(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<html><body><img src="x.png"><p style="color:#ccc">faint</p></body></html>')
    found = {v["id"] for v in axe(page, 1280)["violations"]}
    assert {"image-alt", "html-has-lang", "color-contrast"} <= found


def structure(reader: PdfReader) -> list[tuple[str, object]]:
    """(structure type, /Alt) of every element of the PDF's structure tree, in order."""
    found = []

    def walk(node):
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        if node.get("/S"):
            found.append((str(node["/S"]), node.get("/Alt")))
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
            walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


@pytest.mark.parametrize("brief", EXAMPLES, ids=IDS)
def test_pdf_is_tagged_pdf_ua_with_language_title_and_ordered_headings(examples, brief):
    reader = PdfReader(str(examples[brief]["pdf"]))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert str(root["/Lang"]).startswith("en")
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title
    assert "pdfuaid" in root["/Metadata"].get_object().get_data().decode("utf-8")
    elements = structure(reader)
    headings = [int(kind[2]) for kind, _ in elements if kind[:2] == "/H" and kind[2:].isdigit()]
    assert headings[0] == 1 and headings.count(1) == 1
    for before, after in zip(headings, headings[1:]):
        assert after <= before + 1, f"heading level jumps from {before} to {after}"
    for kind, alt in elements:
        if kind == "/Figure":
            assert alt, "a figure without alternative text"
    assert reader.outline, "no bookmarks"
    assert len(reader.pages[1].extract_text()) > 100  # real text, not pictures of text


def test_pdf_figure_carries_its_alt_text(examples):
    brief = next(b for b in EXAMPLES if b.parent.name == "tech-ties")
    figures = [alt for kind, alt in structure(PdfReader(str(examples[brief]["pdf"])))
               if kind == "/Figure"]
    assert figures and "Three mechanisms of cooperation" in str(figures[0])


@pytest.mark.parametrize("brief", EXAMPLES, ids=IDS)
def test_docx_has_heading_styles_and_a_contents_written_at_build_time(examples, brief):
    from readers import docx_paragraphs

    from briefkit.builder.pipeline import prepare

    path = examples[brief]["docx"]
    document = docx.Document(str(path))
    styled = {(p.style.name, p.text) for p in docx_paragraphs(document)}
    source = prepare(brief).document
    assert ("Title", source.title) in styled
    for section in source.all_sections():  # every titled section is in the navigation pane
        if section.title:
            assert (f"Heading {section.level}", section.title) in styled, section.title
    with zipfile.ZipFile(path) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
        settings = archive.read("word/settings.xml").decode("utf-8")
    # The contents is there on opening, a TOC field's result: nothing asks Word to update.
    assert "updateFields" not in settings and "w:dirty" not in body
    entries = [p.text for p in docx_paragraphs(document) if p.style.name.startswith("toc")]
    # each entry: its title, a tab, then its page number (a PAGEREF's cached result)
    assert [e.rsplit("\t", 1)[0] for e in entries] == [
        e.text for entry in source.contents for e in [entry, *entry.children]]
    assert all(re.fullmatch(r"\d+", e.rsplit("\t", 1)[1]) for e in entries)


def test_html_landmarks_and_note_roles(examples):
    from readers import html_tree

    brief = next(b for b in EXAMPLES if b.parent.name == "tech-ties")
    tree = html_tree(examples[brief]["html"])
    assert len(tree.xpath("/html/body/header")) == 1 and len(tree.xpath("/html/body/main")) == 1
    assert len(tree.xpath("/html/body/footer")) == 1
    assert tree.xpath("//main//nav[@id='contents']")
    assert len(tree.xpath("//h1")) == 1
    assert tree.xpath("//section[@role='doc-endnotes']//a[@role='doc-backlink']")
    assert tree.xpath("//img[@alt]")[0].get("alt").startswith("Three mechanisms")


def test_figure_without_alt_text_is_an_error_unless_decorative(write_brief, tmp_path):
    from briefkit.core.diagnostics import BriefInvalid
    from briefkit.builder.pipeline import prepare

    (tmp_path / "pic.png").write_bytes((A11Y.parent.parent / "briefs" / "tech-ties" / "assets"
                                        / "mechanisms.png").read_bytes())
    path = write_brief("""
        title: T
        date: 2024-01-02
        sections:
          - title: S
            body: |
              ![](pic.png)
    """)
    with pytest.raises(BriefInvalid) as caught:
        prepare(path)
    assert "brief.yaml:6:11" in str(caught.value) and "no alternative text" in str(caught.value)
    path.write_text(path.read_text().replace("![](pic.png)", "![](pic.png){.decorative}"))
    assert prepare(path).document.sections[0].body
