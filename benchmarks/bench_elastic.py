"""Fast elastic path (strained cells relaxed by BFGS from the bulk's Γ force constants) against atomate2's full
elastic flow: K, G (VRH), force evaluations and wall time.

Run: SSBI_DATA_DIR=$(mktemp -d) .venv/bin/python benchmarks/bench_elastic.py [ENGINE] [MATERIALS] [--full]
(default: sevennet, the default study's mechanics engine; Li, Li2S, Li6PS5Cl, Li7La3Zr2O12, Li10GeP2S12).
The full flow's numbers come from ``results/elastic_full_flow.json`` (written by ``elastic_flow_check.py``), at
its own force criterion (0.002 eV/Å) and, where measured, converged (0.0002 eV/Å, ``ENGINE fmax 0.0002``);
``--full`` runs it again here first, so that both times come from the same machine state. Prints a table; asserts
nothing. Both paths start from the hull's (shipped CHGNet) relaxed bulk, as the study does.
"""
import json
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

from jobflow import Flow, JobStore  # noqa: E402
from maggma.stores import MemoryStore  # noqa: E402

from ssbi.workflows.run.local import run_flow  # noqa: E402
from ssbi.workflows.flows.mechanics import MechanicsMaker  # noqa: E402
from ssbi.workflows.store.shipped import load_shipped  # noqa: E402

RESULTS = Path(__file__).parent / "results"
MATERIALS = ["Li", "Li2S", "Li6PS5Cl", "Li7La3Zr2O12", "Li10GeP2S12"]


def mechanics(engine: str, name: str, structure, protocol: str) -> tuple[dict, float]:
    """The mechanics document, its seconds, and (fast path) the force evaluations of its strained cells."""
    start = time.time()
    store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
    run_flow(Flow([MechanicsMaker(engine=engine, protocol=protocol).make(structure, name)]), store)
    store.connect()
    doc = store.query_one({"output.kind": "mechanics"}, load=False)["output"]
    cells = store.query_one({"output.evaluations": {"$exists": True}}, load=False)
    doc["evaluations"] = cells["output"]["evaluations"] if cells else None
    return doc, time.time() - start


def main(engine: str, materials: list[str], rerun_full: bool) -> None:
    bulks = {e.data["material"]: e.structure for e in load_shipped("chgnet").relaxed_entries(structures=True)
             if e.data.get("origin") == "library"}
    if rerun_full:
        import subprocess

        subprocess.run([sys.executable, str(Path(__file__).parent / "elastic_flow_check.py"), engine,
                        ",".join(materials)], check=True)
    recorded = json.loads((RESULTS / "elastic_full_flow.json").read_text())
    full, tight = recorded.get(engine, {}), recorded.get(f"{engine} fmax 0.0002", {})
    rows, out = [], {}
    for name in materials:
        doc, seconds = mechanics(engine, name, bulks[name], "fast")
        ref = full.get(name)
        conv = tight.get(name)
        row = {"k_vrh": doc["k_vrh"], "g_vrh": doc["g_vrh"], "seconds": round(seconds, 1),
               "evaluations": doc["evaluations"], "n_deformations": doc["n_deformations"], "full": ref,
               "full_converged": conv}
        out[name] = row

        def versus(r):
            if not r:
                return "not run | |"
            dk, dg = 100 * (doc["k_vrh"] / r["k_vrh"] - 1), 100 * (doc["g_vrh"] / r["g_vrh"] - 1)
            return f"{r['k_vrh']:.1f} / {r['g_vrh']:.1f} | {dk:+.1f} % / {dg:+.1f} %"

        speed = f"{ref['seconds'] / seconds:.1f}x" if ref else ""
        rows.append(f"| {name} | {doc['k_vrh']:.1f} / {doc['g_vrh']:.1f} | {versus(ref)} | {versus(conv)} | "
                    f"{doc['evaluations']} | {seconds:.0f} s | {ref['seconds'] if ref else 0:.0f} s | {speed} |")
        print(rows[-1], flush=True)
    total_fast = sum(r["seconds"] for r in out.values())
    total_full = sum(r["full"]["seconds"] for r in out.values() if r["full"])
    print(f"\nelastic, {engine}: fast path against atomate2's full flow (K / G VRH, GPa)\n")
    print("| material | fast K / G | full K / G | Δ | full, converged K / G | Δ | fast evaluations | fast | full | "
          "speed-up |\n|" + " --- |" * 10)
    print("\n".join(rows))
    print(f"| all | | | | | | | {total_fast:.0f} s | {total_full:.0f} s | {total_full / total_fast:.1f}x |")
    (RESULTS / f"bench_elastic_{engine}.json").write_text(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(args[0] if args else "sevennet", args[1].split(",") if len(args) > 1 else MATERIALS, "--full" in sys.argv)
