"""Editors' work is never lost and builds stop cleanly: fingerprints in every output, edited
files kept whatever the cache says, output names that would collide refused before any build,
a brief's formats replaced together, signals, locks, full and read-only disks, stale outputs.
Each test drives the command line as a user would and checks the files a user would open."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from readers import html_tree
from test_series import brief as series_brief

from briefkit.cli import cli

LAYOUTS = Path(__file__).resolve().parent.parent / "templates"


def brief(title: str, extra: str = "", body: str = "") -> str:
    """The series tests' brief, with another section body if given."""
    text = series_brief(title, extra)
    return re.sub(r"(?m)^(    body: ).*$", lambda m: m.group(1) + body, text) if body else text


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "briefs").mkdir(parents=True)
    (root / "briefs" / "series.yaml").write_text("output:\n  formats: [docx, html]\n",
                                                 encoding="utf-8")
    (root / "briefs" / "alpha.yaml").write_text(brief("Alpha"), encoding="utf-8")
    (root / "briefs" / "beta.yaml").write_text(brief("Beta"), encoding="utf-8")
    return root


def run(root, *args, target=None):
    result = CliRunner().invoke(cli, ["build", str(target or root / "briefs"),
                                      "-o", str(root / "out"), "-j", "1", *args])
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result


def revise(root, name="alpha", text="Revised text."):
    """Give the brief's section a new body."""
    path = root / "briefs" / f"{name}.yaml"
    source = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^(    body: ).*$", lambda m: m.group(1) + text, source),
                    encoding="utf-8")


