"""A screening study from one YAML file: validated specification and the list of tasks it expands to.

``load_study(path)`` validates (pydantic) and says in one line which key is wrong
and what is allowed. ``plan(spec)`` lists the tasks: the hull relaxations, then a
window per electrolyte, reactions per electrode|electrolyte pair, mechanics per
material, adhesion and MD per anode|electrolyte pair. Running them is
:mod:`ssbi.workflows.study.runner`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    PositiveFloat,
    ValidationError,
    field_validator,
    model_validator,
)

from ssbi.configs.settings import settings
from ssbi.interfaces.builder import BuildSettings
from ssbi.interfaces.errors import InputError, SSBIError
from ssbi.interfaces.materials import get_material, list_materials, load
from ssbi.workflows.engines.config import engine_config, engine_names
from ssbi.workflows.paths import CONFIG_DIR

STUDY_DIR = CONFIG_DIR / "studies"
ANALYSES = ("window", "reactions", "adhesion", "md", "mechanics", "stacks", "adsorption")


def _material(name: str, where: str) -> str:
    try:
        return get_material(name).name
    except SSBIError:
        names = sorted(m.name for m in list_materials())
        close = difflib.get_close_matches(name, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown material {name!r} in {where}{hint}; allowed: {', '.join(names)}") from None


CONDUCTORS = ("metal", "semimetal")


def _conductor(name: str) -> bool:
    """A metal or semimetal by the curated band-gap table (configs/band_gaps.yaml), or a library anode."""
    from ssbi.interfaces.analysis.interphase import load_band_gaps  # lazy: start-up (read only to check roles)

    material = get_material(name)
    gap = load_band_gaps().get(material.formula)
    return (gap is not None and gap.kind in CONDUCTORS) or ("anode" in material.roles
                                                           and "electrolyte" not in material.roles)


def _role_problem(name: str, role: str) -> Optional[str]:
    """Why ``name`` cannot be one of the study's ``role`` (anodes, cathodes, electrolytes), or None."""
    from pymatgen.core import Composition

    comp = Composition(get_material(name).formula)
    if role == "electrolytes":
        if len(comp.elements) == 1:
            return f"{name} is an element, not an electrolyte"
        if "Li" not in {el.symbol for el in comp.elements}:
            return f"{name} has no Li: a Li-ion electrolyte conducts Li"
        if _conductor(name):
            return f"{name} conducts electrons (a metal or an anode): an electrolyte must not"
    if role == "anodes" and not _conductor(name):
        return f"{name} is not a metal: an anode here is Li metal or a Li alloy (roles in its library entry)"
    return None


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A key given twice in one YAML mapping."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML that refuses a key given twice in one mapping (plain YAML keeps the last one silently)."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise DuplicateKeyError(
                    None, None, f"duplicate key {key!r} (lines {seen[key] + 1} and {key_node.start_mark.line + 1}): "
                    "the second would silently replace the first", key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StabilitySpec(_Strict):
    """Windows (per electrolyte) or reactions (per electrode|electrolyte pair) from the engine's hull."""

class MechanicsSpec(_Strict):
    """Elastic tensor of every electrolyte and anode; G/G_Li (Monroe–Newman)."""

    engine: Optional[str] = Field(None, description="engine of the elastic tensors when it is not the study's "
                                                     "(moduli are the quantity where the models differ most: see "
                                                     "README, 'Which engine'); its own defaults")
    g_li_gpa: Optional[PositiveFloat] = Field(
        None, description="G of Li (GPa) for G/G_Li instead of the engine's own Li, e.g. 4.2 (experiment, "
                          "polycrystalline) where the engine gets Li wrong; the report says which was used")
    protocol: Literal["auto", "fast", "full"] = Field(
        "auto", description="elastic protocol: auto (the default: fast for force fields, full for DFT), fast "
                            "(atomate2's deformations relaxed by BFGS from the bulk's Γ force constants to 0.0002 eV/Å; "
                            "benchmarks/bench_elastic.py), full (atomate2's elastic flow, FIRE to 0.002 eV/Å)")

    @field_validator("engine")
    @classmethod
    def _engine(cls, name: Optional[str]) -> Optional[str]:
        if name is not None and name.lower() not in engine_names():
            raise ValueError(f"unknown engine {name!r} in analyses.mechanics.engine; allowed: "
                             f"{', '.join(engine_names())}")
        return None if name is None else name.lower()


class AdhesionSpec(_Strict):
    relax: bool = Field(False, description="relax interface and slabs (rigid W_ad only when false)")
    scan_separation: bool = False
    miller: dict[str, tuple[int, int, int]] = Field(default_factory=dict, description="Miller index per material "
                                                                                      "(default 1 0 0)")
    build: dict = Field(default_factory=lambda: {"film_thickness": 6.0, "substrate_thickness": 8.0,
                                                 "max_atoms": 200, "max_strain": 0.08, "vacuum": 12.0})
    overrides: dict[str, dict] = Field(default_factory=dict, description="build options per electrolyte, per "
                                       "electrode or per 'electrode|electrolyte' pair (the pair's win, then the "
                                       "electrode's, then the electrolyte's)")
    pairs: Literal["anode|electrolyte", "cathode|electrolyte", "all"] = "anode|electrolyte"
    terminations: Literal["lowest", "builder"] = Field(
        "lowest", description="faces at each contact: the lowest-σ ones at the electrode's potential where surface "
                              "energies are stored (see surfaces), else the builder's first")
    surfaces: bool = Field(False, description="surface energies of every face the adhesion uses first; a material "
                                              "without a Miller index then takes its lowest-σ facet (max index 1)")
    surface_thickness: PositiveFloat = Field(10.0, description="slab thickness of those surface energies (Å)")
    facets: int = Field(1, ge=1, le=4, description="with surfaces: how many of a side's lowest-σ facets the "
                        "adhesion combines where the side has no Miller index (each combination is one adhesion)")

    @field_validator("build", "overrides")
    @classmethod
    def _build_options(cls, value: dict, info) -> dict:
        """Options of ssbi.interfaces.builder.BuildSettings only (one line naming the unknown one)."""
        allowed = [n for n in BuildSettings.model_fields if n not in ("film_miller", "substrate_miller")]
        groups = value.items() if info.field_name == "overrides" else [(None, value)]
        for name, options in groups:
            where = f"analyses.adhesion.{info.field_name}" + (f".{name}" if name else "")
            if not isinstance(options, dict):
                raise ValueError(f"{where} is a mapping of build options; allowed: {', '.join(allowed)}")
            unknown = sorted(set(options) - set(allowed))
            if unknown:
                raise ValueError(f"unknown build option(s) {', '.join(map(str, unknown))} in {where}; allowed: "
                                 f"{', '.join(allowed)}")
            try:  # every value checked now, not after an hour of other tasks
                BuildSettings(film_miller=(1, 0, 0), substrate_miller=(1, 0, 0), **options)
            except ValidationError as exc:
                err = exc.errors()[0]
                field = ".".join(map(str, err["loc"]))
                raise ValueError(f"{where}.{field}: {err['input']!r}: {err['msg'].lower()}") from None
        return value


class MDSpec(_Strict):
    temperatures: list[PositiveFloat] = Field(default_factory=lambda: [600.0], min_length=1)
    ps: PositiveFloat = 1.0
    timestep_fs: PositiveFloat = Field(2.0, le=10.0)
    equilibration_ps: NonNegativeFloat = 0.2
    max_atoms: int = Field(150, ge=2)
    pairs: list[str] = Field(default_factory=list, description="'anode|electrolyte' pairs; empty: all")


class StacksSpec(_Strict):
    """Three-layer stacks: anode | interlayer | electrolyte and electrolyte | coating | cathode (the study's
    ``interlayers`` and ``coatings``)."""

    adhesion: bool = Field(True, description="W_ad of each interlayer or coating with each neighbour (rigid), and "
                                             "Li's contact angle on each interlayer (needs σ of the anode's face)")
    relax: Literal["anode", "all", "none"] = Field(
        "anode", description="which stacks' interfaces are relaxed with their slabs (fixed cell): anode (the default: "
                             "Li's contact angle needs the relaxed contact; the cathode side's S8 and Li2S cells run "
                             "to 400–500 atoms and stay rigid), all, none (rigid W_ad; relaxed ones that react fall "
                             "back to rigid)")
    rigid: list[str] = Field(default_factory=list, description="materials whose stack pairs stay rigid whatever "
                             "relax says (e.g. LLZO: its pairs run to 400 atoms, and a relaxed 400-atom pair with "
                             "its separated halves is a cluster job, ~1 h on 2 cores)")
    md: bool | list[str] = Field(False, description="Li diffusivity in the bulk of each interlayer/coating from "
                                                   "MLIP MD with an Arrhenius fit: true for all, or a list of names; "
                                                   "false: 'not computed'")
    md_temperatures: list[PositiveFloat] = Field(default_factory=lambda: [800.0, 1000.0], min_length=2)
    md_ps: PositiveFloat = Field(2.0, description="ps per temperature (after equilibration_ps)")
    md_equilibration_ps: NonNegativeFloat = 0.5
    md_max_atoms: int = Field(120, ge=8, description="the bulk supercell's size")
    build: dict = Field(default_factory=lambda: {"film_thickness": 6.0, "substrate_thickness": 8.0,
                                                 "max_atoms": 200, "max_strain": 0.08, "vacuum": 12.0},
                        description="interface build options of the stacks' pairs (analyses.adhesion.overrides "
                                    "per material or pair apply on top)")


class AdsorptionSpec(_Strict):
    """Binding of Li2S and the polysulfides on the study's carbon host (``carbon_host``)."""

    molecules: list[Literal["Li2S", "Li2S4", "Li2S6", "Li2S8"]] = Field(
        default_factory=lambda: ["Li2S", "Li2S4", "Li2S6", "Li2S8"], min_length=1)
    dispersion: Literal["d3bj", "none"] = Field("d3bj", description="DFT-D3(BJ) for PBE added to the engine "
                                                                    "(simple-dftd3); none: the engine alone")
    rotations: list[float] = Field(default_factory=lambda: [0.0, 30.0], min_length=1,
                                   description="in-plane rotations (degrees) tried at each site")
    facings: list[Literal["Li", "S"]] = Field(default_factory=lambda: ["Li", "S"], min_length=1,
                                              description="element turned to the sheet, each tried at each site")


class Analyses(_Strict):
    window: Optional[StabilitySpec] = None
    reactions: Optional[StabilitySpec] = None
    adhesion: Optional[AdhesionSpec] = None
    md: Optional[MDSpec] = None
    mechanics: Optional[MechanicsSpec] = None
    stacks: Optional[StacksSpec] = None
    adsorption: Optional[AdsorptionSpec] = None


class Execution(_Strict):
    where: Literal["local", "fireworks"] = "local"
    resources: dict = Field(default_factory=dict, description="queue resources for FireWorks (walltime, nodes ...)")


class StudySpec(_Strict):
    name: str
    description: str = ""
    anodes: list[str] = Field(min_length=1)
    cathodes: list[str] = Field(default_factory=list)
    electrolytes: list[str] = Field(min_length=1)
    interlayers: list[str] = Field(default_factory=list, description="anode-side layers: anode | X | electrolyte")
    coatings: list[str] = Field(default_factory=list, description="cathode-side layers: electrolyte | X | cathode")
    carbon_host: Optional[Literal["graphene", "pyridinic-N-graphene"]] = Field(
        None, description="the cathode's carbon: Li2S and polysulfide binding on it (analyses.adsorption)")
    analyses: Analyses
    engine: str = "chgnet"
    engine_settings: dict = Field(default_factory=dict, description="overrides of configs/engines/<engine>.yaml")
    variant: Optional[Literal["experimental", "chgnet"]] = Field(
        None, description="ignored (kept so that older study files load): every analysis starts from the hull's "
                          "relaxed bulk of the library structure")
    store: Optional[str] = None
    execution: Execution = Field(default_factory=Execution)
    check_roles: bool = Field(True, description="false: any library material in any role (e.g. a metal | metal "
                                                "interface studied as anode | electrolyte); true refuses an element, "
                                                "metal or Li-free electrolyte and an insulating anode")
    known_phases_only: bool = Field(True, description="windows, reactions and electrode potentials from the hull "
                                                      "without the curated hypothetical phases (LiS4, Li2S2, P2S7 "
                                                      "...: configs/reference/phase_status.yaml); false keeps them")

    @property
    def mechanics_engine(self) -> str:
        """The engine of the elastic tensors: analyses.mechanics.engine, else the study's."""
        return (self.analyses.mechanics.engine if self.analyses.mechanics else None) or self.engine

    @field_validator("anodes", "cathodes", "electrolytes", "interlayers", "coatings")
    @classmethod
    def _known(cls, names: list[str], info) -> list[str]:
        known = [_material(n, info.field_name) for n in names]
        twice = sorted({n for n in known if known.count(n) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} listed twice in {info.field_name} (as "
                             f"{' and '.join(repr(n) for n, k in zip(names, known) if k == twice[0])}): each "
                             "material once")
        return known

    @field_validator("engine")
    @classmethod
    def _engine(cls, name: str) -> str:
        if name.lower() not in engine_names():
            raise ValueError(f"unknown engine {name!r} in engine; allowed: {', '.join(engine_names())}")
        return name.lower()

    @model_validator(mode="after")
    def _consistent(self):
        for role in ("anodes", "electrolytes") if self.check_roles else ():
            for name in getattr(self, role):
                problem = _role_problem(name, role)
                if problem:
                    raise ValueError(f"{problem}; remove it from {role} (or set check_roles: false)")
        config = engine_config(self.engine)
        optional = {"model_path"} if config.get("kind") == "forcefield" else set()  # not in the YAML: no default
        unknown = sorted(set(self.engine_settings) - set(config) - optional)
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(unknown)} in engine_settings; allowed: "
                             f"{', '.join(sorted(k for k in engine_config(self.engine) if k not in ('name', 'kind')))}")
        for name in [*self.anodes, *self.cathodes, *self.electrolytes]:  # a glass: window and reactions only
            mat = get_material(name)
            md_pairs = self.analyses.md.pairs if self.analyses.md else []
            need = [k for k in ("adhesion", "mechanics") if getattr(self.analyses, k)] + (
                ["md"] if self.analyses.md and (not md_pairs or any(name in p.split("|") for p in md_pairs)) else [])
            if need and not mat.has_structure:
                raise ValueError(f"{mat.no_structure(' and '.join(need))}; remove those analyses from this study")
        if self.analyses.md:
            allowed = [f"{a}|{e}" for a in self.anodes for e in self.electrolytes]
            for pair in self.analyses.md.pairs:
                if pair not in allowed:
                    raise ValueError(f"unknown pair {pair!r} in analyses.md.pairs; allowed: {', '.join(allowed)}")
        layers = [*self.interlayers, *self.coatings]
        if layers and not self.analyses.stacks:
            raise ValueError("interlayers and coatings go with analyses.stacks (e.g. `stacks: {}`)")
        if self.analyses.stacks:
            if not layers:
                raise ValueError("analyses.stacks needs interlayers (anode side) or coatings (cathode side)")
            if self.coatings and not self.cathodes:
                raise ValueError("coatings sit between the electrolyte and a cathode: add cathodes")
            md = self.analyses.stacks.md
            for name in md if isinstance(md, list) else []:
                if _material(name, "analyses.stacks.md") not in layers:
                    raise ValueError(f"{name!r} in analyses.stacks.md is not an interlayer or coating; allowed: "
                                     f"{', '.join(layers)}")
            study_materials = {*self.anodes, *self.cathodes, *self.electrolytes, *layers}
            rigid = [_material(name, "analyses.stacks.rigid") for name in self.analyses.stacks.rigid]
            for name, known in zip(self.analyses.stacks.rigid, rigid):
                if known not in study_materials:
                    raise ValueError(f"{name!r} in analyses.stacks.rigid is not a material of this study; allowed: "
                                     f"{', '.join(sorted(study_materials))}")
            self.analyses.stacks.rigid = rigid
            for name in md if isinstance(md, list) else []:  # a layer known by composition only has no bulk cell
                if not get_material(name).has_structure:
                    raise ValueError(f"{get_material(name).no_structure('analyses.stacks.md')}; remove it from "
                                     "analyses.stacks.md")
        if self.analyses.adsorption and not self.carbon_host:
            raise ValueError("analyses.adsorption needs carbon_host (graphene or pyridinic-N-graphene)")
        if self.analyses.adhesion:
            for name in self.analyses.adhesion.miller:
                _material(name, "analyses.adhesion.miller")
            for key in self.analyses.adhesion.overrides:
                for name in key.split("|"):
                    _material(name.strip(), "analyses.adhesion.overrides")
        return self


