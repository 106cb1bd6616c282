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
