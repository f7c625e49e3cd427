"""Singular, the optional second engine for J^A's kernel (m2scripts/pattern_ideal.sing.j2).

`Singular` is a `Macaulay2` with another command line (engines.OtherEngine): every run gets the
same launcher (timeout killing the whole process group, address-space cap, parent-death signal),
the same kept-on-failure script files and the same framed reply (the template prints `@@m2b` frames like Macaulay2's
templates). What differs is how Singular fails: it prints `? …` error lines and goes on with the
next top-level statement, exiting 0. The template therefore runs inside one procedure (an error
ends it before the `end` frame), and a run whose output holds Singular's error lines raises
`M2Error` with them, so the message is Singular's own, not a missing frame.
"""

from __future__ import annotations

import os
import subprocess
from functools import lru_cache

from ..errors import M2Error, SingularNotFoundError
from .engines import OtherEngine
from .process import RunOutput

# Singular's error lines: `   ? error occurred in or before …`, `   ? wrong type declaration …`.
_ERROR_PREFIX = "? "


class Singular(OtherEngine):
    """A Singular executable (`M2BRIDGE_SINGULAR`, default `Singular`) under Macaulay2's limits."""

    name = "Singular"
    not_found = SingularNotFoundError
    script_suffix = ".sing"

    def __init__(self, executable: str | None = None, **limits):
        super().__init__(executable or os.environ.get("M2BRIDGE_SINGULAR", "Singular"), **limits)

    def version(self) -> str:
        """The first line of `Singular --version`, e.g. 'Singular for x86_64-Linux version 4.3.1 …'."""
        return _first_line(self._require())

    def command(self, executable: str, script_path: str) -> list[str]:
        # -q: no banner; --no-rc: no user start-up file; --no-shell: the script cannot run commands.
        return [executable, "-q", "--no-rc", "--no-shell", script_path]

    def checked(self, output: RunOutput) -> RunOutput:
        errors = [line.strip() for line in output.stdout.splitlines() + output.stderr.splitlines()
                  if line.lstrip().startswith(_ERROR_PREFIX)]
        if errors:
            raise M2Error("\n".join(errors[:5]), output.script_path, 0)
        return output


@lru_cache(maxsize=None)
def _first_line(executable: str) -> str:
    done = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=60)
    return (done.stdout.strip() or done.stderr.strip()).splitlines()[0] if done.stdout or done.stderr else ""


def singular_installed() -> bool:
    """Whether the Singular engine can run here (`auto` falls back to Macaulay2 otherwise)."""
    return Singular().is_installed()
