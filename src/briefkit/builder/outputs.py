"""Outputs: where a build's files go and how they replace the old ones.

In: the briefs of a run (their output folders and names), rendered bytes. Out: files on disk.
- `check_names` refuses, before anything is built, two briefs writing the same file, a brief
  whose name is the series index's or the combined PDF's, naming both sides.
- `OutputLock` keeps two builds out of one output folder (an flock on `.briefkit-lock`); the
  second waits and says so. It also proves the folder writable before any work starts.
- `stage` writes one format beside its target under a hidden temporary name
  (`.NAME.~briefkit-XXXXXXXX.part`, a pattern no file of a user's matches, so `remove_debris`
  never touches one); `commit` renames a brief's staged formats over their targets together,
  with SIGINT/SIGTERM held back meanwhile, and puts the old files back if a rename fails: a
  reader sees the old set or the new one.
- `choose_target` keeps files an editor changed or briefkit did not write (`stamp.is_own`, the
  file's own fingerprint: never the cache's word): the new build goes to `name.new.ext`, or
  `name.new-2.ext`, … when `name.new.ext` was edited too. Nothing an editor touched is ever
  replaced without --force. A pipe, a device, a folder or a symbolic link where an output
  goes is refused, --force or not.
Every OS failure becomes `OutputError`, one line that names the file and what to do.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import signal
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional

from briefkit.core.paths import not_regular
from briefkit.core.write import (
    PART_SUFFIX,
    TEMPORARY_MARK,
    is_temporary,
    temporary_prefix,
    write_part,
)
from briefkit.load.source import display_path
from briefkit.render.stamp import is_own

LOCK_NAME = ".briefkit-lock"
# An output name leaves room for ".new-99.docx" and the hidden staging name in 255 bytes.
MAX_NAME_BYTES = 200


class OutputError(Exception):
    """A file could not be written; the message is one line saying which and what to do.
    `usage` when the output folder given cannot be one (`-o file/sub`)."""

    def __init__(self, message: str, usage: bool = False):
        super().__init__(message)
        self.usage = usage


class NamesRefused(Exception):
    """Outputs that would overwrite each other; `messages` lists each, located."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


def describe(exc: OSError, path: Path) -> str:
    """An OS error as one line for the user."""
    where = display_path(path)
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return f"cannot write {where}: the disk is full; free some space and build again"
    if exc.errno == errno.EROFS:
        return f"cannot write {where}: the file system is read-only; choose another folder with -o"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"cannot write {where}: permission denied; choose a folder you may write to with -o"
    if exc.errno == errno.ENAMETOOLONG:
        return f"cannot write {where}: the file name is too long; choose a shorter output.name"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return f"cannot write {where}: a file stands where a folder is needed; choose another -o"
    return f"cannot write {where}: {exc.strerror or exc}"


