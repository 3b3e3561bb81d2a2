"""Render: a `Prepared` document in, the bytes of one output format out.

The writers are peers over the same model: `docx` (python-docx, real Word notes), `html`
(Jinja templates) and `pdf` (the print HTML through WeasyPrint), each a row of the table of
formats (`briefkit.formats`). A writer whose engine cannot
load on this machine raises `engines.EngineMissing` (the other formats are unaffected).
Every output leaves here stamped with its fingerprint (`stamp.py`), so a file tells by itself
whether an editor changed it.
"""

from __future__ import annotations

from briefkit.core.engines import require_engine
from briefkit.formats import FORMAT
from briefkit.render.stamp import stamp


def render(prepared, fmt: str) -> bytes:
    """The stamped bytes of format `fmt` (a row of the table of formats, formats.py); raises
    `EngineMissing` when its engine cannot load here."""
    spec = FORMAT[fmt]
    if spec.engine is not None:
        require_engine(spec.engine)
    # The writer's output before its stamp: bytes, or for a DOCX its members.
    return stamp(fmt, spec.load_writer()(prepared))


def pending(prepared, fmt: str):
    """Format `fmt` begun now and finished with the print edition's pages (`finish(pages)`
    gives its stamped bytes), when its row of the table of formats has a `pending` writer that
    takes this document; else None (`render` makes it whole)."""
    begin = FORMAT[fmt].load_pending()
    return begin(prepared) if begin is not None else None
