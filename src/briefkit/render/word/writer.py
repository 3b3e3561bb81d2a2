"""Write the content of a brief into a Word document: model in, paragraphs in Word styles out.

`DocxWriter` walks the document model part by part, in the layout's order, and emits only style
names (from the template, or briefkit's own added by `docx.py`), real footnotes or endnotes,
hyperlinks and bookmarks (through `wordml`). It never decides page setup or properties.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx.blkcntnr import BlockItemContainer
from docx.enum.text import WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Inches

from briefkit import model as m
from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Location
from briefkit.core.paths import safe_link
from briefkit.layout.parts import Part
from briefkit.ooxml import wordml
from briefkit.render.word import boxes as word_boxes
from briefkit.render.word import notes as word_notes
from briefkit.render.word.title import TITLE_BLOCK, TitleBlockWriter

_RUN_FLAGS = {
    "emph": "italic",
    "strong": "bold",
    "strike": "strike",
    "sup": "superscript",
    "sub": "subscript",
    "smallcaps": "small_caps",
    "underline": "underline",
}


class _StoryOf:
    """The parent python-docx asks a block container for: the story part it writes into."""

    def __init__(self, part):
        self.part = part


class DocxWriter(TitleBlockWriter):
    def __init__(
        self,
        document,
        doc: m.Document,
        settings: dict | None = None,
        design=None,
        full_bleed: bool = False,
        *,
        roots,
    ):
        self.document = document
        self.doc = doc
        self.roots = roots  # images are read through the confinement gate
        settings = settings or {}
        # The layout's design tokens (boxes' colours and rules); `full_bleed`: the cover is a
        # page of colour as in the PDF (briefkit's own page setup, no house template).
        self.design = design
        self.full_bleed = full_bleed and design is not None and bool(settings.get("cover"))
        self.takeaway_numerals = settings.get("takeaways") == "numerals"
        # From layout.yaml: what the title block shows in which order, and whether it is a
        # cover page of its own (report) or the head of the first page (articles, summaries).
        self.title_block = list(settings.get("title_block") or TITLE_BLOCK)
        self.cover = bool(settings.get("cover", False))
        self.notes = word_notes.NotesPart(document, doc.notes_placement) if doc.notes else None
        self._bookmark = 0
        self.notes_heading = None  # the endnotes' heading, once written
        self._styles: dict = {}
        # Where blocks go: the body, or while a note is written, that note (a note holds
        # any block the body can, written by the same code).
        self.story = document._body
        self._in_note = False

    def paragraph(self, text: str = "", style: str | None = None):
        """A new paragraph of the current story with `style` set as w:pStyle. Ids are looked
        up once per name: python-docx scans every style of the template on each lookup."""
        paragraph = self.story.add_paragraph(wordml.xml_text(text))
        if style is not None:
            if style not in self._styles:
                self._styles[style] = wordml.style_id(self.document, style)
            paragraph._p.style = self._styles[style]
        return paragraph

    # ---- parts, in layout order, each laid out as its shape (layout/parts.py) ----
    def write(self, parts: list[Part]) -> None:
        for part in parts:
            getattr(self, f"shape_{part.shape}")(part)

    def shape_lead(self, part: Part) -> None:
        self.blocks(self.doc.part_content(part), style="Standfirst")

    def shape_categories(self, part: Part) -> None:
        if self.doc.categories:
            label, rest = self.doc.categories_line
            p = self.paragraph(style="Categories")
            self.run(p, label.text, {"bold"})
            self.run(p, rest.text, set())

    def shape_box(self, part: Part) -> None:
        """What's the problem / what's the solution: ONE shaded block under a rule, holding
        its paragraphs and lists, as in print."""
        fields = self.doc.part_content(part)
        if not fields:
            return

        def write():
            for key, blocks in fields.items():
                if blocks:
                    heading = self.paragraph(self.doc.label(key), style="Front Box Heading")
                    wordml.set_outline_level(heading, 1)  # an h2, as in HTML and PDF
                    if self.design is not None:  # in a box: LibreOffice would move the whole
                        heading.paragraph_format.keep_with_next = False  # box to the next page
                    self.bookmark(heading, key)
                    self.blocks(blocks, style="Front Box Text")

        if self.design is None:
            return write()
        design = self.design
        cell = word_boxes.box(
            self.story,
            self.document._block_width,
            fill=design.color("tint"),
            rules={"top": (float(design.get("rules", "box")), design.color("accent"))},
            margins_mm=(1, 6, 4, 6),
        )
        self.into(cell, write)

    def shape_contents(self, part: Part) -> None:
        """The contents as resolve listed it, written now: each entry a link to its heading's
        bookmark, there on opening (no field for Word to update, no prompt)."""
        if not self.doc.contents:
            return
        heading = self.paragraph(self.doc.label(part.label or part.name), style="TOC Heading")
        # A layout with a cover gives the contents a page of its own, as its print CSS does.
        heading.paragraph_format.page_break_before = self.cover
        self.bookmark(heading, part.anchor or part.name)
        for level in {
            line.level for entry in self.doc.contents for line in [entry, *entry.children]
        }:
            self._page_number_tab(f"toc {level}")
        for entry in self.doc.contents:
            for line in [entry, *entry.children]:
                p = self.paragraph(style=f"toc {line.level}")
                self.inlines(p, [m.Link([m.Text(line.text)], f"#{line.target}", internal=True)])
                wordml.add_page_reference(p, line.target)
        self.paragraph().add_run().add_break(WD_BREAK.PAGE)

    def _page_number_tab(self, style_name: str) -> None:
        """The page numbers of a contents level stand at the right margin after dot leaders,
        as in the PDF, unless a house template's style sets its own tabs."""
        tabs = self.document.styles[style_name].paragraph_format.tab_stops
        if len(tabs) == 0:
            tabs.add_tab_stop(
                self.document._block_width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
            )

    def shape_prose(self, part: Part) -> None:
        blocks = self.doc.part_content(part)
        if blocks:
            self.heading(self.doc.label(part.label or part.name), 1, bookmark=part.anchor)
            self.blocks(blocks)

    def shape_list(self, part: Part) -> None:
        entries = self.doc.part_content(part)
        if not entries:
            return
        self.heading(self.doc.label(part.label or part.name), 1, bookmark=part.anchor)
        if not self.takeaway_numerals:
            return self.list_items(entries, ordered=True, level=1)
        # Large numerals beside each takeaway, as the layout prints them (layout.yaml).
        rows = word_boxes.numbered_rows(self.story, self.document._block_width, len(entries), 16)
        for number, ((numeral, text), blocks) in enumerate(zip(rows, entries), 1):
            self.into(numeral, lambda n=number: self.paragraph(str(n), style="Takeaway Numeral"))
            self.into(text, lambda b=blocks: self.blocks(b))

    def shape_items(self, part: Part) -> None:
        group = self.doc.part_content(part)
        if not group:
            return
        self.heading(self.doc.label(part.label or part.name), 1, bookmark=part.anchor)
        self.blocks(group.intro)
        for item in group.items:
            p = self.paragraph(style="Item Title")
            wordml.set_outline_level(p, 2)  # an h3, as in HTML and PDF
            self.bookmark(p, item.id)
            self.phrase(p, item.heading)
            self.blocks(item.body)
            for line in item.meta:
                self.phrase(self.paragraph(style="Item Meta"), line)

    def shape_sections(self, part: Part) -> None:
        for section in self.doc.all_sections():
            if section.title:
                self.heading(section.title, section.level, bookmark=section.id)
            self.blocks(section.body)

    def shape_call_to_action(self, part: Part) -> None:
        link = self.doc.full_report
        if link:
            p = self.paragraph(style="Item Title")
            text = [m.Text(self.doc.full_report_text)]
            self.inlines(p, [m.Link(text, link["url"])] if link.get("url") else text)

    def shape_related(self, part: Part) -> None:
        if not self.doc.related:
            return
        self.heading(self.doc.label(part.label or part.name), 1, bookmark=part.anchor)
        for entry in self.doc.related:
            # As the source lists them: kind · outlet · date, the title, the teaser, the byline.
            if entry.meta:  # under a rule: each item stands apart, as in print
                p = self.paragraph(style="Related Meta")
                p.paragraph_format.keep_with_next = True
                self.phrase(p, entry.meta)
            p = self.paragraph(style="Item Title")
            title = [m.Text(entry.title)]
            self.inlines(p, [m.Link(title, entry.url)] if entry.url else title)
            self.blocks(entry.summary)
            if entry.byline:
                self.paragraph(entry.byline, style="Item Meta")

    def shape_notes(self, part: Part) -> None:
        # The notes themselves live in Word's endnotes part, which Word prints at the end of
        # the document; the heading stands where the layout places notes.
        if self.doc.notes and self.doc.notes_placement == "endnotes":
            self.notes_heading = self.heading(
                self.doc.label(part.label or part.name), 1, bookmark=part.anchor
            )

    def shape_bibliography(self, part: Part) -> None:
        if self.doc.bibliography:
            self.heading(self.doc.label(part.label or part.name), 1, bookmark=part.anchor)
            self.blocks(self.doc.bibliography, style="Bibliography")

    def shape_glossary(self, part: Part) -> None:
        if self.doc.acronyms:
            self.heading(self.doc.label(part.label or part.name), 1, bookmark=part.anchor)
            for short, long in self.doc.acronyms:
                p = self.paragraph(style="Acronym")
                p.add_run(short).bold = True
                p.add_run("\t" + long)

    def shape_people(self, part: Part) -> None:
        with_bios = [a for a in self.doc.authors if a.bio]
        if with_bios:
            self.heading(self.doc.label(part.label or part.name), 1, bookmark=part.anchor)
            for author in with_bios:
                self.phrase(self.paragraph(style="Item Title"), author.credit)
                self.blocks(author.bio)

    def shape_colophon(self, part: Part) -> None:
        for line in self.doc.colophon:
            self.paragraph(line.text, style="Colophon")

    # ---- building blocks ----
    def phrase(self, paragraph, pieces: list[m.Piece]) -> None:
        """A line resolve composed: pieces as runs ("\n" a line break), names in bold, links
        where a piece has one."""
        for piece in pieces:
            if piece.text == "\n":
                self.run(paragraph, "", set()).add_break()
                continue
            flags = {"bold"} if piece.role in ("name", "author") else set()
            if piece.href:
                self.inlines(
                    paragraph,
                    [m.Link([m.Text(piece.text)], piece.href, internal=piece.href.startswith("#"))],
                    flags,
                )
            else:
                self.run(paragraph, piece.text, flags)

    def heading(self, text: str, level: int, bookmark: str | None = None):
        p = self.paragraph(text, style=f"Heading {min(level, 3)}")
        if bookmark:
            self.bookmark(p, bookmark)
        return p

    def bookmark(self, paragraph, name: str) -> None:
        self._bookmark += 1
        wordml.add_bookmark(paragraph, name, self._bookmark)

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
            self.list_items(block.items, block.ordered, level + 1, block.start)
        elif isinstance(block, m.Quote):
            self.blocks(block.children, style="Quote", level=level)
        elif isinstance(block, m.Callout):
            styles = {"pullquote": "Pull Quote", "bibliography": "Bibliography"}
            self.blocks(block.children, style=styles.get(block.kind, "Box Text"), level=level)
        elif isinstance(block, m.Table):
            self.table(block)
        elif isinstance(block, m.Figure):
            self.picture(
                block.path, Inches(3.0 if self._in_note else 6.0), block.alt, block.location
            )
            if block.caption:
                caption = self.caption(block.label, block.caption)
                if block.id:
                    self.bookmark(caption, block.id)
        elif isinstance(block, m.CodeBlock):
            if block.caption:  # a listing: its caption above it, as a table's
                caption = self.caption(block.label, block.caption)
                caption.paragraph_format.keep_with_next = True
                if block.id:
                    self.bookmark(caption, block.id)
            add(block.text, style=style)
        elif isinstance(block, m.Rule):
            add("* * *", style=style)

    def list_items(self, items, ordered: bool, level: int, start: int = 1) -> None:
        base = "List Number" if ordered else "List Bullet"
        style = base if level <= 1 else f"{base} {min(level, 3)}"
        for i, item in enumerate(items):
            first, rest = (
                (item[0], item[1:]) if item and isinstance(item[0], m.Para) else (None, item)
            )
            p = self.paragraph(style=style)
            if ordered and i == 0:
                wordml.restart_numbering(self.document, p, style, start)
            if first is not None:
                self.inlines(p, first.children)
            self.blocks(
                rest,
                style="List Continue"
                if not any(isinstance(b, m.ListBlock) for b in rest)
                else None,
                level=level,
            )

    def caption(self, label: str, caption: list[m.Inline]):
        """ "Table 1 Caption" / "Figure 1 Caption": the label as resolve numbered it."""
        p = self.paragraph(style="Caption")
        if label:
            self.run(p, label + (" " if caption else ""), {"bold"})
        self.inlines(p, caption)
        return p

    def table(self, table: m.Table) -> None:
        if table.label or table.caption:  # above the table, as in print
            caption = self.caption(table.label, table.caption)
            caption.paragraph_format.keep_with_next = True
            if table.id:
                self.bookmark(caption, table.id)
        columns = table.columns() or 1
        grid = word_boxes.add_table(self.story, 0, columns, self.document._block_width)
        grid.style = self.document.styles["Table Grid"]
        if self.design is not None:  # the print's light table: rules between rows, no grid
            word_boxes.light_rules(
                grid, float(self.design.get("rules", "light")), self.design.color("rule")
            )
        rows = table.all_rows()
        word_rows = [grid.add_row() for _ in rows]
        covered: set[tuple[int, int]] = set()  # grid places a merged cell already fills
        for index, ((row, header), row_element) in enumerate(zip(rows, word_rows)):
            if header:  # a header row: repeated on each page, read as headers by screen readers
                row_element._tr.get_or_add_trPr().append(
                    wordml.parse_xml(f"<w:tblHeader {wordml.nsdecls('w')}/>")
                )
            column = 0
            for place, content in enumerate(row):
                while (index, column) in covered:
                    column += 1
                if column >= columns:
                    break
                spans_rows, spans_columns = table.spans.get((index, place), (1, 1))
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
                self.cell(cell, content, header)
                column = last_column + 1

    def cell(self, cell, content: list[m.Block], bold: bool) -> None:
        """A table cell holds blocks as the body does, written by the same code."""
        self.into(cell, lambda: self.blocks(content))
        if bold:
            for run in cell._tc.iter(wordml.qn("w:r")):
                run.get_or_add_rPr().get_or_add_b()

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

    def picture(self, path: Path, width, alt: str = "", location: Location | None = None) -> None:
        data = self.roots.read_bytes(path)  # through the confinement gate
        try:
            shape = self.paragraph().add_run().add_picture(io.BytesIO(data), width=width)
        except Exception:  # python-docx's image readers raise several kinds, some without words
            try:  # a JPEG whose headers python-docx does not parse (EXIF only, CMYK …): as PNG
                shape = (
                    self.paragraph().add_run().add_picture(io.BytesIO(_as_png(data)), width=width)
                )
            except Exception as exc:
                reason = str(exc) or type(exc).__name__
                raise BriefInvalid(
                    Diagnostic(
                        location or Location(path),
                        f"not an image briefkit can place in Word: {reason}",
                        hint="use a PNG, JPEG or GIF file",
                    )
                ) from None
        # The picture's alt text, the same as the HTML's and the PDF's.
        shape._inline.docPr.set("descr", alt)

    def inlines(
        self,
        paragraph,
        inlines: list[m.Inline],
        flags: frozenset | set = frozenset(),
        container=None,
    ) -> None:
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
                self.note(paragraph, inline.note)

    def run(self, paragraph, text: str, flags, container=None):
        run = wordml.add_text_run(paragraph, text)
        for flag in flags:
            setattr(run.font, flag, True)
        if container is not None:
            container.append(run._r)
            if container.get(wordml.qn("w:anchor")) is None:  # a link out, styled as one;
                run.style = self._hyperlink_style()  # one within reads as text, as in print
        return run

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
        self._in_note = True
        try:
            self.blocks(note.children, style=self.notes.text_style_name)
        finally:
            self.story, self._in_note = outer, False
        self.notes.finish(element)


def _as_png(data: bytes) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.convert("RGBA" if "A" in image.getbands() else "RGB").save(out, "PNG")
    return out.getvalue()
