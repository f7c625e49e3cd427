"""Stored results in the coordinates of the case that was asked for.

A sweep computes one canonical case per orbit (varieties/symmetry.py); a stored result speaks of
the canonical case's blocks and, for a transposed representative, of transposed matrices. Everything
shown to a reader is renamed here: polynomials (m_(b,i,j)), the variables, and in verdicts the
ranks and family names that mention blocks (r1/r2, M1 - M2, [M1|M2], 3a/3b). Renaming returns new
objects; a stored record is never changed.

>>> form = canonical_form("2,3,2", "111|100")     # the canonical case is 100|111
>>> form.block_of
(1, 0)
>>> rename_polynomials(["m_(1,1,1)*m_(1,2,2) - m_(1,1,2)*m_(1,2,1)"], form)
['m_(2,1,1)*m_(2,2,2) - m_(2,1,2)*m_(2,2,1)']
>>> rename_matrix_label("(2)-minors of M1 - M2", form), rename_matrix_label("(3)-minors of M1", form)
('(2)-minors of M1 - M2', '(3)-minors of M2')
>>> rename_ranks("shallow-two-block", {"r1": 1, "r2": 3, "s": 1, "t": 2}, form)
{'r2': 1, 'r1': 3, 's': 1, 't': 2}
"""

from __future__ import annotations

import functools

import itertools
import math
import re
from functools import lru_cache

from ..conjectures.statements import STATEMENTS
from ..errors import InputError
from ..varieties.model import ActivationPattern, Architecture
from ..varieties.symmetry import Case, CanonicalForm, canonical_form

__all__ = ["canonical_form", "form_of", "orbit_in_arch", "rename_matrix_label", "rename_polynomials",
           "rename_ranks", "rename_result", "rename_verdict"]

_NAME = re.compile(r"m_\(([0-9]+),([0-9]+),([0-9]+)\)")


@lru_cache(maxsize=65536)
def form_of(case: Case) -> CanonicalForm:
    """The canonical form of a requested case (cached: reports rename many cases of one orbit)."""
    return canonical_form(case.arch, case.pattern, case.bias)


def is_identity(form: CanonicalForm) -> bool:
    return not form.transposed and form.block_of == tuple(range(len(form.block_of)))


def rename_polynomials(texts: list[str], form: CanonicalForm) -> list[str]:
    """Polynomials of the canonical case, in the coordinates of the requested case."""
    def one(m):
        return "m_({},{},{})".format(*form.rename_coordinate(tuple(map(int, m.groups()))))

    return [_NAME.sub(one, g) for g in texts]


def rename_result(result: dict, form: CanonicalForm) -> dict:
    """A stored canonical `ideal` result in the coordinates of the case that was asked for."""
    renamed = dict(result)
    renamed["generators"] = rename_polynomials(result.get("generators") or [], form)
    if "variables" in result:  # in ring order (block, row, column) of the requested case
        names = rename_polynomials(result["variables"], form)
        renamed["variables"] = sorted(names, key=_coordinate)
    return renamed


def _coordinate(name: str) -> tuple[int, ...]:
    """(b, i, j) of the coordinate named m_(b,i,j)."""
    m = _NAME.match(name)
    if m is None:
        raise InputError(f"stored variable {name!r}: expected a coordinate m_(b,i,j)")
    return tuple(map(int, m.groups()))


# --- verdicts ---------------------------------------------------------------------------------------

def rename_ranks(statement: str, ranks: dict, form: CanonicalForm) -> dict:
    """A verdict's ranks with block-dependent keys (and matrix labels, for `mine`) renamed."""
    known = STATEMENTS.get(statement)  # the statement names its block keys (conjectures/statements.py)
    keys = known.block_keys if known else ()
    swapped = known.transposed_keys if known and form.transposed else None
    out = {}
    for key, value in ranks.items():
        if keys and key in keys and len(form.block_of) == len(keys):
            key = keys[form.block_of[keys.index(key)]]
        elif swapped and key in swapped:
            key = swapped[1 - swapped.index(key)]
        elif statement == "mine":
            key = rename_matrix_label(key, form, outer_transpose=True)
        out[key] = value
    return out


_FAMILY = re.compile(r"(?P<head>\([0-9]+\)-minors of )?(?P<label>.*?)(?P<tail> \(3[ab]\))?\Z")
_TERM = re.compile(r"([+-]?)\s*M([0-9]+)")


def rename_matrix_label(text: str, form: CanonicalForm, outer_transpose: bool = False) -> str:
    """A family name or matrix label of the canonical case (`(3)-minors of [M1|M2] (3a)`, `M1 - M2`,
    `[M1|M3]^T`, `M1 -M2 +M3`) for the requested case. Concatenations list their blocks in order
    and sums start with a plus sign, as the statements write them; `outer_transpose` says that a
    transposed concatenation is written `[M1|M2]^T` (mine) rather than `[M1^T|M2^T]`."""
    return _renamed_label(text, form.transposed, form.block_of, outer_transpose)


