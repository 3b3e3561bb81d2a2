"""WordprocessingML that python-docx has no API for: notes parts, fields, hyperlinks, styles
from data, list numbering restarts. Names follow Word's own vocabulary (footnoteReference,
fldSimple, numId); `docx.py` builds the document from these pieces and style names only.
"""

from __future__ import annotations

import re

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_LINE_SPACING
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from briefkit.load.source import NOT_TEXT


def style_id(document, name: str) -> str:
    """The styleId of a style found by its name (ids differ in translated templates)."""
    wanted = name.lower()
    for style in document.styles.element.findall(qn("w:style")):
        name_el = style.find(qn("w:name"))
        if name_el is not None and name_el.get(qn("w:val")).lower() == wanted:
            return style.get(qn("w:styleId"))
    raise KeyError(name)


def number_drawings(document) -> None:
    """Give every drawing of the document its own id (Word requires ids unique across the
    package; each story part — body, notes, headers — numbers its own from its own maximum)."""
    ident = 0
    for part in document.part.package.iter_parts():
        if isinstance(part, XmlPart):
            for doc_pr in part.element.iter(
                "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
            ):
                ident += 1
                doc_pr.set("id", str(ident))


def xml_text(text: str) -> str:
    """`text` without the characters XML cannot hold (the loader and the prose reader refuse
    them with a located error; this is the last guard, for text from any other source)."""
    return NOT_TEXT.sub("", text) if NOT_TEXT.search(text) else text


def add_text_run(paragraph, text: str):
    """A run holding `text` as one w:t (python-docx's `run.text` walks it character by
    character to find tabs and breaks; only text that has them goes that way)."""
    from docx.text.run import Run

    text = xml_text(text)
    if "\t" in text or "\n" in text:
        return paragraph.add_run(text)
    r = paragraph._p.add_r()
    if text:
        t = r.makeelement(qn("w:t"), {})
        t.text = text
        if text[0].isspace() or text[-1].isspace():
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        r.append(t)
    return Run(r, paragraph)


def add_field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A complex field (PAGE, NUMPAGES, PAGEREF ...) that Word computes, with `placeholder` as
    its last result. Never marked dirty: Word asks whether to update fields when a document
    holding a dirty field is opened (PAGE and NUMPAGES are live in headers and footers)."""
    p = paragraph._p
    for xml in (
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>',
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>',
    ):
        p.append(parse_xml(xml))
    if placeholder:
        run = paragraph.add_run(placeholder)
        p.append(run._r)
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>'))


def add_formula(paragraph, omml: str, *, display: bool, container=None) -> None:
    """An equation (Pandoc's OMML) in a paragraph: `m:oMath` where the text runs, or a display
    equation in `m:oMathPara`, centred, as Pandoc's Word writer places it. Both are content of
    `w:p` (or of a hyperlink in it) in the schema, in the `m:` namespace."""
    math = parse_xml(omml)
    if display:
        holder = parse_xml(
            f'<m:oMathPara {nsdecls("m")}><m:oMathParaPr><m:jc m:val="center"/>'
            "</m:oMathParaPr></m:oMathPara>"
        )
        holder.append(math)
        math = holder
    (container if container is not None else paragraph._p).append(math)


def add_hyperlink(paragraph, url: str, *, internal: bool = False):
    """An empty w:hyperlink appended to `paragraph`; runs are added to it by the caller."""
    if internal:
        anchor = _attr(bookmark_name(url.lstrip("#")))
        link = parse_xml(f'<w:hyperlink {nsdecls("w")} w:anchor="{anchor}"/>')
    else:
        rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
        link = parse_xml(f'<w:hyperlink {nsdecls("w", "r")} r:id="{rid}"/>')
    paragraph._p.append(link)
    return link


def add_page_reference(paragraph, bookmark: str) -> None:
    """A tab, then Word's PAGEREF field: the number of the page `bookmark` is on. LibreOffice
    computes it when it opens the file, Word when it prints or exports (fields that name a
    bookmark are updated then) or on F9. No number is cached: Word's pages are not the PDF's,
    and a wrong number is worse than none."""
    paragraph._p.append(parse_xml(f"<w:r {nsdecls('w')}><w:tab/></w:r>"))
    add_field(paragraph, f"PAGEREF {_attr(bookmark)} \\h")


def bookmark_name(anchor: str) -> str:
    """An anchor as a Word bookmark's name: Word takes letters, digits, '_' and '-' only, so
    pandoc-crossref's `fig:x` is the bookmark `fig_x` (links use the same name)."""
    return re.sub(r"[^\w-]", "_", anchor)


def add_bookmark(paragraph, name: str, ident: int) -> None:
    p = paragraph._p
    name = bookmark_name(name)
    start = parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="{ident}" w:name="{_attr(name)}"/>')
    ppr = p.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{ident}"/>'))


def restart_numbering(document, paragraph, style_name: str, start: int = 1) -> None:
    """Make `paragraph` (a 'List Number' item) start a new list at `start`, not continue the last."""
    numbering = document.part.numbering_part.element
    style = document.styles[style_name]
    num_pr = style.element.find(qn("w:pPr") + "/" + qn("w:numPr"))
    if num_pr is None:
        return
    num_id = num_pr.find(qn("w:numId")).get(qn("w:val"))
    num = next((n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id), None)
    if num is None:
        return
    abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    new_id = max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))) + 1
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{new_id}"><w:abstractNumId w:val="{abstract}"/>'
            f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>'
        )
    )
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{new_id}"/></w:numPr>'
        )
    )


