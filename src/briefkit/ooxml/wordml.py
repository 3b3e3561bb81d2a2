"""WordprocessingML that python-docx has no API for: notes parts, fields, hyperlinks, styles
from data, list numbering restarts. Names follow Word's own vocabulary (footnoteReference,
fldSimple, numId); `docx.py` builds the document from these pieces and style names only.
"""

from __future__ import annotations

import copy
import re

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt
from docx.text.run import Run
from lxml import etree

from briefkit.load.source import NOT_TEXT
from briefkit.ooxml.order import get_or_place, place


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


def add_field(paragraph, instruction: str, placeholder: str = "", *, into=None):
    """A complex field (PAGE, NUMPAGES, PAGEREF ...) that Word computes, with `placeholder` as
    its last result, at the end of `paragraph` (or of `into`, an element of it such as a
    w:hyperlink); returns the result's w:r. Never marked dirty: Word asks whether to update
    fields when a document holding a dirty field is opened (PAGE and NUMPAGES are live in
    headers and footers)."""
    parent = paragraph._p if into is None else into
    begin_field(parent, f" {instruction} ")
    result = parse_xml(
        f'<w:r {nsdecls("w")}><w:t xml:space="preserve">{_text(placeholder)}</w:t></w:r>'
    )
    parent.append(result)
    end_field(parent)
    return result


def field_char(kind: str):
    """A run holding a field's `begin`, `separate` or `end` mark."""
    return parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="{kind}"/></w:r>')


def begin_field(parent, instruction: str) -> None:
    """The opening of a complex field in `parent` (a w:p or w:hyperlink): its begin mark, its
    code, its separator. The runs appended next are its result, until `end_field`."""
    code = parse_xml(f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"/></w:r>')
    code[0].text = xml_text(instruction)
    parent.append(field_char("begin"))
    parent.append(code)
    parent.append(field_char("separate"))


def end_field(parent) -> None:
    parent.append(field_char("end"))


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


def bookmark_name(anchor: str) -> str:
    """An anchor as a Word bookmark's name: Word takes letters, digits, '_' and '-' only, so
    pandoc-crossref's `fig:x` is the bookmark `fig_x` (links use the same name)."""
    return re.sub(r"[^\w-]", "_", anchor)


def add_bookmark(paragraph, name: str, ident: int) -> None:
    bookmark_range(paragraph._p, paragraph._p, bookmark_name(name), ident)


def bookmark_range(first, last, name: str, ident: int) -> None:
    """A bookmark from the start of paragraph `first` to the end of paragraph `last` (w:p)."""
    start = parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="{ident}" w:name="{_attr(name)}"/>')
    ppr = first.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        first.insert(0, start)
    bookmark_end(last, ident)


def bookmark_start(p, name: str, ident: int) -> None:
    """A bookmark opening where `p` ends so far (the runs appended next are inside it)."""
    p.append(parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="{ident}" w:name="{_attr(name)}"/>'))


def bookmark_end(p, ident: int) -> None:
    p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{ident}"/>'))


def restart_numbering(
    document, paragraph, style_name: str, start: int = 1, num_id: str | None = None
) -> str | None:
    """Number `paragraph` (an item of a list in the numbered style `style_name`) in a list of
    its own that starts at `start`: a new w:num over the style's list definition, made for
    the list's first item (`num_id` None) and given to each later one, so Word and LibreOffice
    count the items of this list, and only these. Returns the num id (None: the style has no
    numbering)."""
    if num_id is None:
        numbering = document.part.numbering_part.element
        style = document.styles[style_name]
        style_num = style.element.find(qn("w:pPr") + "/" + qn("w:numPr") + "/" + qn("w:numId"))
        if style_num is None:
            return None
        num = next(
            (
                n
                for n in numbering.findall(qn("w:num"))
                if n.get(qn("w:numId")) == style_num.get(qn("w:val"))
            ),
            None,
        )
        if num is None:
            return None
        abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        num_id = str(max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))) + 1)
        place(
            numbering,
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>'
                f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>'
            ),
        )
    place(
        paragraph._p.get_or_add_pPr(),
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'
        ),
    )
    return num_id


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


def add_watermark(section, text: str, font: str) -> None:
    """A diagonal text watermark on every page of `section`: Word's own watermark (a VML text
    path named PowerPlusWaterMarkObject, which Word's Design > Watermark menu and LibreOffice
    recognise), anchored in each header of the section behind the text, as wide as Word makes
    it and as high as the word's length allows (a box too high for a longer word, "BROUILLON",
    sets it too large for its width, and LibreOffice breaks it over two lines)."""
    headers = [section.header]
    if section.different_first_page_header_footer:
        headers.append(section.first_page_header)
    if section.even_page_header.is_linked_to_previous is False:
        headers.append(section.even_page_header)
    width = 468.0  # Word's own watermark width (6.5 in); the height follows the word's length
    for n, header in enumerate(headers, 1):
        if any(
            (el.get("id") or "").startswith("PowerPlusWaterMarkObject")
            for el in header._element.iter("{urn:schemas-microsoft-com:vml}shape")
        ):
            continue  # a header shared with an earlier section has its watermark already
        paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        paragraph._p.append(
            text_mark(
                text,
                n,
                font=font,
                width_pt=width,
                color="f4c7cf",
                opacity=0.5,
                behind=True,
                relative="margin",
            )
        )


