"""Render: a `Prepared` document in, the bytes of one output format out.

The writers are peers over the same model: `docx` (python-docx, real Word notes), `html`
(Jinja templates) and `pdf` (the print HTML through WeasyPrint). A writer whose engine cannot
load on this machine raises `engines.EngineMissing` (the other formats are unaffected).
Every output leaves here stamped with its fingerprint (`stamp.py`), so a file tells by itself
whether an editor changed it.
"""

from __future__ import annotations


def render(prepared, fmt: str) -> bytes:
    from briefkit.render.stamp import stamp

    return stamp(fmt, _render(prepared, fmt))


def _render(prepared, fmt: str):
    """The output before its stamp: bytes, or for a DOCX its members (zipped by the stamp)."""
    if fmt == "html":
        from briefkit.render.html.page import render_html

        return render_html(prepared, "screen").encode("utf-8")
    if fmt == "pdf":
        from briefkit.core.engines import load_weasyprint

        load_weasyprint()
        from briefkit.render.pdf.writer import render_pdf

        return render_pdf(prepared)
    if fmt == "docx":
        from briefkit.render.word.docx import render_docx

        return render_docx(prepared)
    raise ValueError(f"unknown format {fmt!r}")
