"""Running the command line in-process: the same `main` the `m2bridge` script calls, with its
standard output and error captured. Subprocess tests are kept for what needs a real process (exit
status of the script, signals, kill -9 and resume)."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from m2bridge.cli import main


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def invoke(*args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return Result(code, out.getvalue(), err.getvalue())
