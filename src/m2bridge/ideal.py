"""The ideal J^A (or I_X^A) of a pattern variety, computed by Macaulay2's `ker`.

`Implicitization` follows CVXPY's solver interface: `apply` compiles the problem into a script,
`solve_via_data` runs Macaulay2 on it, `invert` maps the framed reply back to flint polynomials.
`pattern_ideal` strings the three together and cross-checks the dimension with the Jacobian.

>>> result = pattern_ideal("2,2,2", "10|11")
>>> result.dim, result.degree, result.mingens_degrees
(6, 4, [2, 2])
>>> print(result.generators[1])
m_(1,1,2)*m_(1,2,1) - m_(1,1,1)*m_(1,2,2)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field

import flint

from .errors import ConsistencyError, M2OutputError
from .jacobian import JacobianDim, jacobian_dim
from .model import (
    ActivationPattern, Architecture, Dataset, Field, InputError, PatternVariety, parse_block_sizes,
)
from .parse import parse_polynomial, polynomial_context, read_reply
from .render import render_script
from .run import DEFAULT_MEMORY_LIMIT, DEFAULT_TIMEOUT, Macaulay2, RunOutput


@dataclass
class IdealResult:
    """Minimal generators and invariants of J^A (I_X^A with data) over `field`."""

    variety: PatternVariety
    field: Field
    generators: list
    dim: int
    degree: int
    mingens_degrees: list[int]
    hilbert_numerator: str
    jacobian: JacobianDim | None
    method: str = "m2-ker"
    complete: bool = True
    seconds: float = 0.0
    m2_version: str = ""
    seed: int = 0
    script: str = field(default="", repr=False)

    @property
    def variable_names(self) -> list[str]:
        return self.variety.variable_names

    def generator_strings(self) -> list[str]:
        """Generators in Macaulay2 syntax over the m_(b,i,j) names."""
        return [str(g) for g in self.generators]

    def to_m2(self) -> str:
        """Paste-able Macaulay2 source defining the ring and the ideal."""
        ring = f"R = {self.field.text}[{', '.join(self.variable_names)}];"
        gens = ",\n    ".join(self.generator_strings()) or "0_R"
        return f"{ring}\nJ = ideal(\n    {gens});\n"

    def to_json(self) -> dict:
        v = self.variety
        return {
            "arch": v.arch.text,
            "pattern": v.pattern.text,
            "bias": v.bias,
            "blocks": None if v.data is None else list(v.data.block_sizes),
            "field": self.field.text,
            "method": self.method,
            "dim": self.dim,
            "degree": self.degree,
            "mingens_degrees": self.mingens_degrees,
            "generators": self.generator_strings(),
            "hilbert_numerator": self.hilbert_numerator,
            "complete": self.complete,
            "jacobian_dim": None if self.jacobian is None else self.jacobian.dim,
            "jacobian_error_bound": None if self.jacobian is None else self.jacobian.error_bound,
            "seconds": round(self.seconds, 4),
            "m2_version": self.m2_version,
            "seed": self.seed,
        }

    def _repr_latex_(self) -> str:
        def tex(poly: str) -> str:
            poly = re.sub(r"m_\(([0-9]+),([0-9]+),([0-9]+)\)", r"m_{\1\2\3}", poly)
            poly = re.sub(r"\^([0-9]+)", r"^{\1}", poly)
            return poly.replace("*", " ")
        rows = r" \\ ".join(tex(g) for g in self.generator_strings())
        return (
            rf"$J^A = \langle \begin{{array}}{{l}} {rows} \end{{array}} \rangle,"
            rf"\ \dim = {self.dim},\ \deg = {self.degree}$"
        )


class Implicitization:
    """Macaulay2's `ker` of the ring map m ↦ M_b(θ) as a solver (CVXPY-style)."""

    name = "m2-ker"
    template = "pattern_ideal.m2.j2"

    def __init__(self, m2: Macaulay2 | None = None):
        self.m2 = m2 or Macaulay2()

    def is_installed(self) -> bool:
        return self.m2.is_installed()

    def apply(self, variety: PatternVariety, field_: Field, seed: int = 0) -> str:
        """The script that computes the ideal of `variety` over `field_`."""
        data = None
        if variety.data is not None:
            data = [[list(p) for p in variety.homogenised_block_points(b)] for b in range(variety.k)]
        return render_script(
            self.template,
            seed=int(seed),
            field=field_,
            widths=list(variety.arch.widths),
            blocks=[[list(layer) for layer in block] for block in variety.pattern.blocks],
            bias=bool(variety.bias),
            parameters=variety.parameters,
            coordinates=variety.coordinates,
            data=data,
        )

    def solve_via_data(self, script: str) -> RunOutput:
        return self.m2.run_script(script)

    def invert(self, output: RunOutput, variety: PatternVariety, field_: Field) -> dict:
        """Parse the framed reply into generators (flint) and invariants."""
        reply = read_reply(output.stdout, output.script_path)
        expected = ",".join(variety.variable_names)
        if reply.one("vars") != expected:
            raise M2OutputError("the ring's variables are not the expected m_(b,i,j)", reply.one("vars"), output.script_path)
        ctx = polynomial_context(variety.variable_names, field_)
        payloads = reply.all("gen")
        if len(payloads) != reply.integer("ngens"):
            raise M2OutputError(f"{reply.integer('ngens')} generators announced, {len(payloads)} sent", None, output.script_path)
        gens = [parse_polynomial(p, ctx, output.script_path) for p in payloads]
        gens.sort(key=lambda g: int(g.total_degree()))  # stable: Macaulay2's order within a degree
        return {
            "generators": gens,
            "mingens_degrees": [int(g.total_degree()) for g in gens],
            "dim": reply.integer("dim"),
            "degree": reply.integer("degree"),
            "hilbert_numerator": reply.one("hilbert"),
            "m2_version": reply.one("version"),
        }


