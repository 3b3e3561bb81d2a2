"""The long example: the ASPI report with every heading, the front box, the recommendations
and all 133 notes, in each of the three outputs."""

from __future__ import annotations

import re

import yaml
from pypdf import PdfReader
from readers import (docx_headings, docx_note_references, docx_notes, docx_paragraphs, html_tree,
                     numbered_in_order, pdf_text, pdf_text_in_columns, squash)

from conftest import BRIEFS

NOTES = 133


def section_titles():
    data = yaml.safe_load((BRIEFS / "sino-russian-tech.yaml").read_text(encoding="utf-8"))

    def walk(sections):
        for section in sections:
            yield section["title"]
            yield from walk(section.get("sections", []))

    return list(walk(data["sections"]))


def test_the_example_has_all_its_sections():
    titles = section_titles()
    assert titles[0].startswith("Background: Cold War antecedents")
    assert titles[-1] == "Conclusions and implications"
    assert "Dialogues and exchanges" in titles and "Biotechnology" in titles


def test_docx_has_every_heading_and_133_endnotes(aspi):
    headings = [text for _, text in docx_headings(aspi["docx"])]
    for title in section_titles() + ["Policy considerations and recommendations"]:
        assert title in headings, title
    notes = docx_notes(aspi["docx"], "endnotes")
    assert len(notes) == NOTES and all(notes)
    assert docx_note_references(aspi["docx"], "endnotes") == NOTES
    # the front box (a shaded table) included; contents entries (a tab and page number after
    # the title) are not body text
    paragraphs = [p.text for p in docx_paragraphs(aspi["docx"]) if not p.style.name.startswith("toc")]
    assert "What’s the problem?" in paragraphs and "What’s the solution?" in paragraphs
    recommendations = [t for t in paragraphs if t.startswith("Recommendation ")]
    assert len(recommendations) == 4


def test_html_has_every_heading_and_133_linked_notes(aspi):
    tree = html_tree(aspi["html"])
    headings = {squash(h.text_content()) for h in tree.xpath("//h2|//h3|//h4")}
    for title in section_titles() + ["What’s the problem?", "What’s the solution?",
                                     "Policy considerations and recommendations", "Notes"]:
        assert title in headings, title
    assert len(tree.xpath("//section[@role='doc-endnotes']/ol/li")) == NOTES
    assert len(tree.xpath("//a[@role='doc-noteref']")) == NOTES
    assert len(tree.xpath("//section[@id='recommendations']//li[@class='item']")) == 4


def test_pdf_has_every_heading_contents_page_numbers_and_133_notes(aspi):
    text = pdf_text(aspi["pdf"])
    flat = squash(text)
    for title in section_titles():
        assert squash(title) in flat, title
    columns = pdf_text_in_columns(aspi["pdf"])  # the endnotes are set in two columns
    notes_part = columns[columns.rfind("\nNotes\n"):]
    assert numbered_in_order(notes_part, NOTES) == list(range(1, NOTES + 1))
    reader = PdfReader(str(aspi["pdf"]))
    # The contents page(s): each entry has a dot leader and the page number it points to.
    for title in ("What’s the problem?", "Dialogues and exchanges", "Conclusions and implications",
                  "Policy considerations and recommendations", "Notes"):
        match = re.search(rf"{re.escape(title)} ?\.{{5,}} ?(\d+)", text)
        assert match, title
        page = int(match.group(1))
        assert title.split()[0] in reader.pages[page - 1].extract_text(), title
    assert reader.metadata.author == "Samuel Bendett, Elsa B. Kania"
