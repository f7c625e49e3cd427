"""One request object: the method policies, the store key's method and the recipe verify follows."""

import pytest

from m2bridge.errors import InputError
from m2bridge.ideals.options import IdealOptions
from m2bridge.ideals.request import Request
from m2bridge.reports.export import export_records, verify_export
from m2bridge.sweeps.casefile import SweepSpec
from m2bridge.sweeps.store import InMemoryCaseStore
from m2bridge.sweeps.sweep import run_sweep
from m2bridge.sweeps.tasks import make_task
from m2bridge.varieties.symmetry import Case


def test_the_policies_are_applied_once_and_agree_with_the_key():
    case = Case("2,2,2", "10|11")
    check = make_task(case, "conjectures:dimension", IdealOptions(method="ker", max_degree=3))
    assert check.method == "check/auto<=3" and check.options.method == "auto"  # the key says what runs
    plain = make_task(case, "ideal", IdealOptions(method="auto"))
    assert plain.method == "ker" and plain.options.method == "ker"
    lifted = make_task(case, "ideal", IdealOptions(method="interpolate", max_degree=2))
    assert lifted.options.lift and not make_task(case, "ideal", IdealOptions(
        method="interpolate", max_degree=2, field="ZZ/32003")).options.lift


@pytest.mark.parametrize("method", ["magic", "ker<=3", "auto<=", "auto<=-1", "auto<=04", "interpolate",
                                    "auto<=999999999999999999999"])
def test_a_stored_method_that_is_not_one_is_refused(method):
    with pytest.raises(InputError):
        Request.from_key_method("ideal", method, field="QQ", seed=0)


def test_stored_options_round_trip():
    request = Request.of("conjectures:mine", IdealOptions(method="auto", max_degree=4, seed=3))
    again = Request.from_key_method(request.computation, request.key_method, field="QQ", seed=3)
    assert again == request and request.stored_options()["max_degree"] == 4


def test_verify_refuses_forged_methods_and_keys_without_computing():
    spec = SweepSpec.from_dict({"name": "d", "compute": ["dim"],
                                "family": [{"architectures": ["2,2,2"], "patterns": ["10|11"]}]})
    store = InMemoryCaseStore()
    run_sweep(spec, store, workers=1)
    document = export_records(store, "d")
    assert document["records"][0]["options"] == {"method": "jacobian", "field": "QQ", "seed": 0}
    differences, checked = verify_export(document)
    assert differences == [] and checked == 1
    forged = dict(document["records"][0], computation="ideal", method="auto<=999999999999999999999")
    wrong_key = dict(document["records"][0], key="0" * 64)
    differences, checked = verify_export(dict(document, records=[forged, wrong_key]))
    assert checked == 2 and len(differences) == 2
    assert "describe no computation" in str(differences[0]) and "max_degree" in str(differences[0])
    assert "is not the key of its inputs" in str(differences[1])
