"""Batch: paths of briefs and folders in, every brief built or found current out.

Finds the briefs, keeps this run's `--shard`, refuses output names that collide, locks the
output folder, skips briefs whose fingerprint is current, builds the rest in worker processes
that import the engines once and serve many briefs, and writes the series index. Workers render
and stage; this process alone replaces outputs (a brief's formats together, outputs an editor
changed kept: outputs.py) and records them in the cache, which is saved however the run ends.
One failing brief never stops the others. Nothing here prints: each outcome goes to a
callback, and the caller (the CLI) decides how to show it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from briefkit.builder.combine import COMBINED_NAME, write_combined
from briefkit.builder.discover import discover
from briefkit.builder.fingerprint import Cache, Hasher, Record, engine_versions, record_for
from briefkit.builder.outputs import (
    Claim,
    OutputError,
    OutputLock,
    check_names,
    choose_target,
    commit,
    describe,
    earlier_claims,
    remove_debris,
    signals_held,
    stage,
)
from briefkit.builder.pipeline import import_engines, produce, slug_of
from briefkit.core.diagnostics import BriefInvalid, Diagnostics
from briefkit.core.engines import EngineMissing
from briefkit.core.paths import find_project_root, unfollowed
from briefkit.core.workers import become_worker, interruptible, staged_now, stop_pool
from briefkit.formats import NAMES
from briefkit.layout.folders import builtin_dir
from briefkit.load.series import load_brief, series_files
from briefkit.load.source import display_path
from briefkit.render.pdf.process import pdf_process_for

FORMATS = NAMES  # the table of formats (formats.py)
SAVE_EVERY = 2.0  # seconds between saves of the build cache during a run


@dataclass(frozen=True)
class Job:
    brief: Path  # resolved path of the brief
    out_dir: Path  # where its outputs go: the folder tree below the build root, mirrored
    key: str  # its name in the cache

    @property
    def brief_display(self) -> str:
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
    staged: dict[str, tuple[Path, Path]] = field(default_factory=dict)  # fmt -> (part, target)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)  # a built brief's warnings
    missing_engines: list[EngineMissing] = field(default_factory=list)


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    index: Optional[Path] = None
    combined: Optional[Path] = None
    cache_was_corrupt: bool = False
    problems: list[str] = field(default_factory=list)  # the run's own (cache, index, combined)

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
    return [
        j for j in jobs if int(hashlib.sha1(j.key.encode()).hexdigest(), 16) % count == index - 1
    ]


# ---- building ---------------------------------------------------------------------------------


def build_all(
    paths: Sequence[Path],
    out_dir: Path,
    *,
    formats: Optional[Sequence[str]] = None,
    jobs: Optional[int] = None,
    force: bool = False,
    shard_spec: Optional[tuple[int, int]] = None,
    index: Optional[bool] = None,
    combined: bool = False,
    allow_network: bool = False,
    redlines: bool = False,
    on_start: Callable[[int], None] = lambda total: None,
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
    on_wait: Callable[[str], None] = lambda message: None,
    on_stage: Optional[Callable[[str], None]] = None,
) -> Summary:
    """Build the briefs under `paths` into `out_dir`; `on_stage` hears the stages of a brief
    built in this process (a single brief: the CLI shows them on a terminal); `redlines`:
    each brief will also write `<name>.redline.docx` (`--redline-against`), a name no other
    output may take. Raises `NamesRefused` (nothing built) when outputs would overwrite each
    other, in this run or with what an earlier run wrote into the folder for another brief
    that still exists; `OutputError` when the folder cannot be written, and
    `workers.Interrupted`/KeyboardInterrupt after saving the cache when stopped."""
    out_dir = Path(out_dir)
    every_job = plan(paths, out_dir)
    todo = shard(every_job, *shard_spec) if shard_spec else every_job
    write_index = (
        index if index is not None else any(Path(p).is_dir() for p in paths)
    ) and not shard_spec
    reserved = {}
    if write_index:  # (imported here: the index's Jinja is not needed to build one brief)
        # Jinja only when a folder build writes its index
        from briefkit.builder.series_index import INDEX_NAME

        reserved[out_dir / INDEX_NAME] = "the series index"
    if combined and not shard_spec:
        reserved[out_dir / COMBINED_NAME] = "the combined PDF"

    with interruptible(), OutputLock(out_dir, on_wait):
        cache = Cache(out_dir)
        summary = Summary(cache_was_corrupt=cache.was_corrupt)
        hasher, engines = Hasher(), engine_versions()
        current: dict[str, list[str]] = {}
        for job in todo:
            record = cache.records.get(job.key)
            declared = [
                f for f in (record.meta.get("formats") if record else None) or () if f in FORMATS
            ]
            wanted = list(formats or declared or FORMATS)
            project = find_project_root(job.brief)
            allowed = (project.resolve(), job.brief.parent.resolve(), builtin_dir().resolve())
            if not force and cache.is_current(
                job.key, wanted, series_files(job.brief, project), hasher, engines, allowed
            ):
                current[job.key] = wanted
        by_key = {j.key: j for j in every_job}
        claims = [
            Claim(j.out_dir, _output_name(j, cache, j.key in current), j.key) for j in every_job
        ]
        if redlines:
            claims += [Claim(c.folder, f"{c.name}.redline", c.key) for c in claims]
        earlier, described = earlier_claims(cache.records, every_job)
        check_names(
            claims + earlier,
            reserved,
            locate=lambda key: described.get(key) or _declared_name(by_key[key])[1],
        )
        on_start(len(todo))
        stale = []
        for job in todo:
            if job.key in current:
                record = cache.records[job.key]
                outcome = Outcome(
                    job, "unchanged", [Path(record.outputs[f]["path"]) for f in current[job.key]]
                )
                summary.outcomes.append(outcome)
                on_outcome(outcome)
            else:
                stale.append(job)
        try:
            _build_stale(
                stale,
                formats,
                force,
                cache,
                hasher,
                jobs,
                allow_network,
                summary,
                on_outcome,
                on_stage,
            )
        finally:
            # Files staged by workers that were stopped before handing them over: every
            # `.part` in the folder is this run's while it holds the lock.
            remove_debris(out_dir)
            with signals_held():
                try:
                    cache.save()
                except OSError as exc:
                    summary.problems.append(
                        describe(exc, cache.path) + " (the build cache; the outputs are written)"
                    )
        if write_index:
            # Jinja only when a folder build writes its index
            from briefkit.builder.series_index import write_series_index

            try:
                summary.index = write_series_index(
                    out_dir, [cache.records[j.key] for j in every_job if j.key in cache.records]
                )
            except OutputError as exc:
                summary.problems.append(str(exc))
        if combined and not shard_spec:
            try:
                summary.combined = write_combined(
                    out_dir, [o.job for o in summary.outcomes if o.status != "failed"]
                )
            except Exception as exc:  # noqa: BLE001 - reported, the run has failed
                lines = [line for line in str(exc).strip().splitlines() if line.strip()]
                summary.problems.append(
                    "combined PDF not written: "
                    + (lines[-1].strip() if lines else type(exc).__name__)
                )
    return summary


def _output_name(job: Job, cache: Cache, current: bool) -> str:
    """The name `job`'s outputs take: from its cache record when it is current (no YAML read),
    else from the brief (and its series files), else its slug."""
    if current:
        return cache.records[job.key].meta["name"]
    value = _declared_name(job)[0]
    return value or slug_of(job.brief)


def _declared_name(job: Job):
    """(output.name as written or None, where it is written or the brief)."""
    try:
        loaded, _ = load_brief(job.brief, find_project_root(job.brief))
        output = loaded.data.get("output")
        name = output.get("name") if isinstance(output, dict) else None
        if isinstance(name, str) and name:
            return name, str(loaded.source.location(("output", "name")))
    except Exception:  # noqa: BLE001 - a brief that does not load fails later, located
        pass
    return None, job.brief_display


def _build_stale(
    stale: list[Job],
    formats,
    force: bool,
    cache: Cache,
    hasher: Hasher,
    jobs: Optional[int],
    allow_network: bool,
    summary: Summary,
    on_outcome: Callable[[Outcome], None],
    on_stage=None,
) -> None:
    workers = max(1, jobs or os.cpu_count() or 1)
    saved_at, unsaved = time.monotonic(), False
    pending: list[Outcome] = []
    outcomes = _run(stale, formats, workers, allow_network, on_stage)
    try:
        for outcome in outcomes:
            pending.append(outcome)
            if outcome.status == "built":
                _replace_outputs(outcome, cache, hasher, force)
            pending.remove(outcome)
            unsaved = unsaved or outcome.record is not None
            # Saved every few seconds, not after every brief: the parent shares the cores with
            # the workers, and the outputs tell by themselves whose they are (stamp.py).
            if unsaved and time.monotonic() - saved_at > SAVE_EVERY:
                with signals_held(), contextlib.suppress(OSError):  # the final save says it
                    cache.save()
                saved_at, unsaved = time.monotonic(), False
            summary.outcomes.append(outcome)
            on_outcome(outcome)
    finally:
        outcomes.close()  # an interrupted run stops its workers now
        for outcome in pending:
            for part, _ in outcome.staged.values():
                part.unlink(missing_ok=True)


def _replace_outputs(outcome: Outcome, cache: Cache, hasher: Hasher, force: bool) -> None:
    """Put `outcome`'s staged files in place (all formats or none) and record them."""
    record = outcome.record
    assert record is not None  # a built outcome carries the record of what it read
    clashes = _inputs_replaced(outcome, record, cache)
    chosen: dict[str, tuple[Path, list[Path]]] = {}
    try:
        if clashes:
            raise OutputError(clashes[0])
        for fmt, (_part, target) in outcome.staged.items():
            chosen[fmt] = choose_target(target, force)
        with signals_held():
            commit([(part, chosen[fmt][0]) for fmt, (part, _) in outcome.staged.items()])
            previous = cache.records.get(outcome.job.key)
            for fmt, (target, kept) in chosen.items():
                record.outputs[fmt]["path"] = str(target)
                if kept:
                    record.outputs[fmt]["kept"] = str(kept[0])
                hasher.forget(target)
            if previous is not None and previous.inputs == record.inputs:
                # Formats not asked for this time but built from the same inputs stay current.
                for fmt, out in previous.outputs.items():
                    record.outputs.setdefault(fmt, out)
            cache.records[outcome.job.key] = record
    except OutputError as exc:
        for part, _ in outcome.staged.values():
            part.unlink(missing_ok=True)
        outcome.status, outcome.errors, outcome.outputs = "failed", [str(exc)], []
        outcome.record = None
        return
    outcome.outputs = [target for target, _ in chosen.values()]
    outcome.kept = [path for _, kept in chosen.values() for path in kept]
    outcome.staged = {}


