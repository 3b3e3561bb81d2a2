"""Validate: loaded values plus their `SourceMap` in, a typed `schema.Brief` out (or diagnostics).

The schema's complaints are translated into briefkit's own messages, each located in the file;
then the checks that span fields run: ids unique, recommendations naming existing findings,
section depth, the layout and label names.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, Iterable, Optional

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from briefkit import model as m
from briefkit.core.diagnostics import (
    Diagnostic,
    Diagnostics,
    KeyPath,
    Location,
    describe_value,
    did_you_mean,
)
from briefkit.core.paths import safe_link
from briefkit.layout.folders import Layout
from briefkit.load.source import Loaded, group_path, value_at
from briefkit.validate import schema
from briefkit.validate.plain_text import markdown_in_plain_text
from briefkit.validate.salvage import salvage

MAX_SECTION_DEPTH = 3
# Names a part a layout adds may not take: the document's own (templates see both as `doc.x`).
_DOCUMENT_NAMES = frozenset(f.name for f in dataclasses.fields(m.Document))

# Keys a Pandoc user writes in a document's metadata, and what briefkit calls them.
PANDOC_KEYS = {
    "csl": "briefkit's is 'citation_style' (a bundled style name or a .csl path)",
    "citation-style": "briefkit's is 'citation_style' (a bundled style name or a .csl path)",
    "reference-section-title": "briefkit's is 'bibliography_title'",
    "nocite": "briefkit lists in the bibliography the sources the text cites; cite each source "
    "you want listed (a source never cited is a warning)",
    "link-citations": "briefkit links each note to its place in the text already; remove it",
    "link-bibliography": "briefkit links DOIs and URLs in notes and the bibliography already; "
    "remove it",
    "suppress-bibliography": "leave out 'bibliography_title' and use a style without a "
    "bibliography",
    "notes-after-punctuation": "briefkit follows the style; remove it",
    "citation-abbreviations": "briefkit has no abbreviation files; write the short form in the "
    "source",
    "author": "briefkit's is 'authors' (a list of names or of {name, title, affiliation})",
    "abstract": "briefkit's is 'executive_summary' (or 'summary' with problem/solution)",
    "reference-doc": "briefkit's is 'output.word_template'",
    "toc": "briefkit's is 'output.toc'",
    "papersize": "briefkit's is 'output.paper' (A4 or Letter)",
    "keyword": "briefkit's is 'keywords'",
    "locale": "briefkit's is 'lang' (a BCP 47 tag such as en-AU or fr-FR)",
}

_EXPECTED = {
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "bool_type": "true or false",
    "date_type": "a date written YYYY-MM-DD",
    "int_type": "a whole number",
}


def validate(
    loaded: Loaded,
    *,
    layouts: Iterable[str] = (),
    labels: Iterable[str] = (),
    diagnostics: Optional[Diagnostics] = None,
    layout: Optional[Layout] = None,
) -> schema.Brief | None:
    """The typed brief, or None with the reasons added to `diagnostics`. The brief format is
    the one of `layout`: with the keys of the parts it adds (its parts.yaml)."""
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    diagnostics.extend(loaded.source.all_problems())  # a key written twice, the rest loaded
    declared = layout.table.declared() if layout is not None else []
    clashes = [
        p
        for p in declared
        if p.content_key in schema.Brief.model_fields or p.name in _DOCUMENT_NAMES
    ]
    for part in clashes:
        assert layout is not None  # only a layout declares parts
        diagnostics.error(
            Location(layout.folders[0] / "layout.yaml"),
            f"layout '{layout.name}' adds the part '{part.name}' with the key "
            f"'{part.content_key}', which the brief format already has",
            hint="name the part and its key otherwise in the layout's parts.yaml",
        )
    model = schema.brief_model(
        tuple((p.content_key, p.shape, p.name) for p in declared if p not in clashes)
    )
    more_items = [
        key for p in declared if p.shape == "items" and (key := p.content_key) is not None
    ]
    while True:
        try:
            brief = model.model_validate(loaded.data)
            break
        except ValidationError as exc:
            if not _respell_booleans(exc, loaded):
                diagnostics.extend(_translate(exc, loaded, model))
                # The relations between the values the schema took (ids, the findings a
                # recommendation names, the layout) are independent mistakes: report them in
                # the same run, on the brief as salvage reads it.
                salvaged = salvage(loaded.data)
                if salvaged is not None:
                    known = {str(d) for d in diagnostics}
                    relations = check_relations(
                        salvaged, loaded, set(layouts), set(labels), more_items
                    )
                    diagnostics.extend(d for d in relations if str(d) not in known)
                return None
    relations = check_relations(brief, loaded, set(layouts), set(labels), more_items)
    diagnostics.extend(relations)
    if loaded.source.all_problems() or any(d.severity == "error" for d in relations):
        return None
    return brief


def _respell_booleans(exc: ValidationError, loaded: Loaded) -> bool:
    """Put back the text of plain booleans (`yes`, `On`, `NO`) that stand where the schema wants
    text; True when something changed (then validate again). Numbers need no such step: the
    loader's numbers print as they were written."""
    changed = False
    for error in exc.errors():
        loc: KeyPath = tuple(p for p in error["loc"] if p not in schema.SHAPE_TAGS)
        if error["type"] != "string_type" or not isinstance(error.get("input"), bool):
            continue
        spelling = loaded.source.spelling(loc)
        parent = value_at(loaded.data, loc[:-1])
        if (
            spelling is not None
            and isinstance(parent, (dict, list))
            and parent[loc[-1]] is error["input"]
        ):
            parent[loc[-1]] = spelling
            changed = True
    return changed


