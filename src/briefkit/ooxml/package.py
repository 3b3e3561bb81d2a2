"""Word packages as parts: a house Word template's path in, its parts (name → bytes) out, within
a size budget and without links that reach outside the document; and a python-docx document
in, its members (name, bytes) out, for the stamp to zip once (stamp.py).

A house template is untrusted input: a 630 KB file can inflate to 600 MB (a zip bomb), and its
relationships can point outside the document — an attached template on a server (remote
template injection), a linked image or OLE object that Word fetches when the file is opened.
Parts are counted by their uncompressed size before any is inflated; every external
relationship other than a hyperlink is dropped, with the markup that used it, so that no
output briefkit writes reaches out when opened.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lxml import etree

# The budget: what a house template may inflate to, all parts together (real templates, fonts
# and pictures included, stay well under 20 MB).
MAX_TEMPLATE_BYTES = 100 * 1024 * 1024
MAX_TEMPLATE_PARTS = 5000

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


class PackageRefused(Exception):
    """The file is no zip package briefkit will open; the message says why."""


class PackageTooLarge(PackageRefused):
    """The package is past the budget."""


class PackageOdd(PackageRefused):
    """The package holds what no Word file does: an encrypted part, an unsupported
    compression method, a part written twice."""


@dataclass
class OutsideLink:
    part: str  # the part whose relationship it was
    kind: str  # the relationship type's last word: attachedTemplate, image, oleObject …
    target: str


def check_archive(archive: zipfile.ZipFile) -> None:
    """`PackageRefused`, one line, for what no Word file holds and zipfile cannot read right:
    a member flagged as encrypted, compressed by a method other than stored or deflated
    (Deflate64, AES, bzip2 …), or a name written twice (which copy is the part?)."""
    seen: set[str] = set()
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            raise PackageOdd(
                f"its part {info.filename} is encrypted; Word packages are "
                "never encrypted part by part: save the file again from Word"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise PackageOdd(
                f"its part {info.filename} uses zip compression method "
                f"{info.compress_type}, which Word never writes (only stored "
                "and deflated parts are read): save the file again from Word"
            )
        if info.filename in seen:
            raise PackageOdd(
                f"it holds the part {info.filename} twice; save the file again from Word"
            )
        seen.add(info.filename)


def read_parts(path: Path | IO[bytes]) -> dict[str, bytes]:
    """Every part of the package at `path` (a file, or its bytes open), refused past the budget before any is inflated."""
    try:
        with zipfile.ZipFile(path) as archive:
            check_archive(archive)
            infos = archive.infolist()
            total = sum(info.file_size for info in infos)
            if total > MAX_TEMPLATE_BYTES or len(infos) > MAX_TEMPLATE_PARTS:
                raise PackageTooLarge(
                    f"it would inflate to {_size(total)} in {len(infos)} parts, past briefkit's "
                    f"budget for a house template ({_size(MAX_TEMPLATE_BYTES)} uncompressed, "
                    f"{MAX_TEMPLATE_PARTS} parts)"
                )
            # zipfile stops each part at its declared size: the sum above bounds what is read.
            return {info.filename: archive.read(info) for info in infos}
    except (PackageTooLarge, PackageOdd):
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        NotImplementedError,
        EOFError,
        RuntimeError,
    ) as exc:
        raise PackageRefused(f"not a Word document ({exc})") from None


def drop_outside_links(parts: dict[str, bytes]) -> list[OutsideLink]:
    """Remove, in place, every external relationship but hyperlinks, and the elements that
    use it; returns what was dropped."""
    dropped: list[OutsideLink] = []
    for rels_name in [n for n in parts if n.endswith(".rels")]:
        try:
            rels = etree.fromstring(parts[rels_name])
        except etree.XMLSyntaxError:
            continue
        gone = {}
        for rel in list(rels):
            if rel.get("TargetMode") == "External" and rel.get("Type") != _HYPERLINK:
                gone[rel.get("Id")] = rel
                rels.remove(rel)
        if not gone:
            continue
        parts[rels_name] = etree.tostring(
            rels, xml_declaration=True, encoding="UTF-8", standalone=True
        )
        source = _source_of(rels_name)
        if source in parts:
            parts[source] = _without_references(parts[source], set(gone))
        dropped.extend(
            OutsideLink(
                source or "/", rel.get("Type", "").rsplit("/", 1)[-1], rel.get("Target", "")
            )
            for rel in gone.values()
        )
    return dropped


def _source_of(rels_name: str) -> str:
    """word/_rels/settings.xml.rels → word/settings.xml; _rels/.rels → '' (the package)."""
    folder, name = posixpath.split(rels_name)
    return (
        posixpath.join(posixpath.dirname(folder), name[: -len(".rels")]) if name != ".rels" else ""
    )


def _without_references(xml: bytes, ids: set[str]) -> bytes:
    """The part without the markup that names one of `ids`: the attribute, when the element
    names another relationship too (an image both linked and embedded keeps its copy), else
    the whole element (an attachedTemplate, a linked picture, an OLE object)."""
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError:
        return xml
    for element in list(root.iter()):
        relationship_attributes = [k for k in element.attrib if k.startswith(f"{{{_R_NS}}}")]
        named = [k for k in relationship_attributes if element.get(k) in ids]
        if not named:
            continue
        if len(named) < len(relationship_attributes) or element.getparent() is None:
            for key in named:
                del element.attrib[key]
        else:
            element.getparent().remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


class _Members:
    """What python-docx's package writer writes, kept as (member name, bytes) in order."""

    def __init__(self):
        self.items: list[tuple[str, bytes]] = []

    def write(self, pack_uri, blob: bytes) -> None:
        self.items.append((pack_uri.membername, blob))


def package_members(document) -> list[tuple[str, bytes]]:
    """The members of `document`'s package, in the order `Document.save` zips them, without
    zipping: the stamp needs the members, and deflating a megabyte of embedded faces twice
    (save, then stamp) cost a tenth of a second. python-docx's own writer steps (1.x)."""
    # python-docx only to write a document (reading parts needs none)
    from docx.opc.pkgwriter import PackageWriter

    package = document.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    members = _Members()
    PackageWriter._write_content_types_stream(members, parts)
    PackageWriter._write_pkg_rels(members, package.rels)
    # python-docx annotates this step's writer as its zip-writer factory; it only calls
    # .write(pack_uri, blob), which _Members provides.
    PackageWriter._write_parts(members, parts)  # type: ignore[arg-type]
    return members.items
