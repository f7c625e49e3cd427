"""`m2bridge ideal` and `m2bridge dim`."""

from __future__ import annotations

import argparse

from ..ideals.option_table import IDEAL_FLAGS, METHOD_FLAGS
from ..ideals.options import IdealOptions
from ..ideals.result import degree_counts
from ..varieties.jacobian import jacobian_dim
from ..varieties.model import make_variety
from .args import add_option_flags, nonnegative_int, options_given, print_json, show_progress, warn
from .progress import ProgressDisplay, ticking


def add_variety_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--arch", required=True, help="widths n0,n1,...,nL, e.g. 3,3,3")
    parser.add_argument("--pattern", required=True,
                        help="blocks separated by |, hidden layers by /, e.g. 110|011 or 11/10|01/11")
    parser.add_argument("--bias", action="store_true", help="affine layers (homogenised)")
    parser.add_argument("--data", help="data file for I_X^A: .npy (integers) or .json (exact rationals), one point per row")
    parser.add_argument("--blocks", help="points per block, consecutive, e.g. 2,2 (with --data)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def add_method_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of IdealOptions that a user sets on the command line (the option table's)."""
    add_option_flags(parser, METHOD_FLAGS)


def streaming(args) -> dict:
    """The options that stream Macaulay2's output: --verbose, --m2-trace N or -v."""
    return {"verbose": bool(args.verbose or args.m2_trace or args.loudness), "m2_trace": args.m2_trace}


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="a case database (e.g. .m2bridge/cases.sqlite of `m2bridge sweep`): a case stored "
                                     "there, or any case of its symmetry orbit, is answered from it, not recomputed")


def options_from(args, **extra) -> IdealOptions:
    return IdealOptions.merge(None, **options_given(args, METHOD_FLAGS), **extra)


def configure(name: str, parser: argparse.ArgumentParser) -> None:
    add_variety_arguments(parser)
    if name == "dim":
        parser.add_argument("--seed", type=nonnegative_int, default=0, help="random seed of the parameter points")
        parser.set_defaults(handler=_dim_command)
        return
    add_option_flags(parser, IDEAL_FLAGS)
    add_db_argument(parser)
    parser.set_defaults(handler=_ideal_command)


def _ideal_command(args) -> int:
    options = IdealOptions.merge(None, **{**options_given(args, IDEAL_FLAGS), **streaming(args)})
    variety = make_variety(args.arch, args.pattern, bias=args.bias, data=args.data, blocks=args.blocks)
    display = ProgressDisplay(variety.describe(), enabled=show_progress(args) and not streams_output(args))
    database = None
    if args.db and variety.data is None:
        result, database = _through_database(args, variety, options, display)
    else:
        from ..ideals.api import pattern_ideal

        with ticking(display, f"{options.method} running"):
            result = pattern_ideal(variety, options=options)
    if args.json:
        out = result.to_json()
        if database is not None:
            out["case_database"] = database
        print_json(out, args)
        return 0
    if database is not None:
        how = (f"found (stored {result.method}, {_strength(result)})" if database["found"]
               else "not stored: computed and saved" if database["saved"]
               else "not stored: computed (the database is read-only: not saved)")
        print(f"case database {args.db}: {how}")
    print(f"{result.variety.describe()} over {result.field.text}: "
          f"{len(result.generators)} minimal generators, degree × count {degree_counts(result.mingens_degrees)}")
    if result.method == "ker":
        print(f"dim {result.dim} (Jacobian rank {result.jacobian.dim}), degree {result.degree}, "
              f"Hilbert numerator {result.hilbert_numerator}")
        engine = result.m2_version if result.engine == "singular" else f"Macaulay2 {result.m2_version}"
        print(f"{engine} ker in {result.seconds:.2f} s")
    else:
        status = ("complete (Macaulay2 certificate: prime, of the Jacobian dimension)" if result.complete
                  else f"checked through degree {result.checked_through_degree}, not certified complete")
        print(f"dim {result.dim} (Jacobian rank), interpolation in {result.seconds:.2f} s, {status}; "
              f"probability of a wrong piece <= {result.error_bound:.2g}")
        print(f"dim (J^A)_d: {result.graded_dims}; minimal generators per degree: {result.mingens_by_degree}")
    for g in result.generator_strings():
        print(f"  {g}")
    return 0


def _strength(result) -> str:
    return "complete" if result.complete else f"through degree {result.checked_through_degree}"


def _through_database(args, variety, options, display):
    """(J^A, what the database did) with --db: the database opened once, J^A found there (up to
    symmetry, a stored answer at least as strong) or computed and saved. The solvers are imported
    only when something is computed, so that an answer from the database stays light."""
    from ..sweeps.lookup import stored_bound, stored_ideal
    from ..sweeps.store import open_store

    store = open_store(args.db)
    try:
        result = stored_ideal(store, variety, options)
        if result is not None:
            return result, {"path": args.db, "found": True, "saved": False}
        bound = stored_bound(store, variety, options)
        if bound is not None:
            warn(f"note: the case database holds J^A of this orbit through degree {bound} only "
                 f"(--max-degree {bound} reads it); computing J^A as asked")
        from ..workbench.api import computed_into_store

        with ticking(display, f"{options.method} running"):
            result = computed_into_store(store, variety, options)
        return result, {"path": args.db, "found": False, "saved": not store.read_only}
    finally:
        store.close()


def streams_output(args) -> bool:
    """Macaulay2's output goes to the terminal (--verbose, --m2-trace, -v): no progress line over it."""
    return streaming(args)["verbose"]


def _dim_command(args) -> int:

    variety = make_variety(args.arch, args.pattern, bias=args.bias, data=args.data, blocks=args.blocks)
    jac = jacobian_dim(variety, seed=args.seed)
    if args.json:
        print_json({"arch": variety.arch.text, "pattern": variety.pattern.text, "bias": variety.bias,
                    "dim": jac.dim, "method": "jacobian", "prime": jac.prime, "points": jac.points,
                    "seed": jac.seed, "error_bound": jac.error_bound}, args)
    else:
        print(f"{variety.describe()}: dim {jac.dim} (Jacobian rank at {jac.points} random points over "
              f"GF({jac.prime}); probability of an underestimate <= {jac.error_bound:.2g})")
    return 0
