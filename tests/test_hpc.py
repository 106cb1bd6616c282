"""The `hpc` tier: README's cluster guide walked under a real Slurm (`shared/hpc/slurm-single-node.sh start`).

Each test submits, queues Slurm jobs that run `ssbi worker`, waits for the scheduler, and reads the outcome through
`ssbi status`, the store and `ssbi store check`. Skipped (with the reason) only where no Slurm answers
`scontrol ping`; CI starts one and sets SSBI_REQUIRE_SLURM=1, which turns the skip into a failure.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from conftest import ssbi

pytestmark = pytest.mark.hpc

CONF = Path(os.environ.get("SLURM_STATE_DIR", "/tmp/slurm-single-node")) / "etc" / "slurm.conf"
STUDY = {
    "name": "hpc-guide", "anodes": ["Li"], "cathodes": [], "electrolytes": ["Li3PS4"], "engine": "chgnet",
    "analyses": {"window": {}, "mechanics": {},
                 "adhesion": {"miller": {"Li": [1, 1, 0], "Li3PS4": [0, 1, 0]},
                              "build": {"film_thickness": 5.0, "substrate_thickness": 7.0, "max_atoms": 160,
                                        "max_strain": 0.08, "vacuum": 10.0}}},
}


def _slurm_up() -> bool:
    return bool(shutil.which("scontrol")) and CONF.is_file() and subprocess.run(
        ["scontrol", "ping"], env={**os.environ, "SLURM_CONF": str(CONF)}, capture_output=True,
        timeout=10).returncode == 0


@pytest.fixture
def slurm(monkeypatch):
    if not _slurm_up():
        reason = "no Slurm answers `scontrol ping`: run shared/hpc/slurm-single-node.sh start (as root)"
        if os.environ.get("SSBI_REQUIRE_SLURM") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    monkeypatch.setenv("SLURM_CONF", str(CONF))
    return CONF


def queued(job_ids) -> set[str]:
    out = subprocess.run(["squeue", "-h", "-o", "%i", "-j", ",".join(job_ids)], capture_output=True, text=True)
    return set(out.stdout.split())


def wait_for_jobs(job_ids, timeout=600) -> None:
    deadline = time.monotonic() + timeout
    while queued(job_ids):
        assert time.monotonic() < deadline, f"Slurm jobs {job_ids} still queued after {timeout} s"
        time.sleep(1)


def job_state(job_id: str) -> str:
    out = subprocess.run(["scontrol", "show", "job", job_id], capture_output=True, text=True).stdout
    return re.search(r"JobState=(\w+)", out).group(1)


def queue_jobs(data, *args, env=None) -> list[str]:
    out = ssbi("queue", "--template", "slurm", *args, data_dir=data, env=env, check=True).stdout
    return re.findall(r"queue: job (\d+) submitted", out)


def status_rows(data, env=None) -> dict[str, str]:
    out = ssbi("status", data_dir=data, env=env, check=True).stdout
    return {cells[1].strip(): cells[3].strip() for cells in (line.split("│") for line in out.splitlines())
            if len(cells) > 4 and cells[1].strip().isdigit()}


def stored(data, env=None, fresh_process=False) -> dict[str, int]:
    """How many results of each kind the store holds (calculations, mechanics, adhesion, MD)."""
    counts = {}
    for what in ("tasks", "mechanics", "adhesion", "md"):
        out = ssbi("query", what, "--format", "json", data_dir=data, env=env, check=True,
                   fresh_process=fresh_process).stdout
        counts[what] = len(json.loads(out)) if out.strip().startswith("[") else 0
    return counts


def walk_the_guide(tmp_path, env=None, fresh_process=False):
    """README's cluster steps: check, submit (twice), queue 2 jobs, status while they run and after, the store,
    the study's summary from stored results, store check. Returns the data folder."""
    data = tmp_path / "data"
    study = tmp_path / "hpc-guide.yaml"
    study.write_text(yaml.safe_dump(STUDY))

    def run(*args, check=True):
        return ssbi(*args, data_dir=data, env=env, check=check, fresh_process=fresh_process)

    check = run("config", "check").stdout
    assert check.count("ok ") == 2, check
    sub = " ".join(run("run", str(study), "--submit").stdout.split())
    ids = sorted(set(re.findall(r"submitted \w+ [^ ]+ workflow (\d+)", sub)))
    assert len(ids) == 2, sub  # mechanics of Li3PS4 (with Li), adhesion Li|Li3PS4
    again = " ".join(run("run", str(study), "--submit").stdout.split())
    assert "submitted" not in again and again.count("already queued") == 3, again
    if fresh_process:
        out = run("queue", "--template", "slurm", "--njobs", "2").stdout
        jobs = re.findall(r"queue: job (\d+) submitted", out)
    else:
        jobs = queue_jobs(data, "--njobs", "2", env=env)
    assert len(jobs) == 2
    seen_running = False
    deadline = time.monotonic() + 600
    while queued(jobs):
        assert time.monotonic() < deadline
        if not fresh_process and not seen_running:  # the embedded LaunchPad reads while workers run
            progress = run("status", "--study", str(study)).stdout
            seen_running = any(f" {job} " in progress for job in jobs) and "Running" in progress
        time.sleep(1)
    assert all(job_state(j) == "COMPLETED" for j in jobs), [job_state(j) for j in jobs]
    rows = status_rows(data, env) if not fresh_process else {
        c[1].strip(): c[3].strip() for c in (line.split("│") for line in run("status").stdout.splitlines())
        if len(c) > 4 and c[1].strip().isdigit()}
    assert {i: rows.get(i) for i in ids} == {i: "COMPLETED" for i in ids}, rows
    progress = " ".join(run("status", "--study", str(study)).stdout.split())
    assert "mechanics-group" not in progress and "Failed" not in progress
    assert re.search(r"mechanics │ 1 │ 0 │ 0 │ 0", progress) and re.search(r"adhesion │ 1 │ 0 │ 0 │ 0", progress)
    logs = sorted((data / "fireworks" / "queue" / "logs").glob("ssbi-*.out"))
    assert [p.name for p in logs] == sorted(f"ssbi-{j}.out" for j in jobs)
    assert sum(int(re.search(r"worker: (\d+) firework", p.read_text()).group(1)) for p in logs) >= 2
    before = stored(data, env, fresh_process)
    assert before["mechanics"] == 2 and before["adhesion"] >= 1, before
    summary = run("run", str(study)).stdout
    words = " ".join(summary.split())
    assert "stored mechanics Li3PS4" in words and "stored adhesion Li|Li3PS4" in words, words
    assert not re.search(r"done (mechanics|adhesion)", words)
    assert stored(data, env, fresh_process) == before  # nothing computed again
    assert "store check passed" in run("store", "check").stdout
    return data, seen_running


