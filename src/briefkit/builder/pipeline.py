"""The pipeline: a brief's path in, checked `Prepared` document or written output files out.

    load (YAML with positions) -> validate (schema) -> read prose (Pandoc -> model)
    -> resolve (citations, numbering, cross-references) -> render (docx | html | pdf)
    -> write (atomic)

`examine`/`prepare` run everything up to the document model and collect every problem they
find; `produce` renders the formats a brief asks for. Writing files is batch.py's (one path
for the CLI and the library: `build_brief` is a batch of one). Nothing here prints: callers
(the CLI) decide what to show.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from briefkit import model as m
from briefkit.builder.design_fit import fit_to_design
from briefkit.builder.outputs import MAX_NAME_BYTES
from briefkit.core.diagnostics import BriefInvalid, Diagnostics, Location, format_key_path
from briefkit.core.engines import EngineMissing, require_engine, usable
from briefkit.core.images import ImageRefused, check_image
from briefkit.core.paths import PathRefused, Roots, find_project_root
from briefkit.formats import FORMAT, NAMES
from briefkit.layout import folders as layouts_module
from briefkit.layout.locales import is_tag, label_names
from briefkit.load.series import load_brief
from briefkit.prose.citations import collect_sources, unused_warnings
from briefkit.prose.csl_styles import DEFAULT_STYLE, resolve_style
from briefkit.prose.read import PandocJob, check_fences, read_prose
from briefkit.render import pending, render
from briefkit.render.pdf.glyphs import missing_glyph_warning
from briefkit.render.pdf.pages import PrintPages
from briefkit.render.pdf.process import PdfProcess
from briefkit.resolve.display import display_fields
from briefkit.resolve.document import make_document, prose_fields, unused_keys

FORMATS = NAMES  # the table of formats (formats.py)


@dataclass
class Prepared:
    """A brief that passed every check, ready for any writer."""

    path: Path
    document: m.Document
    layout: layouts_module.Layout
    roots: Roots
    diagnostics: Diagnostics  # warnings only
    word_template: Optional[Path] = None
    html_template: Optional[Path] = None
    inputs: list[Path] = field(default_factory=list)  # every file the build reads
    missing: list[EngineMissing] = field(default_factory=list)  # formats this machine cannot make
    # The print edition's pages once the PDF is laid out: the Word twin is paginated alike.
    print_pages: Optional[PrintPages] = None


@dataclass
class Refused:
    """A brief `check_brief` could not make a document of: its mistakes, nothing to write."""

    path: Path
    diagnostics: Diagnostics  # errors, at least one
    document: None = None
    missing: list[EngineMissing] = field(default_factory=list)


def slug_of(path: Path) -> str:
    path = Path(path).resolve()
    return path.parent.name if path.stem == "brief" else path.stem


def prepare(path: Path, preload: Sequence[str] = (), *, allow_network: bool = False) -> Prepared:
    """Load, validate, read prose and resolve; raises `BriefInvalid` with every problem."""
    prepared = examine(path, preload, allow_network=allow_network)
    prepared.diagnostics.raise_if_errors()
    return prepared


def examine(
    path: Path,
    preload: Sequence[str] = (),
    *,
    allow_network: bool = False,
    on_stage: Callable[[str], None] = lambda stage: None,
    list_uncited: bool = False,
) -> Prepared:
    """Load, validate, read prose and resolve, going as far as the brief allows: the
    returned diagnostics hold every error found (its `document` is then only fit for finding
    more mistakes, never for writing); raises `BriefInvalid` only when nothing can be checked
    further (the file cannot be read as YAML, or its prose cannot be read).

    Pandoc starts as soon as the YAML is loaded; the schema check, and the import of the
    engines named in `preload`, run while it works (on the other core)."""
    path = Path(path)
    on_stage("reading the brief")
    diagnostics = Diagnostics()
    project = find_project_root(path)
    loaded, series_paths = load_brief(path, project)
    data, source = loaded.data, loaded.source
    roots = Roots(path.resolve().parent, project, layouts_module.builtin_dir(), allow_network)
    available = layouts_module.available(project)
    layout_name = data.get("layout", "report")
    # An unknown layout is reported by validate, a broken one here; the rest is checked as the
    # default would be.
    layout = None
    if isinstance(layout_name, str) and layout_name in available:
        try:
            layout = layouts_module.load_layout(layout_name, project)
        except layouts_module.LayoutError as exc:
            diagnostics.error(
                exc.location or source.location(("layout",)),
                f"layout '{layout_name}' (named by {path.name}) is broken: {exc}",
                hint="fix the layout's files; briefs that use other layouts are not affected",
            )
    if layout is None:
        layout = layouts_module.load_layout("report", project)

    placed, unplaced = prose_fields(data, layout)
    check_fences(placed + unplaced, source, diagnostics)
    fences_ok = not diagnostics.errors
    # Prose is read even when a source failed, so that its own mistakes are reported in
    # this run too; undefined citation keys are then not reported (they would be noise).
    # A wrong style is not a failed source: keys are still checked against the sources.
    sources = collect_sources(data, _bibliography_paths(data), source, roots, diagnostics)
    style_name = data.get("citation_style", DEFAULT_STYLE)
    style = (
        resolve_style(style_name, roots, source.location(("citation_style",)), diagnostics)
        if isinstance(style_name, str)
        else None
    )
    job = None
    if fences_ok:
        with_bibliography = bool(
            sources
            and style is not None
            and "bibliography" in layout.parts
            and (data.get("bibliography_title") or style.has_bibliography)
        )
        lang = data.get("lang")  # the citeproc locale (Pandoc's `lang` metadata)
        job = PandocJob(
            placed + unplaced + display_fields(data),
            sources,
            style,
            with_bibliography,
            lang if isinstance(lang, str) and is_tag(lang) else None,
        )

    from briefkit.validate.check import validate  # pydantic's import overlaps Pandoc's work

    brief = validate(
        loaded,
        layouts=available,
        labels=label_names(project) | set(layout.labels),
        diagnostics=diagnostics,
        layout=layout,
    )
    if brief is None:
        # pydantic, as `validate` above
        from briefkit.validate.salvage import (
            salvage,  # the rest of the brief is checked all the same
        )

        brief = salvage(data)
    inputs = [path.resolve(), *series_paths]
    word_template = html_template = logo = None
    if brief is not None:
        logo = _confined(
            brief.publisher.logo, ("publisher", "logo"), roots, loaded, diagnostics, "file", inputs
        )
        if logo is not None:  # the image budgets hold for a logo as for every figure
            try:
                check_image(logo, roots.read_bytes(logo))
            except (ImageRefused, PathRefused) as exc:
                diagnostics.error(
                    loaded.source.location(("publisher", "logo")),
                    f"the logo cannot be used: '{brief.publisher.logo}' {exc}",
                    key=("publisher", "logo"),
                )
                logo = None
        word_template = _confined(
            brief.output.word_template,
            ("output", "word_template"),
            roots,
            loaded,
            diagnostics,
            "file",
            inputs,
        )
        html_template = _confined(
            brief.output.html_template,
            ("output", "html_template"),
            roots,
            loaded,
            diagnostics,
            "folder",
            inputs,
        )
        if word_template is not None:  # its size budget and outside links, before any writer
            # python-docx only when a brief names a house Word template
            from briefkit.render.word.template import inspect_template

            if not inspect_template(
                word_template, source.location(("output", "word_template")), diagnostics
            ):
                word_template = None
    if job is None or brief is None:
        diagnostics.raise_if_errors()
        raise BriefInvalid(diagnostics)  # pragma: no cover - validate reports why
    if not diagnostics.errors:
        import_engines(preload)
    # Read even when something else is wrong: the prose's own mistakes belong in this report.
    on_stage("reading the prose, citations and notes")
    prose = read_prose(job, source=source, roots=roots, diagnostics=diagnostics)
    document = make_document(
        brief, loaded, layout, prose, placed, slug_of(path), diagnostics, logo, project
    )
    _check_output_name(document.output_name, brief, source, path, diagnostics)
    if style is not None:
        document.citation_style = {
            "id": style.ident or f"http://www.zotero.org/styles/{style.path.stem}",
            "notes": style.notes,
            "bibliography": style.has_bibliography,
        }
    document.source_text = source.text

    if not diagnostics.errors:
        diagnostics.extend(unused_warnings(sources, prose.cited, listed=list_uncited))
    for key in unused_keys(data, layout):
        document.unshown[format_key_path(key)] = data[key[0]]  # into the outputs' metadata
        diagnostics.warning(
            source.location(key, at_key=True),
            f"'{format_key_path(key)}' is not shown by the '{layout.name}' layout",
            key=key,
            hint="it is kept in the document metadata only",
        )
    fit_to_design(document, layout, source, diagnostics)
    inputs.extend(sources.files)
    if style is not None:
        inputs.extend(p for p in (style.path, style.parent) if p is not None)
    return Prepared(
        path, document, layout, roots, diagnostics, word_template, html_template, inputs
    )


def _check_output_name(name: str, brief, source, path: Path, diagnostics: Diagnostics) -> None:
    """The outputs' name must fit a file name, with room for `.new-2.docx` and the hidden
    staging name (outputs.py); located at `output.name`, or at the brief whose file name it is."""
    size = len(name.encode("utf-8"))
    if size <= MAX_NAME_BYTES:
        return
    declared = bool(brief.output.name)
    diagnostics.error(
        source.location(("output", "name")) if declared else Location(path),
        f"the outputs' name is {size} bytes long; file names allow {MAX_NAME_BYTES} here "
        "(with room for '.new-2.docx')",
        key=("output", "name"),
        hint="write a shorter output.name"
        if declared
        else "add a shorter output.name to the brief (its file name is used otherwise)",
    )


def check_brief(
    path: Path,
    formats: Optional[Sequence[str]] = None,
    *,
    allow_network: bool = False,
    list_uncited: bool = False,
) -> Prepared | Refused:
    """Everything `build_brief` does except writing: the brief is examined, then each format
    is rendered in memory and thrown away, so a mistake only a writer can see (a house Word
    template's, an HTML template's, an image an engine refuses) is found too. Every error of
    every stage is in the returned diagnostics; nothing is raised for a wrong brief."""
    try:
        prepared = examine(path, preload=(), allow_network=allow_network, list_uncited=list_uncited)
    except BriefInvalid as exc:
        return Refused(Path(path), exc.diagnostics)
    wanted = [f for f in (formats or prepared.document.formats) if f in FORMATS]
    if prepared.diagnostics.errors:
        wanted = templates_to_try(prepared, wanted)
    dry_run(prepared, wanted)
    warn_missing_glyphs(prepared, wanted)
    return prepared


def warn_missing_glyphs(prepared: Prepared, formats: Sequence[str]) -> None:
    """A warning naming the characters the PDF would print as empty boxes (no font has them)."""
    if "pdf" in formats and prepared.document is not None:
        warning = missing_glyph_warning(prepared.document, prepared.path)
        if warning is not None:
            prepared.diagnostics.add(warning)


def templates_to_try(prepared: Prepared, formats: Sequence[str]) -> list[str]:
    """For a brief already known to be wrong, the writers worth running in memory to find
    more: those given a house template (the only brief-side input a writer alone reads). The
    PDF's layout (seconds) waits until the brief is otherwise right."""
    given = {"docx": prepared.word_template, "html": prepared.html_template}
    return [f for f in formats if given.get(f) is not None]


