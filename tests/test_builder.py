"""Interface builder: conservation, identical cells, strain limits, contacts, determinism."""

import filecmp
import json
import re

import numpy as np
import pytest

from ssbi.interfaces.builder import build_interfaces
from ssbi.interfaces.errors import InputError, MillerIndexError, NoMatchError
from ssbi.interfaces.materials import load
from ssbi.workflows.materials.candidates import write_candidates

# the pairs the builder must handle (film, substrate, film hkl, substrate hkl, options)
PAIRS = {
    "Li100|Li6PS5Cl100": ("Li", "Li6PS5Cl", (1, 0, 0), (1, 0, 0), {}),
    "Li110|Li3PS4_010": ("Li", "Li3PS4", (1, 1, 0), (0, 1, 0), {}),
    "Li100|Li2S111": ("Li", "Li2S", (1, 0, 0), (1, 1, 1), {}),
    "Li2S111|Li6PS5Cl100": ("Li2S", "Li6PS5Cl", (1, 1, 1), (1, 0, 0), {}),
    "S8_001|Li3PS4_001": ("S8", "Li3PS4", (0, 0, 1), (0, 0, 1), {"max_atoms": 400, "film_thickness": 6.0, "substrate_thickness": 8.0}),
    "Li100|LLZO100": ("Li", "Li7La3Zr2O12", (1, 0, 0), (1, 0, 0), {}),
}


@pytest.fixture(scope="module")
def built():
    cache = {}

    def get(key):
        if key not in cache:
            film, sub, fm, sm, opts = PAIRS[key]
            cache[key] = build_interfaces(load(film), load(sub), fm, sm, **{"max_candidates": 4, **opts})
        return cache[key]

    return get


@pytest.mark.parametrize("key", list(PAIRS))
def test_candidates_conserve_atoms_and_share_the_cell(built, key):
    cands = built(key)
    assert cands, key
    for c in cands:
        m = c.metadata
        # atoms: interface = film slab + substrate slab, exactly
        assert c.interface.composition == c.film_slab.composition + c.substrate_slab.composition
        assert len(c.interface) == m.n_atoms == m.n_film_atoms + m.n_substrate_atoms
        # identical cells (in-plane and normal) for W_ad
        assert np.allclose(c.film_slab.lattice.matrix, c.interface.lattice.matrix)
        assert np.allclose(c.substrate_slab.lattice.matrix, c.interface.lattice.matrix)
        # the film slab is the film atoms of the interface, in place
        film_sites = [s for s in c.interface if s.properties["region"] == "film"]
        assert np.allclose([s.frac_coords for s in film_sites], c.film_slab.frac_coords)
        assert m.n_atoms <= 300 or key.startswith("S8")
        assert m.max_abs_strain <= 0.05 + 1e-9
        assert m.min_contact_distance >= 1.2
        area = np.linalg.norm(np.cross(*c.interface.lattice.matrix[:2]))
        assert m.area == pytest.approx(area)


@pytest.mark.parametrize("key", list(PAIRS))
def test_ranking_fewest_atoms_then_least_strain(built, key):
    keys = [(c.metadata.n_atoms, round(c.metadata.max_abs_strain, 6)) for c in built(key)]
    assert keys == sorted(keys)
    assert [c.metadata.rank for c in built(key)] == list(range(1, len(keys) + 1))


def test_li_takes_the_strain_and_bottom_substrate_is_fixed(built):
    for c in built("Li100|Li2S111"):
        m = c.metadata
        assert m.strained_side == "film"
        assert m.substrate_von_mises_strain == pytest.approx(0.0, abs=1e-8)
        assert c.film_slab.composition.reduced_formula == "Li"
        normal = np.cross(*c.interface.lattice.matrix[:2])
        normal /= np.linalg.norm(normal)
        z = c.interface.cart_coords @ normal
        fixed = np.array([not any(sd) for sd in c.interface.site_properties["selective_dynamics"]])
        region = np.array(c.interface.site_properties["region"])
        assert fixed.sum() == m.n_fixed_atoms > 0
        assert set(region[fixed]) == {"substrate"}
        # fixed atoms are the lowest substrate atoms
        assert z[fixed].max() <= z[(region == "substrate") & ~fixed].min() + 1e-6


def test_strain_can_be_moved_to_the_substrate():
    li, li2s = load("Li"), load("Li2S")
    c = build_interfaces(li, li2s, (1, 0, 0), (1, 1, 1), strained="substrate", max_candidates=1)[0]
    m = c.metadata
    assert m.strained_side == "substrate"
    assert m.film_von_mises_strain == pytest.approx(0.0, abs=1e-8)
    assert m.substrate_von_mises_strain > 0


