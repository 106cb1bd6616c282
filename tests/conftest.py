import os
import warnings

# one thread per process: pytest -n 2 on 2 cores, plus the ssbi subprocesses the tests start,
# must not oversubscribe the cores (torch and BLAS would each take all of them)
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pytest  # noqa: E402

warnings.filterwarnings("ignore", category=UserWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning)


@pytest.fixture(scope="session")
def library():
    from interfaces.materials import list_materials

    return {m.name: m for m in list_materials()}


import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

CP2K_SHARE = "/usr/share/cp2k"


def ssbi(*args, data_dir, env=None, timeout=900, check=False):
    """Run the installed command line in a fresh process with its own data folder."""
    full_env = {**os.environ, "SSBI_DATA_DIR": str(data_dir), "COLUMNS": "200", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "workflows.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"ssbi {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def cp2k_data(tmp_path_factory):
    """pymatgen's CP2K data folder, built once per machine (needs Debian's cp2k-data)."""
    if not Path(CP2K_SHARE, "BASIS_MOLOPT").is_file():
        pytest.skip("CP2K data files not installed (apt-get install cp2k cp2k-data; CI does this as root)")
    cache = Path(os.environ.get("SSBI_TEST_CACHE", Path.home() / ".cache" / "ssbi-tests"))
    cache.mkdir(parents=True, exist_ok=True)
    folder = cache / "cp2k-data"
    with open(cache / "cp2k-data.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        os.environ["PMG_CP2K_DATA_DIR"] = str(folder)
        from workflows.engines.cp2k import setup_cp2k

        setup_cp2k(CP2K_SHARE)
    return folder


@pytest.fixture
def cp2k_binary():
    if shutil.which("cp2k.psmp") is None or shutil.which("mpirun") is None:
        pytest.skip("cp2k.psmp/mpirun not installed (apt-get install cp2k cp2k-data openmpi-bin; CI does this as root)")
