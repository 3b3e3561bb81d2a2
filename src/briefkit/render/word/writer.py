"""Write the content of a brief into a Word document: model in, paragraphs in Word styles out.

`DocxWriter` walks the document model part by part, in the layout's order, each part as its
shape (layout/parts.py), and emits only style names (from the template, or briefkit's own added
by `docx.py`) and bookmarks; what a part holds is written by `BlockWriter` (blocks.py), the
title block by `TitleBlockWriter` (title.py). It never decides page setup or properties.
"""

from __future__ import annotations

from docx.shared import Mm

from briefkit import model as m
from briefkit.layout.parts import Part
from briefkit.ooxml import wordml
from briefkit.render.word import boxes as word_boxes
from briefkit.render.word import contents as word_contents
from briefkit.render.word import notes as word_notes
from briefkit.render.word.blocks import BlockWriter
from briefkit.render.word.fields import FieldWriter
from briefkit.render.word.title import TITLE_BLOCK, TitleBlockWriter


class DocxWriter(TitleBlockWriter, BlockWriter, FieldWriter):
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
        # The design's pagination (design.yaml `pagination`), as print applies it: chapters
        # (parts named there, `sections` for every top-level section) open under the chapter
        # rule their Heading 1 carries in briefkit's own styles; other level-1 headings do
        # without it. Parts set together on the cover's verso (layout.yaml `imprint`).
        pagination = (design.tokens.get("pagination") or {}) if design is not None else {}
        self.chapters = set(pagination.get("chapters") or [])
        self.own_styles = full_bleed and design is not None  # briefkit's reference document
        self.imprint = set(settings.get("imprint") or []) if self.full_bleed else set()
        self.imprint_written = False
        self._in_imprint = False
        self.notes = word_notes.NotesPart(document, doc.notes_placement) if doc.notes else None
        self._bookmark = 0
        self.notes_heading = None  # the endnotes' heading, once written
        self.page_references: list = []  # the contents' page numbers, filled in when known
        self.openers: dict = {}  # bookmark -> w:p of a part's or chapter's heading
        self.chapter_openers: set = set()  # those of chapters (their space goes at a page top)
        self._styles: dict = {}
        # Where blocks go: the body, or while a note is written, that note (a note holds
        # any block the body can, written by the same code).
        self.story = document._body
        self._in_note = False
        self._plain_links = False  # links_as_text()
        self._init_fields()  # the brief's fields, marked as they are written (fields.py)

    # ---- parts, in layout order, each laid out as its shape (layout/parts.py) ----
    def write(self, parts: list[Part]) -> None:
        """Each part as its shape; the imprint's parts together on the page after the cover, in
        the layout's order (as print sets them: document.html's `.imprint`)."""
        imprint = [p for p in parts if p.name in self.imprint]
        if imprint and not any(p.shape == "title_page" for p in parts):
            self.imprint_page(imprint)
        for part in parts:
            if part.name in self.imprint:
                continue
            getattr(self, f"shape_{part.shape}")(part)
            if part.shape == "title_page" and imprint:
                self.imprint_page(imprint)

    def imprint_page(self, parts: list[Part]) -> None:
        """The imprint's parts set small at the foot of the cover's verso, a page of their own
        (print.css `.imprint`): a cell as high as the text block, its text at the bottom."""
        page = self.design.page_setup()
        cell = word_boxes.page_foot(
            self.story, self.document._block_width, page["height"] - page["top"] - page["bottom"]
        )

        def write():
            self._in_imprint = True
            try:
                for part in parts:
                    getattr(self, f"shape_{part.shape}")(part)
            finally:
                self._in_imprint = False

        self.into(cell, write)
        self.imprint_written = any(p.text for p in cell.paragraphs) or bool(
            cell._tc.xpath(".//w:drawing")
        )
        if not self.imprint_written:  # no imprint page, as print sets none (document.html)
            table = cell._tc.getparent().getparent()
            table.getparent().remove(table)

    def shape_lead(self, part: Part) -> None:
        self.field_blocks((part.content_key,), self.doc.part_content(part), style="Standfirst")

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
                    self.field_blocks((part.content_key, key), blocks, style="Front Box Text")

        if self.design is None:
            return write()
        design = self.design
        # The part's anchor on a paragraph of no height before the block: where print begins
        # the box on a new page, Word breaks there (a break inside a table is not kept).
        anchor = self.paragraph(style="Anchor")
        self.bookmark(anchor, part.anchor or part.name, opener=True)
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
            self.heading(
                self.doc.label(part.label or part.name), 1, bookmark=part.anchor, part=part
            )
            self.field_blocks(
                (part.content_key,), blocks, style="Imprint Text" if self._in_imprint else None
            )

    def shape_list(self, part: Part) -> None:
        entries = self.doc.part_content(part)
        if not entries:
            return
        self.heading(self.doc.label(part.label or part.name), 1, bookmark=part.anchor, part=part)
        # A numbered list an editor extends with Enter; beside large numerals where the
        # layout prints them so (layout.yaml `takeaways: numerals`: the "Takeaway" list style,
        # whose number is set large in the accent).
        self.list_items(
            entries,
            ordered=True,
            level=1,
            style="Takeaway" if self.takeaway_numerals else None,
            keys=[(part.content_key, i) for i in range(len(entries))],
        )

    def shape_items(self, part: Part) -> None:
        group = self.doc.part_content(part)
        if not group:
            return
        self.heading(self.doc.label(part.label or part.name), 1, bookmark=part.anchor, part=part)
        self.field_blocks((group.key or (part.content_key,)) + ("intro",), group.intro)
        rule = wordml.style_rule(self.document, "Item Text")
        for item in group.items:
            p = self.paragraph(style="Item Title")
            wordml.set_outline_level(p, 2)  # an h3, as in HTML and PDF
            wordml.apply_rule(p, rule)
            self.bookmark(p, item.id)
            self.phrase(p, item.heading)
            # The text under the title's rule, kept together as print keeps an item
            # (`break-inside: avoid`): each paragraph keeps with the next, the last ends it.
            self.field_blocks(item.key + ("text",), item.body, style="Item Text")
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
                with self.field(section.key + ("title",), "text"):
                    self.heading(section.title, section.level, bookmark=section.id)
            self.field_blocks(section.key + ("body",), section.body)

    def shape_call_to_action(self, part: Part) -> None:
        link = self.doc.full_report
        if link:  # in its paragraph's colour, as print sets a call to action
            p = self.paragraph(style="Call to Action")
            text: list[m.Inline] = [m.Text(self.doc.full_report_text)]
            with self.links_as_text():
                self.inlines(p, [m.Link(text, link["url"])] if link.get("url") else text)

    def shape_related(self, part: Part) -> None:
        if not self.doc.related:
            return
        self.heading(self.doc.label(part.label or part.name), 1, bookmark=part.anchor, part=part)
        for index, entry in enumerate(self.doc.related):
            # As the source lists them: kind · outlet · date, the title, the teaser, the byline.
            if entry.meta:  # under a rule: each item stands apart, as in print
                p = self.paragraph(style="Related Meta")
                p.paragraph_format.keep_with_next = True
                self.phrase(p, entry.meta)
            p = self.paragraph(style="Related Title")
            title: list[m.Inline] = [m.Text(entry.title)]
            with self.links_as_text():  # a title, as print sets it
                self.inlines(p, [m.Link(title, entry.url)] if entry.url else title)
            self.field_blocks((part.content_key, index, "summary"), entry.summary)
            if entry.byline:
                self.paragraph(entry.byline, style="Item Meta")

    def shape_notes(self, part: Part) -> None:
        # The notes themselves live in Word's endnotes part, which Word prints at the end of
        # the document; the heading stands where the layout places notes.
        if self.doc.notes and self.doc.notes_placement == "endnotes":
            self.notes_heading = self.heading(
                self.doc.label(part.label or part.name), 1, bookmark=part.anchor, part=part
            )

    def shape_bibliography(self, part: Part) -> None:
        if self.doc.bibliography:
            self.heading(
                self.doc.label(part.label or part.name), 1, bookmark=part.anchor, part=part
            )
            self.blocks(self.doc.bibliography, style="Bibliography")

    def shape_glossary(self, part: Part) -> None:
        if self.doc.acronyms:
            self.heading(
                self.doc.label(part.label or part.name), 1, bookmark=part.anchor, part=part
            )
            for short, long in self.doc.acronyms:
                p = self.paragraph(style="Acronym")
                p.add_run(short).bold = True
                p.add_run("\t" + long)

    def shape_people(self, part: Part) -> None:
        with_bios = [a for a in self.doc.authors if a.bio]
        if with_bios:
            self.heading(
                self.doc.label(part.label or part.name), 1, bookmark=part.anchor, part=part
            )
            for author in with_bios:
                self.phrase(self.paragraph(style="Author Name"), author.credit, bold_names=False)
                self.field_blocks(author.key + ("bio",), author.bio)

    def shape_colophon(self, part: Part) -> None:
        """The colophon's lines under one rule (the style's: Word draws a run of paragraphs
        with the same border as one block), 8 mm below the text, as print.css sets it."""
        for n, line in enumerate(self.doc.colophon):
            paragraph = self.paragraph(line.text, style="Colophon")
            if n == 0:
                paragraph.paragraph_format.space_before = Mm(8)

    # ---- headings and bookmarks ----
    def heading(self, text: str, level: int, bookmark: str | None = None, part: Part | None = None):
        """A heading of `part` (None: a section's), bookmarked; a level-1 heading that is not a
        chapter's goes without the chapter rule (print draws it over chapters only)."""
        if self._in_imprint:  # the imprint's small headings (print.css `.imprint h2`)
            p = self.paragraph(text, style="Imprint Heading")
            if bookmark:
                self.bookmark(p, bookmark)
            return p
        p = self.paragraph(text, style=f"Heading {min(level, 3)}")
        if bookmark:
            self.bookmark(p, bookmark, opener=level == 1)
        if level == 1 and self.own_styles and self.chapters:
            chapter = "sections" if part is None else part.name
            if chapter not in self.chapters:
                wordml.without_top_rule(p, float(self.design.get("spacing", "heading_1_before")))
            elif bookmark:
                self.chapter_openers.add(bookmark)
        return p

    def bookmark(self, paragraph, name: str, *, opener: bool = False) -> None:
        """Bookmark `paragraph` as `name` (the HTML's id); an `opener` (a part's or chapter's
        heading) opens a page in Word where it does in print (word_pagination)."""
        self._bookmark += 1
        wordml.add_bookmark(paragraph, name, self._bookmark)
        if opener and self.story is self.document._body:
            self.openers[name] = paragraph._p
