"""Audit a proof as a publications designer would: a PDF (and its DOCX twin) in, measures out.

    python -m briefkit.audit FILE.pdf [FILE.docx] [--max-pages N]

prints pages and how full each is (pages without a folio, a cover or an imprint, are
furniture and not counted as short), the folios, characters per line of body text (median and
10th/90th percentiles over full lines), the share of lines that end hyphenated and the longest
run of them, the type ratio (chapter heading size over body size), note calls that touch
("67" for 6 and 7) or open a line, the faces used, the margins, fixed labels with straight
quotes, print-only faults ("↩" back-links), and for a DOCX its page setup, the faces its
styles name and its touching note references. It exits 1 when a threshold (`Thresholds`) is
broken, listing each fault. PDF text and boxes come from pdfplumber (pdfminer.six); the DOCX
is read with python-docx.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from briefkit.audit_pdf import SHORT_PAGE_FILL, PdfAudit, audit_pdf, face_of

if TYPE_CHECKING:
    from docx.shared import Length

__all__ = [
    "DocxAudit",
    "PdfAudit",
    "Thresholds",
    "audit_docx",
    "audit_pdf",
    "face_of",
    "faults",
    "main",
    "report",
]

_BARE_FOLIO = re.compile(r"\d{1,4}|[ivxlc]{1,6}")


@dataclass
class Thresholds:
    """What the issue asks of every example: a designer's limits for a proof."""

    chars_per_line: tuple[int, int] = (60, 75)
    max_hyphenated_share: float = 0.08
    max_hyphen_run: int = 2
    forbidden_faces: tuple[str, ...] = ("DejaVu",)
    max_pages: Optional[int] = None
    margin_tolerance_mm: float = 1.5
    min_full_lines: int = 12  # fewer: too little text to measure a measure
    # Pagination: numbered pages (the last one aside) this full or less are short; at most
    # `max_short_pages` of them.
    short_page_fill: float = SHORT_PAGE_FILL
    max_short_pages: int = 1
    # A document with a contents page has chapters: their headings at least this many times
    # the body's size (a chapter opener must not read like a continuation).
    min_chapter_ratio: float = 1.8


@dataclass
class DocxAudit:
    path: Path
    page_mm: dict[str, float]
    faces: set[str]
    touching_calls: int = 0  # note references with no text between them


def _mm(length: Optional[Length], name: str, path: Path) -> float:
    if length is None:  # python-docx: the section does not set it
        raise ValueError(f"{path}: the last section sets no page {name}")
    return length.mm


def audit_docx(path: Path) -> DocxAudit:
    # python-docx only when a DOCX is audited (a PDF audit does without it)
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(str(path))
    # The body's page setup: the last section (a cover may be a section of its own, full bleed).
    section = document.sections[-1]
    lengths = {
        "width": section.page_width,
        "height": section.page_height,
        "top": section.top_margin,
        "right": section.right_margin,
        "bottom": section.bottom_margin,
        "left": section.left_margin,
    }
    page = {name: _mm(length, name, path) for name, length in lengths.items()}
    styles = document.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    used = {p.style.style_id for p in document.paragraphs if p.style is not None}
    used |= {
        "Normal",
        next(
            (
                sid
                for sid, s in by_id.items()
                if s.get(qn("w:default")) == "1" and s.get(qn("w:type")) == "paragraph"
            ),
            "Normal",
        ),
    }
    faces = set()

    def font_of(style_id, depth=0) -> Optional[str]:
        style = by_id.get(style_id)
        if style is None or depth > 20:
            return None
        fonts = style.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None and fonts.get(qn("w:ascii")):
            return fonts.get(qn("w:ascii"))
        based = style.find(qn("w:basedOn"))
        return font_of(based.get(qn("w:val")), depth + 1) if based is not None else None

    default = styles.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}"
    )
    for style_id in used:
        name = font_of(style_id) or (default.get(qn("w:ascii")) if default is not None else None)
        if name:
            faces.add(name)
    return DocxAudit(
        path=Path(path),
        page_mm={k: round(v, 1) for k, v in page.items()},
        faces=faces,
        touching_calls=_touching_references(document),
    )


def _touching_references(document) -> int:
    """Note references in the body with no text between them and the reference before."""
    # python-docx: see audit_docx
    from docx.oxml.ns import qn

    refs = (qn("w:footnoteReference"), qn("w:endnoteReference"))
    touching = 0
    for paragraph in document.element.body.iter(qn("w:p")):
        previous_is_call = False
        for run in paragraph.iter(qn("w:r")):
            if any(run.find(ref) is not None for ref in refs):
                touching += previous_is_call
                previous_is_call = True
            elif "".join(t.text or "" for t in run.iter(qn("w:t"))):
                previous_is_call = False
    return touching


