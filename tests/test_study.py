"""Study files: validation, the task plan, a small real study (run, re-run, report, queries) with CHGNet."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import ssbi as run_cli

from ssbi.interfaces.errors import InputError
from ssbi.workflows.study.spec import load_study, plan

DEFAULT = Path(__file__).parents[1] / "configs" / "studies" / "default.yaml"


def write(tmp_path, **changes) -> Path:
    data = yaml.safe_load(DEFAULT.read_text())
    data.update(changes)
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_default_study_plan():
    spec = load_study(DEFAULT)
    labels = [t.label for t in plan(spec)]
    # the systems of the windows and reactions, largest only (LLZO with the S cathode needs La-Li-O-S-Zr)
    assert labels[0] == "hull Cl-Li-P-S, Ge-Li-P-S, La-Li-O-S-Zr"
    assert sum(t.analysis == "window" for t in plan(spec)) == 6
    assert sum(t.analysis == "reactions" for t in plan(spec)) == 18  # (Li, S8, Li2S) x 6
    assert [t.materials[0] for t in plan(spec) if t.analysis == "mechanics"][0] == "Li"  # Li first: G_Li
    assert [t.materials for t in plan(spec) if t.analysis == "adhesion"] == [
        ("Li", "Li3PS4"), ("Li", "beta-Li3PS4"), ("Li", "Li7P3S11"), ("Li", "Li6PS5Cl"), ("Li", "Li10GeP2S12"),
        ("Li", "Li7La3Zr2O12")]
    assert load_study("default").name == "default"


@pytest.mark.parametrize("changes, message", [
    ({"electrolytes": ["Li3PS4", "Li6PSCl"]}, "unknown material 'Li6PSCl' in electrolytes (did you mean "),
    ({"analyses": {"window": {}, "windowz": {}}}, "unknown analysis 'windowz' in analyses; allowed: window, "
                                                  "reactions, adhesion, md, mechanics"),
    ({"engine": "chgnett"}, "unknown engine 'chgnett' in engine; allowed: chgnet, cp2k, sevennet, sevennet-l3i5, vasp"),
    ({"engine_settings": {"fmaxx": 1}}, "unknown setting(s) fmaxx in engine_settings; allowed: "),
    ({"analyses": {"adhesion": {"relaxx": True}}}, "unknown key 'relaxx' in analyses.adhesion; allowed: relax,"),
    ({"execution": {"where": "cloud"}}, "execution.where: Input should be 'local' or 'fireworks'"),
])
def test_bad_study_is_one_line_naming_key_and_allowed(tmp_path, changes, message):
    with pytest.raises(InputError) as err:
        load_study(write(tmp_path, **changes))
    text = str(err.value)
    assert message in text and "\n" not in text


def test_unreadable_study_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed")
    with pytest.raises(InputError, match="not valid YAML"):
        load_study(bad)
    with pytest.raises(InputError, match="no study file"):
        load_study(tmp_path / "missing.yaml")


SMALL = {
    "name": "small", "anodes": ["Li"], "cathodes": ["Li2S"], "electrolytes": ["Li3PS4"], "engine": "chgnet",
    "analyses": {"window": {}, "reactions": {}, "mechanics": {},
                 "adhesion": {"miller": {"Li": [1, 1, 0], "Li3PS4": [0, 1, 0]},
                              "build": {"film_thickness": 5.0, "substrate_thickness": 7.0, "max_atoms": 160,
                                        "max_strain": 0.08, "vacuum": 10.0}}},
}


def ssbi(*args, env):
    """The command line in this process (tests/helpers.py), with the data folder and width of ``env``."""
    settings = {k: v for k, v in env.items() if k.startswith("SSBI_") or k in ("COLUMNS", "PYTHONUNBUFFERED")}
    return run_cli(*args, data_dir=env["SSBI_DATA_DIR"], env=settings)


@pytest.mark.slow
def test_small_study_runs_reruns_reports_and_queries(tmp_path):
    """Li | Li3PS4 | Li2S with CHGNet through `ssbi run`, then a re-run that only finds stored results,
    then the report (rendered by headless Chromium when installed) and the queries."""
    import signal

    study = tmp_path / "small.yaml"
    study.write_text(yaml.safe_dump(SMALL))
    env = {**os.environ, "SSBI_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
    # interrupted: killed once the hull is stored
    killed = subprocess.Popen([sys.executable, "-m", "ssbi.workflows.cli", "run", str(study), "-o", str(tmp_path / "out")],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                              start_new_session=True)
    for line in killed.stdout:
        if "done hull" in line or "stored hull" in line:
            break
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    first = ssbi("run", str(study), "-o", str(tmp_path / "out"), env=env)  # re-run: finishes the rest
    assert first.returncode == 0, first.stdout + first.stderr
    words = " ".join(first.stdout.split())
    assert "stored hull Li-P-S" in words
    assert "done mechanics Li" in words or "stored mechanics Li" in words  # ~1 s after the hull: either
    for label in ("window Li3PS4", "reactions Li|Li3PS4", "reactions Li2S|Li3PS4", "mechanics Li3PS4",
                  "adhesion Li|Li3PS4"):
        assert f"done {label}" in words, label
    assert "Wall time by analysis" in first.stdout

    from ssbi.workflows.report.results import Results
    from ssbi.workflows.store.jobstore import open_store

    os.environ["SSBI_DATA_DIR"] = env["SSBI_DATA_DIR"]
    try:
        store = open_store(None)
        results = Results(store)
        w = results.windows(electrolyte="Li3PS4", engine="chgnet").iloc[0]
        assert 1.0 < w.reduction_V < 2.2 and "Li2S" in w.reduced_to  # reduced by Li to Li2S (+ Li3P)
        rx = results.reactions(electrode="Li", electrolyte="Li3PS4").iloc[0]
        assert rx.E_min_eV_atom < -0.5 and rx.interphase == "passivating"
        mech = results.mechanics(study=str(study)).set_index("material")
        assert mech.loc["Li3PS4", "G_over_G_Li"] == pytest.approx(mech.loc["Li3PS4", "G_vrh_GPa"]
                                                                  / mech.loc["Li", "G_vrh_GPa"])
        ad = results.adhesion(anode="Li", electrolyte="Li3PS4")
        assert len(ad) == 1 and 0.1 < ad.iloc[0].w_ad_rigid_J_m2 < 3.0
        n_docs = store.docs_store.count()
    finally:
        del os.environ["SSBI_DATA_DIR"]

    again = ssbi("run", str(study), "-o", str(tmp_path / "out"), env=env)
    assert again.returncode == 0, again.stderr
    words = " ".join(again.stdout.split())
    assert "stored hull Li-P-S" in words and "stored adhesion Li|Li3PS4" in words and "stored mechanics Li" in words
    os.environ["SSBI_DATA_DIR"] = env["SSBI_DATA_DIR"]
    try:
        assert open_store(None).docs_store.count() == n_docs  # nothing recomputed
    finally:
        del os.environ["SSBI_DATA_DIR"]

    rep = ssbi("report", str(study), "-o", str(tmp_path / "report"), env=env)
    assert rep.returncode == 0, rep.stderr
    page = (tmp_path / "report" / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 4 and "Li3PS4" in page
    assert "| 1 | Li3PS4 |" in (tmp_path / "report" / "summary.md").read_text()

    q = ssbi("query", "adhesion", "--anode", "Li", "--electrolyte", "Li3PS4", "--format", "json", env=env)
    rows = json.loads(q.stdout)
    assert q.returncode == 0 and len(rows) == 1 and rows[0]["substrate_miller"] == "010"
    shown = ssbi("show", rows[0]["id"], "--export", "cif", "-o", str(tmp_path / "export"), env=env)
    assert shown.returncode == 0, shown.stderr
    assert len(list((tmp_path / "export").glob("*.cif"))) == 3  # interface and both slabs
    csv_out = ssbi("query", "mechanics", "--format", "csv", env=env).stdout.splitlines()
    assert csv_out[0].startswith("id,material,K_vrh_GPa") and len(csv_out) == 3


def test_study_submit_one_workflow_per_task_with_resources(tmp_path):
    """`ssbi run STUDY --submit`: one FireWorks workflow per analysis and pair, queue resources on every
    Firework, nothing sent twice."""
    study = tmp_path / "sub.yaml"
    spec = {**SMALL, "name": "sub", "analyses": {"mechanics": {}, "adhesion": SMALL["analyses"]["adhesion"]},
            "execution": {"where": "local", "resources": {"walltime": "02:00:00", "nodes": 1}}}
    study.write_text(yaml.safe_dump(spec))
    env = {**os.environ, "SSBI_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    first = ssbi("run", str(study), "--submit", env=env)
    assert first.returncode == 0, first.stderr
    words = " ".join(first.stdout.split())
    assert words.count("submitted") == 3  # mechanics Li, mechanics Li3PS4 (one workflow with Li), adhesion
    assert "submitted mechanics Li3PS4 workflow" in words and "(with Li)" in words
    again = ssbi("run", str(study), "--submit", env=env)
    assert "submitted mechanics" not in again.stdout and again.stdout.count("already queued") == 3
    os.environ["SSBI_DATA_DIR"] = env["SSBI_DATA_DIR"]
    try:
        from ssbi.workflows.run.fireworks import get_launchpad

        lp = get_launchpad()
        wf_ids = lp.get_wf_ids({"metadata.study": "sub"})
        assert len(wf_ids) == 2
        fw_ids = lp.get_fw_ids({})
        assert fw_ids and all(lp.get_fw_by_id(i).spec["_queueadapter"] == {"walltime": "02:00:00", "nodes": 1}
                              for i in fw_ids)
    finally:
        del os.environ["SSBI_DATA_DIR"]


def test_study_submit_dry_run_counts_workflows_and_sends_nothing(tmp_path):
    """`--submit --dry-run`: the workflows and Fireworks a submit would send, core-hours per analysis and the queue
    resources; no workflow on the LaunchPad, nothing in the store. The 20-electrolyte screening plans too."""
    study = tmp_path / "dry.yaml"
    spec = {**SMALL, "name": "dry", "analyses": {"mechanics": {}, "adhesion": SMALL["analyses"]["adhesion"]},
            "execution": {"where": "local", "resources": {"walltime": "02:00:00", "nodes": 1}}}
    study.write_text(yaml.safe_dump(spec))
    env = {**os.environ, "SSBI_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    dry = ssbi("run", str(study), "--submit", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    words = " ".join(dry.stdout.split())
    assert "2 workflows," in words and "Fireworks to submit" in words  # mechanics (with Li) and adhesion
    assert "walltime=02:00:00" in words and "mechanics" in words.split("estimated core-hours")[1]
    os.environ["SSBI_DATA_DIR"] = env["SSBI_DATA_DIR"]
    try:
        from ssbi.workflows.run.fireworks import get_launchpad

        assert get_launchpad().get_wf_ids({}) == []
    finally:
        del os.environ["SSBI_DATA_DIR"]
    alone = ssbi("run", str(study), "--dry-run", env=env)
    assert alone.returncode != 0 and "--dry-run goes with --submit" in alone.stdout + alone.stderr
    from ssbi.workflows.store.jobstore import open_store
    from ssbi.workflows.study.runner import StudyRunner

    rows = StudyRunner(load_study(DEFAULT.parent / "screen-20.yaml"), open_store("memory")).dry_run()
    tasks = [t for r in rows for t in r["tasks"]]
    assert sum(t.startswith("adhesion ") for t in tasks) == 2 * 20  # Li and LiIn against each of the 20
    assert sum(t.startswith("mechanics ") for t in tasks) == 22 and sum(r["fireworks"] for r in rows) > 100
    assert all(h > 0 for r in rows for h in r["core_hours"].values())


def test_dry_run_costs_a_relaxed_adhesion_above_a_rigid_one(tmp_path):
    """The cost model reads `adhesion.relax`: a relaxed pair costs its measured relaxed seconds, a rigid one less;
    both scale with the pair's own cell limit (a per-pair `max_atoms` override)."""
    from ssbi.workflows.store.jobstore import open_store
    from ssbi.workflows.study.costs import cost_estimates, estimate_core_hours
    from ssbi.workflows.study.runner import StudyRunner

    hours = {}
    for relax in (False, True):
        for limit in (160, 480):
            study = tmp_path / f"relax-{relax}-{limit}.yaml"
            adhesion = {**SMALL["analyses"]["adhesion"], "relax": relax}
            if limit != 160:
                adhesion["overrides"] = {"Li|Li3PS4": {"max_atoms": limit}}
            study.write_text(yaml.safe_dump({**SMALL, "name": f"r{relax}{limit}", "analyses": {"adhesion": adhesion}}))
            spec = load_study(study)
            task = next(t for t in plan(spec) if t.analysis == "adhesion")
            hours[relax, limit] = estimate_core_hours(task, StudyRunner(spec, open_store("memory")))
    cost = cost_estimates()
    a, per_hour = cost["adhesion"], cost["cores"] / 3600
    assert hours[True, 160] == pytest.approx(a["relaxed"] * (160 / a["at_max_atoms"]) ** a["relaxed_exponent"]
                                             * per_hour)
    assert hours[False, 160] == pytest.approx(a["rigid"] * 160 / a["at_max_atoms"] * per_hour)
    assert hours[False, 160] < hours[True, 160]
    assert hours[False, 480] == pytest.approx(3 * hours[False, 160])  # single points: linear in the cell
    assert hours[True, 480] == pytest.approx(3 ** a["relaxed_exponent"] * hours[True, 160])


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="headless chromium not installed (apt-get install chromium; CI does this as root)")
def test_report_renders_in_headless_chromium(tmp_path, monkeypatch):
    """The default study's report over synthetic results (real schemas) renders: not a blank page."""
    import numpy as np
    from PIL import Image

    from ssbi.workflows.report.html import screenshot, write_report
    from ssbi.workflows.report.results import Results
    from ssbi.workflows.store.jobstore import open_store
    from ssbi.workflows.testing.synthetic import fill

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = open_store("memory")
    fill(store, 120)
    written = write_report(load_study(DEFAULT), Results(store), tmp_path / "report")
    assert len(written["plots"]) >= 3
    png = screenshot(written["html"], tmp_path / "report.png", height=1600)
    pixels = np.asarray(Image.open(png).convert("L"), dtype=float)
    assert pixels.std() > 10  # text, table and plots


