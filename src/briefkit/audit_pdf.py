"""The designer's measures of a PDF proof: a PDF in, a `PdfAudit` out.

Read with pdfplumber (pdfminer.six): every text line with its characters' faces and sizes,
and the pictures. Measured: how full each page's text block is and which pages carry a folio
(a cover or an imprint carries none), the body text's size and face, characters per full line,
hyphenated line ends and their runs, the largest heading after the first page (the type
ratio), the note calls in reading order (raised small digits) and those that touch or open a
line, the faces, the margins of a right-hand page (the outer one of a mirrored design read
from a left-hand page), fixed labels with straight quotes and "↩" back-links. `audit.py`
judges the measures against a designer's thresholds.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from briefkit.layout.folders import available, load_layout

# A numbered page this full or less is short (the designer's threshold, `Thresholds`).
SHORT_PAGE_FILL = 0.35
PT_PER_MM = 72 / 25.4
_HYPHENS = ("-", "\u2010", "\u00ad")
_LEADER = re.compile(r"\.{8,}|…{3,}")
_FOLIO = re.compile(r"^(?:\w+ )?(?:\d{1,4}|[ivxlc]{1,6})\b")  # "2", "iv", "Page 2 of 31"
_STYLE_SUFFIX = re.compile(
    r"(?:[-,]?(?:Bold|Italic|Regular|Oblique|Semibold|Medium|Light|Black))+$", re.I
)
# Fixed labels of briefkit's layouts that contain an apostrophe or quotes.
_STRAIGHT_QUOTE_LABEL = re.compile(r"\b\w+'\w*\b[^.\n]{0,40}\?")


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
        limit = SHORT_PAGE_FILL
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


def face_of(fontname: str) -> str:
    """'ABCDEF+Noto-Serif-BoldItalic' -> 'Noto Serif'."""
    name = fontname.split("+", 1)[-1]
    name = _STYLE_SUFFIX.sub("", name)
    return re.sub(r"(?<=[a-z])(?=[A-Z])|-", " ", name).replace("  ", " ").strip()


def audit_pdf(path: Path) -> PdfAudit:
    # pdfplumber is the `audit` extra, not a dependency of briefkit
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
    found = set()
    for name in available():
        for label in load_layout(name).labels.values():
            if "\u2019" in str(label) or "'" in str(label):
                found.add(str(label).replace("\u2019", "'"))
    return found


def _mode(values: list[float]) -> float:
    return Counter(values).most_common(1)[0][0] if values else 0.0