_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _rule(side: str, points, color) -> str:
    return (
        f'<w:{side} w:val="single" w:sz="{int(float(points) * 8)}" w:space="4" '
        f'w:color="{str(color).lstrip("#")}"/>'
    )


def _forget_template_look(style) -> None:
    """A built-in style restyled from the design keeps none of the default template's own
    decoration the design does not set: Title's rule and letter spacing, Subtitle's tracking,
    kerning thresholds (the design's rules and faces are the whole look)."""
    ppr = style.element.pPr
    if ppr is not None:
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)
    rpr = style.element.rPr
    if rpr is not None:
        for tag in ("w:spacing", "w:kern", "w:u"):
            for child in rpr.findall(qn(tag)):
                rpr.remove(child)


def apply_style_spec(document, name: str, spec: dict, *, create: bool) -> None:
    """Create (when missing and `create`) or restyle a style from a layout's styles.yaml entry."""
    try:
        style = document.styles[name]
        if create:
            return  # the house template's own style wins
    except KeyError:
        if not create:
            return
        style = None
    if style is not None and not create:
        _forget_template_look(style)
    if style is None:
        kind = (
            WD_STYLE_TYPE.CHARACTER if spec.get("type") == "character" else WD_STYLE_TYPE.PARAGRAPH
        )
        style = document.styles.add_style(name, kind)
        style.element.find(qn("w:name")).set(qn("w:val"), name)
        if spec.get("base"):
            style.base_style = document.styles[spec["base"]]
        style.quick_style = True
    font = style.font
    if "font" in spec:
        font.name = spec["font"]
        rpr = style.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        rfonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
        # A theme font attribute wins over the named one in Word: drop them, or the names
        # set here would never show.
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme"):
            rfonts.attrib.pop(qn(attribute), None)
    if "size" in spec:
        font.size = Pt(spec["size"])
    for flag in ("bold", "italic", "all_caps", "superscript"):
        if flag in spec:
            setattr(font, flag, spec[flag])
    if "color" in spec:
        font.color.rgb = RGBColor.from_string(str(spec["color"]))
    if style.type == WD_STYLE_TYPE.PARAGRAPH:
        fmt = style.paragraph_format
        if "space_before" in spec:
            fmt.space_before = Pt(spec["space_before"])
        if "space_after" in spec:
            fmt.space_after = Pt(spec["space_after"])
        if spec.get("keep_with_next"):
            fmt.keep_with_next = True
        if "indent" in spec:  # mm, the whole paragraph
            fmt.left_indent = Mm(spec["indent"])
        if "line_spacing" in spec:  # a multiple of the size, as CSS line-height
            if "size" in spec:  # CSS's 1.45 is 1.45 × the size; Word's "multiple" would be of
                # the face's own line height (about 1.36 × the size for Noto): at least the CSS's
                fmt.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
                fmt.line_spacing = Pt(float(spec["size"]) * float(spec["line_spacing"]))
            else:
                fmt.line_spacing = float(spec["line_spacing"])
        if "hanging" in spec:  # mm, as the design tokens
            fmt.left_indent = Mm(spec["hanging"])
            fmt.first_line_indent = Mm(-spec["hanging"])
        rules = "".join(
            _rule(side, spec[f"border_{side}"], spec.get("border_color", "000000"))
            for side in ("top", "left", "bottom")
            if spec.get(f"border_{side}")
        )
        if rules:  # paragraph rules (points, in `border_color`), as the CSS borders
            style.element.get_or_add_pPr().insert_element_before(
                parse_xml(f"<w:pBdr {nsdecls('w')}>{rules}</w:pBdr>"), *_AFTER_PBDR
            )
        if "shading" in spec:
            ppr = style.element.get_or_add_pPr()
            ppr.append(
                parse_xml(
                    f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{spec["shading"]}"/>'
                )
            )