@pytest.mark.slow
def test_study_engine_settings_reach_the_worker(tmp_path):
    """A study with non-default `engine_settings` (relaxations capped at 3 steps, fmax 1e-4) through `--submit`
    and a worker process. The interface relaxation is made inside a job on the worker (after the interface is
    built), and it stops after 3 steps: the worker used the study's settings. The stored document records them,
    not the YAML defaults (500 steps, 0.05 eV/Å)."""
    from ssbi.workflows.engines.config import engine_config

    spec = {"name": "steps3", "anodes": ["Li"], "electrolytes": ["LiIn"], "engine": "chgnet", "check_roles": False,
            "engine_settings": {"relax": {"steps": 3, "fmax": 1e-4}},
            "analyses": {"adhesion": {"relax": True, "miller": {"Li": [1, 0, 0], "LiIn": [1, 0, 0]},
                                      "build": {"film_thickness": 5.0, "substrate_thickness": 6.0, "max_atoms": 80,
                                                "max_strain": 0.08, "vacuum": 10.0}}}}
    study = tmp_path / "steps3.yaml"
    study.write_text(yaml.safe_dump(spec))
    env = {**os.environ, "SSBI_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    sub = ssbi("run", str(study), "--submit", env=env)
    assert sub.returncode == 0 and "submitted adhesion Li|LiIn" in " ".join(sub.stdout.split()), sub.stdout + sub.stderr
    work = ssbi("worker", env=env)
    assert work.returncode == 0, work.stdout + work.stderr
    os.environ["SSBI_DATA_DIR"] = env["SSBI_DATA_DIR"]
    try:
        from ssbi.workflows.store.jobstore import open_store

        store = open_store(None)
        doc = store.query_one({"output.kind": "adhesion"}, properties=["output.engine"])
        relax = store.query_one({"name": "adhesion relax interface"}, properties=["output.output.n_steps"])
    finally:
        del os.environ["SSBI_DATA_DIR"]
    assert doc is not None and relax is not None
    recorded = doc["output"]["engine"]["settings"]["relax"]
    assert recorded["steps"] == 3 and recorded != engine_config("chgnet")["relax"]
    assert relax["output"]["output"]["n_steps"] <= 5  # 3 steps, the start and the end frame (ASE); not 500


def _shipped_without_library(folder: Path, system: set[str]) -> Path:
    """A copy of the shipped CHGNet set restricted to ``system``'s reference phases: the library phases are left
    to the hull, so that the study relaxes them in the store."""
    import gzip

    from pymatgen.core import Composition

    from ssbi.workflows.store.shipped import shipped_path

    with gzip.open(shipped_path("chgnet"), "rt") as fh:
        raw = json.load(fh)

    def inside(item):
        return {el.symbol for el in Composition(item["composition"]).elements} <= system

    raw["systems"] = ["-".join(sorted(system))]
    raw["screened"] = [i for i in raw["screened"] if inside(i)]
    raw["relaxed"] = [i for i in raw["relaxed"] if inside(i) and i.get("origin") != "library"]
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / "chgnet.json.gz", "wt") as fh:
        json.dump(raw, fh)
    return folder


