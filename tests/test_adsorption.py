"""Li2S and polysulfides on carbon hosts (ssbi adsorb): the cells, the search, dispersion, the stored result."""

import json

import numpy as np
import pytest
from helpers import ssbi

from ssbi.interfaces.adsorption import MOLECULES, carbon_host, placements, polysulfide, sites


def test_hosts_and_molecules():
    sheet = carbon_host("graphene", 6)
    assert len(sheet) == 72 and sheet.get_chemical_formula() == "C72"
    doped = carbon_host("pyridinic-N-graphene", 6)
    assert doped.get_chemical_formula() == "C68N3"  # one vacancy, its three neighbours N
    assert set(sites(doped)) == {"vacancy", "top N"} and set(sites(sheet)) == {"top", "bridge", "hollow"}
    for name in MOLECULES:
        mol = polysulfide(name)
        d = mol.get_all_distances()
        np.fill_diagonal(d, 10.0)
        assert d.min() > 2.0, name  # no two atoms on top of each other in the starting geometry
        assert mol.get_chemical_symbols().count("Li") == 2
    found = placements(sheet, polysulfide("Li2S4"))
    assert len(found) == 3 * 2 * 2  # sites x facing x rotations
    for p in found:
        d = p.atoms.get_all_distances(mic=True)
        np.fill_diagonal(d, 10.0)
        assert d.min() > 1.3


def test_bad_adsorb_input_is_one_line(tmp_path):
    run = ssbi("adsorb", "Li2S", "nanotube", data_dir=tmp_path)
    assert run.returncode == 2 and "unknown carbon host 'nanotube'; allowed: graphene, pyridinic-N-graphene" in \
        run.stderr and len(run.stderr.strip().splitlines()) == 1
    run = ssbi("adsorb", "Li2S", "graphene", "--engine", "cp2k", data_dir=tmp_path)
    assert run.returncode == 2 and "machine-learned potential" in run.stderr
    run = ssbi("adsorb", "Li2S", "graphene", "--facing", "C", data_dir=tmp_path)
    assert run.returncode == 2 and "facing takes Li and/or S" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    run = ssbi("adsorb", "Li2S", "graphene", "--rotations", "0,abc", data_dir=tmp_path)
    assert run.returncode == 2 and "--rotations takes comma-separated degrees" in run.stderr
    assert json.loads(ssbi("query", "adsorption", "--format", "json", data_dir=tmp_path, check=True).stdout) == []


@pytest.mark.slow
def test_li2s_binds_to_graphene_with_dispersion(tmp_path):
    """CHGNet + D3(BJ) on a 3 x 3 sheet (18 C: the smallest that folds K onto Γ), Li turned to the sheet at the three
    sites: Li2S binds (positive binding energy), D3 adds to it, the most stable placement is stored once and listed by
    `ssbi query adsorption`; without dispersion it binds less."""
    data = tmp_path / "data"
    small = ("--repeat", "3", "--rotations", "0", "--facing", "Li")
    run = ssbi("adsorb", "Li2S", "graphene", *small, "--format", "json", data_dir=data)
    assert run.returncode == 0, run.stdout + run.stderr
    doc = json.loads(run.stdout)
    assert doc["binding_energy"] > 0.1 and doc["dispersion_part"] < -0.1
    assert len(doc["placements"]) == 3 and doc["best"]["converged"]
    assert {p["site"] for p in doc["placements"]} == {"top", "bridge", "hollow"}
    assert doc["binding_energy"] == pytest.approx(-min(p["E_ads"] for p in doc["placements"] if p["converged"]))
    plain = json.loads(ssbi("adsorb", "Li2S", "graphene", *small, "--dispersion", "none", "--format", "json",
                            data_dir=data, check=True).stdout)
    assert plain["binding_energy"] < doc["binding_energy"]
    rows = json.loads(ssbi("query", "adsorption", "--format", "json", data_dir=data, check=True).stdout)
    assert len(rows) == 2 and {r["dispersion"] for r in rows} == {"d3bj", "none"}
    again = ssbi("adsorb", "Li2S", "graphene", *small, data_dir=data, check=True)
    assert "(stored)" in again.stdout


def test_the_report_shows_the_hosts_binding_beside_the_cathode():
    """A study naming a carbon host gets a section with each molecule's newest binding energy (one row each)."""
    from ssbi.workflows.report.stacks import adsorption_markdown

    rows = [{"molecule": "Li2S", "host": "graphene", "binding_eV": 1.43, "site": "bridge", "facing": "Li",
             "D3_part_eV": 0.39, "engine": "chgnet", "dispersion": "d3bj"},
            {"molecule": "Li2S", "host": "graphene", "binding_eV": 1.10, "site": "top", "facing": "Li",
             "D3_part_eV": None, "engine": "chgnet", "dispersion": "none"},
            {"molecule": "Li2S4", "host": "pyridinic-N-graphene", "binding_eV": 2.0, "site": "vacancy",
             "facing": "Li", "D3_part_eV": 0.5, "engine": "chgnet", "dispersion": "d3bj"}]
    text = "\n".join(adsorption_markdown(rows, "graphene"))
    assert "## Carbon host: graphene" in text and "| Li2S | 1.43 | bridge | Li | 0.39 | chgnet (d3bj) |" in text
    assert "1.10" not in text and "Li2S4" not in text
    assert adsorption_markdown(rows, "graphite") == []
