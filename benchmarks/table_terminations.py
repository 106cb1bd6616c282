"""Terminations and surface energies of the seed electrolytes, and their interfaces with Li (and LiIn) from every
pair of faces, with CHGNet: the README table "Terminations, surface energies and adhesion".

Per electrolyte (the Miller index the whole-cell study uses): every termination and its relaxed σ (symmetric slabs;
σ at 0 V vs Li for off-stoichiometric faces), the lowest-σ face at 0 V; Li(100) on every face (rigid), the best
pair relaxed and whether it reacted; LiIn(100) on the lowest-σ face (rigid). Then Li2S(111) on LLZO(100), the
cathode-side pair whose W_ad stood out, on the lowest-σ LLZO face at the S/Li2S potential.

Everything goes into the store of SSBI_DATA_DIR (default a new temporary folder), so a second run reuses it.
Run: .venv/bin/python benchmarks/table_terminations.py [NAME ...] [--from-store]   (prints tables; asserts nothing;
--from-store prints what the store of SSBI_DATA_DIR holds, computing nothing)
"""

import json
import os
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

SEEDS = {  # electrolyte: (Miller index of the whole-cell study, slab thicknesses for σ, build options)
    "Li3PS4": ((0, 1, 0), (8.0, 12.0), {}),
    "Li6PS5Cl": ((1, 0, 0), (8.0, 12.0), {"max_strain": 0.06}),
    "Li10GeP2S12": ((0, 0, 1), (8.0, 12.0), {}),
    "Li7P3S11": ((0, 0, 1), (8.0, 12.0), {}),
    "Li7La3Zr2O12": ((1, 0, 0), (10.0,), {"film_thickness": 5.0, "substrate_thickness": 6.0, "max_atoms": 400,
                                          "max_area": 250}),
}
SCREEN_UNRELAXED = {"Li7La3Zr2O12": 3}  # 16 faces of ~200-atom slabs: all unrelaxed, then the 3 lowest relaxed
BUILD = {"film_thickness": 6.0, "substrate_thickness": 8.0, "max_atoms": 200, "max_strain": 0.08, "vacuum": 12.0}
console = Console(width=200)


def log(msg: str) -> None:
    console.print(f"[{time.strftime('%H:%M:%S')}] {msg}", highlight=False)


def main(names) -> None:
    os.environ.setdefault("SSBI_DATA_DIR", tempfile.mkdtemp(prefix="ssbi-terminations-"))
    from ssbi.interfaces.surface_energy import lowest_termination, termination_sigma
    from ssbi.workflows.run.requests import adhesion
    from ssbi.workflows.run.surfaces import adhesion_every_termination, surface

    log(f"store in {os.environ['SSBI_DATA_DIR']}")
    rows, sigma_rows = [], []
    for name, bulk_name, hkl, th in [("Li", "Li", (1, 0, 0), (6.0, 9.0, 12.0)), ("LiIn", "LiIn", (1, 0, 0), (8.0,)),
                                     ("Li2S", "Li2S", (1, 1, 1), (8.0, 12.0))]:
        start = time.perf_counter()
        doc = surface(name, hkl, "chgnet", (), th).docs[0]["output"]
        sigma_rows.append((name, hkl, doc, time.perf_counter() - start))
        log(f"σ {name}{hkl}: {[(t['label'], termination_sigma(t, 0.0)) for t in doc['terminations']]}")
    for name in names:
        hkl, th, build = SEEDS[name]
        start = time.perf_counter()
        if name in SCREEN_UNRELAXED:
            rigid = surface(name, hkl, "chgnet", (), th, relax=False).docs[0]["output"]
            sigma_rows.append((f"{name} (unrelaxed)", hkl, rigid, time.perf_counter() - start))
            ranked = sorted(rigid["terminations"], key=lambda t: termination_sigma(t, 0.0))
            keep = tuple(t["label"] for t in ranked[:SCREEN_UNRELAXED[name]])
            log(f"σ {name}{hkl} unrelaxed: {[(t['label'], termination_sigma(t, 0.0)) for t in ranked]}")
            sdoc = surface(name, hkl, "chgnet", keep, th).docs[0]["output"]
        else:
            sdoc = surface(name, hkl, "chgnet", (), th).docs[0]["output"]
        sigma_rows.append((name, hkl, sdoc, time.perf_counter() - start))
        label, sigma = lowest_termination(sdoc, 0.0)
        log(f"σ {name}{hkl}: lowest at 0 V {label} {sigma}; {time.perf_counter() - start:.0f} s")
        start = time.perf_counter()
        pairs = adhesion_every_termination("Li", name, (1, 0, 0), hkl, "chgnet", {**BUILD, **build}, relax_best=1,
                                           progress=log)
        log(f"Li | {name}: {len(pairs)} pairs in {time.perf_counter() - start:.0f} s")
        lin = None
        try:
            req = adhesion("LiIn", name, (1, 0, 0), hkl, "chgnet", {**BUILD, **build, "max_atoms": 400,
                                                                   "substrate_termination": label}, relax=False)
            lin = req.docs[0]["output"] if req.docs else None
        except Exception as exc:  # noqa: BLE001 - a pair without a match is a row, not the end of the table
            log(f"LiIn | {name}: {exc}")
        rows.append((name, hkl, sdoc, label, sigma, pairs, lin))
    console.print(sigma_table(sigma_rows))
    console.print(pairs_table(rows))
    if "Li7La3Zr2O12" in names:
        cathode_side()


