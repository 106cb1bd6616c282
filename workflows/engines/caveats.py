"""What each engine is known to get wrong, measured by ``benchmarks/validate_engines.py``.

``configs/reference/engine_caveats.yaml`` holds, per engine, one line per quantity of the study
report (windows, reactions, adhesion, mechanics, md) with the measured deviation. The report prints
the engine's lines next to the numbers they affect. Kept outside ``configs/engines/`` on purpose:
an engine's YAML is its identity (fingerprints, shipped entries), a caveat is documentation.
"""

from __future__ import annotations

from functools import lru_cache

import yaml

from ssbi.workflows.paths import CONFIG_DIR

CAVEATS_FILE = CONFIG_DIR / "reference" / "engine_caveats.yaml"
QUANTITIES = ("window", "reactions", "adhesion", "mechanics", "md")
# the report's columns each quantity affects
COLUMNS = {"window": ["window_V", "E_hull_meV", "oxidation_at_cathode", "rxn_cathode_V_eV_atom",
                      "interphase_alloy", "rxn_alloy_eV_atom"],
           "reactions": ["rxn_anode_eV_atom", "interphase_anode", "rxn_cathode_eV_atom", "interphase_cathode"],
           "adhesion": ["W_ad_anode_J_m2", "W_ad_cathode_J_m2", "W_ad_by_electrode"],
           "mechanics": ["G_GPa", "G_over_G_Li", "dendrite_verdict"],
           "md": ["md_growth_rate", "md_growth_law", "md_intact_PS4", "md_D_interface_over_bulk"]}


@lru_cache(maxsize=1)
def _all() -> dict:
    data = yaml.safe_load(CAVEATS_FILE.read_text()) if CAVEATS_FILE.is_file() else {}
    return data.get("engines", {})


def engine_caveats(engine: str) -> dict[str, str]:
    """{quantity: measured caveat} of ``engine`` (empty when it has not been validated)."""
    return {q: str(t).strip() for q, t in (_all().get(engine) or {}).items() if q in QUANTITIES and t}


def validation_source() -> str:
    data = yaml.safe_load(CAVEATS_FILE.read_text()) if CAVEATS_FILE.is_file() else {}
    return data.get("source", "")
