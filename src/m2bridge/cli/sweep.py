"""`m2bridge sweep CASEFILE`."""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import InputError
from ..sweeps.casefile import SweepSpec
from ..sweeps.store import open_store
from ..sweeps.sweep import run_sweep
from .args import positive_int


def _sweep_command(args) -> int:
    spec = SweepSpec.load(args.casefile)
    if args.executor == "local" and args.scheduler:
        raise InputError("--scheduler goes with --executor dask")
    store = open_store(args.db)
    try:
        summary = run_sweep(spec, store, workers=args.workers, executor=args.executor,
                            scheduler=args.scheduler, force=args.force,
                            show_progress=False if args.json else None)
    finally:
        store.close()
    if args.json:
        print(json.dumps(summary.to_json()))
    else:
        for note in summary.notes:
            print(f"note: {note}")
        print(f"sweep {summary.sweep}: {summary.cases} cases, {summary.unique_after_symmetry} unique after "
              f"symmetry, {summary.tasks} tasks: {summary.computed} computed, {summary.cached} cached, "
              f"{summary.failed} failed, {summary.timed_out} timed out, {summary.seconds:.1f} s")
    if summary.interrupted:
        print("m2bridge: interrupted; finished cases are saved, run the same command to resume", file=sys.stderr)
        return 130
    return 0




def configure(name: str, p: argparse.ArgumentParser) -> None:
    p.add_argument("casefile", help="a case file, e.g. cases/seed.toml")
    p.add_argument("--db", help="case database (default .m2bridge/cases.sqlite; ':memory:' for none)")
    p.add_argument("--workers", type=positive_int, help="parallel Macaulay2 workers (default: one per core)")
    p.add_argument("--executor", choices=("local", "dask"), default="local")
    p.add_argument("--scheduler", help="Dask scheduler address tcp://HOST:PORT (default: a LocalCluster)")
    p.add_argument("--force", action="store_true", help="recompute cached cases")
    p.add_argument("--json", action="store_true", help="print a summary object")
    p.set_defaults(handler=_sweep_command)
