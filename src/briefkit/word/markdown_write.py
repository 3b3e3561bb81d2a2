"""New words as Markdown: an editor's words in a Word field in, the Markdown briefkit reads out
(emphasis, links, notes `^[…]`, citations `[@key, 12]`, cross-references `[#id]`, list and quote
markers by paragraph style), escaped so that a reader sees exactly those words.
"""

from __future__ import annotations

import re
from typing import Optional

from briefkit.ooxml.story_parts import Citation, Paragraph
from briefkit.word.markdown_words import (
    PatchFailed,
    Token,
    document_tokens,
    paragraph_role,
)


def changed_citation(written: str, old: Citation, new: Citation) -> str:
    """A citation as written (`[see @key, 12]`) with what changed between two fields: a
    locator, prefix or suffix replaced where it stands, else written anew."""
    out = written
    olds, news = old.data, new.data
    if [o.get("id") for o in olds] != [n.get("id") for n in news]:
        return citation_markdown(new, bracketed=written.startswith("["))
    for before, after in zip(olds, news):
        for key in ("locator", "prefix", "suffix"):
            was, now = str(before.get(key) or ""), str(after.get(key) or "")
            if was == now:
                continue
            if was and out.count(was) == 1:
                out = out.replace(was, now)
            else:
                return citation_markdown(new, bracketed=written.startswith("["))
        if before.get("label") != after.get("label") or bool(before.get("suppress-author")) != bool(
            after.get("suppress-author")
        ):
            return citation_markdown(new, bracketed=written.startswith("["))
    return out


_LABEL_WORDS = {
    "page": "",
    "chapter": "chapter",
    "section": "section",
    "paragraph": "para.",
    "volume": "vol.",
    "line": "line",
    "figure": "fig.",
    "note": "n.",
    "book": "book",
    "part": "part",
    "verse": "verse",
    "column": "col.",
    "issue": "no.",
    "folio": "fol.",
    "opus": "op.",
    "sub-verbo": "s.v.",
}


def citation_markdown(citation: Citation, bracketed: bool = True) -> str:
    items = []
    for item in citation.data:
        piece = ""
        if item.get("prefix"):
            piece += str(item["prefix"]).rstrip() + " "
        piece += ("-" if item.get("suppress-author") else "") + "@" + str(item.get("id"))
        if item.get("locator"):
            label = _LABEL_WORDS.get(str(item.get("label") or "page"), str(item.get("label")))
            piece += ", " + (label + " " if label else "") + str(item["locator"])
        if item.get("suffix"):
            suffix = str(item["suffix"])
            piece += suffix if suffix[:1] in ",;." else ", " + suffix
        items.append(piece)
    return "[" + "; ".join(items) + "]" if bracketed or len(items) != 1 else items[0]


_ESCAPE = re.compile(r"([\\`*_\[\]<>@^~$|])")
_WRAP = (
    ("b", "**", "**"),
    ("i", "*", "*"),
    ("s", "~~", "~~"),
    ("sup", "^", "^"),
    ("sub", "~", "~"),
)


def render(tokens: list[Token], base: frozenset = frozenset()) -> str:
    """Markdown for document tokens, formatting beyond `base` written out."""
    out: list[str] = []
    group: list[Token] = []
    flags: Optional[frozenset] = None

    def flush():
        if not group:
            return
        body = "".join(_token_markdown(t) for t in group)
        extra = (flags or frozenset()) - base
        lead = body[: len(body) - len(body.lstrip())]
        trail = body[len(body.rstrip()) :]
        core = body.strip()
        if core:
            for flag, opening, closing in _WRAP:
                if flag in extra:
                    core = opening + core + closing
            if "sc" in extra:
                core = f"[{core}]{{.smallcaps}}"
            if "u" in extra:
                core = f"[{core}]{{.underline}}"
            link = next((f[5:] for f in extra if f.startswith("href=")), None)
            if link:
                core = f"[{core}]({link})"
        out.append(lead + core + trail)
        group.clear()

    for token in tokens:
        token_flags = token.flags if token.key[0] in ("w", "s") else frozenset()
        if token.key[0] != "w" and token.key[0] != "s":
            flush()
            flags = None
            out.append(_token_markdown(token))
            continue
        if flags is not None and token_flags != flags and not (token.key == ("s",)):
            flush()
        if not group:
            flags = token_flags
        group.append(token)
    flush()
    return "".join(out)


def _token_markdown(token: Token) -> str:
    kind = token.key[0]
    if kind == "w":
        word = token.exact[1] if token.exact else token.key[1]
        return _ESCAPE.sub(r"\\\1", word)
    if kind == "s":
        return " "
    if kind == "br":
        return "\\\n"
    if kind == "p":  # the items of one list follow each other without a blank line
        prefix = _paragraph_prefix(token.style)
        tight = prefix in ("- ", "1. ") and token.style == token.previous
        return ("\n" if tight else "\n\n") + prefix
    if kind == "xref":
        return f"[#{token.key[1]}]"
    if kind == "cite":
        return citation_markdown(token.part)
    if kind == "note":
        inner = render(document_tokens(token.part.paragraphs))
        if "\n\n" in inner:
            raise PatchFailed("a new note of several paragraphs")
        return "^[" + inner + "]"
    raise PatchFailed(f"a new {kind} cannot be written as Markdown")


def _paragraph_prefix(role: str) -> str:
    if role.startswith("bullet"):
        return "- "
    if role.startswith("number"):
        return "1. "
    if role == "quote":
        return "> "
    if role.startswith("heading"):
        return "#" * int(role[7:] or 1) + " " if role[7:].isdigit() else "# "
    return ""


def paragraphs_markdown(paragraphs: list[Paragraph]) -> str:
    """A field written anew from the document's paragraphs (what cannot be patched)."""
    text = render(document_tokens(paragraphs))
    first = paragraph_role(paragraphs[0].style) if paragraphs else ""
    return (_paragraph_prefix(first) + text).strip() if text.strip() else ""
