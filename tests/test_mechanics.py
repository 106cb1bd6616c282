"""Elastic moduli, the Monroe–Newman criterion and the mechanics flow with CHGNet."""

import numpy as np
import pytest

from helpers import memory_jobstore
from jobflow import Flow

from interfaces.analysis.mechanics import moduli, monroe_newman


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
def test_chgnet_mechanics_flow_li_and_li2s(tmp_path, monkeypatch):
    """atomate2's elastic flow with CHGNet: Li's moduli near experiment, Li2S's ratio against that Li."""
    from interfaces.materials import load
    from workflows.execution import run_flow
    from workflows.flows.mechanics import MechanicsMaker

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = memory_jobstore()
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
