"""FireWorks for ssbi: which LaunchPad, submitting flows, workers, states, reruns.

Local default: mongomock persisted to ``<data dir>/fireworks/launchpad.json``.
That backend reads the file when a process starts and writes it when it ends, so
only one process may use it at a time: every command holds an exclusive lock
while it has the LaunchPad open, and the worker saves the file after each
Firework. With a real MongoDB LaunchPad (``SSBI_LAUNCHPAD`` = a FireWorks
``my_launchpad.yaml``) there is no lock and any number of workers may run.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from ssbi.configs.settings import settings as ssbi_settings
from ssbi.workflows._compat import flush_mongomock_file, point_fireworks_at_mongomock_file, release_mongomock_file
from ssbi.workflows.errors import LaunchPadError
from ssbi.workflows.paths import CONFIG_DIR, data_dir, user_config_dir
from ssbi.workflows.run.queue import make_qadapter
from ssbi.workflows.store.jobstore import make_job_store

FINISHED_STATES = ("COMPLETED",)
ACTIVE_STATES = ("READY", "WAITING", "RESERVED", "RUNNING", "PAUSED")


def settings() -> dict[str, Any]:
    config = yaml.safe_load((CONFIG_DIR / "fireworks" / "launchpad.yaml").read_text())
    path = ssbi_settings().launchpad
    user = user_config_dir() / "my_launchpad.yaml"
    if path or user.is_file():
        config.update(type="file", path=str(Path(path or user).expanduser()))
    return config


def is_local() -> bool:
    return settings()["type"] == "local"


def local_dir() -> Path:
    folder = data_dir() / "fireworks"
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    return folder


def _prepare_local_backend() -> Path:
    """Point FireWorks at the mongomock file; must happen before fireworks is imported."""
    db_file = local_dir() / "launchpad.json"
    if not db_file.exists() or db_file.stat().st_size == 0:
        db_file.write_text("{}")

    point_fireworks_at_mongomock_file(str(db_file))
    return db_file


@contextlib.contextmanager
def local_lock(purpose: str) -> Iterator[None]:
    """Exclusive use of the local LaunchPad file (no-op for MongoDB)."""
    if not is_local():
        yield
        return
    lock_path = local_dir() / "launchpad.lock"
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another ssbi process"
            raise LaunchPadError(
                f"the local LaunchPad is in use by {holder}; the local (mongomock) backend allows one process "
                "at a time: wait for it to finish, or use a MongoDB LaunchPad (SSBI_LAUNCHPAD) for parallel workers"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"`{purpose}` (pid {os.getpid()})")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def get_launchpad():
    """The configured LaunchPad (local file or MongoDB), checked to be reachable."""
    config = settings()
    if config["type"] == "local":
        _prepare_local_backend()
        from fireworks import LaunchPad

        lp = LaunchPad(host="localhost", port=27017, name="ssbi_fireworks", logdir=str(local_dir() / "logs"),
                       strm_lvl="ERROR")
        if "fireworks" not in lp.db.list_collection_names():
            lp.reset("", require_password=False, max_reset_wo_password=1_000_000)
        return lp
    from fireworks import LaunchPad

    try:
        lp = LaunchPad.from_file(config["path"])
        lp.mongoclient_kwargs.setdefault("serverSelectionTimeoutMS", 3000)
        lp.connection.admin.command("ping")
    except Exception as exc:  # noqa: BLE001
        raise LaunchPadError(f"LaunchPad {config['path']} is not reachable: {str(exc).splitlines()[0][:160]}") from None
    return lp


def save_local(lp) -> None:
    """Write the mongomock LaunchPad to its file now (not only at process exit)."""
    flush_mongomock_file(lp)


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
    save_local(lp)
    return min(mapping.values())


def run_worker(lp, store, nlaunches: int = 0, fw_id: int | None = None, echo=print) -> int:
    """Run READY Fireworks one after another with ``store`` as jobflow's JobStore.

    ``nlaunches`` 0 means until none is ready. Saves the local LaunchPad after each.
    Returns the number of Fireworks launched.
    """
    from fireworks import FWorker
    from fireworks.core.rocket_launcher import launch_rocket
    from jobflow import SETTINGS

    SETTINGS.JOB_STORE = store
    logging.getLogger("jobflow").setLevel(logging.WARNING)
    launch_root = local_dir() / "launches"
    launch_root.mkdir(parents=True, exist_ok=True)
    done = 0
    while (nlaunches == 0 or done < nlaunches) and lp.run_exists(FWorker()):
        folder = launch_root / f"launcher_{datetime.now():%Y-%m-%d-%H-%M-%S-%f}"
        folder.mkdir()
        with contextlib.chdir(folder):
            launched = launch_rocket(lp, FWorker(), fw_id=fw_id, strm_lvl="ERROR")
        save_local(lp)
        if not launched:
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


def local_states(db_file: Path) -> list[dict]:
    """:func:`states` of the local LaunchPad read straight from its mongomock file, as FireWorks' summary gives them
    (``tests/test_execution.py`` compares the two): importing FireWorks alone takes 0.2 s, and ``ssbi status``
    should answer in a blink."""
    db = json.loads(db_file.read_text(encoding="utf-8"), object_hook=_extended_json).get(LOCAL_DATABASE, {})
    fireworks = [doc for _, doc in db.get("fireworks", {}).get("documents", [])]
    rows = []
    for wf in sorted((doc for _, doc in db.get("workflows", {}).get("documents", [])), key=lambda w: w["nodes"][0]):
        nodes = set(wf["nodes"])
        rows.append({"id": wf["nodes"][0], "name": wf["name"], "state": wf["state"],
                     "fireworks": {f"{fw['name']}--{int(fw['fw_id'])}": fw["state"] for fw in fireworks
                                   if fw["fw_id"] in nodes},
                     "created": str(wf.get("created_on", ""))[:19], "updated": str(wf.get("updated_on", ""))[:19]})
    return rows


def workflow_states() -> list[dict]:
    """One row per workflow (:func:`states`); a local LaunchPad that exists is read from its file."""
    if is_local():
        with local_lock("ssbi status"):
            db_file = local_dir() / "launchpad.json"
            if db_file.is_file() and db_file.stat().st_size > 2:
                return local_states(db_file)
    with launchpad("ssbi status") as lp:
        return states(lp)


def rerun(lp, expiration_secs: int | None = None) -> dict[str, list[int]]:
    """Mark FIZZLED and lost RUNNING Fireworks for rerun.

    Local backend: the lock guarantees no worker is alive, so every RUNNING launch
    is lost. MongoDB: RUNNING launches without a ping for ``expiration_secs``.
    """
    if expiration_secs is None:
        expiration_secs = 0 if is_local() else int(settings().get("run_expiration_secs", 14400))
    lost_launches, lost_fws, _ = lp.detect_lostruns(expiration_secs=expiration_secs, rerun=True)
    fizzled = lp.get_fw_ids({"state": "FIZZLED"})
    for fw_id in fizzled:
        lp.rerun_fw(fw_id)
    save_local(lp)
    return {"lost": list(lost_fws), "fizzled": list(fizzled)}


# --- what the commands ask for ----------------------------------------------------------------------------------------
@contextlib.contextmanager
def launchpad(purpose: str) -> Iterator[Any]:
    """The configured LaunchPad, the local one's lock held (for ``purpose``) while it is open; a local one is
    written to its file and let go at the end (another LaunchPad of this process may open the file after it)."""
    before = os.environ.get("MONGOMOCK_SERVERSTORE_FILE")
    with local_lock(purpose):
        lp = get_launchpad()
        try:
            yield lp
        finally:
            if is_local():
                release_mongomock_file(lp)
                # every mongomock client reads (and at exit writes) the file this names: not the LaunchPad's after it
                if before is None:
                    os.environ.pop("MONGOMOCK_SERVERSTORE_FILE", None)
                else:
                    os.environ["MONGOMOCK_SERVERSTORE_FILE"] = before


def work(store: str | None = None, nlaunches: int = 0, echo=print) -> int:
    """Run READY Fireworks here into ``store`` (``ssbi worker``); returns how many ran."""
    job_store = make_job_store(store)
    job_store.connect()
    with launchpad("ssbi worker") as lp:
        return run_worker(lp, job_store, nlaunches=nlaunches, echo=echo)


def rerun_lost(store: str | None = None, expiration_secs: int | None = None, launch: bool = True,
               echo=print, on_reset=lambda found, ready: None) -> dict:
    """FIZZLED and lost RUNNING Fireworks reset (``on_reset(found, ready ids)`` is told), then, with ``launch``, run
    here into ``store``: {"lost", "fizzled", "ready", "ran"}."""
    job_store = make_job_store(store)
    job_store.connect()
    with launchpad("ssbi rerun") as lp:
        found = rerun(lp, expiration_secs)
        ready = lp.get_fw_ids({"state": "READY"})
        on_reset(found, ready)
        ran = run_worker(lp, job_store) if launch and ready else 0
    return {**found, "ready": ready, "ran": ran}


def queue_jobs(template: str = "slurm", njobs: int = 1, walltime: str | None = None, queue: str | None = None,
               account: str | None = None, dry_run: bool = False) -> str:
    """Queue jobs that each run ``ssbi worker`` (FireWorks qlaunch): with ``dry_run`` the job script, else the
    folder the jobs were submitted from."""
    from fireworks import FWorker
    from fireworks.queue.queue_launcher import rapidfire

    qadapter = make_qadapter(template, walltime=walltime, queue=queue, account=account)
    if dry_run:
        return qadapter.get_script_str(str(local_dir() / "queue"))
    if is_local():
        raise LaunchPadError("queue jobs need a LaunchPad that compute nodes can reach (MongoDB): set SSBI_LAUNCHPAD; "
                             "the local mongomock LaunchPad works only with `ssbi worker` on this machine")
    lp = get_launchpad()
    launch_dir = local_dir() / "queue"
    launch_dir.mkdir(parents=True, exist_ok=True)
    rapidfire(lp, FWorker(), qadapter, launch_dir=str(launch_dir), nlaunches=njobs, njobs_queue=0, sleep_time=1)
    return str(launch_dir)
