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
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

PT_PER_MM = 72 / 25.4
_HYPHENS = ("-", "\u2010", "\u00ad")
_LEADER = re.compile(r"\.{8,}|…{3,}")
_FOLIO = re.compile(r"^(?:\w+ )?(?:\d{1,4}|[ivxlc]{1,6})\b")  # "2", "iv", "Page 2 of 31"
_BARE_FOLIO = re.compile(r"\d{1,4}|[ivxlc]{1,6}")
_STYLE_SUFFIX = re.compile(
    r"(?:[-,]?(?:Bold|Italic|Regular|Oblique|Semibold|Medium|Light|Black))+$", re.I
)
# Fixed labels of briefkit's layouts that contain an apostrophe or quotes.
_STRAIGHT_QUOTE_LABEL = re.compile(r"\b\w+'\w*\b[^.\n]{0,40}\?")


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
    short_page_fill: float = 0.35
    max_short_pages: int = 1
    # A document with a contents page has chapters: their headings at least this many times
    # the body's size (a chapter opener must not read like a continuation).
    min_chapter_ratio: float = 1.8


@dataclass
class PdfAudit:
    path: Path
    pages: int
    fill: list[float]  # share of the text area each page uses, 0..1
    body_size: float
    line_lengths: list[int]  # characters of each full line of body text
    body_lines: int
    hyphenated: int
    longest_hyphen_run: int
    faces: set[str]  # families, e.g. "Noto Serif"
    fonts: set[str]  # font names as embedded (subset tag removed)
    margins_mm: dict[str, float]
    back_links: int
    straight_quote_labels: list[str]
    folios: list[Optional[str]] = field(default_factory=list)  # each page's folio, None: none
    heading_size: float = 0.0  # the largest heading after the first page
    has_contents: bool = False  # a contents page (leader lines)
    touching_calls: list[str] = field(default_factory=list)  # "67" where 6 and 7 were called
    calls_at_line_start: int = 0
    text: str = field(repr=False, default="")

    @property
    def short_pages(self) -> list[int]:
        """Numbered pages (1-based) filled `Thresholds.short_page_fill` or less, the last aside."""
        limit = Thresholds.short_page_fill
        return [
            n
            for n, (fill, folio) in enumerate(zip(self.fill, self.folios), 1)
            if folio is not None and fill <= limit and n < self.pages
        ]

    @property
    def chapter_ratio(self) -> float:
        return round(self.heading_size / self.body_size, 2) if self.body_size else 0.0

    @property
    def median_chars(self) -> float:
        return statistics.median(self.line_lengths) if self.line_lengths else 0.0

    def percentile(self, q: int) -> float:
        if len(self.line_lengths) < 2:
            return self.median_chars
        return statistics.quantiles(self.line_lengths, n=100, method="inclusive")[q - 1]

    @property
    def hyphenated_share(self) -> float:
        return self.hyphenated / self.body_lines if self.body_lines else 0.0


@dataclass
class DocxAudit:
    path: Path
    page_mm: dict[str, float]
    faces: set[str]
    touching_calls: int = 0  # note references with no text between them


def face_of(fontname: str) -> str:
    """'ABCDEF+Noto-Serif-BoldItalic' -> 'Noto Serif'."""
    name = fontname.split("+", 1)[-1]
    name = _STYLE_SUFFIX.sub("", name)
    return re.sub(r"(?<=[a-z])(?=[A-Z])|-", " ", name).replace("  ", " ").strip()


