"""Conjecture 6.1 at the frontier: interpolation by orbits, the comparison of ideal(C) with J^A by
linear algebra (against Macaulay2), certified counterexamples, degraded verdicts, small primes,
`auto` that does not wait for ker, and pieces on Dask. Real Macaulay2, no mocks."""

import json
from collections import Counter

import pytest

from m2bridge import InputError, check, pattern_ideal
from m2bridge.conjectures.base import CaseCheck
from m2bridge.conjectures.certify import lift_to_rationals
from m2bridge.conjectures.compare import compare_ideals, contained_in_variety, not_vanishing
from m2bridge.conjectures.graded import compare_pieces
from m2bridge.conjectures.statements import STATEMENTS
from m2bridge.ideals.options import IdealOptions
from m2bridge.ideals.solvers import RaceSolver
from m2bridge.macaulay2.process import Macaulay2
from m2bridge.varieties.field import Field
from m2bridge.varieties.interpolate import InterpolationError, interpolate_ideal
from m2bridge.varieties.model import PatternVariety
from m2bridge.varieties.orbits import Symmetry, is_invariant, rename_polynomial
from m2bridge.varieties.polynomials import parse_polynomial_text, polynomial_context

from conftest import run_cli


def same_ideal_through_degree(a, b):
    """Two interpolations agree: graded dimensions, generator counts, each one's generators in the other."""
    assert a.graded_dims == b.graded_dims and a.mingens_by_degree == b.mingens_by_degree
    assert all(b.contains(g) for g in a.generators) and all(a.contains(g) for g in b.generators)


# --- orbits -------------------------------------------------------------------------------------

@pytest.mark.parametrize("arch, pattern, bias, degree", [
    ("3,3,3", "110|011", False, 4),  # rows, columns and the transposition
    ("3,2,3", "10|01", False, 4),
    ("2,2,2", "10|01", True, 3),  # bias: the constant column stays, no transposition
    ("3,3,3", "110|011|101", False, 3),
    ("2,2,2,2", "10/11|11/01", False, 4),  # deep: transposition with the two blocks swapped
    ("2,2,3", "10|11", False, 3),  # n0 != n2: no transposition
    ("2,2,2", "00|10", False, 3),  # a zero block: linear generators
    ("3,3,3", "000|011", False, 4),
    ("2,2,3,2", "00/110|11/011", False, 3),  # deep, a zero layer in block 1
])
def test_orbit_reduction_matches_the_plain_computation(arch, pattern, bias, degree):
    variety = PatternVariety(arch, pattern, bias)
    by_orbits = interpolate_ideal(variety, max_degree=degree)
    plain = interpolate_ideal(variety, max_degree=degree, symmetry=False)
    same_ideal_through_degree(by_orbits, plain)
    assert by_orbits.multidegrees < plain.multidegrees
    assert len(by_orbits.pieces) == len([md for md in plain.pieces if plain.pieces[md].dim])


def test_renamed_pieces_are_pieces_of_the_ideal():
    """A renamed generator vanishes on the parametrization exactly (the symmetry is one of V_A)."""
    result = interpolate_ideal("2,2,2,2", "10/11|11/01", max_degree=2)
    symmetry = result.symmetry
    assert symmetry.transpose == (1, 0)
    lifted = [lift_to_rationals(q, result.prime) for q in result.generators]
    for g in symmetry.generators():
        assert contained_in_variety(result.variety, [rename_polynomial(q, g) for q in lifted]) == []


# --- comparison by linear algebra against Macaulay2 ----------------------------------------------

def families(name, arch, pattern, convention=None, variant=None):
    variety = PatternVariety(arch, pattern)
    case = CaseCheck(variety, IdealOptions())
    stmt = STATEMENTS[name]
    ctx = polynomial_context(variety.variable_names, Field(0))
    fams, _ = stmt.families(variety, ctx, *stmt.reading(convention, variant), case)
    return variety, [p for _, _, ps in fams for p in ps]


