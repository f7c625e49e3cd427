"""`m2bridge conjecture`: one statement (or all) on one case."""

from __future__ import annotations

import argparse

from ..conjectures.check import NAMES, all_verdicts, check
from ..conjectures.statements import RANK_CONVENTIONS
from ..conjectures.verdict import CLAIMS
from ..varieties.model import make_variety
from .args import print_json
from .ideal import add_method_arguments, add_variety_arguments, options_from


def configure(name: str, p: argparse.ArgumentParser) -> None:
    add_variety_arguments(p)
    p.add_argument("--name", default="shallow-two-block", choices=NAMES + ("all",),
                   help="which statement (default shallow-two-block; all: every statement, reading and claim)")
    p.add_argument("--claim", choices=CLAIMS, help="which claim (default: the statement's principal claim)")
    p.add_argument("--rank-convention", choices=RANK_CONVENTIONS,
                   help="shallow-two-block: literal (default) or generic ranks")
    p.add_argument("--variant", choices=("union",), help="shallow-two-block: |R1 ∪ R2|+1 minors in item 3")
    add_method_arguments(p, default_method="auto")
    p.set_defaults(handler=_conjecture_command)


def _conjecture_command(args) -> int:
    variety = make_variety(args.arch, args.pattern, bias=args.bias, data=args.data, blocks=args.blocks)
    options = options_from(args)
    if args.name == "all":
        verdicts = all_verdicts(variety, options=options)
    else:
        verdicts = [check(variety, name=args.name, rank_convention=args.rank_convention, variant=args.variant,
                          claim=args.claim, options=options)]
    if args.json:
        out = [v.to_json() for v in verdicts]
        print_json(out[0] if len(out) == 1 else out)
        return 0
    for v in verdicts:
        print(f"{v.label} [{v.claim}]: {v.outcome}" + (f" ({v.reason})" if v.reason else ""))
        if not v.applies:
            continue
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
