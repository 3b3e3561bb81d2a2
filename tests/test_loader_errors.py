"""The catalogue of author mistakes: each case is a brief as an author might write it, the exact
place briefkit must point at, and the gist of what it must say. Nothing may be written, and no
traceback shown."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from briefkit.cli import cli
from briefkit.core.diagnostics import BriefInvalid
from briefkit.load.source import MAX_VALUES
from briefkit.builder.pipeline import prepare

OK = "title: A brief\ndate: 2024-01-02\n"

CASES = [
    # id, brief text, expected "line:column", expected words in the message
    ("tab-indent", "title: T\ndate: 2024-01-02\nsections:\n\t- title: S\n", "4:1",
     ["not valid YAML", "not tabs"]),
    ("bad-indent", "title: T\n date: 2024-01-02\n", "2:6", ["not valid YAML"]),
    ("unclosed-quote", 'title: "T\ndate: 2024-01-02\n', "1:8", ["quoted value is not closed"]),
    ("colon-in-value", "title: Policy: a brief\ndate: 2024-01-02\n", "1:14",
     ["mapping values are not allowed", "Quote a value"]),
    ("duplicate-key", "title: T\ndate: 2024-01-02\ntitle: U\n", "3:1",
     ["'title' appears twice", "line 1"]),
    ("undefined-alias", "title: *name\ndate: 2024-01-02\n", "1:8", ["alias"]),
    ("top-level-list", "- title: T\n", "1:1", ["must be a mapping"]),
    ("python-tag", "title: !!python/object/apply:os.system [ls]\ndate: 2024-01-02\n", "1:8",
     ["tag '!!python/object/apply:os.system' is not allowed"]),
    ("custom-tag", "title: !secret T\ndate: 2024-01-02\n", "1:8", ["tag '!secret' is not allowed"]),
    ("control-char", 'title: "A\\x0cB"\ndate: 2024-01-02\n', "1:8", ["control character U+000C"]),
    ("missing-title", "date: 2024-01-02\n", "1:1", ["required key 'title' is missing"]),
    ("missing-date", "title: T\n", "1:1", ["required key 'date' is missing"]),
    ("empty-title", "title: '  '\ndate: 2024-01-02\n", "1:8", ["title: must not be empty"]),
    ("acronym-control-char", OK + 'acronyms:\n  "A\\x1fB": x\n', "4:3", ["control character U+001F"]),
    ("impossible-date", "title: T\ndate: 2019-02-30\n", "2:7", ["2019-02-30 is not a real date"]),
    ("date-format", "title: T\ndate: 29/10/2019\n", "2:7", ["YYYY-MM-DD", "'29/10/2019'"]),
    ("updated-impossible", OK + "updated: 2024-13-01\n", "3:10", ["not a real date"]),
    ("unknown-key", OK + "autors: [A]\n", "3:1", ["unknown key 'autors'", "Did you mean 'authors'?"]),
    ("unknown-nested", OK + "authors:\n  - nme: Ann\n", "4:5", ["unknown key 'nme'", "'name'"]),
    ("unknown-far", OK + "zzz: 1\n", "3:1", ["unknown key 'zzz'", "Allowed here: about,"]),
    ("bad-status", OK + "status: drafty\n", "3:9", ["one of 'draft', 'review' or 'final'",
                                                    "Did you mean 'draft'?"]),
    ("bad-format", OK + "output:\n  formats: [docx, pfd]\n", "4:19", ["'pfd'", "Did you mean 'pdf'?"]),
    ("bad-paper", OK + "output:\n  paper: A5\n", "4:10", ["'A4' or 'Letter'"]),
    ("bad-bool", OK + "output:\n  toc: maybe\n", "4:8", ["true or false", "'maybe'"]),
    ("list-expected", OK + "key_takeaways: just one\n", "3:16", ["expected a list"]),
    ("text-expected", OK + "subtitle:\n  a: b\n", "4:3", ["expected text", "found a mapping"]),
    ("mapping-expected", OK + "publisher: ASPI\n", "3:12", ["expected a mapping"]),
    ("finding-without-text", OK + "findings:\n  - title: F\n", "4:5", ["'text' is missing"]),
    ("bad-id", OK + "sections:\n  - title: S\n    id: my section\n", "5:9", ["not a valid identifier"]),
    ("bad-colour", OK + "theme:\n  colors:\n    primary: 'red; } body {'\n", "5:14", ["#rrggbb"]),
    ("bad-font", OK + "theme:\n  fonts:\n    body: 'x; } *{'\n", "5:11", ["font family name"]),
    ("unknown-layout", OK + "layout: reprot\n", "3:9", ["unknown layout 'reprot'",
                                                       "Did you mean 'report'?"]),
    ("unknown-label", OK + "labels:\n  noets: Endnotes\n", "4:3", ["unknown label 'noets'",
                                                                  "Did you mean 'notes'?"]),
    ("duplicate-id", OK + "findings:\n  - id: x\n    text: F\nsections:\n  - title: S\n    id: x\n",
     "8:9", ["id 'x' is used twice", "line 4"]),
    ("missing-finding", OK + "findings:\n  - id: f1\n    text: F\nrecommendations:\n"
     "  - text: R\n    findings: [f2]\n", "8:16", ["no finding has the id 'f2'", "Finding ids: f1"]),
    ("too-deep", OK + "sections:\n  - title: A\n    sections:\n      - title: B\n        sections:\n"
     "          - title: C\n            sections:\n              - title: D\n", "9:13",
     ["nested more than 3 levels"]),
    ("unknown-citation", OK + "sections:\n  - title: S\n    body: |\n      First line.\n"
     "      As shown [@nosuch, 12].\n", "7:17", ["citation key 'nosuch' is not defined"]),
    ("unknown-xref", OK + "sections:\n  - title: S\n    body: |\n      See [#nowhere].\n", "6:11",
     ["cross-reference [#nowhere]"]),
    ("unclosed-div", OK + "sections:\n  - title: S\n    body: |\n      ::: box\n      Boxed.\n",
     "6:7", ["'::: box' is never closed"]),
    ("stray-fence", OK + "sections:\n  - title: S\n    body: |\n      Text.\n      :::\n", "7:7",
     ["closes a block that was never opened"]),
    ("unknown-style", OK + "citation_style: chicago-notez-bibliography\n", "3:17",
     ["unknown citation style", "Did you mean 'chicago-notes-bibliography'?"]),
    ("missing-bibliography", OK + "bibliography: refs.bib\n", "3:15", ["no file 'refs.bib'"]),
    ("bibliography-outside", OK + "bibliography: /etc/passwd\n", "3:15", ["outside the project"]),
    ("missing-logo", OK + "publisher:\n  logo: logo.png\n", "4:9", ["no file 'logo.png'"]),
    ("missing-image", OK + "sections:\n  - title: S\n    body: |\n      ![A chart](chart.png)\n",
     "6:18", ["the image cannot be used: no file 'chart.png'"]),
    ("bibliography-number", OK + "bibliography: 2024\n", "3:15", ["no file '2024'"]),
    ("bibliography-empty", OK + "bibliography: ''\n", "3:15", ["is empty"]),
    ("no-formats", OK + "output:\n  formats: []\n", "4:12", ["must not be empty"]),
    ("tag-bool-maybe", OK + "output:\n  toc: !!bool maybe\n", "4:8",
     ["the value 'maybe' cannot be read as !!bool", "Remove the tag"]),
    ("tag-int-empty", OK + 'version: !!int ""\n', "3:10", ["the value '' cannot be read as !!int"]),
    ("tag-float-word", OK + "version: !!float one\n", "3:10", ["cannot be read as !!float"]),
    ("deep-block-mapping", OK + "unshown:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 80))
     + "  " * 80 + "v\n", "67:129", ["nested more than 64 levels", "nesting budget"]),
    ("empty-file", "", "1:1", ["the file is empty"]),
    ("only-comments", "# nothing here\n", "1:1", ["only comments"]),
]


def write(tmp_path, text, name="brief.yaml"):
    (tmp_path / ".git").mkdir(exist_ok=True)  # the project root: nothing above it is read
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text,where,words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_mistake_is_reported_once_at_its_place(tmp_path, text, where, words):
    path = write(tmp_path, text)
    before = sorted(tmp_path.rglob("*"))
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    located = [line for line in errors if line.startswith(f"{path}:{where}: error: ")]
    assert located, f"expected an error at {where}, got:\n" + "\n".join(errors)
    for word in words:
        assert word in located[0], located[0]
    assert sorted(tmp_path.rglob("*")) == before  # check writes nothing


def test_non_utf8_byte_is_located_and_named(tmp_path):
    path = tmp_path / "brief.yaml"
    path.write_bytes(b"title: Caf\xe9\ndate: 2024-01-02\n")
    with pytest.raises(BriefInvalid) as caught:
        prepare(path)
    error = caught.value.diagnostics.errors[0]
    assert (error.location.line, error.location.column) == (1, 11)
    assert "byte 0xE9" in error.message and "UTF-8" in str(error)


def test_bom_and_crlf_load_fine(tmp_path):
    path = tmp_path / "brief.yaml"
    path.write_bytes(b"\xef\xbb\xbftitle: Windows brief\r\ndate: 2024-01-02\r\nsections:\r\n"
                     b"  - title: S\r\n    body: |\r\n      Line one.\r\n      Line two.\r\n")
    document = prepare(path).document
    assert document.title == "Windows brief"
    assert document.sections[0].title == "S"


def test_mixed_script_text_loads(tmp_path):
    path = write(tmp_path, "title: 话语权 and «Сколково» — العربية\ndate: 2024-01-02\n")
    assert prepare(path).document.title == "话语权 and «Сколково» — العربية"


def test_alias_bomb_stops_at_the_expansion_budget(tmp_path):
    # 10^9 values if expanded; the budget stops it after MAX_VALUES, whatever the machine
    # (about 0.1 s here: timed in the closing notes, not asserted, as machines are noisy).
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    path = write(tmp_path, "\n".join(lines) + "\ntitle: T\ndate: 2024-01-02\n")
    with pytest.raises(BriefInvalid) as caught:
        prepare(path)
    error = caught.value.diagnostics.errors[0]
    assert f"expands to more than {MAX_VALUES:,} values" in error.message
    assert "aliases" in error.hint


def test_huge_file_is_refused_with_its_size(tmp_path):
    path = write(tmp_path, OK + "about: |\n" + ("  " + "x" * 99 + "\n") * 52000)
    with pytest.raises(BriefInvalid) as caught:
        prepare(path)
    assert "the file is 5.1 MiB; a brief may be at most 4 MiB" in str(caught.value)


def test_broken_bibtex_is_located_in_the_bib_file(tmp_path):
    (tmp_path / "refs.bib").write_text("@book{a, title={A}, year={2000}}\n@book{b, title={B\n",
                                       encoding="utf-8")
    path = write(tmp_path, OK + "bibliography: refs.bib\n")
    with pytest.raises(BriefInvalid) as caught:
        prepare(path)
    error = caught.value.diagnostics.errors[0]
    # The entry is never closed: Pandoc notices at the end of the input (past the file's last
    # line); briefkit names the entry that is not closed, on line 2.
    assert error.location.file.name == "refs.bib" and error.location.line == 2
    assert "not valid BibLaTeX" in error.message


def test_broken_csl_json_is_located_in_the_json_file(tmp_path):
    (tmp_path / "refs.json").write_text('[\n  {"id": "a", "type": "book",}\n]\n', encoding="utf-8")
    path = write(tmp_path, OK + "bibliography: refs.json\n")
    with pytest.raises(BriefInvalid) as caught:
        prepare(path)
    error = caught.value.diagnostics.errors[0]
    assert (error.location.file.name, error.location.line) == ("refs.json", 2)
    assert "not valid CSL-JSON" in error.message


def test_duplicate_reference_across_sources_names_both_places(tmp_path):
    (tmp_path / "refs.bib").write_text("@book{smith, title={A}, year={2000}}\n", encoding="utf-8")
    path = write(tmp_path, OK + "bibliography: refs.bib\nreferences:\n  - id: smith\n"
                 "    type: book\n    title: B\n")
    with pytest.raises(BriefInvalid) as caught:
        prepare(path)
    message = str(caught.value)
    assert "the reference id 'smith' is defined twice" in message and "brief.yaml:5:9" in message


def test_image_that_is_not_an_image(tmp_path):
    (tmp_path / "chart.png").write_text("not a png", encoding="utf-8")
    path = write(tmp_path, OK + "sections:\n  - title: S\n    body: |\n      ![A chart](chart.png)\n")
    result = CliRunner().invoke(cli, ["build", str(path), "-o", str(tmp_path / "out"), "-f", "docx"])
    assert result.exit_code == 1
    # Located where the brief shows it (it used to name only the image file).
    assert (f"{path}:6:18: error: sections[0].body: image 'chart.png' is not an image briefkit "
            "can read") in result.stderr
    assert not (tmp_path / "out" / "brief.docx").exists()


def test_text_fields_keep_the_spelling_of_numbers_and_booleans(tmp_path):
    from briefkit.render import render

    path = write(tmp_path, "title: .nan\ndate: 2024-01-02\nkicker: yes\nversion: 1.10\n"
                 "series: {name: S, number: 022, issn: 0317}\ncategories: [010, 1e3]\n"
                 "authors: [1_000]\nsections:\n  - title: 1.50\n    body: 0o17\n")
    doc = prepare(path).document
    assert (doc.title, doc.kicker, doc.version) == (".nan", "yes", "1.10")
    assert (doc.series["number"], doc.series["issn"]) == ("022", "0317")
    assert doc.categories == ["010", "1e3"] and doc.author_names == ["1_000"]
    assert doc.sections[0].title == "1.50"
    page = render(prepare(path), "html").decode()
    for text in ("022", "0317", ">.nan<", "1.10", "010", "0o17"):
        assert text in page, text


def test_a_30000_deep_flow_list_is_a_located_error_not_a_crash(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    path = write(tmp_path, OK + "acronyms: " + "[" * 30000 + "]" * 30000 + "\n")
    briefkit = Path(sys.executable).parent / "briefkit"
    result = subprocess.run([str(briefkit), "check", str(path)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1, (result.returncode, result.stderr[-500:])
    assert f"{path}:3:" in result.stderr and "nest" in result.stderr
    assert "Traceback" not in result.stderr


def test_many_mistakes_are_reported_in_one_run_in_file_order(tmp_path):
    path = write(tmp_path, textwrap.dedent("""\
        title: T
        date: 2019-02-30
        status: drafty
        autors: [A]
        output:
          formats: [pfd]
    """))
    result = CliRunner().invoke(cli, ["check", str(path)])
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert [line.split(": error:")[0].rsplit(":", 2)[1] for line in lines] == ["2", "3", "4", "6"]


@pytest.mark.build  # check renders every format of a valid brief in memory
def test_unused_source_is_a_warning_and_check_passes(tmp_path):
    path = write(tmp_path, OK + "references:\n  - id: lonely\n    type: book\n    title: L\n")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 0
    assert f"{path}:4:9: warning: the source 'lonely' is never cited" in result.stderr
