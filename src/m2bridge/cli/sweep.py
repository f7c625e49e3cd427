"""`m2bridge sweep CASEFILE`."""

from __future__ import annotations

import argparse
import sys

from ..sweeps.casefile import SweepSpec
from ..sweeps.executors import EXECUTORS
from ..sweeps.store import open_store
from ..sweeps.sweep import run_sweep
from .args import positive_int, print_json, show_progress, warn
from .progress import SweepBar


def configure(name: str, p: argparse.ArgumentParser) -> None:
    p.add_argument("casefile", help="a case file, e.g. cases/seed.toml")
    p.add_argument("--db", help="case database (default .m2bridge/cases.sqlite; ':memory:' for none)")
    p.add_argument("--workers", type=positive_int, help="parallel workers (default and at most: the CPUs available)")
    p.add_argument("--executor", choices=tuple(EXECUTORS), default="local")
    p.add_argument("--scheduler", help="Dask scheduler address tcp://HOST:PORT (default: a LocalCluster)")
    p.add_argument("--force", action="store_true", help="recompute cached cases")
    p.add_argument("--recheck", type=proof_kinds, default=frozenset(), metavar="PROOFS",
                   help="recompute the cached conjecture checks whose generation verdict rests on one of these "
                        "proofs (comma-separated, e.g. rank-through-degree,prime), e.g. after the certificates "
                        "improved")
    p.add_argument("--json", action="store_true", help="print a summary object")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="a progress bar on stderr (tqdm if installed, else a line; default: only on a terminal, "
                        "never with CI set, --json or -q)")
    p.set_defaults(handler=_sweep_command)


def proof_kinds(text: str) -> frozenset:
    from ..conjectures.verdict import PROOFS

    kinds = frozenset(k.strip() for k in text.split(",") if k.strip())
    unknown = sorted(kinds - set(PROOFS))
    if not kinds or unknown:
        raise argparse.ArgumentTypeError(f"{text!r}: proofs are {', '.join(PROOFS)}")
    return kinds


def _sweep_command(args) -> int:
    spec = SweepSpec.load(args.casefile)
    progress = SweepBar(spec.name, enabled=True) if show_progress(args) else None
    store = open_store(args.db)
    try:
        summary = run_sweep(spec, store, workers=args.workers, executor=args.executor, scheduler=args.scheduler,
                            force=args.force, recheck=args.recheck, on_progress=progress)
    finally:
        store.close()
        if progress is not None:
            progress.close()
    if args.json:
        print_json(summary.to_json(), args)
    else:
        for note in summary.notes:
            warn(f"note: {note}")
        print(f"sweep {summary.sweep}: {summary.cases} cases, {summary.unique_after_symmetry} unique after "
              f"symmetry, {summary.tasks} tasks: {summary.computed} computed, {summary.cached} cached, "
              f"{summary.failed} failed, {summary.timed_out} timed out, {summary.seconds:.1f} s")
    if summary.interrupted:
        print("m2bridge: interrupted; finished cases are saved, run the same command to resume", file=sys.stderr)
        return 130
    return 0
