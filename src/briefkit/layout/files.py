"""Layout files: a path under a `templates/` folder in, its YAML as a mapping out (through the
confinement gate), and the folders layouts are looked up in.

A layout's YAML files (layout.yaml, parts.yaml, design.yaml, word/styles.yaml, locales) are
written by a house, so they are read as untrusted input: their real path must stay inside the
`templates/` folder they were found in, only plain YAML is read, and a mistake is a
`LayoutError` located in the file.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Optional

import yaml

from briefkit.core.diagnostics import Location
from briefkit.core.paths import PathRefused, confine, read_regular

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


@lru_cache(maxsize=64)
def read_mapping(path: Path) -> dict:
    """A layout's YAML file (layout.yaml, design.yaml, word/styles.yaml) as a mapping, read
    through the gate: its real path must stay inside the `templates/` folder it was found in."""
    try:
        real = confine(path, _layout_roots(Path(path)))
        spec = yaml.load(read_regular(real).decode("utf-8"), Loader=SafeLoader) or {}
    except PathRefused as exc:
        raise LayoutError(str(exc), location(path)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "flow" in (exc.context or "") and exc.context_mark is not None:
            mark = exc.context_mark  # where the unclosed '[' or '{' opens
        problem = exc.problem or exc.context or "not valid YAML"
        raise LayoutError(
            f"not valid YAML: {problem}",
            location(path, mark.line + 1 if mark else 0, mark.column + 1 if mark else 0),
        ) from None
    except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
        raise LayoutError(f"cannot be read: {exc}", location(path)) from None
    if not isinstance(spec, dict):
        raise LayoutError(
            "expected a mapping of settings (parts: [...], labels: ...)", location(path, 1, 1)
        )
    return spec


def read_layout_file(path: Path) -> bytes:
    """A file of a layout (a starter brief, a face), read through the gate: its real path must
    stay inside the `templates/` folder it was found in (or briefkit's own), and it must be a
    regular file; `LayoutError` otherwise."""
    try:
        return read_regular(confine(path, _layout_roots(Path(path))))
    except PathRefused as exc:
        raise LayoutError(str(exc), location(path)) from None
    except OSError as exc:
        raise LayoutError(f"cannot be read: {exc}", location(path)) from None


def _layout_roots(path: Path) -> list[Path]:
    """briefkit's own templates, and the `templates/` folder (or, for an exported layout,
    the layout's own folder) that holds `path`."""
    path = Path(path).absolute()
    holder = next((f for f in path.parents if f.name == "templates"), path.parent)
    return [builtin_dir().resolve(), holder.resolve()]


def location(path: Path, line: int = 0, column: int = 0) -> Location:
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
