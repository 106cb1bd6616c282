"""Recorded CP2K runs and the fake ``run_cp2k`` that replays them.

A reference is a folder ``tests/data/cp2k/NAME/`` with the structure, the input
CP2K read (``cp2k.inp``, ``BASIS``, ``POTENTIAL``) and its output
(``cp2k.out.gz``); wavefunction and restart files are dropped. In tests,
:func:`fake_run_cp2k` stands in for atomate2's ``run_cp2k``: it checks the input
the job just wrote against the recorded one and copies the recorded output in,
so input writing, parsing into the task document and storing run for real.

Re-record one (needs the cp2k binary; minutes)::

    python -m ssbi.workflows.testing.cp2k li2s_bulk
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from pymatgen.core import Structure
from pymatgen.io.cp2k.inputs import Cp2kInput

from ssbi.interfaces.adhesion import unstrained_slab
from ssbi.interfaces.builder import build_interfaces
from ssbi.interfaces.materials import load
from ssbi.interfaces.reference import reference_structure
from ssbi.interfaces.terminations import SurfaceCuts
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.flows.surface import SurfaceMaker, slab_series
from ssbi.workflows.paths import REPO_ROOT

REFERENCE_DIR = REPO_ROOT / "tests" / "data" / "cp2k"
KEPT_INPUTS = ("cp2k.inp", "BASIS", "POTENTIAL")

# keys of the input that must agree with the recording (section path, keyword)
CHECKED_KEYWORDS = [
    ("GLOBAL", "RUN_TYPE"),
    ("FORCE_EVAL/DFT/MGRID", "CUTOFF"),
    ("FORCE_EVAL/DFT/MGRID", "REL_CUTOFF"),
    ("FORCE_EVAL/DFT/QS", "EPS_DEFAULT"),
    ("FORCE_EVAL/DFT/SCF", "EPS_SCF"),
    ("FORCE_EVAL/DFT", "UKS"),
    ("FORCE_EVAL/DFT/SCF/MIXING", "ALPHA"),
    ("FORCE_EVAL/DFT/SCF/MIXING", "BETA"),
    ("FORCE_EVAL/DFT/SCF/SMEAR", "ELEC_TEMP"),
    ("MOTION/MD", "ENSEMBLE"),
    ("MOTION/MD", "TEMPERATURE"),
    ("MOTION/MD", "TIMESTEP"),
    ("MOTION/MD", "STEPS"),
]
# MD recordings: the case's MD settings (the md_maker arguments)
MD_CASES = {"li2s_md": {"temperature": 600.0, "n_steps": 10, "timestep_fs": 1.0, "thermostat": "langevin"}}
# output files kept besides cp2k.out.gz: the MD trajectory, forces, energies and cell (not wavefunctions, restarts)
KEPT_OUTPUT_PATTERNS = ("*-pos-1.xyz*", "*-frc-1.xyz*", "*-1.ener*", "*-1.cell*", "*-1.dos*")
# band gap recordings: the single point that also writes its DOS (Engine.band_gap_maker)
GAP_CASES = ("alp_gap",)
# surface energies of benchmarks/results/surface_spotcheck.md, as `ssbi surface MATERIAL h k l [-t LABEL] --engine
# cp2k --no-relax --no-relax-bulk --thickness T` runs them: the bulk single point of the library cell and one
# symmetric slab with 15 Å of vacuum (Li(100): 6 atoms; Li2S(111) Li4+S4: 36 atoms)
SURFACE_CASES = {
    "li100": {"material": "Li", "miller": (1, 0, 0), "terminations": (), "thicknesses": (9.0,), "vacuum": 15.0},
    "li2s111": {"material": "Li2S", "miller": (1, 1, 1), "terminations": ("Li4+S4",), "thicknesses": (8.0,),
                "vacuum": 15.0},
}


def reference_cases() -> dict[str, tuple[Structure, str]]:
    """Structures of the recorded cases and their target (bulk/slab/interface)."""
    li2s = load("Li2S")
    best = build_interfaces(load("Li"), li2s, (1, 0, 0), (1, 0, 0), film_thickness=4, substrate_thickness=5,
                            max_atoms=80, max_area=80, max_strain=0.08, vacuum=10)[0]
    return {
        "li_bulk": (load("Li").get_primitive_structure(), "bulk"),
        "li2s_bulk": (li2s.get_primitive_structure(), "bulk"),
        "li_slab": (best.film_slab, "slab"),
        "li_slab_unstrained": (unstrained_slab(best.film_slab, best.metadata.film_supercell), "slab"),
        "li2s_slab": (best.substrate_slab, "slab"),
        "li_li2s_interface": (best.interface, "interface"),
        "li2s_md": (li2s, "bulk"),  # 12-atom conventional cell, Gamma only
        # the DFT anchor of the engine validation (formation energies of Li2S and Li3PS4 in fixed library cells)
        "s_bulk": (load("S8").get_primitive_structure(), "bulk"),  # alpha-S, 32 atoms
        "p_bulk": (load("P").get_primitive_structure(), "bulk"),  # black P
        "li3ps4_bulk": (load("Li3PS4").get_primitive_structure(), "bulk"),  # gamma, 16 atoms
        "alp_gap": (reference_structure("mp-1550").get_primitive_structure(), "bulk"),  # zinc-blende AlP, 2 atoms
        **{f"{case}_surface_bulk": (load(spec["material"]), "bulk") for case, spec in SURFACE_CASES.items()},
        **{f"{case}_surface_slab": (surface_slab(case), "slab") for case in SURFACE_CASES},
    }


def surface_slab(case: str) -> Structure:
    """The slab that the surface flow cuts for ``SURFACE_CASES[case]`` from the library cell (its own termination
    choice and cut, so the recording is the slab the replayed flow asks for)."""
    spec = dict(SURFACE_CASES[case])
    bulk = load(spec.pop("material"))
    maker = SurfaceMaker(engine="cp2k", relax=False, relax_bulk=False, **spec)
    term = maker.selected(bulk)[0]
    _, (slab,) = slab_series(SurfaceCuts(bulk, maker.miller, maker.ftol), term, maker.thicknesses, maker.vacuum)
    return slab


def reference_path(name: str) -> Path:
    return REFERENCE_DIR / name


def load_reference(name: str) -> tuple[Structure, str]:
    """The recorded structure and target of one reference."""
    meta = json.loads((reference_path(name) / "case.json").read_text())
    return Structure.from_dict(meta["structure"]), meta["target"]


def _keyword(inp: Cp2kInput, path: str, key: str):
    section = inp
    for part in path.split("/"):
        if not section.check(part):
            return None
        section = section[part]
    found = section.get(key)
    if found is None:
        return None
    if hasattr(found, "keywords"):  # a KeywordList (e.g. several KPOINT lines)
        return [tuple(k.values) for k in found.keywords]
    return found.values


def _site_mismatch(new: list, ref: list, cell: np.ndarray) -> float:
    """Largest distance (Å, up to lattice vectors) between the written and recorded sites, paired one to one
    per species (the order in which a structure lists its sites does not change the energy)."""
    from scipy.optimize import linear_sum_assignment

    worst = 0.0
    inv = np.linalg.inv(cell)
    for species in sorted({c[0] for c in ref}):
        a = np.array([c[1] for c in new if c[0] == species])
        b = np.array([c[1] for c in ref if c[0] == species])
        frac = (a[:, None, :] - b[None, :, :]) @ inv
        dist = np.linalg.norm((frac - np.round(frac)) @ cell, axis=-1)
        rows, cols = linear_sum_assignment(dist)
        worst = max(worst, float(dist[rows, cols].max()))
    return worst


def check_input(written: Path, recorded: Path, coord_tol: float = 1e-3) -> None:
    """Raise AssertionError where the written input differs from the recording."""
    new, ref = Cp2kInput.from_file(written), Cp2kInput.from_file(recorded)
    for path, key in CHECKED_KEYWORDS:
        a, b = _keyword(new, path, key), _keyword(ref, path, key)
        assert a == b, f"cp2k input {path}/{key}: {a} written, {b} recorded"
    kp_new = _keyword(new, "FORCE_EVAL/DFT/KPOINTS", "KPOINT")
    kp_ref = _keyword(ref, "FORCE_EVAL/DFT/KPOINTS", "KPOINT")
    assert kp_new == kp_ref, "cp2k input: k-points differ from the recording"
    coords_new = _coords(written)
    coords_ref = _coords(recorded)
    assert sorted(c[0] for c in coords_new) == sorted(c[0] for c in coords_ref), "cp2k input: species differ"
    diff = _site_mismatch(coords_new, coords_ref, _cell(recorded))
    assert diff < coord_tol, f"cp2k input: coordinates differ by {diff:.2e} Å"


def _cell(path: Path) -> np.ndarray:
    rows = {}
    for line in Path(path).read_text().splitlines():
        token = line.split()
        if len(token) == 4 and token[0] in ("A", "B", "C"):
            rows[token[0]] = [float(v) for v in token[1:]]
    return np.array([rows["A"], rows["B"], rows["C"]])


def _coords(path: Path) -> list[tuple[str, list[float]]]:
    out, inside = [], False
    for line in Path(path).read_text().splitlines():
        token = line.strip()
        if token.upper() == "&COORD":
            inside = True
        elif token.upper() == "&END COORD":
            inside = False
        elif inside and token:
            kind, *xyz = token.split()
            out.append((kind, [float(v) for v in xyz[:3]]))
    return out


def fake_run_cp2k(reference: str):
    """A stand-in for ``run_cp2k`` replaying the recording ``reference``."""
    ref = reference_path(reference)

    def run(*args, **kwargs):
        check_input(Path("cp2k.inp"), ref / "cp2k.inp")
        shutil.copy(ref / "cp2k.out.gz", "cp2k.out.gz")
        for pattern in KEPT_OUTPUT_PATTERNS:
            for path in ref.glob(pattern):
                shutil.copy(path, path.name)

    return run


def fake_run_cp2k_by_job(mapping: dict[str, str]):
    """A stand-in for ``run_cp2k`` choosing the recording by the running job's name."""
    def run(*args, **kwargs):
        from jobflow import CURRENT_JOB

        name = CURRENT_JOB.job.name
        if name not in mapping:
            raise AssertionError(f"no CP2K recording for job {name!r}")
        fake_run_cp2k(mapping[name])()

    return run


