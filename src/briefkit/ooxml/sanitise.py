"""A Word package's parts in, the same parts without anything that fetches or runs out.

A house template (and, through it, every DOCX briefkit writes from it) is untrusted. Word acts
on a file's content when it is opened or its fields are updated: it includes other files
(`INCLUDETEXT`, `INCLUDEPICTURE`, `INCLUDE`, `IMPORT`, `LINK`), starts other programs (`DDE`,
`DDEAUTO`), renders alternative content from HTML or RTF chunks (`w:altChunk`, which may load
remote pictures), runs macros (`vbaProject.bin`) and embedded objects (OLE, ActiveX), and
follows links. So, in place:
- a field of those kinds loses its code (the instruction, which names the file or program)
  and keeps its last result as plain text, as Word shows it when fields are not updated;
- hyperlinks that are not http(s) or mailto (`file:`, UNC `\\\\host\\share`, `javascript:`)
  lose their link and keep their words, and so do `HYPERLINK` fields;
- `altChunk` elements, macro and OLE/ActiveX parts and the relationships and markup that use
  them are removed (an OLE object's preview picture stays);
- external relationships other than hyperlinks are removed (`package.drop_outside_links`).
What the template shows itself (headers, footers, their text) stays. Each kind removed is
reported once, so the brief's author hears it as a warning.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from lxml import etree

from briefkit.core.paths import safe_link
from briefkit.ooxml.package import OutsideLink, _source_of, drop_outside_links

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
# Fields that read another file or start another program when Word updates them.
ACTIVE_FIELDS = {"INCLUDETEXT", "INCLUDEPICTURE", "INCLUDE", "IMPORT", "LINK", "DDE", "DDEAUTO"}
# Relationship types (their last word) whose target runs or renders outside Word's own text.
_ACTIVE_RELATIONSHIPS = {
    "aFChunk",
    "vbaProject",
    "oleObject",
    "package",
    "control",
    "activeXControlBinary",
    "keyMapCustomizations",
    "attachedToolbars",
    "wordVbaData",
    "vbaData",
}
_ACTIVE_ELEMENTS = {"altChunk", "OLEObject", "control"}  # local names: markup that uses them
_MACRO_TYPES = (
    b"application/vnd.ms-word.document.macroEnabled.main+xml",
    b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
_DOCUMENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass
class Removed:
    """One kind of content taken out of a package, for the author's warning."""

    kind: str  # "field", "link", "altChunk", "macro", "OLE object", or an OutsideLink's kind
    detail: str  # what it named (an instruction, a target, a part)


def sanitise(parts: dict[str, bytes]) -> list[Removed]:
    """Remove, in place, everything that fetches or runs (see the module's docstring); what
    was removed, one entry per kind and detail."""
    removed: list[Removed] = [
        Removed(link.kind, f"{link.part or 'the package'}: {link.target}")
        for link in drop_outside_links(parts)
    ]
    removed += _drop_active_relationships(parts)
    for name in [n for n in parts if n.endswith(".xml") and n.startswith("word/")]:
        try:
            root = etree.fromstring(parts[name], _PARSER)
        except etree.XMLSyntaxError:
            continue
        found = _fields(root) + _unsafe_hyperlinks(root, parts, name) + _active_markup(root)
        if found:
            parts[name] = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
            removed += found
    types = parts.get("[Content_Types].xml")
    if types is not None:
        for macro_type in _MACRO_TYPES:
            types = types.replace(macro_type, _DOCUMENT_TYPE)
        parts["[Content_Types].xml"] = _without_overrides(types, parts)
    unique: dict[tuple[str, str], Removed] = {}
    for item in removed:
        unique.setdefault((item.kind, item.detail), item)
    return list(unique.values())


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _instruction_word(text: str) -> str:
    words = text.strip().split()
    return words[0].upper() if words else ""


def _hyperlink_target(instruction: str) -> str:
    match = re.search(r'HYPERLINK\s+"([^"]*)"|HYPERLINK\s+(\S+)', instruction, re.I)
    return (match.group(1) or match.group(2) or "") if match else ""


def _is_active(instruction: str) -> bool:
    word = _instruction_word(instruction)
    if word == "HYPERLINK":
        target = _hyperlink_target(instruction)
        return bool(target) and safe_link(target) is None and not re.search(r"\\l\b", instruction)
    return word in ACTIVE_FIELDS


