"""The ladder of certificates of generation (conjectures/certificates.py, docs/certificates.md): each
rung where it must prove ideal(C) = J^A and where it must refuse, a rung never certifying a C that
does not generate, the `proof` field of verdicts, and the named cases from the command line."""

from __future__ import annotations

import glob
import json
import os
import tempfile
from types import SimpleNamespace

import pytest

from m2bridge.conjectures.base import CaseCheck
from m2bridge.conjectures.certificates import (
    RUNGS, Ambient, Classical, GenerationTask, Prime, Serre, prove_generation,
)
from m2bridge.conjectures.classical import classical_dimension
from m2bridge.conjectures.statements import STATEMENTS
from m2bridge.conjectures.verdict import PROOFS, Verdict, proof_of
from m2bridge.ideals.options import IdealOptions
from m2bridge.reports.conjecture_results import _orbit, results_markdown
from m2bridge.varieties.field import Field
from m2bridge.varieties.jacobian import jacobian_dim
from m2bridge.varieties.model import PatternVariety
from m2bridge.varieties.polynomials import coordinate_matrices, minors, polynomial_context

from conftest import run_cli


def task_for(arch, pattern, statement="shallow-two-block", variant="union", keep=None, rank=None, budget=60.0):
    """The ladder's task for a statement's families on a case (only the families named in `keep`)."""
    variety = PatternVariety(arch, pattern)
    ctx = polynomial_context(variety.variable_names, Field(0))
    stmt = STATEMENTS[statement]
    convention = "literal" if "literal" in stmt.conventions else None
    fams, _ = stmt.families(variety, ctx, convention, variant if variant in stmt.variants else None,
                            CaseCheck(variety, IdealOptions()))
    if keep is not None:
        fams = [f for f in fams if any(f[0].endswith(k) for k in keep)]
    candidates = [p for _, _, ps in fams for p in ps]
    rank = jacobian_dim(variety).dim if rank is None else rank
    return GenerationTask(variety, candidates, fams, rank, budget=budget)


# --- pure Python: ambient and classical --------------------------------------------------------------

def test_ambient_proves_when_the_jacobian_rank_fills_the_space():
    task = task_for("2,4,4", "0111|1011")
    assert task.jacobian_rank == task.n_coordinates == 16 and task.candidates == []
    attempt = Ambient().run(task)
    assert attempt.proved and attempt.kind == "ambient"
    assert Ambient().applies(task_for("2,2,2", "10|11")) is not None  # rank 6 < 8 coordinates


@pytest.mark.parametrize("arch, pattern, dim", [
    ("4,4,4", "0011|1111", 24),  # 3-minors of M1 and of M1 − M2 (coordinates M1, M1 − M2)
    ("4,4,4", "0111|1111", 22),  # det M1 and the 2-minors of M1 − M2
    ("5,5,5", "00000|00111", 21),  # a zero block plus one generic block
    ("3,4,4", "0011|1111", 20),
])
def test_classical_proves_sums_of_generic_determinantal_ideals(arch, pattern, dim):
    task = task_for(arch, pattern)
    attempt = Classical().run(task)
    assert attempt.proved, attempt.notes
    assert classical_dimension(task.families, task.n_coordinates) == (dim, "") and task.jacobian_rank == dim


@pytest.mark.parametrize("arch, pattern", [("3,4,5", "0011|1111"), ("3,5,5", "00011|01111")])
def test_classical_proves_with_a_part_of_c(arch, pattern):
    # C also has nonzero 5-minors of [M1|M2] (entries dependent on M1's): the whole C is not classical,
    # but the 3-minors of M1 and of M1 − M2 alone are, of the Jacobian dimension 24 (K ⊆ ideal(C) ⊆ J^A)
    task = task_for(arch, pattern)
    assert classical_dimension(task.families, task.n_coordinates)[0] is None
    attempt = Classical().run(task)
    assert attempt.proved, attempt.notes
    assert "(3)-minors of M1, (3)-minors of M1 - M2 of C alone" in attempt.certificate
    assert task.jacobian_rank == 24


