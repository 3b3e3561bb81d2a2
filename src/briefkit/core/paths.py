"""The confinement gate: every file and URL any engine touches, resolved and confined.

A brief (and its images, bibliographies, styles and house templates) is untrusted: every file
briefkit or an engine reads must have its real path (symlinks resolved at every level) inside
the brief's folder, the project root or briefkit's own installed data. `Roots.real` is that
check; `read_bytes`, `read_text` and `data_uri` read through it, `fetchable` judges the URLs an
engine asks for (WeasyPrint's fetcher): `data:` always, `file:` without a host and inside the
roots, `http(s):` only with --allow-network. `safe_link` is the rule for links written into an
output (never fetched): only http(s), mailto and in-page links survive.
"""

from __future__ import annotations

import base64
import difflib
import mimetypes
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import unquote, urlparse

from briefkit.core.cleanup import remove_folder_on_exit

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class PathRefused(ValueError):
    """The path cannot be used; the message says why and what to do."""


MAX_DOWNLOAD = 20 * 1024 * 1024


class NotRegular(PathRefused):
    """The path names a pipe, a device, a socket or a folder: reading it could wait forever
    (a FIFO) or never end (/dev/zero)."""


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def not_regular(path) -> Optional[str]:
    """What `path` is when it exists and is not a regular file ("a named pipe (FIFO)" …),
    symlinks followed; None for a regular file or nothing at all."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return None if stat.S_ISREG(mode) else _kind_of(mode)


def refuse_not_regular(path) -> None:
    """`NotRegular` naming what `path` is, unless it is a regular file (or absent)."""
    kind = not_regular(path)
    if kind is not None:
        raise NotRegular(
            f"'{path}' is {kind}, not a regular file; briefkit reads and writes only regular files"
        )


def read_regular(path, limit: Optional[int] = None) -> bytes:
    """The bytes of the regular file at `path` (symlinks followed); `NotRegular` for anything
    else, found without blocking: the file is opened non-blocking and checked before a byte
    is read. With `limit`, at most `limit + 1` bytes are read (the caller judges the size)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(
                f"'{path}' is {_kind_of(mode)}, not a regular file; briefkit "
                "reads only regular files"
            )
        with os.fdopen(fd, "rb", closefd=False) as stream:
            return stream.read() if limit is None else stream.read(limit + 1)
    finally:
        os.close(fd)


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
    # The private folder of what --allow-network fetched for this brief. Kept here, not only
    # in this process's memory: the document (and these roots) cross to the PDF process.
    downloads: list = field(default_factory=list, compare=False, repr=False)

    def allowed(self) -> tuple[Path, ...]:
        roots = (self.brief_dir.resolve(), self.project.resolve(), self.builtin.resolve())
        if self.allow_network:
            roots += tuple(folder.resolve() for folder in self.downloads)
        return roots

    def contains(self, path: Path) -> bool:
        return _inside(Path(path).resolve(), self.allowed())

    def real(self, path: Path) -> Path:
        """The real path of `path` when it lies inside the allowed roots; else `PathRefused`."""
        return confine(path, self.allowed())

    def read_bytes(self, path: Path) -> bytes:
        return read_regular(self.real(path))

    def read_text(self, path: Path) -> str:
        return read_regular(self.real(path)).decode("utf-8")

    def data_uri(self, path: Path) -> str:
        """A confined file as a `data:` URI (how HTML and PDF outputs carry images)."""
        real = self.real(path)
        kind = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
        return f"data:{kind};base64," + base64.b64encode(read_regular(real)).decode("ascii")

    def fetchable(self, url: str) -> str:
        """`url` when an engine may fetch it; else `PathRefused` saying why."""
        parsed = urlparse(url)
        scheme = parsed.scheme.lower()
        if scheme == "data":
            return url
        if scheme == "file":
            if parsed.netloc:
                raise PathRefused(
                    f"'{_short(url)}' names a host ({parsed.netloc}); briefkit "
                    "reads no file: URL with a host"
                )
            self.real(Path(unquote(parsed.path)))
            return url
        if scheme in ("http", "https") and self.allow_network:
            return url
        if scheme in ("http", "https"):
            raise PathRefused(
                f"'{_short(url)}' is on the network; briefkit does not fetch from "
                "the network (build with --allow-network to allow it)"
            )
        raise PathRefused(f"'{_short(url)}' uses a scheme briefkit never reads")

    def resolve(self, text: str, *, must_exist: bool = True, kind: str = "file") -> Path:
        """`text` as a confined, existing path: relative to the brief's folder, then to the
        project's `assets/` and the project root."""
        text = str(text).strip()
        if not text:
            raise PathRefused("the path is empty; write the path of a file inside the project")
        if _SCHEME.match(text) and not re.match(r"^[A-Za-z]:[\\/]", text):
            if self.allow_network and re.match(r"^https?://", text, re.I) and kind == "file":
                fetched = download(text)
                if _download_dir[0] not in self.downloads:
                    self.downloads.append(_download_dir[0])
                return fetched
            raise PathRefused(
                f"'{text}' is a URL; briefkit reads only files inside the project "
                "(download it into assets/ and name that path, or build with "
                "--allow-network)"
            )
        candidates = [
            self.brief_dir / text,
            self.brief_dir / "assets" / text,
            self.project / "assets" / text,
            self.project / text,
        ]
        if Path(text).is_absolute():
            candidates = [Path(text)]
        self.probed.extend(c.absolute() for c in candidates)
        for candidate in candidates:
            if candidate.exists() or candidate.is_symlink():
                if not self.contains(candidate):
                    raise PathRefused(
                        f"'{text}' resolves to {candidate.resolve()}, outside the project; "
                        "briefkit reads only files inside the brief's folder or the project"
                    )
                if must_exist and not candidate.resolve().exists():
                    raise PathRefused(f"'{text}' is a broken link")
                if kind == "folder" and not candidate.is_dir():
                    raise PathRefused(f"'{text}' is a file; a folder is expected")
                if kind == "file" and candidate.is_dir():
                    raise PathRefused(f"'{text}' is a folder; a file is expected")
                if kind == "file" and not_regular(candidate):
                    raise NotRegular(
                        f"'{text}' is {not_regular(candidate)}, not a regular file; name a file"
                    )
                return candidate.resolve()
        if not must_exist:
            return (self.brief_dir / text).resolve()
        near = self._near(text, candidates, kind)
        raise PathRefused(
            f"no {kind} '{text}' in {self.brief_dir} or the project's assets/"
            + (f"; did you mean '{near}'?" if near else "")
        )

    def _near(self, text: str, candidates: list[Path], kind: str) -> Optional[str]:
        """The closest existing name to a missing path, written as the brief would write it:
        a name in the folder it names (`chart.pgn` → `chart.png`) or in that folder's closest
        sibling (`image/a.png` → `images/a.png`)."""
        for candidate in candidates:
            for folder in self._folders_like(candidate.parent):
                names = [
                    p.name
                    for p in folder.iterdir()
                    if (p.is_dir() if kind == "folder" else p.is_file())
                ]
                close = difflib.get_close_matches(candidate.name, names, n=1, cutoff=0.7)
                if close:
                    written = (
                        Path(text).parent
                        if folder == candidate.parent
                        else Path(text).parent.parent / folder.name
                    )
                    return (written / close[0]).as_posix()
        return None

    def _folders_like(self, folder: Path) -> list[Path]:
        """`folder` when it exists, else its closest existing sibling (inside the project)."""
        if folder.is_dir():
            return [folder] if self.contains(folder) else []
        parent = folder.parent
        if not parent.is_dir() or not self.contains(parent):
            return []
        close = difflib.get_close_matches(
            folder.name, [p.name for p in parent.iterdir() if p.is_dir()], n=1, cutoff=0.7
        )
        return [parent / close[0]] if close else []


