"""Shared fixtures: example briefs built once per test session, and a brief writer."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from briefkit.pipeline import build_brief

ROOT = Path(__file__).resolve().parents[1]
BRIEFS = ROOT / "briefs"


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_soffice: skipped when LibreOffice is not installed")


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


def _build(tmp_path_factory, relative: str) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("out")
    result = build_brief(BRIEFS / relative, out)
    return {p.suffix[1:]: p for p in result.outputs}


@pytest.fixture(scope="session")
def tech_ties(tmp_path_factory):
    """The short citations example, built in all three formats."""
    return _build(tmp_path_factory, "tech-ties/brief.yaml")


@pytest.fixture(scope="session")
def aspi(tmp_path_factory):
    """The long ASPI report example, built in all three formats."""
    return _build(tmp_path_factory, "sino-russian-tech.yaml")


def example_briefs() -> list[Path]:
    from briefkit.batch import discover

    return sorted(brief for brief, _ in discover([BRIEFS]))


@pytest.fixture(scope="session")
def examples(tmp_path_factory):
    """Every example brief in briefs/, built once: {brief path: {format: output path}}."""
    built = {}
    for brief in example_briefs():
        out = tmp_path_factory.mktemp(brief.stem)
        result = build_brief(brief, out, ["docx", "html", "pdf"])
        built[brief] = {p.suffix[1:]: p for p in result.outputs}
    return built


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")
