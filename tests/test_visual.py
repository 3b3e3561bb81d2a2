"""Visual regression: each example's first PDF pages look as they did when the references were
made (`python tests/visual.py --update` remakes them after an intended change)."""

from __future__ import annotations

import shutil

import pytest
from conftest import example_briefs
from visual import PAGES, TOLERANCE, difference, reference_path, render_pages

from briefkit.builder.batch import build_brief

EXAMPLES = example_briefs()
NAMES = [p.parent.name if p.name == "brief.yaml" else p.stem for p in EXAMPLES]
pytestmark = pytest.mark.needs("pdftoppm")


@pytest.mark.parametrize("brief,name", list(zip(EXAMPLES, NAMES)), ids=NAMES)
def test_first_pages_match_their_references(examples, brief, name):
    for page, image in zip(PAGES, render_pages(examples[brief]["pdf"])):
        reference = reference_path(name, page)
        assert reference.exists(), f"no reference {reference}: run python tests/visual.py --update"
        from PIL import Image

        share = difference(image, Image.open(reference).convert("RGB"))
        assert share < TOLERANCE, f"page {page} of {name} differs in {share:.2%} of its pixels"


def test_a_css_change_is_caught(tmp_path):
    """The same brief with one house CSS rule changed no longer matches its reference."""
    source = next(b for b in EXAMPLES if b.parent.name == "tech-ties")
    copy = tmp_path / "tech-ties"
    shutil.copytree(source.parent, copy)
    (copy / "house").mkdir()
    (copy / "house" / "house.css").write_text(".colophon { padding: 2rem 3rem; }\n")  # page 2
    text = (copy / "brief.yaml").read_text(encoding="utf-8")
    (copy / "brief.yaml").write_text(text + "output:\n  html_template: house\n", encoding="utf-8")
    pdf = build_brief(copy / "brief.yaml", tmp_path / "out", ["pdf"]).outputs[0]
    from PIL import Image

    page2 = render_pages(pdf)[1]
    assert difference(page2, Image.open(reference_path("tech-ties", 2)).convert("RGB")) > TOLERANCE