@pytest.mark.m2
@pytest.mark.parametrize("name, arch, pattern, variant", [
    ("shallow-two-block", "2,2,2", "10|11", None),
    # Macaulay2's side of the (3,3,3) comparison takes most of a minute.
    pytest.param("shallow-two-block", "3,3,3", "110|011", None, marks=pytest.mark.slow),
    ("shallow-two-block", "2,3,2", "111|100", "union"),
    ("deep-two-block", "2,2,2,2", "11/10|01/11", None),  # misses det M1 and det M2
    ("deep-two-block", "2,3,2,3", "110/11|011/10", None),
    ("mine", "2,2,2", "10|01|11", None),
    ("single-block", "3,2,3", "10", None),
    ("shallow-two-block", "3,3,3", "000|011", None),  # M1 = 0: pieces read modulo its coordinates
    ("mine", "2,3,2", "000|110|011", None),
])
def test_linear_algebra_agrees_with_macaulay2(name, arch, pattern, variant):
    variety, candidates = families(name, arch, pattern, variant=variant)
    ker = pattern_ideal(variety, method="ker")
    inside = [c for c in candidates if c not in not_vanishing(variety, candidates, Field(0))]
    through = max(ker.mingens_degrees)
    pieces = interpolate_ideal(variety, max_degree=through)
    assert pieces.graded_dims == ker.graded_dims
    by_pieces = compare_pieces(pieces, inside)
    missing, _ = compare_ideals(variety, Field(0), ker.generators, inside, 0, Macaulay2())
    assert Counter(e.degree for e in by_pieces.extras) == Counter(int(m.total_degree()) for m in missing)
    # The extras of one comparison complete ideal(C) to J^A for the other: each of Macaulay2's is in
    # J^A, and ideal(C) plus the extras found by linear algebra generate every piece.
    again = compare_pieces(pieces, inside + [e.poly for e in by_pieces.extras])
    assert again.holds and all(pieces.contains(m) for m in missing)


def test_invariance_of_a_statement_decides_the_orbit_shortcut():
    variety, candidates = families("shallow-two-block", "4,4,4", "1100|0110")
    symmetry = Symmetry(variety)
    assert is_invariant(symmetry, candidates)
    assert not is_invariant(symmetry, candidates[1:])  # one 3-minor of M1 dropped


# --- certified counterexamples and degraded verdicts ----------------------------------------------

@pytest.mark.m2
@pytest.mark.slow  # 17 s: the certificates of 40 quartics over QQ
def test_the_n1_reading_misses_40_certified_quartics():
    """(4,4,4) `1100|0110`, item 3 with n1: every one of the 40 quartic generators outside ideal(C) is
    lifted to QQ, vanishes on the parametrization exactly and lies outside ideal(C) exactly."""
    v = check("4,4,4", "1100|0110", "shallow-two-block", max_degree=4)
    assert v.outcome == "fails" and v.generates is False and v.complete is True
    assert [(e["degree"], e["count"], e["certified"]) for e in v.extra_generators] == [(4, 40, True)]
    assert v.certificate.startswith("counterexample") and v.method == "interpolate<=4"
    assert v.comparison.startswith("linear algebra over GF(")
    # Independently of the certificate: the listed polynomials are over QQ and vanish exactly.
    variety = PatternVariety("4,4,4", "1100|0110")
    ctx = polynomial_context(variety.variable_names, Field(0))
    extras = [parse_polynomial_text(p, ctx) for p in v.extra_generators[0]["polynomials"]]
    assert contained_in_variety(variety, extras) == []
    union = check("4,4,4", "1100|0110", "shallow-two-block", variant="union", max_degree=4, certify_timeout=5)
    assert union.outcome == "holds" and union.extra_generators == [] and union.proof == "inheritance"
    bounded = check("4,4,4", "1100|0110", "shallow-two-block", variant="union", max_degree=4, certify_timeout=1e-6)
    assert bounded.outcome == "holds through degree 4" and bounded.extra_generators == []
    assert bounded.certificate == "ideal(C) = J^A in every degree <= 4 (exact rank argument)"


