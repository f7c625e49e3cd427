"""Sizes and numbers are bounded before work starts: one clear line, never a traceback."""

import itertools
import random

import pytest

from m2bridge import InputError, PatternVariety, jacobian_dim, pattern_ideal
from m2bridge.ideals.options import IdealOptions
from m2bridge.sweeps.casefile import CaseFileError, SweepSpec
from m2bridge.varieties.field import Field, FieldError
from m2bridge.varieties.model import ActivationPattern, Architecture, Dataset, DataError
from m2bridge.varieties.symmetry import Case, canonical_form, enumerate_patterns

from clitools import invoke


def brute_force_canonical(arch: str, pattern: str) -> Case:
    """The definition: the least (architecture, sorted block texts) over every neuron permutation of
    every layer and both orientations (what the first version computed, in Π n_l! steps)."""
    a = Architecture.parse(arch)
    blocks = ActivationPattern.parse(pattern).blocks
    best = None
    for widths, bl in ((a.widths, blocks), (tuple(reversed(a.widths)), tuple(tuple(reversed(b)) for b in blocks))):
        hidden = widths[1:-1]
        for perms in itertools.product(*(itertools.permutations(range(n)) for n in hidden)):
            texts = sorted("/".join("".join(str(layer[i]) for i in perm) for layer, perm in zip(b, perms)) for b in bl)
            key = (widths, tuple(texts))
            best = key if best is None or key < best else best
    return Case(",".join(map(str, best[0])), "|".join(best[1]))


def _random_pattern(rng, hidden, k):
    return "|".join("/".join("".join(rng.choice("01") for _ in range(n)) for n in hidden) for _ in range(k))


@pytest.mark.parametrize("seed", range(40))
def test_canonical_form_equals_the_brute_force_definition(seed):
    rng = random.Random(seed)
    widths = [rng.randint(1, 3) for _ in range(rng.choice([3, 3, 4]))]
    pattern = _random_pattern(rng, widths[1:-1], rng.randint(1, 3))
    arch = ",".join(map(str, widths))
    form = canonical_form(arch, pattern)
    assert form.case == brute_force_canonical(arch, pattern)
    # The map back is a real symmetry: the requested coordinates are a permutation of the canonical ones.
    requested = PatternVariety(arch, pattern)
    renamed = sorted(form.rename_coordinate(c) for c in form.case.variety.coordinates)
    assert renamed == sorted(requested.coordinates)


def test_wide_layers_canonicalise_without_enumerating_permutations():
    pattern = "1" * 15 + "0" * 15 + "|" + "01" * 15
    form = canonical_form("2,30,2", pattern)
    assert form.case.pattern == "0" * 15 + "1" * 15 + "|" + "0" * 7 + "1" * 8 + "0" * 8 + "1" * 7
    enum = enumerate_patterns("2,7,2", 2)
    assert enum.ordered == 128 * 127
    # Orbits of pairs of distinct active sets under S_7 and the swap of blocks are given by
    # (|R1 \ R2|, |R1 ∩ R2|, |R2 \ R1|) up to exchanging the outer two (transposition does nothing here).
    orbits = {(min(a, c), b, max(a, c)) for a in range(8) for b in range(8) for c in range(8)
              if a + b + c <= 7 and (a, c) != (0, 0)}
    assert len(enum.representatives) == len(orbits) and enum.trivial == 0


@pytest.mark.parametrize("arch, k", [("2,3,2", 2), ("2,2,2,2", 2), ("1,3,2", 3)])
def test_enumeration_matches_brute_force_orbits(arch, k):
    enum = enumerate_patterns(arch, k)
    hidden = Architecture.parse(arch).hidden
    blocks = ["/".join(bits) for bits in itertools.product(*(
        ["".join(b) for b in itertools.product("01", repeat=n)] for n in hidden))]
    orbits = {brute_force_canonical(arch, "|".join(s)) for s in itertools.combinations(blocks, k)
              if not all(any(set(layer) == {"0"} for layer in b.split("/")) for b in s)}
    assert {form.case for form in enum.representatives.values()} == orbits


