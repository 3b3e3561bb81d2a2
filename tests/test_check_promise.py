"""`check` promises what `build` does: a brief check passes builds, and a brief check refuses is
refused by build with the same messages. Asserted here over the fuzzer's generated briefs and
raw files; tests/test_corpus.py asserts it over every brief of ../shared/corpus.

Both sides run the same formats: Word and HTML in the quick run, the PDF too with
`pytest -m slow`. A crash (briefkit's bug, not the brief's) must be the same crash on both sides.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given

from briefkit.core.diagnostics import BriefInvalid
from briefkit.builder.batch import build_brief
from briefkit.builder.pipeline import check_brief
from test_fuzz import LONG, QUICK, brief as generated_brief, raw as raw_file

QUICK_FORMATS = ("docx", "html")


def outcome_of_check(path: Path, formats) -> list[str]:
    try:
        return sorted(str(d) for d in check_brief(path, formats).diagnostics.errors)
    except Exception as exc:  # noqa: BLE001 - compared with build's below
        return [f"crash: {type(exc).__name__}"]


def outcome_of_build(path: Path, formats, out: Path) -> list[str]:
    try:
        build_brief(path, out, formats, parallel=False)
    except BriefInvalid as exc:
        return sorted(str(d) for d in exc.diagnostics.errors)
    except Exception as exc:  # noqa: BLE001
        return [f"crash: {type(exc).__name__}"]
    return []


def assert_check_promises_build(path: Path, formats, out: Path) -> None:
    checked = outcome_of_check(path, formats)
    built = outcome_of_build(path, formats, out)
    assert bool(checked) == bool(built), (
        f"check {'refused' if checked else 'passed'} and build "
        f"{'refused' if built else 'built'} {path}:\ncheck: {checked}\nbuild: {built}")
    # build stops before the writers of a wrong brief (but for house templates'), so what it
    # says is part of what check says
    assert set(built) <= set(checked), (built, checked)


def _generated(data: dict, formats) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "brief.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        assert_check_promises_build(path, formats, Path(folder) / "out")


def _raw(data: bytes, formats) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "brief.yaml"
        path.write_bytes(data)
        assert_check_promises_build(path, formats, Path(folder) / "out")


@QUICK
@given(generated_brief)
def test_check_promises_build_on_generated_briefs(data):
    _generated(data, QUICK_FORMATS)


@QUICK
@given(raw_file)
def test_check_promises_build_on_arbitrary_files(data):
    _raw(data, QUICK_FORMATS)


@pytest.mark.slow
@LONG
@given(generated_brief)
def test_check_promises_build_on_generated_briefs_with_the_pdf(data):
    _generated(data, ("docx", "html", "pdf"))
