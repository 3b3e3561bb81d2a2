"""`briefkit import`: a Word draft (.docx) in, a brief (YAML text + pictures in `assets/`) out.

    inspect (word_package) -> Pandoc's DOCX reader (JSON AST, tracked changes and comments as
    spans, citation fields as citations) -> outline (title block, headings, briefkit's own
    paragraph styles) -> parts (word_parts: headings that match the layout's labels become
    those parts, the rest nested sections) -> Markdown (word_markdown) -> YAML (brief_yaml)

Nothing is dropped silently: what has no place in the format stays as prose and is listed in
`Imported.unmapped`; editors' comments become YAML comments above the field they annotate.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from briefkit.core.cleanup import scratch_folder
from briefkit.core.run import EngineBudget, run_engine
from briefkit.layout import folders as layouts_module
from briefkit.load.brief_yaml import dump_brief, quoted
from briefkit.ooxml.brief_record import read_record
from briefkit.ooxml.package import PackageRefused, read_parts
from briefkit.prose.citations import pandoc_path
from briefkit.prose.csl_styles import styles_dir
from briefkit.prose.pandoc_ast import ALT_PLACEHOLDER
from briefkit.word.draft import (
    DraftFacts,
    DraftRefused,
    citation_style_id,
    core_date,
    inspect_draft,
)
from briefkit.word.markdown import Cleaner, plain_text, to_markdown
from briefkit.word.outline import Outline, PartMapper
from briefkit.word.pictures import convert_pictures
from briefkit.word.prepare import prepare, without_bibliography_fields

__all__ = ["DraftRefused", "Imported", "import_draft", "write_import"]

# Paragraph styles of the title block (Word's own and those briefkit's DOCX writer uses).
TITLE_STYLES = {
    "Title": "title",
    "Subtitle": "subtitle",
    "Kicker": "kicker",
    "Byline": "byline",
    "Author": "byline",
    "Dateline": "date",
    "Date": "date",
    "Publisher": "publisher",
    "Series Line": "series",
    "Categories": "categories",
    "Abstract": "standfirst",
    "Standfirst": "standfirst",
    "Colophon": "colophon",
}
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}


@dataclass
class Imported:
    yaml_text: str
    data: dict
    assets: dict[str, bytes] = field(default_factory=dict)  # "assets/x.png" -> the picture
    tracked_changes: int = 0
    comments: int = 0
    unmapped: list[str] = field(default_factory=list)
    notes: int = 0
    rewritten: dict[str, int] = field(default_factory=dict)  # what was read with help
    not_carried: dict[str, int] = field(default_factory=dict)  # kind -> count, kept as marks


def import_draft(
    draft: Path,
    target: Path,
    *,
    layout_name: str = "report",
    project: Optional[Path] = None,
) -> Imported:
    """Read `draft` into a brief meant to be written at `target` (nothing is written here:
    the brief and its pictures wait in the result for `write_import`; the working folders
    are gone when this returns, however it returns)."""
    facts = inspect_draft(draft)
    layout = layouts_module.load_layout(layout_name, project)
    with (
        scratch_folder("briefkit-import-") as scratch,
        scratch_folder("briefkit-prepared-") as work,
    ):
        try:
            return _import(draft, target, facts, layout, scratch, work)
        except EngineBudget as exc:
            raise DraftRefused(
                f"is too large to read: {exc}; split the draft or remove what it does not need"
            ) from None


def _import(
    draft: Path, target: Path, facts: DraftFacts, layout, scratch: Path, work: Path
) -> Imported:
    prepared = prepare(Path(draft), work)
    ast = _read_with_pandoc(prepared.path.resolve(), scratch)
    converted_citations = _count(ast["blocks"], "Cite")
    if converted_citations < prepared.citation_fields:
        # some citation fields could not be read: the draft's own reference list stays as prose
        plain = work / "without-bibliography.docx"
        if without_bibliography_fields(prepared, plain):
            ast = _read_with_pandoc(plain.resolve(), scratch)
            prepared.lost[
                "reference list(s) rendered by a citation manager, kept as prose "
                "because some citations could not be converted"
            ] += 1
        prepared.lost["citation field(s) that could not be converted, kept as their text"] += (
            prepared.citation_fields - converted_citations
        )
    references = (
        _references(prepared.path.resolve(), scratch) if "references" in ast["meta"] else []
    )
    references, built = _as_built(references, draft)
    extracted = sorted(p.resolve() for p in scratch.rglob("*") if p.is_file())
    converted, picture_failures = convert_pictures(extracted)

    assets: dict[str, bytes] = {}
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(target).stem).strip("-") or "draft"
    dropped: list[str] = []

    def image_target(path: str) -> str:
        source = (
            (scratch / path).resolve() if not Path(path).is_absolute() else Path(path).resolve()
        )
        if scratch.resolve() not in source.parents or not source.is_file():
            # Not a picture of this draft (a linked one, INCLUDEPICTURE): never fetched later.
            dropped.append(path)
            return ""
        source = converted.get(source, source)
        data = source.read_bytes()
        clean = re.sub(r"[^A-Za-z0-9._-]+", "-", source.name).lstrip(".") or "picture"
        name, number = f"assets/{stem}-{clean}", 1
        while name in assets and assets[name] != data:  # two pictures whose names clean alike
            number += 1
            base, dot, suffix = clean.rpartition(".")
            name = f"assets/{stem}-{base or clean}-{number}{dot}{suffix if base else ''}"
        assets[name] = data
        return name

    outline = Outline.from_blocks(ast["blocks"], TITLE_STYLES)
    cleaner = Cleaner(image_target, outline.link_targets_known())
    references, cleaner.cite_keys = readable_keys(references, {str(i["id"]) for i in built})
    mapper = PartMapper(layout, cleaner, outline)
    data = _metadata(ast["meta"], outline, facts, layout, draft, mapper)
    for role, inlines in outline.title_inlines.items():
        key = {"byline": "authors", "dateline": "date"}.get(role, role)
        _, found = cleaner.field([{"t": "Para", "c": inlines}])
        if found:
            mapper.title_comments.append(((key,), found))
    mapper.parts(data)
    if references:
        data["references"] = references
        style = citation_style_id(facts)
        if style and (styles_dir() / f"{style}.csl").is_file():
            data["citation_style"] = style
        elif style:
            mapper.unmapped.append(
                f"the draft's citation style '{style}' is not in briefkit's "
                "collection; set `citation_style`"
            )
        if mapper.bibliography_title:
            data["bibliography_title"] = mapper.bibliography_title
    if not mapper.fields and not data.get("title_found"):
        raise DraftRefused(
            "holds no text to import (no paragraphs, headings or notes); "
            "check that you chose the right file"
        )
    data.pop("title_found", None)
    if facts.endnotes and not facts.footnotes and layout.notes != "endnotes":
        data["notes"] = "endnotes"
    elif facts.footnotes and not facts.endnotes and layout.notes != "footnotes":
        data["notes"] = "footnotes"

    markdown = to_markdown([blocks for _, blocks in mapper.fields], cleaner.notes, cleaner.xrefs)
    comments: dict[tuple, list[str]] = {}
    for (path, _), text, field_comments in zip(mapper.fields, markdown, mapper.comments):
        _put(data, path, text)
        if field_comments:
            comments.setdefault(path, []).extend(c.describe() for c in field_comments)
    for path, field_comments in mapper.title_comments:
        comments.setdefault(path, []).extend(c.describe() for c in field_comments)
    _prune(data)
    if cleaner.placeholders:
        mapper.unmapped.append(
            f"{cleaner.placeholders} picture(s) without alt text: each "
            f"has '{ALT_PLACEHOLDER}' for you to replace (`check` points at "
            "each)"
        )
    if dropped:
        mapper.unmapped.append(
            f"{len(dropped)} picture(s) linked from outside the draft left out (briefkit "
            "never fetches them); insert them into the draft or add them to assets/"
        )
    header = [f"Imported by briefkit from {quoted(Path(draft).name)}."]
    if facts.tracked_changes or cleaner.changes:
        header.append(
            f"{max(facts.tracked_changes, cleaner.changes)} tracked change(s) were accepted."
        )
    if any(comments.values()):
        header.append("Editors' comments stand above the field they annotate.")
    ordered = {k: data[k] for k in _ORDER if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    for reason, count in Counter(picture_failures.values()).items():
        prepared.lost[f"picture(s) not converted: {reason}"] += count
    return Imported(
        dump_brief(ordered, comments, header),
        ordered,
        assets,
        max(facts.tracked_changes, cleaner.changes),
        sum(len(v) for v in comments.values()),
        mapper.unmapped,
        len(cleaner.notes),
        dict(prepared.done),
        dict(prepared.lost),
    )


_ORDER = [
    "layout",
    "kicker",
    "title",
    "subtitle",
    "date",
    "updated",
    "status",
    "version",
    "authors",
    "publisher",
    "series",
    "categories",
    "notes",
    "output",
    "standfirst",
    "summary",
    "executive_summary",
    "key_takeaways",
    "findings",
    "sections",
    "recommendations",
    "links",
    "acronyms",
    "acknowledgements",
    "about",
    "disclaimer",
    "copyright",
    "license",
    "citation_style",
    "bibliography_title",
    "references",
]


def write_import(imported: Imported, target: Path, gate) -> list[Path]:
    """Write the brief and its pictures through the output gate (`gate`, which never replaces
    the draft): pictures go only into the brief's own assets/ (their real paths stay inside the
    brief's folder), a picture already there with other bytes is kept unless --force."""
    target = Path(target)
    folder = target.parent
    pictures = gate.inside(folder, "the brief's folder")
    written = []
    for name, data in imported.assets.items():
        written.append(pictures.write(folder / name, data, stamped=False).path)
    gate.write(target, imported.yaml_text.encode("utf-8"), stamped=False)
    return [target, *written]


