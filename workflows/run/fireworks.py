"""FireWorks for ssbi: which LaunchPad, submitting flows, workers, states, reruns, queue jobs.

Local default (the embedded LaunchPad): mongomock persisted to ``<data dir>/fireworks/launchpad.json`` and shared
by every process through :class:`~ssbi.workflows.run.file_launchpad.FileLaunchPad` (a lock per LaunchPad call, none
while a Firework runs): workers on one node, or on a shared filesystem with working ``flock``, share the work.
With a real MongoDB LaunchPad (``SSBI_LAUNCHPAD`` = a FireWorks ``my_launchpad.yaml``) workers may run anywhere
that reaches the server.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from ssbi.configs.settings import settings as ssbi_settings
from ssbi.workflows._compat import point_fireworks_at_mongomock_file
from ssbi.workflows.errors import LaunchPadError
from ssbi.workflows.paths import CONFIG_DIR, check_private, data_dir, lock_state, user_config_dir
from ssbi.workflows.store.jobstore import make_job_store

FINISHED_STATES = ("COMPLETED",)
ACTIVE_STATES = ("READY", "WAITING", "RESERVED", "RUNNING", "PAUSED")
WORKER_LOCK = ".ssbi-worker.lock"  # in each launch folder, held by the worker while its Firework runs


def settings() -> dict[str, Any]:
    config = yaml.safe_load((CONFIG_DIR / "fireworks" / "launchpad.yaml").read_text())
    path = ssbi_settings().launchpad
    user = user_config_dir() / "my_launchpad.yaml"
    if path or user.is_file():
        config.update(type="file", path=str(Path(path or user).expanduser()))
        launchpad_file = Path(config["path"])
        if launchpad_file.is_file():
            check_private(launchpad_file, launchpad_file.read_text(errors="replace"))
    return config


def is_local() -> bool:
    return settings()["type"] == "local"


def local_dir() -> Path:
    folder = data_dir() / "fireworks"
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    return folder


def local_file() -> Path:
    """The embedded LaunchPad's file."""
    return local_dir() / "launchpad.json"


def describe() -> str:
    """One line naming the configured LaunchPad."""
    config = settings()
    return f"embedded LaunchPad {local_file()}" if config["type"] == "local" else f"LaunchPad {config['path']}"


def get_launchpad(on_wait=None):
    """The configured LaunchPad (the embedded file, or MongoDB checked to be reachable), initialised if empty.

    ``on_wait(file)`` is told when another process has held the embedded LaunchPad's file for a few seconds."""
    config = settings()
    if config["type"] == "local":
        from ssbi.workflows.run.file_launchpad import FileLaunchPad, prepare_file  # lazy: start-up (FireWorks)

        db_file = local_file()
        prepare_file(db_file)
        point_fireworks_at_mongomock_file(str(db_file))
        lp = FileLaunchPad(db_file, host="localhost", port=27017, name=LOCAL_DATABASE,
                           logdir=str(local_dir() / "logs"), strm_lvl="ERROR", on_wait=on_wait)
        with lp.shared(writes=False):
            empty = "fireworks" not in lp.db.list_collection_names()
        if empty:
            with lp.shared():
                if "fireworks" not in lp.db.list_collection_names():
                    lp.reset("", require_password=False, max_reset_wo_password=1_000_000)
        return lp
    import fireworks.core.launchpad as launchpad_module
    import pymongo
    from fireworks import LaunchPad

    launchpad_module.MongoClient = pymongo.MongoClient  # an embedded LaunchPad opened before rebinds it to mongomock
    try:
        spec = yaml.safe_load(Path(config["path"]).read_text()) or {}
        spec.setdefault("mongoclient_kwargs", {}).setdefault("serverSelectionTimeoutMS", 3000)  # fail in 3 s
        lp = LaunchPad.from_dict(spec)
        lp.connection.admin.command("ping")
    except Exception as exc:  # noqa: BLE001
        raise LaunchPadError(f"LaunchPad {config['path']} is not reachable: {str(exc).splitlines()[0][:160]}") from None
    if lp.fw_id_assigner.count_documents({}) == 0:  # never reset: FireWorks could not number a Firework
        if lp.workflows.count_documents({}) or lp.fireworks.count_documents({}):
            raise LaunchPadError(f"LaunchPad {config['path']} has workflows but no id counter: `ssbi launchpad "
                                 "reset --yes` empties it (FireWorks' `lpad reset`)")
        lp.reset("", require_password=False)
    return lp


