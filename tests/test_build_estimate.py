"""Cost before a reference build (issue 35, part 1): the estimate per system, and the exact relaxations once the
single points chose them, said before they run; hours are said as such."""

from pymatgen.core import Lattice, Structure
from typer.testing import CliRunner

from ssbi.workflows.cli import app
from ssbi.workflows.run.reference_build import CalcTask, estimate_build, measured_rates, relaxation_estimate


def test_estimate_counts_what_is_not_shipped_yet_each_structure_once():
    rows = {r["system"]: r for r in estimate_build("chgnet", ["Li-S", "Li-P-S", "Li-Mg"], workers=2)}
    assert rows["Li-S"]["structures"] > 20 and rows["Li-P-S"]["structures"] > 0  # Li-S's not counted again
    for r in rows.values():
        assert r["atoms_to_relax"] >= r["relaxations"] >= 0 and r["wall_h"] >= 0
    rates = measured_rates("chgnet")
    assert 0 < rates["static"] < rates["relax"]  # CPU-s per atom, from the shipped file's records


def test_relaxation_estimate_places_each_task_in_its_smallest_system_and_says_hours():
    si = Structure(Lattice.cubic(5.43), ["Si"] * 8, [[0, 0, 0]] * 1 + [[0.25 * i, 0.25 * i, 0.25 * i] for i in
                                                                      range(1, 8)])
    lisi = Structure(Lattice.cubic(6.0), ["Li", "Si"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    tasks = [(CalcTask("relax", "a", "reference", si.as_dict()), "k1"),
             (CalcTask("relax", "b", "reference", lisi.as_dict()), "k2")]
    rows = relaxation_estimate(["Li-O-Si", "Li-Si"], tasks, {"relax": 900.0}, workers=1)
    by = {r["system"]: r for r in rows}
    assert by["Li-Si"]["relaxations"] == 2 and "Li-O-Si" not in by  # the smaller system holds both
    assert by["Li-Si"]["wall_h"] == round(10 * 900 / 3600, 2)


def test_reference_build_estimate_prints_the_table_and_stops(tmp_path, monkeypatch):
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    res = CliRunner().invoke(app, ["reference", "build", "--estimate", "--system", "Li-Mg", "--system", "Au-Li"],
                             env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "estimated cost (chgnet, 2 workers" in res.output and "Li-Mg" in res.output and "Au-Li" in res.output