def make_variety(arch, pattern, *, bias: bool = False, data=None, blocks=None) -> PatternVariety:
    """A PatternVariety from text or objects; `data` may be a path, a Dataset or a list of rows."""
    if data is not None and not isinstance(data, Dataset):
        sizes = parse_block_sizes(blocks) if isinstance(blocks, str) else blocks
        if isinstance(data, (list, tuple)):
            data = Dataset.from_rows(data, sizes)
        else:
            data = Dataset.load(data, sizes)
        if blocks is None and ActivationPattern.parse(pattern).k != 1:
            raise InputError("--blocks is required when the pattern has more than one block")
    elif blocks is not None and data is None:
        raise InputError("--blocks needs --data")
    return PatternVariety(Architecture.parse(arch), ActivationPattern.parse(pattern), bias, data)


def pattern_ideal(arch, pattern=None, field: str = "QQ", data=None, *, blocks=None, bias: bool = False,
                  timeout: float = DEFAULT_TIMEOUT, memory_limit: int = DEFAULT_MEMORY_LIMIT,
                  seed: int = 0, verbose: bool = False, check_dim: bool = True,
                  m2: Macaulay2 | None = None) -> IdealResult:
    """J^A of `pattern` for `arch` (I_X^A when `data` is given), through Macaulay2.

    `arch` may be a PatternVariety. Raises InputError for bad input, M2TimeoutError, M2Error,
    M2OutputError for Macaulay2's failures and ConsistencyError when Macaulay2's dim and the
    Jacobian rank disagree.
    """
    variety = arch if isinstance(arch, PatternVariety) else make_variety(arch, pattern, bias=bias, data=data, blocks=blocks)
    field_ = Field.parse(field)
    solver = Implicitization(m2 or Macaulay2(timeout=timeout, memory_limit=memory_limit, verbose=verbose))
    script = solver.apply(variety, field_, seed)
    output = solver.solve_via_data(script)
    parsed = solver.invert(output, variety, field_)
    jac = jacobian_dim(variety, seed=seed) if check_dim else None
    if jac is not None and jac.dim != parsed["dim"]:
        raise ConsistencyError(
            f"{variety.describe()}: Macaulay2's dim is {parsed['dim']}, the Jacobian rank over "
            f"GF({jac.prime}) is {jac.dim} (script kept at {output.script_path})"
        )
    solver.m2.discard(output)
    return IdealResult(variety=variety, field=field_, jacobian=jac, seconds=output.seconds, seed=seed,
                       script=script, method=solver.name, **parsed)


