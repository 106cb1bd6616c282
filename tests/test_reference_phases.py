"""Reference phases: the shipped data, the phase-set selection, the volume verdict, the shipped entries."""

import csv
import random

import pytest
from conftest import ssbi
from pymatgen.core import Lattice, Structure

from ssbi.interfaces.phase_set import select_for_relaxation, volume_verdict
from ssbi.interfaces.reference import reference_dir, reference_index, reference_phases, reference_structure
from ssbi.workflows.engines.registry import get_engine

REJECTED_MP_IDS = {"mp-1020666"}  # Li4P2O7 with an O-O contact (shared/reference-structures/rejected)


def test_every_reference_file_has_its_provenance_and_reads_as_its_formula():
    index = reference_index()
    assert len(index) >= 1188  # 1190 MP (10 probable GNoME ids removed) + other sources
    for phase in index.values():
        assert phase.source_repo and phase.commit and phase.database and phase.licence, phase.id
        assert phase.exists(), phase.id
    # the index and the files agree (a sample here; every file is parsed by the phase-set tests' systems)
    for ref_id in ["mp-641703", "mp-985583", "mp-541788", "mp-30249", "mp-1017", "mp-1138", "ccdc-1546874"]:
        s = reference_structure(ref_id)
        assert s.composition.reduced_formula == index[ref_id].formula
    assert not REJECTED_MP_IDS & set(index)
    assert {"mp-641703", "mp-985583", "mp-541788", "mp-572892", "mp-30249", "mp-1017", "mp-4156", "mp-28450",
            "mp-3524", "mp-1020019", "mp-562613", "mp-9588", "mp-21293"} <= set(index)
    with open(reference_dir() / "index.csv") as fh:
        assert {"id", "source_repo", "source_path", "commit", "database", "licence"} <= set(next(csv.reader(fh)))


def test_reference_phases_of_a_system_include_every_subsystem():
    ids = {p.id for p in reference_phases(["Li", "S"])}
    formulas = {reference_index()[i].formula for i in ids}
    assert {"Li", "S", "Li2S", "LiS4"} <= formulas or {"Li", "S", "Li2S"} <= formulas
    assert all(set(reference_index()[i].chemsys.split("-")) <= {"Li", "S"} for i in ids)


def test_selection_takes_the_lowest_two_and_any_within_the_window():
    rows = [("a", "Li2S", -4.10), ("b", "Li2S", -4.08), ("c", "Li2S", -4.07), ("d", "Li2S", -3.90),
            ("e", "Li4S2", -4.06),  # same reduced composition as Li2S: counted with it
            ("f", "S", -4.00), ("g", "S", -3.50), ("h", "S", -3.20),
            ("i", "P", -5.0)]
    chosen = select_for_relaxation(rows, n_lowest=2, window=0.050)
    # Li2S: a, b (two lowest), c and e within 50 meV of a; d is 200 meV up. S: f, g (two lowest). P: i.
    assert chosen == ["a", "b", "c", "e", "f", "g", "i"]
    assert select_for_relaxation(rows, n_lowest=1, window=0.0) == ["a", "f", "i"]
    # ties are broken by id, so the choice does not depend on the order of the rows
    assert select_for_relaxation(list(reversed(rows))) == chosen
    # a composition with a crowd of near-degenerate polymorphs (SiO2 frameworks): the lowest dozen, lowest first
    crowd = [(f"q{i:03d}", "SiO2", -8.35 + 0.0002 * i) for i in range(200)]
    assert select_for_relaxation(crowd) == [f"q{i:03d}" for i in range(12)]
    assert select_for_relaxation(crowd, at_most=3) == ["q000", "q001", "q002"]
    assert select_for_relaxation(crowd, n_lowest=20, at_most=3) == [f"q{i:03d}" for i in range(20)]


def _s8():
    from ssbi.interfaces.materials import load

    return load("S8")