def sigma_table(sigma_rows) -> Table:
    from ssbi.interfaces.surface_energy import termination_sigma

    t = Table(title="surface energies (CHGNet, relaxed symmetric slabs; J/m²)", header_style="bold")
    for col in ("material", "face", "terminations (σ at 0 V vs Li; stoichiometric faces one number)", "lowest",
                "converged to", "wall s"):
        t.add_column(col)
    for name, hkl, doc, wall in sigma_rows:
        parts = []
        for term in doc["terminations"]:
            s0 = termination_sigma(term, 0.0)
            parts.append(f"{term['label']} {'—' if s0 is None else f'{s0:.2f}'}"
                         + ("" if term["scheme"] == "symmetric stoichiometric" else "*"))
        conv = [t["convergence"] for t in doc["terminations"] if t.get("convergence") is not None]
        from ssbi.interfaces.surface_energy import lowest_termination
        label, sigma = lowest_termination(doc, 0.0)
        t.add_row(name, "".join(map(str, hkl)), ", ".join(parts), f"{label} {sigma:.2f}" if label else "—",
                  f"{max(conv):.3f}" if conv else "one thickness", f"{wall:.0f}")
    return t


def pairs_table(rows) -> Table:
    t = Table(title="Li(100) on every face of each electrolyte (CHGNet): rigid scan, best pair relaxed",
              header_style="bold")
    for col in ("electrolyte", "faces", "lowest-σ face (0 V)", "best rigid pair", "W_ad rigid (range)", "relaxed",
                "what the relaxation did", "LiIn on lowest-σ face, rigid"):
        t.add_column(col)
    for name, hkl, sdoc, label, sigma, pairs, lin in rows:
        rigid = [p for p in pairs if p["rigid"]]
        w = [p["rigid"]["output"]["w_ad_rigid"] for p in rigid]
        best = max(rigid, key=lambda p: p["rigid"]["output"]["w_ad_rigid"]) if rigid else None
        rel = best["relaxed"]["output"] if best and best["relaxed"] else None
        on_lowest = next((p for p in rigid if p["substrate_termination"] == label), None)
        did = "—"
        if rel:
            did = ("reacted: " + "; ".join(rel["reaction"]["evidence"])) if rel.get("reacted") else \
                f"adhesion; largest displacement {rel['reaction']['max_displacement']:.2f} Å"
        t.add_row(f"{name}{''.join(map(str, hkl))}", str(len(sdoc["terminations"])),
                  f"{label} (σ {sigma:.2f}); Li on it: "
                  + (f"{on_lowest['rigid']['output']['w_ad_rigid']:.2f}" if on_lowest else "no match"),
                  f"{best['film_termination']} | {best['substrate_termination']}" if best else "—",
                  f"{max(w):.2f} ({min(w):.2f}–{max(w):.2f})" if w else "—",
                  "—" if not rel else (f"reaction {rel['reaction_energy']:.2f}" if rel.get("reacted")
                                       else f"{rel['w_ad_relaxed']:.2f}"),
                  did, f"{lin['w_ad_rigid']:.2f}" if lin else "no match")
    return t


def cathode_side() -> None:
    from ssbi.workflows.run.requests import adhesion

    out = {}
    for how, build in (("builder's first face", {}), ("lowest-σ face at S/Li2S", None)):
        req = adhesion("Li2S", "Li7La3Zr2O12", (1, 1, 1), (1, 0, 0), "chgnet",
                       {**BUILD, "film_thickness": 5.0, "substrate_thickness": 6.0, "max_atoms": 400, "max_area": 250,
                        **(build or {})}, relax=False, terminations_default=build is None, on_note=log)
        doc = req.docs[0]["output"]
        out[how] = {"termination": doc["termination"], "w_ad_rigid": doc["w_ad_rigid"], "n_atoms": doc["n_atoms"]}
    log("Li2S(111) | LLZO(100): " + json.dumps(out))


