"""briefkit: policy briefs from YAML to DOCX, HTML and PDF.

The library API is `briefkit.build.pipeline` (`prepare`, `build_brief`); the command line in
`briefkit.cli` is a thin layer over it.
"""

__version__ = "0.1.0"
