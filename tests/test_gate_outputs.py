"""The output gate: every file a command writes (build, import, redline, template export, new,
watch) is never an input of the brief or the project, never outside the output folder or the
project, never a file briefkit did not write (without --force, and --force never replaces an
input), never a FIFO or a device; two outputs never share a name, within a run or across runs
into one folder; temporary files match no file of the user's. One test per broken promise of
the second hostile probe (issue 23), named after it."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest
from hostile import (BRIEF, brief_text, cli_run, fifo, project, rewrite_package,  # noqa: F401
                     write)
from word_drafts import draft_from_markdown

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def document_xml(path: Path) -> str:
    """The main text's XML (a redline's insertions are in w:ins, which python-docx skips)."""
    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml").decode()


def edit_docx(path: Path, line: str = "An editor's work.") -> None:
    document = docx.Document(str(path))
    document.add_paragraph(line)
    document.save(str(path))


@pytest.fixture
def versions(project):
    old = write(project / "briefs" / "old.yaml", brief_text(body="Old words [@a].",
                                                            extra="bibliography: refs.bib\n"))
    new = write(project / "briefs" / "new.yaml", brief_text(body="New words [@a].",
                                                            extra="bibliography: refs.bib\n"))
    write(project / "briefs" / "refs.bib",
          "@book{a, author = {Doe, Jane}, title = {A book}, year = {2020}, publisher = {P}}\n")
    return old, new


# ---- redline -o --------------------------------------------------------------------------------

@pytest.mark.parametrize("victim", ["new.yaml", "old.yaml", "refs.bib"])
def test_redline_output_never_replaces_an_input(versions, project, victim):
    old, new = versions
    target = project / "briefs" / victim
    before = target.read_bytes()
    result = cli_run("redline", old, new, "-o", target, cwd=project)
    assert result.exit_code == 2, result.output
    assert target.read_bytes() == before
    assert f"{victim} would replace" in result.stderr or "would replace" in result.stderr
    assert "reads" in result.stderr


def test_redline_output_keeps_an_editor_s_reviewed_redline(versions, project):
    old, new = versions
    target = project / "changes.docx"
    assert cli_run("redline", old, new, "-o", target, cwd=project).exit_code == 0
    edit_docx(target, "Reviewed by the editor.")
    reviewed = target.read_bytes()
    result = cli_run("redline", old, new, "-o", target, cwd=project)
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == reviewed
    assert "New" in document_xml(project / "changes.new.docx")
    assert "kept" in result.stderr and "changes.docx" in result.stderr
    # --force replaces the edited file (and still never an input).
    assert cli_run("redline", old, new, "-o", target, "--force", cwd=project).exit_code == 0
    assert "Reviewed by the editor." not in docx_text(target)


def test_redline_output_keeps_a_file_briefkit_did_not_write(versions, project):
    old, new = versions
    mine = project / "mine.docx"
    docx.Document().save(str(mine))
    before = mine.read_bytes()
    result = cli_run("redline", old, new, "-o", mine, cwd=project)
    assert result.exit_code == 0 and mine.read_bytes() == before
    assert (project / "mine.new.docx").is_file()


def test_redline_output_that_is_a_fifo_is_refused_at_once(versions, project):
    old, new = versions
    target = fifo(project / "pipe.docx")
    done = subprocess.run([sys.executable, "-m", "briefkit.cli", "redline", str(old), str(new),
                           "-o", str(target)], cwd=project, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2, done.stderr
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr


# ---- build --redline-against -------------------------------------------------------------------

def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=folder, check=True, capture_output=True)


@pytest.fixture
def repository(tmp_path):
    root = tmp_path / "repo"
    write(root / "briefs" / "a.yaml", brief_text(body="First words."))
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    return root


def test_redline_against_keeps_an_editor_s_reviewed_redline(repository):
    brief = repository / "briefs" / "a.yaml"
    brief.write_text(brief_text(body="Second words."), encoding="utf-8")
    args = ("build", brief, "-o", repository / "out", "-f", "docx", "--redline-against", "HEAD")
    assert cli_run(*args, cwd=repository).exit_code == 0
    redline = repository / "out" / "a.redline.docx"
    first = redline.read_bytes()
    # A no-op build leaves the redline as it is: not rewritten, not even touched.
    stamp = redline.stat().st_mtime_ns
    assert cli_run(*args, cwd=repository).exit_code == 0
    assert redline.read_bytes() == first and redline.stat().st_mtime_ns == stamp
    # The editor reviews it in Word; the next builds never lose that work.
    edit_docx(redline, "Accepted by the editor.")
    reviewed = redline.read_bytes()
    assert cli_run(*args, cwd=repository).exit_code == 0
    assert redline.read_bytes() == reviewed
    brief.write_text(brief_text(body="Third words."), encoding="utf-8")
    result = cli_run(*args, cwd=repository)
    assert result.exit_code == 0, result.output
    assert redline.read_bytes() == reviewed
    assert "Third" in document_xml(repository / "out" / "a.redline.new.docx")
    assert "kept" in result.stderr


def test_a_brief_named_like_another_brief_s_redline_is_refused(repository):
    write(repository / "briefs" / "a.redline.yaml", brief_text(title="Other"))
    (repository / "briefs" / "a.yaml").write_text(brief_text(body="Changed."), encoding="utf-8")
    result = cli_run("build", repository / "briefs", "-o", repository / "out", "-f", "docx",
                     "--redline-against", "HEAD", cwd=repository)
    assert result.exit_code == 1, result.output
    assert "a.redline.yaml" in result.stderr and "a.yaml" in result.stderr
    assert "nothing was built" in result.stderr
    assert not list((repository / "out").glob("*.docx")) if (repository / "out").exists() else True


# ---- import -o ---------------------------------------------------------------------------------

@pytest.fixture
def draft(project):
    return draft_from_markdown("---\ntitle: A draft\n---\n\nSome text.\n",
                               project / "draft.docx")


def test_import_force_never_replaces_the_draft(draft, project):
    before = draft.read_bytes()
    result = cli_run("import", draft, "-o", draft, "--force", cwd=project)
    assert result.exit_code == 2, result.output
    assert draft.read_bytes() == before
    assert "would replace" in result.stderr and "draft.docx" in result.stderr


def test_import_under_a_file_is_one_line(draft, project):
    write(project / "afile", "x")
    result = cli_run("import", draft, "-o", project / "afile" / "b.yaml", cwd=project)
    assert result.exit_code == 2, result.output
    assert "a file stands where a folder is needed" in result.stderr


def test_import_into_a_read_only_folder_is_one_line(draft, project, monkeypatch):
    folder = project / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):  # root (as on CI) writes anywhere: give the kernel's answer
        real = tempfile.mkstemp

        def refused(*args, dir=None, **kwargs):
            if dir is not None and Path(dir).resolve() == folder.resolve():
                raise PermissionError(errno.EACCES, "Permission denied", str(dir))
            return real(*args, dir=dir, **kwargs)

        monkeypatch.setattr(tempfile, "mkstemp", refused)
    try:
        result = cli_run("import", draft, "-o", folder / "b.yaml", cwd=project)
    finally:
        folder.chmod(0o755)
    assert not (folder / "b.yaml").exists() and not list(folder.iterdir())
    assert result.exit_code == 1, result.output
    assert "permission denied" in result.stderr


def _png(colour) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), colour).save(buffer, "PNG")
    return buffer.getvalue()


def test_import_keeps_two_pictures_whose_names_clean_alike(project):
    seed = project / "seed.docx"
    document = docx.Document()
    for colour in ("red", "blue"):
        path = project / f"{colour}.png"
        path.write_bytes(_png(colour))
        document.add_paragraph(f"The {colour} one:")
        document.add_picture(str(path))
    document.save(str(seed))
    names = {"word/media/image1.png": "word/media/chart 1.png",
             "word/media/image2.png": "word/media/chart-1.png"}

    def rename(parts):
        for old, new_name in names.items():
            parts[new_name] = parts.pop(old)
        rels = parts["word/_rels/document.xml.rels"].decode()
        for old, new_name in names.items():
            rels = rels.replace(old.removeprefix("word/"), new_name.removeprefix("word/"))
        parts["word/_rels/document.xml.rels"] = rels.encode()

    draft = rewrite_package(seed, project / "draft.docx", rename)
    result = cli_run("import", draft, "-o", project / "briefs" / "d.yaml", cwd=project)
    assert result.exit_code == 0, result.output
    text = (project / "briefs" / "d.yaml").read_text(encoding="utf-8")
    import re

    pictures = re.findall(r"\]\((assets/[^)]+)\)", text)
    assert len(pictures) == 2 and len(set(pictures)) == 2, pictures
    colours = {(project / "briefs" / p).read_bytes() for p in pictures}
    assert colours == {_png("red"), _png("blue")}


# ---- build -o ----------------------------------------------------------------------------------

def test_a_build_keeps_the_user_s_own_hidden_part_files(project):
    write(project / "briefs" / "b.yaml", brief_text())
    mine = [write(project / ".notes.part", "my notes"),
            write(project / "sub" / ".draft.docx.part", "mine too")]
    result = cli_run("build", project / "briefs" / "b.yaml", "-o", ".", "-f", "html",
                     cwd=project)
    assert result.exit_code == 0, result.output
    for path in mine:
        assert path.is_file(), path
    assert not [p for p in project.rglob("*") if "briefkit" in p.name and p.name.endswith(".part")]


def test_a_second_run_never_replaces_another_brief_s_output_of_the_same_name(project):
    first = write(project / "briefs" / "one" / "a.yaml", brief_text(title="First"))
    second = write(project / "briefs" / "two" / "a.yaml", brief_text(title="Second"))
    out = project / "out"
    assert cli_run("build", first, "-o", out, "-f", "html", cwd=project).exit_code == 0
    before = (out / "a.html").read_bytes()
    result = cli_run("build", second, "-o", out, "-f", "html", cwd=project)
    assert result.exit_code == 1, result.output
    assert (out / "a.html").read_bytes() == before
    assert "one/a.yaml" in result.stderr and "two/a.yaml" in result.stderr
    # Once the first brief is gone, its outputs are free to take.
    first.unlink()
    assert cli_run("build", second, "-o", out, "-f", "html", cwd=project).exit_code == 0
    assert b"Second" in (out / "a.html").read_bytes()


def test_a_docx_re_zipped_without_a_content_change_counts_as_edited(project):
    brief = write(project / "briefs" / "b.yaml", brief_text(body="First words."))
    out = project / "out"
    assert cli_run("build", brief, "-o", out, "-f", "docx", cwd=project).exit_code == 0
    built = out / "b.docx"
    rezipped = project / "rezipped.docx"
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(rezipped, "w",
                                                           zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
    shutil.copy(rezipped, built)
    brief.write_text(brief_text(body="Second words."), encoding="utf-8")
    result = cli_run("build", brief, "-o", out, "-f", "docx", cwd=project)
    assert result.exit_code == 0, result.output
    assert built.read_bytes() == rezipped.read_bytes()
    assert "Second words." in docx_text(out / "b.new.docx")


def test_a_forged_cache_entry_never_vouches_for_an_edited_file(project):
    import hashlib

    brief = write(project / "briefs" / "b.yaml", brief_text(body="First words."))
    out = project / "out"
    assert cli_run("build", brief, "-o", out, "-f", "html", cwd=project).exit_code == 0
    page = out / "b.html"
    page.write_text(page.read_text(encoding="utf-8").replace("First words.", "Edited."),
                    encoding="utf-8")
    cache_file = out / ".briefkit-cache.json"
    cache = json.loads(cache_file.read_text())
    for record in cache["briefs"].values():
        record["outputs"]["html"]["sha256"] = hashlib.sha256(page.read_bytes()).hexdigest()
    cache_file.write_text(json.dumps(cache))
    brief.write_text(brief_text(body="Second words."), encoding="utf-8")
    assert cli_run("build", brief, "-o", out, "-f", "html", cwd=project).exit_code == 0
    assert "Edited." in page.read_text(encoding="utf-8")
    assert "Second words." in (out / "b.new.html").read_text(encoding="utf-8")


def test_a_build_output_that_is_a_fifo_is_refused_at_once(project):
    write(project / "briefs" / "b.yaml", brief_text())
    fifo(project / "out" / "b.html")
    done = subprocess.run([sys.executable, "-m", "briefkit.cli", "build", "briefs/b.yaml", "-o",
                           "out", "-f", "html"], cwd=project, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1, done.stderr
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr


def test_build_force_never_replaces_an_input(project):
    template = project / "briefs" / "house.docx"
    docx.Document().save(str(template))
    before = template.read_bytes()
    write(project / "briefs" / "house.yaml",
          brief_text(extra="output: {word_template: house.docx, formats: [docx]}\n"))
    result = cli_run("build", project / "briefs" / "house.yaml", "-o", project / "briefs",
                     "--force", cwd=project)
    assert result.exit_code == 1
    assert template.read_bytes() == before and "would replace" in result.stderr


# ---- new and template export -------------------------------------------------------------------

def test_new_never_writes_outside_the_project(project, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.rmtree(project / "briefs")
    (project / "briefs").symlink_to(outside)
    result = cli_run("new", "x", cwd=project)
    assert result.exit_code == 2, result.output
    assert not list(outside.iterdir())
    assert "outside the project" in result.stderr


def test_template_export_never_copies_a_file_linked_outside_the_project(project, tmp_path):
    house = project / "templates" / "house"
    write(house / "layout.yaml", "extends: report\n")
    (house / "html").mkdir()
    (house / "html" / "secret.html").symlink_to(tmp_path / "secret.txt")
    result = cli_run("template", "export", "house", project / "exported", cwd=project)
    assert result.exit_code == 2, result.output
    assert "outside the project" in result.stderr
    exported = project / "exported"
    assert not exported.exists() or "TOP-SECRET" not in "".join(
        p.read_text(errors="replace") for p in exported.rglob("*") if p.is_file())
