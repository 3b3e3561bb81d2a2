"""The print page's rules: a `Design` in, CSS for the page's furniture, its pagination and a
tail's copyfit out.

Where the running head and the folio stand (`page.mirror`), when a part or a chapter begins a
new page, how boxes break and how tight a tail is set again are design tokens
(`pagination`, base/design.yaml says what each means); these functions write them as the
print rules WeasyPrint lays the PDF out by. The Word file follows the same tokens.
"""

from __future__ import annotations

from typing import Optional

from briefkit.layout.files import LayoutError
from briefkit.layout.parts import PartTable
from briefkit.layout.tokens import css_name, number

PT_PER_MM = 72 / 25.4


def furniture_css(design, page: dict) -> list[str]:
    """Where the running head and the folio stand: at the outer head and foot of each page
    (mirrored: the right page's right, the left page's left; else the right side for the
    folio and the text's left edge for the head). Their look is print.css's."""
    head, folio = "string(running-head)", "counter(page)"
    if not design.mirrored:
        return [
            f"@page {{ @top-left {{ content: {head}; }} @bottom-right {{ content: {folio}; }} }}"
        ]
    inner, outer = page["left"], page["right"]
    right = (
        f"@page :right {{ margin-left: {inner:g}mm; margin-right: {outer:g}mm; "
        f"@top-right {{ content: {head}; }} @bottom-right {{ content: {folio}; }} }}"
    )
    left = (
        f"@page :left {{ margin-left: {outer:g}mm; margin-right: {inner:g}mm; "
        f"@top-left {{ content: {head}; }} @bottom-left {{ content: {folio}; }} }}"
    )
    return [right, left]


def pagination_css(design) -> str:
    """The `pagination` tokens as print rules (see base/design.yaml for their meaning)."""
    get = lambda name: design.tokens.get("pagination", {}).get(name)  # noqa: E731
    rules = []
    orphans, widows = _count(get("orphans"), "orphans"), _count(get("widows"), "widows")
    rules.append(f"body {{ orphans: {orphans}; widows: {widows}; }}")
    keep = _count(get("box_min_lines"), "box_min_lines")
    # A box breaks between its blocks or inside a paragraph, never leaving fewer than
    # `keep` lines on either side: its paragraphs keep that many, its last block stays
    # with the one before it.
    boxes = (".front-box", "aside.box", "ol.items > li")
    rules.append(
        f"{', '.join(f'{b} p, {b} li' for b in boxes)} {{ orphans: {keep}; widows: {keep}; }}"
    )
    rules.append(
        f"{', '.join(f'{b} > :last-child, {b} li:last-child' for b in boxes)} "
        "{ break-before: avoid; }"
    )
    page_before = _part_selectors(get("page_before"), "page_before", design.parts)
    if page_before:
        rules.append(
            f"{', '.join(f'.long-brief {s}' for s in page_before)} {{ break-before: page; }}"
        )
        rules.append(
            f"{', '.join(f'body:not(.long-brief) {s}' for s in page_before)} "
            "{ break-inside: avoid; }"
        )
    chapters = _part_selectors(get("chapters"), "chapters", design.parts)
    share = _share(get("chapter_min_space") or 0, "chapter_min_space")
    if chapters:
        # A block as tall as the space a chapter needs, pulled back by as much: when it does
        # not fit below the text, it (and the chapter) moves to the next page; when it does,
        # it takes no room. It draws the chapter's rule.
        before = number(design.get("spacing", "chapter_before"), "spacing", "chapter_before")
        need = round(max(0.0, share * design.text_height_mm() - before / PT_PER_MM), 1)
        rules.append(f"{', '.join(chapters)} {{ margin-top: var(--space-chapter-before); }}")
        rules.append(
            f'{", ".join(s + "::before" for s in chapters)} {{ content: ""; '
            f"display: block; height: {need:g}mm; margin-bottom: -{need:g}mm; "
            "break-inside: avoid; border-top: var(--rule-chapter) solid var(--primary); }"
        )
    return "@media print {\n" + "".join(f"  {rule}\n" for rule in rules) + "}"


def tail_share(design) -> float:
    """`pagination.tail`: a last page this full or less is copyfitted (0: never)."""
    value = design.tokens.get("pagination", {}).get("tail") or 0
    return _share(value, "tail")


def copyfit_css(design) -> str:
    """The tighter setting a tail is copyfitted with: leading and spaces (print)."""
    pagination = design.tokens.get("pagination", {})
    leading = number(pagination.get("tail_leading"), "pagination", "tail_leading")
    factor = number(pagination.get("tail_spacing"), "pagination", "tail_spacing")
    props = {"leading": f"{leading:g}"}
    for name, value in (design.tokens.get("spacing") or {}).items():
        props[f"space-{css_name(name)}"] = f"{number(value, 'spacing', name) * factor:g}pt"
    return "@media print { :root { " + " ".join(f"--{k}: {v};" for k, v in props.items()) + " } }"


def _share(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise LayoutError(
            f"design.yaml: pagination.{name}: expected a share of the page from "
            f"0 to 1 (0.33: a third), found {value!r}"
        )
    return float(value)


def _count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
        raise LayoutError(
            f"design.yaml: pagination.{name}: expected a number of lines from 1 "
            f"to 10, found {value!r}"
        )
    return value


def _part_selectors(names, token: str, table: Optional[PartTable]) -> list[str]:
    """The CSS selectors of the parts named: their anchors (their outermost element's id), a
    top-level section for a part of the sections shape."""
    if names in (None, []):
        return []
    if not isinstance(names, list):
        raise LayoutError(
            f"design.yaml: pagination.{token}: expected a list of part names, found {names!r}"
        )
    selectors = []
    for name in names:
        row = table[name] if table is not None and name in table else None
        if row is not None and row.shape == "sections":
            selectors.append(".section.level-1")
        elif row is not None and row.anchor:
            selectors.append(f"#{row.anchor}")
        else:
            rows = list(table or [])
            known = ", ".join(p.name for p in rows if p.anchor or p.shape == "sections")
            raise LayoutError(
                f"design.yaml: pagination.{token}: '{name}' is not a part with "
                f"a place on the page; expected one of {known}"
            )
    return selectors