def dry_run(prepared: Prepared, formats: Sequence[str]) -> None:
    """Render `formats` in memory and throw the bytes away, adding what the writers refuse to
    `prepared.diagnostics` (each mistake once) and engines that cannot load to `missing`."""
    clean = not prepared.diagnostics.errors
    for fmt in usable(formats, prepared.missing):
        try:
            render(prepared, fmt)
        except BriefInvalid as exc:
            known = {str(d) for d in prepared.diagnostics}
            prepared.diagnostics.extend(d for d in exc.diagnostics if str(d) not in known)
        except Exception:
            # On a document already known to be wrong a writer may trip over the stand-ins
            # (that is not news to the author); on a clean one it is briefkit's bug.
            if clean:
                raise


def _bibliography_paths(data: dict) -> list[str]:
    # Numbers are text here as in the schema (`bibliography: 2024` names a file "2024").
    def text(v):
        return str(v) if isinstance(v, (str, int, float)) and not isinstance(v, bool) else None

    value = data.get("bibliography")
    values = value if isinstance(value, list) else [value]
    return [t for t in map(text, values) if t is not None]


def import_engines(formats: Sequence[str]) -> None:
    """Import the writers of `formats` ahead of time; one whose engine cannot load is left for
    `render` to report (as `EngineMissing`, for that format only)."""
    for fmt in formats:
        try:
            importlib.import_module(FORMAT[fmt].writer_module())
        except (OSError, ImportError):
            continue


