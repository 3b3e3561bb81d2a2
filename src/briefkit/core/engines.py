"""Engines and system pieces: what briefkit and its tests need from the machine, whether it is
there, and how to install it.

In: nothing (the machine). Out: `Probe`s for `briefkit doctor`, and `EngineMissing`, raised by a
writer whose engine cannot load (the PDF's WeasyPrint without Pango), so that a build makes
the formats it can and says how to get the others (exit code 3).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from briefkit.formats import FORMAT

ENGINE_MISSING_EXIT = 3


@dataclass(frozen=True)
class Install:
    debian: str  # apt-get packages
    macos: str  # Homebrew formulae / casks

    def lines(self) -> list[str]:
        out = []
        if self.debian:
            out.append(f"Debian/Ubuntu: sudo apt-get install {self.debian}")
        if self.macos:
            out.append(f"macOS: brew install {self.macos}")
        return out

    def __str__(self) -> str:
        return "; ".join(self.lines())


PANGO = Install("libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0", "pango")


class EngineMissing(Exception):
    """A format's engine cannot run on this machine (a system library is missing)."""

    def __init__(self, fmt: str, engine: str, reason: str, install: Install):
        self.fmt, self.engine, self.reason, self.install = fmt, engine, reason, install
        super().__init__(self.message())

    def __reduce__(self):  # it crosses from the PDF process (render/pdf_process.py)
        return (type(self), (self.fmt, self.engine, self.reason, self.install))

    def message(self) -> str:
        return (
            f"the {self.fmt.upper()} was not made: {self.engine} cannot load on this machine "
            f"({self.reason}). Install it ({self.install}), then build again; "
            "`briefkit doctor` checks the rest"
        )


def load_weasyprint():
    """Import WeasyPrint, or raise `EngineMissing` naming the library it could not load."""
    try:
        with _libraries_from_ldconfig():
            import weasyprint  # noqa: F401  (it loads Pango through cffi on import)
    except (OSError, ImportError) as exc:
        raise EngineMissing("pdf", "WeasyPrint", _first_line(exc), PANGO) from None
    return weasyprint


@contextlib.contextmanager
def _libraries_from_ldconfig():
    """On Linux, `ctypes.util.find_library` answered from the linker cache alone.

    WeasyPrint tries three names per library (Windows' and macOS' first), and for each name
    the linker cache does not know, `find_library` runs gcc and ld (about 10 ms a name, 0.15 s
    of a build). Its last names are sonames (`libpango-1.0.so.0`), which cffi opens directly
    wherever the dynamic loader looks (LD_LIBRARY_PATH included), so nothing is lost."""
    # ctypes only when WeasyPrint fails to load (to name the library)
    import ctypes.util

    from_cache = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if not sys.platform.startswith("linux") or from_cache is None:
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = from_cache
    try:
        yield
    finally:
        ctypes.util.find_library = original


def require_engine(name: str) -> None:
    """Load engine `name` (a format's `engine` in the table of formats); raises
    `EngineMissing` when it cannot load on this machine."""
    {"weasyprint": load_weasyprint}[name]()


def usable(formats, missing: list[EngineMissing]) -> list[str]:
    """`formats` without those whose engine cannot load here (each recorded in `missing`)."""
    out = []
    for fmt in formats:
        engine = FORMAT[fmt].engine
        try:
            if engine is not None:
                require_engine(engine)
        except EngineMissing as exc:
            missing.append(exc)
            continue
        out.append(fmt)
    return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# ---- doctor -----------------------------------------------------------------------------------


@dataclass
class Probe:
    name: str
    needed_for: str
    ok: bool
    detail: str
    install: Optional[Install] = None
    required: bool = True  # False: only the tests need it


def _run(command: list[str], timeout: float = 20) -> Optional[str]:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def probe_weasyprint() -> Probe:
    try:
        weasyprint = load_weasyprint()
    except EngineMissing as exc:
        return Probe("WeasyPrint + Pango", "PDF", False, exc.reason, PANGO)
    return Probe("WeasyPrint + Pango", "PDF", True, f"WeasyPrint {weasyprint.__version__}")