def audit_pdf(path: Path) -> PdfAudit:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        pages = [
            (page.width, page.height, page.extract_text_lines(return_chars=True), page.images)
            for page in pdf.pages
        ]
    sizes: Counter = Counter()
    fonts: set[str] = set()
    for _, _, lines, _ in pages:
        for line in lines:
            for char in line["chars"]:
                fonts.add(char["fontname"].split("+", 1)[-1])
                if char["text"].strip():
                    sizes[(round(char["size"], 1), face_of(char["fontname"]))] += 1
    (body_size, body_face), _ = sizes.most_common(1)[0] if sizes else ((0.0, ""), 0)

    def is_body(line) -> bool:
        chars = [c for c in line["chars"] if c["text"].strip()]
        alike = [
            c
            for c in chars
            if abs(c["size"] - body_size) < 0.3 and face_of(c["fontname"]) == body_face
        ]
        return bool(chars) and len(alike) >= 0.8 * len(chars) and not _LEADER.search(line["text"])

    body = [
        sorted((line for line in lines if is_body(line)), key=lambda item: item["top"])
        for _, _, lines, _ in pages
    ]
    all_body = [line for lines in body for line in lines]
    # A full line is one the paragraph wraps after: the next body line follows at the line
    # pitch and starts at the same place (the last line of a paragraph is short by nature).
    full = [
        line
        for lines in body
        for line, after in zip(lines, lines[1:])
        if after["top"] - line["bottom"] < 0.75 * body_size and abs(after["x0"] - line["x0"]) < 1
    ]
    # The margins as Word states them: `left` that of a right-hand (odd) page, the inner one
    # when the design mirrors them; `right` the outer one then (a left-hand page's left edge),
    # else where full lines end.
    recto_left = _block_edge(pages, 0)
    verso_left = _block_edge(pages, 1) if len(pages) > 1 else None
    left = recto_left
    mirrored = verso_left is not None and abs(verso_left - recto_left) > 2
    right = max((line["x1"] for line in full or all_body), default=0.0)
    right_margin = verso_left if mirrored else None
    line_lengths = [len(line["text"]) for line in full]

    hyphenated, longest, run = 0, 0, 0
    for lines in body:
        previous_bottom = None
        for line in lines:
            ends = line["text"].rstrip().endswith(_HYPHENS) and re.search(
                r"\w[-\u2010\u00ad]$", line["text"].rstrip()
            )
            # A run continues only on the next line of the same block.
            adjacent = previous_bottom is not None and line["top"] - previous_bottom < body_size
            if ends:
                hyphenated += 1
                run = run + 1 if adjacent else 1
                longest = max(longest, run)
            else:
                run = 0
            previous_bottom = line["bottom"]

    top = min((line["top"] for line in all_body), default=0.0)
    folio_lines = [_folio_line(lines, body_size) for _, _, lines, _ in pages]
    folios = [line["text"].strip() if line else None for line in folio_lines]
    # The text block's foot: the lowest text that is not a folio (footnotes included), after
    # the first page (a cover's publisher line stands lower).
    bottom = max(
        [
            line["bottom"]
            for n, (_, _, lines, _) in enumerate(pages)
            if n > 0 or len(pages) == 1
            for line in lines
            if line is not folio_lines[n] and line["top"] >= top - 2
        ]
        + [line["bottom"] for line in all_body],
        default=0.0,
    )
    fill = []
    for (_width, _height, lines, images), folio in zip(pages, folio_lines):
        # What the text block holds: lines of text and pictures (a page of figures is full).
        inside = [
            (box["top"], box["bottom"])
            for box in [*lines, *images]
            if box is not folio and box["top"] >= top - 2 and box["bottom"] <= bottom + 2
        ]
        if not inside or bottom <= top:
            fill.append(0.0)
            continue
        used = max(b for _, b in inside) - min(t for t, _ in inside)
        fill.append(round(min(1.0, used / (bottom - top)), 2))
    heading = max(
        (
            size
            for n, (_, _, lines, _) in enumerate(pages)
            if n > 0
            for size in _heading_sizes(lines, body_size)
        ),
        default=0.0,
    )
    touching, at_start = _note_calls(pages, body_size)
    page_width, page_height = (pages[0][0], pages[0][1]) if pages else (0.0, 0.0)
    margins = {
        "left": left / PT_PER_MM,
        "right": (right_margin if right_margin is not None else page_width - right) / PT_PER_MM,
        "top": top / PT_PER_MM,
        "bottom": (page_height - bottom) / PT_PER_MM,
    }
    text = "\n".join(line["text"] for _, _, lines, _ in pages for line in lines)
    return PdfAudit(
        path=Path(path),
        pages=len(pages),
        fill=fill,
        body_size=body_size,
        line_lengths=line_lengths,
        body_lines=len(all_body),
        hyphenated=hyphenated,
        longest_hyphen_run=longest,
        faces={face_of(f) for f in fonts},
        fonts=fonts,
        margins_mm={k: round(v, 1) for k, v in margins.items()},
        back_links=text.count("\u21a9"),
        straight_quote_labels=sorted(
            set(_STRAIGHT_QUOTE_LABEL.findall(text)) & _labels_with_quotes()
        ),
        folios=folios,
        heading_size=heading,
        has_contents=bool(_LEADER.search(text)),
        touching_calls=touching,
        calls_at_line_start=at_start,
        text=text,
    )


