"""Child processes that end with m2bridge, however m2bridge ends (any layer may use this module).

- `die_with_parent(signum, parent_pid)`: Linux sends `signum` to the calling process when its parent
  dies (prctl PR_SET_PDEATHSIG). For `preexec_fn` and for process-pool initializers:
  `ProcessPoolExecutor(..., initializer=die_with_parent, initargs=(signal.SIGKILL, os.getpid()))`.
- `spawn(args, **popen_kwargs)`: `subprocess.Popen` with die_with_parent in the child, started on
  one long-lived thread (the parent-death signal fires when the *thread* that forked the child
  ends, so a child started from a short-lived worker thread would die with that thread), and
  remembered until `end(process)` so that a signal handler can stop every child at once.
- `end(process)`: stop a spawned child (its end signal, SIGKILL after a grace period) and forget it.
- `install_signal_handlers()`: SIGTERM and SIGHUP raise `Terminated`, SIGINT KeyboardInterrupt,
  each after sending every spawned child its end signal; new children are refused until the
  handlers are restored (`restore()`, or leaving the `with` block).

SIGKILL of m2bridge cannot be handled: the parent-death signal alone covers it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

PR_SET_PDEATHSIG = 1
HANDLED_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
# What signal.signal accepts and returns as a signal's handler.
SignalHandler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


class Terminated(KeyboardInterrupt):
    """m2bridge received SIGTERM or SIGHUP. A KeyboardInterrupt, so that every `finally` and every
    handler of an interrupt also runs for it (a sweep keeps what it finished)."""

    def __init__(self, signum: int):
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.signum = signum


_prctl_function = None


def _prctl():
    """libc's prctl, looked up once in the parent (not in a child between fork and exec)."""
    global _prctl_function
    if _prctl_function is None and sys.platform.startswith("linux"):
        import ctypes

        _prctl_function = ctypes.CDLL(None, use_errno=True).prctl
    return _prctl_function


def die_with_parent(signum: int = signal.SIGKILL, parent_pid: int | None = None) -> None:
    """Ask Linux to send `signum` to this process when its parent dies (no-op elsewhere).

    `parent_pid`, the parent's pid taken before the fork, closes the race of a parent that died
    before the request: then the signal is sent at once.
    """
    prctl = _prctl()
    if prctl is None:
        return
    prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
    if parent_pid is not None and os.getppid() != parent_pid:
        os.kill(os.getpid(), signum)