# ---- schema errors -----------------------------------------------------------------------------


def _translate(
    exc: ValidationError, loaded: Loaded, model: type[schema.Brief] = schema.Brief
) -> list[Diagnostic]:
    raw = [(tuple(p for p in e["loc"] if p not in schema.SHAPE_TAGS), e) for e in exc.errors()]
    out: list[Diagnostic] = []
    for loc, error in raw:
        kind = error["type"]
        if kind == "missing":
            if _extra_sibling_for(loc, raw) is not None:
                continue  # reported as the unknown key that was probably meant to be this one
            out.append(
                Diagnostic(
                    loaded.source.location(loc[:-1]),
                    f"the required key '{loc[-1]}' is missing",
                    key=loc[:-1],
                    hint=f"add '{loc[-1]}:' here",
                )
            )
        elif kind == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1], model)
            hint = did_you_mean(loc[-1], allowed)
            if len(loc) == 1 and loc[0] in PANDOC_KEYS:
                hint = f"'{loc[0]}' is Pandoc's key: {PANDOC_KEYS[loc[0]]}"
            elif hint is None:
                hint = "allowed here: " + ", ".join(sorted(allowed))
            out.append(
                Diagnostic(
                    loaded.source.location(loc, at_key=True),
                    f"unknown key '{loc[-1]}'",
                    key=loc,
                    hint=hint,
                )
            )
        else:
            out.append(_value_error(loc, error, loaded))
    return out


def _extra_sibling_for(missing_loc: KeyPath, raw) -> Any:
    parent, name = missing_loc[:-1], missing_loc[-1]
    for loc, error in raw:
        if error["type"] == "extra_forbidden" and loc[:-1] == parent:
            if did_you_mean(loc[-1], [name]):
                return loc
    return None


