"""Energy scales and engines of hull entries: MP2020 applied exactly once to raw-GGA (SevenNet) entries and never
to MP2020-scale (CHGNet) ones; entries of two engines never share a hull."""

import pytest
from pymatgen.entries.computed_entries import ComputedEntry

from ssbi.interfaces.analysis.hull import phase_diagram
from ssbi.interfaces.analysis.scales import convert, mp2020_correction, to_mp2020, to_raw_gga
from ssbi.interfaces.errors import InputError


def entry(formula, energy, scale, engine):
    return ComputedEntry(formula, energy, parameters={"energy_scale": scale, "engine": engine}, entry_id=formula)


def test_mp2020_is_applied_once_to_sevennet_and_never_to_chgnet():
    seven = [entry("Li", -1.9, "raw-gga", "sevennet"), entry("Li2S", -12.0, "raw-gga", "sevennet")]
    corrected = {e.name: e for e in convert(seven, "mp2020")}
    sulfide = mp2020_correction(seven[1])
    assert sulfide == pytest.approx(-0.503, abs=0.01)  # MP2020 sulfide correction, one S
    assert corrected["Li2S"].energy == pytest.approx(-12.0 + sulfide)
    assert corrected["Li2S"].parameters["mp2020_correction_applied"] == pytest.approx(sulfide)
    assert corrected["Li"].energy == pytest.approx(-1.9)  # no correction for Li metal
    again = {e.name: e for e in convert(list(corrected.values()), "mp2020")}
    assert again["Li2S"].energy == pytest.approx(corrected["Li2S"].energy)  # not twice
    back = {e.name: e for e in to_raw_gga(list(corrected.values()))}
    assert back["Li2S"].energy == pytest.approx(-12.0) and "mp2020_correction_applied" not in back["Li2S"].parameters
    chgnet = [entry("Li2S", -12.5, "mp2020", "chgnet")]
    assert to_mp2020(chgnet)[0] is chgnet[0]  # already on the MP2020 scale: untouched


def test_inconsistent_correction_record_is_refused():
    bad = ComputedEntry("Li2S", -12.0, parameters={"energy_scale": "raw-gga", "mp2020_correction_applied": -0.5})
    with pytest.raises(InputError, match="inconsistent"):
        to_mp2020([bad])


def test_two_engines_never_share_a_hull():
    mixed = [entry("Li", -1.9, "mp2020", "chgnet"), entry("S", -4.1, "mp2020", "sevennet"),
             entry("Li2S", -13.0, "mp2020", "chgnet")]
    with pytest.raises(InputError) as err:
        phase_diagram(mixed)
    assert "2 engines (chgnet, sevennet) in one hull" in str(err.value) and "\n" not in str(err.value)
    assert phase_diagram([e for e in mixed if e.parameters["engine"] == "chgnet"] +
                         [entry("S", -4.1, "mp2020", "chgnet")]) is not None
