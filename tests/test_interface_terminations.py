"""Interfaces from termination pairs: faces named as `ssbi terminations` names them, chosen by option or by the
lowest σ stored, every pair scanned; relaxed interfaces that react reported as reactions, not adhesion."""


import numpy as np
import pytest
from helpers import ssbi

from ssbi.interfaces.builder import build_interfaces
from ssbi.interfaces.errors import InputError
from ssbi.interfaces.interface_reaction import interface_reaction
from ssbi.interfaces.materials import load
from ssbi.interfaces.terminations import contact_faces, terminations

SMALL = dict(film_thickness=4, substrate_thickness=5, max_atoms=120, max_area=80, max_strain=0.08, vacuum=10)


def test_every_llzo_face_can_be_asked_for():
    llzo = load("LLZO")
    faces = contact_faces(llzo, (1, 0, 0), "substrate")
    assert [f.label for f in faces] == [t.label for t in terminations(llzo, (1, 0, 0))]  # all 12, not pymatgen's 6
    oxygen = next(t for t in terminations(llzo, (1, 0, 0)) if t.top_atom == "O")
    (cand,) = build_interfaces(load("Li"), llzo, (1, 0, 0), (1, 0, 0), max_atoms=300, max_candidates=1,
                               substrate_termination=oxygen.label)
    assert cand.metadata.termination == ("Li", oxygen.label)
    sub = [s for s in cand.interface if s.properties["region"] == "substrate"]
    top = max(sub, key=lambda s: s.coords[2])
    assert top.specie.symbol == "O"  # the face asked for is the one at the contact
    with pytest.raises(InputError, match="no substrate termination 'Q' .* choose one of 0: "):
        build_interfaces(load("Li"), llzo, (1, 0, 0), (1, 0, 0), max_atoms=300, substrate_termination="Q")


def test_default_candidates_name_distinct_faces():
    cands = build_interfaces(load("Li"), load("Li2S"), (1, 0, 0), (1, 0, 0), **SMALL, max_candidates=10)
    assert {c.metadata.termination[1] for c in cands} == {"S2", "Li4"}


def _moved(structure, index, dz):
    out = structure.copy()
    out.translate_sites([index], [0, 0, dz], frac_coords=False, to_unit_cell=False)
    return out


