"""Phase diagrams from entries: element checks, a per-chemical-system cache, hull placement."""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Optional, Sequence

from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from pymatgen.core import Composition, Element
from pymatgen.entries.computed_entries import ComputedEntry

from ssbi.interfaces.errors import InputError
from ssbi.interfaces.materials import list_materials

# how far below the hull a metastable phase is put for its window (eV/atom): far
# below qhull's noise, far too small to move a limit by a millivolt
HULL_PLACEMENT_MARGIN = 1e-5


def composition_of(formula) -> Composition:
    """A Composition from a formula, with one clear line for a malformed one."""
    if isinstance(formula, Composition):
        return formula
    try:
        comp = Composition(str(formula))
    except Exception as exc:  # pymatgen raises several kinds for bad formulas
        raise InputError(f"cannot read the formula {formula!r}: {exc}") from None
    if comp.num_atoms <= 0:
        raise InputError(f"empty formula {formula!r}")
    return comp


@lru_cache(maxsize=1)
def _library_names() -> dict:
    """Reduced composition → library name, for compounds (Li4P2S6, not pymatgen's Li2PS3)."""
    try:
        pass
    except ImportError:  # pragma: no cover - the library ships with the package
        return {}
    out = {}
    # a formula shared by polymorphs (Li3PS4, beta-Li3PS4) is named by the entry called by the formula itself
    for mat in sorted(list_materials(), key=lambda m: (m.name != m.formula, m.name)):
        comp = Composition(mat.formula)
        if not comp.is_element and mat.has_structure:
            out.setdefault(comp.reduced_composition, mat.name)
    return out


def formula_name(composition) -> str:
    """How a phase is named in results: the library name of a compound, else the reduced formula.

    Elements are named by their symbol (S, P, Cl), whatever molecule pymatgen writes.
    """
    comp = composition_of(composition)
    if comp.is_element:
        return comp.elements[0].symbol
    return _library_names().get(comp.reduced_composition, comp.reduced_formula)


def entries_in_chemsys(entries: Iterable[PDEntry], elements: Iterable) -> list[PDEntry]:
    """Entries made only of ``elements``."""
    allowed = {Element(str(e)) for e in elements}
    return [e for e in entries if set(e.composition.elements) <= allowed]


def check_elements(entries: Sequence[PDEntry], elements: Iterable) -> None:
    """Every element needs at least its elemental reference among the entries."""
    wanted = sorted({Element(str(e)) for e in elements}, key=lambda el: el.symbol)
    have_any = {el for e in entries for el in e.composition.elements}
    missing = [el.symbol for el in wanted if el not in have_any]
    if missing:
        raise InputError(f"no entries contain {', '.join(missing)}: add entries for the "
                         f"{'-'.join(el.symbol for el in wanted)} system")
    refs = {e.composition.elements[0] for e in entries if e.composition.is_element}
    no_ref = [el.symbol for el in wanted if el not in refs]
    if no_ref:
        raise InputError(f"no elemental reference entry for {', '.join(no_ref)}: the hull needs one per element")


def phase_diagram(entries: Sequence[PDEntry], elements: Optional[Iterable] = None) -> PhaseDiagram:
    """PhaseDiagram of ``entries`` restricted to ``elements`` (default: all of theirs)."""
    if not entries:
        raise InputError("no entries given")
    if elements is None:
        elements = {el for e in entries for el in e.composition.elements}
    chosen = entries_in_chemsys(entries, elements)
    check_elements(chosen, elements)
    check_one_engine(chosen)
    return PhaseDiagram(chosen, elements=sorted({Element(str(e)) for e in elements}))


def check_one_engine(entries: Sequence[PDEntry]) -> None:
    """One line when entries of different energy models would share a hull (their total energies differ by
    model, so the hull would be meaningless even on one energy scale)."""
    engines = {(getattr(e, "parameters", None) or {}).get("engine") for e in entries} - {None}
    if len(engines) > 1:
        raise InputError(f"entries of {len(engines)} engines ({', '.join(sorted(engines))}) in one hull: total "
                         "energies of different models do not share a hull; use one engine's entries (--engine)")


def e_above_hull(pd: PhaseDiagram, entry: PDEntry) -> float:
    """Energy above the hull of ``entry`` (eV/atom), entry need not be in ``pd``."""
    return float(pd.get_e_above_hull(entry, allow_negative=True))


def lowest_entry(entries: Sequence[PDEntry], formula) -> PDEntry:
    """The lowest-energy entry with the reduced formula of ``formula``."""
    target = composition_of(formula).reduced_composition
    same = [e for e in entries if e.composition.reduced_composition == target]
    if not same:
        raise InputError(f"no entry for {formula_name(target)} among the entries")
    return min(same, key=lambda e: e.energy_per_atom)


def place_on_hull(pd: PhaseDiagram, entry: PDEntry, margin: float = HULL_PLACEMENT_MARGIN
                  ) -> tuple[PhaseDiagram, PDEntry, float]:
    """Phase diagram in which ``entry`` sits just on the hull (the usual window convention).

    Returns the new diagram (built from the stable entries of ``pd`` only, so it is
    cheap), the shifted entry and the original energy above hull (eV/atom). Other
    entries of the same composition are dropped.
    """
    e_hull = e_above_hull(pd, entry)
    comp = entry.composition.reduced_composition
    # on the hull itself (not merely a lower polymorph of the same formula, which is dropped below: a
    # metastable polymorph such as beta-Li3PS4 must be moved down to where gamma is)
    on_hull = e_hull <= 1e-9
    shift = 0.0 if on_hull else (e_hull + margin) * entry.composition.num_atoms
    placed = ComputedEntry(entry.composition, entry.energy - shift, entry_id=getattr(entry, "entry_id", None),
                           data={"e_above_hull": e_hull, "original_energy": entry.energy})
    others = [e for e in pd.stable_entries if e.composition.reduced_composition != comp]
    return PhaseDiagram([*others, placed], elements=pd.elements), placed, e_hull


class PhaseDiagramCache:
    """One PhaseDiagram per chemical system of a fixed entry set, built on first use.

    A request for a subsystem is answered by the smallest cached superset (the hull
    restricted to a face is that face's hull), so twenty electrolytes across four
    systems build at most four diagrams. ``builds`` counts constructions.
    """

    def __init__(self, entries: Sequence[PDEntry]):
        self.entries = list(entries)
        self._diagrams: dict[frozenset, PhaseDiagram] = {}
        self.builds = 0

    def prime(self, elements: Iterable) -> PhaseDiagram:
        """Build (or return) the diagram of exactly ``elements``."""
        key = frozenset(Element(str(e)) for e in elements)
        if key not in self._diagrams:
            self._diagrams[key] = phase_diagram(self.entries, key)
            self.builds += 1
        return self._diagrams[key]

    def get(self, elements: Iterable) -> PhaseDiagram:
        """A diagram covering ``elements``: the smallest cached superset, else a new one."""
        key = frozenset(Element(str(e)) for e in elements)
        supersets = [k for k in self._diagrams if key <= k]
        if supersets:
            return self._diagrams[min(supersets, key=len)]
        return self.prime(key)
