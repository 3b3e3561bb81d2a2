"""Design tokens: one design.yaml per layout drives the CSS and the Word styles alike."""

from __future__ import annotations

import re
import subprocess

import docx
import pytest
from docx.shared import Pt

from briefkit.builder.batch import build_brief
from briefkit.layout.design import load_design
from briefkit.layout.folders import LayoutError, load_layout
from briefkit.layout.web_fonts import WEB_FONTS_MARKER
from readers import html_tree

BRIEF = """\
title: Design tokens in both media
date: 2020-08-12
layout: {layout}
{extra}
sections:
  - title: Background
    body: |
      China and Russia are deepening their technological ties, and the partnership matters.
"""


def _build(tmp_path, layout="commentary", extra=""):
    path = tmp_path / "brief.yaml"
    path.write_text(BRIEF.format(layout=layout, extra=extra), encoding="utf-8")
    return {p.suffix[1:]: p for p in build_brief(path, tmp_path / "out").outputs}


def _style(document, name):
    return document.styles[name]


def _body_text(document) -> tuple[str, float]:
    """The body text's face and size (pt): the document defaults, which Normal adds nothing to
    (so a table style's face reaches its cells)."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    rpr = document.styles.element.find(f"{w}docDefaults/{w}rPrDefault/{w}rPr")
    assert _style(document, "Normal").font.name is None
    return rpr.find(f"{w}rFonts").get(f"{w}ascii"), int(rpr.find(f"{w}sz").get(f"{w}val")) / 2


@pytest.mark.needs('pdftotext')
def test_a_house_changes_the_design_in_one_place_and_both_media_follow(tmp_path):
    house = tmp_path / "templates" / "house"
    house.mkdir(parents=True)
    (house / "layout.yaml").write_text("extends: commentary\ndescription: House\n", encoding="utf-8")
    (house / "design.yaml").write_text(
        "page: {margin: {top: 30, right: 45, bottom: 28, left: 25}}\n"
        "type: {body: 11, heading_1: 17}\n"
        "colors: {primary: '#7a1f3d'}\n"
        "faces: {display: Noto Serif}\n", encoding="utf-8")
    out = _build(tmp_path, layout="house")
    document = docx.Document(str(out["docx"]))
    section = document.sections[0]
    margins = (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin)
    assert [round(m.mm, 1) for m in margins] == [30, 45, 28, 25]  # Word stores twips
    assert _body_text(document) == ("Noto Serif", 11)
    assert _style(document, "Heading 1").font.size == Pt(17)
    assert str(_style(document, "Title").font.color.rgb) == "7A1F3D"
    assert _style(document, "Title").font.name == "Noto Serif"  # the display face, changed
    # The print CSS carries the same numbers (the HTML page is built from the same tokens).
    css = "".join(html_tree(out["html"]).xpath("//style/text()"))
    assert "--size-body: 11pt;" in css and "--primary: #7a1f3d;" in css
    # The PDF's pages have the house margins: the text starts 25 mm from the left edge.
    words = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(out["pdf"]), "-"],
                           capture_output=True, text=True, check=True).stdout
    lefts = [float(x.split('"')[1]) for x in words.split("xMin=")[1:]]
    assert min(lefts) == pytest.approx(25 / 25.4 * 72, abs=1.5)


def test_theme_colors_and_faces_override_the_tokens_in_every_medium(tmp_path):
    out = _build(tmp_path, extra="theme: {colors: {primary: navy}, fonts: {body: Noto Sans}}")
    document = docx.Document(str(out["docx"]))
    assert str(_style(document, "Title").font.color.rgb) == "000080"
    assert _body_text(document)[0] == "Noto Sans"
    css = "".join(html_tree(out["html"]).xpath("//style/text()"))
    assert "--primary: #000080;" in css and '--font-body: "Noto Sans"' in css


def test_word_styles_are_derived_from_the_tokens(tmp_path):
    layout = load_layout("report")
    design = load_design(layout)
    styles = design.word_styles(layout)
    tokens = design.tokens
    assert styles["ensure"]["footnote text"]["size"] == tokens["type"]["note"]
    assert styles["ensure"]["Kicker"]["color"] == tokens["colors"]["accent"].lstrip("#").upper()
    assert styles["default_template"]["Normal"]["font"] == tokens["faces"]["text"]
    assert styles["default_template"]["Heading 1"]["font"] == tokens["faces"]["display"]
    css = design.css("print")
    assert f"--size-note: {tokens['type']['note']:g}pt;" in css
    margin = tokens["page"]["margin"]
    assert f"margin: {margin['top']}mm {margin['right']}mm {margin['bottom']}mm {margin['left']}mm" in css
    # The shipped faces are embedded in print from briefkit's own fonts/ folder.
    files = design.font_files()
    assert set(files) == {"Noto Serif", "Noto Sans"}
    assert all(path.is_file() for styles in files.values() for path in styles.values())
    assert css.count("@font-face") == 8
    # On screen the page embeds the WOFF2 subsets its characters need (where the marker
    # stands); the design itself names only the reader's CJK faces, for CJK characters.
    screen = design.css("screen")
    assert WEB_FONTS_MARKER in screen
    faces = re.findall(r"@font-face \{[^}]*\}", screen)
    assert faces and all("CJK" in face and "unicode-range: U+1100" in face for face in faces)


def test_a_style_naming_an_unknown_token_is_a_layout_error(tmp_path):
    house = tmp_path / "templates" / "house"
    (house / "word").mkdir(parents=True)
    (house / "layout.yaml").write_text("extends: commentary\n", encoding="utf-8")
    (house / "word" / "styles.yaml").write_text(
        "ensure:\n  Kicker: {type: paragraph, size: $type.enormous}\n", encoding="utf-8")
    layout = load_layout("house", tmp_path)
    with pytest.raises(LayoutError, match=r"ensure.Kicker.size: '\$type.enormous' names no design token"):
        load_design(layout).word_styles(layout)
