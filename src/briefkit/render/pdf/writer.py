"""Render PDF: a `Prepared` document in, PDF bytes out, through the print HTML and WeasyPrint.

WeasyPrint's default fetcher reads any `file:` URL and requests any `http(s)` one, so a stylesheet
`@import`, a `<link rel=attachment>` in a template or an `<image href>` inside an SVG figure could
pull `/etc/passwd` into the PDF or reach the network. `ConfinedFetcher` asks the confinement gate
(`Roots.fetchable`) about every URL and remembers what it refused so the build can say so. An
image WeasyPrint cannot load (it logs and leaves a gap) is an error located at the figure. Only
http(s) and mailto links (and in-page ones) reach the PDF: WeasyPrint would turn a relative
link from a template into a `file:` link to the build machine.
"""

from __future__ import annotations

import logging
import re
import shutil
from functools import lru_cache

from weasyprint import HTML
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from briefkit.core.cleanup import on_exit
from briefkit.core.diagnostics import Diagnostics, Location
from briefkit.core.paths import PathRefused, safe_link
from briefkit.layout.design import design_of
from briefkit.layout.pages import copyfit_css, tail_share
from briefkit.render.html.page import render_page
from briefkit.render.pdf.pages import PrintPages, print_pages
from briefkit.render.stamp import pdf_finisher

_LOGGER = logging.getLogger("weasyprint")
_LOGGER.addHandler(logging.NullHandler())


class ConfinedFetcher(URLFetcher):
    def __init__(self, roots, **kwargs):
        protocols = {"file", "data"} | ({"http", "https"} if roots.allow_network else set())
        super().__init__(allowed_protocols=protocols, timeout=10, **kwargs)
        self.roots = roots
        self.refused: dict[str, str] = {}  # url -> why

    def fetch(self, url, headers=None):
        try:
            self.roots.fetchable(url)
        except PathRefused as exc:
            self.refused.setdefault(url, str(exc))
            raise ValueError(f"refused: {exc}") from None
        return super().fetch(url, headers)


class _ImageFailures(logging.Handler):
    """WeasyPrint's "Failed to load image" messages, by URL."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.urls: dict[str, str] = {}

    def emit(self, record):
        if str(record.msg).startswith("Failed to load image") and record.args:
            self.urls[str(record.args[0])] = str(record.args[1]) if len(record.args) > 1 else ""


def render_pdf(prepared) -> bytes:
    """The PDF's bytes (the table of formats' writer); its pages' facts are kept on `prepared`
    (`print_pages`) for the Word twin to paginate alike."""
    pdf, prepared.print_pages = render_pdf_with_pages(prepared)
    return pdf


def lay_out_pages(prepared) -> PrintPages:
    """The print edition's pages without the PDF (a DOCX made alone still follows them)."""
    return render_pdf_with_pages(prepared, write=False)[1]


