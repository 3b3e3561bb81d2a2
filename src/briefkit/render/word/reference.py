"""briefkit's own reference document: python-docx's default template and a layout's design in,
a Word document that is on the design wherever an editor goes out.

Pandoc's DOCX writer starts from a reference document whose styles are the house's; briefkit's,
when a brief names no house template, is python-docx's default template (a file Word saved)
made over from the design tokens:
- the theme (`word/theme/theme1.xml`) names the design's faces and colours, so whatever
  follows the theme (a style an editor makes, Word's "Heading 4" before it is restyled, a chart)
  is on the design rather than in Calibri and Office blue;
- the document defaults (`w:docDefaults`) are the body text's face, size, leading and spacing,
  with widow and orphan control as print sets it (`orphans: 2; widows: 2`);
- every built-in style an editor reaches is restyled from the tokens (`briefkit.design`),
  linked character styles included; the table style is the print's; new tables use it;
- the catalogue is pruned, once the brief is written, to the styles the document uses and
  those an editor reaches for (the default template's 140 table looks are not on the design);
- `stylesWithEffects.xml` (Word 2010's copy of the catalogue, in Calibri) is left out.
"""

from __future__ import annotations

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from briefkit.ooxml.order import get_or_place, place
from briefkit.render.word.builtins import supply_builtin_styles
from briefkit.render.word.styles import apply_style_spec, link_character_styles

_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

# The built-in styles an editor reaches for (kept by the pruning whether or not the brief uses
# them): Word's names, lower case.
REACHABLE = frozenset(
    name.lower()
    for name in (
        "Normal",
        "Default Paragraph Font",
        "Normal Table",
        "No List",
        "Title",
        "Subtitle",
        *(f"heading {n}" for n in range(1, 10)),
        "Quote",
        "Caption",
        "Table Caption",
        "List Paragraph",
        "List Bullet",
        "List Bullet 2",
        "List Bullet 3",
        "List Number",
        "List Number 2",
        "List Number 3",
        "List Continue",
        "TOC Heading",
        *(f"toc {n}" for n in range(1, 10)),
        "Hyperlink",
        "FollowedHyperlink",
        "header",
        "footer",
        "footnote text",
        "footnote reference",
        "endnote text",
        "endnote reference",
        "Strong",
        "Emphasis",
        "Table",
        "Bibliography",
    )
)


def make_reference(document, design, specs: dict, own: dict) -> None:
    """Make python-docx's default template `document` briefkit's reference document for
    `design`: `specs` restyle Word's built-in styles, `own` (the layout's styles.yaml `ensure`
    entries) are defined."""
    width = document._block_width
    supply_builtin_styles(document)  # Hyperlink, FollowedHyperlink, notes: Word's own first
    # The body text is the document defaults, Normal adds nothing: a table style's face and
    # size then reach the text of its cells (in Word's style hierarchy a paragraph style,
    # Normal too, overrides the table style; the document defaults do not).
    _defaults(document, specs.get("Normal", {}))
    _clear(document.styles["Normal"])
    for name, spec in specs.items():
        if name != "Normal":
            apply_style_spec(document, name, spec, mode="restyle", text_width=width)
    for name, spec in own.items():
        apply_style_spec(document, name, spec, mode="restyle", text_width=width)
    link_character_styles(document)
    _theme(document, design)
    _settings(document)
    _drop_styles_with_effects(document)


def _theme(document, design) -> None:
    """The theme's fonts and colours from the design: headings' (major) face the display face,
    body (minor) the text face; dark 2 and accent 1 the primary colour, accent 2 the accent,
    hyperlinks the accent."""
    part = next(
        (rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.THEME), None
    )
    if part is None:
        return
    root = etree.fromstring(part.blob)
    fallback = [str(f) for f in design.tokens.get("faces", {}).get("fallback") or []]
    for kind, face, east_asian in (
        ("majorFont", design.display_face, fallback[-1:]),
        ("minorFont", design.text_face, fallback[:1]),
    ):
        font = root.find(f".//{{{_A}}}fontScheme/{{{_A}}}{kind}")
        font.find(f"{{{_A}}}latin").set("typeface", face)
        font.find(f"{{{_A}}}ea").set("typeface", east_asian[0] if east_asian else "")
    scheme = root.find(f".//{{{_A}}}fontScheme")
    scheme.set("name", f"briefkit {design.text_face} / {design.display_face}")
    colors = {
        "dk1": "text",
        "dk2": "primary",
        "lt2": "tint",
        "accent1": "primary",
        "accent2": "accent",
        "accent3": "muted",
        "accent4": "rule",
        "accent5": "cover_accent",
        "accent6": "alert",
        "hlink": "accent",
        "folHlink": "accent",
    }
    scheme = root.find(f".//{{{_A}}}clrScheme")
    scheme.set("name", "briefkit")
    for slot, token in colors.items():
        holder = scheme.find(f"{{{_A}}}{slot}")
        for child in list(holder):
            holder.remove(child)
        etree.SubElement(holder, f"{{{_A}}}srgbClr", val=design.color(token))
    root.set("name", "briefkit")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _defaults(document, normal: dict) -> None:
    """The document defaults are the design's body text (Normal's spec): face, size, colour,
    leading and paragraph spacing, with widow/orphan control as print sets it."""
    styles = document.styles.element
    defaults = get_or_place(styles, "w:docDefaults")
    rpr = get_or_place(get_or_place(defaults, "w:rPrDefault"), "w:rPr")
    fonts = get_or_place(rpr, "w:rFonts")
    for attribute in ("w:asciiTheme", "w:hAnsiTheme"):
        fonts.attrib.pop(qn(attribute), None)
    if normal.get("font"):
        for attribute in ("w:ascii", "w:hAnsi"):
            fonts.set(qn(attribute), str(normal["font"]))
    if normal.get("size"):
        half_points = str(round(float(normal["size"]) * 2))
        place(rpr, parse_xml(f'<w:sz {nsdecls("w")} w:val="{half_points}"/>'))
        place(rpr, parse_xml(f'<w:szCs {nsdecls("w")} w:val="{half_points}"/>'))
    if normal.get("color"):
        place(rpr, parse_xml(f'<w:color {nsdecls("w")} w:val="{normal["color"]}"/>'))
    ppr = get_or_place(get_or_place(defaults, "w:pPrDefault"), "w:pPr")
    place(ppr, parse_xml(f"<w:widowControl {nsdecls('w')}/>"))
    after = round(float(normal.get("space_after", 0)) * 20)
    line = round(float(normal.get("size", 11)) * float(normal.get("line_spacing", 1.2)) * 20)
    place(
        ppr,
        parse_xml(
            f'<w:spacing {nsdecls("w")} w:after="{after}" w:line="{line}" w:lineRule="atLeast"/>'
        ),
    )


