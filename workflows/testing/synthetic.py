"""Synthetic result documents made through the real schemas (for query tests and benchmarks).

Values are random but typed and shaped exactly like stored results: jobflow-style
envelopes (uuid, completed_at, output) around AdhesionDoc / MechanicsDoc /
AIMDDoc, and WindowDoc / ReactionDoc in the analysis collection.
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import datetime, timedelta, timezone

import numpy as np
from monty.json import jsanitize
from pymatgen.core import Lattice, Structure

from ssbi.interfaces.analysis.mechanics import monroe_newman
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.schemas import AdhesionDoc, AIMDDoc, CalcDoc, EngineInfo, MechanicsDoc, ReactionDoc, WindowDoc
from ssbi.workflows.store.derived import analysis_store

ANODES = ["Li", "LiIn"]
ELECTROLYTES = ["Li3PS4", "Li6PS5Cl", "Li10GeP2S12", "Li7La3Zr2O12"]
MILLERS = [(1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 1)]
ENGINES = ["chgnet", "sevennet"]


def _engine(name: str) -> EngineInfo:
    return EngineInfo(name=name, version="synthetic", energy_scale="mp2020")


def _structure() -> Structure:
    return Structure(Lattice.cubic(3.5), ["Li", "Li"], [[0, 0, 0], [0.5, 0.5, 0.5]])


def _envelope(output, rng, start: datetime) -> dict:
    when = start + timedelta(minutes=int(rng.integers(0, 60 * 24 * 60)))
    return {"uuid": str(uuidlib.UUID(int=int(rng.integers(0, 2**63)))), "index": 1, "name": f"synthetic {output.kind}",
            "completed_at": when.isoformat(), "metadata": {}, "hosts": [],
            "output": jsanitize(output, strict=True, allow_bson=True, enum_values=True)}  # as jobflow stores it


def result_documents(n: int, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """``n`` result envelopes (adhesion, mechanics, aimd) and ``n`` analysis documents (window, reaction)."""
    rng = np.random.default_rng(seed)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    s = _structure()
    results, analysis = [], []
    for i in range(n):
        eng = _engine(ENGINES[i % 2])
        anode, electrolyte = ANODES[i % 2], ELECTROLYTES[i % 4]
        kind = i % 3
        if kind == 0:
            doc = AdhesionDoc(fingerprint=f"fp{i}", materials=[anode, electrolyte], engine=eng, film=anode,
                              substrate=electrolyte, film_miller=MILLERS[i % 4], substrate_miller=MILLERS[(i // 4) % 4],
                              candidate=0, termination=("Li", "S"), area=float(rng.uniform(40, 200)), n_interfaces=1,
                              n_atoms=int(rng.integers(50, 300)), n_film_atoms=20, n_substrate_atoms=30,
                              strained_side="film", film_von_mises_strain=0.01, substrate_von_mises_strain=0.0,
                              max_abs_strain=float(rng.uniform(0, 0.08)), in_plane_offset=(0.0, 0.0), gap=2.5,
                              energies={"interface_rigid": -100.0}, w_ad_rigid=float(rng.uniform(0.1, 2)),
                              w_ad_relaxed=None, interface_structure=s, film_slab_structure=s,
                              substrate_slab_structure=s)
        elif kind == 1:
            g = float(rng.uniform(3, 70))
            doc = MechanicsDoc(fingerprint=f"fp{i}", materials=[electrolyte], formula=electrolyte, engine=eng,
                               elastic_tensor=np.eye(6).tolist(), k_vrh=2 * g, g_vrh=g,
                               moduli={"mechanically_stable": True}, n_deformations=24,
                               monroe_newman=monroe_newman(g, 4.0), elastic_uuid="x")
        else:
            doc = AIMDDoc(fingerprint=f"fp{i}", materials=[anode, electrolyte], engine=eng, label=f"{anode}|{electrolyte}",
                          settings={}, n_atoms=100, temperatures=[{"temperature": 600.0, "transport": [
                              {"region": "cell", "diffusivity": float(rng.uniform(1e-7, 1e-5))}], "times_ps": [0, 1.0]}])
        results.append(_envelope(doc, rng, start))
        formula = ["Li3PS4", "Li6PS5Cl", "Li10GeP2S12", "Li7La3Zr2O12"][i % 4]
        if i % 2 == 0:
            a = WindowDoc(key=f"window|{formula}|store|{eng.name}|mp2020|{i}", chemsys="Li-P-S", source="store",
                          engine=eng.name, energy_scale="mp2020", entries=[], entries_hash="h", formula=formula,
                          reduction_limit=float(rng.uniform(0, 2)), oxidation_limit=float(rng.uniform(2, 4)),
                          reduction_products=["Li2S"], oxidation_products=["S"], e_above_hull=0.0, plateaus=[],
                          decomposition_energy={"0": -1.0, "5": -0.5}, decomposition_products={"0": [], "5": []},
                          interphase_vs_li={"type": "passivating"}, interphase_oxidation={"type": "passivating"},
                          material=formula)
        else:
            kink = {"x": 0.5, "energy": float(rng.uniform(-1.5, 0)), "energy_per_atom_b": -1.0, "reaction": "",
                    "products": ["Li2S"]}
            a = ReactionDoc(key=f"reaction|Li|{formula}|closed|store|{eng.name}|mp2020|{i}", chemsys="Li-P-S",
                            source="store", engine=eng.name, energy_scale="mp2020", entries=[], entries_hash="h",
                            a="Li", b=formula, kinks=[kink], minimum=kink, electrode_side=kink,
                            interphase={"type": "passivating"}, interphase_electrode_side={"type": "passivating"})
        analysis.append(a.model_dump(mode="json"))
    return results, analysis


CAMPAIGN_FORMULAS = ["Li", "Li2S", "Li3P", "LiCl", "P4S7", "Li3PS4", "Li7PS6", "Li4P2S6", "S", "LiP", "Li2O",
                     "La2O3", "ZrO2", "Li6PS5Cl", "Li10GeP2S12", "Li15Ge4", "GeS2", "Li4GeS4", "Li7P3S11", "LiIn"]
CAMPAIGN_ANALYSES = 400  # windows and reactions have one document per key: they do not grow with the campaign
CAMPAIGN_RESULTS = 3000  # adhesion, mechanics, MD: one document per fingerprint (material, engine, settings, cell)


def campaign_documents(n: int, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """``n`` results mixed as a screening campaign stores them: relaxations and single points (phase sets, the
    bulk of a large store), and adhesion, mechanics and MD results (a fifth of the store, at most CAMPAIGN_RESULTS:
    one per fingerprint, so they grow with the materials and settings studied, not with the store), and at most
    CAMPAIGN_ANALYSES window/reaction documents."""
    rng = np.random.default_rng(seed)
    import orjson

    n_special = min(n // 5 + 1, CAMPAIGN_RESULTS)
    special, analysis = result_documents(n_special, seed)
    every = max(1, n // n_special)
    special = iter(special)
    templates: dict[tuple[str, str], bytes] = {}
    results, taken = [], 0
    for i in range(n):
        if i % every or taken >= n_special:
            key = (CAMPAIGN_FORMULAS[i % len(CAMPAIGN_FORMULAS)], ENGINES[i % 2])
            if key not in templates:
                templates[key] = orjson.dumps(calc_envelope(*key[:1], "t", -4.0, key[1]))
            doc = orjson.loads(templates[key])
            uid = str(uuidlib.UUID(int=int(rng.integers(0, 2**63))))
            doc.update(uuid=uid, completed_at=f"2026-0{1 + i % 9}-1{i % 10}T00:00:00")
            epa = float(rng.uniform(-6, -2))
            doc["output"].update(fingerprint=f"synthetic-{uid}", task_uuid=f"task-{uid}", energy_per_atom=epa,
                                 energy=epa * doc["output"]["n_atoms"])
            results.append(doc)
        else:
            results.append(next(special))
            taken += 1
    return results, analysis[:CAMPAIGN_ANALYSES]


def fill(job_store, n: int, seed: int = 0, mix: str = "uniform") -> None:
    """Insert ``n`` synthetic results into ``job_store`` (connected): ``uniform`` (adhesion, mechanics, MD in
    turn, and ``n`` window/reaction documents) or ``campaign`` (:func:`campaign_documents`)."""
    results, analysis = (campaign_documents if mix == "campaign" else result_documents)(n, seed)
    # bulk insert (maggma's update upserts one document at a time: quadratic on montydb)
    job_store.docs_store._collection.insert_many(results)
    analysis_store(job_store)._collection.insert_many(analysis)


def calc_envelope(formula: str, uuid: str, energy_per_atom: float, engine: str = "chgnet",
                  completed_at: str = "9999-01-01T00:00:00") -> dict:
    """A stored bulk relaxation (CalcDoc in its jobflow envelope) of a one-formula-unit rock-salt-like cell."""
    from pymatgen.core import Composition

    comp = Composition(formula)
    species = [el.symbol for el, n in comp.items() for _ in range(int(n))]
    s = Structure(Lattice.cubic(2.5 * len(species)), species, [[i / len(species), 0, 0] for i in range(len(species))])
    info = get_engine(engine).describe()
    doc = CalcDoc(kind="relax", target="bulk", fingerprint=f"synthetic-{uuid}", materials=[formula], formula=formula,
                  reduced_formula=comp.reduced_formula, chemsys=comp.chemical_system, n_atoms=len(s),
                  energy=energy_per_atom * len(s), energy_per_atom=energy_per_atom, volume=s.volume, structure=s,
                  engine=EngineInfo(**info), task_uuid=f"task-{uuid}")
    return {"uuid": uuid, "index": 1, "name": f"synthetic relax {formula}", "completed_at": completed_at,
            "metadata": {}, "hosts": [], "output": jsanitize(doc, strict=True, allow_bson=True, enum_values=True)}
