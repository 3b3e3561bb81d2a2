"""Images a brief shows, checked before any writer sees them: a confined path in, nothing out
(or `ImageRefused` saying why, for a located error).

An image is decoded in full here (Pillow), so a truncated or damaged file is refused with its
place in the brief, not left as a gap in the PDF or a traceback in the Word writer; a raster image
larger than `MAX_PIXELS` is refused before it is decoded (a decompression bomb: a few KB of PNG
that inflate to gigabytes). An SVG is read by an XML parser without DTD or entities, within
budgets of elements, nesting and what its `<use>` elements expand to (ten groups each using the
one before ten times draw ten billion shapes from a 1 KB file); it may refer to nothing outside
itself: every `href` and `url()` must be `data:` or in-page (`#id`), so that no engine ever
resolves a host or reads a file for it. `for_word` hands the Word writer a picture it can place
(a CMYK or Adobe JPEG converted to RGB), or says why it cannot.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path
from typing import Optional

from lxml import etree

MAX_PIXELS = 40_000_000  # 40 megapixels (e.g. 8000 x 5000): beyond any figure a brief needs
MAX_SVG_BYTES = 5 * 1024 * 1024
MAX_SVG_ELEMENTS = 100_000  # a detailed chart has a few thousand
MAX_SVG_DRAWN = 250_000  # elements drawn once every <use> is expanded
MAX_SVG_DEPTH = 100
_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

_SVG_REFERENCE = re.compile(
    r"""(?:\bhref\s*=\s*["']\s*([^"']*)["']|url\(\s*["']?\s*([^)"'\s]*)|@import\s+["']([^"']*)["'])""",
    re.I,
)


class ImageRefused(ValueError):
    """The image cannot be used; the message says why and what to do."""


def check_image(path: Path, data: bytes) -> None:
    """Refuse `data` (the bytes of the image at `path`) unless every writer can place it."""
    head = data[:512].lstrip()
    if path.suffix.lower() == ".svg" or head.startswith((b"<?xml", b"<svg")):
        _check_svg(data)
        return
    if _metafile(data):
        raise ImageRefused(
            "is a Windows metafile (EMF/WMF), which browsers, the PDF engine and "
            "python-docx cannot place; convert it to PNG (LibreOffice: soffice "
            "--headless --convert-to png FILE; `briefkit import` does it when "
            "LibreOffice is installed) or export the chart again as PNG or SVG"
        )
    # Pillow only when a brief has a picture
    from PIL import Image, ImageFile, UnidentifiedImageError

    # WeasyPrint sets LOAD_TRUNCATED_IMAGES for the whole process (a truncated file then prints
    # as a partly blank picture); here a truncated file must fail.
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with warnings.catch_warnings():
            # Our budget is below Pillow's warning level; its error (twice that) is caught below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ImageRefused(_too_large(width, height))
                image.load()  # decode it all: a truncated file fails here
    except ImageRefused:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageRefused(
            f"is larger than the image budget of {MAX_PIXELS:,} pixels ({exc}); scale it down"
        ) from None
    except UnidentifiedImageError:
        raise ImageRefused(
            "is not an image briefkit can read; use a PNG, JPEG, GIF or SVG file"
        ) from None
    except (OSError, ValueError, SyntaxError) as exc:  # truncated, damaged
        reason = str(exc) or type(exc).__name__
        raise ImageRefused(f"is damaged or incomplete ({reason}); export it again") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _metafile(data: bytes) -> bool:
    """EMF (" EMF" at byte 40), placeable WMF (its key) or a plain WMF header."""
    return (
        data[40:44] == b" EMF"
        or data[:4] == bytes.fromhex("D7CDC69A")
        or data[:6] in (bytes.fromhex("010009000003"), bytes.fromhex("020009000003"))
    )


def _too_large(width: int, height: int) -> str:
    return (
        f"is {width} x {height} = {width * height:,} pixels; the image budget is "
        f"{MAX_PIXELS:,} pixels; scale it down (a page needs no more than ~3000 px across)"
    )


def _check_svg(data: bytes) -> None:
    if len(data) > MAX_SVG_BYTES:
        raise ImageRefused(
            f"is an SVG of {len(data):,} bytes; at most {MAX_SVG_BYTES:,} are allowed"
        )
    text = data.decode("utf-8", errors="replace")
    if "<!ENTITY" in text or "<!entity" in text:
        raise ImageRefused("is an SVG that declares XML entities; save it again without a DOCTYPE")
    for match in _SVG_REFERENCE.finditer(text):
        target = next(g for g in match.groups() if g is not None).strip()
        if target and not target.startswith("#") and not target.lower().startswith("data:"):
            raise _refers_to(target)
    _check_svg_tree(data)


def _refers_to(target: str) -> ImageRefused:
    shown = target if len(target) <= 80 else target[:77] + "…"
    return ImageRefused(
        f"is an SVG that refers to '{shown}'; briefkit reads nothing an image "
        "points to: embed the content in the SVG (or as a data: URI)"
    )


def _check_svg_tree(data: bytes) -> None:
    """The SVG's elements and nesting within budget, read as a stream (no tree of a bomb is
    built), then what it draws once every `<use>` is expanded."""
    parents: list[int] = []  # element i's parent (-1: the root)
    targets: list[Optional[str]] = []  # the id a <use> names
    ids: dict[str, int] = {}
    open_elements: list[int] = []
    try:
        for event, element in etree.iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        ):
            if event == "end":
                open_elements.pop()
                element.clear()
                continue
            if len(parents) >= MAX_SVG_ELEMENTS:
                raise ImageRefused(
                    f"is an SVG of more than {MAX_SVG_ELEMENTS:,} elements, past "
                    "briefkit's budget; simplify it or export it as PNG"
                )
            if len(open_elements) >= MAX_SVG_DEPTH:
                raise ImageRefused(
                    f"is an SVG nested more than {MAX_SVG_DEPTH} levels deep, "
                    "past briefkit's budget; export it as PNG"
                )
            index = len(parents)
            parents.append(open_elements[-1] if open_elements else -1)
            open_elements.append(index)
            href = (element.get("href") or element.get(_XLINK_HREF) or "").strip()
            is_use = element.tag in (f"{_SVG_NS}use", "use")
            if (
                is_use
                and href
                and not href.startswith("#")
                and not href.lower().startswith("data:")
            ):
                raise _refers_to(href)
            targets.append(href[1:] if is_use and href.startswith("#") else None)
            if element.get("id"):
                ids.setdefault(element.get("id"), index)
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():  # the parser's own limit met first, at 256 levels
            raise ImageRefused(
                f"is an SVG nested more than {MAX_SVG_DEPTH} levels deep, past "
                "briefkit's budget; export it as PNG"
            ) from None
        raise ImageRefused(f"is not a well-formed SVG ({exc}); export it again") from None
    if parents and _drawn(parents, targets, ids) > MAX_SVG_DRAWN:
        raise ImageRefused(
            f"is an SVG whose <use> elements draw more than {MAX_SVG_DRAWN:,} "
            "shapes, past briefkit's budget; simplify it or export it as PNG"
        )


def _drawn(parents: list[int], targets: list, ids: dict[str, int]) -> int:
    """How many elements the SVG draws: each element, its children, and for a <use> what it
    names, expanded (depth first without recursion; a <use> naming its own ancestor would
    draw forever and is refused). Sizes stop growing past the budget."""
    count = len(parents)
    children: list[list[int]] = [[] for _ in range(count)]
    for index, parent in enumerate(parents):
        if parent >= 0:
            children[parent].append(index)
    size = [0] * count
    state = [0] * count  # 0 not seen, 1 on the path being expanded, 2 sized
    cap = MAX_SVG_DRAWN + 1
    for root in range(count):
        stack = [root]
        while stack:
            index = stack[-1]
            target = ids.get(targets[index]) if targets[index] else None
            needs = children[index] + ([target] if target is not None else [])
            if state[index] == 0:
                state[index] = 1
                for need in needs:
                    if state[need] == 1:
                        raise ImageRefused(
                            "is an SVG whose <use> elements draw each other in "
                            "a circle; fix it or export it as PNG"
                        )
                    if state[need] == 0:
                        stack.append(need)
                continue
            stack.pop()
            if state[index] == 1:
                size[index] = min(cap, 1 + sum(size[need] for need in needs))
                state[index] = 2
    return size[0]


def for_word(path: Path, data: bytes) -> bytes:
    """`data` as a picture python-docx can place in a DOCX: as it is when python-docx reads
    it, else converted by Pillow to a PNG in RGB (a CMYK or Adobe JPEG, which Word shows but
    python-docx cannot measure); `ImageRefused` saying why for what Word cannot show here."""
    # python-docx only for the Word writer's pictures
    from docx.image.exceptions import UnrecognizedImageError
    from docx.image.image import Image as DocxImage

    head = data[:512].lstrip()
    if path.suffix.lower() == ".svg" or head.startswith((b"<?xml", b"<svg")):
        raise ImageRefused(
            "is an SVG; briefkit places PNG, JPEG and GIF pictures in Word "
            "(the web page and the PDF show the SVG): export the figure as PNG "
            "too and name that file for a Word build"
        )
    try:
        DocxImage.from_blob(data)
        return data
    except UnrecognizedImageError:
        pass
    # Pillow only when a brief has a picture
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            converted = image.convert("RGBA" if "A" in image.getbands() else "RGB")
            buffer = io.BytesIO()
            converted.save(buffer, "PNG")
            return buffer.getvalue()
    except (OSError, ValueError) as exc:
        raise ImageRefused(
            f"is a picture Word cannot show ({exc or type(exc).__name__}); "
            "use a PNG, JPEG or GIF file"
        ) from None
