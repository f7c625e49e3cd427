"""Streaming Macaulay2's output through subprocess-tee (`--verbose`, `--m2-trace`, `-v`): the output
reaches the terminal while it is captured, and the guarantees of the launcher hold on this path
too: whatever ends m2bridge ends Macaulay2 and its launcher within 2 s (a fake Macaulay2 that
hangs with a grandchild simulates the long run; the helpers are those of test_signals.py)."""

import os
import signal
import subprocess

import pytest

from conftest import CLI, run_cli
from test_signals import GONE_WITHIN, HANG, alive, check_exit, cmdline, finish, seconds_until_gone, start_cli, started


@pytest.mark.m2
def test_m2_trace_streams_macaulay2_live_and_the_reply_is_still_read():
    done = run_cli("ideal", "--arch", "2,2,2", "--pattern", "10|11", "--m2-trace", "3", "--json")
    assert done.returncode == 0, done.stderr
    assert "-- registering gb" in done.stderr  # Macaulay2's own gbTrace output, on stderr
    assert "m2bridge reply: generator, " in done.stderr and "@@m2b" not in done.stderr  # replies in words
    assert "@@m2b" not in done.stdout  # stdout: the JSON alone
    assert '"mingens_degrees": [2, 2]' in done.stdout


@pytest.mark.m2
def test_the_output_arrives_while_macaulay2_runs(fake_m2, tmp_path):
    # The fake prints a line, then waits for a file the test writes only after it has seen the line.
    go = tmp_path / "go"
    fake = fake_m2(f'echo "thinking hard"\nwhile [ ! -e {go} ]; do sleep 0.05; done\nexit 1\n')
    cli = subprocess.Popen([CLI, "-v", "ideal", "--arch", "2,2,2", "--pattern", "10", "--method", "ker"],
                           env=dict(os.environ, M2BRIDGE_M2=fake), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        seen = ""
        while "thinking hard" not in seen:
            line = cli.stderr.readline()
            assert line, f"m2bridge ended without streaming the line: {seen}"
            seen += line
        go.touch()
        _, rest = cli.communicate(timeout=120)
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
    assert cli.returncode == 1 and "thinking hard" in rest  # the captured output names the failure


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: signal.Signals(s).name)
def test_streamed_macaulay2_ends_with_m2bridge(fake_m2, tmp_path, signum):
    pid_file = tmp_path / "pids"
    fake = fake_m2(HANG.format(pids=pid_file))
    cli = start_cli("ideal", "--arch", "2,2,2", "--pattern", "10", "--method", "ker", "--timeout", "600",
                    "--verbose", env={"M2BRIDGE_M2": fake})
    [(m2, launcher)] = started(pid_file)
    assert alive(launcher) and "_launch.py" in cmdline(launcher)
    os.kill(cli.pid, signum)
    seconds = seconds_until_gone({m2, launcher}, {m2})
    code, stderr = finish(cli, {m2, launcher}, {m2})
    assert seconds <= GONE_WITHIN, f"Macaulay2 and its launcher took {seconds:.2f} s to end after {signum!r}"
    check_exit(signum, code, stderr)
