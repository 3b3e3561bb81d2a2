"""Two DOCX packages (OLD and NEW, both written by briefkit's normal build) in, NEW's package
with every difference from OLD as a Word tracked change out.

Paragraphs of the body and of each notes part are aligned by their text (difflib); a changed
paragraph is diffed word by word: NEW's runs are split where the status changes, added words go
into `w:ins`, OLD's removed words come back as `w:del`/`w:delText` runs with their own run
properties. A paragraph only in OLD returns as a deleted paragraph (its mark deleted too), one
only in NEW is inserted (its mark too). Note references are compared without their numbers, and
notes are aligned by text, so renumbering marks nothing; a note only in OLD is added back to NEW's
notes part as a deleted note so that its deleted reference has a target.
"""

from __future__ import annotations

import copy
import difflib
import io
import zipfile

from lxml import etree

from briefkit.word.redline_words import (
    BLIP,
    MEDIA_HASH,
    Marker,
    deleted_copy,
    diff_paragraph,
    mark_inserted,
    paragraph_key,
    w,
)

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_NOTE_KINDS = {
    "footnotes": ("footnote", "footnoteReference"),
    "endnotes": ("endnote", "endnoteReference"),
}


# ---- aligning paragraphs ---------------------------------------------------------------------


def align(old_ps: list, new_ps: list, marker: Marker, parent_for_end=None) -> None:
    """Mark the differences between two paragraph sequences in NEW's tree."""
    old_keys = [paragraph_key(p) for p in old_ps]
    new_keys = [paragraph_key(p) for p in new_ps]
    old_places, new_places = _places(old_ps), _places(new_ps)
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = (
            _pair(old_keys[i1:i2], new_keys[j1:j2], old_places[i1:i2], new_places[j1:j2])
            if op == "replace"
            else []
        )
        paired_old = {i for i, _ in pairs}
        paired_new = {j for _, j in pairs}
        for i, j in pairs:
            diff_paragraph(old_ps[i1 + i], new_ps[j1 + j], marker)
        for j in range(j2 - j1):
            if j not in paired_new:
                mark_inserted(new_ps[j1 + j], marker)
        # deleted paragraphs go back where they stood; a table
        # removed whole comes back as a deleted table (its rows marked), not as loose text
        removed = {id(old_ps[i1 + i]) for i in range(i2 - i1) if i not in paired_old}
        tables_done: set[int] = set()
        for i in range(i2 - i1):
            if i in paired_old:
                continue
            old_p = old_ps[i1 + i]
            table = _outermost_table(old_p)
            element = None
            if table is not None:
                if id(table) in tables_done:
                    continue
                if {id(p) for p in table.iter(w("p"))} <= removed:
                    tables_done.add(id(table))
                    element = deleted_table(table, marker)
            if element is None:
                element = deleted_copy(old_p, marker)
            # right after NEW's paragraph paired with the nearest earlier one: deletions come
            # before the insertions of the same gap, as Word shows a replacement
            earlier = [j for oi, j in pairs if oi < i]
            anchor_index = j1 + (earlier[-1] + 1 if earlier else 0)
            # a paragraph of the body never goes into a table cell of NEW, nor a table
            in_cell = element.tag == w("tbl") or _outermost_table(old_p) is None
            if anchor_index < len(new_ps):
                anchor = new_ps[anchor_index]
                (_body_level(anchor) if in_cell else anchor).addprevious(element)
            elif new_ps:  # still before a trailing w:sectPr
                anchor = new_ps[-1]
                (_body_level(anchor) if in_cell else anchor).addnext(element)
            elif parent_for_end is not None:
                parent_for_end.append(element)


def _outermost_table(paragraph):
    tables = list(paragraph.iterancestors(w("tbl")))
    return tables[-1] if tables else None


def _body_level(element):
    while element.getparent() is not None and element.getparent().tag not in (
        w("body"),
        w("footnote"),
        w("endnote"),
    ):
        element = element.getparent()
    return element


def _mark_row(row, tag: str, marker: Marker) -> None:
    trpr = row.find(w("trPr"))
    if trpr is None:
        trpr = etree.Element(w("trPr"))
        before = row.find(w("tblPrEx"))
        (before.addnext(trpr) if before is not None else row.insert(0, trpr))
    change = trpr.find(w("trPrChange"))
    (change.addprevious(marker.make(tag)) if change is not None else trpr.append(marker.make(tag)))


def deleted_table(table, marker: Marker):
    """OLD's table, every paragraph and row deleted."""
    copy_ = copy.deepcopy(table)
    for paragraph in list(copy_.iter(w("p"))):
        paragraph.addprevious(deleted_copy(paragraph, marker))
        paragraph.getparent().remove(paragraph)
    for row in copy_.iter(w("tr")):
        _mark_row(row, "del", marker)
    return copy_


def mark_inserted_tables(root, marker: Marker) -> None:
    """Rows of a table NEW added (every paragraph of it inserted) are inserted rows."""
    for table in root.iter(w("tbl")):
        paragraphs = list(table.iter(w("p")))
        if paragraphs and all(
            p.find(f"{w('pPr')}/{w('rPr')}/{w('ins')}") is not None for p in paragraphs
        ):
            for row in table.iter(w("tr")):
                if row.find(f"{w('trPr')}/{w('ins')}") is None:
                    _mark_row(row, "ins", marker)


def _places(paragraphs: list) -> list[str]:
    """Where each paragraph stands: "" in the running text, else the text of its table."""
    texts: dict[int, str] = {}
    out = []
    for paragraph in paragraphs:
        table = _outermost_table(paragraph)
        if table is None:
            out.append("")
            continue
        if id(table) not in texts:
            texts[id(table)] = "T:" + "".join(paragraph_key(p) for p in table.iter(w("p")))
        out.append(texts[id(table)])
    return out


