"""The front box planned onto its pages: its blocks and the design in, the size of its text out.

A designer fits the problem/solution box to at most two pages (`pagination.front_box_pages`)
by setting its text a little smaller when it runs long. The box's height is estimated from its
characters before anything is laid out (the same answer for the PDF and the Word file, and no
second layout): a face sets English at about half an em a character, spaces included (Noto
Serif 0.48), so a line of the box holds its width over that many characters; each paragraph
takes its lines at the leading, plus the space after it. The text steps down by half a point
from `type.box` to `type.box_min` until the estimate fits; when even that does not, the box
keeps `box_min` and the plan says so (a warning at the brief's `summary`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from briefkit import model as m

# Characters a line of text holds is its width over this many ems a character (Noto Serif
# sets English at 0.48; a little more allows for ragged line ends and bold).
EM_PER_CHARACTER = 0.52
MM_PER_PT = 25.4 / 72
LIST_INDENT_MM = 8.0  # a list item's text starts this far in
BOX_PADDING_MM = 12.0  # the box's padding, left and right together, and its rule


@dataclass(frozen=True)
class BoxPlan:
    size: float  # pt, the box's text
    pages: float  # the estimated height in text blocks
    fits: bool


def plan(problem: list, solution: list, design) -> BoxPlan:
    """The size of the box's text, and the pages the estimate gives it."""
    get = lambda group, name: float(design.get(group, name))  # noqa: E731
    limit = float(design.tokens.get("pagination", {}).get("front_box_pages") or 2)
    width = design.text_width_mm() - BOX_PADDING_MM
    height = design.text_height_mm()
    headings = sum(1 for blocks in (problem, solution) if blocks)
    heading_mm = (
        headings
        * (
            get("type", "box_heading") * 1.2
            + get("spacing", "heading_2_before")
            + get("spacing", "heading_2_after")
        )
        * MM_PER_PT
    )
    size, smallest = get("type", "box"), get("type", "box_min")
    while True:
        used = heading_mm + _blocks_mm(
            [*problem, *solution], size, width, get("type", "leading"), get("spacing", "paragraph")
        )
        pages = used / height
        if pages <= limit or size - 0.5 < smallest:
            return BoxPlan(size=size, pages=round(pages, 2), fits=pages <= limit)
        size -= 0.5


def _blocks_mm(blocks: list, size: float, width: float, leading: float, space_pt: float) -> float:
    line_mm = size * leading * MM_PER_PT
    total = 0.0
    for block in blocks:
        if isinstance(block, m.ListBlock):
            for item in block.items:
                total += _blocks_mm(item, size, width - LIST_INDENT_MM, leading, space_pt / 2)
            total += space_pt * MM_PER_PT
        elif isinstance(block, (m.Para, m.Heading)):
            characters = len(_text(block.children))
            per_line = max(1, int(width / (EM_PER_CHARACTER * size * MM_PER_PT)))
            total += math.ceil(characters / per_line) * line_mm + space_pt * MM_PER_PT
        elif isinstance(block, (m.Quote, m.Callout)):
            total += _blocks_mm(block.children, size, width - LIST_INDENT_MM, leading, space_pt)
        else:  # a table, figure or code block: a few lines' worth, counted roughly
            total += 6 * line_mm
    return total


def _text(inlines) -> str:
    out = []
    for inline in inlines:
        if isinstance(inline, (m.Text, m.Code)):
            out.append(inline.text)
        elif isinstance(inline, m.NoteRef):
            out.append(str(inline.note.number))
        else:
            out.append(_text(getattr(inline, "children", ()) or ()))
    return "".join(out)
