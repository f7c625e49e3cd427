"""One validated object for every choice about how J^A is computed.

`IdealOptions` replaces long keyword lists (in the spirit of Hypothesis's `settings` and CVXPY's
solver options): it is validated once, where it is made, and then passed down unchanged. Functions
that accept options also accept the same names as keywords (`pattern_ideal(..., method="auto",
max_degree=4)`); `IdealOptions.merge` turns them into one object.

>>> o = IdealOptions(method="auto", max_degree=4)
>>> o.method, o.field.text, o.key_method
('auto', 'QQ', 'auto<=4')
>>> IdealOptions(timeout=float("nan"))
Traceback (most recent call last):
...
m2bridge.errors.InputError: timeout nan: expected a finite number > 0 (seconds)
>>> IdealOptions(method="interpolate")
Traceback (most recent call last):
...
m2bridge.errors.InputError: max_degree is required by method 'interpolate' (the degree bound)
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from dataclasses import dataclass, field

from ..errors import InputError
from ..macaulay2.process import DEFAULT_MEMORY_LIMIT, DEFAULT_TIMEOUT
from ..varieties.field import INTERPOLATION_PRIME, Field

METHODS = ("ker", "interpolate", "auto")
"""ker: Macaulay2's `ker` (complete); interpolate: linear algebra over GF(p) through `max_degree`;
auto: `ker` within its budget racing interpolation through `max_degree`."""

# The first version called Macaulay2's ker "m2"; case files and scripts written then still work.
METHOD_ALIASES = {"m2": "ker"}

DEFAULT_INTERPOLATION_PRIME = INTERPOLATION_PRIME
# Under `auto` with a degree bound, `ker` gets this long (at most `timeout`) before the interpolated
# answer is taken: it decides small cases completely and never holds up large ones for long.
DEFAULT_KER_BUDGET = 60.0
# A monomial count per degree above which interpolation would need more memory than a machine has.
MAX_MONOMIALS = 5_000_000
# Longer than any computation anyone waits for; larger values overflow the operating system's timers.
MAX_TIMEOUT = 1e7


def available_cpus() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def positive_number(value, name: str, unit: str = "") -> float:
    """A finite number > 0, or InputError naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{name} {value!r}: expected a number", name)
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"{name} {value!r}: expected a finite number > 0{f' ({unit})' if unit else ''}", name)
    return value


