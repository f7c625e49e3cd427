"""`m2bridge conjecture`: one statement (or all) on one case."""

from __future__ import annotations

import argparse
import json

from ..conjectures.check import NAMES, RANK_CONVENTIONS, all_verdicts, check
from ..ideals.api import make_variety, pattern_ideal
from ..macaulay2.process import Macaulay2
from ..varieties.model import Field
from .args import positive_float, positive_int
from .ideal import add_variety_arguments


def _conjecture_command(args) -> int:
    variety = make_variety(args.arch, args.pattern, bias=args.bias, data=args.data, blocks=args.blocks)
    m2 = Macaulay2(timeout=args.timeout)
    if args.name == "all":
        ideal = pattern_ideal(variety, field=args.field, m2=m2, method="auto", max_degree=args.max_degree,
                              lift=args.max_degree is not None and not Field.parse(args.field).prime)
        verdicts = all_verdicts(variety, NAMES, field=args.field, m2=m2, ideal=ideal)
    else:
        verdicts = [check(variety, conjecture=args.name, rank_convention=args.rank_convention,
                          variant=args.variant, field=args.field, m2=m2, max_degree=args.max_degree)]
    if args.json:
        out = [v.to_json() for v in verdicts]
        print(json.dumps(out[0] if len(out) == 1 else out))
        return 0
    for v in verdicts:
        print(f"{v.label}: {v.outcome}" + (f" ({v.reason})" if v.reason else ""))
        if not v.applies:
            continue
        for fam in v.families:
            print(f"  {fam.name}: {fam.count}")
        if v.contained is False:
            print(f"  NOT contained in J^A: {len(v.not_contained)} polynomial(s), e.g. {v.not_contained[0]}")
        for extra in v.extra_generators:
            print(f"  missing {extra['count']} generator(s) of degree {extra['degree']}:")
            for p in extra["polynomials"]:
                print(f"    {p}")
        if v.expected_dim is not None:
            print(f"  expected dim {v.expected_dim}, dim {v.dim}")
    return 0


def configure(name: str, p: argparse.ArgumentParser) -> None:
    add_variety_arguments(p)
    p.add_argument("--name", default="shallow-two-block", choices=NAMES + ("all",),
                   help="which statement (default shallow-two-block; all: every one, every convention)")
    p.add_argument("--rank-convention", choices=RANK_CONVENTIONS, default="literal")
    p.add_argument("--variant", choices=("union",), help="shallow-two-block: |R1 ∪ R2|+1 minors in item 3")
    p.add_argument("--field", default="QQ")
    p.add_argument("--max-degree", type=positive_int,
                   help="race Macaulay2's ker against interpolation through degree D; if ker does not finish "
                        "within --timeout, verdicts hold through degree D only")
    p.add_argument("--timeout", type=positive_float, default=600.0, help="seconds for Macaulay2's ker")
    p.set_defaults(handler=_conjecture_command)
