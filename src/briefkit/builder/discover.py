"""Finding briefs: paths given on the command line in, the briefs they hold out.

One rule for every command (`build`, `check`, `watch`): a file given by name is a brief; in a
folder, every `*.yaml`/`*.yml` below it is a brief unless it is
- a series file (`series.yaml`, merged under the briefs beside and below it),
- a bibliography: CSL-YAML, i.e. a list of items at the top level, or a mapping holding
  `references` and only the other keys Pandoc reads with citations (`nocite`, `csl` …),
- part of a layout (anything in a folder holding `layout.yaml`, e.g. a project's
  `templates/house/`), or under a hidden folder, `assets/`, `build/` or `node_modules/`.
A brief without a `title:` is therefore a brief with a mistake (reported at its place), never
skipped. Only the top-level keys are read here (a line scan, no YAML parse), so finding briefs
stays cheap on a no-op rebuild and cannot be slowed by a hostile file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from briefkit.core.paths import unfollowed
from briefkit.core.write import TEMPORARY_MARK
from briefkit.load.series import SERIES_FILE

SKIPPED_FOLDERS = ("assets", "build", "node_modules")
# Keys Pandoc reads alongside `references` in a CSL-YAML (metadata) file.
CITATION_METADATA = frozenset(
    {
        "references",
        "nocite",
        "csl",
        "citation-abbreviations",
        "link-citations",
        "link-bibliography",
        "lang",
        "suppress-bibliography",
        "notes-after-punctuation",
        "reference-section-title",
        "bibliography",
    }
)
_TOP_KEY = re.compile(r"""^(?:"([^"]*)"|'([^']*)'|([^\s#:'"?-][^:#]*?))\s*:(?:\s|$)""")


def top_level(text: str) -> tuple[str, set[str]]:
    """('list' | 'mapping' | 'other', the mapping's top-level keys) of a YAML document, from
    its lines: the first document only, comments and directives skipped."""
    keys: set[str] = set()
    kind = "other"
    started = False
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or line.startswith("%"):
            continue
        if line.rstrip() == "---":
            if started:
                break
            started = True
            continue
        if line.rstrip() == "...":
            break
        started = True
        if line[0] in " \t":
            continue
        if kind == "other" and (
            line.startswith("- ") or line.rstrip() in ("-", "[]") or line.startswith("[")
        ):
            return "list", keys
        match = _TOP_KEY.match(line)
        if match:
            kind = "mapping"
            keys.add(next(g for g in match.groups() if g is not None).strip())
    return kind, keys


def is_bibliography(path: Path) -> bool:
    """A CSL-YAML bibliography, told by its shape (see the module docstring)."""
    try:
        with open(path, "rb") as stream:
            text = stream.read(1 << 20).decode("utf-8", errors="replace")
    except OSError:
        return False
    kind, keys = top_level(text.lstrip("\ufeff"))
    return kind == "list" or (
        kind == "mapping" and "references" in keys and keys <= CITATION_METADATA
    )


def is_brief_file(path: Path) -> bool:
    return (
        path.suffix in (".yaml", ".yml") and path.name != SERIES_FILE and not is_bibliography(path)
    )


def discover(paths: Sequence[Path]) -> list[tuple[Path, Path]]:
    """(brief, the folder its output tree is mirrored from) for every brief under `paths`."""
    found: dict[Path, Path] = {}
    for given in paths:
        # Folders resolved; a file's own link is not followed, so that a brief linked to a
        # file outside the project is refused where it stands (load/series.py).
        given = Path(given).resolve() if Path(given).is_dir() else unfollowed(Path(given))
        if given.is_file():
            found.setdefault(
                given, given.parent.parent if given.name == "brief.yaml" else given.parent
            )
            continue
        layout_folders = {p.parent for p in given.rglob("layout.yaml")}
        for candidate in sorted(given.rglob("*.y*ml")):
            if not candidate.is_file():
                continue
            folders = candidate.relative_to(given).parts[:-1]
            if any(part.startswith(".") or part in SKIPPED_FOLDERS for part in folders):
                continue
            if any(
                folder == candidate.parent or folder in candidate.parents
                for folder in layout_folders
            ):
                continue
            if TEMPORARY_MARK in candidate.name:  # `redline --against`'s old text, at work
                continue
            if is_brief_file(candidate):
                found.setdefault(candidate, given)
    return list(found.items())
