"""What must not outlive a command: engines it started and temporary folders it made, undone
however the command ends.

`briefkit` leaves with `os._exit` (freeing WeasyPrint's heap at exit helps nobody), which runs
no `atexit` handler and no finaliser: whatever would be cleaned up by those registers here
instead, and the command line runs `run_all()` just before it leaves, on every path (done,
error, Ctrl-C, SIGTERM). A forked process starts with an empty register: its parent's engines
and folders are its parent's to clean up.

"At any moment" includes the moment between making such a thing and registering it: temporary
folders and files are made here (`scratch_folder`, `scratch_file`) with Ctrl-C and SIGTERM
held back until they are registered (`signals_deferred`, which engines use around their start).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Callable, Iterator

_actions: dict[int, Callable[[], None]] = {}
_numbers = itertools.count()
_lock = threading.Lock()


def on_exit(action: Callable[[], None]) -> int:
    """Run `action` when the command ends, unless `done(token)` comes first; its token."""
    with _lock:
        token = next(_numbers)
        _actions[token] = action
    return token


def done(token: int) -> None:
    """The action of `token` is no longer needed (its owner cleaned up itself)."""
    with _lock:
        _actions.pop(token, None)


def remove_folder_on_exit(folder: Path) -> int:
    return on_exit(lambda: shutil.rmtree(folder, ignore_errors=True))


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait for the end of the block, then come as they would have.

    For the few lines between making something that must not outlive the command (a
    temporary folder, an engine's process) and registering its clean-up: an interrupt in
    between would leave it behind. Python runs signal handlers in the main thread only, so
    elsewhere there is nothing to defer."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    numbers = (signal.SIGINT, signal.SIGTERM)
    previous = {n: signal.signal(n, lambda number, frame: caught.append(number)) for n in numbers}
    try:
        yield
    finally:
        for deferred, handler in previous.items():
            signal.signal(deferred, handler)
        for number in dict.fromkeys(caught):  # each once, in the order they came
            signal.raise_signal(number)


# Interrupts Python swallowed: raised inside a callback whose exceptions it ignores (a weakref
# callback while a module loads, a __del__), which it prints as "Exception ignored" and drops.
# Their signal numbers, in the order they came; the command line acts on them (cli/main.py).
lost_interrupts: list[int] = []


def keep_lost_interrupts() -> None:
    """From now on, an interrupt Python would drop is kept in `lost_interrupts` instead (and
    not printed); every other unraisable exception is reported as before."""
    previous = sys.unraisablehook

    def hook(unraisable) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            lost_interrupts.append(getattr(unraisable.exc_value, "signum", signal.SIGINT))
            return
        previous(unraisable)

    sys.unraisablehook = hook


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder for the block, removed when it ends, or when the command ends if an
    interrupt cut the removal short; never left behind by an interrupt at any moment."""
    with signals_deferred():
        folder = Path(tempfile.mkdtemp(prefix=prefix))
        token = remove_folder_on_exit(folder)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        done(token)


@contextlib.contextmanager
def scratch_file(folder: Path, prefix: str, suffix: str) -> Iterator[Path]:
    """A new empty file in `folder` for the block, removed as `scratch_folder` is."""
    with signals_deferred():
        handle, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
        token = on_exit(lambda: Path(name).unlink(missing_ok=True))
    os.close(handle)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)
        done(token)


@contextlib.contextmanager
def temporary_files_within(prefix: str) -> Iterator[Path]:
    """For the block, every temporary file of this process and of the processes it starts
    (its workers, Pandoc, LibreOffice, and the libraries they load, which name their own
    temporary files: ctypes' library search, run as WeasyPrint loads, leaves `tmpXXXXXXXX` when
    a stopped worker exits at once) goes into one folder of briefkit's, removed when the block
    ends or the command does. What a stopped process could not remove goes with it."""
    with scratch_folder(prefix) as folder:
        previous = (tempfile.tempdir, os.environ.get("TMPDIR"))
        tempfile.tempdir, os.environ["TMPDIR"] = str(folder), str(folder)
        try:
            yield folder
        finally:
            tempfile.tempdir = previous[0]
            if previous[1] is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = previous[1]


def run_all() -> None:
    """Run every pending action, newest first; one that fails does not stop the others."""
    with _lock:
        actions = list(reversed(_actions.values()))
        _actions.clear()
    for action in actions:
        with contextlib.suppress(Exception):
            action()


def _forget_in_child() -> None:
    global _lock
    _actions.clear()
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_in_child)
