"""The command line: options parsed, library functions called, diagnostics printed.

`briefkit.cli:main` is the console script; `cli` is the Click group tests drive through
`CliRunner` (loaded on first use: the package itself imports nothing, so that `main` can
guard the command's start before its modules load).
"""

from __future__ import annotations

from typing import Any

from briefkit.core import cleanup

__all__ = ["cli", "main"]


def main() -> None:
    """The `briefkit` executable. A Ctrl-C or SIGTERM that comes while Python loads the
    command's modules can be raised inside a callback whose exceptions Python ignores: it
    would print a traceback and run the whole command anyway. So the hook that keeps such an
    interrupt comes first, then the command line (`cli/main.py`), which acts on it."""
    cleanup.keep_lost_interrupts()
    from briefkit.cli.main import main as run  # deferred: after the hook, see above

    run()


def __getattr__(name: str) -> Any:
    if name == "cli":  # `from briefkit.cli import cli`
        from briefkit.cli.main import cli  # deferred: the package imports nothing, see above

        return cli
    raise AttributeError(f"module 'briefkit.cli' has no attribute '{name}'")
