"""Citations as Word's citation fields carry them: Pandoc's report on each citation in, CSL
citation items and the cited items' CSL-JSON (valid for the CSL schema) out.

Pandoc parses a citation's locator out of its suffix (`[@key, chap. 3, emphasis mine]`) with the
brief's locale and the style's terms, and tells nobody: `pandoc/citations.lua` asks its citeproc
once more, over the citations alone, with a probe style (`csl_styles.probe_style`) that prints
each item as `prefix⟦label⸽locator⟧suffix`. This module reads that text back. The cited items'
CSL-JSON is Pandoc's (its `csljson` writer); what the CSL data schema refuses is left out of it
(a Zotero user's plugin reads it, and the schema is the contract), never added or guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional

from briefkit.prose.csl_styles import PROBE_MARKS

_OPEN, _BETWEEN, _CLOSE, _SEPARATOR = PROBE_MARKS
_PROBED = re.compile(f"^(.*?){_OPEN}([^{_BETWEEN}]*){_BETWEEN}(.*?){_CLOSE}(.*)$", re.S)
# The CSL schema's names for Pandoc's locator labels (CSL 1.0.2 writes "sub-verbo").
_LABELS = {"number-of-pages": "", "sub verbo": "sub-verbo"}
_DASHES = "-\u2013\u2014\u2012"


@dataclass(frozen=True)
class CiteItem:
    """One item of a citation, as CSL's citation item says it (prefix, locator, label,
    suffix), and how the brief wrote it (`mode`: Pandoc's NormalCitation, AuthorInText or
    SuppressAuthor)."""

    id: str
    prefix: str = ""
    suffix: str = ""
    locator: str = ""
    label: str = ""
    mode: str = "NormalCitation"


@dataclass
class CitationReport:
    """What `citations.lua` found: the probe's text of each citation (by its number, the
    citations' `citationHash`), and the cited items' CSL-JSON by id, as Pandoc writes it
    (`csl_item` makes one valid for the CSL schema)."""

    probed: dict[int, str]
    items: dict[str, dict]

    @classmethod
    def from_meta(cls, meta: dict) -> "CitationReport":
        """The report in Pandoc's metadata (`briefkit-citations`), or an empty one."""
        value = meta.get("briefkit-citations", {}).get("c")
        try:
            report = json.loads(value) if isinstance(value, str) else {}
            items = json.loads(report.get("items") or "[]")
        except ValueError:
            return cls({}, {})
        probed = {
            int(k): v
            for k, v in (report.get("cites") or {}).items()
            if str(k).isdigit() and isinstance(v, str)
        }
        return cls(
            probed,
            {str(item["id"]): item for item in items if isinstance(item, dict) and "id" in item},
        )

    def items_of(
        self, number: int, citations: list[dict], prefixes: list[str], suffixes: list[str]
    ) -> list[CiteItem]:
        """The items of citation `number`: Pandoc's `citations` with their prefixes' and
        suffixes' text; the locator, label and remaining suffix from the probe when it parsed
        one."""
        pieces = self.probed.get(number, "").split(_SEPARATOR)
        if len(pieces) != len(citations):
            pieces = [""] * len(citations)
        out = []
        for citation, piece, prefix, suffix in zip(citations, pieces, prefixes, suffixes):
            mode = (citation.get("citationMode") or {}).get("t", "NormalCitation")
            probed = _PROBED.match(piece)
            if probed is None or not probed.group(3):  # no locator: the suffix as written
                out.append(CiteItem(citation["citationId"], prefix, suffix, mode=mode))
                continue
            _, label, locator, rest = probed.groups()
            out.append(
                CiteItem(
                    citation["citationId"],
                    prefix,
                    rest,
                    _as_written(locator, suffix),
                    _LABELS.get(label, label),
                    mode,
                )
            )
        return out


def _as_written(rendered: str, suffix: str) -> str:
    """The locator as the author wrote it in `suffix`: citeproc prints page ranges with an en
    dash (`4-5` becomes `4–5`), Zotero's field keeps what was typed."""
    pattern = "".join(f"[{_DASHES}]" if c in _DASHES else re.escape(c) for c in rendered)
    found = re.search(pattern, suffix)
    return found.group() if found else rendered


# ---- the CSL data schema (CSL 1.0.2's csl-data.json; tests/test_word_citations.py holds this
# table to the schema itself) -------------------------------------------------------------------

