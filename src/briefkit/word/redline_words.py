"""Tracked changes inside one paragraph: OLD's and NEW's paragraphs (WordprocessingML elements)
in, NEW's paragraph rewritten with `w:ins`/`w:del` out; and whole paragraphs marked inserted,
deleted (a copy of OLD's) or moved (`w:moveFrom`/`w:moveTo`).

A paragraph is a sequence of tokens: words, spaces, punctuation, and one token per non-text run
item (a tab; a note reference, compared by its note's text, not its number; a picture, by its
bytes). The tokens are aligned with the histogram diff of `redline_diff`, short kept runs
between two changes are folded into the change, and NEW's runs are split where a token's
status changes, keeping their run properties; OLD's removed tokens come back as `w:delText`
runs with OLD's run properties. A note reference deleted in one place and inserted in the same
change (its note edited, say a locator) is paired instead: the reference stays, and the note's
own text is compared (see `Marker.note_pairs`).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from lxml import etree

from briefkit.word.redline_diff import opcodes, semantic_cleanup

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
MEDIA_HASH = "{urn:briefkit:redline}media"  # set while comparing, removed before writing
NOTE_REFERENCES = {"footnoteReference": "footnotes", "endnoteReference": "endnotes"}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass
class Token:
    key: str  # what is compared: a word, a space, punctuation, or "\x01<element>"
    run: etree._Element  # the run it comes from
    element: Optional[etree._Element] = None  # non-text run content (tab, note reference …)


@dataclass
class Marker:
    """Makes the tracked-change elements (one author and date, ids unique in the package) and
    carries what the paragraphs tell the notes parts: which notes pair, which are new."""

    author: str
    date: str
    next_id: int = 9000
    changes: int = 0
    moves: int = 0
    note_text: Callable[[str, str, etree._Element], str] = lambda kind, note_id, at: ""
    note_pairs: list = field(default_factory=list)  # (kind, OLD id, NEW id) to compare
    inserted_notes: list = field(default_factory=list)  # (kind, NEW id)
    deleted_note: Callable[[str, str], Optional[str]] = lambda kind, note_id: None
    deleted_media: Callable[[etree._Element], Optional[etree._Element]] = lambda el: None

    def make(self, tag: str, count: bool = True) -> etree._Element:
        element = etree.Element(w(tag))
        element.set(w("id"), str(self.next_id))
        element.set(w("author"), self.author)
        element.set(w("date"), self.date)
        self.next_id += 1
        self.changes += count
        return element


# ---- tokens ----------------------------------------------------------------------------------


_MARKED = frozenset(w(tag) for tag in ("del", "ins", "moveFrom", "moveTo"))


def _runs(paragraph) -> list:
    """The paragraph's runs not already inside a tracked change (a run sits in `w:ins` or
    under a hyperlink, field or content control there)."""
    out = []
    for run in paragraph.iter(w("r")):
        parent = run.getparent()
        marked = False
        while parent is not None and parent is not paragraph:
            if parent.tag in _MARKED:
                marked = True
                break
            parent = parent.getparent()
        if not marked:
            out.append(run)
    return out


def tokens(paragraph, marker: Optional[Marker] = None) -> list[Token]:
    out: list[Token] = []
    for run in _runs(paragraph):
        for child in run:
            if child.tag == w("rPr"):
                continue
            if child.tag == w("t"):
                out.extend(Token(piece, run) for piece in _TOKEN.findall(child.text or ""))
                continue
            local = etree.QName(child).localname
            if local in NOTE_REFERENCES:
                text = (
                    marker.note_text(NOTE_REFERENCES[local], child.get(w("id")), child)
                    if marker
                    else ""
                )
                out.append(Token(f"\x01{local}:{text}", run, child))
                continue
            key = local
            if child.tag == w("instrText"):
                key += ":" + (child.text or "").strip()
            # a picture compares by the bytes it shows (see redline_xml.stamp_media)
            key += "".join(":" + b.get(MEDIA_HASH, "") for b in child.iter(BLIP))
            out.append(Token("\x01" + key, run, child))
    return out


def paragraph_key(paragraph, marker: Optional[Marker] = None) -> str:
    return "".join(t.key for t in tokens(paragraph, marker))


def words_of(key: str) -> list[str]:
    return re.findall(r"\w+", key)


# ---- building runs ---------------------------------------------------------------------------


def _new_run(model_run, pieces: list[Token], deleted: bool, marker: Marker):
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
    elif local in NOTE_REFERENCES:
        # OLD's note, copied into NEW's notes part (its text marked deleted)
        new_id = marker.deleted_note(NOTE_REFERENCES[local], element.get(w("id")))
        if new_id is None:
            return None
        element.set(w("id"), new_id)
    elif local in ("drawing", "pict", "object"):
        return marker.deleted_media(element)  # its picture copied into NEW's package
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


def _pair_note_references(old: list[Token], new: list[Token], ops) -> list[tuple[int, int]]:
    """In each change, OLD's and NEW's references to notes of one kind pair in order: the
    reference is the same mark, its note was edited."""
    pairs: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag != "replace":
            continue
        for local in NOTE_REFERENCES:
            olds = [i for i in range(i1, i2) if old[i].key.startswith(f"\x01{local}:")]
            news = [j for j in range(j1, j2) if new[j].key.startswith(f"\x01{local}:")]
            pairs.extend(zip(olds, news))
    return pairs


def diff_paragraph(old_p, new_p, marker: Marker) -> None:
    """Rewrite NEW's paragraph with word-level w:ins/w:del against OLD's."""
    old, new = tokens(old_p, marker), tokens(new_p, marker)
    old_keys, new_keys = [t.key for t in old], [t.key for t in new]
    ops = opcodes(old_keys, new_keys)
    paired = _pair_note_references(old, new, ops)
    if paired:
        for i, j in paired:
            new_keys[j] = old_keys[i]
            element_old, element_new = old[i].element, new[j].element
            assert element_old is not None and element_new is not None  # note references
            kind = NOTE_REFERENCES[etree.QName(element_new).localname]
            marker.note_pairs.append((kind, element_old.get(w("id")), element_new.get(w("id"))))
        ops = opcodes(old_keys, new_keys)
    lengths_a = _prefix_lengths(old_keys)
    lengths_b = _prefix_lengths(new_keys)
    ops = semantic_cleanup(
        ops,
        lambda s, e, side: (
            (lengths_a if side == "a" else lengths_b)[e]
            - (lengths_a if side == "a" else lengths_b)[s]
        ),
    )
    status = ["equal"] * len(new)
    deletions: dict[int, list[Token]] = {}
    for op, i1, i2, j1, j2 in ops:
        if op in ("replace", "insert"):
            for j in range(j1, j2):
                status[j] = "insert"
        if op in ("replace", "delete"):
            deletions.setdefault(j1, []).extend(old[i1:i2])
    for j, token in enumerate(new):
        if (
            status[j] == "insert"
            and token.element is not None
            and etree.QName(token.element).localname in NOTE_REFERENCES
        ):
            marker.inserted_notes.append(
                (NOTE_REFERENCES[etree.QName(token.element).localname], token.element.get(w("id")))
            )
    if not deletions and all(s == "equal" for s in status):
        return
    _rewrite(new_p, new, status, deletions, marker)


def _prefix_lengths(keys: list[str]) -> list[int]:
    out = [0]
    for key in keys:
        out.append(out[-1] + (1 if key.startswith("\x01") else len(key)))
    return out


def _rewrite(
    new_p, new: list[Token], status: list[str], deletions: dict[int, list[Token]], marker: Marker
) -> None:
    """NEW's runs rebuilt as sub-runs; deleted words go before the token they preceded."""
    by_run: dict[int, list[tuple[int, Token]]] = {}
    for index, token in enumerate(new):
        by_run.setdefault(id(token.run), []).append((index, token))
    last_anchor = None
    for run in _runs(new_p):
        entries = by_run.get(id(run), [])
        if not entries:
            continue
        parent = run.getparent()
        position = parent.index(run)
        pieces: list[tuple[str, list[Token]]] = []
        for index, token in entries:
            if index in deletions:
                pieces.append(("delete", deletions.pop(index)))
            if pieces and pieces[-1][0] == status[index] and pieces[-1][0] != "delete":
                pieces[-1][1].append(token)
            else:
                pieces.append((status[index], [token]))
        parent.remove(run)
        for kind, group in pieces:
            if kind == "delete":
                node = _deleted_wrapper(group, marker)
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
        wrapper = _deleted_wrapper([t for group in deletions.values() for t in group], marker)
        if last_anchor is not None:
            last_anchor.addnext(wrapper)
        else:
            new_p.append(wrapper)