def test_volume_verdict_by_bonding():
    li2s = reference_structure("mp-1153")
    swollen = li2s.copy()
    swollen.scale_lattice(li2s.volume * 1.20)
    assert not volume_verdict(li2s, swollen).accepted  # 3D network: +20 % is a failed relaxation
    slightly = li2s.copy()
    slightly.scale_lattice(li2s.volume * 1.05)
    verdict = volume_verdict(li2s, slightly)
    assert verdict.accepted and verdict.bonding == "3D network" and verdict.volume_change == pytest.approx(0.05)

    s8 = _s8()
    apart = s8.copy()
    apart.scale_lattice(s8.volume * 1.45)  # the cell grows; S-S bonds (2.05 Å) grow by 13 %, still bonded
    molecular = volume_verdict(s8, apart)
    assert molecular.bonding == "molecular" and molecular.accepted
    broken = Structure(Lattice.cubic(20), ["S"] * 8, [[0.05 * i, 0, 0] for i in range(8)])  # 1 Å apart
    chain = Structure(Lattice.cubic(20), ["S"] * 8, [[0.15 * i, 0, 0] for i in range(8)])  # 3 Å apart: atoms
    assert not volume_verdict(broken, chain).accepted  # the molecule fell apart

    black_p = reference_structure("mp-157")
    layers = black_p.copy()
    layers.scale_lattice(black_p.volume * 1.25)
    verdict = volume_verdict(black_p, layers)
    assert verdict.bonding == "layered" and verdict.accepted  # +25 %: within the +35 % of a layered solid


def test_shipped_chgnet_entries_cover_the_shipped_systems():
    from ssbi.workflows.engines.registry import get_engine
    from ssbi.workflows.store.shipped import load_shipped, shipped_systems, usable_shipped

    shipped = load_shipped("chgnet")
    assert shipped is not None, "configs/reference/entries/chgnet.json.gz is missing: `ssbi reference build`"
    assert usable_shipped(get_engine("chgnet")) is shipped
    assert sorted(shipped.systems) == sorted("-".join(sorted(s.split("-"))) for s in shipped_systems())
    assert shipped.engine["energy_scale"] == "mp2020" and "CHGNet 0.3.0" in shipped.engine["version"]
    labels = {i["label"] for i in shipped.screened.values()}
    for system in shipped.systems:
        assert {p.id for p in reference_phases(system.split("-"))} <= labels, system
    relaxed = list(shipped.relaxed.values())
    assert all(i["origin"] == "library" or i.get("volume_check") for i in relaxed)
    assert {"Li7P3S11", "beta-Li3PS4", "Li3PS4", "Li6PS5Cl", "Li10GeP2S12", "Li7La3Zr2O12"} <= {i["label"]
                                                                                                for i in relaxed}


def _recompute(item, kind, structure):
    from ssbi.workflows.run.reference_build import CalcTask, run_calc_task

    return run_calc_task("chgnet", CalcTask(kind, item["label"], item["origin"], structure.as_dict(),
                                            check_volume=kind == "relax" and item["origin"] == "reference"))


@pytest.mark.slow
def test_a_random_sample_of_shipped_entries_recomputes_within_2_mev_per_atom(tmp_path, monkeypatch):
    """Single points and relaxations of a random sample, through the same CalcMaker as the flows."""
    from ssbi.workflows.store.shipped import load_shipped

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    shipped = load_shipped("chgnet")
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    small = lambda items: sorted((i for i in items if i["n_atoms"] <= 16), key=lambda i: (i["label"], i["key"]))
    statics = rng.sample(small(shipped.screened.values()), 3)
    # relaxations the volume check rejected are not in any hull, and their runaway paths do not repeat (LiNO3
    # mp-696822: +34 % volume, -5.88 shipped, -5.53 eV/atom on a re-run)
    relaxes = rng.sample([i for i in small(shipped.relaxed.values()) if i["origin"] == "reference"
                          and (i.get("volume_check") or {}).get("accepted", True)], 2)
    for item in statics:
        out = _recompute(item, "static", reference_structure(item["label"]))
        assert out["energy_per_atom"] == pytest.approx(item["energy_per_atom"], abs=0.002), (seed, item["label"])
    for item in relaxes:
        out = _recompute(item, "relax", reference_structure(item["label"]))
        assert out["energy_per_atom"] == pytest.approx(item["energy_per_atom"], abs=0.002), (seed, item["label"])