def reset_launchpad() -> dict[str, int]:
    """Empty the configured LaunchPad (FireWorks' ``lpad reset``): how many workflows and Fireworks it held."""
    with launchpad() as lp, held(lp):
        counts = {"workflows": lp.workflows.count_documents({}), "fireworks": lp.fireworks.count_documents({})}
        lp.reset("", require_password=False, max_reset_wo_password=1_000_000)
    return counts


def held(lp):
    """A sequence of direct collection reads and writes on ``lp`` as one step (the embedded file held)."""
    return lp.shared() if hasattr(lp, "shared") else contextlib.nullcontext(lp)


def find_active(lp, fingerprint: str) -> list[int]:
    """Workflow ids with this fingerprint that are queued or running."""
    return lp.get_wf_ids({"$or": [{"metadata.ssbi_fingerprint": fingerprint},
                                  {"metadata.ssbi_fingerprints": fingerprint}],
                          "state": {"$in": list(ACTIVE_STATES)}})


def submit(lp, flow, fingerprint: str, metadata: dict, resources: dict | None = None) -> int:
    """Add a jobflow Flow as one FireWorks workflow; returns its id.

    ``resources`` (walltime, nodes ...) go to each Firework's ``_queueadapter`` spec (qlaunch reads them).
    """
    from jobflow.managers.fireworks import flow_to_workflow

    wf = flow_to_workflow(flow, store=None)  # the worker wires in its own JobStore
    if resources:
        for firework in wf.fws:
            firework.spec["_queueadapter"] = dict(resources)
    wf.metadata.update(metadata, ssbi_fingerprint=fingerprint)
    mapping = lp.add_wf(wf)
    return lp.get_wf_ids({"nodes": {"$in": list(mapping.values())}})[0]  # the id `ssbi status` shows


def job_identity() -> dict[str, str]:
    """This worker as launches record it: host, pid, and the queue job (id, log) it runs in, if any."""
    return {"host": socket.gethostname(), "pid": str(os.getpid()), "job_id": os.environ.get("SSBI_JOB_ID", ""),
            "log": os.environ.get("SSBI_JOB_LOG", "")}


def _ping_every(seconds: int) -> None:
    """How often a running Firework tells the LaunchPad it is alive (``ping_secs`` in launchpad.yaml)."""
    import fireworks.core.rocket as rocket

    rocket.PING_TIME_SECS = seconds


def run_worker(lp, store, nlaunches: int = 0, fw_id: int | None = None, echo=print) -> int:
    """Run READY Fireworks one after another with ``store`` as jobflow's JobStore.

    ``nlaunches`` 0 means until none is ready. Each runs in its own launch folder, whose lock this process holds
    while it runs (``ssbi rerun`` on this host knows a launch whose lock is free is lost). Returns how many ran.
    """
    from fireworks import FWorker
    from fireworks.core.rocket_launcher import launch_rocket
    from jobflow import SETTINGS

    SETTINGS.JOB_STORE = store
    logging.getLogger("jobflow").setLevel(logging.WARNING)
    _ping_every(int(settings().get("ping_secs", 300)))
    identity = job_identity()
    worker = FWorker(name=f"{identity['host']}:{identity['job_id'] or identity['pid']}", env={"ssbi_job": identity})
    # a queue job's launches go in its own folder (the job script's working directory)
    launch_root = Path.cwd() if identity["job_id"] else local_dir() / "launches"
    launch_root.mkdir(parents=True, exist_ok=True)
    done = 0
    while (nlaunches == 0 or done < nlaunches) and lp.run_exists(worker):
        folder = launch_root / f"launcher_{datetime.now():%Y-%m-%d-%H-%M-%S-%f}_{os.getpid()}"
        folder.mkdir()
        with open(folder / WORKER_LOCK, "w") as lock, contextlib.chdir(folder):
            fcntl.flock(lock, fcntl.LOCK_EX)
            lock.write(f"{identity['host']} {identity['pid']}\n")
            lock.flush()
            launched = launch_rocket(lp, worker, fw_id=fw_id, strm_lvl="ERROR")
        if not launched:
            with contextlib.suppress(OSError):
                (folder / WORKER_LOCK).unlink()
                folder.rmdir()  # another worker took the Firework first
            if lp.run_exists(worker):
                continue
            break
        done += 1
        echo(done)
    return done


