"""``ssbi gap``: a DFT band gap spot check of one bulk phase, stored, run here or sent to FireWorks (the stored
gaps then override the shipped table: :mod:`ssbi.workflows.store.band_gaps`)."""

from __future__ import annotations

from typing import Callable, Optional

from ssbi.workflows.run.analyses import BandGapAnalysis
from ssbi.workflows.run.requests import Request, _docs, _runs_here_or_submitted, execute
from ssbi.workflows.store.jobstore import describe, open_store
from ssbi.workflows.store.lookup import find_result


def band_gap(material: str, engine: str = "cp2k", store: Optional[str] = None, force: bool = False,
             submit: bool = False, progress: Callable[[str], None] = lambda stage: None) -> Request:
    """The DFT band gap of ``material`` (library name, reference id or structure file), checked before any job."""
    analysis = BandGapAnalysis.of(material, engine)
    _runs_here_or_submitted(analysis.maker.resolved, submit, "use --submit to send it to HPC")
    job_store = open_store(store)
    if not force and find_result(job_store, analysis.fingerprints()[0]):
        progress("already stored")
    else:
        progress(f"{analysis.label}: single point of {len(analysis.structure)} atoms with its DOS")
    outcome = execute(analysis, job_store, force, submit)
    return Request(analysis, outcome, describe(store), _docs(job_store, analysis, outcome))
