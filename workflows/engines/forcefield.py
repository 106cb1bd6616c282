"""Machine-learned potentials through atomate2's force-field makers.

The model is loaded once per process and shared by every job that process runs
(a FireWorks worker runs many): ``SharedModel*Maker`` (in :mod:`ssbi.workflows._compat`) only
override atomate2's private ``_get_calculator`` hook.
"""

from __future__ import annotations

from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec

from ssbi.workflows._compat import SharedModelRelaxMaker, SharedModelStaticMaker, shared_calculator
from ssbi.workflows.engines.base import Engine
from ssbi.workflows.errors import EngineError

CHECKPOINT_SUFFIXES = (".pth", ".pth.tar", ".pt", ".ckpt")


class ForceFieldEngine(Engine):
    """CHGNet, SevenNet or another atomate2-supported MLIP."""

    in_process_md = True

    def check(self) -> None:
        package = self.config["package"]
        if find_spec(package) is None:
            extra = f" (pip install -e '.[{self.name.split('-')[0]}]')" if self.name != "chgnet" else ""
            raise EngineError(f"engine {self.name!r} needs the Python package {package!r}, which is not installed{extra}")

    def version(self) -> str:
        try:
            text = f"{self.config['package']} {version(self.config['package'])}; {self.config.get('model', '')}"
        except PackageNotFoundError:
            return "not installed"
        path = self._model_path()
        if path is not None:
            import hashlib

            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else "folder"
            text = f"{self.config['package']} {version(self.config['package'])}; checkpoint {path} ({digest})"
        return text.strip("; ")

    def _model_path(self):
        """The ``model_path`` setting: a checkpoint of the group's own, used instead of the shipped weights."""
        from pathlib import Path

        value = self.config.get("model_path")
        if not value:
            return None
        path = Path(str(value)).expanduser()
        if not path.exists():
            raise EngineError(f"engine {self.name!r}: model_path {path} does not exist")
        if path.is_dir():  # a checkpoint folder: its one checkpoint file
            found = sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(CHECKPOINT_SUFFIXES))
            if len(found) != 1:
                raise EngineError(f"engine {self.name!r}: model_path folder {path} holds {len(found)} checkpoint "
                                  f"files ({', '.join(CHECKPOINT_SUFFIXES)}); name the file")
            path = found[0]
        return path

    def _common(self) -> dict:
        kwargs = dict(self.config.get("calculator_kwargs") or {})
        path = self._model_path()
        if path is not None:  # CHGNet: loaded by shared_calculator; SevenNet: its calculator takes a path
            kwargs["model" if self.config["package"] == "sevenn" else "model_path"] = str(path)
        return {"force_field_name": self.config["force_field_name"], "calculator_kwargs": kwargs}

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
