"""Word styles from data: a layout's style specs (`word/styles.yaml` entries and the built-in
styles `briefkit.design` derives, token references resolved) in, `w:style` definitions out.

A spec is a mapping of plain keys (`font`, `size`, `color`, `space_before`, `border_left`,
`number` …, documented in `templates/base/word/styles.yaml`), so a house or a layout restyles
Word in data. Three modes: `ensure` adds a style a (house) template lacks and leaves one it has
alone; `restyle` rewrites a style of briefkit's own reference document, creating it when
missing; `linked` character styles ("Heading 1 Char") follow their paragraph style, as Word
keeps them. Paragraph, character and table styles, list numbering (`number`) and tab stops at
the text width (`tabs`) are all written here, children in schema order (`ooxml_order`).
"""

from __future__ import annotations

import copy
import random

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from briefkit.ooxml.order import get_or_place, place
from briefkit.render.word.builtins import numbering_part

EAST_ASIAN_FONT = "Noto Sans CJK SC"
_KINDS = {
    "paragraph": WD_STYLE_TYPE.PARAGRAPH,
    "character": WD_STYLE_TYPE.CHARACTER,
    "table": WD_STYLE_TYPE.TABLE,
}
_FLAGS = ("bold", "italic", "all_caps", "superscript", "underline")


def apply_style_spec(document, name: str, spec: dict, *, mode: str, text_width=None) -> None:
    """Write style `name` from `spec`: `mode` "ensure" (only when the document lacks it: a
    house template's own style wins) or "restyle" (briefkit's reference document: rewrite it,
    creating it when missing). `text_width` (a python-docx Length) places `tabs`."""
    try:
        style = document.styles[name]
    except KeyError:
        style = None
    if style is not None and mode == "ensure":
        return
    if style is None:
        style = document.styles.add_style(name, _KINDS[spec.get("type", "paragraph")])
        style.element.find(qn("w:name")).set(qn("w:val"), name)  # python-docx lower-cases some
        style.quick_style = True
    else:
        _forget_template_look(style)
    if spec.get("base"):
        style.base_style = _by_name(document, spec["base"])
    _run_properties(style, spec)
    if style.type == WD_STYLE_TYPE.CHARACTER:
        return
    _paragraph_properties(style, spec, text_width)
    if style.type == WD_STYLE_TYPE.TABLE:
        _table_properties(style, spec)
    elif "number" in spec:
        _numbering(document, style, spec["number"], float(spec.get("hanging", 0)))


def _by_name(document, name: str):
    """The style named `name` (any case, as Word matches names); None when there is none
    (a house template that names "Normal Table" otherwise: the style then bases on nothing)."""
    wanted = name.lower()
    return next(
        (style for style in document.styles if style.name and style.name.lower() == wanted), None
    )


def _forget_template_look(style) -> None:
    """A built-in style restyled from the design keeps none of the default template's own
    decoration the design does not set: Title's rule and letter spacing, Subtitle's tracking,
    Heading 4's italic and theme colour, kerning thresholds (the design's rules and faces are
    the whole look)."""
    ppr = style.element.pPr
    if ppr is not None:
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)
    rpr = style.element.rPr
    if rpr is not None:
        for tag in ("w:spacing", "w:kern", "w:u", "w:i", "w:iCs", "w:color"):
            for child in rpr.findall(qn(tag)):
                rpr.remove(child)


def _run_properties(style, spec: dict) -> None:
    font = style.font
    if "font" in spec:
        font.name = spec["font"]
        rfonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
        rfonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
        # A theme font attribute wins over the named one in Word: drop them, or the names
        # set here would never show.
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme"):
            rfonts.attrib.pop(qn(attribute), None)
    if "size" in spec:
        font.size = Pt(spec["size"])
    for flag in _FLAGS:
        if flag in spec:
            setattr(font, flag, spec[flag])
    if "color" in spec:
        font.color.rgb = RGBColor.from_string(str(spec["color"]))


