"""The BibTeX scan (prose/bibtex_scan.py) reads a .bib as Pandoc does, without expanding it:
what each value would expand to, where each entry starts and ends, what it inherits from, and
whether the file holds anything Pandoc would read otherwise. Pandoc is the oracle: the measured
size of a value is the length of the text Pandoc reads for it, an entry cut out of the file
reads as it does in the whole file, and what the scan does not understand Pandoc refuses."""

from __future__ import annotations

import json
import subprocess

import pypandoc
import pytest

from briefkit.prose import bibtex_scan
from briefkit.prose.bibtex_scan import scan

BIB = """\
% a comment line between entries
@comment{ a comment with {braces} and = signs is skipped }
@preamble{ "\\newcommand{\\noop}[1]{}" }
@string{Org = "Australian"}
@string{inst = org # "Strategic" # {Policy}}
@book{doe2020,
  title = inst # "Institute" # inst,
  publisher = {ANU},
  year = 2020
}
@incollection{roe2021, title = {A chapter}, crossref = {doe2020}, pages = {1--10}}
"""


def pandoc_items(text: str, tmp_path) -> tuple[int, dict[str, dict]]:
    """(exit code, each entry of `text` as Pandoc reads it, as CSL JSON, by id)."""
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([pypandoc.get_pandoc_path(), "-f", "biblatex", "-t", "csljson",
                           str(path)], capture_output=True, timeout=60)
    items = json.loads(done.stdout) if done.returncode == 0 else []
    return done.returncode, {item["id"]: item for item in items}


def test_entries_are_found_with_their_spans_keys_and_parents():
    index = scan(BIB)
    assert index.understood and index.over is None
    assert [(e.kind, e.key) for e in index.entries] == [("book", "doe2020"),
                                                        ("incollection", "roe2021")]
    for entry in index.entries:
        cut = BIB[entry.start:entry.end]
        assert cut.startswith(f"@{entry.kind}{{{entry.key},") and cut.endswith("}")
        assert BIB[entry.key_offset:].startswith(entry.key)
    [(field, key, offset)] = index.entries[1].parents
    assert (field, key) == ("crossref", "doe2020") and BIB[offset:].startswith("{doe2020}")
    assert [BIB[s:e].split("{")[0] for s, e in index.strings] == ["@string", "@string"]


def test_an_entry_cut_out_with_the_macros_reads_as_in_the_whole_file(tmp_path):
    index = scan(BIB)
    code, whole = pandoc_items(BIB, tmp_path)
    assert code == 0
    macros = "\n".join(BIB[s:e] for s, e in index.strings)
    book = index.entries[0]
    code, alone = pandoc_items(macros + "\n" + BIB[book.start:book.end] + "\n", tmp_path)
    assert code == 0 and alone["doe2020"] == whole["doe2020"]


def test_a_concatenation_of_macros_measures_what_pandoc_expands_it_to(tmp_path, monkeypatch):
    _, items = pandoc_items(BIB, tmp_path)
    title = items["doe2020"]["title"]
    assert title == "AustralianStrategicPolicyInstituteAustralianStrategicPolicy"
    monkeypatch.setattr(bibtex_scan, "MAX_VALUE_CHARS", len("AustralianStrategicPolicy"))
    found = scan(BIB).over  # the first value over the (lowered) budget
    assert (found.name, found.size, found.total) == ("title", len(title), False)
    assert BIB[found.offset:].lstrip().startswith("inst # ")  # located at the value


def test_macro_names_are_case_insensitive_as_pandoc_reads_them(tmp_path, monkeypatch):
    text = '@string{ABC = "xxxxxxxxxx"}\n@misc{k, title = abc # Abc # aBc}\n'
    assert pandoc_items(text, tmp_path)[1]["k"]["title"].lower() == "x" * 30
    monkeypatch.setattr(bibtex_scan, "MAX_VALUE_CHARS", 29)
    assert scan(text).over.size == 30


def test_a_string_over_budget_is_caught_before_any_entry_uses_it(monkeypatch):
    monkeypatch.setattr(bibtex_scan, "MAX_VALUE_CHARS", 12)
    found = scan('@string{a = "xxxxx"}\n@string{b = a # a # a}\n@misc{k, title = {t}}\n').over
    assert (found.name, found.size) == ("b", 15)


def test_the_files_total_is_a_budget_of_its_own(monkeypatch):
    monkeypatch.setattr(bibtex_scan, "MAX_TOTAL_CHARS", 25)
    found = scan("".join(f"@misc{{k{i}, title = {{0123456789}}}}\n" for i in range(3))).over
    assert found is not None and found.total and found.size == 30 and found.budget == 25


def test_an_exponential_bomb_is_measured_without_being_expanded():
    strings = ['@string{a = "xxxxxxxxxx"}']
    for previous, name in zip("abcdefghijklmnop", "bcdefghijklmnopq"):
        strings.append(f"@string{{{name} = {' # '.join([previous] * 4)}}}")
    found = scan("\n".join(strings)).over
    assert found is not None and found.size == 10 * 4**7 and found.name == "h"


@pytest.mark.parametrize("text", [
    "@book{doe, title = {never closed",
    '@book{doe, title = "never closed',
    "@book{doe, title = {a} {b}}",
    "@misc{doe}",
    "@article(roe2019, title = {In parentheses})",
    "An @ sign in prose before @book{doe, title = {T}}",
])
def test_what_the_scan_does_not_understand_pandoc_refuses(text, tmp_path):
    index = scan(text)
    assert not index.understood and index.over is None
    code, _ = pandoc_items(text, tmp_path)
    assert code != 0, f"Pandoc reads {text!r}: the scan should too"