def natural(value, name: str, minimum: int = 0) -> int:
    """An integer >= minimum, or InputError naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(f"{name} {value!r}: expected an integer >= {minimum}", name)
    return value


@dataclass(frozen=True)
class IdealOptions:
    """How J^A is computed. Every field is checked in `__post_init__`; a bad value raises InputError
    naming it.

    field: QQ or ZZ/p (text or Field). method: ker, interpolate or auto. max_degree: the degree bound
    of interpolation (required by interpolate; under auto, without it auto is ker). timeout: seconds
    for Macaulay2. ker_timeout: seconds `ker` may take under auto; when given, auto waits that long
    for ker's complete answer even after interpolation has answered; when not given, ker runs at most
    min(timeout, 60) s and only while interpolation runs: auto never blocks on it once interpolation
    has answered. certify_timeout: seconds for each secondary step of a conjecture check (certificates,
    Macaulay2's comparison; default min(timeout, 60)); one that runs out degrades the verdict with a
    note. executor: where interpolation solves its pieces: local (a pool of `workers` processes),
    dask (a local Dask cluster of `workers` processes) or a Dask scheduler address tcp://HOST:PORT.
    memory_limit: bytes of address space for Macaulay2. seed: the
    random seed of Macaulay2 and of every random point (>= 0). prime: the interpolation prime
    (default the field's p, else 2^31 - 1). lift: reconstruct interpolated generators over QQ and
    check them exactly. certify: ask Macaulay2 whether lifted generators generate J^A.
    recheck_prime: interpolate again over this prime and compare. workers: processes for
    interpolation (at most the CPUs available). check_dim: compare Macaulay2's dim with the Jacobian
    rank. verbose: stream Macaulay2's output to stderr. m2_trace: Macaulay2's `gbTrace` level (0–15)
    for experts watching Gröbner basis computations (with verbose).
    """

    field: Field = field(default_factory=Field)
    method: str = "ker"
    max_degree: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    ker_timeout: float | None = None
    certify_timeout: float | None = None
    executor: str = "local"
    memory_limit: int = DEFAULT_MEMORY_LIMIT
    seed: int = 0
    prime: int | None = None
    lift: bool = False
    certify: bool = False
    recheck_prime: int | None = None
    workers: int = 1
    check_dim: bool = True
    verbose: bool = False
    m2_trace: int = 0

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen)
        set_("field", Field.parse(self.field))
        method = METHOD_ALIASES.get(self.method, self.method)
        if method not in METHODS:
            raise InputError(f"method {self.method!r}: choose from {', '.join(METHODS)}", "method")
        set_("method", method)
        if self.max_degree is not None:
            natural(self.max_degree, "max_degree", 1)
        elif method == "interpolate":
            raise InputError("max_degree is required by method 'interpolate' (the degree bound)", "max_degree")
        set_("timeout", positive_number(self.timeout, "timeout", "seconds"))
        if self.timeout > MAX_TIMEOUT:
            raise InputError(f"timeout {self.timeout:g}: at most {MAX_TIMEOUT:g} seconds", "timeout")
        for name in ("ker_timeout", "certify_timeout"):
            if getattr(self, name) is not None:
                set_(name, positive_number(getattr(self, name), name, "seconds"))
        if self.executor not in ("local", "dask") and not (isinstance(self.executor, str) and re.fullmatch(
                r"(tcp|tls|inproc|ucx)://[^\s/]+(:[0-9]+)?/?", self.executor)):
            raise InputError(f"executor {self.executor!r}: use local, dask or a scheduler address tcp://HOST:PORT",
                             "executor")
        memory = positive_number(self.memory_limit, "memory_limit", "bytes")
        set_("memory_limit", int(memory))
        natural(self.seed, "seed")
        for name in ("prime", "recheck_prime"):
            value = getattr(self, name)
            if value is not None:
                set_(name, Field.parse(f"ZZ/{natural(value, name, 2)}").prime)
        if self.prime is not None and self.field.prime and self.prime != self.field.prime:
            raise InputError(f"prime {self.prime} differs from field {self.field.text}; give one of them", "prime")
        if self.lift and self.field.prime:
            raise InputError(f"lift reconstructs generators over QQ; it does not go with field {self.field.text}",
                             "lift")
        if self.certify and not self.lift:
            raise InputError("lift is needed by certify (the certificate works over QQ)", "lift")
        set_("workers", min(natural(self.workers, "workers", 1), available_cpus()))
        if natural(self.m2_trace, "m2_trace") > 15:
            raise InputError(f"m2_trace {self.m2_trace}: Macaulay2's gbTrace levels are 0 to 15", "m2_trace")

    @classmethod
    def merge(cls, options: "IdealOptions | None" = None, **settings) -> "IdealOptions":
        """`options` with the given keywords replaced (None values are ignored); unknown names raise."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(settings) - names)
        if unknown:
            raise InputError(f"unknown option(s) {unknown}; options are {sorted(names)}", unknown[0])
        given = {k: v for k, v in settings.items() if v is not None}
        if options is None:
            return cls(**given)
        return dataclasses.replace(options, **given) if given else options

    @property
    def interpolation_prime(self) -> int:
        return self.prime or self.field.prime or DEFAULT_INTERPOLATION_PRIME

    @property
    def interpolation_prime_from(self) -> str:
        """The parameter that chose the interpolation prime: `prime`, or `field` (ZZ/p)."""
        return "field" if self.prime is None and self.field.prime else "prime"

    @property
    def uses_interpolation(self) -> bool:
        return self.method == "interpolate" or (self.method == "auto" and self.max_degree is not None)

    @property
    def ker_budget(self) -> float:
        """Seconds `ker` may run: the whole timeout, except under auto with a degree bound."""
        if self.method == "auto" and self.max_degree is not None:
            return min(self.timeout, self.ker_timeout or DEFAULT_KER_BUDGET)
        return self.timeout

    @property
    def certify_budget(self) -> float:
        """Seconds for each secondary step of a conjecture check."""
        return self.certify_timeout or min(self.timeout, DEFAULT_KER_BUDGET)

    @property
    def key_method(self) -> str:
        """How the method enters a case-database key: `ker`, `interpolate<=D` or `auto<=D`."""
        if not self.uses_interpolation:
            return "ker"
        return f"{self.method}<={self.max_degree}"
