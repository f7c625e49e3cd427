"""The one table of computation options: name, help, unit, default, the rule that validates a value,
the command-line flag and the case-file key.

`IdealOptions` (options.py) validates each field with its rule here; the command line makes its
flags from the table (`cli/args.py`), case files check their keys with the same rules
(`sweeps/casefile.py`), and the guide's option table is `options.markdown_table()` (a test checks that
docs/guide.md holds it). A value in the user's unit (`memory_limit` in GiB) is multiplied by
`scale` on its way into IdealOptions (bytes).

>>> OPTIONS["max_degree"].check(4)
4
>>> OPTIONS["max_degree"].check(10**21)
Traceback (most recent call last):
...
m2bridge.errors.InputError: max_degree 1000000000000000000000: at most 200 (a degree bound)
>>> check_degree_bound(20, 10)
Traceback (most recent call last):
...
m2bridge.errors.InputError: max_degree 10: 20,030,010 monomials of degree 10 in 20 variables; at most 5,000,000 (lower the degree bound)
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import InputError
from ..varieties.monomials import monomial_count
from ..varieties.field import INTERPOLATION_PRIME, Field

ENGINES = ("auto", "macaulay2", "singular")
"""Who computes ker's kernel: macaulay2 (`ker`; sessions and the race of `auto` are built on it),
singular (`eliminate`, 2.6-6.3 times faster where measured side by side:
benchmarks/bench_kernel_engines.py) or auto (the default: Singular when installed, else Macaulay2 with
a one-line note; a Macaulay2 named by M2BRIDGE_M2 or passed as `m2=`, a session included, keeps
Macaulay2)."""

METHODS = ("ker", "interpolate", "auto")
"""ker: Macaulay2's `ker` (complete); interpolate: linear algebra over GF(p) through `max_degree`;
auto: `ker` within its budget racing interpolation through `max_degree` (without one, ker)."""

# The first version called Macaulay2's ker "m2"; case files and scripts written then still work.
METHOD_ALIASES = {"m2": "ker"}

DEFAULT_METHOD = "auto"
DEFAULT_INTERPOLATION_PRIME = INTERPOLATION_PRIME  # below 2^23: the BLAS elimination (varieties/field.py)
# A monomial count per degree above which interpolation would need more memory than a machine has;
# every degree bound (of every method: ker reports graded dimensions through it) is held to it.
MAX_MONOMIALS = 5_000_000
# A degree bound beyond any computation that finishes; it also bounds a variety of few variables.
MAX_DEGREE = 200
# Longer than any computation anyone waits for; larger values overflow the operating system's timers.
MAX_TIMEOUT = 10_000_000
# The case database stores seeds as SQLite INTEGER (signed 64 bits): a larger seed would be lost after
# computing, so it is refused before.
MAX_SEED = 2**63 - 1


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


def check_degree_bound(n_vars: int, max_degree: int) -> None:
    """Refuse, before any work, a degree bound whose monomials would not fit in memory."""
    count = monomial_count(n_vars, max_degree)
    if count > MAX_MONOMIALS:
        raise InputError(f"max_degree {max_degree}: {count:,} monomials of degree {max_degree} in {n_vars} "
                         f"variables; at most {MAX_MONOMIALS:,} (lower the degree bound)", "max_degree")


# --- the rules ------------------------------------------------------------------------------------

def _method(value, name):
    method = METHOD_ALIASES.get(value, value) if isinstance(value, str) else value
    if method not in METHODS:
        raise InputError(f"{name} {value!r}: choose from {', '.join(METHODS)}", name)
    return method


def _engine(value, name):
    if value not in ENGINES:
        raise InputError(f"{name} {value!r}: choose from {', '.join(ENGINES)}", name)
    return value


def _max_degree(value, name):
    natural(value, name, 1)
    if value > MAX_DEGREE:
        raise InputError(f"{name} {value}: at most {MAX_DEGREE} (a degree bound)", name)
    return value


def _seconds(value, name):
    value = positive_number(value, name, "seconds")
    if value > MAX_TIMEOUT:
        shown = f"{value:.0f}" if value < 1e16 and value.is_integer() else f"{value:g}"
        raise InputError(f"{name} {shown}: at most {MAX_TIMEOUT} seconds", name)
    return value


def _executor(value, name):
    if value not in ("local", "dask") and not (isinstance(value, str) and re.fullmatch(
            r"(tcp|tls|inproc|ucx)://[^\s/]+(:[0-9]+)?/?", value)):
        raise InputError(f"{name} {value!r}: use local, dask or a scheduler address tcp://HOST:PORT", name)
    return value


def _bytes(value, name):
    return int(positive_number(value, name, "bytes"))


def _seed(value, name):
    natural(value, name)
    if value > MAX_SEED:
        digits = len(str(value)) if value.bit_length() < 10_000 else "over 3000"
        raise InputError(f"{name} of {digits} digits: at most 2^63 - 1 (the largest the case database stores)", name)
    return value


def _prime(value, name):
    return Field.parse(f"ZZ/{natural(value, name, 2)}").prime


def _workers(value, name):
    return min(natural(value, name, 1), available_cpus())


def _trace(value, name):
    if natural(value, name) > 15:
        raise InputError(f"{name} {value}: Macaulay2's gbTrace levels are 0 to 15", name)
    return value


def _flag(value, name):
    if not isinstance(value, bool):
        raise InputError(f"{name} {value!r}: expected true or false", name)
    return value


def _field(value, name):
    return Field.parse(value)


# The kinds of option whose command-line text is a number, and what reads it (other kinds stay text).
NUMBER_KINDS: dict[type | str, Callable[[str], Any]] = {int: int, float: float}


@dataclass(frozen=True)
class Option:
    """One computation option. `kind` is what a user writes (`flag` for an on/off switch);
    `optional`: None means "not given" (and skips the rule)."""

    name: str
    help: str
    rule: Callable[[Any, str], Any] | None = None
    kind: type | str = str
    unit: str = ""
    flag: str | None = None
    key: str | None = None
    scale: int = 1
    optional: bool = False

    def check(self, value):
        """`value` (in IdealOptions' unit) validated and normalised, or InputError naming the option."""
        if value is None and self.optional:
            return None
        return value if self.rule is None else self.rule(value, self.name)

    def parse_text(self, text: str):
        """A command-line value in the user's unit: converted, checked; InputError on a bad one."""
        try:
            value = NUMBER_KINDS.get(self.kind, str)(text.strip() if self.kind in NUMBER_KINDS else text)
        except ValueError:
            expected = "an integer" if self.kind is int else "a number"
            raise InputError(f"{self.name} {text.strip() or repr(text)}: expected {expected}", self.name) from None
        if self.scale != 1:  # checked in the user's unit first, so that an error speaks it
            positive_number(value, self.name, self.unit)
        self.check(value * self.scale if self.scale != 1 else value)
        return value


GIB = 2**30
OPTIONS: dict[str, Option] = {o.name: o for o in (
    Option("field", "coefficients: QQ or a prime field ZZ/p, e.g. ZZ/32003", _field, str, "", "--field", "field"),
    Option("method", "ker: Macaulay2's ker (complete); interpolate: linear algebra over GF(p) through max_degree; "
           "auto: ker within its budget racing interpolation (without max_degree it is ker). m2 is the old name "
           "of ker", _method, str, "", "--method", "method"),
    Option("engine", "who computes ker's kernel: macaulay2, singular (eliminate; optional, Debian package "
           "singular; faster) or auto (Singular when installed, else Macaulay2 with a note)", _engine, str, "", "--engine",
           "engine"),
    Option("max_degree", f"degree bound of the interpolation, and the degrees through which graded dimensions are "
           f"reported (at most {MAX_DEGREE}, and {MAX_MONOMIALS:,} monomials of that degree)", _max_degree, int,
           "degree", "--max-degree", "max_degree", optional=True),
    Option("timeout", "seconds before Macaulay2 is killed (whole process group)", _seconds, float, "seconds",
           "--timeout", "timeout"),
    Option("ker_timeout", "under auto with max_degree: seconds ker may take (default min(timeout, 60)); when "
           "given, auto waits that long for ker even after interpolation answered", _seconds, float, "seconds",
           "--ker-timeout", "ker_timeout", optional=True),
    Option("certify_timeout", "seconds for each secondary step of a conjecture check (certificates, Macaulay2's "
           "comparison; default min(timeout, 60))", _seconds, float, "seconds", optional=True),
    Option("memory_limit", "address-space cap for each Macaulay2 process", _bytes, float, "GiB", "--memory-limit",
           "memory_limit", scale=GIB),
    Option("seed", "random seed of Macaulay2 and of every random point", _seed, int, "", "--seed", "seed"),
    Option("workers", "processes for the interpolation (at most the CPUs available)", _workers, int, "",
           "--workers"),
    Option("executor", "where interpolation solves its pieces: local, dask or a scheduler tcp://HOST:PORT",
           _executor, str),
    Option("prime", f"prime of the interpolation (default {DEFAULT_INTERPOLATION_PRIME}, or p of ZZ/p)", _prime,
           int, "", "--prime", optional=True),
    Option("lift", "lift interpolated generators to QQ and check them exactly", None, "flag", "", "--lift"),
    Option("certify", "with lift: ask Macaulay2 whether the generators give J^A", None, "flag", "", "--certify"),
    Option("recheck_prime", "repeat the interpolation over this prime and compare", _prime, int, "",
           "--recheck-prime", optional=True),
    Option("certificates_first", "conjecture checks over QQ: try the certificates before computing J^A, which is "
           "then computed (by method) only where none proves generation", _flag, "flag", "", "--certificates-first",
           "certificates_first"),
    Option("check_dim", "compare Macaulay2's dim with the Jacobian rank", None, "flag"),
    Option("verbose", "stream Macaulay2's output live to stderr while it is captured (as -v does)", None, "flag", "", "--verbose"),
    Option("m2_trace", "Macaulay2's gbTrace level for ker (0-15), streamed live to stderr", _trace, int, "",
           "--m2-trace"),
)}

# The options of `conjecture` (and of `ideal`, which adds the interpolation's own).
METHOD_FLAGS = ("field", "method", "engine", "max_degree", "timeout", "ker_timeout", "memory_limit", "seed", "workers")
IDEAL_FLAGS = METHOD_FLAGS + ("verbose", "m2_trace", "prime", "lift", "certify", "recheck_prime")
CASE_FILE_KEYS = {o.key: o for o in OPTIONS.values() if o.key}
