"""An electrode's potential vs Li/Li+ from its own Li hull: 0 V for Li metal; for an alloy (LiIn) or a lithiated
cathode (Li2S) the plateau where it gives off Li to its next Li-poorer phase, which is where it sits in a cell;
for a Li-free cathode (S8) the plateau where it starts taking up Li (S/Li2S, both give the same couple).

The electrolyte facing that anode sees μ_Li = μ_Li(metal) − V, not Li metal's: its decomposition there comes from
:func:`ssbi.interfaces.analysis.window.decomposition_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from pymatgen.analysis.phase_diagram import PhaseDiagram
from pymatgen.core import Composition, Element

from ssbi.interfaces.analysis.hull import composition_of, formula_name
from ssbi.interfaces.analysis.window import voltage_profile
from ssbi.interfaces.errors import InputError


@dataclass
class ElectrodePotential:
    """``potential`` (V vs Li/Li+) of ``electrode``: the top of its stable range [``v_low``, ``v_high``], where
    it turns into ``delithiated`` (the Li-poorer phases it is in equilibrium with); 0 V for Li metal."""

    electrode: str
    potential: float
    v_low: float
    v_high: Optional[float]
    delithiated: list[str]
    lithiated: list[str]

    @property
    def label(self) -> str:
        return f"{self.potential:.2f} V ({self.electrode})"


def electrode_potential(pd: PhaseDiagram, formula, open_element: str = "Li") -> ElectrodePotential:
    """Where ``formula`` (on the hull of ``pd``) sits vs Li/Li+ as an electrode (see the module note)."""
    comp = composition_of(formula)
    name = formula_name(comp)
    lithium_free = open_element not in {e.symbol for e in comp.elements}
    if not lithium_free and len(comp.elements) == 1:
        return ElectrodePotential(name, 0.0, 0.0, 0.0, [], [])
    plateaus = voltage_profile(pd, comp, open_element)
    own = [i for i, p in enumerate(plateaus) if p.products == [name]]
    if not own:
        raise InputError(f"{name} is not on the {'-'.join(e.symbol for e in pd.elements)} hull: an electrode of it "
                         "would decompose (its potential is that of its products)")
    i = own[0]
    this = plateaus[i]
    above = plateaus[i + 1] if i + 1 < len(plateaus) else None
    below = plateaus[i - 1] if i > 0 else None
    if lithium_free:
        if below is None:
            raise InputError(f"{name} takes up no {open_element} at any potential above 0 V")
        return ElectrodePotential(name, float(this.v_low), float(this.v_low), this.v_high, [], below.products)
    if this.v_high is None:
        raise InputError(f"{name} gives off no {open_element} at any potential")
    return ElectrodePotential(name, float(this.v_high), float(this.v_low), float(this.v_high),
                              above.products if above else [], below.products if below else [])


def couple_potential(pd: PhaseDiagram, lithiated, delithiated, open_element: str = "Li") -> ElectrodePotential:
    """Potential of the two-phase couple ``lithiated`` / ``delithiated`` (Li2S / S: Li2S → S + 2 Li), from their
    hull energies: V = [E(delithiated) + x μ_Li(metal) − E(lithiated)] / x per formula unit of the lithiated
    phase. The couple a cell cycles (S/Li2S) even where the hull puts another phase between them (LiS4 on the
    CHGNet hull, a hypothetical Materials Project phase)."""
    lith, delith = composition_of(lithiated).reduced_composition, composition_of(delithiated)
    el = Element(open_element)
    host = Composition({k: v for k, v in lith.items() if k != el})
    if host.reduced_formula != delith.reduced_formula or lith[el] == 0:
        raise InputError(f"{formula_name(lith)} / {formula_name(delith)} is not a Li couple (the host must match)")
    scale = host.num_atoms / delith.reduced_composition.num_atoms
    e_lith = pd.get_hull_energy(lith)
    e_delith = pd.get_hull_energy(delith.reduced_composition) * scale
    mu = pd.el_refs[el].energy_per_atom
    volts = float((e_delith + lith[el] * mu - e_lith) / lith[el])
    return ElectrodePotential(f"{formula_name(delith)}/{formula_name(lith)}", volts, volts, volts,
                              [formula_name(delith)], [formula_name(lith)])
