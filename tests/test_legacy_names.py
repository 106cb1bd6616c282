"""Jobs, Makers and documents stored before the ``ssbi`` import root name ``workflows.*``: for one release those
names resolve to the same module objects (never second copies), with a DeprecationWarning."""

import json
import subprocess
import sys

SCRIPT = r"""
import json, sys, warnings
warnings.simplefilter("error", DeprecationWarning)
import ssbi.workflows  # serves the old names
from monty.json import MontyDecoder
from ssbi.workflows.flows import calc, md
try:
    import workflows.flows.calc
except DeprecationWarning as w:
    print("warned:", w)
warnings.simplefilter("ignore", DeprecationWarning)
import workflows.flows.calc as old_calc
import workflows.flows.aimd as old_md
import workflows.schemas as old_schemas
from ssbi.workflows import schemas
job = MontyDecoder().process_decoded(json.loads(sys.argv[1]))
maker = MontyDecoder().process_decoded(json.loads(sys.argv[2]))
print(json.dumps({"same": old_calc is calc and old_md is md and old_schemas is schemas,
                  "spec_kept": calc.__spec__.name == "ssbi.workflows.flows.calc",
                  "function": job.function is calc.summarize_calc,
                  "maker": type(maker) is md.AIMDMaker, "engine": maker.resolved.name}))
"""


def _old_names(doc: dict) -> dict:
    """A serialised object as an earlier ssbi wrote it: ``@module`` names without the ``ssbi.`` root."""
    text = json.dumps(doc).replace('"ssbi.workflows.flows.md"', '"workflows.flows.aimd"')
    return json.loads(text.replace('"ssbi.workflows.', '"workflows.').replace('"ssbi.interfaces.', '"interfaces.'))


def test_old_import_names_resolve_to_the_same_modules(tmp_path):
    from pymatgen.core import Lattice, Structure

    from ssbi.workflows.flows.calc import summarize_calc
    from ssbi.workflows.flows.md import AIMDMaker

    job = summarize_calc(None, "relax", "bulk", "fp", {"name": "chgnet"})
    maker = AIMDMaker(engine="chgnet", temperatures=(700.0,))
    old_job, old_maker = _old_names(job.as_dict()), _old_names(maker.as_dict())
    assert old_job["function"]["@module"] == "workflows.flows.calc" and old_maker["@module"] == "workflows.flows.aimd"
    assert Structure(Lattice.cubic(3), ["Li"], [[0, 0, 0]])  # pymatgen objects keep their own names
    proc = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(old_job), json.dumps(old_maker)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("warned: workflows is ssbi.workflows")
    assert json.loads(lines[-1]) == {"same": True, "spec_kept": True, "function": True, "maker": True,
                                     "engine": "chgnet"}
