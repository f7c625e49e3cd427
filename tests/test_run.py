"""Faults of the Macaulay2 step: each has its own exception and CLI exit, and nothing is swallowed.

Fake M2 executables appear here only to simulate faults (hang, crash, garbage output)."""

import time
from pathlib import Path

import pytest

from m2bridge import (
    M2Error, M2NotFoundError, M2OutputError, M2TimeoutError, Macaulay2, pattern_ideal,
)

from conftest import run_cli


def test_hung_m2_is_killed_with_its_whole_process_group(fake_m2, tmp_path):
    pid_file = tmp_path / "child.pid"
    # The fake starts a grandchild (as Macaulay2 could) and hangs; both must die at the timeout.
    fake = fake_m2(f"sleep 300 &\necho $! > {pid_file}\nwait\n")
    start = time.perf_counter()
    with pytest.raises(M2TimeoutError) as info:
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=fake, timeout=1.5))
    assert time.perf_counter() - start < 20
    assert info.value.seconds == 1.5
    assert Path(info.value.script_path).is_file()  # kept for the researcher
    grandchild = int(pid_file.read_text())
    time.sleep(0.2)
    assert not _running(grandchild)


def _running(pid: int) -> bool:
    """Alive and not a zombie (a killed orphan may wait for a reaper)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_crashing_m2_reports_its_own_message_and_keeps_the_script(fake_m2):
    fake = fake_m2('echo "stdio:1:1:(3): error: something went wrong in M2" >&2\nexit 1\n')
    with pytest.raises(M2Error) as info:
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=fake))
    assert "error: something went wrong in M2" in info.value.m2_message
    assert info.value.returncode == 1
    kept = Path(info.value.script_path)
    assert kept.is_file() and "ker phi" in kept.read_text()


def test_garbage_output_is_an_output_error_showing_the_line(fake_m2):
    fake = fake_m2('echo "@@m2b ok begin 15 pattern_ideal 1"\necho "@@m2b ok vars zzz garbage"\nexit 0\n')
    with pytest.raises(M2OutputError) as info:
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=fake))
    assert info.value.line == "@@m2b ok vars zzz garbage"
    assert "not a frame" in str(info.value)


def test_output_without_frames_or_end_is_an_output_error(fake_m2):
    with pytest.raises(M2OutputError, match="no framed reply"):
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=fake_m2('echo "hello"\n')))
    truncated = fake_m2('echo "@@m2b ok begin 15 pattern_ideal 1"\necho "@@m2b ok dim 1 6"\n')
    with pytest.raises(M2OutputError, match="no 'end' frame"):
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=truncated))
    short = fake_m2('echo "@@m2b ok begin 15 pattern_ideal 1"\necho "@@m2b ok gen 40 1:0^1"\n')
    with pytest.raises(M2OutputError, match="LENGTH says 40 characters, the payload has 5"):
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=short))


def test_bad_polynomial_payload_names_the_coefficient(fake_m2):
    lines = [
        "@@m2b ok begin 15 pattern_ideal 1",
        "@@m2b ok vars 39 m_(1,1,1),m_(1,1,2),m_(1,2,1),m_(1,2,2)",
        "@@m2b ok ngens 1 1",
        "@@m2b ok gen 7 0.5:0^1",
        "@@m2b ok end 0",
    ]
    fake = fake_m2("".join(f'echo "{line}"\n' for line in lines))
    with pytest.raises(M2OutputError, match="coefficient '0.5' is not an exact number"):
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=fake))


def test_missing_macaulay2_names_the_install_command(tmp_path):
    with pytest.raises(M2NotFoundError, match="apt-get install -y --no-install-recommends macaulay2"):
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=str(tmp_path / "no-such-M2")))


def test_memory_cap_is_enforced_by_the_os():
    with pytest.raises(M2Error, match="address-space cap 0.1 GiB"):
        pattern_ideal("2,2,2", "10", memory_limit=int(0.1 * 2**30))


def test_real_m2_error_carries_macaulay2s_message():
    m2 = Macaulay2()
    with pytest.raises(M2Error) as info:
        m2.run_script("x = 1/0;\n")
    assert "division by zero" in info.value.m2_message


def test_version_is_recorded():
    assert Macaulay2().version() == "1.21"


@pytest.mark.parametrize(
    "body, code, message",
    [
        ("sleep 300\n", 3, "timed out after 1 s"),
        ('echo "error: boom" >&2\nexit 1\n', 1, "error: boom"),
        ('echo "@@m2b ok begin 1 x"\necho "@@m2b what"\n', 1, "unreadable Macaulay2 output"),
    ],
)
def test_cli_faults_are_one_line(fake_m2, body, code, message):
    done = run_cli("ideal", "--arch", "2,2,2", "--pattern", "10", "--timeout", "1",
                   env={"M2BRIDGE_M2": fake_m2(body)})
    assert done.returncode == code
    assert message in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
