"""The `@string` expansion budget measures what Pandoc would expand a .bib value to, without
expanding it. Pandoc is the oracle: the size measured for a value is the length of the text
Pandoc reads for that field (checked on small files, with the budget lowered so that the
measure is reported)."""

from __future__ import annotations

import json
import subprocess

import pypandoc
import pytest

from briefkit.prose import bibtex_budget
from briefkit.prose.bibtex_budget import over_budget

BIB = """\
@comment{ a comment with {braces} and = signs is skipped }
@preamble{ "\\newcommand{\\noop}[1]{}" }
@string{Org = "Australian"}
@string{inst = org # "Strategic" # {Policy}}
@book{doe2020,
  title = inst # "Institute" # inst,
  publisher = {ANU},
  year = 2020
}
"""


def pandoc_fields(text: str, tmp_path) -> dict[str, dict]:
    """Each entry of `text` as Pandoc reads it (CSL JSON), by id."""
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run([pypandoc.get_pandoc_path(), "-f", "biblatex", "-t", "csljson",
                             str(path)], capture_output=True, check=True, timeout=60)
    return {item["id"]: item for item in json.loads(result.stdout)}


def measured(text: str, monkeypatch, budget: int = 0):
    monkeypatch.setattr(bibtex_budget, "MAX_VALUE_CHARS", budget)
    return over_budget(text)


def test_a_concatenation_of_macros_measures_what_pandoc_expands_it_to(tmp_path, monkeypatch):
    title = pandoc_fields(BIB, tmp_path)["doe2020"]["title"]
    assert title == "AustralianStrategicPolicyInstituteAustralianStrategicPolicy"
    # the first value over a budget of 0 is the first field of the first entry
    found = measured(BIB, monkeypatch, budget=len("AustralianStrategicPolicy"))
    assert (found.name, found.size, found.total) == ("title", len(title), False)
    assert BIB[found.offset:].lstrip().startswith("inst # ")  # located at the value


def test_macro_names_are_case_insensitive_as_pandoc_reads_them(tmp_path, monkeypatch):
    text = '@string{ABC = "xxxxxxxxxx"}\n@misc{k, title = abc # Abc # aBc}\n'
    assert pandoc_fields(text, tmp_path)["k"]["title"].lower() == "x" * 30
    assert measured(text, monkeypatch, budget=29).size == 30


def test_an_string_over_budget_is_caught_before_any_entry_uses_it(monkeypatch):
    text = '@string{a = "xxxxx"}\n@string{b = a # a # a}\n@misc{k, title = {t}}\n'
    found = measured(text, monkeypatch, budget=12)
    assert (found.name, found.size) == ("b", 15)


def test_values_within_budget_report_nothing():
    assert over_budget(BIB) is None


def test_the_files_total_is_a_budget_of_its_own(monkeypatch):
    monkeypatch.setattr(bibtex_budget, "MAX_TOTAL_CHARS", 25)
    text = "".join(f"@misc{{k{i}, title = {{0123456789}}}}\n" for i in range(3))
    found = over_budget(text)
    assert found is not None and found.total and found.size == 30 and found.budget == 25


def test_an_exponential_bomb_is_measured_without_being_expanded():
    strings = ['@string{a = "xxxxxxxxxx"}']
    for previous, name in zip("abcdefghijklmnop", "bcdefghijklmnopq"):
        strings.append(f"@string{{{name} = {' # '.join([previous] * 4)}}}")
    found = over_budget("\n".join(strings))
    assert found is not None and found.size == 10 * 4**7 and found.name == "h"


@pytest.mark.parametrize("text", [
    "@book{doe, title = {never closed",
    "@book{doe, title = \"never closed",
    "@book{doe, = {no name}}",
    "@book{doe, title {no equals}}",
    "just prose with an @ sign and no entry",
])
def test_what_the_scanner_cannot_follow_is_left_for_pandoc_to_report(text, monkeypatch):
    assert measured(text, monkeypatch, budget=0) is None