def test_a_corrupt_reference_file_is_one_line(tmp_path):
    import shutil

    folder = tmp_path / "reference"
    shutil.copytree(reference_dir(), folder, ignore=shutil.ignore_patterns("entries"))
    (folder / "structures" / "mp-1153.cif").write_text("data_broken\n_cell_length_a 5\nloop_\n_atom_site_label\n")
    env = {"SSBI_REFERENCE_DIR": str(folder)}
    proc = ssbi("reference", "show", "mp-1153", data_dir=tmp_path, env=env)
    assert proc.returncode != 0 and "mp-1153" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    proc = ssbi("phase-diagram", "Li-S", data_dir=tmp_path, env=env)
    assert proc.returncode != 0 and "mp-1153" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert _stored(tmp_path) == 0


def _stored(data_dir) -> int:
    """Documents in the embedded store of ``data_dir`` (0 when it was never created)."""
    import os

    from ssbi.workflows.store.jobstore import open_store

    old = os.environ.get("SSBI_DATA_DIR")
    os.environ["SSBI_DATA_DIR"] = str(data_dir)
    try:
        return open_store("embedded").docs_store.count()
    finally:
        if old is None:
            del os.environ["SSBI_DATA_DIR"]
        else:
            os.environ["SSBI_DATA_DIR"] = old


def test_an_element_without_any_phase_is_one_line_naming_what_to_add(tmp_path):
    proc = ssbi("phase-diagram", "Na-Cl", data_dir=tmp_path)
    assert proc.returncode != 0 and "Na has no reference phases" in proc.stderr
    assert "ssbi materials add" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "engines that support Na: chgnet" in proc.stderr and "sevennet-l3i5" in proc.stderr  # (+ cp2k with
    # its basis files installed, as in CI)
    proc = ssbi("window", "NaCl", data_dir=tmp_path)
    assert proc.returncode != 0 and "Na has no reference phases" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    # an element the engine was not trained on: said before anything else, with the engines that can
    proc = ssbi("phase-diagram", "Li-Po", "--engine", "sevennet", data_dir=tmp_path)
    assert proc.returncode != 0 and "sevennet cannot compute Po" in proc.stderr
    assert "engines that support Po: chgnet" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert _stored(tmp_path) == 0


@pytest.mark.parametrize("name, ref_id", [("Li7P3S11", "mp-641703"), ("beta-Li3PS4", "mp-985583")])
def test_library_entries_from_reference_structures_rebuild_them(name, ref_id):
    """The two electrolytes whose refined coordinates were not available point at their reference structure,
    and their Wyckoff description rebuilds it; their volume check is against the measured cell."""
    from pymatgen.analysis.structure_matcher import StructureMatcher

    from ssbi.interfaces.materials import get_material

    mat = get_material(name)
    assert mat.source["reference_structure"] == ref_id and "electrolyte" in mat.roles
    assert StructureMatcher().fit(mat.parent_structure(), reference_structure(ref_id))
    assert mat.experimental_volume_per_atom() == pytest.approx(reference_structure(ref_id).volume / len(
        reference_structure(ref_id)), rel=0.07)