def _paragraph_properties(style, spec: dict, text_width) -> None:
    fmt = style.paragraph_format
    if "space_before" in spec:
        fmt.space_before = Pt(spec["space_before"])
    if "space_after" in spec:
        fmt.space_after = Pt(spec["space_after"])
    if spec.get("keep_with_next"):
        fmt.keep_with_next = True
    if spec.get("keep_together"):
        fmt.keep_together = True
    if spec.get("hyphenate") is False:  # Word's automatic hyphenation (the settings') spares it
        place(style.element.get_or_add_pPr(), parse_xml(f"<w:suppressAutoHyphens {nsdecls('w')}/>"))
    if "widow_control" in spec:
        fmt.widow_control = bool(spec["widow_control"])
    if "indent" in spec:  # mm, the whole paragraph
        fmt.left_indent = Mm(spec["indent"])
    if "indent_right" in spec:  # mm
        fmt.right_indent = Mm(spec["indent_right"])
    if "line_spacing" in spec:  # a multiple of the size, as CSS line-height
        if "size" in spec:  # CSS's 1.45 is 1.45 × the size; Word's "multiple" would be of
            # the face's own line height (about 1.36 × the size for Noto): at least the CSS's
            fmt.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
            fmt.line_spacing = Pt(float(spec["size"]) * float(spec["line_spacing"]))
        else:
            fmt.line_spacing = float(spec["line_spacing"])
    if "hanging" in spec:  # mm, as the design tokens
        fmt.left_indent = Mm(float(spec.get("indent", 0)) + float(spec["hanging"]))
        fmt.first_line_indent = Mm(-spec["hanging"])
    if spec.get("align"):
        place(
            style.element.get_or_add_pPr(),
            parse_xml(f'<w:jc {nsdecls("w")} w:val="{spec["align"]}"/>'),
        )
    rules = "".join(  # a rule of 0 pt: none, over a base style's
        _rule(
            side,
            spec[f"border_{side}"],
            spec.get("border_color", "000000"),
            spec.get("border_space", 4),
        )
        if spec[f"border_{side}"]
        else f'<w:{side} w:val="nil"/>'
        for side in ("top", "left", "bottom")
        if f"border_{side}" in spec
    )
    if rules:  # paragraph rules (points, in `border_color`), as the CSS borders
        place(style.element.get_or_add_pPr(), parse_xml(f"<w:pBdr {nsdecls('w')}>{rules}</w:pBdr>"))
    if "shading" in spec:
        place(
            style.element.get_or_add_pPr(),
            parse_xml(
                f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{spec["shading"]}"/>'
            ),
        )
    if spec.get("tabs") and text_width is not None:
        set_tabs(style, spec["tabs"], text_width)


def _rule(side: str, points, color, space=4) -> str:
    return (
        f'<w:{side} w:val="single" w:sz="{int(float(points) * 8)}" w:space="{int(space)}" '
        f'w:color="{str(color).lstrip("#")}"/>'
    )


_TABS = {
    "center": (WD_TAB_ALIGNMENT.CENTER, WD_TAB_LEADER.SPACES, 0.5),
    "right": (WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.SPACES, 1.0),
    "right-dots": (WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS, 1.0),
}


def set_tabs(style, kinds: list[str], text_width) -> None:
    """The style's tab stops, at fractions of the text width: `center` (half), `right` and
    `right-dots` (its right edge; the contents' page numbers after dot leaders). Any tab the
    style had is cleared (Word's default Header and Footer tabs stand at Letter positions)."""
    ppr = style.element.get_or_add_pPr()
    for old in ppr.findall(qn("w:tabs")):
        ppr.remove(old)
    tabs = style.paragraph_format.tab_stops
    for kind in kinds:
        alignment, leader, fraction = _TABS[kind]
        tabs.add_tab_stop(int(text_width * fraction), alignment, leader)


