"""The designer's audit (briefkit.audit) over every example and every starter, with the issue's
thresholds: 60-75 characters a line, at most 8 % hyphenated line ends and never 3 in a row, no
DejaVu, no "↩" in print, DOCX margins and faces equal to the PDF's; short briefs fit their
content. Also: the audit can fail, notes are all printed, calls are separated, nothing of a
long word or a wide table is lost."""

from __future__ import annotations

import re

import pdfplumber
import pytest
from click.testing import CliRunner
from conftest import example_briefs
from readers import html_tree, pdf_text

from briefkit.audit import Thresholds, audit_docx, audit_pdf, faults, main
from briefkit.cli import cli
from briefkit.layout.folders import available
from briefkit.builder.batch import build_brief

EXAMPLES = example_briefs()


def _build(path, out):
    return {p.suffix[1:]: p for p in build_brief(path, out).outputs}


@pytest.mark.parametrize("brief", EXAMPLES, ids=lambda p: p.parent.name if p.stem == "brief" else p.stem)
def test_every_example_passes_the_audit(examples, brief):
    out = examples[brief]
    pdf = audit_pdf(out["pdf"])
    assert faults(pdf, audit_docx(out["docx"])) == []
    assert pdf.line_lengths, "no full line of body text was measured"


@pytest.mark.parametrize("layout", sorted(available()))
def test_every_starter_passes_the_audit(tmp_path, monkeypatch, layout):
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["new", "starter", "--layout", layout]).exit_code == 0
    out = _build(tmp_path / "briefs" / "starter.yaml", tmp_path / "out")
    pdf = audit_pdf(out["pdf"])
    assert faults(pdf, audit_docx(out["docx"]), Thresholds(max_pages=5)) == []


WORDS = ("China and Russia are deepening their technological ties as external pressure limits "
         "their access to markets and technology abroad, and both hope that the collaboration "
         "will compensate for domestic deficiencies. ").split()


def _words(count: int, start: int = 0) -> str:
    return " ".join(WORDS[(start + i) % len(WORDS)] for i in range(count))


def test_a_150_word_report_fits_in_five_pages_with_its_cover(write_brief, tmp_path):
    path = write_brief(f"""
        layout: report
        title: A short report
        date: 2020-08-12
        authors: [{{name: Samuel Bendett}}]
        summary:
          problem: {_words(30)}^[A note.]
          solution: {_words(30, 3)}
        sections:
          - title: Background
            body: {_words(45, 5)}^[Another note.]
          - title: Outlook
            body: {_words(45, 7)}
    """)
    out = _build(path, tmp_path / "out")
    pdf = audit_pdf(out["pdf"])
    assert pdf.pages <= 5, pdf.fill
    assert faults(pdf, audit_docx(out["docx"]), Thresholds(max_pages=5)) == []
    assert "Contents" not in pdf.text  # four entries do not earn a contents page


def test_the_audit_finds_what_a_designer_would_refuse(write_brief, tmp_path, capsys):
    house = tmp_path / "templates" / "wide"
    house.mkdir(parents=True)
    (house / "layout.yaml").write_text("extends: commentary\n", encoding="utf-8")
    (house / "design.yaml").write_text("page: {margin: {left: 10, right: 10}}\n", encoding="utf-8")
    path = write_brief(f"""
        layout: wide
        title: Too wide
        date: 2020-08-12
        theme: {{fonts: {{body: DejaVu Sans}}}}
        sections:
          - title: Body
            body: {_words(200)}
    """)
    out = _build(path, tmp_path / "out")
    found = faults(audit_pdf(out["pdf"]), audit_docx(out["docx"]))
    assert any("characters per line" in f for f in found), found
    assert any("forbidden faces in the PDF: " in f and "DejaVu" in f for f in found), found
    assert main([str(out["pdf"]), str(out["docx"])]) == 1
    printed = capsys.readouterr().out
    assert "characters per full line: median" in printed and "fault: " in printed


def test_every_footnote_is_printed_with_separated_calls(write_brief, tmp_path):
    notes = " ".join(f"Sentence {n} of the text.^[Note number {n} says where it comes from.]"
                     for n in range(1, 41))
    path = write_brief(f"""
        layout: commentary
        title: Many notes
        date: 2020-08-12
        sections:
          - title: Body
            body: {notes} Two at once.^[First of a pair.]^[Second of a pair.]
    """)
    out = _build(path, tmp_path / "out")
    text = pdf_text(out["pdf"])
    # WeasyPrint#2502 loses notes silently when the footnote area has a rule: count them.
    assert [n for n in range(1, 43) if re.search(rf"^{n}\.\s+\S", text, re.M)] == list(range(1, 43))
    assert re.search(r"once\.\s*41,\s*42", text), "adjacent calls must read 41,42"
    assert "\u21a9" not in text
    # On screen the calls are separated too, and the notes keep their back-links.
    html = out["html"].read_text(encoding="utf-8")
    assert 'class="call-separator"' in html and "\u21a9" in html
    # The calls are readable: not the note's size shrunk (about 5 pt) but at least 6.5 pt.
    with pdfplumber.open(str(out["pdf"])) as pdf:
        calls = [c for c in pdf.pages[0].chars if c["text"].isdigit() and c["fontname"].endswith("Noto-Sans")
                 and c["size"] < 9]
    assert calls and min(c["size"] for c in calls) >= 6.5


