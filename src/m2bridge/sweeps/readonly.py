"""Opening a case database without writing to it: a file (also in a read-only directory), or a
gzip-compressed one (the shipped results/*.sqlite.gz), decompressed into memory (bounded), so that
nothing needs unpacking by hand and nothing is written back."""

from __future__ import annotations

import gzip
import sqlite3
import zlib
from pathlib import Path
from urllib.parse import quote

from ..errors import InputError

_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26


def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


# What a compressed database may unpack to (the shipped results are 70 MB).
COMPRESSED_LIMIT = 2 * 2**30


def open_compressed(path: Path) -> sqlite3.Connection:
    """An in-memory SQLite database holding the decompressed file; InputError naming the file when
    it is not gzip, too large, or not an m2bridge case database."""
    try:
        with gzip.open(path, "rb") as fh:
            data = fh.read(COMPRESSED_LIMIT + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"case database {str(path)!r} is not a readable gzip file ({exc})") from None
    if len(data) > COMPRESSED_LIMIT:
        raise InputError(f"case database {str(path)!r} unpacks to more than {COMPRESSED_LIMIT // 2**20} MiB")
    if data[:16] == b"SQLite format 3\x00" and len(data) >= 20:
        # Bytes 18-19 say WAL (2) in a database saved from WAL mode; an in-memory copy has no WAL.
        data = data[:18] + b"\x01\x01" + data[20:]
    db = sqlite3.connect(":memory:", isolation_level=None)
    try:
        db.deserialize(data)
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        db.close()
        raise InputError(f"case database {str(path)!r} does not unpack to an SQLite database") from None
    if not {"cases", "sweep_members"} <= tables:
        db.close()
        raise InputError(f"case database {str(path)!r} is not an m2bridge case database (no cases table)")
    return db


def open_read_only(path: Path, busy_timeout: float) -> sqlite3.Connection:
    """An existing database file opened read-only (immutable where no -shm can be made)."""

    location = quote(str(path.resolve()))
    db = sqlite3.connect(f"file:{location}?mode=ro", uri=True, timeout=busy_timeout, isolation_level=None)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.OperationalError as exc:
        db.close()
        wal = path.with_name(path.name + "-wal")
        if _code(exc) not in (_CANTOPEN, _READONLY) or (wal.exists() and wal.stat().st_size):
            raise
        # A WAL-mode file in a directory we cannot write: no -shm can be made; with no WAL
        # content to miss, the file can be read as immutable.
        db = sqlite3.connect(f"file:{location}?mode=ro&immutable=1", uri=True, isolation_level=None)
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"cases", "sweep_members"} <= tables:
        db.close()
        raise InputError(f"case database {str(path)!r} is not an m2bridge case database "
                         "(no cases table)")
    return db
