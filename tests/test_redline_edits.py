"""`briefkit redline` over every kind of edit an author makes between two versions: reword,
delete, insert, replace, move a paragraph, move a section, add/remove/move a note, change a
citation's locator, edit a table cell, add a table row, change a heading.

For each: accepting every change gives NEW's own build and rejecting every change OLD's, word
for word (notes included, where a reader meets them), read from the DOCX's XML and from
LibreOffice's reading of it; a moved paragraph is one move, not a deletion and an insertion;
unchanged paragraphs carry no mark; the same inputs give the same bytes whatever the hash seed
or the output's name; a rewritten 30,000-word paragraph takes seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from briefkit.builder.batch import build_brief
from briefkit.builder.redline import redline_briefs
from conftest import soffice
from redline_check import docx_words, odt_words, to_fodt

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

BASE = """\
title: Water security in the Mekong
date: 2024-05-01
layout: commentary
references:
  - id: mrc2023
    type: report
    title: State of the Basin
    author: [{literal: Mekong River Commission}]
    issued: {date-parts: [[2023]]}
  - id: eyler2019
    type: book
    title: Last Days of the Mighty Mekong
    author: [{family: Eyler, given: Brian}]
    issued: {date-parts: [[2019]]}
sections:
  - title: The river
    body: |
      Dams upstream change the river's flow in ways that fishers notice first.^[Interviews in Stung Treng, 2023.]

      Sediment that once fed the delta now settles behind concrete walls [@mrc2023, 14].

      Farmers downstream plant later each year because the floods come late.

      The commission's data show the trend across two decades of records.
  - title: The delta
    body: |
      Saltwater reaches further inland in the dry season than it did a generation ago.^[Provincial records, 2022.]

      | Province | Hectares lost |
      |----------|--------------:|
      | Ben Tre  | 1,200         |
      | Tra Vinh | 800           |

      Rice farmers turn to shrimp where the water turns brackish [@eyler2019, 88].
  - title: What could be done
    body: |
      Regional cooperation is thin but growing among the lower basin states.

      Data sharing agreements would let each country plan for the others' dams.
"""

EDITS = {
    "reword": ("fishers notice first", "fishermen see before anyone else"),
    "delete": ("      Farmers downstream plant later each year because the floods come late.\n\n", ""),
    "insert": ("      The commission's data", "      A new paragraph explains how the reservoirs fill "
               "during the wet season.\n\n      The commission's data"),
    "replace": ("Regional cooperation is thin but growing among the lower basin states.",
                "Nobody expects a treaty before the next drought tests every government."),
    "move-paragraph": None,  # see _edited
    "move-section": None,
    "add-note": ("concrete walls [@mrc2023, 14].", "concrete walls [@mrc2023, 14].^[Measured at "
                 "Kratie.]"),
    "remove-note": ("the dry season than it did a generation ago.^[Provincial records, 2022.]",
                    "the dry season than it did a generation ago."),
    "move-note": None,
    "locator": ("[@mrc2023, 14]", "[@mrc2023, 21]"),
    "table-cell": ("| Tra Vinh | 800           |", "| Tra Vinh | 950           |"),
    "table-row": ("| Tra Vinh | 800           |", "| Tra Vinh | 800           |\n"
                  "      | Soc Trang | 450          |"),
    "heading": ("  - title: What could be done", "  - title: What governments could do"),
}


def _edited(kind: str) -> str:
    text = BASE
    if kind == "move-paragraph":
        moved = "      Farmers downstream plant later each year because the floods come late.\n\n"
        text = text.replace(moved, "")
        return text.replace("      Rice farmers", moved + "      Rice farmers")
    if kind == "move-section":
        start = text.index("  - title: The delta")
        end = text.index("  - title: What could be done")
        section = text[start:end]
        text = text[:start] + text[end:]
        return text + section
    if kind == "move-note":
        text = text.replace("fishers notice first.^[Interviews in Stung Treng, 2023.]",
                            "fishers notice first.")
        return text.replace("because the floods come late.",
                            "because the floods come late.^[Interviews in Stung Treng, 2023.]")
    old, new = EDITS[kind]
    assert old in text, kind
    return text.replace(old, new)


def _redline(old: Path, new: Path, out: Path, *extra: str, seed: str = "0") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run([sys.executable, "-m", "briefkit.cli", "redline", str(old), str(new),
                           "-o", str(out), "--date", "2024-06-01", *extra],
                          capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def redlines(tmp_path_factory):
    """Every edit kind's redline, and OLD's and NEW's own builds."""
    folder = tmp_path_factory.mktemp("edits")
    old = folder / "old.yaml"
    old.write_text(BASE)
    old_build = build_brief(old, folder / "old-build", ["docx"], parallel=False).outputs[0]
    made = {}
    for kind in EDITS:
        new = folder / f"{kind}.yaml"
        new.write_text(_edited(kind))
        out = folder / f"{kind}.redline.docx"
        # in this process (the command itself, with other seeds and names, is run below)
        out.write_bytes(redline_briefs(old, new, date=dt.datetime(2024, 6, 1)).docx)
        new_build = build_brief(new, folder / f"{kind}-build", ["docx"], parallel=False).outputs[0]
        made[kind] = (out, new_build)
    return folder, old_build, made


