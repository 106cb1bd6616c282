"""Materials by composition (issue 35, part 4): a glass has no crystal structure; its window, reactions and
interphase types come from the hull, its energy above the hull is unknown or given; analyses that need atoms refuse
it in one line."""

import json

import pytest
from typer.testing import CliRunner

from ssbi.interfaces.materials import get_material
from ssbi.workflows.cli import app


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SSBI_USER_MATERIALS_DIR", str(tmp_path / "mine"))
    (tmp_path / "mine").mkdir()
    from ssbi.configs.settings import settings
    from ssbi.interfaces.materials import refresh_library

    settings.cache_clear() if hasattr(settings, "cache_clear") else None
    refresh_library()
    yield tmp_path
    refresh_library()


def _invoke(*args):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def test_library_glasses_are_known_by_composition_and_never_shadow_the_crystal():
    glass = get_material("75Li2S-25P2S5")
    assert glass.glass and not glass.has_structure and glass.formula == "Li3PS4" and glass.e_above_hull is None
    assert get_material("Li3PS4").has_structure  # the formula still names the crystal
    assert get_material("LiPON").formula == "Li2.9PO3.3N0.46" and get_material("Li7P2S8I").glass
    for name in ("75Li2S-25P2S5", "LiPON", "Li7P2S8I"):
        assert get_material(name).source["reference"]


def test_a_glass_window_is_its_composition_on_the_hull_with_the_energy_above_hull_unknown(env):
    res = _invoke("windows", "Li3PS4", "75Li2S-25P2S5", "-o", str(env / "w"))
    assert res.exit_code == 0, res.output
    from ssbi.workflows.report.results import Results
    from ssbi.workflows.store.jobstore import open_store

    rows = {r["electrolyte"]: r for r in Results(open_store(None)).windows_rows()}
    glass, crystal = rows["75Li2S-25P2S5"], rows["Li3PS4"]
    assert glass["e_above_hull_meV"] is None and crystal["e_above_hull_meV"] is not None
    assert glass["reduction_V"] == pytest.approx(crystal["reduction_V"], abs=1e-3)
    assert glass["oxidation_V"] == pytest.approx(crystal["oxidation_V"], abs=1e-3)
    assert glass["oxidised_to"] == "P2S5 + S" and glass["interphase_vs_li"] == "passivating"
    assert "unknown" in res.output
    res = _invoke("window", "LiPON", "-o", str(env / "w"))  # on no tie line: the window closes to one potential
    assert res.exit_code == 0, res.output
    assert "unknown (a glass given by composition" in res.output
    res = _invoke("react", "Li", "LiPON", "-o", str(env / "w"))
    assert res.exit_code == 0 and "Li3P" in res.output and "Li2O" in res.output


def test_materials_add_by_composition_with_a_given_energy_above_hull(env):
    res = _invoke("materials", "add", "70Li2S-30P2S5", "--composition", "Li7P3S11", "--glass", "--e-above-hull",
                  "0.02", "--reference", "Mizuno et al., Adv. Mater. 17, 918 (2005)")
    assert res.exit_code == 0, res.output
    assert "added 70Li2S-30P2S5 (Li7P3S11, glass, roles electrolyte)" in res.output and "20 meV/atom" in res.output
    saved = (env / "mine" / "70Li2S-30P2S5.yaml").read_text()
    assert "glass: true" in saved and "e_above_hull: 0.02" in saved and "crystallography: null" in saved
    res = _invoke("window", "70Li2S-30P2S5", "-o", str(env / "w"))
    assert res.exit_code == 0 and "20.0 meV/atom (put on the hull for the window; given for this glass)" in res.output
    listed = json.loads(_invoke("materials", "list", "--format", "json").output)
    assert next(r for r in listed if r["name"] == "70Li2S-30P2S5")["spacegroup"] == "glass"


@pytest.mark.parametrize("args, message", [
    (("materials", "add", "g1", "--composition", "Li3PQ4", "--glass", "--reference", "x"), "unknown element 'Q'"),
    (("materials", "add", "g1", "--composition", "Li3PS4", "--e-above-hull", "-0.1", "--reference", "x"),
     "outside [0, 1)"),
    (("materials", "add", "75Li2S-25P2S5", "--composition", "Li3PS4", "--glass", "--reference", "x"),
     "already in the library"),
    (("adhesion", "Li", "75Li2S-25P2S5"), "glass given by composition only"),
    (("md", "Li", "LiPON"), "glass given by composition only"),
])
def test_bad_composition_input_and_analyses_that_need_atoms_refuse_in_one_line(env, args, message):
    res = _invoke(*args)
    assert res.exit_code != 0 and message in res.output, res.output
    assert len([ln for ln in res.output.strip().splitlines() if ln.strip()]) == 1
    assert not list((env / "mine").glob("g1*"))


def test_a_study_with_a_glass_and_adhesion_is_refused(tmp_path):
    from ssbi.interfaces.errors import SSBIError
    from ssbi.workflows.study.spec import load_study

    path = tmp_path / "s.yaml"
    path.write_text(json.dumps({"name": "t", "anodes": ["Li"], "electrolytes": ["Li3PS4", "75Li2S-25P2S5"],
                                "analyses": {"window": {}, "adhesion": {}}}))
    with pytest.raises(SSBIError, match="75Li2S-25P2S5 is a glass .* adhesion need atoms"):
        load_study(path)
    path.write_text(json.dumps({"name": "t", "anodes": ["Li"], "electrolytes": ["Li3PS4", "75Li2S-25P2S5"],
                                "analyses": {"window": {}, "reactions": {}}}))
    assert load_study(path).electrolytes == ["Li3PS4", "75Li2S-25P2S5"]
