"""Note labels belong to the field that defines them: a `[^1]` in two sections keeps each
section's own text (Markdown pasted from two documents), in every format; a label defined twice
in one field is a located warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from readers import docx_notes, html_tree, squash

from briefkit.builder.batch import build_brief
from briefkit.builder.pipeline import prepare

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def _html_notes(path) -> list[str]:
    return [squash(li.text_content()).rstrip(" ↩")
            for li in html_tree(path).xpath("//section[@role='doc-endnotes']/ol/li")]


def test_each_section_keeps_its_own_note_one(write_brief, tmp_path):
    path = write_brief("""
        title: Named notes in two sections
        date: 2024-01-01
        notes: footnotes
        sections:
          - title: First
            body: |
              The first claim.[^1] Shown as code: `[^1]`.

              [^1]: Note text written for the FIRST section.
          - title: Second
            body: |
              The second claim.[^1][^a]

              [^1]: Note text written for the SECOND section.

              [^a]: Another, with a [link](https://example.org/a).
    """)
    outputs = {p.suffix: p for p in build_brief(path, tmp_path / "out", ["docx", "html"]).outputs}
    expected = ["Note text written for the FIRST section.",
                "Note text written for the SECOND section.", "Another, with a link."]
    assert docx_notes(outputs[".docx"]) == expected
    assert _html_notes(outputs[".html"]) == expected
    # What only looks like a label (in code) is printed as written.
    assert "[^1]" in [c.text for c in html_tree(outputs[".html"]).iter("code")]


@pytest.mark.needs("shared")
def test_the_corpus_case_keeps_both_texts(tmp_path):
    brief = CORPUS / "min-named-notes-collide" / "brief.yaml"
    outputs = {p.suffix: p for p in build_brief(brief, tmp_path, ["html"]).outputs}
    assert _html_notes(outputs[".html"]) == ["Note text written for the FIRST section.",
                                             "Note text written for the SECOND section."]


def test_a_label_defined_twice_in_one_field_is_a_located_warning(write_brief, tmp_path):
    path = write_brief("""
        title: Twice
        date: 2024-01-01
        sections:
          - title: One
            body: |
              Claim.[^1]

              [^1]: First text.

              [^1]: Second text.
    """)
    result = build_brief(path, tmp_path / "out", ["html"])
    warnings = result.warnings.warnings
    assert [(d.location.line, d.location.column) for d in warnings] == [(10, 7)]
    assert str(warnings[0].location.file).endswith("brief.yaml")
    assert "[^1]" in warnings[0].message and "defined twice" in warnings[0].message
    # As Pandoc does: the later definition is the note's text.
    assert _html_notes(result.outputs[0]) == ["Second text."]
    # check says the same.
    checked = prepare(path).diagnostics.warnings
    assert [(d.location.line, d.message) for d in checked] == [(10, warnings[0].message)]
