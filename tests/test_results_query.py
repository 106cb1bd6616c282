"""Results: DataFrames per result kind over synthetic documents made through the real schemas, on the
embedded store and on mongomock; validated filters only."""

import pytest

from ssbi.interfaces.errors import InputError, SSBIError
from ssbi.workflows.report.results import Results
from ssbi.workflows.testing.synthetic import fill, result_documents

N = 240


@pytest.fixture(params=["memory", "embedded"])
def results(request, tmp_path, monkeypatch):
    from ssbi.workflows.store.jobstore import open_store

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = open_store(request.param)
    fill(store, N, seed=1)
    return Results(store)


def expected(kind: str, **match) -> int:
    docs, analysis = result_documents(N, seed=1)
    pool = analysis if kind in ("window", "reaction") else [d["output"] for d in docs]
    return sum(1 for d in pool if d["kind"] == kind and all(d.get(k) == v for k, v in match.items()))


def test_each_kind_counts_match_the_stored_documents(results):
    assert len(results.adhesion()) == expected("adhesion")
    assert len(results.adhesion(anode="Li", electrolyte="Li3PS4")) == expected("adhesion", film="Li",
                                                                               substrate="Li3PS4")
    assert len(results.adhesion(engine="sevennet")) == sum(
        1 for d in result_documents(N, seed=1)[0] if d["output"]["kind"] == "adhesion"
        and d["output"]["engine"]["name"] == "sevennet")
    assert len(results.mechanics(material="Li6PS5Cl")) == sum(
        1 for d in result_documents(N, seed=1)[0] if d["output"]["kind"] == "mechanics"
        and d["output"]["materials"] == ["Li6PS5Cl"])
    assert len(results.windows(electrolyte="LGPS")) == expected("window", formula="Li10GeP2S12")
    assert len(results.reactions(electrode="Li", electrolyte="Li6PS5Cl")) == expected("reaction", b="Li6PS5Cl")
    assert len(results.md()) == expected("aimd")  # one temperature each
    assert list(results.interfaces().columns)[:3] == ["id", "film", "film_miller"]


def test_miller_and_date_filters(results):
    frame = results.adhesion(miller="1 1 0")
    assert len(frame) and all("110" in (r.film_miller, r.substrate_miller) for r in frame.itertuples())
    assert len(results.adhesion(miller=(1, 1, 0))) == len(frame) == len(results.adhesion(miller="110"))
    later = results.adhesion(since="2026-02-01")
    assert 0 < len(later) < len(results.adhesion())
    assert all(c >= "2026-02-01" for c in later["completed"])


@pytest.mark.parametrize("bad", [
    {"anode": '{"$where": "sleep(1000)"}'}, {"anode": {"$ne": None}}, {"electrolyte": "$regex"},
    {"engine": {"$gt": ""}}, {"engine": "chgnet'; $ne"}, {"miller": "$gt"}, {"since": {"$gt": 0}},
    {"since": "yesterday"}, {"study": "../../etc/passwd"},
])
def test_operator_injection_is_refused(results, bad):
    with pytest.raises((InputError, SSBIError)):
        results.adhesion(**bad)


def test_get_refuses_non_ids(results):
    with pytest.raises(InputError):
        results.get({"$ne": None})
    uuid = results.adhesion()["id"].iloc[0]
    assert results.get(uuid)["output"]["kind"] == "adhesion"


def test_criteria_hold_only_validated_values(results, monkeypatch):
    seen = []
    original = results.store.query

    def spy(criteria=None, **kw):
        seen.append(criteria)
        return original(criteria, **kw)

    monkeypatch.setattr(results.store, "query", spy)
    results.adhesion(anode="li", electrolyte="lpscl", engine="CHGNet", since="2026-03-01")
    assert seen[-1] == {"output.kind": "adhesion", "output.engine.name": "chgnet", "output.film": "Li",
                        "output.substrate": "Li6PS5Cl", "completed_at": {"$gte": "2026-03-01T00:00:00"}}


def test_study_filter_keeps_the_study_pairs_and_engine(results):
    md = results.md(study="default")  # anodes [Li], the four electrolytes, chgnet
    assert len(md) and set(md["engine"]) == {"chgnet"} and all(lbl.startswith("Li|") for lbl in md["label"])
    assert len(md) < len(results.md())
    ad = results.adhesion(study="default")
    assert len(ad) and set(ad["film"]) == {"Li"} and set(ad["engine"]) == {"chgnet"}
    # the default study's elastic tensors come from sevennet (analyses.mechanics.engine), not chgnet
    mech = results.mechanics(study="default")
    assert len(mech) and set(mech["engine"]) == {"sevennet"}
    assert len(results.mechanics(study="default", engine="chgnet")) and set(
        results.mechanics(study="default", engine="chgnet")["engine"]) == {"chgnet"}


def test_report_reads_the_stored_dendrite_boolean_not_the_verdict_text(tmp_path, monkeypatch):
    """The ranking's Monroe–Newman column comes from `suppresses_dendrites`: a verdict sentence without the
    word "not" (or in other words entirely) does not flip it."""
    from ssbi.workflows.report.summary import study_summary
    from ssbi.workflows.schemas import EngineInfo, MechanicsDoc
    from ssbi.workflows.store.jobstore import open_store
    from ssbi.workflows.study.spec import MechanicsSpec, load_study

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = open_store("memory")
    eng = EngineInfo(name="chgnet", version="x", energy_scale="mp2020", settings={})
    for name, g, verdict, flag in (("Li", 4.0, "", None), ("Li3PS4", 5.0, "G/G_Li = 1.2, below 2", False),
                                   ("Li7La3Zr2O12", 60.0, "G/G_Li = 15 is not below 2", True)):
        mn = None if flag is None else {"ratio": g / 4.0, "verdict": verdict, "suppresses_dendrites": flag}
        doc = MechanicsDoc(fingerprint=f"fp-{name}", materials=[name], formula=name, engine=eng,
                           elastic_tensor=[[0.0] * 6] * 6, k_vrh=2 * g, g_vrh=g, moduli={"mechanically_stable": True},
                           n_deformations=24, monroe_newman=mn, elastic_uuid="x")
        store.update({"uuid": f"u-{name}", "index": 1, "output": doc.model_dump(mode="json")}, key="uuid")
    spec = load_study("default")
    spec.analyses.mechanics = MechanicsSpec()  # the study's engine and its own Li: the stored verdicts
    rows = {r["electrolyte"]: r for r in study_summary(spec, Results(store))}
    assert rows["Li3PS4"]["dendrite_verdict"] == "not suppressing"
    assert rows["Li7La3Zr2O12"]["dendrite_verdict"] == "suppressing"
    assert rows["Li6PS5Cl"]["dendrite_verdict"] is None  # no mechanics stored