def from_store(names) -> None:
    """The tables from what the store already holds (the newest results; nothing is computed)."""
    os.environ.setdefault("SSBI_DATA_DIR", tempfile.mkdtemp(prefix="ssbi-terminations-"))
    from ssbi.interfaces.surface_energy import lowest_termination
    from ssbi.workflows.run.faces import stored_surface
    from ssbi.workflows.store.jobstore import open_store

    store = open_store(None)
    sigma_rows, rows = [], []
    for name, hkl in [("Li", (1, 0, 0)), ("LiIn", (1, 0, 0)), ("Li2S", (1, 1, 1))]:
        doc = stored_surface(store, name, hkl, "chgnet")
        if doc:
            sigma_rows.append((name, hkl, doc, float("nan")))
    for name in names:
        hkl = SEEDS[name][0]
        unrelaxed = [d["output"] for d in store.query({"output.kind": "surface", "output.material": name,
                                                       "output.relaxed": False}, load=True)]
        if unrelaxed:
            sigma_rows.append((f"{name} (unrelaxed)", hkl, unrelaxed[-1], float("nan")))
        sdoc = stored_surface(store, name, hkl, "chgnet")
        if sdoc is None:
            continue
        sigma_rows.append((name, hkl, sdoc, float("nan")))
        label, sigma = lowest_termination(sdoc, 0.0)
        pairs = {}
        for d in store.query({"output.kind": "adhesion", "output.film": "Li", "output.substrate": name,
                              "output.film_miller": [1, 0, 0], "output.substrate_miller": list(hkl)},
                             sort={"completed_at": 1}, load=False):
            o = d["output"]
            key = tuple(o["termination"])
            row = pairs.setdefault(key, {"film_termination": key[0], "substrate_termination": key[1],
                                         "rigid": None, "relaxed": None, "error": None})
            row["relaxed" if o.get("w_ad_relaxed") is not None else "rigid"] = d
        for row in pairs.values():
            if row["rigid"] is None and row["relaxed"] is not None:
                row["rigid"] = row["relaxed"]
        lin = store.query_one({"output.kind": "adhesion", "output.film": "LiIn", "output.substrate": name},
                              sort={"completed_at": -1}, load=False)
        rows.append((name, hkl, sdoc, label, sigma, list(pairs.values()), lin["output"] if lin else None))
    console.print(sigma_table(sigma_rows))
    console.print(pairs_table(rows))
    if "--markdown" in sys.argv:
        print(markdown(sigma_rows, rows))
    for d in store.query({"output.kind": "adhesion", "output.film": "Li2S", "output.substrate": "Li7La3Zr2O12"},
                         load=False):
        o = d["output"]
        log(f"Li2S(111) | LLZO(100) {' | '.join(o['termination'])}: rigid W_ad {o['w_ad_rigid']:.2f} J/m², "
            f"{o['n_atoms']} atoms")


def markdown(sigma_rows, rows) -> str:
    """The README table: per electrolyte its faces and σ, the chosen pair, rigid and relaxed W_ad, what relaxing did."""
    from ssbi.interfaces.surface_energy import termination_sigma

    docs = {name: doc for name, _, doc, _ in sigma_rows}
    out = ["| electrolyte (face) | faces: σ at 0 V (J/m²; * off-stoichiometric, at the window's reduction limit) | "
           "lowest-σ face → Li on it, rigid W_ad | best of all pairs, rigid (range) | relaxed best pair | "
           "LiIn on the lowest-σ face, rigid |", "| --- | --- | --- | --- | --- | --- |"]
    for name, hkl, sdoc, label, sigma, pairs, lin in rows:
        faces = ", ".join(f"{t['label']} {termination_sigma(t, 0.0):.2f}"
                          + ("" if t["scheme"] == "symmetric stoichiometric" else "*") for t in sdoc["terminations"]
                          if termination_sigma(t, 0.0) is not None)
        unrelaxed = docs.get(f"{name} (unrelaxed)")
        if unrelaxed:
            faces = (f"{len(unrelaxed['terminations'])} faces screened unrelaxed, the 3 lowest relaxed: " + faces)
        rigid = [p for p in pairs if p["rigid"]]
        w = {p["substrate_termination"]: p["rigid"]["output"]["w_ad_rigid"] for p in rigid}
        best = max(rigid, key=lambda p: p["rigid"]["output"]["w_ad_rigid"]) if rigid else None
        rel = best["relaxed"]["output"] if best and best["relaxed"] else None
        if rel is None:
            relaxed = "—"
        elif rel.get("reacted"):
            relaxed = (f"reacted, {rel['reaction_energy']:.2f} J/m²: " + "; ".join(rel["reaction"]["evidence"]))
        else:
            relaxed = f"{rel['w_ad_relaxed']:.2f} J/m², no reaction"
        out.append(f"| {name} ({''.join(map(str, hkl))}) | {faces} | {label} ({sigma:.2f}) → "
                   f"{w[label]:.2f} | " if label in w else f"| {name} ({''.join(map(str, hkl))}) | {faces} | "
                   f"{label} ({sigma:.2f}) → no cell | ")
        out[-1] += (f"{best['substrate_termination']}: {max(w.values()):.2f} ({min(w.values()):.2f}–"
                    f"{max(w.values()):.2f}, {len(w)} pairs) | {relaxed} | "
                    + (f"{lin['w_ad_rigid']:.2f} ({lin['termination'][1]})" if lin else "no cell") + " |")
    return "\n".join(out)


if __name__ == "__main__":
    if "--from-store" in sys.argv:
        from_store([n for n in sys.argv[1:] if not n.startswith("--")] or list(SEEDS))
    else:
        main(sys.argv[1:] or list(SEEDS))