@pytest.mark.parametrize("kind", list(EDITS))
def test_accept_all_gives_new_and_reject_all_gives_old(redlines, kind):
    _, old_build, made = redlines
    out, new_build = made[kind]
    assert docx_words(out, accept=True) == docx_words(new_build)
    assert docx_words(out, accept=False) == docx_words(old_build)
    assert docx_words(new_build) != docx_words(old_build)  # the edit is a change


@pytest.mark.needs("soffice")
def test_libreoffice_reads_the_same_accept_and_reject(redlines, tmp_path):
    folder, old_build, made = redlines
    files = [old_build] + [out for out, _ in made.values()]
    converted = dict(zip(files, to_fodt(files, tmp_path, soffice(), tmp_path / "profile")))
    # LibreOffice reads an unmarked build as the XML does, so the builds need no conversion
    assert odt_words(converted[old_build]) == docx_words(old_build)
    for kind, (out, new_build) in made.items():
        assert odt_words(converted[out], accept=True) == docx_words(new_build), kind
        assert odt_words(converted[out], accept=False) == docx_words(old_build), kind


def _marks(path: Path, *tags: str) -> list[etree._Element]:
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    return [el for el in root.iter(*(W + t for t in tags)) if el.getparent().tag != W + "rPr"]


def _text(elements) -> str:
    return " ".join("".join(t.text or "" for t in el.iter(W + "t", W + "delText"))
                    for el in elements)


def test_a_moved_paragraph_is_one_move_pair(redlines):
    _, _, made = redlines
    out, _ = made["move-paragraph"]
    assert len(_marks(out, "moveFromRangeStart")) == 1
    assert len(_marks(out, "moveToRangeStart")) == 1
    assert "Farmers downstream" in _text(_marks(out, "moveFrom"))
    assert "Farmers downstream" in _text(_marks(out, "moveTo"))
    assert not _marks(out, "ins", "del")  # nothing else changed


def test_a_moved_section_is_one_move_pair(redlines):
    _, _, made = redlines
    out, _ = made["move-section"]
    assert len(_marks(out, "moveFromRangeStart")) == 1
    assert len(_marks(out, "moveToRangeStart")) == 1
    # moving "The delta" after "What could be done" is the same edit as moving "What could be
    # done" before it: the smaller section is the one marked, heading and paragraphs together
    moved = _text(_marks(out, "moveTo"))
    assert moved.startswith("What could be done") and "Data sharing agreements" in moved
    assert moved == _text(_marks(out, "moveFrom"))
    assert not _marks(out, "ins", "del")