def confine(path: Path, roots) -> Path:
    """The real path of `path` (symlinks resolved at every level), refused unless it lies
    inside one of `roots` (themselves real paths)."""
    try:
        real = Path(path).resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise PathRefused(f"'{path}' cannot be resolved ({exc})") from None
    if not _inside(real, roots):
        shown = f"{path}' (a link to {real})" if real != Path(path).absolute() else f"{path}'"
        raise PathRefused(
            f"'{shown} is outside the project; briefkit reads only files inside "
            "the brief's folder, the project or briefkit's own templates"
        )
    return real


def _inside(real: Path, roots) -> bool:
    return any(real == root or root in real.parents for root in roots)


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:100] + "…"


# Links written into an output (never fetched): the web, mail and places in the document.
_LINK = re.compile(r"^(https?://[^/\\\s]|mailto:[^\s]|#)", re.I)


def safe_link(url) -> Optional[str]:
    """`url` as written into an output, or None when it is not an http(s), mailto or in-page
    link (`javascript:`, `file:`, `//host/x`, relative paths: the text stays, the link goes)."""
    text = str(url or "").strip()
    return text if _LINK.match(text) else None


def css_references(text: str):
    """(line, column, target, what) of everything a stylesheet would make an engine or a
    browser fetch: `@import` rules and `url()` values, however they are written (quoted,
    escaped: read with tinycss2, the tokenizer WeasyPrint uses)."""
    # tinycss2 only when a stylesheet's references are checked
    import tinycss2

    def walk(tokens):
        for token in tokens or ():
            if token.type == "url":
                yield token.source_line, token.source_column, token.value, "url()"
            elif token.type == "function":
                if token.lower_name == "url":
                    value = next((t.value for t in token.arguments if t.type == "string"), "")
                    yield token.source_line, token.source_column, value, "url()"
                yield from walk(token.arguments)
            elif token.type in ("() block", "[] block", "{} block"):
                yield from walk(token.content)

    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            targets = list(walk(rule.prelude)) or [
                (
                    rule.source_line,
                    rule.source_column,
                    next((t.value for t in rule.prelude if t.type == "string"), ""),
                    "@import",
                )
            ]
            for line, column, target, _ in targets:
                yield line, column, target, "@import"
            continue
        yield from walk(getattr(rule, "prelude", None))
        yield from walk(getattr(rule, "content", None))


