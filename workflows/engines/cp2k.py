"""CP2K through atomate2's CP2K makers, with slab-appropriate settings.

Set-up (``ssbi setup cp2k``) makes pymatgen's CP2K data folder once under the
project data directory. Basis sets and pseudopotentials are chosen by name from
``configs/engines/cp2k.yaml`` and resolved to the exact entries of that folder,
so every element of a system uses the same family and one potential file.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import yaml
from atomate2.cp2k.jobs.core import CellOptMaker, RelaxMaker, StaticMaker
from atomate2.cp2k.sets.base import Cp2kInputGenerator
from pymatgen.core import SETTINGS as PMG_SETTINGS

from ssbi.workflows._compat import patch_cp2k_rks_parsing, patch_cp2k_trajectory_parsing
from ssbi.workflows.engines.base import Engine
from ssbi.workflows.errors import EngineError
from ssbi.workflows.paths import data_dir

patch_cp2k_rks_parsing()  # atomate2 0.1.5 work-arounds (see workflows/engines/_compat.py)
patch_cp2k_trajectory_parsing()

RUN_TYPES = {"static": "ENERGY_FORCE", "relax": "GEO_OPT", "cellopt": "CELL_OPT", "md": "MD"}
# our thermostat names -> CP2K MOTION/MD (ENSEMBLE, THERMOSTAT/TYPE)
MD_THERMOSTATS = {"langevin": ("LANGEVIN", "NOSE"), "nose-hoover": ("NVT", "NOSE"), "csvr": ("NVT", "CSVR")}


def pmg_cp2k_data_dir() -> Path:
    """pymatgen's CP2K data folder (``PMG_CP2K_DATA_DIR`` overrides)."""
    env = os.environ.get("PMG_CP2K_DATA_DIR")
    return Path(env) if env else data_dir() / "cp2k-data"


@lru_cache(maxsize=None)
def _element_entries(folder: str, element: str) -> dict:
    path = Path(folder) / element
    if not path.is_file():
        raise EngineError(f"cp2k: no basis/potential data for {element} in {folder}; run `ssbi setup cp2k`")
    return yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def resolve_basis_and_potential(element: str, basis: str, basis_files: list[str], potential_file: str,
                                functional: str = "PBE", folder: str | None = None) -> dict[str, str]:
    """Hashes of ``basis`` (first of ``basis_files`` that has it) and its GTH potential."""
    data = _element_entries(str(folder or pmg_cp2k_data_dir()), element)
    for fname in basis_files:
        for key, entry in data["basis_sets"].items():
            if entry.get("name") == basis and entry.get("filename") == fname:
                valence = entry["info"]["electrons"]
                wanted = f"GTH-{functional}-q{valence}"
                for pkey, pot in data["potentials"].items():
                    if pot.get("filename") == potential_file and (pot.get("name") == wanted):
                        return {"basis": key, "potential": pkey}
                raise EngineError(f"cp2k: no {wanted} potential for {element} in {potential_file}")
    raise EngineError(f"cp2k: basis {basis} for {element} is in none of {', '.join(basis_files)}")


def _fix_from_selective_dynamics(structure):
    """pymatgen's CP2K writer reads ``fix``; our slabs carry ``selective_dynamics``."""
    sd = structure.site_properties.get("selective_dynamics")
    if sd is None:
        return structure
    structure = structure.copy()
    structure.add_site_property("fix", ["XYZ" if not any(flags) else "" for flags in sd])
    return structure