def _inputs_replaced(outcome: Outcome, record: Record, cache: Cache) -> list[str]:
    """Messages for outputs that would replace a file this brief (its `record`) or another
    reads."""
    readers = [(outcome.job.brief_display, record)]
    readers += [(key, r) for key, r in cache.records.items() if key != outcome.job.key]
    messages = []
    for _, target in outcome.staged.values():
        path = str(target.resolve())
        for who, reader in readers:
            if path in reader.inputs and reader.inputs[path] != "absent":
                whose = "this brief" if reader is record else who
                messages.append(
                    f"{outcome.job.brief_display}: error: output: "
                    f"{display_path(target)} would replace {display_path(Path(path))}, "
                    f"which {whose} reads; write the outputs elsewhere (-o) or choose "
                    "another output.name"
                )
    return messages


def _run(stale: list[Job], formats, workers: int, allow_network: bool = False, on_stage=None):
    if not stale:
        return
    tasks = [(job, formats, False, allow_network) for job in stale]
    if workers == 1 or len(stale) == 1:
        # In this process `prepare` imports the engines itself, while Pandoc runs.
        for job, formats_, _, network in tasks:
            yield build_one(job, formats_, workers > 1, network, on_stage=on_stage)
        return
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(stale)),
        mp_context=context,
        initializer=_warm,
        initargs=(formats,),
    )
    futures = {pool.submit(build_one, *task): task[0] for task in tasks}
    try:
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except BrokenProcessPool:  # a worker was killed (by hand, or out of memory)
                job = futures[future]
                outcome = Outcome(
                    job,
                    "failed",
                    errors=[
                        f"{job.brief_display}: error: the worker process building it stopped "
                        "unexpectedly (killed, or out of memory); nothing of it was written; "
                        "build again"
                    ],
                )
            yield outcome
    except BaseException:
        stop_pool(pool)  # workers end with the run, however it ends
        raise
    pool.shutdown()