def _read_with_pandoc(draft: Path, scratch: Path) -> dict:
    result = run_engine(
        [
            pandoc_path(),
            "-f",
            "docx+styles+citations",
            "--track-changes=all",
            "--extract-media=.",
            "-t",
            "json",
            str(draft),
        ],
        cwd=scratch,
        what="Pandoc's DOCX reader",
    )
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise DraftRefused(
            "could not be read as a Word document ("
            + (message[-1] if message else "Pandoc failed")
            + "); open it in Word, "
            "save it again and import the saved copy"
        )
    return json.loads(result.stdout)


def _as_built(references: list[dict], draft: Path) -> tuple[list[dict], list[dict]]:
    """A DOCX briefkit built carries its cited sources as Pandoc read them (its record): those
    replace what the citation fields say, which had to follow the CSL schema. Returns the
    references and those of the record."""
    try:
        record = read_record(read_parts(draft))
    except PackageRefused:
        return references, []
    built = {str(item.get("id")): item for item in (record.references if record else [])}
    return [built.get(str(item.get("id")), item) for item in references], list(built.values())


def _references(draft: Path, scratch: Path) -> list[dict]:
    """The CSL items of the draft's Zotero/Mendeley/EndNote citation fields, as Pandoc reads them."""
    result = run_engine(
        [pandoc_path(), "-f", "docx+citations", "-t", "csljson", str(draft)],
        cwd=scratch,
        what="Pandoc's DOCX reader",
    )
    if result.returncode != 0:
        return []
    try:
        items = json.loads(result.stdout)
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    for item in items:
        # EndNote's record has <pages>, which Pandoc keeps under that name; CSL's is `page`
        if isinstance(item, dict) and "pages" in item and "page" not in item:
            item["page"] = item.pop("pages")
    return items


