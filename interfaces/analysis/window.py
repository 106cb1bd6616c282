"""Electrochemical stability window and Li voltage profile of a phase (open-Li grand potential).

Voltages are vs Li/Li+: V = μ_Li(metal) − μ_Li (in eV, e = 1). pymatgen's
``PhaseDiagram.get_element_profile`` walks from the Li-rich end; each of its steps
is labelled with the μ_Li at its Li-rich (low-voltage) end. Here each step becomes
a :class:`Plateau` spanning [v_low, v_high): the products are the stable phase
assemblage for every voltage in that range, and ``li_per_fu`` is the Li taken up
(+) or given off (−) per formula unit of the phase to reach it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional

from pymatgen.analysis.phase_diagram import GrandPotentialPhaseDiagram, PDEntry, PhaseDiagram
from pymatgen.core import Composition, Element

from ssbi.interfaces.analysis.hull import composition_of, formula_name, lowest_entry, place_on_hull
from ssbi.interfaces.errors import InputError


@dataclass
class Plateau:
    """Phase assemblage stable between ``v_low`` and ``v_high`` (V vs Li/Li+; None = no upper end)."""

    v_low: float
    v_high: Optional[float]
    li_per_fu: float  # per formula unit of the reduced formula (Li3PS4, not the cell's Li6P2S8)
    products: list[str]
    reaction: str
    sources: list[str] = field(default_factory=list)  # the entries behind the products ("Li2S: mp-1153")


@dataclass
class Window:
    """Stability window of one phase and what it turns into outside it.

    Decomposition energies are per atom of the phase, against its own (unshifted)
    energy, at the given voltages; negative means it decomposes.
    """

    formula: str
    reduction_limit: float
    oxidation_limit: Optional[float]
    reduction_products: list[str]
    oxidation_products: list[str]
    e_above_hull: float
    plateaus: list[Plateau]
    decomposition_energy: dict[str, float] = field(default_factory=dict)
    decomposition_products: dict[str, list[str]] = field(default_factory=dict)
    open_element: str = "Li"
    reduction_sources: list[str] = field(default_factory=list)  # entries of the products at each limit
    oxidation_sources: list[str] = field(default_factory=list)
    entry: str = ""  # the phase's own entry (library name or reference id)

    @property
    def stable_against_metal(self) -> bool:
        return self.reduction_limit <= 1e-9

    def as_dict(self) -> dict:
        return asdict(self)


def _formulas(entries) -> list[str]:
    names = {formula_name(getattr(e, "original_entry", e).composition) for e in entries}
    return sorted(names)


def entry_label(entry) -> str:
    """Where an entry came from: its library name or reference id (``data.material``), else its entry id."""
    entry = getattr(entry, "original_entry", entry)
    return str((getattr(entry, "data", None) or {}).get("material") or getattr(entry, "entry_id", None) or "?")


def _sources(entries) -> list[str]:
    return sorted({f"{formula_name(getattr(e, 'original_entry', e).composition)}: {entry_label(e)}" for e in entries})


def voltage_profile(pd: PhaseDiagram, composition, open_element: str = "Li") -> list[Plateau]:
    """Plateaus from 0 V upward for ``composition`` in ``pd`` (see the module note on labels)."""
    el = Element(open_element)
    comp = composition_of(composition).reduced_composition  # Li taken up per formula unit
    if el not in pd.elements:
        raise InputError(f"{open_element} is not in the phase diagram's elements")
    steps = pd.get_element_profile(el, comp)
    mu_ref = pd.el_refs[el].energy_per_atom
    volts = [float(mu_ref - s["chempot"]) for s in steps]
    plateaus = []
    for i, step in enumerate(steps):
        v_high = volts[i + 1] if i + 1 < len(steps) else None
        products = _formulas(step["entries"])
        v_low = 0.0 if abs(volts[i]) < 1e-9 else volts[i]
        plateaus.append(Plateau(v_low=v_low, v_high=v_high,
                                li_per_fu=float(step["evolution"]), products=products,
                                reaction=str(step["reaction"]), sources=_sources(step["entries"])))
    return plateaus


def decomposition_at(pd: PhaseDiagram, entry: PDEntry, voltage: float, open_element: str = "Li"
                     ) -> tuple[float, list[str]]:
    """Grand-potential decomposition energy (eV per atom of ``entry``) and products at ``voltage``.

    ΔΦ = Φ_hull(products) − [E(entry) − μ_Li n_Li], μ_Li = μ_Li(metal) − V; ≤ 0.
    """
    el = Element(open_element)
    mu = pd.el_refs[el].energy_per_atom - voltage
    comp = entry.composition
    rest = Composition({k: v for k, v in comp.items() if k != el})
    if rest.num_atoms == 0:
        return 0.0, [formula_name(comp)]
    gpd = GrandPotentialPhaseDiagram(pd.stable_entries, {el: mu})
    phi_hull = gpd.get_hull_energy(rest)
    phi_entry = entry.energy - mu * comp[el]
    products = _formulas(gpd.get_decomposition(rest))
    return float(min(phi_hull - phi_entry, 0.0) / comp.num_atoms), products


def stability_window(pd: PhaseDiagram, formula, open_element: str = "Li",
                     voltages: tuple[float, ...] = (0.0, 5.0), entry: Optional[PDEntry] = None) -> Window:
    """Window of ``formula`` with the phase put on the hull first (its e_above_hull is reported).

    ``entry``: the phase's own entry (default: the lowest entry of that formula in ``pd``).
    """
    comp = composition_of(formula)
    missing = [e.symbol for e in comp.elements if e not in pd.elements]
    if missing:
        raise InputError(f"{formula_name(comp)}: {', '.join(missing)} not in the entries' chemical system "
                         f"({'-'.join(e.symbol for e in pd.elements)})")
    entry = entry or lowest_entry(pd.all_entries, comp)
    placed_pd, placed, e_hull = place_on_hull(pd, entry)
    plateaus = voltage_profile(placed_pd, entry.composition, open_element)
    name = formula_name(comp)
    own = [i for i, p in enumerate(plateaus) if p.products == [name]]
    if not own:
        raise InputError(f"{name} did not come out stable after placing it on the hull")
    i = own[0]
    this = plateaus[i]
    below = plateaus[i - 1] if i > 0 else None
    above = plateaus[i + 1] if i + 1 < len(plateaus) else None
    decomposition, products = {}, {}
    for v in voltages:
        energy, prods = decomposition_at(pd, entry, v, open_element)
        decomposition[f"{v:g}"] = energy
        products[f"{v:g}"] = prods
    return Window(formula=name, reduction_limit=float(this.v_low),
                  oxidation_limit=None if this.v_high is None else float(this.v_high),
                  reduction_products=below.products if below else [], oxidation_products=above.products if above else [],
                  e_above_hull=float(e_hull), plateaus=plateaus, decomposition_energy=decomposition,
                  decomposition_products=products, open_element=open_element,
                  reduction_sources=below.sources if below else [], oxidation_sources=above.sources if above else [],
                  entry=entry_label(entry))


def li_uptake_curve(plateaus: list[Plateau], v_max: float = 5.0) -> tuple[list[float], list[float]]:
    """Step curve (voltages, Li per f.u.) for plotting, from 0 V to ``v_max``."""
    vs, xs = [], []
    for p in plateaus:
        hi = v_max if p.v_high is None or p.v_high > v_max else p.v_high
        if p.v_low > v_max:
            break
        vs += [p.v_low, hi]
        xs += [p.li_per_fu, p.li_per_fu]
    return vs, xs