def _warm(formats) -> None:
    """Import the engines once per worker process; every brief it builds then skips that."""
    become_worker()
    import_engines(formats or FORMATS)
    importlib.import_module("briefkit.validate.check")  # pydantic and the schema


def build_one(
    job: Job,
    formats,
    parallel: bool = False,
    allow_network: bool = False,
    on_stage=None,
    *,
    strict: bool = False,
) -> Outcome:
    """Build one brief and stage its outputs beside their targets (the caller replaces them);
    never raises for a bad brief or a file that cannot be written (the outcome says what),
    unless `strict` (the library's `build_brief`: the exception itself)."""
    hasher = Hasher()
    with pdf_process_for(formats, parallel) as pdf_process:
        try:
            prepared, rendered = produce(
                job.brief,
                formats,
                pdf_process,
                allow_network=allow_network,
                on_stage=on_stage or (lambda text: None),
            )
        except BriefInvalid as exc:
            if strict:
                raise
            return Outcome(job, "failed", errors=[str(d) for d in exc.diagnostics.errors])
        except Exception as exc:  # a bug: reported for this brief, the others go on
            if strict:
                raise
            return Outcome(job, "failed", errors=[f"internal error: {type(exc).__name__}: {exc}"])

    outcome = Outcome(
        job,
        "built",
        warnings=[str(w) for w in prepared.diagnostics.warnings],
        missing=[exc.message() for exc in prepared.missing],
        diagnostics=prepared.diagnostics,
    )
    made = list(rendered)
    try:
        for fmt in made:
            target = job.out_dir / f"{prepared.document.output_name}.{fmt}"
            part = stage(target, rendered[fmt])
            staged_now.add(part)
            outcome.staged[fmt] = (part, target)
    except BaseException as exc:
        for part, _ in outcome.staged.values():
            part.unlink(missing_ok=True)
        if strict or not isinstance(exc, OutputError):
            raise
        return Outcome(job, "failed", errors=[str(exc)])
    finally:
        staged_now.clear()
    series = series_files(job.brief, find_project_root(job.brief))
    outcome.record = record_for(
        prepared, {fmt: hashlib.sha256(rendered[fmt]).hexdigest() for fmt in made}, series, hasher
    )
    outcome.missing_engines = list(prepared.missing)
    return outcome


