"""Work of adhesion of an interface with any engine (atomate2 common-flow style).

Stages (jobflow, dynamic where later structures depend on earlier results):

1. bulk relaxations of both materials (``CalcMaker``; skipped by the caller when
   the store already has them) or, with ``relax_bulk=False``, bulk single points;
2. ``adhesion_setup``: interface candidates from the (relaxed) bulks, optional
   registry scan (rigid single points over in-plane film shifts);
3. ``adhesion_stage``: rigid single points of interface and reference slabs,
   optional separation scan, relaxations of interface and slabs in the same cell
   with the bottom substrate layers fixed;
4. ``adhesion_summary``: W_ad rigid/relaxed, UBER fit, surface and interface
   energies, one :class:`AdhesionDoc`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np
from jobflow import Flow, Job, Response, job
from pymatgen.core import Structure

from ssbi.interfaces.adhesion import (
    EV_PER_A2_TO_J_PER_M2,
    fit_uber,
    interface_area,
    registry_grid,
    separated_halves,
    unstrained_slab,
    with_gap,
    with_offset,
    work_of_adhesion,
)
from ssbi.interfaces.builder import BUILDER_VERSION, build_interfaces
from ssbi.interfaces.crystallography import in_setting_of
from ssbi.interfaces.errors import InputError
from ssbi.interfaces.fingerprint import fingerprint
from ssbi.interfaces.interface_reaction import interface_reaction
from ssbi.interfaces.registry import cell_fractions, grid_in_cell, registry_cell
from ssbi.workflows.engines.maker import EngineMaker
from ssbi.workflows.flows.calc import CalcMaker
from ssbi.workflows.schemas import AdhesionDoc, EngineInfo, RegistryResult, UberResult

DEFAULT_GAPS = (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0)
STRAIN_TOL = 1e-6  # von Mises strain below which a side counts as unstrained (no extra single point)


def _named(job_: Job, name: str) -> Job:
    job_.name = name
    return job_


def _energy(job_: Job):
    return job_.output.output.energy


def _structure(job_: Job):
    return job_.output.output.structure


@dataclass
class AdhesionMaker(EngineMaker):
    """W_ad of ``film`` on ``substrate`` with ``engine``.

    ``build``: options of :func:`ssbi.interfaces.builder.build_interfaces` (strain,
    area, thicknesses, vacuum...); ``candidate``: the first ranked candidate to run
    (0 = best), ``n_candidates``: how many, each its own ``AdhesionDoc``.
    """

    name: str = "adhesion"
    film_miller: tuple[int, int, int] = (1, 0, 0)
    substrate_miller: tuple[int, int, int] = (1, 0, 0)
    build: dict = field(default_factory=dict)
    candidate: int = 0
    n_candidates: int = 1
    relax_bulk: bool = True
    relax: bool = True
    scan_registry: bool = False
    registry_points: int = 3
    registry_search: str = "grid"  # grid: n×n over the cell; refine: n×n over the distinct shifts, then around the best
    scan_separation: bool = False
    gaps: tuple[float, ...] = DEFAULT_GAPS

    def settings(self) -> dict:
        """What, besides structures and engine, decides one candidate's result (fingerprinted)."""
        return {"film_miller": list(self.film_miller), "substrate_miller": list(self.substrate_miller),
                "build": self.build, "candidate": self.candidate, "relax_bulk": self.relax_bulk,
                "relax": self.relax, "scan_registry": self.scan_registry, "registry_points": self.registry_points,
                "scan_separation": self.scan_separation, "gaps": list(self.gaps), "builder": BUILDER_VERSION,
                **({"registry_search": self.registry_search} if self.registry_search != "grid" else {}),
                # relaxed W_ad against the lower of each slab's relaxation and its separated, relaxed half
                **({"relaxed_references": "slab or separated half"} if self.relax else {})}

    def candidate_indices(self) -> list[int]:
        return list(range(self.candidate, self.candidate + self.n_candidates))

    def for_candidate(self, index: int) -> "AdhesionMaker":
        """This maker restricted to the ranked candidate ``index``."""
        return replace(self, candidate=index, n_candidates=1)

    def fingerprint(self, film: Structure, substrate: Structure, index: Optional[int] = None) -> str:
        """Fingerprint of one candidate's result (default: the first one this maker runs)."""
        one = self.for_candidate(self.candidate if index is None else index)
        return fingerprint({"kind": "adhesion", "film": film, "substrate": substrate, "settings": one.settings(),
                            "engine": self.resolved.describe()})

    def build_candidates(self, film: Structure, substrate: Structure) -> list:
        """The candidates this maker runs; no match, too few or overlapping atoms fail here, before any job."""
        cands = build_interfaces(film, substrate, self.film_miller, self.substrate_miller, **self.build)
        last = self.candidate + self.n_candidates - 1
        if self.n_candidates < 1 or self.candidate < 0 or last >= len(cands):
            raise InputError(f"candidates {self.candidate}..{last} requested but {len(cands)} were built "
                             "(indices start at 0)")
        return cands[self.candidate:last + 1]

    def check_build(self, film: Structure, substrate: Structure):
        """The first candidate this maker runs (see :meth:`build_candidates`)."""
        return self.build_candidates(film, substrate)[0]

    def make(self, film: Structure, substrate: Structure, film_name: Optional[str] = None,
             substrate_name: Optional[str] = None, film_bulk: Optional[dict] = None,
             substrate_bulk: Optional[dict] = None, candidates: Optional[list[int]] = None) -> Flow:
        """One flow: bulk jobs once, then one adhesion branch per candidate.

        ``film_bulk``/``substrate_bulk``: stored relaxed bulks ({"structure",
        "energy_per_atom"}) to reuse; ``candidates``: ranked indices to run
        (default: ``candidate`` .. ``candidate + n_candidates - 1``).
        """
        film_name = film_name or film.composition.reduced_formula
        substrate_name = substrate_name or substrate.composition.reduced_formula
        eng = self.resolved
        jobs, bulk = [], {}
        for side, structure, name, stored in (("film", film, film_name, film_bulk),
                                              ("substrate", substrate, substrate_name, substrate_bulk)):
            if stored is not None:
                bulk[side] = (stored["structure"], stored["energy_per_atom"])
            elif self.relax_bulk:  # the primitive cell (the hull's bulk), then back to this cell's setting
                prim = structure.get_primitive_structure()
                calc = CalcMaker(engine=eng, kind="relax", target="bulk").make(prim, material=name)
                setting = bulk_in_cell(calc.output, structure)
                setting.name = f"adhesion {side} bulk in its cell"
                jobs += [calc, setting]
                bulk[side] = (setting.output["structure"], setting.output["energy_per_atom"])
            else:
                prim = structure.get_primitive_structure()
                static = _named(eng.static_maker("bulk").make(prim), f"adhesion static {side} bulk")
                per_atom = _per_atom(_energy(static), len(prim))
                jobs += [static, per_atom]
                bulk[side] = (structure, per_atom.output)
        setups = []
        for index in candidates if candidates is not None else self.candidate_indices():
            setup = adhesion_setup(self.for_candidate(index), bulk["film"][0], bulk["substrate"][0], bulk["film"][1],
                                   bulk["substrate"][1], film_name, substrate_name,
                                   self.fingerprint(film, substrate, index))
            setup.name = f"adhesion setup {film_name}|{substrate_name} #{index}"
            setups.append(setup)
        output = setups[0].output if len(setups) == 1 else [s.output for s in setups]
        return Flow([*jobs, *setups], output=output, name=f"adhesion {film_name}|{substrate_name} ({eng.name})")


