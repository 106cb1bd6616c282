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
from workflows.stability import entries_hash, reaction_doc, reaction_key, window_doc, window_key

CATHODES = ("S", "Li2S")
PROPS = ["uuid", "output.formula", "output.energy", "output.n_atoms", "output.engine", "output.fingerprint",
         "completed_at"]


class StabilityBuilder(Builder):
    """Window of every Li compound, its reaction with Li metal and with the sulfur cathodes (closed)."""

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
        """Newest entry per fingerprint, grouped by (engine, energy scale); structures not loaded."""
        from workflows.entries import entry_from_calc

        criteria = {"output.kind": "relax", "output.target": "bulk"}
        if self.engine:
            criteria["output.engine.name"] = self.engine
        groups, seen = defaultdict(list), set()
        for doc in self.results.query(criteria, properties=PROPS, sort={"completed_at": -1}):
            out = doc["output"]
            if out["fingerprint"] not in seen:
                seen.add(out["fingerprint"])
                groups[(out["engine"]["name"], out["engine"]["energy_scale"])].append(entry_from_calc(doc))
        return groups

    def get_items(self) -> Iterable[dict]:
        existing = {d["key"]: d["entries_hash"]
                    for d in self.analysis.query({"source": "store"}, properties=["key", "entries_hash"])}
        wanted = set()
        for (engine, scale), entries in self._entries().items():
            # largest systems first: their diagrams then answer the subsystems from the cache
            formulas = sorted({formula_name(e.composition) for e in entries},
                              key=lambda f: (-len(Composition(f).elements), f))
            elements = {el.symbol for e in entries for el in e.composition.elements}
            for formula in formulas:
                comp = Composition(formula)
                if Element("Li") not in comp.elements or comp.is_element:
                    continue
                tasks = [("window", None, {el.symbol for el in comp.elements})]
                tasks.append(("reaction", "Li", {el.symbol for el in comp.elements}))
                for cathode in CATHODES:
                    needed = {el.symbol for el in comp.elements} | {el.symbol for el in Composition(cathode).elements}
                    if cathode != formula and needed <= elements:
                        tasks.append(("reaction", cathode, needed))
                for kind, partner, chemsys in tasks:
                    key = (window_key(formula, "store", engine, scale) if kind == "window" else
                           reaction_key(formula_name(partner), formula, None, "store", engine, scale))
                    wanted.add(key)
                    used = entries_in_chemsys(entries, chemsys)
                    if existing.get(key) == entries_hash(used):
                        self.stats["unchanged"] += 1
                        continue
                    yield {"kind": kind, "formula": formula, "partner": partner, "engine": engine, "scale": scale,
                           "chemsys": sorted(chemsys), "entries": entries, "key": key}
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
                                  self.gaps)
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
