"""Pictures and notebook views of one ideal: its graded dimensions and the Hilbert function of the
quotient (matplotlib, the `plot` extra, imported only when a picture is asked for), and the HTML
table a notebook shows for an IdealResult.

In degree d the ring of the n coordinates m_(b,i,j) has C(n-1+d, d) monomials; J^A takes
dim (J^A)_d of them and the quotient keeps h(d) = C(n-1+d, d) - dim (J^A)_d, a polynomial in d
of degree dim V_A - 1 for large d (whose leading coefficient is deg V_A / (dim V_A - 1)!). With
Macaulay2's Hilbert numerator N(T) (ker, or a certified interpolation) every degree is known:
h(d) = Σ_e N_e · C(n-1+d-e, n-1); an uncertified interpolation knows the degrees it checked.

>>> from m2bridge.ideals.result import IdealResult
>>> r = IdealResult.from_json({"arch": "2,2,2", "pattern": "10|11", "field": "QQ", "dim": 6, "degree": 4,
...     "generators": [], "mingens_degrees": [2, 2], "hilbert_numerator": "1-2*T^2+T^4", "method": "ker"})
>>> graded_table(r, through=4)
{1: (8, 0, 8), 2: (36, 2, 34), 3: (120, 16, 104), 4: (330, 71, 259)}
"""

from __future__ import annotations

from collections import Counter
from html import escape

from ..extras import require
from ..macaulay2.protocol import hilbert_numerator_coefficients
from ..varieties.monomials import monomial_count, quotient_dimension


def graded_table(result, through: int | None = None) -> dict[int, tuple[int, int, int]]:
    """{d: (monomials of degree d, dim (J^A)_d, h(d))} for d = 1..through (default: the degrees
    the result knows, at least 6 when the Hilbert numerator gives them all)."""
    n = len(result.variable_names)
    known = result.graded_dims or {}
    numerator = hilbert_numerator_coefficients(result.hilbert_numerator) if result.hilbert_numerator else None
    if through is None:
        through = max(6, max(known, default=0)) if numerator else max(known, default=0)
    table = {}
    for d in range(1, through + 1):
        monomials = monomial_count(n, d)
        if numerator is not None:
            quotient = quotient_dimension(numerator, n, d)
        elif d in known:
            quotient = monomials - known[d]
        else:
            continue
        table[d] = (monomials, monomials - quotient, quotient)
    return table


def graded_figure(result, through: int | None = None):
    """A matplotlib Figure: left, dim (J^A)_d and the minimal generators of degree d; right, the
    Hilbert function h(d) of the quotient beside all monomials of degree d (log scale)."""
    plt = require("matplotlib.pyplot", "plot")
    table = graded_table(result, through)
    degrees = sorted(table)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained")
    in_ideal = [table[d][1] for d in degrees]
    counts = Counter(result.mingens_degrees)
    width = 0.4
    left.bar([d - width / 2 for d in degrees], in_ideal, width, label="dim $(J^A)_d$", color="#4c72b0")
    left.bar([d + width / 2 for d in degrees], [counts.get(d, 0) for d in degrees], width,
             label="minimal generators", color="#dd8452")
    left.set_yscale("log")  # generators are few, the pieces grow fast
    left.set_xlabel("degree d")
    left.set_xticks(degrees)
    left.legend(frameon=False)
    left.set_title("the ideal, degree by degree")
    right.semilogy(degrees, [table[d][0] for d in degrees], "o--", color="#999999", label="monomials of degree d")
    right.semilogy(degrees, [table[d][2] for d in degrees], "o-", color="#55a868", label="h(d) of the quotient")
    right.set_xlabel("degree d")
    right.set_xticks(degrees)
    right.legend(frameon=False)
    right.set_title(f"Hilbert function (dim {result.dim}" + (f", degree {result.degree})" if result.degree else ")"))
    status = "complete" if result.complete else f"checked through degree {result.checked_through_degree}"
    fig.suptitle(f"{result.variety.describe()} over {result.field.text}: {status}", fontsize=10)
    return fig


def ideal_html(result, shown: int = 12) -> str:
    """A notebook's table of an IdealResult: the invariants, then the first `shown` generators."""
    status = ("complete" if result.complete else
              f"through degree {result.checked_through_degree} (not certified)")
    rows = [("case", result.variety.describe()), ("field", result.field.text), ("dim", result.dim),
            ("degree", result.degree), ("generator degrees", result.mingens_degrees),
            ("method", f"{result.method}, {status}"), ("Hilbert numerator", result.hilbert_numerator)]
    body = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
                   for k, v in rows if v is not None)
    gens = result.generator_strings()
    listed = "".join(f"<li><code>{escape(g)}</code></li>" for g in gens[:shown])
    more = f"<li>… {len(gens) - shown} more</li>" if len(gens) > shown else ""
    return f"<div><b>J^A</b><table>{body}</table><ol>{listed}{more}</ol></div>"
