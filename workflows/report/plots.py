"""Plots of stored results (matplotlib, written as PNG)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ssbi.interfaces.adhesion import uber  # noqa: E402
from ssbi.interfaces.analysis.alloy import AlloyPlateau, AlloyProfile, alloy_curve, li_per_metal  # noqa: E402
from ssbi.interfaces.analysis.interphase import _element_name, load_band_gaps
from ssbi.interfaces.analysis.window import Plateau, li_uptake_curve


def legend_outside(ax, below: bool = False, **kwargs):
    """The legend beside the axes (right; ``below``: under the x label), never on the curves. Save with
    ``bbox_inches="tight"`` so that it is inside the picture."""
    kwargs.setdefault("fontsize", 7)
    if below:
        return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), borderaxespad=0, **kwargs)
    return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0, **kwargs)


def _save(fig, path) -> None:
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)


def plot_uber(doc: dict, path: Path) -> Path:
    """Binding energy vs gap with the UBER fit."""
    data = doc["uber"]
    gaps = np.array(data["gaps"])
    fine = np.linspace(gaps.min(), gaps.max(), 200)
    fig, ax = plt.subplots(figsize=(5, 3.6), dpi=150)
    ax.plot(gaps, data["binding_energy"], "o", color="C0", label=f"{doc['engine']['name']} single points")
    ax.plot(fine, uber(fine, data["w_ad"], data["d0"], data["length"]), "-", color="C1",
            label=f"UBER: W = {data['w_ad']:.2f} J/m², d0 = {data['d0']:.2f} Å, λ = {data['length']:.2f} Å")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("film–substrate gap (Å)")
    ax.set_ylabel("binding energy (J/m²)")
    ax.set_title(f"{doc['film']}{tuple(doc['film_miller'])} | {doc['substrate']}{tuple(doc['substrate_miller'])}",
                 fontsize=9)
    legend_outside(ax)
    fig.tight_layout()
    _save(fig, path)
    return Path(path)


def plot_registry(doc: dict, path: Path) -> Path:
    """Binding energy at each in-plane film shift searched: in fractions of the interface cell, or (refined
    search) of the cell of shifts that symmetry leaves distinct, outlined."""
    data = doc["registry"]
    shifts = np.array(data["shifts"], dtype=float)
    best = np.array(data["best"], dtype=float)
    label = "shift along {} (fraction of the interface cell)"
    if data.get("domain"):
        basis = np.array(data["domain"], dtype=float)
        shifts = np.linalg.solve(basis.T, shifts.T).T
        best = np.linalg.solve(basis.T, best)
        shifts, best = (shifts + 0.2) % 1.0 - 0.2, (best + 0.2) % 1.0 - 0.2
        label = "shift along {} (fraction of the distinct cell)"
    fig, ax = plt.subplots(figsize=(4.4, 3.8), dpi=150)
    image = ax.scatter(shifts[:, 0], shifts[:, 1], c=data["binding_energy"], cmap="viridis", s=90)
    if data.get("domain"):
        ax.plot([0, 1, 1, 0, 0], [0, 0, 1, 1, 0], "k--", lw=0.7)
    if len(shifts) <= 9:
        for (a, b), value in zip(shifts, data["binding_energy"]):
            ax.annotate(f"{value:.3f}", (a, b), textcoords="offset points", xytext=(0, 8), ha="center", fontsize=6)
    ax.plot(*best, "r+", ms=14)
    ax.set_xlabel(label.format("a"), fontsize=8)
    ax.set_ylabel(label.format("b"), fontsize=8)
    n = data.get("n_single_points") or len(shifts)
    ax.set_title(f"rigid binding energy (J/m²), {data.get('method', 'grid')}, {n} single points", fontsize=8)
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    _save(fig, path)
    return Path(path)


SULFUR_CATHODE_V = 2.2  # S8/Li2S conversion plateau, V vs Li/Li+ (typical; the hull gives its own value)


def plot_window_profile(doc: dict, path: Path, v_max: float = 5.0) -> Path:
    """Li taken up (+) or given off (−) per formula unit vs voltage, with the window shaded."""
    plateaus = [Plateau(**p) for p in doc["plateaus"]]
    volts, li = li_uptake_curve(plateaus, v_max)
    fig, ax = plt.subplots(figsize=(5.5, 3.6), dpi=150)
    ax.plot(volts, li, "-", color="C0", lw=2)
    hi = doc["oxidation_limit"] if doc["oxidation_limit"] is not None else v_max
    ax.axvspan(doc["reduction_limit"], min(hi, v_max), color="C2", alpha=0.15,
               label=f"stable {doc['reduction_limit']:.2f}–{hi:.2f} V")
    for p in plateaus:
        if p.v_low <= v_max and p.products != [doc["formula"]]:
            mid = (p.v_low + min(p.v_high if p.v_high is not None else v_max, v_max)) / 2
            ax.annotate(" + ".join(p.products), (mid, p.li_per_fu), fontsize=6, ha="center", va="bottom",
                        rotation=90 if abs(p.li_per_fu) > 0 else 0)
    ax.axhline(0, color="grey", lw=0.5)
    ax.margins(y=0.3)
    ax.set_xlim(0, v_max)
    ax.set_xlabel("voltage vs Li/Li⁺ (V)")
    ax.set_ylabel(f"Li per {doc['formula']} (+ taken up)")
    ax.set_title(f"{doc['formula']}: {doc['engine']} ({doc['energy_scale']} scale), "
                 + ("E_hull unknown (glass)" if doc['e_above_hull'] is None else
                    f"E_hull = {1000 * doc['e_above_hull']:.0f} meV/atom"), fontsize=8)
    legend_outside(ax)
    fig.tight_layout()
    _save(fig, path)
    return path


def plot_windows(docs: list[dict], path: Path, cathode_v: float = SULFUR_CATHODE_V, v_max: float = 5.0) -> Path:
    """The classic bar chart: one bar per phase from its reduction to its oxidation limit."""
    fig, ax = plt.subplots(figsize=(6, 0.45 * len(docs) + 1.6), dpi=150)
    for i, d in enumerate(docs):
        hi = d["oxidation_limit"] if d["oxidation_limit"] is not None else v_max
        ax.barh(i, min(hi, v_max) - d["reduction_limit"], left=d["reduction_limit"], color="C0", alpha=0.8)
        ax.text(min(hi, v_max) + 0.05, i, f"{d['reduction_limit']:.2f}–{hi:.2f} V", va="center", fontsize=7)
    ax.axvline(0, color="k", lw=1)
    ax.axvline(cathode_v, color="C3", ls="--", lw=1, label=f"S/Li2S cathode ≈ {cathode_v:.1f} V")
    ax.set_yticks(range(len(docs)), [d.get("material") or d["formula"] for d in docs])
    ax.set_xlim(-0.1, v_max)
    ax.set_xlabel("voltage vs Li/Li⁺ (V); 0 V = Li metal")
    scales = sorted({d["energy_scale"] for d in docs})
    engines = sorted({d["engine"] for d in docs})
    ax.set_title(f"Electrochemical windows ({', '.join(engines)}; {', '.join(scales)} scale)", fontsize=9)
    legend_outside(ax, below=True)
    fig.tight_layout()
    _save(fig, path)
    return path


def plot_reaction(doc: dict, path: Path) -> Path:
    """Reaction energy vs mixing ratio with the kinks labelled by their products."""
    xs = [k["x"] for k in doc["kinks"]]
    es = [k["energy"] for k in doc["kinks"]]
    fig, ax = plt.subplots(figsize=(5.5, 3.6), dpi=150)
    ax.plot(xs, es, "o-", color="C0")
    for k in doc["kinks"]:
        if 0 < k["x"] < 1:
            ax.annotate(" + ".join(k["products"]), (k["x"], k["energy"]), fontsize=6, ha="center", va="top",
                        xytext=(0, -6), textcoords="offset points")
    m = doc["minimum"]
    ax.plot([m["x"]], [m["energy"]], "*", color="C3", ms=12, label=f"min {m['energy']:.3f} eV/atom at x = {m['x']:.2f}")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"x in x·{doc['a']} + (1−x)·{doc['b']} (atom fraction)")
    ax.set_ylabel("reaction energy (eV/atom of mixture)")
    cond = "closed" if doc["voltage"] is None else f"open Li at {doc['voltage']:g} V"
    ax.set_title(f"{doc['a']} | {doc['b']}: {cond}; {doc['interphase']['type']} ({doc['engine']}, "
                 f"{doc['energy_scale']})", fontsize=8)
    legend_outside(ax)
    fig.tight_layout()
    _save(fig, path)
    return path


def plot_md(doc: dict, path: Path) -> Path:
    """MSD per region, intact PS4 fraction and reacted thickness vs time, and a composition heat map."""
    temps = doc["temperatures"]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), dpi=130)
    for t in temps:
        for row in t["transport"]:
            axes[0].plot(row["msd_time_ps"], row["msd"], label=f"{row['region']} {t['temperature']:.0f} K")
    axes[0].set_xlabel("time (ps)")
    axes[0].set_ylabel("Li MSD (Å²)")
    legend_outside(axes[0], below=True, fontsize=6, ncol=2)
    for t in temps:
        if t.get("intact_ps4_fraction"):
            axes[1].plot(t["times_ps"], t["intact_ps4_fraction"], "o-", label=f"intact PS4 {t['temperature']:.0f} K")
        if t.get("reacted_thickness"):
            twin = axes[1].twinx()
            twin.plot(t["times_ps"], t["reacted_thickness"], "s--", color="C3", ms=3)
            twin.set_ylabel("reacted zone (Å)", color="C3")
    axes[1].set_xlabel("time (ps)")
    axes[1].set_ylabel("fraction of intact PS4")
    if axes[1].get_legend_handles_labels()[0]:
        legend_outside(axes[1], below=True, fontsize=6)
    last = temps[-1]
    element = "S" if "S" in last["composition_profile"] else sorted(last["composition_profile"])[0]
    grid = np.array(last["composition_profile"][element]).T
    edges = last["profile_edges"]
    im = axes[2].imshow(grid, aspect="auto", origin="lower", cmap="viridis",
                        extent=[last["times_ps"][0], last["times_ps"][-1], edges[0], edges[-1]])
    if doc.get("boundary") is not None:
        axes[2].axhline(doc["boundary"], color="w", ls="--", lw=1)
    axes[2].set_xlabel("time (ps)")
    axes[2].set_ylabel("height along the normal (Å)")
    axes[2].set_title(f"{element} per slice, {last['temperature']:.0f} K", fontsize=8)
    fig.colorbar(im, ax=axes[2])
    fig.suptitle(f"{doc['label']} ({doc['engine']['name']})", fontsize=9)
    fig.tight_layout()
    _save(fig, path)
    return path


def plot_reactions(docs: list[dict], path: Path) -> Path:
    """Reaction energy vs mixing ratio of every electrode with every electrolyte: one panel per electrolyte."""
    electrolytes = sorted({d["b"] for d in docs})
    ncols = min(2, len(electrolytes))
    nrows = -(-len(electrolytes) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.0 * nrows), dpi=150, sharey=True, squeeze=False)
    for ax in axes.flat[len(electrolytes):]:
        ax.set_visible(False)
    for ax, b in zip(axes.flat, electrolytes):
        for i, d in enumerate(sorted((d for d in docs if d["b"] == b), key=lambda d: d["a"])):
            ax.plot([k["x"] for k in d["kinks"]], [k["energy"] for k in d["kinks"]], "o-", ms=3, color=f"C{i}",
                    label=f"{d['a']}: {d['minimum']['energy']:.2f} ({d['interphase']['type']})")
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_xlim(0, 1)
        ax.set_title(b, fontsize=9)
        ax.set_xlabel("x (electrode atom fraction)", fontsize=8)
        legend_outside(ax, below=True, fontsize=6)
    for row in axes:
        row[0].set_ylabel("reaction energy (eV/atom)", fontsize=8)
    fig.suptitle("Interfacial reactions (closed system); legend: minimum eV/atom (interphase type)", fontsize=9)
    fig.tight_layout()
    _save(fig, path)
    return path


def plot_mechanics(rows: list[dict], path: Path, ratio: float = 2.0) -> Path:
    """Shear moduli (VRH) against the Monroe–Newman line 2·G_Li."""
    li = next((r for r in rows if r["material"] == "Li"), None)
    others = [r for r in rows if r["material"] != "Li"]
    fig, ax = plt.subplots(figsize=(5.5, 0.45 * max(len(others), 1) + 1.6), dpi=150)
    ax.barh(range(len(others)), [r["G_vrh_GPa"] for r in others], color="C2")
    for i, r in enumerate(others):
        ax.text(r["G_vrh_GPa"] + 0.5, i, f"{r['G_vrh_GPa']:.1f} GPa" +
                (f" (G/G_Li {r['G_over_G_Li']:.1f})" if r.get("G_over_G_Li") else ""), va="center", fontsize=7)
    if li:
        ax.axvline(ratio * li["G_vrh_GPa"], color="C3", ls="--", lw=1,
                   label=f"{ratio:g}·G_Li = {ratio * li['G_vrh_GPa']:.1f} GPa (Monroe–Newman)")
        legend_outside(ax, below=True)
    ax.set_yticks(range(len(others)), [r["material"] for r in others])
    ax.set_xlabel("shear modulus G_VRH (GPa)")
    ax.set_title("Dendrite criterion: G_electrolyte > 2·G_Li", fontsize=9)
    fig.tight_layout()
    _save(fig, path)
    return path


def plot_adhesion(rows: list[dict], path: Path) -> Path:
    """Work of adhesion per interface (rigid, and relaxed when computed)."""
    fig, ax = plt.subplots(figsize=(5.5, 0.45 * max(len(rows), 1) + 1.6), dpi=150)
    labels = [f"{r['film']}({r['film_miller']}) | {r['substrate']}({r['substrate_miller']})" for r in rows]
    ax.barh(np.arange(len(rows)) - 0.18, [r["w_ad_rigid_J_m2"] for r in rows], height=0.35, label="rigid", color="C0")
    relaxed = [r["w_ad_relaxed_J_m2"] if r["w_ad_relaxed_J_m2"] == r["w_ad_relaxed_J_m2"] else None for r in rows]
    if any(v is not None for v in relaxed):
        ax.barh(np.arange(len(rows)) + 0.18, [v or 0 for v in relaxed], height=0.35, label="relaxed", color="C1")
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.set_xlabel("W_ad (J/m²)")
    ax.set_title("Work of adhesion", fontsize=9)
    legend_outside(ax)
    fig.tight_layout()
    _save(fig, path)
    return path


INTERPHASE_COLOURS = {"stable": "#9fd69f", "passivating": "#f5d77a", "mixed-conducting": "#ef8a7a",
                      "undetermined": "#cccccc"}


def electronic_character(products: str, gaps=None) -> list[str]:
    """"Li2S + Li3P" → ["Li2S insulator 3.4 eV", "Li3P insulator 0.7 eV"]: each product with its kind and gap
    from the band-gap table (``ssbi.interfaces.analysis.interphase.load_band_gaps``); "no gap known" where absent."""
    gaps = gaps if gaps is not None else load_band_gaps()
    out = []
    for p in [x.strip() for x in str(products).split("+") if x.strip()]:
        g = gaps.get(_element_name(p))
        out.append(f"{p}: no gap known" if g is None else f"{p}: metal" if g.kind == "metal" else
                   f"{p}: {g.kind} {g.gap:.1f} eV")
    return out


def _interphase_box(ax, x: float, width: float, kind: str, where: str, lines: list[str]) -> None:
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, 0), width, 1, facecolor=INTERPHASE_COLOURS.get(kind, "#eeeeee"), edgecolor="k",
                           lw=0.6, hatch="//" if kind == "mixed-conducting" else None))
    box = {"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.85, "lw": 0}  # legible over the hatch
    ax.text(x + width / 2, 0.9, f"{kind}\n{where}".strip(), ha="center", va="top", fontsize=6.5, weight="bold",
            bbox=box)
    if lines:
        ax.text(x + width / 2, 0.5, "\n".join(lines), ha="center", va="center", fontsize=6, bbox=box)


def plot_cells(rows: list[dict], path: Path) -> Path:
    """One strip per electrolyte of the ranked summary: anode | interphase | electrolyte | interphase | cathode,
    each interphase coloured by its type (green stable, yellow passivating, red hatched mixed conducting) and
    listing its products with their electronic character; the cathode side also gives the electrolyte at the
    cathode couple's potential."""
    import textwrap

    from matplotlib.patches import Rectangle

    fig, axes = plt.subplots(len(rows), 1, figsize=(9.5, 1.35 * len(rows) + 0.3), dpi=150, squeeze=False)
    widths = (1.0, 2.4, 1.6, 2.4, 1.0)
    edges = np.concatenate([[0], np.cumsum(widths)])
    for ax, r in zip(axes[:, 0], rows):
        def side(interphase, products):
            kind, _, rest = str(interphase or "").partition(" (")
            kind, _, at = kind.partition(" at ")
            electrode = rest.rstrip(")")
            lines = electronic_character(products) if products and kind not in ("", "stable") else []
            return kind or "not computed", electrode, (f"at {at}" if at else ""), lines

        kind_a, anode, at_a, lines_a = side(r.get("interphase_anode"), r.get("products_anode"))
        kind_c, cathode, _, lines_c = side(r.get("interphase_cathode"), r.get("products_cathode"))
        if r.get("oxidation_at_cathode"):
            lines_c = lines_c + textwrap.wrap(f"Li open: {r['oxidation_at_cathode']}", 46)
        for x, w, label, colour in ((edges[0], widths[0], anode or "anode", "#b9b9c9"),
                                    (edges[2], widths[2], r["electrolyte"], "#a9c8ee"),
                                    (edges[4], widths[4], cathode or "cathode", "#e8e08a")):
            ax.add_patch(Rectangle((x, 0), w, 1, facecolor=colour, edgecolor="k", lw=0.6))
            ax.text(x + w / 2, 0.5, label, ha="center", va="center", fontsize=8, weight="bold")
        _interphase_box(ax, edges[1], widths[1], kind_a, at_a, lines_a)
        _interphase_box(ax, edges[3], widths[3], kind_c, "", lines_c)
        window = r.get("window_V")
        ax.text(edges[2] + widths[2] / 2, 0.12, f"window {window} V" if window else "", ha="center", fontsize=6)
        ax.set_xlim(0, edges[-1])
        ax.set_ylim(0, 1)
        ax.set_axis_off()
        ax.set_title(f"#{r.get('rank', '')} {r['electrolyte']}", fontsize=8, loc="left")
    fig.tight_layout()
    _save(fig, path)
    return Path(path)


