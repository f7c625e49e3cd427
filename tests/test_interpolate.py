"""Multigraded interpolation against the real Macaulay2 `ker`, plus the method plumbing."""

import json
from pathlib import Path

import flint
import pytest

from m2bridge import InputError, PatternVariety, pattern_ideal
from m2bridge.sweeps.casefile import SweepSpec
from m2bridge.varieties.field import INTERPOLATION_PRIME
from m2bridge.varieties.interpolate import interpolate_ideal, monomials_by_multidegree
from m2bridge.varieties.lift import LiftError, lift_generators, rational_reconstruction
from m2bridge.varieties.polynomials import polynomial_context

from clitools import invoke

ROOT = Path(__file__).resolve().parents[1]


def assert_agrees_with_ker(arch, pattern, bias=False, max_degree=None, timeout=120):
    """Graded dimensions and generator counts through the degree bound agree, and every generator
    of Macaulay2's ker (reduced mod p) lies in the interpolated pieces."""
    ker = pattern_ideal(arch, pattern, bias=bias, timeout=timeout, method="ker", max_degree=max_degree)
    through = max_degree or max(ker.mingens_degrees, default=1)
    found = interpolate_ideal(PatternVariety(arch, pattern, bias), max_degree=through)
    assert found.graded_dims == ker.graded_dims, (arch, pattern)
    assert found.mingens_by_degree == ker.mingens_by_degree, (arch, pattern)
    assert all(found.contains(g) for g in ker.generators if g.total_degree() <= through)
    return ker, found


def canonical_cases(case_file):
    plan = SweepSpec.load(ROOT / "cases" / case_file).plan()
    return sorted({(form.case.arch, form.case.pattern) for form in plan.cases.values()})


# A representative subset: shallow with drops and without, a deep case, generators in degrees 2-4.
REPRESENTATIVE = [
    ("2,2,2", "10|11"), ("2,2,2", "10|01"), ("3,2,3", "10|01"), ("2,3,2", "110|011"),
    ("3,3,3", "100|010"), ("2,2,2,2", "10/11|01/11"), ("2,2,3,2", "11/110|01/011"),
]


@pytest.mark.parametrize("arch, pattern", REPRESENTATIVE)
def test_interpolation_agrees_with_macaulay2_ker(arch, pattern):
    assert_agrees_with_ker(arch, pattern)


def test_representative_cases_come_from_the_case_files():
    shallow, deep = canonical_cases("two-block-shallow.toml"), canonical_cases("deep-two-block.toml")
    known = set(shallow) | set(deep)
    # Canonical forms may be written differently; each representative must at least have its
    # architecture in one of the two sweeps.
    assert {a for a, _ in REPRESENTATIVE} <= {a for a, _ in known}
    assert len(shallow) == 84 and len(deep) == 335


def test_bias_and_a_degree_beyond_the_generators():
    ker, found = assert_agrees_with_ker("2,2,2", "10|01", bias=True, max_degree=3)
    assert found.graded_dims[3] > 0


@pytest.mark.slow
@pytest.mark.parametrize("case_file", ["two-block-shallow.toml"])
def test_every_case_where_ker_finishes(case_file):
    from m2bridge.errors import M2TimeoutError

    checked = 0
    for arch, pattern in canonical_cases(case_file):
        try:
            assert_agrees_with_ker(arch, pattern, timeout=30)
            checked += 1
        except M2TimeoutError:
            continue
    assert checked >= 80


def test_3_3_3_two_blocks_has_the_three_determinants():
    """The two-block theorem for `110|011`: det M1, det M2, det(M1 − M2) and nothing below degree 4."""
    found = interpolate_ideal("3,3,3", "110|011", max_degree=4)
    assert found.mingens_by_degree == {1: 0, 2: 0, 3: 3, 4: 0}
    ctx = polynomial_context(found.variety.variable_names, found.field)
    m = dict(zip(found.variety.variable_names, ctx.gens()))
    M1 = [[m[f"m_(1,{i},{j})"] for j in (1, 2, 3)] for i in (1, 2, 3)]
    M2 = [[m[f"m_(2,{i},{j})"] for j in (1, 2, 3)] for i in (1, 2, 3)]
    det = lambda A: (A[0][0] * (A[1][1] * A[2][2] - A[1][2] * A[2][1]) - A[0][1] * (A[1][0] * A[2][2] - A[1][2] * A[2][0])
                     + A[0][2] * (A[1][0] * A[2][1] - A[1][1] * A[2][0]))
    D = [[M1[i][j] - M2[i][j] for j in range(3)] for i in range(3)]
    assert all(found.contains(f) for f in (det(M1), det(M2), det(D)))
    assert not found.contains(det(M1) + M1[0][0] ** 3)


def test_zero_block_gives_linear_generators():
    """A block with an all-zero hidden layer has M_b = 0: its coordinates are linear generators."""
    ker, found = assert_agrees_with_ker("2,2,2", "00|10", max_degree=2)
    assert found.mingens_by_degree == {1: 4, 2: 1}
    # Degree 2: the 36 monomials minus the 10 in the four nonzero variables, plus det M_2.
    assert found.graded_dims[2] == 36 - 10 + 1


