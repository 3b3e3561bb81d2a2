"""Editing a brief in place: only the changed values' lines move, in their own style; every other
byte stays (comments, key order, quoting, block indicators, anchors), over real briefs."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from briefkit.load.edit import BriefText, EditFailed
from conftest import ROOT

CORPUS = ROOT.parent / "shared" / "corpus"


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


BRIEF = """\
# The brief's own comment
title: "A title"   # a trailing comment
summary: &box
  problem: China and Russia have
    expanded cooperation [@bendett2019, 3].
findings:
  - id: one
    title: 'It''s institutionalised'
    text: Dialogues, parks and joint funds carry it.^[A plain note.]
  - id: two
    text: |
      First line.

      Second paragraph,
        indented code-ish line.
sections:
  - title: Background
    body: |-
      Kept as it is.
again: *box
"""


def test_a_word_changed_in_a_plain_scalar_changes_that_line_only():
    brief = BriefText(BRIEF, Path("b.yaml"))
    brief.set(
        ("findings", 0, "text"), "Dialogues, parks and joint funds sustain it.^[A plain note.]"
    )
    assert changed_lines(BRIEF, brief.text) == [
        "-    text: Dialogues, parks and joint funds carry it.^[A plain note.]",
        "+    text: Dialogues, parks and joint funds sustain it.^[A plain note.]",
    ]


def test_a_folded_plain_scalar_keeps_its_line_breaks():
    brief = BriefText(BRIEF, Path("b.yaml"))
    brief.set(
        ("summary", "problem"),
        "China and Russia have greatly expanded cooperation [@bendett2019, 3].",
    )
    assert changed_lines(BRIEF, brief.text) == [
        "-  problem: China and Russia have",
        "+  problem: China and Russia have greatly",
    ]
    assert brief.data["again"]["problem"].startswith("China and Russia have greatly")  # the alias


def test_a_literal_block_keeps_its_unchanged_lines_and_indentation():
    brief = BriefText(BRIEF, Path("b.yaml"))
    brief.set(
        ("findings", 1, "text"),
        "First line.\n\nSecond paragraph, now longer,\n  indented code-ish line.\n\nNew.\n",
    )
    assert changed_lines(BRIEF, brief.text) == [
        "-      Second paragraph,",
        "+      Second paragraph, now longer,",
        "+",
        "+      New.",
    ]


def test_quoted_scalars_stay_quoted_in_their_own_style():
    brief = BriefText(BRIEF, Path("b.yaml"))
    brief.set(("title",), 'A "new" title')
    brief.set(("findings", 0, "title"), "It's formal")
    assert changed_lines(BRIEF, brief.text) == [
        '-title: "A title"   # a trailing comment',
        '+title: "A \\"new\\" title"   # a trailing comment',
        "-    title: 'It''s institutionalised'",
        "+    title: 'It''s formal'",
    ]


def test_a_value_that_gains_lines_becomes_a_literal_block_and_reads_back():
    brief = BriefText(BRIEF, Path("b.yaml"))
    brief.set(("findings", 0, "text"), "One.\n\nTwo.")
    assert brief.data["findings"][0]["text"] == "One.\n\nTwo."
    assert "    text: |-\n      One.\n\n      Two.\n" in brief.text


def test_a_chomping_change_is_written_in_the_header():
    brief = BriefText(BRIEF, Path("b.yaml"))
    brief.set(("sections", 0, "body"), "Kept as it is.\nAnd a line.\n")
    assert brief.data["sections"][0]["body"] == "Kept as it is.\nAnd a line.\n"
    assert changed_lines(BRIEF, brief.text) == [
        "-    body: |-",
        "+    body: |",
        "+      And a line.",
    ]


def test_comments_go_above_the_key_or_the_items_dash():
    brief = BriefText(BRIEF, Path("b.yaml"))
    brief.comment(("findings", 0, "text"), ["Comment by Maria (2024-05-02): Source?"])
    brief.comment(("findings", 1, "id"), ["on the second"])
    assert changed_lines(BRIEF, brief.text) == [
        "+    # Comment by Maria (2024-05-02): Source?",
        "+  # on the second",
    ]


@pytest.mark.parametrize(
    "path",
    sorted(
        [p for p in (ROOT / "briefs").rglob("*.yaml")]
        + sorted(ROOT.glob("templates/*/starter.yaml"))
        + sorted(CORPUS.glob("*/brief*.yaml"))
    ),
    ids=lambda p: str(p.relative_to(ROOT.parent)),
)
def test_every_prose_field_of_real_briefs_takes_a_one_word_edit_on_its_own_lines(path):
    """Each text value of every example, starter and corpus brief: a word appended to its
    last line changes only the lines that value spans."""
    from briefkit.core.diagnostics import BriefInvalid

    text = path.read_text(encoding="utf-8")
    try:
        original = BriefText(text, path)
    except EditFailed:
        pytest.skip("not a loadable brief (a corpus case of a broken input)")
    except BriefInvalid:
        pytest.skip("not a loadable brief (a corpus case of a broken input)")
    values = original.loaded.source.values
    tried = 0
    for key, span in values.items():
        value = original.get(key)
        if not isinstance(value, str) or not value.strip() or key[-1] in ("id", "date"):
            continue
        if any(isinstance(original.get(key[:i]), str) for i in range(len(key))):
            continue
        brief = BriefText(text, path)
        new = value.rstrip("\n") + " added" + value[len(value.rstrip("\n")) :]
        brief.set(key, new)
        assert brief.get(key) == new
        first = text.count("\n", 0, span.start)
        last = text.count("\n", 0, max(span.start, span.end - 1))
        before, after = text.splitlines(), brief.text.splitlines()
        assert before[:first] == after[:first], key
        tail = len(before) - last - 1
        assert tail <= 0 or before[-tail:] == after[-tail:], key
        tried += 1
    assert tried or not values


LISTS = """\
findings:
  # about the first
  - id: one
    text: One.
  - id: two
    text: |
      Two.

      More.
sections:
  - title: A
    body: Body A.
other: 1
"""


def test_items_move_whole_with_their_comments():
    brief = BriefText(LISTS, Path("b.yaml"))
    brief.reorder(("findings",), [1, 0])
    assert [f["id"] for f in brief.data["findings"]] == ["two", "one"]
    assert sorted(brief.text.splitlines()) == sorted(LISTS.splitlines())
    assert "  # about the first\n  - id: one\n" in brief.text


def test_a_new_item_is_written_as_its_neighbours_are():
    brief = BriefText(LISTS, Path("b.yaml"))
    brief.insert(("sections",), 1, {"title": "B", "body": "First.\n\nSecond.\n"})
    assert changed_lines(LISTS, brief.text) == [
        "+  - title: B",
        "+    body: |",
        "+      First.",
        "+",
        "+      Second.",
    ]
    assert brief.data["sections"][1] == {"title": "B", "body": "First.\n\nSecond.\n"}
