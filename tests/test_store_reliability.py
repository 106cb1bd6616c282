"""The embedded store under several processes, kill -9 and damage; `ssbi store check/repair`; read-only commands
leave the store as it was."""

import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.helpers import ssbi

WRITER = """
import sys, time, uuid
from pathlib import Path
from ssbi.workflows.store.jobstore import open_store
go, n, fp = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
store = open_store("embedded")
while not go.exists():
    time.sleep(0.005)
for i in range(n):
    f = fp if fp != "-" else uuid.uuid4().hex
    try:
        store.update({"uuid": str(uuid.uuid4()), "index": 1, "completed_at": "2026",
                      "output": {"kind": "relax", "fingerprint": f, "formula": "Li2S", "energy": -float(i),
                                 "payload": "x" * 20000}}, key=["uuid", "index"])
        print("stored", flush=True)  # acknowledged the moment it is committed (a pipe is block-buffered)
    except Exception as exc:
        print(type(exc).__name__, str(exc).splitlines()[0], flush=True)
"""


def writers(tmp_path, count, n, fingerprint="-"):
    go = tmp_path / "go"
    go.unlink(missing_ok=True)
    env = {**os.environ, "SSBI_DATA_DIR": str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(go), str(n), fingerprint], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(count)]
    time.sleep(1.5)  # all imported and waiting
    go.touch()
    outs = [p.communicate(timeout=300) for p in procs]
    return [o[0] + o[1] for o in outs]


def count_docs(tmp_path):
    from ssbi.workflows.store.jobstore import open_store

    os.environ["SSBI_DATA_DIR"] = str(tmp_path)
    store = open_store("embedded")
    try:
        return store.count()
    finally:
        store.close()


@pytest.mark.parametrize("trial", range(3))
def test_four_processes_on_a_new_store_lose_nothing(tmp_path, trial):
    outputs = writers(tmp_path, 4, 10)
    assert all(o.count("stored") == 10 for o in outputs), outputs
    assert count_docs(tmp_path) == 40


def test_concurrent_identical_results_store_one(tmp_path):
    outputs = writers(tmp_path, 2, 1, fingerprint="same-fingerprint")
    assert sorted(o.split()[0] for o in outputs) == ["AlreadyStored", "stored"], outputs
    assert "already stored: output.fingerprint same-fingerprint" in "".join(outputs)
    assert count_docs(tmp_path) == 1


def test_kill_9_during_writes_leaves_a_readable_store(tmp_path):
    go = tmp_path / "go"
    go.touch()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(go), "100000", "-"],
                            env={**os.environ, "SSBI_DATA_DIR": str(tmp_path)}, stdout=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (tmp_path / "store" / "ssbi.sqlite3").exists() and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(2.0)  # well into the writes
    proc.send_signal(signal.SIGKILL)
    stored = proc.communicate()[0].count("stored")
    assert stored > 5
    n = count_docs(tmp_path)
    assert stored <= n <= stored + 1  # every reported write is there; at most the one in flight completed
    check = ssbi("store", "check", data_dir=tmp_path)
    assert check.returncode == 0 and "store check passed" in check.stdout, check.stdout + check.stderr


def _filled(tmp_path, n=60):
    from ssbi.workflows.store.jobstore import open_store

    os.environ["SSBI_DATA_DIR"] = str(tmp_path)
    store = open_store("embedded")
    store.update([{"uuid": f"u{i:03d}", "index": 1, "completed_at": "2026",
                   "output": {"kind": "relax", "target": "bulk", "fingerprint": f"fp{i:03d}", "formula": "Li2S",
                              "materials": ["Li2S"], "n_atoms": 3, "energy": -float(i), "energy_per_atom": -i / 3,
                              "engine": {"name": "chgnet", "energy_scale": "mp2020"}, "marker": f"MARK{i:03d}",
                              "payload": "y" * 3000}} for i in range(n)], key=["uuid", "index"])
    store.close()  # the last connection checkpoints the write-ahead log into the file
    file = tmp_path / "store" / "ssbi.sqlite3"
    assert not (tmp_path / "store" / "ssbi.sqlite3-wal").exists()
    return file


