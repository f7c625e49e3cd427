"""Step 3 of the pipeline: run a Macaulay2 script in a subprocess.

`Macaulay2` is the one place that starts `M2 --script FILE` (`--script` must come first). Each run
has a wall-clock timeout that kills M2's whole process group, an address-space cap set with
setrlimit in the child, and optional live streaming of M2's output through subprocess-tee.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import subprocess_tee

from ._launch import TIMEOUT_MARKER
from .errors import M2Error, M2NotFoundError, M2TimeoutError

DEFAULT_TIMEOUT = 600.0
DEFAULT_MEMORY_LIMIT = 8 * 2**30
LAUNCHER = Path(__file__).with_name("_launch.py")


@dataclass
class RunOutput:
    stdout: str
    stderr: str
    seconds: float
    script_path: str


@lru_cache(maxsize=None)
def _version(executable: str) -> str:
    done = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=60)
    return done.stdout.strip() or done.stderr.strip()


class Macaulay2:
    """A Macaulay2 executable with the limits every run gets.

    Scripts are written to `script_dir` (default: the system temp dir) and deleted after a clean
    run; a failed or timed-out run keeps its script so the researcher can rerun it by hand.
    """

    name = "Macaulay2"

    def __init__(
        self,
        executable: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        verbose: bool = False,
        script_dir: str | None = None,
    ):
        self.executable = executable or os.environ.get("M2BRIDGE_M2", "M2")
        self.timeout = float(timeout)
        self.memory_limit = int(memory_limit)
        self.verbose = verbose
        self.script_dir = script_dir

    def is_installed(self) -> bool:
        return shutil.which(self.executable) is not None

    def _require(self) -> str:
        path = shutil.which(self.executable)
        if path is None:
            raise M2NotFoundError(self.executable)
        return path

    def version(self) -> str:
        """`M2 --version`, e.g. '1.21' (asked once per executable and process)."""
        return _version(self._require())

    def run_script(self, text: str) -> RunOutput:
        """Run `M2 --script` on `text`; raise M2TimeoutError / M2Error, or return the raw output."""
        executable = self._require()
        fd, script_path = tempfile.mkstemp(prefix="m2bridge-", suffix=".m2", dir=self.script_dir)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        command = [
            sys.executable, "-I", str(LAUNCHER), str(self.timeout), str(self.memory_limit), "--",
            executable, "--script", script_path,
        ]
        start = time.perf_counter()
        # Streamed to stderr under --verbose so that stdout stays clean for --json.
        done = subprocess_tee.run(
            command, tee=self.verbose, quiet=not self.verbose, stdout=sys.stderr, stderr=sys.stderr,
            stdin=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - start
        stdout, stderr = done.stdout or "", done.stderr or ""
        if done.returncode == 124 and TIMEOUT_MARKER in stderr:
            raise M2TimeoutError(self.timeout, script_path)
        if done.returncode != 0:
            message = _error_message(stderr, stdout)
            if re.search(r"memory|failed to map|cannot allocate", message, re.I):
                message += f" [address-space cap {self.memory_limit / 2**30:g} GiB; raise it with --memory-limit]"
            raise M2Error(message, script_path, done.returncode)
        return RunOutput(stdout, stderr, seconds, script_path)

    def discard(self, output: RunOutput) -> None:
        """Delete the script of a run whose output was understood."""
        try:
            os.unlink(output.script_path)
        except FileNotFoundError:
            pass


def _error_message(stderr: str, stdout: str) -> str:
    """Macaulay2's own error lines (`…: error: …`), else the end of what it printed."""
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if "error:" in ln]
    if errors:
        return "\n".join(errors)
    tail = lines[-5:] or [ln for ln in stdout.splitlines() if ln.strip()][-5:]
    return "\n".join(tail) if tail else "no output"
