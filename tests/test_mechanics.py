"""Elastic moduli, the Monroe–Newman criterion and the mechanics flow with CHGNet."""

import numpy as np
import pytest
from jobflow import Flow

from ssbi.interfaces.analysis.mechanics import moduli, monroe_newman


def isotropic(lam: float, mu: float) -> np.ndarray:
    c = np.zeros((6, 6))
    c[:3, :3] = lam
    c[np.arange(3), np.arange(3)] = lam + 2 * mu
    c[np.arange(3, 6), np.arange(3, 6)] = mu
    return c


def test_isotropic_moduli_are_exact():
    m = moduli(isotropic(lam=20.0, mu=8.0))
    assert m.g_voigt == pytest.approx(8.0) and m.g_reuss == pytest.approx(8.0) and m.g_vrh == pytest.approx(8.0)
    assert m.k_vrh == pytest.approx(20.0 + 2 * 8.0 / 3)
    assert m.mechanically_stable


def test_unstable_tensor_is_flagged_and_bad_shape_refused():
    assert not moduli(isotropic(lam=20.0, mu=-1.0)).mechanically_stable
    with pytest.raises(ValueError, match="6x6"):
        moduli(np.eye(3))


def test_monroe_newman_verdict():
    assert monroe_newman(8.4, 4.2)["suppresses_dendrites"] is False  # exactly 2 is not above 2
    ok = monroe_newman(60.0, 4.2)
    assert ok["suppresses_dendrites"] and ok["ratio"] == pytest.approx(60 / 4.2)
    assert "dendrite-suppressing" in ok["verdict"]
    with pytest.raises(ValueError):
        monroe_newman(10, 0)


@pytest.mark.slow
def test_chgnet_mechanics_flow_li_and_li2s(tmp_path, monkeypatch, memory_store):
    """atomate2's elastic flow with CHGNet: Li's moduli near experiment, Li2S's ratio against that Li."""
    from ssbi.interfaces.materials import load
    from ssbi.workflows.flows.mechanics import MechanicsMaker
    from ssbi.workflows.run.local import run_flow

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = memory_store
    maker = MechanicsMaker(engine="chgnet")
    li = maker.make(load("Li", "chgnet"), "Li")
    li2s = maker.make(load("Li2S", "chgnet"), "Li2S", g_li=li.output)
    run_flow(Flow([li, li2s]), store)
    store.connect()
    docs = {d["output"]["materials"][0]: d["output"] for d in store.query({"output.kind": "mechanics"})}
    assert set(docs) == {"Li", "Li2S"}
    li_doc, li2s_doc = docs["Li"], docs["Li2S"]
    # bcc Li, experiment (Felice 1977, VRH): K 12-13 GPa, G 4-5 GPa; CHGNet is in the same range
    assert 9 < li_doc["k_vrh"] < 17 and 2.5 < li_doc["g_vrh"] < 8
    assert li_doc["monroe_newman"] is None and li_doc["moduli"]["mechanically_stable"]
    assert li2s_doc["g_vrh"] > li_doc["g_vrh"]
    assert li2s_doc["monroe_newman"]["ratio"] == pytest.approx(li2s_doc["g_vrh"] / li_doc["g_vrh"])
    assert li2s_doc["n_deformations"] == 24 and len(li2s_doc["elastic_tensor"]) == 6


@pytest.mark.parametrize("system", ["cubic", "tetragonal", "orthorhombic"])
def test_elastic_tensor_from_stresses_recovers_a_known_tensor(system):
    """Stresses of a linear-elastic crystal (σ = C·ε) at ±0.5 % give back C from the strains the system needs."""
    import numpy as np

    from ssbi.interfaces.analysis.mechanics import elastic_tensor_from_stresses, strain_directions, voigt_strain_matrix

    c = {"cubic": _voigt(c11=110, c12=40, c44=30),
         "tetragonal": _voigt(c11=80, c22=80, c33=60, c12=30, c13=25, c23=25, c44=20, c55=20, c66=35),
         "orthorhombic": _voigt(c11=90, c22=70, c33=50, c12=30, c13=20, c23=10, c44=25, c55=15, c66=12)}[system]
    stresses = {}
    for comp in strain_directions(system):
        for sign in (1, -1):
            eps = voigt_strain_matrix(comp, sign * 0.005)
            voigt = np.array([eps[0, 0], eps[1, 1], eps[2, 2], 2 * eps[1, 2], 2 * eps[0, 2], 2 * eps[0, 1]])
            stresses[(comp, sign)] = c @ voigt
    assert np.allclose(elastic_tensor_from_stresses(stresses, 0.005, system), c, atol=1e-9)
    assert len(strain_directions(system)) == {"cubic": 2, "tetragonal": 4, "orthorhombic": 6}[system]


