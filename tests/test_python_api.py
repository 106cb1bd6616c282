"""README's "Python API" block runs as it is written: Makers composed in one jobflow flow with a shared engine, run
into the store, read back as pymatgen objects."""

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).parents[1] / "README.md"


def api_block() -> str:
    section = README.read_text().split("## Python API", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.slow
def test_the_readme_python_api_block_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    namespace: dict = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(api_block(), "README.md (Python API)", "exec"), namespace)
    doc, hull, store = namespace["doc"], namespace["hull"], namespace["store"]
    assert 0.5 < doc["w_ad_rigid"] < 3.0 and doc["film"] == "Li" and doc["substrate"] == "Li2S"
    assert namespace["interface"].composition.reduced_formula != "Li2S"  # both sides are in the cell
    stored = {d["output"]["kind"] for d in store.query({"output.kind": {"$in": ["relax", "adhesion", "mechanics"]}},
                                                       properties=["output.kind"])}
    assert stored == {"relax", "adhesion", "mechanics"}
    assert "Li2S" in {e.composition.reduced_formula for e in hull.stable_entries}
    assert "W_ad" in printed.getvalue() and "K_vrh_GPa" in printed.getvalue()
