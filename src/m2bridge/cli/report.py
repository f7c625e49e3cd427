"""`m2bridge report`, `m2bridge export` and `m2bridge verify`: reading the case database."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import flint

from .._files import PREAMBLE_LIMIT, read_text, write_output
from ..errors import InputError
from ..macaulay2.process import Macaulay2
from ..reports.export import export_records, load_export, verify_export
from ..reports.report import FORMATS, conjecture_report, format_conjecture_report, format_rows, pending_tasks, report_rows
from ..sweeps.store import open_store
from .args import positive_float, warn

DB_HELP = "case database (default .m2bridge/cases.sqlite)"
DEFAULT_TITLE = "Conjecture 6.1"
RESULTS_FLAGS = ("statement", "claim", "title", "preamble")  # they shape the --results page alone


def configure(name: str, p: argparse.ArgumentParser) -> None:
    if name == "export":
        p.add_argument("what", metavar="CASE-OR-SWEEP", help="a sweep name, or a case ARCH:PATTERN[:bias]")
        p.add_argument("--out", required=True, help="JSON file to write")
        p.add_argument("--db", help=DB_HELP)
        p.set_defaults(handler=_export_command)
    elif name == "verify":
        p.add_argument("file", help="a file written by `m2bridge export`")
        p.add_argument("--timeout", type=positive_float, default=600.0, help="seconds per case")
        p.set_defaults(handler=_verify_command)
    else:
        p.add_argument("--db", help=DB_HELP)
        p.add_argument("--sweep", help="the sweep's name (default: every case in the database)")
        p.add_argument("--format", choices=FORMATS, default="md",
                       help="md (default), csv (numbers and lists as values), tex (booktabs, ASCII) or json")
        p.add_argument("--conjectures", action="store_true",
                       help="verdict counts per statement reading and every failed claim (a summary)")
        p.add_argument("--details", action="store_true",
                       help="with --conjectures: also the counts per architecture and every polynomial")
        p.add_argument("--out", help="write the report to this file instead of standard output")
        p.add_argument("--results", metavar="STEM",
                       help="with --sweep: write STEM.md and STEM.json, the results page of a conjecture sweep "
                            "(one verdict per orbit and reading; outcomes per reading and architecture; failures)")
        p.add_argument("--statement", help="the statement of the --results page (default: the sweep's only one)")
        p.add_argument("--claim", choices=("containment", "generation"),
                       help="the claim of the --results page (default: generation when the statement makes it)")
        p.add_argument("--title", help=f"the title of the --results page (default {DEFAULT_TITLE!r})")
        p.add_argument("--preamble", metavar="FILE", help="Markdown put under the title of the --results page")
        p.set_defaults(handler=_report_command)


def _open(args):
    return open_store(args.db, read_only=True)


def _results_command(args) -> int:
    from ..reports.conjecture_results import write_results

    if args.sweep is None:
        raise InputError("--results needs --sweep NAME")
    preamble = ""
    if args.preamble:
        preamble = read_text(args.preamble, PREAMBLE_LIMIT, "preamble", "preamble")
    target = Path(args.results)
    if not target.parent.is_dir():
        raise InputError(f"--results {args.results!r}: the directory {str(target.parent)!r} does not exist")
    store = _open(args)
    try:
        results = write_results(store, args.sweep, target, args.title or DEFAULT_TITLE, preamble, statement=args.statement,
                                claim=args.claim)
    finally:
        store.close()
    print(f"wrote {target}.md and {target}.json ({len(results['verdicts'])} verdicts)")
    return 0


def _report_command(args) -> int:
    if args.results:
        return _results_command(args)
    for name in RESULTS_FLAGS:
        if getattr(args, name) is not None:
            raise InputError(f"--{name} goes with --results STEM (it shapes the results page); without it, drop it")
    if args.conjectures and args.sweep is None:
        raise InputError("--conjectures needs --sweep NAME")
    if args.details and not args.conjectures:
        raise InputError("--details goes with --conjectures")
    store = _open(args)
    try:
        if args.conjectures:
            # The Markdown summary shows no polynomial: it need not rename any (the slow part).
            polynomials = args.details or args.format != "md"
            text = format_conjecture_report(conjecture_report(store, args.sweep, polynomials), args.format,
                                            details=args.details)
        else:
            text = format_rows(report_rows(store, args.sweep), args.format)
        pending = pending_tasks(store, args.sweep) if args.sweep else 0
    finally:
        store.close()
    if pending:
        warn(f"note: {pending} task(s) of sweep {args.sweep!r} not computed yet")
    if args.out:
        write_output(args.out, text + "\n", "out")
    else:
        print(text)
    return 0


def _export_command(args) -> int:
    store = _open(args)
    try:
        document = export_records(store, args.what)
    finally:
        store.close()
    write_output(args.out, json.dumps(document, indent=1) + "\n", "out")
    print(f"wrote {len(document['records'])} record(s) to {args.out}")
    return 0


def _verify_command(args) -> int:
    document = load_export(args.file)
    differences, checked = verify_export(document, timeout=args.timeout)
    if not checked:
        raise InputError(f"export file {args.file!r} holds no record with status ok: nothing was verified")
    for difference in differences:  # one line per differing field, long values shortened
        print(f"DIFFERENT {difference}")
    records = len({d.label for d in differences})
    where = f" in {records} record(s)" if differences else ""
    print(f"verified {checked} record(s): {len(differences)} difference(s){where} "
          f"(Macaulay2 {Macaulay2().version()}, python-flint {flint.__version__})")
    return 1 if differences else 0