TYPES = frozenset(
    (
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "bill",
        "book",
        "broadcast",
        "chapter",
        "classic",
        "collection",
        "dataset",
        "document",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "event",
        "figure",
        "graphic",
        "hearing",
        "interview",
        "legal_case",
        "legislation",
        "manuscript",
        "map",
        "motion_picture",
        "musical_score",
        "pamphlet",
        "paper-conference",
        "patent",
        "performance",
        "periodical",
        "personal_communication",
        "post",
        "post-weblog",
        "regulation",
        "report",
        "review",
        "review-book",
        "software",
        "song",
        "speech",
        "standard",
        "thesis",
        "treaty",
        "webpage",
    )
)
TEXT_VARIABLES = frozenset(
    (
        "citation-key",
        "language",
        "journalAbbreviation",
        "shortTitle",
        "abstract",
        "annote",
        "archive",
        "archive_collection",
        "archive_location",
        "archive-place",
        "authority",
        "call-number",
        "citation-label",
        "collection-title",
        "container-title",
        "container-title-short",
        "dimensions",
        "division",
        "DOI",
        "event",
        "event-title",
        "event-place",
        "genre",
        "ISBN",
        "ISSN",
        "jurisdiction",
        "keyword",
        "medium",
        "note",
        "original-publisher",
        "original-publisher-place",
        "original-title",
        "part-title",
        "PMCID",
        "PMID",
        "publisher",
        "publisher-place",
        "references",
        "reviewed-genre",
        "reviewed-title",
        "scale",
        "section",
        "source",
        "status",
        "title",
        "title-short",
        "URL",
        "version",
        "volume-title",
        "volume-title-short",
        "year-suffix",
    )
)
NUMBER_VARIABLES = frozenset(
    (
        "chapter-number",
        "citation-number",
        "collection-number",
        "edition",
        "first-reference-note-number",
        "issue",
        "locator",
        "number",
        "number-of-pages",
        "number-of-volumes",
        "page",
        "page-first",
        "part",
        "printing",
        "supplement",
        "volume",
    )
)
NAME_VARIABLES = frozenset(
    (
        "author",
        "chair",
        "collection-editor",
        "compiler",
        "composer",
        "container-author",
        "contributor",
        "curator",
        "director",
        "editor",
        "editorial-director",
        "executive-producer",
        "guest",
        "host",
        "interviewer",
        "illustrator",
        "narrator",
        "organizer",
        "original-author",
        "performer",
        "producer",
        "recipient",
        "reviewed-author",
        "script-writer",
        "series-creator",
        "translator",
    )
)
DATE_VARIABLES = frozenset(
    ("accessed", "available-date", "event-date", "issued", "original-date", "submitted")
)
_NAME_TEXT = frozenset(
    ("family", "given", "dropping-particle", "non-dropping-particle", "suffix", "literal")
)
_NAME_FLAGS = frozenset(("comma-suffix", "static-ordering", "parse-names"))


def csl_item(item: dict) -> dict:
    """`item` (CSL-JSON as Pandoc writes it) with what the CSL data schema refuses left out:
    unknown variables, values of the wrong kind, empty dates; a missing or unknown `type`
    becomes "document" (the schema requires one)."""
    out: dict[str, Any] = {
        "id": item["id"] if isinstance(item["id"], (int, str)) else str(item["id"])
    }
    kind = item.get("type")
    out["type"] = kind if kind in TYPES else "document"
    for key, value in item.items():
        if key in ("id", "type"):
            continue
        clean = _variable(key, value)
        if clean is not None:
            out[key] = clean
    return out


def _variable(key: str, value: Any) -> Optional[Any]:
    if key in TEXT_VARIABLES:
        return value if isinstance(value, str) else None
    if key in NUMBER_VARIABLES:
        return (
            value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
        )
    if key in NAME_VARIABLES:
        names = [_name(n) for n in value] if isinstance(value, list) else []
        names = [n for n in names if n]
        return names or None
    if key in DATE_VARIABLES:
        return _date(value)
    if key == "categories":
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else None
    if key == "custom":
        return value if isinstance(value, dict) else None
    return None


def _name(value: Any) -> Optional[dict]:
    if not isinstance(value, dict):
        return None
    name = {
        k: v
        for k, v in value.items()
        if (k in _NAME_TEXT and isinstance(v, str))
        or (k in _NAME_FLAGS and isinstance(v, (str, int, float, bool)))
    }
    return name or None


def _date(value: Any) -> Optional[dict]:
    if not isinstance(value, dict):
        return None
    date: dict[str, Any] = {}
    parts = value.get("date-parts")
    if (
        isinstance(parts, list)
        and 1 <= len(parts) <= 2
        and all(
            isinstance(p, list)
            and 1 <= len(p) <= 3
            and all(isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in p)
            for p in parts
        )
    ):
        date["date-parts"] = parts
    for key in ("season",):
        if isinstance(value.get(key), (str, int, float)) and not isinstance(value.get(key), bool):
            date[key] = value[key]
    if isinstance(value.get("circa"), (str, int, float, bool)):
        date["circa"] = value["circa"]
    for key in ("literal", "raw"):
        if isinstance(value.get(key), str):
            date[key] = value[key]
    return date or None
