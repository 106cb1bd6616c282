"""Engines: names, checks, force-field model reuse, CP2K and VASP inputs."""

import pytest
from jobflow import run_locally

from ssbi.workflows.engines.config import engine_names
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.errors import EngineError


def test_engine_names_and_unknown_engine():
    assert {"chgnet", "sevennet", "sevennet-l3i5", "cp2k", "vasp"} <= set(engine_names())
    with pytest.raises(EngineError, match="unknown engine 'chgnett'.*did you mean 'chgnet'"):
        get_engine("chgnett")


def test_engine_energy_scales():
    # CHGNet's labels carry MP2020 corrections; DFT codes are raw GGA
    assert get_engine("chgnet").energy_scale == "mp2020"
    assert get_engine("cp2k").energy_scale == "raw-gga"
    assert get_engine("vasp").energy_scale == "raw-gga"


def test_forcefield_makers_by_target():
    eng = get_engine("chgnet")
    assert eng.relax_maker("bulk").relax_cell is True
    assert eng.relax_maker("slab").relax_cell is False
    assert eng.relax_maker("interface").relax_kwargs["fmax"] == pytest.approx(0.05)
    with pytest.raises(EngineError, match="unknown target"):
        eng.relax_maker("surface")


def test_model_loaded_once_and_same_energy_as_atomate2(memory_store, tmp_path, monkeypatch):
    """Two jobs of one spec build the model once (the shared cache is emptied first and every model construction
    is counted, so a job that bypassed the cache would be seen); the energy is atomate2's own."""
    from atomate2.forcefields import utils
    from atomate2.forcefields.jobs import ForceFieldStaticMaker

    import ssbi.workflows._compat as _compat
    from ssbi.interfaces.materials import load

    structure = load("Li2S").get_primitive_structure()
    eng = get_engine("chgnet")
    jobs = [eng.static_maker().make(structure), eng.static_maker().make(structure)]
    out = {}
    built, original = [], utils.ase_calculator

    def counting(*args, **kwargs):
        built.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(_compat, "_CALCULATORS", {})
    monkeypatch.setattr(utils, "ase_calculator", counting)
    out.update(run_locally(jobs, store=memory_store, ensure_success=True, log=False, root_dir=tmp_path,
                           create_folders=True))
    assert len(built) == 1 and len(_compat._CALCULATORS) == 1  # one model for both jobs
    monkeypatch.setattr(utils, "ase_calculator", original)
    reference = ForceFieldStaticMaker(force_field_name="CHGNet").make(structure)
    out.update(run_locally([reference], store=memory_store, ensure_success=True, log=False, root_dir=tmp_path,
                           create_folders=True))
    energies = [out[j.uuid][1].output.output.energy for j in jobs + [reference]]
    assert energies[0] == pytest.approx(energies[1], abs=1e-8)
    assert energies[0] == pytest.approx(energies[2], abs=1e-5)


@pytest.mark.parametrize("name", ["sevennet", "sevennet-l3i5"])
def test_sevennet_engine_runs_when_installed(memory_store, tmp_path, name):
    pytest.importorskip("sevenn", reason="optional extra sevennet not installed")
    from ssbi.interfaces.materials import load

    eng = get_engine(name)
    eng.check()
    assert eng.energy_scale == "raw-gga" and ("l3i5" in eng.version()) == (name == "sevennet-l3i5")
    job = eng.static_maker().make(load("Li").get_primitive_structure())
    out = run_locally(job, store=memory_store, ensure_success=True, log=False, root_dir=tmp_path,
                      create_folders=True)
    energy = out[job.uuid][1].output.output.energy
    assert -2.5 < energy < -1.5  # bcc Li, one atom: about -1.9 eV (raw GGA)


