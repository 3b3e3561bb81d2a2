"""The project boundary, round two: git revisions are data, the repository is the project's own,
every file the project holds (briefs, series files, layouts, locales, caches) is confined with
its symlinks resolved, the cache is a hint and never a source of paths, nothing blocks on a
FIFO, and house CSS and CSL styles reach nothing outside. One test per broken promise of the
second hostile probe (issue 23), named after it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import SECRET, brief_text, cli_run, fifo, project, write  # noqa: F401
from test_security import Listener

QUICK = 30  # seconds: whatever blocks on a FIFO would wait forever


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=folder, check=True, capture_output=True)


def briefkit(*args, cwd: Path, seconds: float = QUICK):
    return subprocess.run([sys.executable, "-m", "briefkit.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=seconds)


@pytest.fixture
def committed(tmp_path):
    root = tmp_path / "repo"
    write(root / "briefs" / "a.yaml", brief_text(body="First words."))
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    (root / "briefs" / "a.yaml").write_text(brief_text(body="Second words."), encoding="utf-8")
    return root


# ---- git ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("revision", ["--output=STOLEN", "--output=STOLEN:x", "-p"])
def test_a_revision_is_data_never_an_option_of_git(committed, revision):
    # git would write `--output=STOLEN:./a.yaml`: a file a.yaml in a folder "STOLEN:."
    (committed / "briefs" / "STOLEN:.").mkdir()
    result = cli_run("redline", "--against", revision, "briefs/a.yaml", "-o", "r.docx",
                     cwd=committed)
    assert result.exit_code == 1, result.output
    assert "is not readable at revision" in result.stderr
    assert not list(committed.rglob("STOLEN*/*")) and not (committed / "r.docx").exists()
    result = cli_run("build", "briefs/a.yaml", "-o", "out", "-f", "docx", "--redline-against",
                     revision, cwd=committed)
    assert result.exit_code == 1 and "is not readable at revision" in result.stderr
    assert not list(committed.rglob("STOLEN*/*"))


def test_an_empty_revision_is_a_usage_error(committed):
    result = cli_run("redline", "--against", "", "briefs/a.yaml", cwd=committed)
    assert result.exit_code == 2, result.output
    assert "--against" in result.stderr
    result = cli_run("build", "briefs", "--redline-against", "", cwd=committed)
    assert result.exit_code == 2, result.output


def test_a_git_file_naming_a_repository_outside_the_project_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    write(outside / "briefs" / "a.yaml", brief_text(title=SECRET))
    git(outside, "init", "-q")
    git(outside, "add", ".")
    git(outside, "commit", "-qm", "theirs")
    root = tmp_path / "project"
    write(root / "briefs" / "a.yaml", brief_text(body="Ours."))
    write(root / ".git", f"gitdir: {outside / '.git'}\n")
    result = cli_run("redline", "--against", "HEAD", "briefs/a.yaml", "-o", "r.docx", cwd=root)
    assert result.exit_code == 1, result.output
    assert "outside the project" in result.stderr
    assert not (root / "r.docx").exists()


def test_a_repository_above_the_project_is_not_used(tmp_path):
    above = tmp_path / "above"
    write(above / "project" / "briefs" / "a.yaml", brief_text(title=SECRET))
    git(above, "init", "-q")
    git(above, "add", ".")
    git(above, "commit", "-qm", "theirs")
    root = above / "project"
    write(root / "pyproject.toml", "")  # the project's own root, inside the repository's tree
    result = cli_run("redline", "--against", "HEAD", "briefs/a.yaml", "-o", "r.docx", cwd=root)
    assert result.exit_code == 1, result.output
    assert "no git repository" in result.stderr


# ---- symlinks out of the project ---------------------------------------------------------------

def test_a_brief_linked_outside_the_project_is_refused(project, tmp_path):
    write(tmp_path / "outside.yaml", brief_text(title=SECRET))
    (project / "briefs" / "linked.yaml").symlink_to(tmp_path / "outside.yaml")
    for target in ("briefs/linked.yaml", "briefs"):
        result = cli_run("build", target, "-o", "out", "-f", "html", cwd=project)
        assert result.exit_code == 1, result.output
        assert "linked.yaml" in result.stderr and "outside the project" in result.stderr
        assert SECRET not in result.stderr
    for page in project.rglob("*.html"):  # the folder build's series index, listing nothing
        assert SECRET not in page.read_text(encoding="utf-8")
    assert not list(project.rglob("linked.html")) and not list(project.rglob("outside.html"))
    result = cli_run("check", "briefs/linked.yaml", cwd=project)
    assert result.exit_code == 1 and "outside the project" in result.stderr


def test_a_series_file_linked_outside_the_project_is_refused(project, tmp_path):
    write(tmp_path / "series.yaml", f"kicker: {SECRET}\n")
    (project / "briefs" / "series.yaml").symlink_to(tmp_path / "series.yaml")
    write(project / "briefs" / "b.yaml", brief_text())
    result = cli_run("build", "briefs/b.yaml", "-o", "out", "-f", "html", cwd=project)
    assert result.exit_code == 1, result.output
    assert "series.yaml" in result.stderr and "outside the project" in result.stderr
    assert not list(project.rglob("*.html"))


def test_a_locale_linked_outside_the_project_is_a_located_error(project, tmp_path):
    write(tmp_path / "xx.yaml", f"extends: en\nand: {SECRET}\n")
    (project / "templates" / "locales").mkdir(parents=True)
    (project / "templates" / "locales" / "xx.yaml").symlink_to(tmp_path / "xx.yaml")
    write(project / "briefs" / "b.yaml",
          brief_text(extra="lang: xx\nauthors: [A, B]\n"))
    result = cli_run("build", "briefs/b.yaml", "-o", "out", "-f", "html", cwd=project)
    assert result.exit_code == 1, result.output
    assert "xx.yaml" in result.stderr and "outside the project" in result.stderr
    assert not list(project.rglob("*.html"))


def test_an_unused_house_template_file_linked_outside_is_never_read(project, tmp_path):
    pipe = fifo(tmp_path / "outside.pipe")  # opening it to read would wait forever
    write(project / "house" / "parts" / "colophon.html", "<p>house</p>\n")
    (project / "house" / "unused.txt").symlink_to(pipe)
    (project / "house" / "unused-secret.html").symlink_to(tmp_path / "secret.txt")
    write(project / "briefs" / "b.yaml",
          brief_text(extra="output: {html_template: ../house, formats: [html]}\n"))
    done = briefkit("build", "briefs/b.yaml", "-o", "out", cwd=project)
    assert done.returncode == 0, done.stderr
    cache = (project / "out" / ".briefkit-cache.json").read_text()
    assert str(tmp_path / "outside.pipe") not in cache and "secret.txt" not in cache


def test_a_cache_listing_an_outside_path_never_makes_the_build_open_it(project, tmp_path):
    pipe = fifo(tmp_path / "outside.pipe")
    write(project / "briefs" / "b.yaml", brief_text())
    assert briefkit("build", "briefs/b.yaml", "-o", "out", "-f", "html",
                    cwd=project).returncode == 0
    cache_file = project / "out" / ".briefkit-cache.json"
    cache = json.loads(cache_file.read_text())
    for record in cache["briefs"].values():
        record["inputs"][str(pipe)] = "0" * 64
        record["inputs"][str(tmp_path / "secret.txt")] = "0" * 64
    cache_file.write_text(json.dumps(cache))
    done = briefkit("build", "briefs/b.yaml", "-o", "out", "-f", "html", cwd=project)
    assert done.returncode == 0, done.stderr
    assert str(pipe) not in cache_file.read_text()


def test_a_cache_output_path_outside_the_folder_is_never_used(project, tmp_path):
    write(project / "briefs" / "b.yaml", brief_text())
    assert briefkit("build", "briefs/b.yaml", "-o", "out", "-f", "html",
                    cwd=project).returncode == 0
    cache_file = project / "out" / ".briefkit-cache.json"
    cache = json.loads(cache_file.read_text())
    for record in cache["briefs"].values():
        record["outputs"]["html"]["path"] = str(tmp_path / "secret.txt")
    cache_file.write_text(json.dumps(cache))
    done = briefkit("build", "briefs/b.yaml", "-o", "out", "-f", "html", cwd=project)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "secret.txt").read_text() == SECRET
    assert "secret.txt" not in done.stderr
    assert (project / "out" / "b.html").is_file()


# ---- FIFOs -------------------------------------------------------------------------------------

def test_a_fifo_named_as_a_draft_is_refused_at_once(project):
    pipe = fifo(project / "draft.docx")
    done = briefkit("import", pipe, "-o", "briefs/d.yaml", cwd=project)
    assert done.returncode in (1, 2), done.stderr
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr


def test_a_fifo_as_a_house_stylesheet_is_refused_at_once(project):
    fifo(project / "house" / "style.css")
    write(project / "briefs" / "b.yaml",
          brief_text(extra="output: {html_template: ../house, formats: [html]}\n"))
    done = briefkit("build", "briefs/b.yaml", "-o", "out", cwd=project)
    assert done.returncode == 1, done.stderr
    assert "style.css" in done.stderr and "not a regular file" in done.stderr


@pytest.mark.parametrize("what", ["bibliography", "image"])
def test_a_fifo_named_by_a_brief_is_refused_at_once(project, what):
    if what == "bibliography":
        fifo(project / "briefs" / "refs.bib")
        extra, body = "bibliography: refs.bib\n", "Words."
    else:
        fifo(project / "briefs" / "chart.png")
        extra, body = "", "![A chart](chart.png)"
    write(project / "briefs" / "b.yaml", brief_text(body=body, extra=extra))
    done = briefkit("build", "briefs/b.yaml", "-o", "out", "-f", "html", cwd=project)
    assert done.returncode == 1, done.stderr
    assert "not a regular file" in done.stderr and "b.yaml:" in done.stderr


def test_a_fifo_input_listed_in_the_cache_is_never_opened(project):
    write(project / "briefs" / "b.yaml", brief_text())
    assert briefkit("build", "briefs/b.yaml", "-o", "out", "-f", "html",
                    cwd=project).returncode == 0
    cache_file = project / "out" / ".briefkit-cache.json"
    cache = json.loads(cache_file.read_text())
    pipe = fifo(project / "briefs" / "inside.pipe")
    for record in cache["briefs"].values():
        record["inputs"][str(pipe)] = "0" * 64
    cache_file.write_text(json.dumps(cache))
    done = briefkit("build", "briefs/b.yaml", "-o", "out", "-f", "html", cwd=project)
    assert done.returncode == 0, done.stderr


# ---- house CSS and CSL styles ------------------------------------------------------------------

CSS_RULES = ["@import url(file:///etc/passwd);", "@import url(http://127.0.0.1:{port}/x.css);",
             "body {{ background: url(http://127.0.0.1:{port}/x.png); }}",
             "body {{ background: url('file:///etc/passwd'); }}"]


@pytest.mark.parametrize("rule,fmt", [
    pytest.param(rule, fmt, marks=pytest.mark.slow if fmt == "pdf" and number else ())
    for number, rule in enumerate(CSS_RULES) for fmt in ("html", "pdf")])
def test_house_css_reaching_outside_is_refused_at_its_line(project, rule, fmt):
    listener = Listener()
    try:
        write(project / "house" / "style.css",
              "h1 { color: red; }\n" + rule.format(port=listener.port) + "\n")
        write(project / "briefs" / "b.yaml",
              brief_text(extra=f"output: {{html_template: ../house, formats: [{fmt}]}}\n"))
        result = cli_run("build", "briefs/b.yaml", "-o", "out", cwd=project)
        assert result.exit_code == 1, result.output
        assert "style.css:2:" in result.stderr, result.stderr
        assert listener.connections == 0
        assert not list(project.rglob(f"*.{fmt}"))
    finally:
        listener.close()


CSL_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n' \
    '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="note">\n<info>\n' \
    '<title>Hostile</title><id>hostile</id><updated>2024-01-01T00:00:00+00:00</updated>\n'


CSL_LINKS = ['<x:link xmlns:x="urn:other" rel="independent-parent" href="{url}"/>',
             '<link xmlns="" rel="independent-parent" href="{url}"/>']


@pytest.mark.parametrize("link,target", [
    pytest.param(link, target, marks=() if (number == 0) == (target == "network")
                 else pytest.mark.slow)
    for number, link in enumerate(CSL_LINKS) for target in ("network", "file")])
def test_a_csl_parent_link_in_another_namespace_is_never_followed(project, tmp_path, link,
                                                                  target):
    listener = Listener()
    try:
        url = (f"http://127.0.0.1:{listener.port}/parent.csl" if target == "network"
               else (tmp_path / "secret.txt").as_uri())
        write(project / "briefs" / "style.csl", CSL_HEAD + link.format(url=url)
              + "\n</info>\n<citation><layout><text variable=\"title\"/></layout></citation>"
              "\n</style>\n")
        write(project / "briefs" / "refs.bib",
              "@book{a, author = {Doe, Jane}, title = {A book}, year = {2020}}\n")
        write(project / "briefs" / "b.yaml",
              brief_text(body="A claim [@a].",
                         extra="bibliography: refs.bib\ncitation_style: style.csl\n"))
        result = cli_run("build", "briefs/b.yaml", "-o", "out", "-f", "html", cwd=project)
        assert listener.connections == 0
        assert SECRET not in result.stderr and SECRET not in result.output
        for page in project.rglob("*.html"):
            assert SECRET not in page.read_text(encoding="utf-8")
    finally:
        listener.close()


def test_a_starter_brief_linked_outside_the_project_is_never_copied(project, tmp_path):
    write(project / "templates" / "house" / "layout.yaml", "extends: report\n")
    (project / "templates" / "house" / "starter.yaml").symlink_to(tmp_path / "secret.txt")
    result = cli_run("new", "x", "--layout", "house", cwd=project)
    assert result.exit_code != 0
    assert not (project / "briefs" / "x.yaml").exists()
    assert "outside the project" in result.stderr and SECRET not in result.stderr


def test_a_layout_face_linked_outside_the_project_is_never_embedded(project, tmp_path):
    write(project / "templates" / "house" / "layout.yaml", "extends: report\n")
    write(project / "templates" / "house" / "design.yaml",
          "faces:\n  text: House Serif\n  files:\n    House Serif: {regular: house.ttf}\n")
    (project / "templates" / "house" / "fonts").mkdir()
    (project / "templates" / "house" / "fonts" / "house.ttf").symlink_to(tmp_path / "secret.txt")
    write(project / "briefs" / "b.yaml", brief_text(extra="layout: house\n"))
    result = cli_run("build", "briefs/b.yaml", "-o", "out", "-f", "docx", cwd=project)
    assert result.exit_code == 1, result.output
    assert "outside the project" in result.stderr
    assert not (project / "out" / "b.docx").exists()


@pytest.mark.parametrize("where", ["templates/house/layout.yaml", "templates/locales/xx.yaml",
                                   "out/.briefkit-cache.json"])
def test_a_fifo_among_the_project_s_own_files_is_never_waited_on(project, where):
    write(project / "briefs" / "b.yaml", brief_text(extra="lang: xx\n" if "locales" in where
                                                    else "layout: house\n" if "house" in where
                                                    else ""))
    fifo(project / where)
    done = briefkit("build", "briefs/b.yaml", "-o", "out", "-f", "html", cwd=project)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    if where.startswith("out/"):
        assert done.returncode == 0, done.stderr  # a cache that cannot be read is rebuilt
    elif "locales" in where:
        assert done.returncode == 1 and "not a regular file" in done.stderr, done.stderr
    else:  # a layout.yaml that is no file makes no layout: one located line, at once
        assert done.returncode == 1 and "b.yaml:3:9: error: layout:" in done.stderr, done.stderr


@pytest.mark.parametrize("how", ["objects linked outside", "alternates"])
def test_a_repository_borrowing_from_outside_the_project_is_not_read(tmp_path, how):
    outside = tmp_path / "outside"
    write(outside / "briefs" / "a.yaml", brief_text(title=SECRET))
    git(outside, "init", "-q")
    git(outside, "add", ".")
    git(outside, "commit", "-qm", "theirs")
    root = tmp_path / "project"
    write(root / "briefs" / "a.yaml", brief_text(body="Ours."))
    git(root, "init", "-q")
    if how == "alternates":
        write(root / ".git" / "objects" / "info" / "alternates", f"{outside / '.git' / 'objects'}\n")
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=outside, capture_output=True,
                              text=True).stdout.strip()
        write(root / ".git" / "refs" / "heads" / "master", head + "\n")
        write(root / ".git" / "HEAD", "ref: refs/heads/master\n")
    else:
        import shutil

        shutil.rmtree(root / ".git" / "objects")
        (root / ".git" / "objects").symlink_to(outside / ".git" / "objects")
    result = cli_run("redline", "--against", "HEAD", "briefs/a.yaml", "-o", "r.docx", cwd=root)
    assert result.exit_code == 1, result.output
    assert SECRET not in result.stderr and not (root / "r.docx").exists()


PAGE_MARKUP = {
    "remote stylesheet": '<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">',
    "dns prefetch": '<link rel="dns-prefetch" href="//attacker.invalid">',
    "local picture": '<img src="file:///etc/passwd" alt="">',
    "remote picture set": '<img src="data:," srcset="http://127.0.0.1:{port}/a.png 2x" alt="">',
    "refresh": '<meta http-equiv="refresh" content="0; url=http://127.0.0.1:{port}/">',
    "base": '<base href="http://127.0.0.1:{port}/">',
    "script link": '<a href="javascript:alert(1)">x</a>',
    "style import": "<style>@import url(http://127.0.0.1:{port}/i.css);</style>",
    "style attribute": '<p style="background: url(http://127.0.0.1:{port}/b.png)">x</p>',
}


@pytest.mark.parametrize("markup", list(PAGE_MARKUP))
def test_a_house_template_s_markup_reaching_outside_is_refused_in_html_too(project, markup):
    listener = Listener()
    try:
        write(project / "house" / "parts" / "colophon.html",
              "<p>ok</p>\n" + PAGE_MARKUP[markup].format(port=listener.port) + "\n")
        write(project / "briefs" / "b.yaml",
              brief_text(extra="output: {html_template: ../house, formats: [html]}\n"))
        result = cli_run("build", "briefs/b.yaml", "-o", "out", cwd=project)
        assert result.exit_code == 1, result.output
        assert "colophon.html:2:" in result.stderr and "reaches outside" in result.stderr
        assert not (project / "out" / "b.html").exists() and listener.connections == 0
    finally:
        listener.close()


def test_a_house_template_s_own_relative_and_embedded_references_stay(project):
    write(project / "house" / "parts" / "colophon.html",
          '<p><a href="about.html">About</a> <a href="mailto:a@b.org">mail</a> '
          '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt=""></p>\n')
    write(project / "briefs" / "b.yaml",
          brief_text(extra="output: {html_template: ../house, formats: [html]}\n"))
    result = cli_run("build", "briefs/b.yaml", "-o", "out", cwd=project)
    assert result.exit_code == 0, result.output
    assert 'href="about.html"' in (project / "out" / "b.html").read_text(encoding="utf-8")
