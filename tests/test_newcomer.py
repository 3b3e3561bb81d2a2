"""A newcomer's first hour (issue #13): every brief in a folder is found, every mistake comes in
one run and once, a missing engine costs only its format, and the messages read as sentences."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefkit.cli import cli
from briefkit.builder.discover import discover

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
title: A good brief
date: 2024-05-01
sections:
  - title: Background
    body: Text.^[A note.]
"""


def run(*args, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
    with runner.isolated_filesystem(temp_dir=cwd):
        import os

        os.chdir(cwd)
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": error: " in line]


# ---- every brief found ------------------------------------------------------------------------

@pytest.fixture
def folder(tmp_path):
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    (briefs / "good.yaml").write_text(GOOD)
    # `title:` misspelled: once skipped silently (exit 0, "0 built").
    (briefs / "typo.yaml").write_text(GOOD.replace("title: A good", "tittle: A good"))
    (briefs / "untitled.yaml").write_text(GOOD.replace("title: A good brief\n", ""))
    # Not briefs: CSL-YAML bibliographies (a list; Pandoc's `references` metadata, fenced or
    # not, with `nocite`) and a series file.
    (briefs / "refs.yaml").write_text("- id: a\n  type: book\n  title: A\n")
    (briefs / "meta.yaml").write_text("---\nnocite: '[@*]'\nreferences:\n- id: b\n  type: book\n...\n")
    (briefs / "series.yaml").write_text("publisher: {name: Institute}\n")
    return briefs


def test_every_yaml_that_is_not_a_bibliography_or_series_file_is_a_brief(folder):
    found = sorted(path.name for path, _ in discover([folder]))
    assert found == ["good.yaml", "typo.yaml", "untitled.yaml"]


def test_a_brief_without_title_fails_check_and_build_naming_file_and_line(folder, tmp_path):
    for command in (["check", folder], ["build", folder, "-o", tmp_path / "out", "-f", "html"]):
        result = run(*command)
        assert result.exit_code == 1, result.stderr
        lines = errors(result.stderr)
        assert any(re.match(r".*typo\.yaml:1:1: error: tittle: unknown key 'tittle'.*'title'", line)
                   for line in lines), result.stderr
        assert any(re.match(r".*untitled\.yaml:1:1: error: .*'title' is missing", line)
                   for line in lines), result.stderr
    assert (tmp_path / "out" / "good.html").exists()  # the others are still built


def test_a_second_brief_beside_a_folder_brief_is_found(tmp_path):
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "brief.yaml").write_text(GOOD)
    (tmp_path / "report" / "brief-commentary.yaml").write_text(GOOD + "layout: commentary\n")
    (tmp_path / "report" / "sources.yaml").write_text("references:\n  - id: a\n    type: book\n")
    found = sorted(path.name for path, _ in discover([tmp_path]))
    assert found == ["brief-commentary.yaml", "brief.yaml"]


def test_layout_folders_are_not_searched_for_briefs(tmp_path):
    layout = tmp_path / "templates" / "house"
    (layout / "word").mkdir(parents=True)
    (layout / "layout.yaml").write_text("extends: report\n")
    (layout / "starter.yaml").write_text(GOOD)
    (layout / "word" / "styles.yaml").write_text("Normal: {}\n")
    (tmp_path / "briefs").mkdir()
    (tmp_path / "briefs" / "one.yaml").write_text(GOOD)
    assert [p.name for p, _ in discover([tmp_path])] == ["one.yaml"]


# ---- every mistake at once, each once ---------------------------------------------------------

FIVE_MISTAKES = """\
title: Five mistakes
date: 2024-05-01
status: finall
colour: blue
bibliography: refs.yaml
summary:
  problem: See [#nowhere].
sections:
  - title: Background
    body: |
      As shown [@missing-key]. A chart: ![a chart](assets/none.png)
"""


