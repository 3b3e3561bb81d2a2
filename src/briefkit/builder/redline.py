"""`briefkit redline`: two versions of a brief in, one DOCX out, laid out like NEW's normal
build, in which every change from OLD is a Word tracked change (author "briefkit", dated when
the redline is made, or with `--date`) so an editor reviews it with Word's Accept/Reject.

OLD is a brief file, or the brief as it was at a git revision (`git show REV:path`, read as if
it stood in the brief's folder, so relative files resolve as they do for NEW). Both go through
the normal pipeline to DOCX; `redline_xml` marks the differences in NEW's package.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Location
from briefkit.word.redline_xml import redline_package

AUTHOR = "briefkit"


class RevisionUnavailable(ValueError):
    """The brief cannot be read at that revision; the message says why. `new_since` is true
    when the repository and revision are fine but the brief did not exist then."""

    def __init__(self, message: str, new_since: bool = False):
        super().__init__(message)
        self.new_since = new_since


@dataclass
class Redline:
    docx: bytes
    changes: int  # tracked-change marks made (0: the versions read the same)


def _docx_of(path: Path, allow_network: bool):
    from briefkit.builder.pipeline import prepare
    from briefkit.render import render

    prepared = prepare(path, preload=["docx"], allow_network=allow_network)
    return prepared, render(prepared, "docx")


def mark_date(when: Optional[dt.datetime] = None) -> str:
    """A tracked change's date as Word writes it (UTC, to the second): now, unless given."""
    when = when or dt.datetime.now(dt.timezone.utc)
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc)
    return when.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def redline_briefs(
    old: Path, new: Path, *, allow_network: bool = False, date: Optional[dt.datetime] = None
) -> Redline:
    """Raises `BriefInvalid` when either brief is wrong (its mistakes located in its file)."""
    _, old_docx = _docx_of(Path(old), allow_network)
    _, new_docx = _docx_of(Path(new), allow_network)
    docx, changes = redline_package(old_docx, new_docx, AUTHOR, mark_date(date))
    return Redline(docx, changes)


def brief_at_revision(brief: Path, revision: str) -> bytes:
    """The brief's text at a git revision."""
    brief = Path(brief).resolve()
    try:
        result = subprocess.run(
            ["git", "show", f"{revision}:./{brief.name}"],
            cwd=brief.parent,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RevisionUnavailable(
            f"git could not be run ({exc}); install git or compare two "
            "files with `briefkit redline OLD NEW`"
        ) from None
    if result.returncode != 0:
        reason = (result.stderr.decode(errors="replace").strip().splitlines() or ["git failed"])[-1]
        new_since = "exists on disk, but not in" in reason or "does not exist in" in reason
        raise RevisionUnavailable(
            f"is not readable at revision '{revision}' ({reason}); name a "
            "commit, branch or tag in which the brief exists (e.g. HEAD~1)",
            new_since,
        )
    return result.stdout


def redline_against(
    brief: Path, revision: str, *, allow_network: bool = False, date: Optional[dt.datetime] = None
) -> Redline:
    """The brief now against the brief at `revision`. The old text is written beside the brief
    (a hidden file, removed afterwards) so its relative paths resolve as they did then."""
    brief = Path(brief)
    old_text = brief_at_revision(brief, revision)
    handle, name = tempfile.mkstemp(prefix=f".{brief.stem}@", suffix=".yaml", dir=brief.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(old_text)
        try:
            return redline_briefs(Path(name), brief, allow_network=allow_network, date=date)
        except BriefInvalid as exc:
            # name the revision, not the hidden file, in the old version's mistakes
            for diagnostic in exc.diagnostics.items:
                if Path(diagnostic.location.file).name == Path(name).name:
                    diagnostic.location = Location(
                        Path(f"{brief}@{revision}"),
                        diagnostic.location.line,
                        diagnostic.location.column,
                    )
            raise
    finally:
        Path(name).unlink(missing_ok=True)


def redline_changed(
    brief: Path, revision: str, docx_output: Path, *, allow_network: bool = False
) -> Optional[Path]:
    """For a series build: write `<name>.redline.docx` beside the brief's DOCX when the brief
    changed since `revision`; None when it did not (or did not exist then)."""
    try:
        old_text = brief_at_revision(brief, revision)
    except RevisionUnavailable as exc:
        if exc.new_since:
            return None  # a brief added since: nothing to compare it with
        raise
    if old_text == Path(brief).read_bytes():
        return None
    redline = redline_against(brief, revision, allow_network=allow_network)
    target = Path(docx_output).with_suffix(".redline.docx")
    from briefkit.core.write import write_atomic

    write_atomic(target, redline.docx)
    return target


def revision_error(brief: Path, exc: RevisionUnavailable) -> Diagnostic:
    return Diagnostic(Location(Path(brief)), str(exc), key=("redline",))