def docx_text(path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def edit_docx(path, line="An editor's correction."):
    document = docx.Document(str(path))
    document.add_paragraph(line)
    document.save(str(path))


def visible(root):
    return sorted(str(p.relative_to(root / "out")) for p in (root / "out").rglob("*")
                  if p.is_file() and not p.name.startswith("."))


def part_files(root):
    return sorted(p.name for p in (root / "out").rglob("*.part"))


# ---- fingerprints -----------------------------------------------------------------------------

def test_every_output_carries_the_fingerprint_of_its_own_content(project):
    from briefkit.render.stamp import is_own

    (project / "briefs" / "series.yaml").write_text("output:\n  formats: [docx, html, pdf]\n",
                                                    encoding="utf-8")
    assert run(project, target=project / "briefs" / "alpha.yaml").exit_code == 0
    out = project / "out"
    with zipfile.ZipFile(out / "alpha.docx") as archive:
        custom = archive.read("docProps/custom.xml").decode()
    assert 'name="briefkit.fingerprint"' in custom and "briefkit-sha256:" in custom
    info = PdfReader(str(out / "alpha.pdf")).metadata
    assert info["/BriefkitFingerprint"].startswith("briefkit-sha256:")
    meta = html_tree(out / "alpha.html").xpath("//meta[@name='briefkit-fingerprint']/@content")
    assert len(meta) == 1 and meta[0].startswith("briefkit-sha256:")
    for fmt in ("docx", "html", "pdf"):
        path = out / f"alpha.{fmt}"
        assert is_own(path)
        # One changed byte anywhere in the content and the file is no longer briefkit's.
        data = bytearray(path.read_bytes())
        copy = out / f"copy.{fmt}"
        if fmt == "docx":  # a zip: changed as Word would, through its parts
            shutil.copy(path, copy)
            edit_docx(copy, "One more line.")
        else:
            data[len(data) // 2] ^= 1
            copy.write_bytes(bytes(data))
        assert not is_own(copy)
    # The fingerprint is not the bytes' hash: a file copied elsewhere is still briefkit's.
    assert is_own(shutil.copy(out / "alpha.pdf", out / "moved.pdf"))


CACHES = {
    "deleted": None,
    "corrupt": "{not json",
    "wrong shape": json.dumps({"format": 2, "briefs": {"alpha.yaml": {"inputs": 5, "outputs": []}}}),
    "a list": "[]",
    "records without a brief's description": json.dumps({"format": 2, "briefs": {
        "briefs/alpha.yaml": {"inputs": {}, "outputs": {"docx": {"path": "x", "sha256": "y"}},
                              "series": [], "meta": {"date": "soon"}, "engines": ""}}}),
    "another build's records": None,  # replaced below by a cache of an unrelated project
}


@pytest.mark.parametrize("cache", list(CACHES))
def test_a_hand_edit_survives_a_rebuild_whatever_the_cache_says(project, cache, tmp_path):
    assert run(project).exit_code == 0
    out = project / "out"
    edit_docx(out / "alpha.docx")
    html = out / "alpha.html"
    html.write_text(html.read_text(encoding="utf-8").replace("Text of Alpha.", "Edited in HTML."),
                    encoding="utf-8")
    cache_file = out / ".briefkit-cache.json"
    if cache == "another build's records":
        other = tmp_path / "other"
        shutil.copytree(project, other)
        run(other, "--force")
        # Every path in that cache is another project's: it must vouch for nothing here.
        shutil.copy(other / "out" / ".briefkit-cache.json", cache_file)
    elif CACHES[cache] is None:
        cache_file.unlink()
    else:
        cache_file.write_text(CACHES[cache], encoding="utf-8")
    revise(project)
    result = run(project)
    assert result.exit_code == 0, result.output
    assert "An editor's correction." in docx_text(out / "alpha.docx")
    assert "Edited in HTML." in html.read_text(encoding="utf-8")
    assert "Revised text." in docx_text(out / "alpha.new.docx")
    assert "Revised text." in (out / "alpha.new.html").read_text(encoding="utf-8")
    assert "kept " in result.stderr and "alpha.docx" in result.stderr
    # Briefkit's own unedited files are replaced in place, not protected.
    assert not (out / "beta.new.docx").exists() and not (out / "beta.new.html").exists()


def test_an_edited_new_file_is_protected_too(project):
    out = project / "out"
    run(project)
    edit_docx(out / "alpha.docx", "Edit of the original.")
    revise(project, text="Second text.")
    run(project)
    assert "Second text." in docx_text(out / "alpha.new.docx")
    edit_docx(out / "alpha.new.docx", "Edit of the copy.")
    revise(project, text="Third text.")
    result = run(project)
    assert result.exit_code == 0
    assert "Edit of the original." in docx_text(out / "alpha.docx")
    assert "Edit of the copy." in docx_text(out / "alpha.new.docx")
    assert "Third text." in docx_text(out / "alpha.new-2.docx")
    assert "alpha.new.docx" in result.stderr  # said to be kept
    # The unedited copy is briefkit's: the next change replaces it in place.
    revise(project, text="Fourth text.")
    run(project)
    assert "Fourth text." in docx_text(out / "alpha.new-2.docx")
    assert not (out / "alpha.new-3.docx").exists()
    # --force replaces the original.
    run(project, "--force")
    assert "Fourth text." in docx_text(out / "alpha.docx")


def test_a_file_briefkit_did_not_write_is_never_replaced(project):
    (project / "out").mkdir()
    mine = project / "out" / "alpha.html"
    mine.write_text("<p>My own page</p>", encoding="utf-8")
    result = run(project)
    assert result.exit_code == 0
    assert mine.read_text(encoding="utf-8") == "<p>My own page</p>"
    assert "Text of Alpha." in (project / "out" / "alpha.new.html").read_text(encoding="utf-8")


def test_an_edit_made_while_nothing_changed_is_not_rebuilt_around(project):
    run(project)
    edit_docx(project / "out" / "alpha.docx")
    result = run(project)
    assert "0 built, 2 unchanged" in result.stderr
    assert not (project / "out" / "alpha.new.docx").exists()


# ---- builds that stop -------------------------------------------------------------------------

def many_briefs(root, count=6, formats="[pdf, docx, html]"):
    (root / "briefs" / "series.yaml").write_text(f"output:\n  formats: {formats}\n", encoding="utf-8")
    for i in range(count):
        (root / "briefs" / f"extra{i}.yaml").write_text(brief(f"Extra {i}"), encoding="utf-8")


def start_build(root, *args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "briefkit.cli", "build", str(root / "briefs"),
                             "-o", str(root / "out"), *args], start_new_session=True, **kwargs)


def wait_for_output(root, pattern="*.pdf", seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if list((root / "out").glob(pattern)):
            return
        time.sleep(0.05)
    raise AssertionError("the build wrote nothing in time")


@pytest.mark.parametrize("how", ["SIGTERM to the build", "Ctrl-C on the terminal"])
def test_a_stopped_parallel_build_stops_its_workers_and_records_every_output(project, how):
    many_briefs(project)
    process = start_build(project, "-j", "2", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    number = signal.SIGTERM if how.startswith("SIGTERM") else signal.SIGINT
    try:
        wait_for_output(project)
        if number == signal.SIGTERM:
            process.send_signal(number)  # the parent only, as a service manager would
        else:
            os.killpg(process.pid, number)  # the whole foreground group, as a terminal does
        # communicate() returns only once every holder of the pipes (workers!) has let go.
        stdout, stderr = process.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 128 + number, stderr
    assert b"interrupted" in stderr and b"Traceback" not in stderr
    assert not part_files(project)
    cache = json.loads((project / "out" / ".briefkit-cache.json").read_text())
    recorded = {out["path"]: out["sha256"] for record in cache["briefs"].values()
                for out in record["outputs"].values()}
    written = [project / "out" / name for name in visible(project)]
    assert written
    for path in written:
        assert recorded.get(str(path)) == hashlib.sha256(path.read_bytes()).hexdigest(), path
    # A brief's formats are there together or not at all.
    stems = {}
    for path in written:
        stems.setdefault(path.stem, set()).add(path.suffix)
    assert all(suffixes == {".pdf", ".docx", ".html"} for suffixes in stems.values()), stems
    # The next run finishes the series and calls none of briefkit's files "edited".
    result = run(project)
    assert result.exit_code == 0 and "kept" not in result.stderr


@pytest.mark.parametrize("how", ["SIGTERM to the build", "SIGKILL to every process"])
def test_a_hand_edit_survives_a_build_that_was_killed(project, how):
    many_briefs(project, formats="[pdf, docx]")
    run(project)
    edit_docx(project / "out" / "alpha.docx")
    for name in ["alpha", *(f"extra{i}" for i in range(6))]:
        path = project / "briefs" / f"{name}.yaml"
        path.write_text(path.read_text().replace("Text of", "Changed text of"), encoding="utf-8")
    before = (project / "out" / "extra0.pdf").stat().st_mtime_ns
    process = start_build(project, "-j", "2", stderr=subprocess.DEVNULL)
    # Killed once several briefs were replaced: some of them after the cache was last saved.
    deadline = time.time() + 180
    while time.time() < deadline and process.poll() is None and sum(
            (project / "out" / f"extra{i}.pdf").stat().st_mtime_ns != before for i in range(6)) < 3:
        time.sleep(0.02)
    if how.startswith("SIGTERM"):
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        time.sleep(3)  # anything still running (it should not be) writes meanwhile
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert "An editor's correction." in docx_text(project / "out" / "alpha.docx")
    result = run(project)
    assert result.exit_code == 0
    assert "An editor's correction." in docx_text(project / "out" / "alpha.docx")
    assert "Changed text of Alpha." in docx_text(project / "out" / "alpha.new.docx")
    # Files the killed build wrote are recognised as briefkit's own: none is "kept".
    assert not list((project / "out").glob("extra*.new.*"))
    assert not part_files(project)


def test_a_brief_s_formats_are_replaced_together_or_not_at_all(project, monkeypatch):
    from briefkit.builder import outputs as outputs_module

    run(project)
    out = project / "out"
    old = {p: p.read_bytes() for p in (out / "alpha.docx", out / "alpha.html")}
    revise(project)
    real_replace = os.replace
    calls = []

    def replace(source, target):
        calls.append(target)
        if str(target).endswith("alpha.html"):  # the second format of the brief
            raise OSError(28, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(outputs_module.os, "replace", replace)
    result = run(project, target=project / "briefs" / "alpha.yaml")
    assert result.exit_code == 1
    assert any(str(c).endswith("alpha.docx") for c in calls)  # it was replaced, then put back
    assert {p: p.read_bytes() for p in old} == old
    assert "alpha.html: the disk is full" in result.stderr
    assert not part_files(project)


def test_disk_full_is_one_line_and_leaves_old_outputs(project, monkeypatch):
    from briefkit.builder import outputs as outputs_module

    run(project)
    out = project / "out"
    old = (out / "alpha.docx").read_bytes()
    revise(project)

    def fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs_module.os, "fsync", fsync)
    result = run(project)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if "disk is full" in line]
    assert errors and all(line.count("\n") == 0 for line in errors)
    assert (out / "alpha.docx").read_bytes() == old
    assert not part_files(project)


@contextlib.contextmanager
def mounted(folder: Path, options: str):
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs",
                                            str(folder)], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs needs root and a system that allows it")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_really_full_disk(project):
    (project / "briefs" / "series.yaml").write_text("output:\n  formats: [docx, html, pdf]\n",
                                                    encoding="utf-8")
    with mounted(project / "out", "size=48k"):
        result = run(project)
        assert result.exit_code == 1
        assert "the disk is full" in result.stderr
        assert not part_files(project)


def test_a_read_only_output_folder(project):
    out = project / "out"
    if os.geteuid() == 0:
        context = mounted(out, "ro,size=1m")
    else:
        out.mkdir()
        out.chmod(0o555)
        context = contextlib.nullcontext()
    with context:
        result = run(project)
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and ("read-only" in lines[0] or "permission denied" in lines[0])


def test_an_output_folder_under_a_file_is_a_usage_error(project):
    (project / "file").write_text("x")
    result = CliRunner().invoke(cli, ["build", str(project / "briefs"),
                                      "-o", str(project / "file" / "sub")])
    assert result.exit_code == 2
    assert "a file stands where a folder is needed" in result.stderr
    assert "Traceback" not in result.output


def test_an_over_long_output_name_is_located(project):
    path = project / "briefs" / "alpha.yaml"
    path.write_text(brief("Alpha", f"output:\n  name: {'a' * 230}\n"), encoding="utf-8")
    result = run(project, target=path)
    assert result.exit_code == 1
    assert "alpha.yaml:8:9: error: output.name: the outputs' name is 230 bytes long" \
        in result.stderr
    # Without output.name the file name is the name: located at the brief, saying what to add.
    long = project / "briefs" / ("b" * 220 + ".yaml")
    long.write_text(brief("Long"), encoding="utf-8")
    result = run(project, target=long)
    assert result.exit_code == 1 and "shorter output.name to the brief" in result.stderr


def test_a_second_build_waits_for_the_first(project):
    out = project / "out"
    out.mkdir()
    with open(out / ".briefkit-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        process = start_build(project, "-j", "1", stderr=subprocess.PIPE, text=True)
        try:
            line = process.stderr.readline()
            assert "waiting: another build is writing to" in line
            time.sleep(0.5)
            assert not visible(project)  # nothing written while the other build runs
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    process.communicate(timeout=120)
    assert process.returncode == 0
    assert "alpha.docx" in visible(project)


# ---- names that collide -----------------------------------------------------------------------

def refused(result, *fragments):
    assert result.exit_code == 1, result.output
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert "nothing was built" in result.stderr


def test_two_briefs_with_one_output_name_are_refused_naming_both(project):
    for name in ("alpha", "beta"):
        path = project / "briefs" / f"{name}.yaml"
        path.write_text(path.read_text() + "output:\n  name: same\n", encoding="utf-8")
    result = run(project)
    refused(result, "alpha.yaml:8:9: error: output.name: 'same' is also the name of",
            "beta.yaml:8:9")
    assert not visible(project)


def test_a_brief_named_index_or_combined_is_refused(project):
    (project / "briefs" / "index.yaml").write_text(brief("Index"), encoding="utf-8")
    refused(run(project), "index.yaml: error: output.name: 'index' would replace the series index")
    (project / "briefs" / "index.yaml").unlink()
    (project / "briefs" / "combined.yaml").write_text(brief("Combined"), encoding="utf-8")
    refused(run(project, "--combined"), "'combined' would replace the combined PDF")
    assert not visible(project)


def test_a_brief_beside_a_folder_brief_of_the_same_name_is_refused(project):
    (project / "briefs" / "alpha").mkdir()
    (project / "briefs" / "alpha" / "brief.yaml").write_text(brief("Folder alpha"), encoding="utf-8")
    refused(run(project), "alpha.yaml", "alpha/brief.yaml", "both would write")


def test_outputs_that_would_replace_the_brief_s_own_template_are_refused(project):
    template = project / "briefs" / "house.docx"
    docx.Document().save(str(template))
    before = template.read_bytes()
    (project / "briefs" / "house.yaml").write_text(
        brief("House", "output:\n  word_template: house.docx\n  formats: [docx]\n"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(project / "briefs" / "house.yaml"),
                                      "-o", str(project / "briefs")])
    assert result.exit_code == 1
    assert "house.docx would replace" in result.stderr and "which this brief reads" in result.stderr
    assert template.read_bytes() == before


# ---- stale outputs ----------------------------------------------------------------------------

def test_a_plain_build_after_one_format_writes_the_others(project):
    run(project, "-f", "docx")
    assert not (project / "out" / "alpha.html").exists()
    result = run(project)
    assert "2 built" in result.stderr
    assert (project / "out" / "alpha.html").exists()
    assert "0 built, 2 unchanged" in run(project).stderr


def png(path: Path, colour) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 20), colour).save(path)


