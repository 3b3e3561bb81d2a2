"""Layouts: a folder under `templates/` in, a `Layout` (parts and their table, labels, defaults,
file chain) out.

A layout is data, never Python: `layout.yaml` (with `extends`), `parts.yaml` (rows of the table
of parts it adds), `design.yaml` tokens, `html/` Jinja templates and `css/` stylesheets.
Layouts are looked up in the project's own `templates/` first, then in briefkit's installed
ones, so a house adds or overrides a layout by adding a folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from briefkit.core.paths import PathRefused, confine
from briefkit.layout.files import (
    LayoutError,
    builtin_dir,
    location,
    merge_mappings,
    read_layout_file,
    read_mapping,
    search_path,
)
from briefkit.layout.locales import english_labels
from briefkit.layout.parts import PartsError, PartTable, table_from_rows

# What a layout's `title_block` (layout.yaml) may list, for the Word title block.
TITLE_BLOCK_ITEMS = {
    "logo",
    "publisher",
    "kicker",
    "title",
    "subtitle",
    "byline",
    "by_byline",
    "dateline",
    "dateline_outlet",
    "series",
}


def available(project: Optional[Path] = None) -> dict[str, Path]:
    """Layout name -> folder, for every non-abstract layout on the search path."""
    found: dict[str, Path] = {}
    for root in reversed(search_path(project)):
        for folder in sorted(root.iterdir()):
            spec = folder / "layout.yaml"
            if spec.is_file() and not _is_abstract(spec):
                found[folder.name] = folder
    return found


def _is_abstract(spec: Path) -> bool:
    # A broken layout is listed all the same: only the briefs that use it fail, with its error.
    try:
        return bool(read_mapping(spec).get("abstract"))
    except LayoutError:
        return False


@dataclass
class Layout:
    name: str
    folders: list[Path]  # the layout's own folder first, then what it extends
    parts: list[str]
    labels: dict[str, str]
    notes: str
    toc: bool
    description: str = ""
    settings: dict = field(default_factory=dict)
    table: PartTable = field(default_factory=lambda: PartTable([]))  # rows along the chain

    def placed(self):
        """The rows of the parts this layout places, in its order."""
        return self.table.placed(self.parts)

    def files(self, subfolder: str, pattern: str) -> list[Path]:
        """Files of a kind along the chain, the base's first (CSS cascades base to layout)."""
        out = []
        for folder in reversed(self.folders):
            out.extend(sorted((folder / subfolder).glob(pattern)))
        return out

    def class_names(self) -> list[str]:
        """Names the page's <body> carries as `layout-<name>` classes: the chain's folders, and
        the `lineage` an exported layout keeps of the chain it was copied from."""
        names = [f.name for f in self.folders] + list(self.settings.get("lineage") or [])
        return list(dict.fromkeys(str(n) for n in names))

    def html_dirs(self) -> list[Path]:
        return [f / "html" for f in self.folders if (f / "html").is_dir()]


def load_layout(name: str, project: Optional[Path] = None) -> Layout:
    roots = search_path(project)
    chain: list[Path] = []
    merged: dict = {}
    current: Optional[str] = name
    while current:
        root = next((r for r in roots if (r / current / "layout.yaml").is_file()), None)
        if root is None:
            raise LayoutError(
                f"layout '{current}' not found in " + ", ".join(map(str, roots)),
                location(chain[-1] / "layout.yaml") if chain else None,
            )
        folder = root / current
        try:  # the layout's folder and its layout.yaml are read through the gate
            confine(folder / "layout.yaml", [root.resolve()])
        except PathRefused as exc:
            raise LayoutError(f"layout.yaml {exc}", location(folder / "layout.yaml")) from None
        if folder in chain:
            raise LayoutError(f"layout '{current}' extends itself")
        chain.append(folder)
        spec = read_mapping(folder / "layout.yaml")
        merged = merge_mappings(merged, spec)
        current = spec.get("extends")
    where = location(chain[0] / "layout.yaml")
    parts = merged.get("parts", [])
    if not isinstance(parts, list):
        raise LayoutError(f"layout '{name}': 'parts' must be a list of part names", where)
    table = part_table(chain)
    unknown = [str(p) for p in parts if p not in table]
    if unknown:
        raise LayoutError(
            f"layout '{name}' names unknown parts: {', '.join(unknown)}; known: "
            f"{', '.join(sorted(table.names()))} (a layout adds a part with a row "
            "in its parts.yaml)",
            where,
        )
    title_block = merged.get("title_block") or []
    unknown = (
        [str(p) for p in title_block if p not in TITLE_BLOCK_ITEMS]
        if isinstance(title_block, list)
        else [str(title_block)]
    )
    if unknown:
        raise LayoutError(
            f"layout '{name}' names unknown title_block items: {', '.join(unknown)}; "
            f"known: {', '.join(sorted(TITLE_BLOCK_ITEMS))}",
            where,
        )
    if not isinstance(merged.get("labels", {}), dict):
        raise LayoutError(f"layout '{name}': 'labels' must be a mapping", where)
    imprint = merged.get("imprint") or []
    if not isinstance(imprint, list) or any(p not in table for p in imprint):
        raise LayoutError(
            f"layout '{name}': 'imprint' must be a list of part names, found {imprint!r}; "
            f"known: {', '.join(sorted(table.names()))}",
            where,
        )
    # The imprint holds those of its parts the layout places: a house layout that extends
    # `report` with its own `parts` list keeps the imprint of the parts it still places.
    merged["imprint"] = [p for p in imprint if p in parts]
    # `labels`: as an English brief gets them (the English locale's, then the layout's own);
    # resolve takes the document's language from the raw `settings["labels"]`.
    return Layout(
        name=name,
        folders=chain,
        parts=list(merged.get("parts", [])),
        labels=english_labels(merged.get("labels") or {}, project),
        notes=merged.get("notes", "footnotes"),
        toc=bool(merged.get("toc", False)),
        description=merged.get("description", ""),
        settings=merged,
        table=table,
    )


def part_table(chain: list[Path]) -> PartTable:
    """The table of parts of a layout chain: briefkit's own rows, then each folder's
    `parts.yaml` from the base to the layout (a row there adds a part or changes columns)."""
    base = builtin_dir() / "base" / "parts.yaml"
    rows: dict = {}
    written_in: dict[str, Path] = {}  # the file that last wrote each row, for messages
    for path in [base, *(f / "parts.yaml" for f in reversed(chain))]:
        if path.is_file():
            spec = read_mapping(path)
            rows = merge_mappings(spec, rows)
            written_in.update({str(name): path for name in spec})
    try:
        return table_from_rows(rows, {str(name) for name in read_mapping(base)})
    except PartsError as exc:
        raise LayoutError(str(exc), location(written_in.get(exc.part, base))) from None


def starter_brief(layout: str, title: str, today, project: Optional[Path] = None) -> str:
    """The text of a new brief for `layout` that builds as it is: the first `starter.yaml`
    along the layout's chain (its own, else what it extends), which uses only keys the layout
    shows."""
    chain = load_layout(layout, project).folders
    starter = next(
        f / "starter.yaml"
        for f in chain + [builtin_dir() / "base"]
        if (f / "starter.yaml").is_file()
    )
    text = read_layout_file(starter).decode("utf-8")
    return (
        text.replace("__LAYOUT__", layout)
        .replace("__TITLE__", title)
        .replace("__DATE__", today.isoformat())
    )
