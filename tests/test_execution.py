"""`ssbi run`, `query`, `submit`, `worker`, `status`, `rerun` as a user runs them (separate processes)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ssbi

from ssbi.workflows.engines.registry import get_engine


def stored_calcs(data_dir):
    out = ssbi("query", "tasks", "--format", "json", data_dir=data_dir, check=True).stdout
    return json.loads(out)


def test_run_then_query_then_noop(tmp_path):
    first = ssbi("run", "relax", "Li2S", "--engine", "chgnet", data_dir=tmp_path, check=True)
    assert "energy per atom" in first.stdout
    rows = json.loads(ssbi("query", "tasks", "--formula", "Li2S", "--format", "json", data_dir=tmp_path,
                           check=True).stdout)
    assert len(rows) == 1 and rows[0]["kind"] == "relax" and rows[0]["engine"] == "chgnet"
    assert -4.3 < rows[0]["eV_per_atom"] < -3.9  # CHGNet Li2S, MP2020 scale (about -4.11)
    assert rows[0]["scale"] == "mp2020"
    second = ssbi("run", "relax", "Li2S", "--engine", "chgnet", data_dir=tmp_path, check=True)
    assert "already stored" in second.stdout and rows[0]["id"] in second.stdout
    assert len(stored_calcs(tmp_path)) == 1
    forced = ssbi("run", "relax", "Li2S", "--force", data_dir=tmp_path, check=True)
    assert "done in" in forced.stdout
    again = stored_calcs(tmp_path)
    assert len(again) == 1 and again[0]["id"] != rows[0]["id"]
    assert again[0]["energy_eV"] == pytest.approx(rows[0]["energy_eV"], abs=1e-4)


def test_a_relaxation_run_by_hand_is_the_hulls_bulk(tmp_path, monkeypatch):
    """`ssbi run relax Li2S` relaxes the cell the phase set relaxes: the hull then finds it stored (not shipped,
    not to relax again), and the study's bulk look-up returns it."""
    from ssbi.workflows.flows.phase_set import PhaseSetMaker
    from ssbi.workflows.store.jobstore import open_store
    from ssbi.workflows.store.lookup import stored_bulk

    ssbi("run", "relax", "Li2S", data_dir=tmp_path, check=True)
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = open_store(None)
    plan = PhaseSetMaker(engine="chgnet").plan("Li-S", store)
    assert plan.relaxed["Li2S"] == "stored" and "Li2S" not in plan.library_to_relax
    bulk = stored_bulk(store, get_engine("chgnet"), "Li2S")
    assert bulk["origin"] == "stored" and len(bulk["structure"]) == 12 and len(bulk["primitive"]) == 3


@pytest.mark.parametrize("args, message", [
    (["run", "relax", "Li2S", "--store", "mongodb://u:pw@127.0.0.1:9/x"], "not reachable"),
    (["run", "relax", "Li2S", "--engine", "gaussian"], "unknown engine 'gaussian'"),
    (["run", "relax", "Li2S", "--engine", "vasp"], "use `ssbi submit`"),
    (["run", "relax", "Unobtainium"], "Unobtainium"),
    (["run", "melt", "Li2S"], "unknown calculation 'melt'"),
])
def test_bad_input_is_one_line_and_stores_nothing(tmp_path, args, message):
    proc = ssbi(*args, data_dir=tmp_path)
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert "pw@" not in proc.stderr
    assert stored_calcs(tmp_path) == []


def test_missing_cp2k_is_reported_before_anything_runs(tmp_path):
    env = {"PATH": os.path.dirname(sys.executable), "ATOMATE2_CP2K_CMD": ""}
    proc = ssbi("submit", "static", "Li2S", "--engine", "cp2k", data_dir=tmp_path, env=env)
    assert proc.returncode != 0 and "cp2k" in proc.stderr and "apt-get install cp2k" in proc.stderr
    assert not (tmp_path / "fireworks" / "launchpad.json").exists()


