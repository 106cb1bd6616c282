"""Ranking of electrolytes (or interlayers) for a cell: a stated rule with an error threshold.

Each candidate has one :class:`Side` per electrode it touches (anode, cathode), each with the interphase that
forms there (Wenzel/Janek: stable, passivating, undetermined, mixed-conducting, which keeps growing) and its
reaction energy (eV/atom, < 0 when it reacts). A reaction weaker than the engine's reaction-energy error
(:func:`reaction_threshold`, from the validation table) is "stable within the model's error": that side counts as
stable and its energy as zero. The default rule ranks by the **weakest side** (a cell fails at its worst
interface): its interphase class, then the Monroe–Newman verdict, then the size of its reaction, then the other
side. :class:`RankingSettings` holds the rule (``rank_by``) and :func:`rule_text` says it in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal, Optional, Sequence

import yaml
from pydantic import BaseModel, Field, NonNegativeFloat

from ssbi.configs import CONFIG_DIR

REACTION_ERROR_FILE = CONFIG_DIR / "reference" / "reaction_error.yaml"
RANK_BY = ("weakest-side", "anode", "cathode", "dendrite", "adhesion")
STABLE_WITHIN_ERROR = "stable within error"


@lru_cache(maxsize=2)
def _errors(path: str) -> dict:
    return yaml.safe_load(Path(path).read_text())


def reaction_threshold(engine: str, path: Path = REACTION_ERROR_FILE) -> tuple[float, str]:
    """(threshold in eV/atom, where it comes from) for ``engine``: the DFT spread of reaction energies (Hautier et
    al. 2012, 0.024) combined in quadrature with the engine's measured |MLIP − DFT| (validation table, block 6);
    DFT engines get the DFT spread alone; an unvalidated MLIP gets the largest measured error."""
    data = _errors(str(path))
    dft = float(data["dft_ev_atom"])
    engines = data["engines"]
    if engine in ("cp2k", "vasp"):
        return dft, f"DFT spread of reaction energies {dft:.3f} eV/atom (Hautier et al., PRB 85, 155208 (2012))"
    if engine in engines:
        mlip, how = float(engines[engine]["mlip_vs_dft"]), f"{engine} vs CP2K PBE"
    else:
        mlip = max(float(e["mlip_vs_dft"]) for e in engines.values())
        how = f"{engine} not validated: the largest measured MLIP error"
    value = math.hypot(dft, mlip)
    return round(value, 3), (f"√({dft:.3f}² + {mlip:.3f}²) = {value:.3f} eV/atom: DFT spread (Hautier et al., PRB 85, "
                             f"155208 (2012)) and |MLIP − DFT| ({how}, validation table block 6)")


class RankingSettings(BaseModel):
    rank_by: Literal["weakest-side", "anode", "cathode", "dendrite", "adhesion"] = Field(
        "weakest-side", description="weakest-side (default): the worse of the anode and cathode sides first; anode or "
                                    "cathode: that side only, then the other; dendrite: Monroe–Newman first; "
                                    "adhesion: W_ad with the anode, largest first")
    threshold_ev_atom: NonNegativeFloat = Field(0.0, description="reactions weaker than this (eV/atom) count as "
                                                                 "stable within the model's error")
    interphase_order: list[str] = Field(default_factory=lambda: ["stable", "passivating", "undetermined",
                                                                 "mixed-conducting"],
                                        description="best first; an interphase not listed sits with 'undetermined'")
    dendrite_before_reaction_energy: bool = Field(True, description="the Monroe–Newman verdict ranks before the "
                                                                    "size of the reaction")


@dataclass
class Side:
    """One interface of a candidate: the electrode, the interphase formed there and the reaction energy."""

    electrode: str
    interphase: Optional[str]  # None: not computed
    energy: Optional[float] = None  # eV/atom, most negative along the mixing ratio (or at the electrode's potential)


@dataclass
class Candidate:
    name: str
    interphase_anode: Optional[str] = None  # None: no reaction computed with the anode
    suppresses_dendrites: Optional[bool] = None  # None: no G/G_Li
    reaction_anode: Optional[float] = None  # eV/atom, most negative along the mixing ratio
    reaction_cathode: Optional[float] = None
    interphase_cathode: Optional[str] = None
    w_ad_anode: Optional[float] = None  # J/m²
    extra_sides: list[Side] = field(default_factory=list)  # further interfaces (an interlayer's second neighbour)

    def sides(self) -> list[Side]:
        out = []
        if self.interphase_anode is not None:
            out.append(Side("anode", self.interphase_anode, self.reaction_anode))
        if self.interphase_cathode is not None or self.reaction_cathode is not None:
            out.append(Side("cathode", self.interphase_cathode, self.reaction_cathode))
        return out + list(self.extra_sides)


def verdict(side: Side, threshold: float) -> str:
    """The side's interphase for the ranking: "stable within error" where the reaction is weaker than
    ``threshold`` (eV/atom), else its interphase type (a reaction energy without a type counts as undetermined)."""
    if side.interphase == "stable":
        return "stable"
    if side.energy is not None and side.energy > -threshold:
        return STABLE_WITHIN_ERROR
    return side.interphase or "undetermined"


def side_score(side: Optional[Side], settings: RankingSettings) -> tuple[int, float]:
    """(class index, size of the reaction) of a side: lower is better; a missing side sorts after every class."""
    order = settings.interphase_order
    if side is None:
        return len(order) + 1, 0.0
    v = verdict(side, settings.threshold_ev_atom)
    if v == STABLE_WITHIN_ERROR:
        v = "stable"
    unknown = order.index("undetermined") if "undetermined" in order else len(order)
    energy = 0.0 if v == "stable" or side.energy is None else -float(side.energy)
    return (order.index(v) if v in order else unknown), energy


def weakest(candidate: Candidate, settings: RankingSettings) -> Optional[Side]:
    """The side that fails first: the worst class, then the strongest reaction."""
    sides = candidate.sides()
    return max(sides, key=lambda s: side_score(s, settings)) if sides else None


def _key(c: Candidate, settings: RankingSettings) -> tuple:
    dendrite = 0 if c.suppresses_dendrites else 1
    sides = {s.electrode: s for s in c.sides()}
    anode, cathode = sides.get("anode"), sides.get("cathode")
    by = settings.rank_by
    if by == "weakest-side":
        worst = weakest(c, settings)
        others = sorted((side_score(s, settings) for s in c.sides() if s is not worst), reverse=True)
        first, size = side_score(worst, settings)
        return ((first, dendrite, size) if settings.dendrite_before_reaction_energy else (first, size, dendrite)) \
            + tuple(others)
    if by in ("anode", "cathode"):
        main, other = (anode, cathode) if by == "anode" else (cathode, anode)
        first, size = side_score(main, settings)
        head = (first, dendrite, size) if settings.dendrite_before_reaction_energy else (first, size, dendrite)
        return head + side_score(other, settings)
    if by == "dendrite":
        return (dendrite, *side_score(weakest(c, settings), settings))
    return (-(c.w_ad_anode if c.w_ad_anode is not None else -1.0), *side_score(weakest(c, settings), settings))


def rank(candidates: Sequence[Candidate], settings: RankingSettings = RankingSettings()) -> list[Candidate]:
    """The candidates best first (stable order for ties)."""
    return sorted(candidates, key=lambda c: _key(c, settings))


def rule_text(settings: RankingSettings, threshold_source: str = "") -> str:
    """The ranking rule in one paragraph (printed by `ssbi run` and in the report)."""
    classes = " < ".join(settings.interphase_order)
    within = (f"a reaction weaker than {settings.threshold_ev_atom:.3f} eV/atom counts as stable within the model's "
              f"error" + (f" ({threshold_source})" if threshold_source else ""))
    mn = "the Monroe–Newman verdict (G > 2 G_Li first)"
    size = "the size of that reaction (least negative first)"
    then = f"{mn}, then {size}" if settings.dendrite_before_reaction_energy else f"{size}, then {mn}"
    rule = {
        "weakest-side": f"ranked by the weakest side (a cell fails at its worst interface): the worse of the anode "
                        f"and cathode interphases ({classes}), then {then}, then the other side",
        "anode": f"ranked by the anode side: its interphase ({classes}), then {then}, then the cathode side",
        "cathode": f"ranked by the cathode side: its interphase ({classes}), then {then}, then the anode side",
        "dendrite": f"ranked by {mn}, then the weakest side's interphase ({classes}) and reaction size",
        "adhesion": "ranked by W_ad with the anode (largest first), then the weakest side's interphase and "
                    "reaction size",
    }[settings.rank_by]
    return f"Rule (--rank-by {settings.rank_by}): {rule}; {within}."