@dataclass
class SsbiCp2kSetGenerator(Cp2kInputGenerator):
    """atomate2 CP2K input generator with named basis sets and slab handling.

    ``target`` ``slab``/``interface``: one k-point along c, Broyden mixing and
    Fermi-Dirac smearing from the engine config.
    """

    run_type: str = "ENERGY_FORCE"
    target: str = "bulk"
    basis: dict = field(default_factory=dict)  # name, files, potential_file, overrides, functional
    slab_settings: dict = field(default_factory=dict)
    pmg_data_dir: str | None = None
    spin_polarized: bool = False
    md: dict = field(default_factory=dict)  # temperature, timestep_fs, n_steps, thermostat, friction (1/fs)
    print_dos: bool = False  # write the DOS on the SCF k-mesh (CP2K-1.dos): the band gap spot check

    def get_input_updates(self, *args, **kwargs) -> dict:
        updates = {"run_type": self.run_type}
        if self.run_type == "MD":
            ensemble, thermostat = MD_THERMOSTATS[self.md["thermostat"]]
            updates["activate_motion"] = {"ensemble": ensemble, "temperature": self.md["temperature"],
                                          "timestep": self.md["timestep_fs"], "nsteps": self.md["n_steps"],
                                          "thermostat": thermostat}
            updates.update({f"print_{k}": False for k in ("bandstructure", "dos", "pdos", "v_hartree",
                                                          "e_density", "mo_cubes")})
        elif self.run_type != "ENERGY_FORCE":
            updates["activate_motion"] = {"optimizer": "BFGS", "trust_radius": 0.1}
        if self.print_dos:
            updates["print_dos"] = True
        return updates

    def get_input_set(self, structure=None, prev_dir=None, optional_files=None):
        folder = self.pmg_data_dir or str(pmg_cp2k_data_dir())
        PMG_SETTINGS["PMG_CP2K_DATA_DIR"] = folder
        if structure is not None:
            structure = _fix_from_selective_dynamics(structure)
            self.user_input_settings = {**self.user_input_settings,
                                        "basis_and_potential": self._basis_for(structure, folder)}
        input_set = super().get_input_set(structure, prev_dir, optional_files)
        if self.target != "bulk" and self.slab_settings:
            scf = input_set.cp2k_input["FORCE_EVAL"]["DFT"]["SCF"]
            mixing = self.slab_settings.get("mixing")
            if mixing:
                scf.update({"MIXING": dict(mixing)})
            temp = self.slab_settings.get("electronic_temperature")
            if temp and scf.check("SMEAR"):
                scf["SMEAR"].update({"ELEC_TEMP": temp})
        if not self.spin_polarized:
            input_set.cp2k_input["FORCE_EVAL"]["DFT"].update({"UKS": False})
        if self.run_type == "MD":
            self._md_sections(input_set.cp2k_input["MOTION"]["MD"])
        return input_set

    def _md_sections(self, md) -> None:
        """Thermostat sections as CP2K reads them (pymatgen writes THERMOSTAT/TYPE as a bare string)."""
        from pymatgen.io.cp2k.inputs import Keyword, Section

        ensemble, thermostat = MD_THERMOSTATS[self.md["thermostat"]]
        md.subsections.pop("THERMOSTAT", None)
        if ensemble == "LANGEVIN":
            md.insert(Section("LANGEVIN", keywords={"GAMMA": Keyword("GAMMA", self.md["friction"])}))
        else:
            md.insert(Section("THERMOSTAT", keywords={"TYPE": Keyword("TYPE", thermostat)}))

    def _basis_for(self, structure, folder: str) -> dict:
        spec = self.basis
        out = {}
        for el in sorted(structure.symbol_set):
            override = spec.get("overrides", {}).get(el, {})
            files = [override["basis_file"]] if "basis_file" in override else spec["files"]
            out[el] = resolve_basis_and_potential(el, override.get("basis", spec["name"]), files,
                                                  spec["potential_file"], spec.get("functional", "PBE"), folder)
        return out

    def _get_kpoints(self, structure, kpoints_updates):
        if self.run_type == "MD":  # MD cells are supercells: Gamma only (symmetry-reduced meshes break as atoms move)
            return None
        kpoints = super()._get_kpoints(structure, kpoints_updates)
        if kpoints is not None and self.target != "bulk" and len(kpoints.kpts) == 1:
            kx, ky, _ = kpoints.kpts[0]
            kpoints.kpts = [(kx, ky, 1)]
        return kpoints


