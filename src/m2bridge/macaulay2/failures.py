"""What went wrong in a Macaulay2 run that exited non-zero: the signal it died from, its own error
lines, and whether the memory cap was to blame (M2CrashError, M2MemoryCapError or M2Error)."""

from __future__ import annotations

import re
import signal

from ..errors import M2CrashError, M2Error, M2MemoryCapError
from ._launch import SIGNAL_MARKER, memory_cap

_STACK_TRACE = re.compile(r"\s*[0-9]+# |-\* stack trace|-- end stack trace")  # after Macaulay2's `-- SIGSEGV`
_MEMORY = re.compile(r"out of memory|memory|failed to map|cannot allocate", re.I)
# Macaulay2 1.21 needs about 0.25 GiB of address space to start (it crashes with SIGSEGV, SIGABRT or a
# loader error under 0.2 GiB): a crash under a cap below this is blamed on the cap, by name.
SMALL_MEMORY_CAP = 2**29


def crash_signal(output: str, returncode: int | None) -> int | None:
    """The signal Macaulay2 died from: the launcher's marker, Macaulay2's own `-- SIGSEGV` line (it
    catches SIGSEGV, prints a stack trace and exits 1), a negative exit status, or 128 + N; else None."""
    found = re.search(rf"^{re.escape(SIGNAL_MARKER)} ([0-9]+)", output, re.M)
    if found:
        return int(found.group(1))
    found = re.search(r"^-- (SIG[A-Z]+)\s*$", output, re.M)
    if found and found.group(1) in signal.Signals.__members__:
        return int(signal.Signals[found.group(1)])
    if returncode is not None and returncode < 0:
        return -returncode
    if returncode is not None and 128 < returncode < 128 + signal.NSIG:  # a wrapper script's child was killed
        return returncode - 128
    return None


def failure(m2, stderr: str, stdout: str, script_path: str, returncode: int | None) -> M2Error:
    """The error for a run that exited with `returncode` != 0: M2CrashError after a signal or the
    memory cap, else M2Error; both carry Macaulay2's own message."""
    signum = crash_signal(stderr + "\n" + stdout, returncode)
    message = _error_message(stderr, stdout)
    memory = bool(_MEMORY.search(message))
    cap = memory_cap(m2.memory_limit)
    if (signum is not None or memory or returncode == 127) and 0 < cap < SMALL_MEMORY_CAP:
        return M2MemoryCapError(message, script_path, returncode, signum, cap)
    if memory:
        inherited = " (the inherited hard limit, `ulimit -v`)" if 0 < cap < m2.memory_limit else ""
        message += f" [address-space cap {cap / 2**30:g} GiB{inherited}; raise it with --memory-limit]"
    if signum is not None or memory:
        return M2CrashError(message, script_path, returncode, signum)
    return M2Error(message, script_path, returncode)


def _error_message(stderr: str, stdout: str) -> str:
    """Macaulay2's own error lines (`…: error: …`), else the end of what it printed (never the
    launcher's markers or the `@@m2b` protocol lines)."""
    def shown(text):
        return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith(("@@m2b", "@@m2bridge"))
                and not _STACK_TRACE.match(ln)]

    lines = shown(stderr)
    errors = [ln for ln in lines if "error:" in ln]
    if errors:
        return "\n".join(errors)
    tail = lines[-5:] or shown(stdout)[-5:]
    return "\n".join(tail) if tail else "no error message from Macaulay2"
