"""The methods that compute J^A, as small solver classes in a registry (after CVXPY's solver chain).

Every solver has `accepts(variety, options)` (refuses, before any work, what it cannot answer),
`apply(variety, options)` → the problem in the solver's terms (a rendered Macaulay2
script, or the interpolation's inputs), `solve_via_data(data, options)` → the solver's raw answer,
and `invert(raw, variety, options)` → an `IdealResult`; `solve` strings the three together.
`SOLVERS` maps each method name to its class; `auto` is the race of the other two.

- `ker` (`KerSolver`): Macaulay2's `ker` of m ↦ M_b(θ) (m2scripts/pattern_ideal.m2.j2); complete.
  With `engine` singular (or auto, Singular installed) `SingularKerSolver` answers instead:
  Singular's `eliminate` of the graph ideal (m2scripts/pattern_ideal.sing.j2), the same reply.
- `interpolate` (`InterpolationSolver`): multigraded interpolation over GF(p) through a degree
  bound (`varieties/interpolate.py`), optionally lifted to QQ, rechecked over a second prime, and
  certified complete by Macaulay2 (`Certificate`, m2scripts/certify.m2.j2).
- `auto` (`RaceSolver`): `ker` in a Macaulay2 session within `options.ker_budget` while
  interpolation runs here; the first complete answer wins, else the interpolated one. Once
  interpolation has answered, `ker` is waited for only when `ker_timeout` was given.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from ..errors import ConsistencyError, InputError, M2Error, M2OutputError, M2TimeoutError
from ..macaulay2.program import Script, render, run
from ..macaulay2.scripts import drop_kept_script
from ..macaulay2.protocol import encode_terms, hilbert_numerator_coefficients, parse_polynomial
from ..varieties.field import Field
from ..varieties.interpolate import Stopped, check_interpolation, interpolate_ideal
from ..varieties.runners import DaskRunner
from ..varieties.lift import lift_generators
from ..varieties.jacobian import jacobian_dim
from ..varieties.model import PatternVariety
from ..varieties.monomials import monomial_count, quotient_dimension
from ..varieties.polynomials import polynomial_context
from .option_table import check_degree_bound
from .options import IdealOptions
from .result import IdealResult
from ..macaulay2.singular import singular_installed
from .runner import make_runner, make_session, make_singular

logger = logging.getLogger(__name__)


class Solver:
    """accepts (refuse before any work) → apply → solve_via_data → invert. A solver keeps no state
    between calls: what a solve found is in the result it returns."""

    name = ""

    def __init__(self, m2=None):
        self.m2 = m2  # a Macaulay2 or an M2Session; made from the options when None

    def runner(self, options: IdealOptions):
        return make_runner(options, self.m2)

    def accepts(self, variety: PatternVariety, options: IdealOptions) -> None:
        """Refuse, before any work, what this solver cannot answer (InputError naming the parameter).
        Every method reports graded dimensions through a degree bound: it must fit in memory; data
        must have a value over the field."""
        if options.max_degree is not None:
            check_degree_bound(len(variety.variable_names), options.max_degree)
        check_data_field(variety, options.field.prime)

    def apply(self, variety: PatternVariety, options: IdealOptions):
        raise NotImplementedError

    def solve_via_data(self, data, options: IdealOptions):
        raise NotImplementedError

    def invert(self, raw, variety: PatternVariety, options: IdealOptions) -> IdealResult:
        raise NotImplementedError

    def solve(self, variety: PatternVariety, options: IdealOptions) -> IdealResult:
        self.accepts(variety, options)
        return self.invert(self.solve_via_data(self.apply(variety, options), options), variety, options)


def check_data_field(variety: PatternVariety, prime: int) -> None:
    """Refuse data that has no value over ZZ/p (a denominator divisible by p), before Macaulay2 runs."""
    if not prime or variety.data is None:
        return
    for r, point in enumerate(variety.data.points, start=1):
        for c, entry in enumerate(point, start=1):
            if entry.denominator % prime == 0:
                raise InputError(f"data: point {r}, entry {c} is {entry}, whose denominator {entry.denominator} is "
                                 f"divisible by {prime}: it has no value over field ZZ/{prime}", "data")


class KerSolver(Solver):
    """Macaulay2's `ker` of the ring map m ↦ M_b(θ) (of M_b(θ)·X_b with data)."""

    name = "ker"
    engine = "macaulay2"
    template = "pattern_ideal.m2.j2"

    def apply(self, variety, options) -> tuple[Script, list[str]]:
        data = None
        if variety.data is not None:
            data = [[list(p) for p in variety.homogenised_block_points(b)] for b in range(variety.k)]
        script = render(self.template, seed=options.seed, field=options.field, widths=list(variety.arch.widths),
                        blocks=[[list(layer) for layer in block] for block in variety.pattern.blocks],
                        bias=bool(variety.bias), parameters=variety.parameters, coordinates=variety.coordinates,
                        data=data, m2_trace=options.m2_trace)
        return script, variety.variable_names

    def solve_via_data(self, data, options):
        script, names = data
        return script, run(self.runner(options), script, variables=names,
                           promises=("ngens", "dim", "degree", "hilbert", "version"))

    def invert(self, raw, variety, options) -> IdealResult:
        script, done = raw
        reply = done.reply
        ctx = polynomial_context(variety.variable_names, options.field)
        payloads = reply.all("gen")
        if len(payloads) != reply.integer("ngens"):
            raise M2OutputError(f"{reply.integer('ngens')} generators announced, {len(payloads)} sent")
        gens = sorted((parse_polynomial(p, ctx) for p in payloads), key=lambda g: int(g.total_degree()))
        degrees = [int(g.total_degree()) for g in gens]
        jac = jacobian_dim(variety, seed=options.seed) if options.check_dim else None
        dim = reply.integer("dim")
        if jac is not None and jac.dim != dim:
            raise ConsistencyError(f"{variety.describe()}: Macaulay2's dim is {dim}, the Jacobian rank over "
                                   f"GF({jac.prime}) is {jac.dim}")
        through = options.max_degree or max(degrees, default=1)
        graded, by_degree = graded_summary(degrees, reply.one("hilbert"), len(variety.variable_names), through)
        return IdealResult(variety=variety, field=options.field, generators=gens, dim=dim,
                           degree=reply.integer("degree"), mingens_degrees=degrees,
                           hilbert_numerator=reply.one("hilbert"), jacobian=jac, method=self.name, engine=self.engine,
                           complete=True,
                           seconds=done.seconds, m2_version=reply.one("version"), seed=options.seed,
                           script=script.text, graded_dims=graded, mingens_by_degree=by_degree)


