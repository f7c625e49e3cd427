"""Carry the case databases behind docs/results from one machine to the next.

`make results` sweeps into build/results/NAME.sqlite, which a fresh clone does not have; the
largest sweep takes longer than one sitting. `save` writes a consistent, compressed copy of each
database to results/NAME.sqlite.gz (committed with the pages); `restore` puts a copy back where
build/results has none, so the next `make results`, on any machine, resumes where the last one
stopped instead of starting over. A restored database is read like any other (every record is
validated when it is read); it is never executed.

    .venv/bin/python scripts/results-db.py save|restore [NAME ...]
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "results"
KEPT = ROOT / "results"
NAMES = ("conjecture-6.1", "conjecture-6.1-width-6", "deep-two-block", "three-block")


def save(name: str, build: Path = BUILD, kept: Path = KEPT) -> str:
    source = build / f"{name}.sqlite"
    if not source.is_file():
        return f"{name}: no {source} to save"
    kept.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "copy.sqlite"
        # The backup API gives one consistent state, the write-ahead log included.
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as live, sqlite3.connect(copy) as out:
            live.backup(out)
            out.execute("VACUUM")
        target = kept / f"{name}.sqlite.gz"
        with open(copy, "rb") as raw, open(target, "wb") as fh:
            with gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as packed:  # no timestamp: same bytes, same file
                shutil.copyfileobj(raw, packed)
    return f"{name}: saved {target} ({target.stat().st_size / 2**20:.1f} MiB)"


def restore(name: str, build: Path = BUILD, kept: Path = KEPT) -> str:
    source, target = kept / f"{name}.sqlite.gz", build / f"{name}.sqlite"
    if target.exists():
        return f"{name}: {target} exists, kept"
    if not source.is_file():
        return f"{name}: nothing saved, the sweep starts from scratch"
    build.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".sqlite.partial")
    try:
        with gzip.open(source, "rb") as packed, open(partial, "wb") as fh:
            shutil.copyfileobj(packed, fh)
    except (OSError, EOFError) as exc:
        partial.unlink(missing_ok=True)
        raise SystemExit(f"results-db: {source} is not a readable gzip file ({exc})") from None
    partial.replace(target)
    return f"{name}: restored {target} from {source}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "restore"))
    parser.add_argument("names", nargs="*", default=list(NAMES), help=f"databases (default: {', '.join(NAMES)})")
    parser.add_argument("--build", type=Path, default=BUILD, help="where the sweeps write (default: build/results)")
    parser.add_argument("--kept", type=Path, default=KEPT, help="where the copies are kept (default: results)")
    args = parser.parse_args()
    unknown = sorted(set(args.names) - set(NAMES))
    if unknown:
        sys.exit(f"results-db: unknown database {unknown[0]!r} (known: {', '.join(NAMES)})")
    for name in args.names:
        print(save(name, args.build, args.kept) if args.action == "save" else restore(name, args.build, args.kept))


if __name__ == "__main__":
    main()