@job
def bulk_in_cell(calc, cell: Structure) -> dict:
    """A bulk relaxation of ``cell``'s primitive cell (a CalcDoc, e.g. the hull's) as this flow's relaxed bulk:
    {"structure" in ``cell``'s setting, "energy_per_atom"}."""
    get = calc.get if isinstance(calc, dict) else lambda k: getattr(calc, k)
    relaxed = get("structure")
    relaxed = Structure.from_dict(relaxed) if isinstance(relaxed, dict) else relaxed
    return {"structure": in_setting_of(relaxed, cell.get_primitive_structure(), cell),
            "energy_per_atom": float(get("energy_per_atom"))}


@job
def _per_atom(energy: float, n: int) -> float:
    return energy / n


@job
def adhesion_setup(maker: AdhesionMaker, film: Structure, substrate: Structure, film_eps: float,
                   substrate_eps: float, film_name: str, substrate_name: str, fp: str) -> Response:
    """Build the interface from the bulks, then the registry scan or the main stage."""
    cand = maker.check_build(film, substrate)
    context = {"maker": maker, "interface": cand.interface, "film_slab": cand.film_slab,
               "substrate_slab": cand.substrate_slab, "metadata": cand.metadata.model_dump(mode="json"),
               "bulk_eps": {"film": film_eps, "substrate": substrate_eps}, "names": [film_name, substrate_name],
               "fingerprint": fp, "candidate": maker.candidate, "bulks": {"film": film, "substrate": substrate}}
    eng = maker.resolved
    if not maker.scan_registry:
        return Response(replace=_stage_flow(context, (0.0, 0.0), None))
    if maker.registry_search == "refine":
        basis = registry_cell(cand.film_slab, cand.substrate_slab)
        shifts = grid_in_cell(basis, maker.registry_points)
    else:
        basis, shifts = None, registry_grid(maker.registry_points)
    statics = [_named(eng.static_maker("interface").make(with_offset(cand.interface, s)),
                      f"adhesion registry {i}") for i, s in enumerate(shifts)]
    slabs = _slab_statics(eng, cand.film_slab, cand.substrate_slab)
    if basis is not None:
        refine = adhesion_registry_refine(context, basis.tolist(), shifts, [_energy(j) for j in statics],
                                          _energy(slabs[0]), _energy(slabs[1]))
        refine.name = "adhesion registry refinement"
        return Response(replace=Flow([*statics, *slabs, refine], output=refine.output))
    pick = adhesion_registry(context, shifts, [_energy(j) for j in statics], _energy(slabs[0]), _energy(slabs[1]))
    pick.name = "adhesion registry choice"
    return Response(replace=Flow([*statics, *slabs, pick], output=pick.output))


