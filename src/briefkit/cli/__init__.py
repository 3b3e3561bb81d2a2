"""The command line: options parsed, library functions called, diagnostics printed.

`briefkit.cli:main` is the console script; `cli` is the Click group tests drive through
`CliRunner`.
"""

from briefkit.cli.main import cli, main

__all__ = ["cli", "main"]
