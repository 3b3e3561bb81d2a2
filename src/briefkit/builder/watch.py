"""Watch: folders in, a rebuild of what changed on every save out (until Ctrl-C).

The rebuild itself is the ordinary incremental build, so a save rebuilds exactly the briefs
whose inputs changed; this module only waits for changes (watchfiles) and says what happened.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Sequence

from briefkit.core.paths import find_project_root

if TYPE_CHECKING:
    from briefkit.builder.batch import Summary

# Files that can be inputs of a brief; editors' temporary and swap files are not.
INPUT_SUFFIXES = {
    ".yaml",
    ".yml",
    ".bib",
    ".bibtex",
    ".json",
    ".csl",
    ".css",
    ".html",
    ".docx",
    ".dotx",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".svg",
    ".ttf",
    ".otf",
    ".woff",
    ".woff2",
}


def is_input(path: str) -> bool:
    name = Path(path).name
    return not name.startswith(".") and Path(name).suffix.lower() in INPUT_SUFFIXES


def watched_folders(paths: Sequence[Path]) -> list[Path]:
    folders = set()
    for path in paths:
        path = Path(path).resolve()
        folders.add(path if path.is_dir() else path.parent)
        templates = find_project_root(path if path.is_file() else path / "x") / "templates"
        if templates.is_dir():
            folders.add(templates)
    return sorted(folders)


def watch_and_build(
    paths: Sequence[Path], rebuild: Callable[[], Optional[Summary]], say: Callable[[str], None]
) -> None:
    """Rebuild on every change until Ctrl-C (or SIGTERM); `rebuild` returns the run's summary,
    or None when the run could not go ahead (it has said why)."""
    # watchfiles (and anyio) only for `briefkit watch`
    from watchfiles import watch

    folders = watched_folders(paths)
    announced = False
    try:
        # yield_on_timeout: an empty first yield proves the watcher is live, so "watching" is
        # only said when a save can no longer be missed.
        for changes in watch(
            *folders,
            debounce=300,
            step=100,
            rust_timeout=300,
            yield_on_timeout=True,
            watch_filter=lambda change, path: is_input(path),
        ):
            if not announced:
                say("watching " + ", ".join(str(f) for f in folders) + " (Ctrl-C to stop)")
                announced = True
            if not changes:
                continue
            names = sorted({Path(p).name for _, p in changes})
            started = time.perf_counter()
            summary = rebuild()
            if summary is None:  # the run could not go ahead; it said why
                say(
                    f"{time.strftime('%H:%M:%S')} {', '.join(names)} changed: nothing built "
                    "(see above); still watching"
                )
                continue
            built = len(summary.having("built"))
            failed = len(summary.having("failed"))
            say(
                f"{time.strftime('%H:%M:%S')} {', '.join(names)} changed: {built} rebuilt, "
                f"{failed} failed ({time.perf_counter() - started:.1f} s)"
            )
    except KeyboardInterrupt:
        say("stopped watching")
