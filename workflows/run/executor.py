"""One executor for every analysis: run here (``jobflow.run_locally``) or send to FireWorks, skipping what is
stored (and, on FireWorks, what is queued). The CLI commands and the study runner all go through it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import ssbi.workflows.run.fireworks as fw
from ssbi.interfaces.errors import SSBIError
from ssbi.workflows.run.analyses import Analysis
from ssbi.workflows.run.local import run_flow
from ssbi.workflows.run.no_match import forget, no_match_message, remember, remembered
from ssbi.workflows.store.lookup import is_already_stored, remove_set_aside, restore_set_aside, set_aside


@dataclass
class Outcome:
    analysis: Analysis
    status: str  # stored, done, failed, submitted, queued
    seconds: float = 0.0
    message: str = ""
    uuids: list[str] = field(default_factory=list)
    workflow: Optional[int] = None
    task: Optional[Any] = None  # the study task it belongs to (ssbi.workflows.study.spec.StudyTask)


class Executor:
    """Runs or submits analyses against ``store``; ``force`` recomputes (or resubmits) stored ones;
    ``retry_no_match`` builds again the pairs remembered with no interface cell, keeping what is stored."""

    def __init__(self, store, force: bool = False, retry_no_match: bool = False):
        self.store, self.force, self.retry_no_match = store, force, retry_no_match

    def run_one(self, analysis: Analysis) -> Outcome:
        """Stored: its ids; otherwise its flow runs here and its results are collected."""
        start = time.time()
        aside: list[str] = []
        try:
            if analysis.derived:
                return Outcome(analysis, "done", time.time() - start, uuids=analysis.run_here(self.store))
            found = None if self.force else analysis.collect(self.store)
            if found is not None:
                return Outcome(analysis, "stored", time.time() - start, uuids=found)
            retry = self.force or self.retry_no_match
            known = None if retry or analysis.kind != "adhesion" else remembered(analysis.fingerprints())
            if known is not None:
                return Outcome(analysis, "failed", time.time() - start,
                               message=f"{known['message']} (as found {known['at']}; --force builds again)")
            flow = analysis.flow(self.store)
            if self.force:
                aside = [fp for fp in analysis.fingerprints() if set_aside(self.store, fp)]
            try:
                run_flow(flow, self.store)
            except BaseException:
                for fp in aside:
                    restore_set_aside(self.store, fp)
                raise
            for fp in aside:
                remove_set_aside(self.store, fp)
            if retry and analysis.kind == "adhesion":
                forget(analysis.fingerprints())
            return Outcome(analysis, "done", time.time() - start, uuids=analysis.collect(self.store) or [])
        except (SSBIError, ValueError, RuntimeError) as exc:
            message = str(exc).splitlines()[0][:300]
            if analysis.kind == "adhesion" and (no_cell := no_match_message(exc)) is not None:
                remember(analysis.fingerprints(), no_cell)
            found = analysis.collect(self.store) if is_already_stored(message) else None
            if found is not None:  # a concurrent identical run stored it first
                return Outcome(analysis, "stored", time.time() - start, uuids=found,
                               message="already stored by a concurrent run")
            return Outcome(analysis, "failed", time.time() - start, message=message)

    def run(self, analyses: Sequence[Analysis], on_start: Callable[[Analysis], None] = lambda a: None,
            on_end: Callable[[Outcome], None] = lambda o: None) -> list[Outcome]:
        """Each in order (later ones may read what earlier ones stored)."""
        outcomes = []
        for analysis in analyses:
            on_start(analysis)
            outcome = self.run_one(analysis)
            outcomes.append(outcome)
            on_end(outcome)
        return outcomes

    def submit(self, analyses: Sequence[Analysis], launchpad, resources: Optional[dict] = None,
               metadata: Optional[dict] = None) -> list[Outcome]:
        """One FireWorks workflow per analysis not stored and not queued (derived ones follow locally)."""
        outcomes = []
        for analysis in analyses:
            if analysis.derived:
                continue
            found = None if self.force else analysis.collect(self.store)
            if found is not None:
                outcomes.append(Outcome(analysis, "stored", uuids=found))
                continue
            fps = analysis.fingerprints()
            if self.force:  # the worker's result takes the fingerprint; the old one is kept, set aside
                for fp in fps:
                    set_aside(self.store, fp)
            active = sorted({wf for fp in fps for wf in fw.find_active(launchpad, fp)})
            if active and not self.force:
                outcomes.append(Outcome(analysis, "queued", message=f"workflow {active[0]} (already queued)",
                                        workflow=active[0]))
                continue
            meta = {**analysis.metadata(), **(metadata or {}), "ssbi_fingerprints": fps}
            wf_id = fw.submit(launchpad, analysis.flow(self.store), fps[0], meta, resources=resources)
            outcomes.append(Outcome(analysis, "submitted", message=f"workflow {wf_id}", workflow=wf_id))
        return outcomes
