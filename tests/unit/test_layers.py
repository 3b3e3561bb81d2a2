"""The test layers (tests/layers.py) put a whole build out of the quick layer however it is
reached, and the net fails an unmarked test that renders. Checked on a small suite written
here and run by pytest in this process (pytester)."""

from __future__ import annotations

import click.testing  # noqa: F401  (imported here, the inner runs do not import them again)
import hypothesis  # noqa: F401

import briefkit.builder.batch  # noqa: F401
import briefkit.cli  # noqa: F401
import briefkit.render  # noqa: F401
import layers

pytest_plugins = ["pytester"]

CONFTEST = """
import layers

def pytest_configure(config):
    config.addinivalue_line("markers", "build: whole builds")
    config.addinivalue_line("markers", "needs(*tools): system tools")
    layers.watch_for_builds()
    config.pluginmanager.register(layers.BuildNet(), "briefkit-build-net")

def pytest_collection_modifyitems(config, items):
    layers.mark_build_tests(items)
"""

SUITE = """
import functools
import subprocess
import sys

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from briefkit.builder.batch import build_brief
from briefkit.cli import cli
from briefkit.render import render


def make(path, out):
    return build_brief(path, out)


def run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def house(tmp_path_factory):
    return make("brief.yaml", tmp_path_factory.mktemp("out"))


def test_calls_the_library():
    if sys.argv is None:  # never: these tests are only collected
        build_brief("brief.yaml", "out")


def test_calls_a_helper_that_builds():
    if sys.argv is None:  # never: these tests are only collected
        make("brief.yaml", "out")


def test_uses_a_fixture_that_builds(house):
    pass


def test_runs_the_build_command():
    if sys.argv is None:  # never: these tests are only collected
        run("build", "brief.yaml")


def test_runs_a_briefkit_process():
    if sys.argv is None:  # never: these tests are only collected
        subprocess.run([sys.executable, "-m", "briefkit.cli", "import", "draft.docx"])


@settings(max_examples=1, database=None)
@given(st.none())
def test_generated_and_builds(value):
    if value:
        make("brief.yaml", "out")


@pytest.mark.needs("soffice")
def test_reads_with_libreoffice():
    pass


def test_checks_a_wrong_brief():
    if sys.argv is None:  # never: these tests are only collected
        run("check", "brief.yaml")


def test_reads_a_schema():
    if sys.argv is None:  # never: these tests are only collected
        run("schema")


def test_renders_unmarked():
    # a render the code does not show (a name made at run time): only the net sees it
    renderer = getattr(sys.modules["briefkit.render"], "".join(["ren", "der"]))
    try:
        renderer(None, "html")
    except Exception:
        pass


@pytest.mark.build
def test_renders_marked():
    try:
        render(None, "html")
    except Exception:
        pass
"""

BUILDS = ["calls_the_library", "calls_a_helper_that_builds", "uses_a_fixture_that_builds",
          "runs_the_build_command", "runs_a_briefkit_process", "generated_and_builds",
          "reads_with_libreoffice", "renders_marked"]
QUICK = ["checks_a_wrong_brief", "reads_a_schema", "renders_unmarked"]


def collected(pytester, *args) -> list[str]:
    result = pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider", *args)
    return sorted(line.split("::test_")[1] for line in result.outlines if "::test_" in line)


def test_builds_are_marked_however_they_are_reached_and_the_rest_is_quick(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_suite=SUITE)
    assert collected(pytester, "-m", "build") == sorted(BUILDS)
    assert collected(pytester, "-m", "not build") == sorted(QUICK)


def test_an_unmarked_test_that_renders_fails_the_quick_layer_saying_to_mark_it(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_suite=SUITE)
    try:
        quick = pytester.runpytest("-p", "no:cacheprovider", "-k", "renders", "-m", "not build")
        every = pytester.runpytest("-p", "no:cacheprovider", "-k", "renders")
    finally:
        layers._built.clear()  # what the inner tests rendered is not this test's
    quick.assert_outcomes(failed=1, deselected=10)
    quick.stdout.fnmatch_lines(["*test_renders_unmarked*",
                                "*this test builds (rendered html) but is not marked `build`*"])
    # a run of every layer (CI's) passes, with a warning naming the test
    every.assert_outcomes(passed=2, deselected=9, warnings=1)
    every.stdout.fnmatch_lines(["*test_renders_unmarked*", "*BuildNotMarked: this test builds*"])