def record(name: str) -> Path:
    """Run the real CP2K on reference ``name`` and keep its inputs and output."""
    from jobflow import JobStore, run_locally
    from maggma.stores import MemoryStore

    structure, target = reference_cases()[name]
    engine = get_engine("cp2k")
    engine.check()
    if name in MD_CASES:
        job = engine.md_maker(target=target, **MD_CASES[name]).make(structure)
    elif name in GAP_CASES:
        job = engine.band_gap_maker().make(structure)
    else:
        job = engine.static_maker(target).make(structure)
    with tempfile.TemporaryDirectory() as tmp:
        run_locally(job, store=JobStore(MemoryStore(), additional_stores={"data": MemoryStore()}), root_dir=tmp,
                    create_folders=True, ensure_success=True)
        run_dir = next(Path(tmp).glob("job_*"))
        out = reference_path(name)
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        for fname in KEPT_INPUTS:
            src = run_dir / fname
            if not src.exists() and (run_dir / f"{fname}.gz").exists():
                with gzip.open(run_dir / f"{fname}.gz", "rt") as fh:
                    (out / fname).write_text(fh.read())
            elif src.exists():
                shutil.copy(src, out / fname)
        output = run_dir / "cp2k.out.gz"
        if not output.exists():
            with open(run_dir / "cp2k.out", "rb") as fin, gzip.open(output, "wb") as fout:
                fout.write(fin.read())
        shutil.copy(output, out / "cp2k.out.gz")
        for pattern in KEPT_OUTPUT_PATTERNS:
            for path in run_dir.glob(pattern):
                shutil.copy(path, out / path.name)
    write_case(name, structure, target)
    return out


def write_case(name: str, structure: Structure, target: str) -> None:
    """The structure and target a recording was made from (``case.json``)."""
    from monty.json import MontyEncoder

    payload = {"structure": structure.as_dict(), "target": target, "engine": get_engine("cp2k").describe()}
    (reference_path(name) / "case.json").write_text(json.dumps(payload, indent=1, cls=MontyEncoder))


if __name__ == "__main__":
    for case in sys.argv[1:] or list(reference_cases()):
        print(f"recording {case} ...", flush=True)
        print(record(case))

