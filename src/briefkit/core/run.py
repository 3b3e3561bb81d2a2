"""Running an engine (Pandoc, git): a command in, its exit code and output out, within a time
budget, and never left running.

However the run ends (the engine done, its time budget spent, Ctrl-C, SIGTERM turned into an
exception by the command line, a bug), the engine is killed if it still runs and reaped before
the exception goes on: no engine outlives its command, not even as a zombie.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path
from typing import Optional, Sequence

from briefkit.core.cleanup import signals_deferred

ENGINE_SECONDS = 120.0  # Pandoc reads a long report in about a second


class EngineBudget(Exception):
    """The engine ran past its time budget; the message says which and what to do."""


def run_engine(
    command: Sequence[str],
    *,
    what: str,
    cwd: Optional[Path] = None,
    data: Optional[bytes] = None,
    seconds: float = ENGINE_SECONDS,
    env: Optional[dict] = None,
    group: bool = False,
) -> subprocess.CompletedProcess:
    """Run `command` (fed `data` on stdin), capturing its output; `EngineBudget` after
    `seconds`. Ctrl-C and other exceptions kill and reap the engine, then go on; with `group`,
    in a process group of its own, killed whole (LibreOffice starts a process of its own)."""
    process: Optional[subprocess.Popen] = None
    try:
        # An interrupt during Popen comes once it returns, here, where the engine is owned.
        with signals_deferred():
            process = subprocess.Popen(
                list(command),
                cwd=cwd,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
                start_new_session=group,
            )
        out, err = process.communicate(data, timeout=seconds)
    except subprocess.TimeoutExpired:  # from communicate: the engine runs
        if process is not None:
            stop(process)
        raise EngineBudget(
            f"{what} ran longer than {seconds:.0f} s, briefkit's time budget for one run"
        ) from None
    except BaseException:
        if process is not None:
            stop(process)
        raise
    return subprocess.CompletedProcess(list(command), process.returncode, out, err)


def stop(process: subprocess.Popen) -> None:
    """Kill `process` (and its process group, when it leads one) if it still runs, and reap
    it (closing its pipes)."""
    with contextlib.suppress(OSError):
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.kill()
    try:
        process.communicate(timeout=5)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        process.wait()
