"""What must not outlive a command: engines it started and temporary folders it made, undone
however the command ends.

`briefkit` leaves with `os._exit` (freeing WeasyPrint's heap at exit helps nobody), which runs
no `atexit` handler and no finaliser: whatever would be cleaned up by those registers here
instead, and the command line runs `run_all()` just before it leaves, on every path (done,
error, Ctrl-C, SIGTERM). A forked process starts with an empty register: its parent's engines
and folders are its parent's to clean up.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import threading
from pathlib import Path
from typing import Callable

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