def _one_line(exc: ValidationError, source: str) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        parent = err["loc"][:-1]
        model = StudySpec
        for part in parent:
            model = model.model_fields[str(part)].annotation
            model = next((a for a in getattr(model, "__args__", ()) if isinstance(a, type)), model)
        allowed = ", ".join(model.model_fields)
        what = "analysis" if parent == ("analyses",) else "key"
        return f"{source}: unknown {what} {err['loc'][-1]!r} in {'.'.join(map(str, parent)) or 'the study'}; " \
               f"allowed: {allowed}"
    msg = err["msg"].removeprefix("Value error, ")
    plain = not where or msg.startswith(("unknown", where))
    return f"{source}: {msg}" if plain else f"{source}: {where}: {msg}"


def study_path(name_or_path: str | Path) -> Path:
    """A study file by path, or by name: the user's studies (settings ``user_studies_dir``), then
    ``configs/studies``."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    folders = [Path(f) for f in (settings().user_studies_dir,) if f] + [STUDY_DIR]
    for folder in folders:
        named = folder / f"{name_or_path}.yaml"
        if named.is_file():
            return named
    known = ", ".join(sorted({p.stem for folder in folders for p in folder.glob("*.yaml")}))
    raise InputError(f"no study file {str(name_or_path)!r} (named studies: {known})")


def load_study(name_or_path: str | Path) -> StudySpec:
    """Read and validate a study; one-line :class:`InputError` naming the bad key and the allowed values."""
    path = study_path(name_or_path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except DuplicateKeyError as exc:
        raise InputError(f"{path}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: a study is a YAML mapping (name, anodes, electrolytes, analyses ...)")
    try:
        return StudySpec(**data)
    except ValidationError as exc:
        raise InputError(_one_line(exc, path.name)) from None


def pair_overrides(adhesion: AdhesionSpec, electrode: str, electrolyte: str) -> dict:
    """The build options the overrides set for one pair: the electrolyte's, the electrode's, then the pair
    ``electrode|electrolyte``'s on top (without ``build``)."""
    o = adhesion.overrides
    return {**o.get(electrolyte, {}), **o.get(electrode, {}), **o.get(f"{electrode}|{electrolyte}", {})}


