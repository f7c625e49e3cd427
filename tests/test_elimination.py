"""The blocked BLAS elimination against FLINT's nmod_mat (the reference), on random and real pieces;
the exact matching of monomial keys."""

import flint
import numpy as np
import pytest

from m2bridge import InputError
from m2bridge.varieties import elimination, pieces
from m2bridge.varieties.interpolate import _plan, interpolate_ideal
from m2bridge.varieties.model import PatternVariety
from m2bridge.varieties.orbits import Symmetry
from m2bridge.varieties.parametrization import sample_image

SMALL_PRIME = 4194301  # below 2^22: one BLAS product per panel
LARGE_PRIME = 2**31 - 1  # 16-bit halves


def _flint_only(E, p):
    X, nullity = flint.nmod_mat(flint.fmpz_mat(E.tolist()), p).nullspace()
    n = E.shape[1]
    full = np.array([int(x) for x in X.entries()], dtype=np.int64).reshape(n, n)[:, :nullity].T
    free = n - 1 - (full[:, ::-1] != 0).argmax(axis=1) if nullity else np.zeros(0, dtype=np.int64)
    return full.reshape(nullity, n), free


def low_rank(rng, m, n, rank, p):
    """A random m × n matrix of rank <= `rank` mod p, with a zero column and a repeated column."""
    if rank == 0:
        return np.zeros((m, n), dtype=np.int64)
    A = flint.nmod_mat(flint.fmpz_mat(rng.integers(0, p, size=(m, rank)).tolist()), p)
    B = flint.nmod_mat(flint.fmpz_mat(rng.integers(0, p, size=(rank, n)).tolist()), p)
    E = np.array([int(x) for x in (A * B).entries()], dtype=np.int64).reshape(m, n)
    E[:, min(3, n - 1)] = 0
    E[:, n - 1] = E[:, 0]
    return E


@pytest.mark.parametrize("p", [7, 32003, SMALL_PRIME, LARGE_PRIME])
@pytest.mark.parametrize("shape", [(10, 8, 5), (300, 280, 200), (50, 60, 60), (400, 300, 290), (6, 5, 0), (290, 420, 270)])
def test_kernel_equals_flint_on_random_matrices(p, shape):
    rng = np.random.default_rng(hash(shape) % 2**32 + p)
    m, n, rank = shape
    E = low_rank(rng, m, n, rank, p)
    basis, free = elimination.kernel(E, p)
    expected, expected_free = _flint_only(E, p)
    assert free.tolist() == expected_free.tolist()
    assert np.array_equal(basis, expected)
    assert not ((E @ basis.T.astype(object)) % p).any()  # a kernel indeed (exact integers)


@pytest.mark.parametrize("p", [101, SMALL_PRIME])
def test_rref_equals_flint(p):
    rng = np.random.default_rng(p)
    E = low_rank(rng, 200, 150, 120, p)
    R, pivots = elimination.rref_rows(elimination.to_centred(E, p), p)
    F, rank = flint.nmod_mat(flint.fmpz_mat(E.tolist()), p).rref()
    expected = np.array([int(x) for x in F.entries()], dtype=np.int64).reshape(200, 150)[:rank]
    assert np.array_equal(np.mod(R, p).astype(np.int64), expected)
    assert pivots == [int(np.flatnonzero(row)[0]) for row in expected]


@pytest.mark.parametrize("p", [SMALL_PRIME, LARGE_PRIME])
def test_products_are_exact(p):
    rng = np.random.default_rng(5)
    A, B = rng.integers(0, p, size=(40, 700)), rng.integers(0, p, size=(700, 30))
    got = np.mod(elimination.product(elimination.to_centred(A, p), elimination.to_centred(B, p), p), p)
    expected = (A.astype(object) @ B.astype(object)) % p
    assert got.astype(np.int64).tolist() == expected.tolist()


def test_kernel_equals_flint_on_real_pieces():
    """Every piece of (4,4,4) `1100|0110` through degree 4: the evaluation matrix the production path
    builds, kernel by both."""
    variety = PatternVariety("4,4,4", "1100|0110")
    plan = _plan(variety, Symmetry(variety), 4, SMALL_PRIME, 0)
    jobs = [(md, m, points) for entries in plan.values() for md, m, kind, points in entries if kind == "solve"]
    largest = max(points for _, _, points in jobs)
    values = sample_image(variety, largest, SMALL_PRIME, np.random.default_rng(0))
    assert len(jobs) >= 5
    for _, monomials, points in jobs:
        E = pieces.evaluation_matrix(values[:points], monomials, SMALL_PRIME)
        A = pieces.centred_evaluation_matrix(values[:points], monomials, SMALL_PRIME)
        assert np.array_equal(np.mod(A, SMALL_PRIME).astype(np.int64), E)
        basis, free = elimination.kernel_of(A, SMALL_PRIME)
        expected, expected_free = _flint_only(E, SMALL_PRIME)
        assert free.tolist() == expected_free.tolist() and np.array_equal(basis, expected)


def test_small_and_large_primes_give_the_same_ideal(monkeypatch):
    small = interpolate_ideal("4,4,4", "1100|0110", max_degree=4, prime=SMALL_PRIME)
    large = interpolate_ideal("4,4,4", "1100|0110", max_degree=4, prime=LARGE_PRIME)
    monkeypatch.setattr(elimination, "FAST_PRIME_LIMIT", 0)  # every piece by FLINT
    flint_small = interpolate_ideal("4,4,4", "1100|0110", max_degree=4, prime=SMALL_PRIME)
    assert [str(g) for g in small.generators] == [str(g) for g in flint_small.generators]
    assert small.prime == SMALL_PRIME and large.prime == LARGE_PRIME
    assert (small.graded_dims, small.mingens_by_degree) == (large.graded_dims, large.mingens_by_degree)
    assert small.graded_dims == {1: 0, 2: 0, 3: 48, 4: 1485}


def test_a_shared_key_is_refused_not_used(monkeypatch):
    """Keys that collide (forced: every variable weighs the same) are caught by the exact check."""
    variety = PatternVariety("3,3,3", "110|011")
    monkeypatch.setattr("m2bridge.varieties.interpolate.monomial_hashes",
                        lambda n: np.ones(n, dtype=np.uint64))
    with pytest.raises(ArithmeticError, match="share a 64-bit key"):
        interpolate_ideal(variety, max_degree=4)


def test_should_stop_is_asked_between_blocks():
    rng = np.random.default_rng(2)
    E = rng.integers(0, SMALL_PRIME, size=(600, 600))
    calls = []

    class Stop(Exception):
        pass

    def should_stop():
        calls.append(1)
        if len(calls) == 3:
            raise Stop

    with pytest.raises(Stop):
        elimination.kernel(E, SMALL_PRIME, should_stop)


def test_a_piece_too_large_for_memory_is_refused_before_it_is_built(monkeypatch):
    monkeypatch.setattr(elimination, "available_bytes", lambda: 10_000)
    with pytest.raises(InputError, match=r"max_degree 3: a piece of \d+ monomials needs .* GiB.*lower max_degree") as err:
        interpolate_ideal("3,3,3", "110|011", max_degree=3)
    assert err.value.parameter == "max_degree"
