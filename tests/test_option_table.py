"""The option table is the one source of the computation options: the command line's flags, the
case-file keys and the guide's table are made from it, and refuse the same values."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from m2bridge.errors import InputError
from m2bridge.ideals.api import pattern_ideal
from m2bridge.ideals.option_table import CASE_FILE_KEYS, IDEAL_FLAGS, MAX_DEGREE, OPTIONS
from m2bridge.ideals.options import markdown_table
from m2bridge.ideals.options import IdealOptions
from m2bridge.sweeps.casefile import CaseFileError, SweepSpec

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide.md"


def test_the_guide_holds_the_table():
    text = GUIDE.read_text()
    copy = re.search(r"<!-- option table: begin -->\n(.*?)<!-- option table: end -->", text, re.S)
    assert copy is not None, "docs/guide.md lost its option table markers"
    assert copy.group(1) == markdown_table(), "docs/guide.md's option table differs from option_table.markdown_table()"


def test_one_default_method():
    assert IdealOptions().method == "auto" and IdealOptions().key_method == "ker"
    spec = SweepSpec.from_dict({"name": "d", "family": [{"architectures": ["2,2,2"], "patterns": ["10|11"]}]})
    assert spec.options == IdealOptions()


def cli(*args):
    return subprocess.run([sys.executable, "-m", "m2bridge", *args], capture_output=True, text=True, timeout=120)


BAD = [("max_degree", 10**9), ("max_degree", 0), ("timeout", 1e9), ("seed", 2**64), ("method", "fast"),
       ("memory_limit", 0)]


@pytest.mark.parametrize("name,value", BAD)
def test_the_command_line_and_case_files_refuse_the_same_values(name, value):
    option = OPTIONS[name]
    done = cli("ideal", "--arch", "2,2,2", "--pattern", "10|11", option.flag, str(value))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert option.flag in done.stderr
    text = f'[sweep]\nname = "x"\n{option.key} = {value!r}\n[[sweep.family]]\narchitectures = ["2,2,2"]\nblocks = 2\n'
    with pytest.raises(CaseFileError, match=rf"line 3: \[sweep\] key '{option.key}'"):
        SweepSpec.from_text(text.replace("'", '"'), "bad.toml")


def test_a_degree_bound_is_bounded_for_every_method():
    # ker reports graded dimensions through the bound: an unbounded one would loop for ever.
    for method in ("ker", "auto", "interpolate"):
        with pytest.raises(InputError, match="monomials of degree 40") as info:
            pattern_ideal("3,3,3", "110|011", method=method, max_degree=40)
        assert info.value.parameter == "max_degree"
    with pytest.raises(InputError, match=f"at most {MAX_DEGREE}"):
        IdealOptions(method="ker", max_degree=999999999999999999999)


def test_a_case_file_is_checked_against_every_architecture_up_front():
    text = ('[sweep]\nname = "x"\nmethod = "interpolate"\nmax_degree = 12\n'
            '[[sweep.family]]\narchitectures = ["2,2,2", "3,3,3"]\nblocks = 2\n')
    with pytest.raises(CaseFileError, match=r"line 4: \[sweep\] key 'max_degree': .*architecture 3,3,3"):
        SweepSpec.from_text(text, "big.toml")
    small = text.replace('"2,2,2", "3,3,3"', '"2,2,2"')
    assert SweepSpec.from_text(small, "ok.toml").options.max_degree == 12
    prime = text.replace("max_degree = 12", 'max_degree = 3\nfield = "ZZ/3"')
    with pytest.raises(CaseFileError, match=r"key 'field': field ZZ/3: too small"):
        SweepSpec.from_text(prime, "prime.toml")


def test_every_flag_and_key_belongs_to_an_option_of_ideal_options():
    fields = set(IdealOptions.__dataclass_fields__)
    assert set(OPTIONS) <= fields and set(IDEAL_FLAGS) <= set(OPTIONS)
    assert all(o.name in fields for o in CASE_FILE_KEYS.values())
