"""Faces this machine has: a family name in, whether a PDF can embed it out.

A brief's `theme.fonts` may name a house face (`Lato`). When the layout ships no files for it,
the PDF takes it from the fonts installed here, through fontconfig; a face that is not
installed would silently become whatever fontconfig picks next (on a Linux machine with Noto
CJK, a CJK face whose apostrophes are full width), and one whose licence forbids embedding
(OpenType `fsType` "restricted") may not be put in the PDF or the DOCX at all. `unusable`
says which it is, so the design falls back to the layout's own faces and the brief gets a
warning at its line. The list comes from `fc-list` (fontconfig's, which Pango uses), read once
per process; without fontconfig's tools nothing can be said, and nothing is refused.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Optional

# OpenType OS/2 fsType bit 1: "Restricted License embedding" (the face must not be embedded).
_RESTRICTED = 0x0002


@lru_cache(maxsize=1)
def _installed() -> Optional[dict[str, list[Path]]]:
    """Family name (lower case) -> its files, or None when fontconfig cannot be asked."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run(
            [fc_list, "--format", "%{family}\t%{file}\n"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families: dict[str, list[Path]] = {}
    for line in out.splitlines():
        names, _, file = line.partition("\t")
        for name in names.split(","):
            families.setdefault(name.strip().lower(), []).append(Path(file))
    return families


def unusable(family: str) -> Optional[str]:
    """Why the PDF cannot use the installed face `family` ("not installed", "its licence
    forbids embedding"), or None when it can (or when this machine cannot tell)."""
    installed = _installed()
    if installed is None:
        return None
    files = installed.get(family.strip().lower())
    if not files:
        return "is not installed on this machine"
    if all(_restricted(file) for file in files):
        return "may not be embedded (its licence sets OpenType fsType to restricted)"
    return None


def _restricted(file: Path) -> bool:
    try:
        from fontTools.ttLib import TTFont  # only a house face's check needs it

        with TTFont(str(file), fontNumber=0, lazy=True) as font:
            return bool(font["OS/2"].fsType & _RESTRICTED) if "OS/2" in font else False
    except Exception:  # a face fontTools cannot read is not judged here
        return False


def usable_theme_font(theme: Optional[dict], key: str, tokens: dict) -> Optional[str]:
    """The face a brief's `theme.fonts.<key>` names, when the PDF can use it: the layout ships
    its files, or this machine has it and may embed it. Otherwise None: the layout's own face
    stays (and `theme_font_problem` says why, for the brief's warning)."""
    family = ((theme or {}).get("fonts") or {}).get(key)
    if not family:
        return None
    return None if theme_font_problem(str(family), tokens) else str(family)


def theme_font_problems(theme: Optional[dict], tokens: dict) -> list[tuple[str, str, str, str]]:
    """(key, house face, why it cannot be used, the layout's face used instead) for each face
    of a brief's `theme.fonts` the PDF cannot use."""
    out = []
    for key, role in (("body", "text"), ("headings", "display")):
        family = ((theme or {}).get("fonts") or {}).get(key)
        why = theme_font_problem(str(family), tokens) if family else None
        if why:
            out.append((key, str(family), why, str(tokens.get("faces", {}).get(role))))
    return out


def theme_font_problem(family: str, tokens: dict) -> Optional[str]:
    """Why a house face cannot be used (see `installed_fonts.unusable`), or None."""
    shipped = tokens.get("faces", {}).get("files") or {}
    if family in shipped:
        return None
    return unusable(family)