def _deleted_wrapper(items: list[Token], marker: Marker):
    wrapper = marker.make("del")
    for same_run in _group(items):
        wrapper.append(_new_run(same_run[0].run, same_run, True, marker))
    return wrapper


# ---- whole paragraphs ------------------------------------------------------------------------


def _paragraph_mark(paragraph, element) -> None:
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
    rpr.insert(0, element)


def mark_inserted(paragraph, marker: Marker) -> None:
    for run in _runs(paragraph):
        for child in run:
            local = etree.QName(child).localname
            if local in NOTE_REFERENCES:
                marker.inserted_notes.append((NOTE_REFERENCES[local], child.get(w("id"))))
        wrapper = marker.make("ins")
        run.addprevious(wrapper)
        wrapper.append(run)
    _paragraph_mark(paragraph, marker.make("ins"))


def _old_copy(old_paragraph):
    paragraph = copy.deepcopy(old_paragraph)
    for tag in (
        "bookmarkStart",
        "bookmarkEnd",
        "commentRangeStart",
        "commentRangeEnd",
        "proofErr",
        "commentReference",
    ):
        for element in list(paragraph.iter(w(tag))):
            element.getparent().remove(element)
    for link in list(paragraph.iter(w("hyperlink"))):  # its target is OLD's relationship
        for child in list(link):
            link.addprevious(child)
        link.getparent().remove(link)
    return paragraph