def test_an_image_that_now_shadows_another_rebuilds(project):
    png(project / "assets" / "chart.png", "red")
    (project / "briefs" / "alpha.yaml").write_text(
        brief("Alpha", body="'![A chart](chart.png)'"), encoding="utf-8")
    run(project)
    first = (project / "out" / "alpha.docx").read_bytes()
    png(project / "briefs" / "assets" / "chart.png", "blue")  # found first from now on
    result = run(project)
    assert "1 built, 1 unchanged" in result.stderr
    with zipfile.ZipFile(project / "out" / "alpha.docx") as archive:
        media = [archive.read(n) for n in archive.namelist() if n.startswith("word/media/")]
    assert media == [(project / "briefs" / "assets" / "chart.png").read_bytes()]
    assert first != (project / "out" / "alpha.docx").read_bytes()


def test_a_project_layout_that_overrides_a_built_in_one_rebuilds(project):
    path = project / "briefs" / "alpha.yaml"
    path.write_text(brief("Alpha", "layout: research\n"), encoding="utf-8")  # extends report
    path = project / "briefs" / "beta.yaml"
    path.write_text(brief("Beta", "layout: commentary\n"), encoding="utf-8")  # does not
    run(project)
    shutil.copytree(LAYOUTS / "report", project / "templates" / "report")
    (project / "templates" / "report" / "css" / "override.css").write_text(
        "h2 { color: #abcdef; }\n", encoding="utf-8")
    result = run(project)
    assert "1 built, 1 unchanged" in result.stderr
    assert "#abcdef" in (project / "out" / "alpha.html").read_text(encoding="utf-8")


