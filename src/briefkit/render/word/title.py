"""The title block in Word: the document's composed lines in, the title page (or the head of the
first page, or a full-bleed cover) out.

A mixin of `DocxWriter`: what the title block shows and in which order comes from the layout
(`title_block`, `cover` in layout.yaml); every line is one resolve composed.
"""

from __future__ import annotations

from pathlib import Path

from docx.enum.text import WD_BREAK
from docx.shared import Inches, Mm

from briefkit import model as m
from briefkit.render.word import boxes as word_boxes

# The title block when a layout names none (layout.yaml `title_block`).
TITLE_BLOCK = ["logo", "publisher", "kicker", "title", "subtitle", "byline", "dateline", "series"]


class TitleBlockWriter:
    def shape_title_page(self, part=None) -> None:
        if self.full_bleed:
            return self.cover_page()
        for item in self.title_block:
            getattr(self, f"title_{item}")()
        if self.cover:
            self.paragraph().add_run().add_break(WD_BREAK.PAGE)

    def cover_page(self) -> None:
        """The title block on a page of the layout's primary colour, the publisher at its foot,
        as the PDF's cover."""
        design = self.design
        # The PDF sets the logo 20 mm down and the title block about 70 mm down.
        logo = "logo" in self.title_block and isinstance(self.doc.publisher.get("logo"), Path)
        main, foot = word_boxes.full_bleed_cover(
            self.story, design.page_setup(), design.color("primary"), 20 if logo else 70
        )
        self.into(
            main,
            lambda: [
                getattr(self, f"title_{item}")() for item in self.title_block if item != "publisher"
            ],
        )
        self.into(foot, self.title_publisher)
        colors = {"Title": "FFFFFF", "Kicker": design.color("cover_accent")}
        texts = [p for p in main.paragraphs + foot.paragraphs if p.text.strip()]
        for paragraph in texts:
            word_boxes.color_runs(
                [paragraph], colors.get(paragraph.style.name, design.color("cover_text"))
            )
        if logo and texts and texts[0] in main.paragraphs:
            texts[0].paragraph_format.space_before = Mm(30)

    def title_logo(self) -> None:
        if isinstance(self.doc.publisher.get("logo"), Path):
            self.picture(self.doc.publisher["logo"], Inches(1.6), self.doc.logo_alt)

    def title_publisher(self) -> None:
        if self.doc.publisher_line:
            # The program stands on a line of its own, as in print.
            pieces = [
                m.Piece("\n") if piece.role == "sep" else piece for piece in self.doc.publisher_line
            ]
            self.phrase(self.paragraph(style="Publisher"), pieces)

    def title_kicker(self) -> None:
        if self.doc.kicker:
            self.paragraph(self.doc.kicker, style="Kicker")

    def title_title(self) -> None:
        self.paragraph(self.doc.title, style="Title")

    def title_subtitle(self) -> None:
        if self.doc.subtitle:
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
