"""Coefficient fields: QQ, or ZZ/p with p a prime below 2^31 (what Macaulay2 1.21 builds as ZZ/p).

>>> Field.parse("ZZ/32003").text, Field.parse("QQ").prime
('ZZ/32003', 0)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError

# The default prime of interpolation: the largest prime below 2^23, where the BLAS elimination
# (elimination.py) is exact with one product per panel and several times faster than FLINT. Any
# other prime below 2^31 can be asked for (larger ones are eliminated by FLINT).
INTERPOLATION_PRIME = 8388593

# A modulus with more digits than this is refused before any arithmetic on it.
MAX_MODULUS_DIGITS = 20


class FieldError(InputError):
    """A coefficient field other than QQ or ZZ/p with p a prime below 2^31."""


def is_prime(n: int) -> bool:
    """Deterministic Miller–Rabin for n < 3.3e24."""
    if n < 2:
        return False
    small = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
    if n in small:
        return True
    if any(n % q == 0 for q in small):
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in small:  # deterministic Miller-Rabin for n < 3.3e24
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


@dataclass(frozen=True)
class Field:
    """QQ (prime = 0) or ZZ/p.

    >>> Field.parse("ZZ/32003").text, Field.parse("QQ").prime
    ('ZZ/32003', 0)
    >>> Field.parse("ZZ/32004")
    Traceback (most recent call last):
    ...
    m2bridge.varieties.field.FieldError: field 'ZZ/32004': 32004 is not a prime
    """

    prime: int = 0

    # Macaulay2 1.21 builds ZZ/p with p < 2^31; nmod_mpoly needs p < 2^64.
    MAX_PRIME = 2**31

    @classmethod
    def parse(cls, text: "str | Field") -> "Field":
        if isinstance(text, Field):
            return text
        if text == "QQ":
            return cls(0)
        m = re.fullmatch(r"ZZ/([0-9]+)", text) if isinstance(text, str) else None
        if not m:
            raise FieldError(f"field {text!r}: use QQ or ZZ/p with p prime, e.g. ZZ/32003", "field")
        if len(m.group(1)) > MAX_MODULUS_DIGITS:
            raise FieldError(f"field {text[:30]!r}…: p must be below 2^31 (Macaulay2's ZZ/p)", "field")
        p = int(m.group(1))
        if not is_prime(p):
            raise FieldError(f"field {text!r}: {p} is not a prime", "field")
        if p >= cls.MAX_PRIME:
            raise FieldError(f"field {text!r}: p must be below 2^31 (Macaulay2's ZZ/p)", "field")
        return cls(p)

    @property
    def text(self) -> str:
        return f"ZZ/{self.prime}" if self.prime else "QQ"

    def __str__(self) -> str:
        return self.text