def li_liin_study(tmp_path, name: str, **analyses):
    """Li | LiIn: window and adhesion (plus ``analyses``), a shipped In-Li set without the library phases (the
    hull relaxes those in the store). Returns the study file and the environment of its commands."""
    entries = _shipped_without_library(tmp_path / "entries", {"In", "Li"})
    spec = {"name": name, "anodes": ["Li"], "electrolytes": ["LiIn"], "engine": "chgnet", "check_roles": False,
            "analyses": {"window": {}, **analyses,
                         "adhesion": {"miller": {"Li": [1, 0, 0], "LiIn": [1, 0, 0]},
                                      "build": {"film_thickness": 5.0, "substrate_thickness": 6.0, "max_atoms": 80,
                                                "max_strain": 0.08, "vacuum": 10.0}}}}
    study = tmp_path / f"{name}.yaml"
    study.write_text(yaml.safe_dump(spec))
    return study, {**os.environ, "SSBI_DATA_DIR": str(tmp_path / "data"), "SSBI_REFERENCE_ENTRIES_DIR": str(entries),
                   "COLUMNS": "200"}


@pytest.mark.slow
def test_a_study_relaxes_each_bulk_once(tmp_path):
    """Hull, window, mechanics and adhesion of Li | LiIn: one bulk relaxation per material and engine in the
    store (the hull's), which the adhesion and mechanics start from."""
    study, env = li_liin_study(tmp_path, "once", mechanics={})
    run = ssbi("run", str(study), "-o", str(tmp_path / "out"), env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    words = " ".join(run.stdout.split())
    assert "done adhesion Li|LiIn" in words and "done mechanics LiIn" in words, words
    os.environ["SSBI_DATA_DIR"] = env["SSBI_DATA_DIR"]
    try:
        from ssbi.workflows.store.jobstore import open_store

        store = open_store(None)
        relaxations = [d["output"]["materials"][0] for d in
                       store.query({"output.kind": "relax", "output.target": "bulk"}, properties=["output.materials"])]
        adhesion = store.query_one({"output.kind": "adhesion"}, properties=["output.bulk_energy_per_atom"])
        bulk = {d["output"]["materials"][0]: d["output"]["energy_per_atom"] for d in
                store.query({"output.kind": "relax", "output.target": "bulk"}, properties=["output"])}
    finally:
        del os.environ["SSBI_DATA_DIR"]
    assert sorted(relaxations) == ["In", "Li", "LiIn"]  # the hull's library relaxations, nothing else
    used = adhesion["output"]["bulk_energy_per_atom"]
    assert used == {"film": pytest.approx(bulk["Li"]), "substrate": pytest.approx(bulk["LiIn"])}


@pytest.mark.slow
def test_a_submitted_study_relaxes_each_bulk_once(tmp_path):
    """`--submit` with the hull still to compute: the adhesion goes in the hull's workflow and starts from the
    hull's relaxations, so the worker leaves one bulk relaxation per material."""
    study, env = li_liin_study(tmp_path, "once-fw")
    sub = ssbi("run", str(study), "--submit", env=env)
    words = " ".join(sub.stdout.split())
    assert sub.returncode == 0 and "submitted adhesion Li|LiIn" in words and "(with the hull)" in words, words
    work = ssbi("worker", env=env)
    assert work.returncode == 0, work.stdout + work.stderr
    os.environ["SSBI_DATA_DIR"] = env["SSBI_DATA_DIR"]
    try:
        from ssbi.workflows.store.jobstore import open_store

        store = open_store(None)
        relaxations = sorted(d["output"]["materials"][0] for d in
                             store.query({"output.kind": "relax", "output.target": "bulk"},
                                         properties=["output.materials"]))
        adhesion = store.query_one({"output.kind": "adhesion"}, properties=["output.bulk_energy_per_atom"])
    finally:
        del os.environ["SSBI_DATA_DIR"]
    assert relaxations == ["In", "Li", "LiIn"] and adhesion is not None
    again = ssbi("run", str(study), env=env)  # here: everything stored, the window from the builder
    words = " ".join(again.stdout.split())
    assert again.returncode == 0 and "stored hull In-Li" in words and "done window LiIn" in words, words


@pytest.mark.slow
def test_mechanics_with_its_own_engine_and_given_g_li(tmp_path):
    """`analyses.mechanics: {engine: sevennet, g_li_gpa: 4.2}`: the study's hull and window stay CHGNet's (shipped
    Li-N entries), the elastic tensors are 7net-0's, G/G_Li uses the given G_Li, and the report says both."""
    spec = {"name": "li3n-mech", "anodes": ["Li"], "electrolytes": ["Li3N"], "engine": "chgnet",
            "analyses": {"window": {}, "mechanics": {"engine": "sevennet", "g_li_gpa": 4.2}}}
    study = tmp_path / "li3n.yaml"
    study.write_text(yaml.safe_dump(spec))
    env = {**os.environ, "SSBI_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    run = ssbi("run", str(study), "-o", str(tmp_path / "out"), env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    words = " ".join(run.stdout.split())
    assert "done mechanics Li3N" in words and "done window Li3N" in words

    from ssbi.workflows.report.results import Results
    from ssbi.workflows.store.jobstore import open_store

    os.environ["SSBI_DATA_DIR"] = env["SSBI_DATA_DIR"]
    try:
        results = Results(open_store(None))
        mech = results.mechanics().set_index("material")
        assert set(mech["engine"]) == {"sevennet"}
        window = results.windows(electrolyte="Li3N").iloc[0]
        assert window.engine == "chgnet" and window.reduction_V == pytest.approx(0.0, abs=0.05)
    finally:
        del os.environ["SSBI_DATA_DIR"]
    summary = (tmp_path / "out" / "summary.md").read_text()
    g = mech.loc["Li3N", "G_vrh_GPa"]
    assert f"| {g / 4.2:.2f} |" in summary  # G/G_Li with the given G_Li, not 7net-0's own Li
    assert "elastic tensors from sevennet (analyses.mechanics.engine), not chgnet" in summary
    assert "G_Li = 4.2 GPa as given in the study" in summary


def test_every_forcefield_engine_has_measured_caveats_for_each_analysis():
    """configs/reference/engine_caveats.yaml: one measured line per analysis for each shipped MLIP, and the
    report of a study with that engine prints them (no 'not validated' row)."""
    from ssbi.workflows.engines.caveats import QUANTITIES, engine_caveats
    from ssbi.workflows.report.html import caveat_rows
    from ssbi.workflows.study.spec import StudySpec

    for engine in ("chgnet", "sevennet", "sevennet-l3i5"):
        caveats = engine_caveats(engine)
        assert set(caveats) == set(QUANTITIES), engine
        spec = StudySpec(name="t", anodes=["Li"], electrolytes=["Li3PS4"], engine=engine,
                         analyses={"window": {}, "adhesion": {}, "mechanics": {}})
        text = " ".join(t for _, t in caveat_rows(spec))
        assert "not been validated" not in text and caveats["adhesion"] in text


SHIPPED_STUDIES = sorted(p.name for p in (Path(__file__).parents[1] / "configs" / "studies").glob("*.yaml"))


@pytest.mark.parametrize("name", SHIPPED_STUDIES)
def test_every_shipped_study_loads_and_plans(name):
    """Each study file in configs/studies validates and plans tasks on its own materials only (a key renamed in the
    schema, or a material dropped from the library, fails here rather than in a user's run)."""
    from ssbi.workflows.paths import CONFIG_DIR

    spec = load_study(CONFIG_DIR / "studies" / name)
    tasks = plan(spec)
    names = {*spec.anodes, *spec.cathodes, *spec.electrolytes, *spec.interlayers, *spec.coatings}
    assert tasks and len({t.label for t in tasks}) == len(tasks)
    for t in tasks:
        if t.analysis in ("adhesion", "stack", "window", "diffusion"):
            assert set(t.materials) <= names, t.label
