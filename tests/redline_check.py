"""What an editor gets from a redline after Accept All or Reject All, read two ways:

- `docx_words(path, accept=...)`: from the DOCX's XML, resolved as Word resolves tracked
  changes (insertions, deletions, moves, inserted and deleted table rows); a note's words stand
  where its reference does, and a note whose reference is gone is gone;
- `odt_words(path, accept=...)`: from LibreOffice's reading of the DOCX (converted to flat ODF
  with `soffice --convert-to fodt`): its changed regions (ranges in the text, or deleted text kept
  in the region) are resolved the same way, so the test holds for a second, independent reader
  of the marks.

Both give the document's words in reading order, for comparison with OLD's and NEW's own builds.
"""

from __future__ import annotations

import copy
import re
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_PARSER = etree.XMLParser(huge_tree=True, resolve_entities=False)
_WORD = re.compile(r"\w+")


def _resolve(root, accept: bool):
    root = copy.deepcopy(root)
    gone = ("del", "moveFrom") if accept else ("ins", "moveTo")
    kept = ("ins", "moveTo") if accept else ("del", "moveFrom")
    for row in list(root.iter(W + "tr")):
        if any(row.find(f"{W}trPr/{W}{tag}") is not None for tag in gone):
            row.getparent().remove(row)
    for el in list(root.iter(*(W + t for t in gone))):
        if el.getparent() is not None and el.getparent().tag != W + "rPr":
            el.getparent().remove(el)
    for el in list(root.iter(*(W + t for t in kept))):
        if el.getparent() is not None and el.getparent().tag != W + "rPr":
            for child in list(el):
                el.addprevious(child)
            el.getparent().remove(el)
    for t in root.iter(W + "delText"):
        t.tag = W + "t"
    return root


def docx_words(path: Path, accept: bool = True) -> list[str]:
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        body = _resolve(etree.fromstring(z.read("word/document.xml"), _PARSER), accept)
        notes = {}
        for kind in ("footnotes", "endnotes"):
            if f"word/{kind}.xml" in names:
                part = _resolve(etree.fromstring(z.read(f"word/{kind}.xml"), _PARSER), accept)
                for note in part:
                    notes[(kind[:-5], note.get(W + "id"))] = note
    out: list[str] = []

    def walk(element):
        for el in element.iter(W + "t", W + "footnoteReference", W + "endnoteReference",
                               W + "tab", W + "p"):
            if el.tag == W + "t":
                out.extend(_WORD.findall(el.text or ""))
            elif el.tag in (W + "footnoteReference", W + "endnoteReference"):
                kind = "foot" if el.tag == W + "footnoteReference" else "end"
                note = notes.get((kind, el.get(W + "id")))
                if note is not None:
                    walk(note)
    walk(body.find(W + "body"))
    return out


def to_fodt(paths: list[Path], out_dir: Path, soffice: str, profile: Path) -> list[Path]:
    """One LibreOffice run converts them all."""
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{profile}",
                    "--convert-to", "fodt", "--outdir", str(out_dir), *map(str, paths)],
                   check=True, capture_output=True, timeout=300)
    return [out_dir / (p.stem + ".fodt") for p in paths]


def odt_words(path: Path, accept: bool = True) -> list[str]:
    root = etree.parse(str(path), _PARSER).getroot()
    text = root.find(f"{OFFICE}body/{OFFICE}text")
    regions = {}
    tracked = text.find(TEXT + "tracked-changes")
    if tracked is not None:
        for region in tracked:
            regions[region.get("{http://www.w3.org/XML/1998/namespace}id") or
                    region.get(TEXT + "id")] = region
        text.remove(tracked)
    out: list[str] = []
    active: dict[str, str] = {}  # change id -> insertion | deletion, for ranges in the text
    hidden = "deletion" if accept else "insertion"

    def emit(value: str | None) -> None:
        if value and hidden not in active.values():
            out.extend(_WORD.findall(value))

    def walk(element) -> None:
        for child in element:
            tag = child.tag
            if tag == TEXT + "change-start":
                kind = _kind(regions.get(child.get(TEXT + "change-id")))
                if kind in ("insertion", "deletion"):
                    active[child.get(TEXT + "change-id")] = kind
            elif tag == TEXT + "change-end":
                active.pop(child.get(TEXT + "change-id"), None)
            elif tag == TEXT + "change":
                # an older form: the deleted text kept in the changed region, a point here
                region = regions.get(child.get(TEXT + "change-id"))
                if not accept and hidden not in active.values() and _kind(region) == "deletion":
                    deletion = region.find(TEXT + "deletion")
                    content = [c for c in deletion if not c.tag.endswith("change-info")]
                    for block in content:
                        emit_block(block)
            elif tag == TEXT + "note-citation":
                pass
            else:
                emit(child.text)
                walk(child)
            emit(child.tail)

    def emit_block(block) -> None:
        emit(block.text)
        walk(block)

    walk(text)
    return out


def _kind(region) -> str:
    if region is None:
        return ""
    for child in region:
        return etree.QName(child).localname
    return ""