def test_a_replaced_paragraph_is_one_deletion_and_one_insertion(redlines):
    _, _, made = redlines
    out, _ = made["replace"]
    assert len(_marks(out, "del")) == 1 and len(_marks(out, "ins")) == 1
    assert "Regional cooperation" in _text(_marks(out, "del"))
    assert "Nobody expects a treaty" in _text(_marks(out, "ins"))


def test_a_changed_locator_is_marked_inside_its_note(redlines):
    _, _, made = redlines
    out, _ = made["locator"]
    assert not _marks(out, "ins", "del")  # the reference in the text stays
    with zipfile.ZipFile(out) as z:
        notes = etree.fromstring(z.read("word/footnotes.xml"))
    assert _text(notes.iter(W + "del")).strip() == "14"
    assert _text(notes.iter(W + "ins")).strip() == "21"


def test_an_edited_cell_is_marked_in_its_cell(redlines):
    _, _, made = redlines
    out, _ = made["table-cell"]
    assert _text(_marks(out, "del")).strip() == "800"
    assert _text(_marks(out, "ins")).strip() == "950"


def test_an_added_row_is_an_inserted_row(redlines):
    _, _, made = redlines
    out, _ = made["table-row"]
    with zipfile.ZipFile(out) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    rows = [row for row in root.iter(W + "tr") if row.find(f"{W}trPr/{W}ins") is not None]
    assert len(rows) == 1 and "Soc Trang" in _text([rows[0]])


def test_unchanged_paragraphs_carry_no_mark(redlines):
    _, _, made = redlines
    out, _ = made["reword"]
    with zipfile.ZipFile(out) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    marked = [p for p in root.iter(W + "p") if list(p.iter(W + "ins", W + "del"))]
    assert len(marked) == 1 and "Dams upstream" in _text(marked)


def test_same_inputs_same_bytes_whatever_the_seed_or_the_name(redlines, tmp_path):
    folder, _, _ = redlines
    first, second = tmp_path / "a.docx", tmp_path / "other-name.docx"
    assert _redline(folder / "old.yaml", folder / "move-section.yaml", first, seed="1").returncode == 0
    assert _redline(folder / "old.yaml", folder / "move-section.yaml", second, seed="987").returncode == 0
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
    assert first.read_bytes() == second.read_bytes()


def test_marks_are_dated_now_unless_a_date_is_given(tmp_path):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(BASE)
    new.write_text(_edited("reword"))
    out = tmp_path / "now.docx"
    before = time.strftime("%Y-%m-%d", time.gmtime())
    done = subprocess.run([sys.executable, "-m", "briefkit.cli", "redline", str(old), str(new),
                           "-o", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    dates = {el.get(W + "date")[:10] for el in _marks(out, "ins", "del")}
    assert dates <= {before, time.strftime("%Y-%m-%d", time.gmtime())} and dates


def test_a_rewritten_30000_word_paragraph_is_one_deletion_and_one_insertion(tmp_path):
    """Its cost is measured in benchmarks/bench_redline.py (target: under 10 s)."""
    import random

    rng = random.Random(20)
    vocabulary = [f"{a}{b}" for a in ("river", "delta", "basin", "dam", "fish", "rice", "salt")
                  for b in ("", "s", "ed", "ing", "er")] + ["the", "of", "and", "a", "in", "to"]

    def paragraph(seed: int) -> str:
        rng.seed(seed)
        return " ".join(rng.choice(vocabulary) for _ in range(30000)) + "."
    head = "title: Long\ndate: 2024-05-01\nlayout: commentary\nsections:\n  - title: One\n    body: |\n      "
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(head + paragraph(1) + "\n")
    new.write_text(head + paragraph(2) + "\n")
    done = _redline(old, new, tmp_path / "long.docx")
    assert done.returncode == 0, done.stderr
    assert docx_words(tmp_path / "long.docx", accept=False)[-30000:] == paragraph(1)[:-1].split()
    assert docx_words(tmp_path / "long.docx", accept=True)[-30000:] == paragraph(2)[:-1].split()
    # rewritten from end to end: a few long marks, not thousands of "kept" common words
    assert len(_marks(tmp_path / "long.docx", "ins", "del")) < 50
