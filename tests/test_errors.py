"""A catalogue of author mistakes, as an author meets them.

Each case is a brief with one mistake, the exact `file:line:column` briefkit must point at (worked
out by hand from the brief's text, not copied from briefkit's output) and the gist of what it must
say. Most cases run `briefkit check` through Click's CliRunner, the way an author runs it; the
citation and prose cases also run `prepare` and look at the diagnostics themselves. `check` must
write nothing, show no traceback, and exit 1 (0 when there are only warnings).

Click 8.2+ keeps stderr apart from stdout in `Result.stderr` (the `mix_stderr` argument is gone),
so messages are read there. `briefkit.cli.main` ends the process with `os._exit`, so the tests
invoke the Click group `briefkit.cli.cli` that it runs.
"""

from __future__ import annotations

import re

import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefkit.cli import cli
from briefkit.core.diagnostics import BriefInvalid
from briefkit.builder.pipeline import prepare

OK = "title: A brief\ndate: 2024-01-02\n"


# ---- helpers -----------------------------------------------------------------------------------

def brief_text(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def ok(snippet: str) -> str:
    """A valid title and date, then `snippet` (dedented)."""
    return OK + brief_text(snippet)


def write(tmp_path: Path, text: str | bytes, name: str = "brief.yaml") -> Path:
    """A brief in the project's `briefs/` folder (which makes tmp_path the project root)."""
    path = tmp_path / "briefs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(brief_text(text), encoding="utf-8")
    return path


def write_aside(tmp_path: Path, name: str, text: str) -> Path:
    """A file beside the brief (a bibliography)."""
    path = tmp_path / "briefs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(brief_text(text), encoding="utf-8")
    return path


def files_in(tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.rglob("*"))


def check(tmp_path: Path, path: Path, expect_exit: int = 1):
    """Run `briefkit check path`; it must not write, print to stdout or crash."""
    before = files_in(tmp_path)
    result = CliRunner(catch_exceptions=False).invoke(cli, ["check", str(path)])
    assert result.exit_code == expect_exit, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert files_in(tmp_path) == before, "check wrote files"
    for line in lines_of(result) + lines_of(result, "warning"):
        assert_reads_as_a_sentence(line)
    return result


def assert_reads_as_a_sentence(line: str) -> None:
    """No word said twice in a row ("bibliography: bibliography no file …"), quoted names and
    the key path aside."""
    message = re.split(r": (?:error|warning): ", line, maxsplit=1)[-1]
    message = re.sub(r"^[\w.\[\]-]+: ", "", message)  # the key path
    message = re.sub(r"""'[^']*'|"[^"]*"|`[^`]*`|\S*/\S*|[&*]\w+""", " ", message)
    words = re.findall(r"[a-z]+", message.lower())
    doubled = [a for a, b in zip(words, words[1:]) if a == b and len(a) > 1]
    assert not doubled, f"'{doubled[0]} {doubled[0]}' in: {line}"


def lines_of(result, severity: str = "error") -> list[str]:
    return [line for line in result.stderr.splitlines() if f": {severity}: " in line]


def located(result, path: Path, where: str, severity: str = "error") -> str:
    """The one message at `path:where`; fails listing all messages when there is none."""
    prefix = f"{path}:{where}: {severity}: "
    found = [line for line in lines_of(result, severity) if line.startswith(prefix)]
    assert found, f"no {severity} at {path}:{where}; stderr was:\n{result.stderr}"
    return found[0]


def errors_of(path: Path):
    with pytest.raises(BriefInvalid) as caught:
        prepare(path)
    return caught.value.diagnostics.errors


# ---- the catalogue: one mistake per brief, checked with `briefkit check` -----------------------

CASES = [
    # ---- YAML syntax
    pytest.param(
        "title: T\ndate: 2024-01-02\npublisher:\n\tname: ASPI\n",
        "4:1", ["not valid YAML", "not tabs"], id="tab-indentation"),
    pytest.param(
        """
        title: T
        date: 2024-01-02
        publisher:
            name: ASPI
          url: https://www.aspi.org.au
        """,
        # "url" is less indented than "name" above it, yet more than "publisher"
        "5:3", ["not valid YAML", "indentation of this line does not match"],
        id="bad-indentation"),
    pytest.param(
        """
        title: T
        date: 2024-01-02
        subtitle: "Half a thought
        kicker: Policy brief
        """,
        "3:11", ["not valid YAML", "quoted value is not closed"], id="unclosed-double-quote"),
    pytest.param(
        """
        title: T
        date: 2024-01-02
        subtitle: Energy: a primer
        """,
        "3:17", ["mapping values are not allowed", "Quote a value that contains ': '"],
        id="key-value-value"),
    pytest.param(
        """
        title: First title
        date: 2024-01-02
        subtitle: S
        title: Second title
        """,
        "4:1", ["the key 'title' appears twice", "first is at line 1"], id="duplicate-key"),
    pytest.param(
        """
        title: T
        date: 2024-01-02
        subtitle: *sub
        """,
        "3:11", ["undefined alias", "no anchor (&name)"], id="undefined-alias"),
    pytest.param(
        """
        title: T
        date: 2024-01-02
        subtitle: A subtitle that goes on
        to a second line
        kicker: Policy brief
        """,
        # YAML notices only on line 5; the line without 'key:' is line 4
        "4:1", ["not valid YAML", "lacks 'key:'"], id="line-without-key"),
    pytest.param(
        """
        title: T
        date: 2024-01-02
        kicker: @ASPI_org
        """,
        "3:9", ["not valid YAML", "cannot start with '@'", "quotes"], id="value-starting-with-at"),
    pytest.param(
        """
        title: T
        date: 2024-01-02
        keywords: [trade, technology
        kicker: Policy brief
        """,
        # YAML notices on line 4; the list that lacks its ']' opens at 3:11
        "3:11", ["not valid YAML", "'[' here is not closed", "add ']'"], id="unclosed-flow-list"),
    pytest.param(
        """
        title: T
        date: 2024-01-02
        ---
        title: A second brief
        """,
        "3:1", ["not valid YAML", "one YAML document"], id="two-documents"),
    # ---- the file as a whole
    pytest.param("", "1:1", ["the file is empty", "'title' and 'date'"], id="empty-file"),
    pytest.param("# A brief, one day\n\n# title: T\n", "1:1", ["only comments"],
                 id="only-comments"),
    pytest.param(
        """
        - title: T
        - date: 2024-01-02
        """,
        "1:1", ["must be a mapping", "found a list"], id="top-level-list"),
    # ---- schema
    pytest.param(
        """
        # a brief without its title
        date: 2024-01-02
        status: draft
        """,
        "2:1", ["the required key 'title' is missing"], id="missing-title"),
    pytest.param(
        """
        title: T
        status: draft
        """,
        "1:1", ["the required key 'date' is missing", "Add 'date:'"], id="missing-date"),
    pytest.param(
        """
        title: T
        date: 2019-02-30
        """,
        "2:7", ["date: 2019-02-30 is not a real date", "Check the month and the day"],
        id="impossible-date"),
    pytest.param(
        """
        title: T
        date: 29/10/2019
        """,
        "2:7", ["YYYY-MM-DD", "'29/10/2019'"], id="date-day-first"),
    pytest.param(
        ok("""
        autors: [Ann Author]
        """),
        "3:1", ["unknown key 'autors'", "Did you mean 'authors'?"], id="unknown-top-level-key"),
    pytest.param(
        ok("""
        status: drafty
        """),
        "3:9", ["status: not an allowed value", "Did you mean 'draft'?"], id="status-drafty"),
    pytest.param(
        ok("""
        output:
          formats: [docx, pfd]
        """),
        "4:19", ["output.formats[1]", "'pfd'", "Did you mean 'pdf'?"], id="format-pfd-flow"),
    pytest.param(
        ok("""
        output:
          formats:
            - html
            - pfd
        """),
        "6:7", ["output.formats[1]", "'pfd'", "Did you mean 'pdf'?"], id="format-pfd-block"),
    pytest.param(
        ok("""
        output:
          toc: "maybe"
        """),
        "4:8", ["output.toc", "expected true or false", "'maybe'"], id="toc-maybe"),
    pytest.param(
        ok("""
        key_takeaways: Trade is growing.
        """),
        "3:16", ["key_takeaways", "expected a list", "on its own line starting with '- '"],
        id="takeaways-as-text"),
    pytest.param(
        ok("""
        findings:
          - id: costs
            title: Costs rise
        """),
        "4:5", ["findings[0]", "the required key 'text' is missing"], id="finding-without-text"),
    pytest.param(
        ok("""
        sections:
          - title: Background
            id: the background
        """),
        "5:9", ["sections[0].id", "not a valid identifier", "'the background'"],
        id="section-id-with-space"),
    pytest.param(
        ok("""
        theme:
          colors:
            primary: "red; } body {"
        """),
        "5:14", ["theme.colors.primary", "#rrggbb"], id="colour-css-injection"),
    pytest.param(
        ok("""
        theme:
          colors:
            accent: #c8102e
        """),
        # YAML reads everything from '#' as a comment, so the colour would silently be empty
        "5:13", ["theme.colors.accent", "'#' after a space as the start of a comment",
                 'Put the colour in quotes: accent: "#ff0000"'], id="colour-read-as-comment"),
    pytest.param(
        ok("""
        key_takeaways:
          - Trade grows.
          - Costs: they rise faster than trade.
        """),
        "5:5", ["key_takeaways[1]", "expected text, found a mapping",
                "put the whole text in quotes"], id="takeaway-holding-colon"),
    pytest.param(
        ok("""
        output:
          name: energy security
        """),
        "4:9", ["output.name", "not a valid file name", "without spaces"],
        id="output-name-with-space"),
    pytest.param(
        ok("""
        layout: reprot
        """),
        "3:9", ["unknown layout 'reprot'", "Did you mean 'report'?"], id="layout-reprot"),
    pytest.param(
        ok("""
        labels:
          key_takeaway: Main points
        """),
        "4:3", ["unknown label 'key_takeaway'", "Did you mean 'key_takeaways'?"],
        id="unknown-label"),
    # ---- relations between fields
    pytest.param(
        ok("""
        findings:
          - id: costs
            text: Costs rise.
        sections:
          - title: Costs
            id: costs
        """),
        "8:9", ["the id 'costs' is used twice", "the first is at line 4"],
        id="duplicate-id-finding-section"),
    pytest.param(
        ok("""
        findings:
          - id: f1
            text: Costs rise.
        recommendations:
          - text: Cut them.
            findings: [f9]
        """),
        "8:16", ["recommendations[0].findings[0]", "no finding has the id 'f9'",
                 "Finding ids: f1"], id="recommendation-names-no-finding"),
    pytest.param(
        ok("""
        sections:
          - title: One
            sections:
              - title: Two
                sections:
                  - title: Three
                    sections:
                      - title: Four
        """),
        "9:13", ["sections[0].sections[0].sections[0].sections",
                 "nested more than 3 levels deep"], id="sections-four-deep"),
    # ---- citations and prose (also through `prepare` below)
    pytest.param(
        ok("""
        citation_style: chicago-notez
        """),
        "3:17", ["unknown citation style 'chicago-notez'", "Did you mean 'chicago-notes"],
        id="citation-style-typo"),
    pytest.param(
        ok("""
        bibliography: missing.bib
        """),
        "3:15", ["the bibliography cannot be used: no file 'missing.bib'"], id="bibliography-missing"),
    pytest.param(
        ok("""
        bibliography: /etc/passwd
        """),
        "3:15", ["'/etc/passwd'", "outside the project"], id="bibliography-absolute-outside"),
    pytest.param(
        ok("""
        bibliography: ../../../../../../../../../../etc/passwd
        """),
        "3:15", ["etc/passwd'", "outside the project"], id="bibliography-relative-outside"),
    pytest.param(
        ok("""
        publisher:
          name: ASPI
          logo: aspi-logo.png
        """),
        "5:9", ["publisher.logo", "no file 'aspi-logo.png'"], id="logo-missing"),
    pytest.param(
        ok("""
        sections:
          - title: Evidence
            body: |
              Before the box.

              ::: box
              Boxed text that never ends.
        """),
        "8:7", ["sections[0].body", "the block '::: box' is never closed", "only ':::'"],
        id="unclosed-box-fence"),
]


@pytest.mark.parametrize("text,where,words", CASES)
def test_mistake_is_located_and_explained(tmp_path, text, where, words):
    path = write(tmp_path, text)
    result = check(tmp_path, path)
    message = located(result, path, where)
    for word in words:
        assert word in message, message
    assert len(lines_of(result)) == 1, result.stderr  # one mistake, one message


def test_unknown_nested_key_is_reported_without_a_missing_name(tmp_path):
    path = write(tmp_path, ok("""
        authors:
          - Ann Author
          - nme: Bob Builder
            title: Fellow
    """))
    result = check(tmp_path, path)
    message = located(result, path, "5:5")
    assert "authors[1].nme: unknown key 'nme'" in message
    assert "Did you mean 'name'?" in message
    assert len(lines_of(result)) == 1, result.stderr  # no "'name' is missing" besides


@pytest.mark.build  # check renders every format of a valid brief in memory
def test_utf8_bom_and_crlf_load_fine(tmp_path):
    text = ("title: Windows brief\ndate: 2024-01-02\nsections:\n  - title: S\n    body: |\n"
            "      Line one.\n      Line two.\n")
    path = write(tmp_path, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    result = check(tmp_path, path, expect_exit=0)
    assert lines_of(result) == [] and "✓" in result.stderr


def test_bom_and_crlf_do_not_shift_locations(tmp_path):
    text = "title: T\ndate: 2024-01-02\nstatus: drafty\n"
    path = write(tmp_path, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    result = check(tmp_path, path)
    assert "Did you mean 'draft'?" in located(result, path, "3:9")


def test_non_utf8_byte_is_located_at_the_byte(tmp_path):
    path = write(tmp_path, b"date: 2024-01-02\ntitle: caf\xe9\n")
    result = check(tmp_path, path)
    message = located(result, path, "2:11")  # "title: caf" is ten bytes
    assert "0xE9" in message and "not UTF-8" in message and "Save the file as UTF-8" in message


def test_non_utf8_byte_column_counts_characters_and_offset_counts_bytes(tmp_path):
    # after a BOM (3 bytes) and "title: déjà vu caf" (18 characters, 20 bytes)
    path = write(tmp_path, b"\xef\xbb\xbftitle: d\xc3\xa9j\xc3\xa0 vu caf\xe9\ndate: 2024-01-02\n")
    result = check(tmp_path, path)
    message = located(result, path, "1:19")
    assert "byte 0xE9 at offset 23" in message  # what a hex editor shows


def test_python_tag_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "pwned"
    path = write(tmp_path, f'title: !!python/object/apply:os.system ["touch {marker}"]\n'
                           "date: 2024-01-02\n")
    result = check(tmp_path, path)
    message = located(result, path, "1:8")
    assert "the YAML tag '!!python/object/apply:os.system' is not allowed" in message
    assert not marker.exists()


def test_alias_bomb_fails_quickly(tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):  # 10^10 values if expanded
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = write(tmp_path, OK + "\n".join(lines) + "\n")
    started = time.process_time()  # CPU seconds: the bomb's cost, not the machine's load
    result = check(tmp_path, path)
    assert time.process_time() - started < 2
    (message,) = lines_of(result)
    assert message.startswith(f"{path}:") and "expands to more than" in message
    assert "aliases" in message


def test_file_over_4_mib_is_refused_with_its_size(tmp_path):
    head = (OK + "about: |\n").encode()
    line = b"  " + b"x" * 97 + b"\n"
    body = line * ((9 * 1048576 // 2 - len(head)) // len(line) + 1)
    path = write(tmp_path, (head + body)[: 9 * 1048576 // 2])  # exactly 4.5 MiB
    result = check(tmp_path, path)
    (message,) = lines_of(result)
    assert message.startswith(f"{path}: error: ")  # the file as a whole
    assert "the file is 4.5 MiB" in message and "at most 4 MiB" in message


def test_file_just_over_4_mib_says_by_how_much(tmp_path):
    head = (OK + "about: |\n").encode()
    size = 4 * 1048576 + 1
    path = write(tmp_path, head + b"  " + b"x" * (size - len(head) - 3) + b"\n")
    assert path.stat().st_size == size
    result = check(tmp_path, path)
    (message,) = lines_of(result)
    # "the file is 4.0 MiB; at most 4 MiB" would leave the author puzzled: name the bytes
    assert "at most 4 MiB (4,194,304 bytes; it has 4,194,305)" in message


# ---- citations and prose, through `prepare` -----------------------------------------------------

def test_undefined_citation_key_is_located_inside_the_block_scalar(tmp_path):
    path = write(tmp_path, ok("""
        references:
          - id: smith2020
            type: book
            title: Trade
        sections:
          - title: Evidence
            body: |
              The first paragraph cites a known source [@smith2020].

              Trade grew quickly in the period, as shown [@nosuch, p. 4].
    """))
    (error,) = errors_of(path)
    # `body: |` is on line 9, the cited line is 12; six spaces of indentation, then
    # "Trade grew quickly in the period, as shown [" is 44 characters: '@' is the 45th.
    assert (error.location.file, error.location.line, error.location.column) == (path, 12, 51)
    assert error.key == ("sections", 0, "body")
    assert error.message == "the citation key 'nosuch' is not defined"
    result = check(tmp_path, path)
    assert "the citation key 'nosuch'" in located(result, path, "12:51")


def test_undefined_citation_key_that_prefixes_a_defined_one(tmp_path):
    path = write(tmp_path, ok("""
        references:
          - id: smith2020a
            type: book
            title: Trade
        sections:
          - title: Evidence
            body: |
              Known [@smith2020a]; unknown [@smith2020].
    """))
    (error,) = errors_of(path)
    # "      Known [@smith2020a]; unknown [" is 36 characters: the unknown '@' is the 37th
    assert (error.location.line, error.location.column) == (10, 37)
    assert "'smith2020'" in error.message and "smith2020a" in error.hint


def test_undefined_citation_key_after_an_email_address_holding_it(tmp_path):
    path = write(tmp_path, ok("""
        sections:
          - title: Contact
            body: |
              Write to info@smith2020.org, or see [@smith2020].
    """))
    (error,) = errors_of(path)
    # "      Write to info@smith2020.org, or see [" is 43 characters: the citation's '@' is the
    # 44th (the address's '@' is not a citation)
    assert (error.location.line, error.location.column) == (6, 44)


def test_unknown_cross_reference_is_located(tmp_path):
    path = write(tmp_path, ok("""
        findings:
          - id: costs
            text: Costs rise.
        sections:
          - title: Discussion
            body: |
              As finding [#costs] shows, and as discussed
              in [#nowhere], costs matter.
    """))
    (error,) = errors_of(path)
    # line 10 is "      in [#nowhere], ...": the '[' is column 10
    assert (error.location.line, error.location.column) == (10, 10)
    assert error.key == ("sections", 0, "body")
    assert ("[#nowhere] names no finding, recommendation, section, or labelled figure, table, "
            "equation or listing" in error.message)


BROKEN_BIB = """\
@book{good,
  title = {Good},
  year = {2000}
}

@book{broken,
  title = {Never closed,
  year = {2001}
}
"""


@pytest.mark.parametrize("after", ["", "\n@book{after,\n  title = {After},\n  year = {2002}\n}\n"],
                         ids=["at-the-end", "before-another-entry"])
def test_unclosed_brace_in_bibtex_is_reported_in_the_bib_file(tmp_path, after):
    bib = write_aside(tmp_path, "refs.bib", BROKEN_BIB + after)
    path = write(tmp_path, OK + "bibliography: refs.bib\n")
    (error,) = errors_of(path)
    # Pandoc notices only at the next entry or past the end of the file; the entry whose
    # '{' (line 7) is never closed starts at 6:1
    assert (error.location.file, error.location.line, error.location.column) == (bib, 6, 1)
    assert error.message == "not valid BibLaTeX: the entry '@book{broken,' is never closed"
    result = check(tmp_path, path)
    assert "never closed" in located(result, bib, "6:1")


def test_missing_comma_in_bibtex_is_located(tmp_path):
    bib = write_aside(tmp_path, "refs.bib", """
        @book{a,
          title = {A}
          year = {2000}
        }
    """)
    path = write(tmp_path, OK + "bibliography: refs.bib\n")
    (error,) = errors_of(path)
    assert (error.location.file, error.location.line, error.location.column) == (bib, 3, 3)
    assert error.message == "not valid BibLaTeX: unexpected 'y'"
    assert "commas" in error.hint


def test_alias_bomb_in_a_csl_yaml_bibliography_fails_quickly(tmp_path):
    lines = ["- id: lol", "  type: book",
             '  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    bib = write_aside(tmp_path, "refs.yaml", "\n".join(lines) + "\n")
    path = write(tmp_path, ok("""
        bibliography: refs.yaml
        sections:
          - body: As shown [@lol].
    """))
    # CPU seconds of this process (check runs in it): what the bomb costs, whatever else the
    # machine is doing.
    started = time.process_time()
    result = check(tmp_path, path)
    assert time.process_time() - started < 2
    (message,) = lines_of(result)
    assert message.startswith(f"{bib}:") and "expands to more than" in message


def test_csl_yaml_bibliography_with_a_python_tag_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    bib = write_aside(tmp_path, "refs.yaml", f"""
        - id: a
          type: book
          title: !!python/object/apply:os.system ["touch {marker}"]
    """)
    path = write(tmp_path, OK + "bibliography: refs.yaml\n")
    (error,) = errors_of(path)
    assert (error.location.file, error.location.line, error.location.column) == (bib, 3, 10)
    assert "tag '!!python/object/apply:os.system' is not allowed" in error.message
    assert not marker.exists()


def test_deeply_nested_csl_json_is_an_error_not_a_crash(tmp_path):
    bib = write_aside(tmp_path, "refs.json", "[" * 100_000 + "\n")
    path = write(tmp_path, OK + "bibliography: refs.json\n")
    result = check(tmp_path, path)
    assert "not valid CSL-JSON: values are nested too deeply" in located(result, bib, "1:1")


def test_broken_csl_json_is_located_in_the_json_file(tmp_path):
    data = write_aside(tmp_path, "refs.json", """
        [
          {"id": "a", "type": "book", "title": "A"},
          {"id": "b", "type": "book" "title": "B"}
        ]
    """)
    path = write(tmp_path, OK + "bibliography: refs.json\n")
    (error,) = errors_of(path)
    # the missing comma: '"title"' starts at column 30 of line 3
    assert (error.location.file, error.location.line, error.location.column) == (data, 3, 30)
    assert "not valid CSL-JSON" in error.message and "','" in error.message


def test_reference_in_brief_and_bib_is_a_duplicate(tmp_path):
    bib = write_aside(tmp_path, "refs.bib", """
        @book{smithson, title = {By smith's son}, year = {1999}}
        @book{smith, title = {From the bib}, year = {2000}}
    """)
    path = write(tmp_path, ok("""
        bibliography: refs.bib
        references:
          - id: smith
            type: book
            title: From the brief
        sections:
          - body: Cited [@smith] and [@smithson].
    """))
    (error,) = errors_of(path)
    # the second definition (the .bib's, read after `references`) is located at its entry, not
    # in the key `smithson` before it; the hint names the first
    assert (error.location.file, error.location.line, error.location.column) == (bib, 2, 7)
    assert error.message == "the reference id 'smith' is defined twice"
    assert f"{path}:5:9" in error.hint


def test_bibliography_escaping_the_project_is_refused(tmp_path):
    path = write(tmp_path, OK + "bibliography: [../../etc/passwd, /etc/passwd]\n")
    errors = errors_of(path)
    # "bibliography: [" is 15 characters; "../../etc/passwd, " 18 more
    assert [(e.location.line, e.location.column, e.key) for e in errors] == [
        (3, 16, ("bibliography", 0)), (3, 34, ("bibliography", 1))]
    assert all("bibliography" in e.message for e in errors)
    assert "outside the project" in errors[1].message


@pytest.mark.build  # check renders every format of a valid brief in memory
def test_unused_reference_is_a_warning_and_check_passes(tmp_path):
    path = write(tmp_path, ok("""
        references:
          - id: lonely
            type: book
            title: Never cited
    """))
    result = check(tmp_path, path, expect_exit=0)
    message = located(result, path, "4:9", severity="warning")
    assert "the source 'lonely' is never cited" in message and "[@lonely]" in message
    assert prepare(path).diagnostics.warnings[0].location.line == 4


# ---- many mistakes in one run ------------------------------------------------------------------

def test_many_mistakes_are_all_reported_in_one_run_sorted_by_line(tmp_path):
    path = write(tmp_path, """
        title: T
        date: 2019-02-30
        status: drafty
        autors: [Ann]
        output:
          formats: [pfd]
        sections:
          - title: S
            body: |
              Cited [@nosuch].
    """)
    result = check(tmp_path, path)
    errors = lines_of(result)
    where = [line.split(": error: ")[0].removeprefix(f"{path}:") for line in errors]
    assert where == ["2:7", "3:9", "4:1", "6:13", "10:14"], result.stderr
    assert "not a real date" in errors[0]
    assert "Did you mean 'draft'?" in errors[1]
    assert "unknown key 'autors'" in errors[2]
    assert "'pfd'" in errors[3]
    assert "'nosuch' is not defined" in errors[4]


# ---- found by this catalogue outside its files (pipeline.py, pandoc_reader.py), since fixed -----

def test_style_typo_does_not_hide_an_undefined_citation(tmp_path):
    path = write(tmp_path, ok("""
        citation_style: chicago-notez
        sections:
          - title: S
            body: Cited [@nosuch].
    """))
    errors = errors_of(path)
    assert [(e.location.line, e.location.column) for e in errors] == [(3, 17), (6, 18)]


def test_note_reference_without_a_note_is_reported(tmp_path):
    path = write(tmp_path, ok("""
        sections:
          - title: S
            body: |
              Costs rose.[^1]
    """))
    (error,) = errors_of(path)
    # "      Costs rose." is 17 characters: the '[' is the 18th
    assert (error.location.line, error.location.column) == (6, 18)
    assert "[^1]" in error.message