# --- command line -------------------------------------------------------------------------------

def add_variety_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--arch", required=True, help="widths n0,n1,...,nL, e.g. 3,3,3")
    parser.add_argument("--pattern", required=True,
                        help="blocks separated by |, hidden layers by /, e.g. 110|011 or 11/10|01/11")
    parser.add_argument("--bias", action="store_true", help="affine layers (homogenised, MATH.md §1)")
    parser.add_argument("--data", help="data file for I_X^A: .npy (integers) or .json (exact rationals), one point per row")
    parser.add_argument("--blocks", help="points per block, consecutive, e.g. 2,2 (with --data)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return value


def _ideal_command(args) -> int:
    result = pattern_ideal(
        args.arch, args.pattern, field=args.field, data=args.data, blocks=args.blocks, bias=args.bias,
        timeout=args.timeout, memory_limit=int(args.memory_limit * 2**30), seed=args.seed,
        verbose=args.verbose,
    )
    if args.json:
        print(json.dumps(result.to_json()))
        return 0
    print(f"{result.variety.describe()} over {result.field.text}: "
          f"{len(result.generators)} minimal generators, degrees {result.mingens_degrees}")
    print(f"dim {result.dim} (Jacobian rank {result.jacobian.dim}), degree {result.degree}, "
          f"Hilbert numerator {result.hilbert_numerator}")
    print(f"Macaulay2 {result.m2_version} ker in {result.seconds:.2f} s")
    for g in result.generator_strings():
        print(f"  {g}")
    return 0


def _dim_command(args) -> int:
    variety = make_variety(args.arch, args.pattern, bias=args.bias, data=args.data, blocks=args.blocks)
    jac = jacobian_dim(variety, seed=args.seed)
    if args.json:
        print(json.dumps({"arch": variety.arch.text, "pattern": variety.pattern.text, "bias": variety.bias,
                          "dim": jac.dim, "method": "jacobian", "prime": jac.prime, "points": jac.points,
                          "seed": jac.seed, "error_bound": jac.error_bound}))
    else:
        print(f"{variety.describe()}: dim {jac.dim} (Jacobian rank at {jac.points} random points over "
              f"GF({jac.prime}); probability of an underestimate <= {jac.error_bound:.2g})")
    return 0


def register(subparsers) -> None:
    ideal = subparsers.add_parser("ideal", help="the ideal J^A (I_X^A with --data) through Macaulay2")
    add_variety_arguments(ideal)
    ideal.add_argument("--field", default="QQ", help="QQ (default) or ZZ/p, e.g. ZZ/32003")
    ideal.add_argument("--timeout", type=_positive_float, default=DEFAULT_TIMEOUT,
                       help=f"seconds before Macaulay2 is killed (default {DEFAULT_TIMEOUT:g})")
    ideal.add_argument("--memory-limit", type=_positive_float, default=DEFAULT_MEMORY_LIMIT / 2**30,
                       help="address-space cap for Macaulay2 in GiB (default 8)")
    ideal.add_argument("--seed", type=int, default=0, help="random seed (Macaulay2 and Jacobian)")
    ideal.add_argument("--verbose", action="store_true", help="stream Macaulay2's output to stderr")
    ideal.set_defaults(handler=_ideal_command)

    dim = subparsers.add_parser("dim", help="dimension from the Jacobian rank alone (no Macaulay2)")
    add_variety_arguments(dim)
    dim.add_argument("--seed", type=int, default=0, help="random seed of the parameter points")
    dim.set_defaults(handler=_dim_command)
