"""The ideal J^A (or I_X^A) of a pattern variety, computed by Macaulay2's `ker` or by interpolation.

`Implicitization` follows CVXPY's solver interface: `apply` compiles the problem into a script,
`solve_via_data` runs Macaulay2 on it, `invert` maps the framed reply back to flint polynomials.
`pattern_ideal` strings the three together and cross-checks the dimension with the Jacobian.
`method="interpolate"` uses `interpolate.interpolate_ideal` instead (through `max_degree`, over
GF(p)); `method="auto"` races Macaulay2's `ker` (under the time budget) against interpolation.

>>> result = pattern_ideal("2,2,2", "10|11")
>>> result.dim, result.degree, result.mingens_degrees
(6, 4, [2, 2])
>>> print(result.generators[1])
m_(1,1,2)*m_(1,2,1) - m_(1,1,1)*m_(1,2,2)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction

from ..errors import ConsistencyError, M2Error, M2OutputError, M2TimeoutError
from ..macaulay2.process import (
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIMEOUT,
    M2Session,
    Macaulay2,
    RunOutput,
)
from ..macaulay2.protocol import (
    hilbert_numerator_coefficients,
    parse_polynomial,
    polynomial_context,
    read_reply,
)
from ..macaulay2.render import render_script
from ..varieties.interpolate import Stopped as _Stopped
from ..varieties.interpolate import interpolate_ideal, lift_generators
from ..varieties.jacobian import DEFAULT_PRIME, JacobianDim, jacobian_dim
from ..varieties.model import (
    ActivationPattern,
    Architecture,
    Dataset,
    Field,
    InputError,
    PatternVariety,
    parse_block_sizes,
)

METHODS = ("m2", "interpolate", "auto")


@dataclass
class IdealResult:
    """Minimal generators and invariants of J^A (I_X^A with data) over `field`."""

    variety: PatternVariety
    field: Field
    generators: list
    dim: int
    degree: int | None  # None when no certificate gave it (interpolation)
    mingens_degrees: list[int]
    hilbert_numerator: str | None
    jacobian: JacobianDim | None
    method: str = "m2-ker"
    complete: bool = True
    seconds: float = 0.0
    m2_version: str = ""
    seed: int = 0
    script: str = field(default="", repr=False)
    graded_dims: dict[int, int] | None = None  # {d: dim (J^A)_d}
    mingens_by_degree: dict[int, int] | None = None  # {d: number of minimal generators of degree d}
    checked_through_degree: int | None = None  # None when complete
    error_bound: float | None = None  # interpolation: probability bound of a too-large piece

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
            "checked_through_degree": self.checked_through_degree,
            "graded_dims": self.graded_dims,
            "mingens_by_degree": self.mingens_by_degree,
            "interpolation_error_bound": self.error_bound,
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
                  m2: Macaulay2 | None = None, method: str = "m2", max_degree: int | None = None,
                  prime: int | None = None, lift: bool = False, certify: bool = False,
                  recheck_prime: int | None = None, workers: int = 1) -> IdealResult:
    """J^A of `pattern` for `arch` (I_X^A when `data` is given).

    `method`: "m2" (Macaulay2's `ker`, complete), "interpolate" (multigraded interpolation over
    GF(`prime`) through `max_degree`, no Macaulay2; `lift` reconstructs the generators over QQ and
    checks them; `certify` asks Macaulay2 whether they generate J^A, which makes the result complete;
    `recheck_prime` repeats the interpolation over a second prime) or "auto" (the Jacobian dimension,
    then Macaulay2's `ker` within `timeout` racing interpolation through `max_degree`; the first
    complete answer wins, else the interpolation with complete=False; without `max_degree`, auto is m2).

    `arch` may be a PatternVariety. Raises InputError for bad input, M2TimeoutError, M2Error,
    M2OutputError for Macaulay2's failures and ConsistencyError when two computations disagree.

    >>> r = pattern_ideal("2,2,2", "10|11", method="interpolate", max_degree=3, lift=True)
    >>> r.method, r.complete, r.checked_through_degree, r.graded_dims, r.mingens_degrees
    ('interpolate', False, 3, {1: 0, 2: 2, 3: 16}, [2, 2])
    """
    variety = arch if isinstance(arch, PatternVariety) else make_variety(arch, pattern, bias=bias, data=data, blocks=blocks)
    field_ = Field.parse(field)
    if method not in METHODS:
        raise InputError(f"--method {method!r}: choose from {', '.join(METHODS)}")
    m2 = m2 or Macaulay2(timeout=timeout, memory_limit=memory_limit, verbose=verbose)
    if method == "m2" or (method == "auto" and max_degree is None):
        return _macaulay2_ker(variety, field_, m2, seed, check_dim, max_degree)
    prime = _interpolation_prime(field_, prime, lift, max_degree)
    jac = jacobian_dim(variety, seed=seed)
    options = dict(max_degree=max_degree, prime=prime, lift=lift, seed=seed, workers=workers)
    if method == "interpolate":
        result = _interpolated(variety, jac, **options)
        if recheck_prime is not None:
            _recheck(result, variety, recheck_prime, seed, workers)
        if certify:
            _certify(result, m2)
        return result
    return _race(variety, field_, jac, m2, check_dim, options)


def _interpolation_prime(field_: Field, prime: int | None, lift: bool, max_degree) -> int:
    if max_degree is None:
        raise InputError("--method interpolate needs --max-degree D (the degree bound)")
    if lift and field_.prime:
        raise InputError(f"--lift reconstructs generators over QQ; it does not go with --field {field_.text}")
    if prime is None:
        return field_.prime or DEFAULT_PRIME
    checked = Field.parse(f"ZZ/{prime}").prime
    if field_.prime and checked != field_.prime:
        raise InputError(f"--prime {prime} differs from --field {field_.text}; give one of them")
    return checked


def _graded_summary(mingens_degrees: list[int], hilbert_numerator: str, n_vars: int, through: int):
    """dim (J^A)_d from the Hilbert series N(T)/(1-T)^n, and generator counts, for d = 1..through."""
    numerator = hilbert_numerator_coefficients(hilbert_numerator)
    dims = {}
    for d in range(1, through + 1):
        quotient = sum(c * math.comb(n_vars - 1 + d - e, n_vars - 1) for e, c in numerator.items() if e <= d)
        dims[d] = math.comb(n_vars - 1 + d, n_vars - 1) - quotient
    counts = Counter(mingens_degrees)
    return dims, {d: counts.get(d, 0) for d in range(1, through + 1)}


def _macaulay2_ker(variety, field_, m2, seed, check_dim, max_degree) -> IdealResult:
    solver = Implicitization(m2)
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
    through = max_degree or max(parsed["mingens_degrees"], default=1)
    graded, by_degree = _graded_summary(parsed["mingens_degrees"], parsed["hilbert_numerator"],
                                        len(variety.variable_names), through)
    return IdealResult(variety=variety, field=field_, jacobian=jac, seconds=output.seconds, seed=seed,
                       script=script, method=solver.name, graded_dims=graded, mingens_by_degree=by_degree,
                       **parsed)


def _interpolated(variety, jac, *, max_degree, prime, lift, seed, workers, should_stop=None) -> IdealResult:
    found = interpolate_ideal(variety, max_degree=max_degree, prime=prime, seed=seed, workers=workers,
                              should_stop=should_stop)
    generators = lift_generators(found, seed=seed) if lift else found.generators
    return IdealResult(
        variety=variety, field=Field(0) if lift else Field(prime), generators=generators, dim=jac.dim,
        degree=None, mingens_degrees=found.mingens_degrees, hilbert_numerator=None, jacobian=jac,
        method="interpolate", complete=False, seconds=found.seconds, seed=seed,
        graded_dims=found.graded_dims, mingens_by_degree=found.mingens_by_degree,
        checked_through_degree=found.max_degree, error_bound=found.error_bound,
    )


def _recheck(result: IdealResult, variety, prime: int, seed: int, workers: int) -> None:
    """Interpolate again over GF(prime): graded dimensions and generator counts must agree."""
    again = interpolate_ideal(variety, max_degree=result.checked_through_degree, prime=Field.parse(f"ZZ/{prime}").prime,
                              seed=seed + 1, workers=workers)
    if (again.graded_dims, again.mingens_by_degree) != (result.graded_dims, result.mingens_by_degree):
        raise ConsistencyError(
            f"{variety.describe()}: interpolation over GF({prime}) gives graded dimensions {again.graded_dims} "
            f"and generators {again.mingens_by_degree}, the first prime {result.graded_dims} and {result.mingens_by_degree}"
        )


class Certificate:
    """Macaulay2 decides whether generators over QQ generate J^A (templates/certify.m2.j2)."""

    template = "certify.m2.j2"

    def __init__(self, m2):
        self.m2 = m2

    def apply(self, result: IdealResult) -> str:
        terms = [[[_fraction(c), [int(e) for e in exps]] for exps, c in g.to_dict().items()] for g in result.generators]
        v = result.variety
        return render_script(self.template, seed=int(result.seed), widths=list(v.arch.widths),
                             blocks=[[list(layer) for layer in block] for block in v.pattern.blocks],
                             bias=bool(v.bias), parameters=v.parameters, coordinates=v.coordinates,
                             generators=terms)

    def run(self, result: IdealResult) -> bool:
        """Mark `result` complete (with degree and Hilbert numerator) iff the certificate holds."""
        script = self.apply(result)
        output = self.m2.run_script(script)
        reply = read_reply(output.stdout, output.script_path)
        if reply.one("vars") != ",".join(result.variable_names):
            raise M2OutputError("the ring's variables are not the expected m_(b,i,j)", reply.one("vars"), output.script_path)
        if reply.one("vanish") != "true":
            raise ConsistencyError(f"{result.variety.describe()}: a generator found by interpolation does not vanish "
                                   f"on the parametrization (script kept at {output.script_path})")
        self.m2.discard(output)
        if reply.one("prime") == "true" and reply.integer("dim") == result.jacobian.dim:
            result.complete, result.checked_through_degree = True, None
            result.degree, result.hilbert_numerator = reply.integer("degree"), reply.one("hilbert")
            result.m2_version = reply.one("version")
        return result.complete


def _fraction(c) -> Fraction:
    return Fraction(int(c.p), int(c.q))


def _certify(result: IdealResult, m2) -> bool:
    if result.field.prime:
        raise InputError("a certificate needs the generators over QQ: add --lift")
    return Certificate(m2).run(result)


def _race(variety, field_, jac, m2, check_dim, options) -> IdealResult:
    """`ker` in a Macaulay2 process (within m2.timeout) while interpolation runs here; the first
    complete answer wins. Interpolated generators over QQ are offered to the certificate."""
    session = M2Session(m2)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="m2bridge-ker")
    ker = pool.submit(_macaulay2_ker, variety, field_, session, options["seed"], check_dim, options["max_degree"])
    try:
        try:
            result = _interpolated(variety, jac, should_stop=ker.done, **options)
        except _Stopped:
            result = None
        if result is not None and not ker.done() and not field_.prime and options["lift"]:
            try:
                Certificate(Macaulay2(timeout=m2.timeout, memory_limit=m2.memory_limit)).run(result)
            except (M2TimeoutError, M2Error):
                pass
            if result.complete:
                return result
        try:
            return ker.result()
        except (M2TimeoutError, M2Error):
            if result is None:
                raise
            return result
    finally:
        session.close()
        pool.shutdown(wait=True)
