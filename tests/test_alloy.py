"""Alloy anodes (issue 35, part 3): every two-phase plateau of a Li–M hull with its phases and potential, the fully
lithiated phase, and the published plateaus beside them (`ssbi alloy`)."""

import json

import pytest
from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from typer.testing import CliRunner

from ssbi.interfaces.analysis.alloy import alloy_profile, compare_plateaus
from ssbi.interfaces.errors import InputError
from ssbi.workflows.cli import app


def test_plateaus_of_a_made_up_hull_are_the_formation_energies_per_li():
    # LiM: -1.0 eV per formula unit -> M/LiM at 1.0 V; Li3M: -1.4 eV -> LiM/Li3M at (1.4 - 1.0) / 2 = 0.2 V
    pd = PhaseDiagram([PDEntry("Li", 0.0), PDEntry("Sn", 0.0), PDEntry("LiSn", -1.0), PDEntry("Li3Sn", -1.4),
                       PDEntry("Li2Sn", -1.0)])  # above the LiSn-Li3Sn tie line: never a plateau
    prof = alloy_profile(pd)
    assert [(p.li_poor, p.li_rich) for p in prof.plateaus] == [("Sn", "LiSn"), ("LiSn", "Li3Sn")]
    assert [p.voltage for p in prof.plateaus] == pytest.approx([1.0, 0.2])
    assert [(p.x_start, p.x_end) for p in prof.plateaus] == [(0.0, 1.0), (1.0, 3.0)]
    assert prof.lithiated == "Li3Sn" and prof.x_max == 3.0
    assert prof.capacity_mah_g == pytest.approx(3 * 26801.4 / 118.71, abs=0.1)
    assert prof.average_voltage == pytest.approx((1.0 * 1 + 0.2 * 2) / 3, abs=1e-4)
    rows = compare_plateaus(prof, [{"phases": ["Sn", "Li2Sn5"], "voltage": 0.76},
                                   {"phases": ["LiSn", "Li7Sn3"], "voltage": 0.53}])
    assert [r.computed for r in rows] == pytest.approx([1.0, 0.2])  # at the published plateau's mid Li content
    assert rows[1].computed_phases == "LiSn / Li3Sn" and rows[1].difference == pytest.approx(-0.33)
    with pytest.raises(InputError, match="Li–M hull"):
        alloy_profile(PhaseDiagram([PDEntry("Li", 0), PDEntry("Sn", 0), PDEntry("S", 0), PDEntry("Li2S", -3)]))


def test_ssbi_alloy_li_in_from_the_shipped_hull_against_the_published_liin_electrode(tmp_path, monkeypatch):
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    res = CliRunner().invoke(app, ["alloy", "Li-In", "--format", "json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.output)
    plateaus = rep["profile"]["plateaus"]
    assert (plateaus[0]["li_poor"], plateaus[0]["li_rich"]) == ("In", "LiIn")  # LiIn3 is hypothetical: left out
    assert plateaus[0]["voltage"] == pytest.approx(0.62, abs=0.1)  # LiIn/In, Santhosha 2019
    assert [p["voltage"] for p in plateaus] == sorted((p["voltage"] for p in plateaus), reverse=True)
    assert rep["profile"]["lithiated"] == rep["published"]["lithiated"] == "Li13In3"
    assert "LiIn: mp-22460" in plateaus[0]["sources"]
    assert rep["comparison"][0]["difference"] == pytest.approx(plateaus[0]["voltage"] - 0.62, abs=1e-3)
    every = json.loads(CliRunner().invoke(app, ["alloy", "In-Li", "--all-phases", "--format", "json"]).output)
    assert every["profile"]["plateaus"][0]["li_rich"] == "LiIn3"
    res = CliRunner().invoke(app, ["alloy", "Li-In", "-o", str(tmp_path / "plot")], env={"COLUMNS": "200"})
    assert res.exit_code == 0 and (tmp_path / "plot" / "alloy_profile.png").stat().st_size > 10_000
    assert "fully lithiated: Li13In3" in res.output


@pytest.mark.parametrize("system, message", [("Li-P-S", "not a Li–M system"), ("Li-Qq", "unknown element"),
                                             ("Li", "not a Li–M system")])
def test_bad_systems_get_one_line(system, message):
    res = CliRunner().invoke(app, ["alloy", system])
    assert res.exit_code == 2 and message in res.output and len(res.output.strip().splitlines()) == 1
