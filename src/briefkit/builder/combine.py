"""Combine: the briefs of a series in, one PDF with a contents page out (`--combined`).

Each brief is laid out on its own by WeasyPrint (its page numbering restarts), then the pages
are joined after a contents page that gives each brief's first page in the combined file. The
result is rebuilt only when one of the briefs' own outputs changed. It carries a fingerprint
like every output, and an edited combined.pdf is kept (the new one goes beside it).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from markupsafe import escape

from briefkit.builder.fingerprint import Cache
from briefkit.builder.outputs import replace_file
from briefkit.builder.pipeline import prepare
from briefkit.core.paths import PathRefused, read_regular
from briefkit.core.write import write_atomic
from briefkit.layout.locales import load_locale
from briefkit.render.stamp import is_own, pdf_finisher, stamp

COMBINED_NAME = "combined.pdf"


def write_combined(out_dir: Path, jobs) -> Path:
    # WeasyPrint and the HTML writer only for --combined
    from weasyprint import HTML

    # (the print edition's writers: see above)
    from briefkit.render.html.page import render_html
    from briefkit.render.pdf.writer import ConfinedFetcher

    out_dir = Path(out_dir)
    target = out_dir / COMBINED_NAME
    cache = Cache(out_dir)
    jobs = sorted(jobs, key=lambda j: j.key)
    key = hashlib.sha256(
        json.dumps(
            [cache.records[j.key].inputs for j in jobs if j.key in cache.records], sort_keys=True
        ).encode()
    ).hexdigest()
    done = out_dir / ".combined.sha256"
    if is_own(target) and _text_of(done) == key:
        return target

    documents, entries = [], []
    for job in jobs:
        prepared = prepare(job.brief)
        fetcher = ConfinedFetcher(prepared.roots)
        document = HTML(
            string=render_html(prepared, "print"),
            url_fetcher=fetcher,
            base_url=prepared.roots.brief_dir.as_uri() + "/",
        ).render()
        documents.append(document)
        doc = prepared.document  # its date in its own language, as the brief prints it
        entries.append((doc, load_locale(doc.lang, prepared.roots.project).date(doc.date)))
    page = 2  # the contents page comes first
    rows = []
    for (doc, date), rendered in zip(entries, documents):
        rows.append(
            f"<li><span class='t'>{escape(doc.title)}</span> <span class='d'>"
            f"{escape(date)}</span><span class='p'>{page}</span></li>"
        )
        page += len(rendered.pages)
    contents = HTML(
        string=(
            "<html lang='en'><head><title>Series</title><style>@page{size:A4;margin:25mm}"
            "body{font-family:'DejaVu Sans',sans-serif;color:#1f2328}h1{color:#1d3557}"
            "li{display:flex;gap:1em;padding:.3em 0;border-bottom:1px solid #c9cfd6}"
            ".t{flex:1}.d{color:#555d66}.p{width:3em;text-align:right}ol{list-style:none;padding:0}"
            "</style></head><body><h1>Contents</h1><ol>" + "".join(rows) + "</ol></body></html>"
        )
    ).render()
    pages = [p for d in [contents, *documents] for p in d.pages]
    written = replace_file(
        target, stamp("pdf", contents.copy(pages).write_pdf(finisher=pdf_finisher))
    )
    write_atomic(done, key.encode())
    return written


def _text_of(path: Path) -> str | None:
    """The text of the regular file at `path`, or None (absent, a pipe, unreadable)."""
    try:
        return read_regular(path).decode("utf-8", errors="replace")
    except (OSError, PathRefused):
        return None
