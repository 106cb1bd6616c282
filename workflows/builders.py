"""maggma Builder: stored bulk relaxations → window and reaction documents (emmet-style).

Incremental: for every Li compound it works out the entries its chemical system
needs and their hash; a document whose ``entries_hash`` still matches is skipped,
one whose entries changed is recomputed and replaced (upsert by ``key``), and one
whose phase is no longer in the store is removed. Each document lists the entries
(ids, energies) it came from. One phase diagram per chemical system and engine.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Optional

from maggma.core import Builder, Store
from pymatgen.core import Composition, Element
from pymatgen.entries.computed_entries import ComputedEntry

from interfaces.analysis.hull import PhaseDiagramCache, entries_in_chemsys, formula_name
from interfaces.analysis.interphase import load_band_gaps
from interfaces.errors import SSBIError
from workflows.engines import get_engine
from workflows.stability import entries_hash, reaction_doc, reaction_key, window_doc, window_key

CATHODES = ("S", "Li2S")
PROPS = ["uuid", "output.formula", "output.energy", "output.n_atoms", "output.engine", "output.fingerprint",
         "output.materials", "output.volume_check",
         "completed_at"]


def shipped_engines() -> set[str]:
    """Configured engines that have a shipped reference set made with their current settings."""
    from workflows.engines import engine_names
    from workflows.reference_entries import shipped_path, usable_shipped

    out = set()
    for name in engine_names():
        if shipped_path(name).is_file():
            try:
                if usable_shipped(get_engine(name)) is not None:
                    out.add(name)
            except SSBIError:
                continue
    return out


class StabilityBuilder(Builder):
    """Window of every library Li compound, its reaction with Li metal and with the sulfur cathodes (closed)."""

    def __init__(self, results: Store, analysis: Store, engine: Optional[str] = None, **kwargs):
        self.results, self.analysis, self.engine = results, analysis, engine
        self.stats = {"computed": 0, "unchanged": 0, "removed": 0, "failed": 0}
        self.errors: list[str] = []
        self.caches: dict[tuple[str, str], PhaseDiagramCache] = {}  # one per engine and scale
        self.gaps = load_band_gaps()
        super().__init__(sources=[results], targets=[analysis], **kwargs)

    def connect(self):
        """The stores are connected by their owners (open_store / analysis_store)."""

    def finalize(self):
        """Nothing to close: the owners of the stores close them."""

    def _entries(self) -> dict[tuple[str, str], list[ComputedEntry]]:
        """Newest entry per fingerprint, grouped by (engine, energy scale), structures not loaded; relaxations the
        volume check rejected are left out; each engine's shipped reference entries are added."""
        from workflows.entries import entry_from_calc, with_shipped

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
                scale = get_engine(engine).energy_scale
            except SSBIError:
                continue  # an engine no longer configured: its stored entries only
            groups[(engine, scale)] = with_shipped(groups.get((engine, scale), []), engine)
        return {k: v for k, v in groups.items() if v}

    def get_items(self) -> Iterable[dict]:
        from interfaces.materials import list_materials

        existing = {d["key"]: d["entries_hash"]
                    for d in self.analysis.query({"source": "store"}, properties=["key", "entries_hash"])}
        # windows and reactions of the library's Li compounds (the materials studies are about); the reference
        # phases are the rest of the hull. Largest systems first: their diagrams answer the subsystems.
        targets = sorted(((m.name, Composition(m.formula)) for m in list_materials()
                          if Element("Li") in Composition(m.formula).elements and not Composition(m.formula).is_element),
                         key=lambda t: (-len(t[1].elements), t[0]))
        from workflows.entries import covered_systems

        wanted = set()
        for (engine, scale), entries in self._entries().items():
            covered = covered_systems(self.results, engine)
            elements = {el.symbol for e in entries for el in e.composition.elements}
            named = {(e.data or {}).get("material") for e in entries}
            for material, comp in targets:
                if material not in named:
                    continue
                formula = formula_name(comp)
                own = {el.symbol for el in comp.elements}
                tasks = [("window", None, own), ("reaction", "Li", own)]
                for cathode in CATHODES:
                    needed = own | {el.symbol for el in Composition(cathode).elements}
                    if cathode != formula and needed <= elements:
                        tasks.append(("reaction", cathode, needed))
                for kind, partner, chemsys in tasks:
                    if not any(set(chemsys) | {"Li"} <= system for system in covered):
                        continue  # an incomplete hull would give wrong limits: left to `ssbi phase-diagram`
                    if kind == "reaction" and material != formula:
                        continue  # a polymorph's reactions are its formula's (computed for the named entry)
                    key = (window_key(material, "store", engine, scale) if kind == "window" else
                           reaction_key(formula_name(partner), formula, None, "store", engine, scale))
                    wanted.add(key)
                    used = entries_in_chemsys(entries, chemsys)
                    if existing.get(key) == entries_hash(used):
                        self.stats["unchanged"] += 1
                        continue
                    yield {"kind": kind, "formula": formula, "material": material, "partner": partner,
                           "engine": engine, "scale": scale, "chemsys": sorted(chemsys), "entries": entries,
                           "key": key}
        stale = [k for k in existing if k not in wanted and (self.engine is None or f"|{self.engine}|" in k)]
        if stale:
            self.analysis.remove_docs({"key": {"$in": stale}})
            self.stats["removed"] += len(stale)

    def process_item(self, item: dict):
        cache = self.caches.setdefault((item["engine"], item["scale"]), PhaseDiagramCache(item["entries"]))
        try:
            pd = cache.get(item["chemsys"])
            if item["kind"] == "window":
                return window_doc(pd, item["formula"], item["entries"], "store", item["engine"], item["scale"],
                                  self.gaps, material=item["material"])
            return reaction_doc(pd, item["partner"], item["formula"], item["entries"], "store", item["engine"],
                                item["scale"], gaps=self.gaps)
        except (SSBIError, ValueError) as exc:
            self.stats["failed"] += 1
            self.errors.append(f"{item['key']}: {exc}")
            return None

    def update_targets(self, items: list):
        from workflows.stability import save

        docs = [d for d in items if d is not None]
        self.stats["computed"] += save(self.analysis, docs)

    def run_all(self) -> dict:
        """Serial run without maggma's logging set-up; returns the counts."""
        docs = [self.process_item(item) for item in self.get_items()]
        self.update_targets(docs)
        return dict(self.stats)
