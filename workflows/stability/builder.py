"""maggma Builder: bulk relaxations → window and reaction documents (emmet-style), their only writer.

It is told what to compute (:class:`StabilityTarget`: a window, or a reaction of an
electrode with an electrolyte) by the study or the command that asks; without
targets it brings the documents already stored up to date. Incremental: a document
whose ``entries_hash`` (the entries its chemical system needs, and the band gaps of those phases) still matches is
kept, one whose entries changed is recomputed and replaced (upsert by ``key``).
Each document lists the entries (ids, energies) it came from. One phase diagram per
chemical system, engine and scale.

Entries are the store's relaxations plus the engine's shipped reference entries, or
those the caller passes (an entries file, Materials Project, a converted scale); by
default without the curated hypothetical phases (:mod:`ssbi.interfaces.phase_status`),
with them (``known_only=False``) under their own source label (``store+hypothetical``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from maggma.core import Builder, Store
from pymatgen.core import Composition
from pymatgen.entries.computed_entries import ComputedEntry

from ssbi.interfaces.analysis.hull import PhaseDiagramCache, entries_in_chemsys, formula_name
from ssbi.interfaces.analysis.scales import common_scale
from ssbi.interfaces.errors import SSBIError
from ssbi.interfaces.materials import get_material
from ssbi.interfaces.phase_status import known_phases
from ssbi.workflows.engines.base import Engine
from ssbi.workflows.engines.config import engine_names
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.engines.spec import EngineLike
from ssbi.workflows.stability.documents import entries_hash, reaction_doc, reaction_key, window_doc, window_key
from ssbi.workflows.store import derived
from ssbi.workflows.store.band_gaps import band_gaps_with_store, gaps_hash
from ssbi.workflows.store.entries import coverage_gap, covered_systems, entry_from_calc, with_shipped
from ssbi.workflows.store.shipped import shipped_path, usable_shipped

PROPS = ["uuid", "output.formula", "output.energy", "output.n_atoms", "output.engine", "output.fingerprint",
         "output.materials", "output.volume_check",
         "completed_at"]


def shipped_engines() -> set[str]:
    """Configured engines that have a shipped reference set made with their current settings."""
    out = set()
    for name in engine_names():
        if shipped_path(name).is_file():
            try:
                if usable_shipped(get_engine(name)) is not None:
                    out.add(name)
            except SSBIError:
                continue
    return out


@dataclass(frozen=True)
class StabilityTarget:
    """One derived document to compute: the window of ``material``, or its reaction with ``partner``
    (closed, or open to Li at ``voltage`` V). Names are library names or formulas."""

    kind: str  # window | reaction
    material: str
    partner: Optional[str] = None
    voltage: Optional[float] = None

    @classmethod
    def of_document(cls, doc: dict) -> "StabilityTarget":
        if doc["key"].startswith("window|"):
            return cls("window", doc.get("material") or doc["formula"])
        return cls("reaction", doc["b"], doc["a"], doc.get("voltage"))


def _phase(name: str) -> tuple[str, Optional[str]]:
    """(formula, library name or None) of a library name, alias or formula."""
    try:
        mat = get_material(name)
    except SSBIError:
        return name, None
    return mat.formula, mat.name


class StabilityBuilder(Builder):
    """Windows and reactions of the ``targets`` (default: the documents already stored) from one engine's entries
    (default: every engine in the store)."""

    def __init__(self, results: Store, analysis: Store, engine: Optional[EngineLike | Engine] = None,
                 targets: Optional[Sequence[StabilityTarget]] = None, entries: Optional[list] = None,
                 source: str = "store", known_only: bool = True, **kwargs):
        self.results, self.analysis = results, analysis
        self.known_only = known_only  # hull without the curated hypothetical phases (LiS4, Li2S2 ...)
        if not known_only:  # its own documents: the two hulls never overwrite each other
            source = f"{source}+hypothetical"
        self.wanted = None if targets is None else list(targets)  # (maggma's Builder owns .targets: the stores)
        self.given_entries, self.source = entries, source
        if entries is not None:  # the caller's entries: ``engine`` is their label (engine, file, materials-project)
            self.resolved, self.engine = None, str(engine)
        else:  # the engine whose settings its shipped entries must match, resolved once
            self.resolved = get_engine(engine) if engine else None
            self.engine = self.resolved.name if self.resolved else None
        self._engines: dict[str, Engine] = {self.engine: self.resolved} if self.resolved else {}
        self.stats = {"computed": 0, "unchanged": 0, "removed": 0, "failed": 0}
        self.errors: list[str] = []
        self.failures: dict[StabilityTarget, str] = {}  # target -> why it has no document
        self.keys: dict[StabilityTarget, str] = {}  # target -> key of its document (computed or unchanged)
        self.caches: dict[tuple[str, str], PhaseDiagramCache] = {}  # one per engine and scale
        self.gaps = band_gaps_with_store(results)  # the shipped table under the stored `ssbi gap` spot checks
        super().__init__(sources=[results], targets=[analysis], **kwargs)

    def connect(self):
        """The stores are connected by their owners (open_store / analysis_store)."""

    def finalize(self):
        """Nothing to close: the owners of the stores close them."""

    def _engine_of(self, name: str) -> Engine:
        """The resolved engine of the entries labelled ``name`` (this builder's own, else the name's defaults)."""
        if name not in self._engines:
            self._engines[name] = get_engine(name)
        return self._engines[name]

    def _entries(self) -> dict[tuple[str, str], list[ComputedEntry]]:
        """Newest entry per fingerprint, grouped by (engine, energy scale), structures not loaded; relaxations the
        volume check rejected are left out; each engine's shipped reference entries are added."""
        if self.given_entries is not None:
            given = known_phases(self.given_entries) if self.known_only else self.given_entries
            return {(self.engine, common_scale(given)): given} if given else {}
        criteria = {"output.kind": "relax", "output.target": "bulk"}
        if self.engine:
            criteria["output.engine.name"] = self.engine
        groups, seen = defaultdict(list), set()
        for doc in self.results.query(criteria, properties=PROPS, sort={"completed_at": -1}):
            out = doc["output"]
            if out["fingerprint"] not in seen:
                seen.add(out["fingerprint"])
                if (out.get("volume_check") or {}).get("accepted", True):
                    groups[(out["engine"]["name"], out["engine"]["energy_scale"])].append(entry_from_calc(doc))
        engines = {e for e, _ in groups} | ({self.engine} if self.engine else shipped_engines())
        for engine in engines:
            try:
                resolved = self._engine_of(engine)
            except SSBIError:
                continue  # an engine no longer configured: its stored entries only
            scale = resolved.energy_scale
            groups[(engine, scale)] = with_shipped(groups.get((engine, scale), []), resolved)
        if self.known_only:
            groups = {k: known_phases(v) for k, v in groups.items()}
        return {k: v for k, v in groups.items() if v}

    def _existing(self) -> dict[str, dict]:
        criteria = {"source": self.source}
        if self.engine:
            criteria["engine"] = self.engine
        return {d["key"]: d for d in self.analysis.query(
            criteria, properties=["key", "entries_hash", "material", "formula", "a", "b", "voltage"])}

    def get_items(self) -> Iterable[dict]:
        existing = self._existing()
        groups = self._entries()
        if self.wanted is None:  # keep what is stored up to date
            wanted = {}
            for key, doc in existing.items():
                wanted.setdefault(tuple(key.split("|")[-2:]), []).append(StabilityTarget.of_document(doc))
        else:
            wanted = None
        for (engine, scale), entries in groups.items():
            covered = None if self.given_entries is not None else covered_systems(self.results, self._engine_of(engine))
            elements = {el.symbol for e in entries for el in e.composition.elements}
            for target in (self.wanted if wanted is None else wanted.get((engine, scale), [])):
                try:
                    item = self._item(target, engine, scale, entries, elements, covered)
                except (SSBIError, ValueError) as exc:  # a stored document naming no phase (damaged, edited)
                    self.stats["failed"] += 1
                    self._fail(target, f"{target.kind}|{target.material}", str(exc).splitlines()[0])
                    continue
                if item is None:
                    continue
                self.keys[target] = item["key"]
                if existing.get(item["key"], {}).get("entries_hash") == item["hash"]:
                    self.stats["unchanged"] += 1
                    continue
                yield item

    def _item(self, target: StabilityTarget, engine, scale, entries, elements, covered) -> Optional[dict]:
        formula, material = _phase(target.material)
        formula = formula_name(Composition(formula))
        own = {el.symbol for el in Composition(formula).elements}
        if target.kind == "window":
            chemsys, partner = own | {"Li"}, None
            key = window_key(material or formula, self.source, engine, scale)
        else:
            partner = formula_name(Composition(_phase(target.partner)[0]))
            chemsys = own | {el.symbol for el in Composition(partner).elements}
            if target.voltage is not None:
                chemsys |= {"Li"}
            key = reaction_key(partner, formula, target.voltage, self.source, engine, scale)
        if not chemsys <= elements:
            if self.wanted is not None:
                self._fail(target, key, f"no {engine} entries for {'-'.join(sorted(chemsys - elements))}")
            return None
        if covered is not None and not any(chemsys | {"Li"} <= system for system in covered):
            if self.wanted is not None:  # an incomplete hull would give wrong limits
                self._fail(target, key, coverage_gap(self.results, chemsys | {"Li"}, self._engine_of(engine),
                                                     entries))
            return None
        used = entries_in_chemsys(entries, chemsys)
        gaps = gaps_hash(self.gaps, {formula_name(e.composition) for e in used})
        return {"target": target, "kind": target.kind, "formula": formula, "material": material, "partner": partner,
                "voltage": target.voltage, "engine": engine, "scale": scale, "chemsys": sorted(chemsys),
                "entries": entries, "key": key,
                "hash": f"{entries_hash(used)}+gaps:{gaps}"}

    def process_item(self, item: dict):
        cache = self.caches.setdefault((item["engine"], item["scale"]), PhaseDiagramCache(item["entries"]))
        try:
            pd = cache.get(item["chemsys"])
            if item["kind"] == "window":
                doc = window_doc(pd, item["formula"], item["entries"], self.source, item["engine"], item["scale"],
                                 self.gaps, material=item["material"])
            else:
                doc = reaction_doc(pd, item["partner"], item["formula"], item["entries"], self.source,
                                   item["engine"], item["scale"], voltage=item["voltage"], gaps=self.gaps)
            doc.entries_hash = item["hash"]  # the entries and the band gaps it was classified with
            return doc
        except (SSBIError, ValueError) as exc:
            self.stats["failed"] += 1
            self._fail(item["target"], item["key"], str(exc).splitlines()[0])
            return None

    def _fail(self, target: StabilityTarget, key: str, why: str) -> None:
        self.failures[target] = why
        self.errors.append(f"{key}: {why}")

    def update_targets(self, items: list):
        docs = [d for d in items if d is not None]
        self.stats["computed"] += derived.save(self.analysis, docs)

    def run_all(self) -> dict:
        """Serial run without maggma's logging set-up; returns the counts."""
        docs = [self.process_item(item) for item in self.get_items()]
        self.update_targets(docs)
        return dict(self.stats)

    def documents(self) -> dict[StabilityTarget, dict]:
        """The stored document of each target that has one (after :meth:`run_all`)."""
        keys = list(self.keys.values())
        docs = {d["key"]: d for d in self.analysis.query({"key": {"$in": keys}})} if keys else {}
        return {t: docs[k] for t, k in self.keys.items() if k in docs}
