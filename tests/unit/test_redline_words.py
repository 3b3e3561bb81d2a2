"""The redline's diff on small inputs, without a build: the edit script of `redline_diff` turns
OLD into NEW exactly, and a paragraph marked by `redline_words` reads as NEW when every change
is accepted and as OLD when every change is rejected (what an editor does in Word), with the
runs' formatting kept on both sides and nothing unchanged marked."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from briefkit.word.redline_diff import opcodes, semantic_cleanup
from briefkit.word.redline_words import (
    Marker,
    deleted_copy,
    diff_paragraph,
    mark_inserted,
    paragraph_key,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def paragraph(*runs: tuple[str, bool]) -> etree._Element:
    """A w:p of runs (text, bold)."""
    p = etree.Element(w("p"), nsmap={"w": W})
    for text, bold in runs:
        run = etree.SubElement(p, w("r"))
        if bold:
            etree.SubElement(etree.SubElement(run, w("rPr")), w("b"))
        t = etree.SubElement(run, w("t"))
        t.text = text
    return p


def resolved(p: etree._Element, accept: bool) -> str:
    """The paragraph's text once every change is accepted (or rejected), as Word does it."""
    p = copy.deepcopy(p)
    drop, keep = ("del", "ins") if accept else ("ins", "del")
    for element in list(p.iter(w(drop))):
        element.getparent().remove(element)
    for element in list(p.iter(w(keep))):
        for child in list(element):
            element.addprevious(child)
        element.getparent().remove(element)
    return "".join(t.text or "" for t in p.iter(w("t"), w("delText")))


def bold_text(p: etree._Element, accept: bool) -> str:
    """The bold words once every change is accepted (or rejected)."""
    p = copy.deepcopy(p)
    drop = w("del") if accept else w("ins")
    for element in list(p.iter(drop)):
        element.getparent().remove(element)
    return "".join(t.text or "" for run in p.iter(w("r")) if run.find(f"{w('rPr')}/{w('b')}")
                   is not None for t in run.iter(w("t"), w("delText")))


def marker() -> Marker:
    return Marker(author="briefkit", date="2024-05-06T00:00:00Z")


def apply(a, b, ops) -> list:
    """`a` turned into a sequence by the edit script `ops` (taking inserted items from `b`)."""
    out = []
    position = 0
    for tag, i1, i2, j1, j2 in ops:
        assert i1 == position, ops  # the script covers OLD in order, without a gap
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
            out.extend(a[i1:i2])
        elif tag in ("replace", "insert"):
            out.extend(b[j1:j2])
        position = i2
    assert position == len(a)
    return out


# ---- the edit script ------------------------------------------------------------------------------

WORDS = st.lists(st.sampled_from(["the", "of", "China", "Russia", "ties", ".", " ", "x"]),
                 max_size=30)


@settings(max_examples=150, deadline=None, database=None)  # the run writes nothing
@given(WORDS, WORDS)
def test_the_edit_script_turns_old_into_new_exactly(a, b):
    ops = opcodes(a, b)
    assert apply(a, b, ops) == b
    assert all(tag in ("equal", "replace", "insert", "delete") for tag, *_ in ops)
    # after folding short kept runs into the changes around them, still exact
    cleaned = semantic_cleanup(ops, lambda s, e, side: sum(len(k) for k in (a if side == "a" else b)[s:e]))
    assert apply(a, b, cleaned) == b


def test_a_replaced_paragraph_is_one_change_between_the_unique_ones_kept():
    old = ["Intro.", "The old middle paragraph.", "Conclusion."]
    new = ["Intro.", "A new middle paragraph.", "Conclusion."]
    assert opcodes(old, new) == [("equal", 0, 1, 0, 1), ("replace", 1, 2, 1, 2),
                                 ("equal", 2, 3, 2, 3)]


def test_common_words_do_not_anchor_a_rewrite():
    """A rewritten clause comes out as one change, not a salad of kept 'the' and 'of'."""
    old = "the rise of the partnership of the two states".split()
    new = "the decline of the alliance of the neighbours".split()
    weights = lambda s, e, side: sum(len(x) + 1 for x in (old if side == "a" else new)[s:e])  # noqa: E731
    cleaned = semantic_cleanup(opcodes(old, new), weights)
    changes = [op for op in cleaned if op[0] != "equal"]
    assert len(changes) == 1, cleaned


