"""`m2bridge report`, `m2bridge export` and `m2bridge verify`: reading the case database."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import flint

from ..errors import InputError
from ..macaulay2.process import Macaulay2
from ..sweeps.report import (
    _load_export,
    conjecture_report,
    export_records,
    format_conjecture_report,
    format_rows,
    report_rows,
    verify_export,
)
from ..sweeps.store import open_store
from .args import positive_float


def _report_command(args) -> int:
    if args.conjectures and args.sweep is None:
        raise InputError("--conjectures needs --sweep NAME")
    if args.conjectures and args.format in ("csv", "tex"):
        raise InputError("--conjectures prints md or json")
    store = open_store(args.db)
    try:
        if args.conjectures:
            print(format_conjecture_report(conjecture_report(store, args.sweep), args.format))
        else:
            print(format_rows(report_rows(store, args.sweep), args.format))
    finally:
        store.close()
    return 0


def _export_command(args) -> int:
    store = open_store(args.db)
    try:
        document = export_records(store, args.what)
    finally:
        store.close()
    Path(args.out).write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {len(document['records'])} record(s) to {args.out}")
    return 0


def _verify_command(args) -> int:
    document = _load_export(args.file)
    differences = verify_export(document, Macaulay2(timeout=args.timeout))
    checked = sum(1 for r in document["records"] if r["status"] == "ok")
    for line in differences:
        print(f"DIFFERENT {line}")
    print(f"verified {checked} record(s): {len(differences)} difference(s) "
          f"(Macaulay2 {Macaulay2().version()}, python-flint {flint.__version__})")
    return 1 if differences else 0


def configure(name: str, p: argparse.ArgumentParser) -> None:
    if name == "export":
        _configure_export(p)
        return
    if name == "verify":
        _configure_verify(p)
        return
    p.add_argument("--db", help="case database (default .m2bridge/cases.sqlite)")
    p.add_argument("--sweep", help="the sweep's name (default: every case in the database)")
    p.add_argument("--format", choices=("md", "csv", "tex", "json"), default="md")
    p.add_argument("--conjectures", action="store_true",
                   help="verdict counts per architecture and statement, and every counterexample")
    p.set_defaults(handler=_report_command)



def _configure_export(e: argparse.ArgumentParser) -> None:
    e.add_argument("what", metavar="CASE-OR-SWEEP", help="a sweep name, or a case ARCH:PATTERN[:bias]")
    e.add_argument("--out", required=True, help="JSON file to write")
    e.add_argument("--db", help="case database (default .m2bridge/cases.sqlite)")
    e.set_defaults(handler=_export_command)



def _configure_verify(v: argparse.ArgumentParser) -> None:
    v.add_argument("file", help="a file written by `m2bridge export`")
    v.add_argument("--timeout", type=positive_float, default=600.0, help="seconds per case")
    v.set_defaults(handler=_verify_command)