def test_classical_part_needs_the_jacobian_dimension():
    # the 3-minors of M1 and of M1 − M2 without the rest: the same K, proved; the 3-minors of M1 alone
    # (dimension 30 − 3 = 27 > 24) and a rank that K does not reach refuse
    assert Classical().run(task_for("3,4,5", "0011|1111", keep=["minors of M1", "minors of M1 - M2"])).proved
    assert not Classical().run(task_for("3,4,5", "0011|1111", keep=["minors of M1", "of [M1|M2]"])).proved
    assert not Classical().run(task_for("3,4,5", "0011|1111", rank=23)).proved


def test_classical_refuses_what_does_not_fit():
    # det M1, det M2, det(M1 − M2): the entries of M1, M2, M1 − M2 are dependent
    refused = Classical().run(task_for("3,3,3", "110|011"))
    assert not refused.proved and "linearly dependent" in refused.notes[0]
    # concatenation minors that are nonzero: refuse
    assert not Classical().run(task_for("3,3,4", "011|101")).proved
    # a family that is not minors of a known matrix
    task = task_for("4,4,4", "0011|1111")
    task.families = [(name, size, list(polys)) for name, size, polys in task.families]
    assert "not a family of minors" in Classical().run(task).notes[0]


def test_classical_never_certifies_a_c_that_does_not_generate():
    # only the 3-minors of M1: a prime ideal, but of dimension 28 > dim V_A = 24
    task = task_for("4,4,4", "0011|1111", keep=["minors of M1"])
    attempt = Classical().run(task)
    assert not attempt.proved and "dimension 28, not the Jacobian rank 24" in attempt.notes[0]


def test_classical_sees_through_redundant_families():
    variety = PatternVariety("2,2,2", "11|10")
    ctx = polynomial_context(variety.variable_names, Field(0))
    M1, M2 = coordinate_matrices(variety, ctx)
    minus = [[-x for x in row] for row in M1]
    n = len(variety.variable_names)
    # 2-minors of −M1 are those of M1 (a scalar multiple): one prime ideal, dim 8 − 1
    assert classical_dimension([("a", 2, minors(M1, 2)), ("b", 2, minors(minus, 2))], n) == (7, "")
    # 1-minors of M2 kill the M2 half of [M1|M2]; its 2-minors reduce to those of M1
    wide = [r1 + r2 for r1, r2 in zip(M1, M2)]
    assert classical_dimension([("c", 1, minors(M2, 1)), ("d", 2, minors(wide, 2))], n) == (3, "")


# --- Macaulay2 rungs ---------------------------------------------------------------------------------

@pytest.mark.m2
def test_prime_proves_and_refuses():
    assert Prime().run(task_for("3,3,3", "110|011")).proved
    # det M1 and det M2 only: prime, but of dimension 16 > 15
    attempt = Prime().run(task_for("3,3,3", "110|011", keep=["minors of M1", "minors of M2"]))
    assert not attempt.proved and "differs from the Jacobian rank 15" in attempt.notes[0]


@pytest.mark.m2
def test_serre_proves_a_complete_intersection_with_r1():
    attempt = Serre().run(task_for("3,3,3", "110|011"))
    assert attempt.proved, attempt.notes
    assert "complete intersection" in attempt.certificate


@pytest.mark.m2
def test_serre_refuses_without_r1_and_at_the_wrong_dimension():
    task = task_for("3,3,3", "110|011")
    det1, det2 = task.families[0][2][0], task.families[1][2][0]
    # (det M1 · det M2): a complete intersection of dimension 17, singular along det M1 = det M2 = 0
    # (codimension 1 in it), and not prime: R1 must fail
    reducible = GenerationTask(task.variety, [det1 * det2], [], 17)
    attempt = Serre().run(reducible)
    assert not attempt.proved and "R1 not shown" in attempt.notes[0]
    short = task_for("3,3,3", "110|011", keep=["minors of M1", "minors of M2"])
    assert "differs from the Jacobian rank" in Serre().run(short).notes[0]