class Cp2kEngine(Engine):
    """CP2K (Debian ``cp2k.psmp``) through atomate2."""

    @property
    def command(self) -> str:
        return os.environ.get("ATOMATE2_CP2K_CMD") or self.config["command"]

    def check(self) -> None:
        for exe in {shlex.split(self.command)[0], self.config["binary"]}:
            if shutil.which(exe) is None:
                raise EngineError(f"cp2k: `{exe}` not found on PATH; install CP2K "
                                  "(Debian: apt-get install cp2k cp2k-data openmpi-bin), then run `ssbi setup cp2k`")
        folder = pmg_cp2k_data_dir()
        if not (folder / "Li").is_file():
            raise EngineError(f"cp2k: pymatgen CP2K data folder {folder} is missing; run `ssbi setup cp2k`")

    def version(self) -> str:
        text = ""
        if shutil.which(self.config["binary"]):
            try:
                out = subprocess.run([self.config["binary"], "--version"], capture_output=True, text=True, timeout=30)
                text = next((ln.strip() for ln in out.stdout.splitlines() if ln.strip().startswith("CP2K version")), "")
            except (OSError, subprocess.SubprocessError):
                text = ""
        return f"{text or 'CP2K'}; atomate2 {version('atomate2')}"

    def input_generator(self, run_type: str, target: str) -> SsbiCp2kSetGenerator:
        """Input-set generator for one kind of calculation."""
        cfg = self.config
        dft = {**dict(cfg.get("dft", {})), "xc_functionals": [cfg.get("functional", "PBE")]}
        return SsbiCp2kSetGenerator(
            run_type=RUN_TYPES[run_type],
            target=self._check_target(target),
            basis={"name": cfg["basis"], "files": list(cfg["basis_files"]), "potential_file": cfg["potential_file"],
                   "overrides": dict(cfg.get("basis_overrides") or {}), "functional": cfg.get("functional", "PBE")},
            slab_settings=dict(cfg.get("slab") or {}),
            spin_polarized=bool(cfg.get("spin_polarized", False)),
            user_input_settings=dft,
            user_kpoints_settings=dict(cfg.get("kpoints") or {}),
        )

    def write_inputs(self, structure, kind: str, target: str, folder) -> list[str]:
        run_type = kind if kind == "static" else ("cellopt" if target == "bulk" else "relax")
        self.input_generator(run_type, target).get_input_set(structure).write_input(folder)
        return sorted(p.name for p in Path(folder).iterdir())

    def _run_kwargs(self) -> dict:
        return {"cp2k_cmd": self.command}

    def relax_maker(self, target: str = "bulk"):
        run_type = "cellopt" if target == "bulk" else "relax"
        cls = CellOptMaker if target == "bulk" else RelaxMaker
        return cls(name=f"cp2k {run_type} {target}", input_set_generator=self.input_generator(run_type, target),
                   run_cp2k_kwargs=self._run_kwargs())

    def static_maker(self, target: str = "bulk"):
        return StaticMaker(name=f"cp2k static {target}", input_set_generator=self.input_generator("static", target),
                           run_cp2k_kwargs=self._run_kwargs())

    def band_gap_maker(self):
        """A bulk single point that also writes the DOS of its k-mesh, with every unoccupied orbital (ADDED_MOS)."""
        gen = self.input_generator("static", "bulk")
        gen.print_dos = True
        return StaticMaker(name="cp2k band gap", input_set_generator=gen, run_cp2k_kwargs=self._run_kwargs())

    def md_maker(self, temperature: float, n_steps: int, timestep_fs: float = 1.0, thermostat: str = "langevin",
                 target: str = "interface"):
        """atomate2's CP2K MD maker (trajectory stored, every step printed)."""
        from atomate2.cp2k.jobs.core import MDMaker

        gen = self.input_generator("md", target)
        gen.md = self._md_settings(temperature, n_steps, timestep_fs, thermostat, MD_THERMOSTATS)
        return MDMaker(name=f"cp2k md {target} {int(temperature)} K", input_set_generator=gen,
                       run_cp2k_kwargs=self._run_kwargs())


def setup_cp2k(share: str = "/usr/share/cp2k", force: bool = False) -> Path:
    """Make pymatgen's CP2K data folder from CP2K's data files (once; ~40 s)."""
    folder = pmg_cp2k_data_dir()
    if (folder / "Li").is_file() and not force:
        return folder
    if not Path(share, "BASIS_MOLOPT").is_file():
        raise EngineError(f"cp2k: CP2K data files not found in {share}; install them (Debian: apt-get install cp2k-data)")
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    pmg = Path(shutil.which("pmg") or Path(os.sys.executable).with_name("pmg"))
    proc = subprocess.run([str(pmg), "config", "--cp2k", share, str(tmp)], capture_output=True, text=True)
    if proc.returncode != 0 or not (tmp / "Li").is_file():
        raise EngineError(f"cp2k: `pmg config --cp2k {share}` failed: {proc.stderr.strip().splitlines()[-1:]}")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder
