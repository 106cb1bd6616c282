"""A three-layer stack, electrode | X | electrolyte (an interlayer on the anode side, a coating on the cathode
side): each requirement X has to meet, met or failed, and the stack's rank by the weakest of its two interfaces.

The numbers come from the study's stored results (:mod:`ssbi.workflows.run.stacks` puts them together); here
they are judged: a reaction weaker than the engine's error threshold is stable within error
(:func:`ssbi.interfaces.analysis.ranking.verdict`), an interphase that conducts electrons fails, X that conducts
electrons does not block them, Li that does not wet X (θ ≥ 90°) plates as islands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ssbi.interfaces.analysis.ranking import (
    STABLE_WITHIN_ERROR,
    RankingSettings,
    Side,
    side_score,
    verdict,
)

# a side passes when its interphase stops growing: stable, stable within error or passivating
PASSING = ("stable", STABLE_WITHIN_ERROR, "passivating")
# Li in X must move: D above this at the MD temperature (cm²/s) to count as conducting through a thin layer
D_LI_MIN = 1e-7


@dataclass
class StackSides:
    """The two interfaces of X: with the electrode and with the electrolyte (each the worse of the closed reaction
    and the reaction open to Li at the electrode's potential)."""

    electrode: Side
    electrolyte: Side
    gap_kind: Optional[str] = None  # X's electronic character: insulator | semiconductor | metal | None (unknown)
    theta_deg: Optional[float] = None  # Li on X (anode side only)
    d_li: Optional[float] = None  # cm²/s, X's bulk at the highest MD temperature


def worse(a: Side, b: Optional[Side], settings: RankingSettings) -> Side:
    """The worse of two readings of one interface (closed and open to Li)."""
    if b is None:
        return a
    return b if side_score(b, settings) > side_score(a, settings) else a


def requirements(stack: StackSides, settings: RankingSettings, anode_side: bool) -> dict[str, Optional[bool]]:
    """Each requirement met (True), failed (False) or not computed (None)."""
    def passes(side: Side) -> Optional[bool]:
        if side.interphase is None and side.energy is None:
            return None
        return verdict(side, settings.threshold_ev_atom) in PASSING

    return {
        "stable_with_electrode": passes(stack.electrode),
        "stable_with_electrolyte": passes(stack.electrolyte),
        "blocks_electrons": None if stack.gap_kind is None else stack.gap_kind == "insulator",
        "wets": None if not anode_side or stack.theta_deg is None else stack.theta_deg < 90.0,
        "conducts_li": None if stack.d_li is None else stack.d_li >= D_LI_MIN,
    }


def failed(reqs: dict[str, Optional[bool]]) -> list[str]:
    return [k for k, v in reqs.items() if v is False]
