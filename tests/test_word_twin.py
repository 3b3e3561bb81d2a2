"""The DOCX reads as the PDF's twin: a full-bleed cover, the front box as one shaded block that
holds its lists, takeaways beside large numerals, quotes under their rules, related items apart,
the design's page and faces — the faces embedded so the file looks the same where they are not
installed."""

from __future__ import annotations

import zipfile

import docx
from docx.shared import Mm
from lxml import etree

from briefkit.layout.design import load_design
from briefkit.layout.folders import load_layout
from briefkit.builder.batch import build_brief
from briefkit.render.word.fonts import obfuscate

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

BRIEF = """
    title: Twin
    date: 2020-09-01
    layout: {layout}
    publisher: {{name: Example Institute}}
    summary:
      problem: |
        The problem.

        - first point
        - second point
      solution: The solution.
    key_takeaways: [One thing., Another thing.]
    sections:
      - title: Body
        body: |
          > A quotation.

          ::: pullquote
          A pull quote.
          :::
"""


def build(write_brief, tmp_path, layout: str):
    path = write_brief(BRIEF.format(layout=layout))
    out = build_brief(path, tmp_path / "out", ["docx"]).outputs[0]
    return docx.Document(str(out)), out


def cell_fill(cell) -> str | None:
    shd = cell._tc.find(f"{W}tcPr/{W}shd")
    return None if shd is None else shd.get(f"{W}fill")


def test_report_cover_is_a_full_bleed_page_of_the_primary_colour(write_brief, tmp_path):
    document, _ = build(write_brief, tmp_path, "report")
    cover = document.tables[0]
    assert {cell_fill(row.cells[0]) for row in cover.rows} == {"1D3557"}
    assert "Twin" in cover.cell(0, 0).text and "Example Institute" in cover.cell(1, 0).text
    first, body = document.sections[0], document.sections[-1]
    assert len(document.sections) == 2
    assert (first.left_margin, first.top_margin, first.right_margin) == (0, 0, 0)
    heights = sum(row.height for row in cover.rows)
    assert Mm(285) < heights < first.page_height
    # the body keeps the design's margins, the same as the PDF's @page (design.yaml)
    page = load_design(load_layout("report")).page_setup()
    assert round(body.left_margin.mm) == round(page["left"])
    assert round(body.right_margin.mm) == round(page["right"])


def test_front_box_is_one_shaded_block_holding_its_lists(write_brief, tmp_path):
    document, _ = build(write_brief, tmp_path, "report")
    box = next(t for t in document.tables if "The problem." in t.cell(0, 0).text)
    cell = box.cell(0, 0)
    assert len(box.rows) == 1 and cell_fill(cell) == "EEF3F7"
    assert cell._tc.find(f"{W}tcPr/{W}tcBorders/{W}top") is not None  # its rule
    texts = [p.text for p in cell.paragraphs]
    assert texts == ["What’s the problem?", "The problem.", "first point", "second point",
                     "What’s the solution?", "The solution."]


def test_research_takeaways_are_a_numbered_list_beside_large_numerals(write_brief, tmp_path):
    """Not a table of typed numbers: paragraphs of a numbered list style an editor extends,
    whose number is set large in the accent (research.css's numerals)."""
    assert load_layout("research").settings.get("takeaways") == "numerals"
    document, _ = build(write_brief, tmp_path, "research")
    assert not any("One thing." in t._tbl.xml for t in document.tables)
    items = [p for p in document.paragraphs if p.text in ("One thing.", "Another thing.")]
    assert [p.style.name for p in items] == ["Takeaway", "Takeaway"]
    num_ids = {str(p._p.pPr.numPr.numId.val) for p in items}
    assert len(num_ids) == 1  # one list, counted from 1
    (num_id,) = num_ids
    numbering = document.part.numbering_part.element
    num = next(n for n in numbering.findall(f"{W}num") if n.get(f"{W}numId") == num_id)
    assert num.find(f"{W}lvlOverride/{W}startOverride").get(f"{W}val") == "1"
    abstract_id = num.find(f"{W}abstractNumId").get(f"{W}val")
    level = next(a for a in numbering.findall(f"{W}abstractNum")
                 if a.get(f"{W}abstractNumId") == abstract_id).find(f"{W}lvl")
    assert level.find(f"{W}numFmt").get(f"{W}val") == "decimal"
    assert int(level.find(f"{W}rPr/{W}sz").get(f"{W}val")) >= 40  # 20 pt and up
    assert level.find(f"{W}rPr/{W}color").get(f"{W}val") == "0B7A75"  # the accent


def test_quotes_and_pull_quotes_carry_their_rules(write_brief, tmp_path):
    document, _ = build(write_brief, tmp_path, "report")
    quote = document.styles["Quote"].element.find(f"{W}pPr/{W}pBdr")
    pull = document.styles["Pull Quote"].element.find(f"{W}pPr/{W}pBdr")
    assert quote is not None and quote.find(f"{W}left") is not None
    assert pull is not None and {c.tag for c in pull} == {f"{W}top", f"{W}bottom"}
    summary, _ = build(write_brief, tmp_path / "s", "summary")  # summary.css: a left rule
    pull = summary.styles["Pull Quote"].element.find(f"{W}pPr/{W}pBdr")
    assert pull is not None and pull.find(f"{W}left") is not None


def test_design_faces_are_named_and_embedded(write_brief, tmp_path):
    document, path = build(write_brief, tmp_path, "report")
    # the body text is the document defaults (Normal adds nothing, so a table style's face
    # reaches its cells); headings name their face
    defaults = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert defaults.get(f"{W}ascii") == "Noto Serif" and document.styles["Normal"].font.name is None
    assert document.styles["Heading 1"].font.name == "Noto Sans"
    with zipfile.ZipFile(path) as archive:
        table = etree.fromstring(archive.read("word/fontTable.xml"))
        rels = etree.fromstring(archive.read("word/_rels/fontTable.xml.rels"))
        assert b"embedTrueTypeFonts" in archive.read("word/settings.xml")
        targets = {r.get("Id"): r.get("Target") for r in rels}
        embedded = {}
        for font in table.findall(f"{W}font"):
            for embed in font:
                if embed.tag.startswith(f"{W}embed"):
                    data = archive.read("word/" + targets[embed.get(f"{R}id")])
                    # de-obfuscated with its key, it is a TrueType font again
                    plain = obfuscate(data, embed.get(f"{W}fontKey"))
                    assert plain[:4] == b"\x00\x01\x00\x00" and data[:4] != plain[:4]
                    embedded.setdefault(font.get(f"{W}name"), []).append(embed.tag[len(W):])
        assert "[Content_Types].xml" in archive.namelist()
        assert b"obfuscatedFont" in archive.read("[Content_Types].xml")
    assert set(embedded["Noto Serif"]) == {"embedRegular", "embedBold", "embedItalic",
                                           "embedBoldItalic"}
    assert "Noto Sans" in embedded


def test_a_house_template_keeps_its_own_first_page(write_brief, tmp_path):
    """The full-bleed cover is briefkit's own page setup: a house template's is kept."""
    house = docx.Document()
    house.add_paragraph("House cover")
    house.add_paragraph("{{ body }}")
    house.save(str(tmp_path / "house.docx"))
    path = write_brief(BRIEF.format(layout="report") + "    output: {word_template: house.docx}\n")
    out = build_brief(path, tmp_path / "out", ["docx"]).outputs[0]
    document = docx.Document(str(out))
    assert len(document.sections) == 1
    assert all(cell_fill(t.cell(0, 0)) != "1D3557" for t in document.tables)