def test_model_path_loads_a_checkpoint_from_a_folder(tmp_path, memory_store):
    """A group's own checkpoint (here a small, untrained CHGNet made in the test) replaces the shipped weights:
    a different energy, its path and digest in the engine's version, one line for a missing file."""
    import torch
    from chgnet.model import CHGNet

    from ssbi.interfaces.materials import load
    from ssbi.workflows.engines.spec import EngineSpec
    from ssbi.workflows.errors import EngineError

    torch.manual_seed(0)
    small = CHGNet(atom_fea_dim=8, bond_fea_dim=8, angle_fea_dim=8, atom_conv_hidden_dim=8,
                   bond_conv_hidden_dim=8, mlp_hidden_dims=(8,), num_radial=5, num_angular=5, n_conv=1)
    path = tmp_path / "models" / "tiny.pth.tar"
    path.parent.mkdir()
    torch.save({"model": small.as_dict()}, path)
    energies = {}
    for label, overrides in (("shipped", {}), ("own", {"model_path": str(path)}),
                             ("folder", {"model_path": str(path.parent)})):
        eng = get_engine(EngineSpec.resolve("chgnet", overrides))
        job = eng.static_maker().make(load("Li2S").get_primitive_structure())
        out = run_locally(job, store=memory_store, ensure_success=True, log=False, root_dir=tmp_path,
                          create_folders=True)
        energies[label] = out[job.uuid][1].output.output.energy
    assert abs(energies["own"] - energies["shipped"]) > 0.1
    assert energies["folder"] == pytest.approx(energies["own"])  # the folder's one checkpoint
    assert str(path) in get_engine(EngineSpec.resolve("chgnet", {"model_path": str(path)})).version()
    with pytest.raises(EngineError, match="model_path .*nowhere.pth does not exist"):
        get_engine(EngineSpec.resolve("chgnet", {"model_path": str(tmp_path / "nowhere.pth")})).static_maker()
    (path.parent / "other.pt").write_bytes(b"")
    with pytest.raises(EngineError, match="holds 2 checkpoint files"):
        get_engine(EngineSpec.resolve("chgnet", {"model_path": str(path.parent)})).static_maker()


