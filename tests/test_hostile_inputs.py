"""Hostile input files and values: every one is one line naming what is wrong (exit 2), never an internal
error, a MemoryError or a hang; an error never repeats a huge input whole."""

import pytest

from clitools import invoke
from m2bridge._files import CASE_FILE_LIMIT, read_bytes, read_text
from m2bridge.errors import InputError, abbreviate


def one_line(done, code=2):
    assert done.returncode == code, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    return done.stderr


# --- D7: bounded reads ----------------------------------------------------------------------------


def test_reads_stop_at_the_limit(tmp_path):
    exact = tmp_path / "exact"
    exact.write_bytes(b"x" * 100)
    assert read_bytes(exact, 100, "p") == b"x" * 100
    with pytest.raises(InputError, match=r"p '.*exact': larger than 99 bytes, the limit for a file") as caught:
        read_bytes(exact, 99, "p")
    assert caught.value.parameter == "p"
    with pytest.raises(InputError, match="larger than 1 KiB, the limit for a preamble"):
        read_text("/dev/zero", 1024, "preamble", "preamble")  # a file that never ends
    bom = tmp_path / "bom"
    bom.write_bytes(b"\xef\xbb\xbfname")
    assert read_text(bom, 100, None) == "name"
    bom.write_bytes(b"\xff\xfe")
    with pytest.raises(InputError, match="is not UTF-8 text"):
        read_text(bom, 100, None)
    with pytest.raises(InputError, match="does not exist"):
        read_text(tmp_path / "missing", 100, None)
    with pytest.raises(InputError, match="cannot be read"):
        read_text(tmp_path, 100, None)


def test_endless_input_files_are_one_line():
    assert "larger than 16 MiB, the limit for a case file" in one_line(invoke("sweep", "/dev/zero"))
    assert CASE_FILE_LIMIT == 16 * 2**20
    assert "larger than 256 MiB, the limit for an export file" in one_line(invoke("verify", "/dev/zero"))
    done = invoke("report", "--sweep", "s", "--results", "/nonexistent-dir/page", "--preamble", "/dev/zero")
    assert "--preamble '/dev/zero': larger than 1 MiB" in one_line(done)


# --- D10: errors abbreviate long values -----------------------------------------------------------


def test_errors_abbreviate_huge_values():
    pattern = "10|" * 40_000 + "11"
    done = invoke("ideal", "--arch", "2,2,2", "--pattern", pattern)
    message = one_line(done)
    assert len(message) < 500 and "(120005 characters)" in message and "at most" in message
    done = invoke("ideal", "--arch", "2,2,2", "--pattern", "10|11", "--max-degree", "9" * 5000)
    assert len(one_line(done)) < 300 and "--max-degree 999" in done.stderr and "characters)" in done.stderr
    assert len(str(InputError("words " * 10_000))) <= 1000
    assert abbreviate("short message") == "short message"


# --- internal errors of the third round: each one line, exit 2 ------------------------------------

TINY = """
[sweep]
name = "tiny"
compute = ["dim"]
{extra}
[[sweep.family]]
architectures = ["2,2,2"]
patterns = ["10|11"]
"""


def test_hostile_case_files(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert "nested too deeply" in one_line(invoke("sweep", str(deep), "--db", ":memory:"))
    seed = tmp_path / "seed.toml"
    seed.write_text(TINY.format(extra="seed = 99999999999999999999999"))
    message = one_line(invoke("sweep", str(seed), "--db", str(tmp_path / "c.sqlite")))
    assert "'seed'" in message and "2^63 - 1" in message
    seed.write_text(TINY.format(extra=f"seed = {2**63 - 1}"))
    from m2bridge.sweeps.casefile import SweepSpec

    assert SweepSpec.load(seed).options.seed == 2**63 - 1  # the largest the database holds is accepted
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + TINY.format(extra="").encode())
    assert SweepSpec.load(bom).name == "tiny"
    assert SweepSpec.from_text("\ufeff" + TINY.format(extra=""), "bom").name == "tiny"


@pytest.mark.parametrize("address, named", [
    ("tls://127.0.0.1:8786", "does not set up TLS"),
    ("tcp://127.0.0.1:99999", "port 99999 is not between 1 and 65535"),
    ("tcp://127.0.0.1:0", "port 0"),
])
def test_scheduler_addresses_that_cannot_work_are_refused_at_once(tmp_path, address, named):
    case_file = tmp_path / "tiny.toml"
    case_file.write_text(TINY.format(extra=""))
    done = invoke("sweep", str(case_file), "--db", ":memory:", "--executor", "dask", "--scheduler", address)
    message = one_line(done)
    assert "--scheduler" in message and named in message


def test_timeouts_over_the_limit_are_usage_errors():
    for command in (["ideal", "--arch", "2,2,2", "--pattern", "10"], ["doctor", "--no-smoke"]):
        message = one_line(invoke(*command, "--timeout", "10000001"))
        assert message.strip() == "m2bridge: error: --timeout 10000001: at most 10000000 seconds"


