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


def test_queue_scripts_work_on_a_bare_compute_node(data_dir):
    """The job script: plain bash (a login shell resets PATH), this environment activated (or --pre-rocket), the
    data folder, store and threads exported, a folder per job and the log at an absolute path; PBS renders too."""
    import ssbi.workflows.run.fireworks as fw

    _, slurm = fw.queue_script("slurm", walltime="01:00:00", queue="debug", cpus_per_task=2)
    lines = slurm.splitlines()
    assert lines[0] == "#!/bin/bash"
    assert "#SBATCH --time=01:00:00" in lines and "#SBATCH --partition=debug" in lines
    assert "#SBATCH --ntasks=1" in lines and "#SBATCH --cpus-per-task=2" in lines
    log_dir = data_dir / "fireworks" / "queue" / "logs"
    assert f"#SBATCH --output={log_dir}/ssbi-%j.out" in lines
    assert f"source {sys.prefix}/bin/activate" in lines
    assert f"export SSBI_DATA_DIR={data_dir}" in lines
    assert any(line.startswith("export OMP_NUM_THREADS=2 ") and "SSBI_TORCH_THREADS=2" in line for line in lines)
    assert any(line.startswith("mkdir -p") and "job-$SLURM_JOB_ID" in line for line in lines)
    assert lines.index("ssbi worker --nlaunches 0") > lines.index(f"source {sys.prefix}/bin/activate")
    _, custom = fw.queue_script("slurm", store="mongodb://db.example/ssbi", pre_rocket="module load python/3.11")
    assert "module load python/3.11" in custom and f"source {sys.prefix}/bin/activate" not in custom
    assert "export SSBI_STORE=mongodb://db.example/ssbi" in custom
    _, pbs = fw.queue_script("pbs", walltime="02:00:00")
    assert pbs.startswith("#!/bin/bash\n") and "#PBS -l walltime=02:00:00" in pbs and "#PBS -l nodes=1:ppn=1" in pbs
    assert f"#PBS -o {log_dir}/" in pbs and "ssbi worker" in pbs and 'job-$SSBI_JOB_ID' in pbs
    dry = ssbi("queue", "--dry-run", "--cpus", "2", data_dir=data_dir, check=True).stdout
    assert dry.startswith("#!/bin/bash") and "#SBATCH --cpus-per-task=2" in dry
    from ssbi.interfaces.errors import InputError

    with pytest.raises(InputError, match="slurm, pbs"):
        fw.queue_script("lsf")


def test_queue_refuses_in_one_line_and_returns_when_nothing_is_ready(tmp_path):
    """Nothing READY: `ssbi queue` says so and returns (it used to poll for ever). A scheduler that refuses the
    job, or none on PATH: one line and a non-zero exit (it used to print tracebacks and exit 0)."""
    empty = ssbi("queue", data_dir=tmp_path, check=True)
    assert "no Firework is READY; nothing submitted" in empty.stdout
    ssbi("submit", "static", "Li2S", data_dir=tmp_path, check=True)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "sbatch").write_text("#!/bin/sh\necho 'sbatch: error: Batch job submission failed: Unable to contact "
                                 "slurm controller (connect failure)' >&2\nexit 1\n")
    (fake / "sbatch").chmod(0o755)
    down = ssbi("queue", data_dir=tmp_path, env={"PATH": f"{fake}:{os.environ['PATH']}"})
    assert down.returncode == 2
    assert down.stderr.strip().splitlines()[-1].endswith(
        "sbatch refused the job: sbatch: error: Batch job submission failed: Unable to contact slurm controller "
        "(connect failure)")
    missing = ssbi("queue", "--template", "pbs", data_dir=tmp_path, env={"PATH": str(fake)})
    assert missing.returncode == 2 and "`qsub` is not on PATH" in missing.stderr


