"""Young–Dupré contact angle of Li from W_ad and σ_Li (ssbi.interfaces.analysis.wetting)."""

import pytest

from ssbi.interfaces.analysis.wetting import young_dupre


def test_contact_angle_limits_and_a_middle_case():
    assert young_dupre(0.4, 0.4).theta_deg == pytest.approx(90.0)
    assert young_dupre(0.6, 0.4).theta_deg == pytest.approx(60.0)  # cos θ = 0.5
    spreads = young_dupre(1.0, 0.4)
    assert spreads.theta_deg == 0.0 and spreads.regime == "spreads" and spreads.cos_theta == pytest.approx(1.5)
    assert young_dupre(0.2, 0.4).regime == "does not wet"
    assert young_dupre(-0.1, 0.4).theta_deg == 180.0
    with pytest.raises(ValueError):
        young_dupre(0.5, 0.0)
