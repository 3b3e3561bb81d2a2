"""The table of parts: a layout chain's `parts.yaml` rows in, `Part` rows (a `PartTable`) out.

A part is what a layout places, in the order of its `parts:` list. Its row says everything the
stages need to know of it, so that none of them lists parts by name: the shape every writer
lays it out as, the brief keys it shows, the label of its heading (which `briefkit import`
also reads as the part's name in a Word draft), the anchor its heading carries, the label of
its numbered items and whether the contents lists it. Rows are data (`templates/base/parts.yaml`
and any layout's own `parts.yaml`), merged along the layout's `extends` chain like layout.yaml.

The shapes are few and fixed: they are what the writers know how to lay out. A layout may add
parts of the shapes in `DECLARABLE_SHAPES`; the others are the furniture of a brief (title
page, contents, notes …), one row each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Optional

# Shape -> what a writer makes of it.
SHAPES = {
    "title_page": "the title block: kicker, title, subtitle, byline, dateline, logo",
    "lead": "Markdown without a heading, set large (a standfirst)",
    "categories": "a line of the brief's categories",
    "box": "a shaded box of labelled Markdown fields (what's the problem / the solution)",
    "contents": "the contents, each entry a link to its heading, with page numbers in print",
    "prose": "a heading and Markdown",
    "list": "a heading and a numbered list of Markdown items",
    "items": "a heading and numbered, titled items ('Finding 2: …') with ids and meta lines",
    "sections": "the brief's sections, nested three levels",
    "call_to_action": "one link, set apart ('Read the full report')",
    "related": "related items: kind · outlet · date, title, teaser, byline",
    "notes": "the endnotes under their heading",
    "bibliography": "the rendered bibliography",
    "glossary": "terms and what they stand for (acronyms)",
    "people": "the authors' credits and bios",
    "colophon": "copyright, licence, version, publisher lines",
}
# Shapes a layout may give a part of its own, with the brief value each expects.
DECLARABLE_SHAPES = {"prose": "Markdown", "list": "a list of Markdown", "items": "findings"}

_COLUMNS = ("shape", "keys", "key", "label", "anchor", "item_label", "in_contents", "fields")


class PartsError(ValueError):
    """A row of a parts table is wrong; the message names the part and the column."""

    def __init__(self, part: str, message: str):
        super().__init__(f"part '{part}': {message}")
        self.part = part


@dataclass(frozen=True)
class Part:
    """One row of the table of parts."""

    name: str
    """The part's name, as a layout's `parts:` list names it."""
    shape: str
    """How the writers lay it out: one of `SHAPES`."""
    keys: tuple[str, ...] = ()
    """The brief's top-level keys the part shows (a key no placed part shows is 'unshown')."""
    key: Optional[str] = None
    """The brief key its content is read from (default: the first of `keys`)."""
    label: Optional[str] = None
    """The label key of its heading; also how `briefkit import` recognises it in a draft."""
    anchor: Optional[str] = None
    """The id its heading carries: the HTML id, the Word bookmark, the contents' target."""
    item_label: Optional[str] = None
    """The label key of its numbered items ('finding' prints 'Finding 2')."""
    in_contents: bool = False
    """Whether the contents lists it (when it has content)."""
    fields: tuple[str, ...] = ()
    """A box's fields: sub-keys of `key`, each printed under the label of the same name."""
    declared: bool = False
    """Added by a layout (not in briefkit's base table): its content is kept by name."""

    @property
    def content_key(self) -> Optional[str]:
        return self.key or (self.keys[0] if self.keys else None)

    def as_data(self) -> dict[str, Any]:
        """The row as plain data, for templates."""
        return {
            "name": self.name,
            "shape": self.shape,
            "keys": list(self.keys),
            "key": self.content_key,
            "label": self.label,
            "anchor": self.anchor,
            "item_label": self.item_label,
            "in_contents": self.in_contents,
            "fields": list(self.fields),
        }


class PartTable:
    """The rows a layout chain defines, in the order of the base table (then added rows)."""

    def __init__(self, rows: list[Part]):
        self.rows = {row.name: row for row in rows}

    def __getitem__(self, name: str) -> Part:
        return self.rows[name]

    def __contains__(self, name: object) -> bool:
        return name in self.rows

    def __iter__(self) -> Iterator[Part]:
        return iter(self.rows.values())

    def names(self) -> list[str]:
        return list(self.rows)

    def placed(self, names: list[str]) -> list[Part]:
        """The rows of `names` (a layout's `parts:`), in that order."""
        return [self.rows[name] for name in names]

    def of_shape(self, *shapes: str) -> list[Part]:
        return [row for row in self if row.shape in shapes]

    def declared(self) -> list[Part]:
        """Parts a layout added, whose keys the brief format gains for that layout."""
        return [row for row in self if row.declared]

    def by_label(self) -> dict[str, tuple[Part, Optional[str]]]:
        """Label key -> (part, box field or None): the headings `briefkit import` recognises."""
        out: dict[str, tuple[Part, Optional[str]]] = {}
        for row in self:
            for field in row.fields:
                out[field] = (row, field)
            if row.label and not row.fields:
                out[row.label] = (row, None)
        return out


def table_from_rows(spec: dict, builtin_names: set[str]) -> PartTable:
    """The table of a chain's merged `parts.yaml` rows; raises `PartsError` for a wrong row."""
    rows = []
    for name, row in spec.items():
        rows.append(_row(str(name), row, declared=name not in builtin_names))
    return PartTable(rows)


def _row(name: str, row: Any, declared: bool) -> Part:
    if not isinstance(row, dict):
        raise PartsError(name, f"expected a mapping of {', '.join(_COLUMNS)}")
    unknown = sorted(set(row) - set(_COLUMNS))
    if unknown:
        raise PartsError(
            name, f"unknown column(s) {', '.join(map(str, unknown))}; known: {', '.join(_COLUMNS)}"
        )
    shape = row.get("shape")
    allowed = DECLARABLE_SHAPES if declared else SHAPES
    if shape not in allowed:
        raise PartsError(
            name,
            f"shape {shape!r} is not one of "
            f"{', '.join(sorted(allowed))}"
            + (" (a layout may add parts of these shapes)" if declared else ""),
        )
    keys = row.get("keys", [name] if declared else [])
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise PartsError(name, "'keys' must be a list of brief keys")
    if declared and len(keys) != 1:
        raise PartsError(name, "a part a layout adds shows one brief key")
    for column in ("key", "label", "anchor", "item_label"):
        if row.get(column) is not None and not isinstance(row[column], str):
            raise PartsError(name, f"'{column}' must be text")
    fields = row.get("fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise PartsError(name, "'fields' must be a list of keys")
    if shape == "items" and declared and not row.get("item_label"):
        raise PartsError(name, "numbered items need an 'item_label' (the label key of 'Item 2')")
    return Part(
        name=name,
        shape=shape,
        keys=tuple(keys),
        key=row.get("key"),
        label=row.get("label", name if declared else None),
        anchor=row.get("anchor", name.replace("_", "-") if declared else None),
        item_label=row.get("item_label"),
        in_contents=bool(row.get("in_contents", False)),
        fields=tuple(fields),
        declared=declared,
    )
