"""The conjecture engine against the real Macaulay2: verdicts, counterexamples, sweeps, reports."""

import json
import random

import flint
import pytest

from m2bridge import Field, InputError, check, jacobian_dim, pattern_ideal
from m2bridge.sweeps.casefile import SweepSpec
from m2bridge.conjectures.base import CaseCheck
from m2bridge.conjectures.compare import contained_in_variety
from m2bridge.ideals.options import IdealOptions
from m2bridge.conjectures.statements import STATEMENTS
from m2bridge.varieties.polynomials import minors
from m2bridge.varieties.model import PatternVariety
from m2bridge.varieties.polynomials import polynomial_context
from m2bridge.reports.report import conjecture_report, format_conjecture_report
from m2bridge.sweeps.store import InMemoryCaseStore
from m2bridge.sweeps.sweep import run_sweep

from clitools import invoke


@pytest.mark.parametrize("convention", ["literal", "generic"])
@pytest.mark.parametrize("variant", [None, "union"])
def test_seed_example_generates(convention, variant):
    v = check("2,2,2", "10|11", "shallow-two-block", rank_convention=convention, variant=variant)
    assert v.applies and v.contained is True and v.generates is True
    assert v.extra_generators == [] and v.checked_through_degree is None
    assert v.ranks == {"r1": 1, "r2": 2, "s": 1, "t": 1}
    assert v.method and v.field == "QQ" and v.seeds == {"m2": 0, "ranks": 0}
    assert v.claim == "generation" and v.outcome == "holds"


@pytest.mark.parametrize("arch, pattern", [("1,2,2", "01|11"), ("2,3,2", "111|100")])
def test_generic_convention_caps_t_too(arch, pattern):
    """|R_2| > min(n0, n2): the generic convention caps r_i and t = |R1 Δ R2| at min(n0, n2). Capping
    r_i but keeping t = r1 + r2 − 2s would claim M_1 = M_2 on (1,2,2) `01|11` (t = 0), which is false."""
    literal = check(arch, pattern, "shallow-two-block", rank_convention="literal")
    generic = check(arch, pattern, "shallow-two-block", rank_convention="generic")
    assert literal.generates is True and generic.generates is True
    assert generic.contained is True and generic.not_contained == []
    n0, _, n2 = map(int, arch.split(","))
    assert generic.ranks["t"] == min(literal.ranks["t"], n0, n2)


@pytest.mark.parametrize("arch, pattern", [("2,2,2,2", "11/10|01/11"), ("2,3,2,3", "110/11|011/10")])
def test_containment_theorem_with_missing_generators_holds(arch, pattern):
    """The deep theorem only claims containment; for (2,2,2,2) `11/10|01/11` both M_b have rank 1
    (one active neuron in a layer) but r_a + r_b = 2, so det M_1 and det M_2 are missing: that is
    information (generates False), not a counterexample (the claim holds)."""
    v = check(arch, pattern, "deep-two-block")
    assert v.claim == "containment" and v.outcome == "holds" and not v.failed and not v.counterexample
    assert v.applies and v.contained is True and v.generates is False
    (extra,) = v.extra_generators
    assert extra["degree"] == 2 and extra["count"] >= 2
    if arch == "2,2,2,2":
        assert extra["count"] == 2
        assert v.ranks["r_a"] == v.ranks["r_b"] == v.ranks["r_c"] == 1
        assert "m_(1,1,2)*m_(1,2,1) - m_(1,1,1)*m_(1,2,2)" in extra["polynomials"]
    with pytest.raises(InputError, match="claim 'generation'"):
        check(arch, pattern, "deep-two-block", claim="generation")


def test_not_applicable_is_said_with_a_reason():
    v = check("2,2,2", "10|01|11", "shallow-two-block")
    assert v.applies is False and "two blocks" in v.reason and v.generates is None
    assert check("2,2,2", "10", "deep-two-block").outcome == "not applicable"


def _random_cases(rng, depth, count):
    cases = []
    while len(cases) < count:
        widths = [rng.randint(1, 3) for _ in range(depth + 1)]
        blocks = ["/".join("".join(rng.choice("01") for _ in range(n)) for n in widths[1:-1]) for _ in range(2)]
        if len(set(blocks)) == 2:
            cases.append((",".join(map(str, widths)), "|".join(blocks)))
    return cases