_VML = (
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word"'
)


# Word's text-path shape type (136), as Word writes it before a watermark: LibreOffice draws
# the shape only when the type is defined in the document.
_TEXT_PATH_TYPE = (
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(
        f'<v:f eqn="{eqn}"/>'
        for eqn in (
            "sum #0 0 10800",
            "prod #0 2 1",
            "sum 21600 0 @1",
            "sum 0 0 @2",
            "sum 21600 0 @3",
            "if @0 @3 0",
            "if @0 21600 @1",
            "if @0 0 @2",
            "if @0 @4 21600",
            "mid @5 @6",
            "mid @8 @5",
            "mid @7 @8",
            "mid @6 @7",
            "sum @6 0 @5",
        )
    )
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom" '
    'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight" '
    'xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
)


def add_watermark(section, text: str) -> None:
    """A diagonal text watermark on every page of `section`: Word's own watermark (a VML text
    path named PowerPlusWaterMarkObject, which Word's Design > Watermark menu and LibreOffice
    recognise), anchored in each header of the section behind the text."""
    headers = [section.header]
    if section.different_first_page_header_footer:
        headers.append(section.first_page_header)
    if section.even_page_header.is_linked_to_previous is False:
        headers.append(section.even_page_header)
    for n, header in enumerate(headers, 1):
        if any(
            (el.get("id") or "").startswith("PowerPlusWaterMarkObject")
            for el in header._element.iter("{urn:schemas-microsoft-com:vml}shape")
        ):
            continue  # a header shared with an earlier section has its watermark already
        paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        shape = parse_xml(
            f"<w:r {nsdecls('w')} {_VML}><w:pict>{_TEXT_PATH_TYPE}"
            f'<v:shape id="PowerPlusWaterMarkObject{n}" o:spid="_x0000_s{2048 + n}" '
            f'type="#_x0000_t136" style="position:absolute;margin-left:0;margin-top:0;width:468pt;'
            f"height:117pt;rotation:315;z-index:-251654144;mso-position-horizontal:center;"
            f"mso-position-horizontal-relative:margin;mso-position-vertical:center;"
            f'mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="#f4c7cf" stroked="f">'
            f'<v:fill opacity=".5"/><v:textpath style="font-family:&quot;DejaVu Sans&quot;;font-size:1pt" '
            f'string="{_attr(text)}"/><w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r>'
        )
        paragraph._p.append(shape)


