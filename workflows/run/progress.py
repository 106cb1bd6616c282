"""How far a submitted study has got: per analysis, its workflows done, running, waiting or failed; each running
one's queue job and log, each failed one's last error line (``ssbi status --study``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import ssbi.workflows.run.fireworks as fw

RUNNING = ("RUNNING", "RESERVED")
WAITING = ("READY", "WAITING", "PAUSED", "DEFUSED")
ANALYSIS_NAMES = {"phase_diagram": "hull", "aimd": "md"}


@dataclass
class StudyProgress:
    study: str
    counts: dict[str, Counter] = field(default_factory=dict)  # analysis -> {done, running, waiting, failed}
    running: list[dict] = field(default_factory=list)  # workflow, name, firework, job_id, host, log
    failed: list[dict] = field(default_factory=list)  # workflow, name, firework, error


def _collections(study: str) -> tuple[list[dict], list[dict], list[dict]]:
    """The study's workflows, their Fireworks and launches (the embedded LaunchPad read from its file)."""
    if fw.is_local():
        db_file = fw.local_file()
        db = fw.local_collections(db_file) if db_file.is_file() and db_file.stat().st_size > 2 else {}
        wfs = [w for w in db.get("workflows", []) if w.get("metadata", {}).get("study") == study]
        nodes = {n for w in wfs for n in w["nodes"]}
        fws = [f for f in db.get("fireworks", []) if f["fw_id"] in nodes]
        launch_ids = {i for f in fws for i in f.get("launches", [])}
        return wfs, fws, [la for la in db.get("launches", []) if la["launch_id"] in launch_ids]
    with fw.launchpad() as lp:
        wfs = list(lp.workflows.find({"metadata.study": study}))
        fws = list(lp.fireworks.find({"fw_id": {"$in": [n for w in wfs for n in w["nodes"]]}}))
        launches = list(lp.launches.find({"launch_id": {"$in": [i for f in fws for i in f.get("launches", [])]}}))
    return wfs, fws, launches


def _last_error_line(launch: dict) -> str:
    exc = ((launch.get("action") or {}).get("stored_data") or {}).get("_exception") or {}
    lines = [line.strip() for line in str(exc.get("_stacktrace") or exc.get("_details") or "").splitlines()
             if line.strip()]
    return lines[-1][:300] if lines else "no error recorded"


def study_progress(study: str) -> StudyProgress:
    """Where the workflows ``ssbi run STUDY --submit`` sent stand."""
    wfs, fws, launches = _collections(study)
    fw_by_id = {f["fw_id"]: f for f in fws}
    launch_by_id = {la["launch_id"]: la for la in launches}
    progress = StudyProgress(study)
    for wf in sorted(wfs, key=lambda w: w["nodes"][0]):
        kind = str(wf.get("metadata", {}).get("ssbi_kind", "calculation")).removesuffix("-group")
        analysis = ANALYSIS_NAMES.get(kind, kind)
        members = [fw_by_id[n] for n in wf["nodes"] if n in fw_by_id]
        states = {f["state"] for f in members}
        if states <= {"COMPLETED"}:
            bucket = "done"
        elif "FIZZLED" in states:
            bucket = "failed"
        elif states & set(RUNNING):
            bucket = "running"
        else:
            bucket = "waiting"
        progress.counts.setdefault(analysis, Counter())[bucket] += 1
        for member in members:
            member_launches = [launch_by_id[i] for i in member.get("launches", []) if i in launch_by_id]
            row = {"workflow": wf["nodes"][0], "name": wf["name"], "firework": member["name"]}
            if member["state"] in RUNNING:
                job = ((member_launches[-1].get("fworker") or {}).get("env") or {}).get("ssbi_job", {}) \
                    if member_launches else {}
                progress.running.append({**row, "job_id": job.get("job_id") or "-", "host": job.get("host") or "-",
                                         "log": job.get("log") or (member_launches[-1].get("launch_dir", "-")
                                                                   if member_launches else "-")})
            elif member["state"] == "FIZZLED":
                error = _last_error_line(member_launches[-1]) if member_launches else "no launch recorded"
                progress.failed.append({**row, "error": error})
    return progress
