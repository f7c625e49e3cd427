"""Step 3 of the pipeline: run a Macaulay2 script in a subprocess.

`Macaulay2` is the one place that starts `M2 --script FILE` (`--script` must come first). Each run
has a wall-clock timeout that kills M2's whole process group, an address-space cap set with
setrlimit in the child, and optional live streaming of M2's output through subprocess-tee.
"""

from __future__ import annotations

import os
import re
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import subprocess_tee

from ..errors import M2Error, M2NotFoundError, M2TimeoutError
from ._launch import TIMEOUT_MARKER

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


class M2Session:
    """One long-lived Macaulay2 process that runs many case scripts (templates/server.m2.j2).

    Same `run_script` / `discard` interface as `Macaulay2`, so `Implicitization` can use either.
    Start-up (0.5–0.9 s) is paid once; after a timeout or a crash the process is killed and the
    next script starts a fresh one. A script that raises an error inside the session is rerun as a
    one-shot `M2 --script` to obtain Macaulay2's own message (the session's `try` hides it).
    """

    def __init__(self, m2: Macaulay2 | None = None):
        self.m2 = m2 or Macaulay2()
        self.timeout = self.m2.timeout
        self.process: subprocess.Popen | None = None
        self._buffer = b""
        self._dir = tempfile.mkdtemp(prefix="m2bridge-session-", dir=self.m2.script_dir)
        self.started = 0  # how many Macaulay2 processes this session has started

    def version(self) -> str:
        return self.m2.version()

    def _start(self) -> None:
        from .render import (
            render_script,  # run.py stays importable without jinja2 set-up cost
        )

        executable = self.m2._require()
        server = os.path.join(self._dir, "server.m2")
        with open(server, "w") as fh:
            fh.write(render_script("server.m2.j2"))
        memory = self.m2.memory_limit

        def limit_memory():
            if memory > 0:
                resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

        self._stderr = open(os.path.join(self._dir, "stderr.txt"), "w+b")
        self.process = subprocess.Popen(
            [executable, "--script", server], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, preexec_fn=limit_memory, start_new_session=True,
        )
        self._buffer = b""
        self.started += 1
        lines = self._read_until(b"@@m2b ok ready ", time.monotonic() + 120)
        if lines is None:
            raise M2Error(self._stderr_text() or "the session did not start", server, self.process.returncode)

    def _stderr_text(self) -> str:
        self._stderr.flush()
        self._stderr.seek(0)
        return _error_message(self._stderr.read().decode(errors="replace"), "")

    def _read_until(self, prefix: bytes, deadline: float) -> list[str] | None:
        """Lines up to and including the first starting with `prefix`; None on EOF; raises on timeout."""
        fd = self.process.stdout.fileno()
        lines: list[str] = []
        while True:
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                text = line.decode(errors="replace").rstrip("\r")
                lines.append(text)
                if line.startswith(prefix):
                    return lines
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    return None
                self._buffer += chunk

    def run_script(self, text: str) -> RunOutput:
        if self.process is None or self.process.poll() is not None:
            self._start()
        fd, script_path = tempfile.mkstemp(prefix="case-", suffix=".m2", dir=self._dir)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        start = time.perf_counter()
        try:
            self.process.stdin.write(script_path.encode() + b"\n")
            self.process.stdin.flush()
            lines = self._read_served(time.monotonic() + self.timeout)
        except TimeoutError:
            self.close()
            raise M2TimeoutError(self.timeout, script_path) from None
        except BrokenPipeError:
            lines = None
        seconds = time.perf_counter() - start
        if lines is None:  # Macaulay2 died (crash, memory cap): report its message, restart next time
            message = self._stderr_text()
            code = self.process.wait()
            self.process = None
            raise M2Error(message, script_path, code)
        status, body = lines[-1], lines[:-1]
        if status.startswith("@@m2b err served"):
            return self.m2.run_script(text)  # raises M2Error with Macaulay2's own message
        return RunOutput("\n".join(body) + "\n", "", seconds, script_path)

    def _read_served(self, deadline: float) -> list[str] | None:
        lines: list[str] = []
        while True:
            chunk = self._read_until(b"@@m2b ", deadline)
            if chunk is None:
                return None
            lines.extend(chunk)
            if re.match(r"@@m2b (ok|err) served ", chunk[-1]):
                return lines

    def discard(self, output: RunOutput) -> None:
        try:
            os.unlink(output.script_path)
        except FileNotFoundError:
            pass

    def close(self) -> None:
        """Stop Macaulay2 (the whole process group) and forget it."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
            self.process = None
            self._stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        shutil.rmtree(self._dir, ignore_errors=True)