def build_options(adhesion: AdhesionSpec, electrode: str, electrolyte: str) -> dict:
    """The interface build options of one pair: ``build`` with :func:`pair_overrides` on top."""
    return {**adhesion.build, **pair_overrides(adhesion, electrode, electrolyte)}


@dataclass
class StudyTask:
    """One unit of a study: an analysis of one material or pair."""

    analysis: str  # hull, window, reactions, mechanics, surface, adhesion, md
    materials: tuple[str, ...]
    options: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        what = "|".join(self.materials) if self.analysis != "hull" else ", ".join(self.materials)
        if "miller" in self.options:
            what += "(" + " ".join(map(str, self.options["miller"])) + ")"
        if "facet_ranks" in self.options:  # the n-th lowest-σ facet of each side (1: the lowest)
            what += " facets " + ",".join(str(r + 1) for r in self.options["facet_ranks"])
        return f"{self.analysis} {what}"


def adhesion_relaxes(spec: StudySpec, task: StudyTask) -> bool:
    """Whether an adhesion task relaxes its interface: a stack's pair per ``stacks.relax`` (set on the task by
    :func:`plan`), any other pair per ``adhesion.relax``."""
    if task.options.get("stack"):
        return bool(task.options.get("relax"))
    return bool(spec.analyses.adhesion and spec.analyses.adhesion.relax)