def probe_pandoc() -> Probe:
    try:
        # imported late: it probes for the binary on import
        import pypandoc

        version = pypandoc.get_pandoc_version()
    except (OSError, ImportError, RuntimeError) as exc:
        return Probe(
            "Pandoc",
            "every format: Markdown and citations",
            False,
            _first_line(exc),
            Install("pandoc", "pandoc"),
        )
    return Probe(
        "Pandoc",
        "every format: Markdown and citations",
        True,
        f"pandoc {version} (pypandoc-binary)",
    )


# Scripts a brief may be written in, a character each must show, and the fonts that have it.
SCRIPTS = {
    "Latin": ("é", Install("fonts-dejavu-core", "")),
    "Cyrillic": ("Ж", Install("fonts-dejavu-core", "")),
    "Greek": ("λ", Install("fonts-dejavu-core", "")),
    "Chinese/Japanese/Korean": ("话", Install("fonts-noto-cjk", "--cask font-noto-sans-cjk")),
    "Arabic": ("ع", Install("fonts-noto-core", "--cask font-noto-naskh-arabic")),
}


def fonts_with(character: str) -> Optional[list[str]]:
    """The font families fontconfig knows that have `character`, or None when fontconfig
    (fc-list) is not there to ask."""
    out = _run(["fc-list", f":charset={ord(character):x}", "family"])
    if out is None:
        return None
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


def probe_fonts() -> list[Probe]:
    probes = []
    for script, (sample, install) in SCRIPTS.items():
        families = fonts_with(sample)
        if families is None:
            return [
                Probe(
                    "fontconfig (fc-list)",
                    "finding fonts for the PDF",
                    False,
                    "fc-list not found",
                    Install("fontconfig", "fontconfig"),
                )
            ]
        probes.append(
            Probe(
                f"fonts for {script}",
                f"{script} text in the PDF",
                bool(families),
                ", ".join(families[:3]) + (" …" if len(families) > 3 else "")
                if families
                else f"no installed font has {sample!r}",
                install,
                required=script == "Latin",
            )
        )
    return probes


def probe_command(
    name: str,
    commands: list[str],
    needed_for: str,
    install: Install,
    version_args: tuple[str, ...] = ("--version",),
) -> Probe:
    for command in commands:
        found = shutil.which(command) or (
            command if Path(command).is_absolute() and Path(command).exists() else None
        )
        if found:
            out = _run([found, *version_args]) or ""
            return Probe(
                name,
                needed_for,
                True,
                (out.strip().splitlines() or [found])[0],
                install,
                required=False,
            )
    return Probe(name, needed_for, False, "not found", install, required=False)


def probe_axe(repo: Optional[Path]) -> Probe:
    folder = (repo / "tests" / "a11y") if repo else None
    install = Install("npm (then: cd tests/a11y && npm install)", "node")
    if folder is None or not folder.is_dir():
        return Probe(
            "axe-core (npm)",
            "the accessibility tests",
            True,
            "not a briefkit checkout: not needed",
            install,
            required=False,
        )
    ok = (folder / "node_modules" / "axe-core").is_dir()
    return Probe(
        "axe-core (npm)",
        "the accessibility tests",
        ok,
        "installed in tests/a11y" if ok else "run `npm install` in tests/a11y",
        install,
        required=False,
    )


def test_tools() -> list[Callable[[], Probe]]:
    return [
        lambda: probe_command(
            "LibreOffice",
            ["soffice", "libreoffice"],
            "the tests: a second reader of the DOCX",
            Install("libreoffice-writer-nogui", "--cask libreoffice"),
        ),
        lambda: probe_command(
            "poppler (pdftotext)",
            ["pdftotext"],
            "the tests: reading PDFs",
            Install("poppler-utils", "poppler"),
            ("-v",),
        ),
        lambda: probe_command(
            "Chromium",
            ["/usr/bin/chromium", "chromium", "chromium-browser"],
            "the tests: accessibility, HTML at 320 px",
            Install("chromium", "--cask chromium"),
        ),
    ]


def doctor(repo: Optional[Path]) -> list[Probe]:
    probes = [probe_pandoc(), probe_weasyprint(), *probe_fonts()]
    probes += [tool() for tool in test_tools()]
    probes.append(probe_axe(repo))
    return probes