def _count(value, kind: str) -> int:
    if isinstance(value, list):
        return sum(_count(item, kind) for item in value)
    if isinstance(value, dict) and "t" in value:
        return (value["t"] == kind) + _count(value.get("c"), kind)
    return 0


def readable_keys(items: list[dict], keep=frozenset()) -> tuple[list[dict], dict[str, str]]:
    """Citation fields carry ids like "1" or a Zotero URI; an author edits `[@doe2020]`. The
    ids in `keep` are the brief's own keys already (a DOCX briefkit built)."""
    keys: dict[str, str] = {}
    taken: set[str] = set()
    out = []
    for item in items:
        names = item.get("author") or item.get("editor") or [{}]
        first = names[0] if isinstance(names, list) and names else {}
        stem = str(first.get("family") or first.get("literal") or item.get("title") or "source")
        stem = re.sub(r"[^a-z0-9]+", "", stem.split()[0].lower()) if stem.split() else ""
        year = ""
        parts = (
            (item.get("issued") or {}).get("date-parts")
            if isinstance(item.get("issued"), dict)
            else None
        )
        if parts and parts[0]:
            year = str(parts[0][0])
        key = (stem or "source") + year
        if str(item.get("id")) in keep:
            key = str(item.get("id"))
        candidate, suffix = key, 0
        while candidate in taken:
            suffix += 1
            candidate = key + "abcdefghijklmnopqrstuvwxyz"[(suffix - 1) % 26] * (
                1 + (suffix - 1) // 26
            )
        taken.add(candidate)
        keys[str(item.get("id"))] = candidate
        out.append({**item, "id": candidate})
    return out, keys


