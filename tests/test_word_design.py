"""The Word twin holds the design wherever an editor goes: the theme names the design's faces and
colours, the document defaults are the body text, every style an editor reaches (Heading 1-9 and
their linked character styles, Hyperlink, Caption, TOC 1-9, the table style, lists) is the
design's, the catalogue holds nothing off the design, and tables, figures and items carry what
print shows (column alignment, a figure kept with its caption, the findings' rule and label).
Read back from the files with python-docx and lxml; a French brief's house Word template
prints its date and byline in French."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import Mm, Pt
from lxml import etree

from briefkit.builder.batch import build_brief
from briefkit.layout.design import load_design
from briefkit.layout.folders import load_layout

ROOT = Path(__file__).resolve().parents[1]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"

BRIEF = """
title: Design in Word
date: 2020-09-01
layout: report
theme: {colors: {accent: "#aa3300"}}
findings:
  - id: one
    title: The first
    text: |
      A finding with a [link](https://example.org).

      A second paragraph.
sections:
  - title: Tables and figures
    body: |
      | Area | Example | Year |
      |:-----|:-------:|-----:|
      | Parks | A long example of a park | 2006 |

      : Figures by year.

      ![A chart of parks](chart.png)

      ![Another chart](chart.png)
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("design")
    (folder / "brief.yaml").write_text(BRIEF, encoding="utf-8")
    shutil.copy(ROOT / "briefs" / "tech-ties" / "assets" / "mechanisms.png", folder / "chart.png")
    out = build_brief(folder / "brief.yaml", folder / "out", ["docx"]).outputs[0]
    with zipfile.ZipFile(out) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    return docx.Document(str(out)), parts


def design():
    return load_design(load_layout("report"), {"colors": {"accent": "#aa3300"}})


def test_the_theme_names_the_designs_faces_and_colours(built):
    _, parts = built
    theme = etree.fromstring(parts["word/theme/theme1.xml"])
    tokens = design()
    assert theme.find(f".//{A}majorFont/{A}latin").get("typeface") == tokens.display_face
    assert theme.find(f".//{A}minorFont/{A}latin").get("typeface") == tokens.text_face
    colours = {slot.tag[len(A) :]: slot[0].get("val") for slot in theme.find(f".//{A}clrScheme")}
    assert colours["accent1"] == tokens.color("primary") == colours["dk2"]
    assert colours["accent2"] == colours["hlink"] == "AA3300"  # the brief's theme: too
    assert "Calibri" not in parts["word/theme/theme1.xml"].decode()


def test_document_defaults_are_the_body_text_with_widow_control(built):
    document, _ = built
    defaults = document.styles.element.find(f"{W}docDefaults")
    rpr, ppr = defaults.find(f"{W}rPrDefault/{W}rPr"), defaults.find(f"{W}pPrDefault/{W}pPr")
    tokens = design()
    assert rpr.find(f"{W}rFonts").get(f"{W}ascii") == tokens.text_face
    assert rpr.find(f"{W}sz").get(f"{W}val") == str(round(float(tokens.get("type", "body")) * 2))
    assert ppr.find(f"{W}widowControl") is not None


def test_deeper_headings_links_and_captions_are_on_the_design(built):
    """What an editor reaches for: Heading 4-9, their linked character styles, Hyperlink."""
    document, _ = built
    tokens = design()
    palette = {tokens.color(name) for name in tokens.tokens["colors"]}
    for n in range(1, 10):
        heading = document.styles[f"Heading {n}"]
        assert heading.font.name == tokens.display_face, n
        assert str(heading.font.color.rgb) in palette, n
        linked = document.styles[f"Heading {n} Char"]
        assert (
            linked.font.name == heading.font.name
            and linked.font.color.rgb == heading.font.color.rgb
        )
    assert str(document.styles["Heading 4"].font.color.rgb) == tokens.color("primary")
    for name in ("Hyperlink", "FollowedHyperlink"):
        link = document.styles[name]
        assert str(link.font.color.rgb) == "AA3300" and not link.font.underline
    assert document.styles["Caption"].font.name == tokens.display_face
    for n in range(1, 10):  # the contents' levels: page numbers at the text's right edge
        (tab,) = document.styles[f"toc {n}"].paragraph_format.tab_stops
        assert abs(tab.position - Mm(tokens.text_width_mm())) < Mm(0.5)


def test_header_and_footer_tabs_stand_within_the_text_width(built):
    document, _ = built
    width = Mm(design().text_width_mm())
    for name in ("Header", "Footer"):
        stops = [t.position for t in document.styles[name].paragraph_format.tab_stops]
        assert stops and max(stops) <= width + Mm(0.5), name


def test_the_catalogue_holds_only_what_is_on_the_design(built):
    document, parts = built
    names = {s.name for s in document.styles}
    assert not any(name.startswith(("Light ", "Medium ", "Dark ", "Colorful ")) for name in names)
    assert {"Table", "Table Caption", "List Bullet", "List Number", "Quote", "TOC Heading"} <= names
    assert "word/stylesWithEffects.xml" not in parts
    settings = etree.fromstring(parts["word/settings.xml"])  # an editor's new table is the house's
    assert (
        settings.find(f"{W}defaultTableStyle").get(f"{W}val") == document.styles["Table"].style_id
    )


def test_tables_carry_their_column_alignment_face_and_header(built):
    document, _ = built
    table = document.tables[-1]
    assert table.style.name == "Table"
    header, row = table.rows
    assert header._tr.find(f"{W}trPr/{W}tblHeader") is not None
    aligns = [cell.paragraphs[0].alignment for cell in row.cells]
    assert [a if a is None else int(a) for a in aligns] == [0, 1, 2]  # left, centre, right
    style = document.styles["Table"].element
    assert style.find(f"{W}rPr/{W}rFonts").get(f"{W}ascii") == design().display_face
    first_row = style.find(f"{W}tblStylePr[@{W}type='firstRow']")
    assert first_row.find(f"{W}tcPr/{W}tcBorders/{W}bottom") is not None
    # the long column is wider than the year's, as a browser lays the table out
    widths = [cell.width for cell in row.cells]
    assert widths[1] > widths[2]
    caption = table._tbl.getprevious()
    assert (
        caption.find(f"{W}pPr/{W}pStyle").get(f"{W}val")
        == document.styles["Table Caption"].style_id
    )
    assert document.styles["Table Caption"].paragraph_format.keep_with_next


def test_every_figure_is_kept_with_its_caption(built):
    document, _ = built
    pictures = [p for p in document.paragraphs if p._p.findall(f".//{W}drawing")]
    assert len(pictures) == 2
    for picture in pictures:
        caption = picture._p.getnext()
        assert caption.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "Caption"
        assert picture.paragraph_format.keep_with_next


def test_findings_stand_under_their_rule_with_the_label_in_the_accent(built):
    document, _ = built
    title = next(p for p in document.paragraphs if p.text.startswith("Finding 1"))
    texts = [p for p in document.paragraphs if p.style.name == "Item Text"]
    assert [p.text for p in texts] == ["A finding with a link.", "A second paragraph."]
    rule = document.styles["Item Text"].element.find(f"{W}pPr/{W}pBdr/{W}left")
    assert rule.get(f"{W}color") == design().color("tint")
    assert dict(title._p.find(f"{W}pPr/{W}pBdr/{W}left").attrib) == dict(rule.attrib)
    label = title.runs[0]
    assert label.text == "Finding 1" and label.style.name == "Item Number"
    # the item's title at print's size for it (print.css `ol.items h3`: heading_3)
    assert title.style.font.size == Pt(float(design().get("type", "heading_3")))
    assert str(label.style.font.color.rgb) == "AA3300"
    # the item holds together: each paragraph keeps with the next but the last
    assert texts[0].paragraph_format.keep_with_next is not False
    assert texts[-1].paragraph_format.keep_with_next is False


HOUSE_BRIEF = """
title: Un brief
date: 2020-09-01
lang: fr-FR
authors: [Anne Dupont, Marc Durand]
output: {word_template: house.docx, formats: [docx]}
sections:
  - title: Contexte
    body: Du texte.
"""


def test_a_french_brief_prints_its_date_and_byline_in_french_in_a_house_template(tmp_path):
    house = docx.Document()
    house.add_paragraph("{{ title }}")
    house.add_paragraph("{{ date }} | {{ authors }}")
    house.add_paragraph("{{ body }}")
    house.sections[0].footer.paragraphs[0].text = "Mis à jour le {{ date }}"
    house.save(str(tmp_path / "house.docx"))
    (tmp_path / "brief.yaml").write_text(HOUSE_BRIEF, encoding="utf-8")
    out = build_brief(tmp_path / "brief.yaml", tmp_path / "out").outputs[0]
    document = docx.Document(str(out))
    texts = [p.text for p in document.paragraphs]
    assert "1er septembre 2020 | Anne Dupont et Marc Durand" in texts
    assert document.sections[0].footer.paragraphs[0].text == "Mis à jour le 1er septembre 2020"


SPREAD_LAYOUT = """
extends: report
imprint: [categories, colophon]
"""
SPREAD_DESIGN = """
page: {mirror: true}
rules: {chapter: 2}
spacing: {chapter_before: 30}
pagination: {chapters: [sections], page_before: [front_box]}
"""
SPREAD_BRIEF = """
layout: spread
title: A report on a spread
date: 2020-09-01
categories: [Energy]
copyright: © Example Institute
summary: {problem: The problem., solution: The solution.}
acronyms: {AI: artificial intelligence}
sections:
  - title: A chapter
    body: Text.
"""


def test_a_designs_pagination_and_furniture_reach_word(tmp_path):
    """What a design says of its pages (design.yaml `page.mirror`, `pagination`, layout.yaml
    `imprint`) is set in Word as print sets it: mirrored margins with the head and the bare
    folio at the outer corners, chapters under Heading 1's rule and other level-1 headings
    without it, the imprint at the foot of the cover's verso without furniture, the front box
    anchored on a paragraph Word can break before."""
    layout = tmp_path / "templates" / "spread"
    layout.mkdir(parents=True)
    (layout / "layout.yaml").write_text(SPREAD_LAYOUT, encoding="utf-8")
    (layout / "design.yaml").write_text(SPREAD_DESIGN, encoding="utf-8")
    (tmp_path / "briefs").mkdir()
    brief = tmp_path / "briefs" / "spread.yaml"
    brief.write_text(SPREAD_BRIEF, encoding="utf-8")
    out = build_brief(brief, tmp_path / "out", ["docx"]).outputs[0]
    document = docx.Document(str(out))
    settings = document.settings.element
    assert settings.find(f"{W}mirrorMargins") is not None
    assert settings.find(f"{W}evenAndOddHeaders") is not None
    body = document.sections[-1]
    for footer, align in ((body.footer, 2), (body.even_page_footer, 0)):  # right, left
        (folio,) = footer.paragraphs
        assert int(folio.alignment) == align and folio.text.strip() == "1"  # a bare number
        assert "PAGE" in "".join(t.text for t in folio._p.iter(f"{W}instrText"))
    assert body.header.paragraphs[0].text == "A report on a spread"
    # the imprint: the cover's verso, its first page without furniture, the parts at its foot
    assert body.different_first_page_header_footer
    assert not any(p.text for p in body.first_page_footer.paragraphs)
    imprint = next(t for t in document.tables if "Energy" in t._tbl.xml)
    assert imprint._tbl.find(f".//{W}trHeight").get(f"{W}hRule") == "atLeast"
    assert imprint.cell(0, 0)._tc.find(f"{W}tcPr/{W}vAlign").get(f"{W}val") == "bottom"
    assert "© Example Institute" in imprint.cell(0, 0).text
    # chapters under the rule, other level-1 headings without it
    rule = document.styles["Heading 1"].element.find(f"{W}pPr/{W}pBdr/{W}top")
    assert rule is not None and rule.get(f"{W}sz") == "16"
    headings = {p.text: p for p in document.paragraphs if p.style.name == "Heading 1"}
    assert headings["A chapter"]._p.find(f"{W}pPr/{W}pBdr") is None
    override = headings["Acronyms and abbreviations"]._p.find(f"{W}pPr/{W}pBdr/{W}top")
    assert override is not None and override.get(f"{W}val") == "nil"
    toc = document.styles["TOC Heading"].element.find(f"{W}pPr/{W}pBdr/{W}top")
    assert toc is None or toc.get(f"{W}val") == "nil"
    # the front box anchored on a paragraph before its table
    anchor = next(p for p in document.paragraphs if p.style.name == "Anchor")
    assert 'w:name="front-box"' in anchor._p.xml
    assert anchor._p.getnext().tag == f"{W}tbl"