@functools.lru_cache(maxsize=8192)  # a sweep repeats a few labels under a few block orders
def _renamed_label(text: str, transposed: bool, block_of: tuple, outer_transpose: bool) -> str:
    m = _FAMILY.match(text)
    if m is None:  # only a text with a line break
        raise InputError(f"matrix label {text!r}: not a family name or matrix label of one line")
    head, label, tail = m.group("head") or "", m.group("label"), m.group("tail") or ""
    block = lambda c: block_of[c - 1] + 1  # noqa: E731
    if label.startswith("["):
        outer = label.endswith("^T")
        items = label.removesuffix("^T").strip("[]").split("|")
        inner = any(i.endswith("^T") for i in items)
        numbers = sorted(block(int(i.strip().removesuffix("^T").lstrip("M"))) for i in items)
        if transposed:
            if outer_transpose:
                outer = not outer
            else:
                inner = not inner
        suffix = "^T" if inner else ""
        label = "[" + "|".join(f"M{n}{suffix}" for n in numbers) + "]" + ("^T" if outer else "")
    elif _TERM.fullmatch(label.strip()) or re.fullmatch(r"(\s*[+-]?\s*M[0-9]+)+", label):
        spaced = " - " in label or " + " in label
        terms = sorted((block(int(n)), -1 if sign == "-" else 1) for sign, n in _TERM.findall(label))
        if terms and terms[0][1] < 0:  # a sum and its negative have the same minors up to sign
            terms = [(n, -s) for n, s in terms]
        parts = [f"M{terms[0][0]}"] + [(f" {'+' if s > 0 else '-'} M{n}" if spaced else f" {'+' if s > 0 else '-'}M{n}")
                                       for n, s in terms[1:]]
        label = "".join(parts)
    if tail and transposed:
        tail = " (3b)" if tail == " (3a)" else " (3a)"
    return head + label + tail


def rename_verdict(verdict: dict, form: CanonicalForm, polynomials: bool = True) -> dict:
    """A stored verdict (its JSON form) in the requested case's blocks and coordinates. Without
    `polynomials` the polynomials of extra generators and of C outside J^A are left out (counts and
    degrees stay): renaming them is most of the cost of reading a large sweep."""
    if not polynomials:
        verdict = dict(verdict, not_contained_count=len(verdict.get("not_contained") or []), not_contained=[],
                       extra_generators=[{k: v for k, v in e.items() if k != "polynomials"}
                                         for e in verdict.get("extra_generators") or []])
    if is_identity(form):
        return dict(verdict)
    statement = verdict.get("statement", "")
    out = dict(verdict)
    out["not_contained"] = rename_polynomials(verdict.get("not_contained") or [], form)
    out["extra_generators"] = [dict(e, polynomials=rename_polynomials(e["polynomials"], form)) if "polynomials" in e
                               else dict(e) for e in verdict.get("extra_generators") or []]
    out["ranks"] = rename_ranks(statement, verdict.get("ranks") or {}, form)
    out["families"] = [dict(f, name=rename_matrix_label(f["name"], form, outer_transpose=statement == "mine"))
                       for f in verdict.get("families") or []]
    return out


# --- orbits -----------------------------------------------------------------------------------------

MAX_ORBIT_WORK = 200_000  # neuron permutations tried before a report gives up grouping an orbit


def orbit_in_arch(case: Case) -> frozenset[str] | None:
    """Every pattern of `case.arch` equivalent to `case` (the requested patterns an enumerated
    family `blocks = k` lists for this orbit), or None when the symmetry group is too large to
    list. Neuron permutations per hidden layer and block permutations; transposition too when
    the architecture reads the same backwards."""
    arch = Architecture.parse(case.arch)
    blocks = ActivationPattern.parse(case.pattern).blocks
    work = math.prod(math.factorial(n) for n in arch.hidden) * math.factorial(len(blocks))
    if work > MAX_ORBIT_WORK:
        return None
    starts = [blocks]
    if not case.bias and arch.reversed() == arch:
        starts.append(tuple(tuple(reversed(b)) for b in blocks))
    found = set()
    perms = list(itertools.product(*(itertools.permutations(range(n)) for n in arch.hidden)))
    for start in starts:
        for neuron in perms:
            permuted = [tuple(tuple(layer[p] for p in perm) for layer, perm in zip(block, neuron)) for block in start]
            for order in itertools.permutations(permuted):
                found.add("|".join("/".join("".join(map(str, layer)) for layer in block) for block in order))
    return frozenset(found)
