"""The confinement gate (core/paths.py) on its own: which files and URLs an engine may touch,
how a brief's path is looked up, which links an output keeps, which folder is the project.
Every promise of the security section rests on these answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefkit.core.paths import PathRefused, Roots, confine, find_project_root, safe_link


@pytest.fixture
def project(tmp_path):
    """project/ (with .git), a brief folder with assets/, the project's assets/, and a
    secret outside the project."""
    root = tmp_path / "project"
    brief_dir = root / "briefs" / "ties"
    (brief_dir / "assets").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / ".git").mkdir()
    builtin = tmp_path / "builtin"
    builtin.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    return Roots(brief_dir, root, builtin)


def test_a_path_is_looked_up_beside_the_brief_then_in_assets_then_in_the_project(project):
    brief_dir, root = project.brief_dir, project.project
    (root / "chart.png").write_bytes(b"project")
    assert project.resolve("chart.png") == (root / "chart.png").resolve()
    (root / "assets" / "chart.png").write_bytes(b"project assets")
    assert project.resolve("chart.png") == (root / "assets" / "chart.png").resolve()
    (brief_dir / "assets" / "chart.png").write_bytes(b"brief assets")
    assert project.resolve("chart.png") == (brief_dir / "assets" / "chart.png").resolve()
    (brief_dir / "chart.png").write_bytes(b"beside")
    assert project.resolve("chart.png") == (brief_dir / "chart.png").resolve()
    # every place looked at is recorded: a file appearing there later changes the build
    assert brief_dir / "chart.png" in project.probed


@pytest.mark.parametrize("text, words", [
    ("../../../secret.txt", "outside the project"),
    ("https://example.org/chart.png", "is a URL; briefkit reads only files"),
    ("file:///etc/passwd", "is a URL"),
    ("", "the path is empty"),
    ("missing.png", "no file 'missing.png'"),
])
def test_a_path_the_gate_refuses_says_why(project, text, words):
    with pytest.raises(PathRefused, match=words):
        project.resolve(text)


def test_an_absolute_path_is_used_as_it_is_and_confined(project):
    inside = project.project / "assets" / "a.png"
    inside.write_bytes(b"x")
    assert project.resolve(str(inside)) == inside.resolve()
    with pytest.raises(PathRefused, match="outside the project"):
        project.resolve(str(project.project.parent / "secret.txt"))


def test_a_symlink_out_of_the_project_is_refused_at_any_level(project):
    outside = project.project.parent
    os.symlink(outside / "secret.txt", project.brief_dir / "linked.txt")
    os.symlink(outside, project.brief_dir / "linked-folder")
    with pytest.raises(PathRefused, match="outside the project"):
        project.resolve("linked.txt")
    with pytest.raises(PathRefused, match="outside the project"):
        project.read_text(project.brief_dir / "linked-folder" / "secret.txt")
    with pytest.raises(PathRefused, match="a link to"):
        confine(project.brief_dir / "linked.txt", project.allowed())


def test_a_link_inside_the_project_is_followed_and_a_broken_one_named(project):
    (project.project / "assets" / "real.png").write_bytes(b"x")
    os.symlink(project.project / "assets" / "real.png", project.brief_dir / "alias.png")
    assert project.resolve("alias.png") == (project.project / "assets" / "real.png").resolve()
    os.symlink(project.brief_dir / "gone.png", project.brief_dir / "broken.png")
    with pytest.raises(PathRefused, match="is a broken link"):
        project.resolve("broken.png")


def test_files_and_folders_are_told_apart(project):
    (project.brief_dir / "styles").mkdir()
    (project.brief_dir / "a.csl").write_text("<style/>")
    with pytest.raises(PathRefused, match="is a folder; a file is expected"):
        project.resolve("styles")
    with pytest.raises(PathRefused, match="is a file; a folder is expected"):
        project.resolve("a.csl", kind="folder")
    assert project.resolve("new.yaml", must_exist=False) == (project.brief_dir / "new.yaml").resolve()


@pytest.mark.parametrize("url, allowed", [
    ("data:image/png;base64,AAAA", True),
    ("file:///{inside}", True),
    ("file:///{outside}", False),
    ("file://server/share/x.png", False),
    ("http://example.org/a.png", False),
    ("https://example.org/a.png", False),
    ("ftp://example.org/a.png", False),
    ("javascript:alert(1)", False),
])
def test_what_an_engine_may_fetch(project, url, allowed):
    inside = project.brief_dir / "a.png"
    inside.write_bytes(b"x")
    url = url.format(inside=str(inside).lstrip("/"),
                     outside=str(project.project.parent / "secret.txt").lstrip("/"))
    if allowed:
        assert project.fetchable(url) == url
    else:
        with pytest.raises(PathRefused):
            project.fetchable(url)


def test_the_network_is_reachable_only_when_allowed(project):
    with pytest.raises(PathRefused, match="--allow-network"):
        project.fetchable("https://example.org/a.png")
    online = Roots(project.brief_dir, project.project, project.builtin, allow_network=True)
    assert online.fetchable("https://example.org/a.png") == "https://example.org/a.png"
    with pytest.raises(PathRefused, match="never reads"):
        online.fetchable("ftp://example.org/a.png")


def test_a_data_uri_carries_a_confined_file(project):
    (project.brief_dir / "chart.png").write_bytes(b"\x89PNG")
    assert project.data_uri(project.brief_dir / "chart.png") == "data:image/png;base64,iVBORw=="


@pytest.mark.parametrize("url, kept", [
    ("https://example.org/a", True), ("HTTP://EXAMPLE.ORG", True),
    ("mailto:someone@example.org", True), ("#finding-2", True),
    ("javascript:alert(1)", False), ("file:///etc/passwd", False), ("//evil.org/x", False),
    ("report.pdf", False), ("https://", False), ("mailto:", False), ("", False), (None, False),
    ("  https://example.org/a  ", True),
])
def test_only_web_mail_and_in_page_links_are_written_into_an_output(url, kept):
    assert (safe_link(url) is not None) == kept


@pytest.mark.parametrize("marker", ["briefs", "templates", ".git", "pyproject.toml"])
def test_the_project_is_the_nearest_folder_with_a_marker(tmp_path, marker):
    root = tmp_path / "house"
    deep = root / "drafts" / "2024"
    deep.mkdir(parents=True)
    if marker == "pyproject.toml":
        (root / marker).touch()
    else:
        (root / marker).mkdir()
    (deep / "brief.yaml").write_text("title: T\n")
    assert find_project_root(deep / "brief.yaml") == root.resolve()
    assert find_project_root(deep) == root.resolve()


def test_a_folder_named_briefs_belongs_to_its_parent_and_no_marker_means_here(tmp_path):
    (tmp_path / "p" / "briefs" / "ties").mkdir(parents=True)
    assert find_project_root(tmp_path / "p" / "briefs" / "ties") == (tmp_path / "p").resolve()
    lone = tmp_path / "lone"
    lone.mkdir()
    found = find_project_root(lone / "brief.yaml")
    assert found == lone.resolve() or any((found / m).exists() for m in (".git", "pyproject.toml"))


def test_builtin_data_is_inside_the_gate(project):
    (project.builtin / "style.csl").write_text("<style/>")
    assert project.real(project.builtin / "style.csl") == (project.builtin / "style.csl").resolve()
    assert Path(project.builtin).resolve() in project.allowed()