def render_pdf_with_pages(prepared, *, write: bool = True) -> tuple[bytes, PrintPages]:
    """The PDF's bytes (b"" when not `write`: a DOCX alone needs only the pages) and its pages'
    facts, for the Word twin to paginate alike (print_pages)."""
    html, figures = render_page(prepared, "print")
    fetcher = ConfinedFetcher(prepared.roots)
    document = HTML(
        string=html, base_url=prepared.roots.brief_dir.as_uri() + "/", url_fetcher=fetcher
    )
    failures = _ImageFailures()
    _LOGGER.addHandler(failures)
    font_config = _font_config(html, prepared.html_template)
    try:
        # PDF/UA-1: tagged (structure tree), document language, title shown in the window title.
        rendered = document.render(font_config=font_config, pdf_variant="pdf/ua-1")
        design = design_of(prepared)
        if len(rendered.pages) > 1 and last_page_fill(rendered) <= tail_share(design):
            # A tail: a few lines alone on the last page. Set the text a little tighter and keep
            # that when the tail comes back onto the page before.
            tighter = HTML(
                string=html.replace("</head>", f"<style>{copyfit_css(design)}</style></head>", 1),
                base_url=prepared.roots.brief_dir.as_uri() + "/",
                url_fetcher=fetcher,
            )
            fitted = tighter.render(font_config=font_config, pdf_variant="pdf/ua-1")
            if len(fitted.pages) < len(rendered.pages):
                rendered = fitted
        pages = print_pages(rendered)  # of the PDF written: the Word twin follows them
        _only_safe_links(rendered)
        # The finisher reserves the fingerprint `render` fills in (stamp.py). Attachments are
        # fetched here, so refusals are judged after it.
        pdf = rendered.write_pdf(pdf_variant="pdf/ua-1", finisher=pdf_finisher) if write else b""
    finally:
        _LOGGER.removeHandler(failures)
    diagnostics = Diagnostics()
    for url, why in fetcher.refused.items():
        diagnostics.error(
            Location(prepared.path),
            f"the templates or a figure ask for "
            f"'{url[:120]}', which briefkit refuses to read: {why}",
            hint="only files inside the brief's folder, the project or "
            "briefkit's own templates may be used",
        )
    for url, why in failures.urls.items():
        figure = figures.get(url)
        if figure is not None:
            diagnostics.error(
                figure.location or Location(prepared.path),
                f"the PDF engine cannot draw the image '{figure.path.name}' ({why or 'refused'})",
                hint="save it again as a PNG or JPEG of reasonable size",
            )
        elif url not in fetcher.refused:
            diagnostics.error(
                Location(prepared.path),
                f"the PDF engine cannot load the image "
                f"'{url[:120]}' named by the templates ({why or 'refused'})",
            )
    diagnostics.raise_if_errors()
    return pdf, pages


def last_page_fill(rendered) -> float:
    """How far down its text block the last page's text (or picture) reaches, 0..1: the foot
    of its lowest line over the height of the page's content area (footnotes count as text)."""
    page = rendered.pages[-1]._page_box
    top, lowest = page.content_box_y(), page.content_box_y()

    def walk(box) -> None:
        nonlocal lowest
        if isinstance(box, boxes.MarginBox):  # running heads and folios
            return
        if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
            lowest = max(lowest, box.position_y + box.margin_height())
            return
        for child in getattr(box, "children", ()):
            walk(child)

    for child in [*page.children, getattr(page, "footnote_area", None)]:
        if child is not None:
            walk(child)
    return (lowest - top) / page.height if page.height else 1.0


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")


def _font_config(html: str, html_template) -> FontConfiguration:
    """One FontConfiguration per process for each set of @font-face rules (and house HTML
    template, whose stylesheets may add their own): WeasyPrint registers a document's faces
    in a fontconfig configuration that is never freed, so a fresh one per PDF made a series
    worker grow by a third of a megabyte a brief (93 to 115 MiB over 60 short briefs; 93 to
    99 MiB when shared). Keyed, so two designs that name the same family with other files
    never share one."""
    return _shared_font_config(tuple(_FONT_FACE.findall(html)), str(html_template))


@lru_cache(maxsize=8)
def _shared_font_config(font_faces: tuple, html_template: str) -> FontConfiguration:
    config = FontConfiguration()
    # Its faces go to a temporary folder that only its finaliser removes, which a process
    # leaving with os._exit never runs: removed with the command's other temporary folders.
    on_exit(lambda: _remove_font_folder(config))
    return config


def _remove_font_folder(config: FontConfiguration) -> None:
    folder = getattr(config, "_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def _only_safe_links(rendered) -> None:
    """Drop every external link that is not http(s) or mailto (a relative `href` from a
    template arrives here as a `file:` URL of the build machine)."""
    for page in rendered.pages:
        page.links = [
            (kind, target, rectangle, box)
            for kind, target, rectangle, box in page.links
            if kind != "external" or safe_link(target)
        ]
