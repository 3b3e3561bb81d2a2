"""The code base holds to its own checks (pyproject.toml): ruff's lint rules and format over
src/, and mypy's types at the level [tool.mypy] sets. CI runs them through this file, so a
commit that breaks them does not land."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import in_ci

ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str) -> subprocess.CompletedProcess:
    tool = shutil.which(command[0]) or (
        shutil.which(command[0], path=str(Path(sys.executable).parent)))
    if tool is None:
        if in_ci():
            pytest.fail(f"CI=true and {command[0]} is missing: pip install -e '.[test]'")
        pytest.skip(f"{command[0]} is not installed: pip install -e '.[test]'")
    return subprocess.run([tool, *command[1:]], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_ruff_finds_nothing_in_src():
    done = _run("ruff", "check", "src")
    assert done.returncode == 0, done.stdout + done.stderr


def test_src_is_formatted_as_ruff_formats_it():
    done = _run("ruff", "format", "--check", "src")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_no_errors_in_src():
    # The files and the level are pyproject.toml's [tool.mypy] (its cache, .mypy_cache/,
    # ignores itself in git).
    done = _run("mypy")
    assert done.returncode == 0 and "Success: no issues found" in done.stdout, (
        done.stdout + done.stderr
    )
