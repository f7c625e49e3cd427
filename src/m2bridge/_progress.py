"""The one progress display of m2bridge: a tqdm bar when tqdm is installed (the `progress` extra;
tqdm.auto, so a notebook widget where ipywidgets is installed), else one self-overwriting line on a
terminal's stderr. It shows the elapsed time, what is running and an ETA that m2bridge computes
(SweepProgress: the mean time of finished tasks of each kind), never tqdm's own rate-based guess,
which is wrong when millisecond Jacobian tasks come before minute-long Macaulay2 ones.

Library functions report through callbacks and never print; a command (or `m2bridge.sweep` in a
terminal or notebook) makes the display. `ticking(display, text)` keeps a single long computation
(one `ker`) alive on screen: the elapsed time every half second on a background thread.

>>> import io
>>> line = StatusLine(io.StringIO(), enabled=True, width=40)
>>> line.update("sweep seed: 3/10 tasks"); line.close()
>>> line.stream.getvalue()
'\\r\\x1b[Ksweep seed: 3/10 tasks\\r\\x1b[K'
>>> format_seconds(75), format_seconds(3725), format_seconds(None)
('1m15s', '1h02m', '?')
"""

from __future__ import annotations

import os
import sys
import threading
import time
import warnings
from contextlib import contextmanager
from typing import Protocol

ERASE_LINE = "\r\033[K"


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def interactive(stream=None) -> bool:
    """A terminal (or a Jupyter kernel) and not CI: where a progress display is shown by default."""
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    if "IPython" in sys.modules:
        shell = sys.modules["IPython"].get_ipython()
        if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
            return True
    return _isatty(sys.stderr if stream is None else stream)


class StatusLine:
    """The latest `update(text)`, at most every `interval` seconds (the first at once), cut to the
    terminal's width; `close()` erases it. Silent unless the stream is a terminal (or `enabled`)."""

    def __init__(self, stream=None, *, enabled: bool | None = None, interval: float = 0.5, width: int | None = None):
        self.stream = sys.stderr if stream is None else stream
        self.enabled = _isatty(self.stream) if enabled is None else enabled
        self.interval, self.width = interval, width
        self._last = -float("inf")
        self._shown = False
        self._lock = threading.Lock()

    def update(self, text: str, force: bool = False) -> None:
        if not self.enabled:
            return
        with self._lock:
            now = time.monotonic()
            if not force and now - self._last < self.interval:
                return
            self._last, self._shown = now, True
            self.stream.write(ERASE_LINE + text[: self._columns() - 1])
            self.stream.flush()

    def close(self) -> None:
        with self._lock:
            if self._shown:
                self.stream.write(ERASE_LINE)
                self.stream.flush()
                self._shown = False
            self._last = -float("inf")

    def __enter__(self) -> "StatusLine":
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


class _Bar(Protocol):
    """What ProgressDisplay uses of a tqdm bar (tqdm is an optional dependency)."""

    n: int

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None: ...
    def update(self, n: int = 1) -> object: ...
    def refresh(self) -> None: ...
    def close(self) -> None: ...


class ProgressDisplay:
    """Counts of a known total (`advance`) or a free text (`status`), with the elapsed time; a tqdm
    bar if tqdm can be imported (and `use_tqdm` is not False), else a StatusLine."""

    def __init__(self, description: str, *, stream=None, enabled: bool | None = None, use_tqdm: bool | None = None):
        self.description, self.started = description, time.monotonic()
        self.stream = sys.stderr if stream is None else stream
        self.enabled = interactive(self.stream) if enabled is None else enabled
        self.bar: _Bar | None = None
        self.line = StatusLine(self.stream, enabled=self.enabled)
        self._tqdm = _tqdm() if self.enabled and use_tqdm is not False else None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def advance(self, done: int, total: int, eta: float | None = None, running: str = "") -> None:
        """`done` of `total` finished; `eta` in seconds (None: not known yet); `running`: what is."""
        if not self.enabled:
            return
        tail = f"ETA {format_seconds(eta)}" + (f", {running}" if running else "")
        if self._tqdm is None:
            self.line.update(f"{self.description}: {done}/{total} [{format_seconds(self.elapsed)} elapsed, {tail}]",
                             force=done == total)
            return
        bar = self.bar
        if bar is None:
            # Our ETA in the postfix, not tqdm's rate-based remaining time.
            bar = self.bar = self._tqdm(total=total, initial=done, desc=self.description, unit="task", file=self.stream,
                                  dynamic_ncols=True, postfix=tail,
                                  bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                                             "[{elapsed} elapsed, {rate_fmt}{postfix}]")
        bar.set_postfix_str(tail, refresh=False)
        bar.update(done - bar.n)  # redraws at most every tqdm's mininterval
        if done == total:
            bar.refresh()

    def status(self, text: str) -> None:
        """One computation of unknown length: its text and the elapsed time."""
        if self.enabled:
            self.line.update(f"{self.description}: {text} [{format_seconds(self.elapsed)}]")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self.line.close()

    def __enter__(self) -> "ProgressDisplay":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@contextmanager
def ticking(display: ProgressDisplay, text: str, interval: float = 0.5):
    """While the body runs, `display.status(text)` every `interval` seconds (a thread); the line is
    erased at the end. A no-op when the display is not shown."""
    if not display.enabled:
        yield
        return
    stop = threading.Event()

    def tick():
        while not stop.wait(interval):
            display.status(text)

    display.status(text)
    thread = threading.Thread(target=tick, name="m2bridge-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        display.close()


def _tqdm():
    try:
        with warnings.catch_warnings():
            # In a notebook without ipywidgets tqdm.auto falls back to a text bar, with a warning.
            warnings.simplefilter("ignore")
            from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class SweepBar:
    """A sweep's display, fed every SweepProgress (anything with done, total, eta_seconds() and
    running_text()): done/total, the elapsed time, m2bridge's ETA and the cases running."""

    def __init__(self, name: str, *, stream=None, enabled: bool | None = None, use_tqdm: bool | None = None):
        self.display = ProgressDisplay(f"sweep {name}", stream=stream, enabled=enabled, use_tqdm=use_tqdm)

    def __call__(self, progress) -> None:
        self.display.advance(progress.done, progress.total, progress.eta_seconds(), progress.running_text())

    def close(self) -> None:
        self.display.close()
