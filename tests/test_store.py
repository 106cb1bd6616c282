"""Results store: names and URIs, unreachable servers, on-disk persistence, large-data store."""

import subprocess
import sys
import time

import pytest
from jobflow import job, run_locally

from ssbi.workflows.errors import StoreError
from ssbi.workflows.store.jobstore import make_job_store, open_store, redact, resolve


def test_unknown_store_and_missing_uri(monkeypatch):
    with pytest.raises(StoreError, match="unknown store 'nowhere'.*embedded, memory, mongodb"):
        resolve("nowhere")
    monkeypatch.delenv("SSBI_MONGODB_URI", raising=False)
    with pytest.raises(StoreError, match="set SSBI_MONGODB_URI"):
        resolve("mongodb")
    monkeypatch.setenv("SSBI_MONGODB_URI", "mongodb://u:p@db.example:27017/x")
    assert resolve("mongodb")["uri"].startswith("mongodb://u:p@")


def test_password_is_redacted():
    assert redact("mongodb://alice:s3cr3t@host:27017/db") == "mongodb://***@host:27017/db"
    assert redact("mongodb+srv://bob:pw@cluster.example.net") == "mongodb+srv://***@cluster.example.net"
    assert redact("mongodb://host:27017") == "mongodb://host:27017"


def test_unreachable_mongodb_fails_fast_without_leaking_password():
    start = time.monotonic()
    with pytest.raises(StoreError) as err:
        open_store("mongodb://alice:s3cr3t@127.0.0.1:9/ssbi")
    assert time.monotonic() - start < 15  # a hang guard: the timeout is 3 s
    message = str(err.value)
    assert "not reachable" in message and "s3cr3t" not in message and "\n" not in message


def test_embedded_store_is_shared_between_processes(tmp_path, monkeypatch):
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = open_store("embedded")
    store.update({"uuid": "abc", "index": 1, "output": {"kind": "relax", "energy": -1.5}}, key=["uuid", "index"])
    store.close()
    code = ("from ssbi.workflows.store.jobstore import open_store; s = open_store('embedded'); "
            "print(s.query_one({'uuid': 'abc'}, load=False)['output']['energy'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "SSBI_DATA_DIR": str(tmp_path)})
    assert out.stdout.strip() == "-1.5"


@job(data=True)
def make_array(n: int):
    return {"values": list(range(n))}


def test_large_outputs_go_to_the_data_store(tmp_path, monkeypatch):
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = make_job_store("embedded")
    flow_job = make_array(5000)
    run_locally(flow_job, store=store, log=False, ensure_success=True, root_dir=tmp_path, create_folders=True)
    store.connect()
    raw = store.query_one({"uuid": flow_job.uuid}, load=False)
    assert "blob_uuid" in str(raw["output"])  # only a reference in the document
    assert store.additional_stores["data"].count() == 1  # the blob, in the same SQLite file
    assert store.get_output(flow_job.uuid, load=True)["values"][-1] == 4999
    store.remove_docs({"uuid": flow_job.uuid})
    assert store.additional_stores["data"].count() == 0


def test_memory_store_round_trip():
    store = open_store("memory")
    store.update({"uuid": "x", "index": 1, "output": {"kind": "static"}}, key=["uuid", "index"])
    assert store.count({"output.kind": "static"}) == 1