def _confined(
    value, key, roots: Roots, loaded, diagnostics: Diagnostics, kind: str, inputs: list[Path]
) -> Optional[Path]:
    if not value:
        return None
    try:
        resolved = roots.resolve(value, kind=kind)
    except PathRefused as exc:
        diagnostics.error(
            loaded.source.location(key),
            f"the {key[-1].replace('_', ' ')} cannot be used: {exc}",
            key=key,
        )
        return None
    inputs.append(resolved)
    return resolved


def produce(
    path: Path,
    formats: Optional[Sequence[str]],
    pdf_process: Optional[PdfProcess],
    *,
    allow_network: bool = False,
    on_stage: Callable[[str], None] = lambda stage: None,
) -> tuple[Prepared, dict[str, bytes]]:
    """A brief's path in, its checked document and the stamped bytes of each format it makes
    out (`formats`, else the brief's own); raises `BriefInvalid` with every mistake found (a
    house template's too, as `check` finds them)."""
    # With a PDF process the cores are busy while the brief is read; this process imports the
    # other writers later, while the PDF is laid out.
    preload = () if pdf_process else (formats or FORMATS)
    prepared = examine(path, preload=preload, allow_network=allow_network, on_stage=on_stage)
    wanted = [f for f in (formats or prepared.document.formats) if f in FORMATS]
    if prepared.diagnostics.errors:
        dry_run(prepared, templates_to_try(prepared, wanted))
        prepared.diagnostics.raise_if_errors()
    names = [FORMAT[f].title for f in wanted]
    on_stage(
        "writing " + " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    )
    return prepared, render_formats(prepared, wanted, pdf_process)


def render_formats(
    prepared: Prepared, formats: Sequence[str], pdf_process: Optional[PdfProcess] = None
) -> dict[str, bytes]:
    """The bytes of each of `formats`, and the glyph warning when a PDF is made. A format whose
    engine cannot load on this machine is left out and recorded in `prepared.missing`.

    The print edition is laid out once and the Word twin follows its pages (a format with a
    `pending` row): in this process, the PDF comes first (or, for a DOCX alone, its pages
    only); with a `pdf_process` (started before the brief was read; its owner stops it) the
    PDF is laid out there while this process writes the other formats, the DOCX all but its
    page breaks and contents' numbers, and checks the glyphs."""
    if pdf_process is None:
        rendered = {}
        for fmt in sorted(usable(formats, prepared.missing), key=lambda f: f != "pdf"):
            output = pending(prepared, fmt) if fmt != "pdf" else None
            if output is None:
                rendered[fmt] = render(prepared, fmt)
                continue
            if prepared.print_pages is None:  # a DOCX without its PDF: the pages only
                prepared.print_pages = _print_pages(prepared)
            rendered[fmt] = output.finish(prepared.print_pages)
        warn_missing_glyphs(prepared, list(rendered))
        return {fmt: rendered[fmt] for fmt in formats if fmt in rendered}
    wants_pdf = "pdf" in formats
    if wants_pdf:  # first: the layout is the longest path, and needs nothing drafted here
        pdf_process.send(prepared, pdf=True)
    begun = {fmt: pending(prepared, fmt) for fmt in formats if fmt != "pdf"}
    follow = {fmt: output for fmt, output in begun.items() if output is not None}
    if follow and not wants_pdf:  # a DOCX alone: the print's pages only
        pdf_process.send(prepared, pdf=False)
    rendered = {fmt: render(prepared, fmt) for fmt, output in begun.items() if output is None}
    warning = missing_glyph_warning(prepared.document, prepared.path) if wants_pdf else None
    pdf = None
    if wants_pdf or follow:
        try:
            pdf, prepared.print_pages = pdf_process.result()
        except EngineMissing as exc:
            if wants_pdf:
                prepared.missing.append(exc)
    for fmt, output in follow.items():
        rendered[fmt] = output.finish(prepared.print_pages)
    if pdf is not None:
        rendered["pdf"] = pdf
        if warning is not None:
            prepared.diagnostics.add(warning)
    return {fmt: rendered[fmt] for fmt in formats if fmt in rendered}


def _print_pages(prepared: Prepared) -> Optional[PrintPages]:
    """The print edition's pages, laid out here for a DOCX made without its PDF (None where
    this machine cannot lay out PDFs: the DOCX then has no forced breaks or cached numbers)."""
    try:
        require_engine("weasyprint")
    except EngineMissing:
        return None
    # WeasyPrint only when the print edition's pages are laid out
    from briefkit.render.pdf.writer import lay_out_pages

    return lay_out_pages(prepared)
