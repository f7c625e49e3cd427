"""Validation of architectures, patterns, fields and data: every rule, API and CLI."""

import json

import numpy as np
import pytest

from m2bridge import ActivationPattern, Architecture, Dataset, Field, InputError, PatternVariety
from m2bridge.varieties.model import make_variety
from m2bridge.varieties.model import ArchitectureError, DataError, PatternError
from m2bridge.varieties.field import FieldError

from clitools import invoke
from conftest import run_cli


def test_pattern_notation_round_trip():
    p = ActivationPattern.parse("11/10|01/11")
    assert p.blocks == (((1, 1), (1, 0)), ((0, 1), (1, 1)))
    assert p.text == "11/10|01/11"
    assert PatternVariety("2,2,2,2", p).k == 2
    # A network without hidden layers has empty blocks.
    assert PatternVariety("2,3", "|").pattern.blocks == ((), ())


@pytest.mark.parametrize(
    "arch, pattern, message",
    [
        ("3,3,3", "110|01", "block 2, layer 1 has 2 digit(s)"),
        ("3,3,3", "1100|011", "block 1, layer 1 has 4 digit(s)"),
        ("3,3,3", "120|011", "block 1, layer 1, position 2"),
        ("2,2,2,2", "11|01/11", "block 1 has 1 layer(s), architecture 2,2,2,2 has 2 hidden"),
        ("2,2,2,2", "11/10/01|01/11", "block 1 has 3 layer(s)"),
        ("2,2,2", "", "is empty"),
        ("2,2,2,2", "11//10", "block 1, layer 2 is empty"),
        ("2,2,2", " 10", "surrounding spaces"),
    ],
)
def test_bad_patterns_name_block_layer_position(arch, pattern, message):
    with pytest.raises(PatternError) as info:
        PatternVariety(arch, pattern)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "text, message",
    [("3,0,3", "n1 = 0"), ("3", "at least an input and an output"), ("3,x,3", "n1 = 'x'"),
     ("3,-1,2", "n1 = '-1'"), ("", "n0 = ''")],
)
def test_bad_architectures(text, message):
    with pytest.raises(ArchitectureError) as info:
        Architecture.parse(text)
    assert message in str(info.value)


def test_architecture_from_ints_is_checked():
    with pytest.raises(ArchitectureError, match="n2 = 0"):
        Architecture((2, 2, 0))


@pytest.mark.parametrize("text", ["RR", "ZZ/1", "ZZ/32004", "ZZ/2147483659", "QQ[x]", "zz/7"])
def test_bad_fields(text):
    with pytest.raises(FieldError):
        Field.parse(text)


def test_data_files(tmp_path):
    good = tmp_path / "x.npy"
    np.save(good, np.array([[1, 2], [3, 4], [5, 7]]))
    d = Dataset.load(good, (1, 2))
    assert d.block_points(1) == ((3, 4), (5, 7))
    rational = tmp_path / "x.json"
    rational.write_text(json.dumps([["1/3", 2], [-1, "5/2"]]))
    assert Dataset.load(rational).points[0][0].denominator == 3

    floats = tmp_path / "f.npy"
    np.save(floats, np.array([[0.5, 1.0]]))
    with pytest.raises(DataError, match="point 1, entry 1: 0.5 is not an exact number"):
        Dataset.load(floats)
    with pytest.raises(DataError, match="sizes add up to 4, the data has 3 points"):
        Dataset.load(good, (2, 2))
    with pytest.raises(DataError, match="3 entries, architecture 2,2,2 has n0 = 2"):
        make_variety("2,2,2", "10", data=[[1, 2, 3]])
    with pytest.raises(DataError, match="1 block\\(s\\), pattern '10\\|11' has 2"):
        make_variety("2,2,2", "10|11", data=str(good), blocks="3")
    with pytest.raises(InputError, match="blocks is required"):
        make_variety("2,2,2", "10|11", data=str(good))
    with pytest.raises(DataError, match="does not exist"):
        Dataset.load(tmp_path / "missing.npy")
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("[[1, 2], [3,")
    with pytest.raises(DataError, match="not valid JSON"):
        Dataset.load(bad_json)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--arch", "3,3,3", "--pattern", "110|01"], "block 2, layer 1 has 2 digit(s)"),
        (["--arch", "3,0,3", "--pattern", "1|1"], "n1 = 0"),
        (["--arch", "2,2,2", "--pattern", "10", "--field", "ZZ/4"], "4 is not a prime"),
        (["--arch", "2,2,2", "--pattern", "10", "--blocks", "2"], "--blocks needs data"),
        (["--arch", "2,2,2", "--pattern", "10", "--data", "nowhere.npy"], "does not exist"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(args, message):
    for command in ("ideal", "dim"):
        if command == "dim" and "--field" in args:
            continue
        done = invoke(command, *args)
        assert done.returncode == 2, done.stderr
        assert message in done.stderr
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert done.stdout == ""


def test_cli_usage_error_exit_2():
    done = run_cli("ideal", "--arch", "2,2,2")  # the installed script, in its own process
    assert done.returncode == 2, done.stderr
    assert "--pattern" in done.stderr
    done = invoke("ideal", "--arch", "2,2,2", "--pattern", "10", "--timeout", "-1")
    assert done.returncode == 2, done.stderr
    assert "--timeout" in done.stderr and "expected a finite number > 0" in done.stderr  # the option table's rule
