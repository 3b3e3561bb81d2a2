"""Fonts embedded in a Word file: the design's face files in, obfuscated font parts out.

Word (and LibreOffice) show a DOCX in faces the machine lacks when the file carries them: each
face file becomes a part `word/fonts/fontN.odttf`, obfuscated as ECMA-376 prescribes (its first
32 bytes XOR-ed with the bytes of a GUID, reversed), named by `w:embedRegular`/`Bold`/`Italic`/
`BoldItalic` in the font table, and `w:embedTrueTypeFonts` in the settings. The faces are the
ones briefkit ships under the SIL Open Font License, which allows embedding.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from briefkit.core.paths import read_regular
from briefkit.ooxml.order import get_or_place, place

ODTTF = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
_EMBED = {
    "regular": "embedRegular",
    "bold": "embedBold",
    "italic": "embedItalic",
    "bold_italic": "embedBoldItalic",
}


def obfuscate(data: bytes, key: str) -> bytes:
    """ECMA-376 font obfuscation (its own inverse): XOR the first 32 bytes with the GUID's 16
    bytes in reverse order."""
    guid = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ guid[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def embed_fonts(document, faces: dict[str, dict[str, Path]]) -> None:
    """Embed `faces` ({family: {regular|bold|italic|bold_italic: file}}) in `document`."""
    font_table = next(
        (rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE),
        None,
    )
    if font_table is None or not faces:
        return
    root = etree.fromstring(font_table.blob)
    for family, files in faces.items():
        font = next((f for f in root.findall(qn("w:font")) if f.get(qn("w:name")) == family), None)
        if font is None:
            font = parse_xml(f'<w:font {nsdecls("w")} w:name="{family}"/>')
            root.append(font)
        for old in [c for c in font if c.tag.split("}")[1].startswith("embed")]:
            font.remove(old)  # the template's own copy of the face: its part goes with it
            rid = old.get(qn("r:id"))
            if rid in font_table.rels:
                font_table.drop_rel(rid)
        for style in ("regular", "bold", "italic", "bold_italic"):  # the schema's order
            if style not in files:
                continue
            data = read_regular(files[style])  # confined by the design (read_layout_file)
            # A key derived from the face: the same file gives the same bytes on every build.
            key = (
                "{"
                + str(uuid.uuid5(uuid.NAMESPACE_URL, f"briefkit-font:{family}:{style}")).upper()
                + "}"
            )
            # A name no part of the package has (a house template may embed faces of its own).
            name = document.part.package.next_partname("/word/fonts/font%d.odttf")
            part = Part(name, ODTTF, obfuscate(data, key), document.part.package)
            rid = font_table.relate_to(part, RT.FONT)
            place(
                font,
                parse_xml(
                    f'<w:{_EMBED[style]} {nsdecls("w", "r")} r:id="{rid}" w:fontKey="{key}"/>'
                ),
            )
    font_table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    get_or_place(document.settings.element, "w:embedTrueTypeFonts")
