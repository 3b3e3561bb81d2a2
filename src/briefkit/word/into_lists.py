"""The brief's lists as an editor rearranged them in Word: findings, recommendations, takeaways
or sections moved (their bookmarks move with them), deleted (every paragraph of the item gone),
and sections added (a new heading among the sections, with the paragraphs after it) in; the
same moves, deletions and additions in the brief's YAML out, each item's text moved or taken
out whole (load/edit.py), merged against the brief as it is now. An item still named elsewhere
(`[#id]`, a recommendation's `findings`) is not deleted: the message says where it is named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from briefkit.core.diagnostics import format_key_path
from briefkit.load.edit import BriefText, EditFailed
from briefkit.load.source import value_at
from briefkit.word.into_fields import Reading
from briefkit.word.into_items import NewSection
from briefkit.word.markdown_write import paragraphs_markdown


@dataclass
class _Plan:
    """What happens to one list of the brief (indexes as the brief has them now)."""

    order: Optional[list[int]] = None  # the items kept, in Word's order
    removed: set[int] = field(default_factory=set)
    added: list[tuple[int, dict]] = field(default_factory=list)  # (after which item, value)


def rearrange(reading: Reading, base: dict, ours: BriefText, locate, shown: Path) -> list[str]:
    """Make the editor's moves and new sections in `ours`; returns what was done, one line
    each. Raises EditFailed (nothing changed) when the brief's lists no longer fit them."""
    plans: dict[tuple, _Plan] = {}
    notes: list[str] = []
    deleted = deleted_items(reading, base)
    for item in sorted(deleted):
        here = locate(base, ours.data, item)
        if here is None:
            raise EditFailed(
                f"{format_key_path(item)}: deleted in Word, but the list changed in the brief "
                "since the DOCX was built"
            )
        plans.setdefault(here[:-1], _Plan()).removed.add(here[-1])
    for path, plan in plans.items():
        _check_unnamed(ours.data, path, plan.removed)
        notes.append(
            f"{format_key_path(path)}: {len(plan.removed)} item(s) deleted as in Word "
            f"({', '.join(format_key_path(path + (i,)) for i in sorted(plan.removed))})"
        )
    for path, order in _orders(reading, base, deleted).items():
        here = locate(base, ours.data, path)
        items = value_at(ours.data, here) if here is not None else None
        plan = plans.setdefault(here, _Plan()) if here is not None else _Plan()
        if here is None or not isinstance(items, list) or len(items) != len(order):
            raise EditFailed(
                f"{format_key_path(path)}: its items were moved in Word, but the "
                "list changed in the brief since the DOCX was built"
            )
        plan.order = [i for i in order if i not in plan.removed]
        notes.append(f"{format_key_path(here)}: items moved as in Word")
    anchors: dict[int, tuple[tuple, int]] = {}  # new section -> (list, after which item)
    for number, section in enumerate(reading.new_sections):
        where = _place(section, number, anchors, base, ours, locate)
        what = "section" if section.level else "item"
        if where is None:
            raise EditFailed(
                f"the new {what} '{section.title}' cannot be placed in the brief "
                "(its heading's level does not follow the sections around it)"
                if section.level
                else f"the new {what} '{section.title}' cannot be placed in the brief (the "
                "list changed in the brief since the DOCX was built)"
            )
        anchors[number] = where
        title_key, body_key = section.keys
        value = {title_key: section.title}
        body = paragraphs_markdown(section.paragraphs)
        if body:
            value[body_key] = body
        plans.setdefault(where[0], _Plan()).added.append((where[1], value))
        notes.append(f"a new {what} '{section.title}' in {format_key_path(where[0])}")
    for path in sorted(plans, key=len, reverse=True):  # inner lists first: outer moves carry them
        _apply(ours, path, plans[path])
    return notes