@pytest.mark.m2
def test_a_secondary_step_that_runs_out_of_time_degrades_the_verdict():
    failing = check("4,4,4", "1100|0110", "shallow-two-block", max_degree=4, certify_timeout=1e-6)
    assert failing.outcome == "holds through degree 3" and failing.generates is None and not failing.complete
    assert [(e["degree"], e["count"], e["certified"]) for e in failing.extra_generators] == [(4, 40, False)]
    assert any("none certified" in n for n in failing.notes)
    holding = check("3,3,3", "110|011", "shallow-two-block", method="interpolate", max_degree=3, certify_timeout=1e-6)
    assert holding.outcome == "holds through degree 3" and not holding.complete
    assert any("were spent" in n for n in holding.notes)
    proved = check("3,3,3", "110|011", "shallow-two-block", method="interpolate", max_degree=3)
    assert proved.outcome == "holds" and proved.complete and proved.proof == "degree"


@pytest.mark.m2
def test_a_finite_field_verdict_is_decided_over_that_field():
    v = check("2,2,2,2", "11/10|01/11", "deep-two-block", field="ZZ/32003", max_degree=3)
    assert v.generates is False and v.complete
    assert [(e["degree"], e["count"], e["certified"]) for e in v.extra_generators] == [(2, 2, True)]


# --- small primes ---------------------------------------------------------------------------------

def test_a_prime_too_small_is_refused_with_one_clear_error():
    with pytest.raises(InterpolationError, match="prime 2: too small") as info:
        interpolate_ideal("2,2,2", "10|11", max_degree=2, prime=2)
    assert isinstance(info.value, InputError) and info.value.parameter == "prime"
    with pytest.raises(InputError, match="prime 5"):
        interpolate_ideal("2,2,2", "10|11", max_degree=3, prime=5)


@pytest.mark.m2
def test_a_small_prime_takes_enough_points():
    """Over GF(5) through degree 2 and GF(7) through degree 3 the answer is Macaulay2's (2 quadrics),
    with an error bound far below 1 %: enough extra points, not 6."""
    for prime, degree in ((5, 2), (7, 3), (11, 4)):
        found = interpolate_ideal("2,2,2", "10|11", max_degree=degree, prime=prime)
        ker = pattern_ideal("2,2,2", "10|11", field=f"ZZ/{prime}", method="ker", max_degree=degree)
        assert found.mingens_by_degree == ker.mingens_by_degree and found.graded_dims == ker.graded_dims
        assert found.error_bound < 1e-9


