"""Feeding Pandoc its Markdown when Pandoc is gone (cancelled, or a Ctrl-C reached its process
group): the feeding thread ends quietly, never dying with a traceback on the command's stderr
in the middle of an orderly stop (prose/read.py)."""

from __future__ import annotations

import subprocess
import sys
import threading

from briefkit.prose.read import PandocJob


def test_feeding_a_process_that_has_gone_ends_without_an_error():
    gone = subprocess.Popen([sys.executable, "-c", "pass"], stdin=subprocess.PIPE)
    gone.wait()
    errors: list[BaseException] = []
    previous, threading.excepthook = threading.excepthook, lambda a: errors.append(a.exc_value)
    try:
        # A short text is buffered by the write and only meets the broken pipe at the close.
        for data in (b"x" * 100, b"x" * 1_000_000):
            feeder = threading.Thread(target=PandocJob._feed, args=(gone.stdin, data))
            feeder.start()
            feeder.join()
            gone = subprocess.Popen([sys.executable, "-c", "pass"], stdin=subprocess.PIPE)
            gone.wait()
    finally:
        threading.excepthook = previous
    assert errors == []