@pytest.mark.m2
def test_a_memory_cap_too_small_for_macaulay2_is_named(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the script kept after the crash stays here
    message = one_line(invoke("ideal", "--arch", "2,2,2", "--pattern", "10", "--memory-limit", "0.01",
                              "--engine", "macaulay2"))
    assert "--memory-limit too small: Macaulay2 died from SIGSEGV" in message
    assert "under the address-space cap 0.01 GiB" in message


def test_data_without_a_value_over_the_field_is_refused_before_macaulay2(tmp_path):
    data = tmp_path / "d.json"
    data.write_text('[["1/3", "1"], ["2", "1"]]')
    message = one_line(invoke("ideal", "--arch", "2,2,2", "--pattern", "10", "--data", str(data),
                              "--field", "ZZ/3"))
    assert "--data: point 1, entry 1 is 1/3" in message and "ZZ/3" in message


# --- the Python API names the parameter --------------------------------------------------------------


def test_python_api_refuses_wrong_kinds_naming_the_parameter(tmp_path):
    from m2bridge import check, jacobian_dim, open_store, pattern_ideal, sweep

    cases = [
        (lambda: pattern_ideal("2,2,2", "10", options="fast"), "options"),
        (lambda: check("2,2,2", "10|11", ideal="x"), "ideal"),
        (lambda: jacobian_dim("2,2,2", "10", seed="x"), "seed"),
        (lambda: jacobian_dim("2,2,2", "10", seed=-1), "seed"),
        (lambda: jacobian_dim("2,2,2", "10", points=0), "points"),
        (lambda: sweep({"name": "d", "compute": ["dim"], "family": [{"architectures": ["2,2,2"],
                                                                    "patterns": ["10|11"]}]},
                       workers=0, db=":memory:"), "workers"),
        (lambda: pattern_ideal("2,2,2", "10", data={1, 2}), "data"),
    ]
    for call, parameter in cases:
        with pytest.raises(InputError) as caught:
            call()
        assert caught.value.parameter == parameter, caught.value
    with pytest.raises(InputError, match="the directory .*new.* does not exist"):
        open_store(tmp_path / "new" / "deeper" / "x.sqlite")
    assert not (tmp_path / "new").exists()  # no directory made for a mistyped path


def test_exact_numbers_of_python_and_numpy_are_data():
    import numpy as np
    from fractions import Fraction

    from m2bridge.varieties.model import make_variety

    rows = [[1, 2], [3, 1]]
    expected = make_variety("2,2,2", "10", data=rows).data
    assert make_variety("2,2,2", "10", data=np.array(rows)).data == expected
    assert make_variety("2,2,2", "10", data=[[np.int64(1), 2], [3, np.int32(1)]]).data == expected
    third = make_variety("2,2,2", "10", data=[[Fraction(1, 3), 2], [3, 1]]).data
    assert third.points[0][0] == Fraction(1, 3)
    with pytest.raises(InputError, match="not an exact number"):
        make_variety("2,2,2", "10", data=[[0.5, 2], [3, 1]])


# --- verify refuses meaningless records ---------------------------------------------------------------

SWEPT = """
[sweep]
name = "small"
compute = ["ideal", "dim"]
[[sweep.family]]
architectures = ["2,2,2"]
patterns = ["10|11"]
"""


@pytest.mark.m2
def test_verify_refuses_meaningless_records(tmp_path):
    import json

    case_file = tmp_path / "small.toml"
    case_file.write_text(SWEPT)
    db = str(tmp_path / "c.sqlite")
    assert invoke("sweep", str(case_file), "--db", db, "--json").returncode == 0
    export = tmp_path / "r.json"
    assert invoke("export", "small", "--db", db, "--out", str(export)).returncode == 0
    good = json.loads(export.read_text())
    done = invoke("verify", str(export))
    assert done.returncode == 0 and "verified 2 record(s): 0 difference(s)" in done.stdout, done.stdout

    def verify_edited(change):
        document = json.loads(json.dumps(good))
        change(document)
        export.write_text(json.dumps(document))
        return invoke("verify", str(export))

    ideal = next(i for i, r in enumerate(good["records"]) if r["computation"] == "ideal")
    done = verify_edited(lambda d: d["records"][ideal].update(method="fastest"))
    assert "unknown method 'fastest'" in one_line(done)
    done = verify_edited(lambda d: d["records"][ideal].update(key="0" * 64))
    assert done.returncode == 1 and "is not the key of its inputs" in done.stdout, done.stdout
    done = verify_edited(lambda d: d["records"][ideal].update(seed=7))  # inputs changed, key kept
    assert done.returncode == 1 and "is not the key of its inputs" in done.stdout, done.stdout
    assert "holds no records" in one_line(verify_edited(lambda d: d.update(records=[])))
    done = verify_edited(lambda d: [r.update(status="error") for r in d["records"]])
    assert "no record with status ok" in one_line(done)


# --- minor ---------------------------------------------------------------------------------------------


def test_results_page_flags_without_results_are_one_line(tmp_path):
    for flag, value in (("--statement", "mine"), ("--claim", "generation"), ("--title", "T"),
                        ("--preamble", str(tmp_path / "p.md"))):
        message = one_line(invoke("report", "--db", str(tmp_path / "none.sqlite"), flag, value))
        assert f"{flag} goes with --results" in message


def test_a_case_file_repeating_one_line_plans_each_case_once(tmp_path):
    from m2bridge.sweeps.casefile import SweepSpec

    repeated = ", ".join(['"2,2,2"'] * 100_000)
    spec = SweepSpec.from_text(TINY.format(extra="").replace('["2,2,2"]', f"[{repeated}]").replace('["10|11"]', '["10|11", "10|11"]'),
                               "many.toml")
    assert len(spec.families[0].architectures) == 1 and len(spec.families[0].patterns) == 1
    assert spec.plan().requested == 1


@pytest.mark.m2
def test_a_sample_of_the_fuzzer_ends_in_clean_errors_or_results():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "fuzz_cli.py"
    spec = importlib.util.spec_from_file_location("fuzz_cli", path)
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    counts, shown = fuzz.run(40, seed=21, limit=600, show=5)  # a ceiling far above any of them
    assert counts["internal error"] == counts["hang"] == 0, shown
    assert counts["clean error"] + counts["ran"] == 40
