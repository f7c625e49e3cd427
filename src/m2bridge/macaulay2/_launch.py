"""Runs one command under a time limit and an address-space cap, killing its whole process group.

Started by run.py as `python -I _launch.py TIMEOUT MEMORY_BYTES -- COMMAND…` (a plain script, so it
does not import m2bridge). It exists because subprocess-tee, which streams Macaulay2's output
live, has neither a timeout nor a way to set limits in the child; this wrapper supplies both.
Exit status: the command's, or 124 after a timeout (with a marker line on stderr).
"""

import os
import resource
import signal
import subprocess
import sys

TIMEOUT_MARKER = "@@m2bridge-timeout"


def main() -> int:
    timeout, memory = float(sys.argv[1]), int(sys.argv[2])
    command = sys.argv[sys.argv.index("--") + 1 :]

    def limit_memory():
        if memory > 0:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    # A new session makes the command the leader of its own process group, so killpg reaches
    # everything it started and nothing of ours.
    child = subprocess.Popen(command, preexec_fn=limit_memory, start_new_session=True)

    def kill_group(*_):
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def on_signal(signum, _frame):
        kill_group()
        sys.exit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        returncode = child.wait(timeout=timeout if timeout > 0 else None)
    except subprocess.TimeoutExpired:
        kill_group()
        child.wait()
        print(f"{TIMEOUT_MARKER} {timeout:g}", file=sys.stderr, flush=True)
        return 124
    kill_group()  # anything the command left behind in its group
    return returncode if returncode >= 0 else 128 - returncode


if __name__ == "__main__":
    sys.exit(main())
