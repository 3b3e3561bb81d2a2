"""Read outputs back the way a user's tools would: python-docx, an HTML parser, pypdf."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import docx
from lxml import etree, html
from pypdf import PdfReader

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_notes(path: Path, kind: str = "footnotes") -> list[str]:
    """Texts of the real notes in word/<kind>.xml (separators excluded)."""
    with zipfile.ZipFile(path) as archive:
        name = f"word/{kind}.xml"
        if name not in archive.namelist():
            return []
        root = etree.fromstring(archive.read(name))
    tag = W + ("footnote" if kind == "footnotes" else "endnote")
    notes = []
    for note in root.iter(tag):
        if int(note.get(W + "id")) > 0:
            notes.append("".join(t.text or "" for t in note.iter(W + "t")).strip())
    return notes


def docx_note_references(path: Path, kind: str = "footnotes") -> int:
    body = docx.Document(str(path)).element.body
    tag = W + ("footnoteReference" if kind == "footnotes" else "endnoteReference")
    return sum(1 for _ in body.iter(tag))


def docx_headings(path: Path) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in docx_paragraphs(path)
            if p.style.name.startswith(("Heading", "Title"))]


def docx_paragraphs(source) -> list:
    """Every paragraph of a DOCX body in reading order, those in tables too (the cover and the
    front box are shaded tables): a path or a python-docx Document."""
    from docx.text.paragraph import Paragraph

    document = source if hasattr(source, "element") else docx.Document(str(source))
    w_p = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"
    return [Paragraph(p, document._body) for p in document.element.body.iter(w_p)]


def docx_text(path: Path) -> str:
    return "\n".join(p.text for p in docx_paragraphs(path))


def html_tree(path: Path):
    return html.fromstring(Path(path).read_bytes())


def pdf_text(path: Path) -> str:
    """pdftotext when present (layout-faithful), else pypdf."""
    try:
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                              capture_output=True).stdout.decode("utf-8")
    except (OSError, subprocess.CalledProcessError):
        return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def squash(text: str) -> str:
    """Text with runs of white space folded, and line breaks after dashes (where a PDF
    viewer breaks lines) joined, for comparing PDF text with the source."""
    text = re.sub(r"\s+", " ", text.replace("\u00ad", "")).strip()
    return re.sub(r"([-\u2010\u2013\u2014]) ", r"\1", text)


def pdf_text_in_columns(path: Path) -> str:
    """The PDF's text in the order it was laid out (pdftotext -raw: the content stream's
    order), which on a page set in two columns (the endnotes) is the left column, then the
    right one; pdftotext's default reading interleaves short balanced columns. Each page
    starts on a line of its own."""
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True).stdout.decode("utf-8")
    return out.replace("\f", "\f\n")


def numbered_in_order(text: str, count: int) -> list[int]:
    """The note numbers 1..count found in order at line starts ("12. text"); a missing one
    stops the walk, so the result equals list(range(1, count + 1)) only when all are there."""
    found, position = [], 0
    for number in range(1, count + 1):
        match = re.compile(rf"^{number}\. \S", re.M).search(text, position)
        if not match:
            break
        found.append(number)
        position = match.end()
    return found


def libreoffice_pdf(docx_path: Path, out_dir: Path) -> Path:
    """The DOCX converted to PDF by LibreOffice headless (a second reader of our Word files)."""
    import shutil

    out_dir.mkdir(parents=True, exist_ok=True)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{out_dir}/profile",
                    "--convert-to", "pdf", "--outdir", str(out_dir), str(docx_path)],
                   check=True, capture_output=True, timeout=180)
    return out_dir / (Path(docx_path).stem + ".pdf")