def _fields(root) -> list[Removed]:
    """Active fields lose their code and keep their result: simple fields (`w:fldSimple`)
    are replaced by their runs; complex ones (begin, instruction, separate, result, end,
    possibly across paragraphs and nested) lose every run of their own code."""
    removed = []
    for simple in list(root.iter(_w("fldSimple"))):
        instruction = simple.get(_w("instr"), "")
        if _is_active(instruction):
            _unwrap(simple)
            removed.append(Removed("field", _instruction_word(instruction)))
    stack: list[dict] = []  # open complex fields, innermost last
    doomed: list = []
    for run in list(root.iter(_w("r"))):
        char = run.find(_w("fldChar"))
        kind = char.get(_w("fldCharType")) if char is not None else None
        if kind == "begin":
            stack.append({"code": [run], "instruction": "", "in_code": True})
            continue
        if not stack:
            continue
        field = stack[-1]
        if kind == "separate":
            field["code"].append(run)
            field["in_code"] = False
        elif kind == "end":
            field["code"].append(run)
            stack.pop()
            if _is_active(field["instruction"]):
                doomed.extend(field["code"])
                removed.append(Removed("field", _instruction_word(field["instruction"])))
        elif field["in_code"]:
            field["code"].append(run)
            field["instruction"] += "".join(t.text or "" for t in run.iter(_w("instrText")))
    for run in doomed:
        if run.getparent() is not None:
            run.getparent().remove(run)
    return removed


def _unsafe_hyperlinks(root, parts: dict[str, bytes], name: str) -> list[Removed]:
    """`w:hyperlink` elements whose relationship (already gone, or not web/mail) is unsafe:
    the runs stay, the link goes."""
    targets = _relationship_targets(parts, name)
    removed = []
    for link in list(root.iter(_w("hyperlink"))):
        rid = link.get(f"{{{R}}}id")
        if rid is None:
            continue  # an in-document anchor (w:anchor)
        target = targets.get(rid)
        if target is not None and safe_link(target) is not None:
            continue
        _unwrap(link)
        removed.append(Removed("link", target or rid))
    return removed


def _unwrap(element) -> None:
    """Put `element`'s children where it stands, and remove it."""
    parent = element.getparent()
    position = parent.index(element)
    for child in list(element):
        parent.insert(position, child)
        position += 1
    parent.remove(element)


def _active_markup(root) -> list[Removed]:
    removed = []
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local in _ACTIVE_ELEMENTS and element.getparent() is not None:
            element.getparent().remove(element)
            removed.append(Removed("altChunk" if local == "altChunk" else "OLE object", local))
    return removed


def _relationship_targets(parts: dict[str, bytes], name: str) -> dict[str, str]:
    folder, file = posixpath.split(name)
    rels = parts.get(posixpath.join(folder, "_rels", file + ".rels"))
    if rels is None:
        return {}
    try:
        root = etree.fromstring(rels, _PARSER)
    except etree.XMLSyntaxError:
        return {}
    return {rel.get("Id"): rel.get("Target", "") for rel in root}


def _drop_active_relationships(parts: dict[str, bytes]) -> list[Removed]:
    """Relationships to macros, OLE and ActiveX objects, altChunk sources and unsafe
    hyperlinks, and the parts only they name."""
    removed, orphans, kept_targets = [], set(), set()
    for rels_name in [n for n in parts if n.endswith(".rels")]:
        try:
            rels = etree.fromstring(parts[rels_name], _PARSER)
        except etree.XMLSyntaxError:
            continue
        source = _source_of(rels_name)
        changed = False
        for rel in list(rels):
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            target = rel.get("Target", "")
            internal = rel.get("TargetMode") != "External"
            resolved = (
                posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
                if internal
                else None
            )
            if kind in _ACTIVE_RELATIONSHIPS:
                rels.remove(rel)
                changed = True
                if resolved:
                    orphans.add(resolved.lstrip("/"))
                removed.append(
                    Removed(
                        "macro"
                        if "vba" in kind.lower()
                        or kind in ("keyMapCustomizations", "attachedToolbars")
                        else "altChunk"
                        if kind == "aFChunk"
                        else "OLE object",
                        target,
                    )
                )
            elif kind == "hyperlink" and safe_link(target) is None:
                rels.remove(rel)
                changed = True
                removed.append(Removed("link", target))
            elif resolved:
                kept_targets.add(resolved.lstrip("/"))
        if changed:
            parts[rels_name] = etree.tostring(
                rels, xml_declaration=True, encoding="UTF-8", standalone=True
            )
    for orphan in orphans - kept_targets:
        parts.pop(orphan, None)
        parts.pop(
            posixpath.join(
                posixpath.dirname(orphan), "_rels", posixpath.basename(orphan) + ".rels"
            ),
            None,
        )
    return removed


def _without_overrides(types: bytes, parts: dict[str, bytes]) -> bytes:
    """[Content_Types].xml without Override entries for parts no longer there."""
    try:
        root = etree.fromstring(types, _PARSER)
    except etree.XMLSyntaxError:
        return types
    for override in root.findall(f"{{{_TYPES}}}Override"):
        if override.get("PartName", "").lstrip("/") not in parts:
            root.remove(override)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


__all__ = ["ACTIVE_FIELDS", "OutsideLink", "Removed", "sanitise"]
