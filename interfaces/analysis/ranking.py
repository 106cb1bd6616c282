"""Ranking of electrolytes for a cell: the order a study's summary table is printed in.

An electrolyte's :class:`Candidate` holds what decides its place: the interphase it
forms with the anode (Wenzel/Janek: stable, then passivating, then undetermined,
then mixed-conducting, which keeps growing), whether it meets the Monroe–Newman
criterion, and its reaction energies with the anode and the cathode (least negative
first). :class:`RankingSettings` holds that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from pydantic import BaseModel, Field


class RankingSettings(BaseModel):
    interphase_order: list[str] = Field(default_factory=lambda: ["stable", "passivating", "undetermined",
                                                                 "mixed-conducting"],
                                        description="best first; an interphase not listed sits with 'undetermined'")
    dendrite_before_reaction_energy: bool = Field(True, description="the Monroe–Newman verdict ranks before the "
                                                                    "reaction energy with the anode")


@dataclass
class Candidate:
    name: str
    interphase_anode: Optional[str] = None  # None: no reaction computed with the anode
    suppresses_dendrites: Optional[bool] = None  # None: no G/G_Li
    reaction_anode: Optional[float] = None  # eV/atom, most negative along the mixing ratio
    reaction_cathode: Optional[float] = None


def _key(c: Candidate, settings: RankingSettings) -> tuple:
    order = settings.interphase_order
    unknown = order.index("undetermined") if "undetermined" in order else len(order)
    interphase = (order.index(c.interphase_anode) if c.interphase_anode in order else unknown) \
        if c.interphase_anode is not None else len(order) + 1
    dendrite = 0 if c.suppresses_dendrites else 1
    anode = -(c.reaction_anode if c.reaction_anode is not None else -99.0)
    cathode = -(c.reaction_cathode if c.reaction_cathode is not None else -99.0)
    return (interphase, dendrite, anode, cathode) if settings.dendrite_before_reaction_energy else \
        (interphase, anode, dendrite, cathode)


def rank(candidates: Sequence[Candidate], settings: RankingSettings = RankingSettings()) -> list[Candidate]:
    """The candidates best first (stable order for ties)."""
    return sorted(candidates, key=lambda c: _key(c, settings))
