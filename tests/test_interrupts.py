"""Stopped at any moment: every command, interrupted by Ctrl-C (SIGINT to its whole process
group, as a terminal sends it) or SIGTERM (to the command alone, as a service manager sends it)
at several points of its run, leaves no process, no temporary file and no hidden file behind,
prints no traceback and exits 130 or 143 (`watch`: stops). Issue 23.

Each command is started three times at once, in three copies of one project, and each copy is
stopped at its own point: so every command meets every point and both signals in CI, for about
the time of one run. A process counts as left behind wherever it went: every process the
command starts inherits a mark in its environment, which is looked for in all of /proc
(LibreOffice leads a process group of its own, outside the command's)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

import pytest
from conftest import in_ci
from hostile import brief_text, write
from word_drafts import draft_from_markdown

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

# When the signal comes: seconds after the command began to run (once Python's start-up and
# the import of the command line are over: then the command handles SIGTERM), so the points
# fall at its start, in reading the brief and Pandoc, and in the writers; or a moment of the
# run itself ("soffice": while LibreOffice converts a picture), waited for, whenever it comes.
Point = Union[float, str]
POINTS: list[Point] = [0.0, 0.4, 1.0]
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGINT]  # Ctrl-C first and last
MARK = "BRIEFKIT_INTERRUPT_PROBE"
METAFILE_DRAFT = Path(__file__).parent / "data" / "word-drafts" / "picture-emf-object"


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=folder, check=True, capture_output=True)


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Path:
    """The project every run copies: two briefs with notes (one changed since the last
    commit), a series folder, a Word draft of 200 noted paragraphs and one with a metafile."""
    root = tmp_path_factory.mktemp("interrupts") / "project"
    body = " ".join(f"Sentence {i} of the text.^[Note {i}.]" for i in range(60))
    write(root / "briefs" / "a.yaml", brief_text(body="Old text."))
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    write(root / "briefs" / "a.yaml", brief_text(body=body))
    write(root / "briefs" / "b.yaml", brief_text(title="B", body=body))
    write(root / "series" / "series.yaml", "publisher: {name: Institute}\n"
          "output: {formats: [html, pdf]}\n")
    for name in ("one", "two"):
        write(root / "series" / f"{name}.yaml", brief_text(title=name.title(), body=body))
    draft_from_markdown("---\ntitle: Draft\n---\n\n" + "\n\n".join(
        f"Paragraph {i}.^[A note {i}.]" for i in range(200)), root / "draft.docx")
    shutil.copy(METAFILE_DRAFT / "draft.docx", root / "metafile.docx")
    return root


@dataclass
class Command:
    args: list[str]
    points: list[Point]


COMMANDS = {
    "build": Command(["build", "briefs/a.yaml", "-o", "out"], POINTS),
    "build a folder, two workers": Command(["build", "briefs", "-o", "out", "-j", "2"], POINTS),
    "series with its combined PDF": Command(["build", "series", "-o", "out", "--combined"],
                                            POINTS),
    "check": Command(["check", "briefs"], POINTS),
    "import": Command(["import", "draft.docx", "-o", "briefs/imported.yaml"], POINTS),
    "import, LibreOffice converting a metafile": Command(
        ["import", "metafile.docx", "-o", "briefs/imported.yaml"], [0.0, 0.4, "soffice"]),
    "redline": Command(["redline", "briefs/a.yaml", "briefs/b.yaml", "-o", "r.docx"], POINTS),
    "redline --against": Command(["redline", "--against", "HEAD", "briefs/a.yaml", "-o",
                                  "r.docx"], POINTS),
    "build --redline-against": Command(["build", "briefs", "-o", "out", "-f", "docx",
                                        "--redline-against", "HEAD"], POINTS),
    "template export": Command(["template", "export", "report", "exported"], POINTS),
    "new": Command(["new", "fresh"], POINTS),
    "watch": Command(["watch", "briefs/a.yaml", "-o", "out", "-f", "html"], POINTS),
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


def marked(token: str, named: str = "") -> list[int]:
    """Live processes whose environment carries `token` (the command and all it started, in any
    process group), whose command line holds `named`. A process already killed (SIGKILL
    pending) or dead (a zombie: its environment reads empty) does not count."""
    needle = f"{MARK}={token}\0".encode()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as environ:
                if needle not in environ.read() + b"\0":
                    continue
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                if named.encode() not in cmdline.read():
                    continue
            status = Path(f"/proc/{entry.name}/status").read_text()
        except OSError:  # gone meanwhile
            continue
        pending = (int(line.split()[1], 16) for line in status.splitlines()
                   if line.startswith(("SigPnd:", "ShdPnd:")))
        if not any(mask & (1 << (signal.SIGKILL - 1)) for mask in pending):
            found.append(int(entry.name))
    return found


@dataclass
class Run:
    """One copy of the project, its command, and when and how it is stopped."""

    point: Point
    number: signal.Signals
    seed: Path
    root: Path
    scratch: Path
    token: str
    process: subprocess.Popen
    began: Optional[float] = None
    signalled: bool = False
    left: tuple[bytes, ...] = ()  # command lines of the processes alive when it had ended

    def due(self) -> bool:
        if isinstance(self.point, str):
            return bool(marked(self.token, self.point))
        return time.monotonic() >= self.began + self.point

    def stop(self) -> None:
        if self.number == signal.SIGINT:
            os.killpg(self.process.pid, self.number)
        else:
            self.process.send_signal(self.number)
        self.signalled = True


def start(seed: Path, where: Path, args: list[str], point: Point, number) -> Run:
    root = where / "project"
    shutil.copytree(seed, root, symlinks=True)
    scratch = where / "tmp"
    scratch.mkdir()
    token = uuid.uuid4().hex
    env = {**os.environ, "TMPDIR": str(scratch), MARK: token}
    with open(where / "stderr", "wb") as stderr:  # a file: a pipe could fill and block it
        process = subprocess.Popen([sys.executable, "-m", "briefkit.cli", *args], cwd=root,
                                   env=env, start_new_session=True, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=stderr)
    return Run(point, number, seed, root, scratch, token, process)


def signal_each_at_its_point(runs: list[Run], command: str) -> None:
    deadline = time.monotonic() + 90
    while any(not run.signalled and run.process.poll() is None for run in runs):
        assert time.monotonic() < deadline, f"{command}: a point never came"
        for run in runs:
            if run.signalled or run.process.poll() is not None:
                continue
            if run.began is None:
                if handles_sigterm(run.process.pid):
                    run.began = time.monotonic()
            elif run.due():
                run.stop()
        time.sleep(0.005)


def wait_for_each_end(runs: list[Run], command: str) -> None:
    """Wait for every run to end, noting at once (an engine left running must not get the
    time to finish on its own) which of its processes are still alive."""
    deadline = time.monotonic() + 60
    while any(run.process.returncode is None for run in runs):
        for run in runs:
            if run.process.returncode is None and run.process.poll() is not None:
                run.left = tuple(cmdline(pid) for pid in marked(run.token))
        assert time.monotonic() < deadline, f"{command} did not stop within 60 s of its signal"
        time.sleep(0.005)


def cmdline(pid: int) -> bytes:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    return b"(gone)"


def assert_nothing_left(run: Run, command: str, stderr: str) -> None:
    where = f"{command}, {run.number.name} at {run.point}"
    assert not run.left, f"{where}: processes outlived the command: {run.left}"
    deadline = time.monotonic() + 5  # what is killed in its group may take a moment to go
    while group_alive(run.process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not group_alive(run.process.pid), f"{where}: a process outlived the command"
    assert "Traceback" not in stderr and "Aborted!" not in stderr, (where, stderr)
    if run.process.returncode not in (0, 1):  # it ended before the signal came, or was stopped
        expected = {128 + run.number} | ({0} if command == "watch" else set())
        assert run.process.returncode in expected, (where, run.process.returncode, stderr)
    assert not list(run.scratch.iterdir()), (where, [p.name for p in run.scratch.iterdir()])
    new = hidden_files(run.root) - hidden_files(run.seed)
    allowed = {"out/.briefkit-cache.json", "out/.briefkit-lock"}  # what every build keeps
    assert new <= allowed, (where, new)
    assert not [p for p in run.root.rglob("*.part")], where


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_stopped_command_leaves_nothing_behind(seed, tmp_path, command):
    spec = COMMANDS[command]
    if any(isinstance(p, str) for p in spec.points) and not shutil.which("soffice"):
        if in_ci():
            pytest.fail("CI=true and LibreOffice (soffice) is missing: scripts/install-test-deps")
        pytest.skip("LibreOffice (soffice) is not installed")
    runs: list[Run] = []
    try:
        for number, (point, signum) in enumerate(zip(spec.points, SIGNALS)):
            runs.append(start(seed, tmp_path / str(number), spec.args, point, signum))
        signal_each_at_its_point(runs, command)
        wait_for_each_end(runs, command)
    finally:  # whatever failed, nothing of this test runs on
        for run in runs:
            for pid in marked(run.token):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(run.process.pid, signal.SIGKILL)
    for run in runs:
        stderr = (run.root.parent / "stderr").read_text(errors="replace")
        if isinstance(run.point, str):  # a moment of the run: it must have come
            assert run.signalled, f"{command}: {run.point} never ran ({stderr[-500:]})"
        assert_nothing_left(run, command, stderr)
