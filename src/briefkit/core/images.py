"""Images a brief shows, checked before any writer sees them: a confined path in, nothing out
(or `ImageRefused` saying why, for a located error).

An image is decoded in full here (Pillow), so a truncated or damaged file is refused with its
place in the brief, not left as a gap in the PDF or a traceback in the Word writer; a raster image
larger than `MAX_PIXELS` is refused before it is decoded (a decompression bomb: a few KB of PNG
that inflate to gigabytes). An SVG may refer to nothing outside itself: every `href` and `url()`
must be `data:` or in-page (`#id`), so that no engine ever resolves a host or reads a file for it.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

MAX_PIXELS = 40_000_000  # 40 megapixels (e.g. 8000 x 5000): beyond any figure a brief needs
MAX_SVG_BYTES = 5 * 1024 * 1024

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
            shown = target if len(target) <= 80 else target[:77] + "…"
            raise ImageRefused(
                f"is an SVG that refers to '{shown}'; briefkit reads nothing an "
                "image points to: embed the content in the SVG (or as a data: "
                "URI)"
            )
