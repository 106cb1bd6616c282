"""The ``ssbi`` command line (typer + rich): one module per command group, registered on one app.

| module | commands |
| --- | --- |
| ``materials`` | ``materials list/show/curate/add`` |
| ``build`` | ``build`` |
| ``execution`` | ``engines``, ``setup cp2k``, ``run``, ``submit``, ``worker``, ``status``, ``rerun``, ``queue``, ``inputs`` |
| ``study`` | ``run STUDY.yaml`` (through ``run``), ``report`` |
| ``adhesion`` | ``adhesion`` |
| ``md`` | ``md``, ``md-analyze`` |
| ``stability`` | ``window``, ``windows``, ``react``, ``phase-diagram``, ``analyze``, ``validate`` |
| ``reference`` | ``reference list/show/build`` |
| ``store`` | ``store check/repair/import`` |
| ``query`` | ``query tasks/adhesion/interfaces/windows/reactions/mechanics/md``, ``show`` |

Shared options are in ``options``; errors end as one line through ``app.GuardedGroup``.
"""

from ssbi.workflows.cli import adhesion, build, execution, materials, md, query, reference, stability, store, study  # noqa: F401
from ssbi.workflows.cli.app import app, main

__all__ = ["app", "main"]
