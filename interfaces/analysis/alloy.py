"""Voltage profile of a Li–M alloy anode from a hull: every two-phase plateau (its two phases and its potential vs
Li/Li+), and the fully lithiated end phase.

Walking from the metal M (0 Li) to the Li-richest phase on the Li–M hull, the electrode is two-phase between two
neighbouring hull phases, at the potential where they are in equilibrium; pymatgen's ``get_element_profile``
gives those potentials (:func:`ssbi.interfaces.analysis.window.voltage_profile`). Capacity is Faraday's: x Li per M
is x·F/M(M) (26 801 mAh/mol).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional

from pymatgen.analysis.phase_diagram import PhaseDiagram
from pymatgen.core import Composition, Element

from ssbi.interfaces.analysis.window import voltage_profile
from ssbi.interfaces.errors import InputError

FARADAY_MAH_PER_MOL = 26801.4


@dataclass
class AlloyPlateau:
    """Two-phase plateau ``li_poor`` + Li → ``li_rich`` at ``voltage`` (V vs Li/Li+), from ``x_start`` to
    ``x_end`` Li per M."""

    voltage: float
    li_poor: str
    li_rich: str
    x_start: float
    x_end: float
    sources: list[str] = field(default_factory=list)  # the entries of the two phases ("Li22Sn5: mp-...")


@dataclass
class AlloyProfile:
    metal: str
    plateaus: list[AlloyPlateau]  # from the metal (highest potential) down to the fully lithiated phase
    lithiated: str  # the Li-richest phase before Li metal
    x_max: float  # Li per M in it
    capacity_mah_g: float  # per gram of M, to the fully lithiated phase
    average_voltage: float  # capacity-weighted, V vs Li/Li+

    def as_dict(self) -> dict:
        return asdict(self)


def _metal(pd: PhaseDiagram, metal: Optional[str]) -> Element:
    others = [el for el in pd.elements if el.symbol != "Li"]
    if Element("Li") not in pd.elements or len(others) != 1:
        raise InputError(f"an alloy profile needs a Li–M hull; these entries span "
                         f"{'-'.join(sorted(e.symbol for e in pd.elements))}")
    if metal and Element(metal) != others[0]:
        raise InputError(f"{metal} is not the metal of the Li-{others[0].symbol} hull")
    return others[0]


def alloy_profile(pd: PhaseDiagram, metal: Optional[str] = None) -> AlloyProfile:
    """The lithiation profile of the metal of a Li–M hull ``pd`` (see the module note)."""
    el = _metal(pd, metal)
    steps = voltage_profile(pd, Composition({el: 1}))  # from 0 V upward; li_per_fu: Li taken up per M
    if len(steps) < 2:
        raise InputError(f"{el.symbol} forms no Li alloy on this hull (no phase between {el.symbol} and Li)")
    plateaus = []
    for richer, poorer in zip(steps[:-1], steps[1:]):
        rich = [p for p in richer.products if p != "Li"]
        poor = [p for p in poorer.products if p != "Li"]
        plateaus.append(AlloyPlateau(voltage=round(float(richer.v_high), 4), li_poor=" + ".join(poor),
                                     li_rich=" + ".join(rich), x_start=round(float(poorer.li_per_fu), 4) + 0.0,
                                     x_end=round(float(richer.li_per_fu), 4),
                                     sources=sorted(set(richer.sources) | set(poorer.sources))))
    plateaus.reverse()  # lithiation order: from the metal down in potential
    x_max = float(steps[0].li_per_fu)
    lithiated = " + ".join(p for p in steps[0].products if p != "Li")
    mass = float(el.atomic_mass)
    energy = sum(p.voltage * (p.x_end - p.x_start) for p in plateaus)
    return AlloyProfile(metal=el.symbol, plateaus=plateaus, lithiated=lithiated, x_max=round(x_max, 4),
                        capacity_mah_g=round(x_max * FARADAY_MAH_PER_MOL / mass, 1),
                        average_voltage=round(energy / x_max, 4) if x_max else 0.0)


def alloy_curve(profile: AlloyProfile) -> tuple[list[float], list[float]]:
    """Step curve (Li per M, V) for plotting, from the metal to the fully lithiated phase."""
    xs, vs = [], []
    for p in profile.plateaus:
        xs += [p.x_start, p.x_end]
        vs += [p.voltage, p.voltage]
    return xs, vs


def li_per_metal(formula: str, metal: str) -> float:
    """Li per M of a phase (Li22Sn5: 4.4; Sn: 0)."""
    comp = Composition(formula)
    return float(comp["Li"] / comp[metal])


@dataclass
class PlateauComparison:
    phases: tuple[str, str]  # published, Li-poorer first
    published: float
    computed: Optional[float]  # the computed plateau at the published one's mid Li content
    computed_phases: str
    difference: Optional[float]


def compare_plateaus(profile: AlloyProfile, published: list[dict]) -> list[PlateauComparison]:
    """Each published plateau ({phases: [poor, rich], voltage}) against the computed one at its mid Li content (at
    a hull phase's own content, the Li-richer of its two plateaus)."""
    rows = []
    for pub in published:
        poor, rich = pub["phases"]
        mid = 0.5 * (li_per_metal(poor, profile.metal) + li_per_metal(rich, profile.metal))
        # [x_start, x_end): a mid content that is exactly a hull phase goes with the Li-richer plateau
        hit = next((p for p in profile.plateaus if p.x_start - 1e-6 <= mid < p.x_end - 1e-6), None) or next(
            (p for p in profile.plateaus if abs(mid - p.x_end) <= 1e-6), None)
        computed = None if hit is None else hit.voltage
        rows.append(PlateauComparison(phases=(poor, rich), published=float(pub["voltage"]), computed=computed,
                                      computed_phases="" if hit is None else f"{hit.li_poor} / {hit.li_rich}",
                                      difference=None if computed is None else round(computed - pub["voltage"], 3)))
    return rows
