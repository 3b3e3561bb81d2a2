"""Layouts: a folder under `templates/` in, a `Layout` (parts, labels, defaults, file chain) out.

A layout is data, never Python: `layout.yaml` (with `extends`), `html/` Jinja templates and
`css/` stylesheets. Layouts are looked up in the project's own `templates/` first, then in
briefkit's installed ones, so a house adds or overrides a layout by adding a folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Optional

import yaml

from .paths import PathRefused, confine
from .presentation import KNOWN_PARTS  # the one table of parts

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


class LayoutError(Exception):
    """A layout folder is broken (a problem for whoever wrote the layout, not the author).
    `location` is where in the layout's files, when known."""

    def __init__(self, message: str, location=None):
        super().__init__(message)
        self.location = location


def builtin_dir() -> Path:
    return Path(str(resources.files("briefkit.templates")))


def search_path(project: Optional[Path] = None) -> list[Path]:
    folders = []
    if project is not None and (project / "templates").is_dir():
        folders.append(project / "templates")
    folders.append(builtin_dir())
    return folders


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
                _location(chain[-1] / "layout.yaml") if chain else None,
            )
        folder = root / current
        try:  # the layout's folder and its layout.yaml are read through the gate
            confine(folder / "layout.yaml", [root.resolve()])
        except PathRefused as exc:
            raise LayoutError(f"layout.yaml {exc}", _location(folder / "layout.yaml")) from None
        if folder in chain:
            raise LayoutError(f"layout '{current}' extends itself")
        chain.append(folder)
        spec = read_mapping(folder / "layout.yaml")
        merged = merge_mappings(merged, spec)
        current = spec.get("extends")
    where = _location(chain[0] / "layout.yaml")
    parts = merged.get("parts", [])
    if not isinstance(parts, list):
        raise LayoutError(f"layout '{name}': 'parts' must be a list of part names", where)
    unknown = [str(p) for p in parts if p not in KNOWN_PARTS]
    if unknown:
        raise LayoutError(
            f"layout '{name}' names unknown parts: {', '.join(unknown)}; known: "
            f"{', '.join(sorted(KNOWN_PARTS))}",
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
    from .locales import english_labels  # locales reads layouts' helpers

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
    )


@lru_cache(maxsize=64)
def read_mapping(path: Path) -> dict:
    """A layout's YAML file (layout.yaml, design.yaml, word/styles.yaml) as a mapping, read
    through the gate: its real path must stay inside the `templates/` folder it was found in."""
    try:
        real = confine(path, _layout_roots(Path(path)))
        spec = yaml.load(real.read_text(encoding="utf-8"), Loader=_SafeLoader) or {}
    except PathRefused as exc:
        raise LayoutError(str(exc), _location(path)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "flow" in (exc.context or "") and exc.context_mark is not None:
            mark = exc.context_mark  # where the unclosed '[' or '{' opens
        problem = exc.problem or exc.context or "not valid YAML"
        raise LayoutError(
            f"not valid YAML: {problem}",
            _location(path, mark.line + 1 if mark else 0, mark.column + 1 if mark else 0),
        ) from None
    except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
        raise LayoutError(f"cannot be read: {exc}", _location(path)) from None
    if not isinstance(spec, dict):
        raise LayoutError(
            "expected a mapping of settings (parts: [...], labels: ...)", _location(path, 1, 1)
        )
    return spec


def _layout_roots(path: Path) -> list[Path]:
    """briefkit's own templates, and the `templates/` folder (or, for an exported layout,
    the layout's own folder) that holds `path`."""
    path = Path(path).absolute()
    holder = next((f for f in path.parents if f.name == "templates"), path.parent)
    return [builtin_dir().resolve(), holder.resolve()]


def _location(path: Path, line: int = 0, column: int = 0):
    from .diagnostics import Location

    return Location(Path(path), line, column)


def merge_mappings(child: dict, base: dict) -> dict:
    """`child` over `base`: mappings merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in child.items():
        if key == "extends":
            continue
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            out[key] = merge_mappings(value, base[key])
        else:
            out[key] = value
    return out


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
    text = starter.read_text(encoding="utf-8")
    return (
        text.replace("__LAYOUT__", layout)
        .replace("__TITLE__", title)
        .replace("__DATE__", today.isoformat())
    )


def export(name: str, target: Path, project: Optional[Path] = None) -> list[Path]:
    """Copy layout `name` with everything it extends into `target`, flattened into one folder
    that works on its own and looks the same: HTML templates of the layout override those of
    what it extends; stylesheets, which cascade along the chain, are all kept and numbered in
    cascade order (`css/00-base.css`, `css/01-print.css`, `css/02-report.css` ...); the Word
    styles are merged into one `word/styles.yaml`, the design tokens into one `design.yaml`
    (its font files are found in briefkit's own fonts/); layout.yaml holds the merged settings
    without `extends`, and `lineage` keeps the chain's names as classes of the page's <body>
    (so the copied CSS rules, written for `.layout-report`, still apply)."""
    layout = load_layout(name, project)
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise LayoutError(f"{target} exists and is not empty")
    written = []
    stylesheets = layout.files("css", "*.css")
    for number, path in enumerate(stylesheets):
        written.append(_copy(path, target / "css" / f"{number:02d}-{path.name}"))
    word_styles: dict = {}
    for folder in reversed(layout.folders):
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if (
                path.is_dir()
                or relative.name in ("layout.yaml", "design.yaml", "__init__.py")
                or "__pycache__" in relative.parts
                or relative.parts[0] == "css"
            ):
                continue
            if relative == Path("word", "styles.yaml"):
                spec = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader) or {}
                for key, entries in spec.items():
                    word_styles.setdefault(key, {}).update(entries or {})
                continue
            written.append(_copy(path, target / relative))
    if word_styles:
        (target / "word").mkdir(parents=True, exist_ok=True)
        (target / "word" / "styles.yaml").write_text(
            "# briefkit's Word styles for this layout, merged along its chain (see base's\n"
            "# styles.yaml in briefkit for what `ensure` and `default_template` mean).\n"
            + yaml.safe_dump(word_styles, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        written.append(target / "word" / "styles.yaml")
    from .design import merged_tokens  # design imports this module

    (target / "design.yaml").write_text(
        "# briefkit's design tokens for this layout, merged along its chain (see base's\n"
        "# design.yaml in briefkit for what each means); the CSS and Word styles follow them.\n"
        + yaml.safe_dump(merged_tokens(layout), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    written.append(target / "design.yaml")
    settings = {k: v for k, v in layout.settings.items() if k not in ("extends", "abstract")}
    settings["description"] = f"{layout.description} (exported from briefkit's '{name}')"
    settings["lineage"] = layout.class_names()
    (target / "layout.yaml").write_text(
        "# Exported by `briefkit template export`; put this folder under your project's\n"
        "# templates/ and name it in a brief's `layout:`.\n"
        + yaml.safe_dump(settings, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    written.append(target / "layout.yaml")
    return sorted(set(written))


def _copy(source: Path, destination: Path) -> Path:
    import shutil

    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)
    return destination
