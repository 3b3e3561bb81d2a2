"""Two DOCX packages (OLD and NEW, both written by briefkit's normal build) in, NEW's package
with every difference from OLD as a Word tracked change out.

The body is a sequence of blocks (paragraphs and tables, content controls looked into). Blocks
are aligned first, by the histogram diff of `redline_diff` over their text (style included, a
note reference standing for its note's text): unchanged blocks are left alone. In each changed
stretch, a paragraph pairs with a similar one of the same kind (a heading with a heading) and is
compared word by word (`redline_words`); a table pairs with a table of the same columns and is
compared row by row, cell by cell (rows added or removed are tracked rows). A paragraph that
left one place and stands unchanged in another is a move (`w:moveFrom`/`w:moveTo`, one named
range for consecutive paragraphs, so a moved section is one move). What is left is inserted, or
comes back from OLD as deleted, where it stood.

Notes follow their references: a note whose reference is unchanged is unchanged (whatever its
number), one paired by the word diff is compared paragraph by paragraph, one whose reference is
new is inserted, and a reference that is deleted (or moved away) points to a copy of OLD's note
added to NEW's notes part, so that rejecting the change gives the note back.
"""

from __future__ import annotations

import copy
import hashlib
import io
import posixpath
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from lxml import etree

from briefkit.word.redline_diff import opcodes
from briefkit.word.redline_words import (
    BLIP,
    MEDIA_HASH,
    Marker,
    deleted_copy,
    diff_paragraph,
    mark_inserted,
    mark_moved_to,
    mark_style_change,
    move_range,
    paragraph_key,
    w,
    words_of,
)

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_NOTE_TAGS = {"footnotes": "footnote", "endnotes": "endnote"}
PAIR_SIMILARITY = 0.5  # share of words two paragraphs must have in common to be compared
PAIR_WINDOW = 60  # how far ahead in a changed stretch a partner is looked for


@dataclass
class Block:
    element: etree._Element
    kind: str  # "p" or "tbl"
    key: str
    style: str = ""

    @property
    def heading(self) -> bool:
        return self.style.lower().startswith(("heading", "title"))


@dataclass
class Notes:
    """One notes part of each package."""

    kind: str
    old: dict[str, etree._Element] = field(default_factory=dict)
    new: dict[str, etree._Element] = field(default_factory=dict)
    new_root: Optional[etree._Element] = None
    next_id: int = 1
    copies: int = 0


# ---- blocks ----------------------------------------------------------------------------------


def blocks(container, marker: Marker) -> list[Block]:
    out = []
    for child in container:
        if child.tag == w("sdt"):
            content = child.find(w("sdtContent"))
            if content is not None:
                out.extend(blocks(content, marker))
        elif child.tag == w("p"):
            style = _style(child)
            out.append(Block(child, "p", f"P{style}\x00{paragraph_key(child, marker)}", style))
        elif child.tag == w("tbl"):
            rows = [_row_key(row, marker) for row in child.iter(w("tr"))]
            out.append(Block(child, "tbl", "T" + "\x02".join(rows)))
    return out


def _style(paragraph) -> str:
    found = paragraph.find(f"{w('pPr')}/{w('pStyle')}")
    return found.get(w("val"), "") if found is not None else ""


def _row_key(row, marker: Marker) -> str:
    return "\x03".join(paragraph_key(p, marker) for p in row.iter(w("p")))


def _similarity(old: Block, new: Block) -> float:
    a, b = Counter(words_of(old.key)), Counter(words_of(new.key))
    total = sum(a.values()) + sum(b.values())
    if not total:
        return 1.0 if old.key.split("\x00")[-1] == new.key.split("\x00")[-1] else 0.0
    return 2 * sum((a & b).values()) / total


def _pairable(old: Block, new: Block) -> bool:
    if old.kind != new.kind or old.heading != new.heading:
        return False
    if old.kind == "tbl" and _columns(old.element) != _columns(new.element):
        return False
    return _similarity(old, new) >= PAIR_SIMILARITY


def _columns(table) -> int:
    return len(table.findall(f"{w('tblGrid')}/{w('gridCol')}"))


# ---- aligning ----------------------------------------------------------------------------------


@dataclass
class Alignment:
    pairs: list[tuple[int, int]]  # (old, new) compared in place (equal ones included)
    deleted: list[int]
    inserted: list[int]