@pytest.mark.m2
def test_the_ladder_never_certifies_families_that_do_not_generate():
    """(2,2,2,2) `11/10|01/11`: the deep theorem's families lie in J^A but miss det M1 and det M2."""
    task = task_for("2,2,2,2", "11/10|01/11", statement="deep-two-block", budget=30)
    attempt = prove_generation(task)
    assert not attempt.proved and attempt.kind == "none"
    assert {n.split(":")[0] for n in attempt.notes} <= {r.kind for r in RUNGS}


@pytest.mark.m2
def test_a_rung_out_of_time_is_a_note_and_keeps_no_script():
    for rung in (Prime(), Serre()):
        attempt = rung.run(task_for("3,3,3", "110|011", budget=1e-6))
        assert not attempt.proved and "did not finish" in attempt.notes[0]
    # the note names no script, so none is kept
    assert glob.glob(os.path.join(tempfile.gettempdir(), "m2bridge-*")) == []


# --- the proof field --------------------------------------------------------------------------------

def test_proof_vocabulary_is_checked_and_old_records_are_derived():
    assert set(PROOFS) >= {"ker", "ambient", "classical", "prime", "serre", "degree", "rank-through-degree",
                           "certified-counterexample", "none"}
    with pytest.raises(ValueError):
        Verdict("s", "generation", None, None, applies=True, proof="guess")
    old = {"claim": "generation", "applies": True, "contained": True, "complete": True, "generates": True}
    assert proof_of(dict(old, method="ker")) == "ker"
    assert proof_of(dict(old, method="interpolate<=5")) == "prime"  # before the ladder: only isPrime
    assert proof_of(dict(old, generates=False, method="interpolate<=4")) == "certified-counterexample"
    assert proof_of(dict(old, complete=False, generates=None, checked_through_degree=5)) == "rank-through-degree"
    assert proof_of({"claim": "containment", "contained": True}) == "composition"
    assert proof_of(dict(old, proof="serre", certificate="ker (anything)")) == "serre"  # the field, not prose


def test_results_rows_read_the_proof_field():
    record = SimpleNamespace(case=SimpleNamespace(arch="3,3,3", pattern="110|011"))
    verdict = {"statement": "shallow-two-block", "claim": "generation", "rank_convention": "literal",
               "variant": "union", "outcome": "holds", "complete": True, "generates": True, "contained": True,
               "method": "certificate", "proof": "serre", "certificate": "ker (J^A generated in degree <= 3)"}
    proved = _orbit(record, verdict)
    assert proved["proved_by"] == "serre"
    bounded = _orbit(record, dict(verdict, outcome="holds through degree 5", complete=False, generates=None,
                                  checked_through_degree=5, proof="rank-through-degree",
                                  notes=["prime: Macaulay2 did not finish in 60 s"]))
    failed = _orbit(record, dict(verdict, outcome="fails", generates=False, proof="certified-counterexample",
                                 extra_generators=[{"degree": 4, "count": 40, "certified": True}]))
    results = {"sweep": "s", "statement": "shallow-two-block", "claim": "generation", "orbit_count": 3,
               "written": "now", "ideals": {}, "totals": {"literal, R1 ∪ R2": {"holds": 1}},
               "proofs": {"literal, R1 ∪ R2": {"serre": 1}}, "by_architecture": {}, "published": True,
               "verdicts": [proved, bounded, failed], "errors": [], "compute_seconds": {}}
    page = results_markdown(results, "T")
    assert "| serre |" in page or "1 serre" in page
    assert "| certified-counterexample |" in page  # the failure's row names its proof kind
    assert "holds through degree 5 (rank-through-degree). prime: Macaulay2 did not finish in 60 s." in page


# --- from the command line, default settings ----------------------------------------------------------

