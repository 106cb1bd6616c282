"""Output documents stored by ssbi flows.

Every document carries ``schema_version`` and, at its top level, the fields later
queries filter on: ``kind`` of result, ``materials``, ``formula``, ``miller``,
``engine`` and ``fingerprint`` (of structures, engine and settings).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal, Optional

from pydantic import BaseModel, Field
from pymatgen.core import Structure

SCHEMA_VERSION = "1.0"


class EngineInfo(BaseModel):
    """Which engine produced a number, and on what energy scale."""

    name: str
    version: str
    energy_scale: str = Field(description="mp2020 (MP2020-corrected) or raw-gga; never mix scales")
    settings: dict[str, Any] = Field(default_factory=dict)


class ResultDoc(BaseModel):
    """Fields shared by every ssbi result."""

    schema_version: str = SCHEMA_VERSION
    kind: str
    fingerprint: str
    materials: list[str] = Field(default_factory=list)
    formula: Optional[str] = None
    miller: Optional[list[tuple[int, int, int]]] = None
    engine: EngineInfo
    study: Optional[str] = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


class CalcDoc(ResultDoc):
    """One relaxation or single point of a bulk, slab or interface."""

    kind: Literal["relax", "static"]
    target: Literal["bulk", "slab", "interface"]
    reduced_formula: str
    chemsys: str
    n_atoms: int
    energy: float = Field(description="total energy, eV")
    energy_per_atom: float = Field(description="eV/atom")
    volume: float = Field(description="Å^3")
    structure: Structure = Field(description="final structure")
    task_uuid: str = Field(description="uuid of the engine job (its full task document is in the store)")
    volume_check: Optional[dict] = Field(None, description="for relaxed reference phases: volume change against "
                                                           "the reference cell and whether the hull uses it "
                                                           "(ssbi.interfaces.phase_set.volume_verdict)")


class UberResult(BaseModel):
    """Rigid separation scan and its UBER fit."""

    gaps: list[float] = Field(description="film-substrate gaps, Å")
    binding_energy: list[float] = Field(description="(E(d) − E_film − E_substrate)/A, J/m²")
    w_ad: float = Field(description="fitted W_ad, J/m²")
    d0: float = Field(description="equilibrium gap, Å")
    length: float = Field(description="decay length λ, Å")
    rmse: float = Field(description="fit error, J/m²")


class RegistryResult(BaseModel):
    """Rigid in-plane shifts of the film and their binding energies."""

    shifts: list[tuple[float, float]] = Field(description="fractions of a and b")
    binding_energy: list[float] = Field(description="J/m² (negative: bound)")
    best: tuple[float, float]
    method: str = Field("grid", description="grid (n×n over the cell) or refine (n×n over the shifts symmetry "
                                            "leaves distinct, then around the best)")
    n_single_points: Optional[int] = Field(None, description="interface single points of the search")
    n_coarse: Optional[int] = None
    domain: Optional[list[list[float]]] = Field(None, description="basis of the distinct shifts (cell fractions)")


class AdhesionDoc(ResultDoc):
    """Work of adhesion of one interface: rigid and relaxed, with optional scans."""

    kind: Literal["adhesion"] = "adhesion"
    film: str
    substrate: str
    film_miller: tuple[int, int, int]
    substrate_miller: tuple[int, int, int]
    candidate: int = Field(0, description="rank of the builder candidate (0 = best)")
    termination: tuple[str, str]
    area: float = Field(description="interface area, Å²")
    n_interfaces: int = Field(description="1 with vacuum, 2 for a periodic stack")
    n_atoms: int
    n_film_atoms: int
    n_substrate_atoms: int
    strained_side: str
    film_von_mises_strain: float
    substrate_von_mises_strain: float
    max_abs_strain: float
    in_plane_offset: tuple[float, float]
    gap: float = Field(description="initial film-substrate gap, Å")
    energies: dict[str, float] = Field(description="eV: interface/film_slab/substrate_slab _rigid/_relaxed")
    bulk_energy_per_atom: dict[str, float] = Field(default_factory=dict, description="eV/atom of the relaxed bulks")
    w_ad_rigid: float = Field(description="J/m², slabs cut from the interface, unrelaxed")
    w_ad_relaxed: Optional[float] = Field(None, description="J/m², interface and slabs relaxed in the same cell")
    surface_energy: dict[str, float] = Field(default_factory=dict, description="J/m², per side, vs relaxed bulk "
                                                                                   "(slab in the strained cell)")
    interface_energy: Optional[float] = Field(None, description="J/m², σ_film + σ_substrate − W_ad(relaxed), "
                                                                  "vs unstrained relaxed bulks (includes strain)")
    strain_energy: dict[str, float] = Field(
        default_factory=dict, description="J/m² of interface area, per side: rigid slab in the interface cell "
                                          "minus the same slab in its natural in-plane cell")
    strain_energy_per_atom: dict[str, float] = Field(default_factory=dict, description="eV/atom, per side")
    uber: Optional[UberResult] = None
    registry: Optional[RegistryResult] = None
    slab_reconstruction: Optional[dict[str, float]] = Field(
        None, description="J/m² per side: its own slab relaxation minus its half of the relaxed interface relaxed "
                          "apart; > 0: the half is lower and is the side's reference for W_ad relaxed")
    reacted: Optional[bool] = Field(None, description="the relaxation mixed the sides or broke polyanions: the "
                                                      "relaxed energy is a reaction, not adhesion")
    reaction: Optional[dict] = Field(None, description="evidence: atoms that crossed the contact plane, polyanions "
                                                       "broken, largest displacement (Å)")
    reaction_energy: Optional[float] = Field(None, description="J/m², relaxed interface minus relaxed slabs, when it "
                                                               "reacted (replaces W_ad relaxed)")
    interface_structure: Structure = Field(description="relaxed interface (rigid one without relaxation)")
    film_slab_structure: Structure
    substrate_slab_structure: Structure
    job_uuids: dict[str, str] = Field(default_factory=dict)


class SurfaceSlab(BaseModel):
    """One slab of a thickness series."""

    thickness: float = Field(description="Å between the two cuts")
    n_atoms: int
    counts: dict[str, int]
    energy_unrelaxed: Optional[float] = Field(None, description="eV")
    energy: float = Field(description="eV, relaxed (unrelaxed without relaxation)")
    sigma: Optional[float] = Field(None, description="J/m², stoichiometric slabs (one number)")
    sigma_unrelaxed: Optional[float] = Field(None, description="J/m², before relaxation (stoichiometric slabs)")
    sigma_vs_voltage: list[dict] = Field(default_factory=list, description="off-stoichiometric slabs: σ range "
                                         "(J/m²) at each V vs Li/Li+ across the phase's window")
    structure: Structure


class SurfaceTerminationResult(BaseModel):
    """σ of one termination: its thickness series and the value to use."""

    label: str
    index: int
    top_atom: str
    tasker: int
    polar: bool
    broken_units: int
    scheme: Literal["symmetric stoichiometric", "symmetric off-stoichiometric", "split faces (polar axis)"]
    excess: dict[str, float] = Field(default_factory=dict, description="atoms per surface cell beyond whole "
                                                                        "formula units (thickest slab)")
    slabs: list[SurfaceSlab]
    sigma: Optional[float] = Field(None, description="J/m², thickest slab (stoichiometric)")
    sigma_at_limits: dict[str, list[float]] = Field(default_factory=dict, description="J/m² [min, max] at the "
                                                    "reduction and oxidation limits of the phase's window")
    convergence: Optional[float] = Field(None, description="J/m², |σ(thickest) − σ(next)|")
    warning: Optional[str] = None


class SurfaceDoc(ResultDoc):
    """Surface energies of every requested termination of one (h k l) face of a material."""

    kind: Literal["surface"] = "surface"
    material: str
    surface_miller: tuple[int, int, int]
    area: float = Field(description="surface cell, Å²")
    bulk_energy_per_atom: float = Field(description="eV/atom, relaxed bulk")
    relaxed: bool
    window: Optional[dict] = Field(None, description="V vs Li/Li+ limits used for σ(μ_Li), with the hull's source")
    terminations: list[SurfaceTerminationResult]
    lowest: Optional[str] = Field(None, description="label of the lowest-σ termination (at the reduction limit for "
                                                    "off-stoichiometric ones)")
    sigma_lowest: Optional[float] = Field(None, description="J/m²")
    job_uuids: dict[str, str] = Field(default_factory=dict)


class EntryRef(BaseModel):
    """One entry a derived document was computed from."""

    entry_id: str
    formula: str
    energy: float = Field(description="eV, total, on the document's energy scale")
    n_atoms: float


class StabilityDoc(BaseModel):
    """Fields shared by window and reaction documents (derived from entries, not from a job)."""

    schema_version: str = SCHEMA_VERSION
    kind: str
    key: str = Field(description="identity: kind, materials, source, engine, scale (re-computations replace it)")
    chemsys: str
    source: str = Field(description="store | file | mp")
    engine: str
    energy_scale: str
    entries: list[EntryRef]
    entries_hash: str
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


class WindowDoc(StabilityDoc):
    """Electrochemical window of one phase vs Li/Li+ (V); decomposition energies in eV per atom of it."""

    kind: Literal["window"] = "window"
    formula: str
    reduction_limit: float
    oxidation_limit: Optional[float]
    reduction_products: list[str]
    oxidation_products: list[str]
    e_above_hull: Optional[float] = Field(description="eV/atom; the phase was put on the hull for the window; None "
                                                      "for a phase known by composition only (a glass) whose energy "
                                                      "above the hull is unknown")
    composition_only: bool = Field(False, description="a glass or other phase with no crystal structure: placed "
                                                      "on the hull by composition, e_above_hull given by the user or "
                                                      "unknown")
    plateaus: list[dict]
    decomposition_energy: dict[str, float] = Field(description="eV/atom of the phase, keyed by voltage")
    decomposition_products: dict[str, list[str]]
    interphase_vs_li: dict = Field(description="interphase type of the 0 V products (Li metal contact)")
    interphase_oxidation: dict = Field(description="interphase type of the products at the oxidation limit")
    material: Optional[str] = Field(None, description="the library phase whose entry was used (a polymorph: "
                                                      "beta-Li3PS4), when not the lowest of its formula")
    entry: str = Field("", description="the phase's own entry: library name or reference id")
    reduction_sources: list[str] = Field(default_factory=list, description="the entries that decide the reduction "
                                                                           "limit ('Li2S: mp-1153')")
    oxidation_sources: list[str] = Field(default_factory=list, description="the entries that decide the "
                                                                           "oxidation limit")


class ReactionDoc(StabilityDoc):
    """Interfacial reaction of two materials vs mixing ratio, closed or open to Li."""

    kind: Literal["reaction"] = "reaction"
    a: str
    b: str
    voltage: Optional[float] = Field(None, description="V vs Li/Li+ when Li is open, else closed")
    kinks: list[dict]
    minimum: dict
    electrode_side: dict
    interphase: dict = Field(description="type of the most negative reaction's products")
    interphase_electrode_side: dict = Field(description="type of the products in contact with an excess of a")
    note: str = ""


class AIMDDoc(ResultDoc):
    """MD of one structure at one or more temperatures: settings, per-temperature analysis, trajectory jobs.

    The trajectories themselves are in the store's ``data`` store, under the
    ``md_run`` jobs listed in ``trajectory_jobs``.
    """

    kind: Literal["aimd"] = "aimd"
    label: str
    settings: dict[str, Any]
    n_atoms: int
    boundary: Optional[float] = Field(None, description="height of the interface plane along c, Å")
    temperatures: list[dict[str, Any]] = Field(description="per temperature: transport per region (D cm²/s, "
                                                           "σ mS/cm), intact PS4 fraction, composition profile, "
                                                           "reacted thickness and growth fit, RDFs")
    arrhenius: Optional[dict[str, Any]] = None
    trajectory_jobs: dict[str, str] = Field(default_factory=dict)


class MechanicsDoc(ResultDoc):
    """Elastic tensor and moduli of one material; the Monroe–Newman ratio against Li of the same engine."""

    kind: Literal["mechanics"] = "mechanics"
    elastic_tensor: list[list[float]] = Field(description="6x6 Voigt (IEEE), GPa")
    k_vrh: float = Field(description="Voigt–Reuss–Hill bulk modulus, GPa")
    g_vrh: float = Field(description="Voigt–Reuss–Hill shear modulus, GPa")
    moduli: dict[str, Any] = Field(description="K and G Voigt/Reuss/Hill (GPa), Born stability")
    n_deformations: int
    monroe_newman: Optional[dict[str, Any]] = Field(None, description="G/G_Li, verdict (dendrite-suppressing "
                                                                      "if > 2); None for Li itself")
    elastic_uuid: str = Field(description="uuid of atomate2's elastic fit job (ElasticDocument)")
    warnings: list[str] = Field(default_factory=list)


class StackInterface(BaseModel):
    """One interface of a stack's layer: closed reaction, reaction open to Li at the electrode's potential, W_ad."""

    neighbour: str
    closed: Optional[dict] = Field(None, description="most negative reaction over mixing ratios: energy (eV/atom), "
                                                     "products, interphase type; None: not computed (why in notes)")
    open: Optional[dict] = Field(None, description="the same open to Li at the electrode's potential")
    open_used: bool = Field(False, description="whether the open reaction counts: always with the electrode; with the "
                                               "electrolyte only where the layer passes electrons on")
    verdict: Optional[str] = Field(None, description="the worse of the two with the error threshold: stable, stable "
                                                     "within error, passivating, undetermined, mixed-conducting")
    energy: Optional[float] = Field(None, description="eV/atom of the reading that gave the verdict")
    w_ad: Optional[float] = Field(None, description="J/m², relaxed where the relaxation did not react, else rigid")
    w_ad_kind: Optional[str] = None
    w_ad_faces: Optional[str] = None


class StackDoc(BaseModel):
    """An anode | interlayer | electrolyte or electrolyte | coating | cathode stack: what the layer meets and fails.

    A derived document (like windows and reactions): made from the stored results of the study's tasks, one per
    stack and engine; recomputing replaces it."""

    schema_version: str = SCHEMA_VERSION
    kind: Literal["stack"] = "stack"
    key: str
    side: Literal["anode", "cathode"]
    layer: str
    electrode: str
    electrolyte: str
    engine: str
    study: Optional[str] = None
    potential: Optional[float] = Field(None, description="V vs Li/Li+ of the electrode (0 for Li metal)")
    layer_gap: Optional[dict] = Field(None, description="band gap of the layer (eV), kind, source")
    layer_at_potential: Optional[dict] = Field(None, description="the layer's own window at the electrode's potential")
    with_electrode: StackInterface
    with_electrolyte: StackInterface
    wetting: Optional[dict] = Field(None, description="Young–Dupré: θ of Li on the layer, W_ad, σ_Li and its face")
    diffusion: Optional[dict] = Field(None, description="Li in the layer's bulk: D per temperature, Arrhenius fit")
    requirements: dict[str, Optional[bool]]
    weakest: Optional[str] = None
    threshold_ev_atom: float
    notes: list[str] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


class AdsorptionDoc(ResultDoc):
    """A molecule (Li2S, Li2Sn) on a carbon host: the placements searched and the most stable one.

    E_ads = E(host + molecule) − E(host) − E(molecule in a box), all relaxed with the same engine (and dispersion);
    the binding energy is −E_ads (positive: it binds)."""

    kind: Literal["adsorption"] = "adsorption"
    host: str
    molecule: str
    dispersion: str = Field(description="d3bj: DFT-D3(BJ) with PBE parameters (simple-dftd3) added; none")
    energies: dict[str, float] = Field(description="eV: host, molecule (relaxed, isolated), complex (best)")
    placements: list[dict[str, Any]] = Field(description="per placement: site, facing, rotation, E_ads (eV), "
                                                         "steps, converged")
    best: dict[str, Any]
    binding_energy: float = Field(description="eV, −E_ads of the most stable placement")
    dispersion_part: Optional[float] = Field(None, description="eV, the D3 share of E_ads at the best geometry")
    structure: Structure = Field(description="the best relaxed complex")
    caveats: list[str] = Field(default_factory=list)


class BandGapDoc(ResultDoc):
    """A DFT band gap spot check: the gap between the highest filled and the lowest empty state of the SCF k-mesh
    (semi-local DFT underestimates gaps; the check asks only whether the phase blocks electrons)."""

    kind: Literal["band_gap"] = "band_gap"
    gap: float = Field(description="eV; 0 for a metal (a partly filled state)")
    vbm: float = Field(description="eV, on the code's energy zero")
    cbm: float = Field(description="eV, on the code's energy zero")
    metallic: bool
    conducts: bool = Field(description="gap below configs/band_gaps.yaml's conductor_below: an electronic conductor")
    kmesh: str = Field(description="the k-mesh the gap is read on (a gap between k-points is missed: an upper bound)")
    n_atoms: int
    structure: Structure = Field(description="the cell computed (primitive)")
    task_uuid: str = Field(description="uuid of the engine job (its full task document is in the store)")
    source: str = Field(description="what the gap is: functional, basis, mesh; shown where the gap is used")
