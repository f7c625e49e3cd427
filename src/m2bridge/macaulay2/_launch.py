"""Runs one command under a time limit and an address-space cap, killing its whole process group.

Started by process.py as `python -I _launch.py TIMEOUT MEMORY_BYTES -- COMMAND…` (a plain script,
so it does not import m2bridge), for one-shot runs and for sessions alike. The command becomes the
leader of a new session, so that one killpg reaches everything it started and nothing of ours.

- The cap is min(MEMORY_BYTES, the inherited hard limit) (none when MEMORY_BYTES <= 0); TIMEOUT <= 0
  means no time limit.
- The command gets SIGKILL if this launcher dies (prctl PR_SET_PDEATHSIG). The launcher is given
  m2bridge's pid in PARENT_VARIABLE and asks for SIGTERM as its own parent-death signal, first thing
  (m2bridge runs no code between fork and exec, so that the launcher is started by vfork).
- SIGTERM, SIGINT or SIGHUP: kill the command's group, reap the command, exit 128 + signal.

Exit status: the command's; 124 after a timeout (TIMEOUT_MARKER line on stderr); 128 + N when the
command died from signal N (a `SIGNAL_MARKER N` line on stderr).
"""

import os
import resource
import signal
import subprocess
import sys

TIMEOUT_MARKER = "@@m2bridge-timeout"
SIGNAL_MARKER = "@@m2bridge-signal"
HANDLED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
PR_SET_PDEATHSIG = 1
PARENT_VARIABLE = "M2BRIDGE_LAUNCHER_PARENT"


def memory_cap(requested: int) -> int:
    """The address-space cap a child gets: at most the hard limit this process inherited."""
    if requested <= 0:
        return 0
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    return requested if hard == resource.RLIM_INFINITY else min(requested, hard)


class Stop(BaseException):
    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def main() -> int:
    timeout, memory = float(sys.argv[1]), memory_cap(int(sys.argv[2]))
    command = sys.argv[sys.argv.index("--") + 1 :]
    me = os.getpid()
    prctl = None
    if sys.platform.startswith("linux"):
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.environ.pop(PARENT_VARIABLE, "")
    if parent and prctl is not None:  # end with m2bridge (SIGTERM: the handler below kills the group)
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != int(parent):  # m2bridge died before the request took effect
            return 128 + signal.SIGTERM

    def child_setup():
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED)
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != me:  # this launcher died before the request took effect
                os.kill(os.getpid(), signal.SIGKILL)
        if memory > 0:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    child = None

    def kill_group():
        if child is not None:
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def on_signal(signum, _frame):
        kill_group()
        raise Stop(signum)

    for sig in HANDLED:
        signal.signal(sig, on_signal)
    # Signals wait until `child` is known, so that the handler always reaches it.
    signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)
    try:
        child = subprocess.Popen(command, preexec_fn=child_setup, start_new_session=True)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"cannot run {command[0]!r}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr, flush=True)
        return 127
    finally:
        # Our copies of stdin and stdout would hold pipes open after the command died.
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED)
    try:
        returncode = child.wait(timeout=timeout if timeout > 0 else None)
    except subprocess.TimeoutExpired:
        kill_group()
        child.wait()
        print(f"{TIMEOUT_MARKER} {timeout:g}", file=sys.stderr, flush=True)
        return 124
    except Stop as stop:
        kill_group()
        child.wait()
        return 128 + stop.signum
    kill_group()  # anything the command left behind in its group
    if returncode < 0:
        print(f"{SIGNAL_MARKER} {-returncode}", file=sys.stderr, flush=True)
        return 128 - returncode
    return returncode


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Stop as stop:  # a signal between two steps above: the group is already killed
        sys.exit(128 + stop.signum)