def css_reference_refused(target: str, what: str, allow_network: bool) -> Optional[str]:
    """Why a stylesheet may not refer to `target` (None when it may): `@import` never (the
    page carries its stylesheets), `url()` only to `data:`, an in-page `#id`, a relative path
    (read through the gate by the engine) or, with --allow-network, http(s)."""
    target = target.strip()
    if what == "@import":
        return (
            f"@import of '{_short(target)}': briefkit puts every stylesheet in the page "
            "itself; copy its rules into this file"
        )
    scheme = _SCHEME.match(target)
    if not target or target.startswith("#") or target.lower().startswith("data:"):
        return None
    if scheme is None and not target.startswith(("/", "\\")):
        return None
    if allow_network and re.match(r"^https?://", target, re.I):
        return None
    return (
        f"url('{_short(target)}') reaches outside the page; briefkit reads only files "
        "inside the project and fetches nothing without --allow-network: embed it as a "
        "data: URI or name a file beside the stylesheet"
    )


def unfollowed(path: Path) -> Path:
    """`path` absolute, its folders' links resolved and its own link (if it is one) not
    followed: a brief linked to a file elsewhere stands where the link is, and is confined
    there (its real path must then be inside the project)."""
    path = Path(path).absolute()
    return path.parent.resolve() / path.name


PROJECT_MARKERS = ("briefs", "templates", ".git", "pyproject.toml")


def find_project_root(path: Optional[Path] = None) -> Path:
    """The project a path belongs to, found the same way by every command: from `path` (a
    brief, or a folder) or else the current folder, upward, the nearest folder that holds
    `briefs/`, `templates/` (its own layouts), `.git` or `pyproject.toml`; a folder named
    `briefs` belongs to its parent. Without any, the starting folder itself."""
    given = Path.cwd() if path is None else Path(path)
    # A file's own link is not followed: a brief linked to a file elsewhere belongs to the
    # project it stands in (and is refused there, being outside it).
    start = given.resolve() if given.is_dir() else unfollowed(given).parent
    for folder in (start, *start.parents):
        if folder.name == "briefs":
            return folder.parent
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return start


_downloads: dict[str, Path] = {}
_download_dir: list[Path] = []  # one private folder per process


def download(url: str) -> Path:
    """Fetch `url` once per process into a private temporary file (only with --allow-network)."""
    # urllib.request (http, ssl, email) only for --allow-network
    import urllib.request

    if url in _downloads:
        return _downloads[url]
    if not _download_dir:
        _download_dir.append(Path(tempfile.mkdtemp(prefix="briefkit-download-")))
        remove_folder_on_exit(_download_dir[0])
    folder = Path(tempfile.mkdtemp(dir=_download_dir[0]))
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