def study_elements(spec: StudySpec) -> list[str]:
    """Elements of every material of the study (the hull's chemical system)."""
    from pymatgen.core import Composition

    names = [*spec.anodes, *spec.cathodes, *spec.electrolytes]
    return sorted({el.symbol for n in names for el in Composition(get_material(n).formula).elements} | {"Li"})


def study_systems(spec: StudySpec) -> list[str]:
    """The chemical systems the study's windows and reactions need (largest only: subsystems are inside):
    each electrolyte with Li, and each electrode | electrolyte pair with Li."""
    from pymatgen.core import Composition

    def elements(*names):
        return frozenset({el.symbol for n in names for el in Composition(get_material(n).formula).elements} | {"Li"})

    sets = {elements(e) for e in spec.electrolytes}
    if spec.analyses.reactions:
        sets |= {elements(x, e) for e in spec.electrolytes for x in [*spec.anodes, *spec.cathodes]}
    if spec.analyses.stacks:
        for layer, electrode, electrolyte in stacks(spec):
            sets |= {elements(layer, electrode), elements(layer, electrolyte)}
    maximal = [s for s in sets if not any(s < other for other in sets)]
    return sorted("-".join(sorted(s)) for s in maximal)


def stacks(spec: StudySpec) -> list[tuple[str, str, str]]:
    """(layer, electrode, electrolyte) of every stack: each interlayer with each anode and electrolyte, each
    coating with each cathode and electrolyte."""
    return ([(x, a, e) for x in spec.interlayers for a in spec.anodes for e in spec.electrolytes]
            + [(x, c, e) for x in spec.coatings for c in spec.cathodes for e in spec.electrolytes])


