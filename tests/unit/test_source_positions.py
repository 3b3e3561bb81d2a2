"""Load: YAML text in, values and the position of every key and value out. Every located
message a brief's author reads (`brief.yaml:12:5`) is one of these positions, so they are
checked here against the text itself, without building anything."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from briefkit.core.diagnostics import BriefInvalid
from briefkit.load.source import (
    SpelledFloat,
    SpelledInt,
    group_path,
    load_bytes,
    load_data,
    value_at,
)

FILE = Path("brief.yaml")
BRIEF = """\
title: Sino-Russian ties
date: 2020-09-01
authors:
  - name: Samuel Bendett
    title: Adjunct Senior Fellow
  - Elsa B. Kania
findings:
  intro: What we found.
  items:
    - id: lead
      text: |
        China leads; see @smith2020 and @smith.
"""


def where(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """(line, column), 1-based, of the `occurrence`-th `needle` in `text`."""
    offset = -1
    for _ in range(occurrence):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def position(location) -> tuple[int, int]:
    return location.line, location.column


@pytest.fixture(scope="module")
def loaded():
    return load_bytes(BRIEF.encode(), FILE)


def test_values_and_keys_are_located_where_the_text_has_them(loaded):
    source = loaded.source
    assert position(source.location(("title",))) == where(BRIEF, "Sino-Russian")
    assert position(source.location(("title",), at_key=True)) == where(BRIEF, "title")
    assert position(source.location(("authors", 0, "title"))) == where(BRIEF, "Adjunct")
    assert position(source.location(("authors", 1))) == where(BRIEF, "Elsa")
    assert position(source.location(("findings", "items", 0, "id"), at_key=True)) == \
        where(BRIEF, "id: lead")
    assert source.location(("title",)).file == FILE


def test_a_path_the_brief_lacks_is_located_at_its_nearest_ancestor(loaded):
    source = loaded.source
    assert position(source.location(("authors", 0, "bio"))) == where(BRIEF, "name: Samuel")
    assert position(source.location(("summary", "problem"))) == (1, 1)  # nothing: the file


def test_text_inside_a_value_is_located_exactly_and_a_key_is_not_a_prefix(loaded):
    source = loaded.source
    path = ("findings", "items", 0, "text")
    # `@smith` is found standing alone, not as the start of `@smith2020`
    assert position(source.locate_text(path, "@smith")) == where(BRIEF, "@smith", 2)
    assert position(source.locate_text(path, "@smith2020")) == where(BRIEF, "@smith2020")
    # text that is not there: the value itself
    assert position(source.locate_text(path, "@nobody")) == where(BRIEF, "|")


def test_plain_numbers_print_as_written_and_stay_numbers():
    data = load_bytes(b"version: 1.10\nissue: 022\nbig: 1_000\nquoted: '7'\n", FILE).data
    assert (str(data["version"]), str(data["issue"]), str(data["big"])) == ("1.10", "022", "1_000")
    assert isinstance(data["version"], SpelledFloat) and data["version"] == 1.1
    assert isinstance(data["issue"], SpelledInt) and data["issue"] == 0o22  # YAML 1.1 octal
    assert data["quoted"] == "7"
    # builds cross process boundaries: the spelling survives pickling
    assert str(pickle.loads(pickle.dumps(data["version"]))) == "1.10"


def test_dates_stay_text_and_keys_are_their_source_text():
    loaded = load_bytes(b"date: 2020-09-01\nacronyms:\n  NO: Norway\n  yes: on\n", FILE)
    assert loaded.data["date"] == "2020-09-01"
    assert loaded.data["acronyms"] == {"NO": "Norway", "yes": True}
    assert loaded.source.spelling(("acronyms", "yes")) == "on"  # how the boolean was written


def test_merge_keys_merge_mappings_with_the_files_own_keys_winning():
    loaded = load_bytes(b"base: &b {a: 1, b: 2}\nchild:\n  <<: *b\n  b: 3\n", FILE)
    assert loaded.data["child"] == {"a": 1, "b": 3}


def test_a_byte_order_mark_and_windows_line_ends_do_not_move_positions():
    text = "title: T\r\ndate: 2020-01-01\r\nkicker: K\r\n"
    loaded = load_bytes(b"\xef\xbb\xbf" + text.encode(), FILE)
    assert loaded.data["kicker"] == "K"
    assert position(loaded.source.location(("kicker",))) == (3, 9)


@pytest.mark.parametrize("raw, message, at", [
    (b"title: caf\xe9\n", "byte 0xE9 at offset 10 is not UTF-8", (1, 11)),
    (b"title: !!python/object:os.system x\n", "the YAML tag '!!python/object:os.system'",
     (1, 8)),
    (b"title: a\x01b\n", "the control character U+0001", (1, 9)),
    # pasted into a plain value: found by the YAML reader, located in characters, not bytes
    ("date: 2020-01-01\ntitle: \u4e2d\u6587\x7f\n".encode(), "control character U+007F", (2, 10)),
    (b"- a\n- b\n", "the file must be a mapping", (1, 1)),
    (b"# only a comment\n", "the file holds only comments", (1, 1)),
    (b"title:\n\t- a\n", "not valid YAML", (2, 1)),
    (b"a: &x [*x]\n", "nested more than 64 levels", (1, 4)),  # an alias of itself
])
def test_a_file_that_cannot_be_loaded_is_one_located_message(raw, message, at):
    with pytest.raises(BriefInvalid) as caught:
        load_bytes(raw, FILE)
    [diagnostic] = caught.value.diagnostics.errors
    assert message in str(diagnostic)
    assert position(diagnostic.location) == at


def test_a_key_written_twice_is_located_and_the_rest_of_the_file_still_loads():
    """So that one `check` reports the brief's other mistakes too."""
    loaded = load_bytes(b"title: a\ndate: 2020-01-01\ntitle: b\nkicker: K\n", FILE)
    [problem] = loaded.source.problems
    assert "the key 'title' appears twice" in str(problem) and "first is at line 1" in str(problem)
    assert position(problem.location) == (3, 1)
    assert loaded.data == {"title": "b", "date": "2020-01-01", "kicker": "K"}  # as YAML keeps it


