"""Which elements an engine can compute: an MLIP's trained species, CP2K's basis sets, VASP's POTCARs.

Used to refuse a new element in one line that names the engines that do support it, before any hull is built.
``None`` means "not known here" (CP2K without its data files, VASP whose POTCARs are licensed and not here).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Optional

from pymatgen.core import Element

from ssbi.workflows.engines.config import engine_config, engine_names

CHGNET_MAX_Z = 94  # CHGNet's atom embedding covers Z = 1 ... 94 (the MPtrj elements and more)


@lru_cache(maxsize=8)
def _sevennet_species(model: str) -> frozenset[str]:
    import torch
    from sevenn.util import pretrained_name_to_path

    ckpt = torch.load(pretrained_name_to_path(model), map_location="cpu", weights_only=False)
    return frozenset(ckpt["config"]["chemical_species"])


@lru_cache(maxsize=4)
def _cp2k_species(share: str, basis: str, files: tuple[str, ...]) -> Optional[frozenset[str]]:
    found = set()
    for name in files:
        for folder in (Path(share), Path(share) / "data"):
            path = folder / name
            if path.is_file():
                pattern = re.compile(rf"^\s*([A-Z][a-z]?)\s+{re.escape(basis)}\b", re.M)
                found |= set(pattern.findall(path.read_text(errors="replace")))
    return frozenset(found) or None


def supported_elements(engine: str) -> Optional[frozenset[str]]:
    """The element symbols ``engine`` can compute, or None where that cannot be told here."""
    config = engine_config(engine)
    kind, ff = config.get("kind"), str(config.get("force_field_name", ""))
    try:
        if kind == "forcefield" and ff.lower() == "chgnet":
            return frozenset(Element.from_Z(z).symbol for z in range(1, CHGNET_MAX_Z + 1))
        if kind == "forcefield" and ff.lower() == "sevennet":
            return _sevennet_species(str((config.get("calculator_kwargs") or {}).get("model", "7net-0")))
        if kind == "cp2k":
            return _cp2k_species(str(config.get("cp2k_share", "/usr/share/cp2k")), str(config.get("basis")),
                                 tuple(config.get("basis_files") or []))
    except Exception:  # noqa: BLE001 - a model or data file that cannot be read: not known here
        return None
    return None


def engine_support(element: str) -> str:
    """'supported by chgnet, sevennet; cp2k, vasp: not known here' for one element."""
    yes, unknown = [], []
    for name in engine_names():
        species = supported_elements(name)
        if species is None:
            unknown.append(name)
        elif element in species:
            yes.append(name)
    why = {"cp2k": "its basis files are not installed here", "vasp": "its POTCARs are licensed, not here"}
    text = f"engines that support {element}: {', '.join(yes) or 'none of the MLIPs'}"
    return text + (" (not known for " + "; ".join(f"{n}: {why.get(engine_config(n).get('kind'), 'cannot tell')}"
                                                   for n in unknown) + ")" if unknown else "")


def unsupported(engine: str, elements) -> list[str]:
    """The elements of ``elements`` that ``engine`` cannot compute (empty when all can, or when unknown)."""
    species = supported_elements(engine)
    return [] if species is None else sorted(set(elements) - species)
