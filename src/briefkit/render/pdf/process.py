"""The PDF process: started before the brief is read, a `Prepared` document in, PDF bytes and
the print's pages out.

WeasyPrint's import (Pango, HarfBuzz and fontconfig through cffi, about half a second) and the
page layout dominate a build. A forked process loads WeasyPrint on the other core while this
one reads the brief (YAML, schema, Pandoc, resolve), then lays out the PDF while this one
writes the DOCX and HTML and checks glyphs. The document crosses once, pickled (~85 KB for the
long example); the PDF comes back as bytes with its pages' facts (the Word twin is paginated
as the print: render/pdf/pages.py), or the diagnostics WeasyPrint's refusals became, or the
`EngineMissing` that says this machine cannot make PDFs. A DOCX made alone asks for the pages
only.

The process ignores Ctrl-C (the build stops it), dies with its parent (Linux) and is killed by
`stop()` however the build ends.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import traceback
from typing import Iterator, Optional

from briefkit.core import cleanup
from briefkit.core.diagnostics import BriefInvalid
from briefkit.core.engines import EngineMissing, load_weasyprint
from briefkit.core.workers import become_helper
from briefkit.formats import FORMAT
from briefkit.render import render
from briefkit.render.pdf.pages import PrintPages


class PdfProcess:
    """One PDF, laid out in a process that started loading WeasyPrint at construction."""

    def __init__(self):
        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe(duplex=True)
        self._process = context.Process(target=_serve, args=(child_end,), daemon=True)
        self._process.start()
        child_end.close()
        self._sender: Optional[threading.Thread] = None

    def send(self, prepared, *, pdf: bool = True) -> None:
        """Hand the document over; returns at once (the process may still be loading). Without
        `pdf`, the process lays the pages out for the Word twin and writes no PDF."""
        # A thread: the pickle is larger than a pipe's buffer and the process reads it only
        # when WeasyPrint is loaded, which must not hold up the other formats.
        self._sender = threading.Thread(
            target=self._conn.send, args=((prepared, pdf),), daemon=True
        )
        self._sender.start()

    def result(self) -> tuple[Optional[bytes], PrintPages]:
        """The PDF's stamped bytes (None when not asked for) and its pages' facts; raises
        `BriefInvalid`, `EngineMissing` or a `RuntimeError` carrying the process's traceback
        (a bug)."""
        try:
            kind, value = self._conn.recv()
        except EOFError:
            raise RuntimeError(
                f"the PDF process ended without a result (exit code {self._process.exitcode})"
            ) from None
        if kind == "pdf":
            return value
        if kind == "invalid":
            raise BriefInvalid(value)
        if kind == "missing":
            raise value
        raise RuntimeError(value)

    def stop(self) -> None:
        """End the process (at once, if it is still at work) and close the pipe; idempotent."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._conn.close()


@contextlib.contextmanager
def pdf_process_for(formats, parallel: bool) -> Iterator[Optional[PdfProcess]]:
    """A PDF process for the build of one brief, when the PDF may be wanted (`formats` None:
    the brief's own) and a second process can help (`parallel`, fork); stopped however the
    build ends."""
    # The PDF, or a format paginated as the PDF (a DOCX made alone follows its pages).
    wanted = formats is None or any(f == "pdf" or FORMAT[f].pending for f in formats)
    process = PdfProcess() if parallel and wanted and hasattr(os, "fork") else None
    try:
        yield process
    finally:
        if process is not None:
            process.stop()


def _serve(conn) -> None:
    become_helper()
    missing = None
    try:
        load_weasyprint()
        from briefkit.render.pdf import writer as pdf  # noqa: F401  (WeasyPrint, Jinja and the print templates' code)
    except EngineMissing as exc:
        missing = exc
    try:
        prepared, wants_pdf = conn.recv()
    except EOFError:  # the build ended without needing the PDF
        cleanup.run_all()
        os._exit(0)
    message: tuple[str, object]
    try:
        if missing is not None:
            message = ("missing", missing)
        elif wants_pdf:
            data = render(prepared, "pdf")  # its pages kept on prepared, for the Word twin
            message = ("pdf", (data, prepared.print_pages))
        else:
            # (WeasyPrint's writer, loaded above)
            from briefkit.render.pdf.writer import lay_out_pages

            message = ("pdf", (None, lay_out_pages(prepared)))
    except BriefInvalid as exc:
        message = ("invalid", exc.diagnostics)
    except Exception:  # reported by the parent, with this process's traceback
        message = ("bug", traceback.format_exc())
    finally:
        # Before the answer: the parent stops this process as soon as it has it.
        cleanup.run_all()
    try:
        conn.send(message)
    finally:
        conn.close()
