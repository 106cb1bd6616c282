"""Windows, reactions and interphase types on a synthetic Li-P-S hull worked out by hand.

Energies are formation energies (elements at 0 eV/atom), chosen so that the stable
set is Li, P, S, Li2S, Li3P, Li3PS4, P2S5 and Li7P3S11 is metastable. Every
expected value below is derived in the comments from these numbers.
"""

import pytest
from pymatgen.analysis.interface_reactions import InterfacialReactivity
from pymatgen.analysis.phase_diagram import PhaseDiagram
from pymatgen.core import Composition, Element
from pymatgen.entries.computed_entries import ComputedEntry

from ssbi.interfaces.analysis.hull import PhaseDiagramCache, phase_diagram
from ssbi.interfaces.analysis.interphase import classify_interphase, load_band_gaps
from ssbi.interfaces.analysis.reactions import interfacial_reaction
from ssbi.interfaces.analysis.scales import convert, to_raw_gga
from ssbi.interfaces.analysis.window import stability_window
from ssbi.interfaces.errors import InputError

E = {"Li": 0.0, "P": 0.0, "S": 0.0, "Li2S": -3.0, "Li3P": -2.4, "Li3PS4": -5.6, "P2S5": -2.1, "Li7P3S11": -11.0}


def entries(energies=E, scale="raw-gga"):
    return [ComputedEntry(f, e, parameters={"energy_scale": scale}, entry_id=f) for f, e in energies.items()]


@pytest.fixture(scope="module")
def pd():
    return phase_diagram(entries())


def test_hull_is_the_hand_hull(pd):
    assert sorted(e.name for e in pd.stable_entries) == ["Li", "Li2S", "Li3P", "Li3PS4", "P", "P2S5", "S"]


def test_window_of_a_stable_electrolyte(pd):
    w = stability_window(pd, "Li3PS4")
    # reduction: Li3PS4 + 5 Li -> 4 Li2S + P, ΔE = 4(-3.0) - (-5.6) = -6.4 eV for 5 Li: 1.28 V
    assert w.reduction_limit == pytest.approx(6.4 / 5, abs=1e-9)
    assert w.reduction_products == ["Li2S", "P"]
    # oxidation: Li3PS4 -> 0.5 P2S5 + 1.5 S + 3 Li, ΔE = 0.5(-2.1) + 5.6 = 4.55 eV for 3 Li: 1.5167 V
    assert w.oxidation_limit == pytest.approx(4.55 / 3, abs=1e-9)
    assert w.oxidation_products == ["P2S5", "S"]
    assert w.e_above_hull == pytest.approx(0.0, abs=1e-12)
    # profile: P + 3 Li -> Li3P at 2.4/3 = 0.8 V; below it Li2S + Li3P (8 Li per formula unit)
    volts = [(p.v_low, p.products, round(p.li_per_fu, 6)) for p in w.plateaus]
    assert volts[0] == (0.0, ["Li2S", "Li3P"], 8.0)
    assert volts[1][0] == pytest.approx(0.8) and volts[1][1:] == (["Li2S", "P"], 5.0)
    assert volts[-1][1:] == (["P2S5", "S"], -3.0)
    # decomposition at 0 V: Li3PS4 + 8 Li -> 4 Li2S + Li3P, (-12 - 2.4 + 5.6)/8 atoms
    assert w.decomposition_energy["0"] == pytest.approx(-8.8 / 8)
    assert w.decomposition_products["0"] == ["Li2S", "Li3P"]
    # at 5 V (μ_Li = -5 eV): Φ(0.5 P2S5 + 1.5 S) - [E(Li3PS4) + 5·3] = -1.05 - 9.4, per 8 atoms
    assert w.decomposition_energy["5"] == pytest.approx((-1.05 - 9.4) / 8)


def test_window_of_a_metastable_electrolyte_placed_on_the_hull(pd):
    w = stability_window(pd, "Li7P3S11")
    # on the hull Li7P3S11 = 7/3 Li3PS4 + 1/3 P2S5: E_hull = -13.0667 - 0.7 = -13.7667 eV
    e_hull_total = 7 / 3 * -5.6 + 1 / 3 * -2.1
    assert w.e_above_hull == pytest.approx((-11.0 - e_hull_total) / 21)
    # reduction: Li7P3S11 + 1.25 Li -> 2.75 Li3PS4 + 0.25 P
    assert w.reduction_limit == pytest.approx(-(2.75 * -5.6 - e_hull_total) / 1.25, abs=1e-3)
    assert w.reduction_products == ["Li3PS4", "P"]
    # oxidation: Li7P3S11 -> 1.5 P2S5 + 3.5 S + 7 Li
    assert w.oxidation_limit == pytest.approx((1.5 * -2.1 - e_hull_total) / 7, abs=1e-3)
    # decomposition energies use its own (unshifted) energy: at 0 V, + 21 Li... -> 11 Li2S + 3 Li3P
    assert w.decomposition_energy["0"] == pytest.approx((11 * -3.0 + 3 * -2.4 + 11.0) / 21)


