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
from dataclasses import dataclass, field

from ..errors import InputError
from ..macaulay2.process import DEFAULT_MEMORY_LIMIT, DEFAULT_TIMEOUT
from ..varieties.field import Field
from .option_table import (  # noqa: F401 (the names options were imported by before the table)
    DEFAULT_INTERPOLATION_PRIME, DEFAULT_METHOD, MAX_MONOMIALS, MAX_TIMEOUT, METHOD_ALIASES, METHODS, OPTIONS,
    available_cpus, natural, positive_number)

# Under `auto` with a degree bound, `ker` gets this long (at most `timeout`) before the interpolated
# answer is taken: it decides small cases completely and never holds up large ones for long.
DEFAULT_KER_BUDGET = 60.0

@dataclass(frozen=True)
class IdealOptions:
    """How J^A is computed. Every field is checked in `__post_init__`; a bad value raises InputError
    naming it.

    field: QQ or ZZ/p (text or Field). method: ker, interpolate or auto (the default; without
    max_degree it is ker). engine: who computes ker's kernel: macaulay2, singular or auto
    (the default: Singular when installed, else Macaulay2; the race of method auto runs Macaulay2). max_degree: the degree bound
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
    rank. certificates_first: a conjecture check over QQ tries the ladder of certificates before it
    computes J^A, and computes J^A (by method) only where no certificate proves generation (a sweep
    then computes no J^A of its own). verbose: stream Macaulay2's output to stderr. m2_trace: Macaulay2's `gbTrace` level (0–15)
    for experts watching Gröbner basis computations (with verbose).
    """

    field: Field = field(default_factory=Field)
    method: str = DEFAULT_METHOD
    engine: str = "auto"
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
    certificates_first: bool = False
    verbose: bool = False
    m2_trace: int = 0

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen)
        for option in OPTIONS.values():  # each field by its rule in the option table
            set_(option.name, option.check(getattr(self, option.name)))
        if self.max_degree is None and self.method == "interpolate":
            raise InputError("max_degree is required by method 'interpolate' (the degree bound)", "max_degree")
        if self.prime is not None and self.field.prime and self.prime != self.field.prime:
            raise InputError(f"prime {self.prime} differs from field {self.field.text}; give one of them", "prime")
        if self.lift and self.field.prime:
            raise InputError(f"lift reconstructs generators over QQ; it does not go with field {self.field.text}",
                             "lift")
        if self.certify and not self.lift:
            raise InputError("lift is needed by certify (the certificate works over QQ)", "lift")

    @classmethod
    def merge(cls, options: "IdealOptions | None" = None, **settings) -> "IdealOptions":
        """`options` with the given keywords replaced (None values are ignored); unknown names raise."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(settings) - names)
        if unknown:
            raise InputError(f"unknown option(s) {unknown}; options are {sorted(names)}", unknown[0])
        given = {k: v for k, v in settings.items() if v is not None}
        if options is not None and not isinstance(options, IdealOptions):
            raise InputError(f"options {options!r}: expected an IdealOptions (or give its fields as keywords)", "options")
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


# --- the option table's defaults (IdealOptions holds them) and the guide's table ----------------

def default_of(name: str):
    """The default of an option in the user's unit (IdealOptions' default, divided by `scale`)."""
    spec = IdealOptions.__dataclass_fields__[name]
    if callable(spec.default_factory):
        value = spec.default_factory()
    elif spec.default is dataclasses.MISSING:
        raise InputError(f"option {name}: IdealOptions has no default for it", name)
    else:
        value = spec.default
    if hasattr(value, "text"):
        return value.text
    option = OPTIONS[name]
    return value / option.scale if option.scale != 1 and value is not None else value


def markdown_table() -> str:
    """The guide's option table: every option with a flag or a case-file key."""
    lines = ["| option | flag | case-file key | unit | default | meaning |", "|---|---|---|---|---|---|"]
    for o in OPTIONS.values():
        if not (o.flag or o.key):
            continue
        default = default_of(o.name)
        shown = "off" if o.kind == "flag" and not default else "—" if default is None else f"{default:g}" \
            if isinstance(default, float) else str(default)
        lines.append(f"| `{o.name}` | {f'`{o.flag}`' if o.flag else '—'} | {f'`{o.key}`' if o.key else '—'} | "
                     f"{o.unit or '—'} | {shown} | {o.help.replace('|', '/')} |")
    return "\n".join(lines) + "\n"

