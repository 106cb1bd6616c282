"""``ssbi adsorb``: a molecule (Li2S, Li2Sn) on a carbon host, stored, run here or sent to FireWorks."""

from __future__ import annotations

from typing import Callable, Optional

from ssbi.interfaces.adsorption import HOSTS, MOLECULES
from ssbi.interfaces.errors import InputError
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.flows.adsorption import AdsorptionMaker
from ssbi.workflows.run.analyses import AdsorptionAnalysis
from ssbi.workflows.run.requests import Request, _docs, execute
from ssbi.workflows.store.jobstore import describe, open_store
from ssbi.workflows.store.lookup import find_result


def adsorb(molecule: str, host: str, engine: str = "chgnet", dispersion: str = "d3bj", repeat: int = 6,
           store: Optional[str] = None, force: bool = False, submit: bool = False,
           progress: Callable[[str], None] = lambda stage: None, rotations: tuple[float, ...] = (0.0, 30.0),
           facings: tuple[str, ...] = ("Li", "S")) -> Request:
    """The most stable placement of ``molecule`` on ``host`` and its binding energy (checked before any job)."""
    if molecule not in MOLECULES:
        raise InputError(f"unknown molecule {molecule!r}; allowed: {', '.join(MOLECULES)}")
    if host not in HOSTS:
        raise InputError(f"unknown carbon host {host!r}; allowed: {', '.join(HOSTS)}")
    if dispersion not in ("d3bj", "none"):
        raise InputError(f"unknown dispersion {dispersion!r}; allowed: d3bj, none")
    bad = [f for f in facings if f not in ("Li", "S")]
    if bad or not facings:
        raise InputError("facing takes Li and/or S (the element turned to the sheet), not "
                         f"{','.join(bad) or 'nothing'}")
    if not rotations or any(not 0 <= r < 360 for r in rotations):
        raise InputError(f"rotations are degrees in [0, 360), not {','.join(f'{r:g}' for r in rotations) or 'none'}")
    job_store = open_store(store)
    eng = get_engine(engine)
    if not eng.in_process_md:
        raise InputError(f"adsorption searches run with a machine-learned potential (chgnet, sevennet), not "
                         f"{eng.name}: the DFT check of one configuration is benchmarks/adsorption_cp2k.py")
    eng.check()
    maker = AdsorptionMaker(engine=eng, dispersion=dispersion, repeat=repeat, rotations=tuple(map(float, rotations)),
                            facings=tuple(facings))
    analysis = AdsorptionAnalysis(host, molecule, maker)
    if not force and find_result(job_store, analysis.fingerprints()[0]):
        progress("already stored")
    else:
        progress(f"{analysis.label}: relaxing host, molecule and {len(maker.rotations) * len(maker.facings)} "
                 "placements per site")
    outcome = execute(analysis, job_store, force, submit)
    return Request(analysis, outcome, describe(store), _docs(job_store, analysis, outcome))
