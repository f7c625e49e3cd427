"""The core pipeline against the real Macaulay2: the published examples, the single-block counts, bias, data."""

import json
import random
from fractions import Fraction
from math import comb

import flint
import pytest

from m2bridge import Dataset, PatternVariety, jacobian_dim, pattern_ideal
from m2bridge.varieties.parametrization import image_point
from m2bridge.varieties.polynomials import polynomial_context

from clitools import invoke
from conftest import run_cli


def same_span(polys_a, polys_b) -> bool:
    """Do two lists of polynomials (one context) span the same vector space?"""
    monomials = sorted({m for p in [*polys_a, *polys_b] for m in p.to_dict()})

    def rank(polys):
        rows = [[p.to_dict().get(m, 0) for m in monomials] for p in polys]
        return flint.fmpq_mat(rows).rank() if rows else 0

    return rank(polys_a) == rank(polys_b) == rank([*polys_a, *polys_b])


def vanishes_on_parametrization(result, trials: int = 3) -> bool:
    """Every generator is zero at φ^A(θ) for random integer θ (exact, over QQ)."""
    rng = random.Random(0)
    for _ in range(trials):
        weights = [[[rng.randint(-20, 20) for _ in range(c)] for _ in range(r)] for r, c in result.variety.layer_shapes]
        point = [flint.fmpq(x.numerator, x.denominator) for x in image_point(result.variety, weights)]
        if any(g(*point) != 0 for g in result.generators):
            return False
    return True


def test_seed_example_two_blocks():
    """Alexandr–Montúfar's example: (2,2,2) `10|11` has J^A = <det M_1, det(M_1 - M_2)>, dim 6, degree 4."""
    result = pattern_ideal("2,2,2", "10|11")
    ctx = polynomial_context(result.variable_names, result.field)
    m = dict(zip(result.variable_names, ctx.gens()))
    M1 = [[m["m_(1,1,1)"], m["m_(1,1,2)"]], [m["m_(1,2,1)"], m["m_(1,2,2)"]]]
    M2 = [[m["m_(2,1,1)"], m["m_(2,1,2)"]], [m["m_(2,2,1)"], m["m_(2,2,2)"]]]
    D = [[M1[i][j] - M2[i][j] for j in range(2)] for i in range(2)]
    det = lambda A: A[0][0] * A[1][1] - A[0][1] * A[1][0]
    # Both generating sets are two quadrics, so equal ideals <=> equal spans in degree 2.
    assert same_span(result.generators, [det(M1), det(D)])
    assert (result.dim, result.degree, result.mingens_degrees) == (6, 4, [2, 2])
    assert result.jacobian.dim == 6
    assert result.complete and result.method == "ker"
    # the default engine is auto: Singular where it is installed (as here: make setup installs it)
    assert result.engine == "singular" and result.m2_version.startswith("Singular ")
    assert vanishes_on_parametrization(result)


def test_seed_example_single_block_is_one_quadric():
    result = pattern_ideal("2,2,2", "10")
    ctx = polynomial_context(result.variable_names, result.field)
    a, b, c, d = ctx.gens()
    assert same_span(result.generators, [a * d - b * c])
    assert (result.dim, result.degree, result.mingens_degrees) == (3, 2, [2])


def test_finite_field_and_paste_able_m2():
    result = pattern_ideal("2,2,2", "10|11", field="ZZ/32003")
    assert isinstance(result.generators[0], flint.nmod_mpoly)
    assert result.generators[0].context().modulus() == 32003
    assert (result.dim, result.degree) == (6, 4)
    source = result.to_m2()
    assert source.startswith("R = ZZ/32003[m_(1,1,1), ")
    assert "J = ideal(" in source
    assert "\\langle" in result._repr_latex_()


def _random_points(rng, m, n0):
    return [[rng.randint(-9, 9) for _ in range(n0)] for _ in range(m)]


# (architecture, single-block pattern, number of points m): m < n0, m = n0, m > n0, deep networks.
SINGLE_BLOCK_CASES = [
    ("2,2,2", "10", 1), ("2,2,2", "10", 2), ("2,2,2", "10", 3),
    ("3,2,3", "11", 2), ("3,2,3", "11", 3), ("3,2,3", "11", 4),
    ("3,1,2", "1", 3), ("2,3,2", "110", 3),
    ("4,2,3", "11", 3), ("3,3,3", "110", 5),
    ("2,2,2,2", "10/11", 2), ("2,2,2,2", "10/11", 3),
    ("3,2,2,3", "11/10", 3), ("3,2,2,3", "11/10", 4),
    ("3,3,2,3", "111/11", 4),
]


