"""Long FLINT calls in a forked child, so that the process that waits for them answers a signal.

A call into FLINT holds the interpreter until it returns (several seconds for a large piece), and a
Python signal handler runs only after it. Here the call runs in a forked child while the parent
blocks on a pipe, which a signal interrupts at once; the child is killed on the way out (and dies
with the parent in any case). A child that dies without an answer, e.g. killed by the kernel's
out-of-memory killer, is reported as `ChildDied`.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading

from .._processes import die_with_parent


class ChildDied(MemoryError):
    """The forked child ended without an answer (usually: killed for want of memory)."""


def _child(sender, parent: int, function, args) -> None:
    # The parent handles signals and kills this child: a Ctrl-C sent to the whole group is not ours.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    die_with_parent(signal.SIGKILL, parent)
    try:
        answer = (True, function(*args))
    except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it
        answer = (False, exc)
    sender.send(answer)
    sender.close()


def call_forked(function, *args, what: str = "a computation"):
    """function(*args), in a forked child when this is the main thread of a process that can fork
    (elsewhere no signal handler would run anyway, and the call is made here). A worker of a process
    pool (whose parent handles the signals) calls it itself."""
    if (threading.current_thread() is not threading.main_thread() or multiprocessing.parent_process() is not None
            or "fork" not in multiprocessing.get_all_start_methods()):
        return function(*args)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, os.getpid(), function, args), daemon=True)
    process.start()
    sender.close()
    try:
        try:
            ok, value = receiver.recv()
        except EOFError:
            process.join()
            raise ChildDied(f"{what} was killed (exit status {process.exitcode}; out of memory?)") from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
    if not ok:
        raise value
    return value