class SingularKerSolver(KerSolver):
    """Singular's `eliminate` of the w from the graph ideal (m_k - image_k), Hilbert-driven in a ring
    with the w of degree 1 and the m of degree L (m2scripts/pattern_ideal.sing.j2); the reply and the
    result are KerSolver's, with `engine` singular."""

    engine = "singular"
    template = "pattern_ideal.sing.j2"

    def runner(self, options: IdealOptions):
        return make_singular(options, self.m2)


def graded_summary(mingens_degrees: list[int], hilbert_numerator: str, n_vars: int, through: int):
    """dim (J^A)_d from the Hilbert series N(T)/(1-T)^n, and generator counts, for d = 1..through."""
    numerator = hilbert_numerator_coefficients(hilbert_numerator)
    dims = {}
    for d in range(1, through + 1):
        dims[d] = monomial_count(n_vars, d) - quotient_dimension(numerator, n_vars, d)
    counts = Counter(mingens_degrees)
    return dims, {d: counts.get(d, 0) for d in range(1, through + 1)}


class InterpolationSolver(Solver):
    """Multigraded interpolation over GF(p) through `options.max_degree` (no Macaulay2 unless
    `certify`)."""

    name = "interpolate"

    def __init__(self, m2=None, should_stop=None):
        super().__init__(m2)
        self.should_stop = should_stop

    def accepts(self, variety, options) -> None:
        super().accepts(variety, options)
        check_interpolation(variety, options.max_degree, options.interpolation_prime, options.interpolation_prime_from)

    def apply(self, variety, options):
        return variety, jacobian_dim(variety, seed=options.seed)

    def solve_via_data(self, data, options):
        variety, jac = data
        found = interpolate_ideal(variety, max_degree=options.max_degree, prime=options.interpolation_prime,
                                  seed=options.seed, workers=piece_workers(options), should_stop=self.should_stop)
        return found, jac

    def invert(self, raw, variety, options) -> IdealResult:
        found, jac = raw
        generators = lift_generators(found, seed=options.seed) if options.lift else found.generators
        result = IdealResult(
            variety=variety, field=Field(0) if options.lift else Field(found.prime), generators=generators,
            dim=jac.dim, degree=None, mingens_degrees=found.mingens_degrees, hilbert_numerator=None, jacobian=jac,
            method=self.name, complete=False, seconds=found.seconds, seed=options.seed,
            graded_dims=found.graded_dims, mingens_by_degree=found.mingens_by_degree,
            checked_through_degree=found.max_degree, error_bound=found.error_bound, pieces=found,
        )
        if options.recheck_prime is not None:
            recheck(result, options)
        if options.certify:
            Certificate(self.runner(options)).run(result)
        return result


