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
import re
import zipfile
from dataclasses import dataclass, field
from typing import Optional

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_MEDIA_HASH = "{urn:briefkit:redline}media"  # set while comparing, removed before writing
_NOTE_KINDS = {"footnotes": ("footnote", "footnoteReference"),
               "endnotes": ("endnote", "endnoteReference")}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass
class Token:
    key: str  # what is compared: a word, a space, punctuation, or "\x01<element>"
    run: etree._Element  # the run it comes from
    element: Optional[etree._Element] = None  # non-text run content (tab, note reference …)


@dataclass
class Marker:
    """Makes the tracked-change elements: one author and date, ids unique in the package."""

    author: str
    date: str
    next_id: int = 9000
    changes: int = 0
    note_ids: dict = field(default_factory=dict)  # (kind, OLD note id) -> id in NEW's part

    def make(self, tag: str) -> etree._Element:
        element = etree.Element(w(tag))
        element.set(w("id"), str(self.next_id))
        element.set(w("author"), self.author)
        element.set(w("date"), self.date)
        self.next_id += 1
        self.changes += 1
        return element


# ---- tokens ----------------------------------------------------------------------------------

def _runs(paragraph) -> list:
    return [r for r in paragraph.iter(w("r"))
            if not any(a.tag in (w("del"), w("ins")) for a in r.iterancestors())]


def tokens(paragraph) -> list[Token]:
    out: list[Token] = []
    for run in _runs(paragraph):
        for child in run:
            if child.tag == w("rPr"):
                continue
            if child.tag == w("t"):
                out.extend(Token(piece, run) for piece in _TOKEN.findall(child.text or ""))
            elif child.tag in (w("footnoteReference"), w("endnoteReference")):
                out.append(Token("\x01note", run, child))  # compared without its number
            else:
                key = etree.QName(child).localname
                if child.tag == w("instrText"):
                    key += ":" + (child.text or "").strip()
                # a picture compares by the bytes it shows (see _stamp_media)
                key += "".join(":" + b.get(_MEDIA_HASH, "") for b in child.iter(_BLIP))
                out.append(Token("\x01" + key, run, child))
    return out


def paragraph_key(paragraph) -> str:
    return "".join(t.key for t in tokens(paragraph))


# ---- building runs ---------------------------------------------------------------------------

def _new_run(model_run, pieces: list[Token], deleted: bool, marker: Marker, kind_ids=None):
    run = etree.Element(w("r"))
    rpr = model_run.find(w("rPr"))
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    text: list[str] = []

    def flush():
        if text:
            t = etree.SubElement(run, w("delText" if deleted else "t"))
            t.text = "".join(text)
            t.set(XML_SPACE, "preserve")
            text.clear()
    for token in pieces:
        if token.element is None:
            text.append(token.key)
            continue
        flush()
        element = copy.deepcopy(token.element)
        if deleted:
            element = _deleted_content(element, marker)
            if element is None:
                continue
        run.append(element)
    flush()
    return run


def _deleted_content(element, marker: Marker):
    """OLD's non-text run content as it may stand in NEW's package."""
    local = etree.QName(element).localname
    if local == "instrText":
        element.tag = w("delInstrText")
    elif local in ("footnoteReference", "endnoteReference"):
        kind = "footnotes" if local == "footnoteReference" else "endnotes"
        new_id = marker.note_ids.get((kind, element.get(w("id"))))
        if new_id is None:
            return None
        element.set(w("id"), str(new_id))
    elif local in ("drawing", "pict", "object"):
        return None  # its picture is a part of OLD's package only
    return element


def _group(items: list[Token]) -> list[list[Token]]:
    """Consecutive tokens of one run."""
    groups: list[list[Token]] = []
    for token in items:
        if groups and groups[-1][-1].run is token.run:
            groups[-1].append(token)
        else:
            groups.append([token])
    return groups


def diff_paragraph(old_p, new_p, marker: Marker) -> None:
    """Rewrite NEW's paragraph with word-level w:ins/w:del against OLD's."""
    old, new = tokens(old_p), tokens(new_p)
    matcher = difflib.SequenceMatcher(None, [t.key for t in old], [t.key for t in new],
                                      autojunk=False)
    status = ["equal"] * len(new)
    deletions: dict[int, list[Token]] = {}
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("replace", "insert"):
            for j in range(j1, j2):
                status[j] = "insert"
        if op in ("replace", "delete"):
            deletions.setdefault(j1, []).extend(old[i1:i2])
    if not deletions and all(s == "equal" for s in status):
        return
    # Rebuild each of NEW's runs as sub-runs; deleted words go before the token they preceded.
    by_run: dict[int, list[tuple[int, Token]]] = {}
    for index, token in enumerate(new):
        by_run.setdefault(id(token.run), []).append((index, token))
    last_anchor = None
    for run in _runs(new_p):
        entries = by_run.get(id(run), [])
        parent = run.getparent()
        position = parent.index(run)
        pieces = []
        for index, token in entries:
            if index in deletions:
                pieces.append(("delete", deletions.pop(index)))
            if pieces and pieces[-1][0] == status[index] and pieces[-1][0] != "delete":
                pieces[-1][1].append(token)
            else:
                pieces.append((status[index], [token]))
        if not entries:
            continue
        parent.remove(run)
        for kind, group in pieces:
            if kind == "delete":
                wrapper = marker.make("del")
                for same_run in _group(group):
                    wrapper.append(_new_run(same_run[0].run, same_run, True, marker))
                node = wrapper
            else:
                node = _new_run(run, group, False, marker)
                if kind == "insert":
                    wrapper = marker.make("ins")
                    wrapper.append(node)
                    node = wrapper
            parent.insert(position, node)
            position += 1
            last_anchor = node
    if deletions:  # words removed at the end of the paragraph
        wrapper = marker.make("del")
        for same_run in _group([t for group in deletions.values() for t in group]):
            wrapper.append(_new_run(same_run[0].run, same_run, True, marker))
        if last_anchor is not None:
            last_anchor.addnext(wrapper)
        else:
            new_p.append(wrapper)


