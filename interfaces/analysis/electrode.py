"""An electrode's potential vs Li/Li+ from its own Li hull: 0 V for Li metal; for an alloy (LiIn) the plateau
where it gives off Li to its next Li-poorer phase, which is where an alloy anode sits in a cell.

The electrolyte facing that anode sees μ_Li = μ_Li(metal) − V, not Li metal's: its decomposition there comes from
:func:`interfaces.analysis.window.decomposition_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from pymatgen.analysis.phase_diagram import PhaseDiagram

from interfaces.analysis.hull import composition_of, formula_name
from interfaces.analysis.window import voltage_profile
from interfaces.errors import InputError


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
    if open_element not in {e.symbol for e in comp.elements}:
        raise InputError(f"{name} holds no {open_element}: it has no potential vs {open_element}/{open_element}+")
    if len(comp.elements) == 1:
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
    if this.v_high is None:
        raise InputError(f"{name} gives off no {open_element} at any potential")
    return ElectrodePotential(name, float(this.v_high), float(this.v_low), float(this.v_high),
                              above.products if above else [], below.products if below else [])
