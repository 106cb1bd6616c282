"""K and G (VRH) from the study's mechanics path (atomate2's elastic flow through MechanicsMaker), to compare with
``validate_engines.py``'s finite strains.

Run: SSBI_DATA_DIR=$(mktemp -d) .venv/bin/python benchmarks/elastic_flow_check.py ENGINES MATERIALS [FMAX]
(comma-separated, e.g. ``sevennet,chgnet Li2S,Li7La3Zr2O12``); prints (K, G, seconds) per pair and merges them into
``results/elastic_full_flow.json``, the reference of ``bench_elastic.py``. Asserts nothing. ``FMAX`` (eV/Å) replaces
the flow's force criterion of 0.002 (recorded as ``ENGINE fmax FMAX``): 0.0002 is the converged reference.
Measured 2026-12-01 (two runs sharing 2 cores): LLZO chgnet (104.0, 32.6, 893 s), sevennet (111.8, 52.5, 1301 s);
Li2S chgnet (23.3, 13.7), sevennet (30.5, 28.9); Li3PS4 chgnet (21.1, 4.2), sevennet (24.9, 9.0).
Converged (FMAX 0.0002), sevennet, 2026-12-02, one torch thread beside other runs: Li6PS5Cl (16.5, 8.5, 268 s),
LGPS (18.8, 7.8, 2667 s), LLZO (111.7, 50.7, 1660 s): the flow at 0.002 is 2-8 % stiff in K, 0-4 % in G.
"""
import json
import sys
import time
from pathlib import Path
import warnings

warnings.filterwarnings("ignore")

from jobflow import Flow, JobStore  # noqa: E402
from maggma.stores import MemoryStore  # noqa: E402

from ssbi.workflows.engines.spec import EngineSpec  # noqa: E402
from ssbi.workflows.run.local import run_flow  # noqa: E402
from ssbi.workflows.flows.mechanics import MechanicsMaker  # noqa: E402
from ssbi.workflows.store.shipped import load_shipped  # noqa: E402


def main(engines: list[str], materials: list[str], fmax: float | None = None) -> None:
    """The hull's (shipped CHGNet) bulk of each material through each engine's elastic flow."""
    bulks = {e.data["material"]: e.structure for e in load_shipped("chgnet").relaxed_entries(structures=True)
             if e.data.get("origin") == "library"}
    for engine in engines:
        for name in materials:
            start = time.time()
            store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
            spec = EngineSpec.resolve(engine, {"elastic": {"fmax": fmax, "steps": 4000}} if fmax else None)
            run_flow(Flow([MechanicsMaker(engine=spec, protocol="full").make(bulks[name], name)]), store)
            store.connect()
            doc = store.query_one({"output.kind": "mechanics"}, load=False)["output"]
            seconds = time.time() - start
            print(f"{engine} {name}: K {doc['k_vrh']:.1f} G {doc['g_vrh']:.1f} GPa ({seconds:.0f} s)", flush=True)
            record(engine if fmax is None else f"{engine} fmax {fmax}", name, {"k_vrh": doc["k_vrh"], "g_vrh": doc["g_vrh"], "seconds": round(seconds, 1),
                                  "n_deformations": doc["n_deformations"], "elastic_tensor": doc["elastic_tensor"],
                                  "measured": time.strftime("%Y-%m-%d")})


RESULTS = Path(__file__).parent / "results" / "elastic_full_flow.json"


def record(engine: str, material: str, row: dict) -> None:
    """Merge one result into ``results/elastic_full_flow.json`` (the reference of ``bench_elastic.py``)."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data.setdefault(engine, {})[material] = row
    RESULTS.write_text(json.dumps(data, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1].split(","), sys.argv[2].split(","), float(sys.argv[3]) if len(sys.argv) > 3 else None)
