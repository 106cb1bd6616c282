"""Running a study: its tasks as analyses (:mod:`ssbi.workflows.run.analyses`) through the one executor.

Every task has an identity in the store (a fingerprint, or a window/reaction key
with the hash of the entries it used), so an interrupted study re-run skips what
finished and does the rest. A failing task is reported and the others go on.

The study resolves its engine once (:class:`~ssbi.workflows.engines.spec.EngineSpec`: the YAML with
``engine_settings``) and hands the resolved engine to every maker, which carries its spec. Each material has one bulk per
engine: the hull's relaxation of its library cell (:mod:`ssbi.workflows.store.lookup`), which
mechanics, adhesion and MD start from. The windows and reactions are one run of the
stability builder, after the hull.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable, Optional

import ssbi.workflows.run.analyses as an
import ssbi.workflows.run.fireworks as fw
from ssbi.interfaces.analysis.ranking import RankingSettings, reaction_threshold
from ssbi.interfaces.builder import build_interfaces
from ssbi.interfaces.crystallography import near_cubic_supercell
from ssbi.interfaces.errors import SSBIError
from ssbi.interfaces.materials import load
from ssbi.interfaces.surface_energy import lowest_termination
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.engines.spec import EngineSpec
from ssbi.workflows.errors import EngineError
from ssbi.workflows.flows.adhesion import AdhesionMaker, bulk_in_cell
from ssbi.workflows.flows.adsorption import AdsorptionMaker
from ssbi.workflows.flows.md import AIMDMaker, bulk_label
from ssbi.workflows.flows.mechanics import MechanicsMaker
from ssbi.workflows.flows.phase_set import PhaseSetMaker
from ssbi.workflows.flows.surface import SurfaceMaker
from ssbi.workflows.run.analyses import AnalysisGroup, MDRunAnalysis, StabilityAnalysis
from ssbi.workflows.run.executor import Executor, Outcome
from ssbi.workflows.run.faces import lowest_sigma_terminations, stored_surface
from ssbi.workflows.run.potentials import electrode_voltage
from ssbi.workflows.run.stacks import assemble_stack, save_stack, stack_targets
from ssbi.workflows.run.surfaces import hull_around
from ssbi.workflows.stability.builder import StabilityTarget
from ssbi.workflows.store.jobstore import describe, open_store
from ssbi.workflows.store.lookup import bulk_cell, latest_mechanics, stored_bulk
from ssbi.workflows.study.costs import estimate_core_hours
from ssbi.workflows.study.spec import (
    StudySpec,
    StudyTask,
    adhesion_relaxes,
    build_options,
    load_study,
    pair_overrides,
    plan,
    stack_md_layers,
    surface_millers,
)


class StudyRunner:
    """Run (or submit) the tasks of ``spec`` against ``store``."""

    def __init__(self, spec: StudySpec, store, submit: bool = False):
        """``submit``: the study is sent to FireWorks (by the caller, or by ``execution.where: fireworks``)."""
        self.spec, self.store = spec, store
        self.submitted = submit or spec.execution.where == "fireworks"
        self.source, self.store_name = spec.name, "the given store"  # the study file and the store, as shown
        # the study's settings travel with every maker (a FireWorks worker rebuilds the engine from them)
        self.engine_spec = EngineSpec.resolve(spec.engine, spec.engine_settings)
        self.engine = get_engine(self.engine_spec)
        self.engine.check()
        # the elastic tensors' engine (analyses.mechanics.engine; the study's engine unless given)
        self.mechanics_spec = (self.engine_spec if spec.mechanics_engine == spec.engine
                               else EngineSpec.resolve(spec.mechanics_engine, {}))
        self.mechanics_engine = get_engine(self.mechanics_spec)
        mech = spec.analyses.mechanics
        self.mechanics_protocol = mech.protocol if mech is not None else "auto"
        if self.mechanics_engine is not self.engine and spec.analyses.mechanics:
            self.mechanics_engine.check()
        self.tasks = plan(spec)
        self._stability = None  # the StabilityAnalysis of this run (one builder run for all windows and reactions)
        self._md = {}  # (film, substrate) -> MDRunAnalysis: its interface is built once
        self.choices: dict[str, str] = {}  # facets and faces chosen by surface energy, and why (the report says)
        self._voltages: dict[str, Optional[float]] = {}  # electrode -> V vs Li/Li+ on the engine's hull
        self.retry_no_match = False  # `ssbi run STUDY --force`: build again the pairs remembered with no cell

    # --- the bulks ------------------------------------------------------------------------------------------
    @staticmethod
    def _structure(name: str):
        """The identity of a material's analyses: its bulk cell, the one the hull relaxes."""
        return bulk_cell(name)

    def _bulk(self, name: str):
        """The hull's relaxed bulk of ``name`` (stored or shipped), or None when it is not relaxed yet."""
        return stored_bulk(self.store, self.engine, name)

    def _conventional(self, name: str):
        """The relaxed bulk in the library's conventional cell (slabs), else the unrelaxed library cell."""
        bulk = self._bulk(name)
        return bulk["structure"] if bulk else load(name, "experimental")

    # --- tasks as analyses ----------------------------------------------------------------------------------
    def analysis(self, task: StudyTask, g_li=None):
        """The analysis of one task (``g_li``: G of Li for mechanics, GPa or a job output; default: stored)."""
        kind, names = task.analysis, task.materials
        if kind == "hull":
            return an.PhaseSetAnalysis(list(names), PhaseSetMaker(engine=self.engine))
        if kind == "mechanics":
            bulk = self._bulk(names[0])
            if g_li is None and names[0] != "Li":
                g_li = self._g_li()
            return an.MechanicsAnalysis(names[0], self._structure(names[0]), MechanicsMaker(
                engine=self.mechanics_engine, protocol=self.mechanics_protocol),
                                        g_li=g_li, start=bulk["primitive"] if bulk else None, study=self.spec.name)
        if kind == "adhesion":
            # the library's conventional cells (Miller indices refer to them); the bulks are the hull's
            return an.AdhesionAnalysis(names[0], names[1], load(names[0], "experimental"),
                                       load(names[1], "experimental"),
                                       self._adhesion_maker(*names, stack=task.options.get("stack", False),
                                                            relax=adhesion_relaxes(self.spec, task),
                                                            ranks=task.options.get("facet_ranks", (0, 0))),
                                       bulks=(self._bulk(names[0]), self._bulk(names[1])))
        if kind == "surface":
            adhesion = self.spec.analyses.adhesion
            maker = SurfaceMaker(engine=self.engine, miller=tuple(task.options["miller"]),
                                 thicknesses=(adhesion.surface_thickness if adhesion else 10.0,),
                                 chempots=hull_around(names[0], self.engine.name, self.spec.store,
                                                      self.spec.known_phases_only))
            return an.SurfaceAnalysis(names[0], load(names[0], "experimental"), maker, bulk=self._bulk(names[0]))
        if kind == "md":
            if names not in self._md:
                self._md[names] = self._md_analysis(*names)
            return self._md[names]
        if kind == "diffusion":
            return self._diffusion_analysis(names[0])
        if kind in ("window", "reactions", "stack"):
            return self._stability_analysis()
        if kind == "adsorption":
            return an.AdsorptionAnalysis(names[0], names[1], self._adsorption_maker())
        raise ValueError(f"unknown task {task.label}")

    def _diffusion_analysis(self, name: str):
        """MD of the layer's relaxed bulk (a supercell of at most ``md_max_atoms``) at the stacks' temperatures."""
        st = self.spec.analyses.stacks
        cell = near_cubic_supercell(self._conventional(name), st.md_max_atoms)
        maker = AIMDMaker(engine=self.engine, temperatures=tuple(st.md_temperatures), ps=st.md_ps,
                          equilibration_ps=st.md_equilibration_ps, fix_bottom=False)
        return MDRunAnalysis(bulk_label(name), cell, maker)

    def _adsorption_maker(self):
        a = self.spec.analyses.adsorption
        return AdsorptionMaker(engine=self.engine, dispersion=a.dispersion, rotations=tuple(a.rotations),
                               facings=tuple(a.facings))

    def _miller(self, name: str, rank: int = 0) -> tuple[int, int, int]:
        """The study's Miller index of ``name``; else (with ``surfaces``) its lowest-σ stored facet (``rank``: the
        next ones, 0 the lowest); else 1 0 0."""
        a = self.spec.analyses.adhesion
        if a is None:
            return (1, 0, 0)
        if name in a.miller:
            return tuple(a.miller[name])
        if a.surfaces:
            found = []
            for hkl in surface_millers(a, name):
                doc = stored_surface(self.store, name, hkl, self.engine.name)
                if doc:
                    window = doc.get("window") or {}
                    mid = 0.5 * (window["v_low"] + window["v_high"]) if window else None
                    label, sigma = lowest_termination(doc, mid)
                    if sigma is not None:
                        found.append((sigma, hkl, label))
            found.sort()
            if not found and rank == 0:
                return (1, 0, 0)
            if rank >= len(found):
                raise SSBIError(f"{name}: facet {rank + 1} by σ asked (analyses.adhesion.facets) but only "
                                f"{len(found)} of its facets have a stored surface energy")
            sigma, hkl, label = found[rank]
            what = "lowest-σ facet" if rank == 0 else f"facet {rank + 1} by σ"
            self.choices.setdefault(name if rank == 0 else f"{name} #{rank + 1}",
                                    f"{name}{hkl}: {what} ({label}, {sigma:.3f} J/m² mid-window, of {len(found)})")
            return hkl
        return (1, 0, 0)

    def adhesion_build(self, film: str, substrate: str, stack: bool = False) -> dict:
        """The interface build options of one pair: a stack's pair takes the stacks' build with the adhesion
        overrides on top, any other pair the adhesion build with its overrides."""
        a = self.spec.analyses.adhesion
        if stack:
            return {**self.spec.analyses.stacks.build, **(pair_overrides(a, film, substrate) if a else {})}
        return build_options(a, film, substrate)

    def _adhesion_maker(self, film: str, substrate: str, stack: bool = False, relax: bool = False,
                        ranks: tuple[int, int] = (0, 0)):
        a = self.spec.analyses.adhesion
        build = self.adhesion_build(film, substrate, stack)
        fm, sm = self._miller(film, ranks[0]), self._miller(substrate, ranks[1])
        # a stack's rigid pair scans the separation (UBER): W_ad at its own gap, not at the builder's
        scan = (stack and not relax) or (a is not None and a.scan_separation)
        if a is None:
            return AdhesionMaker(engine=self.engine, film_miller=fm, substrate_miller=sm, relax=relax,
                                 relax_bulk=True, scan_separation=scan, build=build)
        if a.terminations == "lowest" and not build.get("film_termination") and not build.get("substrate_termination"):
            chosen, notes = lowest_sigma_terminations(self.store, film, fm, substrate, sm, self.engine.name,
                                                      self.spec.store)
            build.update(chosen)
            self.choices[f"{film}|{substrate}"] = "; ".join(notes)
        return AdhesionMaker(engine=self.engine, film_miller=fm, substrate_miller=sm, relax=relax,
                             relax_bulk=True, scan_separation=scan, build=build)

    def _md_analysis(self, film: str, substrate: str):
        m = self.spec.analyses.md
        a = self.spec.analyses.adhesion
        miller = a.miller if a else {}
        # the adhesion pair's build (its overrides too), in a cell of at most md.max_atoms unless the pair's
        # overrides say otherwise (LLZO's slabs do not fit in 150 atoms)
        options = {"film_thickness": 6.0, "substrate_thickness": 8.0, "max_strain": 0.08, "vacuum": 12.0}
        if a:
            options.update(build_options(a, film, substrate))
        options["max_atoms"] = (pair_overrides(a, film, substrate) if a else {}).get("max_atoms", m.max_atoms)
        fm = self._miller(film) if a else tuple(miller.get(film, (1, 0, 0)))
        sm = self._miller(substrate) if a else tuple(miller.get(substrate, (1, 0, 0)))
        cand = build_interfaces(self._conventional(film), self._conventional(substrate), fm, sm, **options)[0]
        maker = AIMDMaker(engine=self.engine, temperatures=tuple(m.temperatures), ps=m.ps,
                          timestep_fs=m.timestep_fs, equilibration_ps=m.equilibration_ps)
        return MDRunAnalysis(f"{film}|{substrate}", cand.interface, maker)

    def _target(self, task: StudyTask):
        if task.analysis == "window":
            return StabilityTarget("window", task.materials[0])
        return StabilityTarget("reaction", task.materials[1], task.materials[0])

    def _stack_voltage(self, electrode: str) -> Optional[float]:
        if electrode not in self._voltages:
            self._voltages[electrode] = electrode_voltage(self.store, self.engine, electrode,
                                                          cathode=electrode in self.spec.cathodes,
                                                          known_only=self.spec.known_phases_only)
        return self._voltages[electrode]

    def _stack_targets(self) -> list:
        out = []
        for t in self.tasks:
            if t.analysis == "stack":
                layer, electrode, electrolyte = t.materials
                out += stack_targets(*t.materials, self._stack_voltage(electrode))
        return out

    def _stability_analysis(self):
        if self._stability is None:
            targets = [self._target(t) for t in self.tasks if t.analysis in ("window", "reactions")]
            targets = list(dict.fromkeys(targets + self._stack_targets()))
            self._stability = StabilityAnalysis(targets, engine=self.engine,
                                                known_only=self.spec.known_phases_only)
        return self._stability

    def _hull_then_adhesion(self, members):
        """The hull's flow, then each adhesion flow starting from the hull's relaxations of its bulks."""
        from jobflow import Flow

        shared: dict = {}
        flows = [members[0].flow(self.store, shared=shared)]
        for a in members[1:]:
            bulks = []
            for name, cell, bulk in ((a.film, a.film_structure, a.bulks[0]),
                                     (a.substrate, a.substrate_structure, a.bulks[1])):
                calc = shared.get("library", {}).get(name)
                if bulk is None and calc is not None:
                    convert = bulk_in_cell(calc, cell)
                    convert.name = f"bulk {name} from the hull"
                    flows.append(convert)
                    bulk = convert.output
                bulks.append(bulk)
            flows.append(replace(a, bulks=tuple(bulks)).flow(self.store))
        return Flow(flows, name=f"hull and adhesion ({self.engine.name})")

    def _g_li(self) -> Optional[float]:
        doc = latest_mechanics(self.store, "Li", self.mechanics_engine.name)
        return doc["g_vrh"] if doc else None

    def stored(self, task: StudyTask) -> Optional[list[str]]:
        """uuids of the stored result(s) of ``task``; None when it still has to run (windows and reactions are
        always brought up to date)."""
        if task.analysis in ("window", "reactions", "stack"):
            return None
        return self.analysis(task).collect(self.store)

    # --- running -------------------------------------------------------------------------------------------
    def _run_stack(self, task: StudyTask, start: float) -> Outcome:
        """The stack's document from what is stored (after the stability builder has run)."""
        stability = self._stability_analysis()
        if stability.builder is None:
            outcome = Executor(self.store).run_one(stability)
            if outcome.status == "failed":
                return replace(outcome, task=task, seconds=time.time() - start)
        layer, electrode, electrolyte = task.materials
        side = "cathode" if electrode in self.spec.cathodes else "anode"
        settings = RankingSettings(threshold_ev_atom=reaction_threshold(self.engine.name)[0])
        doc = assemble_stack(self.store, self.engine.name, layer, electrode, electrolyte, side,
                             self._stack_voltage(electrode), stability.key_of, settings,
                             electrode_miller=self._miller(electrode), study=self.spec.name,
                             md_asked=layer in stack_md_layers(self.spec),
                             gaps=stability.builder.gaps if stability.builder else None)
        key = save_stack(self.store, doc)
        message = f"weakest {doc.weakest}" if doc.weakest else "; ".join(doc.notes[:1])
        return Outcome(stability, "done", time.time() - start, uuids=[key], task=task, message=message)

    def run_task(self, task: StudyTask) -> Outcome:
        start = time.time()
        if task.analysis == "stack":
            return self._run_stack(task, start)
        if task.analysis in ("window", "reactions"):
            stability = self._stability_analysis()
            if stability.builder is None:
                outcome = Executor(self.store).run_one(stability)  # one builder run for all of them
                if outcome.status == "failed":
                    return replace(outcome, task=task, seconds=time.time() - start)
            target = self._target(task)
            key = stability.key_of(target)
            if key is None:
                return Outcome(stability, "failed", time.time() - start, message=stability.error_of(target), task=task)
            return Outcome(stability, "done", time.time() - start, uuids=[key], task=task)
        try:
            analysis = self.analysis(task)
        except SSBIError as exc:  # e.g. no interface cell for an MD pair: this task fails, the others go on
            return Outcome(None, "failed", time.time() - start, message=str(exc).splitlines()[0][:300], task=task)
        if task.analysis == "mechanics" and task.materials[0] != "Li" and analysis.g_li is None \
                and analysis.collect(self.store) is None:
            return Outcome(analysis, "failed", time.time() - start, task=task,
                           message="the mechanics of Li (needed for G/G_Li) is not in the store")
        outcome = Executor(self.store, retry_no_match=self.retry_no_match).run_one(analysis)
        if task.analysis == "hull" and outcome.status == "done":
            self._stability = None  # new relaxations: the windows and reactions are built again
        return replace(outcome, task=task, seconds=time.time() - start)

    def run(self, on_start: Callable[[StudyTask], None] = lambda t: None,
            on_end: Callable[[Outcome], None] = lambda o: None) -> list[Outcome]:
        """Every task in order; stored ones are skipped."""
        outcomes = []
        for task in self.tasks:
            on_start(task)
            outcome = self.run_task(task)
            outcomes.append(outcome)
            on_end(outcome)
        return outcomes

    def submission_units(self) -> list[tuple[list[StudyTask], object]]:
        """The workflows a submit sends, as (tasks, analysis): one per task that runs jobs; the mechanics of Li and
        of the others in one while G_Li is not stored; the hull with the adhesion tasks that need its bulks."""
        from jobflow import Flow

        jobs = [t for t in self.tasks if t.analysis not in ("window", "reactions", "stack")
                and not self.facets_pending(t)]
        mech = [t for t in jobs if t.analysis == "mechanics"]
        units: list[tuple[list[StudyTask], object]] = []
        if mech and mech[0].materials == ("Li",) and self.stored(mech[0]) is None:
            li = self.analysis(mech[0])

            def combine(members):
                li_flow = members[0].flow(self.store)
                others = [self.analysis(t, g_li=li_flow.output).flow(self.store) for t in mech[1:]]
                return Flow([li_flow, *others], name=f"mechanics ({self.mechanics_engine.name})")

            members = [li] + [self.analysis(t) for t in mech[1:]]
            units.append((mech, AnalysisGroup(members, combine=combine)))
            jobs = [t for t in jobs if t.analysis != "mechanics"]
        hull = next((t for t in jobs if t.analysis == "hull"), None)
        if hull is not None and self.stored(hull) is None:
            # adhesion whose bulks the hull has yet to relax: one workflow, the adhesion after the hull's relaxations
            needing = [t for t in jobs if t.analysis == "adhesion" and None in self.analysis(t).bulks]
            if needing:
                units.append(([hull, *needing], AnalysisGroup([self.analysis(hull), *map(self.analysis, needing)],
                                                               combine=self._hull_then_adhesion)))
                jobs = [t for t in jobs if t is not hull and t not in needing]
        units += [([t], self.analysis(t)) for t in jobs]
        return units

    def facets_pending(self, task: StudyTask) -> bool:
        """An adhesion whose facet is chosen by surface energies not stored yet (a submitted study: the surfaces run
        on the cluster first; the next `ssbi run` submits the adhesion at the chosen facets)."""
        a = self.spec.analyses.adhesion
        if task.analysis != "adhesion" or a is None or not a.surfaces or task.options.get("stack"):
            return False
        return any(stored_surface(self.store, name, hkl, self.engine.name) is None
                   for name in task.materials if name not in a.miller for hkl in surface_millers(a, name))

    def check_runs_here(self) -> None:
        """One line, before any task, when an engine of the study runs only on HPC and the study would run here."""
        if self.submitted:
            return
        hpc = [e.name for e in dict.fromkeys([self.engine, self.mechanics_engine]) if not e.runs_here]
        if hpc:
            raise EngineError(f"{self.source}: engine {hpc[0]} runs only on HPC: submit the study (--submit, or "
                              "execution.where: fireworks), or choose an engine that runs here (chgnet, sevennet, "
                              "cp2k)")

    def submit_here(self) -> list[Outcome]:
        """:meth:`submit` to the configured LaunchPad."""
        with fw.launchpad() as lp:
            return self.submit(lp)

    def submit(self, launchpad) -> list[Outcome]:
        """One FireWorks workflow per unit of :meth:`submission_units` not stored or queued (windows and reactions
        follow from the hull's stability update and the next `ssbi run`)."""
        units = self.submission_units()
        order = {t.label: i for i, t in enumerate(self.tasks)}
        executor = Executor(self.store)
        outcomes = []
        for tasks, analysis in units:
            meta = {"study": self.spec.name, "engine": self.engine.name, "materials": list(tasks[0].materials)}
            (o,) = executor.submit([analysis], launchpad, resources=self.spec.execution.resources, metadata=meta)
            note = "" if len(tasks) == 1 or o.status != "submitted" else \
                " (with Li)" if tasks[0].analysis == "mechanics" else " (with the hull)"
            outcomes += [replace(o, task=t, message=o.message + note) for t in tasks]
        outcomes += [Outcome(None, "waiting", task=t, message="its facets are chosen by surface energies still to "
                             "compute: `ssbi run` again once they are stored submits it")
                     for t in self.tasks if self.facets_pending(t)]
        return sorted(outcomes, key=lambda o: order[o.task.label])

    def dry_run(self) -> list[dict]:
        """What a submit would send, without a LaunchPad: per workflow its tasks, Fireworks and estimated
        core-hours (:func:`ssbi.workflows.study.costs.estimate_core_hours`); stored ones are listed with 0."""
        from jobflow.managers.fireworks import flow_to_workflow

        rows = []
        for tasks, analysis in self.submission_units():
            stored = analysis.collect(self.store) is not None
            n_fw = 0 if stored else len(flow_to_workflow(analysis.flow(self.store)).fws)
            hours: dict[str, float] = {}
            for t in tasks:
                hours[t.analysis] = hours.get(t.analysis, 0.0) + (0.0 if stored else estimate_core_hours(t, self))
            rows.append({"label": analysis.label, "tasks": [t.label for t in tasks], "fireworks": n_fw,
                         "stored": stored, "core_hours": hours})
        for t in self.tasks:  # sent by a later `ssbi run`, once its facets' surface energies are stored
            if self.facets_pending(t):
                rows.append({"label": f"{t.label} (after its surface energies)", "tasks": [t.label], "fireworks": 0,
                             "stored": False, "core_hours": {t.analysis: estimate_core_hours(t, self)}})
        return rows


def open_study(study, store: Optional[str] = None, submit: bool = False) -> StudyRunner:
    """The runner of a study (a file or a study's name) on its store (``store``, else the study's own), checked
    before any task (the study's keys, its engines, where it runs)."""
    spec = load_study(study)
    runner = StudyRunner(spec, open_store(store or spec.store), submit=submit)
    runner.source, runner.store_name = str(study), describe(store or spec.store)
    return runner
