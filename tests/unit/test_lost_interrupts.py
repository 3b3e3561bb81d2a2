"""An interrupt Python would drop (raised inside a callback whose exceptions it ignores, as a
Ctrl-C at a command's very start can be, while its modules load) is kept, and the command line
acts on it: the command does not run, or ends as interrupted (core/cleanup.py, cli/main.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _python(code: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_an_interrupt_raised_where_python_ignores_it_is_kept(tmp_path):
    done = _python("""
        import gc, weakref
        from briefkit.core import cleanup
        cleanup.keep_lost_interrupts()

        class Thing:
            pass

        def callback(reference):
            raise KeyboardInterrupt  # as a signal handler raises it inside the callback

        thing = Thing()
        reference = weakref.ref(thing, callback)
        del thing
        gc.collect()
        print(cleanup.lost_interrupts)
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[<Signals.SIGINT: 2>]"
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr


def test_other_unraisable_exceptions_are_still_reported(tmp_path):
    done = _python("""
        import gc
        from briefkit.core import cleanup
        cleanup.keep_lost_interrupts()

        class Broken:
            def __del__(self):
                raise ValueError("a real bug")

        Broken()
        gc.collect()
    """, tmp_path)
    assert "a real bug" in done.stderr and "Exception ignored" in done.stderr


def test_a_command_whose_start_was_interrupted_does_not_run(tmp_path):
    (tmp_path / "brief.yaml").write_text("title: A brief\ndate: 2024-01-01\n", encoding="utf-8")
    done = _python("""
        import signal, sys
        from briefkit.core import cleanup
        cleanup.lost_interrupts.append(signal.SIGINT)  # as if it came while modules loaded
        from briefkit.cli.main import main
        sys.argv = ["briefkit", "build", "brief.yaml", "-o", "out", "-f", "html"]
        main()
    """, tmp_path)
    assert done.returncode == 130, done.stderr
    assert "interrupted" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()