def _table_properties(style, spec: dict) -> None:
    """A data table as print sets it: rules under every row in `rule_color`, the header row in
    `header_color` over a heavier rule, repeated on every page; cell padding in pt."""
    rule = (
        f'w:val="single" w:sz="{max(2, int(float(spec.get("rule", 0.5)) * 8))}" w:space="0" '
        f'w:color="{spec.get("rule_color", "auto")}"'
    )
    tblpr = style.element.find(qn("w:tblPr"))
    if tblpr is None:
        tblpr = place(style.element, parse_xml(f"<w:tblPr {nsdecls('w')}/>"))
    place(tblpr, parse_xml(f'<w:tblStyleRowBandSize {nsdecls("w")} w:val="1"/>'))
    place(
        tblpr,
        parse_xml(
            f'<w:tblBorders {nsdecls("w")}><w:top w:val="nil"/><w:left w:val="nil"/>'
            f'<w:bottom {rule}/><w:right w:val="nil"/><w:insideH {rule}/>'
            '<w:insideV w:val="nil"/></w:tblBorders>'
        ),
    )
    vertical, horizontal = (int(float(v) * 20) for v in spec.get("cell_padding", (2, 4)))
    place(
        tblpr,
        parse_xml(
            f'<w:tblCellMar {nsdecls("w")}><w:top w:w="{vertical}" w:type="dxa"/>'
            f'<w:left w:w="{horizontal}" w:type="dxa"/><w:bottom w:w="{vertical}" w:type="dxa"/>'
            f'<w:right w:w="{horizontal}" w:type="dxa"/></w:tblCellMar>'
        ),
    )
    header_rule = (
        f'w:val="single" w:sz="{int(float(spec.get("header_rule", 1)) * 8)}" '
        f'w:space="0" w:color="{spec.get("header_rule_color", "auto")}"'
    )
    run = ("<w:b/><w:bCs/>" if spec.get("header_bold") else "") + (
        f'<w:color w:val="{spec["header_color"]}"/>' if spec.get("header_color") else ""
    )
    for old in style.element.findall(qn("w:tblStylePr")):
        style.element.remove(old)
    place(
        style.element,
        parse_xml(
            f'<w:tblStylePr {nsdecls("w")} w:type="firstRow"><w:rPr>{run}</w:rPr><w:tblPr/>'
            f"<w:trPr><w:tblHeader/></w:trPr><w:tcPr><w:tcBorders><w:bottom {header_rule}/>"
            "</w:tcBorders></w:tcPr></w:tblStylePr>"
        ),
    )


def _numbering(document, style, number: dict, hanging_mm: float) -> None:
    """A list style: the paragraph style numbers itself (`w:numPr` in the style) from a list
    definition of its own, lvl 0 only: `format` (decimal, bullet …), `text` ("%1", "•"), the
    number's `font`, `size`, `bold`, `color`; the text hangs `hanging` mm (the spec's)."""
    numbering = numbering_part(document).element
    abstracts = numbering.findall(qn("w:abstractNum"))
    abstract_id = max([-1, *(int(a.get(qn("w:abstractNumId"))) for a in abstracts)]) + 1
    num_id = max([0, *(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num")))]) + 1
    style_id = style.style_id
    fonts = (
        f'<w:rFonts w:ascii="{number["font"]}" w:hAnsi="{number["font"]}"/>'
        if number.get("font")
        else ""
    )
    run = (
        fonts
        + ("<w:b/><w:bCs/>" if number.get("bold") else "")
        + (f'<w:color w:val="{number["color"]}"/>' if number.get("color") else "")
        + (
            f'<w:sz w:val="{round(float(number["size"]) * 2)}"/>'
            f'<w:szCs w:val="{round(float(number["size"]) * 2)}"/>'
            if number.get("size")
            else ""
        )
    )
    nsid = f"{random.Random(style_id).getrandbits(32):08X}"  # stable: same input, same bytes
    indent = round(hanging_mm * 1440 / 25.4)  # the text hangs where the style says
    place(
        numbering,
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}"><w:nsid w:val="{nsid}"/>'
            f'<w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            f'<w:numFmt w:val="{number.get("format", "decimal")}"/><w:pStyle w:val="{style_id}"/>'
            f'<w:lvlText w:val="{number.get("text", "%1")}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{indent}" w:hanging="{indent}"/></w:pPr>'
            f"<w:rPr>{run}</w:rPr></w:lvl></w:abstractNum>"
        ),
    )
    place(
        numbering,
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId '
            f'w:val="{abstract_id}"/></w:num>'
        ),
    )
    num_pr = get_or_place(style.element.get_or_add_pPr(), "w:numPr")
    num_pr.get_or_add_numId().val = num_id


def link_character_styles(document) -> None:
    """Each linked character style ("Heading 1 Char", "Title Char" …) takes the run properties
    of its paragraph style, as Word keeps the pair: text an editor formats with it looks like
    the heading, not like the default template's Office blue Calibri."""
    styles = document.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    for style in by_id.values():
        link = style.find(qn("w:link"))
        if style.get(qn("w:type")) != "paragraph" or link is None:
            continue
        character = by_id.get(link.get(qn("w:val")))
        if character is None or character.get(qn("w:type")) != "character":
            continue
        for old in character.findall(qn("w:rPr")):
            character.remove(old)
        rpr = style.find(qn("w:rPr"))
        if rpr is not None:
            place(character, copy.deepcopy(rpr))
