"""Export a layout: a layout's name in, one folder holding it and everything it extends out
(`briefkit template export`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import yaml

from briefkit.core.paths import PathRefused, confine, read_regular
from briefkit.layout.design import merged_tokens
from briefkit.layout.files import LayoutError, _layout_roots, read_mapping
from briefkit.layout.folders import load_layout


def export(name: str, target: Path, project: Optional[Path] = None) -> list[Path]:
    """Copy layout `name` with everything it extends into `target`, flattened into one folder
    that works on its own and looks the same: HTML templates of the layout override those of
    what it extends; stylesheets, which cascade along the chain, are all kept and numbered in
    cascade order (`css/00-base.css`, `css/01-print.css`, `css/02-report.css` ...); the Word
    styles are merged into one `word/styles.yaml`, the design tokens into one `design.yaml`
    (its font files are found in briefkit's own fonts/); layout.yaml holds the merged settings
    without `extends`, and `lineage` keeps the chain's names as classes of the page's <body>
    (so the copied CSS rules, written for `.layout-report`, still apply)."""
    layout = load_layout(name, project)
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise LayoutError(f"{target} exists and is not empty")
    written = []
    stylesheets = layout.files("css", "*.css")
    for number, path in enumerate(stylesheets):
        written.append(_copy(path, target / "css" / f"{number:02d}-{path.name}"))
    word_styles: dict = {}
    for folder in reversed(layout.folders):
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if (
                path.is_dir()
                or relative.name in ("layout.yaml", "design.yaml", "__init__.py")
                or "__pycache__" in relative.parts
                or relative.parts[0] == "css"
            ):
                continue
            if relative == Path("word", "styles.yaml"):
                spec = read_mapping(path)  # through the gate, as every layout file
                for key, entries in spec.items():
                    word_styles.setdefault(key, {}).update(entries or {})
                continue
            written.append(_copy(path, target / relative))
    if word_styles:
        (target / "word").mkdir(parents=True, exist_ok=True)
        (target / "word" / "styles.yaml").write_text(
            "# briefkit's Word styles for this layout, merged along its chain (see base's\n"
            "# styles.yaml in briefkit for what `ensure` and `default_template` mean).\n"
            + yaml.safe_dump(word_styles, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        written.append(target / "word" / "styles.yaml")
    (target / "design.yaml").write_text(
        "# briefkit's design tokens for this layout, merged along its chain (see base's\n"
        "# design.yaml in briefkit for what each means); the CSS and Word styles follow them.\n"
        + yaml.safe_dump(merged_tokens(layout), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    written.append(target / "design.yaml")
    settings = {k: v for k, v in layout.settings.items() if k not in ("extends", "abstract")}
    settings["description"] = f"{layout.description} (exported from briefkit's '{name}')"
    settings["lineage"] = layout.class_names()
    (target / "layout.yaml").write_text(
        "# Exported by `briefkit template export`; put this folder under your project's\n"
        "# templates/ and name it in a brief's `layout:`.\n"
        + yaml.safe_dump(settings, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    written.append(target / "layout.yaml")
    return sorted(set(written))


def _copy(source: Path, destination: Path) -> Path:
    """Copy one file of a layout, read through the gate: a file linked outside the layout's
    templates/ folder (or a pipe) is refused, never copied."""
    try:
        data = read_regular(confine(source, _layout_roots(source)))
    except PathRefused as exc:
        raise LayoutError(f"{source} cannot be exported: {exc}") from None
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(data)
    return destination
