"""Series index: the records of a series' built briefs in, `OUT/index.html` out.

The page lists every brief (title, date, authors, a link to each format), newest first, each
brief's date and authors in its own language (the locale is the one formatter). It is
made from the fingerprint records, so a run that rebuilt nothing can still write it, and it is
written only when its text changes: a no-op rebuild writes nothing. An index an editor
changed is kept (the new one goes beside it, as for every output).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from briefkit.builder.outputs import replace_file
from briefkit.core.paths import PathRefused, read_regular
from briefkit.layout.files import builtin_dir
from briefkit.layout.locales import load_locale
from briefkit.render.stamp import stamp

INDEX_NAME = "index.html"


def write_series_index(out_dir: Path, records) -> Path:
    out_dir = Path(out_dir).resolve()
    entries = []
    for record in records:
        meta = record.meta
        links = {
            fmt: os.path.relpath(out["path"], out_dir)
            for fmt, out in sorted(record.outputs.items())
        }
        date = dt.date.fromisoformat(meta["date"])
        locale = load_locale(meta.get("lang") if isinstance(meta.get("lang"), str) else None)
        entries.append(
            {
                **meta,
                "date": date,
                "links": links,
                "lang": locale.tag,
                "date_text": locale.date(date),
                "authors_text": locale.and_list([str(a) for a in meta.get("authors", [])]),
            }
        )
    entries.sort(key=lambda e: (e["date"], e["title"]), reverse=True)
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(builtin_dir() / "base" / "html")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    css = (builtin_dir() / "base" / "css" / "base.css").read_text(encoding="utf-8")
    html = env.get_template("series_index.html").render(entries=entries, css=css)
    target = out_dir / INDEX_NAME
    payload = stamp("html", html.encode("utf-8"))
    if not _holds(target, payload):
        return replace_file(target, payload)
    return target


def _holds(target: Path, payload: bytes) -> bool:
    """The regular file at `target` holds `payload` (a pipe there is never opened)."""
    try:
        return read_regular(target, len(payload)) == payload
    except (OSError, PathRefused):
        return False
