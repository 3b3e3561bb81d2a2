"""`briefkit import EDITED.docx --into BRIEF.yaml`: a DOCX briefkit built that an editor changed,
and the brief it came from, in; the brief with the editor's changes out, every other byte kept.

    the DOCX's paragraphs (word_story) and its record (docx_source: the brief as built, which
    field each bookmark shows, every paragraph as written) -> which paragraphs show which field
    (the bookmarks; where an editor lost one, the order of what was written) -> each changed
    field's new text (markdown_patch: the changed words, in the Markdown's own spelling) ->
    merged three ways with the brief as it is now (the record is the base) -> the YAML edited
    in place (yaml_edit) -> rebuilt, and each changed field compared with the edited DOCX.

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
from briefkit.ooxml.brief_record import FIELD_PREFIX, Record, read_record
from briefkit.ooxml.story import (
    Citation,
    Comment,
    NoteMark,
    Paragraph,
    Picture,
    Text,
    plain,
    read_package,
)
from briefkit.word.markdown_patch import PatchFailed, identity, paragraphs_markdown, patch


class NotBriefkitDocx(ValueError):
    """The DOCX carries no record of a brief (not built by briefkit, or the record was lost)."""


@dataclass
class FieldText:
    """One field of the brief: what briefkit wrote for it and what the editor left."""

    name: str
    key: tuple
    kind: str  # "markdown" or "text"
    built: list[Paragraph] = field(default_factory=list)
    edited: list[Paragraph] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    found: bool = False  # the editor's document shows it (its bookmark or its paragraphs)

    @property
    def changed(self) -> bool:
        return identity(self.built) != identity(self.edited)


@dataclass
class Reading:
    """What the edited DOCX says, field by field, before anything is merged."""

    record: Record
    fields: dict[str, FieldText]
    messages: list[Diagnostic]
    tracked_changes: int = 0
    comments: int = 0


def read_edited(files: dict[str, bytes], shown: Path) -> Reading:
    record = read_record(files)
    if record is None:
        raise NotBriefkitDocx(
            "carries no record of the brief it was built from (it was not built by briefkit, "
            "or its custom XML part was removed); make a new brief from it with `briefkit import "
            f"{shown} -o NEW.yaml` instead"
        )
    story = read_package(files, FIELD_PREFIX)
    fields, messages = split_fields(record, story.paragraphs, shown)
    return Reading(record, fields, messages, story.tracked_changes, story.comments)


# ---- which paragraphs show which field --------------------------------------------------------


@dataclass
class _Owners:
    block: list[Optional[str]]  # the field each paragraph shows whole, or None
    inline: dict[str, tuple[int, int, int]]  # field -> (paragraph, first part, end part)


def _owners(
    paragraphs: list[Paragraph], fields: dict[str, tuple], whole: Optional[set[str]] = None
) -> _Owners:
    """Which field each paragraph shows. `whole`: the fields written as whole paragraphs (read
    from the document as built); an application may move a bookmark's end before the last
    note reference of a paragraph (LibreOffice does), which does not make it a part."""
    starts: dict[str, tuple[int, int]] = {}
    ends: dict[str, tuple[int, int]] = {}
    for index, paragraph in enumerate(paragraphs):
        for mark in paragraph.marks:
            if mark.name in fields:
                (starts if mark.start else ends).setdefault(mark.name, (index, mark.at))
    block: list[Optional[str]] = [None] * len(paragraphs)
    inline: dict[str, tuple[int, int, int]] = {}
    for name, (first, at) in starts.items():
        last, end_at = ends.get(name, (first, len(paragraphs[first].parts)))
        last = max(last, first)
        if (
            (name in whole)
            if whole is not None
            else (at == 0 and (last > first or end_at >= len(paragraphs[last].parts)))
        ):
            for index in range(first, last + 1):
                block[index] = block[index] or name
        elif last == first:
            inline[name] = (first, at, end_at)
        else:
            for index in range(first + 1, last + 1):
                block[index] = block[index] or name
            inline[name] = (first, at, len(paragraphs[first].parts))
    return _Owners(block, inline)


def split_fields(
    record: Record, edited: list[Paragraph], shown: Path
) -> tuple[dict[str, FieldText], list[Diagnostic]]:
    built = record.paragraphs
    old = _owners(built, record.fields)
    new = _owners(edited, record.fields, {n for n in old.block if n} - set(old.inline))
    owner = list(new.block)
    messages: list[Diagnostic] = []
    old_keys = [identity([p]) for p in built]
    new_keys = [identity([p]) for p in edited]
    paired: dict[int, int] = {}  # edited paragraph -> built paragraph
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
            paired.update({j1 + k: i1 + k for k in range(j2 - j1)})
        elif op == "replace":
            for j in range(j1, j2):
                best = max(
                    range(i1, i2),
                    key=lambda i: difflib.SequenceMatcher(
                        None, built[i].text, edited[j].text
                    ).ratio(),
                )
                if difflib.SequenceMatcher(None, built[best].text, edited[j].text).ratio() > 0.5:
                    paired[j] = best
    for j, b in paired.items():
        if owner[j] is None and old.block[b] is not None and not _inline_here(new, j):
            owner[j] = old.block[b]  # a field's paragraph that lost its bookmark
    inline_text: dict[str, list] = {}
    for name, (j, start, end) in new.inline.items():
        inline_text[name] = list(edited[j].parts[start:end])
    for name, (i, start, end) in old.inline.items():
        if name in inline_text:
            continue
        found = next((j for j, b in paired.items() if b == i), None)
        if found is not None and owner[found] is None:
            cut = _between(built[i], start, end, edited[found])
            if cut is not None:
                inline_text[name] = cut
    for j, paragraph in enumerate(edited):
        if owner[j] is not None or _inline_here(new, j):
            continue
        was = paired.get(j)
        if was is not None and old_keys[was] == new_keys[j]:
            continue  # briefkit's own words, as written
        if was is not None and old.block[was] is None:
            if not paragraph.text.strip():
                continue
            if any(place[0] == was for place in old.inline.values()):
                if _composed(built[was], old, was) == _composed(paragraph, new, j):
                    continue  # only the brief's values in it changed
            messages.append(
                Diagnostic(
                    Location(shown),
                    f"the words '{_short(built[was].text)}' were changed to "
                    f"'{_short(paragraph.text)}', but briefkit composes them (a label, a number, a "
                    "date line): the change cannot go back into the brief",
                    severity="warning",
                    hint="change the brief's value or `labels:` instead",
                )
            )
            continue
        neighbour = _neighbour(owner, j)
        if neighbour is not None:
            owner[j] = neighbour
        elif paragraph.text.strip():
            messages.append(
                Diagnostic(
                    Location(shown),
                    f"the paragraph '{_short(paragraph.text)}' stands outside every "
                    "field of the brief (between parts briefkit composes) and was left out",
                    severity="warning",
                    hint="add it to the brief where it belongs",
                )
            )
    fields: dict[str, FieldText] = {}
    for name, key in record.fields.items():
        text = FieldText(name, tuple(key), record.kinds.get(name, "markdown"))
        if name in old.inline:
            i, start, end = old.inline[name]
            text.built = [Paragraph(built[i].style, tuple(built[i].parts[start:end]))]
        else:
            text.built = [p for p, o in zip(built, old.block) if o == name]
        if name in inline_text:
            text.edited = [
                Paragraph(text.built[0].style if text.built else "", tuple(inline_text[name]))
            ]
            text.found = True
        else:
            text.edited = [p for p, o in zip(edited, owner) if o == name]
            text.found = bool(text.edited) or any(m.name == name for p in edited for m in p.marks)
        for j, paragraph in enumerate(edited):
            if owner[j] == name or (name in new.inline and new.inline[name][0] == j):
                text.comments += paragraph.comments
        fields[name] = text
    _orphan_comments(edited, owner, new, fields)
    return fields, messages


def _composed(paragraph: Paragraph, owners: _Owners, index: int) -> Optional[str]:
    """A composed line's own words, the brief's values in it left out (None: cannot tell)."""
    places = sorted((start, end) for p, start, end in owners.inline.values() if p == index)
    if not places:
        return None
    out, at = [], 0
    for start, end in places:
        out.append(plain(paragraph.parts[at:start]))
        at = end
    out.append(plain(paragraph.parts[at:]))
    return "\x00".join(out)


def _inline_here(owners: _Owners, index: int) -> bool:
    return any(place[0] == index for place in owners.inline.values())


def _between(built: Paragraph, start: int, end: int, edited: Paragraph) -> Optional[list]:
    """An inline field's parts in an edited paragraph that lost its bookmark: what stands
    between the composed words written before and after it."""
    before, after = plain(built.parts[:start]), plain(built.parts[end:])
    text = plain(edited.parts)
    if not (text.startswith(before) and text.endswith(after)):
        return None
    middle = text[len(before) : len(text) - len(after) if after else len(text)]
    return [Text(middle)]


def _neighbour(owner: list[Optional[str]], j: int) -> Optional[str]:
    """The field an editor's new paragraph joins: the one it follows, else the one it leads."""
    if j > 0 and owner[j - 1] is not None:
        return owner[j - 1]
    if j + 1 < len(owner) and owner[j + 1] is not None:
        return owner[j + 1]
    return None


