"""Step 3 of the pipeline: run a Macaulay2 script in a subprocess.

`Macaulay2` is the one place that starts `M2 --script FILE` (`--script` must come first). Every Macaulay2 runs
under the launcher (_launch.py): a wall-clock timeout that kills M2's whole process group, an address-space cap
(at most the inherited hard limit), and the parent-death signal, so that Macaulay2 ends with m2bridge however
m2bridge ends (m2bridge._processes). Under `verbose`, M2's output is streamed live to stderr (tee.py).

A Macaulay2 that died from a signal (SIGKILL, SIGSEGV, SIGABRT…) or from the memory cap raises `M2CrashError`
(transient: worth retrying); one that reported an error raises `M2Error` with its own message, not `@@m2b` lines.
"""

from __future__ import annotations

import codecs
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, BinaryIO

from .. import _processes
from ..errors import M2BridgeError, M2CrashError, M2NotFoundError, M2TimeoutError
from ._launch import PARENT_VARIABLE, TIMEOUT_MARKER
from .failures import failure
from .scripts import kept_only_when_named, remove_script, write_script
from .tee import can_tee, run_teed, terminal

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


def launcher_command(command: list[str], timeout: float, memory_limit: int) -> list[str]:
    """`command` under the launcher: `timeout` s (none if <= 0), an address-space cap of `memory_limit`."""
    return [sys.executable, "-I", str(LAUNCHER), str(float(timeout)), str(int(memory_limit)), "--", *command]


def spawn_launcher(command: list[str], timeout: float, memory_limit: int, **popen_kwargs) -> subprocess.Popen:
    """Start `command` under the launcher, which gets SIGTERM when m2bridge dies or ends it (it then
    kills the command's process group and reaps it).

    The launcher asks for its parent-death signal itself (it is given m2bridge's pid), so no Python
    code runs between fork and exec and CPython starts it by vfork: a plain fork runs the atfork
    handlers of the libraries loaded here, and OpenBLAS's waits for its thread pool, which deadlocked a
    sweep whose other worker was inside a BLAS call (every thread parked on a futex, no CPU)."""
    env = dict(popen_kwargs.pop("env", None) or os.environ, **{PARENT_VARIABLE: str(os.getpid())})
    return _processes.spawn(launcher_command(command, timeout, memory_limit), end_signal=signal.SIGTERM,
                            death_signal=None, env=env, **popen_kwargs)


