"""Validate a DOCX's WordprocessingML parts against the WML schema Pandoc's CI uses
(devoidfury/docx-validator's `schemas/microsoft/wml-2010.xsd`, vendored in
`tests/data/ooxml-schema/` with its ORIGIN), with lxml.

As Pandoc's CI does, every `word/*.xml` part is validated (document, styles, settings,
numbering, notes, headers, footers, font table, web settings). Markup Compatibility is processed
first, as a consumer that knows only ISO 29500 Transitional would (ECMA-376 Part 3): the
`mc:Ignorable` attribute goes, and so does every element and attribute of a namespace it
declares ignorable (Word's w14/w15 extensions: `w14:docId`, `w14:paraId` …); an
`mc:AlternateContent` is replaced by its fallback. Everything else is held to the schema.
"""

from __future__ import annotations

import functools
import io
import zipfile
from pathlib import Path

from lxml import etree

SCHEMA = Path(__file__).parent / "data" / "ooxml-schema" / "microsoft" / "wml-2010.xsd"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# The namespaces of ISO 29500 Transitional a WordprocessingML part may use.
UNDERSTOOD = frozenset({
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "http://schemas.openxmlformats.org/schemaLibrary/2006/main",
    "urn:schemas-microsoft-com:vml", "urn:schemas-microsoft-com:office:office",
    "urn:schemas-microsoft-com:office:word", "http://www.w3.org/XML/1998/namespace",
})


@functools.lru_cache(maxsize=1)
def wml_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def _namespace(name: str) -> str | None:
    return name[1:].split("}")[0] if name.startswith("{") else None


def without_markup_compatibility(root):
    """`root` as a Transitional consumer reads it (Markup Compatibility processed)."""
    ignorable: set[str] = set()
    for element in root.iter():
        declared = element.attrib.pop(f"{{{MC}}}Ignorable", None)
        if declared:
            ignorable.update(element.nsmap.get(prefix) for prefix in declared.split())
    ignored = (ignorable - UNDERSTOOD) | {MC}
    for alternate in list(root.iter(f"{{{MC}}}AlternateContent")):
        fallback = alternate.find(f"{{{MC}}}Fallback")
        for child in list(fallback if fallback is not None else []):
            alternate.addprevious(child)
        alternate.getparent().remove(alternate)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if _namespace(element.tag) in ignored and element.getparent() is not None:
            element.getparent().remove(element)
            continue
        for key in [k for k in element.attrib if _namespace(k) in ignored]:
            del element.attrib[key]
    return root


def schema_errors(docx) -> list[str]:
    """'part:line: message' for every schema error of the WordprocessingML parts of `docx` (a
    path or the file's bytes); empty when the file is valid."""
    source = io.BytesIO(docx) if isinstance(docx, bytes) else docx
    schema = wml_schema()
    errors = []
    with zipfile.ZipFile(source) as archive:
        for name in sorted(archive.namelist()):
            if not (name.startswith("word/") and name.endswith(".xml") and name.count("/") == 1):
                continue
            root = without_markup_compatibility(etree.fromstring(archive.read(name)))
            # Validated as its text, as xmllint sees the file: error lines are the part's.
            document = etree.fromstring(etree.tostring(root, pretty_print=True))
            if not schema.validate(document):
                errors += [f"{name}:{e.line}: {e.message}" for e in schema.error_log]
    return errors


def messages(errors: list[str]) -> list[str]:
    """The errors without their line numbers (to compare an output with its template)."""
    out = []
    for error in errors:
        where, message = error.split(": ", 1)
        out.append(f"{where.split(':')[0]}: {message}")
    return sorted(out)
