"""`check` reports every independent mistake of a brief in one run, each one located line with
what to do: a key written twice, schema errors, an unknown layout, ids and the findings a
recommendation names, Markdown that would print as typed, missing files with a "did you mean".
And what Pandoc users' drafts hold builds: an empty note ending a body, a house template's
language when the brief names none."""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefkit.cli import cli

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning): "
                  r"(?P<key>[^:]+): (?P<message>.+)$")


def _run(folder: Path, *arguments: str):
    before = Path.cwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(cli, list(arguments))
    finally:
        os.chdir(before)


def _errors(output: str) -> list[dict]:
    return [m.groupdict() for m in map(LINE.match, output.splitlines()) if m and
            m.group("severity") == "error"]


def test_five_independent_mistakes_in_one_check(write_brief):
    path = write_brief("""
        title: Five mistakes
        date: 2024-01-01
        layout: reprot
        subtitel: A misspelled key
        findings:
          - id: cost
            title: Costs rise
            text: They do.
          - id: cost
            title: Prices too
            text: Also.
        recommendations:
          - id: act
            title: Act
            text: Now.
            findings: [costs]
        sections:
          - title: One
            body: Text.
        title: Twice
    """)
    result = _run(path.parent, "check", path.name)
    assert result.exit_code == 1
    errors = {(e["line"], e["column"], e["key"]): e["message"] for e in _errors(result.output)}
    assert errors == {
        ("3", "9", "layout"): "unknown layout 'reprot'; expected one of commentary, report, "
                              "research, summary. Did you mean 'report'?",
        ("4", "1", "subtitel"): "unknown key 'subtitel'. Did you mean 'subtitle'?",
        ("9", "9", "findings[1].id"): "the id 'cost' is used twice. Ids must be unique in a "
                                      "brief; the first is at line 6",
        ("16", "16", "recommendations[0].findings[0]"): "no finding has the id 'costs'. Did you "
                                                        "mean 'cost'?",
        ("20", "1", "title"): "the key 'title' appears twice in this mapping. The first is at "
                              "line 1; keep one of them",
    }, result.output
    # `build` refuses the same brief for the same reasons
    built = _run(path.parent, "build", path.name, "-o", "out", "-f", "html")
    assert built.exit_code == 1 and len(_errors(built.output)) == 5


def test_markdown_that_would_print_as_typed(write_brief):
    path = write_brief("""
        title: Markup *slips*
        date: 2024-01-01
        findings:
          - id: cost
            title: Costs rise [@smith2020]
            text: They do.^[Unclosed note
        recommendations:
          - title: Act on __costs__
            text: Now.
        sections:
          - title: One ^[a note]
            body: Text.
    """)
    result = _run(path.parent, "check", path.name)
    errors = [(e["line"], e["key"], e["message"]) for e in _errors(result.output)]
    assert errors == [
        ("1", "title", "emphasis in a title prints as typed ('*slips*'): titles are plain "
                       "text, not Markdown. Remove the '*' or '_' (a layout sets titles in "
                       "their own type)"),
        ("5", "findings[0].title", "a citation in a title prints as typed ('[@smith2020]'): "
                                   "titles are plain text, not Markdown. Cite in the text that "
                                   "follows, e.g. the finding's 'text'"),
        ("6", "findings[0].text", "the note opened with '^[' is never closed, so it prints as "
                                  "typed; end it with ']'"),
        ("8", "recommendations[0].title", "emphasis in a title prints as typed ('__costs__'): "
                                          "titles are plain text, not Markdown. Remove the '*' "
                                          "or '_' (a layout sets titles in their own type)"),
        ("11", "sections[0].title", "a note in a title prints as typed ('^['): titles are plain "
                                    "text, not Markdown. Put the note in the text that follows"),
    ], result.output