def test_five_independent_mistakes_come_from_one_check(tmp_path):
    (tmp_path / "refs.yaml").write_text("- id: known\n  type: book\n  title: Known\n")
    brief = tmp_path / "brief.yaml"
    brief.write_text(FIVE_MISTAKES)
    result = run("check", brief)
    assert result.exit_code == 1
    lines = errors(result.stderr)
    wanted = [r":3:9: error: status: not an allowed value",
              r":4:1: error: colour: unknown key 'colour'",
              r":7:\d+: error: summary\.problem: the cross-reference \[#nowhere\]",
              r":11:\d+: error: sections\[0\]\.body: the citation key 'missing-key' is not defined",
              r":11:\d+: error: sections\[0\]\.body: the image cannot be used: no file 'assets/none.png'"]
    for pattern in wanted:
        assert sum(bool(re.search(pattern, line)) for line in lines) == 1, (pattern, result.stderr)
    assert len(lines) == 5, result.stderr
    # build says the same, once each, and does not repeat them in its summary
    built = run("build", brief, "-o", tmp_path / "out")
    assert built.exit_code == 1
    assert sorted(errors(built.stderr)) == sorted(lines)


def test_a_mistake_in_a_series_file_is_printed_once(tmp_path):
    (tmp_path / "series.yaml").write_text("publisher:\n  nmae: Institute\n")
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.yaml").write_text(GOOD)
    for command in (["check", tmp_path], ["build", tmp_path, "-o", tmp_path / "out", "-f", "html", "-j", "1"]):
        result = run(*command)
        assert result.exit_code == 1
        assert sum("nmae" in line for line in result.stderr.splitlines()) == 1, result.stderr


def test_messages_do_not_double_their_words(tmp_path):
    brief = tmp_path / "brief.yaml"
    brief.write_text(GOOD + "bibliography: none.bib\ncitation_style: none.csl\n"
                     "publisher: {logo: none.png}\n")
    result = run("check", brief)
    lines = errors(result.stderr)
    assert len(lines) == 3, result.stderr
    for line in lines:
        message = line.split(": error: ", 1)[1]
        words = re.findall(r"[a-z]+", message.lower())
        assert not [a for a, b in zip(words, words[1:]) if a == b], line
        assert "cannot be used: no file" in message


# ---- a missing engine costs only its format ---------------------------------------------------

# What WeasyPrint's import does on a machine without Pango, in a process of its own.
WITHOUT_PANGO = """
import builtins, sys
real = builtins.__import__
def importing(name, *args, **kwargs):
    if name == "weasyprint" or name.startswith("weasyprint."):
        raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open "
                      "shared object file: No such file or directory")
    return real(name, *args, **kwargs)
builtins.__import__ = importing
sys.argv = ["briefkit", *sys.argv[1:]]
from briefkit.cli import main
main()
"""