def test_identical_inputs_are_one_equal_run_and_empty_ones_nothing():
    assert opcodes(list("abc"), list("abc")) == [("equal", 0, 3, 0, 3)]
    assert opcodes([], []) == []
    assert opcodes([], ["a"]) == [("insert", 0, 0, 0, 1)]
    assert opcodes(["a"], []) == [("delete", 0, 1, 0, 0)]


# ---- a paragraph ---------------------------------------------------------------------------------


def test_a_changed_word_reads_as_new_accepted_and_old_rejected():
    old = paragraph(("China and Russia have expanded cooperation.", False))
    new = paragraph(("China and Russia have deepened cooperation.", False))
    mark = marker()
    diff_paragraph(old, new, mark)
    assert resolved(new, accept=True) == "China and Russia have deepened cooperation."
    assert resolved(new, accept=False) == "China and Russia have expanded cooperation."
    assert [t.text for t in new.iter(w("delText"))] == ["expanded"]
    assert ["".join(i.itertext()) for i in new.iter(w("ins"))] == ["deepened"]
    assert mark.changes == 2


def test_an_unchanged_paragraph_is_left_as_it_is():
    old = paragraph(("Same ", False), ("text", True), (".", False))
    new = copy.deepcopy(old)
    before = etree.tostring(new)
    mark = marker()
    diff_paragraph(old, new, mark)
    assert etree.tostring(new) == before and mark.changes == 0


def test_formatting_is_kept_on_both_sides_of_a_change():
    old = paragraph(("The ", False), ("partnership", True), (" grows.", False))
    new = paragraph(("The ", False), ("alliance", True), (" grows fast.", False))
    diff_paragraph(old, new, marker())
    assert (resolved(new, True), resolved(new, False)) == ("The alliance grows fast.",
                                                           "The partnership grows.")
    assert bold_text(new, accept=True) == "alliance"
    assert bold_text(new, accept=False) == "partnership"  # OLD's run properties on its words


def test_the_changes_carry_the_author_and_date_and_ids_never_repeat():
    old = paragraph(("one two three four", False))
    new = paragraph(("one 2 three 4", False))
    diff_paragraph(old, new, marker())
    changes = list(new.iter(w("ins"), w("del")))
    assert changes and all(c.get(w("author")) == "briefkit" for c in changes)
    assert all(c.get(w("date")) == "2024-05-06T00:00:00Z" for c in changes)
    ids = [c.get(w("id")) for c in changes]
    assert len(set(ids)) == len(ids)


SENTENCE = st.lists(st.sampled_from(["China", "Russia", "ties", "grow", "the", "of", ",", "."]),
                    min_size=1, max_size=12).map(" ".join)


@settings(max_examples=80, deadline=None, database=None)
@given(st.lists(st.tuples(SENTENCE, st.booleans()), min_size=1, max_size=3),
       st.lists(st.tuples(SENTENCE, st.booleans()), min_size=1, max_size=3))
def test_accept_all_gives_new_and_reject_all_gives_old(old_runs, new_runs):
    old, new = paragraph(*old_runs), paragraph(*new_runs)
    diff_paragraph(old, new, marker())
    assert resolved(new, accept=True) == "".join(text for text, _ in new_runs)
    assert resolved(new, accept=False) == "".join(text for text, _ in old_runs)


def test_a_paragraph_added_or_removed_is_marked_whole():
    added = paragraph(("A new paragraph.", False))
    mark_inserted(added, marker())
    assert resolved(added, accept=True) == "A new paragraph."
    assert resolved(added, accept=False) == ""
    assert added.find(f"{w('pPr')}/{w('rPr')}/{w('ins')}") is not None  # the mark too
    removed = deleted_copy(paragraph(("An old ", False), ("paragraph", True)), marker())
    assert resolved(removed, accept=True) == ""
    assert resolved(removed, accept=False) == "An old paragraph"
    assert removed.find(f"{w('pPr')}/{w('rPr')}/{w('del')}") is not None


@pytest.mark.parametrize("text", ["Tab\tand text", "Several   spaces", "Punctuation: a, b; c!"])
def test_the_key_of_a_paragraph_is_its_text_token_by_token(text):
    p = paragraph((text, False))
    key = paragraph_key(p)
    assert key == text  # words, spaces and punctuation all count
