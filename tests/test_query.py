"""Query filters are built only from validated values."""

import pytest

from ssbi.interfaces.errors import InputError, MaterialNotFoundError
from ssbi.workflows.report.results import calc_criteria


def _flat_values(criteria):
    for value in criteria.values():
        if isinstance(value, dict):
            yield from value.values()
        else:
            yield value


@pytest.mark.parametrize("bad", [
    {"formula": '{"$where": "sleep(1000)"}'}, {"formula": "Li2S$ne"}, {"engine": "chgnet'; $ne"},
    {"kind": {"$ne": "relax"}}, {"target": "$gt"}, {"material": {"$regex": ".*"}},
])
def test_operator_injection_is_refused(bad):
    with pytest.raises((InputError, MaterialNotFoundError, TypeError, AttributeError)):
        calc_criteria(**bad)


def test_criteria_are_plain_equality():
    criteria = calc_criteria(formula="SLi2", material="lithium sulfide", engine="CHGNet", kind="relax",
                             target="bulk")
    assert criteria == {"output.kind": "relax", "output.formula": "Li2S", "output.materials": "Li2S",
                        "output.engine.name": "chgnet", "output.target": "bulk"}
    assert all(isinstance(v, str) for v in _flat_values(criteria))
