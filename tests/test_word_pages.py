"""The Word twin's pages are the print's: LibreOffice's rendering of the DOCX (the Word stand-in
of these machines) has as many pages as the PDF, within 10 % for the long report and within one
page for short ones (LibreOffice 7 prints endnotes on pages of their own at the end, which Word
puts under their heading); a chapter starts on the same page in both, within one; a draft has
as many Word pages as the final brief (its cover stays one page)."""

from __future__ import annotations

import re
import shutil

import pytest
from pypdf import PdfReader

from briefkit.builder.batch import build_brief
from conftest import CORPUS
from readers import libreoffice_pdf, pdf_text

pytestmark = pytest.mark.needs("soffice", "pdftotext")

WORDS = (
    "China and Russia are deepening their technological ties as external pressure limits "
    "their access to markets and technology abroad, and both hope that the collaboration "
    "will compensate for domestic deficiencies. "
).split()


def _words(count: int, start: int = 0) -> str:
    return " ".join(WORDS[(start + i) % len(WORDS)] for i in range(count))


def pages(path) -> int:
    return len(PdfReader(str(path)).pages)


def heading_pages(path, headings) -> dict[str, int]:
    """The page each heading's own lines are on (the last such page: the contents lists them
    first)."""
    texts = pdf_text(path).split("\f")
    found = {}
    for heading in headings:
        # a heading may wrap onto a second line (the chapter size)
        words = r"\s+".join(re.escape(word) for word in heading.split())
        lines = [n for n, text in enumerate(texts, 1) if re.search(rf"^\s*{words}\s*$", text, re.M)]
        if lines:
            found[heading] = lines[-1]
    return found


def test_the_long_report_has_the_pdfs_pages_in_word(aspi, tmp_path):
    word = libreoffice_pdf(aspi["docx"], tmp_path / "lo")
    assert abs(pages(word) - pages(aspi["pdf"])) <= 0.1 * pages(aspi["pdf"])
    # Chapters before the endnotes (LibreOffice prints those at the very end, Word and the
    # PDF under their heading: what follows them moves in LibreOffice only).
    chapters = [
        "Dialogues and exchanges",
        "Joint funds",
        "Biotechnology",
        "The digital economy",
        "Conclusions and implications",
        "Policy considerations and recommendations",
    ]
    in_pdf, in_word = heading_pages(aspi["pdf"], chapters), heading_pages(word, chapters)
    assert set(in_pdf) == set(in_word) == set(chapters)
    assert all(abs(in_word[c] - in_pdf[c]) <= 1 for c in chapters), (in_pdf, in_word)


SHORT = f"""
layout: report
title: Grid resilience in the Mekong
date: 2021-03-04
status: {{status}}
authors: [{{{{name: Anne Dupont, bio: Anne studies energy systems.}}}}]
summary:
  problem: {_words(25, 2)}^[A first source.]
  solution: {_words(35, 6)}
recommendations: [{{{{title: Plan ahead, text: "{_words(20, 1)}"}}}}]
sections:
  - title: Context
    body: {_words(40, 4)}^[A second source.]
  - title: What comes next
    body: {_words(30, 9)}
"""

MEDIUM = f"""
layout: report
title: A report of a dozen pages
date: 2020-08-12
authors: [Samuel Bendett, Elsa B. Kania]
output: {{toc: true}}
summary:
  problem: {_words(120)}
  solution: {_words(90, 3)}
key_takeaways: [{_words(40)}, {_words(35, 2)}, {_words(30, 4)}]
findings:
  - {{title: First, text: "{_words(80)}"}}
  - {{title: Second, text: "{_words(70, 1)}"}}
sections:
""" + "".join(
    f"""
  - title: Chapter {n}
    body: |
      {_words(260, n)}^[A note on chapter {n}.]

      {_words(220, n + 1)}

      | Year | Parks | Funds |
      |-----:|------:|------:|
      | 2016 | {n} | {n * 3} |
      | 2019 | {n + 2} | {n * 5} |
    sections:
      - title: Part {n}.1
        body: {_words(200, n + 2)}
"""
    for n in range(1, 7)
)


@pytest.mark.parametrize(
    "text", [SHORT.format(status="final"), MEDIUM], ids=["150 words", "3,000 words"]
)
def test_held_out_reports_have_the_pdfs_pages_in_word(write_brief, tmp_path, text):
    out = {p.suffix[1:]: p for p in build_brief(write_brief(text), tmp_path / "out").outputs}
    word = libreoffice_pdf(out["docx"], tmp_path / "lo")
    allowed = max(1, 0.1 * pages(out["pdf"]))
    assert abs(pages(word) - pages(out["pdf"])) <= allowed, (pages(word), pages(out["pdf"]))


@pytest.mark.needs("shared")
def test_a_corpus_report_without_imprint_has_the_pdfs_pages_in_word(tmp_path):
    """A held-out report of the corpus (citations, notes, references; nothing for the
    imprint): no page in Word that print does not have (an empty imprint page, a chapter's
    space kept at the top of the page it opens)."""
    folder = tmp_path / "csl-ieee"
    shutil.copytree(CORPUS / "csl-ieee", folder)
    out = {p.suffix[1:]: p for p in build_brief(folder / "brief.yaml", tmp_path / "out").outputs}
    word = libreoffice_pdf(out["docx"], tmp_path / "lo")
    # LibreOffice prints the endnotes on a page of their own at the end (Word under their
    # heading): one page more at most.
    assert pages(out["pdf"]) <= pages(word) <= pages(out["pdf"]) + 1
    assert (
        heading_pages(word, ["Citations"])
        == heading_pages(out["pdf"], ["Citations"])
        == {"Citations": 2}
    )


def test_a_draft_has_as_many_word_pages_as_the_final_brief(write_brief, tmp_path):
    counts = {}
    for status in ("final", "draft"):
        path = write_brief(SHORT.format(status=status), name=f"{status}.yaml")
        out = build_brief(path, tmp_path / status, ["docx"]).outputs[0]
        counts[status] = pages(libreoffice_pdf(out, tmp_path / f"lo-{status}"))
    assert counts["draft"] == counts["final"]