def states(lp) -> list[dict]:
    """One row per workflow: id, name, state, Firework states, created."""
    rows = []
    for wf_id in sorted(lp.get_wf_ids({})):
        wf = lp.get_wf_summary_dict(wf_id, mode="more")
        rows.append({"id": wf_id, "name": wf["name"], "state": wf["state"], "fireworks": wf.get("states", {}),
                     "created": str(wf.get("created_on", ""))[:19], "updated": str(wf.get("updated_on", ""))[:19]})
    return rows


LOCAL_DATABASE = "ssbi_fireworks"


def _extended_json(obj: dict):
    """MongoDB extended JSON as mongomock-persistence writes it: dates back to datetimes, ObjectIds to strings."""
    if len(obj) == 1 and "$date" in obj:
        return datetime.fromisoformat(str(obj["$date"]).replace("Z", "+00:00")).replace(tzinfo=None)
    if len(obj) == 1 and "$oid" in obj:
        return obj["$oid"]
    return obj


def local_collections(db_file: Path) -> dict[str, list[dict]]:
    """The embedded LaunchPad's collections read straight from its file (written atomically: no lock needed)."""
    db = json.loads(db_file.read_text(encoding="utf-8"), object_hook=_extended_json).get(LOCAL_DATABASE, {})
    return {name: [doc for _, doc in coll.get("documents", [])] for name, coll in db.items()}


def local_states(db_file: Path) -> list[dict]:
    """:func:`states` of the local LaunchPad read straight from its mongomock file, as FireWorks' summary gives them
    (``tests/test_execution.py`` compares the two): importing FireWorks alone takes 0.2 s, and ``ssbi status``
    should answer in a blink."""
    db = local_collections(db_file)
    fireworks = db.get("fireworks", [])
    rows = []
    for wf in sorted(db.get("workflows", []), key=lambda w: w["nodes"][0]):
        nodes = set(wf["nodes"])
        rows.append({"id": wf["nodes"][0], "name": wf["name"], "state": wf["state"],
                     "fireworks": {f"{fw['name']}--{int(fw['fw_id'])}": fw["state"] for fw in fireworks
                                   if fw["fw_id"] in nodes},
                     "created": str(wf.get("created_on", ""))[:19], "updated": str(wf.get("updated_on", ""))[:19]})
    return rows


def workflow_states() -> list[dict]:
    """One row per workflow (:func:`states`); a local LaunchPad that exists is read from its file."""
    if is_local():
        db_file = local_file()
        if db_file.is_file() and db_file.stat().st_size > 2:
            return local_states(db_file)
    with launchpad() as lp:
        return states(lp)


def dead_launches(lp) -> list[int]:
    """RUNNING launches of this host whose worker is gone: its launch folder's lock is free (a killed, cancelled
    or timed-out job's lock is released by the kernel). Other hosts' launches are left to ping expiry."""
    host = socket.gethostname()
    with held(lp):
        running = list(lp.launches.find({"state": "RUNNING"}, {"launch_id": 1, "launch_dir": 1, "host": 1}))
    return [launch["launch_id"] for launch in running
            if launch.get("host") == host and launch.get("launch_dir")
            and (Path(launch["launch_dir"]) / WORKER_LOCK).is_file()
            and lock_state(Path(launch["launch_dir"]) / WORKER_LOCK) == "free"]


def rerun(lp, expiration_secs: int | None = None) -> dict[str, list[int]]:
    """Mark FIZZLED and lost RUNNING Fireworks for rerun: launches of this host whose worker is gone (at once), and
    any launch without a ping for ``expiration_secs`` (FireWorks' lost-run detection; default from
    launchpad.yaml)."""
    if expiration_secs is None:
        expiration_secs = int(settings().get("run_expiration_secs", 1800))
    lost: set[int] = set()
    with held(lp):
        dead = dead_launches(lp)
        if dead:
            lost |= set(lp.detect_lostruns(expiration_secs=0, rerun=True,
                                           launch_query={"launch_id": {"$in": dead}})[1])
        lost |= set(lp.detect_lostruns(expiration_secs=expiration_secs, rerun=True)[1])
        fizzled = lp.get_fw_ids({"state": "FIZZLED"})
        for fw_id in fizzled:
            lp.rerun_fw(fw_id)
    return {"lost": sorted(lost), "fizzled": list(fizzled)}


