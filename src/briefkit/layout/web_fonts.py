"""The web edition's faces: a design's font files and a page's text in, @font-face rules out.

The screen page carries the layout's own faces, so it looks like the PDF wherever it is read:
each shipped TTF has WOFF2 subsets by script (`fonts/web/<stem>.<subset>.woff2`, made by
`scripts/make-web-fonts`), and a page embeds, as `data:` URIs, only the subsets whose
characters it holds, each declared with its `unicode-range`. CJK faces are named through
`unicode-range` too (`cjk_faces`): a reader's installed Noto CJK then draws Chinese text and
never the apostrophes and quotes of the Latin text (its full-width ’ reads "What’ s").
"""

from __future__ import annotations

import base64
from pathlib import Path

from briefkit.layout.tokens import css_string

# A face's four styles, as design.yaml names them: (CSS font-style, font-weight).
STYLES = {
    "regular": ("normal", 400),
    "italic": ("italic", 400),
    "bold": ("normal", 700),
    "bold_italic": ("italic", 700),
}

# Script subsets, as Google Fonts cuts them: a page in English needs only `latin`.
SUBSETS: dict[str, str] = {
    "latin": "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, "
    "U+0304, U+0308, U+0329, U+2000-206F, U+20AC, U+2122, U+2190-2193, U+21A9, "
    "U+2212, U+2215, U+FEFF, U+FFFD",
    "latin-ext": "U+0100-02BA, U+02BD-02C5, U+02C7-02CC, U+02CE-02D7, U+02DD-02FF, "
    "U+0300-0303, U+0305-0307, U+0309-0328, U+032A-036F, U+1E00-1EFF, "
    "U+20A0-20AB, U+20AD-20CF, U+2113, U+2C60-2C7F, U+A720-A7FF",
    "greek": "U+0370-03FF, U+1F00-1FFF",
    "cyrillic": "U+0400-052F, U+1C80-1C88, U+2DE0-2DFF, U+A640-A69F",
}
# CJK ideographs, kana, hangul, their punctuation and full-width forms: what a CJK fallback
# face may draw. Its Latin punctuation (U+2018-201D) is full width, so it is left out.
CJK_RANGE = (
    "U+1100-11FF, U+2E80-2FDF, U+2FF0-303F, U+3040-31FF, U+3200-9FFF, U+A960-A97F, "
    "U+AC00-D7FF, U+F900-FAFF, U+FE30-FE4F, U+FF00-FFEF, U+20000-2FA1F"
)


# Where the screen stylesheet's @font-face rules go once the page, and so the characters it
# holds, is written; "<" cannot occur in the page's escaped text, so only the stylesheet has it.
WEB_FONTS_MARKER = "/*<briefkit web fonts>*/"


def codepoints(ranges: str) -> set[int]:
    """'U+0000-00FF, U+0131' -> the code points."""
    found: set[int] = set()
    for item in ranges.split(","):
        low, _, high = item.strip().removeprefix("U+").partition("-")
        found.update(range(int(low, 16), int(high or low, 16) + 1))
    return found


_POINTS = {name: frozenset(codepoints(ranges)) for name, ranges in SUBSETS.items()}


def subsets_for(text: str) -> list[str]:
    """The subsets whose characters `text` holds (`latin` always)."""
    chars = {ord(c) for c in set(text)}
    return [name for name, points in _POINTS.items() if name == "latin" or chars & points]


def web_font_faces(files: dict[str, dict[str, Path]], text: str, read_bytes) -> str:
    """@font-face rules embedding the WOFF2 subsets `text` needs of each face in `files`
    (family -> style -> TTF, as `Design.font_files`); `read_bytes` reads a file through the
    confinement gate. A face without web subsets beside its TTF is left to the reader's
    fonts (its name stays first in the stack)."""
    rules = []
    wanted = subsets_for(text)
    for family, styles in files.items():
        for style, ttf in styles.items():
            font_style, weight = STYLES[style]
            for subset in wanted:
                woff2 = ttf.parent / "web" / f"{ttf.stem}.{subset}.woff2"
                if not woff2.is_file():
                    continue
                data = base64.b64encode(read_bytes(woff2)).decode("ascii")
                rules.append(
                    f"@font-face {{ font-family: {css_string(family)}; "
                    f'src: url(data:font/woff2;base64,{data}) format("woff2"); '
                    f"font-style: {font_style}; font-weight: {weight}; "
                    f"font-display: swap; unicode-range: {SUBSETS[subset]}; }}"
                )
    return "\n".join(rules)


def cjk_faces(families: list[str], alias: str) -> str:
    """@font-face rules naming the installed CJK `families` under `alias`, for CJK characters
    only. `local()` names a face by its full name: the family for the regular weight, the
    family and "Bold" for the bold one."""
    if not families:
        return ""
    rules = []
    for weight, suffixes in ((400, ("",)), (700, (" Bold", ""))):
        sources = ", ".join(f"local({css_string(f + s)})" for f in families for s in suffixes)
        rules.append(
            f"@font-face {{ font-family: {css_string(alias)}; src: {sources}; "
            f"font-weight: {weight}; unicode-range: {CJK_RANGE}; }}"
        )
    return "\n".join(rules)
