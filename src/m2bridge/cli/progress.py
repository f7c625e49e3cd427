"""A status line for long commands: one self-overwriting line on a terminal's stderr, nothing else.

Library functions report progress through an `on_progress(text)` callback and never print; a
command passes `Progress().update` and calls `close()` before printing its result.

>>> import io
>>> quiet = Progress(io.StringIO())             # not a terminal: silent
>>> quiet.update("working"); quiet.close(); quiet.stream.getvalue()
''
>>> shown = Progress(io.StringIO(), enabled=True, width=12)
>>> shown.update("regions: 12 found"); shown.close()
>>> shown.stream.getvalue()
'\\r\\x1b[Kregions: 12\\r\\x1b[K'
"""

from __future__ import annotations

import os
import sys
import time

ERASE_LINE = "\r\033[K"


class Progress:
    """Shows the latest `update(text)` at most every `interval` seconds (the first at once),
    cut to the terminal's width; `close()` erases the line. Silent unless the stream is a
    terminal (or `enabled=True`)."""

    def __init__(self, stream=None, *, enabled: bool | None = None, interval: float = 0.5,
                 width: int | None = None):
        self.stream = sys.stderr if stream is None else stream
        self.enabled = _isatty(self.stream) if enabled is None else enabled
        self.interval = interval
        self.width = width
        self._last = -float("inf")
        self._shown = False

    def update(self, text: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        self._shown = True
        self.stream.write(ERASE_LINE + text[: self._columns() - 1])
        self.stream.flush()

    def close(self) -> None:
        if self._shown:
            self.stream.write(ERASE_LINE)
            self.stream.flush()
            self._shown = False
        self._last = -float("inf")

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _columns(self) -> int:
        if self.width is not None:
            return self.width
        try:
            return os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            return 80


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
