"""The package installs like a library: a wheel (not an editable install) carries the configs and data, and
the command line works from any directory."""

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def wheel_site(tmp_path_factory):
    """The wheel built from this tree, installed (without dependencies) into its own folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            str(ROOT), "-w", str(tmp / "dist")], capture_output=True, text=True, timeout=600)
    if build.returncode != 0 and "No module named pip" in build.stderr:
        pytest.skip("pip is not installed in this environment")
    assert build.returncode == 0, build.stderr
    wheel = next((tmp / "dist").glob("ssb_interfaces-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "ssbi/configs/stores.yaml" in names and "ssbi/configs/reference/entries/chgnet.json.gz" in names
    assert sum(n.startswith("ssbi/configs/materials/") for n in names) >= 36
    sources = {f"ssbi/{p.relative_to(ROOT).as_posix()}" for top in ("interfaces", "workflows")
               for p in (ROOT / top).rglob("*.py")}
    assert sources <= set(names), f"left out of the wheel: {sorted(sources - set(names))[:5]}"
    # one import root that no other distribution uses: no top-level workflows/, interfaces/ or ssbi_configs/
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith((".dist-info", ".data"))}
    assert tops == {"ssbi"}, tops
    site = tmp / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                              str(wheel)], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    return site


def from_wheel(site: Path, tmp_path: Path, *args):
    """``python -m ssbi.workflows.cli ARGS`` in an empty directory, importing the package from the wheel only (-S: no
    site-packages processing, so this tree's editable install is not seen; dependencies come from PYTHONPATH)."""
    deps = sysconfig.get_paths()["purelib"]
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{deps}", "SSBI_DATA_DIR": str(tmp_path / "data"),
           "COLUMNS": "200"}
    work = tmp_path / "elsewhere"
    work.mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-S", "-m", "ssbi.workflows.cli", *args], cwd=work, capture_output=True,
                          text=True, env=env, timeout=600)


def test_the_wheel_imports_its_own_files(wheel_site, tmp_path):
    deps = sysconfig.get_paths()["purelib"]
    proc = subprocess.run([sys.executable, "-S", "-c", "import ssbi.workflows, ssbi.configs; "
                           "print(ssbi.workflows.__file__); print(ssbi.configs.CONFIG_DIR)"], cwd=tmp_path,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": f"{wheel_site}:{deps}"})
    assert proc.returncode == 0, proc.stderr
    assert all(line.startswith(str(wheel_site)) for line in proc.stdout.split())


@pytest.mark.slow
def test_commands_work_from_a_wheel_install(wheel_site, tmp_path):
    listed = from_wheel(wheel_site, tmp_path, "materials", "list")
    assert listed.returncode == 0 and "Li6PS5Cl" in listed.stdout and "beta-Li3PS4" in listed.stdout, listed.stderr
    engines = from_wheel(wheel_site, tmp_path, "engines")
    assert engines.returncode == 0 and "chgnet" in engines.stdout, engines.stderr
    relax = from_wheel(wheel_site, tmp_path, "run", "relax", "Li2S")
    assert relax.returncode == 0 and "stored" in relax.stdout, relax.stdout + relax.stderr
    tasks = from_wheel(wheel_site, tmp_path, "query", "tasks")
    assert tasks.returncode == 0 and "Li2S" in tasks.stdout, tasks.stderr
    queue = from_wheel(wheel_site, tmp_path, "queue", "--dry-run")
    assert queue.returncode == 0 and "ssbi worker" in queue.stdout, queue.stderr
    window = from_wheel(wheel_site, tmp_path, "windows", "Li3PS4")
    assert window.returncode == 0 and "Li2S" in window.stdout, window.stderr
