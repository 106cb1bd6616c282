"""The phase set of a chemical system: every competing phase, at affordable cost.

``PhaseSetMaker(engine).make("Li-P-S-Cl", store)``:

1. every reference structure within the system (``configs/reference``) and every
   library phase;
2. one single point per reference structure (``CalcMaker`` static);
3. per composition the lowest few are relaxed (default: the 2 lowest and any within
   50 meV/atom of the lowest; :func:`ssbi.interfaces.phase_set.select_for_relaxation`),
   with the volume verdict recorded; library phases are always relaxed;
4. everything is stored and fingerprinted, and what is already stored, or shipped
   for this engine (:mod:`ssbi.workflows.store.shipped`), is not computed again;
5. ``update_stability`` builds the hull from all of them and updates the analyses.

The selection runs as a job after the single points (a jobflow ``Response`` that
replaces itself with the relaxations), so the same flow runs here or on FireWorks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from jobflow import Flow, Response, job

from ssbi.interfaces.materials import load
from ssbi.interfaces.phase_set import DEFAULT_N_LOWEST, DEFAULT_WINDOW, select_for_relaxation
from ssbi.interfaces.reference import reference_phases, reference_structure
from ssbi.workflows.engines.maker import EngineMaker
from ssbi.workflows.flows.calc import CalcMaker
from ssbi.workflows.flows.phase_diagram import update_stability
from ssbi.workflows.store.entries import elements_of, library_element, library_phases
from ssbi.workflows.store.lookup import bulk_cell
from ssbi.workflows.store.shipped import input_key, load_shipped, usable_shipped


@dataclass
class PhaseSetPlan:
    """What a phase set needs and what is already known (stored here or shipped)."""

    elements: list[str]
    reference: list[str]  # reference ids in the system
    library: list[str]  # library names in the system
    formulas: dict[str, str]  # reference id -> reduced formula
    screened: dict[str, float]  # reference id -> energy per atom of its single point (known)
    screened_from: dict[str, str]  # reference id -> "stored" | "shipped"
    to_screen: list[str]
    relaxed: dict[str, str]  # label (reference id or library name) -> "stored" | "shipped" (known)
    library_to_relax: list[str]
    shipped_note: str = ""
    missing_elements: list[str] = field(default_factory=list)
    to_relax: Optional[list[str]] = None  # selected polymorphs not relaxed yet; None while single points are missing

    @property
    def complete(self) -> bool:
        """True when nothing is left to compute: single points, library and selected relaxations."""
        return not self.to_screen and not self.library_to_relax and not self.to_relax

    def summary(self) -> dict:
        origins = list(self.screened_from.values())
        relaxed = list(self.relaxed.values())
        return {"reference": len(self.reference), "library": len(self.library),
                "to_relax": None if self.to_relax is None else len(self.to_relax),
                "screened_stored": origins.count("stored"), "screened_shipped": origins.count("shipped"),
                "to_screen": len(self.to_screen), "relaxed_stored": relaxed.count("stored"),
                "relaxed_shipped": relaxed.count("shipped"), "library_to_relax": len(self.library_to_relax)}


@dataclass
class PhaseSetMaker(EngineMaker):
    """Single points of a system's reference structures, relaxations of the lowest, the hull update."""

    name: str = "phase set"
    n_lowest: int = DEFAULT_N_LOWEST
    window: float = DEFAULT_WINDOW  # eV/atom
    variant: str = "experimental"  # library cells
    use_shipped: bool = True

    # --- cells ---------------------------------------------------------------------------------------------
    @staticmethod
    def reference_cell(ref_id: str):
        return reference_structure(ref_id)

    def library_cell(self, name: str):
        """The cell relaxed for a library phase: the primitive cell of its library structure."""
        if self.variant == "experimental":
            return bulk_cell(name)  # the one bulk a study's other analyses start from
        return load(name, self.variant).get_primitive_structure()

    def makers(self):
        """The single-point and relaxation makers (reference relaxations add the volume check, which does not
        change their fingerprint)."""
        static = CalcMaker(engine=self.resolved, kind="static", target="bulk")
        relax = CalcMaker(engine=self.resolved, kind="relax", target="bulk")
        return static, relax

    # --- what is known -------------------------------------------------------------------------------------
    def plan(self, chemsys, store=None) -> PhaseSetPlan:
        """Candidates of ``chemsys`` and which of their calculations are stored or shipped."""
        elements = elements_of(chemsys)
        engine = self.resolved
        refs = reference_phases(elements)
        library = library_phases(elements)
        elemental = {next(iter(p.elements)) for p in refs if len(p.elements) == 1}
        elemental |= {el for n in library for el in [library_element(n)] if isinstance(el, str)}
        missing = [el for el in elements if el not in elemental]
        static, relax = self.makers()
        shipped = usable_shipped(engine) if self.use_shipped else None
        identity = engine.identity()
        cells = {p.id: self.reference_cell(p.id) for p in refs}
        refs_by_id = {p.id: p for p in refs}
        lib_cells = {n: self.library_cell(n) for n in library}
        fp_static = {static.fingerprint(c): i for i, c in cells.items()}
        fp_relax = {relax.fingerprint(c): i for i, c in {**cells, **lib_cells}.items()}
        stored_static, stored_relax = {}, set()
        if store is not None and fp_static:
            for doc in store.query({"output.fingerprint": {"$in": list(fp_static)}},
                                   properties=["output.fingerprint", "output.energy_per_atom"]):
                stored_static[fp_static[doc["output"]["fingerprint"]]] = doc["output"]["energy_per_atom"]
        if store is not None and fp_relax:
            for doc in store.query({"output.fingerprint": {"$in": list(fp_relax)}}, properties=["output.fingerprint"]):
                stored_relax.add(fp_relax[doc["output"]["fingerprint"]])
        screened, screened_from, relaxed = {}, {}, {}
        for ref_id, cell in cells.items():
            if ref_id in stored_static:
                screened[ref_id], screened_from[ref_id] = stored_static[ref_id], "stored"
            elif shipped is not None and (item := shipped.screened.get(input_key(cell, "static", identity))):
                screened[ref_id], screened_from[ref_id] = item["energy_per_atom"], "shipped"
        for label, cell in {**cells, **lib_cells}.items():
            if label in stored_relax:
                relaxed[label] = "stored"
            elif shipped is not None and input_key(cell, "relax", identity) in shipped.relaxed:
                relaxed[label] = "shipped"
        note = ""
        if shipped is not None:
            note = shipped.version_note(engine)
        elif self.use_shipped:
            other = load_shipped(engine.name)
            if other is not None:
                note = (f"shipped {engine.name} entries were made with other settings "
                        f"({other.engine.get('version')}); everything is computed")
        to_screen = [i for i in cells if i not in screened]
        to_relax = None
        if not to_screen:
            chosen = select_for_relaxation([(i, refs_by_id[i].formula, e) for i, e in screened.items()],
                                           n_lowest=self.n_lowest, window=self.window)
            to_relax = [i for i in chosen if i not in relaxed]
        return PhaseSetPlan(elements=elements, reference=[p.id for p in refs], library=library,
                            formulas={p.id: p.formula for p in refs}, screened=screened, screened_from=screened_from,
                            to_screen=to_screen, relaxed=relaxed, to_relax=to_relax,
                            library_to_relax=[n for n in library if n not in relaxed], shipped_note=note,
                            missing_elements=missing)

    # --- the flow ------------------------------------------------------------------------------------------
    def make(self, chemsys, store=None, plan: Optional[PhaseSetPlan] = None, shared: Optional[dict] = None) -> Flow:
        """Single points still needed, library relaxations, the selection job (which relaxes), the update.

        ``shared``: the same dict for the phase sets of one run (a study's hull has several systems with common
        subsystems). A single point or library relaxation another system of the run makes is not made again, the
        selection knows what earlier selections relax, and the update waits for them. Its ``"library"`` entry
        maps each library phase relaxed in the run to its CalcDoc output.
        """
        plan = plan or self.plan(chemsys, store)
        shared = shared if shared is not None else {}
        shared_statics, shared_library = shared.setdefault("statics", {}), shared.setdefault("library", {})
        selections = shared.setdefault("selections", [])
        static, relax = self.makers()
        statics = {i: static.make(self.reference_cell(i), material=i) for i in plan.to_screen if i not in shared_statics}
        library = {n: relax.make(self.library_cell(n), material=n) for n in plan.library_to_relax
                   if n not in shared_library}
        energies = {i: f.output.energy_per_atom for i, f in statics.items()}
        energies.update({i: shared_statics[i] for i in plan.to_screen if i in shared_statics})
        rows = [(i, plan.formulas[i], e) for i, e in plan.screened.items()]
        rows += [(i, plan.formulas[i], e) for i, e in energies.items()]
        known = sorted(plan.relaxed) + [sel.output for sel in selections]  # earlier selections: what they relaxed
        select = relax_selected(rows, known, self.engine, self.n_lowest, self.window)
        select.name = f"select and relax {'-'.join(plan.elements)}"
        chemsys_name = "-".join(plan.elements)
        after = [c.output.uuid for c in library.values()] + [shared_library[n] for n in plan.library_to_relax
                                                             if n in shared_library] + [s.output for s in selections]
        update = update_stability(chemsys_name, self.engine, after,
                                  phase_set={**plan.summary(), "selection": select.output,
                                             "n_lowest": self.n_lowest, "window": self.window,
                                             "shipped_note": plan.shipped_note})
        update.name = f"stability update {chemsys_name}"
        update.config.expose_store = True  # it reads the entries and writes the analyses
        shared_statics.update(energies)
        shared_library.update({n: f.output for n, f in library.items()})
        selections.append(select)
        return Flow([*statics.values(), *library.values(), select, update], output=update.output,
                    name=f"phase set {chemsys_name} ({self.resolved.name})")


@job
def relax_selected(screened: list, known: list, engine: str, n_lowest: int, window: float):
    """Pick the polymorphs to relax from the single points and relax those not known yet (replaces itself);
    ``engine``: the spec the job carries."""
    selected = select_for_relaxation(screened, n_lowest=n_lowest, window=window)
    # known: labels relaxed before, and the summaries of earlier selections of the same run
    labels = {k for k in known if isinstance(k, str)}
    labels |= {i for k in known if isinstance(k, dict) for i in k.get("relaxed_here", [])}
    todo = [i for i in selected if i not in labels]
    summary = {"screened": len(screened), "selected": selected, "relaxed_here": todo}
    if not todo:
        return summary
    maker = CalcMaker(engine=engine, kind="relax", target="bulk", check_volume=True)
    flows = [maker.make(reference_structure(i), material=i) for i in todo]
    done = phase_set_summary(summary, [f.output.uuid for f in flows])
    return Response(replace=Flow([*flows, done], output=done.output))


@job
def phase_set_summary(summary: dict, after: list) -> dict:
    """The selection's summary, once its relaxations have run."""
    return summary
