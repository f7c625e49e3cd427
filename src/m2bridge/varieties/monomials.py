"""Counting monomials: plain arithmetic, importable without python-flint or numpy (the option table
checks degree bounds with it before anything heavy is loaded)."""

from __future__ import annotations

import math


def monomial_count(n_vars: int, degree: int) -> int:
    """Monomials of total degree `degree` in `n_vars` variables."""
    return math.comb(n_vars + degree - 1, degree)


def quotient_dimension(numerator: dict[int, int], n_vars: int, degree: int) -> int:
    """dim (R/I)_degree from the Hilbert series N(T)/(1-T)^n_vars, N given by its coefficients."""
    return sum(c * monomial_count(n_vars, degree - e) for e, c in numerator.items() if e <= degree)