def _block_edge(pages, parity: int) -> float:
    """The text block's left edge on the pages of `parity` (0: odd pages, 1: even): the
    leftmost place where lines start again and again (indented items start further in)."""
    starts = Counter(
        round(line["x0"], 0)
        for n, (_, _, lines, _) in enumerate(pages)
        if n % 2 == parity
        for line in lines
        if any(c["text"].strip() for c in line["chars"])
    )
    return min(
        (x for x, count in starts.items() if count >= 3),
        default=_mode(list(starts.elements())),
    )


def _folio_line(lines, body_size: float):
    """The page's folio: its lowest line, short, with a number, standing apart from the text."""
    if not lines:
        return None
    ordered = sorted(lines, key=lambda line: line["top"])
    last = ordered[-1]
    apart = len(ordered) == 1 or last["top"] - ordered[-2]["bottom"] > body_size
    text = last["text"].strip()
    return last if apart and len(text) <= 24 and _FOLIO.search(text) else None


def _heading_sizes(lines, body_size: float):
    """The sizes of a page's heading lines: one size throughout, larger than the body by a
    fifth, bold, and words (a takeaway's big numeral is not a heading)."""
    for line in lines:
        chars = [c for c in line["chars"] if c["text"].strip()]
        sizes = {round(c["size"], 1) for c in chars}
        if (
            len(sizes) == 1
            and min(sizes) >= 1.2 * body_size
            and re.search(r"[^\W\d]{2}", line["text"])
            and all("Bold" in c["fontname"] for c in chars)
        ):
            yield min(sizes)


def _note_calls(pages, body_size: float) -> tuple[list[str], int]:
    """Note calls in reading order, read from the raised small digits of text lines: those
    that touch the next call ("67" where 6 then 7 were due), and how many open a line."""
    tokens: list[tuple[str, bool]] = []  # (call text, at the start of its line)
    for _, _, lines, _ in pages:
        for line in lines:
            chars = line["chars"]
            normal = [
                c["bottom"] for c in chars if c["size"] >= 0.9 * body_size and c["text"].strip()
            ]
            if not normal:
                continue
            baseline = statistics.median(normal)
            raised = [
                c["text"]
                if (c["text"] in ",\u2013-" or c["text"].isdigit())
                and c["size"] < 0.85 * body_size
                and c["bottom"] < baseline - 0.15 * body_size
                else None
                for c in chars
            ]
            run, start = "", None
            for index, text in enumerate([*raised, None]):
                if text is not None:
                    start = index if start is None else start
                    run += text
                elif run:
                    first_visible = next(i for i, c in enumerate(chars) if c["text"].strip())
                    tokens += [
                        (call, start == first_visible)
                        for call in re.split(r"[,\u2013-]", run)
                        if call
                    ]
                    run, start = "", None
    touching, expected = [], 1
    for call, _ in tokens:
        number = int(call)
        if number != expected and call.startswith(str(expected)) and len(call) > len(str(expected)):
            # "67" where 6 was due: 6 and 7 printed as one number.
            touching.append(call)
            rest, expected = call[len(str(expected)) :], expected + 1
            while rest.startswith(str(expected)):
                rest, expected = rest[len(str(expected)) :], expected + 1
            continue
        expected = number + 1
    return touching, sum(1 for _, at_start in tokens if at_start)


def _labels_with_quotes() -> set[str]:
    """The built-in fixed labels that hold an apostrophe, spelt with a straight one."""
    from briefkit.layout.folders import available, load_layout

    found = set()
    for name in available():
        for label in load_layout(name).labels.values():
            if "\u2019" in str(label) or "'" in str(label):
                found.add(str(label).replace("\u2019", "'"))
    return found


def audit_docx(path: Path) -> DocxAudit:
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(str(path))
    # The body's page setup: the last section (a cover may be a section of its own, full bleed).
    section = document.sections[-1]
    page = {
        "width": section.page_width.mm,
        "height": section.page_height.mm,
        "top": section.top_margin.mm,
        "right": section.right_margin.mm,
        "bottom": section.bottom_margin.mm,
        "left": section.left_margin.mm,
    }
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


def _mode(values: list[float]) -> float:
    return Counter(values).most_common(1)[0][0] if values else 0.0


if __name__ == "__main__":
    sys.exit(main())