def text_mark(
    text: str,
    n: int,
    *,
    font: str,
    width_pt: float,
    color: str,
    opacity: float,
    behind: bool,
    relative: str,
):
    """A run holding a diagonal VML text path (Word's watermark shape), centred on the margin
    area or the page (`relative`), behind the text or in front of it; its height follows
    the text's length so the letters keep their shape."""
    height = width_pt / (0.7 * max(len(text), 3))
    z_index = -251654144 + n if behind else 251659264 + n
    return parse_xml(
        f"<w:r {nsdecls('w')} {_VML}><w:pict>{_TEXT_PATH_TYPE}"
        f'<v:shape id="PowerPlusWaterMarkObject{n}" o:spid="_x0000_s{2048 + n}" '
        f'type="#_x0000_t136" style="position:absolute;margin-left:0;margin-top:0;'
        f"width:{width_pt:.1f}pt;height:{height:.1f}pt;rotation:315;z-index:{z_index};"
        f"mso-position-horizontal:center;mso-position-horizontal-relative:{relative};"
        f'mso-position-vertical:center;mso-position-vertical-relative:{relative}" '
        f'o:allowincell="f" fillcolor="#{color}" stroked="f">'
        f'<v:fill opacity="{opacity:g}"/><v:textpath style="font-family:&quot;{_attr(font)}&quot;;'
        f'font-size:1pt;font-weight:bold" string="{_attr(text)}"/>'
        f'<w10:wrap anchorx="{relative}" anchory="{relative}"/></v:shape></w:pict></w:r>'
    )


def default_run_properties(document):
    """The w:rPr of the styles part's run defaults (w:docDefaults/w:rPrDefault), made if absent."""
    styles = document.styles.element
    defaults = get_or_place(styles, "w:docDefaults")
    rpr_default = get_or_place(defaults, "w:rPrDefault")
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = parse_xml(f"<w:rPr {nsdecls('w')}/>")
        rpr_default.append(rpr)  # its only child
    return rpr


def declare_east_asian_font(document, font: str, *, replace_theme: bool = False) -> None:
    """Name a CJK font for east-Asian text in the document defaults, unless the template has one
    (with `replace_theme`, a theme's east-Asian font is replaced too: briefkit's own default
    template, whose theme names no font that Linux or macOS has)."""
    rpr = default_run_properties(document)
    fonts = get_or_place(rpr, "w:rFonts")
    if replace_theme:
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
    if not fonts.get(qn("w:eastAsia")) and not fonts.get(qn("w:eastAsiaTheme")):
        fonts.set(qn("w:eastAsia"), font)


_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


def set_custom_properties(document, values: dict[str, str]) -> None:
    """Text custom document properties (Word: File > Properties > Custom), in the package's
    docProps/custom.xml, which is made when the template has none."""
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


def _text(value: str) -> str:
    return xml_text(str(value)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = [
    "number_drawings",
    "add_text_run",
    "add_field",
    "field_char",
    "add_hyperlink",
    "add_bookmark",
    "restart_numbering",
    "add_watermark",
    "declare_east_asian_font",
    "set_custom_properties",
    "style_id",
]


def style_rule(document, name: str) -> list:
    """The paragraph rules and indent of style `name` (its w:pBdr and w:ind), to give other
    paragraphs of the same block (an item's title and meta lines share its text's rule)."""
    ppr = document.styles[name].element.pPr
    if ppr is None:
        return []
    return [child for child in ppr if child.tag in (qn("w:pBdr"), qn("w:ind"))]


def apply_rule(paragraph, rule: list) -> None:
    for element in rule:
        place(paragraph._p.get_or_add_pPr(), copy.deepcopy(element))


def without_top_rule(paragraph, space_before_pt: float) -> None:
    """Direct formatting that takes a style's top rule (and the space above it) off
    `paragraph`: a level-1 heading that is no chapter, under a Heading 1 that carries the
    chapter rule."""
    ppr = paragraph._p.get_or_add_pPr()
    place(ppr, parse_xml(f'<w:pBdr {nsdecls("w")}><w:top w:val="nil"/></w:pBdr>'))
    paragraph.paragraph_format.space_before = Pt(space_before_pt)


def keep_with_next(p, keep: bool) -> None:
    """Direct keep-with-next on the w:p `p` (False overrides a style's)."""
    element = parse_xml(
        f"<w:keepNext {nsdecls('w')}/>" if keep else f'<w:keepNext {nsdecls("w")} w:val="0"/>'
    )
    place(p.get_or_add_pPr(), element)


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
    get_or_place(rpr, "w:lang")
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), tag)


def set_outline_level(paragraph, level: int) -> None:
    """A paragraph that is a heading without a heading style (a labelled item, a box's heading):
    Word's navigation pane, its contents and screen readers list it at `level` (0 = Heading 1),
    as the PDF's outline and tags do."""
    place(
        paragraph._p.get_or_add_pPr(), parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="{level}"/>')
    )
