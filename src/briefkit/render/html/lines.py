"""Composed lines laid out as HTML: resolve's pieces in, escaped markup out.

Resolve composes every line a reader sees (bylines, datelines, meta lines) as pieces; these
filters lay them out for the templates: a line's pieces each in a span of its role, a byline
one author a line, and an address as print shows it.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from briefkit.core.paths import safe_link


def short_url(url: str) -> Markup:
    """An address as print shows it: no scheme, no "www.", no closing slash, with a break
    opportunity after each slash only ("example.org/<wbr>reports/<wbr>full.pdf")."""
    text = re.sub(r"^(?:https?://|mailto:)", "", str(url))
    text = re.sub(r"^www\.", "", text).rstrip("/")
    return Markup("/<wbr>".join(str(escape(part)) for part in text.split("/")))


def byline_lines(pieces) -> Markup:
    """A byline laid out one author a line: each name with its title (and a "By" before the
    first) on a line of its own, the words between two names ("and", ", ") ending the line
    before, so the byline reads as the same words in every format."""

    def role(piece):
        return piece.get("role") if isinstance(piece, dict) else piece.role

    lines: list[list] = [[]]
    for piece in pieces or []:
        if role(piece) == "author" and any(role(p) == "author" for p in lines[-1]):
            lines.append([])
        lines[-1].append(piece)
    return Markup(
        "".join(f'<span class="byline-author">{phrase(line)}</span>' for line in lines if line)
    )


def phrase(pieces) -> Markup:
    """A line resolve composed, laid out: each piece (a `Piece`, or its plain mapping as
    templates hold it) escaped, in a span of its role, a date in <time>, a link only where it
    is safe."""
    if isinstance(pieces, Markup):
        return pieces
    out = []
    for piece in pieces or []:
        get = piece.get if isinstance(piece, dict) else lambda name, p=piece: getattr(p, name)
        text = str(escape(get("text") or ""))
        if get("datetime"):
            text = f'<time datetime="{escape(get("datetime"))}">{text}</time>'
        if get("href") and safe_link(get("href")):
            text = f'<a href="{escape(safe_link(get("href")))}">{text}</a>'
        out.append(f'<span class="{escape(get("role"))}">{text}</span>' if get("role") else text)
    return Markup("".join(out))