# ---- names ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A brief's outputs `folder/name.*`, and the brief's key (for `locate`); `earlier`: what
    an earlier run wrote for a brief that is not in this run (named, never refused itself)."""

    folder: Path
    name: str
    key: str
    earlier: bool = False


def earlier_claims(records: dict, jobs) -> tuple[list[Claim], dict[str, str]]:
    """The claims of briefs an earlier run built into this output folder (the cache's records)
    that this run does not build and that still exist, so that a run never replaces another
    brief's outputs of the same name; and how to name each ("one/a.yaml, built into out/ by an
    earlier run"). A record of a brief since deleted claims nothing: its name is free."""
    in_run = {Path(job.brief).resolve() for job in jobs}
    keys = {job.key for job in jobs}
    claims, described = [], {}
    for key, record in records.items():
        brief = record.meta.get("brief")
        if (
            key in keys
            or not isinstance(brief, str)
            or not Path(brief).is_file()
            or Path(brief).resolve() in in_run
        ):
            continue
        folders = {Path(out["path"]).parent for out in record.outputs.values() if out.get("path")}
        for folder in folders:
            claims.append(Claim(folder, record.meta["name"], f"earlier:{key}", earlier=True))
            described[f"earlier:{key}"] = (
                f"{display_path(Path(brief))} (built into {display_path(folder)} by an earlier run)"
            )
    return claims, described


def check_names(
    claims: Iterable[Claim], reserved: dict[Path, str], locate: Callable[[str], str]
) -> None:
    """Raise `NamesRefused` when two claims share a folder and name (file systems that ignore
    case count), or a claim's files would replace a reserved file (`OUT/index.html` -> "the
    series index"). `locate(key)` says where a brief's name is written ("a.yaml:4:9")."""
    by_stem: dict[tuple[Path, str], list[Claim]] = {}
    for claim in claims:
        by_stem.setdefault((claim.folder.resolve(), claim.name.lower()), []).append(claim)
    reserved_stems = {
        (path.parent.resolve(), path.stem.lower()): (path, what) for path, what in reserved.items()
    }
    messages = []
    for stem, same in by_stem.items():
        shown = display_path(same[0].folder / f"{same[0].name}.*")
        for claim in same:
            if claim.earlier:
                continue
            others = [locate(c.key) for c in same if c is not claim]
            if others:
                messages.append(
                    f"{locate(claim.key)}: error: output.name: '{claim.name}' is "
                    f"also the name of {', '.join(others)}; both would write "
                    f"{shown}; give one of them another output.name"
                )
            if stem in reserved_stems:
                path, what = reserved_stems[stem]
                messages.append(
                    f"{locate(claim.key)}: error: output.name: '{claim.name}' would "
                    f"replace {what} ({display_path(path)}); choose another "
                    "output.name"
                )
    if messages:
        raise NamesRefused(sorted(messages))


# ---- the lock ---------------------------------------------------------------------------------


class OutputLock:
    """An exclusive lock on an output folder for the length of a build. A folder it had to
    create is removed again if the build wrote nothing into it."""

    def __init__(self, out_dir: Path, on_wait: Callable[[str], None] = lambda message: None):
        self.out_dir = Path(out_dir)
        self.on_wait = on_wait
        self._fd: Optional[int] = None
        self._created: list[Path] = []

    def __enter__(self) -> "OutputLock":
        path = self.out_dir / LOCK_NAME
        try:
            if self.out_dir.exists() and not self.out_dir.is_dir():
                raise OSError(errno.ENOTDIR, "not a folder")
            missing = [f for f in (self.out_dir, *self.out_dir.parents) if not f.exists()]
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self._created = missing
            waited = False
            while True:
                self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if not waited:
                        self.on_wait(
                            f"waiting: another build is writing to "
                            f"{display_path(self.out_dir)}; this one starts when it "
                            "ends (Ctrl-C to give up)"
                        )
                        waited = True
                    fcntl.flock(self._fd, fcntl.LOCK_EX)
                # The build before may have removed the lock file (and its empty folder)
                # while this one waited: then the lock is on a file nobody else will see.
                with contextlib.suppress(FileNotFoundError):
                    if os.stat(path).st_ino == os.fstat(self._fd).st_ino:
                        break
                os.close(self._fd)
                self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                describe(exc, self.out_dir), usage=exc.errno in (errno.ENOTDIR, errno.EEXIST)
            ) from None
        remove_debris(self.out_dir)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            if self._created and [p.name for p in self.out_dir.iterdir()] == [LOCK_NAME]:
                (self.out_dir / LOCK_NAME).unlink()
                for folder in self._created:  # deepest first
                    folder.rmdir()
        os.close(self._fd)  # closing releases the lock
        self._fd = None


def remove_debris(out_dir: Path) -> None:
    """Staged files a killed build left behind (only ever called holding the lock): only
    briefkit's temporary names, never a user's own hidden `.x.part`."""
    for path in Path(out_dir).rglob(f".*{TEMPORARY_MARK}*{PART_SUFFIX}"):
        if is_temporary(path.name) and path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError):
                path.unlink()


# ---- staging and committing -------------------------------------------------------------------


def stage(target: Path, payload: bytes) -> Path:
    """Write `payload` to a hidden file beside `target`, flushed to disk; its path. Raises
    `OutputError` (one line) when it cannot be written, leaving nothing behind."""
    try:
        return write_part(target, payload)
    except OSError as exc:  # -o under a file is a usage mistake
        raise OutputError(
            describe(exc, target), usage=exc.errno in (errno.ENOTDIR, errno.EEXIST)
        ) from None


