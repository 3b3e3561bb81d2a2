"""Blocks and inlines in Word: the document model's paragraphs, lists, quotes, tables, figures,
code, notes and runs in, paragraphs in Word styles out, in whatever story the writer is in
(the body, a table cell, a note).

A mixin of `DocxWriter` (render/word/writer.py), as `TitleBlockWriter` is: the writer walks the
parts; these methods write what a part holds, the same code for the body, a box, a table cell
and a note. Style names only; real Word notes; links through `wordml`.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any, Callable

from docx.blkcntnr import BlockItemContainer
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.image import Image
from docx.table import _Cell

from briefkit import model as m
from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Location
from briefkit.core.images import ImageRefused, for_word
from briefkit.core.paths import safe_link
from briefkit.ooxml import wordml
from briefkit.ooxml.order import place
from briefkit.render.note_calls import calls_after_a_call
from briefkit.render.word import boxes as word_boxes

_RUN_FLAGS = {
    "emph": "italic",
    "strong": "bold",
    "strike": "strike",
    "sup": "superscript",
    "sub": "subscript",
    "smallcaps": "small_caps",
    "underline": "underline",
}


# Markdown's column alignments (`---:`) as Word's paragraph alignment.
_ALIGN = {
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
}

# Pieces of composed lines set in a character style of their own.
_PIECE_STYLES = {"item-number": "Item Number", "outlet": "Outlet"}
# The list style of a box's top-level bullets, by the style of the box's text.
_BOX_BULLETS = {"Front Box Text": "Front Box List"}


class _StoryOf:
    """The parent python-docx asks a block container for: the story part it writes into."""

    def __init__(self, part):
        self.part = part


class BlockWriter:
    # What the writer it is mixed into (DocxWriter, writer.py) holds.
    document: Any
    doc: m.Document
    design: Any
    roots: Any
    story: Any  # the body, a table cell or a note: where blocks go now
    bookmark: Callable[..., None]
    notes: Any
    _styles: dict
    _in_note: bool
    _plain_links: bool
    # The brief's fields (fields.py): what is written is marked as the brief's key paths.
    _made: list
    _note_number: int
    field: Callable[..., Any]
    keyed_run: Callable[..., None]
    citation: Callable[..., None]

    def paragraph(self, text: str = "", style: str | None = None):
        """A new paragraph of the current story with `style` set as w:pStyle. Ids are looked
        up once per name: python-docx scans every style of the template on each lookup."""
        paragraph = self.story.add_paragraph(wordml.xml_text(text))
        self._made.append((self._in_note, paragraph._p))  # for the brief's fields (fields.py)
        if style is not None:
            if style not in self._styles:
                self._styles[style] = wordml.style_id(self.document, style)
            paragraph._p.style = self._styles[style]
        return paragraph

    def phrase(self, paragraph, pieces: list[m.Piece], *, bold_names: bool = True) -> None:
        """A line resolve composed: pieces as runs ("\n" a line break), names in bold (not in
        a bio's credit, which print sets plain), links where a piece has one."""
        bold = {"meta-label"} | ({"name", "author"} if bold_names else set())
        for piece in pieces:
            if piece.text == "\n":
                self.run(paragraph, "", set()).add_break()
                continue
            flags = {"bold"} if piece.role in bold else set()
            if piece.key:  # a value of the brief, as written (fields.py)
                self.keyed_run(paragraph, piece.text, piece.key, flags)
            elif piece.href:
                self.inlines(
                    paragraph,
                    [m.Link([m.Text(piece.text)], piece.href, internal=piece.href.startswith("#"))],
                    flags,
                )
            else:
                run = self.run(paragraph, piece.text, flags)
                if piece.role in _PIECE_STYLES:  # "Finding 2" in the accent, as print
                    run.style = self.document.styles[_PIECE_STYLES[piece.role]]

    def blocks(self, blocks: list[m.Block], style: str | None = None, level: int = 0) -> None:
        for block in blocks:
            self.block(block, style, level)

    def block(self, block: m.Block, style: str | None, level: int) -> None:
        add = self.paragraph
        if isinstance(block, m.Para):
            self.inlines(add(style=style), block.children)
        elif isinstance(block, m.Heading):
            paragraph = add(style=f"Heading {min(block.level + 1, 3)}")
            self.inlines(paragraph, block.children)
            if block.id:  # the target of `@sec:x`
                self.bookmark(paragraph, block.id)
        elif isinstance(block, m.ListBlock):
            # A box's bullets in the box's list style (its size), as print sets them.
            bullets = _BOX_BULLETS.get(style or "") if not block.ordered and not level else None
            self.list_items(block.items, block.ordered, level + 1, block.start, style=bullets)
        elif isinstance(block, m.Quote):
            self.blocks(block.children, style="Quote", level=level)
        elif isinstance(block, m.Callout):
            styles = {"pullquote": "Pull Quote", "bibliography": "Bibliography"}
            self.blocks(block.children, style=styles.get(block.kind, "Box Text"), level=level)
        elif isinstance(block, m.Table):
            self.table(block)
        elif isinstance(block, m.Figure):
            self.figure(block)
        elif isinstance(block, m.CodeBlock):
            if block.caption:  # a listing: its caption above it, as a table's
                caption = self.caption(block.label, block.caption, style="Table Caption")
                if block.id:
                    self.bookmark(caption, block.id)
            add(block.text, style=style)
        elif isinstance(block, m.Rule):
            add("* * *", style=style)

    def list_items(
        self,
        items,
        ordered: bool,
        level: int,
        start: int = 1,
        style: str | None = None,
        keys: list | None = None,
    ) -> None:
        """A list; with `keys`, each item is the brief's field of that key (a takeaway)."""
        base = "List Number" if ordered else "List Bullet"
        style = style or (base if level <= 1 else f"{base} {min(level, 3)}")
        num_id = None
        for index, item in enumerate(items):
            first, rest = (
                (item[0], item[1:]) if item and isinstance(item[0], m.Para) else (None, item)
            )
            with self.field(keys[index]) if keys else contextlib.nullcontext():
                p = self.paragraph(style=style)
                if ordered:  # every item of this list in one numbering of its own, from `start`
                    num_id = wordml.restart_numbering(self.document, p, style, start, num_id)
                if first is not None:
                    self.inlines(p, first.children)
                self.blocks(
                    rest,
                    style="List Continue"
                    if not any(isinstance(b, m.ListBlock) for b in rest)
                    else None,
                    level=level,
                )

    def caption(self, label: str, caption: list[m.Inline], style: str = "Caption"):
        """ "Table 1 Caption" / "Figure 1 Caption": the label as resolve numbered it."""
        p = self.paragraph(style=style)
        if label:
            self.run(p, label + (" " if caption else ""), {"bold"})
        self.inlines(p, caption)
        return p

    def table(self, table: m.Table) -> None:
        """A table in the "Table" style (print's face, size and rules; its header rows repeated
        on every page), its caption above in "Table Caption", kept with it; each column
        aligned as the Markdown says; merged cells merged."""
        if table.label or table.caption:  # above the table, as in print
            caption = self.caption(table.label, table.caption, style="Table Caption")
            if table.id:
                self.bookmark(caption, table.id)
        columns = table.columns() or 1
        grid = word_boxes.add_table(self.story, 0, columns, self.document._block_width)
        grid.style = self.document.styles["Table"]
        rows = table.all_rows()
        word_boxes.table_look(grid, header=any(header for _, header in rows))
        word_rows = [grid.add_row() for _ in rows]
        covered: set[tuple[int, int]] = set()  # grid places a merged cell already fills
        for index, ((row, header), row_element) in enumerate(zip(rows, word_rows)):
            if header:  # a header row: repeated on each page, read as headers by screen readers
                place(
                    row_element._tr.get_or_add_trPr(),
                    wordml.parse_xml(f"<w:tblHeader {wordml.nsdecls('w')}/>"),
                )
            column = 0
            for at, content in enumerate(row):
                while (index, column) in covered:
                    column += 1
                if column >= columns:
                    break
                spans_rows, spans_columns = table.spans.get((index, at), (1, 1))
                last_row = min(index + spans_rows, len(rows)) - 1
                last_column = min(column + spans_columns, columns) - 1
                cell = row_element.cells[column]
                if (last_row, last_column) != (index, column):
                    cell = cell.merge(word_rows[last_row].cells[last_column])
                    covered.update(
                        (r, k)
                        for r in range(index, last_row + 1)
                        for k in range(column, last_column + 1)
                    )
                self.into(cell, lambda c=content: self.blocks(c))
                align = table.aligns[column] if column < len(table.aligns) else "default"
                if align in _ALIGN:
                    for paragraph in cell.paragraphs:
                        paragraph.alignment = _ALIGN[align]
                column = last_column + 1
        if not isinstance(self.story, _Cell) and self.design is not None:
            word_boxes.fit_columns(
                grid, self.document._block_width, float(self.design.get("type", "caption"))
            )

    def figure(self, figure: m.Figure) -> None:
        """The picture at its own size, at most the text's width; a caption below, which the
        picture keeps with it (the PDF never parts them either)."""
        picture = self.picture(figure.path, None, figure.alt, figure.location)
        if figure.caption:
            picture.paragraph_format.keep_with_next = True
            caption = self.caption(figure.label, figure.caption)
            if figure.id:  # the target of `@fig:x`
                self.bookmark(caption, figure.id)

    def into(self, cell, write) -> None:
        """Run `write` with `cell` as the story: blocks go into the cell through the body's code."""
        empty = cell.paragraphs[0]._p
        outer, self.story = self.story, cell
        try:
            write()
        finally:
            self.story = outer
        if len(cell._tc.inner_content_elements) > 1 and cell._tc[-1].tag != wordml.qn("w:tbl"):
            cell._tc.remove(empty)  # a cell needs one paragraph, after a table a last one

    def picture(self, path: Path, width, alt: str = "", location: Location | None = None):
        """A paragraph holding the picture at `path`, `width` wide (None: its own size, at most
        the width of the text, half of it in a note); returns the paragraph."""
        try:  # through the confinement gate; a CMYK or Adobe JPEG comes back as a PNG
            blob = for_word(path, self.roots.read_bytes(path))
            image = Image.from_blob(blob)
            if width is None:
                room = self.document._block_width // (2 if self._in_note else 1)
                width = min(image.width, room)
            paragraph = self.paragraph()
            shape = paragraph.add_run().add_picture(io.BytesIO(blob), width=width)
        except ImageRefused as exc:
            raise BriefInvalid(
                Diagnostic(
                    location or Location(path),
                    f"not an image briefkit can place in Word: '{path.name}' {exc}",
                )
            ) from None
        except Exception as exc:  # python-docx's image readers raise several kinds
            raise BriefInvalid(
                Diagnostic(
                    location or Location(path),
                    f"not an image briefkit can place in Word: {exc or type(exc).__name__}",
                    hint="use a PNG, JPEG or GIF file",
                )
            ) from None
        # The picture's alt text, the same as the HTML's and the PDF's.
        shape._inline.docPr.set("descr", alt)
        return paragraph

    def inlines(
        self,
        paragraph,
        inlines: list[m.Inline],
        flags: frozenset | set = frozenset(),
        container=None,
    ) -> None:
        after_call = calls_after_a_call(inlines)
        for inline in inlines:
            if isinstance(inline, m.Text):
                self.run(paragraph, inline.text, flags, container)
            elif isinstance(inline, m.Styled):
                self.inlines(
                    paragraph, inline.children, set(flags) | {_RUN_FLAGS[inline.style]}, container
                )
            elif isinstance(inline, m.Code):
                self.run(paragraph, inline.text, flags, container)
            elif isinstance(inline, m.LineBreak):
                self.run(paragraph, "", flags, container).add_break()
            elif isinstance(inline, m.Math):
                wordml.add_formula(
                    paragraph, inline.omml, display=inline.display, container=container
                )
                if inline.id:  # the target of `@eq:x`
                    self.bookmark(paragraph, inline.id)
            elif isinstance(inline, m.Anchor):
                self.bookmark(paragraph, inline.id)
            elif isinstance(inline, m.Link):
                if inline.internal or safe_link(inline.url):
                    link = wordml.add_hyperlink(paragraph, inline.url, internal=inline.internal)
                    self.inlines(paragraph, inline.children, flags, container=link)
                else:
                    self.inlines(paragraph, inline.children, flags, container)
            elif isinstance(inline, m.NoteRef) and self.notes is not None:
                if id(inline) in after_call:
                    # Two calls in a row read as one number ("67"): a superscript comma
                    # between them, in the note reference style as the calls are.
                    self.notes.add_separator(paragraph)
                self.note(paragraph, inline.note)
            elif isinstance(inline, m.Citation):
                self.citation(paragraph, inline, flags, container)

    def run(self, paragraph, text: str, flags, container=None):
        run = wordml.add_text_run(paragraph, text)
        for flag in flags:
            setattr(run.font, flag, True)
        if container is not None:
            container.append(run._r)
            # A link out is styled as one; one within the brief reads as text, as in print.
            if container.get(wordml.qn("w:anchor")) is None and not self._plain_links:
                run.style = self._hyperlink_style()
        return run

    @contextlib.contextmanager
    def links_as_text(self):
        """Links written meanwhile take their paragraph's look, not the Hyperlink style (a
        related item's title, a call to action: print sets them so)."""
        outer, self._plain_links = self._plain_links, True
        try:
            yield
        finally:
            self._plain_links = outer

    def _hyperlink_style(self):
        try:
            return self.document.styles["Hyperlink"]
        except KeyError:
            return None

    def note(self, paragraph, note: m.Note) -> None:
        """A real Word note: its blocks go into the notes part through the same code as the
        body's (lists, code, tables, figures, quotes, links)."""
        if self._in_note:
            return  # Pandoc puts no note inside a note
        element = self.notes.add(paragraph)
        outer, self.story = self.story, BlockItemContainer(element, _StoryOf(self.notes.part))
        self._in_note, self._note_number = True, note.number
        try:
            self.blocks(note.children, style=self.notes.text_style_name)
        finally:
            self.story, self._in_note = outer, False
        self.notes.finish(element)