def test_two_launchpads_on_one_file_see_each_others_writes(data_dir):
    """The embedded LaunchPad is one file shared by processes: what one LaunchPad object writes, another (as another
    process would) reads at its next call; the file is whole JSON after every call (written atomically)."""
    import json as _json

    from fireworks import Firework, FWorker, ScriptTask

    import ssbi.workflows.run.fireworks as fw

    with fw.launchpad() as first, fw.launchpad() as second:
        assert first.connection._store is not second.connection._store
        for i in range(5):
            first.add_wf(Firework(ScriptTask.from_str("true"), name=f"t{i}"))
            _json.loads(fw.local_file().read_text())
        assert len(second.get_fw_ids({"state": "READY"})) == 5
        checked_out, _ = second.checkout_fw(FWorker(), str(data_dir))
        assert first.get_fw_by_id(checked_out.fw_id).state == "RUNNING"
        assert len(first.get_fw_ids({"state": "READY"})) == 4


def test_two_workers_share_the_work_and_status_reads_meanwhile(tmp_path):
    """Two `ssbi worker`s at once on the embedded LaunchPad: neither refuses or fails, every Firework runs once,
    and `ssbi status` answers while they run."""
    for name in ("Li2S", "LiCl", "Li"):
        ssbi("submit", "static", name, data_dir=tmp_path, check=True)
    env = {**os.environ, "SSBI_DATA_DIR": str(tmp_path)}
    workers = [subprocess.Popen([sys.executable, "-m", "ssbi.workflows.cli", "worker"], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    time.sleep(3)
    during = ssbi("status", data_dir=tmp_path)
    outputs = [w.communicate(timeout=600)[0] for w in workers]
    assert during.returncode == 0 and "static Li2S" in during.stdout
    assert [w.returncode for w in workers] == [0, 0], outputs
    ran = [int(out.split("worker: ")[-1].split()[0]) for out in outputs]
    import ssbi.workflows.run.fireworks as fw

    db = fw.local_collections(tmp_path / "fireworks" / "launchpad.json")
    assert sum(ran) == 6 and len(db["launches"]) == 6  # 3 workflows x 2 Fireworks, each launched once
    assert {f["state"] for f in db["fireworks"]} == {"COMPLETED"}
    assert len(stored_calcs(tmp_path)) == 3


def test_submitted_ids_are_the_ids_status_shows(tmp_path):
    """`ssbi run relax X --submit` submits (it used to run here); the workflow id it prints is the one `ssbi status`
    lists."""
    ids = []
    for args in (("submit", "static", "Li2S"), ("run", "relax", "LiCl", "--submit")):
        out = ssbi(*args, data_dir=tmp_path, check=True).stdout
        assert "submitted" in out and "done in" not in out
        ids.append(out.split("as workflow ")[1].split(";")[0])
    rows = ssbi("status", data_dir=tmp_path, check=True).stdout
    listed = [line.split("│")[1].strip() for line in rows.splitlines() if line.startswith("│")]
    assert listed == ids
    assert stored_calcs(tmp_path) == []


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


def test_launchpad_reset_and_config_check_say_what_they_did_in_one_line(tmp_path):
    """`ssbi launchpad reset` wants --yes, then says what it deleted; `ssbi config check` prints one line per
    database and exits 1 when one cannot be reached."""
    ssbi("submit", "static", "Li2S", data_dir=tmp_path, check=True)
    refused = ssbi("launchpad", "reset", data_dir=tmp_path)
    assert refused.returncode == 2 and "add --yes" in refused.stderr
    done = ssbi("launchpad", "reset", "--yes", data_dir=tmp_path, check=True)
    assert "1 workflow(s) and 2 firework(s) deleted" in " ".join(done.stdout.split())
    assert "static Li2S" not in ssbi("status", data_dir=tmp_path, check=True).stdout
    good = ssbi("config", "check", data_dir=tmp_path, check=True).stdout.splitlines()
    assert [line.split()[0] for line in good] == ["ok", "ok"] and "0 workflow(s)" in good[1]
    bad = ssbi("config", "check", "--store", "mongodb://u:pw@127.0.0.1:9/x", data_dir=tmp_path)
    lines = bad.stdout.splitlines()
    assert bad.returncode == 1 and lines[0].startswith("error results store mongodb (mongodb://***@127.0.0.1:9/x)")
    assert "not reachable" in lines[0] and lines[1].startswith("ok embedded LaunchPad")