def test_bit_flip_in_one_document_hides_only_it_and_repair_rescues_the_rest(tmp_path):
    file = _filled(tmp_path)
    data = bytearray(file.read_bytes())
    at = data.index(b"MARK017") + 2
    data[at:at + 8] = bytes(b ^ 0xFF for b in data[at:at + 8])
    file.write_bytes(bytes(data))
    listed = ssbi("query", "tasks", "--format", "json", data_dir=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count('"id"') == 59  # the other 59 are listed
    check = ssbi("store", "check", data_dir=tmp_path)
    assert check.returncode == 1 and "unreadable" in check.stdout and "rows 18" in check.stdout
    assert len(check.stderr.strip().splitlines()) == 1 and "ssbi store repair" in check.stderr
    repair = ssbi("store", "repair", data_dir=tmp_path)
    assert repair.returncode == 0 and "damaged file is kept" in repair.stdout
    assert count_docs(tmp_path) == 59
    assert ssbi("store", "check", data_dir=tmp_path).returncode == 0


def test_truncated_store_gives_one_line_and_repair_rescues_the_good_part(tmp_path):
    file = _filled(tmp_path, n=200)
    size = file.stat().st_size
    with open(file, "r+b") as fh:
        fh.truncate(size * 2 // 3)
    listed = ssbi("query", "tasks", data_dir=tmp_path)
    assert listed.returncode == 2
    assert len(listed.stderr.strip().splitlines()) == 1 and "Traceback" not in listed.stderr
    assert str(file) in listed.stderr and "is damaged" in listed.stderr and "ssbi store check" in listed.stderr
    assert ssbi("store", "check", data_dir=tmp_path).returncode == 1
    repair = ssbi("store", "repair", data_dir=tmp_path)
    assert repair.returncode == 0, repair.stderr
    rescued = count_docs(tmp_path)
    assert 0 < rescued < 200
    assert ssbi("store", "check", data_dir=tmp_path).returncode == 0


def test_garbage_file_gives_one_line(tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "ssbi.sqlite3").write_bytes(b"not a database at all" * 100)
    out = ssbi("query", "adhesion", data_dir=tmp_path)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
    assert "is damaged (file is not a database)" in out.stderr


def test_read_only_commands_write_nothing(tmp_path):
    for args in (("query", "tasks"), ("query", "windows"), ("status",)):
        out = ssbi(*args, data_dir=tmp_path)
        assert out.returncode == 0, out.stderr
    assert not (tmp_path / "store").exists()  # an empty data folder stays empty
    file = _filled(tmp_path, n=5)
    before = hashlib.sha256(file.read_bytes()).hexdigest(), sorted(os.listdir(file.parent))
    for args in (("query", "tasks"), ("query", "adhesion"), ("store", "check")):
        assert ssbi(*args, data_dir=tmp_path).returncode == 0
    assert (hashlib.sha256(file.read_bytes()).hexdigest(), sorted(os.listdir(file.parent))) == before


def test_two_concurrent_identical_runs_store_one_result(tmp_path):
    """Two `ssbi run relax Li2S` at once: one result document; the other run says "already stored"."""
    import json
    import subprocess

    env = {**os.environ, "SSBI_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    procs = [subprocess.Popen([sys.executable, "-m", "ssbi.workflows.cli", "run", "relax", "Li2S"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=900) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert sum("already stored" in o[0] for o in outs) == 1, [o[0][-300:] for o in outs]
    rows = json.loads(ssbi("query", "tasks", "--formula", "Li2S", "--format", "json", data_dir=tmp_path,
                           check=True).stdout)
    assert len(rows) == 1


def test_import_of_an_earlier_montydb_store(tmp_path):
    """`ssbi store import` copies results, blobs and windows of a montydb store; a second copy of a fingerprint
    (which montydb allowed) is skipped."""
    from maggma.stores import MontyStore

    from ssbi.workflows.store.blobs import BlobDirStore

    old = tmp_path / "old"
    docs = MontyStore("outputs", database_path=str(old), database_name="ssbi", storage="sqlite")
    docs.connect()
    docs._collection.insert_many([{"uuid": f"u{i}", "index": 1, "completed_at": "2026",
                                   "output": {"kind": "relax", "fingerprint": "dup" if i < 2 else f"fp{i}"}}
                                  for i in range(4)])
    analysis = MontyStore("analysis", database_path=str(old), database_name="ssbi", storage="sqlite")
    analysis.connect()
    analysis._collection.insert_many([{"key": "window|Li3PS4|store|chgnet|mp2020", "kind": "window"}])
    BlobDirStore(str(old / "blobs")).update({"blob_uuid": "b1", "data": [1, 2, 3]})
    out = ssbi("store", "import", str(old), data_dir=tmp_path / "new", check=True)
    assert "3 results, 1 blobs, 1 windows/reactions; 1 duplicates skipped" in out.stdout
    assert count_docs(tmp_path / "new") == 3
    assert ssbi("store", "check", data_dir=tmp_path / "new").returncode == 0
    bad = ssbi("store", "import", str(tmp_path / "nothing"), data_dir=tmp_path / "new")
    assert one_line(bad) and "is not an earlier ssbi store" in bad.stderr


def one_line(proc):
    return proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1


READER = """
import sys, time
from pathlib import Path
from ssbi.workflows.store.jobstore import open_store
stop = Path(sys.argv[1])
store = open_store("embedded")
reads = errors = 0
while not stop.exists():
    try:
        store.count({"output.kind": "relax"})
        list(store.query({"output.formula": "Li2S"}, properties=["uuid"], limit=50))
        reads += 1
    except Exception as exc:
        errors += 1
        print(type(exc).__name__, str(exc).splitlines()[0])
print("reads", reads, "errors", errors)
"""


def test_four_writers_one_reader_and_a_kill_9_lose_nothing_acknowledged(tmp_path):
    """4 processes each storing 2,000 documents while a fifth queries; one writer SIGKILLed at a random moment.
    Afterwards the count is what was acknowledged (the killed writer's one write in flight at most), every query
    answered, and `ssbi store check` is clean."""
    import random

    go, stop = tmp_path / "go", tmp_path / "stop"
    env = {**os.environ, "SSBI_DATA_DIR": str(tmp_path)}
    writer = WRITER.replace('"x" * 20000', '"x" * 500')
    procs = [subprocess.Popen([sys.executable, "-c", writer, str(go), "2000", "-"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    reader = subprocess.Popen([sys.executable, "-c", READER, str(stop)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    go.touch()
    kill_after = random.randint(50, 1900)  # a random moment: after this many acknowledged writes
    seen = [procs[0].stdout.readline() for _ in range(kill_after)]
    procs[0].send_signal(signal.SIGKILL)
    # the rest through the same text reader: communicate() reads the raw pipe and would miss the lines that
    # readline() has already pulled into the reader's buffer (acknowledged writes the count then "exceeds")
    seen.append(procs[0].stdout.read())
    procs[0].wait(timeout=60)
    outs = ["".join(seen)] + [p.communicate(timeout=900)[0] for p in procs[1:]]
    stop.touch()
    read_out = reader.communicate(timeout=120)[0]
    acknowledged = [o.count("stored") for o in outs]
    assert acknowledged[1:] == [2000, 2000, 2000], [o[-300:] for o in outs]
    assert 0 < acknowledged[0] < 2000  # killed part-way
    n = count_docs(tmp_path)
    assert sum(acknowledged) <= n <= sum(acknowledged) + 1
    reads, errors = int(read_out.split()[-3]), int(read_out.split()[-1])
    assert reads > 10 and errors == 0, read_out[-500:]
    check = ssbi("store", "check", data_dir=tmp_path)
    assert check.returncode == 0 and "store check passed" in check.stdout, check.stdout + check.stderr
    print(f"acknowledged {acknowledged}, stored {n}, reader {reads} queries")


def test_store_check_reports_leftovers_and_clean_removes_them(tmp_path):
    """A killed run's folder (no done marker, no process holding it), a job folder of an earlier version and a
    large-data blob no document refers to (a write cut off): `store check` names them (wasted space, not damage);
    `store clean` removes them and leaves a running run's folder and a finished one alone."""
    import fcntl

    from ssbi.workflows.paths import RUN_DONE, RUN_LOCK

    _filled(tmp_path, n=3)
    runs = tmp_path / "runs"
    killed, legacy, finished, running = (runs / "run_killed_1", runs / "job_2026-01-01-old", runs / "run_done_2",
                                         runs / "run_alive_3")
    for folder in (killed, legacy, finished, running):
        folder.mkdir(parents=True)
        (folder / RUN_LOCK).touch()
    (finished / RUN_DONE).touch()
    from ssbi.workflows.store.admin import embedded_stores

    data = embedded_stores(tmp_path / "store" / "ssbi.sqlite3")["outputs_data"]
    data.update({"blob_uuid": "orphan-1", "data": [1, 2, 3]}, key="blob_uuid")
    data.close()
    with open(running / RUN_LOCK) as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        check = ssbi("store", "check", data_dir=tmp_path)
        words = " ".join(check.stdout.split())
        assert check.returncode == 0 and "1 large-data blobs no document refers to" in words, words
        assert "2 run folder(s) of killed runs" in words
        clean = ssbi("store", "clean", data_dir=tmp_path, check=True)
        assert "removed 2 run folder(s) of killed runs and 1 orphaned blob(s)" in clean.stdout
    assert sorted(p.name for p in runs.iterdir()) == ["run_alive_3", "run_done_2"]
    assert "store check passed" in ssbi("store", "check", data_dir=tmp_path, check=True).stdout
    assert count_docs(tmp_path) == 3