def _value_error(loc: KeyPath, error: ErrorDetails, loaded: Loaded) -> Diagnostic:
    kind = error["type"]
    found = describe_value(error.get("input"))
    location = loaded.source.location(loc)
    if kind == "literal_error":
        choices = error["ctx"]["expected"]
        allowed = [c.strip(" '") for c in choices.replace(" or ", ",").split(",") if c.strip(" '")]
        hint: Optional[str] = did_you_mean(error.get("input"), allowed) or f"use one of {choices}"
        return Diagnostic(
            location,
            "not an allowed value",
            key=loc,
            expected=f"one of {choices}",
            found=found,
            hint=hint,
        )
    if kind == "too_short":
        return Diagnostic(
            location,
            "must not be empty",
            key=loc,
            found=found,
            hint="name at least one, or leave the key out for the default",
        )
    if kind in ("string_too_short",) or (kind == "string_pattern_mismatch" and loc == ("title",)):
        return Diagnostic(
            location, "must not be empty", key=loc, found=found, hint=f"write the {loc[-1]}"
        )
    if kind == "string_pattern_mismatch" and loc == ("lang",):
        return Diagnostic(
            location,
            "not a language tag",
            key=loc,
            expected="a BCP 47 tag such as en, en-AU or fr-FR",
            found=found,
            hint="write the language and, if you like, the region: 'fr-FR'",
        )
    if kind == "string_pattern_mismatch" and error["ctx"]["pattern"] != schema.ID_PATTERN:
        return Diagnostic(
            location,
            "not a valid file name",
            key=loc,
            expected="letters, digits, '.', '-' or '_', without spaces",
            found=found,
            hint="write it like 'energy-security-2019'",
        )
    if kind == "string_pattern_mismatch":
        return Diagnostic(
            location,
            "not a valid identifier",
            key=loc,
            expected="a letter followed by letters, digits, '-' or '_'",
            found=found,
            hint="write it like 'energy-security'",
        )
    if kind == "value_error":
        message = error["msg"].removeprefix("Value error, ")
        if message.startswith("expected "):
            return Diagnostic(
                location,
                "wrong value",
                key=loc,
                expected=message.removeprefix("expected "),
                found=found,
            )
        return Diagnostic(
            location,
            message,
            key=loc,
            hint="check the month and the day" if "not a real date" in message else None,
        )
    expected = _EXPECTED.get(kind)
    if expected is None:
        return Diagnostic(location, error["msg"], key=loc, found=found)
    hint = None
    if kind == "list_type":
        hint = "write each item on its own line starting with '- '"
    elif kind == "string_type" and _colon_text(error.get("input")):
        hint = "YAML reads text holding ': ' as a key and its value: put the whole text in quotes"
    elif kind == "string_type" and isinstance(error.get("input"), (dict, list)):
        hint = "a text value cannot hold nested keys; check the indentation"
    elif kind == "bool_type":
        hint = "write true or false"
    return Diagnostic(location, "wrong type", key=loc, expected=expected, found=found, hint=hint)


def _colon_text(value) -> bool:
    """`- Costs: they rise` is a mapping of one key to a text: text the author meant whole."""
    return (
        isinstance(value, dict) and len(value) == 1 and isinstance(next(iter(value.values())), str)
    )


def _allowed_keys(path: KeyPath, brief_model: type[schema.Brief] = schema.Brief) -> set[str]:
    """Field names of the model that `path` (without shape tags) leads to."""
    annotation: Any = brief_model
    for part in path:
        annotation = _step(annotation, part)
        if annotation is None:
            return set()
    model = _model_in(annotation)
    return set(model.model_fields) if model else set()


def _step(annotation, part):
    if isinstance(part, int):
        return _list_item(annotation)
    model = _model_in(annotation)
    if model is None:
        return None
    field = model.model_fields.get(part)
    return field.annotation if field else None


def _candidates(annotation) -> list:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _candidates(typing.get_args(annotation)[0])
    if origin is typing.Union:
        out = []
        for arg in typing.get_args(annotation):
            out.extend(_candidates(arg))
        return out
    return [annotation]