def align(old: list[Block], new: list[Block]) -> Alignment:
    result = Alignment([], [], [])
    for tag, i1, i2, j1, j2 in opcodes([b.key for b in old], [b.key for b in new]):
        if tag == "equal":
            result.pairs.extend(zip(range(i1, i2), range(j1, j2)))
            continue
        start = j1
        paired_new: set[int] = set()
        for i in range(i1, i2):
            partner = next(
                (
                    j
                    for j in range(start, min(j2, start + PAIR_WINDOW))
                    if _pairable(old[i], new[j])
                ),
                None,
            )
            if partner is None:
                result.deleted.append(i)
                continue
            result.pairs.append((i, partner))
            paired_new.add(partner)
            start = partner + 1
        result.inserted.extend(j for j in range(j1, j2) if j not in paired_new)
    result.pairs.sort()
    return result


def compare(
    old: list[Block], new: list[Block], marker: Marker, container, *, moves: bool = False
) -> None:
    """Mark in NEW's tree every difference between two block sequences."""
    alignment = align(old, new)
    moved: list[tuple[int, int]] = []
    if moves:
        moved = _moves(old, new, alignment)
        gone = {i for i, _ in moved}
        came = {j for _, j in moved}
        alignment.deleted = [i for i in alignment.deleted if i not in gone]
        alignment.inserted = [j for j in alignment.inserted if j not in came]
    for i, j in alignment.pairs:
        if old[i].key != new[j].key:
            _compare_pair(old[i], new[j], marker)
    for j in alignment.inserted:
        _insert_block(new[j], marker)
    counterpart = dict(alignment.pairs)
    placer = _Placer(new, container)
    removed = sorted([(i, "del") for i in alignment.deleted] + [(i, "move") for i, _ in moved])
    move_target = dict(moved)
    copies: dict[int, etree._Element] = {}
    for i, how in removed:
        earlier = max((k for k in counterpart if k < i), default=None)
        if how == "move":
            element = deleted_copy(old[i].element, marker, "moveFrom")
            copies[i] = element
        elif old[i].kind == "tbl":
            element = deleted_table(old[i].element, marker)
        else:
            element = deleted_copy(old[i].element, marker)
        placer.place(element, None if earlier is None else counterpart[earlier])
    for run in _consecutive(moved):
        marker.moves += 1
        name = f"briefkit-move-{marker.moves}"
        first_old, first_new = run[0]
        last_old, last_new = run[-1]
        for _, j in run:
            mark_moved_to(new[j].element, marker)
        move_range(copies[first_old], copies[last_old], marker, "moveFrom", name)
        move_range(new[first_new].element, new[last_new].element, marker, "moveTo", name)
        marker.changes += 1
    del move_target


def _moves(old: list[Block], new: list[Block], alignment: Alignment) -> list[tuple[int, int]]:
    """Paragraphs deleted in one place and inserted, unchanged, in another."""
    waiting: dict[str, list[int]] = {}
    for j in alignment.inserted:
        if new[j].kind == "p" and words_of(new[j].key):
            waiting.setdefault(new[j].key, []).append(j)
    moved = []
    for i in alignment.deleted:
        candidates = waiting.get(old[i].key)
        if old[i].kind == "p" and candidates:
            moved.append((i, candidates.pop(0)))
    return sorted(moved)


