"""Stopped at any moment: every command, interrupted by Ctrl-C (SIGINT to its whole process
group, as a terminal sends it) or SIGTERM (to the command alone, as a service manager sends it)
at several points of its run, leaves no process, no temporary file and no hidden file behind,
prints no traceback and exits 130 or 143 (`watch`: stops). Issue 23."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import brief_text, write
from word_drafts import draft_from_markdown

# When the signal comes: seconds after the command began to run (once Python's start-up and
# the import of the command line are over: then the command handles SIGTERM), so the points
# fall at its start, in reading the brief and Pandoc, and in the writers.
POINTS = [0.0, 0.4, 1.0]


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=folder, check=True, capture_output=True)


def make_project(root: Path) -> Path:
    body = " ".join(f"Sentence {i} of the text.^[Note {i}.]" for i in range(60))
    write(root / "briefs" / "a.yaml", brief_text(body="Old text."))
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    write(root / "briefs" / "a.yaml", brief_text(body=body))
    write(root / "briefs" / "b.yaml", brief_text(title="B", body=body))
    draft_from_markdown("---\ntitle: Draft\n---\n\n" + "\n\n".join(
        f"Paragraph {i}.^[A note {i}.]" for i in range(200)), root / "draft.docx")
    return root


COMMANDS = {
    "build": ["build", "briefs/a.yaml", "-o", "out"],
    "build a folder, two workers": ["build", "briefs", "-o", "out", "-j", "2"],
    "check": ["check", "briefs"],
    "import": ["import", "draft.docx", "-o", "briefs/imported.yaml"],
    "redline": ["redline", "briefs/a.yaml", "briefs/b.yaml", "-o", "r.docx"],
    "redline --against": ["redline", "--against", "HEAD", "briefs/a.yaml", "-o", "r.docx"],
    "build --redline-against": ["build", "briefs", "-o", "out", "-f", "docx",
                                "--redline-against", "HEAD"],
    "template export": ["template", "export", "report", "exported"],
    "watch": ["watch", "briefs/a.yaml", "-o", "out", "-f", "html"],
}


def hidden_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob(".*")
            if ".git" not in p.relative_to(root).parts and p.is_file()}


def handles_sigterm(pid: int) -> bool:
    """The process has a handler for SIGTERM (its command has begun), from /proc."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)))


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


# In CI every command is stopped at one point (each point and both signals are met across the
# commands); `-m slow` stops every command at every point.
CASES = [pytest.param(command, point, id=f"{command}-{point}",
                      marks=() if point == number % len(POINTS) else pytest.mark.slow)
         for number, command in enumerate(COMMANDS) for point in range(len(POINTS))]


@pytest.mark.parametrize("command,point", CASES)
def test_a_stopped_command_leaves_nothing_behind(tmp_path, command, point):
    root = make_project(tmp_path / "project")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    before = hidden_files(root)
    # Ctrl-C at the first and last points, SIGTERM in between.
    number = signal.SIGTERM if point == 1 else signal.SIGINT
    env = {**os.environ, "TMPDIR": str(scratch)}
    process = subprocess.Popen([sys.executable, "-m", "briefkit.cli", *COMMANDS[command]],
                               cwd=root, env=env, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 20
        while not handles_sigterm(process.pid) and process.poll() is None:
            assert time.time() < deadline, f"{command} never began"
            time.sleep(0.005)
        time.sleep(POINTS[point])
        if process.poll() is None:
            if number == signal.SIGINT:
                os.killpg(process.pid, number)
            else:
                process.send_signal(number)
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{command} did not stop within 30 s of {number.name}")
        deadline = time.time() + 5
        while group_alive(process.pid) and time.time() < deadline:
            time.sleep(0.05)
        assert not group_alive(process.pid), f"{command}: a process outlived the command"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    text = stderr.decode(errors="replace")
    assert "Traceback" not in text and "Aborted!" not in text, text
    if process.returncode not in (0, 1):  # it ended before the signal came, or was stopped
        expected = {128 + number} if command != "watch" else {0, 128 + number}
        assert process.returncode in expected, (process.returncode, text)
    assert not list(scratch.iterdir()), [p.name for p in scratch.iterdir()]
    left = hidden_files(root) - before
    allowed = {"out/.briefkit-cache.json", "out/.briefkit-lock"}  # what every build keeps
    assert left <= allowed, left
    assert not [p for p in root.rglob("*.part")]
