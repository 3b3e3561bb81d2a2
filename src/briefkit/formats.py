"""The table of output formats: a format's name in, what makes it out (writer, engine, stamp).

Every place that knows the formats reads this table: the brief format's `output.formats`, the
command line's `-f`, the pipeline (which writers to import ahead, which engines must load),
`render` (which writer to call) and the stamp (how an output carries its fingerprint). A new
output format is one writer module and one row here, as a writer is in Pandoc's list.

Writers are named, not imported, so that reading this table costs nothing: a build imports
only the writers of the formats it makes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass(frozen=True)
class Format:
    name: str
    """What a brief's `output.formats` and `-f` call it; also the file extension."""
    writer: str
    """`module:function` taking a prepared document and returning the unstamped output."""
    stamp: str
    """How the output carries its fingerprint (render/stamp.py): `zip` (a DOCX's members,
    zipped by the stamp), `meta` (an HTML meta element), `trailer` (bytes that hold the
    placeholder already, as the PDF's metadata does)."""
    title: str
    """How progress messages name it: 'writing Word, the PDF and the web page'."""
    engine: Optional[str] = None
    """The engine that must load on this machine (core/engines.py), if any beyond Python."""
    pending: Optional[str] = None
    """For a format paginated as the PDF (the Word twin): `module:function` taking a prepared
    document and returning the output begun (written while the PDF is laid out) with a
    `finish(pages)` that makes its stamped bytes from the print's pages; None when it does not
    follow them for this document (then `writer` makes it whole)."""

    @property
    def extension(self) -> str:
        return f".{self.name}"

    def load_writer(self) -> Callable:
        module, _, function = self.writer.partition(":")
        return getattr(importlib.import_module(module), function)

    def writer_module(self) -> str:
        return self.writer.partition(":")[0]

    def load_pending(self) -> Optional[Callable]:
        if self.pending is None:
            return None
        module, _, function = self.pending.partition(":")
        return getattr(importlib.import_module(module), function)


FORMATS: tuple[Format, ...] = (
    Format(
        "docx",
        "briefkit.render.word.docx:render_docx",
        stamp="zip",
        title="Word",
        pending="briefkit.render.word.docx:pending_docx",
    ),
    Format(
        "pdf",
        "briefkit.render.pdf.writer:render_pdf",
        stamp="trailer",
        title="the PDF",
        engine="weasyprint",
    ),
    Format("html", "briefkit.render.html.page:render_screen", stamp="meta", title="the web page"),
)
FORMAT = {fmt.name: fmt for fmt in FORMATS}
NAMES: tuple[str, ...] = tuple(FORMAT)