class Macaulay2:
    """A Macaulay2 executable with the limits every run gets.

    Scripts are written to `script_dir` (default: the system temp dir) and deleted after a clean
    run; a failed or timed-out run keeps it, named by the error, to rerun by hand (scripts.py).
    """

    name = "Macaulay2"
    script_suffix = ".m2"
    not_found: type[Exception] = M2NotFoundError  # raised, naming the executable, when it is not on PATH

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

    one_shot = property(lambda self: self, doc="This runner: what a fresh one-shot run copies (runner.Runner).")

    def is_installed(self) -> bool:
        return shutil.which(self.executable) is not None

    def _require(self) -> str:
        path = shutil.which(self.executable)
        if path is None:
            raise self.not_found(self.executable)
        return path

    def version(self) -> str:
        """`M2 --version`, e.g. '1.21' (asked once per executable and process)."""
        return _version(self._require())

    def command(self, executable: str, script_path: str) -> list[str]:
        """The command line that runs one script (`--script` must come first)."""
        return [executable, "--script", script_path]

    def run_script(self, text: str) -> RunOutput:
        """Run `M2 --script` on `text`; raise M2TimeoutError / M2CrashError / M2Error, or return the raw output."""
        executable = self._require()
        script_path = write_script(text, self.script_dir, self.script_suffix)
        with kept_only_when_named(script_path):
            return self._run(executable, script_path)

    def _run(self, executable: str, script_path: str) -> RunOutput:
        start = time.perf_counter()
        command = self.command(executable, script_path)
        if self.verbose and can_tee():  # live on the terminal through subprocess-tee (tee.py)
            code, stdout, stderr = run_teed(launcher_command(command, self.timeout, self.memory_limit), script_path)
        else:
            code, stdout, stderr = self._run_launcher(command)
        seconds = time.perf_counter() - start
        if code == 124 and TIMEOUT_MARKER in stderr:
            raise M2TimeoutError(self.timeout, script_path)
        if code != 0:
            raise failure(self, stderr, stdout, script_path, code)
        return RunOutput(stdout, stderr, seconds, script_path)

    def _run_launcher(self, command: list[str]) -> tuple[int, str, str]:
        process = spawn_launcher(command, self.timeout, self.memory_limit,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            stdout, stderr = _collect(process, tee=self.verbose)
            return process.wait(), stdout, stderr
        finally:
            _processes.end(process)  # at once if interrupted; the launcher then kills Macaulay2's group
            _pipe(process.stdout).close()
            _pipe(process.stderr).close()

    def discard(self, output: RunOutput) -> None:
        """Delete the script of a run whose output was understood."""
        remove_script(output.script_path)


def _collect(process: subprocess.Popen, tee: bool) -> tuple[str, str]:
    """Everything `process` writes to its stdout and stderr pipes (both streamed to our stderr under
    `tee`), each line stripped of trailing white space."""
    stdout_fd, stderr_fd = _pipe(process.stdout).fileno(), _pipe(process.stderr).fileno()
    streams: dict[int, list[bytes]] = {stdout_fd: [], stderr_fd: []}
    decoders = {fd: codecs.getincrementaldecoder("utf-8")("replace") for fd in streams}
    open_fds, echo = list(streams), terminal()
    while open_fds:
        ready, _, _ = select.select(open_fds, [], [])
        for fd in ready:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                open_fds.remove(fd)
                continue
            streams[fd].append(chunk)
            if tee:
                echo.write(decoders[fd].decode(chunk))
    echo.flush()
    return _lines(b"".join(streams[stdout_fd])), _lines(b"".join(streams[stderr_fd]))


def _pipe(stream: IO[bytes] | None) -> IO[bytes]:
    """A standard stream of a child started with subprocess.PIPE for it (None is a bug of m2bridge)."""
    if stream is None:
        raise M2BridgeError("Macaulay2's launcher was started without a pipe that m2bridge uses")
    return stream


def _lines(data: bytes) -> str:
    lines = [line.rstrip() for line in data.decode("utf-8", "replace").split("\n")]
    if lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


class _SessionState:
    """What a session holds outside Python: Macaulay2 (under its launcher), a temporary directory
    and a stderr file. `release` frees all three; it is idempotent, and runs at the latest when the
    session is garbage-collected or the interpreter exits (weakref.finalize)."""

    def __init__(self, script_dir: str | None):
        self.script_dir = script_dir
        self.dir: str | None = None
        self.process: subprocess.Popen | None = None
        self.stderr: BinaryIO | None = None
        self.cancelled = False  # by M2Session.cancel(): no more scripts

    def directory(self) -> str:
        if self.dir is None or not os.path.isdir(self.dir):
            self.dir = tempfile.mkdtemp(prefix="m2bridge-session-", dir=self.script_dir)
        return self.dir

    def stop(self, wait: float = 0) -> int | None:
        """End Macaulay2 and its launcher, after `wait` s for the launcher to exit by itself (as it
        does when Macaulay2 has died); the launcher's exit status (None if none ran)."""
        process, self.process = self.process, None
        if process is None:
            return None
        if wait > 0:
            try:
                process.wait(wait)
            except subprocess.TimeoutExpired:
                pass
        code = _processes.end(process)
        for pipe in (process.stdin, process.stdout):
            try:
                _pipe(pipe).close()
            except OSError:  # a broken pipe while flushing
                pass
        return code

    def release(self) -> None:
        self.stop()
        if self.stderr is not None:
            self.stderr.close()
            self.stderr = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


class M2Session:
    """One long-lived Macaulay2 process that runs many case scripts (m2scripts/server.m2.j2).

    Same `run_script` / `discard` interface as `Macaulay2`, so every solver can use either.
    Start-up (0.5–0.9 s) is paid once; after a timeout or a crash the process is killed and the
    next script starts a fresh one. A script that raises an error inside the session is rerun as a
    one-shot `M2 --script` to obtain Macaulay2's own message (the session's `try` hides it).
    `close()` ends Macaulay2 and removes the session's temporary directory (server script and
    stderr; case scripts live beside one-shot ones, so a failed one stays where its error says);
    a closed session starts again on the next script. A session that is garbage-collected, or
    still open when the interpreter exits, is closed then.
    """

    def __init__(self, m2: Macaulay2 | None = None):
        self.m2 = m2 or Macaulay2()
        self.timeout = self.m2.timeout
        self._state = _SessionState(self.m2.script_dir)
        self._finalizer = weakref.finalize(self, self._state.release)
        self._buffer = b""
        self._stderr_start = 0
        self._unanswered: list[str] = []  # stdout of a script Macaulay2 died in
        self.started = 0  # how many Macaulay2 processes this session has started

    @property
    def process(self) -> subprocess.Popen | None:
        """The launcher running this session's Macaulay2, if any."""
        return self._state.process

    @property
    def directory(self) -> str | None:
        """The session's temporary directory (None until started, and after `close()`)."""
        return self._state.dir

    def version(self) -> str:
        return self.m2.version()

    one_shot = property(lambda self: self.m2, doc="The `Macaulay2` this session runs (runner.Runner).")

    def _start(self) -> None:
        from .render import (
            render_script,  # run.py stays importable without jinja2 set-up cost
        )

        executable = self.m2._require()
        state = self._state
        server = os.path.join(state.directory(), "server.m2")
        with open(server, "w") as fh:
            fh.write(render_script("server.m2.j2"))
        stderr_file = state.stderr
        if stderr_file is None:
            stderr_file = state.stderr = open(os.path.join(state.directory(), "stderr.txt"), "w+b")
        stderr_file.seek(0, os.SEEK_END)
        self._stderr_start = stderr_file.tell()
        state.process = spawn_launcher([executable, "--script", server], 0, self.m2.memory_limit,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr_file,
                                       start_new_session=True)
        self._buffer = b""
        self.started += 1
        try:
            lines = self._read_until(b"@@m2b ok ready ", time.monotonic() + 120)
        except TimeoutError:
            lines = None
        if lines is None:
            code = state.stop(wait=10)
            stderr = self._stderr_text() or "the session did not start"
            raise failure(self.m2, stderr, "\n".join(self._unanswered), server, code)

    def _stderr_text(self) -> str:
        """What Macaulay2 wrote to stderr since the current script started."""
        stderr = self._stderr_file()
        stderr.flush()
        stderr.seek(self._stderr_start)
        text = stderr.read().decode(errors="replace")
        stderr.seek(0, os.SEEK_END)
        return text

    def _stderr_file(self) -> BinaryIO:
        """The file that receives Macaulay2's stderr; M2CrashError once the session was closed."""
        if self._state.stderr is None:
            raise M2CrashError("the session was closed while Macaulay2 ran")
        return self._state.stderr

    def _running(self) -> subprocess.Popen:
        """The launcher of this session's Macaulay2; M2CrashError once it was stopped (`cancel()`)."""
        if self._state.process is None:
            raise M2CrashError("the session's Macaulay2 is not running")
        return self._state.process

    def _read_until(self, prefix: bytes, deadline: float) -> list[str] | None:
        """Lines up to and including the first starting with `prefix`; None on EOF (what was read is
        then in `self._unanswered`, for the error message); raises TimeoutError at `deadline`."""
        fd = _pipe(self._running().stdout).fileno()
        lines: list[str] = []
        self._unanswered = lines
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
                    lines.append(self._buffer.decode(errors="replace"))
                    return None
                self._buffer += chunk

    def run_script(self, text: str) -> RunOutput:
        script_path = None
        try:
            if self._state.cancelled:
                raise M2CrashError("the session was cancelled")
            if self.process is None or self.process.poll() is not None:
                self._state.stop()
                self._start()
            # Beside one-shot scripts (not in the session's directory): a failed one outlives close().
            script_path = write_script(text, self.m2.script_dir)
            with kept_only_when_named(script_path):
                return self._serve(script_path, text)
        except BaseException:
            if not self._state.cancelled:
                raise
            remove_script(script_path)  # stopped by `cancel()`: nothing to keep
            self._state.release()  # a Macaulay2 started after `cancel()`
            raise M2CrashError("the session was cancelled") from None

    def _serve(self, script_path: str, text: str) -> RunOutput:
        self._stderr_start = self._stderr_file().seek(0, os.SEEK_END)
        start = time.perf_counter()
        try:
            stdin = _pipe(self._running().stdin)
            stdin.write(script_path.encode() + b"\n")
            stdin.flush()
            lines = self._read_served(time.monotonic() + self.timeout)
        except TimeoutError:
            self._state.stop()
            raise M2TimeoutError(self.timeout, script_path) from None
        except BrokenPipeError:
            lines = None
        seconds = time.perf_counter() - start
        if lines is None:  # Macaulay2 died (crash, memory cap): report its message, restart next time
            code = self._state.stop(wait=10)
            raise failure(self.m2, self._stderr_text(), "\n".join(self._unanswered), script_path, code)
        status, body = lines[-1], lines[:-1]
        if status.startswith("@@m2b err served"):
            self.discard(RunOutput("", "", seconds, script_path))
            return self.m2.run_script(text)  # raises M2Error with Macaulay2's own message
        return RunOutput("\n".join(body) + "\n", "", seconds, script_path)

    def _read_served(self, deadline: float) -> list[str] | None:
        lines: list[str] = []
        while True:
            chunk = self._read_until(b"@@m2b ", deadline)
            if chunk is None:
                self._unanswered = lines + self._unanswered
                return None
            lines.extend(chunk)
            if re.match(r"@@m2b (ok|err) served ", chunk[-1]):
                return lines

    def discard(self, output: RunOutput) -> None:
        """Delete the script of a run whose output was understood (as `Macaulay2.discard`)."""
        self.m2.discard(output)

    def close(self) -> None:
        """End Macaulay2 (its whole process group) and remove the session's temporary directory."""
        self._state.release()
        self._buffer = b""

    def cancel(self) -> None:
        """Close the session for good, from any thread: a script running now (on another thread)
        and every later one raise M2CrashError; their scripts are deleted."""
        self._state.cancelled = True
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