def stack_pairs(spec: StudySpec) -> list[tuple[str, str]]:
    """The (film, substrate) interfaces of the stacks: electrode on X, X on electrolyte (each once); none for a
    layer known by composition only (a glass: its window and reactions come from the hull, W_ad needs atoms)."""
    pairs = []
    for layer, electrode, electrolyte in stacks(spec):
        if get_material(layer).has_structure:
            pairs += [(electrode, layer), (layer, electrolyte)]
    return list(dict.fromkeys(pairs))


def stack_md_layers(spec: StudySpec) -> list[str]:
    """The layers whose bulk Li diffusivity the study computes (``md: true``: every layer with a structure)."""
    md = spec.analyses.stacks.md if spec.analyses.stacks else False
    layers = [*spec.interlayers, *spec.coatings]
    if md is True:
        return [n for n in layers if get_material(n).has_structure]
    return [n for n in layers if n in (md or [])]


def surface_millers(adhesion: AdhesionSpec, name: str) -> list[tuple[int, int, int]]:
    """The faces whose surface energies a study computes for ``name``: its Miller index, else every distinct facet
    with max index 1."""
    if name in adhesion.miller:
        return [tuple(adhesion.miller[name])]
    from pymatgen.core.surface import get_symmetrically_distinct_miller_indices


    return [tuple(m) for m in get_symmetrically_distinct_miller_indices(load(name, "experimental"), 1)]