def test_a_tab_gets_the_tab_hint():
    with pytest.raises(BriefInvalid) as caught:
        load_bytes(b"title:\n\t- a\n", FILE)
    assert "tabs" in str(caught.value.diagnostics.errors[0])


def test_nesting_deeper_than_the_budget_is_refused_before_it_is_composed():
    with pytest.raises(BriefInvalid) as caught:
        load_bytes(b"a: " + b"[" * 30_000 + b"]" * 30_000 + b"\n", FILE)
    assert "nested more than 64 levels" in str(caught.value.diagnostics.errors[0])


def test_aliases_expand_under_a_budget():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 6)]
    with pytest.raises(BriefInvalid) as caught:
        load_bytes("\n".join(lines).encode(), FILE)
    assert "expands to more than 50,000 values" in str(caught.value.diagnostics.errors[0])


def test_load_data_reads_any_yaml_value_and_nothing_from_an_empty_text():
    assert load_data("- id: a\n  title: T\n", FILE) == [{"id": "a", "title": "T"}]
    assert load_data("# nothing\n", FILE) is None


def test_value_at_and_group_path_walk_loaded_values():
    data = {"findings": {"items": [{"id": "a"}]}, "recommendations": [{"id": "r"}]}
    assert value_at(data, ("findings", "items", 0, "id")) == "a"
    assert value_at(data, ("findings", "items", 3, "id")) is None
    assert value_at(data, ("recommendations", "x")) is None
    assert group_path(data, "findings") == ("findings", "items")
    assert group_path(data, "recommendations") == ("recommendations",)
