"""Macaulay2's output live on the terminal while it is captured: subprocess-tee's job.

`run_teed(command, marker)` runs the launcher command (process.launcher_command) through
`subprocess_tee.run`, which copies every line Macaulay2 writes to our stderr as it comes (our
stdout is kept for results and JSON) and returns the captured output: Macaulay2's own output
(gbTrace, errors) and the framed `@@m2b` replies, as they are read.

The guarantees of `_processes.spawn` are kept although subprocess-tee starts the launcher itself
(through asyncio, with no `preexec_fn`):
- parent death: the launcher is given m2bridge's pid (`_launch.PARENT_VARIABLE`) and asks Linux for
  SIGTERM when m2bridge dies, first thing; on SIGTERM it kills Macaulay2's process group;
- process group: the launcher still makes Macaulay2 the leader of a new session and kills that
  group on a timeout, a signal or its own exit;
- an interruption (Ctrl-C, SIGTERM under the handlers) while the run streams: the launcher, found
  in /proc as our child running this script, gets SIGTERM before the exception goes on.

asyncio cannot start a second event loop in a thread that runs one (a Jupyter kernel): `can_tee()`
is False there, and process.py streams with its own select loop instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from .. import _processes
from ._launch import PARENT_VARIABLE
from .protocol import ReadableEcho

def terminal() -> ReadableEcho:
    """Where a streamed line goes: whatever sys.stderr is at that moment, framed replies in words."""
    return ReadableEcho(lambda: sys.stderr)


def can_tee() -> bool:
    """subprocess-tee runs an asyncio loop of its own: not possible inside a running one."""
    if "asyncio" not in sys.modules:  # then no loop runs (and asyncio need not be imported)
        return True
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return True
    return False


def run_teed(command: list[str], marker: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `command`, streamed to stderr while it runs; `marker`, a
    word of the command line unique to this run (the script's path), finds the launcher in /proc
    if the run is interrupted."""
    import subprocess_tee

    stopping = _processes.received_signal()
    if stopping is not None:
        raise _processes.Terminated(stopping)
    env = dict(os.environ, **{PARENT_VARIABLE: str(os.getpid())})
    echo = terminal()
    try:
        done = subprocess_tee.run(command, env=env, stdin=subprocess.DEVNULL, stdout=echo, stderr=echo)
    except BaseException:
        _end_children_running(marker)
        raise
    return done.returncode, done.stdout or "", done.stderr or ""


def _end_children_running(marker: str) -> None:
    """SIGTERM to each child of ours whose command line holds `marker` (the launcher kills the group)."""
    me = str(os.getpid())
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parent = fh.read().rsplit(")", 1)[1].split()[1]
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                command = fh.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if parent == me and marker in command:
            try:
                os.kill(int(entry), signal.SIGTERM)
            except ProcessLookupError:
                pass
