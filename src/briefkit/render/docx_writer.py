"""Write the content of a brief into a Word document: model in, paragraphs in Word styles out.

`DocxWriter` walks the document model part by part, in the layout's order, and emits only style
names (from the template, or briefkit's own added by `docx.py`), real footnotes or endnotes,
hyperlinks and bookmarks (through `wordml`). It never decides page setup or properties.
"""

from __future__ import annotations

from pathlib import Path

from docx.blkcntnr import BlockItemContainer
from docx.enum.text import WD_BREAK
from docx.image.exceptions import UnrecognizedImageError
from docx.shared import Inches

from .. import model as m
from ..diagnostics import BriefInvalid, Diagnostic, Location
from ..model import and_list, house_date
from . import word_notes, wordml

_RUN_FLAGS = {"emph": "italic", "strong": "bold", "strike": "strike", "sup": "superscript",
              "sub": "subscript", "smallcaps": "small_caps", "underline": "underline"}


class _StoryOf:
    """The parent python-docx asks a block container for: the story part it writes into."""

    def __init__(self, part):
        self.part = part


# The title block when a layout names none (layout.yaml `title_block`).
TITLE_BLOCK = ["logo", "publisher", "kicker", "title", "subtitle", "byline", "dateline", "series"]


class DocxWriter:
    def __init__(self, document, doc: m.Document, settings: dict | None = None):
        self.document = document
        self.doc = doc
        settings = settings or {}
        # From layout.yaml: what the title block shows in which order, and whether it is a
        # cover page of its own (report) or the head of the first page (articles, summaries).
        self.title_block = list(settings.get("title_block") or TITLE_BLOCK)
        self.cover = bool(settings.get("cover", False))
        self.notes = word_notes.NotesPart(document, doc.notes_placement) if doc.notes else None
        self._bookmark = 0
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

    # ---- parts, in layout order ----
    def write(self, parts: list[str]) -> None:
        for part in parts:
            getattr(self, f"part_{part}")()

    def part_title_page(self) -> None:
        for item in self.title_block:
            getattr(self, f"title_{item}")()
        if self.cover:
            self.paragraph().add_run().add_break(WD_BREAK.PAGE)

    def title_logo(self) -> None:
        if isinstance(self.doc.publisher.get("logo"), Path):
            self.picture(self.doc.publisher["logo"], Inches(1.6))

    def title_publisher(self) -> None:
        publisher = self.doc.publisher
        if publisher.get("name"):
            self.paragraph(publisher["name"] + (f" · {publisher['program']}" if publisher.get("program")
                                                else ""), style="Publisher")

    def title_kicker(self) -> None:
        if self.doc.kicker:
            self.paragraph(self.doc.kicker, style="Kicker")

    def title_title(self) -> None:
        self.paragraph(self.doc.title, style="Title")

    def title_subtitle(self) -> None:
        if self.doc.subtitle:
            self.paragraph(self.doc.subtitle, style="Subtitle")

    def _names(self) -> str:
        return and_list([a.name + (f", {a.title}" if a.title else "") for a in self.doc.authors])

    def title_byline(self) -> None:
        if self.doc.authors:
            self.paragraph(self._names(), style="Byline")

    def title_by_byline(self) -> None:
        """The byline of articles: "By Samuel Bendett, Adjunct Senior Fellow and …"."""
        if self.doc.authors:
            self.paragraph(f"{self.doc.label('by')} {self._names()}", style="Byline")

    def _dateline(self) -> str:
        doc = self.doc
        dateline = house_date(doc.date)
        if doc.updated:
            dateline += f" ({doc.label('updated')} {house_date(doc.updated)})"
        return dateline

    def title_dateline(self) -> None:
        self.paragraph(self._dateline(), style="Dateline")

    def title_dateline_outlet(self) -> None:
        """The date, then the outlet (the publisher's name), as articles print them."""
        outlet = self.doc.publisher.get("name")
        self.paragraph(self._dateline() + (f" · {outlet}" if outlet else ""), style="Dateline")

    def title_series(self) -> None:
        series = self.doc.series
        if series.get("name") or series.get("number"):
            text = series.get("name") or ""
            if series.get("number"):
                text += f" {self.doc.label('series_number')} {series['number']}"
            if series.get("issn"):
                text += f" · ISSN {series['issn']}"
            self.paragraph(text.strip(), style="Series Line")

    def part_standfirst(self) -> None:
        self.blocks(self.doc.standfirst, style="Subtitle")

    def part_categories(self) -> None:
        if self.doc.categories:
            p = self.paragraph(style="Categories")
            p.add_run(self.doc.label("categories") + ": ").bold = True
            p.add_run("; ".join(self.doc.categories))

    def part_front_box(self) -> None:
        for key, blocks in (("problem", self.doc.problem), ("solution", self.doc.solution)):
            if blocks:
                self.paragraph(self.doc.label(key), style="Front Box Heading")
                self.blocks(blocks, style="Front Box Text")

    def part_contents(self) -> None:
        if not self.doc.toc:
            return
        self.paragraph(self.doc.label("contents"), style="TOC Heading")
        wordml.add_field(self.paragraph(), 'TOC \\o "1-3" \\h \\z \\u',
                         "Update the table of contents (F9) to see page numbers.")
        wordml.update_fields_on_open(self.document)
        self.paragraph().add_run().add_break(WD_BREAK.PAGE)

    def part_executive_summary(self) -> None:
        self.titled("executive_summary", self.doc.executive_summary)

    def part_key_takeaways(self) -> None:
        if self.doc.key_takeaways:
            self.heading(self.doc.label("key_takeaways"), 1)
            self.list_items(self.doc.key_takeaways, ordered=True, level=1)

    def part_findings(self) -> None:
        self.items("findings", self.doc.findings, "finding")

    def part_recommendations(self) -> None:
        self.items("recommendations", self.doc.recommendations, "recommendation")

    def part_sections(self) -> None:
        for section in self.doc.all_sections():
            if section.title:
                self.heading(section.title, section.level, bookmark=section.id)
            self.blocks(section.body)

    def part_full_report(self) -> None:
        link = self.doc.full_report
        if link:
            p = self.paragraph(style="Item Title")
            text = [m.Text(link.get("label") or self.doc.label("full_report"))]
            self.inlines(p, [m.Link(text, link["url"])] if link.get("url") else text)

    def part_related(self) -> None:
        if not self.doc.related:
            return
        self.heading(self.doc.label("related"), 1)
        for entry in self.doc.related:
            # As the source lists them: kind · outlet · date, the title, the teaser, the byline.
            meta = [v for v in (entry.kind, entry.outlet, house_date(entry.date)) if v]
            if meta:
                self.paragraph(" · ".join(meta), style="Item Meta").paragraph_format.keep_with_next = True
            p = self.paragraph(style="Item Title")
            title = [m.Text(entry.title)]
            self.inlines(p, [m.Link(title, entry.url)] if entry.url else title)
            self.blocks(entry.summary)
            if entry.authors:
                self.paragraph(f"{self.doc.label('by')} {and_list(entry.authors)}", style="Item Meta")

    def part_notes(self) -> None:
        # The notes themselves live in Word's footnotes/endnotes part; Word places endnotes at
        # the end of the document with their own heading-less list.
        if self.doc.notes and self.doc.notes_placement == "endnotes":
            self.heading(self.doc.label("notes"), 1)
            self.paragraph(style="Colophon").add_run(
                f"{len(self.doc.notes)} notes follow at the end of the document.")

    def part_bibliography(self) -> None:
        if self.doc.bibliography:
            self.heading(self.doc.label("bibliography"), 1)
            self.blocks(self.doc.bibliography, style="Bibliography")

    def part_acronyms(self) -> None:
        if self.doc.acronyms:
            self.heading(self.doc.label("acronyms"), 1)
            for short, long in self.doc.acronyms:
                p = self.paragraph(style="Acronym")
                p.add_run(short).bold = True
                p.add_run("\t" + long)

    def part_authors(self) -> None:
        with_bios = [a for a in self.doc.authors if a.bio]
        if with_bios:
            self.heading(self.doc.label("authors"), 1)
            for author in with_bios:
                p = self.paragraph(style="Item Title")
                p.add_run(author.name)
                self.blocks(author.bio)

    def part_acknowledgements(self) -> None:
        self.titled("acknowledgements", self.doc.acknowledgements)

    def part_about(self) -> None:
        self.titled("about", self.doc.about)

    def part_disclaimer(self) -> None:
        self.titled("disclaimer", self.doc.disclaimer)

    def part_colophon(self) -> None:
        doc = self.doc
        lines = [doc.copyright, doc.license,
                 f"{doc.label('version')} {doc.version}" if doc.version else None,
                 doc.publisher.get("address"), doc.publisher.get("url")]
        for line in filter(None, lines):
            self.paragraph(line, style="Colophon")

    # ---- building blocks ----
    def titled(self, label_key: str, blocks: list[m.Block]) -> None:
        if blocks:
            self.heading(self.doc.label(label_key), 1)
            self.blocks(blocks)

    def items(self, key: str, group: m.ItemGroup, prefix: str) -> None:
        if not group:
            return
        self.heading(self.doc.label(key), 1, bookmark=key)
        self.blocks(group.intro)
        for item in group.items:
            p = self.paragraph(style="Item Title")
            self.bookmark(p, item.id)
            text = f"{self.doc.label(prefix)} {item.number}"
            p.add_run(text + (f": {item.title}" if item.title else ""))
            self.blocks(item.body)
            meta = []
            if item.audience:
                meta.append(f"{self.doc.label('audience')} {item.audience}")
            if item.findings:
                meta.append(self.doc.label("responds_to") + " " + ", ".join(
                    f"{self.doc.label('finding')} {f.number}" for f in item.findings))
            if meta:
                self.paragraph(" · ".join(meta), style="Item Meta")

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
            self.inlines(add(style=f"Heading {min(block.level + 1, 3)}"), block.children)
        elif isinstance(block, m.ListBlock):
            self.list_items(block.items, block.ordered, level + 1, block.start)
        elif isinstance(block, m.Quote):
            self.blocks(block.children, style="Quote", level=level)
        elif isinstance(block, m.Callout):
            self.blocks(block.children, style="Pull Quote" if block.kind == "pullquote" else "Box Text",
                        level=level)
        elif isinstance(block, m.Table):
            self.table(block)
        elif isinstance(block, m.Figure):
            self.picture(block.path, Inches(3.0 if self._in_note else 6.0))
            if block.caption:
                self.inlines(add(style="Caption"), block.caption)
        elif isinstance(block, m.CodeBlock):
            add(block.text, style=style)
        elif isinstance(block, m.Rule):
            add("* * *", style=style)

    def list_items(self, items, ordered: bool, level: int, start: int = 1) -> None:
        base = "List Number" if ordered else "List Bullet"
        style = base if level <= 1 else f"{base} {min(level, 3)}"
        for i, item in enumerate(items):
            first, rest = (item[0], item[1:]) if item and isinstance(item[0], m.Para) else (None, item)
            p = self.paragraph(style=style)
            if ordered and i == 0:
                wordml.restart_numbering(self.document, p, style, start)
            if first is not None:
                self.inlines(p, first.children)
            self.blocks(rest, style="List Continue" if not any(
                isinstance(b, m.ListBlock) for b in rest) else None, level=level)

    def table(self, table: m.Table) -> None:
        columns = max([len(table.header), *(len(r) for r in table.rows)] or [1])
        grid = self.story.add_table(0, columns, self.document._block_width)
        grid.style = self.document.styles["Table Grid"]
        for row, bold in ([(table.header, True)] if table.header else []) + [(r, False) for r in table.rows]:
            cells = grid.add_row().cells
            for cell, content in zip(cells, row):
                self.cell(cell, content, bold)
        if table.caption:
            self.inlines(self.paragraph(style="Caption"), table.caption)

    def cell(self, cell, content: list[m.Block], bold: bool) -> None:
        """A table cell holds blocks as the body does, written by the same code."""
        empty = cell.paragraphs[0]._p
        outer, self.story = self.story, cell
        try:
            self.blocks(content)
        finally:
            self.story = outer
        if len(cell._tc.inner_content_elements) > 1 and cell._tc[-1].tag != wordml.qn("w:tbl"):
            cell._tc.remove(empty)  # a cell needs one paragraph, after a table a last one
        if bold:
            for run in cell._tc.iter(wordml.qn("w:r")):
                run.get_or_add_rPr().get_or_add_b()

    def picture(self, path: Path, width) -> None:
        try:
            self.paragraph().add_run().add_picture(str(path), width=width)
        except (UnrecognizedImageError, OSError, ValueError) as exc:
            raise BriefInvalid(Diagnostic(Location(path), f"not an image briefkit can place: {exc}",
                                          hint="use a PNG, JPEG or GIF file")) from None

    def inlines(self, paragraph, inlines: list[m.Inline], flags: frozenset | set = frozenset(),
                container=None) -> None:
        for inline in inlines:
            if isinstance(inline, m.Text):
                self.run(paragraph, inline.text, flags, container)
            elif isinstance(inline, m.Styled):
                self.inlines(paragraph, inline.children, set(flags) | {_RUN_FLAGS[inline.style]},
                             container)
            elif isinstance(inline, m.Code):
                self.run(paragraph, inline.text, flags, container)
            elif isinstance(inline, m.LineBreak):
                self.run(paragraph, "", flags, container).add_break()
            elif isinstance(inline, m.Link):
                if inline.internal or _linkable(inline.url):
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
            run.style = self._hyperlink_style()
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


def _linkable(url: str) -> bool:
    """http(s), mailto and relative links become hyperlinks; other schemes stay plain text."""
    import re

    return bool(re.match(r"^(https?:|mailto:|(?![A-Za-z][A-Za-z0-9+.-]*:))", url.strip(), re.I))
