"""The engine a Maker computes with: carried as an :class:`~ssbi.workflows.engines.spec.EngineSpec` (serialised with
the Maker, so a FireWorks worker rebuilds exactly that engine) and resolved once, when the Maker is made or rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass

from jobflow import Maker

from ssbi.workflows.engines.base import Engine
from ssbi.workflows.engines.config import DEFAULT_ENGINE
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.engines.spec import EngineLike


@dataclass
class EngineMaker(Maker):
    """A Maker that computes with one engine. ``engine``: a name (its YAML defaults), an EngineSpec or a resolved
    :class:`Engine`; held as the spec, and resolved once into :attr:`resolved`, which its flows and jobs use."""

    engine: EngineLike = DEFAULT_ENGINE

    def __post_init__(self):
        resolved = get_engine(self.engine)
        self.engine = resolved.spec
        self._resolved = resolved

    @property
    def resolved(self) -> Engine:
        """The engine of :attr:`engine` (one instance per spec and process)."""
        return self._resolved