def test_reaction_detected_from_crossing_and_broken_units():
    (cand,) = build_interfaces(load("Li"), load("Li3PS4"), (1, 0, 0), (1, 0, 0), max_atoms=300, max_candidates=1,
                               substrate_thickness=12)
    iface = cand.interface
    bulks = {"film": load("Li"), "substrate": load("Li3PS4")}
    assert not interface_reaction(iface, iface.copy(), bulks).reacted
    region = iface.site_properties["region"]
    z = iface.cart_coords[:, 2]
    lowest_film = min((i for i, r in enumerate(region) if r == "film"), key=lambda i: z[i])
    top_sub = max(z[i] for i, r in enumerate(region) if r == "substrate")
    crossed = interface_reaction(iface, _moved(iface, lowest_film, top_sub - z[lowest_film] - 1.0), bulks)
    assert crossed.reacted and crossed.crossed == {"Li": 1} and "crossed" in crossed.evidence[0]
    # pull one S of an intact PS4 out of reach, inside the substrate: a broken unit, nothing crossed
    p_sites = [i for i, s in enumerate(iface) if s.specie.symbol == "P"]
    p_idx = sorted(p_sites, key=lambda i: z[i])[len(p_sites) // 2]  # a PS4 in the middle of the substrate
    ligand = next(n for n in iface.get_neighbors(iface[p_idx], 2.5) if n.specie.symbol == "S")
    s_idx = ligand.index
    away = ligand.coords - iface.cart_coords[p_idx]
    broken_cell = iface.copy()
    broken_cell.translate_sites([s_idx], 1.5 * away / np.linalg.norm(away), frac_coords=False, to_unit_cell=False)
    broken = interface_reaction(iface, broken_cell, bulks)
    assert broken.reacted and broken.broken_units == {"substrate": 1} and not broken.crossed


@pytest.mark.slow
def test_every_pair_scanned_and_the_reacted_one_reported_as_reaction(tmp_path, monkeypatch):
    done = ssbi("adhesion", "Li", "Li2S", "--film-miller", "1", "1", "0", "--substrate-miller", "1", "1", "1",
                "--terminations", "all", "--relax-best", "1", data_dir=tmp_path, check=True)
    lines = [ln for ln in done.stdout.splitlines() if "S4+Li4" in ln or "Li4+S4" in ln or "│ Li2 " in ln]
    assert "3 pairs of faces" in done.stdout and len(lines) == 3
    # Li on the S-rich face binds most in the rigid scan; relaxed, Li crosses into it: a reaction, not adhesion
    assert "S4+Li4" in lines[0] and "reacted" in lines[0]
    from ssbi.workflows.report.results import Results
    from ssbi.workflows.store.jobstore import open_store

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    rows = Results(open_store(None)).adhesion_rows()
    assert len(rows) == 4  # three rigid pairs and the relaxed best
    relaxed = [r for r in rows if r["reacted"] is not None]
    assert len(relaxed) == 1 and relaxed[0]["reacted"] and relaxed[0]["w_ad_relaxed_J_m2"] is None
    assert relaxed[0]["reaction_energy_J_m2"] < -1.0


@pytest.mark.slow
def test_lowest_sigma_faces_chosen_at_the_electrode_potential(tmp_path):
    ssbi("surface", "Li2S", "1", "1", "1", "--thickness", "8", data_dir=tmp_path, check=True)
    done = ssbi("adhesion", "Li", "Li2S", "--film-miller", "1", "1", "0", "--substrate-miller", "1", "1", "1",
                "--no-relax", data_dir=tmp_path, check=True)
    # against Li metal (0 V) the Li-rich face of Li2S(111) has the lowest σ; Li(110) has no stored σ
    assert "substrate Li2S(1, 1, 1): lowest-σ face Li4" in done.stdout and "0.00 V" in done.stdout
    assert "film Li(1, 1, 0): no surface energies stored" in done.stdout
    assert "Li2 | Li4" in done.stdout


def test_registry_cell_is_the_shifts_symmetry_leaves_distinct():
    from ssbi.interfaces.registry import cell_fractions, grid_in_cell, registry_cell, slab_translations

    (cand,) = build_interfaces(load("Li"), load("Li3PS4"), (1, 0, 0), (1, 0, 0), max_atoms=300, max_candidates=1)
    film_t, sub_t = slab_translations(cand.film_slab), slab_translations(cand.substrate_slab)
    # the Li film repeats 13 times in the cell, the Li3PS4 slab 4 times: 52 equivalent registries
    assert len(film_t) == 13 and len(sub_t) == 4
    basis = registry_cell(cand.film_slab, cand.substrate_slab)
    assert abs(np.linalg.det(basis)) == pytest.approx(1 / 52, rel=1e-3)
    coarse = grid_in_cell(basis, 3)
    assert len(set(coarse)) == 9
    fine = grid_in_cell(basis, 3, centre=cell_fractions(basis, coarse[4]), step=1 / 9)
    assert len(fine) == 8 and coarse[4] not in fine
    # a shift by a film translation is the same interface: same energy-free geometry check on the film slab
    moved = cand.film_slab.copy()
    moved.translate_sites(list(range(len(moved))), [*film_t[1], 0.0])
    assert len(slab_translations(moved)) == 13


@pytest.mark.slow
def test_refined_registry_search_finds_at_least_the_grid(tmp_path, monkeypatch):
    from ssbi.workflows.flows.adhesion import AdhesionMaker
    from ssbi.workflows.run.local import run_flow
    from ssbi.workflows.store.jobstore import open_store

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = open_store("memory")
    found = {}
    for search in ("grid", "refine"):
        maker = AdhesionMaker(engine="chgnet", relax=False, relax_bulk=False, scan_registry=True,
                              registry_search=search, build={**SMALL, "substrate_termination": "S2"})
        run_flow(maker.make(load("Li"), load("Li2S"), "Li", "Li2S"), store)
        found[search] = store.query_one({"output.fingerprint": maker.fingerprint(load("Li"), load("Li2S"))},
                                        load=True)["output"]
    grid, refine = found["grid"], found["refine"]
    assert refine["registry"]["method"] == "refine" and refine["registry"]["n_single_points"] == 17
    assert grid["registry"]["n_single_points"] == 9 and grid["fingerprint"] != refine["fingerprint"]
    assert refine["w_ad_rigid"] >= grid["w_ad_rigid"] - 1e-3
    assert max(-e for e in refine["registry"]["binding_energy"]) == pytest.approx(refine["w_ad_rigid"], abs=1e-6)


@pytest.mark.slow
def test_study_takes_lowest_sigma_facets_and_faces_and_reports_why(tmp_path, monkeypatch):
    import yaml

    from ssbi.workflows.study.spec import load_study, plan

    spec = {"name": "faces", "anodes": ["Li"], "cathodes": [], "electrolytes": ["Li3PS4"], "engine": "chgnet",
            "analyses": {"adhesion": {"miller": {"Li3PS4": [0, 1, 0]}, "surfaces": True, "surface_thickness": 8.0,
                                      "build": {"film_thickness": 5.0, "substrate_thickness": 7.0, "max_atoms": 200,
                                                "max_strain": 0.08, "vacuum": 10.0}}}}
    path = tmp_path / "faces.yaml"
    path.write_text(yaml.safe_dump(spec))
    labels = [t.label for t in plan(load_study(path))]
    assert labels == ["surface Li(1 0 0)", "surface Li(1 1 0)", "surface Li(1 1 1)", "surface Li3PS4(0 1 0)",
                      "adhesion Li|Li3PS4"]
    done = ssbi("run", str(path), "-o", str(tmp_path / "out"), data_dir=tmp_path / "data", check=True)
    words = " ".join(done.stdout.split())
    assert "faces Li: Li(" in words and "lowest-σ facet" in words
    from ssbi.workflows.report.results import Results
    from ssbi.workflows.store.jobstore import open_store

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path / "data"))
    results = Results(open_store(None))
    li = {r["miller"]: r["sigma_J_m2"] for r in results.surfaces_rows(material="Li")}
    assert set(li) == {"100", "110", "111"}
    (ad,) = results.adhesion_rows()
    assert ad["film_miller"] == min(li, key=li.get)  # Li's lowest-σ facet
    faces = {r["termination"]: r for r in results.surfaces_rows(material="Li3PS4")}
    lowest_at_li = min(faces, key=lambda t: faces[t]["sigma_J_m2"] if faces[t]["sigma_J_m2"] is not None
                       else faces[t]["sigma_reduction_J_m2"])
    assert ad["termination"].split(" | ")[1] == lowest_at_li
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "## Faces at each contact" in summary and "lowest σ of 4 at 0.00 V" in summary


