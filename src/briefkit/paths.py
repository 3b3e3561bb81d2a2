"""Paths a brief names, resolved and confined.

A brief is untrusted: every file it makes briefkit read must resolve (symlinks followed) inside
the brief's folder, the project root or briefkit's own installed data. URLs are refused here;
only links in the text (which are written out, never fetched) may be remote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class PathRefused(ValueError):
    """The path cannot be used; the message says why and what to do."""


MAX_DOWNLOAD = 20 * 1024 * 1024


@dataclass(frozen=True)
class Roots:
    """The folders a brief may read from, and whether it may fetch http(s) URLs at all."""

    brief_dir: Path
    project: Path
    builtin: Path
    allow_network: bool = False
    # Every path `resolve` looked at, found or not: the build cache keys on them, so a file
    # that appears where it would now be found (and shadow another) triggers a rebuild.
    probed: list = field(default_factory=list, compare=False, repr=False)

    def allowed(self) -> tuple[Path, ...]:
        return (self.brief_dir.resolve(), self.project.resolve(), self.builtin.resolve())

    def contains(self, path: Path) -> bool:
        real = Path(path).resolve()
        return any(real == root or root in real.parents for root in self.allowed())

    def resolve(self, text: str, *, must_exist: bool = True, kind: str = "file") -> Path:
        """`text` as a confined, existing path: relative to the brief's folder, then to the
        project's `assets/` and the project root."""
        text = str(text).strip()
        if not text:
            raise PathRefused("the path is empty; write the path of a file inside the project")
        if _SCHEME.match(text) and not re.match(r"^[A-Za-z]:[\\/]", text):
            if self.allow_network and re.match(r"^https?://", text, re.I) and kind == "file":
                return download(text)
            raise PathRefused(f"'{text}' is a URL; briefkit reads only files inside the project "
                              "(download it into assets/ and name that path, or build with "
                              "--allow-network)")
        candidates = [self.brief_dir / text, self.brief_dir / "assets" / text,
                      self.project / "assets" / text, self.project / text]
        if Path(text).is_absolute():
            candidates = [Path(text)]
        self.probed.extend(c.absolute() for c in candidates)
        for candidate in candidates:
            if candidate.exists() or candidate.is_symlink():
                if not self.contains(candidate):
                    raise PathRefused(
                        f"'{text}' resolves to {candidate.resolve()}, outside the project; "
                        "briefkit reads only files inside the brief's folder or the project")
                if must_exist and not candidate.resolve().exists():
                    raise PathRefused(f"'{text}' is a broken link")
                if kind == "folder" and not candidate.is_dir():
                    raise PathRefused(f"'{text}' is a file; a folder is expected")
                if kind == "file" and not candidate.is_file():
                    raise PathRefused(f"'{text}' is a folder; a file is expected")
                return candidate.resolve()
        if not must_exist:
            return (self.brief_dir / text).resolve()
        raise PathRefused(f"no {kind} '{text}' in {self.brief_dir} or the project's assets/")


PROJECT_MARKERS = ("briefs", "templates", ".git", "pyproject.toml")


def find_project_root(path: Optional[Path] = None) -> Path:
    """The project a path belongs to, found the same way by every command: from `path` (a
    brief, or a folder) or else the current folder, upward, the nearest folder that holds
    `briefs/`, `templates/` (its own layouts), `.git` or `pyproject.toml`; a folder named
    `briefs` belongs to its parent. Without any, the starting folder itself."""
    given = Path.cwd() if path is None else Path(path)
    start = given.resolve() if given.is_dir() else given.resolve().parent
    for folder in (start, *start.parents):
        if folder.name == "briefs":
            return folder.parent
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return start


_downloads: dict[str, Path] = {}


def download(url: str) -> Path:
    """Fetch `url` once per process into a private temporary file (only with --allow-network)."""
    import atexit
    import shutil
    import tempfile
    import urllib.request

    if url in _downloads:
        return _downloads[url]
    folder = Path(tempfile.mkdtemp(prefix="briefkit-download-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", url.rsplit("/", 1)[-1])[:80] or "download"
    target = folder / name
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (http(s) only)
            data = response.read(MAX_DOWNLOAD + 1)
    except OSError as exc:
        raise PathRefused(f"'{url}' could not be downloaded: {exc}") from None
    if len(data) > MAX_DOWNLOAD:
        raise PathRefused(f"'{url}' is larger than {MAX_DOWNLOAD // 1048576} MiB")
    target.write_bytes(data)
    _downloads[url] = target
    return target