def _slab_statics(eng, film_slab, substrate_slab) -> list[Job]:
    return [_named(eng.static_maker("slab").make(film_slab), "adhesion static film slab"),
            _named(eng.static_maker("slab").make(substrate_slab), "adhesion static substrate slab")]


@job
def adhesion_registry_refine(context: dict, basis, shifts, energies, e_film: float, e_substrate: float) -> Response:
    """Around the best shift of the coarse grid, the eight neighbours at a third of its spacing; then the choice."""
    maker: AdhesionMaker = context["maker"]
    eng = maker.resolved
    basis = np.asarray(basis)
    best = shifts[int(np.argmin(energies))]
    centre = cell_fractions(basis, best)
    extra = grid_in_cell(basis, maker.registry_points, centre=centre, step=1.0 / (3 * maker.registry_points))
    statics = [_named(eng.static_maker("interface").make(with_offset(context["interface"], s)),
                      f"adhesion registry refine {i}") for i, s in enumerate(extra)]
    pick = adhesion_registry(context, [*shifts, *extra], [*energies, *[_energy(j) for j in statics]], e_film,
                             e_substrate, {"method": "refine", "domain": basis.tolist(),
                                           "n_coarse": len(shifts)})
    pick.name = "adhesion registry choice"
    return Response(replace=Flow([*statics, pick], output=pick.output))


@job
def adhesion_registry(context: dict, shifts, energies, e_film: float, e_substrate: float,
                      search: Optional[dict] = None) -> Response:
    """Keep the lowest-energy in-plane shift and go on with the main stage."""
    area = interface_area(context["interface"])
    binding = [-work_of_adhesion(e_film, e_substrate, e, area) for e in energies]
    best = tuple(shifts[int(np.argmin(binding))])
    registry = {"shifts": [tuple(s) for s in shifts], "binding_energy": binding, "best": best,
                "n_single_points": len(shifts), **(search or {"method": "grid"})}
    return Response(replace=_stage_flow(context, best, registry, slab_energies=(e_film, e_substrate)))