def test_cp2k_missing_binary_names_the_fix(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("ATOMATE2_CP2K_CMD", raising=False)
    with pytest.raises(EngineError, match="not found on PATH.*apt-get install cp2k"):
        get_engine("cp2k").check()


def test_cp2k_missing_data_names_the_fix(monkeypatch, tmp_path, cp2k_binary):
    monkeypatch.setenv("PMG_CP2K_DATA_DIR", str(tmp_path / "nothing"))
    with pytest.raises(EngineError, match="ssbi setup cp2k"):
        get_engine("cp2k").check()


def test_cp2k_slab_inputs(cp2k_data, tmp_path):
    from pymatgen.io.cp2k.inputs import Cp2kInput

    from ssbi.workflows.testing.cp2k import load_reference

    slab, _ = load_reference("li2s_slab")  # the substrate side: bottom layers fixed
    n_fixed = sum(1 for sd in slab.site_properties["selective_dynamics"] if not any(sd))
    assert n_fixed > 0
    get_engine("cp2k").write_inputs(slab, "relax", "slab", tmp_path)
    inp = Cp2kInput.from_file(tmp_path / "cp2k.inp")
    assert inp["GLOBAL"]["RUN_TYPE"].values[0] == "GEO_OPT"
    scf = inp["FORCE_EVAL"]["DFT"]["SCF"]
    assert scf["MIXING"]["METHOD"].values[0] == "BROYDEN_MIXING"
    assert float(scf["MIXING"]["ALPHA"].values[0]) == pytest.approx(0.1)
    assert float(scf["SMEAR"]["ELEC_TEMP"].values[0]) == pytest.approx(1000)
    text = (tmp_path / "cp2k.inp").read_text()
    kz = [float(line.split()[3]) for line in text.splitlines() if line.strip().startswith("KPOINT ")]
    assert kz and all(abs(z) < 1e-9 for z in kz)  # one k-point along the normal
    fixed = sum(int(r.split("..")[1]) - int(r.split("..")[0]) + 1
                for r in (line.split()[1] for line in text.splitlines() if line.strip().startswith("LIST ")))
    assert fixed == n_fixed


def test_cp2k_lanthanum_basis_is_explicit(cp2k_data, tmp_path):
    from ssbi.interfaces.materials import load

    get_engine("cp2k").write_inputs(load("Li7La3Zr2O12"), "static", "bulk", tmp_path)
    text = (tmp_path / "cp2k.inp").read_text()
    la_kind = text[text.index("ELEMENT La"):][:300]
    assert "DZVP-MOLOPT-SR-GTH" in la_kind and "GTH-PBE-q11" in la_kind
    assert "La" in (tmp_path / "BASIS").read_text()


def test_vasp_inputs_consistent_across_targets(tmp_path):
    from pymatgen.io.vasp import Incar, Kpoints

    from ssbi.interfaces.materials import load
    from ssbi.workflows.testing.cp2k import load_reference

    eng = get_engine("vasp")
    assert not eng.runs_here
    interface, _ = load_reference("li_li2s_interface")
    cases = {"bulk": load("Li2S"), "slab": load_reference("li_slab")[0], "interface": interface}
    incars = {}
    for target, structure in cases.items():
        folder = tmp_path / target
        files = eng.write_inputs(structure, "relax", target, folder)
        assert files == ["INCAR", "KPOINTS", "POSCAR", "POTCAR.spec"]
        incars[target] = Incar.from_file(folder / "INCAR")
        kpts = Kpoints.from_file(folder / "KPOINTS").kpts[0]
        if target != "bulk":
            assert kpts[2] == 1
            assert "Selective dynamics" in (folder / "POSCAR").read_text()
    assert incars["bulk"]["ISIF"] == 3
    for target in ("slab", "interface"):
        assert incars[target]["ISIF"] == 2 and incars[target]["LDIPOL"] is True and incars[target]["IDIPOL"] == 3
        assert 0 < incars[target]["DIPOL"][2] < 1
    for key in ("ENCUT", "EDIFF", "ISMEAR", "SIGMA", "GGA", "LREAL", "PREC"):
        assert len({str(incars[t][key]) for t in incars}) == 1, key
    assert incars["bulk"]["ENCUT"] == 520



def test_engine_spec_merges_settings_and_travels_with_the_maker():
    """A spec is the YAML with overrides merged (nested keys kept); makers hold it, it survives serialisation,
    and the engine built from it carries its settings while the default engine keeps the YAML's."""
    from monty.json import MontyDecoder, jsanitize

    from ssbi.workflows.engines.config import engine_config
    from ssbi.workflows.engines.spec import EngineSpec
    from ssbi.workflows.flows.calc import CalcMaker

    spec = EngineSpec.resolve("chgnet", {"relax": {"fmax": 0.02}})
    yaml_relax = engine_config("chgnet")["relax"]
    assert spec.settings["relax"] == {**yaml_relax, "fmax": 0.02}
    assert spec == EngineSpec.resolve("chgnet", {"relax": {"fmax": 0.02}}) and hash(spec) == hash(
        EngineSpec.resolve("chgnet", {"relax": {"fmax": 0.02}}))
    maker = CalcMaker(engine=spec)
    again = MontyDecoder().process_decoded(jsanitize(maker, strict=True, enum_values=True))
    assert again.engine == spec
    assert get_engine(again.engine).relax_maker().relax_kwargs["fmax"] == 0.02
    assert get_engine("chgnet").relax_maker().relax_kwargs["fmax"] == yaml_relax["fmax"]  # nothing shared mutated
    assert CalcMaker(engine="chgnet").engine == EngineSpec.resolve("chgnet")


def test_default_engine_still_matches_its_shipped_entries():
    """A new optional engine setting (model_path) must not change the default engine's identity, or the shipped
    CHGNet entries would no longer be used (every hull would need recomputing)."""
    from ssbi.workflows.store.shipped import usable_shipped

    assert usable_shipped(get_engine("chgnet")) is not None
