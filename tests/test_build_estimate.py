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


def test_tasks_run_cheapest_system_first_so_an_interrupted_build_has_whole_systems():
    from ssbi.workflows.run.reference_build import _cheapest_systems_first

    def task(label, species, n):
        s = Structure(Lattice.cubic(3.0 * n), [species[i % len(species)] for i in range(n)],
                      [[i / n, 0, 0] for i in range(n)])
        return (CalcTask("relax", label, "reference", s.as_dict()), label)

    todo = [task("sio2", ["Si"], 40), task("limg", ["Li", "Mg"], 3), task("lio", ["Li", "O"], 2),
            task("limg2", ["Li", "Mg"], 6)]
    order = [k for _, k in _cheapest_systems_first(todo, ["Li-O-Si", "Li-Mg"])]
    assert order == ["limg2", "limg", "sio2", "lio"]  # Li-Mg (18 atoms) before Li-O-Si (42), largest first within