def default_run_properties(document):
    """The w:rPr of the styles part's run defaults (w:docDefaults/w:rPrDefault), made if absent."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = parse_xml(f"<w:docDefaults {nsdecls('w')}/>")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = parse_xml(f"<w:rPrDefault {nsdecls('w')}/>")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = parse_xml(f"<w:rPr {nsdecls('w')}/>")
        rpr_default.append(rpr)
    return rpr


def declare_east_asian_font(document, font: str, *, replace_theme: bool = False) -> None:
    """Name a CJK font for east-Asian text in the document defaults, unless the template has one
    (with `replace_theme`, a theme's east-Asian font is replaced too: briefkit's own default
    template, whose theme names no font that Linux or macOS has)."""
    rpr = default_run_properties(document)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
        rpr.insert(0, fonts)
    if replace_theme:
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
    if not fonts.get(qn("w:eastAsia")) and not fonts.get(qn("w:eastAsiaTheme")):
        fonts.set(qn("w:eastAsia"), font)


_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


def set_custom_properties(document, values: dict[str, str]) -> None:
    """Text custom document properties (Word: File > Properties > Custom), in the package's
    docProps/custom.xml, which is made when the template has none."""
    from lxml import etree

    if not values:
        return
    package = document.part.package
    part = next(
        (
            rel.target_part
            for rel in package.rels.values()
            if rel.reltype == RT.CUSTOM_PROPERTIES and not rel.is_external
        ),
        None,
    )
    if part is None:
        from docx.opc.part import Part

        root = etree.Element(f"{{{_CUSTOM_NS}}}Properties", nsmap={None: _CUSTOM_NS, "vt": _VT_NS})
        part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, b"", package)
        package.relate_to(part, RT.CUSTOM_PROPERTIES)
    elif isinstance(part, XmlPart):
        root = part._element
    else:
        root = etree.fromstring(part.blob)
    properties = {p.get("name"): p for p in root.findall(f"{{{_CUSTOM_NS}}}property")}
    pid = max([1, *(int(p.get("pid", "1")) for p in properties.values())])
    for name, value in values.items():
        if name in properties:
            root.remove(properties[name])
        pid += 1
        prop = etree.SubElement(
            root,
            f"{{{_CUSTOM_NS}}}property",
            fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}",
            pid=str(pid),
            name=name,
        )
        etree.SubElement(prop, f"{{{_VT_NS}}}lpwstr").text = value
    if not isinstance(part, XmlPart):
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _attr(value: str) -> str:
    return (
        str(value)
        .replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


__all__ = [
    "number_drawings",
    "add_text_run",
    "add_field",
    "add_page_reference",
    "add_hyperlink",
    "add_bookmark",
    "restart_numbering",
    "apply_style_spec",
    "add_watermark",
    "declare_east_asian_font",
    "set_custom_properties",
    "style_id",
]


def document_language(document) -> str | None:
    """The proofing language a document's run defaults (or Normal style) declare, if any."""
    for rpr in (default_run_properties(document), _normal_run_properties(document)):
        lang = rpr.find(qn("w:lang")) if rpr is not None else None
        if lang is not None and lang.get(qn("w:val")):
            return lang.get(qn("w:val"))
    return None


def _normal_run_properties(document):
    for style in document.styles.element.iter(qn("w:style")):
        if style.get(qn("w:styleId")) == "Normal":
            return style.find(qn("w:rPr"))
    return None


def set_language(document, tag: str) -> None:
    """The document's proofing language: w:lang of the run defaults and of every style that names
    one (a template's Normal often says en-US), so Word checks spelling and hyphenates in it."""
    styles = document.styles.element
    rpr = default_run_properties(document)
    if rpr.find(qn("w:lang")) is None:
        rpr.append(parse_xml(f"<w:lang {nsdecls('w')}/>"))
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), tag)


def set_outline_level(paragraph, level: int) -> None:
    """A paragraph that is a heading without a heading style (a labelled item, a box's heading):
    Word's navigation pane, its contents and screen readers list it at `level` (0 = Heading 1),
    as the PDF's outline and tags do."""
    ppr = paragraph._p.get_or_add_pPr()
    ppr.insert_element_before(
        parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="{level}"/>'),
        "w:divId",
        "w:cnfStyle",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    )
