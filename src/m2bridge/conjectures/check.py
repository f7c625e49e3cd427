"""The seed theorems and conjectures as checkable objects (MATH.md §3–5), and the verdicts on a case.

A `Conjecture` says whether it applies to a case and produces its polynomials C (families of
minors). `check` then decides, for that case:

- `contained`: every polynomial of C vanishes on the parametrization — decided in Python by
  composing with the entries of M_b(θ) in python-flint, exactly over QQ, without Macaulay2;
- `generates`: ideal(C) == J^A — decided by Macaulay2 (`templates/check_generation.m2.j2`) from the
  complete minimal generators of J^A; the minimal generators of J^A outside ideal(C) are the
  counterexample (`extra_generators`).

>>> v = check("2,2,2", "10|11", "shallow-two-block")
>>> v.applies, v.contained, v.generates, v.extra_generators
(True, True, True, [])
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from fractions import Fraction
from functools import lru_cache

import flint

from ..errors import InputError, M2OutputError
from ..ideals.api import IdealResult, make_variety, pattern_ideal
from ..macaulay2.process import Macaulay2
from ..macaulay2.protocol import parse_polynomial, polynomial_context, read_reply
from ..macaulay2.render import render_script
from ..varieties.jacobian import DEFAULT_PRIME
from ..varieties.model import Field, PatternVariety, block_matrices

SECOND_PRIME = 2**31 - 19  # independent prime for generic ranks; both must agree
RANK_CONVENTIONS = ("literal", "generic")


# --- matrices of polynomials ----------------------------------------------------------------------

def coordinate_matrices(variety: PatternVariety, ctx) -> list[list[list]]:
    """M_1 … M_k as matrices of the m-variables of `ctx`."""
    gens = dict(zip(variety.variable_names, ctx.gens()))
    return [
        [[gens[f"m_({b + 1},{i},{j})"] for j in range(1, variety.block_width(b) + 1)]
         for i in range(1, variety.arch.n_out + 1)]
        for b in range(variety.k)
    ]


def transpose(M):
    return [list(col) for col in zip(*M)]


def hstack(*Ms):
    return [sum((list(M[i]) for M in Ms), []) for i in range(len(Ms[0]))]


def minors(M, size: int) -> list:
    """All size × size minors of a matrix of polynomials (none when size exceeds a side)."""
    rows, cols = len(M), len(M[0]) if M else 0
    if size < 1 or size > min(rows, cols):
        return []

    @lru_cache(maxsize=None)
    def det(rs: tuple, cs: tuple):
        if len(rs) == 1:
            return M[rs[0]][cs[0]]
        # Laplace expansion along the first row; sub-determinants are shared through the cache.
        total = 0
        for pos, c in enumerate(cs):
            entry = M[rs[0]][c]
            if entry != 0:
                term = entry * det(rs[1:], cs[:pos] + cs[pos + 1:])
                total = total + term if pos % 2 == 0 else total - term
        return total

    out = []
    for rs in itertools.combinations(range(rows), size):
        for cs in itertools.combinations(range(cols), size):
            d = det(rs, cs)
            if d != 0:
                out.append(d)
    return out


def symbolic_block_matrices(variety: PatternVariety):
    """M_b(θ) (times X_b with data) with entries in QQ[w_(l,i,j)], for exact composition."""
    names = tuple(f"w_({l},{i},{j})" for (l, i, j) in variety.parameters)
    ctx = flint.fmpq_mpoly_ctx.get(names, ordering="degrevlex")
    w = dict(zip(variety.parameters, ctx.gens()))
    weights = [[[w[(l, i, j)] for j in range(1, c + 1)] for i in range(1, r + 1)]
               for l, (r, c) in enumerate(variety.layer_shapes, start=1)]
    constant = lambda q: ctx.from_dict({(0,) * len(names): flint.fmpq(q.numerator, q.denominator)})
    return ctx, block_matrices(variety, weights, convert=lambda q: constant(Fraction(q)))


def contained_in_variety(variety: PatternVariety, polys) -> list:
    """The polynomials of `polys` that do NOT vanish on the parametrization (exact, over QQ)."""
    if not polys:
        return []
    ctx, mats = symbolic_block_matrices(variety)
    entries = [x for M in mats for row in M for x in row]
    bad = []
    for p in polys:
        q = p if isinstance(p, flint.fmpq_mpoly) else _to_qq(p)
        if q.compose(*entries, ctx=ctx) != 0:
            bad.append(p)
    return bad


def _to_qq(p):
    ctx = flint.fmpq_mpoly_ctx.get(tuple(p.context().names()), ordering="degrevlex")
    return ctx.from_dict({e: int(c) for e, c in p.to_dict().items()})


# --- generic ranks at random parameters -------------------------------------------------------------

def _random_block_values(variety: PatternVariety, masks, prime: int, rng: random.Random):
    """M(θ) mod p at one random θ for each 0/1 mask (one tuple per hidden layer) — a 'path network'.
    Ranks are about M_b itself, so data points are left out."""
    variety = PatternVariety(variety.arch, variety.pattern, variety.bias)
    weights = [[[rng.randrange(prime) for _ in range(c)] for _ in range(r)] for (r, c) in variety.layer_shapes]
    return [flint.nmod_mat([[x % prime for x in row] for row in M], prime)
            for M in block_matrices(variety, weights, masks, convert=int)]


def _mat_entries(M):
    return [[int(M[i, j]) for j in range(M.ncols())] for i in range(M.nrows())]


def generic_ranks(variety: PatternVariety, build, seed: int = 0, masks=None) -> dict[str, int]:
    """Ranks of the matrices `build(values)` makes from M(θ) mod p for each mask (default: the
    blocks' patterns), at one random θ over each of two independent primes; raises if the primes
    disagree (a random point hit a rank drop)."""
    results = []
    for prime in (DEFAULT_PRIME, SECOND_PRIME):
        rng = random.Random(f"{seed}/{prime}")
        values = _random_block_values(variety, variety.pattern.blocks if masks is None else masks, prime, rng)
        ranks = {}
        for name, mat in build([_mat_entries(v) for v in values]).items():
            rows, cols = len(mat), len(mat[0]) if mat else 0
            ranks[name] = flint.nmod_mat(rows, cols, [x % prime for row in mat for x in row], prime).rank() if rows and cols else 0
        results.append(ranks)
    if results[0] != results[1]:
        raise InputError(f"generic ranks differ between GF({DEFAULT_PRIME}) and GF({SECOND_PRIME}): "
                         f"{results[0]} vs {results[1]}; rerun with another seed")
    return results[0]


# --- verdicts ---------------------------------------------------------------------------------------

@dataclass
class Family:
    name: str
    size: int  # minors of this size
    count: int  # nonzero minors


@dataclass
class Verdict:
    conjecture: str
    variant: str | None
    rank_convention: str | None
    applies: bool
    reason: str = ""
    contained: bool | None = None
    generates: bool | None = None
    checked_through_degree: int | None = None
    extra_generators: list[dict] = dataclass_field(default_factory=list)
    not_contained: list[str] = dataclass_field(default_factory=list)
    families: list[Family] = dataclass_field(default_factory=list)
    ranks: dict = dataclass_field(default_factory=dict)
    expected_dim: int | None = None
    dim: int | None = None
    dim_verdict: str | None = None
    method: str = ""
    field: str = "QQ"
    seeds: dict = dataclass_field(default_factory=dict)
    primes: list[int] = dataclass_field(default_factory=lambda: [DEFAULT_PRIME, SECOND_PRIME])
    seconds: float = 0.0

    @property
    def label(self) -> str:
        parts = [self.conjecture] + [p for p in (self.rank_convention, self.variant) if p]
        return ":".join(parts)

    @property
    def outcome(self) -> str:
        """generates / fails / generates through degree D / undecided / n/a, or the dimension verdict."""
        if not self.applies:
            return "n/a"
        if self.dim_verdict is not None:
            return self.dim_verdict
        if self.generates is None:
            if self.checked_through_degree is not None and self.contained is not False:
                return f"generates through degree {self.checked_through_degree}"
            return "undecided"
        return "generates" if self.generates else "fails"

    def to_json(self) -> dict:
        data = asdict(self)
        data["outcome"] = self.outcome
        return data


# --- the conjectures --------------------------------------------------------------------------------

class Conjecture:
    """A named statement: `applies(variety)` → reason or None; `polynomials(...)` → families of C."""

    name = ""
    conventions: tuple = (None,)
    variants: tuple = (None,)

    def not_applicable(self, variety: PatternVariety) -> str | None:
        raise NotImplementedError

    def families(self, variety, ctx, convention, variant, seed) -> tuple[list[tuple[str, int, list]], dict]:
        raise NotImplementedError


class SingleBlock(Conjecture):
    """MATH.md §3: with one block, J^A (I_X^A) is generated by nL·max(m − n0, 0) linear forms from
    the dependencies of the points and the (r+1)-minors of M (of M·X), r the generic rank."""

    name = "single-block"

    def not_applicable(self, variety):
        return None if variety.k == 1 else f"{variety.k} blocks; single-block needs one"

    def families(self, variety, ctx, convention, variant, seed):
        r = generic_ranks(variety, lambda vals: {"M": vals[0]}, seed)["M"]
        (M,) = coordinate_matrices(variety, ctx)
        fams = []
        if variety.data is not None:
            points = variety.homogenised_block_points(0)
            relations = flint.fmpq_mat([[flint.fmpq(x.numerator, x.denominator) for x in p] for p in points]).transpose()
            kernel = _rational_kernel(relations)
            linear = [sum((_in_field(c, ctx) * M[i][j] for j, c in enumerate(v) if c != 0), ctx.from_dict({}))
                      for v in kernel for i in range(len(M))]
            fams.append(("linear forms from dependencies of X", 1, linear))
            independent = _independent_columns(relations)
            M = [[row[j] for j in independent] for row in M]
        fams.append((f"({r + 1})-minors of M", r + 1, minors(M, r + 1)))
        return fams, {"r": r}


def _in_field(c: flint.fmpq, ctx):
    """A rational coefficient in the coefficient field of `ctx` (QQ, or ZZ/p by inverting q)."""
    if isinstance(ctx, flint.nmod_mpoly_ctx):
        return int(c.p) * pow(int(c.q), -1, ctx.modulus()) % ctx.modulus()
    return c


def _rational_kernel(A: flint.fmpq_mat) -> list[list]:
    """A basis of the right kernel of A over QQ."""
    rref, rank = A.rref()
    rows, cols = A.nrows(), A.ncols()
    pivots, r = [], 0
    for c in range(cols):
        if r < rank and rref[r, c] != 0:
            pivots.append(c)
            r += 1
    basis = []
    for free in (c for c in range(cols) if c not in pivots):
        v = [flint.fmpq(0)] * cols
        v[free] = flint.fmpq(1)
        for row, p in enumerate(pivots):
            v[p] = -rref[row, free]
        basis.append(v)
    return basis


def _independent_columns(A: flint.fmpq_mat) -> list[int]:
    rref, rank = A.rref()
    cols, out, r = A.ncols(), [], 0
    for c in range(cols):
        if r < rank and rref[r, c] != 0:
            out.append(c)
            r += 1
    return out


class ShallowTwoBlock(Conjecture):
    """MATH.md §4: J^A is generated by the (r1+1)-minors of M1, (r2+1)-minors of M2, (n1+1)-minors of
    [M1|M2] and [M1^T|M2^T] (variant `union`: |R1 ∪ R2| + 1) and (t+1)-minors of M1 − M2,
    t = r1 + r2 − 2s. Rank convention `literal`: r_i = |R_i|; `generic`: r_i = min(|R_i|, n0, n2)."""

    name = "shallow-two-block"
    conventions = RANK_CONVENTIONS
    variants = (None, "union")

    def not_applicable(self, variety):
        if variety.k != 2 or variety.arch.depth != 2:
            return f"needs two blocks and one hidden layer (k = {variety.k}, L = {variety.arch.depth})"
        if variety.data is not None:
            return "stated for J^A (no data)"
        return None

    def families(self, variety, ctx, convention, variant, seed):
        n0, n1, n2 = variety.arch.widths
        R1, R2 = ({i for i, a in enumerate(b[0]) if a} for b in variety.pattern.blocks)
        s = len(R1 & R2)
        r1, r2 = len(R1), len(R2)
        if convention == "generic":
            q = min(variety.columns, n2)
            r1, r2 = min(r1, q), min(r2, q)
        t = r1 + r2 - 2 * s
        wide = len(R1 | R2) if variant == "union" else n1
        M1, M2 = coordinate_matrices(variety, ctx)
        D = [[a - b for a, b in zip(x, y)] for x, y in zip(M1, M2)]
        fams = [
            (f"({r1 + 1})-minors of M1", r1 + 1, minors(M1, r1 + 1)),
            (f"({r2 + 1})-minors of M2", r2 + 1, minors(M2, r2 + 1)),
            (f"({wide + 1})-minors of [M1|M2]", wide + 1, minors(hstack(M1, M2), wide + 1)),
            (f"({wide + 1})-minors of [M1^T|M2^T]", wide + 1, minors(hstack(transpose(M1), transpose(M2)), wide + 1)),
            (f"({t + 1})-minors of M1 - M2", t + 1, minors(D, t + 1)),
        ]
        return fams, {"r1": r1, "r2": r2, "s": s, "t": t}


def _path_masks(blocks):
    """Masks of the path networks of §5: B (paths active in both blocks), and the two blocks."""
    both = tuple(tuple(a & b for a, b in zip(la, lb)) for la, lb in zip(blocks[0], blocks[1]))
    return both


class DeepTwoBlock(Conjecture):
    """MATH.md §5: (r_a+r_b+1)-minors of M1, (r_b+r_c+1)-minors of M2, (n_min+1)-minors of [M1|M2]
    if the blocks agree on every layer after ℓ_min (3a), of [M1^T|M2^T] if they agree on every layer
    before ℓ_min (3b), (t+1)-minors of M1 − M2, t = r_a + r_c. r_a, r_b, r_c: generic ranks of
    A = M1 − B, B (paths active in both blocks), C = M2 − B at random θ over two primes."""

    name = "deep-two-block"

    def not_applicable(self, variety):
        if variety.k != 2 or variety.arch.depth < 3:
            return f"needs two blocks and at least two hidden layers (k = {variety.k}, L = {variety.arch.depth})"
        if variety.data is not None:
            return "stated for J^A (no data)"
        return None

    def families(self, variety, ctx, convention, variant, seed):
        blocks = variety.pattern.blocks
        ranks = _path_ranks(variety, _path_masks(blocks), seed)
        ra, rb, rc = ranks["A"], ranks["B"], ranks["C"]
        hidden = variety.arch.hidden
        n_min = min(hidden)
        layers_min = [l for l, n in enumerate(hidden, start=1) if n == n_min]
        agree = [blocks[0][l - 1] == blocks[1][l - 1] for l in range(1, len(hidden) + 1)]
        after = any(all(agree[l:]) for l in layers_min)  # layers ℓ > ℓ_min (1-based ℓ, agree is 0-based)
        before = any(all(agree[: l - 1]) for l in layers_min)
        M1, M2 = coordinate_matrices(variety, ctx)
        D = [[a - b for a, b in zip(x, y)] for x, y in zip(M1, M2)]
        t = ra + rc
        fams = [
            (f"({ra + rb + 1})-minors of M1", ra + rb + 1, minors(M1, ra + rb + 1)),
            (f"({rb + rc + 1})-minors of M2", rb + rc + 1, minors(M2, rb + rc + 1)),
        ]
        if after:
            fams.append((f"({n_min + 1})-minors of [M1|M2] (3a)", n_min + 1, minors(hstack(M1, M2), n_min + 1)))
        if before:
            fams.append((f"({n_min + 1})-minors of [M1^T|M2^T] (3b)", n_min + 1,
                         minors(hstack(transpose(M1), transpose(M2)), n_min + 1)))
        fams.append((f"({t + 1})-minors of M1 - M2", t + 1, minors(D, t + 1)))
        return fams, {"r_a": ra, "r_b": rb, "r_c": rc, "t": t, "n_min": n_min, "3a": after, "3b": before}


def _path_ranks(variety: PatternVariety, both, seed: int) -> dict[str, int]:
    """Generic ranks of A = M1 − B, B, C = M2 − B (B: paths active in both blocks)."""
    def minus(X, Y):
        return [[x - y for x, y in zip(rx, ry)] for rx, ry in zip(X, Y)]

    blocks = variety.pattern.blocks
    return generic_ranks(variety, lambda v: {"A": minus(v[0], v[2]), "B": v[2], "C": minus(v[1], v[2])},
                         seed, masks=[blocks[0], blocks[1], both])


class Mine(Conjecture):
    """For any k: every signed combination of blocks (Σ ε_b M_b, ε ∈ {−1,0,1}, up to sign), every
    concatenation [M_i|M_j|…] and [M_i^T|M_j^T|…] of two or more blocks, and every block alone, whose
    generic rank r is below full; collect their (r+1)-minors."""

    name = "mine"

    def not_applicable(self, variety):
        return "stated for J^A (no data)" if variety.data is not None else None

    def families(self, variety, ctx, convention, variant, seed):
        k = variety.k
        Ms = coordinate_matrices(variety, ctx)
        combos = {}
        for signs in itertools.product((-1, 0, 1), repeat=k):
            first = next((s for s in signs if s), 0)
            if first != 1:  # skip zero and keep one of ±(combination)
                continue
            label = " ".join(f"{'+' if s > 0 else '-'}M{b + 1}" for b, s in enumerate(signs) if s).lstrip("+")
            combos[label] = ("sum", signs)
        for size in range(2, k + 1):
            for subset in itertools.combinations(range(k), size):
                names = "|".join(f"M{b + 1}" for b in subset)
                combos[f"[{names}]"] = ("h", subset)
                combos[f"[{names}]^T"] = ("v", subset)

        def build(vals):
            out = {}
            for label, (kind, data) in combos.items():
                if kind == "sum":
                    out[label] = [[sum(s * vals[b][i][j] for b, s in enumerate(data)) for j in range(len(vals[0][0]))]
                                  for i in range(len(vals[0]))]
                elif kind == "h":
                    out[label] = hstack(*(vals[b] for b in data))
                else:
                    out[label] = hstack(*(transpose(vals[b]) for b in data))
            return out

        ranks = generic_ranks(variety, build, seed)
        zero = ctx.from_dict({})
        fams = []
        for label, (kind, data) in combos.items():
            if kind == "sum":
                mat = [[sum((s * Ms[b][i][j] for b, s in enumerate(data)), zero) for j in range(len(Ms[0][0]))]
                       for i in range(len(Ms[0]))]
            elif kind == "h":
                mat = hstack(*(Ms[b] for b in data))
            else:
                mat = hstack(*(transpose(Ms[b]) for b in data))
            r = ranks[label]
            if r < min(len(mat), len(mat[0])):
                fams.append((f"({r + 1})-minors of {label}", r + 1, minors(mat, r + 1)))
        return fams, ranks


CONJECTURES = {c.name: c for c in (SingleBlock(), ShallowTwoBlock(), DeepTwoBlock(), Mine())}
NAMES = tuple(CONJECTURES) + ("dimension", "rank-sum")


# --- checking ---------------------------------------------------------------------------------------

def _terms(poly) -> list:
    """A flint polynomial as exact sparse terms for the `m2` template filter."""
    out = []
    for exps, coeff in poly.to_dict().items():
        c = Fraction(int(coeff.p), int(coeff.q)) if isinstance(coeff, flint.fmpq) else int(coeff)
        out.append([c, [[i, int(e)] for i, e in enumerate(exps) if e]])
    return out


def compare_ideals(variety: PatternVariety, field_: Field, target, candidates, seed: int = 0,
                   m2: Macaulay2 | None = None) -> tuple[list, list]:
    """(minimal generators of ideal(target) outside ideal(candidates), those of candidates outside
    ideal(target)), computed by Macaulay2; both empty iff the ideals are equal."""
    m2 = m2 or Macaulay2()
    script = render_script(
        "check_generation.m2.j2", seed=seed, field=field_, coordinates=variety.coordinates,
        target=[_terms(p) for p in target], candidates=[_terms(p) for p in candidates],
    )
    output = m2.run_script(script)
    reply = read_reply(output.stdout, output.script_path)
    if reply.one("vars") != ",".join(variety.variable_names):
        raise M2OutputError("the ring's variables are not the expected m_(b,i,j)", reply.one("vars"), output.script_path)
    ctx = polynomial_context(variety.variable_names, field_)
    missing = [parse_polynomial(p, ctx, output.script_path) for p in reply.all("missing")]
    outside = [parse_polynomial(p, ctx, output.script_path) for p in reply.all("outside")]
    m2.discard(output)
    return missing, outside


def _by_degree(polys) -> list[dict]:
    out = {}
    for p in polys:
        out.setdefault(int(p.total_degree()), []).append(str(p))
    return [{"degree": d, "count": len(ps), "polynomials": ps} for d, ps in sorted(out.items())]


def dimension_verdict(variety: PatternVariety, dim: int) -> Verdict:
    """MATH.md §4, dimension theorem: with s ≥ 1, under (n0 ≥ n1, n1 ≤ n2 + 1) or (n2 ≥ n1,
    n1 ≤ n0 + 1), dim V_A = dim 𝓜_a + dim 𝓜_b + dim 𝓜_c; otherwise there is a drop."""
    v = Verdict("dimension", None, None, applies=False, method="jacobian", dim=dim)
    if variety.k != 2 or variety.arch.depth != 2 or variety.data is not None or variety.bias:
        v.reason = "needs two blocks, one hidden layer, no data, no bias"
        return v
    n0, n1, n2 = variety.arch.widths
    R1, R2 = ({i for i, a in enumerate(b[0]) if a} for b in variety.pattern.blocks)
    s = len(R1 & R2)
    if s < 1:
        v.reason = "s = 0: the blocks share no active neuron"
        return v
    q = min(n0, n2)

    def dim_rank_at_most(r: int) -> int:
        r = min(r, q)
        return r * (n0 + n2 - r)

    a, b, c = len(R1) - s, s, len(R2) - s
    v.applies = True
    v.expected_dim = dim_rank_at_most(a) + dim_rank_at_most(b) + dim_rank_at_most(c)
    conditions = (n0 >= n1 and n1 <= n2 + 1) or (n2 >= n1 and n1 <= n0 + 1)
    v.ranks = {"a": a, "b": b, "c": c, "conditions_hold": conditions}
    if dim == v.expected_dim:
        v.dim_verdict = "expected" if conditions else "theorem violated"
    elif dim < v.expected_dim:
        v.dim_verdict = f"drop by {v.expected_dim - dim}" if not conditions else "theorem violated"
    else:
        v.dim_verdict = "theorem violated"
    return v


def rank_sum_generators(variety: PatternVariety, field_: Field, seed: int = 0, m2: Macaulay2 | None = None):
    """Minimal generators of the elimination ideal of the equivalent statement (MATH.md §4)."""
    R1, R2 = ({i for i, a in enumerate(b[0]) if a} for b in variety.pattern.blocks)
    s = len(R1 & R2)
    m2 = m2 or Macaulay2()
    script = render_script("rank_sum.m2.j2", seed=seed, field=field_, rows=variety.arch.n_out,
                           cols=variety.columns, ranks=[len(R1) - s, s, len(R2) - s])
    output = m2.run_script(script)
    reply = read_reply(output.stdout, output.script_path)
    ctx = polynomial_context(variety.variable_names, field_)
    if reply.one("vars") != ",".join(variety.variable_names):
        raise M2OutputError("the ring's variables are not the expected m_(b,i,j)", reply.one("vars"), output.script_path)
    gens = [parse_polynomial(p, ctx, output.script_path) for p in reply.all("gen")]
    m2.discard(output)
    return gens


def check(arch, pattern=None, conjecture: str = "shallow-two-block", rank_convention: str | None = "literal",
          variant: str | None = None, *, field: str = "QQ", data=None, blocks=None, bias: bool = False,
          seed: int = 0, ideal: IdealResult | None = None, m2: Macaulay2 | None = None,
          timeout: float = 600.0, max_degree: int | None = None) -> Verdict:
    """The verdict of one conjecture (one convention, one variant) on one case.

    `ideal` may pass an already computed J^A (a sweep does); otherwise it is computed: by Macaulay2's
    `ker`, or with `max_degree` by `ker` within `timeout` racing interpolation through that degree
    (`method="auto"`): if `ker` does not finish, the verdict holds through `max_degree` only.
    """
    if conjecture not in NAMES:
        raise InputError(f"conjecture {conjecture!r}: choose from {list(NAMES)}")
    variety = arch if isinstance(arch, PatternVariety) else make_variety(arch, pattern, bias=bias, data=data, blocks=blocks)
    field_ = Field.parse(field)
    m2 = m2 or Macaulay2(timeout=timeout)
    start = time.perf_counter()
    if conjecture == "dimension":
        from ..varieties.jacobian import jacobian_dim

        v = dimension_verdict(variety, jacobian_dim(variety, seed=seed).dim)
        v.seeds, v.field, v.seconds = {"jacobian": seed}, field_.text, time.perf_counter() - start
        return v
    conj = CONJECTURES.get(conjecture)
    if conj is not None:
        if rank_convention not in conj.conventions:
            rank_convention = conj.conventions[0]
        if variant not in conj.variants:
            raise InputError(f"conjecture {conjecture!r} has variants {[x for x in conj.variants if x]}, not {variant!r}")
        reason = conj.not_applicable(variety)
    else:  # rank-sum
        rank_convention, variant = None, None
        reason = ShallowTwoBlock().not_applicable(variety) or ("no bias" if variety.bias else None)
    v = Verdict(conjecture, variant, rank_convention, applies=reason is None, reason=reason or "",
                field=field_.text, seeds={"m2": seed, "ranks": seed}, method="m2-ker+check_generation")
    if reason is not None:
        return v
    if ideal is None:
        ideal = pattern_ideal(variety, field=field_.text, seed=seed, m2=m2, method="auto", max_degree=max_degree,
                              lift=max_degree is not None and not field_.prime)
    v.dim = ideal.dim
    ctx = polynomial_context(variety.variable_names, field_)
    if conj is not None:
        fams, v.ranks = conj.families(variety, ctx, rank_convention, variant, seed)
    else:
        polys = rank_sum_generators(variety, field_, seed, m2)
        fams = [("generators of the elimination ideal", 0, polys)]
        v.method = "m2-eliminate+check_generation"
    v.families = [Family(n, s, len(ps)) for n, s, ps in fams]
    candidates = [p for _, _, ps in fams for p in ps]
    if field_.prime == 0:
        v.not_contained = [str(p) for p in contained_in_variety(variety, candidates)]
        v.contained = not v.not_contained
    bound = None if ideal.complete else getattr(ideal, "checked_through_degree", None)
    if not ideal.complete and bound is None:
        raise InputError("J^A is incomplete and says through which degree it was checked: cannot compare")
    if bound is not None:
        # J^A known through degree D only: compare in degrees <= D, never claim more.
        candidates = [p for p in candidates if p.total_degree() <= bound]
        v.checked_through_degree = bound
    missing, outside = compare_ideals(variety, field_, ideal.generators, candidates, seed, m2)
    if field_.prime:
        v.contained = not outside
        v.not_contained = [str(p) for p in outside]
    v.extra_generators = _by_degree(missing)
    if missing or outside:
        v.generates = False  # a missing generator of degree <= D is a counterexample in any case
    elif bound is None:
        v.generates = True
    v.seconds = time.perf_counter() - start
    return v


def all_verdicts(variety: PatternVariety, names, *, field: str = "QQ", seed: int = 0,
                 ideal: IdealResult | None = None, m2: Macaulay2 | None = None) -> list[Verdict]:
    """Every convention and variant of every named conjecture (what a sweep stores)."""
    out = []
    for name in names:
        conj = CONJECTURES.get(name)
        combos = [(None, None)] if conj is None else itertools.product(conj.conventions, conj.variants)
        for convention, variant in combos:
            out.append(check(variety, conjecture=name, rank_convention=convention, variant=variant,
                             field=field, seed=seed, ideal=ideal, m2=m2))
    return out
