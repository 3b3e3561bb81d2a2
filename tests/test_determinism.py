"""Same inputs, same bytes: a brief built twice (into other folders, at other times) gives
byte-identical DOCX, HTML and PDF files, with briefkit's own Word template and with a house
template that carries no document properties of its own (python-docx would otherwise date
the file with the time of the build)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from briefkit.builder.batch import build_brief

from conftest import CORPUS, ROOT


def _twice(brief: Path, tmp_path: Path, formats) -> list[tuple[bytes, bytes]]:
    first = build_brief(brief, tmp_path / "first", formats, parallel=False).outputs
    time.sleep(1.1)  # a clock that leaks into the file would now differ
    second = build_brief(brief, tmp_path / "second", formats, parallel=False).outputs
    return [(a.read_bytes(), b.read_bytes()) for a, b in zip(sorted(first), sorted(second))]


def test_an_example_builds_to_the_same_bytes_twice(tmp_path):
    pairs = _twice(ROOT / "briefs" / "tech-ties" / "brief.yaml", tmp_path, ["docx", "html", "pdf"])
    assert len(pairs) == 3
    assert all(a == b for a, b in pairs)


@pytest.mark.needs("shared")
def test_a_house_template_without_properties_builds_to_the_same_bytes_twice(tmp_path):
    case = CORPUS / "docx-pandoc-ns0"
    copy = tmp_path / "case"
    shutil.copytree(case, copy)
    pairs = _twice(copy / "brief.yaml", tmp_path, ["docx"])
    assert pairs and all(a == b for a, b in pairs)
