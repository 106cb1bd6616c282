"""An anode's potential vs Li/Li+ from its own hull (issue 18, "Anode potential"), and the electrolyte there."""

import pytest
from pymatgen.analysis.phase_diagram import PhaseDiagram

from ssbi.interfaces.analysis.electrode import couple_potential, electrode_potential
from ssbi.interfaces.analysis.window import decomposition_at
from ssbi.interfaces.errors import InputError
from ssbi.workflows.store.shipped import load_shipped

LIIN_IN_PUBLISHED_V = 0.62  # LiIn/In two-phase electrode: Santhosha et al., Batteries & Supercaps 2, 524 (2019)


def li_in_entries():
    return load_shipped("chgnet").relaxed_entries(elements=["Li", "In"])


def test_li_metal_is_zero_and_liin_sits_where_it_gives_off_li():
    pd = PhaseDiagram(li_in_entries())
    assert electrode_potential(pd, "Li").potential == 0.0
    liin = electrode_potential(pd, "LiIn")
    assert liin.v_low < liin.potential == liin.v_high
    assert liin.lithiated == ["Li3In2"]
    # the CHGNet hull keeps MP's hypothetical LiIn3 (mp-973748, on its hull), so LiIn gives off Li to it at 0.51 V
    assert liin.delithiated == ["LiIn3"] and liin.potential == pytest.approx(0.505, abs=0.01)


def test_liin_against_in_matches_the_published_electrode_within_0_1_v():
    """Without the hypothetical L1_2 phases (LiIn3, Li3In: not in the experimental Li-In diagram) LiIn gives off
    Li to In, the LiIn/In electrode of experiment: CHGNet 0.57 V against 0.62 V published (−0.05 V)."""
    pd = PhaseDiagram([e for e in li_in_entries() if e.composition.reduced_formula not in ("LiIn3", "Li3In")])
    liin = electrode_potential(pd, "LiIn")
    assert liin.delithiated == ["In"]
    assert liin.potential == pytest.approx(LIIN_IN_PUBLISHED_V, abs=0.1)
    assert liin.potential == pytest.approx(0.568, abs=0.005)


def test_the_sulfur_cathode_couple_and_where_the_hull_would_put_it():
    """S/Li2S from the two hull energies: 2.21 V with CHGNet (the ~2.2 V plateau of the Li-S cell). The hull's own
    profile would not give it: the hypothetical LiS4 sits between S and Li2S on the CHGNet hull."""
    pd = PhaseDiagram(load_shipped("chgnet").relaxed_entries(elements=["Li", "S"]))
    couple = couple_potential(pd, "Li2S", "S")
    assert couple.electrode == "S/Li2S" and couple.potential == pytest.approx(2.2, abs=0.1)
    assert electrode_potential(pd, "Li2S").delithiated == ["LiS4"]
    assert electrode_potential(pd, "S").lithiated == ["LiS4"]  # a Li-free cathode: where it starts taking up Li
    with pytest.raises(InputError, match="not a Li couple"):
        couple_potential(pd, "Li2S", "Li")


def test_an_electrolyte_at_the_anode_potential_and_bad_electrodes():
    """Li3PS4 is reduced at Li's 0 V and at LiIn's 0.51 V (its window starts at 1.65 V) to Li2S + Li3P both
    times (Li3P is the stable phosphide up to 0.77 V on this hull), by less energy at LiIn."""
    entries = load_shipped("chgnet").relaxed_entries(elements=["Li", "P", "S"])
    pd = PhaseDiagram(entries)
    lps = min((e for e in pd.all_entries if e.composition.reduced_formula == "Li3PS4"),
              key=lambda e: e.energy_per_atom)
    at_li, products_li = decomposition_at(pd, lps, 0.0)
    at_liin, products_liin = decomposition_at(pd, lps, 0.505)
    assert at_li < at_liin < 0 and "Li2S" in products_li and "Li3P" in products_li
    assert sorted(products_liin) == ["Li2S", "Li3P"]
    with pytest.raises(InputError, match="not on the"):
        electrode_potential(PhaseDiagram(li_in_entries()), "Li5In")


@pytest.mark.slow
def test_study_summary_reads_each_electrolyte_at_the_alloy_anodes_potential(tmp_path):
    """`ssbi run` of a window study with Li and LiIn anodes: the summary (``--format json`` on stdout, progress on
    stderr) gives each electrolyte at LiIn's potential from the hull: Li3PS4 reduced there (its window starts at
    1.65 V, passivating Li2S + Li3P), LLZO stable (its window starts at 0.03 V); and at the S/Li2S couple."""
    import json

    import yaml
    from helpers import ssbi

    study = tmp_path / "liin.yaml"
    study.write_text(yaml.safe_dump({"name": "liin", "anodes": ["Li", "LiIn"], "cathodes": ["S8", "Li2S"],
                                     "electrolytes": ["Li3PS4", "Li6PS5Cl", "Li7P3S11", "Li7La3Zr2O12"],
                                     "engine": "chgnet", "analyses": {"window": {}, "reactions": {}}}))
    run = ssbi("run", str(study), "-o", str(tmp_path / "out"), "--format", "json", data_dir=tmp_path / "data",
               env={"COLUMNS": "100"})
    assert run.returncode == 0, run.stdout + run.stderr
    rows = {r["electrolyte"]: r for r in json.loads(run.stdout)}
    assert "done window Li3PS4" in " ".join(run.stderr.split())
    lps, llzo = rows["Li3PS4"], rows["Li7La3Zr2O12"]
    assert lps["interphase_alloy"] == "passivating at 0.57 V (LiIn)" and -1.3 < lps["rxn_alloy_eV_atom"] < -0.5
    assert llzo["interphase_alloy"] == "stable at 0.57 V (LiIn)" and llzo["rxn_alloy_eV_atom"] == 0.0
    # at the cathode: Li3PS4 (window to 2.59 V on the hull of known phases) stable at S/Li2S; Li6PS5Cl's window
    # ends at the couple itself (2.209 V: it is oxidised to Li3PS4 + LiCl + S, i.e. its Li2S content turns into S),
    # so it sits at the edge, stable by 0.1 mV (with the hypothetical LiS4 it was oxidised from 2.12 V)
    assert lps["oxidation_at_cathode"] == "stable at 2.21 V (S/Li2S)" and lps["rxn_cathode_V_eV_atom"] == 0.0
    argyrodite = rows["Li6PS5Cl"]
    assert argyrodite["oxidation_at_cathode"] == "stable at 2.21 V (S/Li2S)"
    # Li7P3S11's window starts at 2.37 V: at 2.21 V it is reduced, not oxidised
    assert rows["Li7P3S11"]["oxidation_at_cathode"].startswith("reduced at 2.21 V (S/Li2S) to ")
    # the ranking's interphase: the anode with the best one, LLZO stable at LiIn's potential (first), Li3PS4
    # passivating with Li and with LiIn (Li named: first in the study) and its reaction energy with Li
    assert llzo["interphase_anode"] == "stable at 0.57 V (LiIn)" and llzo["rank"] == 1
    assert lps["interphase_anode"] == "passivating (Li)" and lps["rxn_anode_eV_atom"] < -0.5