@pytest.mark.slow
def test_reference_build_regenerates_a_system_and_keeps_what_it_had(tmp_path):
    """`ssbi reference build` for one small system; run again, every item is kept (nothing recomputed)."""
    from ssbi.workflows.store.shipped import _load

    out = tmp_path / "entries" / "chgnet.json.gz"
    env = {"SSBI_REFERENCE_ENTRIES_DIR": str(out.parent)}
    first = ssbi("reference", "build", "--system", "Br-Li", data_dir=tmp_path, env=env, check=True)
    assert out.is_file() and "wrote" in first.stdout
    shipped = _load(str(out), out.stat().st_mtime)
    assert {i["label"] for i in shipped.screened.values()} == {p.id for p in reference_phases(["Br", "Li"])}
    relaxed = {i["label"]: i for i in shipped.relaxed.values()}
    assert {"mp-23259", "mp-23154", "LiBr", "Li"} <= set(relaxed)  # LiBr, Br2, and the library's LiBr and Li
    assert all(i["cpu_seconds"] > 0 for i in shipped.screened.values())
    again = ssbi("reference", "build", "--system", "Br-Li", data_dir=tmp_path, env=env, check=True)
    kept = _load(str(out), out.stat().st_mtime)
    assert "0/0" in " ".join(again.stdout.split()) or kept.relaxed.keys() == shipped.relaxed.keys()
    assert [i["energy"] for i in kept.relaxed.values()] == [i["energy"] for i in shipped.relaxed.values()]
    # another system named: added beside Br-Li, whose items stay as they were
    ssbi("reference", "build", "--system", "F-Li", data_dir=tmp_path, env=env, check=True)
    both = _load(str(out), out.stat().st_mtime)
    assert both.systems == ["Br-Li", "F-Li"]
    assert set(kept.screened) < set(both.screened) and set(kept.relaxed) < set(both.relaxed)
    assert {i["label"] for i in both.screened.values()} == {p.id for p in reference_phases(["Br", "F", "Li"])} - \
        {p.id for p in reference_phases(["Br", "F", "Li"]) if {"Br", "F"} <= set(p.elements)}


def test_every_published_number_carries_its_source_and_scale():
    from ssbi.workflows.stability.validation import experimental_enthalpies, published

    sources, rows = published()
    for key, src in sources.items():
        assert src["citation"] and src["scale"] and src.get("doi"), key
    for row in rows:
        assert row["source"] in sources or (row["source"] == "none" and row.get("note")), row
        if row["source"] == "zhu2015":
            assert len(row["window"]) == 2 and row["anion"] in sources["zhu2015"]["scale"], row
        if row["source"] == "exp-thermo":
            assert row["phase"] in experimental_enthalpies(), row  # the enthalpy the window is derived from


def test_validation_on_the_shipped_entries(tmp_path, memory_store):
    """`ssbi validate`: the published limiting products on each side, the binaries' trend with anion
    electronegativity, every row with its source and the scale it is compared on."""
    proc = ssbi("validate", "--markdown", str(tmp_path / "v.md"), data_dir=tmp_path, check=True)
    table = (tmp_path / "v.md").read_text()
    rows = {line.split(" | ")[0].strip("| "): line for line in table.splitlines() if line.startswith("| ")}
    for phase in ("Li3PS4", "Li6PS5Cl", "Li10GeP2S12", "Li4GeS4", "Li7La3Zr2O12", "Li3PO4", "Li2PO2N"):
        assert phase in rows and "Zhu 2015" in rows[phase], phase
    # the published limiting products on each side (the sulfides on the raw-GGA scale, as published)
    assert "Li2S+P ✓" in rows["Li3PS4"]
    for phase in ("Li6PS5Cl", "Li10GeP2S12", "Li4GeS4", "Li3PO4"):
        assert rows[phase].count("✓") == 2, rows[phase]
    assert "La2O3+Li2O2+Li6Zr2O7 ✓" in rows["Li7La3Zr2O12"]


    from ssbi.interfaces.analysis.scales import convert
    from ssbi.workflows.stability.validation import validation_rows
    from ssbi.workflows.store.entries import entries_from_store

    entries = entries_from_store(memory_store, ["Li", "F", "Cl", "Br", "I", "O", "S", "N", "P"], get_engine("chgnet"))
    results = validation_rows({"mp2020": entries, "raw-gga": convert(entries, "raw-gga")}, "chgnet")
    ox = {r.phase: r.computed["mp2020"]["window"][1] for r in results if r.kind == "binary" and r.source != "zhu2015"}
    assert ox["LiI"] < ox["LiBr"] < ox["LiCl"] < ox["LiF"]  # rising with the anion's electronegativity
    assert ox["Li3N"] < ox["Li2S"] < ox["Li2O"] and ox["Li3P"] < ox["Li2S"]
    exp = {r.phase: r.published["formation_energy"] for r in results if r.source == "exp-thermo" and r.published}
    assert all(r.source in ("zhu2015", "exp-thermo", "none") for r in results) and "LiF" in exp
    assert not proc.stderr.strip()


