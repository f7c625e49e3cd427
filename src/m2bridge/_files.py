"""Reading and writing the user's files safely: bounded reads, and writes that cannot be redirected.

Writing (`write_output`) — what happens depends on what the name is now:

- nothing, or a regular file: the text goes to a temporary made by `tempfile.mkstemp` in the same
  directory (a random name created with O_EXCL: a symlink planted there is never followed) and is
  renamed over the name. A reader sees the old file or the new one, never half of one, and an
  error leaves the old file as it was. A replaced file keeps its permission bits.
- a symlink: followed. When it leads to a regular file, that file is replaced as above in its own
  directory, so the link stays a link; when it leads to nothing, it is refused (writing would
  create a file wherever the link points, which nobody asked for by name).
- `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`: written to that open descriptor, as
  the shell opened it (`>> log` still appends; the file behind it is never replaced).
- a character device or a FIFO (`/dev/null`, a named pipe a reader waits on): written
  through in place, never replaced by a regular file. A FIFO nobody reads is refused at once
  rather than waited on.
- a directory, a block device or a socket: refused.

Every refusal and every OSError is one InputError naming the parameter (the flag) and the file.

Reading (`read_bytes` / `read_text`) stops after a limit: a file larger than its limit, or one that
never ends (`/dev/zero`), is one InputError naming the file, the parameter and the limit, instead
of a MemoryError after the machine has filled its memory.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
import tempfile

from .errors import InputError

# Size limits of the files m2bridge reads whole. Each is far above what a real file of its kind
# holds, and far below what would exhaust a workstation's memory once parsed (JSON and TOML take
# roughly ten times their text in Python objects).
CASE_FILE_LIMIT = 16 * 2**20  # a case file of 100,000 explicit patterns is a few MB
EXPORT_LIMIT = 256 * 2**20  # exports hold every record's result: ideals can be long
PREAMBLE_LIMIT = 2**20  # Markdown put under a results page's title
DATA_LIMIT = 256 * 2**20  # points of --data (.json or .npy), read whole and made exact
NETWORK_LIMIT = 2**30  # a network's weights (.npz/.pt); its data (.npy) is memory-mapped instead


def _size(limit: int) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if limit >= size and limit % size == 0:
            return f"{limit // size} {unit}"
    return f"{limit} bytes"


def too_large(path, limit: int, parameter: str | None, what: str = "file") -> InputError:
    """The one error of a file over its limit (the parameter first: the command line shows its flag)."""
    article = "an" if what[:1] in "aeiou" else "a"
    return InputError(f"{parameter or what} {str(path)!r}: larger than {_size(limit)}, the limit for {article} {what}",
                      parameter)


def check_size(path, limit: int, parameter: str | None, what: str = "file") -> None:
    """Refuse a regular file over `limit` bytes (for readers that do not read through `read_bytes`)."""
    try:
        size = os.stat(path).st_size
    except OSError:
        return  # the reader reports a missing or unreadable file in its own words
    if size > limit:
        raise too_large(path, limit, parameter, what)


def read_bytes(path, limit: int, parameter: str | None, what: str = "file") -> bytes:
    """The whole file, or an InputError when it is missing, unreadable, a directory or over `limit`."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)  # one byte more tells "exactly the limit" from "over it"
    except OSError as exc:
        reason = "does not exist" if isinstance(exc, FileNotFoundError) else f"cannot be read: {exc.strerror or exc}"
        raise InputError(f"{parameter or what} {str(path)!r} {reason}", parameter) from None
    if len(data) > limit:
        raise too_large(path, limit, parameter, what)
    return data


def read_text(path, limit: int, parameter: str | None, what: str = "file") -> str:
    """The file as UTF-8 text (a leading byte-order mark dropped), bounded as `read_bytes`."""
    data = read_bytes(path, limit, parameter, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{parameter or what} {str(path)!r} is not UTF-8 text (byte {exc.start})", parameter) from None


def write_output(path, text: str, parameter: str) -> None:
    """Write `text` to the file `path` as the module's docstring says, or one InputError whose message
    starts with `parameter` (`out`: the command line shows `--out`)."""
    path = os.fspath(path)

    def fail(reason: str) -> InputError:
        return InputError(f"{parameter} {path!r}: {reason}", parameter)

    data = text.encode()
    descriptor = _DESCRIPTOR.fullmatch(path)
    if descriptor:  # an open descriptor (`--out /dev/stdout >> log`): written as the shell opened it
        _write_descriptor(_STANDARD.get(path) or int(descriptor[1] or descriptor[2]), data, fail)
        return
    try:
        st = os.stat(path)  # follows a symlink
    except FileNotFoundError:
        if os.path.islink(path):
            raise fail(f"is a symlink to {os.readlink(path)!r}, which does not exist") from None
        st = None
    except OSError as exc:
        raise fail(f"cannot write: {exc.strerror or exc}") from None
    if st is None or stat.S_ISREG(st.st_mode):
        target = os.path.realpath(path) if st is not None else path
        _replace(target, data, None if st is None else stat.S_IMODE(st.st_mode), fail)
    elif stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        _write_through(path, data, fail)
    elif stat.S_ISDIR(st.st_mode):
        raise fail("is a directory")
    else:
        raise fail(f"is a {'block device' if stat.S_ISBLK(st.st_mode) else 'socket'}; write to a regular file")


# Names of this process's open descriptors: written through the descriptor itself, never reopened (a
# reopened `>>` file would lose its append mode, and its real path would be replaced).
_DESCRIPTOR = re.compile(r"/dev/std(?:out|err)|/dev/fd/([0-9]+)|/proc/self/fd/([0-9]+)")
_STANDARD = {"/dev/stdout": 1, "/dev/stderr": 2}


def _write_descriptor(fd: int, data: bytes, fail) -> None:
    try:
        if sys.stdout is not None:
            sys.stdout.flush()  # what was printed before comes first
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except (OSError, ValueError) as exc:
        raise fail(f"cannot write: {getattr(exc, 'strerror', None) or exc}") from None


def _replace(target: str, data: bytes, mode: int | None, fail) -> None:
    """Atomic replace of a regular file (or creation of a new one) through a random temporary."""
    directory = os.path.dirname(target) or "."
    if not os.path.isdir(directory):
        raise fail(f"the directory {directory!r} does not exist")
    try:
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    except OSError as exc:
        raise fail(f"cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            os.fchmod(fh.fileno(), _new_file_mode() if mode is None else mode)
        os.replace(temporary, target)  # rename(2) replaces the name itself, never what a link points to
    except OSError as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise fail(f"cannot write: {exc.strerror or exc}") from None


def _write_through(path: str, data: bytes, fail) -> None:
    """Write into a character device or a FIFO in place. O_NONBLOCK makes opening a FIFO without a
    reader fail (ENXIO) instead of waiting forever; the writes themselves then block as usual."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise fail("is a FIFO that nobody reads") from None
        raise fail(f"cannot write: {exc.strerror or exc}") from None
    try:
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        raise fail(f"cannot write: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _new_file_mode() -> int:
    """The permission bits `open()` would give a new file (0666 under the umask), not mkstemp's 0600."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask
