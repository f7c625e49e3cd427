"""The ladder of certificates of generation (docs/certificates.md): arguments that prove
ideal(C) = J^A without computing J^A, tried from cheap to expensive, each within its own budget.

Every rung starts from two facts checked before it runs: C ⊆ J^A exactly (composition with the
parametrization), and the Jacobian rank of φ^A at one integer point reduced mod p, a lower bound for
dim V_A (a rank can only drop mod p, and a rank at a point is at most the generic rank). J^A is prime.
So dim ideal(C) >= dim J^A >= rank, and a rung proves ideal(C) = J^A by showing more about ideal(C).

Each rung is a small class in the registry RUNGS (after CVXPY's solver chain): `applies(task)` says
why it does not apply (None when it does), `run(task)` returns an `Attempt` (proved or not, the
certificate text, notes on what it could not show). A rung that runs out of time or fails in
Macaulay2 returns a note, never raises: the verdict degrades to what is proved.

- ambient: rank = number of coordinates, so J^A = 0 and C (inside it) is empty or zero.
- classical: ideal(C) a sum of generic determinantal ideals in disjoint variables (classical.py).
- inheritance: a shallow two-block case wider than r = |R1 ∪ R2| whose C holds the (r+1)-minors of
  the flattenings: generation there follows from generation on the network narrowed to r rows and
  columns (GL-stability of J^A, docs/certificates.md), proved by the ladder on that smaller case.
- degree: K points of a linear slice of V_A over GF(p), each checked with a preimage, against the GF(p)
  length N of R/(C + linear forms): K = N proves ideal(C) = J^A (slices.py; msolve).
- prime: ideal(C) prime (Macaulay2 isPrime) of dimension = rank.
- serre: R/ideal(C) Cohen–Macaulay and R1, homogeneous, of dimension = rank: normal, so a domain.

The ladder as a whole gets the budget (`IdealOptions.certify_budget`): each rung runs in what the
rungs before it left, so that a verdict asked "through degree 4" never waits for several full budgets.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..errors import M2Error, M2OutputError, M2TimeoutError
from ..ideals.options import IdealOptions
from ..ideals.runner import make_runner
from ..macaulay2.program import run_template
from ..macaulay2.protocol import encode_terms
from ..macaulay2.scripts import drop_kept_script
from ..varieties.field import Field
from ..varieties.jacobian import jacobian_dim
from ..varieties.model import ActivationPattern, Architecture, PatternVariety
from .certify import certify_generation
from .classical import classical_dimension, family_vectors
from .ranks import active_sets
from .slices import degree_certificate, two_block_ranks

# det(P·Jac·Q) elements of the ideal of c-minors of the Jacobian that the R1 check adds to ideal(C),
# and the prime of that check (one-sided: see templates/serre.m2.j2).
R1_MINORS = 4
R1_PRIME = 32003


@dataclass
class GenerationTask:
    """What the rungs know: the variety, C (over QQ, inside J^A), the statement's families (name,
    size, minors), the Jacobian rank, the budget (seconds) of each Macaulay2 rung, and the caller's
    options (memory cap, verbosity) and Macaulay2 (`m2`: its executable and script folder)."""

    variety: PatternVariety
    candidates: list
    families: list
    jacobian_rank: int
    seed: int = 0
    budget: float = 60.0
    options: IdealOptions = field(default_factory=IdealOptions)
    m2: object = None
    # The statement's families on another variety (the inheritance rung's smaller case); None: the
    # statement does not offer it.
    restate: Callable | None = None

    def runner(self):
        """A Macaulay2 with this rung's budget, started as the caller's would be."""
        return make_runner(self.options, self.m2, timeout=self.budget)

    def with_budget(self, seconds: float) -> "GenerationTask":
        return replace(self, budget=seconds)

    @property
    def n_coordinates(self) -> int:
        return len(self.variety.variable_names)


@dataclass
class Attempt:
    kind: str
    proved: bool
    certificate: str = ""
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


class Rung:
    kind = ""

    def applies(self, task: GenerationTask) -> str | None:
        return None

    def run(self, task: GenerationTask) -> Attempt:
        raise NotImplementedError

    def refuse(self, note: str) -> Attempt:
        return Attempt(self.kind, False, notes=[f"{self.kind}: {note}"])


class Ambient(Rung):
    kind = "ambient"

    def applies(self, task):
        if task.jacobian_rank != task.n_coordinates:
            return f"the Jacobian rank {task.jacobian_rank} is below the {task.n_coordinates} coordinates"
        return None

    def run(self, task):
        if any(c != 0 for c in task.candidates):
            return self.refuse("J^A = 0 but C has a nonzero polynomial (it cannot lie in J^A)")
        return Attempt(self.kind, True, f"Jacobian rank {task.jacobian_rank} = number of coordinates: V_A fills the "
                                        "space, J^A = 0, and C (empty or zero) generates it")


class Classical(Rung):
    kind = "classical"

    def run(self, task):
        vectors_of = _checked_once(task)
        dim, reason = classical_dimension(task.families, task.n_coordinates, vectors_of)
        if dim == task.jacobian_rank:
            return Attempt(self.kind, True, "C ⊆ J^A exactly; after a linear change of coordinates ideal(C) is a sum "
                                            "of generic determinantal ideals in disjoint variables (Eagon–Hochster), "
                                            f"so prime, of dimension {dim} = the Jacobian rank: ideal(C) = J^A")
        part = _classical_part(task, vectors_of)
        if part is not None:
            names = ", ".join(part)
            return Attempt(self.kind, True, f"C ⊆ J^A exactly; the families {names} of C alone generate, after a "
                                            "linear change of coordinates, a sum of generic determinantal ideals in "
                                            "disjoint variables (Eagon–Hochster): a prime K ⊆ ideal(C) ⊆ J^A of "
                                            f"dimension {task.jacobian_rank} = the Jacobian rank <= dim J^A, so "
                                            "K = J^A = ideal(C)")
        if dim is None:
            return self.refuse(reason)
        return self.refuse(f"ideal(C) is prime of dimension {dim}, not the Jacobian rank {task.jacobian_rank}")


def _checked_once(task: GenerationTask):
    """family_vectors, remembered per family: the rung tries many parts of one C, and comparing a
    family with every minor of its matrix is the costly step (seconds at width 6)."""
    checked: dict[int, tuple] = {}

    def vectors_of(family):
        if id(family) not in checked:
            checked[id(family)] = family_vectors(family, task.n_coordinates)
        return checked[id(family)]

    return vectors_of


def _classical_part(task: GenerationTask, vectors_of) -> list[str] | None:
    """The names of a proper part of C's families whose ideal K is classical of the Jacobian dimension,
    largest parts first; None when there is none. K ⊆ ideal(C) ⊆ J^A, K prime and dim K = rank <=
    dim J^A, so V(J^A) ⊆ V(K) are irreducible of one dimension: K = J^A, and ideal(C) between them."""
    families = [f for f in task.families if len(f[2])]
    for size in range(len(families) - 1, 0, -1):
        for part in itertools.combinations(families, size):
            if classical_dimension(list(part), task.n_coordinates, vectors_of)[0] == task.jacobian_rank:
                return [name for name, _, _ in part]
    return None


def _homogeneous_task(task: GenerationTask) -> str | None:
    if task.variety.bias:
        return "the coordinates of a network with bias are not all of degree 1"
    if not task.candidates:
        return "C is empty"
    return None


def _m2_facts(task: GenerationTask, template: str, promises: tuple, **extra):
    """The reply of a rung's template, or a note (str) when Macaulay2 did not answer."""
    try:
        return run_template(task.runner(), template, variables=task.variety.variable_names, promises=promises,
                            seed=task.seed, field=Field(0), coordinates=task.variety.coordinates,
                            generators=[encode_terms(g) for g in task.candidates], **extra).reply
    except M2TimeoutError as exc:
        drop_kept_script(exc)  # the note below is all that is told: a kept script would be litter
        return f"Macaulay2 did not finish in {task.budget:g} s"
    except (M2Error, M2OutputError) as exc:
        return f"Macaulay2 failed: {str(exc).splitlines()[0]}"


class Prime(Rung):
    kind = "prime"

    def run(self, task):
        proved, note = certify_generation(task.variety, task.candidates, task.jacobian_rank, seed=task.seed,
                                          runner=task.runner())
        if not proved:
            return self.refuse(note)
        return Attempt(self.kind, True, "C ⊆ J^A exactly, ideal(C) prime of the Jacobian dimension (Macaulay2 "
                                        "isPrime, dim): ideal(C) = J^A")


class Serre(Rung):
    kind = "serre"

    def applies(self, task):
        return _homogeneous_task(task)

    def run(self, task):
        # The R1 check adds det(P·Jac·Q) for random P, Q: with generators of several degrees the rows of
        # Jac have several degrees, such a determinant is not homogeneous, and "zero-dimensional over
        # GF(p)" then says nothing over QQ ((p·x·y − 1) is empty over GF(p), a curve over QQ).
        degrees = sorted({c.total_degree() for c in task.candidates})
        if len(degrees) > 1:
            return self.refuse(f"C mixes the degrees {degrees}: the R1 check needs generators of one degree")
        return self._run(task)

    def _run(self, task):
        reply = _m2_facts(task, "serre.m2.j2", ("homogeneous", "codim", "dim", "cm"), r1_minors=R1_MINORS, r1_prime=R1_PRIME)
        if isinstance(reply, str):
            return self.refuse(reply)
        if reply.one("homogeneous") != "true":
            return self.refuse("ideal(C) is not homogeneous")
        dim = reply.integer("dim")
        if dim != task.jacobian_rank:
            return self.refuse(f"dim ideal(C) = {dim} differs from the Jacobian rank {task.jacobian_rank}")
        if reply.one("cm") != "true":
            return self.refuse("Cohen–Macaulay not shown: not a complete intersection, and pdim R/in(ideal(C)) "
                               "exceeds the codimension")
        if reply.all("r1") != ["true"]:
            return self.refuse(f"R1 not shown: ideal(C), {R1_MINORS} combinations of Jacobian minors and dim − 2 "
                               f"linear forms are not zero-dimensional over GF({R1_PRIME}), or dim < 2")
        how = "a complete intersection" if reply.one("ci") == "true" else "R/in(ideal(C)) Cohen–Macaulay"
        return Attempt(self.kind, True, f"C ⊆ J^A exactly; R/ideal(C) is Cohen–Macaulay ({how}) and regular in "
                                        "codimension 1 (Jacobian criterion), so normal (Serre), a graded normal "
                                        f"domain: ideal(C) prime of dimension {dim} = the Jacobian rank: ideal(C) = J^A")


class Inheritance(Rung):
    """Generation inherited from the network narrowed to r = |R1 ∪ R2| output rows and input columns.

    J^A is stable under GL_{n2} × GL_{n0} (W2 ↦ g·W2, W1 ↦ W1·h) and lies over the rank-<= r locus
    of the flattenings [M1|M2] and [M1^T|M2^T]. In characteristic 0 the ideal of such a variety is
    generated by the (r+1)-minors of the flattening and the GL-translates of the ideal of its
    intersection with r rows (the isotypic components of a weight with at most r parts are spanned
    by highest weight vectors, which only involve the first r rows: Landsberg, Tensors: Geometry and
    Applications, §7.1, inheritance). That intersection is the pattern variety of the network with
    r outputs. So when C holds the (r+1)-minors of [M1|M2] (for n2 > r) and of [M1^T|M2^T] (for
    n0 > r), and C on the narrowed network generates its J^A, then ideal(C) contains every generator
    of J^A: C of the narrowed network consists of minors of submatrices of the same sizes, whose
    GL-translates lie in the ideal of all such minors, a family of C."""

    kind = "inheritance"

    def applies(self, task):
        if task.restate is None or two_block_ranks(task.variety) is None:
            return "not a shallow two-block statement"
        if _narrowed(task.variety) is None:
            return "n0 and n2 are at most |R1 ∪ R2|"
        return None

    def run(self, task):
        small = _narrowed(task.variety)
        r = len(small.pattern.blocks[0][0])
        n0, _, n2 = task.variety.arch.widths
        names = {name for name, _, polys in task.families}
        needed = ([f"({r + 1})-minors of [M1|M2]"] if n2 > r else []) + \
                 ([f"({r + 1})-minors of [M1^T|M2^T]"] if n0 > r else [])
        missing = [name for name in needed if name not in names]
        if missing:
            return self.refuse(f"C lacks the {', '.join(missing)} (r = |R1 ∪ R2| = {r})")
        families = [f for f in task.restate(small) if len(f[2])]
        foreign = [name for name, _, _ in families if name not in names]
        if foreign:
            return self.refuse(f"the narrowed network's families {foreign} are not families of C")
        candidates = [p for _, _, polys in families for p in polys]
        narrowed = GenerationTask(small, candidates, families, jacobian_dim(small, seed=task.seed).dim,
                                  seed=task.seed, budget=task.budget, options=task.options, m2=task.m2,
                                  restate=task.restate)
        inner = prove_generation(narrowed, tuple(r for r in RUNGS if r.kind != self.kind))
        label = f"({','.join(map(str, small.arch.widths))}) {small.pattern.text}"
        if not inner.proved:
            return self.refuse(f"generation on the narrowed network {label} is not proved")
        return Attempt(self.kind, True, f"C ⊆ J^A exactly; C holds the (r+1)-minors of the flattenings, r = "
                                        f"|R1 ∪ R2| = {r}; on the narrowed network {label} C generates J^A "
                                        f"({inner.kind}: {inner.certificate}); J^A and ideal(C) are GL_n2 × GL_n0-"
                                        "stable, so generation is inherited (Landsberg, Tensors, §7.1)")


