"""`briefkit import EDITED.docx --into BRIEF.yaml`: a DOCX briefkit built that an editor changed,
and the brief it came from, in; the brief with the editor's changes out, every other byte kept.

    the DOCX's paragraphs (ooxml/story) and its record (ooxml/brief_record: the brief as
    built, which field each bookmark shows, every paragraph as written) -> which paragraphs
    show which field (into_fields) -> each changed field's new text (markdown_patch: the changed
    words, in the Markdown's own spelling) -> merged three ways with the brief as it is now
    (the record is the base) -> the YAML edited in place (load/edit) -> rebuilt, and each
    changed field compared with the edited DOCX.

What cannot go back (words briefkit composes, such as a label or "Figure 1"; the printed text
of a citation; a paragraph outside every field) is a message naming where it is, never dropped
silently. A field changed in the brief and in Word is a conflict located in the brief: nothing
is written unless the caller forces the editor's version.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from briefkit.core.diagnostics import Diagnostic, Location, format_key_path
from briefkit.load.edit import BriefText, EditFailed
from briefkit.load.source import value_at
from briefkit.ooxml.brief_record import Record
from briefkit.ooxml.story_parts import (
    Citation,
    Comment,
    NoteMark,
    Picture,
    plain,
)
from briefkit.word.into_fields import (
    FieldText,
    NotBriefkitDocx,
    Reading,
    read_edited,
    shorten,
    split_fields,
)
from briefkit.word.into_lists import deleted_items, rearrange
from briefkit.word.markdown_patch import patch
from briefkit.word.markdown_words import PatchFailed, identity
from briefkit.word.markdown_write import paragraphs_markdown


@dataclass
class NewText:
    value: str
    rewritten: bool = False  # written anew from the document (not patched in place)


def new_text(field_text: FieldText, markdown: str) -> NewText:
    """The field's new value: the editor's changes placed in its Markdown, or, when they
    cannot be placed, the field written anew from the document."""
    if field_text.kind == "text":
        return NewText(" ".join(plain(p.parts) for p in field_text.edited).strip())
    try:
        return NewText(patch(markdown, field_text.built, field_text.edited))
    except PatchFailed:
        pass
    try:
        return NewText(paragraphs_markdown(field_text.edited), rewritten=True)
    except PatchFailed:
        return NewText(markdown, rewritten=True)


def unwritable(field_text: FieldText) -> Optional[str]:
    """Why the field cannot be written anew from the document, if it cannot."""
    for paragraph in field_text.edited:
        if paragraph.in_table:
            return "it holds a table"
        for part in paragraph.parts:
            if isinstance(part, Picture):
                return "it holds a picture"
    if field_text.kind == "text" and any(
        isinstance(part, (NoteMark, Citation)) for p in field_text.edited for part in p.parts
    ):
        return "a note or citation cannot stand in a title"
    return None


def printed_edits(field_text: FieldText) -> list[tuple[str, str]]:
    """Citations whose printed text the editor changed, (as printed, as edited)."""

    def citations(paragraphs):
        out = []
        for paragraph in paragraphs:
            for part in paragraph.parts:
                if isinstance(part, Citation):
                    out.append(part)
                elif isinstance(part, NoteMark):
                    out.extend(citations(part.paragraphs))
        return out

    old, new = citations(field_text.built), citations(field_text.edited)
    return [
        (a.printed, b.printed)
        for a, b in zip(old, new)
        if a.items == b.items and a.printed != b.printed
    ]


@dataclass
class Merged:
    text: str  # the brief with the editor's changes (the brief as it was when nothing changed)
    changed: list[tuple[tuple, str]] = field(default_factory=list)  # (key, how)
    conflicts: list[Diagnostic] = field(default_factory=list)
    rearranged: list[str] = field(default_factory=list)  # items moved, sections added
    messages: list[Diagnostic] = field(default_factory=list)
    comments: int = 0


def merge(reading: Reading, brief: Path, current: str, *, force: bool = False) -> Merged:
    """The brief's text `current` with the editor's changes, merged three ways against the
    brief as built (the record's)."""
    shown = Path(brief)
    ours = BriefText(current, shown)
    try:
        base = BriefText(reading.record.brief, shown).data
    except EditFailed:
        base = {}
    merged = Merged(current, messages=list(reading.messages))
    if reading.record.name and reading.record.name != shown.name:
        merged.messages.append(
            Diagnostic(
                Location(shown),
                f"the DOCX was built from a brief named '{reading.record.name}'",
                severity="warning",
                hint="check that this is the brief it came from",
            )
        )
    deleted = deleted_items(reading, base)
    for _name, field_text in reading.fields.items():
        ours_key = _locate(base, ours.data, field_text.key)
        if field_text.comments and ours_key is not None:
            lines = [_describe(c) for c in field_text.comments]
            try:
                ours.comment(ours_key, lines)
                merged.comments += len(lines)
            except EditFailed as exc:
                merged.messages.append(Diagnostic(Location(shown), str(exc), severity="warning"))
        for printed, edited in printed_edits(field_text):
            merged.messages.append(
                Diagnostic(
                    _where(ours, ours_key, shown),
                    f"the printed citation '{shorten(printed)}' was "
                    f"edited to '{shorten(edited)}': the citation style prints it, so the edit is "
                    "not kept",
                    key=ours_key or field_text.key,
                    severity="warning",
                    hint="change the citation itself ([@key, locator]) or refresh it in Zotero",
                )
            )
        if not field_text.changed or not field_text.found and not field_text.built:
            continue
        if any(field_text.key[: len(item)] == item for item in deleted):
            continue  # its item was deleted whole: rearrange() takes it out
        if not field_text.edited:
            merged.messages.append(
                Diagnostic(
                    _where(ours, ours_key, shown),
                    "every paragraph of it was deleted in Word, but not the rest of its "
                    "item: the field is kept as it is",
                    key=ours_key or field_text.key,
                    severity="warning",
                    hint="delete the whole item in Word (its title too), or empty the field "
                    "in the brief",
                )
            )
            continue
        base_value = value_at(base, field_text.key)
        if not isinstance(base_value, (str, int, float)) or isinstance(base_value, bool):
            merged.messages.append(
                Diagnostic(
                    Location(shown),
                    f"'{format_key_path(field_text.key)}' was edited in Word, but "
                    "its text is not the brief's own (it comes from a series file)",
                    severity="warning",
                    hint="make the change in the series file",
                )
            )
            continue
        reason = None
        written = new_text(field_text, str(base_value))
        if written.rewritten:
            reason = unwritable(field_text)
        if reason is not None:
            merged.messages.append(
                Diagnostic(
                    _where(ours, ours_key, shown),
                    "the edit in Word could not be placed in the "
                    f"Markdown and the field cannot be written anew: {reason}",
                    key=field_text.key,
                    severity="warning",
                    hint="make the change in the brief by hand",
                )
            )
            continue
        if ours_key is None:
            merged.conflicts.append(
                Diagnostic(
                    Location(shown),
                    "edited in Word, but the brief no longer has this field where "
                    "it was when the DOCX was built",
                    key=field_text.key,
                    hint="make the change by hand",
                )
            )
            continue
        ours_value = value_at(ours.data, ours_key)
        if ours_value == written.value:
            continue
        if str(ours_value) != str(base_value) and not force:
            merged.conflicts.append(
                Diagnostic(
                    _where(ours, ours_key, shown),
                    "changed in the brief since the DOCX was built, and in Word too",
                    key=ours_key,
                    expected="one side changed",
                    found=f"the brief: '{shorten(str(ours_value))}', Word: "
                    f"'{shorten(written.value)}'",
                    hint="make the two agree in the brief, or run again with --force to take "
                    "Word's version",
                )
            )
            continue
        try:
            ours.set(ours_key, written.value)
        except EditFailed as exc:
            merged.messages.append(
                Diagnostic(_where(ours, ours_key, shown), str(exc), severity="warning")
            )
            continue
        merged.changed.append((ours_key, "rewritten" if written.rewritten else "patched"))
        if written.rewritten:
            merged.messages.append(
                Diagnostic(
                    _where(ours, ours_key, shown),
                    "the edit could not be placed word by word; the "
                    "field was written anew from the DOCX",
                    key=ours_key,
                    severity="warning",
                    hint="check its Markdown",
                )
            )
    try:
        merged.rearranged = rearrange(reading, base, ours, _locate, Path(brief))
    except EditFailed as exc:
        (merged.messages if force else merged.conflicts).append(
            Diagnostic(
                _where(ours, exc.key, shown),
                str(exc),
                severity="warning" if force else "error",
                hint="make it by hand in the brief"
                if force
                else "make the two agree, or run again with --force to bring the other changes "
                "and leave this one out",
            )
        )
    merged.text = ours.text
    return merged


def _describe(comment: Comment) -> str:
    on = shorten(comment.annotated, 60)
    when = f" ({comment.date[:10]})" if re.match(r"(19|20)\d\d-\d\d-\d\d", comment.date) else ""
    where = f' on "{on}"' if on else ""
    return f"Comment by {comment.author or 'an editor'}{when}{where}: {comment.text}"


def _where(ours: BriefText, key: Optional[tuple], shown: Path) -> Location:
    if key is None:
        return Location(shown)
    return ours.loaded.source.location(key)


def _locate(base, ours, key: tuple) -> Optional[tuple]:
    """Where the field the base had at `key` stands in the brief now: list items are followed
    by their `id`, else by their place when the list kept its length."""
    out: list = []
    for part in key:
        if isinstance(part, int):
            if not isinstance(base, list) or not isinstance(ours, list) or part >= len(base):
                return None
            item = base[part]
            ident = item.get("id") if isinstance(item, dict) else None
            if ident is not None:
                found = [
                    i for i, o in enumerate(ours) if isinstance(o, dict) and o.get("id") == ident
                ]
                if len(found) != 1:
                    return None
                index = found[0]
            elif len(ours) == len(base):
                index = part
            else:
                return None
            out.append(index)
            base, ours = item, ours[index]
        else:
            if not isinstance(base, dict) or not isinstance(ours, dict) or part not in ours:
                return None
            out.append(part)
            base, ours = base.get(part), ours[part]
    return tuple(out)


def check_rebuilt(
    reading: Reading, merged: Merged, rebuilt: Record, shown: Path
) -> list[Diagnostic]:
    """Each changed field of the new brief, rebuilt, compared with what the editor left; a
    field that reads otherwise is a warning naming it."""
    fields = split_fields(rebuilt, rebuilt.paragraphs, shown).fields
    by_key = {f.key: f for f in fields.values()}
    out = []
    changed_keys = {key for key, _ in merged.changed}
    ours = BriefText(merged.text, shown)
    base = BriefText(reading.record.brief, shown).data
    for field_text in reading.fields.values():
        key = _locate(base, ours.data, field_text.key)
        if key not in changed_keys:
            continue
        again = by_key.get(key)
        if again is None or identity(again.built) != identity(field_text.edited):
            out.append(
                Diagnostic(
                    ours.loaded.source.location(key),
                    "the rebuilt brief does not read as the edited DOCX here",
                    key=key,
                    severity="warning",
                    found=f"'{shorten(' '.join(p.text for p in (again.built if again else [])))}'",
                    expected=f"'{shorten(' '.join(p.text for p in field_text.edited))}'",
                    hint="check the Markdown of this field",
                )
            )
    return out


def unified_diff(before: str, after: str, name: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(True), after.splitlines(True), f"a/{name}", f"b/{name}"
        )
    )


def import_into(
    files: dict[str, bytes],
    docx: Path,
    brief: Path,
    current: str,
    *,
    force: bool = False,
    rebuild: Optional[Callable[[str], Optional[Record]]] = None,
) -> tuple[Reading, Merged]:
    """Read the edited DOCX and merge it into the brief's text `current`; `rebuild(text)`
    gives the record of the new text built (to check each changed field)."""
    reading = read_edited(files, docx)
    merged = merge(reading, brief, current, force=force)
    if rebuild is not None and (merged.changed or merged.rearranged) and not merged.conflicts:
        record = rebuild(merged.text)
        if record is not None:
            merged.messages += check_rebuilt(reading, merged, record, brief)
        else:  # an author's brief is not replaced by one that does not build
            (merged.messages if force else merged.conflicts).append(
                Diagnostic(
                    Location(brief),
                    "with the editor's changes the brief would not build (the errors above "
                    "are at its lines as `--dry-run` shows them)",
                    severity="warning" if force else "error",
                    hint="correct it in Word and import again, or run again with --force to "
                    "write it and correct the brief",
                )
            )
    return reading, merged


__all__ = ["NotBriefkitDocx", "import_into", "read_edited", "merge", "unified_diff"]