def test_the_cluster_guide_under_slurm(tmp_path, slurm):
    """Embedded LaunchPad and store on one node: two worker jobs share the study's two workflows."""
    _, seen_running = walk_the_guide(tmp_path)
    assert seen_running  # `ssbi status --study` showed a running Firework with its Slurm job id


def test_the_cluster_guide_with_mongodb_uris(tmp_path, slurm):
    """The same steps with the LaunchPad (my_launchpad.yaml) and the results store given as mongodb:// URIs: FireWorks'
    LaunchPad, the JobStore and its GridFS store run their MongoDB code on mongomock (pymongo patched in each
    process, ssbi.workflows.testing.mongodb_stand_in); the LaunchPad starts never reset."""
    launchpad = tmp_path / "my_launchpad.yaml"
    launchpad.write_text(yaml.safe_dump({"host": "localhost", "port": 27017, "name": "ssbi_fireworks"}))
    env = {"SSBI_LAUNCHPAD": str(launchpad), "SSBI_STORE": "mongodb://localhost:27017/ssbi",
           "SSBI_TEST_MONGOMOCK_FILE": str(tmp_path / "mongodb.json")}
    walk_the_guide(tmp_path, env=env, fresh_process=True)
    dump = json.loads((tmp_path / "mongodb.json").read_text())
    assert {"ssbi_fireworks", "ssb_interfaces"} <= set(dump)  # both went through the MongoDB client