def deleted_items(reading: Reading, base: dict) -> set[tuple]:
    """The list items (key paths of the base) none of whose fields the editor's document
    shows: deleted in Word. An item inside a deleted one is not named on its own."""
    shown: dict[tuple, bool] = {}
    for name, key in reading.record.fields.items():
        text = reading.fields.get(name)
        found = text is None or text.found or not text.built
        for depth, part in enumerate(key):
            if isinstance(part, int):
                item = tuple(key[: depth + 1])
                shown[item] = shown.get(item, False) or found
    gone = {item for item, seen in shown.items() if not seen}
    out = set()
    for item in gone:
        if any(item[:n] in gone for n in range(1, len(item))):
            continue
        items = value_at(base, item[:-1])
        if isinstance(items, list) and len(items) > 1:  # a list keeps at least one item
            out.add(item)
    return out


def _check_unnamed(data: dict, path: tuple, removed: set[int]) -> None:
    """Raises EditFailed when a removed item's id is named elsewhere in the brief."""
    items = value_at(data, path)
    for index in sorted(removed):
        ident = items[index].get("id") if isinstance(items[index], dict) else None
        if not isinstance(ident, str) or not ident:
            continue
        for where, value in _scalars(data, ()):
            if where[: len(path) + 1] == path + (index,) or not isinstance(value, str):
                continue
            if f"[#{ident}]" in value or (isinstance(where[-1], int) and value == ident):
                raise EditFailed(
                    f"{format_key_path(path + (index,))} ('{ident}') was deleted in Word, but "
                    f"{format_key_path(where)} still names it: nothing was deleted",
                    key=where,
                )


def _scalars(value, path: tuple):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _scalars(inner, path + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _scalars(inner, path + (index,))
    else:
        yield path, value


def _orders(reading: Reading, base: dict, deleted: set[tuple]) -> dict[tuple, list[int]]:
    """Each list of the base whose items the editor's document shows in another order (the
    deleted ones last)."""
    places: dict[tuple, dict[int, int]] = {}
    for name, key in reading.record.fields.items():
        place = reading.places.get(name)
        if place is None:
            continue
        for depth, part in enumerate(key):
            if isinstance(part, int):
                items = places.setdefault(tuple(key[:depth]), {})
                items[part] = min(items.get(part, place), place)
    out = {}
    for path, items in places.items():
        listed = value_at(base, path)
        gone = {item[-1] for item in deleted if item[:-1] == path}
        if not isinstance(listed, list) or sorted(set(items) | gone) != list(range(len(listed))):
            continue  # an item the document no longer shows: nothing is moved
        order = sorted(set(items) - gone, key=lambda i: items[i])
        if order != sorted(order):
            out[path] = order + sorted(gone)
    return out


def _place(
    section: NewSection, number: int, anchors, base, ours: BriefText, locate
) -> Optional[tuple[tuple, int]]:
    """(the list a new section joins, the item it comes after; -1: first)."""
    if section.follows_new is not None:
        path, after = anchors[section.follows_new]
        return path, after  # after the same item: it follows the other new one
    if not section.level:  # a list item: after the item whose field it follows
        ints = [depth for depth, part in enumerate(section.after) if isinstance(part, int)]
        here = locate(base, ours.data, section.after[: ints[-1] + 1])
        if here is None:
            return None
        return here[:-1], here[-1] - 1 if section.leads else here[-1]
    owner = (
        section.after[: len(section.after) - 1]
        if section.after[-1] in ("title", "body")
        else section.after
    )
    here = locate(base, ours.data, owner)
    if here is None:
        return None
    level = sum(1 for part in here if part == "sections")
    if section.level == min(level, 3):
        return here[:-1], here[-1]
    if section.level == level + 1 and isinstance(value_at(ours.data, here + ("sections",)), list):
        return here + ("sections",), -1
    return None


def _apply(ours: BriefText, path: tuple, plan: _Plan) -> None:
    """Added items go in at the end, all are put in their order (the deleted last), then the
    deleted are taken out."""
    count = len(value_at(ours.data, path))
    for offset, (_, value) in enumerate(plan.added):
        ours.insert(path, count + offset, value)
    final = [count + k for k, (after, _) in enumerate(plan.added) if after == -1]
    for index in plan.order or list(range(count)):
        if index not in plan.removed:
            final.append(index)
        final += [count + k for k, (after, _) in enumerate(plan.added) if after == index]
    kept = len(final)
    final += sorted(plan.removed)
    if final != list(range(len(final))):
        ours.reorder(path, final)
    if plan.removed:
        ours.remove(path, list(range(kept, len(final))))