def _clear(style) -> None:
    for tag in ("w:pPr", "w:rPr"):
        for element in style.element.findall(qn(tag)):
            style.element.remove(element)


def _settings(document) -> None:
    """New tables take the house table style; running text is hyphenated as print hyphenates
    it (print.css: only where a line would end more than a fifth short, never three lines in a
    row; styles of display text, captions, tables and notes suppress it); the zoom carries
    the percentage the schema requires (the default template's says only "best fit")."""
    settings = document.settings.element
    zone = round(document._block_width / 635 * 0.2)  # a fifth of the line, in twips
    for tag, value in (
        ("autoHyphenation", None),
        ("consecutiveHyphenLimit", 2),
        ("hyphenationZone", zone),
        ("doNotHyphenateCaps", None),
    ):
        attribute = "" if value is None else f' w:val="{value}"'
        place(settings, parse_xml(f"<w:{tag} {nsdecls('w')}{attribute}/>"))
    table = document.styles.element.xpath('w:style[w:name/@w:val="Table"]/@w:styleId')
    if table:
        place(settings, parse_xml(f'<w:defaultTableStyle {nsdecls("w")} w:val="{table[0]}"/>'))
    tidy_settings(document)


def tidy_settings(document) -> None:
    """Settings any template may bring that the schema refuses: a zoom without its percentage
    (Word writes `w:percent`; python-docx's default template and some LibreOffice saves omit
    it)."""
    zoom = document.settings.element.find(qn("w:zoom"))
    if zoom is not None and zoom.get(qn("w:percent")) is None:
        zoom.set(qn("w:percent"), "100")


def _drop_styles_with_effects(document) -> None:
    for rid, rel in list(document.part.rels.items()):
        if rel.reltype == _STYLES_WITH_EFFECTS:
            del document.part.rels[rid]


def prune_catalogue(document) -> list[str]:
    """Remove the styles the document does not use and no editor reaches for (REACHABLE,
    briefkit's own `keep`), with what they base on or link to kept when a kept style needs it;
    returns the names removed."""
    package = document.part.package
    used: set[str] = set()
    for part in package.iter_parts():
        element = getattr(part, "_element", None)
        if element is None or element is document.styles.element:
            continue
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            used.update(e.get(qn("w:val")) for e in element.iter(qn(tag)))
    numbering = [
        rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.NUMBERING
    ]
    for part in numbering:
        used.update(e.get(qn("w:val")) for e in part.element.iter(qn("w:pStyle")))
    styles = document.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    keep = {
        sid
        for sid, s in by_id.items()
        if sid in used
        or _name(s).lower() in REACHABLE
        or s.get(qn("w:customStyle")) == "1"
        and not _name(s).endswith(" Char")
        or s.get(qn("w:default")) == "1"
    }
    settings_table = document.settings.element.find(qn("w:defaultTableStyle"))
    if settings_table is not None:
        keep.add(settings_table.get(qn("w:val")))
    pending = list(keep)
    while pending:  # what a kept style is based on, links to or is followed by
        style = by_id.get(pending.pop())
        if style is None:
            continue
        for tag in ("w:basedOn", "w:link", "w:next"):
            reference = style.find(qn(tag))
            target = reference.get(qn("w:val")) if reference is not None else None
            if target in by_id and target not in keep:
                if tag == "w:next":
                    continue  # a style that follows is no reason to keep one
                keep.add(target)
                pending.append(target)
    removed = []
    for sid, style in by_id.items():
        if sid not in keep:
            removed.append(_name(style))
            styles.remove(style)
    for style in styles.findall(qn("w:style")):
        for tag in ("w:next", "w:link"):
            reference = style.find(qn(tag))
            if reference is not None and reference.get(qn("w:val")) not in keep:
                style.remove(reference)
    return removed


def _name(style) -> str:
    name = style.find(qn("w:name"))
    return name.get(qn("w:val")) if name is not None else ""
