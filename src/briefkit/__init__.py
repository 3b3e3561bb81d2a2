"""briefkit: policy briefs from YAML to DOCX, HTML and PDF.

The library API is `briefkit.builder.pipeline` (`prepare`, `check_brief`) and
`briefkit.builder.batch` (`build_brief`, `build_all`); the command line in
`briefkit.cli` is a thin layer over it.
"""

__version__ = "0.1.0"
