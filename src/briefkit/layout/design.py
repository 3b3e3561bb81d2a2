"""Design tokens: a layout's `design.yaml` files in, CSS and Word style definitions out.

A layout sets how its pages look once, as data: page size and margins (mm), faces, type scale,
leading, colours, rules and spacing (pt) in `design.yaml`, inherited along `extends` (mappings
merge key by key) and overridden by a brief's `theme:`. From these tokens come

- `Design.css(medium)`: CSS custom properties (`--primary`, `--size-body`, …), the `@page`
  size and margins, and `@font-face` rules for the faces shipped with briefkit (print only:
  WeasyPrint embeds them; the screen page names them and falls back to the reader's fonts);
- `Design.word_styles(layout)`: the Word style definitions (`word/styles.yaml` entries with
  `$group.name` token references resolved, after the built-in styles derived here);
- `Design.page_setup()`: page size and margins in mm for the DOCX section;
- `Design.font_files()`: the font files of each face, for embedding in the DOCX.

The same numbers reach both media, so a house changes its design in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Location
from briefkit.layout.files import (
    LayoutError,
    builtin_dir,
    merge_mappings,
    read_layout_file,
    read_mapping,
)
from briefkit.layout.installed_fonts import usable_theme_font
from briefkit.layout.pages import furniture_css, pagination_css
from briefkit.layout.parts import PartTable
from briefkit.layout.tokens import css_name, css_string, hex_color, number
from briefkit.layout.web_fonts import STYLES, WEB_FONTS_MARKER, cjk_faces

_TOKEN_REF = re.compile(r"^\$([a-z_]+)\.([A-Za-z0-9_]+)$")
# Paper sizes in mm (width, height).
PAPER = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}
# Families every stack ends with, for readers of the screen page without the shipped faces.
_GENERIC = {
    "serif": ["Georgia", "Cambria", "Times New Roman", "serif"],
    "sans": ["Helvetica Neue", "Arial", "sans-serif"],
}
# The screen page's names for the CJK fallback faces, declared for CJK characters only.
_CJK_ALIAS = {"text": "briefkit CJK text", "display": "briefkit CJK display"}


@dataclass
class Design:
    tokens: dict
    folders: list[Path]  # the layout's folders, own first (where `fonts/` may also be)
    parts: Optional[PartTable] = None  # the layout's table of parts (anchors for pagination)

    # ---- reading tokens --------------------------------------------------------------------
    def get(self, group: str, name: str):
        try:
            return self.tokens[group][name]
        except (KeyError, TypeError):
            raise LayoutError(
                f"design token '{group}.{name}' is not defined in any design.yaml "
                f"of the layout ({', '.join(f.name for f in self.folders)})"
            ) from None

    def color(self, name: str) -> str:
        """A colour token as Word writes it: RRGGBB."""
        return hex_color(self.get("colors", name))

    @property
    def text_face(self) -> str:
        return str(self.get("faces", "text"))

    @property
    def display_face(self) -> str:
        return str(self.get("faces", "display"))

    def page_setup(self) -> dict:
        """Page size and margins in mm: {'width', 'height', 'top', 'right', 'bottom', 'left'}."""
        width, height = PAPER.get(str(self.get("page", "size")), PAPER["A4"])
        margins = self.get("page", "margin")
        return {
            "width": width,
            "height": height,
            **{side: float(margins[side]) for side in ("top", "right", "bottom", "left")},
        }

    def text_width_mm(self) -> float:
        page = self.page_setup()
        return page["width"] - page["left"] - page["right"]

    def text_height_mm(self) -> float:
        page = self.page_setup()
        return page["height"] - page["top"] - page["bottom"]

    @property
    def mirrored(self) -> bool:
        """Whether margins are mirrored on left pages (`page.mirror`): `margin.left` is then
        the inner margin and `margin.right` the outer one."""
        return self.tokens.get("page", {}).get("mirror") is True

    def font_files(self) -> dict[str, dict[str, Path]]:
        """Face family -> {'regular'|'italic'|'bold'|'bold_italic': file} of the faces the
        design uses whose files are shipped (a face without files is named, not embedded)."""
        files = self.tokens.get("faces", {}).get("files") or {}
        out: dict[str, dict[str, Path]] = {}
        for family in dict.fromkeys([self.text_face, self.display_face]):
            for style, name in (files.get(family) or {}).items():
                if style not in STYLES:
                    raise LayoutError(
                        f"design.yaml: faces.files.{family}.{style}: expected one of "
                        f"{', '.join(STYLES)}"
                    )
                path = self._font_path(str(name))
                out.setdefault(family, {})[style] = path
        return out

    def _font_path(self, name: str) -> Path:
        if Path(name).name != name:
            raise LayoutError(
                f"design.yaml: font file '{name}': give a file name in a fonts/ "
                "folder of the layout or of briefkit, not a path"
            )
        for folder in [*self.folders, builtin_dir()]:
            candidate = folder / "fonts" / name
            if candidate.is_file():
                read_layout_file(candidate)  # a face linked out of the project is refused
                return candidate
        raise LayoutError(
            f"design.yaml: font file '{name}' not found in the fonts/ folder of "
            "the layout or of briefkit"
        )

    # ---- CSS ------------------------------------------------------------------------------
    def css(self, medium: str = "print") -> str:
        fallback = [str(f) for f in self.tokens.get("faces", {}).get("fallback") or []]
        lines = []
        if medium == "print":
            for family, styles in self.font_files().items():
                for style, path in styles.items():
                    font_style, weight = STYLES[style]
                    lines.append(
                        f"@font-face {{ font-family: {css_string(family)}; "
                        f"src: url({css_string(path.resolve().as_uri())}); "
                        f"font-style: {font_style}; font-weight: {weight}; }}"
                    )
        else:
            # The web edition's own faces are embedded by the HTML writer (web_fonts, WOFF2
            # subsets for the characters the page holds); CJK faces the reader has installed
            # draw CJK characters only.
            lines.append(WEB_FONTS_MARKER)
            lines.append(cjk_faces(fallback, _CJK_ALIAS["text"]))
            lines.append(cjk_faces(list(reversed(fallback)), _CJK_ALIAS["display"]))
        props = {
            "font-body": _stack(self.text_face, fallback, "text", medium),
            "font-headings": _stack(self.display_face, list(reversed(fallback)), "display", medium),
            "leading": f"{number(self.get('type', 'leading'), 'type', 'leading'):g}",
        }
        for name, value in (self.tokens.get("colors") or {}).items():
            props[css_name(name)] = "#" + hex_color(value).lower()
        for group, prefix, unit in (
            ("type", "size", "pt"),
            ("rules", "rule", "pt"),
            ("spacing", "space", "pt"),
            ("indent", "indent", "mm"),
        ):
            for name, value in (self.tokens.get(group) or {}).items():
                if group == "type" and name == "leading":
                    continue
                props[f"{prefix}-{css_name(name)}"] = f"{number(value, group, name):g}{unit}"
        page = self.page_setup()
        props["text-width"] = f"{self.text_width_mm():g}mm"
        props["text-height"] = f"{self.text_height_mm():g}mm"
        props["page-height"] = f"{page['height']:g}mm"
        lines.append(":root {\n" + "".join(f"  --{k}: {v};\n" for k, v in props.items()) + "}")
        size = "letter" if str(self.get("page", "size")) == "Letter" else "A4"
        lines.append(
            f"@page {{ size: {size}; margin: {page['top']:g}mm {page['right']:g}mm "
            f"{page['bottom']:g}mm {page['left']:g}mm; }}"
        )
        lines += furniture_css(self, page)
        if medium == "print":
            lines.append(pagination_css(self))
        # The footnote rule, written out here: custom properties do not reach @footnote. The
        # 0.1pt bottom padding keeps WeasyPrint from losing notes under a rule (#2502); any
        # top padding would lose them again.
        lines.append(
            f"@page {{ @footnote {{ border-top: "
            f"{number(self.get('rules', 'light'), 'rules', 'light'):g}pt solid "
            f"#{hex_color(self.get('colors', 'muted')).lower()}; padding-bottom: 0.1pt; "
            f"margin-top: {number(self.get('spacing', 'paragraph'), 'spacing', 'paragraph'):g}pt; }} }}"
        )
        # The named page of very wide tables (print.css): the same paper turned.
        lines.append(f"@page landscape {{ size: {size} landscape; }}")
        return "\n".join(lines) + "\n"

    # ---- Word -----------------------------------------------------------------------------
    def word_styles(self, layout) -> dict:
        """{'ensure': {style: spec}, 'default_template': {style: spec}} for `render/docx.py`:
        Word's built-in styles derived from the tokens, then the layout's `word/styles.yaml`
        entries (along its chain, the base's first) with token references resolved."""
        merged: dict = {"ensure": {}, "default_template": self._builtin_word_styles()}
        for path in layout.files("word", "styles.yaml"):
            spec = read_mapping(path)
            for key in merged:
                for name, entry in (spec.get(key) or {}).items():
                    merged[key][name] = {
                        k: self._resolve(v, path, f"{key}.{name}.{k}")
                        for k, v in (entry or {}).items()
                    }
        # A style with a size of its own leads as the body does (CSS line-height is a factor
        # of each element's own size; Word's line spacing is then set in points from both).
        leading = float(self.get("type", "leading"))
        for specs in merged.values():
            for spec in specs.values():
                if isinstance(spec.get("size"), (int, float)) and "line_spacing" not in spec:
                    spec["line_spacing"] = leading
        return merged

    def _builtin_word_styles(self) -> dict:
        return {**self._word_text_styles(), **self._chapter_styles()}

    def _chapter_styles(self) -> dict:
        """With chapters (`pagination.chapters`), Heading 1 opens one as print does: the space
        `spacing.chapter_before`, the rule `rules.chapter` in the primary colour, then
        `spacing.heading_1_before` (the writer takes the rule off level-1 headings that are no
        chapter's); the contents' heading goes without it."""
        if not (self.tokens.get("pagination") or {}).get("chapters"):
            return {}
        rule = self.tokens.get("rules", {}).get("chapter", self.get("rules", "heavy"))
        before = float(self.get("spacing", "heading_1_before"))
        heading = self._word_text_styles()["Heading 1"]
        return {
            "Heading 1": {
                **heading,
                "space_before": float(self.tokens.get("spacing", {}).get("chapter_before", before)),
                "border_top": rule,
                "border_color": self.color("primary"),
                "border_space": min(before, 31),  # Word's widest space to a rule
            },
            "TOC Heading": {
                "type": "paragraph",
                "base": "Heading 1",
                "border_top": 0,
                "space_before": before,
            },
        }

    def _word_text_styles(self) -> dict:
        t = lambda name: float(self.get("type", name))  # noqa: E731
        s = lambda name: float(self.get("spacing", name))  # noqa: E731
        leading = float(self.get("type", "leading"))
        display = self.display_face
        # Running head and folio in the running size; tabs at the centre and right edge of
        # the text block (Word's own stand at Letter positions, beyond A4's text).
        running = {
            "hyphenate": False,
            "font": display,
            "size": t("running"),
            "color": self.color("muted"),
            "space_after": 0,
            "tabs": ["center", "right"],
        }
        return {
            "Normal": {
                "font": self.text_face,
                "size": t("body"),
                "line_spacing": leading,
                "color": self.color("text"),
                "space_after": s("paragraph"),
            },
            "Title": {
                "hyphenate": False,
                "font": display,
                "size": t("title"),
                "color": self.color("primary"),
                "bold": True,
                "line_spacing": 1.1,
            },
            "Subtitle": {
                "hyphenate": False,
                "font": display,
                "size": t("subtitle"),
                "color": self.color("muted"),
                "italic": False,
            },
            **{
                f"Heading {n}": {
                    "hyphenate": False,
                    "font": display,
                    "size": t(f"heading_{n}"),
                    "color": self.color("accent" if n == 3 else "primary"),
                    "bold": True,
                    "italic": False,
                    "line_spacing": 1.2,
                    "space_before": s(f"heading_{n}_before"),
                    "space_after": s(f"heading_{n}_after"),
                    "keep_with_next": True,
                    "keep_together": True,
                }
                for n in (1, 2, 3)
            },
            # Deeper headings (Markdown's, or an editor's) as the screen CSS sets h5 and below:
            # the display face at the body's size, the first in the primary colour.
            **{
                f"Heading {n}": {
                    "hyphenate": False,
                    "font": display,
                    "size": t("body"),
                    "bold": True,
                    "italic": False,
                    "line_spacing": 1.2,
                    "color": self.color("primary" if n == 4 else "text"),
                    "space_before": s("heading_3_before"),
                    "space_after": s("heading_3_after"),
                    "keep_with_next": True,
                    "keep_together": True,
                }
                for n in range(4, 10)
            },
            # A block quote as base.css sets it: 1em above and below, the text 1.2em in from
            # its rule on the left and from the right edge, kept whole (print.css).
            "Quote": {
                "font": self.text_face,
                "size": t("body"),
                "italic": True,
                "color": self.color("muted"),
                "border_left": self.get("rules", "box"),
                "border_color": self.color("accent"),
                "border_space": 1.2 * t("body"),
                "indent": _mm(1.2 * t("body") + float(self.get("rules", "box"))),
                "indent_right": _mm(1.2 * t("body")),
                "space_before": t("body"),
                "space_after": t("body"),
                "keep_together": True,
            },
            "Caption": {
                "hyphenate": False,
                "font": display,
                "size": t("caption"),
                "color": self.color("muted"),
                "italic": False,
                "bold": False,
                "space_before": 4,
                "space_after": s("paragraph"),
            },
            # Links as the screen edition shows them: the accent colour, not underlined.
            "Hyperlink": {"type": "character", "color": self.color("accent"), "underline": False},
            "FollowedHyperlink": {
                "type": "character",
                "color": self.color("accent"),
                "underline": False,
            },
            "Header": running,
            "Footer": {**running, "align": "right"},
        }

    def _resolve(self, value, path: Path, where: str):
        if isinstance(value, dict):  # a nested spec (a list style's `number`)
            return {k: self._resolve(v, path, f"{where}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve(v, path, f"{where}[{i}]") for i, v in enumerate(value)]
        if not isinstance(value, str):
            return value
        match = _TOKEN_REF.match(value.strip())
        if not match:
            return value
        group, name = match.groups()
        if group not in self.tokens or name not in (self.tokens[group] or {}):
            raise LayoutError(
                f"{path}: {where}: '{value}' names no design token; the tokens "
                f"are the keys of design.yaml (e.g. $type.body, $colors.primary)"
            )
        token = self.tokens[group][name]
        return hex_color(token) if group == "colors" else token


def load_design(layout, theme: Optional[dict] = None, paper: Optional[str] = None) -> Design:
    """The tokens of `layout` (its design.yaml files along `extends`), with a brief's `theme`
    (colors.primary/accent, fonts.body/headings) and `paper` (output.paper) over them."""
    tokens: dict = {}
    for folder in reversed(layout.folders):
        path = folder / "design.yaml"
        if path.is_file():
            tokens = merge_mappings(read_mapping(path), tokens)
    if not tokens:
        raise LayoutError(f"layout '{layout.name}' has no design.yaml along its chain")
    theme = theme or {}
    colors = {k: v for k, v in (theme.get("colors") or {}).items() if v}
    overrides: dict = {"colors": colors, "faces": {}}
    for key, face in (("body", "text"), ("headings", "display")):
        family = usable_theme_font(theme, key, tokens)
        if family:
            overrides["faces"][face] = family
    if paper:
        overrides["page"] = {"size": paper}
    return Design(merge_mappings(overrides, tokens), list(layout.folders), layout.table)


def design_of(prepared) -> Design:
    """The design of a prepared brief's layout with its theme and paper; a broken design
    (a token missing or of the wrong kind, a font file not found) is the brief's build error,
    located at the layout's design.yaml."""
    doc = prepared.document
    try:
        design = load_design(prepared.layout, doc.theme, doc.paper)
        design.font_files()
        design.word_styles(prepared.layout)
        return design
    except LayoutError as exc:
        raise BriefInvalid(
            Diagnostic(
                Location(prepared.layout.folders[0] / "design.yaml"),
                f"layout '{prepared.layout.name}': {exc}",
            )
        ) from None


def merged_tokens(layout) -> dict:
    """The tokens of a layout's chain merged into one mapping (for `template export`)."""
    return load_design(layout).tokens


def _stack(face: str, cjk: list[str], role: str, medium: str) -> str:
    """A font stack: the face, then (screen) Latin faces a reader may have, then CJK faces,
    then the generic family. Latin always comes before CJK: a CJK face's Latin punctuation is
    full width. In print the shipped faces are embedded, so no reader's Latin faces; on screen
    the CJK faces are named through their `unicode-range` alias."""
    generic = _GENERIC["serif" if role == "text" else "sans"]
    names = [face, *generic[:-1]] if medium == "screen" else [face]
    names += [_CJK_ALIAS[role]] if medium == "screen" and cjk else cjk
    names.append(generic[-1])
    return ", ".join(
        n if n in ("serif", "sans-serif") else css_string(n) for n in dict.fromkeys(names)
    )


def _mm(points: float) -> float:
    return round(points * 25.4 / 72, 2)
