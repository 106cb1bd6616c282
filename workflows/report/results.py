"""Queries over stored results, as rows (``*_rows``: lists of dicts) or pandas DataFrames. Filters are built only
from validated values (no raw operators).

The store may be a jobflow JobStore or, for the embedded store, the light
:class:`~ssbi.workflows.store.jobstore.ResultsReader`; pymatgen, the materials library, pandas and the study models
are imported only when a filter or a DataFrame needs them, so that ``ssbi query`` starts in a blink.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from ssbi.interfaces.errors import InputError
from ssbi.workflows.engines.config import CALC_KINDS, TARGETS, engine_names
from ssbi.workflows.run.stacks import solid_diffusivity
from ssbi.workflows.store.derived import analysis_store

ENTRY_SOURCES = ("store", "file", "mp")  # the sources of window/reaction documents (StabilityQuery, the builder)


def get_material(name: str):
    """The library entry of ``name`` (imported when a filter names a material)."""
    from ssbi.interfaces.materials import get_material as library_entry  # lazy: start-up (pymatgen, the library)

    return library_entry(name)


def _formula(value: str) -> str:
    from pymatgen.core import Composition

    try:
        comp = Composition(value)
    except Exception:  # noqa: BLE001 - pymatgen raises several kinds
        raise InputError(f"not a chemical formula: {value!r}") from None
    if not comp.valid:
        raise InputError(f"not a chemical formula: {value!r}")
    return comp.reduced_formula


def _choice(value: str, allowed, label: str) -> str:
    if value not in allowed:
        raise InputError(f"unknown {label} {value!r}; choose one of: {', '.join(allowed)}")
    return value


def calc_criteria(formula: Optional[str] = None, material: Optional[str] = None, engine: Optional[str] = None,
                  kind: Optional[str] = None, target: Optional[str] = None) -> dict:
    """Mongo criteria for CalcDocs; every value is checked and matched by equality."""
    criteria: dict = {"output.kind": {"$in": list(CALC_KINDS)}}
    if kind:
        criteria["output.kind"] = _choice(kind, CALC_KINDS, "kind")
    if formula:
        criteria["output.formula"] = _formula(formula)
    if material:
        criteria["output.materials"] = get_material(material).name
    if engine:
        criteria["output.engine.name"] = _choice(engine.lower(), engine_names(), "engine")
    if target:
        criteria["output.target"] = _choice(target, TARGETS, "target")
    return criteria


def calc_rows(store, **filters) -> list[dict]:
    """One flat row per stored calculation, newest first."""
    rows = []
    props = ["uuid", "completed_at", "output.materials", "output.formula", "output.kind", "output.target",
             "output.n_atoms", "output.energy", "output.energy_per_atom", "output.engine"]
    for doc in store.query(calc_criteria(**filters), properties=props, sort={"completed_at": -1}, load=False):
        out = doc["output"]
        rows.append({"id": doc["uuid"], "material": ",".join(out.get("materials", [])), "formula": out["formula"],
                     "kind": out["kind"], "target": out["target"], "atoms": out["n_atoms"],
                     "energy_eV": out["energy"], "eV_per_atom": out["energy_per_atom"],
                     "engine": out["engine"]["name"], "scale": out["engine"]["energy_scale"],
                     "completed": str(doc.get("completed_at", ""))[:19]})
    return rows


# --- Results: one method per result kind, each a pandas DataFrame ------------------------------------------------

def _material_name(value: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"a material is a name, got {type(value).__name__}")
    return get_material(value).name


def _miller(value) -> list[int]:
    from ssbi.interfaces.slabs import check_miller  # lazy: start-up (pymatgen)

    if isinstance(value, str):
        value = value.replace(",", " ").split() if " " in value.strip() or "," in value else list(value.strip())
    return list(check_miller(value))


def _since(value) -> str:
    from datetime import date, datetime

    if isinstance(value, (datetime, date)):
        return value.isoformat()
    try:
        return datetime.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD[THH:MM]): {value!r}") from None


def _engine_name(value: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"an engine is a name, got {type(value).__name__}")
    return _choice(value.lower(), engine_names(), "engine")


def _study(study):
    """A StudySpec as given, or loaded (validated) from a study name or file."""
    from ssbi.workflows.study.spec import StudySpec, load_study  # lazy: start-up (pydantic study models)

    return study if isinstance(study, StudySpec) else load_study(study)


class Results:
    """Stored results as DataFrames. Every filter value is validated (library names, engine names, Miller
    indices, dates) and matched by equality or ``$in`` over validated values — no operator from user input."""

    def __init__(self, store):
        self.store = store

    # shared criteria ---------------------------------------------------------------------------------------
    def _criteria(self, kind: str, engine=None, study=None, since=None, prefix: str = "output.",
                  hypothetical: Optional[bool] = None) -> dict:
        criteria: dict = {f"{prefix}kind": kind}
        if not prefix:  # window/reaction documents: of the hull of known phases, or of the one with hypothetical ones
            if hypothetical is None:
                hypothetical = bool(study) and not _study(study).known_phases_only
            criteria["source"] = {"$in": [f"{s}+hypothetical" if hypothetical else s for s in ENTRY_SOURCES]}
        engine_key = f"{prefix}engine.name" if prefix else "engine"  # results nest it; analysis docs do not
        if engine:
            criteria[engine_key] = _engine_name(engine)
        elif study:  # the study's engine; its elastic tensors come from analyses.mechanics.engine where given
            spec = _study(study)
            criteria[engine_key] = spec.mechanics_engine if kind == "mechanics" else spec.engine
        if since:
            criteria["completed_at" if prefix else "created_at"] = {"$gte": _since(since)}
        return criteria

    @staticmethod
    def _study_sets(study) -> Optional[tuple[list[str], list[str]]]:
        if not study:
            return None
        spec = _study(study)
        return [*spec.anodes, *spec.cathodes], list(spec.electrolytes)

    def _docs(self, criteria: dict, props: Optional[list[str]] = None) -> list[dict]:
        return list(self.store.query(criteria, properties=props, sort={"completed_at": -1}, load=False))

    @staticmethod
    def _frame(rows: list[dict], columns: list[str]):
        import pandas as pd

        return pd.DataFrame(rows, columns=columns)

    # result kinds ------------------------------------------------------------------------------------------
    ADHESION_COLUMNS = ["id", "film", "film_miller", "substrate", "substrate_miller", "candidate", "termination",
                        "atoms", "area_A2", "max_strain_pct", "w_ad_rigid_J_m2", "w_ad_relaxed_J_m2", "reacted",
                        "reaction_energy_J_m2", "strain_film_J_m2", "strain_substrate_J_m2", "engine", "completed"]

    def adhesion(self, **filters):
        """W_ad per interface as a DataFrame (filters: :meth:`adhesion_rows`)."""
        return self._frame(self.adhesion_rows(**filters), self.ADHESION_COLUMNS)

    def adhesion_rows(self, anode=None, electrolyte=None, film=None, substrate=None, miller=None, engine=None,
                      study=None, since=None) -> list[dict]:
        """W_ad per interface; ``anode``/``film`` is the top material, ``electrolyte``/``substrate`` the bottom."""
        criteria = self._criteria("adhesion", engine, study, since)
        top, bottom = anode or film, electrolyte or substrate
        if top:
            criteria["output.film"] = _material_name(top)
        if bottom:
            criteria["output.substrate"] = _material_name(bottom)
        sets = self._study_sets(study)
        if sets:
            criteria.setdefault("output.film", {"$in": sets[0]})
            criteria.setdefault("output.substrate", {"$in": sets[1]})
        rows = []
        props = ["uuid", "completed_at", *(f"output.{k}" for k in (
            "film", "substrate", "film_miller", "substrate_miller", "candidate", "termination", "n_atoms", "area",
            "max_abs_strain", "w_ad_rigid", "w_ad_relaxed", "reacted", "reaction_energy", "strain_energy", "engine",
            "slab_reconstruction"))]
        want = _miller(miller) if miller is not None else None
        if want:
            criteria["$or"] = [{"output.film_miller": want}, {"output.substrate_miller": want}]
        for doc in self._docs(criteria, props):
            o = doc["output"]
            if want and want not in (list(o["film_miller"]), list(o["substrate_miller"])):
                continue
            rows.append({"id": doc["uuid"], "film": o["film"], "film_miller": "".join(map(str, o["film_miller"])),
                         "substrate": o["substrate"], "substrate_miller": "".join(map(str, o["substrate_miller"])),
                         "candidate": o.get("candidate", 0), "termination": " | ".join(o["termination"]),
                         "atoms": o["n_atoms"], "area_A2": o["area"], "max_strain_pct": 100 * o["max_abs_strain"],
                         # a relaxation that reacted is a reaction energy, not adhesion
                         "w_ad_rigid_J_m2": o["w_ad_rigid"],
                         "w_ad_relaxed_J_m2": None if o.get("reacted") else o.get("w_ad_relaxed"),
                         "reacted": o.get("reacted"), "reaction_energy_J_m2": o.get("reaction_energy"),
                         # the strained slab's energy above the unstrained one, per interface area (0: unstrained)
                         "strain_film_J_m2": (o.get("strain_energy") or {}).get("film"),
                         "strain_substrate_J_m2": (o.get("strain_energy") or {}).get("substrate"),
                         # J/m² per side: a separated half of the relaxed interface below the side's own slab
                         "slab_reconstruction_J_m2": o.get("slab_reconstruction"),
                         "engine": o["engine"]["name"], "completed": str(doc.get("completed_at", ""))[:19]})
        return rows

    SURFACE_COLUMNS = ["id", "material", "miller", "termination", "scheme", "tasker", "sigma_J_m2",
                       "sigma_reduction_J_m2", "sigma_oxidation_J_m2", "convergence_J_m2", "lowest", "engine",
                       "completed"]

    def surfaces(self, **filters):
        """Surface energies per termination as a DataFrame (filters: :meth:`surfaces_rows`)."""
        return self._frame(self.surfaces_rows(**filters), self.SURFACE_COLUMNS)

    def surfaces_rows(self, material=None, miller=None, engine=None, study=None, since=None) -> list[dict]:
        """σ of each stored termination: one number for stoichiometric faces, the lowest value at the reduction and
        oxidation limits of the phase's window for off-stoichiometric ones."""
        criteria = self._criteria("surface", engine, study, since)
        if material:
            criteria["output.material"] = _material_name(material)
        want = _miller(miller) if miller is not None else None
        if want:
            criteria["output.surface_miller"] = want
        props = ["uuid", "completed_at", *(f"output.{k}" for k in ("material", "surface_miller", "terminations",
                                                                   "lowest", "engine"))]
        rows = []
        for doc in self._docs(criteria, props):
            o = doc["output"]
            for t in o["terminations"]:
                lim = t.get("sigma_at_limits") or {}
                rows.append({"id": doc["uuid"], "material": o["material"],
                             "miller": "".join(map(str, o["surface_miller"])), "termination": t["label"],
                             "scheme": t["scheme"], "tasker": t["tasker"], "sigma_J_m2": t.get("sigma"),
                             "sigma_reduction_J_m2": (lim.get("reduction") or [None])[0],
                             "sigma_oxidation_J_m2": (lim.get("oxidation") or [None])[0],
                             "convergence_J_m2": t.get("convergence"), "lowest": t["label"] == o.get("lowest"),
                             "engine": o["engine"]["name"], "completed": str(doc.get("completed_at", ""))[:19]})
        return rows

    INTERFACE_COLUMNS = ["id", "film", "film_miller", "substrate", "substrate_miller", "termination", "atoms",
                         "area_A2", "max_strain_pct", "engine"]

    def interfaces(self, **filters):
        """The interface cells behind the adhesion results as a DataFrame (filters: :meth:`interfaces_rows`)."""
        return self._frame(self.interfaces_rows(**filters), self.INTERFACE_COLUMNS)

    def interfaces_rows(self, anode=None, electrolyte=None, miller=None, engine=None, study=None,
                        since=None) -> list[dict]:
        """The interface cells behind the adhesion results (atoms, area, strain per side)."""
        rows = self.adhesion_rows(anode=anode, electrolyte=electrolyte, miller=miller, engine=engine, study=study,
                                  since=since)
        return [{k: r[k] for k in self.INTERFACE_COLUMNS} for r in rows]

    WINDOW_COLUMNS = ["electrolyte", "e_above_hull_meV", "reduction_V", "oxidation_V", "reduced_to", "oxidised_to",
                      "dE_0V_eV_atom", "interphase_vs_li", "engine", "scale", "key"]

    def _analysis(self):
        return analysis_store(self.store)

    def windows(self, **filters):
        """Electrochemical windows as a DataFrame (filters: :meth:`windows_rows`)."""
        return self._frame(self.windows_rows(**filters), self.WINDOW_COLUMNS)

    def windows_rows(self, electrolyte=None, engine=None, scale=None, study=None, since=None,
                     hypothetical: Optional[bool] = None) -> list[dict]:
        """Electrochemical windows (V vs Li/Li+), products and the interphase type against Li (``hypothetical``:
        from the hull with the hypothetical phases; default: the study's choice, else the hull of known phases)."""
        criteria = self._criteria("window", engine, study, since, prefix="", hypothetical=hypothetical)
        if electrolyte:  # the library phase (a polymorph such as beta-Li3PS4 has its own window document)
            criteria["material"] = get_material(_material_name(electrolyte)).name
        sets = self._study_sets(study)
        if sets:
            criteria.setdefault("material", {"$in": [get_material(n).name for n in sets[1]]})
        if scale:
            criteria["energy_scale"] = _choice(scale, ("mp2020", "raw-gga"), "energy scale")
        rows = [{"electrolyte": d.get("material") or d["formula"], "e_above_hull_meV": None if d["e_above_hull"] is None else 1000 * d["e_above_hull"],
                 "reduction_V": d["reduction_limit"], "oxidation_V": d["oxidation_limit"],
                 "reduced_to": " + ".join(d["reduction_products"]), "oxidised_to": " + ".join(d["oxidation_products"]),
                 "dE_0V_eV_atom": d["decomposition_energy"]["0"], "interphase_vs_li": d["interphase_vs_li"]["type"],
                 "engine": d["engine"], "scale": d["energy_scale"], "key": d["key"]}
                for d in self._analysis().query(criteria, sort={"formula": 1})]
        return rows

    REACTION_COLUMNS = ["a", "b", "voltage", "x_min", "E_min_eV_atom", "E_min_eV_atom_b", "products", "interphase",
                        "decided_by", "engine", "scale", "key"]

    def reactions(self, **filters):
        """Most negative interfacial reaction per pair as a DataFrame (filters: :meth:`reactions_rows`)."""
        return self._frame(self.reactions_rows(**filters), self.REACTION_COLUMNS)

    def reactions_rows(self, a=None, b=None, electrode=None, electrolyte=None, voltage=None, engine=None, study=None,
                       since=None, hypothetical: Optional[bool] = None) -> list[dict]:
        """Most negative interfacial reaction per pair: ratio, energy, products, interphase type (``hypothetical``:
        as for :meth:`windows_rows`)."""
        criteria = self._criteria("reaction", engine, study, since, prefix="", hypothetical=hypothetical)
        first, second = a or electrode, b or electrolyte
        if first:
            criteria["a"] = _formula(get_material(_material_name(first)).formula)
        if second:
            criteria["b"] = _formula(get_material(_material_name(second)).formula)
        criteria["voltage"] = None if voltage is None else float(voltage)
        rows = []
        for d in self._analysis().query(criteria, sort={"b": 1, "a": 1}):
            m = d["minimum"]
            rows.append({"a": d["a"], "b": d["b"], "voltage": d.get("voltage"), "x_min": m["x"],
                         "E_min_eV_atom": m["energy"], "E_min_eV_atom_b": m["energy_per_atom_b"],
                         "products": " + ".join(m["products"]), "interphase": d["interphase"]["type"],
                         "decided_by": d["interphase"].get("decided_by"), "engine": d["engine"],
                         "scale": d["energy_scale"], "key": d["key"]})
        sets = self._study_sets(study)
        if sets and rows:  # electrode (a) from the study's anodes/cathodes, electrolyte (b) from its electrolytes
            electrodes = {_formula(get_material(n).formula) for n in sets[0]}
            electrolytes = {_formula(get_material(n).formula) for n in sets[1]}
            rows = [r for r in rows if _formula(r["a"]) in electrodes and _formula(r["b"]) in electrolytes]
        return rows

    STACK_COLUMNS = ["rank", "side", "electrode", "layer", "electrolyte", "potential_V", "layer_at_potential",
                     "verdict_electrode", "rxn_electrode_eV_atom", "products_electrode", "verdict_electrolyte",
                     "rxn_electrolyte_eV_atom", "products_electrolyte", "layer_gap_eV", "layer_kind",
                     "W_ad_electrode_J_m2", "W_ad_electrolyte_J_m2", "theta_Li_deg", "D_Li_cm2_s", "Ea_eV",
                     "stable_with_electrode", "stable_with_electrolyte", "blocks_electrons", "wets", "conducts_li",
                     "failed", "weakest", "threshold_eV_atom", "engine", "notes", "key"]

    def stacks(self, **filters):
        """Three-layer stacks as a DataFrame (filters: :meth:`stacks_rows`)."""
        return self._frame(self.stacks_rows(**filters), self.STACK_COLUMNS)

    def stacks_rows(self, side=None, layer=None, electrode=None, electrolyte=None, engine=None, study=None,
                    rank_by: str = "weakest-side") -> list[dict]:
        """One row per stored stack, ranked per side by the weakest of its two interfaces (``rank_by``: see
        :mod:`ssbi.interfaces.analysis.ranking`), then the number of requirements failed; every requirement a
        column (True met, False failed, None not computed)."""
        from ssbi.interfaces.analysis.ranking import (  # lazy: start-up (pymatgen)
            Candidate,
            RankingSettings,
            Side,
            side_score,
            weakest,
        )
        from ssbi.interfaces.analysis.stack import failed  # lazy: start-up (pymatgen)

        criteria: dict = {"kind": "stack"}
        if side:
            criteria["side"] = _choice(side, ("anode", "cathode"), "side")
        for key, value in (("layer", layer), ("electrode", electrode), ("electrolyte", electrolyte)):
            if value:
                criteria[key] = get_material(_material_name(value)).name
        if engine:
            criteria["engine"] = _engine_name(engine)
        if study:
            criteria["study"] = _study(study).name
        docs = list(self._analysis().query(criteria, sort={"layer": 1}))
        rows = []
        for d in docs:
            e, lyte = d["with_electrode"], d["with_electrolyte"]
            diff = d.get("diffusion") or {}
            d_top = solid_diffusivity(diff)[1] if diff.get("D_cm2_s") else None
            req = d["requirements"]
            at = d.get("layer_at_potential") or {}
            rows.append({
                "side": d["side"], "electrode": d["electrode"], "layer": d["layer"], "electrolyte": d["electrolyte"],
                "potential_V": d.get("potential"),
                "layer_at_potential": None if not at else (at["interphase"] if at["interphase"] == "stable" else
                                                           f"{at['interphase']}: {' + '.join(at['products'])}"),
                "verdict_electrode": e.get("verdict"), "rxn_electrode_eV_atom": e.get("energy"),
                "products_electrode": self._products(e), "verdict_electrolyte": lyte.get("verdict"),
                "rxn_electrolyte_eV_atom": lyte.get("energy"), "products_electrolyte": self._products(lyte),
                "layer_gap_eV": (d.get("layer_gap") or {}).get("gap"),
                "layer_kind": (d.get("layer_gap") or {}).get("kind"),
                "W_ad_electrode_J_m2": e.get("w_ad"), "W_ad_electrolyte_J_m2": lyte.get("w_ad"),
                "theta_Li_deg": (d.get("wetting") or {}).get("theta_deg"),
                "D_Li_cm2_s": d_top, "Ea_eV": (diff.get("arrhenius") or {}).get("activation_energy"),
                **{k: req.get(k) for k in ("stable_with_electrode", "stable_with_electrolyte", "blocks_electrons",
                                           "wets", "conducts_li")},
                "failed": ", ".join(failed(req)) or "none", "weakest": d.get("weakest"),
                "threshold_eV_atom": d["threshold_ev_atom"], "engine": d["engine"],
                "notes": "; ".join(d.get("notes") or []), "key": d["key"],
                "_sides": [Side(name, side.get("verdict"), side.get("energy"))
                           for name, side in ((d["electrode"], e), (d["electrolyte"], lyte))],
                "_n_failed": len(failed(req))})
        def key(r: dict, settings: RankingSettings) -> tuple:
            sides = [s for s in r["_sides"] if s.interphase is not None]
            worst = weakest(Candidate(r["layer"], extra_sides=sides), settings)
            cls, size = side_score(worst, settings)
            w_ad = r["W_ad_electrode_J_m2"]
            if settings.rank_by == "adhesion":
                return (-(w_ad if w_ad is not None else -1.0), cls, r["_n_failed"], size)
            return (cls, r["_n_failed"], size, -(w_ad if w_ad is not None else 0.0))

        out = []
        for which in ("anode", "cathode"):
            group = [r for r in rows if r["side"] == which]
            settings = RankingSettings(rank_by=rank_by if rank_by == "adhesion" else "weakest-side",
                                       threshold_ev_atom=group[0]["threshold_eV_atom"] if group else 0.0)
            for n, r in enumerate(sorted(group, key=lambda r: key(r, settings)), 1):
                out.append({**{k: v for k, v in r.items() if not k.startswith("_")}, "rank": n})
        return [{k: r.get(k) for k in self.STACK_COLUMNS} for r in out]

    @staticmethod
    def _products(side: dict) -> Optional[str]:
        reading = side.get("open") if side.get("open") and side.get("energy") == side["open"].get("energy") \
            else side.get("closed")
        return None if not reading else " + ".join(reading["products"])

    ADSORPTION_COLUMNS = ["id", "molecule", "host", "binding_eV", "site", "facing", "dispersion", "D3_part_eV",
                          "n_placements", "engine", "completed"]

    def adsorption(self, **filters):
        return self._frame(self.adsorption_rows(**filters), self.ADSORPTION_COLUMNS)

    def adsorption_rows(self, molecule=None, host=None, engine=None) -> list[dict]:
        """Binding energies of molecules on carbon hosts (newest first)."""
        criteria: dict = {"output.kind": "adsorption"}
        if molecule:
            criteria["output.molecule"] = str(molecule)
        if host:
            criteria["output.host"] = str(host)
        if engine:
            criteria["output.engine.name"] = _engine_name(engine)
        rows = []
        for d in self.store.query(criteria, properties=["uuid", "output", "completed_at"], sort={"completed_at": -1}):
            o = d["output"]
            rows.append({"id": d["uuid"], "molecule": o["molecule"], "host": o["host"],
                         "binding_eV": o["binding_energy"], "site": o["best"]["site"], "facing": o["best"]["facing"],
                         "dispersion": o["dispersion"],
                         "D3_part_eV": None if o.get("dispersion_part") is None else -o["dispersion_part"],
                         "n_placements": len(o["placements"]), "engine": o["engine"]["name"],
                         "completed": d.get("completed_at")})
        return rows

    GAP_COLUMNS = ["id", "material", "formula", "gap_eV", "conducts", "kmesh", "n_atoms", "engine", "completed"]

    def gaps(self, **filters):
        return self._frame(self.gaps_rows(**filters), self.GAP_COLUMNS)

    def gaps_rows(self, formula=None, engine=None) -> list[dict]:
        """DFT band gap spot checks (`ssbi gap`), newest first."""
        criteria: dict = {"output.kind": "band_gap"}
        if formula:
            criteria["output.formula"] = str(formula)
        if engine:
            criteria["output.engine.name"] = _engine_name(engine)
        props = ["uuid", "completed_at"] + [f"output.{k}" for k in ("materials", "formula", "gap", "conducts", "kmesh",
                                                                     "n_atoms", "engine")]
        rows = []
        for d in self.store.query(criteria, properties=props, sort={"completed_at": -1}):
            o = d["output"]
            rows.append({"id": d["uuid"], "material": (o.get("materials") or [o["formula"]])[0],
                         "formula": o["formula"], "gap_eV": o["gap"], "conducts": o["conducts"],
                         "kmesh": o.get("kmesh"), "n_atoms": o["n_atoms"], "engine": o["engine"]["name"],
                         "completed": d.get("completed_at")})
        return rows

    MECHANICS_COLUMNS = ["id", "material", "K_vrh_GPa", "G_vrh_GPa", "G_over_G_Li", "verdict", "suppresses_dendrites",
                         "stable", "engine", "completed"]

    def mechanics(self, **filters):
        """VRH moduli and G/G_Li as a DataFrame (filters: :meth:`mechanics_rows`)."""
        return self._frame(self.mechanics_rows(**filters), self.MECHANICS_COLUMNS)

    def mechanics_rows(self, material=None, engine=None, study=None, since=None) -> list[dict]:
        """VRH moduli and the Monroe–Newman ratio G/G_Li (dendrite-suppressing above 2)."""
        criteria = self._criteria("mechanics", engine, study, since)
        if material:
            criteria["output.materials"] = _material_name(material)
        sets = self._study_sets(study)
        if sets:
            criteria.setdefault("output.materials", {"$in": ["Li", *sets[0], *sets[1]]})
        rows = []
        props = ["uuid", "completed_at", *(f"output.{k}" for k in ("materials", "k_vrh", "g_vrh", "monroe_newman",
                                                                   "moduli", "engine"))]
        for doc in self._docs(criteria, props):
            o = doc["output"]
            mn = o.get("monroe_newman") or {}
            rows.append({"id": doc["uuid"], "material": o["materials"][0], "K_vrh_GPa": o["k_vrh"],
                         "G_vrh_GPa": o["g_vrh"], "G_over_G_Li": mn.get("ratio"), "verdict": mn.get("verdict", ""),
                         "suppresses_dendrites": mn.get("suppresses_dendrites"), "stable": o["moduli"]["mechanically_stable"], "engine": o["engine"]["name"],
                         "completed": str(doc.get("completed_at", ""))[:19]})
        return rows

    MD_COLUMNS = ["id", "label", "temperature_K", "ps", "D_cell_cm2_s", "D_interface_cm2_s", "intact_PS4_final",
                  "reacted_zone_A", "Ea_eV", "engine", "completed"]

    def md(self, **filters):
        """MD results per temperature as a DataFrame (filters: :meth:`md_rows`)."""
        return self._frame(self.md_rows(**filters), self.MD_COLUMNS)

    def md_rows(self, material=None, engine=None, study=None, since=None) -> list[dict]:
        """MD results, one row per temperature: Li diffusivity (cell, interface zone), PS4 intact, reacted zone."""
        criteria = self._criteria("aimd", engine, study, since)
        if material:
            criteria["output.materials"] = _material_name(material)
        sets = self._study_sets(study)
        rows = []
        props = ["uuid", "completed_at", *(f"output.{k}" for k in ("materials", "label", "temperatures", "arrhenius",
                                                                   "engine"))]
        for doc in self._docs(criteria, props):
            o = doc["output"]
            if sets and not (o["materials"][0] in sets[0] and o["materials"][-1] in sets[1]):
                continue  # only the study's electrode | electrolyte pairs
            for t in o["temperatures"]:
                d = {r["region"]: r["diffusivity"] for r in t.get("transport", [])}
                rows.append({"id": doc["uuid"], "label": o["label"], "temperature_K": t["temperature"],
                             "ps": t["times_ps"][-1] if t.get("times_ps") else None, "D_cell_cm2_s": d.get("cell"),
                             "D_interface_cm2_s": d.get("interface"),
                             "intact_PS4_final": (t.get("intact_ps4_fraction") or [None])[-1],
                             "reacted_zone_A": (t.get("reacted_thickness") or [None])[-1],
                             "Ea_eV": (o.get("arrhenius") or {}).get("activation_energy"),
                             "engine": o["engine"]["name"], "completed": str(doc.get("completed_at", ""))[:19]})
        return rows

    def calcs(self, **filters):
        """Relaxations and single points (see :func:`calc_rows`)."""
        import pandas as pd

        return pd.DataFrame(calc_rows(self.store, **filters))

    def get(self, result_id: str) -> Optional[dict]:
        """One stored result by uuid, or a unique start of one as the tables show it (structures included)."""
        if not isinstance(result_id, str) or not result_id.replace("-", "").isalnum():
            raise InputError(f"not a result id: {result_id!r}")
        if len(result_id) < 36:
            matches = [u for u in self.store.distinct("uuid") if isinstance(u, str) and u.startswith(result_id)]
            if len(matches) > 1:
                raise InputError(f"{len(matches)} results start with {result_id!r}: give more of the id")
            result_id = matches[0] if matches else result_id
        return self.store.query_one({"uuid": result_id}, load=True)

    EXPORTS = {"cif": ".cif", "poscar": ".vasp", "extxyz": ".extxyz"}

    @staticmethod
    def structures_of(doc: dict) -> dict[str, dict]:
        """The structures (Structure, Interface, Slab dicts) of a stored result's output, by field."""
        output = doc.get("output")
        if not isinstance(output, dict):
            return {}
        return {k: v for k, v in output.items() if isinstance(v, dict) and {"lattice", "sites"} <= set(v)}

    def export_structures(self, doc: dict, fmt: str, folder: Path) -> list[Path]:
        """Each structure of a stored result (:meth:`get`) written into ``folder`` as ``fmt`` (cif, poscar,
        extxyz), named by the result's id and the field."""
        from pymatgen.core import Structure

        if fmt not in self.EXPORTS:
            raise InputError(f"--export must be one of {', '.join(self.EXPORTS)}, not {fmt!r}")
        found = self.structures_of(doc)
        if not found:
            raise InputError(f"result {doc['uuid']} holds no structures")
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for key, data in found.items():
            path = folder / f"{doc['uuid'][:8]}_{key}{self.EXPORTS[fmt]}"
            Structure.from_dict(data).to(filename=str(path), fmt=fmt)
            written.append(path)
        return written
