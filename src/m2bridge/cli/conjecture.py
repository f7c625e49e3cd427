"""`m2bridge conjecture`: one statement (or all) on one case."""

from __future__ import annotations

import argparse

from ..conjectures.check import NAMES, all_verdicts, check
from ..conjectures.statements import RANK_CONVENTIONS
from ..conjectures.verdict import CLAIMS
from ..varieties.model import make_variety
from .args import add_option_flags, options_given, print_json, show_progress
from .ideal import (add_db_argument, add_method_arguments, add_variety_arguments, options_from,
                    streaming, streams_output)
from .progress import ProgressDisplay, ticking


def configure(name: str, p: argparse.ArgumentParser) -> None:
    add_variety_arguments(p)
    p.add_argument("--name", default="shallow-two-block", choices=NAMES + ("all",),
                   help="which statement (default shallow-two-block; all: every statement, reading and claim)")
    p.add_argument("--claim", choices=CLAIMS, help="which claim (default: the statement's principal claim)")
    p.add_argument("--rank-convention", choices=RANK_CONVENTIONS,
                   help="shallow-two-block: literal (default) or generic ranks")
    p.add_argument("--variant", choices=("union",), help="shallow-two-block: |R1 ∪ R2|+1 minors in item 3")
    add_method_arguments(p)
    add_db_argument(p)
    add_option_flags(p, ("verbose", "m2_trace", "certificates_first"))
    p.set_defaults(handler=_conjecture_command)


def _conjecture_command(args) -> int:
    variety = make_variety(args.arch, args.pattern, bias=args.bias, data=args.data, blocks=args.blocks)
    options = options_from(args, **streaming(args), **options_given(args, ("certificates_first",)))
    verdicts = _stored(args, variety, options)
    if verdicts is None:
        display = ProgressDisplay(variety.describe(), enabled=show_progress(args) and not streams_output(args))
        with ticking(display, f"checking {args.name}"):
            verdicts = _computed(args, variety, options)
    if args.json:
        out = [v.to_json() for v in verdicts]
        print_json(out[0] if len(out) == 1 and args.name != "all" else out, args)
        return 0
    if len(verdicts) > 1:
        print(_summary(verdicts))
    dead = _dead_neurons(variety)
    for v in verdicts:
        print(f"{v.label} [{v.claim}]: {v.outcome}" + (f" ({v.reason})" if v.reason else ""))
        if not v.applies:
            continue
        if (v.statement == "shallow-two-block" and v.claim == "generation" and v.outcome == "fails"
                and v.variant is None and dead):
            print(f"  hint: neuron(s) {dead} are inactive in both blocks; with n1 in item 3 the (n1+1)-minors "
                  "of [M1|M2] miss what they would cut out. --variant union reads item 3 with |R1 ∪ R2|")
        print(f"  proof: {v.proof}" + (f" ({v.certificate})" if v.certificate else ""))
        for fam in v.families:
            print(f"  {fam.name}: {fam.count}")
        if v.contained is False:
            print(f"  NOT contained in J^A: {len(v.not_contained)} polynomial(s), e.g. {v.not_contained[0]}")
        for extra in v.extra_generators:
            print(f"  missing {extra['count']} generator(s) of degree {extra['degree']}:")
            for p in extra["polynomials"]:
                print(f"    {p}")
        if v.expected_dim is not None:
            print(f"  dim {v.dim}; dim M_a + dim M_b + dim M_c = {v.expected_dim}; ambient {v.ambient_dim}")
    return 0


def _summary(verdicts) -> str:
    """One line before several verdicts: how many hold, fail, hold through a degree, ..."""
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v.outcome] = counts.get(v.outcome, 0) + 1
    return f"{len(verdicts)} verdicts: " + ", ".join(f"{n} {o}" for o, n in sorted(counts.items()))


def _dead_neurons(variety) -> list[int]:
    """1-based hidden neurons of a shallow two-block pattern that are inactive in both blocks."""
    if variety.k != 2 or variety.arch.depth != 2:
        return []
    first, second = (block[0] for block in variety.pattern.blocks)
    return [i + 1 for i, (x, y) in enumerate(zip(first, second)) if not x and not y]


def _computed(args, variety, options) -> list:
    if args.name == "all":
        return all_verdicts(variety, options=options)
    return [check(variety, name=args.name, rank_convention=args.rank_convention, variant=args.variant,
                  claim=args.claim, options=options)]


def _stored(args, variety, options) -> list | None:
    """The verdicts stored by a sweep in --db for this case (up to symmetry), else None."""
    if not args.db:
        return None
    from ..sweeps.lookup import stored_verdicts
    from ..sweeps.store import open_store

    store = open_store(args.db)
    try:
        return stored_verdicts(store, variety, args.name, options, claim=args.claim,
                               rank_convention=args.rank_convention, variant=args.variant)
    finally:
        store.close()