def test_study_combines_the_first_few_lowest_sigma_facets(tmp_path, monkeypatch):
    """`facets: 2`: each side without a Miller index takes its two lowest-σ facets, one adhesion per combination,
    picked by the σ stored; a submitted study holds these adhesions back until the surface energies are stored."""
    import yaml

    import ssbi.workflows.study.runner as runner_module
    from ssbi.interfaces.errors import SSBIError
    from ssbi.workflows.store.jobstore import open_store
    from ssbi.workflows.study.runner import StudyRunner
    from ssbi.workflows.study.spec import load_study, plan

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path / "data"))
    spec = {"name": "facets", "anodes": ["Li"], "cathodes": [], "electrolytes": ["Li3PS4"], "engine": "chgnet",
            "analyses": {"adhesion": {"miller": {"Li3PS4": [0, 1, 0]}, "surfaces": True, "facets": 2}}}
    path = tmp_path / "facets.yaml"
    path.write_text(yaml.safe_dump(spec))
    study = load_study(path)
    adhesions = [t.label for t in plan(study) if t.analysis == "adhesion"]
    assert adhesions == ["adhesion Li|Li3PS4 facets 1,1", "adhesion Li|Li3PS4 facets 2,1"]

    runner = StudyRunner(study, open_store("memory"))
    pending = [t for t in runner.tasks if t.analysis == "adhesion"]
    assert all(runner.facets_pending(t) for t in pending)  # nothing stored: the facets are not known yet
    assert not {t.label for ts, _ in runner.submission_units() for t in ts} & set(adhesions)  # held back
    rows = runner.dry_run()
    assert [r["label"] for r in rows if "after its surface energies" in r["label"]] == \
        [f"{t} (after its surface energies)" for t in adhesions]
    from ssbi.workflows.run.fireworks import get_launchpad

    outcomes = {o.task.label: o for o in runner.submit(get_launchpad())}
    assert [label for label, o in outcomes.items() if o.status == "waiting"] == adhesions
    assert outcomes["surface Li(1 1 0)"].status == "submitted"

    sigma = {(1, 0, 0): 0.46, (1, 1, 0): 0.49, (1, 1, 1): 0.52}  # Li: (100) lowest, then (110)
    monkeypatch.setattr(runner_module, "stored_surface", lambda store, name, hkl, engine: {
        "terminations": [{"label": "Li", "sigma": sigma[tuple(hkl)]}]} if name == "Li" else None)
    assert not any(runner.facets_pending(t) for t in pending)
    assert runner._miller("Li", 0) == (1, 0, 0) and runner._miller("Li", 1) == (1, 1, 0)
    assert "facet 2 by σ" in runner.choices["Li #2"] and "0.490 J/m²" in runner.choices["Li #2"]
    with pytest.raises(SSBIError, match="facet 4 by σ asked .* only 3 of its facets"):
        runner._miller("Li", 3)
    makers = [runner.analysis(t).maker for t in pending]
    assert [m.film_miller for m in makers] == [(1, 0, 0), (1, 1, 0)]
    assert all(m.substrate_miller == (0, 1, 0) for m in makers)