def briefkit_without_pango(*args):
    return subprocess.run([sys.executable, "-c", WITHOUT_PANGO, *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def test_without_pango_docx_and_html_are_built_and_the_exit_code_says_so(tmp_path):
    brief = tmp_path / "note.yaml"
    brief.write_text(GOOD)
    out = tmp_path / "out"
    result = briefkit_without_pango("build", brief, "-o", out)
    assert result.returncode == 3, result.stderr
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "note.docx", "note.html"]
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("libpango-1.0-0 libpangoft2-1.0-0") == 1, result.stderr
    assert "the PDF was not made: WeasyPrint cannot load" in result.stderr
    checked = briefkit_without_pango("check", brief)
    assert checked.returncode == 3 and "PDF not checked" in checked.stderr, checked.stderr
    doctor = briefkit_without_pango("doctor")
    assert doctor.returncode == 3 and "sudo apt-get install libpango-1.0-0" in doctor.stdout
    # once Pango is there, the next build makes the PDF
    result = run("build", brief, "-o", out)
    assert result.exit_code == 0 and (out / "note.pdf").exists(), result.stderr


# ---- glyphs no font has -----------------------------------------------------------------------

@pytest.mark.build  # check renders every format of a valid brief in memory
def test_characters_no_installed_font_has_are_named_in_a_warning(tmp_path):
    from briefkit.render.pdf.glyphs import installed_coverage

    if installed_coverage() is None:
        pytest.skip("fontconfig (fc-list) is not installed")
    brief = tmp_path / "runes.yaml"
    # Runic: in no font Debian installs with briefkit's dependencies (nor on this machine).
    brief.write_text(GOOD.replace("body: Text.", "body: Runes ᚠᚡ."))
    result = run("check", brief)
    assert result.exit_code == 0, result.stderr
    (warning,) = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert re.search(r"runes\.yaml:5:\d+: warning: no installed font has ᚠ \(U\+16A0\), ᚡ \(U\+16A1\)",
                     warning), warning
    assert "fonts-noto-cjk" in warning
    quiet = run("check", brief, "-f", "docx", "-f", "html")  # only the PDF draws glyphs
    assert ": warning: " not in quiet.stderr


def test_chinese_without_a_cjk_font_is_named_and_located(tmp_path):
    from briefkit.render.pdf.glyphs import missing_glyph_warning
    from briefkit.builder.pipeline import prepare

    brief = tmp_path / "zh.yaml"
    brief.write_text(GOOD.replace("body: Text.", "body: Discourse power (话语权).\n      Ibid."))
    document = prepare(brief).document
    latin_only = ([0x20, 0xa0], [0x7e, 0x24f])
    warning = missing_glyph_warning(document, brief, coverage=latin_only)
    assert warning.severity == "warning" and warning.location.line == 5
    assert "话 (U+8BDD), 语 (U+8BED), 权 (U+6743)" in warning.message
    assert missing_glyph_warning(document, brief, coverage=([0x20], [0xffff])) is None


# ---- one project rule, usage mistakes, progress -----------------------------------------------

@pytest.mark.build  # check renders every format of a valid brief in memory
def test_every_command_finds_the_project_from_inside_briefs(tmp_path, monkeypatch):
    (tmp_path / "briefs").mkdir()
    house = tmp_path / "templates" / "house"
    house.mkdir(parents=True)
    (house / "layout.yaml").write_text("extends: commentary\ndescription: Our house\n")
    monkeypatch.chdir(tmp_path / "briefs")
    result = run("new", "energy", "--layout", "house", "--title", "Energy")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "briefs" / "energy.yaml").exists()
    assert not (tmp_path / "briefs" / "briefs").exists()
    assert "house" in run("layouts").output
    assert '"house"' in run("schema").output
    assert run("template", "export", "house", tmp_path / "copy").exit_code == 0
    assert run("check", "energy.yaml").exit_code == 0


@pytest.mark.parametrize("args", [
    ["new", "Bad Slug"], ["new", "x", "--layout", "nope"], ["template", "export", "nope", "out"],
    ["new", "--titel", "x", "y"], ["build"], ["check", "no-such-file.yaml"]])
def test_usage_mistakes_exit_2(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output


def test_new_refuses_to_overwrite_with_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("new", "x").exit_code == 0
    again = CliRunner().invoke(cli, ["new", "x"])
    assert again.exit_code == 2 and "exists already" in again.output


def test_a_single_brief_on_a_terminal_shows_its_stages(tmp_path):
    import os

    brief = tmp_path / "one.yaml"
    brief.write_text(GOOD)
    primary, secondary = os.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "briefkit.cli", "build", str(brief), "-o",
                               str(tmp_path / "out"), "-f", "docx"], stderr=secondary,
                              stdout=subprocess.DEVNULL, timeout=300)
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(primary)
    text = shown.decode()
    assert done.returncode == 0, text
    for stage in ("reading the brief", "reading the prose, citations and notes", "writing Word"):
        assert stage in text, text
    # not a terminal: one line, no stages
    plain = run("build", brief, "-o", tmp_path / "out", "-f", "docx", "--force")
    assert plain.stderr.count("\n") == 1 and "reading" not in plain.stderr, plain.stderr
