"""DFT band gap spot check: a bulk single point that writes its DOS, read into a BandGapDoc."""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from jobflow import Flow, job
from monty.io import zopen
from pymatgen.core import Structure

from ssbi.interfaces.analysis.band_gap import read_cp2k_dos
from ssbi.interfaces.analysis.interphase import conductor_below
from ssbi.workflows.engines.maker import EngineMaker
from ssbi.workflows.errors import EngineError
from ssbi.workflows.schemas import BandGapDoc, EngineInfo
from ssbi.workflows.store.identity import calc_fingerprint


def _run_folder(dir_name: str) -> Path:
    """atomate2 records ``host:/path``; the folder on this machine."""
    return Path(dir_name.split(":", 1)[1] if ":" in dir_name and not Path(dir_name).exists() else dir_name)


def _kmesh(folder: Path) -> str:
    """The k-mesh of the folder's CP2K input, in words."""
    found = sorted(glob.glob(str(folder / "cp2k.inp*")))
    if not found:
        return "k-mesh not recorded"
    with zopen(found[0], "rt") as fh:
        lines = [ln.split() for ln in fh if ln.strip()]
    scheme = next((ln for ln in lines if ln[0].upper() == "SCHEME"), None)
    if scheme is not None and scheme[1].upper() == "MONKHORST-PACK":
        return f"{'×'.join(scheme[2:5])} Monkhorst-Pack mesh"
    n = sum(1 for ln in lines if ln[0].upper() == "KPOINT")
    return f"{n} irreducible k-points" if n else "Γ only"


@job
def summarize_band_gap(task_doc, fingerprint: str, engine_info: dict, material: str, structure: Structure,
                       task_uuid: str = "") -> BandGapDoc:
    """Read the gap from the DOS file the single point wrote (``*.dos``, gzipped or not)."""
    folder = _run_folder(task_doc.dir_name)
    files = sorted(glob.glob(str(folder / "*.dos*")))
    if not files:
        raise EngineError(f"band gap: no DOS file in {folder} (the single point must print its DOS)")
    with zopen(files[0], "rt") as fh:
        gap = read_cp2k_dos(fh.read())
    settings = engine_info.get("settings", {})
    kmesh = _kmesh(folder)
    source = (f"{engine_info['name']} {settings.get('functional', '')} {settings.get('basis', '')} single point, "
              f"gap on the SCF k-mesh ({kmesh})").replace("  ", " ")
    return BandGapDoc(fingerprint=fingerprint, materials=[material], formula=structure.composition.reduced_formula,
                      engine=EngineInfo(**engine_info), gap=gap.gap, vbm=gap.vbm, cbm=gap.cbm,
                      metallic=gap.metallic, conducts=gap.gap < conductor_below(), kmesh=kmesh,
                      n_atoms=len(structure), structure=structure, task_uuid=task_uuid, source=source)


@dataclass
class BandGapMaker(EngineMaker):
    """The band gap of a bulk phase from a DFT single point of its primitive cell (``engine``: cp2k)."""

    name: str = "band gap"

    def fingerprint(self, structure: Structure) -> str:
        return calc_fingerprint(structure, "band_gap", "bulk", self.resolved.describe())

    def make(self, structure: Structure, material: Optional[str] = None) -> Flow:
        engine = self.resolved
        calc = engine.band_gap_maker().make(structure)
        label = material or structure.composition.reduced_formula
        summary = summarize_band_gap(calc.output, self.fingerprint(structure), engine.describe(), label, structure,
                                     task_uuid=calc.uuid)
        summary.name = f"summary band gap {label}"
        return Flow([calc, summary], output=summary.output, name=f"band gap {label} ({engine.name})")