def test_monomials_by_multidegree_partition_all_monomials():
    groups = monomials_by_multidegree(PatternVariety("3,3,3", "110|011"), 3)
    assert sum(len(g) for g in groups.values()) == 1140  # C(18 + 3 - 1, 3)
    assert groups[((1, 1, 1), (1, 1, 1))].shape == (48, 3)


def test_kernel_is_in_reduced_form_on_the_non_pivot_columns():
    """`_kernel` (FLINT's nullspace, only its nullity columns converted) gives the basis built from
    the rref: 1 at each non-pivot column, 0 at the other non-pivot columns, -rref at the pivots."""
    import numpy as np
    from m2bridge.varieties.interpolate import _kernel, _rref

    p = 2**31 - 1
    rng = np.random.default_rng(1)
    for rows, rank, n in [(12, 5, 9), (9, 9, 9), (4, 0, 6), (10, 7, 7)]:
        E = (rng.integers(0, 1000, size=(rows, rank)) @ rng.integers(0, 1000, size=(rank, n))) % p
        E[:, 2 % n] = 0  # a zero column is always free
        basis, free = _kernel(E, p)
        reduced, pivots = _rref(E, p)
        expected_free = np.setdiff1d(np.arange(n), pivots)
        expected = np.zeros((len(expected_free), n), dtype=np.int64)
        expected[np.arange(len(expected_free)), expected_free] = 1
        expected[:, pivots] = (-reduced[:, expected_free].T) % p
        assert np.array_equal(free, expected_free) and np.array_equal(basis, expected)
        assert not np.any(np.array([[int(x) for x in r] for r in (E.astype(object) @ basis.T.astype(object)) % p]))


def test_process_pool_and_second_prime_give_the_same_answer():
    serial = interpolate_ideal("2,3,2", "110|011", max_degree=4)
    pooled = interpolate_ideal("2,3,2", "110|011", max_degree=4, workers=2)
    assert (serial.graded_dims, serial.mingens_by_degree) == (pooled.graded_dims, pooled.mingens_by_degree)
    assert [str(g) for g in serial.generators] == [str(g) for g in pooled.generators]
    rechecked = pattern_ideal("2,3,2", "110|011", method="interpolate", max_degree=4, recheck_prime=1000003)
    assert rechecked.graded_dims == serial.graded_dims


def test_lift_reconstructs_and_refuses_a_polynomial_outside_the_ideal():
    found = interpolate_ideal("2,2,2", "10|11", max_degree=2)
    lifted = lift_generators(found)
    assert all(isinstance(g, flint.fmpq_mpoly) for g in lifted)
    assert rational_reconstruction(2 * pow(7, -1, 1000003) % 1000003, 1000003) == flint.fmpq(2, 7)
    x = found.generators[0].context().gens()
    found.generators[0] = x[0] * x[3] - x[1] * x[2] + x[4] * x[7]  # not in J^A
    with pytest.raises(LiftError):
        lift_generators(found)


def test_auto_returns_a_certified_interpolation_before_ker():
    result = pattern_ideal("3,3,3", "110|011", method="auto", max_degree=3, lift=True)
    assert result.method == "interpolate" and result.complete and result.checked_through_degree is None
    assert (result.dim, result.degree) == (15, 27)


def test_auto_falls_back_to_interpolation_when_ker_runs_out_of_time():
    result = pattern_ideal("3,3,3", "110|011|101", method="auto", max_degree=3, timeout=1)
    assert result.method == "interpolate" and not result.complete
    assert result.checked_through_degree == 3 and result.field.prime == INTERPOLATION_PRIME


def test_auto_without_degree_bound_is_macaulay2():
    assert pattern_ideal("2,2,2", "10|11", method="auto").method == "ker"


def test_cli_interpolate_json():
    done = invoke("ideal", "--arch", "3,3,3", "--pattern", "110|011", "--method", "interpolate",
                   "--max-degree", "4", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["graded_dims"] == {"1": 0, "2": 0, "3": 3, "4": 54}
    assert out["mingens_by_degree"] == {"1": 0, "2": 0, "3": 3, "4": 0}
    assert out["complete"] is False and out["checked_through_degree"] == 4
    assert out["method"] == "interpolate" and out["dim"] == 15 and out["interpolation_error_bound"] < 1e-12


def test_cli_ker_json_has_graded_dims_too():
    done = invoke("ideal", "--arch", "2,2,2", "--pattern", "10|11", "--method", "m2", "--json")
    out = json.loads(done.stdout)
    assert out["graded_dims"] == {"1": 0, "2": 2} and out["complete"] is True
    assert out["checked_through_degree"] is None


@pytest.mark.parametrize("args, message", [
    (["--method", "interpolate"], "--max-degree"),
    (["--method", "interpolate", "--max-degree", "2", "--field", "ZZ/32003", "--lift"], "--lift"),
    (["--method", "interpolate", "--max-degree", "2", "--prime", "12"], "not a prime"),
    (["--method", "interpolate", "--max-degree", "2", "--certify"], "--lift"),
])
def test_cli_bad_input_is_one_line_exit_2(args, message):
    done = invoke("ideal", "--arch", "2,2,2", "--pattern", "10|11", *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr


def test_data_is_refused_by_interpolation():
    with pytest.raises(InputError, match="grading"):
        pattern_ideal("2,2,2", "10", data=[[1, 2], [3, 4]], method="interpolate", max_degree=2)
