"""The test layers: which tests are whole builds (marker `build`), found from what they call.

A test is a whole build when it, or a helper or fixture of the test suite that it uses (followed
through every helper they call in turn), does one of:
- call one of briefkit's build or render entry points (`BUILD_CALLS`);
- run one of the command line's building commands (`BUILD_COMMANDS`) through click's CliRunner
  or as a briefkit process;
- need LibreOffice, Chromium or poppler (`needs(...)` with a tool of `RENDERERS_NEEDED`): those
  only ever read outputs a build made.
Every other test is the quick layer: `pytest -m "not slow and not build"`. A test may also say
it with `@pytest.mark.build` (or `pytestmark` for a module).

Found statically, the marker could miss a build made in some new way (`check` of a brief that
passes renders every format in memory), so a net catches what slips through at run time: a test
not marked `build` that renders a format in this process or starts LibreOffice, Chromium or a
briefkit build fails in the quick layer, saying to mark it, and is a warning in other runs.
"""

from __future__ import annotations

import inspect
import subprocess
from pathlib import Path
from types import CodeType

import pytest

# Folders of the test suite's own code (tests, helpers, conftest): followed into when called.
SUITE_FOLDERS = {Path(__file__).resolve().parent}

# Functions whose call is a whole build, a render, or a renderer (briefkit's and the suite's).
BUILD_CALLS = frozenset({
    "build_brief", "build_one", "build_all", "produce", "render_formats", "render",
    "render_docx", "render_pdf", "render_screen", "libreoffice_pdf", "soffice", "axe",
})
# Commands of the command line that build (or import, compare, combine whole documents).
BUILD_COMMANDS = frozenset({"build", "import", "redline", "watch", "combine"})
# What invokes the command line: click's CliRunner, or a briefkit process.
CLI_CALLS = frozenset({"invoke", "CliRunner"})
CLI_PROCESS = frozenset({"briefkit", "briefkit.cli"})
RENDERERS_NEEDED = frozenset({"soffice", "axe", "pdftoppm", "pdftotext", "pdffonts"})
# Programs whose start at run time means the test builds.
RENDERER_PROGRAMS = frozenset({"soffice", "libreoffice", "soffice.bin", "chromium", "node"})

BUILD = pytest.mark.build


# ---- static: what a test reaches ----------------------------------------------------------------


def _unwrapped(obj):
    """The function under decorators: a method's, functools.wraps', Hypothesis' `@given`."""
    obj = inspect.unwrap(getattr(obj, "__func__", obj))
    inner = getattr(getattr(obj, "hypothesis", None), "inner_test", None)
    return _unwrapped(inner) if inner is not None else obj


def _own_code(obj) -> CodeType | None:
    """The code of a function of the test suite (a test, helper or fixture), else None."""
    obj = _unwrapped(obj)
    code = getattr(obj, "__code__", None)
    if code is None:
        return None
    path = Path(code.co_filename).resolve()
    return code if any(path.is_relative_to(folder) for folder in SUITE_FOLDERS) else None


_reached: dict[CodeType, tuple[frozenset, frozenset]] = {}


def reached(function) -> tuple[frozenset, frozenset]:
    """(names, strings) the code of `function` uses, with those of every function of the
    test suite it names, followed transitively."""
    start = _own_code(function)
    if start is None:
        return frozenset(), frozenset()
    if start in _reached:
        return _reached[start]
    names: set[str] = set()
    strings: set[str] = set()
    seen: set[CodeType] = set()
    pending = [(start, getattr(_unwrapped(function), "__globals__", {}))]
    while pending:
        code, globals_ = pending.pop()
        if code in seen:
            continue
        seen.add(code)
        names.update(code.co_names)
        for const in code.co_consts:
            if isinstance(const, CodeType):
                pending.append((const, globals_))
            elif isinstance(const, str):
                strings.add(const)
            elif isinstance(const, (tuple, frozenset)):
                strings.update(c for c in const if isinstance(c, str))
        for name in code.co_names:
            helper = globals_.get(name)
            helper_code = _own_code(helper) if callable(helper) else None
            if helper_code is not None:
                pending.append((helper_code, _unwrapped(helper).__globals__))
            elif inspect.ismodule(helper):
                # `readers.libreoffice_pdf`: the suite's functions of a module named here
                for attribute in code.co_names:
                    member = getattr(helper, attribute, None)
                    member_code = _own_code(member) if callable(member) else None
                    if member_code is not None:
                        pending.append((member_code, member.__globals__))
    _reached[start] = (frozenset(names), frozenset(strings))
    return _reached[start]


