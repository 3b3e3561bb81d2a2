"""Pages a publications team signs off (issue 18): note calls that never touch in any format,
the web edition in the layout's own faces on a machine with Noto CJK but no Noto Serif, and
the designer's audit measures (page fill, type ratio, folios, touching calls) able to fail."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from briefkit.audit import Thresholds, audit_docx, audit_pdf, faults
from briefkit.builder.batch import build_brief
from conftest import CORPUS
from readers import docx_paragraphs, html_tree, pdf_text

A11Y = Path(__file__).parent / "a11y"
REFS = """
    references:
      - id: kania2019
        type: report
        title: A New Sino-Russian High-Tech Partnership
        author: [{family: Bendett, given: Samuel}, {family: Kania, given: Elsa B.}]
        issued: 2019
      - id: bendett2020
        type: article-journal
        title: The Resilience of Sino-Russian High-Tech Cooperation
        container-title: War on the Rocks
        author: [{family: Bendett, given: Samuel}]
        issued: 2020
"""
TWICE_AT_ONE_PLACE = """
    sections:
      - title: Background
        body: |
          Both sources say so [@kania2019].^[A plain note right after a citation.] Two
          citations in a row follow [@kania2019, 3][@bendett2020, 12], and two notes.^[One.]^[Two.]
"""


def _build(path: Path, out: Path) -> dict[str, Path]:
    return {p.suffix[1:]: p for p in build_brief(path, out).outputs}


@pytest.mark.parametrize("layout,notes", [("report", "endnotes"), ("commentary", "footnotes")])
def test_calls_at_one_place_never_touch_in_any_format(write_brief, tmp_path, layout, notes):
    path = write_brief(f"layout: {layout}\ntitle: Twice at one place\ndate: 2020-08-12\n"
                       f"notes: {notes}\n", REFS, TWICE_AT_ONE_PLACE)
    out = _build(path, tmp_path / "out")
    # PDF: the audit reads the raised numbers in reading order and finds none run together.
    pdf = audit_pdf(out["pdf"])
    assert pdf.touching_calls == [] and pdf.calls_at_line_start == 0
    flat = re.sub(r"\s", "", pdf_text(out["pdf"]))
    assert "kania2019" not in flat
    assert re.search(r"so\.1,2Two", flat) and re.search(r"notes\.5,6", flat), flat[:400]
    # HTML: a raised comma between every two calls that follow each other.
    body = html_tree(out["html"]).xpath("//main")[0]
    calls = body.xpath(".//a[@role='doc-noteref']")
    assert len(calls) == 6
    for call in calls[1:]:
        before = call.getprevious()
        text_between = (before.tail if before is not None else call.getparent().text) or ""
        if not text_between.replace("\u2060", "").strip():  # right after another call
            assert before is not None and before.get("class") == "call-separator", \
                f"call {call.text_content()} touches the one before"
    # DOCX: no note reference right after another without text between.
    assert audit_docx(out["docx"]).touching_calls == 0
    paragraph = next(p for p in docx_paragraphs(out["docx"]) if "Both sources" in p.text)
    assert paragraph.text.count(",") >= 3  # the separators are text a reader sees


def test_the_audit_finds_calls_that_touch(tmp_path):
    """A PDF whose calls 6 and 7 print as "67" (the fault the issue reported) fails."""
    from weasyprint import HTML

    calls = "".join(f"Sentence {n}.<sup style='font-size:7pt'>{n}</sup> " for n in range(1, 6))
    html = (f"<html><body style='font-size:10.5pt'><p>{calls} Two at once.<sup style="
            f"'font-size:7pt'>6</sup><sup style='font-size:7pt'>7</sup> The end.</p></body></html>")
    HTML(string=html).write_pdf(tmp_path / "touching.pdf")
    audit = audit_pdf(tmp_path / "touching.pdf")
    assert audit.touching_calls == ["67"]
    assert "note calls that touch: 67" in faults(audit)


def _stacks(html_path: Path) -> dict[str, list[str]]:
    css = "".join(html_tree(html_path).xpath("//style/text()"))
    return {name: [f.strip().strip('"') for f in value.split(",")]
            for name, value in re.findall(r"--(font-body|font-headings): ([^;]+);", css)}


def test_the_web_page_carries_its_faces_and_names_latin_before_cjk(tech_ties):
    css = "".join(html_tree(tech_ties["html"]).xpath("//style/text()"))
    faces = re.findall(r"@font-face \{ font-family: \"([^\"]+)\"; src: url\(data:font/woff2;base64,"
                       r"[A-Za-z0-9+/=]+\) format\(\"woff2\"\); font-style: (\w+); font-weight: (\d+)",
                       css)
    assert {("Noto Serif", "normal", "400"), ("Noto Serif", "italic", "400"),
            ("Noto Serif", "normal", "700"), ("Noto Sans", "normal", "700")} <= set(faces)
    # An English page carries only the Latin subsets (about 17 KB a face).
    assert len(faces) == 8 and len(css) < 300_000
    for name, stack in _stacks(tech_ties["html"]).items():
        cjk = [i for i, family in enumerate(stack) if "CJK" in family]
        latin = [i for i, family in enumerate(stack) if family in ("Georgia", "Helvetica Neue", "Arial")]
        assert cjk and latin and max(latin) < min(cjk), (name, stack)
    # The CJK faces are declared for CJK characters only.
    for rule in re.findall(r"@font-face \{[^}]*CJK[^}]*\}", css):
        assert "unicode-range: U+1100" in rule and "2019" not in rule.split("unicode-range")[1]


def test_the_page_needs_its_script_subsets_only(write_brief, tmp_path):
    path = write_brief("layout: commentary\ntitle: Łódź and Москва\ndate: 2020-08-12\n"
                       "sections:\n  - title: Background\n    body: Text in Polish and Russian.\n")
    out = build_brief(path, tmp_path / "out", ["html"]).outputs[0]
    css = "".join(html_tree(out).xpath("//style/text()"))
    ranges = re.findall(r"unicode-range: (U\+[0-9A-F]{4})", css)
    assert {"U+0000", "U+0100", "U+0400"} <= set(ranges) and "U+0370" not in ranges  # no Greek


def _chromium_glyphs(html_path: Path, tmp_path: Path, width: int = 1280) -> dict:
    """The page in Chromium on a machine whose only fonts are Noto CJK (no Noto Serif, no
    Latin faces at all): a fontconfig configuration listing that one folder."""
    noto = Path("/usr/share/fonts/opentype/noto")
    if not any(noto.glob("NotoSerifCJK*")):
        pytest.skip("Noto CJK is not installed in /usr/share/fonts/opentype/noto")
    config = tmp_path / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                      f"<dir>{noto}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
                      encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "FONTCONFIG_FILE": str(config)}
    result = subprocess.run(["node", str(A11Y / "glyphs.js"), str(html_path), str(width)],
                            capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.needs("axe")
def test_no_full_width_apostrophe_where_noto_cjk_is_installed_but_not_noto_serif(tech_ties, tmp_path):
    found = _chromium_glyphs(tech_ties["html"], tmp_path)
    marks = found["marks"]
    assert len(marks) >= 10  # "What’s the problem?", quotations, bibliography titles
    wide = [m for m in marks if m["ratio"] > 0.6]
    assert wide == [], wide[:3]
    # Latin text is drawn with the layout's faces, embedded in the page.
    fonts = found["fonts"]
    latin = fonts.get("Noto Serif", 0) + fonts.get("Noto Sans", 0)
    assert latin > 0.95 * sum(fonts.values()), fonts


@pytest.mark.needs("axe")
def test_the_old_stack_is_what_the_chromium_check_catches(tech_ties, tmp_path):
    """The same page with the stacks of before (CJK first, no embedded faces) shows the
    full-width apostrophes the issue reported: the check above can fail."""
    page = tech_ties["html"].read_text(encoding="utf-8")
    page = re.sub(r"@font-face \{ font-family: \"Noto S[^}]*\}", "", page)
    page = re.sub(r"--font-body: [^;]+;", '--font-body: "Noto Serif", "Noto Serif CJK SC", serif;', page)
    broken = tmp_path / "broken.html"
    broken.write_text(page, encoding="utf-8")
    wide = [m for m in _chromium_glyphs(broken, tmp_path)["marks"] if m["ratio"] > 0.6]
    assert wide, "a CJK face's apostrophes should be full width"


def test_a_house_face_the_machine_lacks_is_a_warning_and_the_layout_face_is_used(write_brief, tmp_path):
    from click.testing import CliRunner

    from briefkit.cli import cli

    path = write_brief("""
        layout: commentary
        title: A house face
        date: 2020-08-12
        theme:
          fonts:
            body: Briefkit Test Face Nobody Has
        sections:
          - title: Body
            body: What's the problem? It's the face.
        """)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 0
    assert ("brief.yaml:6:11: warning: theme.fonts.body: the house face 'Briefkit Test Face "
            "Nobody Has' is not installed on this machine; the PDF and the web page use the "
            "layout's own face, Noto Serif, instead") in result.output
    out = _build(path, tmp_path / "out")
    import pdfplumber

    with pdfplumber.open(str(out["pdf"])) as pdf:
        body = {c["fontname"].split("+")[-1] for c in pdf.pages[0].chars if c["text"] == "’"}
    assert body and all(name.startswith("Noto-Serif") for name in body), body
    assert _stacks(out["html"])["font-body"][0] == "Noto Serif"


SENTENCE = ("Undersea cables carry nearly all of the data that crosses the Pacific, and a handful "
            "of small states depend on a single cable each for their link to the world. ")


def _box_brief(write_brief, words: int, name: str) -> Path:
    paragraph = (SENTENCE * 4).strip()
    count = len(paragraph.split())
    problem = "\n\n".join([paragraph] * (words // 2 // count))
    solution = "\n\n".join([paragraph] * (words // 2 // count)) + "\n\n- A last point.\n- The end of the box."
    indent = lambda text: "\n".join("    " + line if line else "" for line in text.splitlines())  # noqa: E731
    return write_brief(f"layout: report\ntitle: A long box\ndate: 2024-06-03\nsummary:\n"
                       f"  problem: |\n{indent(problem)}\n  solution: |\n{indent(solution)}\n"
                       f"sections:\n  - title: Background\n    body: {SENTENCE * 30}\n",
                       name=name)


def _pages_holding(pdf_path: Path, first: str, last: str) -> list[int]:
    import pdfplumber

    with pdfplumber.open(str(pdf_path)) as pdf:
        texts = [" ".join((page.extract_text() or "").split()) for page in pdf.pages]
    start = next(n for n, text in enumerate(texts, 1) if first in text)
    end = next(n for n, text in enumerate(texts, 1) if n >= start and last in text)
    return list(range(start, end + 1))


def test_the_front_box_is_planned_onto_two_pages(write_brief, tmp_path):
    from click.testing import CliRunner

    from briefkit.cli import cli

    long_box = _box_brief(write_brief, 1300, "long-box.yaml")
    out = _build(long_box, tmp_path / "out")
    pages = _pages_holding(out["pdf"], "What’s the problem?", "The end of the box.")
    assert len(pages) <= 2, pages
    css = "".join(html_tree(out["html"]).xpath("//style/text()"))
    assert re.search(r"--size-box: (9|9\.5)pt", css), "a long box is set smaller than 10 pt"
    # Past what two pages hold even at the smallest size: a warning at `summary`.
    too_long = _box_brief(write_brief, 3000, "too-long.yaml")
    result = CliRunner().invoke(cli, ["check", str(too_long)])
    assert result.exit_code == 0
    assert re.search(r"too-long\.yaml:4:1: warning: summary: the front box \(problem and "
                     r"solution\) runs to about [\d.]+ pages at 9 pt; the layout plans it onto 2",
                     result.output), result.output


HELD_OUT = sorted((Path(__file__).parent / "data" / "pages").glob("*.yaml"))


@pytest.fixture(scope="module")
def held_out(tmp_path_factory):
    """The held-out reports (tests/data/pages), built once."""
    out = tmp_path_factory.mktemp("held-out")
    return {brief.stem: _build(brief, out) for brief in HELD_OUT}


# Real report briefs written by other people (../shared/corpus): the longest two, held out
# from the design work. The first gets a publisher's imprint keys added (the corpus gives none).
CORPUS_REPORTS = ["bib-aisafety-policy/brief.yaml", "bib-biblatex-examples/brief.yaml"]
IMPRINT = """
series: {name: Interop Reports, number: "3/2024", issn: "2209-9999"}
copyright: "© 2024 The Interop Institute"
disclaimer: The views expressed are the authors' own.
acknowledgements: Funding for this report was provided by the Example Foundation.
"""


@pytest.mark.needs("shared")
@pytest.mark.parametrize("case", CORPUS_REPORTS)
def test_real_reports_from_the_corpus_are_paginated_as_a_designer_would(case, tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(CORPUS / case.split("/")[0], folder)
    brief = folder / case.split("/")[1]
    with_imprint = case == CORPUS_REPORTS[0]
    if with_imprint:
        brief.write_text(brief.read_text(encoding="utf-8") + IMPRINT, encoding="utf-8")
    pdf = build_brief(brief, tmp_path / "out", ["pdf"]).outputs[0]
    audit = audit_pdf(pdf)
    assert audit.pages >= 10  # long enough to be paginated at all
    assert len(audit.short_pages) <= 1, (audit.fill, audit.folios)
    unnumbered = 2 if with_imprint else 1  # the cover (and its verso, the imprint)
    assert audit.folios[:unnumbered] == [None] * unnumbered, audit.folios
    assert audit.folios[unnumbered:] == [
        str(n) for n in range(unnumbered + 1, audit.pages + 1)
    ], audit.folios
    assert audit.chapter_ratio >= 1.8
    pages = _page_texts(pdf)
    title = " ".join(yaml.safe_load(brief.read_text(encoding="utf-8"))["title"].split())
    assert all(page.startswith(title) for page in pages[unnumbered:]), [
        page[:80] for page in pages if not page.startswith(title)
    ]
    if with_imprint:
        assert "©" in pages[1] and "ISSN 2209-9999" in pages[1], pages[1]
        assert "expressed" in pages[1] and "Example Foundation" in pages[1], pages[1]


def _page_texts(pdf_path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(str(pdf_path)) as pdf:
        return [" ".join((page.extract_text() or "").split()) for page in pdf.pages]


@pytest.mark.parametrize("name", [brief.stem for brief in HELD_OUT])
def test_held_out_reports_are_paginated_as_a_designer_would(held_out, name):
    out = held_out[name]
    audit = audit_pdf(out["pdf"])
    # At most one numbered page (the last aside) a third full or less; the cover and the
    # imprint carry no folio; chapters open at twice the body's size.
    assert len(audit.short_pages) <= 1, (audit.fill, audit.folios)
    assert audit.folios[0] is None and audit.folios[1] is None
    assert all(folio == str(n) for n, folio in enumerate(audit.folios[2:], 3)), audit.folios
    assert audit.chapter_ratio >= 1.8
    assert faults(audit, audit_docx(out["docx"]), Thresholds()) == []
    pages = _page_texts(out["pdf"])
    # The imprint is page 2: copyright, series and ISSN, disclaimer.
    assert "©" in pages[1] and "ISSN 2209-000" in pages[1]
    assert "DISCLAIMER" in pages[1].upper() and "expressed" in pages[1]
    # The front box on at most two pages.
    box = _pages_holding(out["pdf"], "What’s the problem?", "What’s the solution?")
    assert len(box) <= 2


def test_the_running_head_is_the_short_title(held_out):
    import pdfplumber

    for name, expected in (("cables", "Undersea cables"), ("heat", "Heat in the city")):
        with pdfplumber.open(str(held_out[name]["pdf"])) as pdf:
            heads = {min(page.extract_text_lines(), key=lambda line: line["top"])["text"]
                     for page in pdf.pages[2:]}
        assert heads == {expected}, (name, heads)


def test_a_short_title_is_plain_text_like_the_title(write_brief):
    from click.testing import CliRunner

    from briefkit.cli import cli

    path = write_brief("title: A title\nshort_title: A *short* title\ndate: 2020-08-12\n")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert ("brief.yaml:2:16: error: short_title: emphasis in a title prints as typed "
            "('*short*')") in result.output, result.output


def test_display_text_gets_curly_quotes_as_pandoc_sets_prose(held_out):
    """`"grey-zone"` and `region's` in a title and subtitle print curly, in every format."""
    pages = _page_texts(held_out["cables"]["pdf"])
    assert "“grey-zone” competition" in pages[0] and '"grey-zone"' not in pages[0]
    heat = _page_texts(held_out["heat"]["pdf"])[0]
    assert "the region’s towns" in heat
    html = held_out["cables"]["html"].read_text(encoding="utf-8")
    assert "“grey-zone” competition" in html
    from readers import docx_text

    assert "“grey-zone” competition" in docx_text(held_out["cables"]["docx"])


def test_display_text_markdown_means_only_its_text(write_brief, tmp_path):
    """A title with Markdown's marks keeps them (only quotes, dashes and dots are set); the
    marks that would make emphasis, a note or a citation are refused (validate/plain_text.py)."""
    path = write_brief("""
        layout: commentary
        title: "2*3*4 is no emphasis, @not_a_citation, [not a link] and 'quoted' -- dashed..."
        kicker: "1. Not a list"
        date: 2020-08-12
        sections:
          - title: "# Not a heading's marks"
            body: Text.
        """)
    out = build_brief(path, tmp_path / "out", ["html"]).outputs[0]
    tree = html_tree(out)
    assert tree.xpath("//h1")[0].text_content() == (
        "2*3*4 is no emphasis, @not_a_citation, [not a link] and ‘quoted’ – dashed…")
    assert tree.xpath("//p[@class='kicker']")[0].text_content() == "1. Not a list"
    assert "# Not a heading’s marks" in [h.text_content() for h in tree.xpath("//h2")]


def _cells(html_path: Path, width: int) -> dict:
    result = subprocess.run(["node", str(A11Y / "cells.js"), str(html_path), str(width)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.needs("axe")
def test_tables_scroll_on_a_phone_instead_of_splitting_words_and_numbers(tech_ties, write_brief, tmp_path):
    found = _cells(tech_ties["html"], 390)
    assert {"2006", "2016", "Contests"} <= {cell["text"] for cell in found["cells"]}
    assert [cell for cell in found["cells"] if cell["lines"] > 1] == []
    # A table wider than a phone scrolls in its frame; the page does not.
    header = "|" + "|".join(f"Indicator{n}" for n in range(1, 9)) + "|"
    rule = "|" + "|".join("---:" for _ in range(8)) + "|"
    row = "|" + "|".join(f"{1000000 * n:,}" for n in range(1, 9)) + "|"
    path = write_brief("layout: commentary\ntitle: A wide table\ndate: 2020-08-12\nsections:\n"
                       "  - title: Data\n    body: |\n" +
                       "".join(f"      {line}\n" for line in [header, rule, row]))
    page = build_brief(path, tmp_path / "out", ["html"]).outputs[0]
    wide = _cells(page, 390)
    assert len(wide["cells"]) == 16 and not wide["pageScrolls"]
    assert [cell for cell in wide["cells"] if cell["lines"] > 1] == []
    frame = html_tree(page).xpath("//div[@class='table-scroll']")
    assert frame and frame[0].get("tabindex") == "0" and frame[0].get("role") == "region"


def test_a_note_called_from_a_caption_is_set_in_the_note_style(write_brief, tmp_path):
    import pdfplumber

    path = write_brief("""
        layout: commentary
        title: A note in a caption
        date: 2020-08-12
        sections:
          - title: Data
            body: |
              | Area | Year |
              |---|---:|
              | Parks | 2006 |

              : Selected mechanisms^[Counted from the agreements as signed.]
        """)
    out = _build(path, tmp_path / "out")
    with pdfplumber.open(str(out["pdf"])) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    text = "".join(c["text"] for c in chars)
    start = text.index("Counted from")
    note = chars[start:start + len("Counted from the agreements")]
    assert {c["fontname"].split("+")[-1] for c in note} == {"Noto-Serif"}  # not the bold sans
    assert {round(c["size"], 1) for c in note} == {8.0}


def test_endnotes_are_set_in_two_columns_with_aligned_hanging_indents(held_out):
    """The middling held-out report's endnotes: two columns; in each note the text of the
    first line starts where its turnovers start, whatever the number's width."""
    import pdfplumber

    with pdfplumber.open(str(held_out["cables"]["pdf"])) as pdf:
        page = next(p for p in pdf.pages if "Notes" in (p.extract_text() or "").splitlines())
        lines = page.extract_text_lines()
        top = next(line["bottom"] for line in lines if line["text"] == "Notes")
        # Down to the next part's heading (the acronyms), above the folio.
        end = min([line["top"] for line in lines if line["top"] > top and line["chars"][0]["size"] > 12]
                  + [page.height - 60])
        words = [w for w in page.extract_words() if w["top"] > top and w["bottom"] < end]
    middle = (min(w["x0"] for w in words) + max(w["x1"] for w in words)) / 2  # the gap
    rows: dict = {}
    for word in words:
        rows.setdefault((round(word["top"]), word["x0"] > middle), []).append(word)
    numbered = {side for (_, side), row in rows.items() if re.fullmatch(r"\d+\.", min(
        row, key=lambda w: w["x0"])["text"])}
    assert numbered == {False, True}, "the notes stand in two columns"
    # Where each line's text starts: after the number on a note's first line.
    starts: dict = {False: set(), True: set()}
    for (_, side), row in rows.items():
        row.sort(key=lambda w: w["x0"])
        first = row[1] if re.fullmatch(r"\d+\.", row[0]["text"]) and len(row) > 1 else row[0]
        starts[side].add(round(first["x0"]))
    for side, xs in starts.items():
        assert max(xs) - min(xs) <= 1, (side, sorted(xs))  # one text edge per column
