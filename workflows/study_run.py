"""Running a study: each task here (skipping what is stored) or each as a FireWorks workflow.

Every task has an identity in the store (a fingerprint, or a window/reaction key
with the hash of the entries it used), so an interrupted study re-run skips what
finished and does the rest. A failing task is reported and the others go on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from interfaces.errors import SSBIError
from workflows.study import StudySpec, StudyTask, plan, study_elements


@dataclass
class TaskOutcome:
    task: StudyTask
    status: str  # stored, done, failed, submitted
    seconds: float = 0.0
    message: str = ""
    uuids: list[str] = field(default_factory=list)


class StudyRunner:
    """Run (or submit) the tasks of ``spec`` against ``store``."""

    def __init__(self, spec: StudySpec, store):
        from workflows.engines import get_engine

        self.spec, self.store = spec, store
        self.engine = get_engine(spec.engine)
        self.engine.config.update(spec.engine_settings)  # part of describe(): fingerprints follow the settings
        self.engine.check()
        self.tasks = plan(spec)
        self._cache = None
        self._entries = None
        self._md = {}  # (film, substrate) -> (AIMDMaker, interface): built once, used by stored() and flow()

    # --- identity and lookup -------------------------------------------------------------------------------
    def _formula(self, name: str) -> str:
        from interfaces.materials import get_material

        return get_material(name).formula

    def _structure(self, name: str):
        from interfaces.materials import load

        return load(name, self.spec.variant)

    def _hull_maker(self):
        from workflows.flows.phase_set import PhaseSetMaker

        return PhaseSetMaker(engine=self.engine.name)

    def _hull_plans(self, systems) -> dict:
        """Per chemical system of the hull task: its phase-set plan (what is stored or shipped)."""
        maker = self._hull_maker()
        return {s: maker.plan(s, self.store) for s in systems}

    def _hull_pending(self, systems) -> dict:
        """The systems whose phase set still has calculations to run."""
        return {s: p for s, p in self._hull_plans(systems).items() if not p.complete}

    def _adhesion_maker(self, film: str, substrate: str):
        from workflows.flows.adhesion import AdhesionMaker

        a = self.spec.analyses.adhesion
        build = {**a.build, **a.overrides.get(substrate, {})}
        return AdhesionMaker(engine=self.engine.name, film_miller=tuple(a.miller.get(film, (1, 0, 0))),
                             substrate_miller=tuple(a.miller.get(substrate, (1, 0, 0))), relax=a.relax,
                             relax_bulk=True, scan_separation=a.scan_separation, build=build)

    def _md_inputs(self, film: str, substrate: str):
        if (film, substrate) not in self._md:
            self._md[film, substrate] = self._build_md_inputs(film, substrate)
        return self._md[film, substrate]

    def _build_md_inputs(self, film: str, substrate: str):
        from interfaces.builder import build_interfaces
        from workflows.flows.aimd import AIMDMaker

        m = self.spec.analyses.md
        a = self.spec.analyses.adhesion
        miller = a.miller if a else {}
        cand = build_interfaces(self._structure(film), self._structure(substrate), tuple(miller.get(film, (1, 0, 0))),
                                tuple(miller.get(substrate, (1, 0, 0))), max_atoms=m.max_atoms, max_strain=0.08,
                                film_thickness=6.0, substrate_thickness=8.0, vacuum=12)[0]
        maker = AIMDMaker(engine=self.engine.name, temperatures=tuple(m.temperatures), ps=m.ps,
                          timestep_fs=m.timestep_fs, equilibration_ps=m.equilibration_ps)
        return maker, cand.interface

    def stored(self, task: StudyTask) -> Optional[list[str]]:
        """uuids (or keys) of the stored result(s) of ``task``; None when it still has to run."""
        from workflows.execution import find_result

        kind, names = task.analysis, task.materials
        if kind == "hull":
            return [] if not self._hull_pending(names) else None
        if kind in ("window", "reactions"):
            return None  # derived in milliseconds from the stored entries: always brought up to date
        if kind == "mechanics":
            from workflows.flows.mechanics import MechanicsMaker

            found = find_result(self.store, MechanicsMaker(engine=self.engine.name).fingerprint(self._structure(names[0])))
        elif kind == "adhesion":
            maker = self._adhesion_maker(*names)
            found = find_result(self.store, maker.fingerprint(self._structure(names[0]), self._structure(names[1]), 0))
        else:  # md
            maker, interface = self._md_inputs(*names)
            found = find_result(self.store, maker.fingerprint(interface))
        return [found["uuid"]] if found else None

    # --- flows ---------------------------------------------------------------------------------------------
    def flow(self, task: StudyTask):
        """The jobflow Flow of a task that runs jobs (hull, mechanics, adhesion, md)."""
        kind, names = task.analysis, task.materials
        if kind == "hull":
            from jobflow import Flow

            maker = self._hull_maker()
            pending = self._hull_pending(names)
            return Flow([maker.make(s, self.store, plan=p) for s, p in pending.items()],
                        name=f"hull {', '.join(pending)} ({self.engine.name})")
        if kind == "mechanics":
            from workflows.flows.mechanics import MechanicsMaker

            g_li = None if names[0] == "Li" else self._g_li()
            return MechanicsMaker(engine=self.engine.name).make(self._structure(names[0]), names[0], g_li=g_li,
                                                                 study=self.spec.name)
        if kind == "adhesion":
            from workflows.flows.adhesion import stored_bulk

            film, sub = (self._structure(n) for n in names)
            bulks = [stored_bulk(self.store, self.engine.name, s) for s in (film, sub)]
            return self._adhesion_maker(*names).make(film, sub, names[0], names[1], film_bulk=bulks[0],
                                                     substrate_bulk=bulks[1])
        if kind == "md":
            maker, interface = self._md_inputs(*names)
            return maker.make(interface, "|".join(names))
        raise ValueError(f"{task.label} has no flow")

    def _g_li(self) -> Optional[float]:
        doc = self.store.query_one({"output.kind": "mechanics", "output.materials": "Li",
                                    "output.engine.name": self.engine.name}, properties=["output.g_vrh"],
                                   sort={"completed_at": -1})
        return doc["output"]["g_vrh"] if doc else None

    # --- derived stability documents -----------------------------------------------------------------------
    def _stability(self, task: StudyTask) -> list[str]:
        from interfaces.analysis.hull import PhaseDiagramCache
        from interfaces.analysis.scales import common_scale
        from workflows.entries import entries_from_store
        from workflows.stability import analysis_store, reaction_doc, save, window_doc

        if self._entries is None:
            self._entries = entries_from_store(self.store, study_elements(self.spec), self.engine.name)
            if not self._entries:
                raise SSBIError(f"no {self.engine.name} bulk relaxations in the store: run the hull task first")
            self._cache = PhaseDiagramCache(self._entries)
            self._scale = common_scale(self._entries)
        formulas = [self._formula(n) for n in task.materials]
        elements = {el for f in formulas for el in _elements(f)} | {"Li"}
        pd = self._cache.get(elements)
        if task.analysis == "window":
            docs = [window_doc(pd, formulas[0], self._entries, "store", self.engine.name, self._scale,
                               material=task.materials[0])]
        else:
            docs = [reaction_doc(pd, formulas[0], formulas[1], self._entries, "store", self.engine.name, self._scale)]
        save(analysis_store(self.store), docs)
        return [d.key for d in docs]

    # --- running -------------------------------------------------------------------------------------------
    def run_task(self, task: StudyTask) -> TaskOutcome:
        from workflows.execution import run_flow

        start = time.time()
        try:
            if task.analysis in ("window", "reactions"):
                return TaskOutcome(task, "done", time.time() - start, uuids=self._stability(task))
            found = self.stored(task)
            if found is not None:
                return TaskOutcome(task, "stored", time.time() - start, uuids=found)  # the look-up itself
            if task.analysis == "mechanics" and task.materials[0] != "Li" and self._g_li() is None:
                raise SSBIError("the mechanics of Li (needed for G/G_Li) is not in the store")
            flow = self.flow(task)
            run_flow(flow, self.store)
            if task.analysis == "hull":
                self._entries = None  # new relaxations: entries and diagrams are read again
            found = self.stored(task)
            return TaskOutcome(task, "done", time.time() - start, uuids=found or [])
        except (SSBIError, ValueError, RuntimeError) as exc:
            return TaskOutcome(task, "failed", time.time() - start, message=str(exc).splitlines()[0][:300])

    def run(self, on_start: Callable[[StudyTask], None] = lambda t: None,
            on_end: Callable[[TaskOutcome], None] = lambda o: None) -> list[TaskOutcome]:
        """Every task in order; stored ones are skipped."""
        outcomes = []
        for task in self.tasks:
            on_start(task)
            outcome = self.run_task(task)
            outcomes.append(outcome)
            on_end(outcome)
        return outcomes

    def submit(self, launchpad) -> list[TaskOutcome]:
        """One FireWorks workflow per task that runs jobs and is not stored (windows and reactions follow from
        the hull workflow's stability update)."""
        from jobflow import Flow

        from workflows import launchpad as fw
        from workflows.flows.mechanics import MechanicsMaker

        outcomes, pending = [], []
        for task in self.tasks:
            if task.analysis in ("window", "reactions"):
                continue
            found = self.stored(task)
            if found is not None:
                outcomes.append(TaskOutcome(task, "stored", uuids=found))
                continue
            key = f"study:{self.spec.name}:{task.label}:{self.engine.name}"
            active = fw.find_active(launchpad, key)
            if active:
                outcomes.append(TaskOutcome(task, "queued", message=f"workflow {active[0]} (already queued)"))
                continue
            pending.append((task, key))
        mech = [(t, k) for t, k in pending if t.analysis == "mechanics"]
        if mech and mech[0][0].materials == ("Li",):  # G_Li not stored: Li and the others in one workflow
            maker = MechanicsMaker(engine=self.engine.name)
            li = maker.make(self._structure("Li"), "Li", study=self.spec.name)
            flows = [li] + [maker.make(self._structure(t.materials[0]), t.materials[0], g_li=li.output,
                                       study=self.spec.name) for t, _ in mech[1:]]
            wf_id = fw.submit(launchpad, Flow(flows, name=f"mechanics ({self.engine.name})"), mech[0][1],
                              {"ssbi_kind": "study-mechanics", "study": self.spec.name, "engine": self.engine.name,
                               "ssbi_fingerprints": [k for _, k in mech]}, resources=self.spec.execution.resources)
            outcomes += [TaskOutcome(t, "submitted", message=f"workflow {wf_id} (with Li)") for t, _ in mech]
            pending = [(t, k) for t, k in pending if t.analysis != "mechanics"]
        for task, key in pending:
            wf_id = fw.submit(launchpad, self.flow(task), key,
                              {"ssbi_kind": f"study-{task.analysis}", "study": self.spec.name,
                               "materials": list(task.materials), "engine": self.engine.name},
                              resources=self.spec.execution.resources)
            outcomes.append(TaskOutcome(task, "submitted", message=f"workflow {wf_id}"))
        return outcomes


def _elements(formula: str) -> set[str]:
    from pymatgen.core import Composition

    return {el.symbol for el in Composition(formula).elements}