def _model_in(annotation):
    for candidate in _candidates(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _list_item(annotation):
    for candidate in _candidates(annotation):
        if typing.get_origin(candidate) is list:
            return typing.get_args(candidate)[0]
        if (
            isinstance(candidate, type)
            and issubclass(candidate, BaseModel)
            and "items" in candidate.model_fields
        ):
            return _list_item(candidate.model_fields["items"].annotation)
    return None


def _comment_after_key(source, path: KeyPath):
    """Where a comment starts on the line of `path`'s key, if one does."""
    found = source._find(path, True)
    if found is None:
        return None
    where, span = found
    end = where.text.find("\n", span.end)
    offset = where.text.find("#", span.end, end if end >= 0 else len(where.text))
    return where.offset_location(offset) if offset >= 0 else None


# ---- relations between fields ------------------------------------------------------------------


def check_relations(
    brief: schema.Brief,
    loaded: Loaded,
    layouts: set[str],
    labels: set[str],
    more_items: Iterable[str] = (),
) -> list[Diagnostic]:
    """Checks that span fields; `more_items` are keys of numbered items a layout adds."""
    source, data = loaded.source, loaded.data
    out: list[Diagnostic] = []
    if layouts and brief.layout not in layouts:
        out.append(
            Diagnostic(
                source.location(("layout",)),
                f"unknown layout '{brief.layout}'",
                key=("layout",),
                expected="one of " + ", ".join(sorted(layouts)),
                hint=did_you_mean(brief.layout, layouts) or "'briefkit layouts' lists them",
            )
        )
    for name in brief.labels:
        if labels and name not in labels:
            out.append(
                Diagnostic(
                    source.location(("labels", name), at_key=True),
                    f"unknown label '{name}'",
                    key=("labels", name),
                    hint=did_you_mean(name, labels) or "labels: " + ", ".join(sorted(labels)),
                )
            )

    out.extend(_links_dropped(brief, source))
    out.extend(markdown_in_plain_text(brief, data, source))

    colors = (data.get("theme") or {}).get("colors") or {}  # the schema made both mappings
    for name, value in colors.items():
        comment = _comment_after_key(source, ("theme", "colors", name)) if value is None else None
        if comment is not None:
            out.append(
                Diagnostic(
                    comment,
                    "the colour is empty: YAML reads '#' after a space as the start of a comment",
                    key=("theme", "colors", name),
                    hint=f'put the colour in quotes: {name}: "#ff0000"',
                )
            )

    seen: dict[str, KeyPath] = {}

    def claim(identifier: Optional[str], path: KeyPath) -> None:
        if identifier is None:
            return
        if identifier in seen:
            first = source.location(seen[identifier])
            out.append(
                Diagnostic(
                    source.location(path),
                    f"the id '{identifier}' is used twice",
                    key=path,
                    hint=f"ids must be unique in a brief; the first is at line {first.line}",
                )
            )
        else:
            seen[identifier] = path

    findings_at = group_path(data, "findings")
    _, findings = brief.finding_list()
    for i, finding in enumerate(findings):
        claim(finding.id, findings_at + (i, "id"))
    recs_at = group_path(data, "recommendations")
    _, recommendations = brief.recommendation_list()
    for i, rec in enumerate(recommendations):
        claim(rec.id, recs_at + (i, "id"))
    for key in more_items:
        _, items = schema.group_of(getattr(brief, key, None))
        for i, item in enumerate(items):
            claim(item.id, group_path(data, key) + (i, "id"))

    def walk(sections, path: KeyPath, depth: int) -> None:
        for i, section in enumerate(sections):
            here = path + (i,)
            claim(section.id, here + ("id",))
            if section.sections and depth >= MAX_SECTION_DEPTH:
                out.append(
                    Diagnostic(
                        source.location(here + ("sections",), at_key=True),
                        f"sections are nested more than {MAX_SECTION_DEPTH} levels deep",
                        key=here + ("sections",),
                        hint="move these sub-sections up a level or into the body as lists",
                    )
                )
            walk(section.sections, here + ("sections",), depth + 1)

    walk(brief.sections, ("sections",), 1)

    finding_ids = {f.id for f in findings if f.id}
    for i, rec in enumerate(recommendations):
        for j, name in enumerate(rec.findings):
            if name not in finding_ids:
                path = recs_at + (i, "findings", j)
                out.append(
                    Diagnostic(
                        source.location(path),
                        f"no finding has the id '{name}'",
                        key=path,
                        hint=did_you_mean(name, finding_ids)
                        or (
                            "finding ids: " + ", ".join(sorted(finding_ids))
                            if finding_ids
                            else "give the finding an 'id:' first"
                        ),
                    )
                )
    return out


def _links_dropped(brief: schema.Brief, source) -> list[Diagnostic]:
    """A warning for each address the outputs will not link (the link rule of `safe_link`:
    only http(s), mailto and in-page links reach an output), so a relative or `file:` address
    is not dropped silently."""
    fields: list[tuple[KeyPath, Optional[str]]] = []
    if brief.links is not None and brief.links.full_report is not None:
        fields.append((("links", "full_report", "url"), brief.links.full_report.url))
    fields += [(("related", i, "url"), item.url) for i, item in enumerate(brief.related or [])]
    if brief.publisher is not None:
        fields.append((("publisher", "url"), getattr(brief.publisher, "url", None)))
    return [
        Diagnostic(
            source.location(path),
            "this address will not be linked",
            key=path,
            expected="an http(s) or mailto address, or #an-anchor in the brief",
            found=repr(url),
            severity="warning",
            hint="write the full https:// address; the label is printed as text",
        )
        for path, url in fields
        if url and safe_link(url) is None
    ]