def test_window_agrees_with_pymatgen_element_profile(pd):
    profile = pd.get_element_profile(Element("Li"), Composition("Li3PS4"))
    volts = sorted(-p["chempot"] for p in profile)  # Li metal at 0 eV
    w = stability_window(pd, "Li3PS4")
    assert [p.v_low for p in w.plateaus] == pytest.approx(volts)


def test_closed_reaction_with_li_metal(pd):
    r = interfacial_reaction(pd, "Li", "Li3PS4")
    # most negative: Li3PS4 + 8 Li -> 4 Li2S + Li3P at x = 8/16 Li atoms, -8.8 eV over 16 atoms
    assert r.minimum.x == pytest.approx(0.5)
    assert r.minimum.energy == pytest.approx(-8.8 / 16)
    assert r.minimum.energy_per_atom_b == pytest.approx(-8.8 / 8)
    assert r.minimum.products == ["Li2S", "Li3P"]
    # the other kink: Li3PS4 + 5 Li -> 4 Li2S + P at x = 5/13
    kink = [k for k in r.kinks if k.products == ["Li2S", "P"]][0]
    assert kink.x == pytest.approx(5 / 13) and kink.energy == pytest.approx(-6.4 / 13)
    # the same numbers straight from pymatgen
    ref = InterfacialReactivity(Composition("Li"), Composition("Li3PS4"), pd, norm=True)
    assert ref.minimum == pytest.approx((r.minimum.x, r.minimum.energy))


def test_open_reaction_with_the_li_reservoir_is_the_decomposition(pd):
    r = interfacial_reaction(pd, "Li", "Li3PS4", voltage=0.0)
    assert r.minimum.energy_per_atom_b == pytest.approx(-8.8 / 8)
    assert r.minimum.products == ["Li2S", "Li3P"]
    assert "8 Li" in r.minimum.reaction


def test_open_reaction_at_the_cathode_potential(pd):
    # between S's lithiation (S + 2 Li -> Li2S at 3.0/2 = 1.5 V) and Li3PS4's oxidation (1.5167 V): no reaction
    assert interfacial_reaction(pd, "S", "Li3PS4", voltage=1.51).minimum.energy == pytest.approx(0.0, abs=1e-9)
    # below 1.5 V sulfur takes Li from the reservoir: -3.0 + 2·1.4 = -0.2 eV per S atom at x = 1
    below = interfacial_reaction(pd, "S", "Li3PS4", voltage=1.4)
    assert below.minimum.x == pytest.approx(1.0) and below.minimum.energy == pytest.approx(-0.2)
    # above 1.5167 V Li3PS4 gives its Li to the reservoir
    above = interfacial_reaction(pd, "S", "Li3PS4", voltage=1.6)
    assert above.minimum.energy < 0 and above.minimum.products == ["P2S5", "S"]
    # Φ per non-Li atom at x = 0: [0.5(-2.1) - (-5.6 + 1.6·3)] / 5 non-Li atoms of Li3PS4
    assert above.minimum.energy == pytest.approx((-1.05 - (-5.6 + 1.6 * 3)) / 5)
    assert above.minimum.energy_per_atom_b == pytest.approx((-1.05 - (-5.6 + 1.6 * 3)) / 8)


def test_interphase_types():
    gaps = load_band_gaps()
    assert classify_interphase(["Li2S", "Li3P", "LiCl"], ["Li", "Li6PS5Cl"], -0.5, gaps).type == "passivating"
    mixed = classify_interphase(["Li2S", "Li3P", "Li15Ge4"], ["Li", "Li10GeP2S12"], -0.5, gaps)
    assert mixed.type == "mixed-conducting" and mixed.decided_by == "Li15Ge4"
    assert classify_interphase(["Li2S"], ["Li", "Li2S"], 0.0, gaps).type == "stable"
    unknown = classify_interphase(["Li2S", "Li5B"], ["Li", "B"], -0.2, gaps)
    assert unknown.type == "undetermined" and unknown.unknown == ["Li5B"]
    # a computed gap overrides the table: Li3P as a metal makes the interphase grow
    override = load_band_gaps({"Li3P": 0.05})
    assert classify_interphase(["Li2S", "Li3P"], ["Li", "Li3PS4"], -1.1, override).type == "mixed-conducting"