@dataclass
class _Child:
    process: subprocess.Popen
    end_signal: int
    group: bool  # the child leads its own process group: signal the group

    def send(self, signum: int) -> None:
        try:
            if self.group:
                os.killpg(self.process.pid, signum)
            else:
                os.kill(self.process.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


class _Registry:
    """This process's spawner thread and its living children (rebuilt in a forked child)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.lock = threading.RLock()  # re-entered by a signal handler in the thread holding it
        self.children: dict[int, _Child] = {}
        self.stopping: int | None = None  # the signal that ends m2bridge, once received
        self.thread: threading.Thread | None = None
        self.requests: list = []
        self.wake = threading.Condition(threading.Lock())

    def call(self, function):
        """`function()` on the spawner thread, which lives as long as the process."""
        with self.wake:
            if self.thread is None:
                self.thread = threading.Thread(target=self._serve, name="m2bridge-spawner", daemon=True)
                self.thread.start()
            done, box = threading.Event(), []
            self.requests.append((function, box, done))
            self.wake.notify()
        done.wait()
        ok, value = box[0]
        if ok:
            return value
        raise value

    def _serve(self):
        while True:
            with self.wake:
                while not self.requests:
                    self.wake.wait()
                function, box, done = self.requests.pop(0)
            try:
                box.append((True, function()))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                box.append((False, exc))
            done.set()


_registry = _Registry()


def _after_fork_in_child() -> None:
    global _registry
    _registry = _Registry()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def spawn(args, *, end_signal: int = signal.SIGKILL, death_signal: int | None = signal.SIGKILL, preexec_fn=None,
          **popen_kwargs) -> subprocess.Popen:
    """`subprocess.Popen(args, **popen_kwargs)` of a child that gets `death_signal` when m2bridge dies
    and `end_signal` from `end()` or a signal handler (to its process group if it leads one).
    `death_signal=None`: the child asks for it itself (it is started by vfork then).

    Raises `Terminated` once m2bridge is ending (after SIGTERM/SIGHUP/SIGINT under the handlers).
    """
    registry = _registry
    _prctl()
    parent = os.getpid()

    def child_setup():
        if death_signal is not None:
            die_with_parent(death_signal, parent)
        if preexec_fn is not None:
            preexec_fn()

    # None: the child asks for its parent-death signal itself; with nothing to run before exec,
    # CPython starts it by vfork, which runs no atfork handler (OpenBLAS's can deadlock a fork).
    setup = child_setup if death_signal is not None or preexec_fn is not None else None

    group = bool(popen_kwargs.get("start_new_session")) or popen_kwargs.get("process_group") == 0

    def start():
        with registry.lock:
            if registry.stopping is not None:
                raise Terminated(registry.stopping)
        process = subprocess.Popen(args, preexec_fn=setup, **popen_kwargs)
        child = _Child(process, end_signal, group)
        with registry.lock:
            registry.children[process.pid] = child
            stopping = registry.stopping
        if stopping is not None:  # the signal came while the child was starting
            child.send(end_signal)
        return process

    return registry.call(start)


def end(process: subprocess.Popen, grace: float = 5.0) -> int:
    """Stop `process` if it still runs (its end signal, then SIGKILL after `grace` s), forget it,
    and return its exit status. It stays known to `end_all` until it has exited."""
    with _registry.lock:
        child = _registry.children.get(process.pid) or _Child(process, signal.SIGKILL, False)
    if process.poll() is None:
        child.send(child.end_signal)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            child.send(signal.SIGKILL)
    code = process.wait()
    with _registry.lock:
        _registry.children.pop(process.pid, None)
    return code


def end_all() -> int:
    """Send every spawned child its end signal now (no waiting); how many were signalled."""
    with _registry.lock:
        children = list(_registry.children.values())
    for child in children:
        child.send(child.end_signal)
    return len(children)


def received_signal() -> int | None:
    """The signal that is ending m2bridge (under install_signal_handlers), or None."""
    return _registry.stopping


def raise_if_ending() -> None:
    """Raise `Terminated` once m2bridge is ending, in any thread. Only the main thread receives the
    signal itself; a long computation in a worker thread (a sweep's interpolation) asks this between
    steps, so that the sweep stops at once instead of waiting for the computation to finish."""
    signum = _registry.stopping
    if signum is not None:
        raise Terminated(signum)


def _on_signal(signum, _frame):
    with _registry.lock:
        first = _registry.stopping is None
        if first:
            _registry.stopping = signum
    end_all()
    if not first:  # a second signal while ending: end now (the children have their signals)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(signum)


class install_signal_handlers:  # noqa: N801 - used like a function, and as a context manager
    """SIGTERM/SIGHUP → `Terminated`, SIGINT → KeyboardInterrupt, each after every spawned child got
    its end signal. Only in the main thread (elsewhere nothing is installed). `restore()` (or the end
    of a `with` block) puts the previous handlers back and allows new children again."""

    def __init__(self) -> None:
        self.previous: dict[int, SignalHandler] = {}
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in HANDLED_SIGNALS:
            self.previous[signum] = signal.signal(signum, _on_signal)

    def restore(self) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        self.previous = {}
        with _registry.lock:
            _registry.stopping = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.restore()


class deferred_signals:  # noqa: N801 - used like a function, as a context manager
    """Inside the block, SIGTERM/SIGHUP/SIGINT are noted instead of handled; `deliver()` (call it
    once what the block made can be cleaned up) then acts on the first one as it would have (its
    handler runs: Terminated, KeyboardInterrupt). For steps that must not be cut in half, such as
    the start of a Dask LocalCluster, whose half-started nannies fail at exit with a traceback.
    Main thread only (elsewhere nothing is deferred)."""

    def __init__(self) -> None:
        self.previous: dict[int, SignalHandler] = {}
        self.noted: int | None = None

    def _note(self, signum, _frame):
        if self.noted is None:
            self.noted = signum

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for signum in HANDLED_SIGNALS:
                self.previous[signum] = signal.signal(signum, self._note)
        return self

    def __exit__(self, *exc):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        self.previous = {}

    def deliver(self) -> None:
        """Handle the noted signal now, by its restored handler (nothing if none came)."""
        signum, self.noted = self.noted, None
        if signum is not None:
            signal.raise_signal(signum)
