"""Word's built-in styles a house template lacks, supplied with Word's own definitions.

Word stores a built-in style (List Bullet, Quote, Title, TOC Heading, footnote text …) in a
file only once it has been used there, so real house templates lack some of the styles the
writer names. As Pandoc does from its reference document, each missing one is copied in — with
its numbering (a list style's bullets and numbers, in a numbering part created when the
template has none), its base style, and its references mapped onto the template's own style ids
(ids are translated in non-English templates: styles are matched by their `w:name`).

In: a python-docx document (the opened template). Out: the same document, with every style of
`WRITER_STYLES` defined. The definitions come from python-docx's default template (a file saved
by Word) and, for the few styles that one lacks, from Word's own definitions below.
"""

from __future__ import annotations

import copy
import functools
import random
import zipfile

from docx.api import _default_docx_path
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.parts.numbering import NumberingPart

# The built-in styles the DOCX writer names (briefkit's own styles come from the layout).
WRITER_STYLES = (
    "Normal",
    "Title",
    "Subtitle",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "List Bullet",
    "List Bullet 2",
    "List Bullet 3",
    "List Number",
    "List Number 2",
    "List Number 3",
    "List Continue",
    "Quote",
    "Caption",
    "TOC Heading",
    "Table Grid",
    "Hyperlink",
    "Header",
    "Footer",
    "footnote text",
    "footnote reference",
    "endnote text",
    "endnote reference",
)

# Word's definitions of the built-in styles python-docx's default template does not hold:
# footnotes and endnotes share theirs, names aside.
_NOTE_STYLES = "".join(
    f"""
<w:style w:type="paragraph" w:styleId="{kind.title()}Text"><w:name w:val="{kind} text"/>
  <w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>
  <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>
<w:style w:type="character" w:styleId="{kind.title()}Reference"><w:name w:val="{kind} reference"/>
  <w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:semiHidden/>
  <w:unhideWhenUsed/><w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>"""
    for kind in ("footnote", "endnote")
)
_WORD_DEFINITIONS = f"""<w:styles {nsdecls("w")}>
{_NOTE_STYLES}<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/>
  <w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
  <w:rPr><w:color w:val="0563C1" w:themeColor="hyperlink"/><w:u w:val="single"/></w:rPr></w:style>
</w:styles>"""


class _Reference:
    """The styles and numbering definitions that built-in styles are copied from."""

    def __init__(self):
        with zipfile.ZipFile(_default_docx_path()) as archive:
            styles = parse_xml(archive.read("word/styles.xml"))
            self.numbering = parse_xml(archive.read("word/numbering.xml"))
        self.by_name: dict = {}
        self.name_of_id: dict = {}
        for root in (styles, parse_xml(_WORD_DEFINITIONS)):
            for style in root.findall(qn("w:style")):
                name = _name(style)
                if name:
                    self.by_name.setdefault(name.lower(), style)
                    self.name_of_id.setdefault(style.get(qn("w:styleId")), name)

    def abstract_for(self, num_id: str):
        num = next(
            (n for n in self.numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id), None
        )
        if num is None:
            return None
        abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        return next(
            (
                a
                for a in self.numbering.findall(qn("w:abstractNum"))
                if a.get(qn("w:abstractNumId")) == abstract_id
            ),
            None,
        )


@functools.lru_cache(maxsize=1)
def _reference() -> _Reference:
    return _Reference()


def _name(style) -> str:
    name = style.find(qn("w:name"))
    return name.get(qn("w:val")) if name is not None else ""


def supply_builtin_styles(document, names=WRITER_STYLES) -> list[str]:
    """Copy each of `names` the document lacks from Word's definitions; returns those added."""
    supplier = _Supplier(document)
    added = [name for name in names if supplier.ensure(name)]
    for name in names:  # a house's own list style without numbers would print bare items
        supplier.number(name)
    return added


