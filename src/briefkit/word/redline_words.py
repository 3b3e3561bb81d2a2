"""Word-level tracked changes in one paragraph: OLD's and NEW's paragraphs (WordprocessingML
elements) in, NEW's paragraph rewritten with `w:ins`/`w:del` out; and whole paragraphs marked
inserted, or copied from OLD as deleted.

A paragraph is a sequence of tokens (words, spaces, punctuation, and one token per non-text run
item: a tab, a note reference compared without its number, a picture compared by its bytes).
NEW's runs are split where a token's status changes, keeping their run properties; OLD's removed
tokens come back as `w:delText` runs with OLD's run properties.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, field
from typing import Optional

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
MEDIA_HASH = "{urn:briefkit:redline}media"  # set while comparing, removed before writing


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
    return [
        r
        for r in paragraph.iter(w("r"))
        if not any(a.tag in (w("del"), w("ins")) for a in r.iterancestors())
    ]


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
                key += "".join(":" + b.get(MEDIA_HASH, "") for b in child.iter(BLIP))
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
    matcher = difflib.SequenceMatcher(
        None, [t.key for t in old], [t.key for t in new], autojunk=False
    )
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
    for tag in ("bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd", "proofErr"):
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