def plot_alloy_profile(report: dict, path: Path) -> Path:
    """Voltage vs Li per M of an alloy anode (steps at the hull's plateaus), the published plateaus as markers."""
    p = report["profile"]
    profile = AlloyProfile(**{**p, "plateaus": [AlloyPlateau(**q) for q in p["plateaus"]]})
    xs, vs = alloy_curve(profile)
    fig, ax = plt.subplots(figsize=(5.5, 3.6), dpi=150)
    ax.plot(xs, vs, "-", color="C0", lw=2, label=f"{report['engine']} hull")
    for q in profile.plateaus:
        ax.annotate(q.li_rich, ((q.x_start + q.x_end) / 2, q.voltage), fontsize=6, ha="center", va="bottom")
    for r in report["comparison"]:
        lo, hi = (li_per_metal(f, profile.metal) for f in r["phases"])
        ax.plot([lo, hi], [r["published"]] * 2, "--", color="C3", lw=1.2)
    if report["comparison"]:
        ax.plot([], [], "--", color="C3", label=f"published ({report['published'].get('temperature_C', '?')} °C)")
    ax.set_xlabel(f"Li per {profile.metal}")
    ax.set_ylabel("voltage vs Li/Li⁺ (V)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"{report['system']}: to {profile.lithiated}, {profile.capacity_mah_g:.0f} mAh/g", fontsize=8)
    legend_outside(ax)
    fig.tight_layout()
    _save(fig, path)
    return path


def plot_surface_energy(doc: dict, path: Path) -> Path:
    """σ vs slab thickness (left) and σ vs potential across the phase's window (right), one colour per
    termination; off-stoichiometric terminations as bands (the freedom of the other chemical potentials)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8), dpi=150)
    window = doc.get("window") or {}
    for i, t in enumerate(doc["terminations"]):
        colour = f"C{i % 10}"
        thick = [s["thickness"] for s in t["slabs"] if s.get("sigma") is not None]
        sig = [s["sigma"] for s in t["slabs"] if s.get("sigma") is not None]
        if sig:
            left.plot(thick, sig, "o-", color=colour, label=t["label"])
            if window:
                right.plot([window["v_low"], window["v_high"]], [sig[-1]] * 2, "-", color=colour, label=t["label"])
        series = t["slabs"][-1].get("sigma_vs_voltage") or []
        if series:
            v = [r["voltage"] for r in series]
            right.fill_between(v, [r["sigma_min"] for r in series], [r["sigma_max"] for r in series], color=colour,
                               alpha=0.3, lw=0)
            right.plot(v, [r["sigma_min"] for r in series], "-", color=colour, label=f"{t['label']} (off-stoich.)")
    left.set_xlabel("slab thickness (Å)")
    left.set_ylabel("σ (J/m²)")
    left.set_title("stoichiometric slabs: convergence", fontsize=9)
    right.set_xlabel("V vs Li/Li+ (μ_Li = μ_Li(metal) − eV)")
    right.set_title("across the phase's window", fontsize=9)
    for ax in (left, right):
        if ax.lines:
            legend_outside(ax)
    fig.suptitle(f"{doc['material']} {tuple(doc['surface_miller'])} ({doc['engine']['name']})", fontsize=10)
    fig.tight_layout()
    _save(fig, path)
    return Path(path)


def plot_wulff(shape, title: str, path: Path) -> Path:
    """pymatgen's Wulff shape drawing, saved."""
    ax = shape.get_plot(bar_on=True, legend_on=True, aspect_ratio=(6, 6))
    fig = ax.get_figure()
    fig.suptitle(f"{title}: Wulff shape", fontsize=10)
    _save(fig, path)
    return Path(path)


def plot_stacks(rows: list[dict], path: Path) -> Path:
    """One strip per stack of the ranked interlayer/coating table: electrode | interphase | X | interphase |
    electrolyte (cathode side: electrolyte | interphase | X | interphase | cathode), each interphase coloured by its
    verdict and listing its products with their band gaps, X with its own gap or "metal"."""
    from matplotlib.patches import Rectangle

    fig, axes = plt.subplots(len(rows), 1, figsize=(9.5, 1.3 * len(rows) + 0.3), dpi=150, squeeze=False)
    widths = (1.0, 2.3, 1.4, 2.3, 1.3)
    edges = np.concatenate([[0], np.cumsum(widths)])
    gaps = load_band_gaps()
    for ax, r in zip(axes[:, 0], rows):
        anode = r["side"] == "anode"
        left, right = (r["electrode"], r["electrolyte"]) if anode else (r["electrolyte"], r["electrode"])
        kind = r.get("layer_kind")
        x_text = f"{r['layer']}\n" + ("metal" if kind == "metal" else "gap ?" if r.get("layer_gap_eV") is None
                                       else f"{kind} {r['layer_gap_eV']:.1f} eV")
        for x, w, label, colour in ((edges[0], widths[0], left, "#b9b9c9" if anode else "#a9c8ee"),
                                    (edges[2], widths[2], x_text, "#f2c6a0"),
                                    (edges[4], widths[4], right, "#a9c8ee" if anode else "#e8e08a")):
            ax.add_patch(Rectangle((x, 0), w, 1, facecolor=colour, edgecolor="k", lw=0.6))
            ax.text(x + w / 2, 0.5, label, ha="center", va="center", fontsize=7.5, weight="bold")

        def box(verdict, products, energy):
            """(colour kind, second line, product lines) of one interphase."""
            within = verdict == "stable within error"
            lines = electronic_character(products, gaps)[:4] if products and verdict not in (None, "stable") \
                else []
            where = ("within error, " if within else "") + ("" if energy is None else f"ΔE {energy:+.3f} eV/atom")
            return ("stable" if within else verdict or "not computed"), where, lines

        el = box(r.get("verdict_electrode"), r.get("products_electrode"), r.get("rxn_electrode_eV_atom"))
        se = box(r.get("verdict_electrolyte"), r.get("products_electrolyte"), r.get("rxn_electrolyte_eV_atom"))
        first, second = (el, se) if anode else (se, el)
        for x, w, (kind_i, where, lines) in ((edges[1], widths[1], first), (edges[3], widths[3], second)):
            _interphase_box(ax, x, w, kind_i, where, lines)
        extras = []
        if r.get("theta_Li_deg") is not None:
            extras.append(f"θ_Li {r['theta_Li_deg']:.0f}°")
        if r.get("failed") and r["failed"] != "none":
            extras.append(f"fails: {r['failed']}")
        ax.set_xlim(0, edges[-1])
        ax.set_ylim(0, 1)
        ax.set_axis_off()
        ax.set_title(f"#{r.get('rank', '')} {r['side']} side: {r['layer']}" + (f"  ({'; '.join(extras)})"
                                                                              if extras else ""),
                     fontsize=8, loc="left")
    fig.tight_layout()
    _save(fig, path)
    return Path(path)
