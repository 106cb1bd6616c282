"""Interfacial reaction energy vs mixing ratio (pymatgen InterfacialReactivity), closed or open to Li.

``x`` is the atomic fraction of reactant ``a`` in the a–b mixture (both normalised
to one atom). Energies: ``energy`` per atom of mixture, as pymatgen reports it
(per non-Li atom when Li is open), and ``energy_per_atom_b`` per atom of
reactant ``b`` (usually the electrolyte), both in eV. Closed: chemical mixing.
Open (``voltage`` given): Li exchanged with a reservoir at μ_Li = μ_Li(metal) − eV.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional

from pymatgen.analysis.interface_reactions import GrandPotentialInterfacialReactivity, InterfacialReactivity
from pymatgen.analysis.phase_diagram import GrandPotentialPhaseDiagram, PhaseDiagram
from pymatgen.analysis.reaction_calculator import Reaction
from pymatgen.core import Composition, Element

from ssbi.interfaces.analysis.hull import composition_of, formula_name, lowest_entry
from ssbi.interfaces.analysis.window import decomposition_at
from ssbi.interfaces.errors import InputError


@dataclass
class Kink:
    x: float
    energy: float
    energy_per_atom_b: float
    reaction: str
    products: list[str]


@dataclass
class ReactionProfile:
    a: str
    b: str
    voltage: Optional[float]
    open_element: Optional[str]
    kinks: list[Kink]
    minimum: Kink
    electrode_side: Kink = field(default=None)  # products in contact with an excess of ``a``
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _products(reaction, reactants: set[str], drop: Optional[str] = None) -> list[str]:
    """Product formulas; the open element goes to its reservoir and is not a product."""
    names = sorted({formula_name(c) for c in reaction.products} - {drop})
    return names if names else sorted(reactants)


def mixing_ratio_in_original_space(x: float, factor_a: float, factor_b: float) -> float:
    """Mixing ratio ``x`` on the tie line of the processed compositions (Li removed: a / factor_a, b / factor_b)
    as the ratio on the tie line of the original ones: x·f_a / ((1 − x)·f_b + x·f_a)."""
    return x * factor_a / ((1 - x) * factor_b + x * factor_a)


def interfacial_reaction(pd: PhaseDiagram, a, b, voltage: Optional[float] = None,
                         open_element: str = "Li") -> ReactionProfile:
    """Reaction profile of ``a`` | ``b`` in ``pd`` (closed, or open to ``open_element`` at ``voltage``)."""
    ca, cb = composition_of(a), composition_of(b)
    for comp in (ca, cb):
        missing = [e.symbol for e in comp.elements if e not in pd.elements]
        if missing:
            raise InputError(f"{formula_name(comp)}: {', '.join(missing)} not in the entries' chemical system "
                             f"({'-'.join(e.symbol for e in pd.elements)})")
    names = (formula_name(ca), formula_name(cb))
    if voltage is None:
        reactivity = InterfacialReactivity(ca, cb, pd, norm=True, use_hull_energy=False)
        factor_a = factor_b = 1.0
    else:
        el = Element(open_element)
        for comp, other in ((ca, cb), (cb, ca)):
            if set(comp.elements) == {el}:
                return _reservoir_profile(pd, names, other, voltage, open_element)
        mu = pd.el_refs[el].energy_per_atom - voltage
        gpd = GrandPotentialPhaseDiagram(pd.all_entries, {el: mu})
        reactivity = GrandPotentialInterfacialReactivity(ca, cb, gpd, pd, include_no_mixing_energy=True, norm=True,
                                                         use_hull_energy=False)
        factor_a, factor_b = reactivity.factor1, reactivity.factor2
    kinks = []
    for _, x, energy, reaction, _ in reactivity.get_kinks():
        # pymatgen's x is on the a-b tie line; back to the non-open space to normalise per atom of b
        x_open = mixing_ratio_in_original_space(x, factor_a, factor_b)
        per_b = 0.0 if x >= 1 - 1e-12 else energy * factor_b / (1 - x_open)
        kinks.append(Kink(x=float(x), energy=float(energy), energy_per_atom_b=float(per_b),
                          reaction=str(reaction),
                          products=_products(reaction, set(names), None if voltage is None else open_element)))
    kinks.sort(key=lambda k: k.x)
    minimum = min(kinks, key=lambda k: k.energy)
    electrode = [k for k in kinks if k.x < 1 - 1e-9][-1]
    return ReactionProfile(a=names[0], b=names[1], voltage=voltage,
                           open_element=None if voltage is None else open_element, kinks=kinks, minimum=minimum,
                           electrode_side=electrode,
                           note="energy per atom of mixture" + ("" if voltage is None else
                                                                f" (non-{open_element} atoms)"))


def _reservoir_profile(pd, names, other: Composition, voltage: float, open_element: str) -> ReactionProfile:
    """``a`` is the open element itself: the other phase meets an unlimited reservoir at ``voltage``."""
    entry = lowest_entry(pd.all_entries, other)
    energy, products = decomposition_at(pd, entry, voltage, open_element)
    formula = formula_name(other)
    start = Kink(x=0.0, energy=0.0, energy_per_atom_b=0.0, reaction=f"{formula} -> {formula}", products=[formula])
    reaction = Reaction([other, Composition(open_element)], [Composition(p) for p in products])
    reaction.normalize_to(other)
    end = Kink(x=1.0, energy=energy, energy_per_atom_b=energy, reaction=f"{reaction} (at {voltage:g} V)",
               products=products)
    return ReactionProfile(a=names[0], b=names[1], voltage=voltage, open_element=open_element, kinks=[start, end],
                           minimum=min((start, end), key=lambda k: k.energy), electrode_side=end,
                           note=f"{open_element} is the reservoir at {voltage:g} V: the energy is the decomposition "
                                f"of {formula} in contact with it, per atom of {formula}")
