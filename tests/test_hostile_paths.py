"""Output files in hostile places: planted symlinks, FIFOs, devices, directories. Nothing written through a
name m2bridge did not choose, no device replaced by a regular file, one line for every refusal."""

import os
import stat
import threading
import time

import pytest

from clitools import invoke
from m2bridge._files import write_output
from m2bridge.errors import InputError


def one_line(done, code=2):
    assert done.returncode == code, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr


def test_a_symlink_planted_at_the_old_temporary_name_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / ".rep.md.m2bridge-tmp").symlink_to(victim)
    (tmp_path / ".rep.md.tmp").symlink_to(victim)
    write_output(tmp_path / "rep.md", "report\n", "out")
    assert victim.read_text() == "precious\n"
    assert (tmp_path / "rep.md").read_text() == "report\n"
    assert (tmp_path / ".rep.md.m2bridge-tmp").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".rep.md.m2bridge-tmp", ".rep.md.tmp", "rep.md",
                                                          "victim.txt"]


def test_a_regular_file_is_replaced_whole_keeping_its_permissions(tmp_path):
    target = tmp_path / "rep.md"
    target.write_text("old\n")
    target.chmod(0o640)
    write_output(target, "new\n", "out")
    assert target.read_text() == "new\n" and stat.S_IMODE(target.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.md"
    write_output(fresh, "x", "out")
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~mask  # as open() makes it, not mkstemp's 0600


def test_a_symlinked_output_is_written_through_and_stays_a_link(tmp_path):
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "rep.md"
    real.write_text("old\n")
    link = tmp_path / "rep.md"
    link.symlink_to(real)
    write_output(link, "new\n", "out")
    assert link.is_symlink() and real.read_text() == "new\n"
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["rep.md"]  # no temporary left


def test_a_dangling_symlink_a_directory_and_a_missing_directory_are_refused(tmp_path):
    dangling = tmp_path / "rep.md"
    dangling.symlink_to(tmp_path / "elsewhere.md")
    for path, reason in ((dangling, "does not exist"), (tmp_path, "is a directory"),
                         (tmp_path / "no" / "rep.md", "does not exist")):
        with pytest.raises(InputError, match=reason) as caught:
            write_output(path, "x", "out")
        assert caught.value.parameter == "out" and str(caught.value).startswith("out ")
    assert not (tmp_path / "elsewhere.md").exists()


def test_a_fifo_is_written_through_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="nobody reads"):  # refused at once, not waited on
        write_output(fifo, "x", "out")
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo).read()))
    reader.start()
    deadline = time.monotonic() + 300  # a generous ceiling: the reader's open() must come first
    while True:
        try:
            write_output(fifo, "through the pipe\n", "out")
            break
        except InputError:
            assert time.monotonic() < deadline, "the reader never opened the FIFO"
            time.sleep(0.01)
    reader.join(60)
    assert received == ["through the pipe\n"] and stat.S_ISFIFO(fifo.lstat().st_mode)


def _device(tmp_path, name, minor):
    """A character device node of our own (1, minor) in tmp_path: /dev itself is never touched."""
    path = tmp_path / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    return path


def test_character_devices_are_written_through_never_replaced(tmp_path):
    null = _device(tmp_path, "null", 3)
    write_output(null, "discarded\n", "out")
    assert stat.S_ISCHR(null.lstat().st_mode)
    full = _device(tmp_path, "full", 7)
    with pytest.raises(InputError, match="out .*full.*: cannot write: No space left on device"):
        write_output(full, "x" * 10_000, "out")
    assert stat.S_ISCHR(full.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "null"]


SMALL = """
[sweep]
name = "small"
compute = ["ideal", "dim", "conjectures"]
conjectures = ["shallow-two-block"]
method = "auto"
max_degree = 3
[[sweep.family]]
architectures = ["2,2,2"]
patterns = ["10|11"]
"""


@pytest.mark.m2
def test_the_commands_write_through_the_helper(tmp_path):
    case_file = tmp_path / "small.toml"
    case_file.write_text(SMALL)
    db = str(tmp_path / "c.sqlite")
    assert invoke("sweep", str(case_file), "--db", db, "--json").returncode == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / ".rep.md.m2bridge-tmp").symlink_to(victim)
    assert invoke("report", "--db", db, "--out", str(tmp_path / "rep.md")).returncode == 0
    (tmp_path / ".r.json.m2bridge-tmp").symlink_to(victim)
    assert invoke("export", "small", "--db", db, "--out", str(tmp_path / "r.json")).returncode == 0
    assert victim.read_text() == "precious\n"
    assert "2,2,2" in (tmp_path / "rep.md").read_text() and '"records"' in (tmp_path / "r.json").read_text()
    done = invoke("export", "small", "--db", db, "--out", str(tmp_path))
    one_line(done)
    assert done.stderr.startswith("m2bridge: error: --out ")
    # --results STEM whose STEM.md is a directory: one line, and neither page written
    (tmp_path / "page.md").mkdir()
    done = invoke("report", "--db", db, "--sweep", "small", "--results", str(tmp_path / "page"))
    one_line(done)
    assert "--results" in done.stderr and "is a directory" in done.stderr
    assert not (tmp_path / "page.json").exists()


def test_descriptor_names_are_written_through_the_open_descriptor(tmp_path):
    log = tmp_path / "log.txt"
    log.write_text("old line\n")
    with open(log, "a") as appending:  # as `--out /dev/stdout >> log.txt` hands it over
        for name in (f"/dev/fd/{appending.fileno()}", f"/proc/self/fd/{appending.fileno()}"):
            write_output(name, "report\n", "out")
    assert log.read_text() == "old line\nreport\nreport\n"  # appended, the file never replaced
    closed = os.open(tmp_path, os.O_RDONLY)
    os.close(closed)
    with pytest.raises(InputError, match="cannot write"):
        write_output(f"/dev/fd/{closed}", "x", "out")
