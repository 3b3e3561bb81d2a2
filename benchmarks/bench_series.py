"""Benchmark: series builds. A generated series of 50 short briefs and 4 long ones.

    python benchmarks/bench_series.py [--memory-briefs 200]

From one run it prints: the cold build with --jobs 1 and --jobs 2, the no-op rebuild, the
rebuild after one brief changed and after the series file changed, and the peak memory of the
whole process tree (parent and workers, summed, sampled every 20 ms) for the 54-brief build and
for a build of --memory-briefs short briefs. Every figure is a whole `briefkit build` process.
Targets (issue 4, 2 cores): --jobs 2 at least 1.8x faster than --jobs 1; no-op under 0.5 s;
one changed brief rebuilds only that brief; peak memory of 200 briefs under 400 MiB and not
growing with the number of briefs.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LONG = ROOT / "briefs" / "sino-russian-tech.yaml"

SHORT = """title: Brief number {n}
subtitle: A generated brief for the series benchmark
date: 2024-{month:02d}-{day:02d}
authors: [Author {n}]
summary:
  problem: Problem statement {n}.^[A note on the problem of brief {n}.]
  solution: Solution statement {n}.
findings:
  - id: f1
    title: First finding
    text: The first finding of brief {n}.^[Its source.]
  - id: f2
    title: Second finding
    text: The second finding, unlike [#f1].
recommendations:
  - title: Act
    text: Act on [#f2].^[Why.]
    findings: [f2]
sections:
  - title: Background
    body: |
      {paragraph}
  - title: Analysis
    body: |
      {paragraph}

      - one point
      - another point^[A note in a list.]
"""
PARAGRAPH = ("Policy briefs are regenerated after every round of edits, and a series shares "
             "its publisher, its theme and its template. ") * 6


def tree_rss_mib(root_pid: int) -> int:
    """Summed resident memory of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError):
                pass
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        stack.extend(children.get(pid, []))
    return total // 1024


def run(args: list[str], cwd: Path) -> tuple[float, int]:
    """(seconds, peak summed RSS in MiB) of one `briefkit build` process tree."""
    briefkit = shutil.which("briefkit")
    start = time.perf_counter()
    process = subprocess.Popen([briefkit, "build", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_mib(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"build failed:\n{stderr.decode()}")
    return elapsed, peak, stderr.decode()


def make_series(folder: Path, short: int, long: int) -> None:
    briefs = folder / "briefs"
    briefs.mkdir(parents=True)
    (briefs / "series.yaml").write_text(
        "publisher: {name: Benchmark Institute}\nseries: {name: Benchmark series}\n"
        "output: {formats: [docx, html, pdf]}\n", encoding="utf-8")
    for n in range(short):
        (briefs / f"short-{n:03d}.yaml").write_text(
            SHORT.format(n=n, month=n % 12 + 1, day=n % 28 + 1, paragraph=PARAGRAPH), encoding="utf-8")
    for n in range(long):
        (briefs / f"long-{n}.yaml").write_text(
            LONG.read_text(encoding="utf-8").replace("title: A new", f"title: ({n}) A new", 1),
            encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory-briefs", type=int, default=200)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="briefkit-series-") as scratch_name:
        scratch = Path(scratch_name)
        one, two = scratch / "jobs1", scratch / "jobs2"
        make_series(one, 50, 4)
        make_series(two, 50, 4)
        cold1 = run(["briefs", "-o", "out", "-j", "1"], one)
        cold2 = run(["briefs", "-o", "out", "-j", "2"], two)
        noop = run(["briefs", "-o", "out", "-j", "2"], two)
        edited = two / "briefs" / "short-007.yaml"
        edited.write_text(edited.read_text().replace("Problem statement", "Revised problem"), encoding="utf-8")
        one_changed = run(["briefs", "-o", "out", "-j", "2"], two)
        series = two / "briefs" / "series.yaml"
        series.write_text(series.read_text().replace("Benchmark Institute", "Benchmark Institute II"),
                          encoding="utf-8")
        series_changed = run(["briefs", "-o", "out", "-j", "2"], two)
        rows = [
            ("cold build, 54 briefs, --jobs 1", cold1),
            ("cold build, 54 briefs, --jobs 2", cold2),
            ("no-op rebuild", noop),
            ("one brief changed", one_changed),
            ("series.yaml changed (all rebuilt)", series_changed),
        ]
        memory = []
        for count in (args.memory_briefs // 4, args.memory_briefs):
            folder = scratch / f"mem{count}"
            make_series(folder, count, 0)
            memory.append((count, run(["briefs", "-o", "out", "-j", "2"], folder)))

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"| {'run':36} | wall (s) | peak tree RSS (MiB) | rebuilt |")
    print(f"|{'-' * 38}|----------|---------------------|---------|")
    for name, (wall, peak, log) in rows:
        built = log.split(" built,")[0].rsplit("\n", 1)[-1] if " built," in log else "?"
        print(f"| {name:36} | {wall:8.2f} | {peak:19d} | {built:>7} |")
    for count, (wall, peak, _) in memory:
        print(f"| {f'cold build, {count} short briefs, -j 2':36} | {wall:8.2f} | {peak:19d} |         |")
    speedup = cold1[0] / cold2[0]
    print()
    print(f"--jobs 2 speed-up: {speedup:.2f}x (target >= 1.8x) {'MET' if speedup >= 1.8 else 'MISSED'}")
    print(f"no-op rebuild: {noop[0]:.2f} s (target < 0.5 s) {'MET' if noop[0] < 0.5 else 'MISSED'}")
    small, large = memory[0][1][1], memory[1][1][1]
    print(f"peak memory: {large} MiB for {memory[1][0]} briefs, {small} MiB for {memory[0][0]} "
          f"(target < 400 MiB, not growing) {'MET' if large < 400 and large <= small * 1.25 else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
