"""Elastic tensor, VRH moduli and the Monroe–Newman dendrite criterion, with any engine that has an
atomate2 elastic flow (force fields here, VASP on HPC)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from jobflow import Flow, job
from pymatgen.core import Structure
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from ssbi.interfaces.analysis.mechanics import moduli, monroe_newman
from ssbi.interfaces.fingerprint import fingerprint
from ssbi.workflows.engines.maker import EngineMaker
from ssbi.workflows.errors import EngineError
from ssbi.workflows.flows.fast_elastic import FastElasticMaker, elastic_flow, fast_elastic_supported
from ssbi.workflows.schemas import EngineInfo, MechanicsDoc


@dataclass
class MechanicsMaker(EngineMaker):
    """Elastic flow of ``engine`` on the symmetrised primitive cell, then a :class:`MechanicsDoc`.

    ``protocol``: ``auto`` (the default: fast where the engine supports it, else full), ``fast`` (force fields:
    :class:`~ssbi.workflows.flows.fast_elastic.FastElasticMaker`, the strained cells relaxed from the bulk's Γ force
    constants; measured against the full flow in ``benchmarks/bench_elastic.py``) or ``full`` (atomate2's elastic
    flow; always for DFT).
    ``make(structure, material, g_li=...)``: ``g_li`` (GPa, or a job output) gives the Monroe–Newman ratio.
    """

    name: str = "mechanics"
    protocol: str = "auto"

    def __post_init__(self):
        super().__post_init__()
        if self.protocol not in ("auto", "fast", "full"):
            raise EngineError(f"mechanics protocol {self.protocol!r}: choose auto, fast or full")

    def elastic_protocol(self) -> str:
        if self.protocol == "auto":
            return "fast" if fast_elastic_supported(self.resolved) else "full"
        if self.protocol == "fast" and not fast_elastic_supported(self.resolved):
            raise EngineError(f"engine {self.engine.name!r} has no fast elastic path (no batched evaluation); "
                              "use protocol full")
        return self.protocol

    def fingerprint(self, structure: Structure) -> str:
        identity = {"kind": "mechanics", "structure": structure, "engine": self.resolved.describe()}
        if self.elastic_protocol() == "fast":  # full-flow results keep the identity they always had
            identity["elastic"] = FastElasticMaker(engine=self.resolved).settings()
        return fingerprint(identity)

    def make(self, structure: Structure, material: Optional[str] = None, g_li=None, study: Optional[str] = None,
             start: Optional[Structure] = None) -> Flow:
        """``start``: the already-relaxed bulk of ``structure`` (the hull's) to begin the tight relaxation from;
        the result's identity stays that of ``structure``."""
        eng = self.resolved
        material = material or structure.composition.reduced_formula
        cell = SpacegroupAnalyzer(start or structure, symprec=0.01).get_primitive_standard_structure()
        elastic = elastic_flow(eng, cell, self.elastic_protocol())
        summary = mechanics_summary(elastic.output, material, eng.describe(), self.fingerprint(structure), g_li,
                                    study, elastic.output.uuid)
        summary.name = f"mechanics summary {material}"
        return Flow([elastic, summary], output=summary.output, name=f"mechanics {material} ({eng.name})")


@job
def mechanics_summary(elastic_doc, material: str, engine_info: dict, fp: str, g_li=None,
                      study: Optional[str] = None, elastic_uuid: str = "") -> MechanicsDoc:
    """The moduli of atomate2's ElasticDocument; G/G_Li when ``g_li`` (GPa) is given."""
    get = elastic_doc.get if isinstance(elastic_doc, dict) else lambda k: getattr(elastic_doc, k, None)
    tensor = get("elastic_tensor")
    tensor = tensor.get("ieee_format") if isinstance(tensor, dict) else tensor.ieee_format
    m = moduli(tensor)
    warnings = list(get("warnings") or [])
    if not m.mechanically_stable:
        warnings.append("elastic tensor not positive definite: mechanically unstable or poorly converged")
    fitting = get("fitting_data")
    n_def = len((fitting.get("deformations") if isinstance(fitting, dict) else fitting.deformations) or [])
    structure = get("structure")
    structure = Structure.from_dict(structure) if isinstance(structure, dict) else structure
    ratio = None
    if g_li is not None and material != "Li":
        g_li = float(g_li.get("g_vrh") if isinstance(g_li, dict) else getattr(g_li, "g_vrh", g_li))
        if g_li > 0:
            ratio = monroe_newman(m.g_vrh, g_li)
        else:  # e.g. SevenNet-l3i5: C11 < C12, bcc Li unstable in the model
            warnings.append(f"G_Li of this engine is {g_li:.2f} GPa (≤ 0: bcc Li unstable in the model): no "
                            "Monroe–Newman ratio; give analyses.mechanics.g_li_gpa in the study")
    return MechanicsDoc(fingerprint=fp, materials=[material], formula=structure.composition.reduced_formula,
                        engine=EngineInfo(**engine_info), study=study,
                        elastic_tensor=[[float(x) for x in row] for row in tensor], k_vrh=m.k_vrh, g_vrh=m.g_vrh,
                        moduli=m.as_dict(), n_deformations=n_def, monroe_newman=ratio,
                        elastic_uuid=elastic_uuid, warnings=warnings)