def piece_workers(options: IdealOptions):
    """Where interpolation solves its pieces: `workers` local processes, or a Dask cluster."""
    if options.executor == "local":
        return options.workers
    return DaskRunner(None if options.executor == "dask" else options.executor, workers=max(2, options.workers))


def recheck(result: IdealResult, options: IdealOptions) -> None:
    """Interpolate again over GF(recheck_prime): graded dimensions and generator counts must agree."""
    degree, prime = result.checked_through_degree, options.recheck_prime
    if degree is None or prime is None:
        raise InputError("recheck: needs an interpolated result (checked through a degree) and a recheck_prime",
                         "recheck_prime")
    again = interpolate_ideal(result.variety, max_degree=degree, prime=prime,
                              seed=options.seed + 1, workers=piece_workers(options))
    if (again.graded_dims, again.mingens_by_degree) != (result.graded_dims, result.mingens_by_degree):
        raise ConsistencyError(
            f"{result.variety.describe()}: interpolation over GF({options.recheck_prime}) gives graded dimensions "
            f"{again.graded_dims} and generators {again.mingens_by_degree}, the first prime {result.graded_dims} "
            f"and {result.mingens_by_degree}")


class Certificate:
    """Macaulay2 decides whether generators over QQ generate J^A (m2scripts/certify.m2.j2): they vanish
    on the parametrization (so ideal(G) ⊆ J^A), ideal(G) is prime, and its dimension is the Jacobian
    rank (a lower bound of dim J^A): two primes, one inside the other, of one dimension are equal."""

    template = "certify.m2.j2"

    def __init__(self, m2):
        self.m2 = m2

    def run(self, result: IdealResult) -> bool:
        """Mark `result` complete (with degree and Hilbert numerator) iff the certificate holds."""
        v = result.variety
        if result.jacobian is None:
            raise InputError(f"{v.describe()}: the certificate compares with the Jacobian rank, which the result lacks")
        jacobian = result.jacobian
        done = run(self.m2, render(self.template, seed=result.seed, field=Field(0), widths=list(v.arch.widths),
                                   blocks=[[list(layer) for layer in block] for block in v.pattern.blocks],
                                   bias=bool(v.bias), parameters=v.parameters, coordinates=v.coordinates,
                                   generators=[encode_terms(g) for g in result.generators]),
                   variables=result.variable_names, promises=("vanish", "dim", "prime", "degree", "hilbert"))
        reply = done.reply
        logger.info("certificate for %d generator(s) of %s: vanish %s, prime %s, dim %s (Jacobian rank %d)",
                    len(result.generators), v.describe(), reply.one("vanish"), reply.one("prime"),
                    reply.integer("dim"), jacobian.dim)
        if reply.one("vanish") != "true":
            raise ConsistencyError(f"{v.describe()}: a generator found by interpolation does not vanish on the "
                                   "parametrization")
        if reply.one("prime") == "true" and reply.integer("dim") == jacobian.dim:
            result.complete, result.checked_through_degree = True, None
            result.degree, result.hilbert_numerator = reply.integer("degree"), reply.one("hilbert")
            result.m2_version = reply.one("version")
        return result.complete