def test_cli_small_prime_exit_2():
    done = run_cli("ideal", "--arch", "2,2,2", "--pattern", "10|11", "--method", "interpolate",
                   "--max-degree", "3", "--prime", "2")
    assert done.returncode == 2, done.stderr
    assert "--prime 2: too small" in done.stderr and "Traceback" not in done.stderr
    for method in ("interpolate", "auto"):  # the prime came from --field: the message names --field
        done = run_cli("ideal", "--arch", "2,2,2", "--pattern", "10|11", "--method", method,
                       "--max-degree", "3", "--field", "ZZ/5")
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "--field ZZ/5: too small" in done.stderr and "--prime" not in done.stderr
    done = run_cli("ideal", "--arch", "2,2,2", "--pattern", "10|11", "--method", "interpolate",
                   "--max-degree", "2", "--field", "ZZ/5", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["mingens_by_degree"] == {"1": 0, "2": 2} and out["interpolation_error_bound"] < 0.01


# --- auto and ker ---------------------------------------------------------------------------------

@pytest.mark.m2
def test_auto_does_not_wait_for_ker_once_interpolation_has_answered():
    solver = RaceSolver()
    result = solver.solve(PatternVariety("4,4,4", "1100|0110"), IdealOptions(method="auto", max_degree=3))
    assert result.method == "interpolate" and not result.complete
    assert result.pieces.max_degree == 3
    # With an explicit ker budget, auto waits for ker's complete answer.
    waited = RaceSolver().solve(PatternVariety("2,2,2", "10|11"),
                                IdealOptions(method="auto", max_degree=4, ker_timeout=120))
    assert waited.method == "ker" and waited.complete


@pytest.mark.m2
def test_cli_conjecture_says_which_method_decided():
    done = run_cli("conjecture", "--arch", "4,4,4", "--pattern", "1100|0110", "--max-degree", "4", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["method"] == "interpolate<=4" and out["complete"] is True and out["outcome"] == "fails"
    assert all(e["certified"] for e in out["extra_generators"])


# --- Dask ------------------------------------------------------------------------------------------

@pytest.mark.dask
def test_pieces_on_dask_match_the_local_pool(dask_client):
    from m2bridge.varieties.runners import DaskRunner

    local = interpolate_ideal("3,3,3", "110|011", max_degree=4, workers=2)
    on_dask = interpolate_ideal("3,3,3", "110|011", max_degree=4, workers=DaskRunner(dask_client))
    same_ideal_through_degree(local, on_dask)


def test_certification_refuses_what_is_not_a_counterexample():
    """A candidate in ideal(C), or one that does not vanish on V_A, is never certified."""
    from m2bridge.conjectures.certify import certify_extras
    from m2bridge.conjectures.graded import Extra

    variety, candidates = families("shallow-two-block", "3,3,3", "110|011")
    m = polynomial_context(variety.variable_names, Field(0)).gens()
    gf = polynomial_context(variety.variable_names, Field(2**31 - 1))
    to_gf = lambda q: gf.from_dict({e: int(c) for e, c in q.to_dict().items()})  # noqa: E731
    not_in_j = m[0] * m[4] * m[8] - m[1] * m[3] * m[8]
    extras = [Extra(((2, 1, 1), (2, 1, 1)), to_gf(candidates[0] * m[0])),  # det M1 · m_(1,1,1)
              Extra(((1, 1, 1), (1, 1, 1)), to_gf(not_in_j))]
    certify_extras(variety, extras, candidates, Field(0))
    assert [e.certified for e in extras] == [False, False]
    assert "lies in ideal(C)" in extras[0].reason and "does not vanish" in extras[1].reason


@pytest.mark.m2
@pytest.mark.parametrize("method", ["interpolate", "auto"])
def test_sweeps_of_conjectures_accept_the_ideal_methods(method):
    from m2bridge.sweeps.casefile import SweepSpec
    from m2bridge.sweeps.store import InMemoryCaseStore
    from m2bridge.sweeps.sweep import run_sweep

    spec = SweepSpec.from_text(f"""
[sweep]
name = "frontier-{method}"
compute = ["conjectures"]
conjectures = ["shallow-two-block"]
method = "{method}"
max_degree = 3
ker_timeout = 30
[[sweep.family]]
architectures = ["2,2,2"]
blocks = 2
""", "frontier.toml")
    store = InMemoryCaseStore()
    summary = run_sweep(spec, store, workers=2)
    assert summary.failed == 0 and summary.computed == summary.tasks
    verdicts = [v for r in store.records() if r.computation.startswith("conjectures:") for v in r.result["verdicts"]]
    generation = [v for v in verdicts if v["claim"] == "generation"]
    assert generation and all(v["outcome"] in ("holds", "holds through degree 3") for v in generation)
    assert all(v["complete"] == (v["outcome"] == "holds") for v in generation)
    if method == "auto":  # ker finishes on (2,2,2): every verdict is complete
        assert all(v["outcome"] == "holds" and v["method"] == "ker" for v in generation)
