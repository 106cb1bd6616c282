"""Band gaps with the stored DFT spot checks (``ssbi gap``) on top of the shipped table (configs/band_gaps.yaml)."""

from __future__ import annotations

import hashlib
import json

from ssbi.interfaces.analysis.interphase import GapInfo, load_band_gaps


def stored_band_gaps(store) -> dict[str, dict]:
    """Stored DFT band gaps (``ssbi gap``) by reduced formula, the latest of each: the documents' outputs without
    their structures."""
    out: dict[str, dict] = {}
    for doc in store.query({"output.kind": "band_gap"}, properties=["output.formula", "output.gap", "output.source",
                                                                    "output.engine", "output.created_at"]):
        o = doc["output"]
        if o["formula"] not in out or str(o.get("created_at")) >= str(out[o["formula"]].get("created_at")):
            out[o["formula"]] = o
    return out


def band_gaps_with_store(store) -> dict[str, GapInfo]:
    """The shipped table with every stored DFT gap on top (a computed gap wins over a recalled one); ``store``
    None: the table alone."""
    found = {} if store is None else stored_band_gaps(store)
    table = load_band_gaps({f: o["gap"] for f, o in found.items()})
    for formula, o in found.items():
        table[formula] = GapInfo(gap=table[formula].gap, kind=table[formula].kind,
                                 source=f"computed: {o['source']} (stored)")
    return table


def gaps_hash(table: dict[str, GapInfo], formulas) -> str:
    """A hash of the gaps ``table`` gives ``formulas`` (shipped or stored): a derived document that classified an
    interphase with them is out of date when a row it used changes (a table edit, a new ``ssbi gap``)."""
    used = {f: [table[f].kind, round(table[f].gap, 3)] for f in sorted(set(formulas)) if f in table}
    return hashlib.sha256(json.dumps(used, sort_keys=True).encode()).hexdigest()[:16]
