"""The script files of Macaulay2 runs: which are kept, and which are deleted.

A script is written to a fresh `m2bridge-*.m2` file (`*.sing` for Singular) in the temporary directory (`TMPDIR`, or the
runner's `script_dir`). It is deleted after a run whose output was understood, and kept after a
failure for the researcher to rerun by hand: then the error (M2Error, M2TimeoutError,
M2OutputError) names it. A run that m2bridge itself stopped (Ctrl-C, a signal, a cancelled `auto`
race) tells nothing about its script, so the script is deleted: a kept file nobody is told about
is litter.
"""

from __future__ import annotations

import os
import tempfile

from .. import _processes
from ..errors import M2Error, M2OutputError, M2TimeoutError

NAMING_ERRORS = (M2Error, M2OutputError, M2TimeoutError)


def write_script(text: str, directory: str | None = None, suffix: str = ".m2") -> str:
    """A new script file holding `text` (in `directory`, default the temporary directory); its path.
    `suffix` names the language (`.m2`, `.sing` for Singular) for whoever opens a kept script."""
    fd, path = tempfile.mkstemp(prefix="m2bridge-", suffix=suffix, dir=directory)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    return path


def remove_script(path: str | None) -> None:
    try:
        if path is not None:
            os.unlink(path)
    except FileNotFoundError:
        pass


class kept_only_when_named:  # noqa: N801 - a context manager used like a function
    """Around a run of the script at `path`: if the run raises anything but an error that names the
    script, delete the script. An error raised because m2bridge is being stopped by a signal (its
    Macaulay2 got the end signal) no longer names it either: the script is deleted."""

    def __init__(self, path: str):
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, kind, error, _traceback):
        if kind is None:
            return False
        named = isinstance(error, NAMING_ERRORS) and error.script_path == self.path
        if named and _processes.received_signal() is None:
            return False
        remove_script(self.path)
        if named:
            forget_script(error)
        return False


def drop_kept_script(error) -> None:
    """Delete the script an error names, for an error that is handled (never shown to anyone)."""
    remove_script(getattr(error, "script_path", None))
    forget_script(error)


def forget_script(error) -> None:
    """`error` without the script it names (deleted)."""
    where = f" (script kept at {error.script_path})"
    error.script_path = None
    error.args = tuple(a.replace(where, "") if isinstance(a, str) else a for a in error.args)