# --- what the commands ask for ----------------------------------------------------------------------------------------
@contextlib.contextmanager
def launchpad(on_wait=None) -> Iterator[Any]:
    """The configured LaunchPad; the process's mongomock file setting is restored afterwards (another mongomock
    client of this process, e.g. a test's memory store, must not read the LaunchPad's file)."""
    before = os.environ.get("MONGOMOCK_SERVERSTORE_FILE")
    try:
        yield get_launchpad(on_wait=on_wait)
    finally:
        if is_local():
            if before is None:
                os.environ.pop("MONGOMOCK_SERVERSTORE_FILE", None)
            else:
                os.environ["MONGOMOCK_SERVERSTORE_FILE"] = before


def _torch_threads() -> None:
    """``SSBI_TORCH_THREADS`` (set by the job script to the job's CPUs) as torch's intra-op threads."""
    threads = int(os.environ.get("SSBI_TORCH_THREADS") or 0)
    if threads > 0:
        with contextlib.suppress(ImportError):
            import torch

            torch.set_num_threads(threads)


def _import_the_jobs() -> None:
    """Import what a Firework's jobs are made of (seconds: atomate2, pymatgen) before the first LaunchPad call:
    the first Firework read would import them while holding the embedded LaunchPad's lock."""
    import importlib
    import pkgutil

    import jobflow.managers.fireworks  # noqa: F401

    import ssbi.workflows.flows as flows  # lazy: the worker imports them before its first LaunchPad call

    for module in pkgutil.iter_modules(flows.__path__):
        importlib.import_module(f"{flows.__name__}.{module.name}")


def work(store: str | None = None, nlaunches: int = 0, echo=print, on_wait=None) -> int:
    """Run READY Fireworks here into ``store`` (``ssbi worker``); returns how many ran."""
    job_store = make_job_store(store)
    job_store.connect()
    _torch_threads()
    _import_the_jobs()
    with launchpad(on_wait=on_wait) as lp:
        return run_worker(lp, job_store, nlaunches=nlaunches, echo=echo)


def rerun_lost(store: str | None = None, expiration_secs: int | None = None, launch: bool = True,
               echo=print, on_reset=lambda found, ready: None) -> dict:
    """FIZZLED and lost RUNNING Fireworks reset (``on_reset(found, ready ids)`` is told), then, with ``launch``, run
    here into ``store``: {"lost", "fizzled", "ready", "ran"}."""
    job_store = make_job_store(store)
    job_store.connect()
    with launchpad() as lp:
        found = rerun(lp, expiration_secs)
        ready = lp.get_fw_ids({"state": "READY"})
        on_reset(found, ready)
        ran = run_worker(lp, job_store) if launch and ready else 0
    return {**found, "ready": ready, "ran": ran}


def job_environment(store: str | None = None) -> dict[str, str | None]:
    """What a queue job exports so that its worker uses this data folder, store and LaunchPad."""
    current = ssbi_settings()
    return {"data_dir": str(data_dir().resolve()), "store": store or current.store,
            "launchpad": str(Path(settings()["path"]).resolve()) if not is_local() else None}


def queue_script(template: str = "slurm", store: str | None = None, pre_rocket: str | None = None,
                 **options) -> tuple[Any, str]:
    """The queue adapter and the job script ``ssbi queue`` would submit."""
    from ssbi.workflows.run.queue import make_qadapter  # lazy: start-up (FireWorks)

    logs = local_dir() / "queue" / "logs"
    qadapter = make_qadapter(template, pre_rocket=pre_rocket, job_env=job_environment(store), log_dir=logs, **options)
    return qadapter, qadapter.get_script_str(str(local_dir() / "queue"))


def queue_jobs(template: str = "slurm", njobs: int = 1, store: str | None = None, pre_rocket: str | None = None,
               **options) -> list[dict]:
    """Submit up to ``njobs`` queue jobs that each run ``ssbi worker`` (no more than there are READY Fireworks):
    one row per job (id, script, log). Nothing READY: no job."""
    from ssbi.workflows.run.queue import submit_script  # lazy: start-up

    qadapter, script = queue_script(template, store, pre_rocket, **options)
    with launchpad() as lp:
        ready = len(lp.get_fw_ids({"state": "READY"}))
    folder = local_dir() / "queue"
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    jobs = []
    for _ in range(min(njobs, ready)):
        path = folder / f"job_{datetime.now():%Y-%m-%d-%H-%M-%S-%f}.sh"
        path.write_text(script + "\n")
        job_id = submit_script(qadapter, path)
        log = folder / "logs" / (f"{qadapter['job_name']}-{job_id}.out" if qadapter.q_type == "SLURM"
                                 else f"{qadapter['job_name']}.o{job_id}")
        jobs.append({"id": job_id, "script": str(path), "log": str(log)})
    return jobs