def _stage_flow(context: dict, offset, registry: Optional[dict], slab_energies=None) -> Flow:
    """Rigid single points, optional separation scan, relaxations and the summary."""
    maker: AdhesionMaker = context["maker"]
    eng = maker.resolved
    interface = with_offset(context["interface"], offset)
    jobs: list[Job] = []
    rigid = _named(eng.static_maker("interface").make(interface), "adhesion static interface")
    jobs.append(rigid)
    if slab_energies is None:
        slabs = _slab_statics(eng, context["film_slab"], context["substrate_slab"])
        jobs += slabs
        slab_energies = (_energy(slabs[0]), _energy(slabs[1]))
    gaps, gap_energies = [], []
    if maker.scan_separation:
        for gap in maker.gaps:
            scan = _named(eng.static_maker("interface").make(with_gap(interface, gap)), f"adhesion gap {gap:.2f}")
            jobs.append(scan)
            gaps.append(float(gap))
            gap_energies.append(_energy(scan))
    strain = {}
    for side in ("film", "substrate"):
        if context["metadata"][f"{side}_von_mises_strain"] > STRAIN_TOL:
            natural = unstrained_slab(context[f"{side}_slab"], context["metadata"][f"{side}_supercell"])
            static = _named(eng.static_maker("slab").make(natural), f"adhesion static {side} slab unstrained")
            jobs.append(static)
            strain[side] = _energy(static)
    relaxed = {}
    if maker.relax:
        for key, structure, target in (("interface", interface, "interface"),
                                       ("film_slab", context["film_slab"], "slab"),
                                       ("substrate_slab", context["substrate_slab"], "slab")):
            rel = _named(eng.relax_maker(target).make(structure), f"adhesion relax {key.replace('_', ' ')}")
            jobs.append(rel)
            relaxed[key] = {"energy": _energy(rel), "structure": _structure(rel), "uuid": rel.uuid}
            if key == "interface":  # its two sides, taken apart and relaxed on their own: the other references
                halves = split_relaxed_interface(_structure(rel), list(interface.site_properties["region"]))
                halves.name = "adhesion separated halves"
                jobs.append(halves)
                for side in ("film", "substrate"):
                    half = _named(eng.relax_maker("slab").make(halves.output[side]), f"adhesion relax {side} half")
                    jobs.append(half)
                    relaxed[f"{side}_half"] = {"energy": _energy(half), "structure": _structure(half),
                                               "uuid": half.uuid}
    summary = adhesion_summary(
        {k: v for k, v in context.items() if k != "maker"}, eng.describe(), list(offset), _energy(rigid),
        slab_energies[0], slab_energies[1], relaxed, gaps, gap_energies, registry, strain,
        {j.name: j.uuid for j in jobs},
    )
    summary.name = "adhesion summary"
    return Flow([*jobs, summary], output=summary.output)


@job
def split_relaxed_interface(relaxed, regions: list) -> dict:
    """The relaxed interface's film and substrate as two slabs (:func:`separated_halves`)."""
    relaxed = Structure.from_dict(relaxed) if isinstance(relaxed, dict) else relaxed
    return separated_halves(relaxed, regions)