@pytest.mark.parametrize("arch, pattern, m", SINGLE_BLOCK_CASES)
def test_single_block_generator_count(arch, pattern, m):
    """The single-block theorem (docs/mathematics.md): nL·max(m − n0, 0) linear generators and C(nL, r+1)·C(min(n0, m), r+1) of degree r+1."""
    rng = random.Random(f"{arch}/{pattern}/{m}")
    result = pattern_ideal(arch, pattern, data=_random_points(rng, m, int(arch.split(",")[0])))
    widths = [int(w) for w in arch.split(",")]
    n0, nL = widths[0], widths[-1]
    r = min([n0, nL] + [sum(int(c) for c in layer) for layer in pattern.split("/")])
    linear = nL * max(m - n0, 0)
    minors = comb(nL, r + 1) * comb(min(n0, m), r + 1)
    expected = [1] * linear + ([r + 1] * minors if r + 1 > 1 else [])
    assert result.mingens_degrees == expected
    assert result.dim == result.jacobian.dim
    assert vanishes_on_parametrization(result)


def test_data_with_n0_independent_points_per_block_matches_pattern_variety(tmp_path):
    """The single-block theorem (docs/mathematics.md): with n0 independent points per block, I_X^A is J^A after a linear change of coordinates."""
    data = tmp_path / "x.json"
    data.write_text(json.dumps([["1/2", 3], [-1, "7/3"], [2, 5], ["-4/5", 1]]))
    with_data = pattern_ideal("2,2,2", "10|11", data=str(data), blocks="2,2")
    plain = pattern_ideal("2,2,2", "10|11")
    assert (with_data.dim, with_data.degree, with_data.mingens_degrees) == (plain.dim, plain.degree, plain.mingens_degrees)
    assert with_data.variety.data.points[0][0] == Fraction(1, 2)


def test_bias_one_neuron_by_hand():
    """(1,1,1) with bias: M = [w2·w1, w2·b1 + b2] when active, [0, b2] when inactive."""
    active = pattern_ideal("1,1,1", "1", bias=True)
    assert (active.dim, active.mingens_degrees) == (2, [])
    inactive = pattern_ideal("1,1,1", "0", bias=True)
    assert inactive.generator_strings() == ["m_(1,1,1)"]
    assert inactive.dim == 1
    both = pattern_ideal("2,2,1", "10|01", bias=True)
    assert both.dim == both.jacobian.dim
    deep = pattern_ideal("2,2,2,2", "10/10|10/01", bias=True)
    assert deep.dim == deep.jacobian.dim == 9 and deep.mingens_degrees == [2] * 6
    assert vanishes_on_parametrization(deep) and vanishes_on_parametrization(inactive)


@pytest.mark.parametrize(
    "arch, pattern",
    [("2,2,2", "11|00"), ("2,3,2", "110|011"), ("3,2,2", "10|01"), ("2,2,2,2", "11/10|01/11"),
     ("2,2,2,2", "10/10|01/01"), ("2,2,2", "10|01|11"), ("2,3", "|")],
)
def test_m2_dim_equals_jacobian_rank(arch, pattern):
    result = pattern_ideal(arch, pattern)
    assert result.dim == result.jacobian.dim == jacobian_dim(arch, pattern, seed=7).dim
    assert vanishes_on_parametrization(result)


def test_jacobian_dim_known_values():
    # Full rank-1 variety of 2x2 matrices: dim 3; two independent blocks of a 2,1,2 network share W.
    assert jacobian_dim("2,2,2", "10").dim == 3
    assert jacobian_dim("2,2,2", "11").dim == 4
    assert jacobian_dim("2,1,2", "1|1").dim == 3
    v = PatternVariety("2,2,2", "10", data=Dataset.from_rows([[1, 0], [0, 1], [1, 1]]))
    assert jacobian_dim(v).dim == 3


def test_cli_ideal_json_fields():
    done = invoke("ideal", "--arch", "2,2,2", "--pattern", "10|11", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    for key in ("arch", "pattern", "field", "method", "dim", "degree", "mingens_degrees", "generators",
                "complete", "seconds", "m2_version"):
        assert key in out
    assert out["mingens_degrees"] == [2, 2] and out["dim"] == 6 and out["complete"] is True
    assert all("m_(" in g for g in out["generators"])


def test_cli_verbose_streams_to_stderr_and_keeps_json_clean():
    done = run_cli("ideal", "--arch", "2,2,2", "--pattern", "10", "--json", "--verbose")  # real stderr
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["dim"] == 3
    # Macaulay2's reply in words, not the wire format (the engine's own lines pass as they are)
    assert "m2bridge reply: generator, 2 terms" in done.stderr and "@@m2b" not in done.stderr


def test_cli_dim_needs_no_macaulay2():
    done = run_cli("dim", "--arch", "3,3,3", "--pattern", "110|011", "--json", env={"PATH": "/nonexistent"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["dim"] == 15


def test_cli_ideal_human_readable():
    done = invoke("ideal", "--arch", "2,2,2", "--pattern", "10|11")
    assert done.returncode == 0, done.stderr
    assert "dim 6 (Jacobian rank 6), degree 4" in done.stdout