class _Supplier:
    def __init__(self, document):
        self.document = document
        self.styles = document.styles.element
        self.reference = _reference()
        self.ids = {s.get(qn("w:styleId")) for s in self.styles.findall(qn("w:style"))}
        self.id_of_name = {}
        for style in self.styles.findall(qn("w:style")):
            self.id_of_name.setdefault(_name(style).lower(), style.get(qn("w:styleId")))

    def ensure(self, name: str) -> bool:
        """Define style `name` when missing (and what it is based on); True when added."""
        key = name.lower()
        if key in self.id_of_name or key not in self.reference.by_name:
            return False
        style = copy.deepcopy(self.reference.by_name[key])
        style_id = style.get(qn("w:styleId"))
        while style_id in self.ids:  # an id the template uses for another style
            style_id += "0"
        style.set(qn("w:styleId"), style_id)
        self.ids.add(style_id)
        self.id_of_name[key] = style_id  # before the base: a style never bases on itself
        for tag in ("w:basedOn", "w:next", "w:link"):
            reference = style.find(qn(tag))
            if reference is None:
                continue
            target = self.reference.name_of_id.get(reference.get(qn("w:val")), "")
            if tag == "w:basedOn":
                self.ensure(target)  # a base the template lacks comes too
            mapped = self.id_of_name.get(target.lower())
            if mapped is None:
                style.remove(reference)  # e.g. a linked "… Char" style the template lacks
            else:
                reference.set(qn("w:val"), mapped)
        for rsid in style.findall(qn("w:rsid")):
            style.remove(rsid)
        num_id = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
        if num_id is not None:
            num_id.set(qn("w:val"), self._numbering(num_id.get(qn("w:val")), style_id))
        self.styles.append(style)
        return True

    def number(self, name: str) -> None:
        """Give the template's own style `name` Word's numbering when Word's definition has
        numbering and neither the style nor one it is based on does."""
        reference = self.reference.by_name.get(name.lower())
        reference_num = (
            None
            if reference is None
            else reference.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
        )
        style_id = self.id_of_name.get(name.lower())
        if reference_num is None or style_id is None:
            return
        by_id = {s.get(qn("w:styleId")): s for s in self.styles.findall(qn("w:style"))}
        style, seen = by_id.get(style_id), set()
        while style is not None and style.get(qn("w:styleId")) not in seen:
            if style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}") is not None:
                return
            seen.add(style.get(qn("w:styleId")))
            base = style.find(qn("w:basedOn"))
            style = by_id.get(base.get(qn("w:val"))) if base is not None else None
        num_id = self._numbering(reference_num.get(qn("w:val")), style_id)
        num_pr = by_id[style_id].get_or_add_pPr().get_or_add_numPr()  # in schema order
        num_pr.get_or_add_numId().val = int(num_id)

    def _numbering(self, reference_num_id: str, style_id: str) -> str:
        """The reference list definition behind `reference_num_id`, copied into the document's
        numbering part (made when the template has none); returns the new w:numId."""
        numbering = numbering_part(self.document).element
        abstract = copy.deepcopy(self.reference.abstract_for(reference_num_id))
        abstracts = numbering.findall(qn("w:abstractNum"))
        nums = numbering.findall(qn("w:num"))
        abstract_id = str(max([-1, *(int(a.get(qn("w:abstractNumId"))) for a in abstracts)]) + 1)
        abstract.set(qn("w:abstractNumId"), abstract_id)
        nsid = abstract.find(qn("w:nsid"))
        if nsid is not None:  # Word joins lists whose definitions share an nsid
            nsid.set(qn("w:val"), f"{random.Random(style_id).getrandbits(32):08X}")
        for p_style in abstract.iter(qn("w:pStyle")):
            p_style.set(qn("w:val"), style_id)
        # The schema wants every w:abstractNum before the first w:num.
        if abstracts:
            abstracts[-1].addnext(abstract)
        elif nums:
            nums[0].addprevious(abstract)
        else:
            numbering.append(abstract)
        num_id = str(max([0, *(int(n.get(qn("w:numId"))) for n in nums)]) + 1)
        numbering.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                f'<w:abstractNumId w:val="{abstract_id}"/></w:num>'
            )
        )
        return num_id


def numbering_part(document):
    """The document's numbering part, made empty when the template has none (python-docx
    cannot make one)."""
    part = document.part
    for rel in part.rels.values():
        if rel.reltype == RT.NUMBERING and not rel.is_external:
            return rel.target_part
    new = NumberingPart(
        PackURI("/word/numbering.xml"),
        CT.WML_NUMBERING,
        parse_xml(f"<w:numbering {nsdecls('w')}/>"),
        part.package,
    )
    part.relate_to(new, RT.NUMBERING)
    return new
