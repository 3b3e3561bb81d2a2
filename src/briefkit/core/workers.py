"""Worker processes that stop when their build stops.

In: a build's parent process and its pool of workers. Out: SIGTERM handled like Ctrl-C in the
parent (so its `finally` blocks save the cache), workers that ignore Ctrl-C (the parent stops
them), remove what they staged and exit at once on SIGTERM, and that are sent SIGTERM by the
kernel when their parent dies, however it dies (Linux `PR_SET_PDEATHSIG`). No worker is left
blocked holding the caller's stdout or stderr.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
from pathlib import Path

from briefkit.core import cleanup

PR_SET_PDEATHSIG = 1
# What the current worker has staged and not yet handed back: removed if it is stopped.
staged_now: set[Path] = set()


class Interrupted(KeyboardInterrupt):
    """The build was stopped by a signal; `signum` says which (SIGINT or SIGTERM)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def raise_interrupted(signum, frame):
    """A signal handler: the signal stops the main thread's work as Ctrl-C does."""
    raise Interrupted(signum)


@contextlib.contextmanager
def interruptible():
    """In the main thread: SIGTERM raises `Interrupted`, as Ctrl-C raises KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, raise_interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def die_with_parent() -> None:
    """Ask the kernel to send SIGTERM to this process when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() == 1:  # the parent died before the request was made
            os._exit(1)


def _stop_now(signum, frame) -> None:
    for path in list(staged_now):
        with contextlib.suppress(OSError):
            path.unlink()
    cleanup.run_all()  # its Pandoc, its downloads: os._exit runs no finaliser
    os._exit(128 + signum)


def become_worker() -> None:
    """Signal handling of a build worker (called first in each worker process), and its
    clean-up when the pool ends it (multiprocessing leaves a worker with os._exit too)."""
    # multiprocessing only in a worker (every command imports this module)
    from multiprocessing import util

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_now)
    util.Finalize(None, cleanup.run_all, exitpriority=50)
    die_with_parent()


def become_helper() -> None:
    """A short-lived forked helper (one brief's DOCX/HTML render): dies with its parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent()


def stop_pool(pool) -> None:
    """Stop every worker of a ProcessPoolExecutor now: SIGTERM, then SIGKILL after 3 s."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(3)
            if process.is_alive():
                process.kill()
                process.join(1)
    with contextlib.suppress(Exception):
        pool.shutdown(wait=False, cancel_futures=True)
