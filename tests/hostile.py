"""Helpers of the hostile-input probes (tests/test_gate_*.py, test_budgets.py,
test_interrupts.py): a project with a secret beside it, the CLI run in-process or in a child
process with a time and memory limit, FIFOs, and Word packages edited part by part."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefkit.cli import cli

BRIEF = "title: T\ndate: 2024-01-02\n"
SECRET = "TOP-SECRET-CONTENT"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def brief_text(title: str = "T", body: str = "Some words.", extra: str = "") -> str:
    return (f"title: {title}\ndate: 2024-01-02\n{extra}sections:\n  - title: S\n"
            f"    body: \"{body}\"\n")


@pytest.fixture
def project(tmp_path):
    """A project (with .git, so its root is known) holding briefs/, and a secret beside it."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "briefs").mkdir()
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    return root


def cli_run(*args: str, cwd: Path | None = None):
    """The CLI in this process (CliRunner); asserts no traceback and no "internal error"."""
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, [str(a) for a in args])
    finally:
        os.chdir(previous)
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in text and "internal error" not in text, text
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@dataclass
class Bounded:
    """A command run in a child process under limits: how it ended, and what it cost."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float  # wall-clock time, start-up included
    peak_mb: float  # the largest resident set of the child or any process it waited for
    cpu_seconds: float = 0.0  # CPU time of the child and what it waited for (not inflated
    # by other work on a shared machine, as the wall clock is)


# Address space is capped too, as a safety net, so a bomb that escapes its budget fails this
# test instead of taking the machine down (Pandoc's runtime reserves address space lazily).
SAFETY_AS_MB = 6000


def run_bounded(args, *, cwd: Path, seconds: float = 60, env=None) -> Bounded:
    """`briefkit ARGS` in a child process (its own session) with a time limit; its peak
    memory measured by a wrapper process (ru_maxrss of its children)."""
    wrapper = (
        "import resource, subprocess, sys, json\n"
        f"limit = {SAFETY_AS_MB} * 1024 * 1024\n"
        "def limits():\n"
        "    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
        "p = subprocess.run(sys.argv[2:], preexec_fn=limits, capture_output=True,"
        " timeout=float(sys.argv[1]))\n"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "peak = usage.ru_maxrss / 1024\n"
        "cpu = usage.ru_utime + usage.ru_stime\n"
        "sys.stdout.buffer.write(json.dumps([p.returncode, peak, cpu]).encode() + b'\\n')\n"
        "sys.stdout.buffer.write(p.stdout)\n"
        "sys.stderr.buffer.write(p.stderr)\n")
    started = time.monotonic()
    command = [sys.executable, "-c", wrapper, str(seconds),
               sys.executable, "-m", "briefkit.cli", *map(str, args)]
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, timeout=seconds + 30,
                              env=env, start_new_session=True)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"briefkit {' '.join(map(str, args))} ran past {seconds} s")
    elapsed = time.monotonic() - started
    out = done.stdout.decode(errors="replace")
    if done.returncode != 0 or not out:
        raise AssertionError(f"briefkit {' '.join(map(str, args))} was stopped: "
                             + done.stderr.decode(errors="replace")[-2000:])
    first, _, rest = out.partition("\n")
    import json

    code, peak, cpu = json.loads(first)
    return Bounded(code, rest, done.stderr.decode(errors="replace"), elapsed, peak, cpu)


def fifo(path: Path) -> Path:
    """A named pipe at `path`: whoever opens it to read waits for a writer that never comes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def rewrite_package(source: Path, target: Path, edit) -> Path:
    """Copy the zip package `source` to `target`, `edit(parts)` changing its parts on the way
    (a dict name -> bytes, in archive order)."""
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    edit(parts)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return target


def one_error_line(text: str) -> list[str]:
    """The lines of `text` that report an error."""
    return [line for line in text.splitlines() if "error" in line]