@dataclass
class BuildResult:
    path: Path
    outputs: list[Path]
    warnings: Diagnostics
    missing: list[EngineMissing] = field(default_factory=list)


def build_brief(
    path: Path,
    out_dir: Path,
    formats: Optional[Sequence[str]] = None,
    *,
    parallel: bool = True,
    allow_network: bool = False,
) -> BuildResult:
    """The library's build of one brief into `out_dir`, by the same path as the command
    line's (`build_one`), without the series cache: raises `BriefInvalid` for a wrong brief
    and `OutputError` for a file that cannot be written. Files are replaced only when every
    format rendered, all together; an output an editor changed is kept and the new one
    written beside it. With `parallel`, the PDF is laid out in a process of its own."""
    job = Job(unfollowed(Path(path)), Path(out_dir), str(path))
    requested = [f for f in (formats or FORMATS) if f in FORMATS]
    outcome = build_one(
        job,
        list(formats) if formats else None,
        parallel and bool(requested),
        allow_network,
        strict=True,
    )
    chosen = []
    try:
        for part, target in outcome.staged.values():
            chosen.append((part, choose_target(target, False)[0]))
        with signals_held():
            commit(chosen)
    finally:
        for part, _ in outcome.staged.values():
            part.unlink(missing_ok=True)
    return BuildResult(
        Path(path), [target for _, target in chosen], outcome.diagnostics, outcome.missing_engines
    )
