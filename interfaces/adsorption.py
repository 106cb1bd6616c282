"""Carbon hosts and Li2Sn molecules for adsorption: the cells, the starting geometries and a small search grid.

Hosts: pristine graphene, and pyridinic-N graphene (a single vacancy whose three C neighbours are N, the "N3V"
site of the anchoring literature), as a periodic sheet with vacuum. Molecules: Li2S and Li2Sn (n = 4, 6, 8), an
open S chain with one Li at each end bridging the terminal S atoms; the engine relaxes them in a box. The search:
the molecule's centre over each site (top, bridge, hollow; the vacancy on doped sheets) with Li or S facing the
sheet and two in-plane rotations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from ase.build import graphene

from ssbi.interfaces.errors import InputError

HOSTS = ("graphene", "pyridinic-N-graphene")
MOLECULES = ("Li2S", "Li2S4", "Li2S6", "Li2S8")
S_S, LI_S = 2.07, 2.35  # Å, starting bond lengths (S8, Li2S)


def carbon_host(kind: str, repeat: int = 6, vacuum: float = 20.0) -> Atoms:
    """A ``repeat`` x ``repeat`` graphene sheet (a = 2.46 Å) in the xy plane at z = vacuum/2; ``pyridinic-N-graphene``
    without one C and with its three neighbours made N."""
    if kind not in HOSTS:
        raise InputError(f"unknown carbon host {kind!r}; allowed: {', '.join(HOSTS)}")
    sheet = graphene(formula="C2", a=2.46, size=(repeat, repeat, 1), vacuum=vacuum / 2)
    sheet.pbc = True
    if kind == "pyridinic-N-graphene":
        centre = sheet.cell[0] / 2 + sheet.cell[1] / 2
        removed = int(np.argmin(np.linalg.norm(sheet.positions[:, :2] - centre[:2], axis=1)))
        d = sheet.get_distances(removed, range(len(sheet)), mic=True)
        neighbours = [i for i in np.argsort(d)[1:4]]
        symbols = sheet.get_chemical_symbols()
        for i in neighbours:
            symbols[i] = "N"
        sheet.set_chemical_symbols(symbols)
        del sheet[removed]
    return sheet


def polysulfide(name: str) -> Atoms:
    """Starting geometry of Li2S or Li2Sn (n = 4, 6, 8), centred at the origin, its S chain in the xy plane and the
    two Li below it (−z), each bridging a terminal S and its neighbour."""
    if name not in MOLECULES:
        raise InputError(f"unknown molecule {name!r}; allowed: {', '.join(MOLECULES)}")
    n = 1 if name == "Li2S" else int(name[4:])
    if n == 1:
        half = math.radians(105.0) / 2
        pos = [[0, 0, 0], [LI_S * math.sin(half), LI_S * math.cos(half), 0],
               [-LI_S * math.sin(half), LI_S * math.cos(half), 0]]
        atoms = Atoms("SLi2", positions=pos)
    else:
        # S on an arc of a circle whose chord between neighbours is S_S; the arc spans (n−1)/(n+1) of the circle so
        # the chain's ends stay ~3.5 Å apart, where the two Li bridge them
        span = 2 * math.pi * (n - 1) / (n + 1)
        step = span / (n - 1)
        radius = S_S / (2 * math.sin(step / 2))
        angles = [-span / 2 + i * step for i in range(n)]
        s_pos = [[radius * math.cos(a), radius * math.sin(a), 0.0] for a in angles]
        li_pos = []
        for end, nxt in ((0, 1), (n - 1, n - 2)):
            mid = (np.array(s_pos[end]) + np.array(s_pos[nxt])) / 2
            li_pos.append(list(mid * 0.8 + np.array([0, 0, -1.9])))
        atoms = Atoms(f"S{n}Li2", positions=s_pos + li_pos)
    atoms.positions -= atoms.get_center_of_mass()
    return atoms


def in_box(molecule: Atoms, size: float = 20.0) -> Atoms:
    """The molecule alone in a cubic periodic box (the isolated reference of the binding energy)."""
    boxed = molecule.copy()
    boxed.cell = [size, size, size]
    boxed.pbc = True
    boxed.center()
    return boxed


@dataclass
class Placement:
    site: str
    facing: str  # Li | S: which end of the molecule faces the sheet
    rotation: float  # degrees about the sheet normal
    atoms: Atoms


def sites(host: Atoms) -> dict[str, np.ndarray]:
    """In-plane positions of the sites near the cell centre: top (over C), bridge, hollow; on a doped sheet also the
    vacancy (the centre of its N atoms) and top of N."""
    centre = (host.cell[0] + host.cell[1]) / 2
    carbons = [i for i, s in enumerate(host.get_chemical_symbols()) if s == "C"]
    nitrogen = [i for i, s in enumerate(host.get_chemical_symbols()) if s == "N"]
    out = {}
    if nitrogen:
        out["vacancy"] = host.positions[nitrogen].mean(axis=0)
        out["top N"] = host.positions[nitrogen[0]]
        return out
    c0 = carbons[int(np.argmin(np.linalg.norm(host.positions[carbons, :2] - centre[:2], axis=1)))]
    d = host.get_distances(c0, carbons, mic=True, vector=True)
    order = np.argsort(np.linalg.norm(d, axis=1))
    first = d[order[1]]
    second = d[order[2]]
    out["top"] = host.positions[c0]
    out["bridge"] = host.positions[c0] + first / 2
    out["hollow"] = host.positions[c0] + first + second  # two neighbours at 120°: their sum points at the ring centre
    return out


def placements(host: Atoms, molecule: Atoms, height: float = 2.2, rotations=(0.0, 30.0),
               facings=("Li", "S")) -> list[Placement]:
    """The molecule over each site, with Li (or S) facing the sheet ``height`` Å above it, at each rotation."""
    z_sheet = float(host.positions[:, 2].max())
    out = []
    for site, xy in sites(host).items():
        for facing in facings:
            for rot in rotations:
                mol = molecule.copy()
                if facing == "S":
                    mol.rotate(180, "x", center="COM")
                mol.rotate(rot, "z", center="COM")
                symbols = np.array(mol.get_chemical_symbols())
                low = mol.positions[symbols == facing][:, 2].min() if facing in symbols else mol.positions[:, 2].min()
                shift = np.array([xy[0], xy[1], z_sheet + height]) - np.array([*mol.get_center_of_mass()[:2], low])
                mol.positions += shift
                out.append(Placement(site, facing, rot, host + mol))
    return out
