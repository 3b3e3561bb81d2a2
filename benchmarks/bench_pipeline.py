"""Benchmark: briefkit on the long example beside its peers, measured in the same run.

    python benchmarks/bench_pipeline.py [BRIEF] [--runs N]

Every figure is a whole process (start-up and imports included), the median of N runs, with
its peak resident memory. The commands take turns, so a machine's drift weighs on all alike,
and each ratio is taken run by run against the peer that ran right after (its median, min
and max are printed: a wide range says the machine was noisy). Peers get the same content:
- Pandoc: the brief's prose as one Markdown file (headings, notes, citations) -> DOCX;
- WeasyPrint alone: `python -m weasyprint --pdf-variant pdf/ua-1` (briefkit's own variant) on
  briefkit's own print HTML of the brief.
Targets (issues 2 and 11): the three-format build within 1.15x of WeasyPrint alone; DOCX alone
within 1.5x of Pandoc.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BRIEF = ROOT / "briefs" / "sino-russian-tech.yaml"


def timed(command: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in MiB) of one run of `command`."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss // 1024


def measure_all(rows: dict[str, list[str]], runs: int) -> dict[str, list[tuple[float, int]]]:
    """(wall seconds, peak MiB) of each run of each command. The commands take turns, run
    after run, so that a machine slowing down or speeding up during the benchmark weighs on
    every figure alike, and a ratio can be taken run by run."""
    for command in rows.values():
        timed(command)  # warm the file cache
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in rows}
    for _ in range(runs):
        for name, command in rows.items():
            results[name].append(timed(command))
    return results


def ratio(results, top: str, bottom: str) -> tuple[float, float, float]:
    """Median, min and max of top/bottom taken run by run (the two ran back to back)."""
    pairs = [a[0] / b[0] for a, b in zip(results[top], results[bottom])]
    return statistics.median(pairs), min(pairs), max(pairs)


def print_table(results, about: str) -> None:
    """The machine, then each command's median wall time and peak memory, as Markdown."""
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; {about}")
    print(f"| {'command':38} | wall (s) | peak (MiB) |")
    print(f"|{'-' * 40}|----------|------------|")
    for name, got in results.items():
        wall, peak = statistics.median(r[0] for r in got), max(r[1] for r in got)
        print(f"| {name:38} | {wall:8.2f} | {peak:10d} |")
    print()


def peer_inputs(brief: Path, scratch: Path) -> tuple[Path, Path]:
    """The same content for the peers: Markdown for Pandoc, briefkit's print HTML for WeasyPrint."""
    sys.path.insert(0, str(ROOT / "src"))
    from briefkit.builder.pipeline import prepare
    from briefkit.render.html.page import render_html
    from briefkit.resolve.document import prose_fields
    from briefkit.load.source import load_file

    prepared = prepare(brief)
    html = scratch / "print.html"
    html.write_text(render_html(prepared, "print"), encoding="utf-8")

    loaded = load_file(brief)
    placed, _ = prose_fields(loaded.data, prepared.layout)
    lines = [f"# {prepared.document.title}", ""]
    for field in placed:
        key = field.key
        if key[0] == "sections" and key[-1] == "body":
            node = loaded.data
            for part in key[:-1]:
                node = node[part]
            depth = sum(1 for part in key if part == "sections")
            lines += ["#" * (depth + 1) + " " + str(node["title"]), ""]
        lines += [field.markdown, ""]
    markdown = scratch / "brief.md"
    markdown.write_text("\n".join(lines), encoding="utf-8")
    return markdown, html


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("brief", nargs="?", type=Path, default=DEFAULT_BRIEF)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    briefkit = shutil.which("briefkit") or sys.exit("briefkit is not installed: pip install -e .")
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as scratch_name:
        scratch = Path(scratch_name)
        markdown, html = peer_inputs(args.brief, scratch)
        out = scratch / "out"
        # --force: every timed run is a full build (the cache would skip an unchanged brief).
        build = [briefkit, "build", str(args.brief), "-o", str(out), "--force"]
        # Each peer runs right after the briefkit command it is compared with (ratios are
        # taken run by run); the same tagged PDF/UA-1 output briefkit makes, from its HTML.
        rows = {
            "briefkit build (docx+html+pdf)": build,
            "WeasyPrint alone (briefkit's HTML)": [sys.executable, "-m", "weasyprint",
                                                   "--pdf-variant", "pdf/ua-1", str(html),
                                                   str(scratch / "weasy.pdf")],
            "briefkit build -f pdf": [*build, "-f", "pdf"],
            "briefkit build -f docx": [*build, "-f", "docx"],
            "pandoc Markdown -> DOCX": [pandoc, str(markdown), "-o", str(scratch / "pandoc.docx")],
            "briefkit build -f html": [*build, "-f", "html"],
        }
        results = measure_all(rows, args.runs)

    print_table(results, f"brief: {args.brief.name}; median of {args.runs}")
    for label, top, bottom, target in (
            ("three formats / WeasyPrint alone", "briefkit build (docx+html+pdf)",
             "WeasyPrint alone (briefkit's HTML)", 1.15),
            ("PDF alone / WeasyPrint alone", "briefkit build -f pdf",
             "WeasyPrint alone (briefkit's HTML)", None),
            ("DOCX alone / Pandoc", "briefkit build -f docx", "pandoc Markdown -> DOCX", 1.5)):
        median, low, high = ratio(results, top, bottom)
        verdict = "" if target is None else (f" (target <= {target:.2f}x) "
                                             f"{'MET' if median <= target else 'MISSED'}")
        print(f"{label:33} = {median:.2f}x, run by run {low:.2f}-{high:.2f}x{verdict}")


if __name__ == "__main__":
    main()
