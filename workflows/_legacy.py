"""The import names before the ``ssbi`` root, kept for one release: FireWorks workflows queued and documents stored
by an earlier ssbi name their jobs, Makers and documents ``workflows.flows.calc.summarize_calc`` and the like;
``workflows.*``, ``interfaces.*`` and ``ssbi_configs.*`` resolve to the module that holds those names now
(:data:`MOVED`), with a :class:`DeprecationWarning`.

The alias never hides a package of that name that is really installed: a top-level old name is served only when no
such package is found on ``sys.path``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings

ROOTS = {"workflows": "ssbi.workflows", "interfaces": "ssbi.interfaces", "ssbi_configs": "ssbi.configs"}
MOVED = {  # old module -> its new home (the rest keep their place under the new root)
    "workflows.engines._compat": "ssbi.workflows._compat",
    "workflows.engine_caveats": "ssbi.workflows.engines.caveats",
    "workflows.md": "ssbi.workflows.engines.md",
    "workflows.store": "ssbi.workflows.store.jobstore",
    "workflows.sqlite_store": "ssbi.workflows.store.embedded",
    "workflows.blobstore": "ssbi.workflows.store.blobs",
    "workflows.store_admin": "ssbi.workflows.store.admin",
    "workflows.reference_entries": "ssbi.workflows.store.shipped",
    "workflows.entries": "ssbi.workflows.store.entries",
    "workflows.bulks": "ssbi.workflows.store.lookup",
    "workflows.stability": "ssbi.workflows.stability.documents",
    "workflows.builders": "ssbi.workflows.stability.builder",
    "workflows.validation": "ssbi.workflows.stability.validation",
    "workflows.execution": "ssbi.workflows.run.local",
    "workflows.executor": "ssbi.workflows.run.executor",
    "workflows.analyses": "ssbi.workflows.run.analyses",
    "workflows.launchpad": "ssbi.workflows.run.fireworks",
    "workflows.queue": "ssbi.workflows.run.queue",
    "workflows.reference_build": "ssbi.workflows.run.reference_build",
    "workflows.study": "ssbi.workflows.study.spec",
    "workflows.study_run": "ssbi.workflows.study.runner",
    "workflows.query": "ssbi.workflows.report.results",
    "workflows.report": "ssbi.workflows.report.html",
    "workflows.plots": "ssbi.workflows.report.plots",
    "workflows.tables": "ssbi.workflows.report.tables",
    "workflows.console": "ssbi.workflows.cli.console",
    "workflows.curation": "ssbi.workflows.materials.curation",
    "workflows.build_output": "ssbi.workflows.materials.candidates",
    "workflows.flows.aimd": "ssbi.workflows.flows.md",
}


def new_name(old: str) -> str:
    """The ``ssbi.*`` module an old module name stands for."""
    if old in MOVED:
        return MOVED[old]
    root, _, rest = old.partition(".")
    return ROOTS[root] + (f".{rest}" if rest else "")


class LegacyNames(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves an old name as the very module object of its new name (never a second copy of it)."""

    def find_spec(self, fullname, path=None, target=None):
        root = fullname.partition(".")[0]
        if root not in ROOTS:
            return None
        if "." in fullname:
            parent = sys.modules.get(fullname.rpartition(".")[0])
            if parent is None or not getattr(parent, "__name__", "").startswith("ssbi."):
                return None  # a real package of that name: not ours to serve
        elif importlib.machinery.PathFinder.find_spec(fullname) is not None:
            return None  # a package of that name is installed (or on the path): it wins
        try:
            found = importlib.util.find_spec(new_name(fullname))
        except ModuleNotFoundError:
            return None
        if found is None:
            return None
        return importlib.util.spec_from_loader(fullname, self, is_package=found.submodule_search_locations is not None)

    def create_module(self, spec):
        target = new_name(spec.name)
        warnings.warn(f"{spec.name} is {target} since the ssbi import root; the old name goes in the next release",
                      DeprecationWarning, stacklevel=2)
        module = importlib.import_module(target)
        self._spec = module.__spec__  # the import machinery sets the alias's spec on the module: put it back
        return module

    def exec_module(self, module):
        module.__spec__ = self._spec


def install() -> None:
    """Serve the old names (first on ``sys.meta_path``, so that a submodule is never loaded twice)."""
    if not any(isinstance(f, LegacyNames) for f in sys.meta_path):
        sys.meta_path.insert(0, LegacyNames())
