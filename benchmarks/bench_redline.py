"""Benchmark: `briefkit redline` on one long paragraph rewritten from end to end.

    python benchmarks/bench_redline.py [--words 30000] [--runs 3]

Two briefs, each one section holding one paragraph of N words drawn from the same small
vocabulary (so "the", "of", "river" recur thousands of times, the hard case for a word diff),
different from end to end. It prints, for each run, the whole `briefkit redline` process (both
builds of the DOCX, the comparison, the write) and, as the peer measured in the same run, the
word diff Python's difflib makes of the same two word lists (SequenceMatcher, the quadratic
algorithm briefkit's redline used before issue 20). Target (issue 20): the whole command under
10 s for 30,000 words on a 2-core machine.
"""

from __future__ import annotations

import argparse
import difflib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VOCABULARY = [
    f"{stem}{ending}"
    for stem in ("river", "delta", "basin", "dam", "fish", "rice", "salt")
    for ending in ("", "s", "ed", "ing", "er")
] + ["the", "of", "and", "a", "in", "to"]


def paragraph(seed: int, words: int) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(VOCABULARY) for _ in range(words)]


def brief(words: list[str]) -> str:
    return ("title: Long\ndate: 2024-05-01\nlayout: commentary\nsections:\n  - title: One\n"
            "    body: |\n      " + " ".join(words) + ".\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=30000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-peer", action="store_true", help="skip difflib (minutes at 30,000)")
    args = parser.parse_args()
    old_words, new_words = paragraph(1, args.words), paragraph(2, args.words)
    folder = Path(tempfile.mkdtemp(prefix="bench-redline-"))
    (folder / "old.yaml").write_text(brief(old_words))
    (folder / "new.yaml").write_text(brief(new_words))
    ours = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "briefkit.cli", "redline", "old.yaml", "new.yaml",
                        "-o", "out.docx", "--date", "2024-06-01"], cwd=folder, check=True,
                       capture_output=True, env={**os.environ})
        ours.append(time.perf_counter() - started)
    print(f"briefkit redline, {args.words:,} words rewritten: median {statistics.median(ours):.2f} s "
          f"(min {min(ours):.2f}, max {max(ours):.2f}, {args.runs} runs)")
    if not args.no_peer:
        started = time.perf_counter()
        difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes()
        peer = time.perf_counter() - started
        print(f"difflib word diff alone (the old algorithm): {peer:.2f} s; "
              f"ratio {peer / statistics.median(ours):.1f}x")


if __name__ == "__main__":
    main()
