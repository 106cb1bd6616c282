"""Alloy anodes: a Li–M system's voltage profile from an engine's hull (store and shipped entries), next to the
published plateaus of ``configs/reference/alloys.yaml``."""

from __future__ import annotations

from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml
from pymatgen.analysis.phase_diagram import PhaseDiagram

from ssbi.interfaces.analysis.alloy import AlloyProfile, alloy_profile, compare_plateaus
from ssbi.interfaces.errors import InputError, SSBIError
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.paths import CONFIG_DIR
from ssbi.workflows.store.entries import elements_of, load_entries
from ssbi.workflows.store.imported import resolve_entries
from ssbi.workflows.store.jobstore import open_store

ALLOYS_FILE = CONFIG_DIR / "reference" / "alloys.yaml"


@lru_cache(maxsize=1)
def published_alloys() -> dict:
    """The published plateaus per system (``Li-Sn``) and their sources."""
    return yaml.safe_load(ALLOYS_FILE.read_text())


def alloy_system(name: str) -> tuple[str, str]:
    """('Li-Sn', 'Sn') of 'Li-Sn', 'Sn-Li' or 'Sn'; one line for anything else."""
    elements = elements_of(name)
    metals = [e for e in elements if e != "Li"]
    if len(metals) != 1 or len(elements) > 2:
        raise InputError(f"{name!r} is not a Li–M system: give one metal with Li, e.g. Li-Sn")
    return f"Li-{metals[0]}", metals[0]


def alloy_report(system: str, engine: str = "chgnet", store: Optional[str] = None, known_only: bool = True,
                 entries: str = "store", file_scale: Optional[str] = None) -> dict:
    """Profile, published comparison and provenance of one Li–M system (JSON-ready)."""
    name, metal = alloy_system(system)
    els = ["Li", metal]
    if entries == "store":
        found = load_entries("store", els, engine=get_engine(engine), store=open_store(store), known_only=known_only)
        label = engine
    else:
        entries = resolve_entries(entries)
        found = load_entries("file", els, file=entries, file_scale=file_scale, known_only=known_only)
        label = f"file:{Path(entries).name}"
    profile: AlloyProfile = alloy_profile(PhaseDiagram(found), metal)
    pub = (published_alloys()["systems"]).get(name) or {}
    sources = published_alloys()["sources"]
    return {"system": name, "engine": label, "known_phases_only": known_only, "profile": profile.as_dict(),
            "published": {k: v for k, v in pub.items() if k != "plateaus"} |
            ({"citation": sources[pub["source"]]["citation"]} if pub.get("source") else {}),
            "comparison": [asdict(c) for c in compare_plateaus(profile, pub.get("plateaus") or [])]}


def alloy_validation(engine: str = "chgnet", store: Optional[str] = None, known_only: bool = True) -> list[dict]:
    """Every published plateau of ``configs/reference/alloys.yaml`` next to the engine's hull (one row each; a
    system without entries gives one row saying why)."""
    rows = []
    for system, pub in published_alloys()["systems"].items():
        try:
            rep = alloy_report(system, engine, store, known_only)
        except SSBIError as exc:
            rows.append({"system": system, "error": str(exc).splitlines()[0]})
            continue
        prof = rep["profile"]
        base = {"system": system, "temperature_C": pub.get("temperature_C"), "source": pub.get("source"),
                "lithiated": prof["lithiated"], "lithiated_published": pub.get("lithiated")}
        if not rep["comparison"]:
            rows.append({**base, "phases": "—", "published": None, "computed": None, "difference": None,
                         "note": pub.get("note", "")})
        for c in rep["comparison"]:
            rows.append({**base, "phases": " / ".join(c["phases"]), "published": c["published"],
                         "computed": c["computed"], "computed_phases": c["computed_phases"],
                         "difference": c["difference"]})
    return rows
