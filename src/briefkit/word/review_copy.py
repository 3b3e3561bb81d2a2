"""A DOCX briefkit built in, the copy a redline marks out: each citation the words it prints
(not a live Zotero field) and no record of the brief.

A redline marks words. A changed citation inside a field would be a tracked change across the
field's marks, which LibreOffice (7.4) reads with its ranges shifted by the marks' width, so the
words it shows after Accept All are not NEW's; as text, a changed locator is two changed words,
as before. And a redline is for review: brought back with `import --into` it would not match
the record it carried, so it carries none, and `import --into` refuses it with what to do.
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from briefkit.ooxml.brief_record import NAMESPACE
from briefkit.ooxml.story import ZOTERO, w

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_STORIES = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")


def review_copy(docx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        infos = archive.infolist()
        parts = {info.filename: archive.read(info) for info in infos}
    record = [
        name
        for name, data in parts.items()
        if re.fullmatch(r"customXml/item\d+\.xml", name) and NAMESPACE.encode() in data[:400]
    ]
    for name in record:
        number = name[len("customXml/item") : -len(".xml")]
        for gone in (
            name,
            f"customXml/itemProps{number}.xml",
            f"customXml/_rels/item{number}.xml.rels",
        ):
            parts.pop(gone, None)
        parts["word/_rels/document.xml.rels"] = re.sub(
            rb'<Relationship [^>]*Target="(?:\.\./|/)' + re.escape(name.encode()) + rb'"[^>]*/>',
            b"",
            parts["word/_rels/document.xml.rels"],
        )
        parts["[Content_Types].xml"] = re.sub(
            rb'<Override [^>]*PartName="/customXml/itemProps' + number.encode() + rb'\.xml"[^>]*/>',
            b"",
            parts["[Content_Types].xml"],
        )
    for name in _STORIES:
        if name in parts:
            root = etree.fromstring(parts[name], _PARSER)
            if _unwrap_citations(root):
                parts[name] = etree.tostring(
                    root, xml_declaration=True, encoding="UTF-8", standalone=True
                )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in infos:
            if info.filename in parts:
                archive.writestr(info, parts[info.filename])
    return out.getvalue()


def _unwrap_citations(root) -> bool:
    """Each Zotero citation field left as its result's runs; True when there was one."""
    found = False
    for paragraph in root.iter(w("p")):
        runs = list(paragraph.iter(w("r")))
        index = 0
        while index < len(runs):
            char = runs[index].find(w("fldChar"))
            if char is None or char.get(w("fldCharType")) != "begin":
                index += 1
                continue
            code, marks, separate, end = "", [runs[index]], None, None
            for position in range(index + 1, len(runs)):
                run = runs[position]
                kind = run.find(w("fldChar"))
                kind = kind.get(w("fldCharType")) if kind is not None else None
                if kind == "separate" and separate is None:
                    separate = position
                    marks.append(run)
                elif kind == "end":
                    end = position
                    marks.append(run)
                    break
                elif separate is None:
                    code += "".join(t.text or "" for t in run.iter(w("instrText")))
                    marks.append(run)
            if end is None or not ZOTERO.match(code):
                index += 1
                continue
            for run in marks:
                run.getparent().remove(run)
            found = True
            index = end + 1
    return found
