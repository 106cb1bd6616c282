"""One store test-suite run against mongomock and the embedded SQLite store: the pymongo query subset ssbi uses,
upserts by key, projections, sorting, removal, and one result per fingerprint."""

import datetime as dt

import pytest

from ssbi.workflows.store.sqlite import AlreadyStored


@pytest.fixture(params=["memory", "embedded"])
def store(request, tmp_path, monkeypatch):
    from ssbi.workflows.store.jobstore import open_store

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    s = open_store(request.param)
    yield s
    s.close()


def result(uuid, fp, kind="relax", materials=("Li2S",), energy=-1.0, when="2026-01-01", index=1, **extra):
    return {"uuid": uuid, "index": index, "completed_at": when,
            "output": {"kind": kind, "fingerprint": fp, "materials": list(materials), "energy": energy,
                       "engine": {"name": "chgnet"}, "created_at": dt.datetime(2026, 1, 2, 3, 4, 5), **extra}}


def fill(store):
    store.update([result("a", "fa", materials=["Li", "Li2S"], energy=-3.0, when="2026-01-03"),
                  result("b", "fb", kind="static", energy=-2.0, when="2026-01-01"),
                  result("c", "fc", kind="adhesion", materials=["Li", "Li3PS4"], energy=-1.0, when="2026-01-02",
                         film="Li", substrate="Li3PS4")], key=["uuid", "index"])


def test_equality_in_arrays_and_ranges(store):
    fill(store)
    assert store.count() == 3
    assert {d["uuid"] for d in store.query({"output.materials": "Li"}, load=False)} == {"a", "c"}
    assert {d["uuid"] for d in store.query({"output.kind": {"$in": ["static", "adhesion"]}}, load=False)} == {"b", "c"}
    assert {d["uuid"] for d in store.query({"completed_at": {"$gte": "2026-01-02"}}, load=False)} == {"a", "c"}
    assert [d["uuid"] for d in store.query({"output.energy": {"$lt": -1.5}, "output.engine.name": "chgnet"},
                                           load=False)] in (["a", "b"], ["b", "a"])
    assert store.count({"output.materials": {"$in": ["Li3PS4"]}, "output.film": "Li"}) == 1
    assert store.count({"output.kind": "nothing"}) == 0


def test_projection_sort_skip_limit_and_types(store):
    fill(store)
    rows = list(store.query({}, properties=["uuid", "output.energy"], sort={"completed_at": -1}, load=False))
    assert [r["uuid"] for r in rows] == ["a", "c", "b"]
    assert rows[0]["output"] == {"energy": -3.0}
    rows = list(store.query({}, properties=["uuid"], sort={"output.energy": 1}, skip=1, limit=1, load=False))
    assert [r["uuid"] for r in rows] == ["b"]
    doc = store.query_one({"uuid": "a"}, load=False)
    assert doc["output"]["created_at"] == dt.datetime(2026, 1, 2, 3, 4, 5)  # a date stays a date
    assert sorted(store.docs_store.distinct("output.kind")) == ["adhesion", "relax", "static"]


def test_upsert_by_key_replaces_and_remove(store):
    fill(store)
    store.update(result("a", "fa", energy=-9.0), key=["uuid", "index"])
    assert store.count() == 3 and store.query_one({"uuid": "a"}, load=False)["output"]["energy"] == -9.0
    store.update(result("a", "fa2", energy=-8.0, index=2), key=["uuid", "index"])  # a replaced job: same uuid
    assert store.count({"uuid": "a"}) == 2
    store.remove_docs({"output.kind": "relax"})
    assert {d["uuid"] for d in store.query({}, load=False)} == {"b", "c"}


def test_one_result_per_fingerprint(store):
    fill(store)
    with pytest.raises(Exception) as err:  # AlreadyStored (SQLite) or DuplicateKeyError (MongoDB, mongomock)
        store.update(result("z", "fa"), key=["uuid", "index"])
    assert isinstance(err.value, AlreadyStored) or "duplicate key" in str(err.value).lower()
    assert store.count({"output.fingerprint": "fa"}) == 1 and store.count() == 3
    store.update({"uuid": "n1", "index": 1, "output": None}, key=["uuid", "index"])  # no fingerprint: no limit
    store.update({"uuid": "n2", "index": 1, "output": None}, key=["uuid", "index"])
    assert store.count() == 5


def test_forced_rerun_sets_aside_then_replaces(store):
    import ssbi.workflows.store.lookup as ex

    fill(store)
    assert ex.set_aside(store, "fa") == ["a"]
    store.update(result("new", "fa", energy=-4.0), key=["uuid", "index"])  # the re-run may store now
    ex.remove_set_aside(store, "fa")
    assert [d["uuid"] for d in store.query({"output.fingerprint": "fa"}, load=False)] == ["new"]
    assert store.count() == 3
    ex.set_aside(store, "fb")
    ex.restore_set_aside(store, "fb")  # the re-run failed: the old result is back
    assert store.query_one({"output.fingerprint": "fb"}, load=False)["uuid"] == "b"


def test_large_values_are_read_only_when_asked_for(store):
    """The embedded store answers projections from the document's head (without its large values); the result is
    the same as mongomock's."""
    big = {"sites": [{"xyz": [0.1 * i, 0.2, 0.3], "label": "Li"} for i in range(300)]}
    store.update(result("s", "fs", structure=big, n_atoms=300), key=["uuid", "index"])
    row = store.query_one({"uuid": "s"}, properties=["uuid", "output.n_atoms", "output.energy"], load=False)
    assert row["output"] == {"n_atoms": 300, "energy": -1.0}
    row = store.query_one({"uuid": "s"}, properties=["output.structure"], load=False)
    assert len(row["output"]["structure"]["sites"]) == 300
    assert store.query_one({"output.structure.sites.label": "Li"}, properties=["uuid"], load=False)["uuid"] == "s"
    assert store.query_one({"uuid": "s"}, load=False)["output"]["structure"] == big
