"""Which faces each contact of a study used, their surface energies, and why they were chosen."""

from __future__ import annotations

from ssbi.interfaces.surface_energy import lowest_termination, termination_sigma
from ssbi.workflows.run.faces import contact_potential, stored_surface


def contact_faces_rows(spec, results) -> list[dict]:
    """One row per adhesion result of the study: the faces at the contact, σ of each at the electrode's potential
    (stored `ssbi surface` results of the same engine), the lowest-σ face there, and why this one was used."""

    rows, potentials = [], {}
    for ad in results.adhesion_rows(study=spec):
        pair = (ad["film"], ad["substrate"])
        if pair not in potentials:
            potentials[pair] = contact_potential(list(pair), ad["engine"], spec.store)
        voltage, where = potentials[pair]
        faces = ad["termination"].split(" | ")
        row = {"pair": f"{ad['film']} | {ad['substrate']}", "W_ad_rigid": ad["w_ad_rigid_J_m2"],
               "W_ad_relaxed": ad["w_ad_relaxed_J_m2"], "reaction": ad.get("reaction_energy_J_m2"),
               "potential": where}
        for side, name, hkl, face in (("film", ad["film"], ad["film_miller"], faces[0]),
                                      ("substrate", ad["substrate"], ad["substrate_miller"], faces[-1])):
            doc = stored_surface(results.store, name, tuple(int(c) for c in hkl), ad["engine"])
            row[f"{side}_face"] = f"{name}({hkl}) {face}"
            if doc is None:
                row[f"{side}_sigma"], row[f"{side}_why"] = None, "no σ stored: the builder's first face"
                continue
            window = doc.get("window") or {}
            at = voltage if voltage is not None else (0.5 * (window["v_low"] + window["v_high"]) if window else None)
            term = next((t for t in doc["terminations"] if t["label"] == face), None)
            row[f"{side}_sigma"] = termination_sigma(term, at) if term else None
            label, sigma = lowest_termination(doc, at)
            row[f"{side}_why"] = (f"lowest σ of {len(doc['terminations'])} at {at:.2f} V" if label == face and
                                  at is not None else "lowest σ" if label == face else
                                  f"given; lowest is {label} ({sigma:.2f} J/m²)" if label else "no σ at this potential")
        rows.append(row)
    return rows


def faces_markdown(rows: list[dict]) -> list[str]:
    if not rows:
        return []

    def num(v):
        return "—" if v is None else f"{v:.2f}"

    out = ["## Faces at each contact", "",
           "σ in J/m² at the electrode's potential from `ssbi surface` (an off-stoichiometric face of a phase that is "
           "not stable there: at its window's nearer limit); a relaxed interface that reacted shows its reaction "
           "energy instead of W_ad.", "",
           "| pair | film face | σ | why | substrate face | σ | why | W_ad rigid | W_ad relaxed / reaction |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        relaxed = f"reacted {num(r['reaction'])}" if r.get("reaction") is not None else num(r["W_ad_relaxed"])
        out.append(f"| {r['pair']} | {r['film_face']} | {num(r['film_sigma'])} | {r['film_why']} | "
                   f"{r['substrate_face']} | {num(r['substrate_sigma'])} | {r['substrate_why']} | "
                   f"{num(r['W_ad_rigid'])} | {relaxed} |")
    return out + [""]
