"""Running flows locally, finding and removing stored results, and the analysis of one calculation."""

from __future__ import annotations

import logging
from typing import Optional

from jobflow import Flow, JobStore, run_locally
from pymatgen.core import Structure

from interfaces.errors import InputError, SSBIError
from workflows.engines import TARGETS, get_engine
from workflows.paths import data_dir

CALC_KINDS = ("relax", "static")


class RunFailedError(SSBIError):
    """A job raised; the message is its last error line."""


def calc_analysis(kind: str, material: str, engine="chgnet", target: str = "bulk", variant: str = "experimental",
                  study: Optional[str] = None, structure: Optional[Structure] = None):
    """Check the engine and the input; the :class:`~workflows.analyses.CalcAnalysis` of ``kind`` of ``material``
    (library name or structure file)."""
    from interfaces.materials import get_material, load
    from workflows.analyses import CalcAnalysis

    if kind not in CALC_KINDS:
        raise InputError(f"unknown calculation {kind!r}; choose one of: {', '.join(CALC_KINDS)}")
    if target not in TARGETS:
        raise InputError(f"unknown target {target!r}; choose one of: {', '.join(TARGETS)}")
    eng = get_engine(engine)
    eng.check()
    if structure is None:
        structure = load(material, variant)
        try:
            name = get_material(material).name
        except SSBIError:
            name = structure.composition.reduced_formula
        else:
            if target == "bulk" and variant == "experimental":
                from workflows.bulks import bulk_cell

                structure = bulk_cell(name)  # the hull's bulk: one relaxation per material and engine
    else:
        name = material
    return CalcAnalysis(kind, structure, name, engine=eng.spec, target=target, study=study)


def find_result(store: JobStore, fingerprint: str) -> Optional[dict]:
    """The newest stored result document with this fingerprint, if any."""
    return store.query_one({"output.fingerprint": fingerprint}, properties=["uuid", "output", "completed_at"],
                           load=False, sort={"completed_at": -1})


SET_ASIDE_FIELD = "output.superseded_fingerprint"


def _update_fields(store: JobStore, criteria: dict, set_fields: dict, unset: tuple[str, ...]) -> int:
    docs = store.docs_store
    if hasattr(docs, "update_fields"):  # the embedded SQLite store
        return docs.update_fields(criteria, set_fields, unset)
    change: dict = {"$set": set_fields} if set_fields else {}
    if unset:
        change["$unset"] = {k: "" for k in unset}
    return docs._collection.update_many(criteria, change).modified_count


def set_aside(store: JobStore, fingerprint: str) -> list[str]:
    """Before a forced re-run: the stored results of ``fingerprint`` give it up (moved to
    ``output.superseded_fingerprint``), so the new result can be stored under it; nothing is deleted yet."""
    uuids = [d["uuid"] for d in store.query({"output.fingerprint": fingerprint}, properties=["uuid"], load=False)]
    if uuids:
        _update_fields(store, {"uuid": {"$in": uuids}, "output.fingerprint": fingerprint},
                       {SET_ASIDE_FIELD: fingerprint}, ("output.fingerprint",))
    return uuids


def restore_set_aside(store: JobStore, fingerprint: str) -> None:
    """The forced re-run failed: the results set aside take their fingerprint back."""
    _update_fields(store, {SET_ASIDE_FIELD: fingerprint}, {"output.fingerprint": fingerprint}, (SET_ASIDE_FIELD,))


def remove_set_aside(store: JobStore, fingerprint: str) -> int:
    """The forced re-run is stored: delete the results it replaced and their engine task documents."""
    docs = list(store.query({SET_ASIDE_FIELD: fingerprint}, properties=["uuid", "output.task_uuid"], load=False))
    for doc in docs:
        task_uuid = doc.get("output", {}).get("task_uuid")
        if task_uuid:
            store.remove_docs({"uuid": task_uuid})
        store.remove_docs({"uuid": doc["uuid"]})
    return len(docs)


def is_already_stored(message: str) -> bool:
    """A run lost the race to its concurrent twin (unique fingerprint on SQLite or MongoDB)."""
    return "already stored:" in message or ("E11000" in message and "fingerprint" in message)


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.failures: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if "failed with exception" in message:
            lines = [ln for ln in message.splitlines() if ln.strip()]
            self.failures.append(lines[-1] if lines else message)


def run_flow(flow: Flow, store: JobStore) -> dict:
    """Run ``flow`` in this process into ``store`` (jobflow ``run_locally``).

    Job folders go under ``<data dir>/runs``. Raises :class:`RunFailedError` with
    the failing job's error when any job fails.
    """
    root = data_dir() / "runs"
    root.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger("jobflow")
    capture = _Capture()
    logger.addHandler(capture)
    level, logger.level = logger.level, logging.INFO
    try:
        responses = run_locally(flow, store=store, root_dir=root, create_folders=True, log=False,
                                ensure_success=False)
    finally:
        logger.removeHandler(capture)
        logger.setLevel(level)
    if capture.failures or any(job.uuid not in responses for job, _ in flow.iterflow()):
        reason = capture.failures[0] if capture.failures else "a job did not run"
        raise RunFailedError(f"{flow.name} failed: {reason} (job folders under {root})")
    return responses
