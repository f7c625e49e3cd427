"""Lifting generators found over GF(p) to QQ: rational reconstruction of every coefficient, then an
exact check that the lift vanishes on the image of φ^A at random integer parameters.
"""

from __future__ import annotations

import math
import random

import flint

from ..errors import M2BridgeError
from .field import Field
from .parametrization import image_point
from .polynomials import polynomial_context


class LiftError(M2BridgeError):
    """A generator over GF(p) has no small rational preimage, or its preimage is not in J^A."""


def rational_reconstruction(a: int, p: int) -> flint.fmpq | None:
    """The fraction n/d with |n|, d <= sqrt(p/2) and n ≡ a·d (mod p), or None (Wang's algorithm).

    >>> rational_reconstruction(pow(3, -1, 2**31 - 1) * 2 % (2**31 - 1), 2**31 - 1)
    2/3
    """
    bound = math.isqrt(p // 2)
    r0, r1, t0, t1 = p, a % p, 0, 1
    while r1 > bound:
        q = r0 // r1
        r0, r1, t0, t1 = r1, r0 - q * r1, t1, t0 - q * t1
    if t1 == 0 or abs(t1) > bound or math.gcd(r1, abs(t1)) != 1:
        return None
    return flint.fmpq(r1, t1) if t1 > 0 else flint.fmpq(-r1, -t1)


def lift_generators(result, trials: int = 3, seed: int = 0) -> list:
    """The generators over QQ: each scaled to a leading coefficient 1 (as the reduced kernel vectors
    are), its coefficients rationally reconstructed, then checked exactly over QQ: g(φ^A(θ)) = 0 at
    `trials` random integer θ (model.image_point). Raises LiftError instead of keeping a polynomial
    that fails.

    >>> from m2bridge.varieties.interpolate import interpolate_ideal
    >>> r = interpolate_ideal("2,2,2", "10|11", max_degree=2)
    >>> [str(g) for g in lift_generators(r)][0]
    'm_(1,1,2)*m_(1,2,1) - m_(1,1,1)*m_(1,2,2)'
    """
    variety, p = result.variety, result.prime
    ctx = polynomial_context(variety.variable_names, Field(0))
    rng = random.Random(seed)
    points = []
    for _ in range(trials):
        weights = [[[rng.randint(-30, 30) for _ in range(c)] for _ in range(r)] for r, c in variety.layer_shapes]
        points.append([flint.fmpq(x.numerator, x.denominator) for x in image_point(variety, weights)])
    lifted = []
    for g in result.generators:
        terms = {}
        for exps, coeff in g.to_dict().items():
            q = rational_reconstruction(int(coeff), p)
            if q is None:
                raise LiftError(f"generator {g} over GF({p}): coefficient {int(coeff)} has no rational preimage "
                                f"with numerator and denominator below {math.isqrt(p // 2)}; keep the result over GF(p)")
            terms[exps] = q
        poly = ctx.from_dict(terms)
        for point in points:
            if poly(*point) != 0:
                raise LiftError(f"the rational lift {poly} of a generator over GF({p}) does not vanish on "
                                f"φ^A(θ) at an integer θ: not in J^A over QQ")
        lifted.append(poly)
    return lifted