def _conjecture(arch, pattern):
    done = run_cli("conjecture", "--arch", arch, "--pattern", pattern, "--variant", "union", "--json", timeout=900)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.m2
@pytest.mark.parametrize("arch, pattern, proof", [("2,4,4", "0111|1011", "ambient"),
                                                  ("3,3,3", "110|011", "degree")])
def test_named_cases_hold_complete_with_default_settings(arch, pattern, proof):
    out = _conjecture(arch, pattern)
    assert out["outcome"] == "holds" and out["complete"] is True and out["proof"] == proof


@pytest.mark.m2
@pytest.mark.slow
@pytest.mark.parametrize("arch, pattern", [("3,3,4", "011|101")])
def test_bounded_orbits_of_the_table_are_proved_with_default_settings(arch, pattern):
    """ker does not finish on (3,3,4) `011|101` in 600 s; the ladder inherits generation from
    (3,3,3) `011|101` (r = |R1 ∪ R2| = 3 < n2 = 4), proved there by the degree count."""
    out = _conjecture(arch, pattern)
    assert out["outcome"] == "holds" and out["complete"] is True and out["proof"] == "inheritance"


# --- ker with the regraded source ring ---------------------------------------------------------------

@pytest.mark.m2
def test_regraded_ker_gives_the_ideal_the_certificates_prove():
    """Without bias, ker runs on a source ring graded so that the map is homogeneous; the ideal it
    returns (read back in the standard grading) is ideal(det M1, det M2, det(M1 − M2)), which the
    serre and prime rungs prove to be J^A on (3,3,3) `110|011`."""
    import flint

    from m2bridge import pattern_ideal

    task = task_for("3,3,3", "110|011")
    monomials = sorted({e for p in task.candidates for e in p.to_dict()})
    for field, modulus in (("QQ", 0), ("ZZ/32003", 32003)):
        result = pattern_ideal("3,3,3", "110|011", field=field)
        assert result.complete and result.dim == 15 and result.degree == 27 and result.mingens_degrees == [3, 3, 3]
        assert all(set(g.to_dict()) <= set(monomials) for g in result.generators)
        together = [[int(p.to_dict().get(m, 0)) for m in monomials] for p in task.candidates]
        together += [[g.to_dict().get(m, 0) for m in monomials] for g in result.generators]
        if modulus:
            rank = flint.nmod_mat([[int(x) % modulus for x in row] for row in together], modulus).rank()
        else:
            rank = flint.fmpq_mat(together).rank()
        assert rank == 3  # the three cubics of ker span the three determinants


# --- guards found by an independent review --------------------------------------------------------

def test_serre_refuses_generators_of_mixed_degrees():
    """(3,3,4) `011|101`: C holds cubics and quartics; det(P·Jac·Q) would not be homogeneous, and a
    zero-dimensional check over GF(p) would prove nothing over QQ."""
    attempt = Serre().run(task_for("3,3,4", "011|101"))
    assert not attempt.proved and attempt.notes == ["serre: C mixes the degrees [3, 4]: the R1 check needs "
                                                    "generators of one degree"]


def test_classical_counts_the_minors_and_refuses_a_size_below_one():
    variety = PatternVariety("3,3,3", "111|000")
    ctx = polynomial_context(variety.variable_names, Field(0))
    M1, _ = coordinate_matrices(variety, ctx)
    every = minors(M1, 2)
    one = type(every)([every[0]], M1, 2)  # a single 2-minor presented as the family of 2-minors
    n = len(variety.variable_names)
    assert classical_dimension([("2-minors of M1", 2, every)], n) == (14, "")  # 18 − (3 − 1)^2
    dim, reason = classical_dimension([("2-minors of M1", 2, one)], n)
    assert dim is None and "not every nonzero 2-minor" in reason
    dim, reason = classical_dimension([("0-minors of M1", 0, type(every)([], M1, 0))], n)
    assert dim is None and "needs a size >= 1" in reason
