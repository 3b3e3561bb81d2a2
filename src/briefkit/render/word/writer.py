"""Write the content of a brief into a Word document: model in, paragraphs in Word styles out.

`DocxWriter` walks the document model part by part, in the layout's order, and emits only style
names (from the template, or briefkit's own added by `docx.py`), real footnotes or endnotes,
hyperlinks and bookmarks (through `wordml`). It never decides page setup or properties.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from docx.blkcntnr import BlockItemContainer
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.image import Image
from docx.shared import Mm
from docx.table import _Cell

from briefkit import model as m
from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Location
from briefkit.core.paths import safe_link
from briefkit.layout.parts import Part
from briefkit.ooxml import wordml
from briefkit.ooxml.order import place
from briefkit.render.word import boxes as word_boxes
from briefkit.render.word import contents as word_contents
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


# Markdown's column alignments (`---:`) as Word's paragraph alignment.
_ALIGN = {
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
}

# Pieces of composed lines set in a character style of their own.
_PIECE_STYLES = {"item-number": "Item Number", "outlet": "Outlet"}


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
        self.page_references: list = []  # the contents' page numbers, filled in when known
        self.openers: dict = {}  # bookmark -> w:p of a part's or chapter's heading
        self._styles: dict = {}
        # Where blocks go: the body, or while a note is written, that note (a note holds
        # any block the body can, written by the same code).
        self.story = document._body
        self._in_note = False
        self._plain_links = False  # links_as_text()

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
        """The contents as resolve listed it: a TOC field whose result is written now, each
        entry a link to its heading's bookmark with its page number (render/word/contents)."""
        if not self.doc.contents:
            return
        heading = self.paragraph(self.doc.label(part.label or part.name), style="TOC Heading")
        self.bookmark(heading, part.anchor or part.name, opener=True)
        self.page_references += word_contents.write_contents(
            self,
            [
                (line.level, line.text, line.target)
                for entry in self.doc.contents
                for line in [entry, *entry.children]
            ],
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
        # A numbered list an editor extends with Enter; beside large numerals where the
        # layout prints them so (layout.yaml `takeaways: numerals`: the "Takeaway" list style,
        # whose number is set large in the accent).
        self.list_items(
            entries, ordered=True, level=1, style="Takeaway" if self.takeaway_numerals else None
        )

    def shape_items(self, part: Part) -> None:
        group = self.doc.part_content(part)
        if not group:
            return
        self.heading(self.doc.label(part.label or part.name), 1, bookmark=part.anchor)
        self.blocks(group.intro)
        rule = wordml.style_rule(self.document, "Item Text")
        for item in group.items:
            p = self.paragraph(style="Item Title")
            wordml.set_outline_level(p, 2)  # an h3, as in HTML and PDF
            wordml.apply_rule(p, rule)
            self.bookmark(p, item.id)
            self.phrase(p, item.heading)
            # The text under the title's rule, kept together as print keeps an item
            # (`break-inside: avoid`): each paragraph keeps with the next, the last ends it.
            self.blocks(item.body, style="Item Text")
            for line in item.meta:
                meta = self.paragraph(style="Item Meta")
                wordml.apply_rule(meta, rule)
                self.phrase(meta, line)
            last = self.story.paragraphs[-1]._p if self.story.paragraphs else None
            if last is not None:
                wordml.keep_with_next(last, False)

    def shape_sections(self, part: Part) -> None:
        for section in self.doc.all_sections():
            if section.title:
                self.heading(section.title, section.level, bookmark=section.id)
            self.blocks(section.body)

    def shape_call_to_action(self, part: Part) -> None:
        link = self.doc.full_report
        if link:  # in its paragraph's colour, as print sets a call to action
            p = self.paragraph(style="Call to Action")
            text = [m.Text(self.doc.full_report_text)]
            with self.links_as_text():
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
            p = self.paragraph(style="Related Title")
            title = [m.Text(entry.title)]
            with self.links_as_text():  # a title, as print sets it
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
                self.phrase(self.paragraph(style="Author Name"), author.credit, bold_names=False)
                self.blocks(author.bio)

    def shape_colophon(self, part: Part) -> None:
        """The colophon's lines under one rule (the style's: Word draws a run of paragraphs
        with the same border as one block), 8 mm below the text, as print.css sets it."""
        for n, line in enumerate(self.doc.colophon):
            paragraph = self.paragraph(line.text, style="Colophon")
            if n == 0:
                paragraph.paragraph_format.space_before = Mm(8)

    # ---- building blocks ----
    def phrase(self, paragraph, pieces: list[m.Piece], *, bold_names: bool = True) -> None:
        """A line resolve composed: pieces as runs ("\n" a line break), names in bold (not in
        a bio's credit, which print sets plain), links where a piece has one."""
        bold = {"meta-label"} | ({"name", "author"} if bold_names else set())
        for piece in pieces:
            if piece.text == "\n":
                self.run(paragraph, "", set()).add_break()
                continue
            flags = {"bold"} if piece.role in bold else set()
            if piece.href:
                self.inlines(
                    paragraph,
                    [m.Link([m.Text(piece.text)], piece.href, internal=piece.href.startswith("#"))],
                    flags,
                )
            else:
                run = self.run(paragraph, piece.text, flags)
                if piece.role in _PIECE_STYLES:  # "Finding 2" in the accent, as print
                    run.style = self.document.styles[_PIECE_STYLES[piece.role]]

    def heading(self, text: str, level: int, bookmark: str | None = None):
        p = self.paragraph(text, style=f"Heading {min(level, 3)}")
        if bookmark:
            self.bookmark(p, bookmark, opener=level == 1)
        return p

    def bookmark(self, paragraph, name: str, *, opener: bool = False) -> None:
        """Bookmark `paragraph` as `name` (the HTML's id); an `opener` (a part's or chapter's
        heading) opens a page in Word where it does in print (word_pagination)."""
        self._bookmark += 1
        wordml.add_bookmark(paragraph, name, self._bookmark)
        if opener and self.story is self.document._body:
            self.openers[name] = paragraph._p

    def blocks(self, blocks: list[m.Block], style: str | None = None, level: int = 0) -> None:
        for block in blocks:
            self.block(block, style, level)

    def block(self, block: m.Block, style: str | None, level: int) -> None:
        add = self.paragraph
        if isinstance(block, m.Para):
            self.inlines(add(style=style), block.children)
        elif isinstance(block, m.Heading):
            self.inlines(add(style=f"Heading {min(block.level + 1, 3)}"), block.children)
        elif isinstance(block, m.ListBlock):
            self.list_items(block.items, block.ordered, level + 1, block.start)
        elif isinstance(block, m.Quote):
            self.blocks(block.children, style="Quote", level=level)
        elif isinstance(block, m.Callout):
            self.blocks(
                block.children,
                style="Pull Quote" if block.kind == "pullquote" else "Box Text",
                level=level,
            )
        elif isinstance(block, m.Table):
            self.table(block)
        elif isinstance(block, m.Figure):
            self.figure(block)
        elif isinstance(block, m.CodeBlock):
            add(block.text, style=style)
        elif isinstance(block, m.Rule):
            add("* * *", style=style)

    def list_items(
        self, items, ordered: bool, level: int, start: int = 1, style: str | None = None
    ) -> None:
        base = "List Number" if ordered else "List Bullet"
        style = style or (base if level <= 1 else f"{base} {min(level, 3)}")
        num_id = None
        for item in items:
            first, rest = (
                (item[0], item[1:]) if item and isinstance(item[0], m.Para) else (None, item)
            )
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
        """A table in the "Table" style (print's face, size and rules; its header row repeated
        on every page), its caption above in "Table Caption", kept with it; each column
        aligned as the Markdown says."""
        if table.label or table.caption:  # above the table, as in print
            self.caption(table.label, table.caption, style="Table Caption")
        columns = max([len(table.header), *(len(r) for r in table.rows)] or [1])
        grid = word_boxes.add_table(self.story, 0, columns, self.document._block_width)
        grid.style = self.document.styles["Table"]
        word_boxes.table_look(grid, header=bool(table.header))
        for row, header in ([(table.header, True)] if table.header else []) + [
            (r, False) for r in table.rows
        ]:
            row_element = grid.add_row()
            if header:  # the header row: repeated on each page, read as headers by screen readers
                place(
                    row_element._tr.get_or_add_trPr(),
                    wordml.parse_xml(f"<w:tblHeader {wordml.nsdecls('w')}/>"),
                )
            for column, (cell, content) in enumerate(zip(row_element.cells, row)):
                self.into(cell, lambda c=content: self.blocks(c))
                align = table.aligns[column] if column < len(table.aligns) else "default"
                if align in _ALIGN:
                    for paragraph in cell.paragraphs:
                        paragraph.alignment = _ALIGN[align]
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
            self.caption(figure.label, figure.caption)

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
        try:
            data = self.roots.read_bytes(path)  # through the confinement gate
            image = Image.from_blob(data)
            if width is None:
                room = self.document._block_width // (2 if self._in_note else 1)
                width = min(image.width, room)
            paragraph = self.paragraph()
            shape = paragraph.add_run().add_picture(io.BytesIO(data), width=width)
            # The picture's alt text, the same as the HTML's and the PDF's.
            shape._inline.docPr.set("descr", alt)
            return paragraph
        except Exception as exc:  # python-docx's image readers raise several kinds
            raise BriefInvalid(
                Diagnostic(
                    location or Location(path),
                    f"not an image briefkit can place in Word: {exc}",
                    hint="use a PNG, JPEG or GIF file",
                )
            ) from None

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
        self._in_note = True
        try:
            self.blocks(note.children, style=self.notes.text_style_name)
        finally:
            self.story, self._in_note = outer, False
        self.notes.finish(element)
