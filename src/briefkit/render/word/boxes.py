"""Word shapes that print as the PDF's boxes: a story (body, cell) in, a table cell to write into
out.

A shaded block with a rule (the front box, a box), a row of a large numeral beside its text
(key takeaways), and the full-bleed cover: a page-sized shaded table in a section of its own with
no margins. Tables are what Word and LibreOffice both draw the same way (anchored shapes and
frames are not); the content of every cell is written by the writer's own block code.
"""

from __future__ import annotations

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm
from docx.table import _Cell

_TBLPR_ORDER = (
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
)


def twips(mm: float) -> int:
    return int(round(mm * 1440 / 25.4))


def _set_table_property(table, xml: str) -> None:
    """Put a w:tblPr child where the schema orders it (Word refuses files otherwise)."""
    child = parse_xml(xml)
    tblpr = table._tbl.tblPr
    name = child.tag.split("}")[1]
    for old in tblpr.findall(child.tag):
        tblpr.remove(old)
    later = _TBLPR_ORDER[_TBLPR_ORDER.index(name) + 1 :]
    for existing in tblpr:
        if existing.tag.split("}")[1] in later:
            existing.addprevious(child)
            return
    tblpr.append(child)


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
        tcpr.append(parse_xml(f"<w:tcBorders {nsdecls('w')}>{sides}</w:tcBorders>"))
    if fill:
        tcpr.append(
            parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>')
        )
    top, right, bottom, left = margins_mm
    tcpr.append(
        parse_xml(
            f'<w:tcMar {nsdecls("w")}><w:top w:w="{twips(top)}" w:type="dxa"/>'
            f'<w:left w:w="{twips(left)}" w:type="dxa"/><w:bottom w:w="{twips(bottom)}" w:type="dxa"/>'
            f'<w:right w:w="{twips(right)}" w:type="dxa"/></w:tcMar>'
        )
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
    return cell  # a long box runs on over pages, as in print (never split inside a paragraph)


def numbered_rows(story, width, count: int, numeral_mm: float):
    """A borderless table of `count` rows: [numeral cell, text cell] each."""
    table = add_table(story, count, 2, width)
    _no_borders(table)
    rest = width.mm - numeral_mm
    for row in table.rows:
        style_cell(row.cells[0], width_mm=numeral_mm, margins_mm=(0, 2, 0, 0))
        style_cell(row.cells[1], width_mm=rest, margins_mm=(0, 0, 0, 0))
        _cant_split(row._tr)
    for column, mm in zip(table.columns, (numeral_mm, rest)):
        column.width = Mm(mm)
    return [(row.cells[0], row.cells[1]) for row in table.rows]


def _cant_split(tr) -> None:
    tr.get_or_add_trPr().append(parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))


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
        tr.get_or_add_trPr().append(
            parse_xml(f'<w:trHeight {nsdecls("w")} w:val="{twips(height)}" w:hRule="exact"/>')
        )
    foot._tc.get_or_add_tcPr().append(parse_xml(f'<w:vAlign {nsdecls("w")} w:val="bottom"/>'))
    closing = story.add_paragraph()
    ppr = closing._p.get_or_add_pPr()
    ppr.append(
        parse_xml(
            f'<w:spacing {nsdecls("w")} w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
        )
    )
    ppr.append(
        parse_xml(
            f'<w:sectPr {nsdecls("w")}><w:pgSz w:w="{twips(page["width"])}" w:h="{twips(page["height"])}"/>'
            '<w:pgMar w:top="0" w:right="0" w:bottom="0" w:left="0" w:header="0" w:footer="0" '
            'w:gutter="0"/></w:sectPr>'
        )
    )
    return main, foot


def color_runs(paragraphs, color: str) -> None:
    """Every run of `paragraphs` in `color` (RRGGBB): text on the cover's ground."""
    from docx.shared import RGBColor

    for paragraph in paragraphs:
        for run in paragraph.runs:
            run.font.color.rgb = RGBColor.from_string(color)


def light_rules(table, points: float, color: str) -> None:
    """A data table as print sets it: a rule above, below and between rows, no vertical lines."""
    size = int(points * 8) or 2
    rule = f'w:val="single" w:sz="{size}" w:space="0" w:color="{color}"'
    _set_table_property(
        table,
        f"<w:tblBorders {nsdecls('w')}><w:top {rule}/>"
        f'<w:left w:val="nil"/><w:bottom {rule}/><w:right w:val="nil"/>'
        f'<w:insideH {rule}/><w:insideV w:val="nil"/></w:tblBorders>',
    )
