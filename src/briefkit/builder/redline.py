"""`briefkit redline`: two versions of a brief in, one DOCX out, laid out like NEW's normal
build, in which every change from OLD is a Word tracked change (author "briefkit", dated when
the redline is made, or with `--date`) so an editor reviews it with Word's Accept/Reject.

OLD is a brief file, or the brief as it was at a git revision (read from the project's own
repository by `revisions.py`, and written beside the brief under a temporary name no brief
has, so its relative files resolve as they do for NEW). Both go through the normal pipeline to
DOCX; `redline_xml` marks the differences in NEW's package, which is stamped again (a redline
is briefkit's own output, and an editor's review of it is recognised as an edit). The result
names every file both builds read: the output gate never replaces one.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from briefkit.builder.gate import OutputGate, Written
from briefkit.builder.revisions import RevisionUnavailable, brief_at_revision
from briefkit.core.cleanup import scratch_file
from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Location
from briefkit.core.paths import read_regular
from briefkit.core.write import TEMPORARY_MARK
from briefkit.render import render
from briefkit.render.stamp import is_own, stamp
from briefkit.word.redline_xml import redline_package
from briefkit.word.review_copy import review_copy

__all__ = [
    "Redline",
    "RevisionUnavailable",
    "brief_at_revision",
    "mark_date",
    "redline_against",
    "redline_briefs",
    "redline_changed",
    "revision_error",
]

AUTHOR = "briefkit"


@dataclass
class Redline:
    docx: bytes
    changes: int  # tracked-change marks made (0: the versions read the same)
    inputs: list[Path] = field(default_factory=list)  # every file the two builds read


def _docx_of(path: Path, allow_network: bool):
    # a redline of two DOCX files needs no brief pipeline
    from briefkit.builder.pipeline import prepare

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
    # a redline of two DOCX files needs no brief pipeline
    from briefkit.builder.fingerprint import input_files

    old_prepared, old_docx = _docx_of(Path(old), allow_network)
    prepared, new_docx = _docx_of(Path(new), allow_network)
    docx, changes = redline_package(
        review_copy(old_docx), review_copy(new_docx), AUTHOR, mark_date(date)
    )
    return Redline(_stamped(docx), changes, [*input_files(old_prepared), *input_files(prepared)])


def _stamped(docx: bytes) -> bytes:
    """The marked package stamped with its own fingerprint (it carries NEW's, which no longer
    matches its content)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    return stamp("docx", members)  # type: ignore[arg-type]  # a DOCX is stamped as members


def redline_against(
    brief: Path,
    revision: str,
    *,
    allow_network: bool = False,
    date: Optional[dt.datetime] = None,
    old_text: Optional[bytes] = None,
) -> Redline:
    """The brief now against the brief at `revision`. The old text is written beside the brief
    (a hidden file under a temporary name no brief has, which `build` never takes for a brief,
    removed however this ends) so its relative paths resolve as they did then."""
    brief = Path(brief)
    old_text = old_text if old_text is not None else brief_at_revision(brief, revision)
    with scratch_file(brief.parent, f".{brief.stem[:40]}{TEMPORARY_MARK}", ".yaml") as old:
        old.write_bytes(old_text)
        try:
            return redline_briefs(old, brief, allow_network=allow_network, date=date)
        except BriefInvalid as exc:
            # name the revision, not the hidden file, in the old version's mistakes
            for diagnostic in exc.diagnostics.items:
                if Path(diagnostic.location.file).name == old.name:
                    diagnostic.location = Location(
                        Path(f"{brief}@{revision}"),
                        diagnostic.location.line,
                        diagnostic.location.column,
                    )
            raise


def redline_changed(
    brief: Path, revision: str, target: Path, *, allow_network: bool = False, force: bool = False
):
    """For a series build: `<name>.redline.docx` (`target`) when the brief changed since
    `revision`, through the output gate (an editor's reviewed redline is kept and the new one
    written beside it); the gate's `Written`, or None when the brief did not change (or did
    not exist then). A redline marking the same changes as the one there (only the marks'
    dates differ) is not written again."""
    try:
        old_text = brief_at_revision(brief, revision)
    except RevisionUnavailable as exc:
        if exc.new_since:
            return None  # a brief added since: nothing to compare it with
        raise
    if old_text == read_regular(brief):
        return None
    redline = redline_against(brief, revision, allow_network=allow_network, old_text=old_text)
    gate = OutputGate(redline.inputs, within=Path(target).parent, force=force)
    gate.check(Path(target))
    for existing in (Path(target), Path(target).with_name(Path(target).stem + ".new.docx")):
        if (
            existing.is_file()
            and is_own(existing)
            and _same_changes(read_regular(existing), redline.docx)
        ):
            return Written(existing, unchanged=True)
    return gate.write(Path(target), redline.docx)


_MARK_DATE = re.compile(rb' w:date="[^"]*"')
_FINGERPRINT = re.compile(rb"briefkit-sha256:[0-9a-f]{64}")


def _same_changes(old: bytes, new: bytes) -> bool:
    """Two redline packages that differ at most in their marks' dates (and so fingerprints)."""
    try:
        with zipfile.ZipFile(io.BytesIO(old)) as a, zipfile.ZipFile(io.BytesIO(new)) as b:
            if a.namelist() != b.namelist():
                return False
            for name in a.namelist():
                left, right = a.read(name), b.read(name)
                if name.endswith(".xml") and left != right:
                    left = _FINGERPRINT.sub(b"", _MARK_DATE.sub(b"", left))
                    right = _FINGERPRINT.sub(b"", _MARK_DATE.sub(b"", right))
                if left != right:
                    return False
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return False
    return True


def revision_error(brief: Path, exc: RevisionUnavailable) -> Diagnostic:
    return Diagnostic(Location(Path(brief)), str(exc), key=("redline",))
