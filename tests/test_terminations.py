"""Distinct terminations of a face: symmetry-equivalent cuts merged, distinct faces with one label kept apart
(the pymatgen CoherentInterfaceBuilder bugs #3854, #4572, #3683), symmetric slabs, Tasker type, broken units."""

import json

import numpy as np
import pytest
from helpers import ssbi
from pymatgen.core.surface import Slab
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from ssbi.interfaces.errors import InputError, MillerIndexError
from ssbi.interfaces.materials import load
from ssbi.interfaces.reference import reference_structure
from ssbi.interfaces.terminations import SurfaceCuts, find_termination, terminations


def conventional(ref_id):
    return SpacegroupAnalyzer(reference_structure(ref_id)).get_conventional_standard_structure()


def test_corundum_basal_plane_has_its_three_known_terminations():
    """pymatgen #3854: Al2O3 (0001) terminations that share a label were merged into one interface."""
    found = terminations(conventional("mp-1143"), (0, 0, 1))
    assert [t.label for t in found] == ["Al+O3", "Al+Al", "O3+Al"]
    single, double, oxygen = found
    # the single-Al face is the known non-polar (Tasker 2) one; the other two are polar
    assert single.stoichiometric_symmetric and single.tasker == 2 and not single.polar
    assert double.tasker == 3 and oxygen.tasker == 3
    assert double.symmetric_excess == {"Al": 2.0} and oxygen.symmetric_excess == {"O": 3.0}
    # 18 cut planes per c; the R-centring and the c-glide make them six copies of each face
    cuts = SurfaceCuts(conventional("mp-1143"), (0, 0, 1))
    assert len(cuts.cuts) == 18 and all(len(t.equivalent_heights) == 6 for t in found)


def test_silicon_111_keeps_both_faces_and_100_has_one():
    """pymatgen #4572: Si(111) has two inequivalent terminations (cut through the long or the short bonds)."""
    si = conventional("mp-149")
    f111 = terminations(si, (1, 1, 1))
    assert len(f111) == 2 and len({t.label for t in f111}) == 2
    assert all(t.stoichiometric_symmetric and t.tasker == 1 for t in f111)
    # (100): four cuts per cell, all the same face by the 4-bar screw (pymatgen #3683: equivalent ones kept twice)
    f100 = terminations(si, (1, 0, 0))
    assert len(f100) == 1 and len(f100[0].equivalent_heights) == 4


def test_symmetric_slabs_have_equivalent_faces_and_known_excess():
    llzo = load("LLZO")
    cuts = SurfaceCuts(llzo, (1, 0, 0))
    found = terminations(llzo, (1, 0, 0))
    assert len(found) == 12 and len({t.label for t in found}) == 12
    assert {t.top_atom for t in found} == {"Li", "O", "La"}  # Li-, O- and cation-terminated faces can be asked for
    for t in found[:3]:
        (thick,) = cuts.symmetric_thicknesses(t.height, cuts.period - 1e-3)
        slab = cuts.slab(t.height, thick)
        pmg = Slab(slab.lattice, slab.species, slab.frac_coords, (1, 0, 0), cuts.cell, 0.0, np.eye(3, dtype=int))
        assert pmg.is_symmetric(), t.label
        assert cuts.composition_excess(slab) == pytest.approx(t.symmetric_excess)


def test_broken_polyanions_counted_at_the_face():
    found = terminations(load("Li3PS4"), (1, 0, 0))
    assert sorted(t.broken_units for t in found) == [0, 1]


def test_termination_lookup_and_bad_input():
    found = terminations(load("Li2S"), (1, 1, 1))
    assert find_termination(found, "Li4+S4").stoichiometric_symmetric
    assert find_termination(found, 0) is found[0]
    with pytest.raises(InputError, match="choose one of 0: S4\\+Li4"):
        find_termination(found, "O4")
    with pytest.raises(MillerIndexError):
        terminations(load("Li2S"), (0, 0, 0))


def test_terminations_command(tmp_path):
    done = ssbi("terminations", "Li2S", "1", "1", "1", "--format", "json", data_dir=tmp_path, check=True)
    data = json.loads(done.stdout)
    assert [t["label"] for t in data["terminations"]] == ["S4+Li4", "Li4+S4", "Li4"]
    assert [t["tasker"] for t in data["terminations"]] == [3, 2, 3]
    # the library cell has 12; the shipped CHGNet relaxation, which surfaces and interfaces are cut from, lost some
    # symmetry (16): the command names the cell it cuts
    table = ssbi("terminations", "LLZO", "1", "0", "0", data_dir=tmp_path, check=True)
    assert "16 distinct terminations" in table.stdout and "cut from the chgnet relaxed bulk (shipped)" in table.stdout
    assert data["cut_from"] == "chgnet relaxed bulk (shipped)"
    bad = ssbi("terminations", "Li2S", "0", "0", "0", data_dir=tmp_path)
    assert bad.returncode == 2 and "does not define a plane" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
