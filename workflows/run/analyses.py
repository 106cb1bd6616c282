"""The analysis registry: each kind of analysis is one object with ``fingerprints()``, ``flow()`` and
``collect(store)``, run or submitted by :class:`ssbi.workflows.run.executor.Executor`.

| kind | what | result identity |
| --- | --- | --- |
| ``relax``, ``static`` | one calculation (:class:`CalcAnalysis`) | CalcDoc fingerprint |
| ``phase_set`` | the hull: phase sets of chemical systems (:class:`PhaseSetAnalysis`) | complete plans |
| ``mechanics`` | elastic tensor, moduli, G/G_Li (:class:`MechanicsAnalysis`) | MechanicsDoc fingerprint |
| ``adhesion`` | W_ad of ranked interface candidates (:class:`AdhesionAnalysis`) | AdhesionDoc fingerprints |
| ``md`` | interface MD (:class:`MDRunAnalysis`) | AIMDDoc fingerprint |
| ``surface`` | σ of the terminations of one face (:class:`SurfaceAnalysis`) | SurfaceDoc fingerprint |
| ``stability`` | windows and reactions (:class:`StabilityAnalysis`), derived by the builder | document keys |
| ``band_gap`` | a DFT band gap spot check (:class:`BandGapAnalysis`) | BandGapDoc fingerprint |

The command line and the study runner build these objects; nothing else decides
what is stored, what runs and what is sent to FireWorks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Optional

from jobflow import Flow
from pymatgen.core import Structure

from ssbi.interfaces.errors import InputError, SSBIError
from ssbi.interfaces.materials import get_material, load
from ssbi.interfaces.reference import get_reference, reference_index, reference_structure
from ssbi.workflows.engines.config import CALC_KINDS, TARGETS
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.flows.band_gap import BandGapMaker
from ssbi.workflows.flows.calc import CalcMaker
from ssbi.workflows.stability.builder import StabilityBuilder
from ssbi.workflows.store.derived import analysis_store
from ssbi.workflows.store.lookup import bulk_cell, find_result


class Analysis(ABC):
    """One unit of work with an identity in the store."""

    kind: ClassVar[str]
    derived: ClassVar[bool] = False  # True: computed in this process from stored results (no jobs)

    @property
    @abstractmethod
    def label(self) -> str:
        """How the user sees it, e.g. ``relax Li2S (chgnet)``."""

    @abstractmethod
    def fingerprints(self) -> list[str]:
        """Identities of its result documents (and of its FireWorks workflow)."""

    def collect(self, store) -> Optional[list[str]]:
        """Ids of its stored results; None while any is missing."""
        found = [find_result(store, fp) for fp in self.fingerprints()]
        return None if not found or not all(found) else [d["uuid"] for d in found]

    @abstractmethod
    def flow(self, store) -> Flow:
        """The jobflow Flow that computes what is not stored."""

    def metadata(self) -> dict[str, Any]:
        """FireWorks workflow metadata (queries, status)."""
        return {"ssbi_kind": self.kind}

    def run_here(self, store) -> list[str]:
        """Derived analyses: compute and store; returns the ids."""
        raise NotImplementedError


@dataclass
class CalcAnalysis(Analysis):
    """A relaxation or single point of one structure (``CalcMaker``); ``engine``: a name, spec or resolved
    engine."""

    calc: str  # relax | static
    structure: Structure
    material: str
    engine: Any = "chgnet"
    target: str = "bulk"
    study: Optional[str] = None
    kind: ClassVar[str] = "calc"

    def __post_init__(self):
        self.maker = CalcMaker(engine=self.engine, kind=self.calc, target=self.target)

    @classmethod
    def of(cls, kind: str, material: str, engine, target: str = "bulk", variant: str = "experimental",
           study: Optional[str] = None) -> "CalcAnalysis":
        """Checked input: ``kind`` of ``material`` (a library name: the hull's bulk cell for a bulk of the
        experimental structure; or a structure file) with the resolved ``engine``, which must run here or be
        submitted."""
        if kind not in CALC_KINDS:
            raise InputError(f"unknown calculation {kind!r}; choose one of: {', '.join(CALC_KINDS)}")
        if target not in TARGETS:
            raise InputError(f"unknown target {target!r}; choose one of: {', '.join(TARGETS)}")
        engine = get_engine(engine)
        engine.check()
        structure = load(material, variant)
        from_file = Path(str(material)).is_file()
        try:
            name = None if from_file else get_material(material).name
        except SSBIError:
            name = None
        if name is None:  # a user's structure: its own identity (file name and fingerprint), never a library name
            name = f"file:{Path(str(material)).name}"
        else:
            if target == "bulk" and variant == "experimental":
                structure = bulk_cell(name)  # the hull's bulk: one relaxation per material and engine
        return cls(kind, structure, name, engine=engine, target=target, study=study)

    @property
    def label(self) -> str:
        return f"{self.calc} {self.material} ({self.maker.resolved.name})"

    def fingerprints(self) -> list[str]:
        return [self.maker.fingerprint(self.structure)]

    def flow(self, store) -> Flow:
        return self.maker.make(self.structure, material=self.material, study=self.study)

    def metadata(self) -> dict:
        return {"ssbi_kind": self.calc, "material": self.material, "engine": self.maker.resolved.name,
                "target": self.target}


@dataclass
class PhaseSetAnalysis(Analysis):
    """The hull: the phase sets of ``systems`` (stored and shipped calculations are not repeated)."""

    systems: list[str]
    maker: Any  # PhaseSetMaker
    kind: ClassVar[str] = "phase_set"

    @property
    def label(self) -> str:
        return f"hull {', '.join(self.systems)}"

    def plans(self, store) -> dict:
        """Per system its plan: what is stored, shipped, and still to compute (read again after a run)."""
        return {s: self.maker.plan(s, store) for s in self.systems}

    def pending(self, store) -> dict:
        return {s: p for s, p in self.plans(store).items() if not p.complete}

    def fingerprints(self) -> list[str]:
        name = self.maker.resolved.name
        return [f"phase-set|{s}|{name}" for s in self.systems]

    def collect(self, store) -> Optional[list[str]]:
        return [] if not self.pending(store) else None

    def flow(self, store, shared: Optional[dict] = None) -> Flow:
        """The phase sets still to compute, sharing their common single points and relaxations (``shared``:
        see :meth:`PhaseSetMaker.make`; its ``"library"`` maps library phases relaxed here to their outputs)."""
        pending = self.pending(store)
        shared = shared if shared is not None else {}
        return Flow([self.maker.make(s, store, plan=p, shared=shared) for s, p in pending.items()],
                    name=f"hull {', '.join(pending)} ({self.maker.resolved.name})")

    def metadata(self) -> dict:
        return {"ssbi_kind": "phase_diagram", "chemsys": ", ".join(self.systems), "engine": self.maker.resolved.name}


@dataclass
class MechanicsAnalysis(Analysis):
    """Elastic tensor and moduli of one material; ``g_li`` (GPa or a job output) gives G/G_Li."""

    material: str
    structure: Structure  # the result's identity: the bulk cell
    maker: Any  # MechanicsMaker
    g_li: Any = None
    start: Optional[Structure] = None  # the already-relaxed bulk to start from
    study: Optional[str] = None
    kind: ClassVar[str] = "mechanics"

    @property
    def label(self) -> str:
        return f"mechanics {self.material}"

    def fingerprints(self) -> list[str]:
        return [self.maker.fingerprint(self.structure)]

    def flow(self, store) -> Flow:
        return self.maker.make(self.structure, self.material, g_li=self.g_li, study=self.study, start=self.start)

    def metadata(self) -> dict:
        return {"ssbi_kind": "mechanics", "materials": [self.material], "engine": self.maker.resolved.name}


@dataclass
class AnalysisGroup(Analysis):
    """Several analyses whose flows depend on each other, sent as one workflow (Li's mechanics and G/G_Li)."""

    members: list[Analysis]
    combine: Any = None  # callable(members) -> Flow; default: the members' flows side by side
    kind: ClassVar[str] = "group"

    @property
    def label(self) -> str:
        return ", ".join(m.label for m in self.members)

    def fingerprints(self) -> list[str]:
        return [fp for m in self.members for fp in m.fingerprints()]

    def flow(self, store) -> Flow:
        if self.combine is not None:
            return self.combine(self.members)
        return Flow([m.flow(store) for m in self.members], name=self.label)

    def metadata(self) -> dict:
        return {**self.members[0].metadata(), "ssbi_kind": f"{self.members[0].kind}-group"}


@dataclass
class AdhesionAnalysis(Analysis):
    """W_ad of the ranked candidates ``maker.candidate_indices()`` of ``film`` | ``substrate``."""

    film: str
    substrate: str
    film_structure: Structure
    substrate_structure: Structure
    maker: Any  # AdhesionMaker
    bulks: tuple = (None, None)  # relaxed bulks to start from ({"structure", "energy_per_atom"} or None)
    kind: ClassVar[str] = "adhesion"

    @property
    def label(self) -> str:
        return f"adhesion {self.film}|{self.substrate}"

    def fingerprints(self) -> list[str]:
        return [self.maker.fingerprint(self.film_structure, self.substrate_structure, i)
                for i in self.maker.candidate_indices()]

    def missing(self, store) -> list[int]:
        return [i for i, fp in zip(self.maker.candidate_indices(), self.fingerprints()) if not find_result(store, fp)]

    def flow(self, store) -> Flow:
        """The candidates not stored yet (all of them when every one is, i.e. a forced re-run)."""
        return self.maker.make(self.film_structure, self.substrate_structure, self.film, self.substrate,
                               film_bulk=self.bulks[0], substrate_bulk=self.bulks[1],
                               candidates=self.missing(store) or self.maker.candidate_indices())

    def metadata(self) -> dict:
        return {"ssbi_kind": "adhesion", "materials": [self.film, self.substrate], "engine": self.maker.resolved.name}


@dataclass
class MDRunAnalysis(Analysis):
    """Interface MD at the maker's temperatures, analysed into an AIMDDoc."""

    name: str  # film|substrate
    interface: Structure
    maker: Any  # AIMDMaker
    kind: ClassVar[str] = "md"

    @property
    def label(self) -> str:
        return f"md {self.name}"

    def fingerprints(self) -> list[str]:
        return [self.maker.fingerprint(self.interface)]

    def flow(self, store) -> Flow:
        return self.maker.make(self.interface, self.name)

    def metadata(self) -> dict:
        return {"ssbi_kind": "aimd", "materials": self.name.split("|"), "engine": self.maker.resolved.name}


@dataclass
class SurfaceAnalysis(Analysis):
    """Surface energies of the terminations of one (h k l) face of ``material``."""

    material: str
    structure: Structure
    maker: Any  # SurfaceMaker
    bulk: Optional[dict] = None  # a stored relaxed bulk to start from
    kind: ClassVar[str] = "surface"

    @property
    def label(self) -> str:
        return f"surface {self.material}{tuple(self.maker.miller)}"

    def fingerprints(self) -> list[str]:
        return [self.maker.fingerprint(self.structure)]

    def flow(self, store) -> Flow:
        return self.maker.make(self.structure, self.material, bulk=self.bulk)

    def metadata(self) -> dict:
        return {"ssbi_kind": "surface", "materials": [self.material], "engine": self.maker.resolved.name}


@dataclass
class StabilityAnalysis(Analysis):
    """Windows and reactions of ``targets`` by the stability builder (their only writer), in this process."""

    targets: list  # StabilityTarget
    engine: Any = None
    known_only: bool = True  # hull without the curated hypothetical phases
    kind: ClassVar[str] = "stability"
    derived: ClassVar[bool] = True
    builder: Any = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return f"stability ({len(self.targets)} documents)"

    def fingerprints(self) -> list[str]:
        return []

    def flow(self, store) -> Flow:
        raise NotImplementedError("derived in this process by the stability builder")

    def run_here(self, store) -> list[str]:
        self.builder = StabilityBuilder(store.docs_store, analysis_store(store), engine=self.engine,
                                        targets=self.targets, known_only=self.known_only)
        self.builder.run_all()
        return list(self.builder.keys.values())

    def key_of(self, target) -> Optional[str]:
        """The stored document key of one target after :meth:`run_here` (None when it could not be computed)."""
        key = self.builder.keys.get(target) if self.builder else None
        return key if key and self.builder.documents().get(target) else None

    def error_of(self, target) -> str:
        return (self.builder.failures.get(target) if self.builder else None) or "no entries for it"


@dataclass
class AdsorptionAnalysis(Analysis):
    """A molecule on a carbon host: the search of :class:`~ssbi.workflows.flows.adsorption.AdsorptionMaker`."""

    host: str
    molecule: str
    maker: Any  # AdsorptionMaker
    kind: ClassVar[str] = "adsorption"

    @property
    def label(self) -> str:
        return f"adsorption {self.molecule} on {self.host}"

    def fingerprints(self) -> list[str]:
        return [self.maker.fingerprint(self.host, self.molecule)]

    def flow(self, store) -> Flow:
        search = self.maker.make(self.host, self.molecule)
        return Flow([search], output=search.output, name=self.label)

    def metadata(self) -> dict:
        return {"ssbi_kind": "adsorption", "materials": [self.host, self.molecule],
                "engine": self.maker.resolved.name}


@dataclass
class BandGapAnalysis(Analysis):
    """The band gap of one bulk phase from a DFT single point (:class:`~ssbi.workflows.flows.band_gap.BandGapMaker`)."""

    structure: Structure
    material: str
    engine: Any = "cp2k"
    kind: ClassVar[str] = "band_gap"

    def __post_init__(self):
        self.maker = BandGapMaker(engine=self.engine)

    @classmethod
    def of(cls, material: str, engine) -> "BandGapAnalysis":
        """Checked input: ``material`` is a library name, a reference phase id (``mp-1550``) or a structure file;
        its primitive cell is computed."""
        engine = get_engine(engine)
        engine.band_gap_maker()  # one line if the engine gives no gap
        text = str(material)
        if text in reference_index():
            structure, name = reference_structure(text), f"{get_reference(text).formula} ({text})"
        else:
            try:
                structure = load(text)
            except SSBIError as exc:
                same = sorted(p.id for p in reference_index().values() if p.formula == text)
                if not same and Path(text).exists():
                    raise
                if not same:
                    raise InputError(f"{exc} A reference phase id (`ssbi reference list Li-P`) or a structure file "
                                     "is also accepted.") from exc
                raise InputError(f"{text} is not in the materials library; its reference structures: "
                                 f"{', '.join(same)}: give one (`ssbi gap {same[0]}`)") from exc
            name = f"file:{Path(text).name}" if Path(text).is_file() else get_material(text).name
        engine.check()
        return cls(structure.get_primitive_structure(), name, engine=engine)

    @property
    def label(self) -> str:
        return f"band gap {self.material} ({self.maker.resolved.name})"

    def fingerprints(self) -> list[str]:
        return [self.maker.fingerprint(self.structure)]

    def flow(self, store) -> Flow:
        return self.maker.make(self.structure, material=self.material)

    def metadata(self) -> dict:
        return {"ssbi_kind": "band_gap", "material": self.material, "engine": self.maker.resolved.name}


REGISTRY: dict[str, type[Analysis]] = {cls.kind: cls for cls in (
    CalcAnalysis, PhaseSetAnalysis, MechanicsAnalysis, AdhesionAnalysis, MDRunAnalysis, SurfaceAnalysis,
    StabilityAnalysis, AnalysisGroup, AdsorptionAnalysis, BandGapAnalysis)}
