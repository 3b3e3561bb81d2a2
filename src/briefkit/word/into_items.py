"""New items an editor typed in Word: a paragraph in, what it starts out (a new section, a new
finding or recommendation), or None when it is only a new paragraph of the field before it.

A heading among the sections is a new section (its level says where it goes); a paragraph in
the style briefkit gives a list's item titles ("Finding 3: …"), typed after one of its items,
is a new item of that list, its title without the label the editor may have typed as the others
read. The paragraphs after either are its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from briefkit.ooxml.brief_record import Record
from briefkit.ooxml.story_parts import Paragraph, plain
from briefkit.word.markdown_words import paragraph_role


@dataclass
class NewSection:
    """A heading an editor added among the sections, or an item title (a paragraph in the
    style of a finding's or recommendation's title) among a list's items, and the paragraphs
    after it."""

    after: tuple  # the key of the field it follows (a section's title or body, an item's text)
    level: int  # its heading's level; 0: a list item
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    follows_new: Optional[int] = None  # it follows another new section (its index)
    heading: int = -1  # the heading's paragraph
    keys: tuple[str, str] = ("title", "body")  # the new item's keys for its title and text
    style: str = ""  # a new item's: its title's paragraph style, and the label typed before it
    label: str = "^"
    leads: bool = False  # a new item typed before the item `after` names, not after it


def new_section(
    paragraph: Paragraph, neighbour: Optional[str], record: Record, sections: list[NewSection]
) -> Optional[NewSection]:
    """A new heading among the sections (after a section's field, or after a new one)."""
    role = paragraph_role(paragraph.style)
    if not role.startswith("heading") or neighbour is None or not paragraph.text.strip():
        return None
    level = int(role[len("heading") :]) if role[len("heading") :].isdigit() else 1
    if neighbour.startswith("+"):
        before = sections[int(neighbour[1:])]
        if not before.level:
            return None
        return NewSection(
            before.after, level, paragraph.text.strip(), follows_new=int(neighbour[1:])
        )
    key = record.fields.get(neighbour, ())
    if not key or key[0] != "sections":
        return None
    return NewSection(tuple(key), level, paragraph.text.strip())


def new_item(
    paragraph: Paragraph,
    around: tuple[Optional[str], Optional[str]],
    record: Record,
    sections: list[NewSection],
    written: tuple[list[Paragraph], dict[str, tuple[int, int, int]]],
) -> Optional[NewSection]:
    """A new paragraph in the style of the item titles of a list, typed after one of its items
    (a new finding after a finding's text) or before one (before Finding 1): a new item, its
    title without the label the editor may have typed ("Finding 4: ", as briefkit composes
    the others). `around`: the fields just before and after the paragraph."""
    behind, ahead = around
    if not paragraph.text.strip():
        return None
    if behind is not None and behind.startswith("+"):
        before = sections[int(behind[1:])]
        if before.level or paragraph.style != before.style:
            return None
        title = re.sub(before.label, "", paragraph.text.strip(), count=1) or paragraph.text.strip()
        return NewSection(
            before.after,
            0,
            title,
            follows_new=int(behind[1:]),
            keys=before.keys,
            style=before.style,
            label=before.label,
        )
    for neighbour, leads in ((behind, False), (ahead, True)):
        found = _item_of(paragraph, neighbour, record, written) if neighbour else None
        if found is not None:
            found.leads = leads
            return found
    return None


def _item_of(
    paragraph: Paragraph,
    neighbour: str,
    record: Record,
    written: tuple[list[Paragraph], dict[str, tuple[int, int, int]]],
) -> Optional[NewSection]:
    """A new item of the list `neighbour` (a field) is an item of, if `paragraph` has the
    style of that list's item titles."""
    built, inline = written  # the paragraphs as built, and the fields inline in them
    key = tuple(record.fields.get(neighbour, ()))
    ints = [depth for depth, part in enumerate(key) if isinstance(part, int)]
    if not ints or key[0] == "sections":
        return None
    item = key[: ints[-1] + 1]
    siblings = {
        name: tuple(other)
        for name, other in record.fields.items()
        if tuple(other[:-1]) == item and len(other) == len(item) + 1
    }
    texts = [other[-1] for name, other in siblings.items() if name not in inline]
    for name, title_key in siblings.items():
        place = inline.get(name)
        if place is None or not texts:
            continue
        shown = built[place[0]]
        if shown.style.lower() != paragraph.style.lower():
            continue  # another of its fields (a recommendation's audience)
        composed = re.escape(plain(shown.parts[: place[1]]).strip())
        label = rf"^{re.sub(r'[0-9]+', r'[0-9]+', composed)}\s*" if composed else "^"
        return NewSection(
            key,
            0,
            re.sub(label, "", paragraph.text.strip(), count=1) or paragraph.text.strip(),
            keys=(title_key[-1], texts[0]),
            style=paragraph.style,
            label=label,
        )
    return None


def field_ahead(
    owner: list[Optional[str]], inline: dict[str, tuple[int, int, int]], paired: dict, j: int
) -> Optional[str]:
    """The field nearest after paragraph `j`, across paragraphs the editor added."""
    for k in range(j + 1, len(owner)):
        if owner[k] is not None:
            return owner[k]
        here = [name for name, place in inline.items() if place[0] == k]
        if here:
            return here[0]
        if k in paired:
            return None
    return None


def field_behind(
    owner: list[Optional[str]], inline: dict[str, tuple[int, int, int]], paired: dict, j: int
) -> Optional[str]:
    """The field nearest before paragraph `j`, across the lines briefkit composes after an
    item's text (a recommendation's "For: …" and "Responds to: …")."""
    for k in range(j - 1, -1, -1):
        if owner[k] is not None:
            return owner[k]
        here = [name for name, place in inline.items() if place[0] == k]
        if here:
            return here[0]
        if k not in paired:
            return None
    return None


__all__ = ["NewSection", "field_ahead", "field_behind", "new_item", "new_section"]
