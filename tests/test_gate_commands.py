"""Commands that end cleanly whatever happens around them (issue 23): `watch` goes on after an
output-name collision or a deleted brief, a killed worker is one line about its brief, no run
leaves a temporary folder behind, a draft's file name is data in the YAML it becomes, and text
keeps its spelling in the outputs' metadata too."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from hostile import brief_text, cli_run, project, write  # noqa: F401
from word_drafts import draft_from_markdown


def _env(tmp_path: Path) -> dict:
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(scratch)}


def _read_until(stream, needle: str, seconds: float = 60) -> str:
    """Lines of `stream` up to the one holding `needle`."""
    seen = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        line = stream.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError(f"never printed {needle!r}: " + "".join(seen))


def test_watch_goes_on_after_a_name_collision_and_a_deleted_brief(project, tmp_path):
    write(project / "briefs" / "a.yaml", brief_text(title="A"))
    process = subprocess.Popen([sys.executable, "-m", "briefkit.cli", "watch", "briefs", "-o",
                                "out", "-f", "html", "-j", "1"], cwd=project, text=True,
                               env=_env(tmp_path), stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        _read_until(process.stderr, "watching")
        write(project / "briefs" / "b.yaml", brief_text(title="B", extra="output: {name: a}\n"))
        text = _read_until(process.stderr, "changed")
        assert "'a' is also the name of" in text
        assert process.poll() is None
        (project / "briefs" / "b.yaml").unlink()
        (project / "briefs" / "a.yaml").write_text(brief_text(title="A2"), encoding="utf-8")
        _read_until(process.stderr, "changed")
        (project / "briefs" / "a.yaml").unlink()
        text = _read_until(process.stderr, "changed")
        assert process.poll() is None, text
        write(project / "briefs" / "c.yaml", brief_text(title="C"))
        _read_until(process.stderr, "changed")
        assert (project / "out" / "c.html").is_file()
        os.killpg(process.pid, signal.SIGINT)
        rest = process.communicate(timeout=30)[1]
        assert "Traceback" not in rest and process.returncode in (0, 130)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def test_watch_of_a_single_brief_goes_on_when_it_is_deleted_and_comes_back(project, tmp_path):
    brief = write(project / "briefs" / "a.yaml", brief_text(title="A"))
    process = subprocess.Popen([sys.executable, "-m", "briefkit.cli", "watch", "briefs/a.yaml",
                                "-o", "out", "-f", "html"], cwd=project, text=True,
                               env=_env(tmp_path), stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        _read_until(process.stderr, "watching")
        brief.unlink()
        _read_until(process.stderr, "still watching")
        assert process.poll() is None
        write(brief, brief_text(title="Back again"))
        _read_until(process.stderr, "changed")
        assert "Back again" in (project / "out" / "a.html").read_text(encoding="utf-8")
        os.killpg(process.pid, signal.SIGINT)
        process.communicate(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def test_a_killed_worker_is_one_line_about_its_brief(project, tmp_path):
    for name in ("a", "b", "c", "d"):
        write(project / "briefs" / f"{name}.yaml", brief_text(title=name.upper()))
    process = subprocess.Popen([sys.executable, "-m", "briefkit.cli", "build", "briefs", "-o",
                                "out", "-j", "2", "-f", "pdf"], cwd=project, text=True,
                               env=_env(tmp_path), stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        deadline = time.time() + 60
        workers = []
        while time.time() < deadline and not workers:
            workers = [int(pid) for pid in subprocess.run(
                ["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()]
            time.sleep(0.05)
        assert workers, "no worker started"
        time.sleep(0.5)
        os.kill(workers[0], signal.SIGKILL)
        stderr = process.communicate(timeout=120)[1]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert "Traceback" not in stderr and "BrokenProcessPool" not in stderr, stderr
    assert process.returncode == 1, stderr
    assert "worker" in stderr and "stopped" in stderr


@pytest.mark.parametrize("command", ["build", "import",
                                     pytest.param("redline", marks=pytest.mark.slow),
                                     pytest.param("check", marks=pytest.mark.slow)])
def test_no_run_leaves_a_temporary_folder_behind(project, tmp_path, command):
    write(project / "briefs" / "a.yaml", brief_text(body="Old words.^[A note.]"))
    write(project / "briefs" / "b.yaml", brief_text(body="New words.^[A note.]"))
    draft_from_markdown("---\ntitle: D\n---\n\nText.^[Note.]\n", project / "draft.docx")
    args = {"build": ["build", "briefs", "-o", "out", "-j", "2"],
            "import": ["import", "draft.docx", "-o", "briefs/d.yaml"],
            "redline": ["redline", "briefs/a.yaml", "briefs/b.yaml", "-o", "r.docx"],
            "check": ["check", "briefs"]}[command]
    env = _env(tmp_path)
    done = subprocess.run([sys.executable, "-m", "briefkit.cli", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not list(Path(env["TMPDIR"]).iterdir())


@pytest.mark.parametrize("name", ["a\nstatus: draft\noutput: {name: x}\n.docx",
                                  "a\u2028status: draft.docx", "a\rstatus: draft.docx",
                                  "a\u0085status: draft.docx", "'; \"x\": [.docx"])
def test_a_draft_s_file_name_is_data_in_the_imported_yaml(project, name):
    draft = draft_from_markdown("---\ntitle: Draft\ndate: 2024-01-02\n---\n\nText.\n",
                                project / "seed.docx")
    hostile = project / name
    os.rename(draft, hostile)
    result = cli_run("import", hostile, "-o", project / "briefs" / "d.yaml", cwd=project)
    assert result.exit_code == 0, result.output
    text = (project / "briefs" / "d.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert "status" not in data and "output" not in data, text
    assert data["title"] == "Draft"


def test_numbers_in_text_keep_their_spelling_in_the_metadata(project):
    write(project / "briefs" / "b.yaml", brief_text(
        extra="layout: summary\nacronyms: {X: 010, Y: 1:30, Z: 0x1F, V: 1_000}\n"))
    result = cli_run("build", "briefs/b.yaml", "-o", "out", "-f", "html", "-f", "docx",
                     cwd=project)
    assert result.exit_code == 0, result.output
    page = (project / "out" / "b.html").read_text(encoding="utf-8")
    with zipfile.ZipFile(project / "out" / "b.docx") as archive:
        custom = archive.read("docProps/custom.xml").decode()
    for metadata in (page.replace("&#34;", '"'), custom):
        for spelled in ('"010"', '"1:30"', '"0x1F"', '"1_000"'):
            assert spelled in metadata, (spelled, metadata[:2000])
