"""Series: a brief's path in, its values merged under every `series.yaml` above it out.

A folder of briefs may hold `series.yaml` with the same keys as a brief. Files from the
project root down to the brief's own folder are merged outermost first, the brief last:
mappings merge key by key, anything else (lists included) is replaced. Each merged key keeps
the position it has in the file that supplied it, so a mistake in a series file is reported
there.
"""

from __future__ import annotations

from pathlib import Path

from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Location
from briefkit.core.paths import PathRefused, confine, unfollowed
from briefkit.load.source import Loaded, SourceMap, display_path, load_file

SERIES_FILE = "series.yaml"


def series_files(brief: Path, project: Path) -> list[Path]:
    """`series.yaml` files that apply to `brief`, outermost first."""
    brief = unfollowed(Path(brief))
    project = Path(project).resolve()
    folders = []
    for folder in brief.parents:
        folders.append(folder)
        if folder == project:
            break
    else:
        folders = [brief.parent]  # a brief outside the project: only its own folder
    files = [f / SERIES_FILE for f in reversed(folders) if (f / SERIES_FILE).is_file()]
    return [f for f in files if f != brief]


def _confined(path: Path, project: Path) -> None:
    try:
        confine(path, (Path(project).resolve(),))
    except PathRefused:
        shown = display_path(path)
        raise BriefInvalid(
            Diagnostic(
                Location(shown),
                f"{shown} is a link to {Path(path).resolve()}, outside the "
                f"project ({project}); briefkit reads only files inside the project",
                hint="copy the file into the project instead of linking to it",
            )
        ) from None


def merge(under: dict, over: dict) -> dict:
    """`over` on top of `under`: mappings merge key by key, other values are replaced."""
    out = dict(under)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(under.get(key), dict):
            out[key] = merge(under[key], value)
        else:
            out[key] = value
    return out


def load_brief(path: Path, project: Path) -> tuple[Loaded, list[Path]]:
    """The brief at `path` with its series defaults merged in, and the series files used. The
    brief and every series file must be inside the project, links followed (a brief is
    untrusted: a link in it could name any file of the machine)."""
    files = series_files(path, project)
    for file in (Path(path), *files):
        _confined(file, project)
    brief = load_file(path)
    if not files:
        return brief, []
    data: dict = {}
    source: SourceMap | None = None
    for series_path in files:
        series = load_file(series_path)
        data = merge(data, series.data)
        series.source.under = source
        source = series.source
    brief.source.under = source
    return Loaded(merge(data, brief.data), brief.source), files
