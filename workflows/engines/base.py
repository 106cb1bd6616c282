"""The interface every engine implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from jobflow import Maker

from ssbi.workflows.engines.config import TARGETS
from ssbi.workflows.engines.md import LANGEVIN_FRICTION
from ssbi.workflows.engines.spec import EngineSpec
from ssbi.workflows.errors import EngineError


class Engine(ABC):
    """How energies are computed: makers for relax and static jobs, and a check.

    ``target`` says what is computed: ``bulk`` (cell relaxes), ``slab`` or
    ``interface`` (cell fixed, vacuum along c, constraints honoured).
    """

    runs_here: bool = True  # False for engines whose jobs only run on HPC

    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.name: str = config["name"]
        self.energy_scale: str = config.get("energy_scale", "raw-gga")

    @property
    def spec(self):
        """The :class:`~ssbi.workflows.engines.spec.EngineSpec` this engine was built from (a Maker field)."""
        return EngineSpec(self.name, {k: v for k, v in self.config.items() if k != "name"})

    @abstractmethod
    def check(self) -> None:
        """Raise :class:`EngineError` (one line naming the fix) if it cannot run here."""

    @abstractmethod
    def relax_maker(self, target: str = "bulk") -> Maker:
        """Maker of a relaxation job taking a Structure."""

    @abstractmethod
    def static_maker(self, target: str = "bulk") -> Maker:
        """Maker of a single-point job taking a Structure."""

    in_process_md: bool = False  # True: MD runs here through calculator(); False: through md_maker()

    def md_maker(self, temperature: float, n_steps: int, timestep_fs: float = 1.0, thermostat: str = "langevin",
                 target: str = "interface") -> Maker:
        """Maker of an MD job in the engine's own code (DFT engines)."""
        raise EngineError(f"engine {self.name!r} has no MD maker")

    def _md_settings(self, temperature: float, n_steps: int, timestep_fs: float, thermostat: str,
                     allowed) -> dict:
        """The MD settings a DFT input generator writes; Langevin friction as in our ASE MD."""
        if thermostat not in allowed:
            raise EngineError(f"{self.name} md: unknown thermostat {thermostat!r}; choose one of: {', '.join(allowed)}")
        return {"temperature": float(temperature), "timestep_fs": float(timestep_fs), "n_steps": int(n_steps),
                "thermostat": thermostat, "friction": LANGEVIN_FRICTION}

    def band_gap_maker(self) -> Maker:
        """Maker of a bulk single point whose output gives the band gap (DFT engines that write a DOS)."""
        raise EngineError(f"engine {self.name!r} gives no band gap here: use cp2k (a DFT single point with its "
                          "DOS), or the shipped table configs/band_gaps.yaml")

    def elastic_maker(self) -> Maker:
        """Maker of the elastic-tensor flow (atomate2's elastic flow for this code)."""
        raise EngineError(f"engine {self.name!r} has no elastic flow here (atomate2 has none for it); "
                          "use chgnet, sevennet or vasp")

    def calculator(self):
        """An ASE calculator for direct use (MD); only machine-learned potentials have one here."""
        raise EngineError(f"engine {self.name!r} has no ASE calculator here: MD with it runs through its own "
                          "code on HPC (not implemented yet)")

    @abstractmethod
    def version(self) -> str:
        """Code or model version recorded in every result."""

    def write_inputs(self, structure, kind: str, target: str, folder) -> list[str]:
        """Write the engine's input files for ``kind`` (relax/static) into ``folder``."""
        raise EngineError(f"engine {self.name!r} has no input files: it runs in-process (`ssbi run`)")

    def describe(self) -> dict[str, Any]:
        """What identifies results of this engine: name, version, scale and settings."""
        settings = {k: v for k, v in self.config.items() if k not in ("name", "kind")}
        return {"name": self.name, "version": self.known_version(), "energy_scale": self.energy_scale,
                "settings": settings}

    def known_version(self) -> str:
        """:meth:`version`, found once per engine: it reads package metadata, hashes a checkpoint or runs the binary,
        and every fingerprint asks for it (a study's plan asks thousands of times)."""
        if getattr(self, "_version", None) is None:
            self._version = self.version()
        return self._version

    def identity(self) -> dict[str, Any]:
        """What makes two runs give the same numbers: ``describe()`` without the package version (the model
        name and every setting stay). Shipped reference entries are matched on this."""
        return {k: v for k, v in self.describe().items() if k != "version"}

    @staticmethod
    def _check_target(target: str) -> str:
        if target not in TARGETS:
            raise EngineError(f"unknown target {target!r}; choose one of: {', '.join(TARGETS)}")
        return target
