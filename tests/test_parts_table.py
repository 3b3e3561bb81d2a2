"""The table of parts: a house adds a part with data alone (a row in its layout's parts.yaml, a
label, optionally a template), and it appears in every format, in the contents and in the Word
import; a wrong row is a located layout error. No Python is edited for any of it."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from briefkit.cli import cli
from briefkit.core.diagnostics import BriefInvalid
from briefkit.builder.batch import build_brief
from briefkit.builder.pipeline import prepare
from briefkit.layout.files import LayoutError
from briefkit.layout.folders import load_layout
from readers import docx_notes, docx_paragraphs, html_tree

LAYOUT = """\
extends: report
description: A house report with a methodology and annexes.
parts: [title_page, front_box, contents, executive_summary, methodology, sections, annexes,
        notes, colophon]
labels:
  methodology: How we did it
  annexes: Annexes
"""
PARTS = """\
methodology:            # a heading and Markdown, listed in the contents
  shape: prose
  in_contents: true
annexes:                # a numbered list, laid out by its shape's own look (no template)
  shape: list
  in_contents: true
"""
TEMPLATE = """\
{% if doc.methodology %}
<section class="methodology house-method" id="{{ part.anchor }}">
  <h2>{{ label(part.label) }}</h2>
  {{ doc.methodology | blocks }}
</section>
{% endif %}
"""
BRIEF = """\
layout: house
title: Fisheries under pressure
date: 2024-05-02
summary:
  problem: Catches fall.
executive_summary: The Mekong's fisheries feed sixty-five million people.
methodology: We read forty *reports* and interviewed twelve officials.^[Interviews were held in 2023.]
sections:
  - title: Background
    body: Dams change the river.^[A second note.]
  - title: Outlook
    body: More dams are planned.
annexes:
  - A list of the reports read.
  - The questions asked.
"""


@pytest.fixture(scope="module")
def house(tmp_path_factory):
    """A project whose own layout adds two parts, and the brief built with it."""
    project = tmp_path_factory.mktemp("project")
    (project / ".git").mkdir()
    folder = project / "templates" / "house"
    (folder / "html" / "parts").mkdir(parents=True)
    (folder / "layout.yaml").write_text(LAYOUT)
    (folder / "parts.yaml").write_text(PARTS)
    (folder / "html" / "parts" / "methodology.html").write_text(TEMPLATE)
    (project / "briefs").mkdir()
    brief = project / "briefs" / "fisheries.yaml"
    brief.write_text(BRIEF)
    outputs = {p.suffix[1:]: p for p in build_brief(brief, project / "out").outputs}
    return project, brief, outputs


def test_the_added_part_is_in_the_html_with_its_template_and_in_the_contents(house):
    _, _, out = house
    page = html_tree(out["html"])
    section = page.xpath('//section[contains(@class, "house-method")]')[0]
    assert section.get("id") == "methodology"
    assert section.xpath("string(h2)") == "How we did it"
    assert "We read forty reports" in section.text_content()
    # without a template of its own, a part takes its shape's look
    annex = page.xpath('//section[@id="annexes"]')[0]
    assert annex.xpath("string(h2)") == "Annexes"
    assert [li.text_content().strip() for li in annex.xpath(".//ol/li")] == [
        "A list of the reports read.", "The questions asked."]
    contents = [a.text_content() for a in page.xpath('//nav[@id="contents"]//a')]
    assert contents.index("How we did it") == contents.index("Executive summary") + 1
    assert contents.index("Annexes") == contents.index("Outlook") + 1
    assert page.xpath('//nav[@id="contents"]//a[text()="How we did it"]/@href') == ["#methodology"]


def test_the_added_part_is_in_word_in_its_place_with_its_note(house):
    _, _, out = house
    texts = [p.text for p in docx_paragraphs(out["docx"])]
    heading = texts.index("How we did it", texts.index("Contents") + 1)
    assert texts[heading + 1] == "We read forty reports and interviewed twelve officials."
    assert texts.index("Background") > heading
    assert texts.index("Annexes") > texts.index("Outlook")
    # the contents lists it, and its note is numbered in reading order (before the sections')
    contents = texts[texts.index("Contents") + 1:texts.index("How we did it")]
    assert any(line.startswith("How we did it") for line in contents)
    assert docx_notes(out["docx"], "endnotes") == ["Interviews were held in 2023.", "A second note."]


@pytest.mark.needs("pdftotext")
def test_the_added_part_is_in_the_pdf(house):
    _, _, out = house
    text = subprocess.run(["pdftotext", "-layout", str(out["pdf"]), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "How we did it" in text and "We read forty reports" in text
    assert "The questions asked." in text
    assert text.index("How we did it") < text.index("Background") < text.index("Annexes", text.index("Background"))


def test_word_import_fills_the_added_part_from_its_heading(house, tmp_path, monkeypatch):
    project, _, out = house
    monkeypatch.chdir(project)
    target = project / "briefs" / "imported.yaml"
    result = CliRunner().invoke(cli, ["import", str(out["docx"]), "-o", str(target),
                                      "--layout", "house"])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(target.read_text())
    assert data["methodology"].startswith("We read forty *reports* and interviewed twelve officials.")
    assert "Interviews were held in 2023." in data["methodology"]
    assert data["annexes"] == ["A list of the reports read.", "The questions asked."]
    assert [s["title"] for s in data["sections"]] == ["Background", "Outlook"]


def test_a_brief_key_of_an_added_part_is_checked_as_its_shape(house, tmp_path):
    project, brief, _ = house
    wrong = brief.with_name("wrong.yaml")
    wrong.write_text(BRIEF.replace("annexes:\n  - A list of the reports read.\n  - The questions asked.\n",
                                   "annexes: just one\nmethodolgy: typo\n"))
    with pytest.raises(BriefInvalid) as caught:
        prepare(wrong)
    messages = [str(d) for d in caught.value.diagnostics.errors]
    assert any("annexes" in m and "expected a list" in m for m in messages), messages
    assert any("unknown key 'methodolgy'" in m and "methodology" in m for m in messages), messages


def test_a_layout_without_the_part_leaves_its_key_unshown(house):
    project, brief, _ = house
    other = brief.with_name("plain.yaml")
    other.write_text(BRIEF.replace("layout: house", "layout: report"))
    with pytest.raises(BriefInvalid) as caught:  # the report layout has no such key
        prepare(other)
    assert any("unknown key 'methodology'" in str(d) for d in caught.value.diagnostics.errors)


@pytest.mark.parametrize("row, message", [
    ("methodology: {shape: box}", "shape 'box' is not one of items, list, prose"),
    ("methodology: {shape: prose, colour: red}", "unknown column(s) colour"),
    ("methodology: {shape: items}", "numbered items need an 'item_label'"),
    ("methodology: {shape: prose, keys: [a, b]}", "shows one brief key"),
    ("methodology: [prose]", "expected a mapping"),
])
def test_a_wrong_row_is_a_layout_error_located_in_its_parts_file(tmp_path, row, message):
    folder = tmp_path / "templates" / "house"
    folder.mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (folder / "layout.yaml").write_text(LAYOUT)
    (folder / "parts.yaml").write_text(row + "\n")
    with pytest.raises(LayoutError) as caught:
        load_layout("house", tmp_path)
    assert message in str(caught.value)
    assert caught.value.location.file == folder / "parts.yaml"


def test_every_builtin_layout_places_only_parts_of_the_table():
    for name in ("report", "research", "commentary", "summary"):
        layout = load_layout(name)
        assert [p.name for p in layout.placed()] == layout.parts
        assert all(not p.declared for p in layout.table)
