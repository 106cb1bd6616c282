"""One analysis asked for by name, as a command asks for it: its input checked before anything runs or is written,
then found stored, run here, or sent to FireWorks through the one executor (the study runner goes through the same
executor).

Each function returns a :class:`Request`: the analysis, the executor's :class:`~ssbi.workflows.run.executor.Outcome`
and the stored result documents, for the caller to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from pymatgen.core import Structure

import ssbi.workflows.run.fireworks as fw
from ssbi.interfaces.builder import BuildSettings, build_interfaces
from ssbi.interfaces.errors import InputError
from ssbi.interfaces.materials import get_material, load
from ssbi.interfaces.slabs import check_miller
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.errors import EngineError
from ssbi.workflows.flows.adhesion import AdhesionMaker
from ssbi.workflows.flows.md import AIMDMaker
from ssbi.workflows.flows.phase_diagram import summarize_hull
from ssbi.workflows.flows.phase_set import PhaseSetMaker, PhaseSetPlan
from ssbi.workflows.run.analyses import AdhesionAnalysis, Analysis, CalcAnalysis, MDRunAnalysis, PhaseSetAnalysis
from ssbi.workflows.run.executor import Executor, Outcome
from ssbi.workflows.run.faces import lowest_sigma_terminations
from ssbi.workflows.store.entries import elements_of, missing_element_hint, unsupported_hint
from ssbi.workflows.store.jobstore import describe, open_store
from ssbi.workflows.store.lookup import find_result, stored_bulk, stored_bulk_of

MD_THERMOSTATS = ("langevin", "nose-hoover", "csvr")


@dataclass
class Request:
    """What a command asked for and what came of it: ``outcome.status`` is stored, done, failed, submitted or
    queued; ``docs`` are the stored results (structures loaded) when it is stored or done."""

    analysis: Analysis
    outcome: Outcome
    store: str  # the store, described (password redacted)
    docs: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was reused, what is already stored


def execute(analysis: Analysis, job_store, force: bool = False, submit: bool = False) -> Outcome:
    """``analysis`` through the executor: here, or (``submit``) one FireWorks workflow."""
    executor = Executor(job_store, force=force)
    if not submit:
        return executor.run_one(analysis)
    with fw.launchpad() as lp:
        (outcome,) = executor.submit([analysis], lp)
    return outcome


def _docs(job_store, analysis: Analysis, outcome: Outcome) -> list[dict]:
    if outcome.status not in ("stored", "done"):
        return []
    return [d for d in (find_result(job_store, fp, load=True) for fp in analysis.fingerprints()) if d]


def _runs_here_or_submitted(engine, submit: bool, hint: str) -> None:
    if not engine.runs_here and not submit:
        raise EngineError(f"engine {engine.name!r} does not run on this machine; {hint}")


# --- one calculation ---------------------------------------------------------------------------------------------
def calculation(kind: str, material: str, engine: str = "chgnet", target: str = "bulk",
                variant: str = "experimental", store: Optional[str] = None, force: bool = False,
                submit: bool = False, progress: Callable[[str], None] = lambda stage: None) -> Request:
    """A relaxation or single point of ``material`` (library name or structure file): stored, run here, or
    (``submit``) sent to FireWorks; ``force`` recomputes (resubmits) a stored one."""
    eng = get_engine(engine)
    _runs_here_or_submitted(eng, submit, "use `ssbi submit` to send it to HPC")
    job_store = open_store(store)
    analysis = CalcAnalysis.of(kind, material, eng, target, variant)
    progress(f"running {analysis.label}")
    outcome = execute(analysis, job_store, force, submit)
    return Request(analysis, outcome, describe(store), _docs(job_store, analysis, outcome))


# --- adhesion ----------------------------------------------------------------------------------------------------
def adhesion_build_options(build: dict) -> dict:
    """The builder options that identify the result: those always given, and any other set away from its default
    (so that results stored before an option existed keep their fingerprint)."""
    always = ("max_atoms", "max_strain", "max_area", "film_thickness", "substrate_thickness", "vacuum", "gap")
    return {k: v for k, v in build.items() if k in always or v != BuildSettings.model_fields[k].default}


def _bulk(job_store, engine, structure: Structure, name: str, variant: str) -> Optional[dict]:
    """The relaxed bulk the hull or an earlier run left: the library phase's (stored or shipped) for the
    experimental structure, else a stored relaxation of this very cell."""
    found = stored_bulk(job_store, engine, name) if variant == "experimental" else None
    return found or stored_bulk_of(job_store, engine, structure)


def adhesion(film: str, substrate: str, film_miller=(1, 0, 0), substrate_miller=(1, 0, 0), engine: str = "chgnet",
             build: Optional[dict] = None, candidate: int = 0, candidates: int = 1, relax: bool = True,
             relax_bulk: bool = True, scan_registry: bool = False, scan_separation: bool = False,
             variant: str = "experimental", store: Optional[str] = None, force: bool = False, submit: bool = False,
             on_built: Callable[[AdhesionAnalysis, list, list, dict], None] = lambda *built: None,
             progress: Callable[[str], None] = lambda stage: None, terminations_default: bool = True,
             on_note: Callable[[str], None] = lambda note: None, registry_search: str = "grid") -> Request:
    """W_ad of the ranked candidates ``candidate`` … ``candidate + candidates - 1`` of ``film`` | ``substrate``.

    Checked before any job: Miller indices, store, engine, materials, and the interface itself (no match or
    overlapping atoms fail here; built on the stored relaxed bulks where they exist). ``on_built(analysis,
    candidates, bulks, stored)`` is called once the candidates are built, with the relaxed bulks reused (None where
    there is none) and each candidate index's stored result (None: to run); ``progress(stage)`` names each stage.
    Without terminations in ``build`` (and ``terminations_default``), each side whose surface energies are stored
    takes its lowest-σ face at the electrode's potential; ``on_note`` is told which and why.
    """
    fm = check_miller(film_miller, "film Miller index")
    sm = check_miller(substrate_miller, "substrate Miller index")
    job_store = open_store(store)
    eng = get_engine(engine)
    eng.check()
    _runs_here_or_submitted(eng, submit, "add --submit to send it to HPC")
    names = [get_material(n).name for n in (film, substrate)]
    structures = [load(film, variant), load(substrate, variant)]
    build = dict(build or {})
    if terminations_default and not build.get("film_termination") and not build.get("substrate_termination"):
        chosen, notes = lowest_sigma_terminations(job_store, names[0], fm, names[1], sm, eng.name, store)
        build.update(chosen)
        for note in notes:
            progress(note)
            on_note(note)
    maker = AdhesionMaker(engine=eng, film_miller=fm, substrate_miller=sm, candidate=candidate,
                          n_candidates=candidates, relax=relax, relax_bulk=relax_bulk, scan_registry=scan_registry,
                          registry_search=registry_search,
                          scan_separation=scan_separation, build=adhesion_build_options(build))
    bulks = [_bulk(job_store, eng, s, n, variant) if relax_bulk else None for s, n in zip(structures, names)]
    progress("matching lattices and building the interface")
    built = maker.build_candidates(*(b["structure"] if b else s for b, s in zip(bulks, structures)))
    analysis = AdhesionAnalysis(names[0], names[1], *structures, maker, bulks=tuple(bulks))
    stored = {i: None if force else find_result(job_store, fp)
              for i, fp in zip(maker.candidate_indices(), analysis.fingerprints())}
    on_built(analysis, built, bulks, stored)
    progress(f"{analysis.label}: relaxations and single points")
    outcome = execute(analysis, job_store, force, submit)
    return Request(analysis, outcome, describe(store), _docs(job_store, analysis, outcome))


# --- MD ----------------------------------------------------------------------------------------------------------
def md(film: str, substrate: str, film_miller=(1, 0, 0), substrate_miller=(1, 0, 0), engine: str = "chgnet",
       temperatures=(600.0,), ps: float = 5.0, equilibration_ps: float = 0.5, timestep: float = 2.0,
       thermostat: str = "langevin", build: Optional[dict] = None, store: Optional[str] = None,
       submit: bool = False, inputs_dir=None, on_built: Callable[[list[str]], None] = lambda notes: None,
       progress: Callable[[str], None] = lambda stage: None) -> Request:
    """MD of the best ``film`` | ``substrate`` interface at each temperature, analysed into an AIMDDoc.

    Checked before anything runs; a stored result is returned as it is. ``on_built(notes)`` says what will run once
    the interface is built (``notes``, also in the request). An engine that does not run here (VASP) without
    ``submit`` writes each temperature's MD inputs under ``inputs_dir`` instead (the outcome's status is
    ``inputs``).
    """
    if thermostat not in MD_THERMOSTATS:
        raise InputError(f"unknown thermostat {thermostat!r}: langevin, nose-hoover (or csvr with cp2k)")
    fm = check_miller(film_miller, "film Miller index")
    sm = check_miller(substrate_miller, "substrate Miller index")
    eng = get_engine(engine)
    eng.check()
    if eng.in_process_md and thermostat == "csvr":
        raise InputError("thermostat csvr is for cp2k; MLIP MD runs langevin or nose-hoover")
    job_store = open_store(store)
    names = [get_material(n).name for n in (film, substrate)]
    cand = build_interfaces(load(film, "chgnet"), load(substrate, "chgnet"), fm, sm, **(build or {}))[0]
    maker = AIMDMaker(engine=eng, temperatures=tuple(temperatures), ps=ps, equilibration_ps=equilibration_ps,
                      timestep_fs=timestep, thermostat=thermostat)
    analysis = MDRunAnalysis(f"{names[0]}|{names[1]}", cand.interface, maker)
    found = analysis.collect(job_store)
    if found is not None:
        outcome = Outcome(analysis, "stored", uuids=found)
        return Request(analysis, outcome, describe(store), _docs(job_store, analysis, outcome))
    n_steps = int(ps * 1000 / timestep)
    notes = [f"{analysis.name}: {cand.metadata.n_atoms} atoms, {len(temperatures)} temperature(s), {n_steps} steps "
             "each (checkpointed; re-running continues)"]
    if not eng.runs_here and not submit:  # VASP: each temperature's MD inputs for HPC
        for t in temperatures:
            folder = inputs_dir / f"{eng.name}-md-{int(t)}K"
            folder.mkdir(parents=True, exist_ok=True)
            files = eng.write_md_inputs(cand.interface, folder, temperature=t, n_steps=n_steps, timestep_fs=timestep,
                                        thermostat=thermostat)
            notes.append(f"wrote {eng.name} MD inputs for {int(t)} K to {folder}: {', '.join(files)}")
        notes.append(f"{eng.name} does not run here: add --submit to queue the MD for an HPC worker")
        on_built(notes)
        return Request(analysis, Outcome(analysis, "inputs"), describe(store), [], notes)
    on_built(notes)
    progress(f"MD of {analysis.name} with {eng.name}")
    outcome = execute(analysis, job_store, submit=submit)
    return Request(analysis, outcome, describe(store), _docs(job_store, analysis, outcome), notes)


# --- the phase set of a chemical system --------------------------------------------------------------------------
def phase_set(chemsys: str, engine: str = "chgnet", variant: str = "experimental", n_lowest: int = 2,
              window_mev: float = 50.0, store: Optional[str] = None, submit: bool = False,
              on_plan: Callable[[PhaseSetAnalysis, PhaseSetPlan], None] = lambda analysis, plan: None) -> Request:
    """The phase set of ``chemsys`` with ``engine``: single points of every reference structure, relaxations of the
    ``n_lowest`` polymorphs per composition (and any within ``window_mev`` of the lowest) and of the library
    phases, then the hull; what is stored or shipped is reused. ``on_plan(analysis, plan)`` is called before
    anything runs. ``docs``: the hull's :class:`~ssbi.workflows.flows.phase_diagram.PhaseDiagramDoc` (as a dict)
    once it is computed or everything was known."""
    elements = elements_of(chemsys)
    eng = get_engine(engine)
    eng.check()
    job_store = open_store(store)
    maker = PhaseSetMaker(engine=eng, variant=variant, n_lowest=n_lowest, window=window_mev / 1000)
    plan = maker.plan(elements, job_store)
    cannot = unsupported_hint(eng, elements)
    if cannot:
        raise InputError(cannot)
    if plan.missing_elements:
        raise InputError(missing_element_hint(plan.missing_elements[0]))
    name = "-".join(plan.elements)
    analysis = PhaseSetAnalysis([name], maker)
    on_plan(analysis, plan)
    outcome = execute(analysis, job_store, submit=submit)
    docs = []
    if outcome.status == "done":  # the flow's hull update stored the summary
        docs = [job_store.query_one({"output.kind": "phase_diagram", "output.chemsys": name, "output.engine": eng.name},
                                    load=True, sort={"completed_at": -1})["output"]]
    elif outcome.status == "stored" and not submit:  # all stored or shipped: the same summary, read here
        summary = plan.summary()
        selection = {"screened": len(plan.screened), "selected": sorted(plan.relaxed), "relaxed_here": []}
        docs = [summarize_hull(job_store, name, eng, {}, [], {**summary, "selection": selection}).model_dump()]
    return Request(analysis, outcome, describe(store), docs)
