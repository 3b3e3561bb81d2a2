"""Benchmark: a brief citing 50 entries of a 20,000-entry library, briefkit beside Pandoc.

    python benchmarks/bench_library.py [--entries N] [--citations N] [--runs N]

The library is made from a real one (tests/data/pandoc-users/bib-bbt-1436-latex: a physics
library of 1,053 entries exported by Better BibTeX, LaTeX in every title), copied with renamed
keys (`key`, `key-c1`, `key-c2` …) until it holds N entries; the brief cites N entries spread
over it, one per paragraph, in the default note style. The same library is also given as
CSL-JSON (Pandoc's own conversion of it), as a Zotero user would export it.

Every figure is a whole process (start-up included), the median of the runs; the commands take
turns and each ratio is taken run by run against the Pandoc run right after it, on the same
files and the same CSL style:
- `pandoc --citeproc --bibliography LIB --csl STYLE brief.md -o out.docx`
- `briefkit build brief.yaml -f docx` (and the three formats, for the record).
Target (issue 22): a 20,000-entry library with 50 citations builds within 3x Pandoc's time.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from bench_pipeline import measure_all, print_table, ratio

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tests" / "data" / "pandoc-users" / "bib-bbt-1436-latex" / "library.bib"
_ENTRY = re.compile(r"^@(\w+)\{([^,\s]+),", re.M)


def make_library(entries: int) -> tuple[str, list[str]]:
    """A .bib of `entries` entries from the real library, and their keys in order."""
    text = SOURCE.read_text(encoding="utf-8")
    per_copy = len(_ENTRY.findall(text))
    copies, keys = [], []
    for number in range(-(-entries // per_copy)):
        suffix = f"-c{number}" if number else ""
        copy = _ENTRY.sub(lambda m: f"@{m.group(1)}{{{m.group(2)}{suffix},", text)
        copies.append(copy)
        keys += [m.group(2) for m in _ENTRY.finditer(copy)]
    library = "\n".join(copies)
    cut = [m.start() for m in _ENTRY.finditer(library)]
    if len(cut) > entries:
        library = library[: cut[entries]]
    return library, keys[:entries]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--citations", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    briefkit = shutil.which("briefkit") or sys.exit("briefkit is not installed: pip install -e .")
    sys.path.insert(0, str(ROOT / "src"))
    from briefkit.prose.citations import pandoc_path
    from briefkit.prose.csl_styles import DEFAULT_STYLE, styles_dir

    pandoc, style = pandoc_path(), styles_dir() / f"{DEFAULT_STYLE}.csl"
    library, keys = make_library(args.entries)
    unique = list(dict.fromkeys(keys))
    step = max(1, len(unique) // args.citations)
    cited = unique[::step][: args.citations]
    body = "\n\n".join(f"Paragraph {i + 1} rests on a source.[@{key}]"
                       for i, key in enumerate(cited))
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as scratch_name:
        scratch = Path(scratch_name)
        (scratch / "library.bib").write_text(library, encoding="utf-8")
        subprocess.run([pandoc, str(scratch / "library.bib"), "-t", "csljson", "-o",
                        str(scratch / "library.json")], check=True)
        (scratch / "brief.md").write_text(body + "\n", encoding="utf-8")
        rows: dict[str, list[str]] = {}
        for kind in ("bib", "json"):
            brief = scratch / f"brief-{kind}.yaml"
            brief.write_text(f"title: Library benchmark\ndate: 2024-01-01\nbibliography: "
                             f"library.{kind}\nbibliography_title: Bibliography\nsections:\n"
                             f"  - title: Text\n    body: |\n{textwrap.indent(body, ' ' * 6)}\n",
                             encoding="utf-8")
            build = [briefkit, "build", str(brief), "-o", str(scratch / "out"), "--force"]
            rows[f"briefkit build -f docx ({kind})"] = [*build, "-f", "docx"]
            rows[f"pandoc --citeproc -> DOCX ({kind})"] = [
                pandoc, "--citeproc", "--bibliography", str(scratch / f"library.{kind}"),
                "--csl", str(style), str(scratch / "brief.md"), "-o", str(scratch / "p.docx")]
            rows[f"briefkit build, 3 formats ({kind})"] = build
        sizes = {kind: (scratch / f"library.{kind}").stat().st_size for kind in ("bib", "json")}
        results = measure_all(rows, args.runs)

    print_table(results, f"library: {args.entries:,} entries (.bib {sizes['bib'] / 1e6:.1f} MB, "
                f"CSL-JSON {sizes['json'] / 1e6:.1f} MB), {len(cited)} citations; "
                f"median of {args.runs}")
    for kind in ("bib", "json"):
        for top, target in ((f"briefkit build -f docx ({kind})", 3.0),
                            (f"briefkit build, 3 formats ({kind})", None)):
            median, low, high = ratio(results, top, f"pandoc --citeproc -> DOCX ({kind})")
            verdict = "" if target is None else (
                f" (target <= {target:.1f}x) {'MET' if median <= target else 'MISSED'}")
            label = top.replace("briefkit build", "").strip(" ,") + " / Pandoc"
            print(f"{label:33} = {median:.2f}x, run by run {low:.2f}-{high:.2f}x{verdict}")


if __name__ == "__main__":
    main()
