"""Lattice-matched film/substrate interfaces (pymatgen ZSL + CoherentInterfaceBuilder)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel
from pymatgen.analysis.interfaces.coherent_interfaces import CoherentInterfaceBuilder
from pymatgen.analysis.interfaces.zsl import ZSLGenerator
from pymatgen.core import Structure
from pymatgen.core.interface import Interface

from ssbi.interfaces.build_settings import BuildSettings  # noqa: F401 - part of this module's API
from ssbi.interfaces.errors import InputError, NoMatchError
from ssbi.interfaces.fingerprint import fingerprint
from ssbi.interfaces.slabs import broken_units, check_miller, fixed_mask, in_plane_strain, set_in_plane_lattice
from ssbi.interfaces.terminations import contact_faces, terminations

BUILDER_VERSION = 3  # 2: candidates with intact polyanions rank first; 3: every distinct face, ssbi labels


class InterfaceMetadata(BaseModel):
    """What a computational chemist needs to know about one candidate."""

    rank: int
    fingerprint: str
    inputs_fingerprint: str
    film_formula: str
    substrate_formula: str
    film_miller: tuple[int, int, int]
    substrate_miller: tuple[int, int, int]
    termination: tuple[str, str]
    area: float
    n_interfaces: int
    n_atoms: int
    n_film_atoms: int
    n_substrate_atoms: int
    n_fixed_atoms: int
    strained_side: Literal["film", "substrate"]
    film_strain: list[list[float]]
    substrate_strain: list[list[float]]
    film_von_mises_strain: float
    substrate_von_mises_strain: float
    max_abs_strain: float
    film_thickness: float
    substrate_thickness: float
    gap: float
    vacuum: float
    min_contact_distance: float
    broken_units: int = 0  # polyanion centres (P, Ge ...) missing ligands in either slab
    film_supercell: list[list[float]]
    substrate_supercell: list[list[float]]


@dataclass
class InterfaceCandidate:
    """An interface with its two reference slabs in exactly the same cell."""

    interface: Interface
    film_slab: Structure
    substrate_slab: Structure
    metadata: InterfaceMetadata


CLEAN_DECIMALS = 10  # ~1e-10: far below any physical displacement, far above float noise


def plain_structure(structure: Structure) -> Structure:
    """Copy without site properties (Miller indices refer to this cell as given), cleaned of numerical noise:
    fractional coordinates rounded and wrapped into [0, 1), lattice rounded. pymatgen's interface matching is
    sensitive to it (a stored relaxed Li2S 1e-16 off its library cell found 0 matches instead of 108)."""
    import numpy as np
    from pymatgen.core import Lattice

    frac = np.round(np.round(structure.frac_coords, CLEAN_DECIMALS) % 1.0, CLEAN_DECIMALS) % 1.0
    lattice = Lattice(np.round(structure.lattice.matrix, CLEAN_DECIMALS))
    return Structure(lattice, structure.species, frac)


def _is_metal_side(structure: Structure) -> bool:
    return all(el.is_metal for el in structure.composition.elements)


def _check_settings(s: BuildSettings) -> None:
    for name in ("film_thickness", "substrate_thickness"):
        if getattr(s, name) <= 0:
            raise InputError(f"{name.replace('_', ' ')} must be positive (Å), got {getattr(s, name)}")
    if s.gap <= 0:
        raise InputError(f"gap must be positive (Å), got {s.gap}")
    if s.vacuum < 0:
        raise InputError(f"vacuum must not be negative (Å), got {s.vacuum}")
    if not 0 < s.max_strain < 0.5:
        raise InputError(f"max strain must be between 0 and 0.5 (fraction), got {s.max_strain}")
    if s.max_atoms < 2:
        raise InputError(f"max atoms must be at least 2, got {s.max_atoms}")
    if s.max_area <= 0:
        raise InputError(f"max area must be positive (Å^2), got {s.max_area}")


def build_interfaces(
    film: Structure,
    substrate: Structure,
    film_miller,
    substrate_miller,
    **options,
) -> list[InterfaceCandidate]:
    """Ranked interface candidates (intact polyanions first, then fewest atoms, then least strain).

    ``film`` sits on top of ``substrate``; Miller indices refer to the cells as given
    (library structures are stored in their published conventional cells). Options are the fields of
    :class:`BuildSettings`: ``max_area`` (Å^2), ``max_strain`` (largest principal
    in-plane strain of the strained side, fraction), ``max_atoms``, thicknesses in Å,
    ``vacuum`` above the film (ignored when ``periodic``), ``gap`` between the slabs,
    ``strained`` side (``auto``: a metal side when exactly one side is metallic, e.g.
    Li, else the film), ``fix_depth`` (Å of substrate bottom to fix; default half
    its thickness) and ``max_candidates``.
    Raises :class:`NoMatchError` naming the limit to relax when nothing fits.
    """
    from pydantic import ValidationError

    try:
        settings = BuildSettings(
            film_miller=check_miller(film_miller, "film Miller index"),
            substrate_miller=check_miller(substrate_miller, "substrate Miller index"),
            **options,
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(map(str, err["loc"])).replace("_", " ")
        raise InputError(f"{name} {err['input']!r}: {err['msg'].lower()}") from None
    _check_settings(settings)
    film_c, sub_c = plain_structure(film), plain_structure(substrate)
    inputs_fp = fingerprint(
        {"builder": BUILDER_VERSION, "film": film_c, "substrate": sub_c, "settings": settings.model_dump()}
    )
    strained = settings.strained
    if strained == "auto":
        strained = "substrate" if (_is_metal_side(sub_c) and not _is_metal_side(film_c)) else "film"

    # an area limit consistent with max_atoms keeps ZSL from enumerating hopeless cells
    dens = len(film_c) / film_c.volume * settings.film_thickness + len(sub_c) / sub_c.volume * settings.substrate_thickness
    max_area = min(settings.max_area, settings.max_atoms / dens * 1.6)

    zsl = ZSLGenerator(
        max_area=max_area,
        max_area_ratio_tol=0.09,
        max_length_tol=settings.max_strain,
        max_angle_tol=settings.max_strain,
        bidirectional=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            cib = CoherentInterfaceBuilder(
                substrate_structure=sub_c,
                film_structure=film_c,
                film_miller=settings.film_miller,
                substrate_miller=settings.substrate_miller,
                zslgen=zsl,
                termination_ftol=settings.termination_ftol,
                label_index=True,
            )
        except ValueError as exc:  # pymatgen's ZSL can fail on some cells (e.g. relaxed, low symmetry)
            raise NoMatchError(
                f"pymatgen could not match {film_c.composition.reduced_formula}{settings.film_miller} on "
                f"{sub_c.composition.reduced_formula}{settings.substrate_miller} ({exc}); "
                "try other Miller indices or the other structure variant"
            ) from None
    if not cib.zsl_matches:
        raise NoMatchError(
            f"No lattice match for {film_c.composition.reduced_formula}{settings.film_miller} on "
            f"{sub_c.composition.reduced_formula}{settings.substrate_miller} within max strain "
            f"{settings.max_strain:.3f} and area {max_area:.0f} Å^2: raise --max-strain or --max-atoms/--max-area"
        )

    polar = _use_distinct_faces(cib, film_c, sub_c, settings)
    rejected = {"atoms": 0, "strain": 0, "contact": 0}
    needed: list[tuple[int, bool]] = []  # (atoms, counted) of the matches over max_atoms: built, or a lower bound
    cib.zsl_matches = _preselect_matches(cib.zsl_matches, dens, settings, rejected, needed)

    found: list[tuple[tuple, InterfaceCandidate]] = []
    for term in cib.terminations:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            generated = cib.get_interfaces(
                term,
                gap=settings.gap,
                vacuum_over_film=settings.gap if settings.periodic else settings.vacuum,
                film_thickness=settings.film_thickness,
                substrate_thickness=settings.substrate_thickness,
                in_layers=False,
            )
            for match, iface in zip(cib.zsl_matches, generated):
                if len(iface) > settings.max_atoms:
                    rejected["atoms"] += 1
                    needed.append((len(iface), True))
                    continue
                cand = _candidate(iface, match, settings, strained, inputs_fp)
                if cand.metadata.max_abs_strain > settings.max_strain + 1e-9:
                    rejected["strain"] += 1
                    continue
                if cand.metadata.min_contact_distance < settings.min_contact:
                    rejected["contact"] += 1
                    continue
                cand.metadata.broken_units = (broken_units(cand.film_slab, film_c)
                                              + broken_units(cand.substrate_slab, sub_c))
                # intact polyanions first (a cut PS4 reacts with anything), non-polar faces before polar ones,
                # then small, then unstrained
                key = (cand.metadata.broken_units, polar["film"].get(term[0], 0) + polar["substrate"].get(term[1], 0),
                       cand.metadata.n_atoms, round(cand.metadata.max_abs_strain, 6), round(cand.metadata.area, 4),
                       term)
                found.append((key, cand))
    if not found:
        worst = max(rejected, key=rejected.get)
        hint = {
            "atoms": f"every match exceeds --max-atoms {settings.max_atoms} ({_smallest(needed)}): raise --max-atoms or "
                     "reduce the thicknesses",
            "strain": f"every match exceeds --max-strain {settings.max_strain}: raise --max-strain",
            "contact": f"atoms closer than {settings.min_contact} Å across the gap: increase --gap",
        }[worst]
        raise NoMatchError(
            f"No interface for {film_c.composition.reduced_formula}{settings.film_miller} on "
            f"{sub_c.composition.reduced_formula}{settings.substrate_miller}: {hint}"
        )
    found.sort(key=lambda kc: kc[0])
    out = []
    for rank, (_, cand) in enumerate(found[: settings.max_candidates], start=1):
        cand.metadata.rank = rank
        out.append(cand)
    return out


def _use_distinct_faces(cib, film: Structure, substrate: Structure, s: BuildSettings) -> dict[str, dict[str, int]]:
    """Replace pymatgen's termination list (which merges distinct faces with one label and keeps equivalent ones
    twice, pymatgen #3854/#3683) by one cut per distinct contact face, labelled as `ssbi terminations` labels them;
    keep only the requested faces. Returns {side: {label: 1 for a polar face, else 0}}."""

    chosen = {}
    for side, structure, miller, want in (("film", film, s.film_miller, s.film_termination),
                                          ("substrate", substrate, s.substrate_miller, s.substrate_termination)):
        faces = contact_faces(structure, miller, side, s.termination_ftol)
        if want is not None:
            picked = [f for f in faces if want in (f.label, str(f.index))]
            if not picked:
                names = ", ".join(f"{f.index}: {f.label}" for f in faces)
                raise InputError(f"no {side} termination {want!r} for {structure.composition.reduced_formula}"
                                 f"{tuple(miller)}; choose one of {names}")
            faces = picked
        chosen[side] = faces
    cib._terminations = {(f.label, b.label): (f.shift, b.shift) for f in chosen["film"] for b in chosen["substrate"]}
    cib.terminations = list(cib._terminations)
    return {side: {t.label: int(t.polar) for t in terminations(structure, miller, s.termination_ftol)}
            for side, structure, miller in (("film", film, s.film_miller), ("substrate", substrate, s.substrate_miller))}


def _smallest(needed: list[tuple[int, bool]]) -> str:
    """The size of the smallest match over the atom limit: counted where it was built, else a lower bound."""
    atoms, counted = min(needed, key=lambda n: (n[0], not n[1]), default=(0, False))
    return f"the smallest has {atoms} atoms" if counted else f"the smallest needs at least ~{atoms} atoms"


def _preselect_matches(matches, atoms_per_area: float, s: BuildSettings, rejected: dict, needed: list) -> list:
    """Unique matches (by area and strain) that can fit the atom and strain limits.

    ZSL returns many symmetry-equivalent cells and plain supercells of smaller
    matches; building each one is the expensive step, so those and hopeless ones
    are dropped first. The atom
    estimate (area x atoms per Å^2 at the requested thicknesses) is a lower bound; the cells it turns away for
    size go into ``needed`` as (estimated atoms, False).
    """
    keyed = {}
    for m in matches:
        area = float(np.linalg.norm(np.cross(*np.asarray(m.substrate_sl_vectors)[:2])))
        strain = in_plane_strain(np.asarray(m.film_sl_vectors), np.asarray(m.substrate_sl_vectors))
        principal = float(max(abs(np.linalg.eigvalsh(strain))))
        if area * atoms_per_area > s.max_atoms:
            rejected["atoms"] += 1
            needed.append((round(area * atoms_per_area), False))
            continue
        if principal > s.max_strain * 1.5:
            rejected["strain"] += 1
            continue
        keyed.setdefault((round(area, 2), round(principal, 4)), m)
    kept: list[tuple[float, float]] = []
    ordered = []
    for area, principal in sorted(keyed):
        # a supercell of a kept match (same strain, k times the area) adds nothing
        if any(abs(principal - p) < 1e-4 and _is_multiple(area, a) for a, p in kept):
            continue
        kept.append((area, principal))
        ordered.append(keyed[(area, principal)])
    return ordered[: max(3 * s.max_candidates, 12)]


def _is_multiple(area: float, base: float) -> bool:
    ratio = area / base
    return ratio > 1.5 and abs(ratio - round(ratio)) < 0.02


def _candidate(iface: Interface, match, s: BuildSettings, strained: str, inputs_fp: str) -> InterfaceCandidate:
    film_sl = np.asarray(match.film_sl_vectors)
    sub_sl = np.asarray(match.substrate_sl_vectors)
    if strained == "substrate":
        # pymatgen strains the film onto the substrate; move the strain to the substrate
        iface = set_in_plane_lattice(iface, film_sl)
    final = iface.lattice.matrix[:2]
    film_strain = in_plane_strain(film_sl, final)
    sub_strain = in_plane_strain(sub_sl, final)

    heights = iface.cart_coords @ _unit_normal(iface)
    sub_idx = list(iface.substrate_indices)
    film_idx = list(iface.film_indices)
    depth = s.fix_depth if s.fix_depth is not None else 0.5 * s.substrate_thickness
    sub_fixed = fixed_mask(heights[sub_idx], depth)
    if sub_fixed.all():
        span = float(np.ptp(heights[sub_idx]))
        raise InputError(f"--fix-depth {depth:g} Å fixes all {len(sub_idx)} substrate atoms (the substrate slab is "
                         f"{span:.1f} Å thick); give less than {span:.1f} Å")
    fixed = np.zeros(len(iface), bool)
    fixed[np.array(sub_idx)[sub_fixed]] = True
    region = np.array(["film"] * len(iface), dtype=object)
    region[sub_idx] = "substrate"
    iface.add_site_property("selective_dynamics", [[not f] * 3 for f in fixed])
    iface.add_site_property("region", list(region))

    film_slab = Structure.from_sites([iface[i] for i in film_idx])
    sub_slab = Structure.from_sites([iface[i] for i in sub_idx])
    area = float(np.linalg.norm(np.cross(final[0], final[1])))
    principal = [float(max(abs(np.linalg.eigvalsh(e)))) for e in (film_strain, sub_strain)]
    meta = InterfaceMetadata(
        rank=0,
        fingerprint=fingerprint({"inputs": inputs_fp, "interface": iface, "termination": list(iface.interface_properties["termination"])}),
        inputs_fingerprint=inputs_fp,
        film_formula=film_slab.composition.reduced_formula,
        substrate_formula=sub_slab.composition.reduced_formula,
        film_miller=s.film_miller,
        substrate_miller=s.substrate_miller,
        termination=tuple(iface.interface_properties["termination"]),
        area=area,
        n_interfaces=2 if s.periodic else 1,
        n_atoms=len(iface),
        n_film_atoms=len(film_idx),
        n_substrate_atoms=len(sub_idx),
        n_fixed_atoms=int(fixed.sum()),
        strained_side=strained,
        film_strain=np.round(film_strain, 8).tolist(),
        substrate_strain=np.round(sub_strain, 8).tolist(),
        film_von_mises_strain=float(film_strain.von_mises_strain),
        substrate_von_mises_strain=float(sub_strain.von_mises_strain),
        max_abs_strain=max(principal),
        film_thickness=s.film_thickness,
        substrate_thickness=s.substrate_thickness,
        gap=s.gap,
        vacuum=0.0 if s.periodic else s.vacuum,
        min_contact_distance=contact_distance(iface),
        film_supercell=film_sl.tolist(),
        substrate_supercell=sub_sl.tolist(),
    )
    return InterfaceCandidate(iface, film_slab, sub_slab, meta)


def _unit_normal(structure: Structure) -> np.ndarray:
    m = structure.lattice.matrix
    n = np.cross(m[0], m[1])
    return n / np.linalg.norm(n)


def contact_distance(iface: Interface) -> float:
    """Shortest film-substrate distance (Å), periodic images included."""
    film = list(iface.film_indices)
    sub = list(iface.substrate_indices)
    dm = iface.lattice.get_all_distances(iface.frac_coords[film], iface.frac_coords[sub])
    return float(dm.min())