def faults(
    pdf: PdfAudit, docx_audit: Optional[DocxAudit] = None, limits: Thresholds = Thresholds()
) -> list[str]:
    """Every threshold the proof breaks, one sentence each (empty: the proof passes)."""
    out = []
    low, high = limits.chars_per_line
    measurable = len(pdf.line_lengths) >= limits.min_full_lines
    if measurable and not low <= pdf.median_chars <= high:
        out.append(
            f"{pdf.median_chars:g} characters per line of body text (median); expected {low}-{high}"
        )
    if pdf.hyphenated_share > limits.max_hyphenated_share:
        out.append(
            f"{pdf.hyphenated_share:.1%} of body lines end hyphenated; expected at most "
            f"{limits.max_hyphenated_share:.0%}"
        )
    if pdf.longest_hyphen_run > limits.max_hyphen_run:
        out.append(
            f"{pdf.longest_hyphen_run} hyphenated lines in a row; expected at most "
            f"{limits.max_hyphen_run}"
        )
    bad = sorted(
        f for f in pdf.fonts if any(x.lower() in f.lower() for x in limits.forbidden_faces)
    )
    if bad:
        out.append(f"forbidden faces in the PDF: {', '.join(bad)}")
    if pdf.back_links:
        out.append(f"{pdf.back_links} web back-links (\u21a9) in print")
    if pdf.straight_quote_labels:
        out.append(f"labels with straight quotes: {', '.join(pdf.straight_quote_labels)}")
    if limits.max_pages is not None and pdf.pages > limits.max_pages:
        out.append(f"{pdf.pages} pages; expected at most {limits.max_pages}")
    wordy = sorted({f for f in pdf.folios if f is not None and not _BARE_FOLIO.fullmatch(f)})
    if wordy:
        out.append(f"folios with words: '{wordy[0]}'; expected the bare page number")
    short = pdf.short_pages
    if len(short) > limits.max_short_pages:
        out.append(
            f"{len(short)} numbered pages {limits.short_page_fill:.0%} full or less "
            f"(pp. {', '.join(map(str, short))}); expected at most "
            f"{limits.max_short_pages} besides the last"
        )
    if pdf.has_contents and pdf.chapter_ratio < limits.min_chapter_ratio:
        out.append(
            f"chapter headings {pdf.heading_size:g} pt, {pdf.chapter_ratio:g} times the "
            f"body; expected at least {limits.min_chapter_ratio:g} times"
        )
    if pdf.touching_calls:
        out.append(f"note calls that touch: {', '.join(pdf.touching_calls[:5])}")
    if pdf.calls_at_line_start:
        out.append(f"{pdf.calls_at_line_start} note calls open a line")
    if docx_audit is not None and docx_audit.touching_calls:
        out.append(f"DOCX: {docx_audit.touching_calls} note references touch the one before")
    if docx_audit is not None:
        # The right edge of ragged text is known only from enough full lines.
        for side in ("left", "right") if measurable else ("left",):
            if abs(docx_audit.page_mm[side] - pdf.margins_mm[side]) > limits.margin_tolerance_mm:
                out.append(
                    f"DOCX {side} margin {docx_audit.page_mm[side]:g} mm, PDF "
                    f"{pdf.margins_mm[side]:g} mm"
                )
        pdf_faces = {f for f in pdf.faces if "CJK" not in f}
        if docx_audit.faces != pdf_faces:
            out.append(
                f"DOCX names the faces {sorted(docx_audit.faces)}, the PDF uses {sorted(pdf_faces)}"
            )
    return out


def report(pdf: PdfAudit, docx_audit: Optional[DocxAudit] = None) -> str:
    lines = [
        f"{pdf.path}: {pdf.pages} pages, filled "
        + " ".join(f"{round(f * 100)}%" for f in pdf.fill),
        f"  body text {pdf.body_size:g} pt, {pdf.body_lines} lines; characters per full line: "
        f"median {pdf.median_chars:g}, p10 {pdf.percentile(10):g}, p90 {pdf.percentile(90):g}",
        f"  hyphenated line ends: {pdf.hyphenated} ({pdf.hyphenated_share:.1%}), longest run "
        f"{pdf.longest_hyphen_run}",
        "  folios: "
        + " ".join(folio or "-" for folio in pdf.folios)
        + f"; short numbered pages: {', '.join(map(str, pdf.short_pages)) or 'none'}",
        f"  type ratio: headings up to {pdf.heading_size:g} pt, {pdf.chapter_ratio:g}x the "
        f"body{' (chapters: a contents page)' if pdf.has_contents else ''}",
        f"  note calls: {len(pdf.touching_calls)} touching, {pdf.calls_at_line_start} "
        "opening a line",
        f"  faces: {', '.join(sorted(pdf.fonts))}",
        "  margins (text block): " + ", ".join(f"{k} {v:g} mm" for k, v in pdf.margins_mm.items()),
    ]
    if docx_audit is not None:
        lines += [
            f"{docx_audit.path}: page "
            + ", ".join(f"{k} {v:g} mm" for k, v in docx_audit.page_mm.items()),
            f"  faces named: {', '.join(sorted(docx_audit.faces))}; note references "
            f"touching: {docx_audit.touching_calls}",
        ]
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m briefkit.audit", description=__doc__.split("\n")[0]
    )
    parser.add_argument("pdf", type=Path)
    parser.add_argument("docx", type=Path, nargs="?")
    parser.add_argument("--max-pages", type=int)
    args = parser.parse_args(argv)
    for path in (args.pdf, args.docx):
        if path is not None and not path.is_file():
            parser.error(f"{path}: no such file")
    pdf = audit_pdf(args.pdf)
    docx_audit = audit_docx(args.docx) if args.docx else None
    print(report(pdf, docx_audit))
    found = faults(pdf, docx_audit, Thresholds(max_pages=args.max_pages))
    for fault in found:
        print(f"fault: {fault}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