@pytest.mark.parametrize("arch, pattern", _random_cases(random.Random(2), 2, 5) + _random_cases(random.Random(3), 3, 5))
def test_theorem_families_are_contained_by_substitution(arch, pattern):
    """The two-block theorems say their minors lie in J^A: compose with M_b(θ) exactly."""
    variety = PatternVariety(arch, pattern)
    ctx = polynomial_context(variety.variable_names, Field())
    name = "shallow-two-block" if variety.arch.depth == 2 else "deep-two-block"
    case = CaseCheck(variety, IdealOptions())
    for convention in ("literal", "generic") if name == "shallow-two-block" else (None,):
        fams, _ = STATEMENTS[name].families(variety, ctx, convention, None, case)
        assert contained_in_variety(variety, [p for _, _, ps in fams for p in ps]) == []
    mined, _ = STATEMENTS["mine"].families(variety, ctx, None, None, case)
    assert contained_in_variety(variety, [p for _, _, ps in mined for p in ps]) == []
    # The check can fail: a nonzero constant and a generic linear form never vanish on it.
    one = ctx.from_dict({(0,) * ctx.nvars(): 1})
    assert contained_in_variety(variety, [one]) == [one]
    if jacobian_dim(variety).dim == len(variety.variable_names):
        assert contained_in_variety(variety, [sum(ctx.gens())]) != []


def test_minors_of_a_generic_matrix():
    ctx = flint.fmpq_mpoly_ctx.get(tuple(f"x{i}" for i in range(6)), ordering="degrevlex")
    x = ctx.gens()
    M = [[x[0], x[1], x[2]], [x[3], x[4], x[5]]]
    assert len(minors(M, 2)) == 3 and minors(M, 3) == [] and len(minors(M, 1)) == 6
    assert minors(M, 2)[0] == x[0] * x[4] - x[1] * x[3]


@pytest.mark.parametrize(
    "arch, pattern, verdict",
    [("2,2,2", "10|11", "expected"), ("3,3,3", "110|011", "expected"), ("3,2,3", "10|11", "expected"),
     ("2,3,2", "110|011", "drop by 1"), ("1,2,1", "01|11", "no drop although the conditions fail"),
     ("4,3,1", "100|110", None), ("3,4,2", "1111|1000", None), ("1,3,2", "001|111", None)],
)
def test_dimension_verdict_matches_the_jacobian(arch, pattern, verdict):
    v = check(arch, pattern, "dimension")
    assert v.claim == "dimension" and v.dim == jacobian_dim(arch, pattern).dim
    n0, _, n2 = map(int, arch.split(","))
    assert v.ambient_dim == 2 * n0 * n2 and v.expected_dim is not None
    assert v.outcome != "violated"
    if verdict is not None:
        assert v.outcome == verdict
    if v.outcome == "expected":
        assert v.expected_dim == v.dim
    elif v.outcome.startswith("drop by"):
        assert v.expected_dim - v.dim == int(v.outcome.split()[-1])


def test_dimension_same_variety_same_outcome():
    """(2,2,2) `01|11` and (2,3,2) `001|011` differ by a neuron inactive in both blocks."""
    a, b = check("2,2,2", "01|11", "dimension"), check("2,3,2", "001|011", "dimension")
    assert (a.outcome, a.dim, a.expected_dim) == (b.outcome, b.dim, b.expected_dim)


def test_rank_sum_elimination_equals_j():
    v = check("2,2,2", "10|11", "rank-sum")
    assert v.generates is True and v.families[0].count == 2 and v.outcome == "holds"


def test_mine_three_blocks_finds_the_linear_relation():
    """(2,2,2) `10|01|11`: M_3 = M_1 + M_2 (rank 0), det M_1, det M_2 — together they generate J^A."""
    v = check("2,2,2", "10|01|11", "mine")
    assert v.generates is True and v.published is False
    assert v.ranks["M1 +M2 -M3"] == 0 and v.ranks["M1"] == 1


def test_single_block_with_data():
    v = check("2,2,2", "10", "single-block", data=[[1, 2], [3, 4], [5, 7]])
    assert v.generates is True
    assert [f.count for f in v.families] == [2, 1]  # 2 linear forms, 1 determinant


def test_finite_field_verdict():
    v = check("2,2,2", "10|11", "shallow-two-block", field="ZZ/32003")
    assert v.generates is True and v.field == "ZZ/32003"