def _same_place(old: str, new: str) -> bool:
    """Body text pairs with body text; a cell with a cell of a similar table (a table that
    was rewritten as a whole is deleted and inserted, row by row)."""
    if not old or not new:
        return old == new
    return difflib.SequenceMatcher(None, old, new, autojunk=False).quick_ratio() >= 0.6


def _pair(
    old_keys: list[str],
    new_keys: list[str],
    old_places: list[str] | None = None,
    new_places: list[str] | None = None,
) -> list[tuple[int, int]]:
    """Pairs (i, j), in order, of paragraphs similar enough to be diffed word by word."""
    pairs, start = [], 0
    old_places = old_places or [""] * len(old_keys)
    new_places = new_places or [""] * len(new_keys)
    for i, old in enumerate(old_keys):
        best, best_j = 0.0, None
        for j in range(start, len(new_keys)):
            if not _same_place(old_places[i], new_places[j]):
                continue
            ratio = difflib.SequenceMatcher(None, old, new_keys[j], autojunk=False).quick_ratio()
            if ratio > best:
                best, best_j = ratio, j
        if best_j is not None and best >= 0.4:
            pairs.append((i, best_j))
            start = best_j + 1
    return pairs


# ---- the package -----------------------------------------------------------------------------


def _body_paragraphs(root) -> list:
    body = root.find(w("body"))
    return [
        p
        for p in body.iter(w("p"))
        if not any(a.tag in (w("txbxContent"),) for a in p.iterancestors())
    ]


def _notes(root, kind: str) -> list:
    tag = w(_NOTE_KINDS[kind][0])
    return [n for n in root.iter(tag) if int(n.get(w("id"), "0")) > 0]


def _note_key(note) -> str:
    return "\n".join(paragraph_key(p) for p in note.iter(w("p")))


def redline_package(old_docx: bytes, new_docx: bytes, author: str, date: str) -> tuple[bytes, int]:
    """NEW's package with OLD's differences as tracked changes; and how many marks were made."""
    marker = Marker(author, date)
    with (
        zipfile.ZipFile(io.BytesIO(old_docx)) as old_zip,
        zipfile.ZipFile(io.BytesIO(new_docx)) as new_zip,
    ):
        old_names, new_names = set(old_zip.namelist()), set(new_zip.namelist())
        changed: dict[str, bytes] = {}
        for kind in _NOTE_KINDS:
            part = f"word/{kind}.xml"
            if part not in new_names:
                continue
            new_root = etree.fromstring(new_zip.read(part), _PARSER)
            old_root = etree.fromstring(old_zip.read(part), _PARSER) if part in old_names else None
            _redline_notes(old_root, new_root, kind, marker)
            changed[part] = etree.tostring(
                new_root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
        old_doc = etree.fromstring(old_zip.read("word/document.xml"), _PARSER)
        new_doc = etree.fromstring(new_zip.read("word/document.xml"), _PARSER)
        _stamp_media(old_doc, old_zip)
        _stamp_media(new_doc, new_zip)
        align(_body_paragraphs(old_doc), _body_paragraphs(new_doc), marker, new_doc.find(w("body")))
        mark_inserted_tables(new_doc, marker)
        for blip in new_doc.iter(BLIP):
            blip.attrib.pop(MEDIA_HASH, None)
        # drop only the stamp's own declaration: Word needs every prefix mc:Ignorable names
        etree.cleanup_namespaces(new_doc, keep_ns_prefixes=[p for p in new_doc.nsmap if p])
        changed["word/document.xml"] = etree.tostring(
            new_doc, xml_declaration=True, encoding="UTF-8", standalone=True
        )
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in new_zip.infolist():
                target.writestr(item, changed.get(item.filename, new_zip.read(item.filename)))
    return out.getvalue(), marker.changes


def _stamp_media(root, package: zipfile.ZipFile) -> None:
    """Mark each picture with a digest of its image, so a replaced picture is a change."""
    import hashlib
    import posixpath

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


def _redline_notes(old_root, new_root, kind: str, marker: Marker) -> None:
    old_notes = _notes(old_root, kind) if old_root is not None else []
    new_notes = _notes(new_root, kind)
    old_keys = [_note_key(n) for n in old_notes]
    new_keys = [_note_key(n) for n in new_notes]
    next_id = max([int(n.get(w("id"))) for n in new_notes] + [0]) + 1
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                marker.note_ids[(kind, old_notes[i].get(w("id")))] = new_notes[j].get(w("id"))
            continue
        pairs = _pair(old_keys[i1:i2], new_keys[j1:j2]) if op == "replace" else []
        for i, j in pairs:
            old_note, new_note = old_notes[i1 + i], new_notes[j1 + j]
            marker.note_ids[(kind, old_note.get(w("id")))] = new_note.get(w("id"))
            align(list(old_note.iter(w("p"))), list(new_note.iter(w("p"))), marker, new_note)
        for j in range(j2 - j1):
            if j not in {pj for _, pj in pairs}:
                for paragraph in new_notes[j1 + j].iter(w("p")):
                    mark_inserted(paragraph, marker)
        for i in range(i2 - i1):
            if i in {pi for pi, _ in pairs}:
                continue
            old_note = old_notes[i1 + i]
            note = etree.SubElement(new_root, old_note.tag)
            note.set(w("id"), str(next_id))
            marker.note_ids[(kind, old_note.get(w("id")))] = str(next_id)
            next_id += 1
            for paragraph in old_note.iter(w("p")):
                note.append(deleted_copy(paragraph, marker))
