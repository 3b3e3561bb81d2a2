"""The DOCX is the PDF's twin: for every example and every layout's starter, the Word file
(read with python-docx, its notes part included) and the PDF (pdftotext, its outline) show the
same parts, labels, headings and notes, in the same order."""

from __future__ import annotations

import datetime as dt
import re

import docx
import pytest
from docx.text.paragraph import Paragraph
from conftest import example_briefs
from pypdf import PdfReader
from readers import docx_notes, pdf_text, pdf_text_in_columns, squash

from briefkit.layout.folders import available

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Title-block lines: the cover may place them anywhere on its page (the PDF puts the publisher
# at the foot of the report's cover), so they are held to be present, not to an order.
TITLE_BLOCK = {"Title", "Subtitle", "Publisher", "Kicker", "Byline", "Dateline", "Series Line"}
# Lines that carry labels and composed words: held to the PDF's order.
LABELLED = {"Item Title", "Item Meta", "Caption", "Categories", "Colophon", "TOC Heading",
            "Front Box Heading", "toc 1", "toc 2"}
STARTERS = sorted(available())


def body_paragraphs(document) -> list[Paragraph]:
    """Every paragraph of the body in reading order, those in tables too (the cover and the
    front box are shaded tables)."""
    return [Paragraph(p, document._body) for p in document.element.body.iter(f"{W}p")]


def docx_outline(document) -> list[str]:
    """What Word's navigation pane lists: the title, headings and paragraphs with an outline
    level (labelled items, the front box's headings)."""
    out = []
    for p in body_paragraphs(document):
        name = p.style.name
        explicit = p._p.find(f"{W}pPr/{W}outlineLvl")
        if p.text.strip() and (name == "Title" or name.startswith("Heading ") or explicit is not None):
            out.append(squash(p.text))
    return out


def pdf_outline(path) -> list[str]:
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(squash(item.title))

    walk(PdfReader(str(path)).outline)
    return titles


def comparable(text: str) -> str:
    """Text as both files are compared: white space folded, case ignored (CSS may print a line
    in capitals), and hyphens dropped (the PDF hyphenates at line ends, and pdftotext drops a
    hyphen it takes for one)."""
    text = re.sub(r"\s+([\u2013\u2014])", r"\1", text)  # a narrow column breaks before a dash
    return squash(text.replace("\u2010\n", "")).replace("-", "").replace("\u2010", "").casefold()


def flat_pdf(path) -> str:
    return comparable(pdf_text(path))


def in_order(phrases: list[str], text: str) -> list[str]:
    """The phrases not found in `text` after the previous one (empty: all there, in order)."""
    missing, at = [], 0
    for phrase in phrases:
        found = text.find(comparable(phrase), at)
        if found < 0:
            missing.append(phrase)
        else:
            at = found + 1
    return missing


def check_twins(out: dict) -> None:
    document = docx.Document(str(out["docx"]))
    pdf = flat_pdf(out["pdf"])
    # Headings: the same, in the same order, in Word's outline and the PDF's bookmarks.
    assert docx_outline(document) == pdf_outline(out["pdf"])
    # Parts and labels: every title-block line is printed; every labelled line in order.
    lines = [(p.style.name, p.text) for p in body_paragraphs(document) if p.text.strip()]
    missing = [t for s, t in lines if s in TITLE_BLOCK and comparable(t) not in pdf]
    assert not missing, f"title block lines missing from the PDF: {missing}"
    # (a contents entry up to its page number: the PDF sets dot leaders between them)
    labelled = [t.split("\t")[0] for s, t in lines if s in LABELLED or s.startswith("Heading ")]
    assert not in_order(labelled, pdf), f"out of order or missing in the PDF: {in_order(labelled, pdf)}"
    # Notes: the same notes, in the same order (footnotes or endnotes).
    endnotes = docx_notes(out["docx"], "endnotes")
    notes = docx_notes(out["docx"], "footnotes") + endnotes
    heads = [squash(n)[:60] for n in notes]
    # Endnotes are set in two columns: read them column by column, as a reader does.
    text = comparable(pdf_text_in_columns(out["pdf"])) if endnotes else pdf
    assert not in_order(heads, text), (
        f"notes missing or out of order in the PDF: {in_order(heads, text)[:3]}")


@pytest.mark.parametrize("brief", example_briefs(), ids=lambda p: p.stem)
def test_example_docx_and_pdf_are_twins(examples, brief):
    check_twins(examples[brief])


@pytest.mark.parametrize("layout", STARTERS)
def test_starter_docx_and_pdf_are_twins(starters, layout):
    check_twins(starters[layout])


def test_parity_check_catches_a_heading_missing_from_word(examples):
    """The check can fail: a DOCX that lost a heading is not the PDF's twin."""
    brief = next(b for b in example_briefs() if b.stem == "sino-russian-tech")
    out = dict(examples[brief])
    document = docx.Document(str(out["docx"]))
    heading = next(p for p in document.paragraphs if p.style.name == "Heading 2")
    heading._p.getparent().remove(heading._p)
    broken = out["docx"].with_name("broken.docx")
    document.save(str(broken))
    with pytest.raises(AssertionError):
        check_twins({**out, "docx": broken})