def test_cli_conjecture_json_fields():
    done = invoke("conjecture", "--arch", "1,2,2", "--pattern", "01|11", "--rank-convention", "generic", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    for key in ("statement", "claim", "outcome", "variant", "rank_convention", "applies", "contained", "generates",
                "checked_through_degree", "extra_generators", "expected_dim", "dim", "method"):
        assert key in out
    assert out["generates"] is True and out["contained"] is True and out["rank_convention"] == "generic"
    assert out["claim"] == "generation" and out["outcome"] == "holds"
    done = invoke("conjecture", "--arch", "2,2,2,2", "--pattern", "11/10|01/11", "--name", "deep-two-block")
    assert done.returncode == 0, done.stderr
    assert "missing 2 generator(s) of degree 2" in done.stdout
    bad = invoke("conjecture", "--arch", "2,2,2", "--pattern", "10|11", "--name", "nonsense")
    assert bad.returncode == 2, bad.stderr


def test_sweep_with_conjectures_and_report(tmp_path):
    spec = SweepSpec.from_text("""
[sweep]
name = "conj"
compute = ["conjectures"]
conjectures = ["shallow-two-block", "dimension"]
[[sweep.family]]
architectures = ["1,2,2", "2,2,2"]
blocks = 2
""", "conj.toml")
    store = InMemoryCaseStore()
    summary = run_sweep(spec, store, workers=2)
    assert summary.failed == 0
    assert summary.computed == summary.tasks == 3 * summary.unique_after_symmetry  # ideal + 2 statements
    report = conjecture_report(store, "conj")
    assert report["counts"]["2,2,2"]["shallow-two-block:literal [generation]"] == {"holds": 4}
    assert report["counterexamples"] == []
    text = format_conjecture_report(report, "md")
    assert "Failed claims of published statements (0; none)" in text
    assert "Outcomes per architecture" in format_conjecture_report(report, "md", details=True)
    again = run_sweep(spec, store)
    assert again.computed == 0 and again.cached == again.tasks


def test_unknown_reading_is_refused():
    with pytest.raises(InputError, match="rank_convention 'generc'"):
        check("2,2,2", "10|11", "shallow-two-block", rank_convention="generc")
    with pytest.raises(InputError, match="variant 'unoin'"):
        check("2,2,2", "10|11", "shallow-two-block", variant="unoin")


def test_case_file_conjecture_names_are_checked():
    from m2bridge.sweeps.casefile import CaseFileError

    with pytest.raises(CaseFileError, match="key 'conjectures'"):
        SweepSpec.from_text('[sweep]\nname = "x"\ncompute = ["conjectures"]\nconjectures = ["nope"]\n'
                            '[[sweep.family]]\narchitectures = ["2,2,2"]\nblocks = 2\n', "x.toml")


def test_degree_bounded_j_never_claims_more_than_was_checked():
    """With J^A known only through degree D, a verdict is `generates through degree D` or a
    counterexample of degree <= D, and `generates` stays undecided (None)."""
    import dataclasses

    full = pattern_ideal("2,3,2,3", "110/11|011/10", field="ZZ/32003")
    assert full.mingens_degrees == [2, 2, 2, 3, 3]
    outcomes = set()
    for bound in (2, 3):
        partial = dataclasses.replace(full, generators=[g for g in full.generators if g.total_degree() <= bound],
                                      complete=False)
        partial.checked_through_degree = bound
        for name in ("mine", "deep-two-block"):
            v = check("2,3,2,3", "110/11|011/10", name, field="ZZ/32003", ideal=partial)
            assert v.checked_through_degree == bound
            assert v.generates is None or v.generates is False
            if v.generates is None:
                assert v.outcome == f"holds through degree {bound}"
            else:
                assert all(e["degree"] <= bound for e in v.extra_generators)
            outcomes.add((v.claim, v.generates, v.outcome))
    # mine claims generation: never more than "through degree D"; the deep theorem claims containment
    # (it holds) and its families miss generators of degree 2 (a fact, not a failed claim).
    assert outcomes == {("generation", None, "holds through degree 2"), ("generation", None, "holds through degree 3"),
                        ("containment", False, "holds")}


@pytest.mark.slow
def test_cli_max_degree_when_ker_does_not_finish():
    """(4,4,4) `1100|0110`: ker does not finish in 5 s; interpolation through degree 4 shows that the
    (n1+1)-minors miss 40 quartic generators, while the `union` variant is proved to generate J^A
    (inheritance from (3,3,3) `110|011`, where the degree certificate counts 27 points)."""
    args = ("conjecture", "--arch", "4,4,4", "--pattern", "1100|0110", "--max-degree", "4", "--timeout", "5", "--json")
    done = invoke(*args)
    assert done.returncode == 0, done.stderr
    plain = json.loads(done.stdout)
    assert plain["checked_through_degree"] == 4 and plain["generates"] is False and plain["contained"] is True
    assert [(e["degree"], e["count"]) for e in plain["extra_generators"]] == [(4, 40)]
    done = invoke(*args, "--variant", "union")
    assert done.returncode == 0, done.stderr
    union = json.loads(done.stdout)
    assert union["generates"] is True and union["outcome"] == "holds" and union["proof"] == "inheritance"


@pytest.mark.m2
def test_the_text_output_summarises_and_hints_at_the_union_reading():
    """A `fails` of the n1 reading with a neuron dead in both blocks names the neuron and
    `--variant union`; several verdicts open with one summary line."""
    done = invoke("conjecture", "--arch", "2,4,4", "--pattern", "0011|0101")
    assert done.returncode == 0, done.stderr
    assert ": fails" in done.stdout and "hint: neuron(s) [1] are inactive in both blocks" in done.stdout
    assert "--variant union" in done.stdout
    union = invoke("conjecture", "--arch", "2,4,4", "--pattern", "0011|0101", "--variant", "union")
    assert ": holds" in union.stdout and "hint:" not in union.stdout
    every = invoke("conjecture", "--arch", "2,2,2", "--pattern", "10|11", "--name", "all")
    assert every.returncode == 0 and every.stdout.startswith(tuple(f"{n} verdicts: " for n in range(2, 40)))