def _consecutive(moved: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    runs: list[list[tuple[int, int]]] = []
    for i, j in moved:
        if runs and runs[-1][-1] == (i - 1, j - 1):
            runs[-1].append((i, j))
        else:
            runs.append([(i, j)])
    return runs


class _Placer:
    """Puts OLD's removed blocks back into NEW's tree, after the NEW block that stands for the
    nearest earlier OLD block (so deletions precede the insertions of the same gap)."""

    def __init__(self, new: list[Block], container):
        self.new = new
        self.container = container
        self.last: dict[Optional[int], etree._Element] = {}

    def place(self, element, anchor: Optional[int]) -> None:
        previous = self.last.get(anchor)
        if previous is not None:
            previous.addnext(element)
        elif anchor is not None:
            self.new[anchor].element.addnext(element)
        elif self.new:
            self.new[0].element.addprevious(element)
        else:
            section = self.container.find(w("sectPr"))
            (
                section.addprevious(element)
                if section is not None
                else self.container.append(element)
            )
        self.last[anchor] = element


def _compare_pair(old: Block, new: Block, marker: Marker) -> None:
    if old.kind == "p":
        diff_paragraph(old.element, new.element, marker)
        mark_style_change(old.element, new.element, marker)
    else:
        compare_tables(old.element, new.element, marker)


def _insert_block(block: Block, marker: Marker) -> None:
    if block.kind == "p":
        mark_inserted(block.element, marker)
        return
    for row in block.element.iter(w("tr")):
        _mark_row(row, "ins", marker)
    for paragraph in block.element.iter(w("p")):
        mark_inserted(paragraph, marker)


# ---- tables ----------------------------------------------------------------------------------


def _mark_row(row, tag: str, marker: Marker) -> None:
    trpr = row.find(w("trPr"))
    if trpr is None:
        trpr = etree.Element(w("trPr"))
        before = row.find(w("tblPrEx"))
        (before.addnext(trpr) if before is not None else row.insert(0, trpr))
    change = trpr.find(w("trPrChange"))
    mark = marker.make(tag, count=False)
    (change.addprevious(mark) if change is not None else trpr.append(mark))


def deleted_table(table, marker: Marker):
    """OLD's table, every paragraph and row deleted."""
    copy_ = copy.deepcopy(table)
    for row in copy_.iter(w("tr")):
        _delete_row_content(row, marker)
    return copy_


def _delete_row_content(row, marker: Marker) -> None:
    for paragraph in list(row.iter(w("p"))):
        paragraph.addprevious(deleted_copy(paragraph, marker))
        paragraph.getparent().remove(paragraph)
    _mark_row(row, "del", marker)


def compare_tables(old_table, new_table, marker: Marker) -> None:
    """Rows aligned by their text; paired rows of as many cells compared cell by cell; rows
    only in NEW inserted, rows only in OLD put back as deleted rows."""
    old_rows = old_table.findall(w("tr"))
    new_rows = new_table.findall(w("tr"))
    old_blocks = [Block(r, "tr", _row_key(r, marker)) for r in old_rows]
    new_blocks = [Block(r, "tr", _row_key(r, marker)) for r in new_rows]
    pairs: list[tuple[int, int]] = []
    deleted: list[int] = []
    for tag, i1, i2, j1, j2 in opcodes([b.key for b in old_blocks], [b.key for b in new_blocks]):
        if tag == "equal":
            pairs.extend(zip(range(i1, i2), range(j1, j2)))
            continue
        start = j1
        for i in range(i1, i2):
            cells = len(old_rows[i].findall(w("tc")))
            partner = next(
                (
                    j
                    for j in range(start, j2)
                    if len(new_rows[j].findall(w("tc"))) == cells
                    and (
                        j2 - j1 == i2 - i1
                        or _similarity(old_blocks[i], new_blocks[j]) >= PAIR_SIMILARITY
                    )
                ),
                None,
            )
            if partner is None:
                deleted.append(i)
                continue
            for j in range(start, partner):
                _insert_row(new_rows[j], marker)
            pairs.append((i, partner))
            start = partner + 1
        for j in range(start, j2):
            _insert_row(new_rows[j], marker)
    for i, j in pairs:
        if old_blocks[i].key == new_blocks[j].key:
            continue
        for old_cell, new_cell in zip(old_rows[i].findall(w("tc")), new_rows[j].findall(w("tc"))):
            compare(blocks(old_cell, marker), blocks(new_cell, marker), marker, new_cell)
    counterpart = dict(pairs)
    last: dict[Optional[int], etree._Element] = {}
    for i in deleted:
        row = copy.deepcopy(old_rows[i])
        _delete_row_content(row, marker)
        anchor = max((k for k in counterpart if k < i), default=None)
        target = anchor if anchor is None else counterpart[anchor]
        if target in last:
            last[target].addnext(row)
        elif target is not None:
            new_rows[target].addnext(row)
        elif new_rows:
            new_rows[0].addprevious(row)
        else:
            new_table.append(row)
        last[target] = row


def _insert_row(row, marker: Marker) -> None:
    _mark_row(row, "ins", marker)
    for paragraph in row.iter(w("p")):
        mark_inserted(paragraph, marker)


# ---- the package -----------------------------------------------------------------------------


def _notes(root, kind: str) -> dict[str, etree._Element]:
    if root is None:
        return {}
    return {
        n.get(w("id")): n for n in root.iter(w(_NOTE_TAGS[kind])) if int(n.get(w("id"), "0")) > 0
    }


def _note_key(note) -> str:
    return "\n".join(paragraph_key(p) for p in note.iter(w("p")))


class _Package:
    """NEW's package being changed: its parts, relationships and content types."""

    def __init__(self, old_zip: zipfile.ZipFile, new_zip: zipfile.ZipFile):
        self.old_zip, self.new_zip = old_zip, new_zip
        self.old_names, self.new_names = set(old_zip.namelist()), set(new_zip.namelist())
        self.changed: dict[str, bytes] = {}
        self.added: dict[str, bytes] = {}
        self.rels = self._xml(new_zip, "word/_rels/document.xml.rels")
        self.old_rels = self._xml(old_zip, "word/_rels/document.xml.rels")
        self.types = self._xml(new_zip, "[Content_Types].xml")
        self.media = 0

    def _xml(self, package, name):
        if name not in package.namelist():
            return None
        return etree.fromstring(package.read(name), _PARSER)

    def copy_picture(self, element):
        """OLD's picture (a deleted or moved-away drawing) as NEW's package can hold it."""
        if self.rels is None or self.old_rels is None or self.types is None:
            return None
        element = copy.deepcopy(element)
        targets = {rel.get("Id"): rel.get("Target") for rel in self.old_rels}
        for blip in element.iter(BLIP):
            blip.attrib.pop(MEDIA_HASH, None)
            target = targets.get(blip.get(f"{{{R}}}embed"))
            name = posixpath.normpath(posixpath.join("word", target or "")).lstrip("/")
            if not target or name not in self.old_names:
                return None
            data = self.old_zip.read(name)
            extension = posixpath.splitext(name)[1].lower() or ".bin"
            self.media += 1
            copied = f"word/media/redline-{self.media}-{hashlib.sha256(data).hexdigest()[:12]}{extension}"
            self.added[copied] = data
            rel_id = f"rIdRedline{self.media}"
            etree.SubElement(
                self.rels,
                f"{{{PKG_REL}}}Relationship",
                Id=rel_id,
                Type=IMAGE_REL,
                Target=copied.removeprefix("word/"),
            )
            blip.set(f"{{{R}}}embed", rel_id)
            self._content_type(extension)
        for number, doc_pr in enumerate(element.iter(WP_DOCPR)):
            doc_pr.set("id", str(70000 + self.media * 10 + number))
        return element

    def _content_type(self, extension: str) -> None:
        ext = extension.lstrip(".")
        if any(d.get("Extension", "").lower() == ext for d in self.types.iter(f"{{{CT}}}Default")):
            return
        old_types = self._xml(self.old_zip, "[Content_Types].xml")
        found = (
            next(
                (
                    d.get("ContentType")
                    for d in old_types.iter(f"{{{CT}}}Default")
                    if d.get("Extension", "").lower() == ext
                ),
                None,
            )
            if old_types is not None
            else None
        )
        element = etree.Element(
            f"{{{CT}}}Default", Extension=ext, ContentType=found or f"image/{ext}"
        )
        self.types.insert(0, element)

    def write(self) -> bytes:
        if self.rels is not None:
            self.changed["word/_rels/document.xml.rels"] = _bytes(self.rels)
        if self.types is not None and self.added:
            self.changed["[Content_Types].xml"] = _bytes(self.types)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in self.new_zip.infolist():
                target.writestr(
                    item, self.changed.get(item.filename, self.new_zip.read(item.filename))
                )
            model = self.new_zip.infolist()[0]
            for name, data in self.added.items():
                info = zipfile.ZipInfo(name, date_time=model.date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(info, data)
        return out.getvalue()


def _bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def redline_package(old_docx: bytes, new_docx: bytes, author: str, date: str) -> tuple[bytes, int]:
    """NEW's package with OLD's differences as tracked changes; and how many marks were made."""
    marker = Marker(author, date)
    with (
        zipfile.ZipFile(io.BytesIO(old_docx)) as old_zip,
        zipfile.ZipFile(io.BytesIO(new_docx)) as new_zip,
    ):
        package = _Package(old_zip, new_zip)
        notes: dict[str, Notes] = {}
        old_roots: list = []  # OLD's trees: a note reference there names OLD's note
        for kind in _NOTE_TAGS:
            part = f"word/{kind}.xml"
            old_root = package._xml(old_zip, part)
            new_root = package._xml(new_zip, part)
            book = Notes(kind, _notes(old_root, kind), _notes(new_root, kind), new_root)
            if old_root is not None:
                old_roots.append(old_root)
            book.next_id = max([int(i) for i in book.new] + [0]) + 1
            notes[kind] = book
        keys = {
            (kind, side, note_id): _note_key(note)
            for kind, book in notes.items()
            for side, table in (("old", book.old), ("new", book.new))
            for note_id, note in table.items()
        }

        def note_text(kind: str, note_id: str, element) -> str:
            root = element.getroottree().getroot()
            side = "old" if any(root is r for r in old_roots) else "new"
            return keys.get((kind, side, note_id), "")

        marker.note_text = note_text

        def deleted_note(kind: str, old_id: str) -> Optional[str]:
            book = notes[kind]
            source = book.old.get(old_id)
            if source is None or book.new_root is None:
                return None
            note = etree.SubElement(book.new_root, source.tag)
            note.set(w("id"), str(book.next_id))
            book.next_id += 1
            for paragraph in source.iter(w("p")):
                note.append(deleted_copy(paragraph, marker))
            return note.get(w("id"))

        marker.deleted_note = deleted_note
        marker.deleted_media = package.copy_picture

        old_doc = package._xml(old_zip, "word/document.xml")
        new_doc = package._xml(new_zip, "word/document.xml")
        stamp_media(old_doc, old_zip)
        stamp_media(new_doc, new_zip)
        old_roots.append(old_doc)
        old_blocks = blocks(old_doc.find(w("body")), marker)
        new_blocks = blocks(new_doc.find(w("body")), marker)
        compare(old_blocks, new_blocks, marker, new_doc.find(w("body")), moves=True)
        for blip in new_doc.iter(BLIP):
            blip.attrib.pop(MEDIA_HASH, None)
        # drop only the stamp's own declaration: Word needs every prefix mc:Ignorable names
        etree.cleanup_namespaces(new_doc, keep_ns_prefixes=[p for p in new_doc.nsmap if p])
        for book in notes.values():
            _compare_notes(book, marker)
            if book.new_root is not None:
                _in_reference_order(book, new_doc)
                package.changed[f"word/{book.kind}.xml"] = _bytes(book.new_root)
        package.changed["word/document.xml"] = _bytes(new_doc)
        return package.write(), marker.changes


def _compare_notes(book: Notes, marker: Marker) -> None:
    paired = [(o, n) for kind, o, n in marker.note_pairs if kind == book.kind]
    for old_id, new_id in paired:
        old_note, new_note = book.old.get(old_id), book.new.get(new_id)
        if old_note is None or new_note is None:
            continue
        old_blocks = blocks(old_note, marker)
        new_blocks = blocks(new_note, marker)
        if [b.key for b in old_blocks] != [b.key for b in new_blocks]:
            compare(old_blocks, new_blocks, marker, new_note)
    done = {n for _, n in paired}
    for kind, new_id in marker.inserted_notes:
        if kind != book.kind or new_id in done or new_id not in book.new:
            continue
        done.add(new_id)
        for paragraph in book.new[new_id].iter(w("p")):
            mark_inserted(paragraph, marker)


def _in_reference_order(book: Notes, document) -> None:
    """Notes numbered and stored in the order their references are read. Word numbers notes
    by their references whatever their ids; LibreOffice gives the n-th reference the note with
    the n-th id, so a deleted note's copy (given the next free id) would shift the text of
    every later note."""
    root = book.new_root
    assert root is not None  # only called for a package that has the notes part
    reference = w("footnoteReference" if book.kind == "footnotes" else "endnoteReference")
    references = list(document.iter(reference))
    order: dict[str, int] = {}
    for element in references:
        order.setdefault(element.get(w("id")), len(order) + 1)
    notes = [n for n in root if n.tag == w(_NOTE_TAGS[book.kind]) and int(n.get(w("id"), "0")) > 0]
    for note in notes:
        root.remove(note)
    notes.sort(key=lambda n: order.get(n.get(w("id")), len(order) + 1))  # unread ones last
    renumbered = {n.get(w("id")): str(number) for number, n in enumerate(notes, 1)}
    for note in notes:
        note.set(w("id"), renumbered[note.get(w("id"))])
    for element in references:
        element.set(w("id"), renumbered.get(element.get(w("id")), element.get(w("id"))))
    root.extend(notes)


def stamp_media(root, package: zipfile.ZipFile) -> None:
    """Mark each picture with a digest of its image, so a replaced picture is a change."""
    rels_name = "word/_rels/document.xml.rels"
    if rels_name not in package.namelist():
        return
    targets = {
        rel.get("Id"): rel.get("Target")
        for rel in etree.fromstring(package.read(rels_name), _PARSER)
    }
    names = set(package.namelist())
    for blip in root.iter(BLIP):
        target = targets.get(blip.get(f"{{{R}}}embed"))
        if not target:
            continue
        name = posixpath.normpath(posixpath.join("word", target)).lstrip("/")
        if name in names:
            blip.set(MEDIA_HASH, hashlib.sha256(package.read(name)).hexdigest()[:16])
