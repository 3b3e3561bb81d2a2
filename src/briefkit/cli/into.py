"""`briefkit import EDITED.docx --into BRIEF.yaml`: the files read and written, the messages
printed; the reading and merging are `word/into.py`'s.

The brief is rebuilt from the merged text (a hidden file beside it, so its relative paths
resolve, removed afterwards) and each changed field compared with the edited DOCX. The brief
is replaced atomically, keeping its permissions, and only if it did not change on disk while
the import ran: an author's file is never lost.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import click

from briefkit.builder.outputs import describe
from briefkit.builder.pipeline import prepare
from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Location
from briefkit.core.write import write_part
from briefkit.load.source import display_path
from briefkit.ooxml.brief_record import read_record
from briefkit.ooxml.package import PackageRefused, read_parts
from briefkit.render import render
from briefkit.word.draft import DraftRefused, inspect_draft
from briefkit.word.into import NotBriefkitDocx, import_into, unified_diff


def import_into_command(docx: Path, brief: Path, *, force: bool, dry_run: bool) -> None:
    shown_docx, shown_brief = display_path(docx), display_path(brief)
    if not brief.is_file():
        raise click.UsageError(
            f"{brief} is not a brief file; --into names the brief the DOCX was built from"
        )
    raw = brief.read_bytes()
    try:
        current, newline = _text_of(raw)
    except UnicodeDecodeError:
        _fail(Diagnostic(Location(shown_brief), "the brief is not UTF-8 text"))
    files = _docx_files(docx, shown_docx)
    try:
        reading, merged = import_into(
            files,
            shown_docx,
            shown_brief,
            current,
            force=force,
            rebuild=lambda text: _rebuilt(brief, text),
        )
    except NotBriefkitDocx as exc:
        _fail(Diagnostic(Location(shown_docx), str(exc), key=("import",)))
    for diagnostic in merged.messages:
        click.echo(str(diagnostic), err=True)
    if merged.conflicts:
        for diagnostic in merged.conflicts:
            click.echo(str(diagnostic), err=True)
        click.echo(
            f"{shown_brief}: {len(merged.conflicts)} conflict(s) between the brief and "
            "Word; nothing was written",
            err=True,
        )
        sys.exit(1)
    after = merged.text.replace("\n", newline) if newline != "\n" else merged.text
    if reading.tracked_changes:
        click.echo(
            f"{shown_docx}: note: {reading.tracked_changes} tracked change(s) accepted", err=True
        )
    if dry_run:
        click.echo(unified_diff(current, merged.text, str(shown_brief)), nl=False)
        click.echo(f"{shown_brief}: {_summary(merged)} (dry run: nothing written)", err=True)
        return
    if merged.text == current and not merged.rearranged:
        click.echo(f"{shown_brief}: no changes to bring back; the brief was not touched", err=True)
        return
    _replace(
        brief,
        raw,
        (b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b"") + after.encode("utf-8"),
        shown_brief,
    )
    click.echo(
        f"wrote {shown_brief}: {_summary(merged)}; check it with `briefkit check {shown_brief}`",
        err=True,
    )


def _summary(merged) -> str:
    fields = len(merged.changed)
    out = f"{fields} field(s) changed"
    if merged.rearranged:
        out += ", " + ", ".join(merged.rearranged)
    if merged.comments:
        out += f", {merged.comments} comment(s) kept as YAML comments"
    return out


def _text_of(raw: bytes) -> tuple[str, str]:
    text = raw.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    return text.replace("\r\n", "\n"), newline


def _docx_files(docx: Path, shown: Path) -> dict[str, bytes]:
    """The edited DOCX's parts, refused with one message when it is not a readable DOCX."""
    try:
        inspect_draft(docx)
        return read_parts(docx)
    except DraftRefused as exc:
        _fail(Diagnostic(Location(shown), str(exc), key=("import",)))
    except PackageRefused as exc:
        _fail(Diagnostic(Location(shown), f"cannot be read: {exc}", key=("import",)))
    raise AssertionError  # _fail exits


def _rebuilt(brief: Path, text: str):
    """The record of `text` built as the brief (in memory), or None when it does not build
    (its mistakes are printed, located in the brief)."""
    handle, name = tempfile.mkstemp(prefix=f".{brief.stem}.into-", suffix=".yaml", dir=brief.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
        try:
            data = render(prepare(Path(name), preload=["docx"]), "docx")
        except BriefInvalid as exc:
            for diagnostic in exc.diagnostics.items:
                if Path(diagnostic.location.file).name == Path(name).name:
                    diagnostic.location = Location(
                        brief, diagnostic.location.line, diagnostic.location.column
                    )
                click.echo(str(diagnostic), err=True)
            return None
    finally:
        Path(name).unlink(missing_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return read_record({n: archive.read(n) for n in archive.namelist()})


def _replace(brief: Path, was: bytes, payload: bytes, shown: Path) -> None:
    try:
        if brief.read_bytes() != was:
            _fail(
                Diagnostic(
                    Location(shown),
                    "the brief changed on disk while the import ran; nothing was written",
                    hint="run the import again",
                )
            )
        mode = brief.stat().st_mode & 0o7777
        part = write_part(brief, payload)
        try:
            os.chmod(part, mode)
            os.replace(part, brief)
        finally:
            part.unlink(missing_ok=True)
    except OSError as exc:
        _fail(Diagnostic(Location(shown), describe(exc, brief)))


def _fail(diagnostic: Diagnostic, code: int = 1) -> None:
    click.echo(str(diagnostic), err=True)
    sys.exit(code)


__all__ = ["import_into_command"]
