"""The title block in Word: the document's composed lines in, the title page (or the head of the
first page, or a full-bleed cover) out.

A mixin of `DocxWriter`: what the title block shows and in which order comes from the layout
(`title_block`, `cover` in layout.yaml); every line is one resolve composed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from docx.enum.text import WD_BREAK
from docx.image.image import Image
from docx.shared import Emu, Mm, Pt

from briefkit import model as m
from briefkit.ooxml import wordml
from briefkit.render.word import boxes as word_boxes

# The title block when a layout names none (layout.yaml `title_block`).
TITLE_BLOCK = ["logo", "publisher", "kicker", "title", "subtitle", "byline", "dateline", "series"]


class TitleBlockWriter:
    # What the writer it is mixed into (DocxWriter, writer.py) holds and does.
    doc: m.Document
    design: Any
    roots: Any
    story: Any
    full_bleed: bool
    cover: bool
    title_block: list[str]
    paragraph: Callable[..., Any]
    phrase: Callable[..., None]
    picture: Callable[..., Any]
    into: Callable[..., None]
    field: Callable[..., Any]  # the host's (render/word/fields.py): a field of the brief

    def shape_title_page(self, part=None) -> None:
        if self.full_bleed:
            return self.cover_page()
        for item in self.title_block:
            getattr(self, f"title_{item}")()
        if self.cover:
            self.paragraph().add_run().add_break(WD_BREAK.PAGE)

    def cover_page(self) -> None:
        """The title block on a page of the layout's primary colour, the publisher at its foot,
        as the PDF's cover: the logo on a white plate 20 mm down, the title block 70 mm down;
        a draft's mark across the cover, in front of its ground (report.css)."""
        design = self.design
        page = design.page_setup()
        logo = "logo" in self.title_block and isinstance(self.doc.publisher.get("logo"), Path)
        main, foot = word_boxes.full_bleed_cover(
            self.story, page, design.color("primary"), 20 if logo else 70
        )
        plate_mm = [0.0]

        def title_block():
            if logo:
                plate_mm[0] = self.logo_plate()
            for item in self.title_block:
                if item not in ("publisher", "logo"):
                    getattr(self, f"title_{item}")()

        self.into(main, title_block)
        self.into(foot, self.title_publisher)
        colors = {"Title": "FFFFFF", "Kicker": design.color("cover_accent")}
        texts = [p for p in main.paragraphs + foot.paragraphs if p.text.strip()]
        for paragraph in texts:
            word_boxes.color_runs(
                [paragraph], colors.get(paragraph.style.name, design.color("cover_text"))
            )
        if logo and texts and texts[0]._p.getparent() is main._tc:  # the title block 70 mm down
            texts[0].paragraph_format.space_before = Mm(max(6.0, 70 - 20 - plate_mm[0]))
        if self.doc.is_draft:
            main.paragraphs[-1]._p.append(
                wordml.text_mark(
                    self.doc.label(self.doc.status),
                    100,
                    font=design.display_face,
                    width_pt=(page["width"] - 40) * 72 / 25.4,
                    color="FFFFFF",
                    opacity=0.18,
                    behind=False,
                    relative="page",
                )
            )

    def logo_plate(self) -> float:
        """The publisher's logo on a white plate 2 mm wider all round, as print puts it on the
        dark cover (report.css); at most 12 times the body size wide (base.css's 12rem).
        Returns the plate's height in mm."""
        path = self.doc.publisher["logo"]
        width, height_mm = self._logo_size()
        cell = word_boxes.box(
            self.story, Mm(Emu(width).mm + 4), fill="FFFFFF", margins_mm=(2, 2, 2, 2)
        )
        self.into(cell, lambda: self.picture(path, width, self.doc.logo_alt))
        after = cell._tc.getparent().getparent().getnext()  # python-docx ends a cell that
        if after is not None and after.tag == wordml.qn("w:p") and len(after) == 0:  # gets a
            after.getparent().remove(after)  # table with a paragraph: the title block follows
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.space_after = 0
            paragraph.paragraph_format.space_before = 0
        return height_mm + 4

    def title_logo(self) -> None:
        """The logo at the head of an article's page, as print.css sizes it (at most 14 mm
        high and 12 times the body size wide)."""
        if isinstance(self.doc.publisher.get("logo"), Path):
            width, _ = self._logo_size(max_height_mm=14)
            self.picture(self.doc.publisher["logo"], width, self.doc.logo_alt)

    def _logo_size(self, max_height_mm: float | None = None):
        """(width, height in mm) of the logo: its own size, at most 12 times the body size wide
        (base.css's 12rem) and `max_height_mm` high."""
        try:
            image = Image.from_blob(self.roots.read_bytes(self.doc.publisher["logo"]))
        except Exception:  # picture() reports it, located
            return Pt(12 * float(self.design.get("type", "body"))) if self.design else Mm(40), 14.0
        body = float(self.design.get("type", "body")) if self.design else 10.5
        width = min(image.width, Pt(12 * body))
        ratio = image.px_height / image.px_width
        if max_height_mm is not None and Emu(width).mm * ratio > max_height_mm:
            width = Mm(max_height_mm / ratio)
        return width, Emu(width).mm * ratio

    def title_publisher(self) -> None:
        if self.doc.publisher_line:
            # The program stands on a line of its own, as in print.
            pieces = [
                m.Piece("\n") if piece.role == "sep" else piece for piece in self.doc.publisher_line
            ]
            self.phrase(self.paragraph(style="Publisher"), pieces)

    def title_kicker(self) -> None:
        if self.doc.kicker:
            with self.field(("kicker",), "text"):
                self.paragraph(self.doc.kicker, style="Kicker")

    def title_title(self) -> None:
        with self.field(("title",), "text"):
            self.paragraph(self.doc.title, style="Title")

    def title_subtitle(self) -> None:
        if self.doc.subtitle:
            with self.field(("subtitle",), "text"):
                self.paragraph(self.doc.subtitle, style="Subtitle")

    def title_byline(self) -> None:
        if self.doc.byline:
            self.phrase(self.paragraph(style="Byline"), self.doc.byline)

    def title_by_byline(self) -> None:
        """The byline of articles: "By Samuel Bendett, Adjunct Senior Fellow and …"."""
        if self.doc.by_byline:
            self.phrase(self.paragraph(style="Byline"), self.doc.by_byline)

    def title_dateline(self) -> None:
        self.phrase(self.paragraph(style="Dateline"), self.doc.dateline)

    def title_dateline_outlet(self) -> None:
        """The date, then the outlet (the publisher's name), as articles print them."""
        self.phrase(self.paragraph(style="Dateline"), self.doc.dateline_outlet)

    def title_series(self) -> None:
        if self.doc.series_line:
            self.phrase(self.paragraph(style="Series Line"), self.doc.series_line)
