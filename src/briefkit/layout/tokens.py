"""Token values: a design.yaml value in, its CSS or Word form out (or a located refusal).

Shared by the design (`design.py`) and the print page rules made from it (`pages.py`).
"""

from __future__ import annotations

import re

from briefkit.layout.files import LayoutError


def hex_color(value) -> str:
    """A CSS colour (#rgb, #rrggbb or a name) as Word's RRGGBB."""
    text = str(value).strip()
    if re.fullmatch(r"#?[0-9A-Fa-f]{6}", text):
        return text.lstrip("#").upper()
    if re.fullmatch(r"#[0-9A-Fa-f]{3}", text):
        return "".join(c * 2 for c in text[1:]).upper()
    import tinycss2.color3  # only a colour written by name needs the CSS parser

    rgba = tinycss2.color3.parse_color(text)
    if rgba is None or isinstance(rgba, str):
        raise LayoutError(f"'{text}' is not a colour; write #rrggbb")
    return "".join(f"{round(c * 255):02X}" for c in rgba[:3])


def css_string(text: str) -> str:
    """A CSS string literal that cannot end the string, the rule or the <style> element."""
    return (
        '"'
        + "".join(c if c.isalnum() or c in " .,:;/-_()'&%" else f"\\{ord(c):x} " for c in str(text))
        + '"'
    )


def css_name(token: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", str(token)):
        raise LayoutError(f"design.yaml: '{token}' is not a token name (letters, digits, _)")
    return str(token).replace("_", "-")


def number(value, group: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LayoutError(f"design.yaml: {group}.{name}: expected a number, found {value!r}")
    return float(value)