def _orphan_comments(edited, owner, new: _Owners, fields: dict[str, FieldText]) -> None:
    """A comment on briefkit's own words (a heading) goes with the next field."""
    for j, paragraph in enumerate(edited):
        if not paragraph.comments or owner[j] is not None or _inline_here(new, j):
            continue
        following = next((owner[k] for k in range(j + 1, len(owner)) if owner[k]), None)
        if following is not None:
            fields[following].comments += paragraph.comments


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- the new text of each changed field -------------------------------------------------------


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


# ---- the merge --------------------------------------------------------------------------------


@dataclass
class Merged:
    text: str  # the brief with the editor's changes (the brief as it was when nothing changed)
    changed: list[tuple[tuple, str]] = field(default_factory=list)  # (key, how)
    conflicts: list[Diagnostic] = field(default_factory=list)
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
                    f"the printed citation '{_short(printed)}' was "
                    f"edited to '{_short(edited)}': the citation style prints it, so the edit is "
                    "not kept",
                    key=ours_key or field_text.key,
                    severity="warning",
                    hint="change the citation itself ([@key, locator]) or refresh it in Zotero",
                )
            )
        if not field_text.changed or not field_text.found and not field_text.built:
            continue
        base_value = _get(base, field_text.key)
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
        ours_value = _get(ours.data, ours_key)
        if ours_value == written.value:
            continue
        if str(ours_value) != str(base_value) and not force:
            merged.conflicts.append(
                Diagnostic(
                    _where(ours, ours_key, shown),
                    "changed in the brief since the DOCX was built, and in Word too",
                    key=ours_key,
                    expected="one side changed",
                    found=f"the brief: '{_short(str(ours_value))}', Word: "
                    f"'{_short(written.value)}'",
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
    merged.text = ours.text
    return merged


def _describe(comment: Comment) -> str:
    on = _short(comment.annotated, 60)
    when = f" ({comment.date[:10]})" if re.match(r"(19|20)\d\d-\d\d-\d\d", comment.date) else ""
    where = f' on "{on}"' if on else ""
    return f"Comment by {comment.author or 'an editor'}{when}{where}: {comment.text}"


def _where(ours: BriefText, key: Optional[tuple], shown: Path) -> Location:
    if key is None:
        return Location(shown)
    return ours.loaded.source.location(key)


def _get(data, key: tuple):
    for part in key:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


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


# ---- checking the result ----------------------------------------------------------------------


def check_rebuilt(
    reading: Reading, merged: Merged, rebuilt: Record, shown: Path
) -> list[Diagnostic]:
    """Each changed field of the new brief, rebuilt, compared with what the editor left; a
    field that reads otherwise is a warning naming it."""
    fields, _ = split_fields(rebuilt, rebuilt.paragraphs, shown)
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
                    found=f"'{_short(' '.join(p.text for p in (again.built if again else [])))}'",
                    expected=f"'{_short(' '.join(p.text for p in field_text.edited))}'",
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
    if rebuild is not None and merged.changed and not merged.conflicts:
        record = rebuild(merged.text)
        if record is not None:
            merged.messages += check_rebuilt(reading, merged, record, brief)
    return reading, merged


__all__ = ["NotBriefkitDocx", "import_into", "read_edited", "merge", "unified_diff"]