def _narrowed(variety: PatternVariety) -> PatternVariety | None:
    """The two-block network with the neurons of R1 ∪ R2 only and min(n, r) inputs and outputs,
    r = |R1 ∪ R2|; None when it is the network itself (up to dead neurons) or r = 0."""
    n0, _, n2 = variety.arch.widths
    blocks = [block[0] for block in variety.pattern.blocks]
    R1, R2 = active_sets(variety)
    alive = sorted(R1 | R2)
    r = len(alive)
    if r == 0 or (n0 <= r and n2 <= r):
        return None
    pattern = "|".join("".join(str(block[i]) for i in alive) for block in blocks)
    arch = Architecture((min(n0, r), r, min(n2, r)))
    return PatternVariety(arch, ActivationPattern.parse(pattern).check(arch))


class Degree(Rung):
    kind = "degree"

    def applies(self, task):
        reason = _homogeneous_task(task)
        if reason is None and two_block_ranks(task.variety) is None:
            return "the preimage check is written for shallow two-block patterns"
        return reason

    def run(self, task):
        found = degree_certificate(task.variety, task.candidates, seed=task.seed, budget=task.budget,
                                   m2=task.runner())
        if not found.proved:
            return Attempt(self.kind, False, notes=[f"{self.kind}: {note}" for note in found.notes])
        return Attempt(self.kind, True, found.certificate)


# Cheap to expensive: the degree count is fast at the slice dimensions where it can finish at all.
RUNGS: tuple[Rung, ...] = (Ambient(), Classical(), Inheritance(), Degree(), Prime(), Serre())
RUNG_KINDS = tuple(r.kind for r in RUNGS)


def prove_generation(task: GenerationTask, rungs=RUNGS) -> Attempt:
    """The first rung that proves ideal(C) = J^A, or a refusal whose notes say what each rung did.
    The rungs share `task.budget`: each runs in what the ones before it left."""
    notes: list[str] = []
    deadline = time.perf_counter() + task.budget
    for rung in rungs:
        reason = rung.applies(task)
        if reason is not None:
            continue  # not applicable: nothing to report (e.g. ambient on every proper subvariety)
        left = deadline - time.perf_counter()
        if left < 1:
            notes.append(f"{rung.kind}: not tried, the certificates' {task.budget:g} s were spent")
            continue
        started = time.perf_counter()
        attempt = rung.run(task.with_budget(left))
        attempt.seconds = time.perf_counter() - started
        if attempt.proved:
            attempt.notes[:0] = notes
            return attempt
        notes += attempt.notes
    return Attempt("none", False, notes=notes)