@job
def adhesion_summary(context: dict, engine_info: dict, offset, e_interface: float, e_film: float,
                     e_substrate: float, relaxed: dict, gaps: list, gap_energies: list,
                     registry: Optional[dict], unstrained: dict, job_uuids: dict) -> AdhesionDoc:
    """W_ad rigid and relaxed, UBER, surface and interface energies as one document."""
    meta = context["metadata"]
    interface = with_offset(context["interface"], offset)
    area = interface_area(interface)
    n_int = meta["n_interfaces"]
    energies = {"interface_rigid": e_interface, "film_slab_rigid": e_film, "substrate_slab_rigid": e_substrate}
    w_rigid = work_of_adhesion(e_film, e_substrate, e_interface, area, n_int)
    w_relaxed, surface, gamma, reaction, reconstruction, reference = None, {}, None, None, {}, {}
    structures = {"interface": interface, "film_slab": context["film_slab"],
                  "substrate_slab": context["substrate_slab"]}
    if relaxed:
        for key, value in relaxed.items():
            energies[f"{key}_relaxed"] = value["energy"]
            if key in structures:
                structures[key] = value["structure"]
        # each side's reference: the lower of its own slab relaxation and its half of the relaxed interface
        # relaxed apart (a face that reconstructs only in contact is not adhesion)
        for side in ("film", "substrate"):
            reference[side] = own = relaxed[f"{side}_slab"]["energy"]
            if f"{side}_half" not in relaxed:
                continue
            apart = relaxed[f"{side}_half"]["energy"]
            reconstruction[side] = (own - apart) / area * EV_PER_A2_TO_J_PER_M2
            if apart < own:
                reference[side] = apart
                structures[f"{side}_slab"] = relaxed[f"{side}_half"]["structure"]
        w_relaxed = work_of_adhesion(reference["film"], reference["substrate"], relaxed["interface"]["energy"],
                                     area, n_int)
    eps = context["bulk_eps"]
    for side, key in (("film", "film_slab"), ("substrate", "substrate_slab")):
        e_slab = reference.get(side, energies[f"{key}_rigid"])
        n = meta[f"n_{side}_atoms"]
        surface[side] = (e_slab - n * eps[side]) / (2 * area) * EV_PER_A2_TO_J_PER_M2
    strain_energy, strain_per_atom = {}, {}
    for side, key in (("film", "film_slab"), ("substrate", "substrate_slab")):
        delta = energies[f"{key}_rigid"] - unstrained[side] if side in unstrained else 0.0
        if side in unstrained:
            energies[f"{key}_unstrained"] = unstrained[side]
        strain_energy[side] = delta / area * EV_PER_A2_TO_J_PER_M2
        strain_per_atom[side] = delta / meta[f"n_{side}_atoms"]
    if w_relaxed is not None:
        gamma = surface["film"] + surface["substrate"] - w_relaxed
        final = structures["interface"]
        final = Structure.from_dict(final) if isinstance(final, dict) else final
        bulks = {k: Structure.from_dict(v) if isinstance(v, dict) else v for k, v in context.get("bulks", {}).items()}
        reaction = interface_reaction(interface, final, bulks)
    uber = None
    if gaps:
        binding = [-work_of_adhesion(e_film, e_substrate, e, area, n_int) for e in gap_energies]
        fit = fit_uber(gaps, binding)
        uber = UberResult(gaps=gaps, binding_energy=binding, **fit.as_dict())
    names = context["names"]
    return AdhesionDoc(
        fingerprint=context["fingerprint"], materials=list(names), film=names[0], substrate=names[1],
        miller=[tuple(meta["film_miller"]), tuple(meta["substrate_miller"])],
        film_miller=tuple(meta["film_miller"]), substrate_miller=tuple(meta["substrate_miller"]),
        candidate=context["candidate"], termination=tuple(meta["termination"]), area=area, n_interfaces=n_int, n_atoms=meta["n_atoms"],
        n_film_atoms=meta["n_film_atoms"], n_substrate_atoms=meta["n_substrate_atoms"],
        strained_side=meta["strained_side"], film_von_mises_strain=meta["film_von_mises_strain"],
        substrate_von_mises_strain=meta["substrate_von_mises_strain"], max_abs_strain=meta["max_abs_strain"],
        in_plane_offset=tuple(offset), gap=float(meta.get("gap", context["interface"].gap)),
        energies=energies, bulk_energy_per_atom=dict(eps), w_ad_rigid=w_rigid, w_ad_relaxed=w_relaxed,
        surface_energy=surface, interface_energy=gamma, strain_energy=strain_energy,
        strain_energy_per_atom=strain_per_atom, uber=uber,
        slab_reconstruction=reconstruction or None,
        reacted=reaction.reacted if reaction else None, reaction=reaction.as_dict() if reaction else None,
        reaction_energy=-w_relaxed if reaction and reaction.reacted else None,
        registry=RegistryResult(**registry) if registry else None, engine=EngineInfo(**engine_info),
        interface_structure=structures["interface"], film_slab_structure=structures["film_slab"],
        substrate_slab_structure=structures["substrate_slab"], job_uuids=job_uuids,
    )
