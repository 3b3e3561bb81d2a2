"""A second reader for our DOCX: LibreOffice converts it to PDF with its notes and headings."""

from __future__ import annotations


import pytest
from conftest import example_briefs, soffice
from readers import docx_headings, docx_notes, libreoffice_pdf, pdf_text, squash

pytestmark = pytest.mark.needs("soffice")


def convert(docx_path, out_dir):
    return libreoffice_pdf(docx_path, out_dir)


def test_libreoffice_converts_footnotes_docx(tech_ties, tmp_path):
    text = squash(pdf_text(convert(tech_ties["docx"], tmp_path)))
    assert "Sino-Russian technology ties" in text
    assert "Policy considerations and recommendations" in text
    assert "Ibid., 4." in text
    assert "Russia lacks technology giants comparable to Alibaba, Tencent and Huawei." in text


def test_libreoffice_converts_the_long_report_with_all_endnotes(aspi, tmp_path):
    text = squash(pdf_text(convert(aspi["docx"], tmp_path)))
    assert "What’s the problem?" in text and "Conclusions and implications" in text
    notes = docx_notes(aspi["docx"], "endnotes")
    assert len(notes) == 133
    # pdftotext drops some hyphens of LibreOffice's PDFs ("crossborder"): compare without them.
    bare = text.replace("-", "").replace("\u2010", "")
    missing = [i + 1 for i, note in enumerate(notes)
               if squash(note).replace("-", "") not in bare]
    assert missing == [], f"notes LibreOffice did not print: {missing}"


EXAMPLES = example_briefs()


@pytest.mark.parametrize("brief", EXAMPLES, ids=[p.parent.name if p.name == "brief.yaml" else p.stem
                                                 for p in EXAMPLES])
def test_every_example_docx_converts_with_its_notes_and_headings(examples, brief, tmp_path):
    import docx

    path = examples[brief]["docx"]
    assert docx.Document(str(path)).paragraphs  # re-opens in python-docx
    text = squash(pdf_text(convert(path, tmp_path))).replace("-", "").replace("\u2010", "")
    notes = docx_notes(path, "footnotes") + docx_notes(path, "endnotes")
    missing = [i + 1 for i, note in enumerate(notes) if squash(note).replace("-", "") not in text]
    assert missing == [], f"notes LibreOffice did not print: {missing}"
    for style, heading in docx_headings(path):
        assert squash(heading).replace("-", "") in text, heading
