"""The table of parts as data: rows in, `Part`s out, and the questions every stage asks it
(which heading names which part, which parts a layout places, what a row a house adds means).
No build: these read `parts.yaml` files and the layouts' folders only."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from briefkit.layout.files import LayoutError, builtin_dir
from briefkit.layout.folders import load_layout
from briefkit.layout.locales import layout_labels, load_locale
from briefkit.layout.parts import (
    DECLARABLE_SHAPES,
    SHAPES,
    Part,
    PartsError,
    PartTable,
    table_from_rows,
)
from briefkit.word.outline import normalise

BASE_ROWS = yaml.safe_load((builtin_dir() / "base" / "parts.yaml").read_text(encoding="utf-8"))
BUILTIN = set(BASE_ROWS)
LAYOUTS = ("report", "research", "commentary", "summary")


def house(tmp_path: Path, parts_yaml: str, layout_yaml: str = "extends: report\n") -> Path:
    """A project with a layout `house` of its own; the project's root."""
    folder = tmp_path / "templates" / "house"
    folder.mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (folder / "layout.yaml").write_text(layout_yaml, encoding="utf-8")
    (folder / "parts.yaml").write_text(parts_yaml, encoding="utf-8")
    return tmp_path


def test_every_base_row_has_a_shape_a_writer_lays_out():
    table = table_from_rows(BASE_ROWS, BUILTIN)
    assert table.names() == list(BASE_ROWS)  # the reading order of the base table is kept
    assert {row.shape for row in table} <= set(SHAPES)
    assert not table.declared()


def test_a_box_row_names_its_fields_and_each_field_is_a_heading_import_recognises():
    table = table_from_rows(BASE_ROWS, BUILTIN)
    labels = table.by_label()
    front_box = table["front_box"]
    assert front_box.fields == ("problem", "solution") and front_box.content_key == "summary"
    assert labels["problem"] == (front_box, "problem")
    assert labels["solution"] == (front_box, "solution")
    # a box is recognised by its fields' headings, never by a label of its own
    assert all(found[0] is not front_box or found[1] for found in labels.values())


def test_content_key_defaults_to_the_first_key_and_a_key_column_wins():
    table = table_from_rows(BASE_ROWS, BUILTIN)
    assert table["findings"].content_key == "findings"
    assert table["authors"].content_key == "authors"  # `key:` without `keys:`
    assert table["title_page"].content_key == "title"
    assert table["contents"].content_key is None


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_no_two_placed_parts_share_a_heading_so_word_import_cannot_confuse_them(layout, lang):
    """`briefkit import` files a Word heading under the part whose label it reads: two parts
    printing the same heading in one language would send one part's text to the other."""
    chosen = load_layout(layout)
    locale = load_locale(lang)
    labels = {**locale.labels, **layout_labels(chosen.settings.get("labels") or {}, locale)}
    headings: dict[str, str] = {}
    for key, (part, _) in chosen.table.by_label().items():
        if part.name not in chosen.parts or key not in labels:
            continue
        text = normalise(labels[key])
        assert text not in headings, (
            f"{layout}/{lang}: '{labels[key]}' heads both {headings[text]} and {part.name}")
        headings[text] = part.name
    assert "notes" in headings.values(), headings  # the check saw the headings


def test_placed_keeps_the_layouts_order_not_the_tables():
    table = table_from_rows(BASE_ROWS, BUILTIN)
    order = ["sections", "findings", "title_page"]
    assert [p.name for p in table.placed(order)] == order
    assert [p.name for p in table.of_shape("items")] == ["findings", "recommendations"]


def test_a_part_a_layout_adds_takes_its_name_for_key_label_and_a_hyphenated_anchor():
    table = table_from_rows({**BASE_ROWS, "policy_options": {"shape": "list"}}, BUILTIN)
    row = table["policy_options"]
    assert row == Part(name="policy_options", shape="list", keys=("policy_options",),
                       label="policy_options", anchor="policy-options", declared=True)
    assert table.declared() == [row]
    assert table.names()[-1] == "policy_options"  # added rows come after the base's
    assert table.by_label()["policy_options"] == (row, None)
    assert row.as_data()["key"] == "policy_options"


def test_a_builtin_row_keeps_no_defaults_of_an_added_one():
    """Base rows say what they mean: no label or anchor is made up for them."""
    row = table_from_rows({"colophon": {"shape": "colophon"}}, {"colophon"})["colophon"]
    assert (row.label, row.anchor, row.keys, row.declared) == (None, None, (), False)


@pytest.mark.parametrize("row, message", [
    ({"shape": "list", "label": 3}, "'label' must be text"),
    ({"shape": "list", "keys": "annexes"}, "'keys' must be a list of brief keys"),
    ({"shape": "prose", "fields": "a"}, "'fields' must be a list of keys"),
    ({"shape": None}, "shape None is not one of items, list, prose"),
])
def test_a_wrong_row_names_the_part_and_the_column(row, message):
    with pytest.raises(PartsError) as caught:
        table_from_rows({"annexes": row}, BUILTIN)
    assert caught.value.part == "annexes"
    assert str(caught.value).startswith("part 'annexes': ") and message in str(caught.value)


def test_a_builtin_part_may_have_any_shape_an_added_one_only_the_declarable():
    assert set(DECLARABLE_SHAPES) < set(SHAPES)
    table_from_rows({"notes": {"shape": "notes"}}, {"notes"})  # furniture: one row each
    with pytest.raises(PartsError, match="a layout may add parts of these shapes"):
        table_from_rows({"endnotes": {"shape": "notes"}}, {"notes"})


def test_a_house_row_changes_a_builtin_part_along_the_extends_chain(tmp_path):
    """A house renames the findings' heading key in its parts.yaml: the row keeps its other
    columns, stays a builtin part, and import recognises the new label."""
    project = house(tmp_path, "findings:\n  label: key_findings\n",
                    "extends: report\nlabels:\n  key_findings: What we found\n")
    layout = load_layout("house", project)
    findings = layout.table["findings"]
    assert (findings.label, findings.shape, findings.item_label, findings.declared) == (
        "key_findings", "items", "finding", False)
    assert layout.table.by_label()["key_findings"] == (findings, None)
    assert "findings" not in layout.table.by_label()
    assert layout.labels["key_findings"] == "What we found"


def test_a_house_layout_placing_a_part_no_table_has_is_told_which_exist(tmp_path):
    project = house(tmp_path, "annexes: {shape: list}\n",
                    "extends: report\nparts: [title_page, annex, sections]\n")
    with pytest.raises(LayoutError) as caught:
        load_layout("house", project)
    message = str(caught.value)
    assert "names unknown parts: annex" in message and "annexes" in message
    assert "a row in its parts.yaml" in message


def test_an_empty_table_answers_every_question_empty():
    table = PartTable([])
    assert (table.names(), table.placed([]), table.by_label(), table.declared()) == ([], [], {}, [])
    assert "findings" not in table