def test_long_words_and_wide_tables_lose_nothing_in_print(write_brief, tmp_path):
    word = "".join(chr(ord("a") + i % 26) for i in range(400))
    header = "|" + "|".join(f"C{n}" for n in range(1, 61)) + "|"
    rule = "|" + "|".join("---" for _ in range(60)) + "|"
    row = "|" + "|".join(f"v{n}" for n in range(1, 61)) + "|"
    body = "".join(f"      {line}\n" for line in [
        f"A word: {word}", "", "Table: Sixty columns", "", header, rule, row])
    path = write_brief("layout: commentary\ntitle: Wide things\ndate: 2020-08-12\nsections:\n"
                       "  - title: Body\n    body: |\n" + body)
    out = _build(path, tmp_path / "out")
    text = pdf_text(out["pdf"])
    assert word in re.sub(r"[\s\u00ad\u2010-]", "", text)
    flat = re.sub(r"\s", "", text)
    for n in range(1, 61):
        assert f"C{n}" in flat and f"v{n}" in flat, n
    with pdfplumber.open(str(out["pdf"])) as pdf:
        for page in pdf.pages:
            assert all(0 <= c["x0"] and c["x1"] <= page.width for c in page.chars)
    # HTML: the caption sits above the table.
    table = html_tree(out["html"]).xpath("//table")[0]
    assert table[0].tag == "caption" and "Sixty columns" in table[0].text_content()


def _link_targets(pdf_path) -> list[str]:
    from pypdf import PdfReader

    targets = []
    for page in PdfReader(str(pdf_path)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if "/URI" in action:
                targets.append(str(action["/URI"]))
    return targets


def test_the_research_call_to_action_is_last_and_no_file_link(examples):
    brief = next(b for b in EXAMPLES if b.stem == "research-sino-russian")
    text = pdf_text(examples[brief]["pdf"])
    # Last before the colophon; its label only (the example has no web address to print).
    assert "Download the full paper" in text
    assert text.index("Download the full paper") > text.index("About the authors")
    assert "Contents" not in text  # the research layout has no contents by default
    for example in EXAMPLES:
        targets = _link_targets(examples[example]["pdf"])
        assert not [t for t in targets if t.lower().startswith("file:")], (example, targets)
        html = examples[example]["html"].read_text(encoding="utf-8")
        assert 'href="file:' not in html.lower()


def test_a_call_to_action_prints_its_address_and_a_relative_one_is_a_warning(write_brief, tmp_path):
    base = """
        layout: research
        title: A call to action
        date: 2020-08-12
        executive_summary: The summary.
        links:
          full_report:
            label: Download the full paper
            url: {url}
        """
    web = write_brief(base.format(url="https://example.org/full-paper.pdf"), name="web.yaml")
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["build", str(web), "-o", str(out), "-f", "pdf"]).exit_code == 0
    # The address printed short (no scheme) on a line of its own, linked in full.
    lines = [line.strip() for line in pdf_text(out / "web.pdf").splitlines()]
    assert lines[lines.index("Download the full paper") + 1] == "example.org/full-paper.pdf"
    assert "https://example.org/full-paper.pdf" in _link_targets(out / "web.pdf")
    # A relative address is not linked in any output (only http(s), mailto and in-page links
    # are): check says so at its line instead of dropping it silently.
    local = write_brief(base.format(url="full-paper.pdf"), name="local.yaml")
    result = CliRunner().invoke(cli, ["check", str(local)])
    assert result.exit_code == 0
    assert "local.yaml:8:10: warning: links.full_report.url: this address will not be linked" in result.output


def test_no_hyphenation_in_titles_headings_labels_or_bold_leads(write_brief, tmp_path):
    long = "Internationalisation institutionalisation telecommunications counterintelligence"
    path = write_brief(f"""
        layout: report
        title: {long} {long}
        date: 2020-08-12
        categories: [{long}, {long}, {long}]
        recommendations:
          - title: {long} {long}
            text: {_words(60)}
        sections:
          - title: {long} {long}
            body: "**{long} {long} {long}** {_words(120)}"
    """)
    out = _build(path, tmp_path / "out")
    with pdfplumber.open(str(out["pdf"])) as pdf:
        lines = [line for page in pdf.pages for line in page.extract_text_lines(return_chars=True)]
    # WeasyPrint marks an automatic break with U+2010; body text may have some, nothing else.
    broken = [line["text"] for line in lines if line["text"].rstrip().endswith("\u2010")
              and any("Bold" in c["fontname"] or "Sans" in c["fontname"] for c in line["chars"][-3:])]
    assert broken == []