def facet_ranks(adhesion: AdhesionSpec, name: str) -> list[int]:
    """Which of ``name``'s lowest-σ facets (0: the lowest) its adhesions use: one where it has a Miller index or
    no surface energies are computed, else the first ``facets`` of its distinct facets."""
    if not adhesion.surfaces or name in adhesion.miller or adhesion.facets == 1:
        return [0]
    return list(range(min(adhesion.facets, len(surface_millers(adhesion, name)))))


def adhesion_tasks(adhesion: AdhesionSpec, pairs: list[tuple[str, str]]) -> list[StudyTask]:
    """One adhesion per pair, or per combination of the sides' lowest-σ facets (``facets`` > 1)."""
    tasks = []
    for film, substrate in pairs:
        combos = [(i, j) for i in facet_ranks(adhesion, film) for j in facet_ranks(adhesion, substrate)]
        tasks += [StudyTask("adhesion", (film, substrate), {"facet_ranks": c} if len(combos) > 1 else {})
                  for c in combos]
    return tasks


def plan(spec: StudySpec) -> list[StudyTask]:
    """The study's tasks in the order they run (the hull first; Li's mechanics before the electrolytes')."""
    a = spec.analyses
    tasks: list[StudyTask] = []
    if a.window or a.reactions:
        tasks.append(StudyTask("hull", tuple(study_systems(spec))))
    if a.window:
        tasks += [StudyTask("window", (e,)) for e in spec.electrolytes]
    if a.reactions:
        tasks += [StudyTask("reactions", (x, e)) for e in spec.electrolytes for x in [*spec.anodes, *spec.cathodes]]
    if a.mechanics:
        names = ["Li"] + [n for n in [*spec.anodes, *spec.electrolytes] if n != "Li"]
        tasks += [StudyTask("mechanics", (n,)) for n in names]
    if a.adhesion:
        sides = {"anode|electrolyte": spec.anodes, "cathode|electrolyte": spec.cathodes,
                 "all": [*spec.anodes, *spec.cathodes]}[a.adhesion.pairs]
        if a.adhesion.surfaces:  # each face the adhesion uses, or every facet where no Miller index is given
            for name in [*dict.fromkeys([*sides, *spec.electrolytes])]:
                tasks += [StudyTask("surface", (name,), {"miller": tuple(hkl)})
                          for hkl in surface_millers(a.adhesion, name)]
        tasks += adhesion_tasks(a.adhesion, [(x, e) for e in spec.electrolytes for x in sides])
    if a.md:
        pairs = a.md.pairs or [f"{x}|{e}" for e in spec.electrolytes for x in spec.anodes]
        tasks += [StudyTask("md", tuple(p.split("|"))) for p in pairs]
    if a.stacks:
        layers = [*spec.interlayers, *spec.coatings]
        if not (a.window or a.reactions):
            tasks.insert(0, StudyTask("hull", tuple(study_systems(spec))))
        tasks += [StudyTask("window", (x,)) for x in layers if x not in spec.electrolytes]
        if a.stacks.adhesion:
            if spec.interlayers:  # σ of each anode's face: Li's contact angle on each interlayer
                adhesion = a.adhesion or AdhesionSpec()
                tasks += [StudyTask("surface", (n,), {"miller": tuple(adhesion.miller.get(n, (1, 0, 0)))})
                          for n in spec.anodes if not any(t.analysis == "surface" and t.materials == (n,)
                                                          for t in tasks)]
            done = {t.materials for t in tasks if t.analysis == "adhesion"}
            anode_side = {p for x, e, lyte in stacks(spec) if e in spec.anodes for p in ((e, x), (x, lyte))}
            rigid = set(a.stacks.rigid)
            tasks += [StudyTask("adhesion", p, {"stack": True, "relax": not rigid & set(p) and (
                a.stacks.relax == "all" or (a.stacks.relax == "anode" and p in anode_side))})
                for p in stack_pairs(spec) if p not in done]
        tasks += [StudyTask("diffusion", (x,)) for x in stack_md_layers(spec)]
        tasks += [StudyTask("stack", s) for s in stacks(spec)]
    if a.adsorption:
        tasks += [StudyTask("adsorption", (spec.carbon_host, m)) for m in a.adsorption.molecules]
    return tasks