class RaceSolver(Solver):
    """`ker` in a Macaulay2 session (within `options.ker_budget`) while interpolation runs in this
    thread; the first complete answer wins. Once interpolation has answered, ker is stopped unless
    `ker_timeout` was given (then it may finish within that budget); without `ker_timeout`,
    interpolated generators over QQ (`lift`) are offered to the certificate, within what is left of
    ker's budget."""

    name = "auto"

    def accepts(self, variety, options) -> None:
        InterpolationSolver().accepts(variety, options)  # the race interpolates: refuse what it cannot

    def solve(self, variety, options) -> IdealResult:
        self.accepts(variety, options)  # refuse before any work
        start = time.monotonic()
        logger.info("auto: ker within %g s races interpolation through degree %d%s", options.ker_budget,
                    options.max_degree, "" if options.ker_timeout is not None else
                    " (no ker_timeout: once interpolation answers, ker is stopped)")
        session = make_session(options, self.m2, timeout=options.ker_budget)
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="m2bridge-ker")
        ker = pool.submit(KerSolver(session).solve, variety, replace(options, method="ker"))
        try:
            # Only a finished ker stops interpolation: a ker that failed must not take it down too.
            interpolation = InterpolationSolver(self.runner(options),
                                                should_stop=lambda: ker.done() and ker.exception() is None)
            try:
                result = interpolation.solve(variety, replace(options, method="interpolate", certify=False))
            except Stopped:
                result = None
            logger.info("auto: interpolation %s after %.1f s; ker %s", "answered" if result is not None else "stopped",
                        time.monotonic() - start, "done" if ker.done() else "still running")
            if result is not None and not ker.done() and options.ker_timeout is None:
                # Never block on ker once interpolation has answered; the certificate may still make
                # the answer complete within what is left of ker's budget.
                left = options.ker_budget - (time.monotonic() - start)
                if options.lift and left > 0:
                    certificate = make_runner(options, self.m2, timeout=left)
                    try:
                        Certificate(certificate).run(result)
                    except (M2TimeoutError, M2Error) as error:
                        drop_kept_script(error)  # nobody is told of it
                if result.complete or not ker.done():
                    return result
            try:
                return ker.result()
            except (M2TimeoutError, M2Error) as error:
                if result is None:
                    raise
                drop_kept_script(error)  # the interpolated answer stands; nobody is told of ker's error
                return result
        finally:
            session.cancel()  # a ker still running ends now, and deletes its script
            pool.shutdown(wait=True)


SOLVERS: dict[str, type[Solver]] = {"ker": KerSolver, "interpolate": InterpolationSolver, "auto": RaceSolver}


def solver_for(options: IdealOptions, m2=None) -> Solver:
    """The solver of `options.method` (auto without a degree bound is ker, on `options.engine`)."""
    name = options.method if options.uses_interpolation or options.method == "ker" else "ker"
    if name == "ker":
        return kernel_solver(options, m2)
    return SOLVERS[name](m2)


def kernel_solver(options: IdealOptions, m2=None) -> KerSolver:
    """ker on the engine `options.engine` names; auto (the default) is Singular when it is installed
    and the caller asked for nothing of Macaulay2's (`M2BRIDGE_M2`, `m2=` a runner or session, or
    `m2_trace`: Macaulay2's gbTrace), else Macaulay2 (a missing Singular is an info line of -v)."""
    engine = options.engine
    if engine == "auto":
        installed = singular_installed()
        engine = "singular" if installed and not _names_macaulay2(m2) and not options.m2_trace else "macaulay2"
        if not installed:
            _note_singular_missing()
    return SingularKerSolver(m2) if engine == "singular" else KerSolver(m2)


def _names_macaulay2(m2) -> bool:
    """A Macaulay2 chosen by the caller (M2BRIDGE_M2, or a runner passed as `m2=`: a session exists to
    keep its one Macaulay2 busy) keeps ker on Macaulay2 under engine auto."""
    return bool(os.environ.get("M2BRIDGE_M2")) or m2 is not None


@functools.lru_cache(maxsize=1)
def _note_singular_missing() -> None:
    """Once per process: the optional engine is missing, which is not an error."""
    logger.info("engine auto: Singular is not installed, ker runs on Macaulay2 "
                   "(scripts/install-singular.sh installs it)")
