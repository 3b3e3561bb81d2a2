"""A DOCX that knows where it came from: the brief as built and what each of its fields showed
in, a custom XML part of the package out; and that part read back from a saved file.

Each field of the brief a reader sees is a hidden bookmark in the document (`_bkf1`, `_bkf2` …,
Word keeps hidden bookmarks while an editor edits, LibreOffice keeps them when it saves as
DOCX; content controls' tags do not survive LibreOffice). The part holds the brief's YAML as it
was built (the base of a three-way merge), which key each bookmark shows, and every paragraph of
the body as briefkit wrote it, read by `story` (so a later import compares what an editor
saved with what was written, part for part, and tells briefkit's own words from the brief's).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Optional

from lxml import etree

from briefkit.ooxml.story_parts import (
    Citation,
    CrossReference,
    Mark,
    NoteMark,
    Paragraph,
    Picture,
    Text,
)

FIELD_PREFIX = "_bkf"
NAMESPACE = "urn:briefkit:brief-source:1"
_CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
_CUSTOM_XML_PROPS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps"
)
_PROPS_CT = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
_DS = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


@dataclass
class Record:
    brief: str  # the YAML text as built
    name: str  # the brief's file name as built
    fields: dict[str, tuple] = field(default_factory=dict)  # bookmark -> key path
    kinds: dict[str, str] = field(default_factory=dict)  # bookmark -> "markdown" or "text"
    paragraphs: list[Paragraph] = field(default_factory=list)  # the body as written
    # The cited sources as Pandoc read them (CSL-JSON): a later `import` takes them as they
    # were, where the fields' itemData had to follow the CSL schema (a @misc's empty type).
    references: list = field(default_factory=list)


def field_name(number: int) -> str:
    return f"{FIELD_PREFIX}{number}"


# ---- writing ----------------------------------------------------------------------------------


def record_xml(record: Record) -> bytes:
    root = etree.Element(f"{{{NAMESPACE}}}briefkit", nsmap={None: NAMESPACE})
    root.set("version", "1")
    brief = etree.SubElement(root, f"{{{NAMESPACE}}}brief", name=record.name)
    brief.text = record.brief
    written = etree.SubElement(root, f"{{{NAMESPACE}}}written")
    written.text = json.dumps(
        {
            "fields": {k: list(v) for k, v in record.fields.items()},
            "kinds": record.kinds,
            "paragraphs": [_paragraph_json(p) for p in record.paragraphs],
            "references": record.references,
        },
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def add_record(document, record: Record) -> None:
    """The record as a custom XML part of `document` (python-docx), beside any the house
    template has, with the properties part Word gives every custom XML part."""
    # python-docx only to write the record (reading needs lxml only)
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    package = document.part.package
    data = record_xml(record)
    item = Part(package.next_partname("/customXml/item%d.xml"), "application/xml", data, package)
    number = item.partname[len("/customXml/item") : -len(".xml")]
    # A stable id, so the same brief gives the same bytes.
    ident = "{" + str(uuid.UUID(hashlib.sha256(data).hexdigest()[:32])).upper() + "}"
    props = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        f'<ds:datastoreItem ds:itemID="{ident}" xmlns:ds="{_DS}">'
        f'<ds:schemaRefs><ds:schemaRef ds:uri="{NAMESPACE}"/></ds:schemaRefs>'
        f"</ds:datastoreItem>"
    ).encode()
    properties = Part(PackURI(f"/customXml/itemProps{number}.xml"), _PROPS_CT, props, package)
    item.relate_to(properties, _CUSTOM_XML_PROPS)
    document.part.relate_to(item, _CUSTOM_XML)


def _paragraph_json(paragraph: Paragraph) -> dict:
    out: dict = {"s": paragraph.style, "p": [_part_json(p) for p in paragraph.parts]}
    if paragraph.in_table:
        out["t"] = 1
    if paragraph.marks:
        out["m"] = [[m.name, int(m.start), m.at] for m in paragraph.marks]
    if paragraph.looks:
        out["l"] = sorted(paragraph.looks)
    return out


def _part_json(part) -> list:
    if isinstance(part, Text):
        return ["t", part.text, sorted(part.flags)]
    if isinstance(part, NoteMark):
        return ["n", [_paragraph_json(p) for p in part.paragraphs]]
    if isinstance(part, Citation):
        return ["c", list(part.items), part.printed]
    if isinstance(part, CrossReference):
        return ["x", part.anchor, part.text]
    if isinstance(part, Picture):
        return ["i", part.alt]
    raise TypeError(part)


# ---- reading ----------------------------------------------------------------------------------


def read_record(files: dict[str, bytes]) -> Optional[Record]:
    """The record among a package's custom XML parts (None: not built by briefkit, or the
    part was removed)."""
    for name in sorted(files):
        if not re.fullmatch(r"customXml/item\d+\.xml", name):
            continue
        data = files[name]
        if NAMESPACE.encode() not in data[:400]:
            continue
        try:
            root = etree.fromstring(data, _PARSER)
            brief = root.find(f"{{{NAMESPACE}}}brief")
            written = json.loads(root.findtext(f"{{{NAMESPACE}}}written") or "{}")
            return Record(
                brief.text or "",
                brief.get("name") or "",
                {k: tuple(v) for k, v in written.get("fields", {}).items()},
                dict(written.get("kinds", {})),
                [_paragraph(p) for p in written.get("paragraphs", [])],
                list(written.get("references", [])),
            )
        except (etree.XMLSyntaxError, ValueError, AttributeError, TypeError, KeyError, IndexError):
            return None  # damaged, or written by another version: no record to go by
    return None


def _paragraph(data: dict) -> Paragraph:
    paragraph = Paragraph(
        data["s"],
        [_part(p) for p in data["p"]],
        bool(data.get("t")),
        [Mark(name, bool(start), at) for name, start, at in data.get("m", [])],
        looks=set(data.get("l", [])),
    )
    paragraph.parts = tuple(paragraph.parts)
    return paragraph


def _part(data: list):
    kind = data[0]
    if kind == "t":
        return Text(data[1], frozenset(data[2]))
    if kind == "n":
        return NoteMark(tuple(_paragraph(p) for p in data[1]))
    if kind == "c":
        return Citation(tuple(data[1]), data[2])
    if kind == "x":
        return CrossReference(data[1], data[2])
    if kind == "i":
        return Picture(data[1])
    raise ValueError(kind)
