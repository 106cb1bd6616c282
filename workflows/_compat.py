"""Every work-around of an upstream defect or private API, in one place.

Each names the version it was written against and what to check before removing it;
``tests/test_compat.py`` has one test per item that fails once upstream no longer
needs it (or once the private name it relies on is gone). The versions are pinned
from above in ``pyproject.toml``.

| item | upstream | tested with |
| --- | --- | --- |
| :func:`patch_cp2k_rks_parsing` | atomate2 ``CalculationInput.cleanup_dft`` calls ``.upper()`` on numbers | atomate2 0.1.5 |
| :func:`patch_cp2k_trajectory_parsing` | atomate2 ``_parse_trajectory`` passes MD energies as columns | atomate2 0.1.5 |
| :class:`SharedModelRelaxMaker`, :class:`SharedModelStaticMaker` | atomate2's private ``_get_calculator`` hook builds a new model per job | atomate2 0.1.5 |
| :func:`point_fireworks_at_mongomock_file` | FireWorks binds ``MongoClient`` when ``fireworks`` is first imported | FireWorks 2.1.4 |
| :func:`detach_mongomock_file` | mongomock-persistence writes its file at process exit from a finalizer (private ``_finalizer``); a shared file must not be overwritten from a stale copy | mongomock-persistence 0.0.5 |
| :func:`reload_mongomock_file`, :func:`write_mongomock_file` | mongomock reads a file only when a client is made and writes it in place; the embedded LaunchPad re-reads it in place and writes it atomically (private ``_databases``, ``_collections``, ``_documents``) | mongomock 4.3, mongomock-persistence 0.0.5 |
| ``SsbiCp2kSetGenerator._get_kpoints`` (in ``cp2k.py``) | overrides atomate2's private k-point hook (Gamma for MD, one k-point along a slab normal) | atomate2 0.1.5 |

The private hooks the overrides rely on (``_get_calculator``, ``_get_kpoints``) are
checked to exist, so that an upstream rename fails a test instead of silently
bypassing the override.
"""

from __future__ import annotations

import dataclasses
import os
import sys

# --- atomate2 CP2K parsing ----------------------------------------------------------------------------------


def upstream_cleanup_dft():
    """atomate2's own ``cleanup_dft`` validator function (before our patch)."""
    from atomate2.cp2k.schemas import calculation

    model = calculation.CalculationInput
    return getattr(model, "_ssbi_original_cleanup_dft", None) or \
        model.__pydantic_decorators__.field_validators["cleanup_dft"].func


def patch_cp2k_rks_parsing() -> None:
    """atomate2 0.1.5's ``CalculationInput.cleanup_dft`` calls ``.upper()`` on every DFT parameter, which fails
    on spin-restricted (RKS) outputs whose parameters include numbers. Replace that validator with one that
    skips non-strings."""
    from atomate2.cp2k.schemas import calculation, task

    def cleanup_dft(cls, dft):
        if dft and any(isinstance(v, str) and v.upper() == "UKS" for v in dft.values()):
            dft["UKS"] = True
        return dft

    model = calculation.CalculationInput
    validators = model.__pydantic_decorators__.field_validators
    if "cleanup_dft" in validators and not getattr(model, "_ssbi_patched", False):
        model._ssbi_original_cleanup_dft = validators["cleanup_dft"].func
        validators["cleanup_dft"] = dataclasses.replace(validators["cleanup_dft"], func=cleanup_dft.__get__(model))
        model.model_rebuild(force=True)
        # models that embed it carry a copy of its schema: rebuild them too
        calculation.Calculation.model_rebuild(force=True)
        task.TaskDocument.model_rebuild(force=True)
        model._ssbi_patched = True


def patch_cp2k_trajectory_parsing() -> None:
    """atomate2 0.1.5's ``_parse_trajectory`` hands pymatgen's Trajectory the MD energy file as a dict of
    columns; Trajectory wants one dict per frame (and fails on MD runs). Convert the columns."""
    from atomate2.cp2k.schemas import calculation
    from pymatgen.core.trajectory import Trajectory
    from pymatgen.io.cp2k.outputs import parse_energy_file

    if getattr(calculation._parse_trajectory, "_ssbi_patch", False):
        return

    def parse_trajectory(cp2k_output):
        ener = cp2k_output.filenames.get("ener")
        columns = parse_energy_file(ener[-1]) if ener else None
        frames = cp2k_output.structures
        props = None
        if columns and len(columns["step"]) == len(frames):
            props = [{k: float(v[i]) for k, v in columns.items()} for i in range(len(frames))]
        constant = all(s.lattice == cp2k_output.initial_structure.lattice for s in frames)
        return Trajectory.from_structures(frames, constant_lattice=constant, frame_properties=props)

    parse_trajectory._ssbi_patch = True
    parse_trajectory._ssbi_original = calculation._parse_trajectory
    calculation._parse_trajectory = parse_trajectory


