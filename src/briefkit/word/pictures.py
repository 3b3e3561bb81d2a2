"""Pictures a Word draft holds in (as Pandoc extracted them), pictures every format can place out.

Word keeps charts pasted from Excel or Visio as Windows metafiles (EMF, WMF, or their gzipped
EMZ/WMZ), which neither browsers, WeasyPrint nor python-docx place. LibreOffice's Draw renders
them: all of a draft's metafiles go through one `soffice --convert-to png` run, at print
resolution, and the page around the drawing is trimmed away. Word for Mac keeps pasted charts
as PDF: poppler's `pdftoppm` renders their first page. TIFF and BMP, which browsers do not
show, become PNG through Pillow. When a picture cannot be converted (no LibreOffice on the
machine, a file it cannot read), it is kept as it is and the reason is returned, naming the
tool that converts it, for the import's closing message; `check` then refuses it at its place
(see `images.check_image`).
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

from briefkit.core.cleanup import scratch_folder
from briefkit.core.run import EngineBudget, run_engine

METAFILES = (".emf", ".wmf", ".emz", ".wmz")
PDF = ".pdf"  # Word for Mac stores pasted charts as PDF
PILLOW_ONLY = (".tif", ".tiff", ".bmp")
_PAGE_PIXELS = (
    '{"PixelWidth":{"type":"long","value":"2480"},"PixelHeight":{"type":"long","value":"3508"}}'
)
INSTALL_HINT = (
    "install LibreOffice with its Draw part (Debian/Ubuntu: apt-get install "
    "libreoffice-draw-nogui; macOS: brew install --cask libreoffice) and import "
    "again, or save the chart from Word as a PNG (right-click > Save as Picture)"
)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_pictures(pictures: list[Path]) -> tuple[dict[Path, Path], dict[Path, str]]:
    """Converted copies (beside the originals) of the pictures that need one, and the reason
    for each that could not be converted."""
    converted: dict[Path, Path] = {}
    failed: dict[Path, str] = {}
    metafiles = [p for p in pictures if p.suffix.lower() in METAFILES]
    for picture in pictures:
        if picture.suffix.lower() in PILLOW_ONLY:
            try:
                converted[picture] = _with_pillow(picture)
            except (OSError, ValueError) as exc:
                failed[picture] = f"Pillow cannot read it ({exc})"
    for picture in pictures:
        if picture.suffix.lower() == PDF:
            try:
                converted[picture] = _with_poppler(picture)
            except (OSError, ValueError, EngineBudget) as exc:
                failed[picture] = (
                    f"it is a PDF and poppler's pdftoppm, which converts it, could "
                    f"not ({exc}): install poppler-utils (macOS: brew install "
                    "poppler) and import again, or save the chart as a PNG"
                )
    if metafiles:
        done, reasons = _with_libreoffice(metafiles)
        converted.update(done)
        failed.update(reasons)
    return converted, failed


def _with_poppler(picture: Path) -> Path:
    """The PDF's first page at print resolution, trimmed like a metafile."""
    command = shutil.which("pdftoppm")
    if command is None:
        raise OSError("pdftoppm is not installed")
    with scratch_folder("briefkit-pdf-picture-") as work:
        done = run_engine(
            [
                command,
                "-png",
                "-r",
                "200",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(picture),
                str(work / "page"),
            ],
            what="pdftoppm",
            seconds=120,
        )
        if done.returncode != 0:
            raise OSError(done.stderr.decode(errors="replace").strip() or "pdftoppm failed")
        target = picture.with_suffix(".png")
        _trimmed(work / "page.png", target)
        return target


def _with_pillow(picture: Path) -> Path:
    # Pillow only for a draft's pictures
    from PIL import Image

    target = picture.with_suffix(".png")
    with Image.open(picture) as image:
        image.save(target, "PNG")
    return target


def _with_libreoffice(metafiles: list[Path]) -> tuple[dict[Path, Path], dict[Path, str]]:
    command = soffice()
    if command is None:
        return {}, {
            p: "it is a Windows metafile and LibreOffice, which converts it, is not "
            f"installed: {INSTALL_HINT}"
            for p in metafiles
        }
    with scratch_folder("briefkit-metafiles-") as work:  # removed however it ends
        return _metafiles_in(command, metafiles, work)


def _metafiles_in(
    command: str, metafiles: list[Path], work: Path
) -> tuple[dict[Path, Path], dict[Path, str]]:
    sources: dict[Path, Path] = {}
    for number, picture in enumerate(metafiles):
        data = picture.read_bytes()
        suffix = picture.suffix.lower()
        if suffix in (".emz", ".wmz"):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                pass
            suffix = ".emf" if suffix == ".emz" else ".wmf"
        source = work / f"picture{number}{suffix}"
        source.write_bytes(data)
        sources[picture] = source
    try:  # in a process group of its own: LibreOffice starts soffice.bin beside itself
        run_engine(
            [
                command,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{work / 'profile'}",
                "--convert-to",
                f"png:draw_png_Export:{_PAGE_PIXELS}",
                "--outdir",
                str(work),
                *map(str, sources.values()),
            ],
            what="LibreOffice",
            seconds=300,
            # its own temporary files too (lu*.tmp), removed with the folder however it ends
            env={**os.environ, "HOME": str(work), "TMPDIR": str(work)},
            group=True,
        )
    except (OSError, EngineBudget) as exc:
        return {}, {p: f"LibreOffice could not be run ({exc}): {INSTALL_HINT}" for p in metafiles}
    converted, failed = {}, {}
    for picture, source in sources.items():
        png = source.with_suffix(".png")
        if not png.is_file() or png.stat().st_size == 0:
            failed[picture] = (
                "LibreOffice could not convert this Windows metafile (its Draw "
                f"part may be missing): {INSTALL_HINT}"
            )
            continue
        target = picture.with_suffix(".png")
        _trimmed(png, target)
        converted[picture] = target
    return converted, failed


def _trimmed(png: Path, target: Path) -> None:
    """The drawing without the blank page LibreOffice draws it on."""
    # Pillow only for a draft's pictures
    from PIL import Image, ImageChops

    with Image.open(png) as image:
        image.load()
        rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(white, rgba).convert("RGB")
    box = ImageChops.difference(flat, Image.new("RGB", flat.size, "white")).getbbox()
    if box:
        margin = 12
        box = (
            max(0, box[0] - margin),
            max(0, box[1] - margin),
            min(flat.width, box[2] + margin),
            min(flat.height, box[3] + margin),
        )
        flat = flat.crop(box)
    flat.save(target, "PNG", optimize=True)
