"""Singular, the second engine for J^A's kernel (SingularKerSolver, m2scripts/pattern_ideal.sing.j2),
against Macaulay2's `ker` on the shipped small cases: equal ideals, equal invariants, and the engine
each result names. Real Singular, real Macaulay2."""

import dataclasses
from fractions import Fraction

import pytest

from m2bridge.conjectures.compare import compare_ideals, not_vanishing
from m2bridge.errors import M2Error, M2TimeoutError, SingularNotFoundError
from m2bridge.ideals.api import pattern_ideal
from m2bridge.ideals.options import IdealOptions
from m2bridge.ideals import solvers
from m2bridge.ideals.result import IdealResult
from m2bridge.ideals.solvers import KerSolver, SingularKerSolver, kernel_solver
from m2bridge.macaulay2.process import M2Session, Macaulay2
from m2bridge.macaulay2.singular import Singular, singular_installed
from m2bridge.sweeps.casefile import SweepSpec
from m2bridge.varieties.model import Dataset, PatternVariety

from conftest import ROOT

pytestmark = [pytest.mark.m2, pytest.mark.skipif(not singular_installed(), reason="Singular is not installed "
                                                 "(scripts/install-singular.sh)")]

SEED_CASES = sorted({(c.arch, c.pattern, c.bias) for c in SweepSpec.load(ROOT / "cases" / "seed.toml").plan().cases},
                    key=str)
OTHER_CASES = [  # bias, data, and a prime field: the template's other paths
    (PatternVariety("2,2,2", "10|11", bias=True), "QQ"),
    (PatternVariety("2,2,2", "10|11", data=Dataset.from_rows([[1, 0], [0, 1], [Fraction(1, 3), 2], [1, 1]],
                                                             (2, 2))), "QQ"),
    (PatternVariety("2,2,2", "10|11", data=Dataset.from_rows([[1, 0], [0, 1], [Fraction(1, 3), 2], [1, 1]],
                                                             (2, 2))), "ZZ/32003"),
    pytest.param(PatternVariety("3,3,3", "110|011"), "ZZ/32003", marks=pytest.mark.slow),  # 6 s; QQ is in the seed
]


def assert_same_ideal(variety: PatternVariety, field: str) -> None:
    options = IdealOptions(field=field, method="ker")
    m2 = KerSolver().solve(variety, options)
    sing = SingularKerSolver().solve(variety, options)
    assert (m2.engine, sing.engine) == ("macaulay2", "singular")
    assert sing.m2_version.startswith("Singular 4.")
    assert (sing.dim, sing.degree, sing.hilbert_numerator) == (m2.dim, m2.degree, m2.hilbert_numerator)
    if not variety.bias:  # homogeneous: minimal generators' degrees are invariants
        assert sing.mingens_degrees == m2.mingens_degrees
    assert not_vanishing(variety, sing.generators, options.field) == []  # inside J^A, exactly
    missing, outside = compare_ideals(variety, options.field, m2.generators, sing.generators, 0, Macaulay2())
    assert (missing, outside) == ([], [])


@pytest.mark.parametrize("arch,pattern,bias", SEED_CASES, ids=lambda v: str(v))
def test_engines_agree_on_the_seed_cases(arch, pattern, bias):
    assert_same_ideal(PatternVariety(arch, pattern, bias), "QQ")


@pytest.mark.parametrize("variety,field", OTHER_CASES, ids=lambda v: getattr(v, "describe", lambda: v)())
def test_engines_agree_with_bias_data_and_prime_fields(variety, field):
    assert_same_ideal(variety, field)


def test_the_result_records_the_engine_and_keeps_it_through_json():
    result = pattern_ideal("2,2,2", "10|11", method="ker", engine="singular")
    assert result.engine == "singular" and result.complete
    assert IdealResult.from_json(result.to_json()).engine == "singular"
    old = {k: v for k, v in result.to_json().items() if k != "engine"}  # stored before engines existed
    assert IdealResult.from_json(old).engine == "macaulay2"


def test_auto_is_singular_when_installed_and_macaulay2_when_a_macaulay2_is_named(monkeypatch):
    assert isinstance(kernel_solver(IdealOptions(method="ker")), SingularKerSolver)  # the default engine: auto
    assert isinstance(kernel_solver(IdealOptions(method="ker", engine="auto")), SingularKerSolver)
    assert type(kernel_solver(IdealOptions(method="ker", engine="macaulay2"))) is KerSolver
    auto = IdealOptions(method="ker", engine="auto")
    assert type(kernel_solver(auto, Macaulay2(executable="/opt/M2/bin/M2"))) is KerSolver
    assert type(kernel_solver(auto, M2Session(Macaulay2()))) is KerSolver  # a session keeps its Macaulay2
    assert type(kernel_solver(dataclasses.replace(auto, m2_trace=3))) is KerSolver  # gbTrace is Macaulay2's
    monkeypatch.setenv("M2BRIDGE_M2", "M2")
    assert type(kernel_solver(auto)) is KerSolver


def test_a_missing_singular_is_a_note_under_auto_and_an_error_when_named(monkeypatch, caplog):
    monkeypatch.setenv("M2BRIDGE_SINGULAR", "/nonexistent/Singular")
    solvers._note_singular_missing.cache_clear()
    with caplog.at_level("INFO", logger="m2bridge"):  # the default engine: an info line (-v), no warning
        assert type(kernel_solver(IdealOptions(method="ker", engine="auto"))) is KerSolver
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [("INFO",
        "engine auto: Singular is not installed, ker runs on Macaulay2 (scripts/install-singular.sh installs it)")]
    with pytest.raises(SingularNotFoundError, match="engine singular"):
        pattern_ideal("2,2,2", "10", method="ker", engine="singular")


def test_singular_errors_and_timeouts_are_m2bridge_errors(tmp_path):
    with pytest.raises(M2Error, match="Singular failed .*undefinedThing. is not defined"):
        Singular(script_dir=str(tmp_path)).run_script("proc main() { int x = undefinedThing(); } main(); quit;\n")
    with pytest.raises(M2TimeoutError, match="Singular timed out after 1 s"):
        Singular(timeout=1, script_dir=str(tmp_path)).run_script("int i; while (1) { i = i + 1; }\n")


def test_an_unknown_engine_is_one_line():
    with pytest.raises(Exception, match="engine 'magma': choose from auto, macaulay2, singular"):
        IdealOptions(engine="magma")
