"""Adding a phase to the library from a structure file (`ssbi materials add`)."""

import json
import shutil

import pytest
import yaml
from conftest import ssbi
from pymatgen.analysis.structure_matcher import StructureMatcher

from ssbi.interfaces.crystallography import crystallography_from_structure, structure_from_wyckoff
from ssbi.interfaces.materials import library_dir, list_materials


@pytest.mark.parametrize("name", [m.name for m in list_materials() if m.has_structure])
def test_wyckoff_description_rebuilds_every_library_structure(name, library):
    """structure → (space group, lattice, Wyckoff sites) → structure is the identity,
    partially occupied cells (LGPS, LLZO, Li6PS5Cl) included."""
    parent = library[name].parent_structure()
    cryst = crystallography_from_structure(parent)
    rebuilt = structure_from_wyckoff(cryst)
    assert cryst["spacegroup_number"] == library[name].crystallography["spacegroup_number"]
    assert len(cryst["sites"]) == len(library[name].crystallography["sites"])
    assert len(rebuilt) == len(parent)
    matcher = StructureMatcher(primitive_cell=False, scale=False, attempt_supercell=False, ltol=0.01, stol=0.01, angle_tol=0.5)
    assert matcher.fit(parent, rebuilt)


@pytest.fixture
def small_library(tmp_path, library):
    """A copy of the library without P3N5 and GeS, and their published cells as CIF files."""
    folder = tmp_path / "materials"
    shutil.copytree(library_dir(), folder)
    cifs = {}
    for name in ("P3N5", "GeS"):
        library[name].parent_structure().to(filename=str(tmp_path / f"{name}.cif"))
        cifs[name] = tmp_path / f"{name}.cif"
        for path in [folder / f"{name}.yaml", *(folder / "structures").glob(f"{name}.*")]:
            path.unlink()
    return folder, cifs


def _files(folder, name):
    return sorted(p.name for p in [*folder.glob(f"{name}.*"), *(folder / "structures").glob(f"{name}.*")])


def test_add_a_phase_from_a_cif(small_library, tmp_path, library):
    folder, cifs = small_library
    proc = ssbi("materials", "add", str(cifs["P3N5"]), "--name", "P3N5", "--reference", "Horstmann, Irran, Schnick 1997",
                "--doi", "10.1002/anie.199718731", data_dir=tmp_path / "data", env={"SSBI_MATERIALS_DIR": str(folder)}, check=True)
    assert "added P3N5 (P3N5, Cc, 8 Wyckoff sites)" in proc.stdout
    entry = yaml.safe_load((folder / "P3N5.yaml").read_text())
    assert entry["roles"] == ["competing"] and entry["source"]["doi"] == "10.1002/anie.199718731"
    assert entry["crystallography"]["spacegroup_number"] == 9
    assert [s["wyckoff"] for s in entry["crystallography"]["sites"]] == ["4a"] * 8
    assert _files(folder, "P3N5") == ["P3N5.chgnet.cif", "P3N5.cif", "P3N5.parent.cif", "P3N5.provenance.json", "P3N5.yaml"]
    # the same CHGNet relaxation as the curated library entry
    new = json.loads((folder / "structures" / "P3N5.provenance.json").read_text())["relaxation"]
    old = json.loads(library["P3N5"].structure_path().with_name("P3N5.provenance.json").read_text())["relaxation"]
    assert new["energy_eV_per_atom"] == pytest.approx(old["energy_eV_per_atom"], abs=2e-3)
    assert new["volume_change"] == pytest.approx(old["volume_change"], abs=0.005)
    # the new entry is part of the library: listed, and a phase of the Li-P-O-N hull
    listed = ssbi("materials", "list", "--role", "competing", data_dir=tmp_path / "data", env={"SSBI_MATERIALS_DIR": str(folder)}, check=True)
    assert "P3N5" in listed.stdout


def test_a_phase_that_fails_the_checks_leaves_nothing(small_library, tmp_path):
    """Layered GeS swells by ~18 % without dispersion: refused unless marked van der Waals."""
    folder, cifs = small_library
    env = {"SSBI_MATERIALS_DIR": str(folder)}
    proc = ssbi("materials", "add", str(cifs["GeS"]), "--name", "GeS", "--reference", "Zachariasen 1932", data_dir=tmp_path / "d", env=env)
    assert proc.returncode == 2
    assert "GeS not added: volume changed by +17" in proc.stderr and "--van-der-waals" in proc.stderr
    assert _files(folder, "GeS") == []
    proc = ssbi("materials", "add", str(cifs["GeS"]), "--name", "GeS", "--reference", "Zachariasen 1932",
                "--van-der-waals", "--layered", data_dir=tmp_path / "d", env=env, check=True)
    assert "added GeS" in proc.stdout and len(_files(folder, "GeS")) == 5


def test_a_failed_force_replacement_keeps_the_old_entry(small_library, tmp_path):
    folder, cifs = small_library
    old = {p.name: p.read_bytes() for p in [folder / "Li.yaml", *(folder / "structures").glob("Li.*")]}
    proc = ssbi("materials", "add", str(cifs["GeS"]), "--name", "li", "--reference", "x", "--force",
                data_dir=tmp_path / "d", env={"SSBI_MATERIALS_DIR": str(folder)})
    assert proc.returncode == 2 and "Li not added: volume changed by +17" in proc.stderr
    assert {p.name: p.read_bytes() for p in [folder / "Li.yaml", *(folder / "structures").glob("Li.*")]} == old


@pytest.mark.parametrize(
    "args, message",
    [
        (["--name", "Li", "--reference", "x"], "'Li' is already in the library"),
        (["--name", "P3N5x", "--reference", "x", "--role", "catalyst"], "unknown role(s) catalyst; allowed: anode"),
        (["--name", "P3 N5", "--reference", "x"], "invalid material name 'P3 N5'"),
        (["--name", "P3N5x", "--reference", "x", "--layered"], "--layered describes a van der Waals solid"),
    ],
)
def test_bad_arguments_are_one_line_and_write_nothing(small_library, tmp_path, args, message):
    folder, cifs = small_library
    before = sorted(p.name for p in folder.rglob("*"))
    proc = ssbi("materials", "add", str(cifs["P3N5"]), *args, data_dir=tmp_path / "d", env={"SSBI_MATERIALS_DIR": str(folder)})
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in folder.rglob("*")) == before


def test_unreadable_structure_file(small_library, tmp_path):
    folder, _ = small_library
    bad = tmp_path / "broken.cif"
    bad.write_text("data_broken\n_cell_length_a not-a-number\n")
    proc = ssbi("materials", "add", str(bad), "--name", "X", "--reference", "x", data_dir=tmp_path / "d",
                env={"SSBI_MATERIALS_DIR": str(folder)})
    assert proc.returncode == 2 and "broken.cif" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (folder / "X.yaml").exists()