# --- atomate2 force fields: one model per process ----------------------------------------------------------

_CALCULATORS: dict[str, object] = {}


def shared_calculator(calculator_meta, calculator_kwargs: dict):
    """The ASE calculator of a model (name and keyword arguments), built on first use and then reused."""
    import contextlib
    import json
    import sys

    key = json.dumps([str(calculator_meta), calculator_kwargs], sort_keys=True, default=str)
    if key not in _CALCULATORS:
        with contextlib.redirect_stdout(sys.stderr):  # model banners ("CHGNet v0.3.0 initialized ...") are not output
            _CALCULATORS[key] = _build_calculator(calculator_meta, calculator_kwargs)
    return _CALCULATORS[key]


def _build_calculator(calculator_meta, calculator_kwargs: dict):
    from atomate2.forcefields.utils import ase_calculator

    kwargs = dict(calculator_kwargs)
    path = kwargs.pop("model_path", None)
    if path and "CHGNet" in str(calculator_meta):  # atomate2 takes no checkpoint path for CHGNet
        from chgnet.model import CHGNet
        from chgnet.model.dynamics import CHGNetCalculator

        return CHGNetCalculator(model=CHGNet.from_file(path), **kwargs)
    return ase_calculator(calculator_meta, **kwargs)


def _shared_model_maker(name: str, base_name: str):
    """An atomate2 force-field maker that overrides the private ``_get_calculator`` to reuse the process-wide
    model. Built on first access (module ``__getattr__``), so importing this module does not import atomate2."""
    from atomate2.forcefields import jobs

    def _get_calculator(self):
        return shared_calculator(self.calculator_meta, self.calculator_kwargs)

    cls = type(name, (getattr(jobs, base_name),), {"_get_calculator": _get_calculator, "__module__": __name__,
                                                   "__qualname__": name,
                                                   "__doc__": f"atomate2 {base_name} reusing the process-wide model."})
    return dataclasses.dataclass(cls)


_LAZY = {"SharedModelRelaxMaker": "ForceFieldRelaxMaker", "SharedModelStaticMaker": "ForceFieldStaticMaker"}


def __getattr__(name: str):
    if name in _LAZY:
        globals()[name] = _shared_model_maker(name, _LAZY[name])
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- FireWorks on a mongomock file ---------------------------------------------------------------------------


def point_fireworks_at_mongomock_file(db_file: str) -> None:
    """Make FireWorks use the mongomock file ``db_file``. FireWorks reads ``MONGOMOCK_SERVERSTORE_FILE`` and binds
    ``MongoClient`` when it is first imported; when it was imported before (by atomate2 or jobflow), rebind."""
    if "fireworks" in sys.modules and os.environ.get("MONGOMOCK_SERVERSTORE_FILE") != str(db_file):
        import fireworks.core.launchpad as lp_module
        import fireworks.fw_config as fw_config
        import mongomock_persistence

        fw_config.MONGOMOCK_SERVERSTORE_FILE = str(db_file)
        lp_module.MongoClient = mongomock_persistence.MongoClient
        if fw_config.GRIDFS_FALLBACK_COLLECTION:  # as fireworks does when the file is set before its import
            from mongomock.gridfs import enable_gridfs_integration

            enable_gridfs_integration()
    os.environ["MONGOMOCK_SERVERSTORE_FILE"] = str(db_file)


def detach_mongomock_file(lp) -> None:
    """Stop mongomock-persistence writing a LaunchPad's store at process exit (a shared file is written by its
    holder of the lock, never from a stale copy at exit)."""
    store = getattr(getattr(lp, "connection", None), "_store", None)
    finalizer = getattr(store, "_finalizer", None)
    if finalizer is not None:
        finalizer.detach()


def reload_mongomock_file(lp, path) -> None:
    """Replace a mongomock LaunchPad's documents with those of the file ``path``, in place: the collection stores
    keep their identity, so the LaunchPad's collection objects see the new documents (private ``_databases``,
    ``_collections``, ``_documents``)."""
    import collections

    import bson.json_util
    from mongomock.store import CollectionStore, DatabaseStore

    with open(path, encoding="utf-8") as fh:
        data = bson.json_util.loads(fh.read() or "{}")
    databases = lp.connection._store._databases
    for db_name, db_dict in data.items():
        db_store = databases.setdefault(db_name, DatabaseStore())
        for name, coll in db_dict.items():
            if name in db_store._collections:
                db_store._collections[name]._documents = collections.OrderedDict(coll["documents"])
            else:
                db_store._collections[name] = CollectionStore.from_dict(coll)
        for name, coll in db_store._collections.items():
            if name not in db_dict:
                coll._documents = collections.OrderedDict()


def write_mongomock_file(lp, path) -> None:
    """Write a mongomock LaunchPad's store to ``path`` atomically (a reader sees the old file or the new one)."""
    import bson.json_util

    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(bson.json_util.dumps(lp.connection._store.to_dict()))
    os.replace(tmp, path)
