"""Windows and reactions asked for by name, from one entry source (the store's and shipped entries of an engine, a
JSON file of entries, or Materials Project), on one energy scale; the stored documents brought up to date; the
comparison with published windows. Each document is computed and stored by the stability builder, their only
writer; an arbitrary composition is shown, never stored as if it were a material.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Optional

from pymatgen.core import Composition

from ssbi.interfaces.analysis.hull import PhaseDiagramCache, composition_of
from ssbi.interfaces.analysis.scales import common_scale, convert
from ssbi.interfaces.errors import InputError, SSBIError
from ssbi.interfaces.materials import get_material, list_materials
from ssbi.interfaces.phase_status import phase_status
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.stability.builder import StabilityBuilder, StabilityTarget
from ssbi.workflows.stability.validation import ValidationRow, published, validation_rows
from ssbi.workflows.store.derived import analysis_store
from ssbi.workflows.store.entries import entries_from_store, load_entries
from ssbi.workflows.store.imported import resolve_entries
from ssbi.workflows.store.jobstore import open_store


def phase_of(name: str) -> tuple[str, Optional[str]]:
    """(formula, library name) of a phase given by a library name or alias (beta-Li3PS4) or a formula."""
    try:
        mat = get_material(name)
    except SSBIError:
        return name, None
    return mat.formula, mat.name


class StabilityQuery:
    """The entries of one source for ``names`` (library names or formulas), their cached phase diagrams, and the
    window and reaction documents computed from them.

    ``entries``: ``store`` (``engine``'s relaxations and shipped entries; each system must be complete),
    ``mp``, or the path of a JSON file of entries (``file_scale`` for those that do not say). ``scale``: the energy
    scale to analyse on (default: the entries' own). ``joint``: the phases react with each other (one chemical
    system for all), else each stands alone. ``arbitrary``: compositions that are neither library materials nor
    phases of the entries are accepted (shown, not stored). ``known_only``: the hull without the curated hypothetical
    phases (LiS4, Li2S2, P2S7 ...: :mod:`ssbi.interfaces.phase_status`).
    """

    def __init__(self, names, entries: str = "store", engine: str = "chgnet", scale: Optional[str] = None,
                 file_scale: Optional[str] = None, store: Optional[str] = None, joint: bool = False,
                 arbitrary: bool = False, known_only: bool = True):
        self.known_only = known_only
        comps = [composition_of(phase_of(f)[0]) for f in names]
        self.elements = sorted({el.symbol for c in comps for el in c.elements} | {"Li"})
        self.job_store = None
        if entries == "store":
            self.job_store = open_store(store)
            self.source, self.engine = "store", engine
            systems = [{el.symbol for el in c.elements} | {"Li"} for c in comps]
            if joint:  # a reaction needs the system of both materials
                systems = [set().union(*systems)]
            found = load_entries("store", self.elements, engine=get_engine(engine), store=self.job_store,
                                 systems=systems, known_only=known_only)
        elif entries == "mp":
            self.source, self.engine = "mp", "materials-project"
            found = load_entries("mp", self.elements, known_only=known_only)
        else:
            entries = resolve_entries(entries)  # an imported set by name, else a file
            self.source, self.engine = "file", f"file:{Path(entries).name}"
            found = load_entries("file", self.elements, file=entries, file_scale=file_scale, known_only=known_only)
        self.entries = convert(found, scale) if scale else found
        self.scale = common_scale(self.entries)
        self.cache = PhaseDiagramCache(self.entries)
        self.arbitrary = [f for f in names if not self._known(f, arbitrary)]

    def _known(self, name: str, allow_formula: bool) -> bool:
        """A library material or a phase of the entries; else an error, unless arbitrary compositions are asked
        for."""
        formula, library_name = phase_of(name)
        phases = {e.composition.reduced_formula for e in self.entries}
        elements = {el for e in self.entries for el in e.composition.elements}
        comp = Composition(formula)
        if library_name or comp.reduced_formula in phases or not set(comp.elements) <= elements:
            return True  # known; or outside the entries, which the phase look-up then says in one line
        if allow_formula:
            return False
        why = phase_status(formula=comp.reduced_formula)
        if why.status == "hypothetical":
            raise InputError(f"{comp.reduced_formula} is a hypothetical phase ({why.why.split(';')[0]}), left out of "
                             "the hull of known phases: add --all-phases to keep it")
        names = sorted({m.name for m in list_materials()} | phases)
        close = difflib.get_close_matches(name, names, n=2, cutoff=0.6)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise InputError(f"{name!r} is not a library material nor a phase of the {self.source} entries{hint}; "
                         "add --formula to analyse it as an arbitrary composition (shown, not stored)")

    def pd(self, names):
        """The (cached) phase diagram of ``names`` with Li."""
        els = {el.symbol for f in names for el in Composition(phase_of(f)[0]).elements} | {"Li"}
        return self.cache.get(els)

    def build(self, targets) -> list[dict]:
        """The documents of ``targets`` from these entries, through the stability builder (their only writer);
        stored beside the results (an arbitrary composition's in memory only). One line when one cannot be
        computed."""
        target = self.job_store
        if self.arbitrary:  # an arbitrary composition is never stored as if it were a material
            target = open_store("memory")
        elif target is None:
            target = open_store(None)
        builder = StabilityBuilder(target.docs_store, analysis_store(target), engine=self.engine, targets=targets,
                                   entries=self.entries, source=self.source, known_only=self.known_only)
        builder.caches[(self.engine, self.scale)] = self.cache
        builder.run_all()
        docs = builder.documents()
        missing = [t for t in targets if t not in docs]
        if missing:
            raise InputError(builder.failures.get(missing[0]) or f"{missing[0].material}: no document could be "
                                                                 "computed")
        return [docs[t] for t in targets]

    def windows(self, names) -> list[dict]:
        """Window documents of ``names``, stored (a phase outside the entries: one line before anything is)."""
        for name in names:
            self.pd([name])
        return self.build([StabilityTarget("window", name) for name in names])

    def reaction(self, a: str, b: str, voltage: Optional[float] = None) -> dict:
        """The reaction document of ``a`` (electrode) | ``b``: closed, or open to Li at ``voltage``."""
        same = composition_of(phase_of(a)[0]).reduced_formula == composition_of(phase_of(b)[0]).reduced_formula
        if same:
            raise InputError(f"{a} and {b} are the same phase ({composition_of(phase_of(a)[0]).reduced_formula}): an "
                             "interface needs two different phases")
        self.pd([a, b])  # a missing phase: one line before anything is stored
        return self.build([StabilityTarget("reaction", b, a, voltage)])[0]


def update_documents(store: Optional[str] = None, engine: Optional[str] = None) -> tuple[dict, list[str]]:
    """Every stored window and reaction document brought up to date with the stored entries (incremental;
    ``engine``: only its entries): the builder's counts and the errors."""
    job_store = open_store(store)
    counts, errors = {}, []
    for known_only in (True, False):  # the hull of known phases, and the one with hypothetical phases
        builder = StabilityBuilder(job_store.docs_store, analysis_store(job_store), engine=engine,
                                   known_only=known_only)
        for k, v in builder.run_all().items():
            counts[k] = counts.get(k, 0) + v
        errors += builder.errors
    return counts, errors


def validation(engine: str = "chgnet", store: Optional[str] = None, known_only: bool = True) -> list[ValidationRow]:
    """The windows of the published phases, the library's electrolytes and the Li binaries from ``engine``'s
    entries (store and shipped) on both energy scales, next to the published values
    (:func:`~ssbi.workflows.stability.validation.validation_rows`)."""
    job_store = open_store(store)
    _, rows = published()
    names = {r["phase"] for r in rows} | {m.name for m in list_materials() if "electrolyte" in m.roles}
    elements = sorted({el.symbol for n in names for el in Composition(phase_of(n)[0]).elements} | {"Li"})
    # one entry set per engine and scale; systems that are not covered stay out (their rows say so)
    entries = entries_from_store(job_store, elements, get_engine(engine), known_only=known_only)
    if not entries:
        raise InputError(f"no {engine} entries: run `ssbi phase-diagram` for the systems of the published phases")
    return validation_rows({"mp2020": entries, "raw-gga": convert(entries, "raw-gga")}, engine)
