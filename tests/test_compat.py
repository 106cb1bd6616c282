"""One test per work-around in workflows/engines/_compat.py: each fails once upstream no longer needs it (then
remove the work-around and raise the version pin in pyproject.toml)."""

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "cp2k"


def test_atomate2_still_upper_cases_numbers_in_cp2k_dft_parameters():
    """patch_cp2k_rks_parsing: atomate2's own validator fails on a spin-restricted run's numeric parameters."""
    import ssbi.workflows.engines.cp2k  # noqa: F401 - applies the patch
    from ssbi.workflows._compat import upstream_cleanup_dft

    with pytest.raises(AttributeError):
        upstream_cleanup_dft()({"MULTIPLICITY": 1, "CHARGE": 0})


def test_atomate2_still_passes_md_energies_as_columns(tmp_path):
    """patch_cp2k_trajectory_parsing: atomate2's own _parse_trajectory fails on a recorded CP2K MD run; ours
    reads it."""
    from atomate2.cp2k.schemas import calculation
    from pymatgen.io.cp2k.outputs import Cp2kOutput

    import ssbi.workflows.engines.cp2k  # noqa: F401 - applies the patch

    for path in (DATA / "li2s_md").iterdir():
        if path.suffix == ".gz":
            (tmp_path / path.stem).write_bytes(gzip.decompress(path.read_bytes()))
        else:
            shutil.copy(path, tmp_path / path.name)
    output = Cp2kOutput(str(tmp_path / "cp2k.out"), auto_load=True)
    original = calculation._parse_trajectory._ssbi_original
    with pytest.raises((TypeError, ValueError, KeyError, AttributeError)):
        original(output)
    trajectory = calculation._parse_trajectory(output)
    assert len(trajectory) == len(output.structures) > 1


def test_fireworks_still_binds_its_mongo_client_on_first_import(tmp_path):
    """point_fireworks_at_mongomock_file: fireworks imported without MONGOMOCK_SERVERSTORE_FILE keeps pymongo's
    client, so a file set later is ignored unless we rebind."""
    env = {k: v for k, v in os.environ.items() if k != "MONGOMOCK_SERVERSTORE_FILE"}
    code = "import fireworks.core.launchpad as m, pymongo; print(m.MongoClient is pymongo.MongoClient)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "True"


def _launchpad_on(store):
    class Connection:
        _store = store

    class LaunchPad:
        connection = Connection()

    return LaunchPad()


def test_a_mongomock_file_store_writes_at_exit_unless_detached(tmp_path, monkeypatch):
    """detach_mongomock_file: mongomock-persistence's store registers a finalizer (private ``_finalizer``) that writes
    its file when the process exits, over what other processes wrote to the shared file since; detached, it does
    not."""
    import mongomock_persistence  # noqa: F401 - patches mongomock's stores
    from mongomock.store import ServerStore

    from ssbi.workflows._compat import detach_mongomock_file

    monkeypatch.delenv("MONGOMOCK_SERVERSTORE_FILE", raising=False)  # else the store writes the file it names
    path = tmp_path / "lp.json"
    path.write_text("{}")
    store = ServerStore(str(path))
    assert store._finalizer.alive and store._finalizer.atexit  # the private hook the detach relies on
    detach_mongomock_file(_launchpad_on(store))
    assert not store._finalizer.alive


def test_a_mongomock_store_reloads_in_place_and_writes_atomically(tmp_path, monkeypatch):
    """reload_mongomock_file, write_mongomock_file: the private ``_databases``, ``_collections`` and ``_documents``
    of mongomock's stores. A reload replaces the documents of the collection a client already holds (it sees them)
    and empties those the file no longer has; a write goes through a temporary file and a rename."""
    import mongomock
    import mongomock_persistence  # noqa: F401 - patches mongomock's stores
    from mongomock.store import ServerStore

    from ssbi.workflows._compat import reload_mongomock_file, write_mongomock_file

    monkeypatch.delenv("MONGOMOCK_SERVERSTORE_FILE", raising=False)
    path, other = tmp_path / "lp.json", tmp_path / "other.json"
    path.write_text("{}")
    mine, theirs = ServerStore(str(path)), ServerStore(str(path))
    coll = mongomock.MongoClient(_store=mine).db.fireworks
    gone = mongomock.MongoClient(_store=mine).db.old
    gone.insert_one({"x": 1})
    mongomock.MongoClient(_store=theirs).db.fireworks.insert_many([{"fw_id": 1}, {"fw_id": 2}])
    write_mongomock_file(_launchpad_on(theirs), other)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lp.json", "other.json"]  # no temporary file left
    reload_mongomock_file(_launchpad_on(mine), other)
    assert sorted(d["fw_id"] for d in coll.find()) == [1, 2] and gone.count_documents({}) == 0


def test_reaction_mixing_ratio_matches_pymatgen():
    """The formula that replaced pymatgen's private InterfacialReactivity._reverse_convert gives its numbers."""
    from pymatgen.analysis.interface_reactions import InterfacialReactivity

    from ssbi.interfaces.analysis.reactions import mixing_ratio_in_original_space

    for x, f1, f2 in ((0.0, 1.0, 2.0), (0.3, 1.5, 0.7), (0.8, 2.0, 1.0), (1.0, 0.5, 3.0)):
        assert mixing_ratio_in_original_space(x, f1, f2) == pytest.approx(
            InterfacialReactivity._reverse_convert(x, f1, f2))


def test_the_private_hooks_our_overrides_rely_on_still_exist():
    """SharedModel*Maker override atomate2's _get_calculator; the CP2K input generator its _get_kpoints. If
    upstream renames them, the overrides would be bypassed silently: fail here instead."""
    from atomate2.cp2k.sets.base import Cp2kInputGenerator
    from atomate2.forcefields.jobs import ForceFieldRelaxMaker, ForceFieldStaticMaker

    import ssbi.workflows._compat as _compat

    for base in (ForceFieldRelaxMaker, ForceFieldStaticMaker):
        assert callable(getattr(base, "_get_calculator", None))
    assert callable(getattr(Cp2kInputGenerator, "_get_kpoints", None))
    assert _compat.SharedModelRelaxMaker._get_calculator is not ForceFieldRelaxMaker._get_calculator
    assert issubclass(_compat.SharedModelStaticMaker, ForceFieldStaticMaker)