def _mark_paragraph(paragraph, tag: str, marker: Marker) -> None:
    ppr = paragraph.find(w("pPr"))
    if ppr is None:
        ppr = etree.Element(w("pPr"))
        paragraph.insert(0, ppr)
    rpr = ppr.find(w("rPr"))
    if rpr is None:
        rpr = etree.Element(w("rPr"))
        follow = [c for c in ppr if c.tag in (w("sectPr"), w("pPrChange"))]
        if follow:
            follow[0].addprevious(rpr)
        else:
            ppr.append(rpr)
    rpr.insert(0, marker.make(tag))


def mark_inserted(paragraph, marker: Marker) -> None:
    for run in _runs(paragraph):
        wrapper = marker.make("ins")
        run.addprevious(wrapper)
        wrapper.append(run)
    _mark_paragraph(paragraph, "ins", marker)


def deleted_copy(old_paragraph, marker: Marker):
    """OLD's paragraph, as a deleted paragraph that may stand in NEW's package."""
    paragraph = copy.deepcopy(old_paragraph)
    for tag in ("bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd",
                "proofErr"):
        for element in list(paragraph.iter(w(tag))):
            element.getparent().remove(element)
    for link in list(paragraph.iter(w("hyperlink"))):  # its target is OLD's relationship
        for child in list(link):
            link.addprevious(child)
        link.getparent().remove(link)
    for run in _runs(paragraph):
        wrapper = marker.make("del")
        replacement = _new_run(run, tokens_of_run(run), True, marker)
        run.addprevious(wrapper)
        run.getparent().remove(run)
        wrapper.append(replacement)
    _mark_paragraph(paragraph, "del", marker)
    return paragraph


def tokens_of_run(run) -> list[Token]:
    holder = etree.Element(w("p"))
    holder.append(copy.deepcopy(run))
    found = tokens(holder)
    for token in found:
        token.run = run
    return found


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
        pairs = (_pair(old_keys[i1:i2], new_keys[j1:j2], old_places[i1:i2], new_places[j1:j2])
                 if op == "replace" else [])
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
            w("body"), w("footnote"), w("endnote")):
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
        if paragraphs and all(p.find(f"{w('pPr')}/{w('rPr')}/{w('ins')}") is not None
                              for p in paragraphs):
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


def _pair(old_keys: list[str], new_keys: list[str], old_places: list[str] | None = None,
          new_places: list[str] | None = None) -> list[tuple[int, int]]:
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
    return [p for p in body.iter(w("p")) if not any(
        a.tag in (w("txbxContent"),) for a in p.iterancestors())]


def _notes(root, kind: str) -> list:
    tag = w(_NOTE_KINDS[kind][0])
    return [n for n in root.iter(tag) if int(n.get(w("id"), "0")) > 0]


def _note_key(note) -> str:
    return "\n".join(paragraph_key(p) for p in note.iter(w("p")))


def redline_package(old_docx: bytes, new_docx: bytes, author: str, date: str) -> tuple[bytes, int]:
    """NEW's package with OLD's differences as tracked changes; and how many marks were made."""
    marker = Marker(author, date)
    with zipfile.ZipFile(io.BytesIO(old_docx)) as old_zip, \
            zipfile.ZipFile(io.BytesIO(new_docx)) as new_zip:
        old_names, new_names = set(old_zip.namelist()), set(new_zip.namelist())
        changed: dict[str, bytes] = {}
        for kind in _NOTE_KINDS:
            part = f"word/{kind}.xml"
            if part not in new_names:
                continue
            new_root = etree.fromstring(new_zip.read(part), _PARSER)
            old_root = (etree.fromstring(old_zip.read(part), _PARSER) if part in old_names
                        else None)
            _redline_notes(old_root, new_root, kind, marker)
            changed[part] = etree.tostring(new_root, xml_declaration=True, encoding="UTF-8",
                                           standalone=True)
        old_doc = etree.fromstring(old_zip.read("word/document.xml"), _PARSER)
        new_doc = etree.fromstring(new_zip.read("word/document.xml"), _PARSER)
        _stamp_media(old_doc, old_zip)
        _stamp_media(new_doc, new_zip)
        align(_body_paragraphs(old_doc), _body_paragraphs(new_doc), marker,
              new_doc.find(w("body")))
        mark_inserted_tables(new_doc, marker)
        for blip in new_doc.iter(_BLIP):
            blip.attrib.pop(_MEDIA_HASH, None)
        # drop only the stamp's own declaration: Word needs every prefix mc:Ignorable names
        etree.cleanup_namespaces(new_doc, keep_ns_prefixes=[p for p in new_doc.nsmap if p])
        changed["word/document.xml"] = etree.tostring(new_doc, xml_declaration=True,
                                                      encoding="UTF-8", standalone=True)
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
    targets = {rel.get("Id"): rel.get("Target") for rel in
               etree.fromstring(package.read(rels_name), _PARSER)}
    names = set(package.namelist())
    for blip in root.iter(_BLIP):
        target = targets.get(blip.get(f"{{{R}}}embed"))
        if not target:
            continue
        name = posixpath.normpath(posixpath.join("word", target)).lstrip("/")
        if name in names:
            blip.set(_MEDIA_HASH, hashlib.sha256(package.read(name)).hexdigest()[:16])


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