def test_briefkit_s_own_code_is_part_of_the_key(tmp_path):
    from briefkit.builder.fingerprint import code_digest

    package = Path(__import__("briefkit").__file__).parent
    copy = tmp_path / "briefkit"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = code_digest(copy)
    assert before == code_digest(package)
    (copy / "render" / "word" / "docx.py").write_text((copy / "render" / "word" / "docx.py").read_text() + "\n# x\n")
    assert code_digest(copy) != before
    from briefkit.builder.fingerprint import engine_versions

    assert before in engine_versions()


@pytest.mark.needs("soffice")
def test_a_docx_saved_by_libreoffice_counts_as_edited(project, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    run(project)
    out = project / "out"
    saved = tmp_path / "saved"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(saved),
                    str(out / "alpha.docx")], check=True, capture_output=True, timeout=180)
    shutil.copy(saved / "alpha.docx", out / "alpha.docx")  # opened and saved, nothing changed
    with zipfile.ZipFile(out / "alpha.docx") as archive:
        # LibreOffice keeps custom properties: the fingerprint is there, and no longer matches.
        assert "briefkit-sha256:" in archive.read("docProps/custom.xml").decode()
    (out / ".briefkit-cache.json").unlink()
    revise(project)
    assert run(project).exit_code == 0
    assert "Revised text." not in docx_text(out / "alpha.docx")
    assert "Revised text." in docx_text(out / "alpha.new.docx")
