"""Which paragraphs of an edited DOCX show which field of its brief: the DOCX's parts in, each
field's paragraphs as briefkit wrote them and as the editor left them out.

The record (`brief_record`) holds every paragraph as written, with the hidden bookmarks that
say which field each shows. The editor's paragraphs are read the same way (`story`) and matched
to those: a paragraph inside a field's bookmark belongs to it (the whole paragraph, as written,
wherever an application moved the bookmark's ends); one whose bookmark was lost is found by its
words; a new one joins the field it follows (else the one it leads). Words briefkit composes (a
label, "Finding 2") are told apart from the brief's own, and an edit of them is a message.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from lxml import etree

from briefkit.core.diagnostics import Diagnostic, Location
from briefkit.ooxml.brief_record import FIELD_PREFIX, Record, read_record
from briefkit.ooxml.story import read_package
from briefkit.ooxml.story_parts import Comment, Paragraph, Text, plain
from briefkit.word.into_items import (
    NewSection,
    field_ahead,
    field_behind,
    new_item,
    new_section,
)
from briefkit.word.markdown_words import identity, paragraph_role


class NotBriefkitDocx(ValueError):
    """The DOCX cannot be brought into a brief: it carries no record of one (not built by
    briefkit, or the record was lost), or it is damaged. The message says what to do."""


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
    new_sections: list[NewSection] = field(default_factory=list)
    places: dict[str, int] = field(default_factory=dict)  # field -> its first paragraph
    tracked_changes: int = 0
    comments: int = 0


def read_edited(files: dict[str, bytes], shown: Path) -> Reading:
    record = read_record(files)
    if record is None:
        raise NotBriefkitDocx(
            "carries no record of the brief it was built from (it was not built by briefkit, "
            "its custom XML part was removed, or it is a redline, a copy for review); bring an "
            "editor's changes back from the DOCX briefkit built, or make a new brief of this "
            f"one with `briefkit import {shown} -o NEW.yaml`"
        )
    try:
        story = read_package(files, FIELD_PREFIX)
    except (etree.XMLSyntaxError, KeyError, ValueError) as exc:
        raise NotBriefkitDocx(
            f"is a damaged Word document ({exc}); open it in Word, save it again and import "
            "the saved copy"
        ) from None
    split = split_fields(record, story.paragraphs, shown)
    return Reading(
        record,
        split.fields,
        split.messages,
        split.new_sections,
        split.places,
        story.tracked_changes,
        story.comments,
    )


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


@dataclass
class Split:
    fields: dict[str, FieldText]
    messages: list[Diagnostic]
    new_sections: list[NewSection]
    places: dict[str, int]


def split_fields(record: Record, edited: list[Paragraph], shown: Path) -> Split:
    built = record.paragraphs
    old = _owners(built, record.fields)
    new = _owners(edited, record.fields, {n for n in old.block if n} - set(old.inline))
    owner = list(new.block)
    messages: list[Diagnostic] = []
    sections: list[NewSection] = []  # owners "+0", "+1" …: headings an editor added
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
                    f"the words '{shorten(built[was].text)}' were changed to "
                    f"'{shorten(paragraph.text)}', but briefkit composes them (a label, a number, a "
                    "date line): the change cannot go back into the brief",
                    severity="warning",
                    hint="change the brief's value or `labels:` instead",
                )
            )
            continue
        neighbour = _neighbour(owner, j)
        around = (
            field_behind(owner, new.inline, paired, j),
            field_ahead(owner, new.inline, paired, j),
        )
        section = new_section(paragraph, neighbour, record, sections) or new_item(
            paragraph, around, record, sections, (built, old.inline)
        )
        if section is not None:
            section.heading = j
            sections.append(section)
            owner[j] = f"+{len(sections) - 1}"
        elif neighbour is not None:
            owner[j] = neighbour
        elif paragraph.text.strip():
            messages.append(
                Diagnostic(
                    Location(shown),
                    f"the paragraph '{shorten(paragraph.text)}' stands outside every "
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
    messages += _looks_changed(fields.values(), shown)
    for j, holder in enumerate(owner):
        if holder and holder.startswith("+") and sections[int(holder[1:])].heading != j:
            sections[int(holder[1:])].paragraphs.append(edited[j])
    places: dict[str, int] = {}
    for j, holder in enumerate(owner):
        if holder and not holder.startswith("+"):
            places.setdefault(holder, j)
    for inline, (j, _, _) in new.inline.items():
        places[inline] = min(places.get(inline, j), j)
    return Split(fields, messages, sections, places)


def _looks_changed(fields, shown: Path) -> list[Diagnostic]:
    """Formatting an editor applied that Markdown cannot say (a colour, a face, a size) or a
    paragraph style changed on unchanged words: the layout decides these, so they are not
    kept, and the message says so."""
    out = []
    for text in fields:
        added = set().union(*(p.looks for p in text.edited)) - set().union(
            *(p.looks for p in text.built)
        )
        styled = {p.text: p.style for p in text.built}
        restyled = sorted(
            {
                p.style
                for p in text.edited
                if p.text in styled
                and p.style.lower() != styled[p.text].lower()
                and paragraph_role(p.style) == paragraph_role(styled[p.text])
            }
        )
        what = [f"formatting ({', '.join(sorted(added))})"] if added else []
        what += [f"the paragraph style '{style}'" for style in restyled]
        if what:
            out.append(
                Diagnostic(
                    Location(shown),
                    f"{' and '.join(what)} applied in Word cannot go into the "
                    "brief: the layout's styles decide how it looks",
                    key=text.key,
                    severity="warning",
                    hint="emphasis, lists and quotes are Markdown; a house "
                    "look is a layout's (templates/…/word/styles.yaml)",
                )
            )
    return out


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
        following = next(
            (owner[k] for k in range(j + 1, len(owner)) if owner[k] and owner[k] in fields), None
        )
        if following is not None:
            fields[following].comments += paragraph.comments


def shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
