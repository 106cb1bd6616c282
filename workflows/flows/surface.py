"""Surface energies of the terminations of one (h k l) face with any engine (atomate2 common-flow style).

Stages: the relaxed bulk (stored, or relaxed here in its primitive cell); ``surface_setup`` cuts a thickness series
of slabs for each termination from it (symmetric where a symmetry allows, else a stoichiometric slab with its
bottom half fixed); single points and fixed-cell relaxations of each; ``surface_summary`` gives σ per slab, σ(μ_Li)
for off-stoichiometric ones, the convergence with thickness and one :class:`SurfaceDoc`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from jobflow import Flow, Job, Response, job
from pymatgen.core import Structure

from ssbi.interfaces.errors import InputError
from ssbi.interfaces.fingerprint import fingerprint
from ssbi.interfaces.surface_energy import (
    Phase,
    placed_offset,
    sigma_split,
    sigma_stoichiometric,
    sigma_vs_voltage,
)
from ssbi.interfaces.terminations import SurfaceCuts, find_termination, terminations
from ssbi.workflows.engines.maker import EngineMaker
from ssbi.workflows.flows.adhesion import bulk_in_cell
from ssbi.workflows.flows.calc import CalcMaker
from ssbi.workflows.schemas import EngineInfo, SurfaceDoc, SurfaceSlab, SurfaceTerminationResult

SURFACE_VERSION = 1


def _named(job_: Job, name: str) -> Job:
    job_.name = name
    return job_


@dataclass
class SurfaceMaker(EngineMaker):
    """σ of the terminations of ``material`` (h k l) = ``miller`` with ``engine``.

    ``terminations``: labels or indices (`ssbi terminations`), empty for every one; ``thicknesses``: the smallest
    slab thicknesses (Å) of the convergence series; ``chempots``: the hull around the phase for off-stoichiometric
    slabs ({"bulk": [formula, eV/atom placed on the hull], "phases": [[formula, eV/atom]...], "li_metal": eV/atom,
    "v_low", "v_high": its window (V), "source": where the entries came from}).
    """

    name: str = "surface"
    miller: tuple[int, int, int] = (1, 0, 0)
    terminations: tuple = ()
    thicknesses: tuple[float, ...] = (8.0, 12.0)
    vacuum: float = 15.0
    ftol: float = 0.25
    relax: bool = True
    relax_bulk: bool = True
    chempots: Optional[dict] = None

    def settings(self) -> dict:
        return {"miller": list(self.miller), "terminations": [str(t) for t in self.terminations],
                "thicknesses": [float(t) for t in self.thicknesses], "vacuum": self.vacuum, "ftol": self.ftol,
                "relax": self.relax, "relax_bulk": self.relax_bulk, "chempots": self.chempots,
                "version": SURFACE_VERSION}

    def fingerprint(self, structure: Structure) -> str:
        return fingerprint({"kind": "surface", "bulk": structure, "settings": self.settings(),
                            "engine": self.resolved.describe()})

    def selected(self, structure: Structure) -> list:
        """The terminations this maker computes (unknown labels, impossible faces fail here, before any job)."""
        if not self.thicknesses or min(self.thicknesses) <= 0:
            raise InputError(f"thicknesses must be positive (Å), got {list(self.thicknesses)}")
        found = terminations(structure, self.miller, self.ftol)
        if not self.terminations:
            return found
        return [find_termination(found, t) for t in self.terminations]

    def make(self, structure: Structure, material: Optional[str] = None, bulk: Optional[dict] = None) -> Flow:
        """``bulk``: a stored relaxed bulk ({"structure", "energy_per_atom"}) to reuse."""
        material = material or structure.composition.reduced_formula
        eng = self.resolved
        jobs = []
        if bulk is None and self.relax_bulk:
            prim = structure.get_primitive_structure()
            calc = CalcMaker(engine=eng, kind="relax", target="bulk").make(prim, material=material)
            setting = bulk_in_cell(calc.output, structure)
            setting.name = "surface bulk in its cell"
            jobs += [calc, setting]
            bulk = setting.output
        elif bulk is None:
            static = _named(eng.static_maker("bulk").make(structure), "surface static bulk")
            jobs.append(static)
            bulk = {"structure": structure, "energy": static.output.output.energy}
        setup = surface_setup(self, material, bulk, self.fingerprint(structure))
        setup.name = f"surface setup {material}{tuple(self.miller)}"
        return Flow([*jobs, setup], output=setup.output, name=f"surface {material}{tuple(self.miller)} ({eng.name})")


def slab_series(cuts: SurfaceCuts, term, thicknesses, vacuum: float) -> tuple[str, list[Structure]]:
    """The scheme and the slabs of one termination, one per distinct thickness."""
    sym = all(cuts.symmetric_thicknesses(term.height, t) for t in thicknesses)
    slabs, seen = [], []
    for t_min in sorted(thicknesses):
        if sym:
            t = cuts.symmetric_thicknesses(term.height, t_min)[0]
        else:
            t = np.ceil(t_min / cuts.period - 1e-6) * cuts.period
        if any(abs(t - s) < 1e-3 for s in seen):
            continue
        seen.append(t)
        slab = cuts.slab(term.height, t, vacuum)
        if not sym:  # both faces differ: the bottom half stays bulk-like
            depth = np.asarray(slab.site_properties["height"])
            slab.add_site_property("selective_dynamics", [[bool(d < t / 2)] * 3 for d in depth])
        slabs.append(slab)
    if not sym:
        return "split faces (polar axis)", slabs
    stoich = all(not cuts.composition_excess(s) for s in slabs)
    return ("symmetric stoichiometric" if stoich else "symmetric off-stoichiometric"), slabs


@job
def surface_setup(maker: SurfaceMaker, material: str, bulk: dict, fp: str) -> Response:
    """Slabs of every termination from the relaxed bulk, their calculations and the summary."""
    structure = bulk["structure"]
    structure = Structure.from_dict(structure) if isinstance(structure, dict) else structure
    eps = bulk["energy_per_atom"] if "energy_per_atom" in bulk else bulk["energy"] / len(structure)
    eng = maker.resolved
    cuts = SurfaceCuts(structure, maker.miller, maker.ftol)
    jobs, plan = [], []
    for term in maker.selected(structure):
        scheme, slabs = slab_series(cuts, term, maker.thicknesses, maker.vacuum)
        entries = []
        for slab in slabs:
            thick = float(max(slab.site_properties["height"]))
            tag = f"{term.label} {thick:.1f} Å"
            static = _named(eng.static_maker("slab").make(slab), f"surface static {tag}")
            jobs.append(static)
            entry = {"thickness": thick, "unrelaxed": static.output.output.energy, "structure": slab,
                     "relaxed": None, "relaxed_structure": None}
            if maker.relax:
                rel = _named(eng.relax_maker("slab").make(slab), f"surface relax {tag}")
                jobs.append(rel)
                entry["relaxed"] = rel.output.output.energy
                entry["relaxed_structure"] = rel.output.output.structure
            entries.append(entry)
        plan.append({"termination": term.as_dict(), "scheme": scheme, "slabs": entries,
                     "excess": cuts.composition_excess(slabs[-1])})
    summary = surface_summary(material, list(maker.miller), cuts.area, eps, maker.relax, plan, maker.chempots,
                              eng.describe(), fp, {j.name: j.uuid for j in jobs})
    summary.name = f"surface summary {material}{tuple(maker.miller)}"
    return Response(replace=Flow([*jobs, summary], output=summary.output))


def _counts(structure: Structure) -> dict[str, int]:
    return {el.symbol: int(round(n)) for el, n in structure.composition.items()}


@job
def surface_summary(material: str, miller: list, area: float, eps: float, relaxed: bool, plan: list,
                    chempots: Optional[dict], engine_info: dict, fp: str, job_uuids: dict) -> SurfaceDoc:
    """σ of each slab, the thickness convergence and the lowest termination."""
    results, window = [], None
    if chempots:
        window = {"v_low": chempots["v_low"], "v_high": chempots["v_high"], "source": chempots.get("source", ""),
                  "e_above_hull": chempots.get("e_above_hull")}
    for item in plan:
        t, scheme = item["termination"], item["scheme"]
        slabs, warning = [], None
        for s in item["slabs"]:
            st = s["structure"]
            st = Structure.from_dict(st) if isinstance(st, dict) else st
            final = s["relaxed_structure"] or st
            final = Structure.from_dict(final) if isinstance(final, dict) else final
            energy = s["relaxed"] if s["relaxed"] is not None else s["unrelaxed"]
            row = SurfaceSlab(thickness=s["thickness"], n_atoms=len(st), counts=_counts(st),
                              energy_unrelaxed=s["unrelaxed"], energy=energy, structure=final)
            if scheme == "symmetric stoichiometric":
                row.sigma = sigma_stoichiometric(energy, len(st), eps, area)
                row.sigma_unrelaxed = sigma_stoichiometric(s["unrelaxed"], len(st), eps, area)
            elif scheme == "split faces (polar axis)":
                row.sigma = sigma_split(s["unrelaxed"], energy, len(st), eps, area)
                row.sigma_unrelaxed = sigma_split(s["unrelaxed"], s["unrelaxed"], len(st), eps, area)
                warning = ("no symmetric slab exists (polar axis): σ of this face = half the unrelaxed cleavage "
                           "energy of a stoichiometric slab + its own relaxation (bottom half fixed)")
            elif chempots:
                bulk = Phase(*chempots["bulk"])
                phases = [Phase(f, e) for f, e in chempots["phases"]]
                offset = placed_offset(eps, bulk.energy_per_atom)
                ranges = sigma_vs_voltage(energy, row.counts, area, bulk, phases, chempots["li_metal"],
                                          chempots["v_low"], chempots["v_high"], offset=offset)
                row.sigma_vs_voltage = [r.as_dict() for r in ranges]
            else:
                warning = "off-stoichiometric slab and no hull given: σ(μ_Li) not computed"
            slabs.append(row)
        res = SurfaceTerminationResult(label=t["label"], index=t["index"], top_atom=t["top_atom"], tasker=t["tasker"],
                                       polar=t["polar"], broken_units=t["broken_units"], scheme=scheme,
                                       excess=item["excess"], slabs=slabs, warning=warning)
        last = slabs[-1]
        if last.sigma is not None:
            res.sigma = last.sigma
            if len(slabs) > 1:
                res.convergence = abs(last.sigma - slabs[-2].sigma)
        elif last.sigma_vs_voltage:
            lo, hi = last.sigma_vs_voltage[0], last.sigma_vs_voltage[-1]
            res.sigma_at_limits = {"reduction": [lo["sigma_min"], lo["sigma_max"]],
                                   "oxidation": [hi["sigma_min"], hi["sigma_max"]]}
            if len(slabs) > 1 and slabs[-2].sigma_vs_voltage:
                res.convergence = abs(lo["sigma_min"] - slabs[-2].sigma_vs_voltage[0]["sigma_min"])
        results.append(res)
    ranked = [(r.sigma if r.sigma is not None else (r.sigma_at_limits.get("reduction") or [None])[0], r.label)
              for r in results]
    ranked = sorted((s, label) for s, label in ranked if s is not None)
    return SurfaceDoc(fingerprint=fp, materials=[material], formula=material, miller=[tuple(miller)],
                      material=material, surface_miller=tuple(miller), area=area, bulk_energy_per_atom=eps,
                      relaxed=relaxed, window=window, terminations=results, lowest=ranked[0][1] if ranked else None,
                      sigma_lowest=ranked[0][0] if ranked else None, engine=EngineInfo(**engine_info),
                      job_uuids=job_uuids)
