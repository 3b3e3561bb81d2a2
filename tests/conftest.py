"""Shared fixtures: example briefs built once per test session, a brief writer, and the
`needs` marker: `@pytest.mark.needs("soffice", "pdftoppm")` on a test that uses system tools.
A missing tool skips the test with the reason on a developer's machine, and FAILS it in CI
(`CI=true`), so a CI run never passes by skipping; `scripts/install-test-deps` installs them all.

The test layers (see the README): a test that makes a whole build, runs briefkit's command
line on a build command, or starts LibreOffice or Chromium is marked `build` here, by what it
and the helpers and fixtures it uses call (layers.py); the rest is the quick layer,
`pytest -m "not slow and not build"`.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from briefkit.builder.batch import build_brief
from layers import BuildNet, mark_build_tests, watch_for_builds

ROOT = Path(__file__).resolve().parents[1]
BRIEFS = ROOT / "briefs"
# The real-world corpus and sources the project is tested against live beside the checkout
# (../shared); a clone without them skips those tests, saying so (CI fails them instead).
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


A11Y = Path(__file__).parent / "a11y"

# What each tool a test may need is, and how to tell it is there.
TOOLS = {
    "soffice": ("LibreOffice (soffice)", lambda: soffice() is not None),
    "pdftoppm": ("poppler's pdftoppm", lambda: shutil.which("pdftoppm") is not None),
    "pdftotext": ("poppler's pdftotext", lambda: shutil.which("pdftotext") is not None),
    "pdffonts": ("poppler's pdffonts", lambda: shutil.which("pdffonts") is not None),
    "shared": ("../shared beside the checkout (the real-world corpus the tests read)",
               lambda: CORPUS.is_dir()),
    "axe": ("node, Debian's chromium and axe-core (npm install in tests/a11y)",
            lambda: bool(shutil.which("node") and Path("/usr/bin/chromium").exists()
                         and (A11Y / "node_modules" / "axe-core").is_dir())),
}


def pytest_configure(config):
    config.addinivalue_line("markers", "needs(*tools): the system tools the test uses ("
                            + ", ".join(TOOLS) + "); skipped without them, failed in CI")
    watch_for_builds()
    config.pluginmanager.register(BuildNet(), "briefkit-build-net")


def pytest_collection_modifyitems(config, items):
    mark_build_tests(items)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def pytest_runtest_setup(item):
    for marker in item.iter_markers("needs"):
        missing = [name for name in marker.args if not TOOLS[name][1]()]
        if missing:
            remedy = ("put the project's shared folder (corpus, sources, spec) beside this "
                      "checkout as ../shared" if missing == ["shared"] else
                      "run scripts/install-test-deps (or see `briefkit doctor --tests`)")
            reason = f"needs {', '.join(TOOLS[name][0] for name in missing)}: {remedy}"
            if in_ci():
                pytest.fail(f"CI=true and this test {reason}", pytrace=False)
            pytest.skip(reason)


def corpus_cases(pattern: str) -> list:
    """Parameters for a test over `../shared/corpus/<pattern>`: the matching paths, or without
    the corpus one parameter that skips saying why (CI fails it)."""
    if CORPUS.is_dir():
        return sorted(CORPUS.glob(pattern))
    return [pytest.param(None, marks=pytest.mark.needs("shared"), id="no-corpus")]


@pytest.fixture
def write_brief(tmp_path):
    """write_brief(*texts, name="brief.yaml") -> path of a brief written under tmp_path; each
    text is dedented on its own, so indented snippets can be combined."""

    def write(*texts: str, name: str = "brief.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(textwrap.dedent(t).lstrip("\n") for t in texts)
        path.write_text(text, encoding="utf-8")
        return path

    return write


def built(tmp_path_factory, brief: Path, formats=("docx", "html", "pdf"), *,
          wait: bool = True) -> dict[str, Path] | None:
    """`brief` built in `formats` once per test run: {format: output path}. The outputs are
    shared, so tests only read them. Under pytest-xdist the workers share them too: the first
    to need a build makes it (holding a lock on it), the others wait and read it; without
    `wait`, None when another process is making it."""
    key = f"{brief.parent.name if brief.stem == 'brief' else brief.stem}-{'-'.join(formats)}"
    if key in _BUILT:
        return _BUILT[key]
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "built"
    shared.mkdir(exist_ok=True)
    with open(shared / f"{key}.lock", "w") as lock:
        try:  # released when the file closes
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return None
        record = shared / f"{key}.json"
        if not record.exists():
            result = build_brief(brief, shared / key, list(formats))
            record.write_text(json.dumps({p.suffix[1:]: str(p) for p in result.outputs}))
        outputs = {fmt: Path(path) for fmt, path in json.loads(record.read_text()).items()}
    _BUILT[key] = outputs
    return outputs


_BUILT: dict[str, dict[str, Path]] = {}


@pytest.fixture(scope="session")
def tech_ties(tmp_path_factory):
    """The short citations example, built in all three formats."""
    return built(tmp_path_factory, BRIEFS / "tech-ties" / "brief.yaml")


@pytest.fixture(scope="session")
def aspi(tmp_path_factory):
    """The long ASPI report example, built in all three formats."""
    return built(tmp_path_factory, BRIEFS / "sino-russian-tech.yaml")


def example_briefs() -> list[Path]:
    from briefkit.builder.batch import discover

    return sorted(brief for brief, _ in discover([BRIEFS]))


@pytest.fixture(scope="session")
def examples(tmp_path_factory):
    """Every example brief in briefs/, built once: {brief path: {format: output path}}.
    Two workers that need them at once share the builds out: each first makes those nobody
    is making, then waits for the rest."""
    briefs = example_briefs()
    outputs = {brief: built(tmp_path_factory, brief, wait=False) for brief in briefs}
    return {brief: outputs[brief] or built(tmp_path_factory, brief) for brief in briefs}


@pytest.fixture(scope="session")
def starters(tmp_path_factory):
    """Every layout's starter brief (what `briefkit new` writes), built once in all three
    formats: {layout: {format: output path}}."""
    import datetime as dt

    from briefkit.layout.folders import available, starter_brief

    built = {}
    for layout in sorted(available()):
        folder = tmp_path_factory.mktemp(f"starter-{layout}")
        path = folder / "brief.yaml"
        path.write_text(starter_brief(layout, "Energy security", dt.date(2024, 5, 1)),
                        encoding="utf-8")
        result = build_brief(path, folder / "out", ["docx", "html", "pdf"])
        built[layout] = {p.suffix[1:]: p for p in result.outputs}
    return built


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")