def builds(names: frozenset, strings: frozenset) -> bool:
    if names & BUILD_CALLS:
        return True
    runs_cli = bool(names & CLI_CALLS) or bool(strings & CLI_PROCESS)
    return runs_cli and bool(strings & BUILD_COMMANDS)


def is_build(item) -> bool:
    if item.get_closest_marker("build") is not None:
        return True
    for marker in item.iter_markers("needs"):
        if RENDERERS_NEEDED & set(marker.args):
            return True
    if item.get_closest_marker("libreoffice") is not None:
        return True
    functions = [getattr(item, "obj", None)]
    info = getattr(item, "_fixtureinfo", None)
    for name in getattr(item, "fixturenames", ()):
        for definition in (info.name2fixturedefs.get(name, ()) if info else ()):
            functions.append(definition.func)
    return any(builds(*reached(f)) for f in functions if f is not None)


def mark_build_tests(items) -> None:
    SUITE_FOLDERS.update(Path(item.path).resolve().parent for item in items)
    for item in items:
        if item.get_closest_marker("build") is None and is_build(item):
            item.add_marker(BUILD)


# ---- at run time: the net -----------------------------------------------------------------------

_built: list[str] = []  # what the running test did that is a build


def watch_for_builds() -> None:
    """Note every render in this process and every renderer or briefkit build started."""
    import briefkit.render as render_module

    if getattr(render_module.render, "watched", False):
        return
    original_render = render_module.render

    def render(prepared, fmt):
        _built.append(f"rendered {fmt}")
        return original_render(prepared, fmt)

    render.watched = True  # type: ignore[attr-defined]
    render_module.render = render

    original_init = subprocess.Popen.__init__

    def __init__(self, args, *rest, **options):
        argv = [str(a) for a in args] if isinstance(args, (list, tuple)) else str(args).split()
        program = Path(argv[0]).name if argv else ""
        if program in RENDERER_PROGRAMS:
            _built.append(f"started {program}")
        elif CLI_PROCESS & {program, *argv} and BUILD_COMMANDS & set(argv):
            _built.append(f"ran briefkit {' '.join(sorted(BUILD_COMMANDS & set(argv)))}")
        original_init(self, args, *rest, **options)

    subprocess.Popen.__init__ = __init__  # type: ignore[method-assign]


class BuildNotMarked(pytest.PytestWarning):
    """A test builds without the `build` marker (it would slow the quick layer)."""


class BuildNet:
    """A test not marked `build` that builds (in its setup or its call: a fixture that builds
    slows the quick layer as much as the test itself) fails when the run is the quick layer,
    and is warned about otherwise (CI's run of every layer does not fail for it)."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item):
        _built.clear()
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        result = yield
        if _built and item.get_closest_marker("build") is None:
            done = ", ".join(dict.fromkeys(_built))
            message = (
                f"this test builds ({done}) but is not marked `build`, so it would slow the "
                "quick layer: add @pytest.mark.build (tests/layers.py says how builds are found)"
            )
            if "not build" in " ".join(str(item.config.option.markexpr or "").split()):
                pytest.fail(message, pytrace=False)
            item.warn(BuildNotMarked(message))
        return result
