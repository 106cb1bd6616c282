import warnings

import pytest

warnings.filterwarnings("ignore", category=UserWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning)


@pytest.fixture(scope="session")
def library():
    from interfaces.materials import list_materials

    return {m.name: m for m in list_materials()}