def test_a_gap_row_with_only_a_cp2k_value_uses_it(tmp_path):
    """A product known only from `ssbi gap` (LaN: CP2K PBE, no Materials Project value recalled) is read from its
    cp2k gap; a semiconductor product makes the interphase mixed conducting."""
    table = tmp_path / "gaps.yaml"
    table.write_text("conductor_below: 0.3\ngaps:\n  LaN: {cp2k: 0.16, kind: semiconductor, source: test}\n"
                     "  Li2O: {pbe: 5.0, kind: insulator, source: test}\n")
    gaps = load_band_gaps(path=table)
    assert gaps["LaN"].gap == pytest.approx(0.16) and gaps["LaN"].kind == "semiconductor"
    found = classify_interphase(["LaN", "Li2O"], ["Li3N", "Li7La3Zr2O12"], -0.13, gaps)
    assert found.type == "mixed-conducting" and found.decided_by == "LaN"
    shipped = load_band_gaps()
    assert shipped["LaN"].kind == "semiconductor"


def test_cache_builds_one_diagram_per_system():
    cache = PhaseDiagramCache(entries())
    big = cache.prime(["Li", "P", "S"])
    assert cache.get(["Li", "S"]) is big and cache.get(["Li", "P", "S"]) is big
    assert cache.builds == 1
    # the subsystem answer is the same as from its own diagram
    own = PhaseDiagram([e for e in entries() if set(e.composition.chemical_system.split("-")) <= {"Li", "S"}])
    assert stability_window(big, "Li2S").oxidation_limit == pytest.approx(stability_window(own, "Li2S").oxidation_limit)


def test_bad_input_is_one_line():
    pd = phase_diagram(entries())
    with pytest.raises(InputError, match="Cl not in the entries"):
        stability_window(pd, "Li6PS5Cl")
    with pytest.raises(InputError, match="cannot read the formula"):
        stability_window(pd, "Li3PQ4x")
    with pytest.raises(InputError, match="no elemental reference entry for P"):
        phase_diagram([e for e in entries() if e.name != "P"])
    with pytest.raises(InputError, match="no entries given"):
        phase_diagram([])


def test_energy_scales_never_mix():
    mixed = entries() + [ComputedEntry("LiCl", -4.0, parameters={"energy_scale": "mp2020"})]
    with pytest.raises(InputError, match="mixed energy scales"):
        convert(mixed, "raw-gga")
    # raw-gga removes the MP2020 sulfide correction from an mp2020 entry (and leaves Li alone)
    mp = entries({"Li": 0.0, "Li2S": -3.0}, scale="mp2020")
    raw = {e.name: e for e in to_raw_gga(mp)}
    assert raw["Li"].energy == 0.0
    assert raw["Li2S"].energy > -3.0 and raw["Li2S"].parameters["energy_scale"] == "raw-gga"


def test_li_per_formula_unit_does_not_depend_on_the_cell():
    """Li3PS4 given as a two-formula-unit cell (Li6P2S8, -11.2 eV): Li3PS4 + 8 Li -> Li3P + 4 Li2S at 0 V,
    so +8 Li per formula unit (not the cell's +16), and the window is that of the hand hull."""
    cell = {**E, "Li3PS4": None}
    rows = [ComputedEntry(f, e, parameters={"energy_scale": "raw-gga"}, entry_id=f) for f, e in cell.items() if e is not None]
    rows.append(ComputedEntry("Li6P2S8", 2 * E["Li3PS4"], parameters={"energy_scale": "raw-gga"},
                              entry_id="cell", data={"material": "Li3PS4"}))
    w = stability_window(phase_diagram(rows), "Li3PS4")
    assert w.plateaus[0].li_per_fu == pytest.approx(8.0) and w.plateaus[0].products == ["Li2S", "Li3P"]
    assert w.plateaus[1].li_per_fu == pytest.approx(5.0)  # Li3PS4 + 5 Li -> 4 Li2S + P
    assert w.reduction_limit == pytest.approx(6.4 / 5) and w.entry == "Li3PS4"
    # which entries decide the limits
    assert w.reduction_sources == ["Li2S: Li2S", "P: P"] and w.oxidation_sources == ["P2S5: P2S5", "S: S"]


def test_a_metastable_polymorph_gets_the_window_of_its_formula():
    """A second Li3PS4 entry 0.05 eV/atom above the stable one (as beta above gamma) is put on the hull:
    the same limits as the stable polymorph, its own energy above hull."""
    rows = entries() + [ComputedEntry("Li3PS4", -5.6 + 8 * 0.05, parameters={"energy_scale": "raw-gga"},
                                      entry_id="beta", data={"material": "beta"})]
    pd = phase_diagram(rows)
    stable = stability_window(pd, "Li3PS4")
    beta = stability_window(pd, "Li3PS4", entry=next(e for e in rows if e.entry_id == "beta"))
    assert beta.e_above_hull == pytest.approx(0.05)
    assert beta.reduction_limit == pytest.approx(stable.reduction_limit, abs=1e-4)
    assert beta.oxidation_limit == pytest.approx(stable.oxidation_limit, abs=1e-4)
    assert beta.entry == "beta"