@contextlib.contextmanager
def signals_held():
    """SIGINT and SIGTERM wait until the block ends, then act as they would have.

    (Python handlers, not the signal mask: with a process pool's threads running, the kernel
    gives a blocked signal to another thread and Python still runs the handler at once.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {
        number: signal.signal(number, lambda signum, frame: caught.append(signum))
        for number in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:
            handler = previous[caught[0]]
            if callable(handler):
                handler(caught[0], None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), caught[0])


def commit(staged: list[tuple[Path, Path]]) -> None:
    """Rename every (staged file, target) pair, all or none: on a failure the targets already
    replaced get their old files back. Call inside `signals_held()`."""
    done: list[tuple[Path, Optional[Path]]] = []  # (target, backup of its old file)
    backup: Optional[Path] = None
    try:
        for temporary, target in staged:
            backup = None
            if target.exists():
                backup = target.with_name(
                    f"{temporary_prefix(target)}old{os.getpid()}{PART_SUFFIX}"
                )
                backup.unlink(missing_ok=True)
                try:
                    os.link(target, backup)
                except OSError:  # a file system without hard links
                    shutil.copy2(target, backup)
            os.replace(temporary, target)
            done.append((target, backup))
            backup = None
    except OSError as exc:
        if backup is not None:
            backup.unlink(missing_ok=True)
        for target, old in reversed(done):
            with contextlib.suppress(OSError):
                if old is not None:
                    os.replace(old, target)
                else:
                    target.unlink()
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        failed = staged[len(done)][1] if len(done) < len(staged) else staged[-1][1]
        raise OutputError(describe(exc, failed)) from None
    for _, old in done:
        if old is not None:
            old.unlink(missing_ok=True)


def refuse_special(target: Path) -> None:
    """`OutputError` when something other than a regular file stands where an output goes: a
    pipe or a device (opening it to judge it could wait forever), a folder, a symbolic link
    (replacing it would break the link; following it would write elsewhere)."""
    target = Path(target)
    if target.is_symlink():
        raise OutputError(
            f"cannot write {display_path(target)}: it is a symbolic link; "
            "briefkit replaces only regular files; remove the link or choose "
            "another output folder",
            usage=True,
        )
    kind = not_regular(target)
    if kind is not None:
        raise OutputError(
            f"cannot write {display_path(target)}: it is {kind}, not a regular "
            "file; remove it or choose another output folder",
            usage=True,
        )


def choose_target(primary: Path, force: bool) -> tuple[Path, list[Path]]:
    """(where the new file goes, the files kept because an editor changed them or briefkit
    did not write them). Judged by each file's own fingerprint (`stamp.is_own`) alone: a
    cache can be forged or another project's, so it vouches for nothing."""

    def replaceable(path: Path) -> bool:
        refuse_special(path)
        return not path.exists() or is_own(path)

    refuse_special(primary)
    if force or replaceable(primary):
        return primary, []
    kept = [primary]
    stem, suffix = primary.name[: -len(primary.suffix)], primary.suffix
    for n in range(1, 1000):
        beside = primary.with_name(f"{stem}.new{'' if n == 1 else f'-{n}'}{suffix}")
        if replaceable(beside):
            return beside, kept
        kept.append(beside)
    raise OutputError(
        f"cannot write {primary}: 999 edited copies stand beside it; "
        "move them away or build with --force"
    )


def replace_file(target: Path, payload: bytes, force: bool = False) -> Path:
    """Write one stamped file briefkit owns (the series index, the combined PDF) at `target`,
    or beside it when an editor changed the file there; the path written."""
    chosen = choose_target(Path(target), force)[0]
    put(chosen, payload)
    return chosen


def put(target: Path, payload: bytes) -> None:
    """Write one file at `target` all at once: staged beside it, then moved in place with
    signals held; the staged part never stays behind."""
    part = stage(target, payload)
    try:
        with signals_held():
            commit([(part, target)])
    finally:
        part.unlink(missing_ok=True)