def test_submit_worker_status(tmp_path):
    sub = ssbi("submit", "relax", "Li2S", data_dir=tmp_path, check=True)
    assert "submitted relax Li2S (chgnet) as workflow" in sub.stdout
    dup = ssbi("submit", "relax", "Li2S", data_dir=tmp_path, check=True)
    assert "already queued" in dup.stdout
    before = ssbi("status", data_dir=tmp_path, check=True).stdout
    assert "READY" in before
    ssbi("worker", data_dir=tmp_path, check=True)
    after = ssbi("status", data_dir=tmp_path, check=True).stdout
    assert "COMPLETED" in after and "READY" not in after
    rows = stored_calcs(tmp_path)
    assert len(rows) == 1 and rows[0]["formula"] == "Li2S"
    again = ssbi("submit", "relax", "Li2S", data_dir=tmp_path, check=True)
    assert "already stored" in again.stdout


def test_status_read_from_the_local_file_is_what_fireworks_reports(tmp_path, monkeypatch, memory_store):
    """`ssbi status` reads the local LaunchPad's file without FireWorks (start-up): the same rows as FireWorks'
    own summary, for waiting, ready and completed Fireworks."""
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    import ssbi.workflows.run.fireworks as fw
    from ssbi.workflows.run.analyses import CalcAnalysis
    from ssbi.workflows.run.executor import Executor

    store = memory_store
    analyses = [CalcAnalysis.of("static", name, "chgnet") for name in ("Li2S", "LiCl")]
    with fw.launchpad("a test") as lp:
        outcomes = Executor(store).submit(analyses, lp)
        fw.run_worker(lp, store, nlaunches=2)  # the first workflow's two Fireworks
        expected = fw.states(lp)
    assert [o.status for o in outcomes] == ["submitted", "submitted"]
    assert {r["state"] for r in expected} == {"COMPLETED", "READY"}
    assert fw.local_states(tmp_path / "fireworks" / "launchpad.json") == expected
    assert fw.workflow_states() == expected


def test_killed_worker_then_rerun_gives_one_result(tmp_path):
    ssbi("submit", "relax", "Li3PS4", data_dir=tmp_path, check=True)
    env = {**os.environ, "SSBI_DATA_DIR": str(tmp_path)}
    worker = subprocess.Popen([sys.executable, "-m", "ssbi.workflows.cli", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    launches = tmp_path / "fireworks" / "launches"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (launches.exists() and any(launches.iterdir())):
        time.sleep(0.1)
    time.sleep(1.0)  # inside the CHGNet relaxation
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert stored_calcs(tmp_path) == []  # killed before anything was stored
    rerun = ssbi("rerun", data_dir=tmp_path, check=True)
    assert "firework(s) run" in rerun.stdout
    assert "COMPLETED" in ssbi("status", data_dir=tmp_path, check=True).stdout
    rows = stored_calcs(tmp_path)
    assert len(rows) == 1 and rows[0]["formula"] == "Li3PS4"


def test_local_launchpad_allows_one_process(tmp_path, monkeypatch):
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    from ssbi.workflows.run.fireworks import local_lock

    with local_lock("a test"):
        proc = ssbi("status", data_dir=tmp_path)
    assert proc.returncode != 0 and "in use by `a test`" in proc.stderr and "one process" in proc.stderr
    assert ssbi("status", data_dir=tmp_path).returncode == 0


def test_queue_scripts_run_the_worker():
    from ssbi.workflows.run.queue import make_qadapter

    slurm = make_qadapter("slurm", walltime="01:00:00", queue="debug").get_script_str("/tmp/launch")
    assert "#SBATCH --time=01:00:00" in slurm and "#SBATCH --partition=debug" in slurm
    assert "ssbi worker" in slurm
    pbs = make_qadapter("pbs", walltime="02:00:00").get_script_str("/tmp/launch")
    assert "#PBS -l walltime=02:00:00" in pbs and "ssbi worker" in pbs
    from ssbi.interfaces.errors import InputError

    with pytest.raises(InputError, match="slurm, pbs"):
        make_qadapter("lsf")


def test_local_launchpad_when_fireworks_was_imported_first(tmp_path):
    """A process that imported fireworks before the local LaunchPad file was set (a test worker, a notebook)
    still gets a working mongomock LaunchPad, GridFS fallback included."""
    import subprocess
    import sys

    code = ("import fireworks, os; from ssbi.workflows.run.fireworks import get_launchpad; lp = get_launchpad(); "
            "print(type(lp.gridfs_fallback).__name__, lp.get_wf_ids())")
    env = {k: v for k, v in os.environ.items() if k != "MONGOMOCK_SERVERSTORE_FILE"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**env, "SSBI_DATA_DIR": str(tmp_path)}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["GridFS", "[]"]