def deleted_copy(old_paragraph, marker: Marker, tag: str = "del"):
    """OLD's paragraph, as a deleted (or moved-away, `tag="moveFrom"`) paragraph that may stand
    in NEW's package."""
    paragraph = _old_copy(old_paragraph)
    for run in _runs(paragraph):
        wrapper = marker.make(tag, count=tag == "del")
        replacement = _new_run(run, tokens_of_run(run), True, marker)
        if tag == "moveFrom":  # moved text is text, not deleted text, in its old place
            for deleted in replacement.iter(w("delText")):
                deleted.tag = w("t")
            for deleted in replacement.iter(w("delInstrText")):
                deleted.tag = w("instrText")
        run.addprevious(wrapper)
        run.getparent().remove(run)
        wrapper.append(replacement)
    _paragraph_mark(paragraph, marker.make(tag, count=False))
    return paragraph


def mark_moved_to(paragraph, marker: Marker) -> None:
    for run in _runs(paragraph):
        wrapper = marker.make("moveTo", count=False)
        run.addprevious(wrapper)
        wrapper.append(run)
    _paragraph_mark(paragraph, marker.make("moveTo", count=False))


def move_range(first, last, marker: Marker, side: str, name: str) -> None:
    """`w:moveFromRangeStart`/`End` (or moveTo) around paragraphs `first` … `last`."""
    start = marker.make(f"{side}RangeStart", count=False)
    start.set(w("name"), name)
    end = etree.Element(w(f"{side}RangeEnd"))
    end.set(w("id"), start.get(w("id")))
    ppr = first.find(w("pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        first.insert(0, start)
    last.append(end)


def tokens_of_run(run) -> list[Token]:
    holder = etree.Element(w("p"))
    holder.append(copy.deepcopy(run))
    found = tokens(holder)
    for token in found:
        token.run = run
    return found


def mark_style_change(old_p, new_p, marker: Marker) -> None:
    """A paragraph whose style changed (a heading's level, a quote made body text) records
    OLD's properties, so rejecting restores them."""
    old_ppr, new_ppr = old_p.find(w("pPr")), new_p.find(w("pPr"))

    def style(ppr):
        found = ppr.find(w("pStyle")) if ppr is not None else None
        return found.get(w("val")) if found is not None else ""

    if style(old_ppr) == style(new_ppr):
        return
    if new_ppr is None:
        new_ppr = etree.Element(w("pPr"))
        new_p.insert(0, new_ppr)
    change = marker.make("pPrChange")
    recorded = etree.SubElement(change, w("pPr"))
    for child in old_ppr if old_ppr is not None else ():
        if child.tag not in (w("rPr"), w("sectPr"), w("pPrChange")):
            recorded.append(copy.deepcopy(child))
    sect = new_ppr.find(w("sectPr"))
    (sect.addnext(change) if sect is not None else new_ppr.append(change))
