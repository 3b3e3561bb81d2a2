"""Render PDF: a `Prepared` document in, PDF bytes out, through the print HTML and WeasyPrint.

WeasyPrint's default fetcher reads any `file:` URL and requests any `http(s)` one, so a stylesheet
`@import` or a `<link rel=attachment>` in a template could pull `/etc/passwd` into the PDF or
reach the network. `ConfinedFetcher` allows `data:` URLs and files inside the allowed roots only,
and remembers what it refused so the build can say so. No `file:` link reaches the PDF.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from ..diagnostics import BriefInvalid, Diagnostics, Location
from ..stamp import pdf_finisher
from .html import render_html

logging.getLogger("weasyprint").addHandler(logging.NullHandler())


class ConfinedFetcher(URLFetcher):
    def __init__(self, roots, **kwargs):
        protocols = {"file", "data"} | ({"http", "https"} if roots.allow_network else set())
        super().__init__(allowed_protocols=protocols, timeout=10, **kwargs)
        self.roots = roots
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(unquote(urlparse(url).path))
            if not self.roots.contains(path):
                self.refused.append(url)
                raise ValueError(f"refused: {url} is outside the project")
        elif not url.startswith("data:") and not (
                self.roots.allow_network and url.startswith(("http:", "https:"))):
            self.refused.append(url)
            raise ValueError(f"refused: {url} (briefkit does not fetch from the network)")
        return super().fetch(url, headers)


def render_pdf(prepared) -> bytes:
    html = render_html(prepared, "print")
    fetcher = ConfinedFetcher(prepared.roots)
    document = HTML(string=html, base_url=prepared.roots.brief_dir.as_uri() + "/",
                    url_fetcher=fetcher)
    # PDF/UA-1: tagged (structure tree), document language, title shown in the window title.
    rendered = document.render(font_config=FontConfiguration(), pdf_variant="pdf/ua-1")
    _no_file_links(rendered, prepared.roots.brief_dir)
    # The finisher reserves the fingerprint `render` fills in (stamp.py).
    pdf = rendered.write_pdf(pdf_variant="pdf/ua-1", finisher=pdf_finisher)
    if fetcher.refused:
        diagnostics = Diagnostics()
        for url in dict.fromkeys(fetcher.refused):
            diagnostics.error(Location(prepared.path), f"the templates ask for '{url}', which "
                              "briefkit refuses to read",
                              hint="only files inside the brief's folder, the project or "
                                   "briefkit's own templates may be used")
        raise BriefInvalid(diagnostics)
    return pdf


def _no_file_links(rendered, brief_dir: Path) -> None:
    """WeasyPrint resolves a relative link (`href="full-report.pdf"`) against the base URL,
    which is the brief's folder on the build machine: the PDF would link to `file:///…`.
    Such a link goes back to its relative form (a file beside the brief, as in the HTML);
    any other `file:` link is dropped."""
    base = Path(brief_dir).resolve()
    for page in rendered.pages:
        kept = []
        for link_type, target, rectangle, box in page.links:
            if link_type == "external" and str(target).lower().startswith("file:"):
                path = Path(unquote(urlparse(target).path)).resolve()
                if base not in path.parents:
                    continue
                target = path.relative_to(base).as_posix()
            kept.append((link_type, target, rectangle, box))
        page.links = kept