def _metadata(
    meta: dict, outline: Outline, facts: DraftFacts, layout, draft: Path, mapper: PartMapper
) -> dict:
    data: dict = {"layout": layout.name}
    title_block = outline.title_block
    title = title_block.get("title") or _meta_text(meta, "title") or facts.core.get("title")
    data["title_found"] = bool(title_block.get("title") or _meta_text(meta, "title"))
    if not title:
        title = (
            Path(draft).stem.replace("_", " ").replace("-", " ").strip().capitalize() or "Untitled"
        )
        mapper.unmapped.append(
            f"no title (no Title paragraph or document property): "
            f"'{title}' from the file name; change it"
        )
    data["title"] = title
    subtitle = title_block.get("subtitle") or _meta_text(meta, "subtitle")
    if subtitle:
        data["subtitle"] = subtitle
    if title_block.get("kicker"):
        data["kicker"] = title_block["kicker"]
    dated, updated = _date(title_block.get("date") or _meta_text(meta, "date"))
    if dated is None:
        dated = core_date(facts)
        mapper.unmapped.append(
            "no date in the text: "
            + (f"the draft's creation date {dated} was used" if dated else "today's date was used")
            + "; check `date`"
        )
        dated = dated or dt.date.today()
    data["date"] = dated
    if updated:
        data["updated"] = updated
    authors = _authors(title_block.get("byline"), meta, facts, layout)
    if authors:
        data["authors"] = authors
    if title_block.get("publisher"):
        # briefkit writes the programme on a line of its own; others a " · " between them
        lines = [plain_text(line) for line in _lines(outline.title_inlines.get("publisher", []))]
        lines = [line for line in lines if line] or [title_block["publisher"]]
        name, _, program = lines[0].partition(" · ")
        program = " ".join(filter(None, [program.strip(), *lines[1:]]))
        data["publisher"] = {"name": name.strip(), **({"program": program} if program else {})}
    elif title_block.get("date"):
        # a dateline with the outlet: "1 September 2020 · Real Clear Defense"
        updated_label = layout.labels.get("updated", "Updated")
        pieces = [p.strip() for p in re.split(r"\s+[·•|]\s+", title_block["date"])]
        outlet = [
            p
            for p in pieces[1:]
            if p and not p.startswith(updated_label) and _date(p) == (None, None)
        ]
        if outlet:
            data["publisher"] = {"name": outlet[-1]}
    if title_block.get("series"):
        name, sep, number = title_block["series"].partition(
            f" {layout.labels.get('series_number', 'No.')} "
        )
        data["series"] = {
            "name": name.strip(),
            **({"number": number.split(" · ")[0].strip()} if sep else {}),
        }
    if title_block.get("categories"):
        text = re.sub(r"^[^:]{1,40}:\s*", "", title_block["categories"])
        data["categories"] = [c.strip() for c in text.split(";") if c.strip()]
    for line in outline.colophon:
        version = layout.labels.get("version", "Version")
        if line.startswith(version + " "):
            data["version"] = line[len(version) + 1 :].strip()
        elif "©" in line or line.lower().startswith("copyright"):
            data["copyright"] = line
        elif re.fullmatch(r"https?://\S+", line):
            data.setdefault("publisher", {})["url"] = line
        elif re.search(r"licen[cs]|\bCC[- ]BY|creative commons", line, re.I):
            data["license"] = line
        else:
            mapper.add_leftover(line)
    return data


