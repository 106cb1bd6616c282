import os
import warnings

# one thread per process: pytest -n 2 on 2 cores, plus the ssbi subprocesses the tests start,
# must not oversubscribe the cores (torch and BLAS would each take all of them)
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pytest  # noqa: E402

warnings.filterwarnings("ignore", category=UserWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning)


def pytest_collection_modifyitems(config, items):
    """The long tests (marked slow, or running the real CP2K) first: with one test at a time to each worker
    (`--maxschedchunk 1`, the Makefile's), the two workers of `pytest -n 2` share them and end on short ones, instead
    of one idling while the other finishes a long test collected last."""
    items.sort(key=lambda item: not any(item.get_closest_marker(m) for m in ("slow", "cp2k", "hpc")))


@pytest.fixture(scope="session")
def library():
    from ssbi.interfaces.materials import list_materials

    return {m.name: m for m in list_materials()}


import fcntl
import os
import shutil
from pathlib import Path

CP2K_SHARE = "/usr/share/cp2k"


from helpers import memory_jobstore, ssbi  # noqa: E402,F401 - `from conftest import ssbi` keeps working


@pytest.fixture
def memory_store():
    """A fresh in-memory job store (tests/helpers.py)."""
    return memory_jobstore()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """The test's own ssbi data folder (SSBI_DATA_DIR), for code that opens the default store or LaunchPad."""
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    return tmp_path


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
        from ssbi.workflows.engines.cp2k import setup_cp2k

        setup_cp2k(CP2K_SHARE)
    return folder


@pytest.fixture
def cp2k_binary():
    if shutil.which("cp2k.psmp") is None or shutil.which("mpirun") is None:
        pytest.skip("cp2k.psmp/mpirun not installed (apt-get install cp2k cp2k-data openmpi-bin; CI does this as root)")
