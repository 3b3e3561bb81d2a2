"""The command line, called through Click's CliRunner: exit codes, messages and files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from readers import docx_notes, html_tree

from briefkit.cli import cli

GOOD = """
    title: CLI brief
    date: 2022-05-06
    output: {name: cli-out}
    sections:
      - title: Only section
        body: Text.^[A note.]
"""


def visible(folder):
    """The outputs a user sees (the build cache is a hidden file beside them)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def run(*args):
    return CliRunner(catch_exceptions=False).invoke(cli, [str(a) for a in args])


def test_build_writes_every_format_named_by_output_name(write_brief, tmp_path):
    path = write_brief(GOOD)
    result = run("build", path, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert visible(tmp_path / "out") == ["cli-out.docx", "cli-out.html", "cli-out.pdf"]
    assert docx_notes(tmp_path / "out" / "cli-out.docx", "endnotes") == ["A note."]
    assert "cli-out.pdf" in result.stderr and result.stdout == ""


def test_build_one_format(write_brief, tmp_path):
    path = write_brief(GOOD)
    result = run("build", path, "-o", tmp_path / "out", "-f", "html")
    assert result.exit_code == 0
    assert visible(tmp_path / "out") == ["cli-out.html"]
    assert html_tree(tmp_path / "out" / "cli-out.html").xpath("//h2[text()='Only section']")


def test_bad_brief_exits_1_with_located_messages_and_writes_nothing(write_brief, tmp_path):
    path = write_brief("""
        title: Broken
        date: 2022-13-01
        sttus: draft
    """)
    result = run("build", path, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert f"{path}:2:7: error: date: 2022-13-01 is not a real date" in result.stderr
    assert f"{path}:3:1: error: sttus: unknown key 'sttus'" in result.stderr
    assert "Did you mean 'status'?" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_one_bad_brief_does_not_stop_the_others(write_brief, tmp_path):
    good = write_brief(GOOD, name="a/good.yaml")
    bad = write_brief("title: no date\n", name="a/bad.yaml")
    result = run("build", good.parent, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert (tmp_path / "out" / "cli-out.pdf").exists()
    assert f"{bad}:1:1: error: the required key 'date' is missing" in result.stderr


def test_usage_errors_exit_2(write_brief, tmp_path):
    path = write_brief(GOOD)
    assert run("build", path, "-f", "odt").exit_code == 2
    assert run("build", tmp_path / "missing.yaml").exit_code == 2
    assert run("frobnicate").exit_code == 2


@pytest.mark.build  # check renders every format of a valid brief in memory
def test_check_reports_and_writes_nothing(write_brief, tmp_path):
    path = write_brief(GOOD)
    before = sorted(tmp_path.rglob("*"))
    result = run("check", path)
    assert result.exit_code == 0
    assert "1 note, 1 section" in result.stderr
    assert sorted(tmp_path.rglob("*")) == before


def test_schema_is_json_schema_with_descriptions():
    result = run("schema")
    schema = json.loads(result.stdout)
    assert schema["required"] == ["title", "date"]
    assert set(schema["properties"]["layout"]["enum"]) >= {"report"}
    assert "YYYY-MM-DD" in schema["properties"]["date"]["description"]


def test_layouts_lists_report():
    result = run("layouts")
    assert result.exit_code == 0
    assert result.stdout.startswith("report") or "\nreport" in result.stdout


def test_help_teaches_the_commands():
    result = run("--help")
    assert "briefkit build briefs/my-brief.yaml" in result.stdout
    for command in ("build", "check", "schema", "layouts"):
        assert command in result.stdout


@pytest.mark.build  # check renders every format of a valid brief in memory
def test_check_finds_briefs_in_a_folder_as_build_does(write_brief, tmp_path):
    write_brief(GOOD, "bibliography: refs.yaml\n", name="b/brief-one.yaml")
    (tmp_path / "b" / "refs.yaml").write_text("- id: a\n  type: book\n  title: A\n")
    (tmp_path / "b" / "series.yaml").write_text("copyright: © Series\n")
    result = run("check", tmp_path / "b")
    assert result.exit_code == 0, result.stderr
    assert "brief-one.yaml: 1 note, 1 section" in result.stderr
    assert result.stderr.count("✓ ") == 1  # one brief: not the bibliography, not the series file
    assert ": error:" not in result.stderr