def test_no_gnome_id_is_shipped():
    """Ids mp-3000000 and above are GNoME entries, which the Materials Project does not license as CC BY: none may
    appear anywhere in the package data (reference index and structures, shipped entries, library, studies)."""
    import gzip
    import re

    from ssbi.workflows.paths import CONFIG_DIR

    gnome = re.compile(r"mp-3\d{6,}")
    found = []
    for path in CONFIG_DIR.rglob("*"):
        if not path.is_file() or path.name == "PROVENANCE.md":  # the provenance names the removed ids
            continue
        if gnome.search(path.name):
            found.append(str(path))
            continue
        if path.suffix in (".py", ".pyc"):
            continue
        data = gzip.open(path).read() if path.name.endswith(".gz") else path.read_bytes()
        if gnome.search(data.decode("utf-8", errors="replace")):
            found.append(str(path))
    assert found == []


def test_a_checkpoint_torn_by_a_killed_build_keeps_its_whole_lines(tmp_path):
    """A build killed while writing a line: the finished lines are kept, the torn one is computed again, and the
    next line written starts on its own line."""
    import json

    from ssbi.workflows.run.reference_build import _checkpoint, _torn

    path = tmp_path / "chgnet.json.gz.partial.jsonl"
    whole = {"kind": "static", "label": "mp-1", "key": "k1", "output": {"energy_per_atom": -4.2}}
    path.write_text(json.dumps(whole) + "\n" + json.dumps({**whole, "label": "mp-2", "key": "k2"})[:40])
    assert _torn(path)
    assert _checkpoint(path) == {("static", "mp-1", "k1"): {"energy_per_atom": -4.2}}
    path.write_text(json.dumps(whole) + "\n")
    assert not _torn(path) and not _torn(tmp_path / "none.jsonl")


def test_a_killed_build_takes_its_workers_with_it(tmp_path):
    """kill -9 of `ssbi reference build` stops its worker processes too (they would compute for no one)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "build.py"
    script.write_text(
        "import multiprocessing, os, sys, time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from ssbi.workflows.run.reference_build import _init_worker\n"
        "if __name__ == '__main__':\n"
        "    with ProcessPoolExecutor(1, initializer=_init_worker, initargs=(sys.argv[1],),\n"
        "                             mp_context=multiprocessing.get_context('spawn')) as pool:\n"
        "        print(pool.submit(os.getpid).result(), flush=True)\n"
        "        pool.submit(time.sleep, 120)\n"
        "        time.sleep(120)\n")
    build = subprocess.Popen([sys.executable, str(script), str(tmp_path)], stdout=subprocess.PIPE, text=True)
    worker = int(build.stdout.readline())

    def alive(pid):
        try:
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        return state != "Z"

    assert alive(worker)
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.time() + 20
    while alive(worker) and time.time() < deadline:
        time.sleep(0.2)
    gone = not alive(worker)
    if not gone:
        os.kill(worker, signal.SIGKILL)
    assert gone, "the worker outlived the killed build"
