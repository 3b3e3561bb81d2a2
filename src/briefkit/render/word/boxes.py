"""Word shapes that print as the PDF's boxes: a story (body, cell) in, a table cell to write into
out.

A shaded block with a rule (the front box, a box) and the full-bleed cover: a page-sized shaded
table in a section of its own with no margins; and how a data table shows its table style. Tables are what Word and LibreOffice both draw the same way (anchored shapes and
frames are not); the content of every cell is written by the writer's own block code.
"""

from __future__ import annotations

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm, RGBColor
from docx.table import _Cell

from briefkit.ooxml.order import place


def twips(mm: float) -> int:
    return int(round(mm * 1440 / 25.4))


def _set_table_property(table, xml: str) -> None:
    """Put a w:tblPr child where the schema orders it (Word refuses files otherwise)."""
    place(table._tbl.tblPr, parse_xml(xml))


def _no_borders(table) -> None:
    sides = "".join(
        f'<w:{side} w:val="nil"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    _set_table_property(table, f"<w:tblBorders {nsdecls('w')}>{sides}</w:tblBorders>")
    _set_table_property(table, f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>')
    # A box has no header row (readers such as Pandoc take the look's first row for one).
    _set_table_property(
        table,
        f'<w:tblLook {nsdecls("w")} w:val="0000" w:firstRow="0" '
        'w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" '
        'w:noVBand="1"/>',
    )
    table.autofit = False


def style_cell(
    cell,
    *,
    fill: str | None = None,
    margins_mm=(0, 0, 0, 0),
    rules: dict | None = None,
    width_mm: float | None = None,
) -> None:
    """Shading, rules ({side: (points, RRGGBB)}) and inner margins (top, right, bottom, left)."""
    tcpr = cell._tc.get_or_add_tcPr()
    if width_mm is not None:
        cell.width = Mm(width_mm)
    if rules:
        sides = "".join(
            f'<w:{side} w:val="single" w:sz="{int(points * 8)}" w:space="0" w:color="{color}"/>'
            for side, (points, color) in rules.items()
        )
        place(tcpr, parse_xml(f"<w:tcBorders {nsdecls('w')}>{sides}</w:tcBorders>"))
    if fill:
        place(
            tcpr, parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>')
        )
    top, right, bottom, left = margins_mm
    place(
        tcpr,
        parse_xml(
            f'<w:tcMar {nsdecls("w")}><w:top w:w="{twips(top)}" w:type="dxa"/>'
            f'<w:left w:w="{twips(left)}" w:type="dxa"/><w:bottom w:w="{twips(bottom)}" w:type="dxa"/>'
            f'<w:right w:w="{twips(right)}" w:type="dxa"/></w:tcMar>'
        ),
    )


def add_table(story, rows: int, cols: int, width):
    """A table in any story: the body, a note, or a table cell (which sizes it itself)."""
    if isinstance(story, _Cell):
        return story.add_table(rows, cols)
    return story.add_table(rows, cols, width)


def box(story, width, *, fill: str | None, rules: dict | None = None, margins_mm=(3, 5, 3, 5)):
    """One shaded cell across the text width: a block that holds paragraphs and lists."""
    table = add_table(story, 1, 1, width)
    _no_borders(table)
    cell = table.cell(0, 0)
    style_cell(cell, fill=fill, rules=rules, margins_mm=margins_mm)
    if isinstance(story, _Cell):  # a table in a cell takes the cell's width unless told
        table.columns[0].width = cell.width = width
        _set_table_property(
            table, f'<w:tblW {nsdecls("w")} w:w="{int(width / 635)}" w:type="dxa"/>'
        )
    return cell  # a long box runs on over pages, as in print (never split inside a paragraph)


def page_foot(story, width, height_mm: float):
    """A borderless cell about as high as the text block, its content at the bottom: a page of
    its own whose text stands at the foot (an imprint). 8 mm less than the block: LibreOffice
    gives a page with a (first-page) header a little less room than Word, and a cell too high
    for the page moves whole to the next one."""
    table = add_table(story, 1, 1, width)
    _no_borders(table)
    cell = table.cell(0, 0)
    style_cell(cell)
    place(
        table._tbl.tr_lst[0].get_or_add_trPr(),
        parse_xml(f'<w:trHeight {nsdecls("w")} w:val="{twips(height_mm - 8)}" w:hRule="atLeast"/>'),
    )
    place(cell._tc.get_or_add_tcPr(), parse_xml(f'<w:vAlign {nsdecls("w")} w:val="bottom"/>'))
    return cell


def full_bleed_cover(story, page: dict, fill: str, top_mm: float = 70, foot_mm: float = 42):
    """A page-sized shaded table (main cell, foot cell) ending in a section of its own without
    margins, as the PDF's cover; the next section keeps the body's page setup. The main cell's
    text starts `top_mm` down (LibreOffice ignores space before a cell's first paragraph)."""
    # A little wider than the page (a bleed: the edge is cut, never left white) ...
    width = page["width"] + 4
    table = story.add_table(2, 1, Mm(width))
    _no_borders(table)
    _set_table_property(table, f'<w:tblW {nsdecls("w")} w:w="{twips(width)}" w:type="dxa"/>')
    _set_table_property(table, f'<w:tblInd {nsdecls("w")} w:w="0" w:type="dxa"/>')
    # ... and a hair under its height: the section's closing paragraph must fit on it too.
    heights = (page["height"] - foot_mm - 1, foot_mm)
    main, foot = table.cell(0, 0), table.cell(1, 0)
    style_cell(main, fill=fill, margins_mm=(top_mm, 26, 0, 22), width_mm=width)
    style_cell(foot, fill=fill, margins_mm=(0, 26, 20, 22), width_mm=width)
    for tr, height in zip(table._tbl.tr_lst, heights):
        place(
            tr.get_or_add_trPr(),
            parse_xml(f'<w:trHeight {nsdecls("w")} w:val="{twips(height)}" w:hRule="exact"/>'),
        )
    place(foot._tc.get_or_add_tcPr(), parse_xml(f'<w:vAlign {nsdecls("w")} w:val="bottom"/>'))
    closing = story.add_paragraph()
    ppr = closing._p.get_or_add_pPr()
    place(
        ppr,
        parse_xml(
            f'<w:spacing {nsdecls("w")} w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
        ),
    )
    place(
        ppr,
        parse_xml(
            f'<w:sectPr {nsdecls("w")}><w:pgSz w:w="{twips(page["width"])}" w:h="{twips(page["height"])}"/>'
            '<w:pgMar w:top="0" w:right="0" w:bottom="0" w:left="0" w:header="0" w:footer="0" '
            'w:gutter="0"/></w:sectPr>'
        ),
    )
    return main, foot


def color_runs(paragraphs, color: str) -> None:
    """Every run of `paragraphs` in `color` (RRGGBB): text on the cover's ground."""
    for paragraph in paragraphs:
        for run in paragraph.runs:
            run.font.color.rgb = RGBColor.from_string(color)


def table_look(table, *, header: bool) -> None:
    """Which parts of its table style a data table shows: the header row's look only when it
    has a header row; no banding, no first-column look."""
    _set_table_property(
        table,
        f'<w:tblLook {nsdecls("w")} w:val="{"0420" if header else "0600"}" '
        f'w:firstRow="{int(header)}" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>',
    )


def fit_columns(table, width, size_pt: float) -> None:
    """Column widths as a browser lays out a `table-layout: auto; width: 100%` table (print
    does): from each column's longest line and longest word, in characters of the table's type
    `size_pt` (about half an em each) plus the cells' padding; the text width shared out as
    CSS does it. Word and LibreOffice draw the grid they are given."""
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    if not rows:
        return
    columns = len(table.columns)
    per_char, padding = 0.55 * size_pt * 12700, 8 * 12700  # EMU

    def needed(texts, measure) -> float:
        return max((measure(t) for t in texts), default=0) * per_char + padding

    cells = [[row[j] for row in rows if j < len(row)] for j in range(columns)]
    widest = [
        needed(c, lambda t: max((len(line) for line in t.split("\n")), default=0)) for c in cells
    ]
    narrowest = [
        needed(c, lambda t: max((len(word) for word in t.split()), default=0)) for c in cells
    ]
    total = int(width)
    if sum(widest) <= total:
        shares = [w + (total - sum(widest)) * w / sum(widest) for w in widest]
    elif sum(narrowest) >= total:
        shares = [w * total / sum(narrowest) for w in narrowest]
    else:
        room = [w - n for w, n in zip(widest, narrowest)]
        shares = [
            n + (total - sum(narrowest)) * r / (sum(room) or 1) for n, r in zip(narrowest, room)
        ]
    for column, share in zip(table.columns, shares):
        column.width = int(share)
        for cell in column.cells:
            cell.width = int(share)
