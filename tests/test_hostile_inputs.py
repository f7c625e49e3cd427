"""Hostile input files and values: every one is one line naming what is wrong (exit 2), never an internal
error, a MemoryError or a hang; an error never repeats a huge input whole."""

import pytest

from clitools import invoke
from m2bridge._files import CASE_FILE_LIMIT, read_bytes, read_text
from m2bridge.errors import InputError, abbreviate


def one_line(done, code=2):
    assert done.returncode == code, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    return done.stderr


# --- D7: bounded reads ----------------------------------------------------------------------------


def test_reads_stop_at_the_limit(tmp_path):
    exact = tmp_path / "exact"
    exact.write_bytes(b"x" * 100)
    assert read_bytes(exact, 100, "p") == b"x" * 100
    with pytest.raises(InputError, match=r"p '.*exact': larger than 99 bytes, the limit for a file") as caught:
        read_bytes(exact, 99, "p")
    assert caught.value.parameter == "p"
    with pytest.raises(InputError, match="larger than 1 KiB, the limit for a preamble"):
        read_text("/dev/zero", 1024, "preamble", "preamble")  # a file that never ends
    bom = tmp_path / "bom"
    bom.write_bytes(b"\xef\xbb\xbfname")
    assert read_text(bom, 100, None) == "name"
    bom.write_bytes(b"\xff\xfe")
    with pytest.raises(InputError, match="is not UTF-8 text"):
        read_text(bom, 100, None)
    with pytest.raises(InputError, match="does not exist"):
        read_text(tmp_path / "missing", 100, None)
    with pytest.raises(InputError, match="cannot be read"):
        read_text(tmp_path, 100, None)


def test_endless_input_files_are_one_line():
    assert "larger than 16 MiB, the limit for a case file" in one_line(invoke("sweep", "/dev/zero"))
    assert CASE_FILE_LIMIT == 16 * 2**20
    assert "larger than 256 MiB, the limit for an export file" in one_line(invoke("verify", "/dev/zero"))
    done = invoke("report", "--sweep", "s", "--results", "/nonexistent-dir/page", "--preamble", "/dev/zero")
    assert "--preamble '/dev/zero': larger than 1 MiB" in one_line(done)


# --- D10: errors abbreviate long values -----------------------------------------------------------


def test_errors_abbreviate_huge_values():
    pattern = "10|" * 40_000 + "11"
    done = invoke("ideal", "--arch", "2,2,2", "--pattern", pattern)
    message = one_line(done)
    assert len(message) < 500 and "(120005 characters)" in message and "at most" in message
    done = invoke("ideal", "--arch", "2,2,2", "--pattern", "10|11", "--max-degree", "9" * 5000)
    assert len(one_line(done)) < 300 and "(5002 characters)" in done.stderr  # a usage error too
    assert len(str(InputError("words " * 10_000))) <= 1000
    assert abbreviate("short message") == "short message"