def test_periodic_stack_has_two_interfaces_and_no_vacuum():
    c = build_interfaces(load("Li"), load("Li2S"), (1, 0, 0), (1, 1, 1), periodic=True, max_candidates=1)[0]
    assert c.metadata.n_interfaces == 2
    assert c.metadata.vacuum == 0.0
    normal = np.cross(*c.interface.lattice.matrix[:2])
    normal /= np.linalg.norm(normal)
    z = np.sort(c.interface.cart_coords @ normal)
    height = abs(c.interface.lattice.matrix[2] @ normal)
    # the largest empty stretch along the normal is about the gap, not a vacuum
    gaps = np.diff(np.concatenate([z, [z[0] + height]]))
    assert gaps.max() < 2.5 + 1.0


def test_same_inputs_give_identical_outputs(tmp_path):
    a = build_interfaces(load("Li"), load("Li2S"), (1, 0, 0), (1, 1, 1), max_candidates=3)
    b = build_interfaces(load("Li"), load("Li2S"), (1, 0, 0), (1, 1, 1), max_candidates=3)
    assert [c.metadata.fingerprint for c in a] == [c.metadata.fingerprint for c in b]
    assert len({c.metadata.fingerprint for c in a}) == len(a)
    write_candidates(a, tmp_path / "a", {"film": "Li"})
    write_candidates(b, tmp_path / "b", {"film": "Li"})
    cmp = filecmp.dircmp(tmp_path / "a", tmp_path / "b")
    assert not cmp.diff_files and not cmp.left_only and not cmp.right_only
    for sub in cmp.subdirs.values():
        assert not sub.diff_files
        assert len(sub.same_files) == 7  # 3 x (cif, extxyz) + POSCAR
    doc = json.loads((tmp_path / "a" / "candidates.json").read_text())
    assert doc["n_candidates"] == 3


def test_changed_input_changes_the_fingerprint():
    a = build_interfaces(load("Li"), load("Li2S"), (1, 0, 0), (1, 1, 1), max_candidates=1)[0]
    b = build_interfaces(load("Li"), load("Li2S"), (1, 0, 0), (1, 1, 1), max_candidates=1, gap=3.0)[0]
    assert a.metadata.inputs_fingerprint != b.metadata.inputs_fingerprint


def test_extxyz_carries_constraints_and_regions(tmp_path):
    from ase.io import read

    c = build_interfaces(load("Li"), load("Li2S"), (1, 0, 0), (1, 1, 1), max_candidates=1)
    write_candidates(c, tmp_path, {})
    atoms = read(tmp_path / "candidate_01" / "interface.extxyz")
    assert atoms.arrays["fixed"].sum() == c[0].metadata.n_fixed_atoms
    assert set(atoms.arrays["region"]) == {"film", "substrate"}
    poscar = (tmp_path / "candidate_01" / "POSCAR").read_text()
    assert "Selective dynamics" in poscar


@pytest.mark.parametrize(
    "miller, message",
    [((0, 0, 0), "does not define a plane"), ((1, 0), "three integers"), (("a", 0, 0), "three integers")],
)
def test_bad_miller_index(miller, message):
    with pytest.raises(MillerIndexError, match=message):
        build_interfaces(load("Li"), load("Li2S"), miller, (1, 1, 1))


def test_negative_thickness_is_rejected():
    with pytest.raises(InputError, match="film thickness -2: input should be greater than 0"):
        build_interfaces(load("Li"), load("Li2S"), (1, 0, 0), (1, 1, 1), film_thickness=-2)


def test_no_match_names_the_limit():
    with pytest.raises(NoMatchError, match="max-strain"):
        build_interfaces(load("Li"), load("Li2S"), (1, 0, 0), (1, 1, 1), max_strain=0.001)
    with pytest.raises(NoMatchError, match="max-atoms"):
        build_interfaces(load("Li"), load("Li6PS5Cl"), (1, 0, 0), (1, 0, 0), max_atoms=20)
    with pytest.raises(NoMatchError, match="max-atoms") as err:
        build_interfaces(load("Li"), load("Li6PS5Cl"), (1, 0, 0), (1, 0, 0), max_atoms=60)
    # the message says how many atoms the smallest match needs: never more than the smallest cell built without
    # the limit (a lower bound where only estimated)
    needed = int(re.search(r"the smallest (?:has |needs at least ~)(\d+) atoms", str(err.value)).group(1))
    smallest = min(c.metadata.n_atoms for c in build_interfaces(load("Li"), load("Li6PS5Cl"), (1, 0, 0), (1, 0, 0)))
    assert 60 < needed <= smallest


def test_plain_supercells_of_a_match_are_not_repeated(built):
    cands = built("Li100|Li6PS5Cl100")
    areas = sorted({round(c.metadata.area, 2) for c in cands})
    strains = {round(c.metadata.area, 2): round(c.metadata.max_abs_strain, 4) for c in cands}
    for i, a in enumerate(areas):
        for b in areas[:i]:
            ratio = a / b
            assert not (abs(ratio - round(ratio)) < 0.02 and strains[a] == strains[b])