@pytest.mark.needs("shared")
def test_a_missing_file_gets_a_did_you_mean(write_brief, tmp_path):
    (tmp_path / "images").mkdir()
    shutil.copy(CORPUS / "md-pandoc-notes" / "image.png", tmp_path / "images" / "chart.png")
    path = write_brief("""
        title: Pictures
        date: 2024-01-01
        sections:
          - title: One
            body: |
              ![A chart](image/chart.png)

              ![The same](images/chrat.png)
    """)
    result = _run(path.parent, "check", path.name)
    messages = [e["message"] for e in _errors(result.output)]
    assert [m.rsplit("; ", 1)[-1] for m in messages] == [
        "did you mean 'images/chart.png'?", "did you mean 'images/chart.png'?"], result.output


def test_an_empty_note_ending_a_body_stays_an_empty_note(write_brief):
    path = write_brief("""
        title: Draft
        date: 2024-01-01
        notes: footnotes
        references:
          - id: doe
            type: book
            title: A Book
            author: [{family: Doe, given: Jane}]
            issued: 2020
        bibliography_title: Sources
        sections:
          - title: One
            body: |
              A claim.[^15] A source [@doe].

              [^15]: 
          - title: Two
            body: The next section.
    """)
    result = _run(path.parent, "build", path.name, "-o", "out", "-f", "docx")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(next((path.parent / "out").glob("*.docx"))) as archive:
        notes = archive.read("word/footnotes.xml").decode()
        body = archive.read("word/document.xml").decode()
    assert ":::" not in notes and ":::" not in body
    assert "The next section." in body and "Sources" in body and "A Book" in body


@pytest.mark.needs("shared")
def test_a_house_templates_language_stays_when_the_brief_names_none(tmp_path):
    folder = tmp_path / "house"
    shutil.copytree(CORPUS / "docx-pandoc-german", folder)
    brief = folder / "brief.yaml"
    text = brief.read_text(encoding="utf-8")
    assert "de-DE" in zipfile.ZipFile(folder / "house.docx").read("word/styles.xml").decode()
    brief.write_text(re.sub(r"(?m)^lang:.*\n", "", text), encoding="utf-8")
    for lang, expected in ((None, "de-DE"), ("en-GB", "en-GB")):
        if lang:
            brief.write_text(f"lang: {lang}\n" + brief.read_text(encoding="utf-8"),
                             encoding="utf-8")
        result = _run(folder, "build", "brief.yaml", "-o", "out", "-f", "docx")
        assert result.exit_code == 0, result.output
        with zipfile.ZipFile(folder / "out" / "house.docx") as archive:
            styles = archive.read("word/styles.xml").decode()
            core = archive.read("docProps/core.xml").decode()
        assert set(re.findall(r'<w:lang [^>]*w:val="([^"]+)"', styles)) == {expected}
        assert f"<dc:language>{expected}</dc:language>" in core


@pytest.mark.build  # check renders the HTML of a brief that passes
def test_a_librarys_uncited_entries_are_one_line_and_listed_on_request(tmp_path):
    """A real library of 1,052 ids cited 25 times: one summary line, the list with --uncited."""
    folder = tmp_path / "library"
    shutil.copytree(Path(__file__).parent / "data" / "pandoc-users" / "bib-bbt-1436-latex", folder)
    summary = _run(folder, "check", "brief.yaml", "-f", "html")
    lines = [line for line in summary.output.splitlines() if "never cited" in line]
    assert lines == ["library.bib:3:10: warning: 1,027 of the 1,052 entries of 'library.bib' are "
                     "never cited (only cited entries are read), the first being "
                     "'Abou-Ras_2019'. Nothing to do for a shared library; 'briefkit check "
                     "--uncited' lists them"], summary.output
    listed = _run(folder, "check", "--uncited", "brief.yaml", "-f", "html")
    uncited = [line for line in listed.output.splitlines() if "is never cited" in line]
    assert len(uncited) == 1027 and listed.exit_code == 0
    assert "library.bib:3:10: warning: the source 'Abou-Ras_2019' is never cited" in uncited[0]
