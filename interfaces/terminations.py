"""Distinct terminations of a (h k l) surface, and slabs cut between two terminations.

A termination is a cut plane: the face is the crystal below it. Cuts lie midway
between planes of atoms (clustered within ``ftol`` Å along the surface normal).
Two cuts are the same surface when a bulk symmetry operation that keeps the
normal (R n = n) carries one onto the other; pymatgen's CoherentInterfaceBuilder
merges terminations by label instead, which drops distinct faces that share a
label (pymatgen #3854, #4572) and keeps equivalent ones twice (#3683).

A slab whose bottom cut is the image of its top cut under an operation that
flips the normal (R n = −n) has two equivalent faces (symmetric). Lengths in Å,
dipoles in e·Å per surface cell.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np
from pymatgen.core import Composition, Lattice, Structure
from pymatgen.core.surface import SlabGenerator
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from ssbi.interfaces.errors import InputError, MillerIndexError
from ssbi.interfaces.fingerprint import fingerprint
from ssbi.interfaces.slabs import broken_units, check_miller

HEIGHT_TOL = 0.1  # Å: two cuts (or a cut and an image) closer than this are the same
TOP_DEPTH = 1.0  # Å: the atoms that name a termination
CHARGE_TOL = 1e-3  # e per layer


@dataclass
class Termination:
    """One distinct face of (h k l); counts per surface cell of the oriented cell."""

    index: int
    label: str  # composition of the atoms within ``TOP_DEPTH`` of the top, unique per (h k l)
    miller: tuple[int, int, int]
    height: float  # the cut, Å above the bottom of the oriented cell
    equivalent_heights: list[float]  # every cut that is the same face by symmetry
    top_species: dict[str, int]
    top_atom: str
    stoichiometric_symmetric: bool  # a slab with this face on both sides can keep the bulk composition
    symmetric_possible: bool  # any symmetric slab (False on a polar axis with no R n = −n operation)
    symmetric_excess: dict[str, float]  # atoms per surface cell beyond whole formula units (thinnest symmetric slab)
    polar: bool  # the stoichiometric slab (this face on top) carries a dipole
    tasker: int  # 1 neutral planes, 2 charged planes but no dipole, 3 dipole
    dipole: float  # e·Å per surface cell, along the normal, of the stoichiometric slab one period thick
    broken_units: int  # polyanion centres missing a ligand at this face, per surface cell
    area: float  # Å², surface cell

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SurfaceCuts:
    """The oriented cell of (h k l) and its cut planes, with the symmetry that relates them."""

    bulk: Structure
    miller: tuple[int, int, int]
    ftol: float = 0.25

    def __post_init__(self):
        self.miller = check_miller(self.miller)
        if not self.bulk.is_ordered:
            raise InputError("terminations need an ordered structure (no partial occupancies)")
        try:
            self._gen = SlabGenerator(self.bulk, self.miller, min_slab_size=1, min_vacuum_size=1,
                                      in_unit_planes=True, primitive=True, center_slab=False)
        except (ValueError, ZeroDivisionError) as exc:
            raise MillerIndexError(f"no {self.miller} surface for {self.bulk.composition.reduced_formula}: {exc}") \
                from None

    @cached_property
    def cell(self) -> Structure:
        """The oriented unit cell: a, b in the surface, c out of it."""
        return self._gen.oriented_unit_cell.copy()

    @cached_property
    def normal(self) -> np.ndarray:
        m = self.cell.lattice.matrix
        n = np.cross(m[0], m[1])
        return n / np.linalg.norm(n)

    @cached_property
    def period(self) -> float:
        """Repeat distance along the normal (Å)."""
        return float(self.cell.lattice.matrix[2] @ self.normal)

    @cached_property
    def area(self) -> float:
        m = self.cell.lattice.matrix
        return float(np.linalg.norm(np.cross(m[0], m[1])))

    @cached_property
    def heights(self) -> np.ndarray:
        return (self.cell.frac_coords[:, 2] % 1.0) * self.period

    @cached_property
    def cuts(self) -> list[float]:
        """Every cut plane in one period (Å), midway between atomic planes clustered within ``ftol``."""
        return sorted(float(s % 1.0) * self.period for s in self._gen.gen_possible_terminations(ftol=self.ftol))

    @cached_property
    def _ops(self) -> tuple[list[float], list[float]]:
        """Normal translations of the operations with R n = n, and offsets of those with R n = −n."""
        keep, flip = [], []
        for op in SpacegroupAnalyzer(self.cell, symprec=0.1).get_symmetry_operations(cartesian=True):
            rn = op.rotation_matrix @ self.normal
            dz = float(op.translation_vector @ self.normal)
            if np.allclose(rn, self.normal, atol=1e-3):
                keep.append(dz)
            elif np.allclose(rn, -self.normal, atol=1e-3):
                flip.append(dz)
        return keep, flip

    def _same(self, a: float, b: float) -> bool:
        d = (a - b) % self.period
        return min(d, self.period - d) < HEIGHT_TOL

    def classes(self) -> list[list[float]]:
        """Cuts grouped into faces that are the same by symmetry (first cut of each group represents it)."""
        keep, _ = self._ops
        groups: list[list[float]] = []
        for h in self.cuts:
            for g in groups:
                if any(self._same(h + dz, g[0]) for dz in keep):
                    g.append(h)
                    break
            else:
                groups.append([h])
        return groups

    def symmetric_thicknesses(self, top: float, minimum: float, count: int = 1) -> list[float]:
        """Thicknesses (Å, ≥ ``minimum``) at which the bottom cut is the top face flipped: ``count`` of them."""
        _, flip = self._ops
        residues = sorted({round((2 * top - dz) % self.period, 4) for dz in flip})
        out = []
        k = 0
        while len(out) < count and residues:
            for r in residues:
                t = r + k * self.period
                if t >= minimum - 1e-6 and (not out or t - out[-1] > HEIGHT_TOL):
                    out.append(t)
                if len(out) == count:
                    break
            k += 1
        return out

    def slab(self, top: float, thickness: float, vacuum: float = 15.0) -> Structure:
        """Atoms between the cuts ``top − thickness`` and ``top`` (Å), in a cell with c along the normal.

        The slab sits ``vacuum / 2`` above the cell bottom; site property ``height`` is the depth below the top cut.
        """
        m = self.cell.lattice.matrix
        bottom = top - thickness
        species, cart, depth = [], [], []
        k0, k1 = int(np.floor(bottom / self.period)) - 1, int(np.ceil(top / self.period)) + 1
        for k in range(k0, k1 + 1):
            z = self.heights + k * self.period
            inside = (z > bottom) & (z < top)
            for i in np.flatnonzero(inside):
                species.append(self.cell[i].species)
                cart.append(self.cell[i].coords + k * m[2] - (bottom - vacuum / 2) * self.normal
                            - np.floor(self.cell.frac_coords[i, 2]) * m[2])
                depth.append(float(top - z[i]))
        if not species:
            raise InputError(f"no atoms between the cuts {bottom:.2f} and {top:.2f} Å of {self.miller}")
        lattice = Lattice([m[0], m[1], (thickness + vacuum) * self.normal])
        out = Structure(lattice, species, cart, coords_are_cartesian=True, to_unit_cell=True,
                        site_properties={"height": depth})
        return out

    def composition_excess(self, slab: Structure) -> dict[str, float]:
        """Atoms per surface cell beyond the largest number of whole bulk formula units the slab holds."""
        bulk = self.bulk.composition.reduced_composition
        comp = slab.composition
        units = min(comp[el] / bulk[el] for el in bulk)
        excess = {el.symbol: round(float(comp[el] - units * bulk[el]), 6) for el in bulk}
        return {k: v for k, v in excess.items() if abs(v) > 1e-6}


def _oxidised(structure: Structure) -> Structure:
    """Oxidation states by bond valence, else by composition guess, else zeros (no charges known)."""
    from pymatgen.analysis.bond_valence import BVAnalyzer

    try:
        return BVAnalyzer().get_oxi_state_decorated_structure(structure)
    except ValueError:
        out = structure.copy()
        try:
            out.add_oxidation_state_by_guess()
        except ValueError:
            out.add_oxidation_state_by_element({el.symbol: 0 for el in structure.composition.elements})
        return out


def _layer_charges(slab: Structure, ftol: float) -> list[float]:
    heights = np.asarray(slab.site_properties["height"])
    charges = np.array([getattr(s.specie, "oxi_state", 0) or 0 for s in slab])
    order = np.argsort(heights)
    layers, current, last = [], [], None
    for i in order:
        if last is not None and heights[i] - last > ftol:
            layers.append(float(charges[current].sum()))
            current = []
        current.append(i)
        last = heights[i]
    layers.append(float(charges[current].sum()))
    return layers


def _dipole(slab: Structure, normal: np.ndarray) -> float:
    charges = np.array([getattr(s.specie, "oxi_state", 0) or 0 for s in slab])
    z = slab.cart_coords @ normal
    return float(charges @ (z - z.mean()))


_FOUND: dict[str, list[Termination]] = {}  # the builder asks for the same faces several times per interface


def terminations(bulk: Structure, miller, ftol: float = 0.25, depth: float = TOP_DEPTH) -> list[Termination]:
    """Every distinct face of ``bulk`` (h k l), in order of height, each with a unique label."""
    miller = check_miller(miller)
    key = fingerprint({"bulk": bulk, "miller": list(miller), "ftol": ftol, "depth": depth})
    if key not in _FOUND:
        if len(_FOUND) > 64:
            _FOUND.clear()
        _FOUND[key] = _terminations(bulk, miller, ftol, depth)
    return copy.deepcopy(_FOUND[key])


def _terminations(bulk: Structure, miller, ftol: float, depth: float) -> list[Termination]:
    cuts = SurfaceCuts(bulk, miller, ftol)
    charged = SurfaceCuts(_oxidised(cuts.bulk), cuts.miller, ftol)
    out: list[Termination] = []
    for group in cuts.classes():
        top = group[0]
        stoich = charged.slab(top, cuts.period)
        top_sites = [s for s in stoich if s.properties["height"] <= min(stoich.site_properties["height"]) + depth]
        top_comp = Composition(_counts(top_sites))
        top_atom = min(stoich, key=lambda s: s.properties["height"]).specie.element.symbol
        sym = cuts.symmetric_thicknesses(top, minimum=cuts.period - 1e-3, count=4)
        excesses = [cuts.composition_excess(cuts.slab(top, t)) for t in sym]
        layers = _layer_charges(stoich, ftol)
        dipole = _dipole(stoich, cuts.normal)
        polar = abs(dipole) / cuts.area > 1e-3
        tasker = 3 if polar else (1 if all(abs(q) < CHARGE_TOL for q in layers) else 2)
        thick = cuts.slab(top, max(2 * cuts.period, 8.0))
        face = {i for i, d in enumerate(thick.site_properties["height"]) if d < 0.5 * max(2 * cuts.period, 8.0)}
        broken = broken_units(thick, cuts.bulk, indices=face)
        out.append(Termination(
            index=len(out), label=_plane_label(top_sites, ftol),
            miller=cuts.miller, height=round(top, 4), equivalent_heights=[round(h, 4) for h in group],
            top_species={el.symbol: int(round(n)) for el, n in top_comp.items()}, top_atom=top_atom,
            stoichiometric_symmetric=any(not e for e in excesses), symmetric_possible=bool(sym),
            symmetric_excess=next((e for e in excesses), {}), polar=polar, tasker=tasker,
            dipole=round(dipole, 4), broken_units=int(broken), area=round(cuts.area, 4)))
    seen: dict[str, int] = {}
    for t in out:
        seen[t.label] = seen.get(t.label, 0) + 1
    count: dict[str, int] = {}
    for t in out:
        if seen[t.label] > 1:
            count[t.label] = count.get(t.label, 0) + 1
            t.label = f"{t.label}#{count[t.label]}"
    return out


def _counts(sites) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in sites:
        out[s.specie.element.symbol] = out.get(s.specie.element.symbol, 0) + 1
    return out


def _formula(counts: dict[str, int]) -> str:
    """{'Li': 2, 'S': 1} → Li2S: counts of 1 dropped, elements in electronegativity order."""
    from pymatgen.core import Element

    return "".join(f"{el}{'' if n == 1 else n}" for el, n in sorted(counts.items(), key=lambda kv: Element(kv[0]).X))


def _plane_label(top_sites, ftol: float) -> str:
    """The atomic planes within the top ``TOP_DEPTH``, outermost first: 'Al+O3' (Al over an O3 plane)."""
    planes: list[list] = []
    for s in sorted(top_sites, key=lambda s: s.properties["height"]):
        if planes and s.properties["height"] - planes[-1][-1].properties["height"] <= ftol:
            planes[-1].append(s)
        else:
            planes.append([s])
    return "+".join(_formula(_counts(p)) for p in planes)


def find_termination(found: list[Termination], key: str | int) -> Termination:
    """A termination by label or index; one line naming the choices otherwise."""
    for t in found:
        if str(key) in (t.label, str(t.index)):
            return t
    names = ", ".join(f"{t.index}: {t.label}" for t in found)
    raise InputError(f"no termination {key!r}; choose one of {names}")




@dataclass
class ContactFace:
    """A face of a slab that touches the other side of an interface, as the builder cuts it."""

    label: str  # the termination's label (`terminations`), or 'bottom@h' for a face of (−h −k −l)
    index: int  # its index in `terminations` (−1 for a (−h −k −l) face)
    shift: float  # pymatgen SlabGenerator shift (fraction of the oriented cell's c) that gives it


def contact_faces(bulk: Structure, miller, side: str, ftol: float = 0.25) -> list[ContactFace]:
    """One slab cut (SlabGenerator shift) per distinct face that meets the interface.

    The substrate meets the film with its top face (the crystal below the cut); the film, which pymatgen does not
    flip, with its bottom face (the crystal above the cut), which is a top face of (h k l) only where an operation
    flips the normal. Every distinct face is kept, unlike CoherentInterfaceBuilder's own termination list.
    """
    cuts = SurfaceCuts(bulk, miller, ftol)
    found = terminations(bulk, miller, ftol)
    c_normal = cuts.period
    out = []
    if side == "substrate":
        for t in found:
            out.append(ContactFace(t.label, t.index, t.height / c_normal))
        return out
    _, flip = cuts._ops
    seen = set()
    for h in cuts.cuts:  # the film slab's bottom face is the crystal above the cut at h
        match = None
        for t in found:
            if any(cuts._same(-h + dz, g) for dz in flip for g in t.equivalent_heights):
                match = t
                break
        key = match.label if match else f"bottom@{h:.2f}"
        if key in seen:
            continue
        seen.add(key)
        out.append(ContactFace(key, match.index if match else -1, h / c_normal))
    return out