def _voigt(**k):
    import numpy as np

    c = np.zeros((6, 6))
    for i in range(6):
        for j in range(i, 6):
            name = f"c{i + 1}{j + 1}"
            if name in k:
                c[i, j] = c[j, i] = k[name]
    if "c22" not in k:  # cubic
        c[1, 1] = c[2, 2] = c[0, 0]
        c[0, 2] = c[2, 0] = c[1, 2] = c[2, 1] = c[0, 1]
        c[4, 4] = c[5, 5] = c[3, 3]
    return c


def test_non_positive_g_li_gives_moduli_and_a_warning_not_a_failure():
    """An engine whose bcc Li is unstable (7net-l3i5: C11 < C12, G_Li < 0) still stores the electrolyte's
    moduli; the Monroe–Newman ratio is left out with a warning that names the study setting."""
    import numpy as np

    from ssbi.interfaces.materials import load
    from ssbi.workflows.flows.mechanics import mechanics_summary

    c = np.zeros((6, 6))
    c[:3, :3] = 20.0
    np.fill_diagonal(c[:3, :3], 60.0)
    c[3, 3] = c[4, 4] = c[5, 5] = 25.0
    doc = {"elastic_tensor": {"ieee_format": c.tolist()}, "warnings": [], "fitting_data": {"deformations": [1] * 6},
           "structure": load("Li2S").as_dict()}
    info = {"name": "sevennet-l3i5", "version": "test", "energy_scale": "raw-gga", "settings": {}}
    out = mechanics_summary.original(doc, "Li2S", info, "fp", g_li=-0.42)
    assert out.monroe_newman is None and out.g_vrh == pytest.approx(moduli(c).g_vrh)
    assert any("g_li_gpa" in w and "-0.42" in w for w in out.warnings)
    ok = mechanics_summary.original(doc, "Li2S", info, "fp", g_li=4.2)
    assert ok.monroe_newman["ratio"] == pytest.approx(moduli(c).g_vrh / 4.2)


def test_study_g_li_replaces_the_engines_li_in_the_report():
    """`analyses.mechanics.g_li_gpa`: the report's G/G_Li and verdict use the given G_Li, and a caveat row says so;
    an engine without validation gets a 'no measured error bar' row per analysis."""
    import pandas as pd

    from ssbi.workflows.engines.caveats import COLUMNS
    from ssbi.workflows.report.html import caveat_rows
    from ssbi.workflows.report.summary import study_summary
    from ssbi.workflows.study.spec import StudySpec

    class Stored:  # the four frames study_summary reads
        def windows(self, engine=None, hypothetical=None):
            return pd.DataFrame([{"electrolyte": "Li3N", "reduction_V": 0.0, "oxidation_V": 0.44,
                                  "e_above_hull_meV": 0.0}])

        def reactions(self, engine=None, hypothetical=None):
            return pd.DataFrame(columns=["a", "b", "E_min_eV_atom", "interphase"])

        def adhesion(self, engine=None):
            return pd.DataFrame(columns=["film", "substrate", "w_ad_rigid_J_m2", "w_ad_relaxed_J_m2"])

        def mechanics(self, engine=None):
            return pd.DataFrame([{"material": "Li3N", "G_vrh_GPa": 30.0, "G_over_G_Li": None,
                                  "suppresses_dendrites": None}])

    base = {"name": "t", "anodes": ["Li"], "electrolytes": ["Li3N"], "engine": "sevennet-l3i5"}
    plain = StudySpec(**base, analyses={"window": {}, "mechanics": {}})
    given = StudySpec(**base, analyses={"window": {}, "mechanics": {"g_li_gpa": 4.2}})
    assert study_summary(plain, Stored())[0]["G_over_G_Li"] is None
    row = study_summary(given, Stored())[0]
    assert row["G_over_G_Li"] == pytest.approx(30.0 / 4.2, abs=0.01) and row["dendrite_verdict"] == "suppressing"
    text = " ".join(t for _, t in caveat_rows(given))
    assert "G_Li = 4.2 GPa as given in the study" in text
    unvalidated = StudySpec(**{**base, "engine": "vasp"}, analyses={"window": {}})
    assert [c for c, _ in caveat_rows(unvalidated)] == [", ".join(COLUMNS["window"])]
