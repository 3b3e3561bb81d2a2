"""Batch: paths of briefs and folders in, every brief built or found current out.

Finds the briefs, keeps this run's `--shard`, skips briefs whose fingerprint is current,
protects outputs an editor changed since briefkit wrote them, builds the rest in worker
processes that import the engines once and serve many briefs, and writes the series index.
One failing brief never stops the others. Nothing here prints: each outcome goes to a
callback, and the caller (the CLI) decides how to show it.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from .diagnostics import BriefInvalid
from .fingerprint import Cache, Hasher, Record, engine_versions, record_for
from .paths import find_project_root
from .discover import discover
from .series import series_files

FORMATS = ("docx", "html", "pdf")
_NAMES = {"docx": "Word", "html": "the web page", "pdf": "the PDF"}
SAVE_EVERY = 2.0  # seconds between saves of the build cache during a run


@dataclass(frozen=True)
class Job:
    brief: Path  # resolved path of the brief
    out_dir: Path  # where its outputs go: the folder tree below the build root, mirrored
    key: str  # its name in the cache

    @property
    def brief_display(self) -> str:
        from .load import display_path

        return str(display_path(self.brief))


@dataclass
class Outcome:
    job: Job
    status: str  # "built" | "unchanged" | "failed"
    outputs: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # hand-edited files left as they were
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # formats not made: their engine cannot load
    record: Optional[Record] = None


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    index: Optional[Path] = None
    combined: Optional[Path] = None
    cache_was_corrupt: bool = False

    def having(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]




def plan(paths: Sequence[Path], out_dir: Path) -> list[Job]:
    jobs = []
    out_dir = Path(out_dir).resolve()
    for brief, root in discover(paths):
        folder = brief.parent.parent if brief.name == "brief.yaml" else brief.parent
        try:
            relative = folder.relative_to(root)
        except ValueError:
            relative = Path()
        key = str(brief.relative_to(root.parent) if root.parent in brief.parents else brief)
        jobs.append(Job(brief, out_dir / relative, key))
    return sorted(jobs, key=lambda j: j.key)


def shard(jobs: list[Job], index: int, count: int) -> list[Job]:
    """The `index`-th (1-based) of `count` stable slices: by a hash of each brief's key, so a
    brief stays in its slice however many briefs are added or removed."""
    return [j for j in jobs
            if int(hashlib.sha1(j.key.encode()).hexdigest(), 16) % count == index - 1]


# ---- building ---------------------------------------------------------------------------------

def build_all(paths: Sequence[Path], out_dir: Path, *, formats: Optional[Sequence[str]] = None,
              jobs: Optional[int] = None, force: bool = False,
              shard_spec: Optional[tuple[int, int]] = None, index: Optional[bool] = None,
              allow_network: bool = False,
              on_start: Callable[[int], None] = lambda total: None,
              on_outcome: Callable[[Outcome], None] = lambda outcome: None,
              on_stage: Optional[Callable[[str], None]] = None) -> Summary:
    """Build what is stale under `paths`; `on_stage` hears the stages of a brief built in this
    process (a single brief: the CLI shows them on a terminal)."""
    out_dir = Path(out_dir)
    every_job = plan(paths, out_dir)
    todo = shard(every_job, *shard_spec) if shard_spec else every_job
    cache = Cache(out_dir)
    summary = Summary(cache_was_corrupt=cache.was_corrupt)
    hasher, engines = Hasher(), engine_versions()
    on_start(len(todo))

    stale: list[Job] = []
    for job in todo:
        record = cache.records.get(job.key)
        wanted = list(formats) if formats else (list(record.outputs) if record else list(FORMATS))
        project = find_project_root(job.brief)
        if not force and cache.is_current(job.key, wanted, series_files(job.brief, project),
                                          hasher, engines):
            outcome = Outcome(job, "unchanged", [Path(record.outputs[f]["path"]) for f in wanted])
            summary.outcomes.append(outcome)
            on_outcome(outcome)
        else:
            stale.append(job)

    workers = max(1, jobs or os.cpu_count() or 1)
    saved_at, unsaved = time.monotonic(), False
    for outcome in _run(stale, formats, force, cache, workers, allow_network, on_stage):
        if outcome.record is not None:
            cache.records[outcome.job.key] = outcome.record
            unsaved = True
        # Saved every few seconds, not after every brief: the parent shares the cores with
        # the workers, and a record lost to a kill only means one more rebuild.
        if unsaved and time.monotonic() - saved_at > SAVE_EVERY:
            cache.save()
            saved_at, unsaved = time.monotonic(), False
        summary.outcomes.append(outcome)
        on_outcome(outcome)
    if unsaved:
        cache.save()

    write_index = index if index is not None else any(Path(p).is_dir() for p in paths)
    if write_index and not shard_spec:
        from .series_index import write_series_index

        summary.index = write_series_index(out_dir, [cache.records[j.key] for j in every_job
                                                     if j.key in cache.records])
    return summary


def _run(stale: list[Job], formats, force: bool, cache: Cache, workers: int,
         allow_network: bool = False, on_stage=None):
    if not stale:
        return
    tasks = [(job, formats, force, cache.records.get(job.key), False, allow_network)
             for job in stale]
    if workers == 1 or len(stale) == 1:
        # In this process `prepare` imports the engines itself, while Pandoc runs.
        for job, formats_, force_, previous, _, network in tasks:
            yield build_one(job, formats_, force_, previous, workers > 1, network,
                            on_stage=on_stage)
        return
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(stale)), mp_context=context,
                             initializer=_warm, initargs=(formats,)) as pool:
        futures = [pool.submit(build_one, *task) for task in tasks]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _warm(formats) -> None:
    """Import the engines once per worker process; every brief it builds then skips that."""
    import importlib

    from .pipeline import import_engines

    import_engines(formats or FORMATS)
    importlib.import_module("briefkit.validate")  # pydantic and the schema


def build_one(job: Job, formats, force: bool, previous: Optional[Record], parallel: bool = False,
              allow_network: bool = False, on_stage=None) -> Outcome:
    """Build one brief; never raises for a bad brief (the outcome says what went wrong)."""
    from .pipeline import (dry_run, examine, render_formats, templates_to_try,
                           warn_missing_glyphs)
    from .write import write_atomic

    hasher = Hasher()
    try:
        stage = on_stage or (lambda text: None)
        prepared = examine(job.brief, preload=formats or FORMATS, allow_network=allow_network,
                           on_stage=stage)
        wanted = [f for f in (formats or prepared.document.formats) if f in FORMATS]
        if prepared.diagnostics.errors:
            # Every mistake in one run, as `check` finds them (house templates' too).
            dry_run(prepared, templates_to_try(prepared, wanted))
            prepared.diagnostics.raise_if_errors()
        names = [_NAMES[f] for f in wanted]
        stage("writing " + " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1
                                        else names))
        rendered = render_formats(prepared, wanted, parallel=parallel)
        warn_missing_glyphs(prepared, list(rendered))
    except BriefInvalid as exc:
        return Outcome(job, "failed", errors=[str(d) for d in exc.diagnostics.errors])
    except Exception as exc:  # a bug: reported for this brief, the others go on
        return Outcome(job, "failed", errors=[f"internal error: {type(exc).__name__}: {exc}"])

    outcome = Outcome(job, "built", warnings=[str(w) for w in prepared.diagnostics.warnings],
                      missing=[exc.message() for exc in prepared.missing])
    written: dict[str, Path] = {}
    protected: dict[str, tuple[Path, str]] = {}
    for fmt in [f for f in wanted if f in rendered]:
        target = job.out_dir / f"{prepared.document.output_name}.{fmt}"
        briefkit_wrote = None if force else _protect(previous, fmt, target, hasher)
        if briefkit_wrote is not None:
            outcome.kept.append(target)
            protected[fmt] = (target, briefkit_wrote)
            target = target.with_name(f"{prepared.document.output_name}.new.{fmt}")
        write_atomic(target, rendered[fmt])
        hasher.forget(target)
        written[fmt] = target
        outcome.outputs.append(target)
    series = series_files(job.brief, find_project_root(job.brief))
    if outcome.missing:
        return outcome  # no record: the next build makes the missing formats
    outcome.record = record_for(prepared, written, series, hasher)
    for fmt, (kept, digest) in protected.items():
        outcome.record.outputs[fmt].update(kept=str(kept), kept_sha256=digest)
    return outcome


def _protect(previous: Optional[Record], fmt: str, target: Path, hasher: Hasher) -> Optional[str]:
    """The hash of what briefkit last wrote at `target`, when an editor has changed the file
    since (so it must be kept); None when the file may be replaced."""
    if previous is None or fmt not in previous.outputs or not target.exists():
        return None
    written = previous.outputs[fmt]
    if written.get("kept") == str(target):
        briefkit_wrote = written["kept_sha256"]
    elif written["path"] == str(target):
        briefkit_wrote = written["sha256"]
    else:
        return None
    return briefkit_wrote if hasher(target) != briefkit_wrote else None
