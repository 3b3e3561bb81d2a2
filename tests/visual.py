"""Visual references: the first pages of each example's PDF as PNG, and their comparison.

    python tests/visual.py --update     regenerate tests/visual/*.png after an intended change

A page matches its reference when fewer than TOLERANCE of its pixels differ by more than
THRESHOLD in any channel (anti-aliasing and font hinting move a few pixels, a layout change
moves many).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

REFERENCES = Path(__file__).parent / "visual"
PAGES = (1, 2)
DPI = 40
THRESHOLD = 48
TOLERANCE = 0.004


def render_pages(pdf: Path, pages=PAGES) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as scratch:
        prefix = Path(scratch) / "page"
        subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(min(pages)), "-l", str(max(pages)),
                        str(pdf), str(prefix)], check=True, capture_output=True)
        files = sorted(Path(scratch).glob("page-*.png"))
        return [Image.open(f).convert("RGB").copy() for f in files]


def difference(image: Image.Image, reference: Image.Image) -> float:
    """The share of pixels that differ visibly (1.0 when the sizes differ)."""
    if image.size != reference.size:
        return 1.0
    diff = ImageChops.difference(image, reference).convert("L").point(lambda v: 255 if v > THRESHOLD else 0)
    return diff.histogram()[255] / (image.size[0] * image.size[1])


def reference_path(name: str, page: int) -> Path:
    return REFERENCES / f"{name}-p{page}.png"


def update() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import example_briefs

    from briefkit.builder.batch import build_brief

    REFERENCES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for brief in example_briefs():
            name = brief.parent.name if brief.name == "brief.yaml" else brief.stem
            pdf = build_brief(brief, Path(scratch), ["pdf"]).outputs[0]
            for page, image in zip(PAGES, render_pages(pdf)):
                image.save(reference_path(name, page), optimize=True)
                print(f"wrote {reference_path(name, page)}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    update()
