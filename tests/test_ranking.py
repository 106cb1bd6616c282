"""The electrolyte ranking (ssbi.interfaces.analysis.ranking): interphase first, then Monroe–Newman, then energies."""

from ssbi.interfaces.analysis.ranking import Candidate, RankingSettings, rank


def test_interphase_then_dendrite_then_reaction_energy():
    cands = [Candidate("growing", "mixed-conducting", True, -0.1),
             Candidate("passivating, soft", "passivating", False, -0.3),
             Candidate("passivating, stiff", "passivating", True, -0.7),
             Candidate("passivating, stiff, milder", "passivating", True, -0.5),
             Candidate("stable", "stable", False, 0.0),
             Candidate("not computed")]
    assert [c.name for c in rank(cands)] == ["stable", "passivating, stiff, milder", "passivating, stiff",
                                             "passivating, soft", "growing", "not computed"]
    energy_first = RankingSettings(dendrite_before_reaction_energy=False)
    assert [c.name for c in rank(cands, energy_first)][1:4] == ["passivating, soft", "passivating, stiff, milder",
                                                               "passivating, stiff"]


def test_an_unlisted_interphase_ranks_with_undetermined():
    cands = [Candidate("odd", "exotic", False, -0.1), Candidate("growing", "mixed-conducting", False, -0.1),
             Candidate("unknown", "undetermined", False, -0.2)]
    assert [c.name for c in rank(cands)] == ["odd", "unknown", "growing"]


def test_a_reaction_weaker_than_the_engines_error_is_stable_within_error():
    """LLZO against Li: 'mixed' by the hull (Zr, −0.02 eV/atom) but inside CHGNet's 0.035 eV/atom: stable within
    error, so it ranks with the stable ones; without the threshold it ranks last."""
    from ssbi.interfaces.analysis.ranking import STABLE_WITHIN_ERROR, Side, reaction_threshold, verdict

    threshold, source = reaction_threshold("chgnet")
    assert 0.03 < threshold < 0.04 and "Hautier" in source
    assert verdict(Side("anode", "mixed-conducting", -0.02), threshold) == STABLE_WITHIN_ERROR
    assert verdict(Side("anode", "mixed-conducting", -0.05), threshold) == "mixed-conducting"
    cands = [Candidate("LLZO", "mixed-conducting", True, -0.02), Candidate("LPS", "passivating", True, -1.3)]
    assert [c.name for c in rank(cands, RankingSettings(threshold_ev_atom=threshold))] == ["LLZO", "LPS"]
    assert [c.name for c in rank(cands, RankingSettings())] == ["LPS", "LLZO"]


def test_the_weakest_side_decides_and_rank_by_changes_the_order():
    """A candidate stable with the anode but mixed-conducting at the cathode ranks after one passivating on both
    sides (weakest side); ranked by the anode side alone it comes first."""
    cands = [Candidate("anode-stable, cathode-growing", "stable", True, 0.0, -0.3,
                       interphase_cathode="mixed-conducting"),
             Candidate("passivating both", "passivating", True, -0.5, -0.1, interphase_cathode="passivating")]
    weakest_first = RankingSettings(threshold_ev_atom=0.035)
    assert [c.name for c in rank(cands, weakest_first)][0] == "passivating both"
    by_anode = RankingSettings(rank_by="anode", threshold_ev_atom=0.035)
    assert [c.name for c in rank(cands, by_anode)][0] == "anode-stable, cathode-growing"
    stiff = [Candidate("soft", "passivating", False, -0.1), Candidate("stiff", "passivating", True, -0.9)]
    assert [c.name for c in rank(stiff, RankingSettings(rank_by="dendrite"))] == ["stiff", "soft"]


def test_the_thresholds_are_the_validation_tables():
    """configs/reference/reaction_error.yaml holds block 6 of the engine validation: the largest |MLIP − CP2K|
    formation energy of each engine, from benchmarks/results/engine_validation/<engine>.json."""
    import json
    from pathlib import Path

    import yaml

    from ssbi.interfaces.analysis.ranking import REACTION_ERROR_FILE

    data = yaml.safe_load(REACTION_ERROR_FILE.read_text())
    root = Path(__file__).parents[1] / "benchmarks" / "results" / "engine_validation"
    for engine, row in data["engines"].items():
        mlip = json.loads((root / f"{engine}.json").read_text())["dft"]["formation_raw_gga"]
        worst = max(abs(mlip[k] - v) for k, v in data["cp2k_formation_raw_gga"].items())
        assert abs(worst - row["mlip_vs_dft"]) < 6e-4, engine