def test_data_edge_cases_are_one_clear_error(tmp_path):
    huge = tmp_path / "huge.json"
    huge.write_text("[[" + "7" * 5000 + ", 1]]")
    with pytest.raises(DataError, match="not readable|digits|valid JSON"):
        Dataset.load(huge)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DataError, match="nested too deeply"):
        Dataset.load(deep)
    with pytest.raises(DataError, match="more than 1000 digits"):
        Dataset.from_rows([["1" * 5000, 1]])
    for path in (huge, deep):
        done = invoke("dim", "--arch", "2,2,2", "--pattern", "10", "--data", str(path))
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_field_with_a_huge_modulus():
    with pytest.raises(FieldError, match="below 2\\^31"):
        Field.parse("ZZ/" + "9" * 5000)
    done = invoke("ideal", "--arch", "2,2,2", "--pattern", "10", "--field", "ZZ/" + "9" * 5000)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 0, -1, 1e300])
def test_timeouts_are_finite_positive_and_bounded(bad):
    with pytest.raises(InputError, match="timeout"):
        IdealOptions(timeout=bad)
    with pytest.raises(InputError, match="memory_limit"):
        IdealOptions(memory_limit=bad if bad != 1e300 else float("inf"))


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "0", "-5"])
def test_case_file_timeouts(text):
    with pytest.raises(CaseFileError, match="key 'timeout'"):
        SweepSpec.from_text(f'[sweep]\nname = "t"\ntimeout = {text}\n[[sweep.family]]\n'
                            'architectures = ["2,2,2"]\nblocks = 2\n', "t.toml")


@pytest.mark.parametrize("args", [["--timeout", "1e300"], ["--timeout", "nan"], ["--timeout", "inf"],
                                  ["--seed", "-1"], ["--memory-limit", "0"]])
def test_cli_numbers(args):
    done = invoke("ideal", "--arch", "2,2,2", "--pattern", "10", *args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


def test_seeds_are_natural_numbers():
    with pytest.raises(InputError, match="seed"):
        IdealOptions(seed=-1)


def test_degree_bound_against_the_number_of_monomials():
    with pytest.raises(InputError, match="max_degree 40: .* monomials"):
        pattern_ideal("4,4,4", "1100|0110", method="interpolate", max_degree=40)
    done = invoke("ideal", "--arch", "4,4,4", "--pattern", "1100|0110", "--method", "interpolate",
                  "--max-degree", "40")
    assert done.returncode == 2, done.stderr
    assert "--max-degree 40" in done.stderr


def test_architecture_sizes():
    with pytest.raises(InputError, match="coordinates"):
        PatternVariety("200,2,200", "11|10|01")
    done = invoke("dim", "--arch", "300,1,300", "--pattern", "1")
    assert done.returncode == 2, done.stderr


def test_workers_are_capped_at_the_cpus():
    assert IdealOptions(workers=99_999).workers <= 4096
    from m2bridge.ideals.options import available_cpus

    assert IdealOptions(workers=99_999).workers == available_cpus()


def test_data_denominator_divisible_by_the_jacobian_prime():
    p = 2**31 - 1
    rows = [[f"1/{p}", 2], [3, 4], [5, 7]]
    jac = jacobian_dim(PatternVariety("2,2,2", "10", data=Dataset.from_rows(rows)))
    assert jac.prime != p and jac.dim == jacobian_dim(PatternVariety("2,2,2", "10", data=Dataset.from_rows(
        [[1, 2 * p], [3, 4], [5, 7]]))).dim



@pytest.mark.parametrize("arch, blocks", [("2,2,2", 5), ("2,7,2", 40)])
def test_blocks_against_the_number_of_distinct_patterns(tmp_path, arch, blocks):
    text = f'[sweep]\nname = "b"\n[[sweep.family]]\narchitectures = ["{arch}"]\nblocks = {blocks}\n'
    with pytest.raises(CaseFileError, match="key 'blocks'"):
        SweepSpec.from_text(text, "b.toml")
    path = tmp_path / "b.toml"
    path.write_text(text)
    done = invoke("sweep", str(path), "--db", str(tmp_path / "c.sqlite"))
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "line 5" in done.stderr
