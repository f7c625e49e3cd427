"""`IdealResult`: minimal generators and invariants of J^A, and their one JSON form.

>>> from m2bridge.varieties.model import PatternVariety
>>> from m2bridge.varieties.field import Field
>>> from m2bridge.varieties.polynomials import polynomial_context
>>> v = PatternVariety("2,2,2", "10")
>>> x = polynomial_context(v.variable_names, Field()).gens()
>>> r = IdealResult(v, Field(), [x[0] * x[3] - x[1] * x[2]], dim=3, degree=2, mingens_degrees=[2],
...                 hilbert_numerator="1-T^2", jacobian=None)
>>> print(r)
ideal(-m_(1,1,2)*m_(1,2,1) + m_(1,1,1)*m_(1,2,2))   -- over QQ: dim 3, degree 2, complete (ker)
>>> IdealResult.from_json(r.to_json()).generators == r.generators
True
>>> r._repr_latex_()[:65]
'$J^A = \\\\langle -m_{1,1,2} m_{1,2,1} + m_{1,1,1} m_{1,2,2} \\\\rangle'
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InputError
from ..varieties.field import Field
from ..varieties.jacobian import JacobianDim
from ..varieties.model import Dataset, PatternVariety
from ..varieties.polynomials import parse_polynomial_text, polynomial_context

if TYPE_CHECKING:  # numpy and the interpolation code load only when an interpolation runs
    from ..varieties.interpolate import InterpolationResult


@dataclass
class IdealResult:
    """Minimal generators and invariants of J^A (I_X^A with data) over `field`.

    `complete` is true when the generators are proved to generate J^A (Macaulay2's `ker`, or an
    interpolation certified by Macaulay2); otherwise they generate J^A through
    `checked_through_degree` only, with `error_bound` the probability that a computed piece is too
    large. `method` says which method produced the answer (`ker` or `interpolate`), `engine` which
    program computed ker's kernel (`macaulay2` or `singular`; `m2_version` holds its version).
    """

    variety: PatternVariety
    field: Field
    generators: list
    dim: int
    degree: int | None  # None when no certificate gave it (interpolation)
    mingens_degrees: list[int]
    hilbert_numerator: str | None
    jacobian: JacobianDim | None
    method: str = "ker"
    engine: str = "macaulay2"
    complete: bool = True
    seconds: float = 0.0
    m2_version: str = ""
    seed: int = 0
    # dataclasses.field, spelled out: the attribute `field` above is the coefficient field.
    script: str = dataclasses.field(default="", repr=False)
    graded_dims: dict[int, int] | None = None  # {d: dim (J^A)_d}
    mingens_by_degree: dict[int, int] | None = None  # {d: number of minimal generators of degree d}
    checked_through_degree: int | None = None  # None when complete
    error_bound: float | None = None  # interpolation: probability bound of a too-large piece
    # interpolation: the graded pieces themselves (an InterpolationResult), for checks that reuse them
    pieces: InterpolationResult | None = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def variable_names(self) -> list[str]:
        return self.variety.variable_names

    def generator_strings(self) -> list[str]:
        """Generators in Macaulay2 syntax over the m_(b,i,j) names; ZZ/p coefficients symmetric
        (−1, not p − 1), as Macaulay2 prints them."""
        if not self.field.prime:
            return [str(g) for g in self.generators]
        return [symmetric_text(g, self.field.prime) for g in self.generators]

    def to_m2(self) -> str:
        """Paste-able Macaulay2 source defining the ring and the ideal."""
        ring = f"R = {self.field.text}[{', '.join(self.variable_names)}];"
        gens = ",\n    ".join(self.generator_strings()) or "0_R"
        return f"{ring}\nJ = ideal(\n    {gens});\n"

    def to_sage(self) -> str:
        """Sage source (a string; Sage is not imported)."""
        field_ = "QQ" if not self.field.prime else f"GF({self.field.prime})"
        names = [_plain_name(v) for v in self.variable_names]
        gens = [_plain_names(g) for g in self.generator_strings()]
        return f"R.<{','.join(names)}> = PolynomialRing({field_}, order='degrevlex')\nJ = R.ideal([{', '.join(gens)}])\n"

    def to_sympy(self) -> str:
        """SymPy source (a string; SymPy is not imported)."""
        names = [_plain_name(v) for v in self.variable_names]
        gens = [_plain_names(g).replace("^", "**") for g in self.generator_strings()]
        return f"from sympy import symbols\n{', '.join(names)}, = symbols('{' '.join(names)}')\nJ = [{', '.join(gens)}]\n"

    def __str__(self) -> str:
        gens = ", ".join(self.generator_strings()) or "0"
        status = "complete" if self.complete else f"through degree {self.checked_through_degree}"
        degree = "" if self.degree is None else f", degree {self.degree}"
        return f"ideal({gens})   -- over {self.field.text}: dim {self.dim}{degree}, {status} ({self.method})"

    def to_json(self) -> dict:
        v = self.variety
        return {
            "arch": v.arch.text,
            "pattern": v.pattern.text,
            "bias": v.bias,
            "blocks": None if v.data is None else list(v.data.block_sizes),
            "data": None if v.data is None else [[str(x) for x in p] for p in v.data.points],
            "field": self.field.text,
            "method": self.method,
            "engine": self.engine,
            "dim": self.dim,
            "degree": self.degree,
            "mingens_degrees": self.mingens_degrees,
            "variables": self.variable_names,
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

    @classmethod
    def from_json(cls, data: dict) -> "IdealResult":
        """The inverse of `to_json` (the Jacobian's dimension is kept, its other details are not)."""
        try:
            dataset = None
            if data.get("data") is not None:
                dataset = Dataset.from_rows(data["data"], data["blocks"])
            variety = PatternVariety(data["arch"], data["pattern"], bool(data.get("bias", False)), dataset)
            field_ = Field.parse(data["field"])
            ctx = polynomial_context(variety.variable_names, field_)
            jac = data.get("jacobian_dim")
            graded = data.get("graded_dims")
            by_degree = data.get("mingens_by_degree")
            return cls(
                variety=variety, field=field_, generators=[parse_polynomial_text(g, ctx) for g in data["generators"]],
                dim=data["dim"], degree=data.get("degree"), mingens_degrees=list(data["mingens_degrees"]),
                hilbert_numerator=data.get("hilbert_numerator"),
                jacobian=None if jac is None else JacobianDim(jac, 0, 0, data.get("seed", 0),
                                                              data.get("jacobian_error_bound") or 0.0),
                method=data.get("method", "ker"), engine=data.get("engine", "macaulay2"), complete=bool(data.get("complete", True)),
                seconds=float(data.get("seconds", 0.0)), m2_version=data.get("m2_version", ""),
                seed=data.get("seed", 0),
                graded_dims=None if graded is None else {int(k): v for k, v in graded.items()},
                mingens_by_degree=None if by_degree is None else {int(k): v for k, v in by_degree.items()},
                checked_through_degree=data.get("checked_through_degree"),
                error_bound=data.get("interpolation_error_bound"),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"not an ideal result: {type(exc).__name__}: {exc}", "data") from None

    def __reduce__(self):
        # Pickles through the JSON form: python-flint polynomials do not pickle themselves.
        return (IdealResult.from_json, (self.to_json(),))

    def plot_graded(self, through: int | None = None):
        """A matplotlib Figure of dim (J^A)_d, the minimal generators per degree and the Hilbert
        function of the quotient (the `plot` extra; ideals/pictures.py)."""
        from .pictures import graded_figure

        return graded_figure(self, through)

    def _repr_html_(self) -> str:
        from .pictures import ideal_html

        return ideal_html(self)

    def _repr_latex_(self) -> str:
        rows = r" \\ ".join(_tex(g) for g in self.generator_strings()) or "0"
        body = rows if len(self.generators) <= 1 else rf"\begin{{array}}{{l}} {rows} \end{{array}}"
        degree = "" if self.degree is None else rf",\ \deg = {self.degree}"
        partial = "" if self.complete else rf"\ \text{{(through degree {self.checked_through_degree})}}"
        return rf"$J^A = \langle {body} \rangle,\ \dim = {self.dim}{degree}{partial}$"


_NAME = re.compile(r"m_\(([0-9]+),([0-9]+),([0-9]+)\)")


def degree_counts(degrees: list[int] | None, times: str = "×") -> str:
    """Generator degrees in the one form every output uses: degree × count, lowest degree first.

    >>> degree_counts([2, 2, 3]), degree_counts([]), degree_counts(None)
    ('2×2, 3×1', 'none', '')
    """
    if degrees is None:
        return ""
    if not degrees:
        return "none"
    return ", ".join(f"{d}{times}{degrees.count(d)}" for d in sorted(set(degrees)))


def _tex(poly: str) -> str:
    poly = _NAME.sub(r"m_{\1,\2,\3}", poly)
    poly = re.sub(r"\^([0-9]+)", r"^{\1}", poly)
    return poly.replace("*", " ")


def _plain_name(name: str) -> str:
    return _NAME.sub(r"m_\1_\2_\3", name)


def _plain_names(text: str) -> str:
    return _NAME.sub(r"m_\1_\2_\3", text)


def symmetric_text(poly, p: int) -> str:
    """A polynomial over ZZ/p as text with coefficients in (−p/2, p/2], as Macaulay2 prints them."""
    names = poly.context().names()
    terms = []
    for exps, coeff in poly.to_dict().items():  # python-flint's order (degrevlex, leading first)
        c = int(coeff)
        c = c - p if c > p // 2 else c
        monomial = "*".join(f"{n}^{e}" if e > 1 else n for n, e in zip(names, exps) if e)
        if not monomial:
            body = str(abs(c))
        elif abs(c) == 1:
            body = monomial
        else:
            body = f"{abs(c)}*{monomial}"
        terms.append(("-" if c < 0 else "+", body))
    if not terms:
        return "0"
    text = ("-" if terms[0][0] == "-" else "") + terms[0][1]
    for sign, body in terms[1:]:
        text += f" {sign} {body}"
    return text
