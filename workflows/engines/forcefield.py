"""Machine-learned potentials through atomate2's force-field makers.

The model is loaded once per process and shared by every job that process runs
(a FireWorks worker runs many): ``SharedModel*Maker`` (in :mod:`workflows.engines._compat`) only
override atomate2's private ``_get_calculator`` hook.
"""

from __future__ import annotations

from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec

from workflows.engines._compat import SharedModelRelaxMaker, SharedModelStaticMaker, shared_calculator
from workflows.engines.base import Engine
from workflows.errors import EngineError

class ForceFieldEngine(Engine):
    """CHGNet, SevenNet or another atomate2-supported MLIP."""

    in_process_md = True

    def check(self) -> None:
        package = self.config["package"]
        if find_spec(package) is None:
            extra = f" (pip install -e '.[{self.name}]')" if self.name != "chgnet" else ""
            raise EngineError(f"engine {self.name!r} needs the Python package {package!r}, which is not installed{extra}")

    def version(self) -> str:
        try:
            return f"{self.config['package']} {version(self.config['package'])}; {self.config.get('model', '')}".strip("; ")
        except PackageNotFoundError:
            return "not installed"

    def _common(self) -> dict:
        return {"force_field_name": self.config["force_field_name"],
                "calculator_kwargs": dict(self.config.get("calculator_kwargs") or {})}

    def relax_maker(self, target: str = "bulk") -> SharedModelRelaxMaker:
        self._check_target(target)
        relax = self.config.get("relax", {})
        return SharedModelRelaxMaker(
            name=f"{self.name} relax {target}",
            relax_cell=target == "bulk",
            steps=relax.get("steps", 500),
            relax_kwargs={"fmax": relax.get("fmax", 0.05)},
            optimizer_kwargs={"optimizer": relax.get("optimizer", "FIRE")},
            **self._common(),
        )

    def elastic_maker(self):
        """atomate2's force-field elastic flow: a tight symmetry-fixed cell relaxation, then fixed-cell
        relaxations of the strained cells and a fit of the stresses."""
        from atomate2.forcefields.flows.elastic import ElasticMaker

        cfg = self.config.get("elastic", {})
        tight = {"relax_kwargs": {"fmax": cfg.get("fmax", 0.002)}, "steps": cfg.get("steps", 1000),
                 "fix_symmetry": True}
        return ElasticMaker(name=f"{self.name} elastic",
                            bulk_relax_maker=replace(self.relax_maker("bulk"), name=f"{self.name} elastic relax",
                                                     **tight),
                            elastic_relax_maker=replace(self.relax_maker("slab"), name=f"{self.name} elastic strained",
                                                        **tight))

    def static_maker(self, target: str = "bulk") -> SharedModelStaticMaker:
        self._check_target(target)
        return SharedModelStaticMaker(name=f"{self.name} static {target}", **self._common())

    def calculator(self):
        """The process-wide ASE calculator of this model (for MD and other direct ASE use)."""
        common = self._common()
        return shared_calculator(common["force_field_name"], common["calculator_kwargs"])