def _running_launch(data) -> dict | None:
    import ssbi.workflows.run.fireworks as fw

    db_file = data / "fireworks" / "launchpad.json"
    if not db_file.is_file():
        return None
    db = fw.local_collections(db_file)
    return next((la for la in db.get("launches", []) if la["state"] == "RUNNING"), None)


def _interrupt(data, how: str) -> str:
    """Queue one job, wait until its Firework runs, then end it ``how``; returns the job id."""
    (job,) = queue_jobs(data, "--njobs", "1", *(["--walltime", "1"] if how == "walltime" else []))
    deadline = time.monotonic() + 300
    while (launch := _running_launch(data)) is None or launch["fworker"]["env"]["ssbi_job"]["job_id"] != job:
        assert time.monotonic() < deadline and queued([job]), f"job {job} never ran a Firework"
        time.sleep(0.5)
    time.sleep(2)
    if how == "scancel":
        subprocess.run(["scancel", job], check=True)
    elif how == "kill -9":
        os.kill(int(launch["fworker"]["env"]["ssbi_job"]["pid"]), signal.SIGKILL)
    wait_for_jobs([job], timeout=400)
    return job


def test_faults_under_slurm_are_rerun_once(tmp_path, slurm):
    """An MD Firework ended by `scancel`, by its walltime and by `kill -9` of its worker: each time `ssbi rerun`
    finds the lost launch (its worker's lock is free) and resets it; a second submission while it is queued sends
    nothing; at the end one result per task, every Firework COMPLETED, the store check clean."""
    data = tmp_path / "data"
    md = ["md", "Li", "Li2S", "--temps", "600", "--ps", "2.4", "--equilibration-ps", "0.1", "--max-atoms", "80",
          "--max-strain", "0.08", "--film-thickness", "4", "--substrate-thickness", "5"]
    first = ssbi(*md, "--submit", data_dir=data, check=True).stdout
    assert "submitted" in first
    expected = {"scancel": "CANCELLED", "kill -9": "FAILED", "walltime": "TIMEOUT"}
    for how, state in expected.items():
        job = _interrupt(data, how)
        assert job_state(job) == state, (how, job_state(job))
        assert "RUNNING" in status_rows(data).values()  # what the scheduler killed still looks alive
        again = ssbi(*md, "--submit", data_dir=data, check=True).stdout
        assert "already queued" in again and "submitted" not in again
        reset = ssbi("rerun", "--no-launch", data_dir=data, check=True).stdout
        assert "rerun: 1 lost, 0 fizzled firework(s) reset; 1 ready" in reset, (how, reset)
    (job,) = queue_jobs(data, "--njobs", "1")
    wait_for_jobs([job])
    assert job_state(job) == "COMPLETED"
    assert set(status_rows(data).values()) == {"COMPLETED"}
    import ssbi.workflows.run.fireworks as fw

    db = fw.local_collections(data / "fireworks" / "launchpad.json")
    lost = [la for la in db["launches"] if la["state"] == "FIZZLED"]
    assert len(lost) == 3 and all(la["state"] in ("FIZZLED", "COMPLETED") for la in db["launches"])
    assert stored(data)["md"] == 1
    from ssbi.workflows.store.jobstore import open_store

    os.environ["SSBI_DATA_DIR"] = str(data)
    try:
        store = open_store(None)
        runs = list(store.query({"name": {"$regex": "^md Li"}}, load=True))
    finally:
        del os.environ["SSBI_DATA_DIR"]
    assert len(runs) == 1 and runs[0]["output"]["steps"] == list(range(0, 1201, 10))  # every saved step once
    assert "store check passed" in ssbi("store", "check", data_dir=data, check=True).stdout
