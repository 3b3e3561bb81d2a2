"""Locales: a BCP 47 tag in, the words briefkit prints itself in that language out.

A `Locale` is also the one formatter of dates and name lists: resolve composes every line with
it, and house Word templates' placeholders, house HTML templates' `house_date` filter and the
series index print through it, so a French brief says "1er septembre 2020" everywhere.

A locale is a data file, `templates/locales/<tag>.yaml` (a project's own `templates/locales/`
first, then briefkit's): month names and the date pattern, the "and" of bylines, separators and
the default labels (headings such as "Notes", "Finding", "Table"). A tag falls back by dropping
its last subtag (`fr-CA` → `fr`), then to English; a file extends another (`extends: en`), so a
translation may give only what differs. What a locale does not translate is printed in English.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Location
from briefkit.layout.files import LayoutError, merge_mappings, read_mapping, search_path

DEFAULT_LANG = "en"
# BCP 47 as briefs write it: a language subtag, then script/region/variant subtags.
BCP47 = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"


@dataclass
class Locale:
    tag: str  # the brief's tag as written (what every output declares)
    file: str  # the locale file chosen for it ("fr" for fr-FR)
    months: list[str]
    date_pattern: str
    and_word: str
    list_separator: str = ", "
    label_separator: str = ": "
    meta_separator: str = " · "
    ordinal_day_one: Optional[str] = None
    labels: dict[str, str] = field(default_factory=dict)

    def date(self, value: Optional[dt.date]) -> str:
        """A date as the language prints it: 29 October 2019, 29 octobre 2019, 29. Oktober 2019."""
        if value is None:
            return ""
        day = self.ordinal_day_one if value.day == 1 and self.ordinal_day_one else str(value.day)
        return self.date_pattern.format(
            day=day, month=self.months[value.month - 1], year=value.year
        )

    def date_text(self, value) -> str:
        """`date` of a date or of its ISO text (what templates hold); other text as it is."""
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value[:10])
            except ValueError:
                return value
        return self.date(value)

    def and_list(self, names: list[str]) -> str:
        """Names as a byline reads them: "A", "A and B", "A, B and C"."""
        if len(names) <= 1:
            return "".join(names)
        return self.list_separator.join(names[:-1]) + f" {self.and_word} " + names[-1]

    @property
    def language(self) -> str:
        """The primary language subtag (`fr` of `fr-FR`): what matches layout labels."""
        return self.tag.split("-")[0].lower()


def candidates(tag: str) -> list[str]:
    """`zh-Hant-TW` → [zh-Hant-TW, zh-Hant, zh, en]: the files tried, in order."""
    parts = tag.split("-")
    out = ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]
    return list(dict.fromkeys(out + [DEFAULT_LANG]))


def load_locale(tag: Optional[str], project: Optional[Path] = None) -> Locale:
    tag = tag or DEFAULT_LANG
    folders = [root / "locales" for root in search_path(project)]
    files = _files(tuple(folders))
    name = next(c for c in candidates(tag) if c.lower() in files or c == DEFAULT_LANG)
    spec = _resolve(name.lower(), files, ())
    return Locale(
        tag=tag,
        file=name,
        months=list(spec["months"]),
        date_pattern=spec["date"],
        and_word=spec["and"],
        list_separator=spec.get("list_separator", ", "),
        label_separator=spec.get("label_separator", ": "),
        meta_separator=spec.get("meta_separator", " · "),
        ordinal_day_one=spec.get("ordinal_day_one"),
        labels={k: str(v) for k, v in (spec.get("labels") or {}).items()},
    )


def label_names(project: Optional[Path] = None) -> set[str]:
    """Every label a brief may override (the English locale names them all)."""
    return set(load_locale(DEFAULT_LANG, project).labels)


@lru_cache(maxsize=16)
def _files(folders: tuple[Path, ...]) -> dict[str, Path]:
    """Locale name (lower case) → file; a project's folder comes first and wins."""
    found: dict[str, Path] = {}
    for folder in reversed(folders):
        if folder.is_dir():
            for path in folder.glob("*.yaml"):
                found[path.stem.lower()] = path
    return found


def _resolve(name: str, files: dict[str, Path], seen: tuple[str, ...]) -> dict:
    if name in seen or name not in files:
        return {}
    try:
        spec = read_mapping(files[name])
    except LayoutError as exc:  # a project's locale: a mistake of the briefs that use it
        raise BriefInvalid(
            Diagnostic(
                exc.location or Location(files[name]),
                f"the locale file {files[name].name} cannot be used: {exc}",
                hint="fix the locale file (a link must stay inside the "
                "project: copy the file instead)",
            )
        ) from None
    base = spec.get("extends")
    return (
        merge_mappings(spec, _resolve(str(base).lower(), files, seen + (name,))) if base else spec
    )


def english_labels(labels: dict, project: Optional[Path] = None) -> dict[str, str]:
    """A layout's labels as an English brief reads them: the English locale's, then its own."""
    english = load_locale(DEFAULT_LANG, project)
    return {**english.labels, **layout_labels(labels, english)}


def layout_labels(labels: dict, locale: Locale) -> dict[str, str]:
    """A layout's own labels for the document's language. A plain value is English (the
    language layouts are written in) and applies to English documents only; a mapping gives the
    label by language (`full_report: {en: Download the full paper, fr: Télécharger …}`)."""
    out = {}
    for key, value in labels.items():
        if isinstance(value, dict):
            by_tag = {str(k).lower(): v for k, v in value.items()}
            chosen = next(
                (
                    by_tag[c.lower()]
                    for c in candidates(locale.tag)
                    if c.lower() in by_tag and (c != DEFAULT_LANG or locale.language == "en")
                ),
                None,
            )
            if chosen is not None:
                out[key] = str(chosen)
        elif locale.language == "en":
            out[key] = str(value)
    return out


def is_tag(value: str) -> bool:
    return bool(re.fullmatch(BCP47, value))