def _lines(inlines: list) -> list[list]:
    """Inlines split at line breaks."""
    lines: list[list] = [[]]
    for inline in inlines:
        if inline.get("t") == "LineBreak":
            lines.append([])
        else:
            lines[-1].append(inline)
    return lines


def _meta_text(meta: dict, key: str) -> Optional[str]:
    value = meta.get(key)
    return plain_text(value["c"]) if value else None


def _date(text: Optional[str]) -> tuple[Optional[dt.date], Optional[dt.date]]:
    """The first date in a dateline ("1 September 2020 (Updated 3 May 2021) · Outlet")."""
    if not text:
        return None, None
    found = []
    for match in re.finditer(
        r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})"
        r"|([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})",
        text,
    ):
        g = match.groups()
        try:
            if g[0]:
                found.append(dt.date(int(g[0]), int(g[1]), int(g[2])))
            elif g[3] and g[4].lower() in _MONTHS:
                found.append(dt.date(int(g[5]), _MONTHS[g[4].lower()], int(g[3])))
            elif g[6] and g[6].lower() in _MONTHS:
                found.append(dt.date(int(g[8]), _MONTHS[g[6].lower()], int(g[7])))
        except ValueError:
            continue
    return (found[0] if found else None), (found[1] if len(found) > 1 else None)


def _authors(byline: Optional[str], meta: dict, facts: DraftFacts, layout) -> list:
    names = []
    if "author" in meta:
        value = meta["author"]
        entries = value["c"] if value["t"] == "MetaList" else [value]
        names = [plain_text(e["c"]) for e in entries if plain_text(e["c"])]
    core = [n.strip() for n in re.split(r";", facts.core.get("creator", "")) if n.strip()]
    if not byline:
        return names or [n for n in core if n.lower() not in ("briefkit", "pandoc")]
    by = layout.labels.get("by", "By")
    byline = re.sub(rf"^{re.escape(by)}\s+", "", byline.strip())
    known = names or core
    if known and all(n in byline for n in known):
        authors = []
        positions = sorted((byline.index(n), n) for n in known)
        for i, (start, name) in enumerate(positions):
            end = positions[i + 1][0] if i + 1 < len(positions) else len(byline)
            rest = byline[start + len(name) : end]
            title = re.sub(r"^,\s*|(,|\s+and|\s*&)\s*$", "", rest.strip()).strip(" ,")
            authors.append({"name": name, "title": title} if title else name)
        return authors
    parts = re.split(r",\s*|\s+and\s+|\s*&\s*", byline)
    return [p.strip() for p in parts if p.strip()]


def _put(data: dict, path: tuple, value) -> None:
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def _prune(value):
    """Drop fields whose Markdown came out empty (a part that held only generated text)."""
    if isinstance(value, dict):
        for key in list(value):
            _prune(value[key])
            if value[key] in ("", None) and key in (
                "body",
                "intro",
                "bio",
                "problem",
                "solution",
                "executive_summary",
                "standfirst",
                "acknowledgements",
                "about",
                "disclaimer",
            ):
                del value[key]
    elif isinstance(value, list):
        for item in value:
            _prune(item)
