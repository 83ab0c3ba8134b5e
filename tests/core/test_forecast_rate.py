"""The hierarchical episode rate (``core.forecast_rate``): checked against the truth of
generated periods and against full pooling, not against its own arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from covenant.core.forecast_rate import hierarchical_rate

MONTH_S = 30 * 86_400


def test_many_periods_recover_the_between_period_spread() -> None:
    """400 periods whose rates are Gamma(shape 4, mean 100 a month): with that much history
    the rate of a new period (nothing seen yet) is that Gamma, so its shape is about 4 (the
    shape is known to about ±0.6 at 400 periods: sd of a Gamma's shape estimate ≈
    shape × √(2/n) ≈ 0.28, and the counts' Poisson noise adds 1/100 to c² = 1/4) and its mean
    is the sample's mean count (400 periods outweigh the hyperprior: within 1 %)."""
    rng = np.random.default_rng(20261201)
    rates = rng.gamma(4.0, 100.0 / 4.0, size=400)
    counts = rng.poisson(rates).tolist()
    r = hierarchical_rate(counts, [float(MONTH_S)] * 400, started=0, elapsed_s=0.0)
    assert r.shape == pytest.approx(4.0, abs=0.6)
    assert r.shape / r.exposure_s * MONTH_S == pytest.approx(np.mean(counts), rel=0.01)
    assert r.credibility == 0.0  # no time elapsed: nothing of this period's own


def test_few_alike_periods_are_less_sure_than_full_pooling() -> None:
    """Three periods of 15 episodes: full pooling (what the moment fit did when the sample
    variance is below the Poisson noise) gives Gamma(45, 3 months), a rate known to ±15 %.
    Three alike counts cannot rule out periods differing by their Poisson noise (c ≈ 0.26), so
    the rate must be less sure than that (shape below 45), with the same mean to within the
    hyperprior's pull (≈ 1/45)."""
    r = hierarchical_rate([15, 15, 15], [float(MONTH_S)] * 3, started=0, elapsed_s=0.0)
    assert r.shape < 45
    assert r.shape / r.exposure_s * MONTH_S == pytest.approx(15.0, rel=0.03)


def test_no_episode_on_record_is_still_a_proper_answer() -> None:
    """Nothing in 3 months and the first tenth of this one: the rate is small but not 0 (under
    1 a month, the Jeffreys rate of 3.1 quiet months being ½ / 3.1 ≈ 0.16) and finite."""
    r = hierarchical_rate([0, 0, 0], [float(MONTH_S)] * 3, started=0, elapsed_s=MONTH_S / 10)
    mean = r.shape / r.exposure_s * MONTH_S
    assert 0 < mean < 1
    assert np.isfinite(r.shape)
    assert r.shape > 0


def test_this_period_counts_more_when_periods_differ() -> None:
    """Credibility: the same 5 episodes in 10 days weigh more after erratic months (0 to 40)
    than after steady ones (15 each, the same total)."""
    elapsed = 10 * 86_400.0
    steady = hierarchical_rate([15] * 6, [float(MONTH_S)] * 6, started=5, elapsed_s=elapsed)
    wild = hierarchical_rate(
        [0, 2, 40, 1, 30, 17], [float(MONTH_S)] * 6, started=5, elapsed_s=elapsed
    )
    assert 0 < steady.credibility < wild.credibility < 1


def _no_episode_chance(counts: list[int], elapsed_s: float) -> float:
    """The chance of no episode in the rest of the month under the summary Gamma: the negative
    binomial's (b / (b + T))^a over T = the month less the elapsed time."""
    r = hierarchical_rate(counts, [float(MONTH_S)] * len(counts), started=0, elapsed_s=elapsed_s)
    rest = MONTH_S - elapsed_s
    return float((r.exposure_s / (r.exposure_s + rest)) ** r.shape)


@pytest.mark.parametrize("counts", [[3, 3, 3], [1, 0, 2], [10, 2, 30]])
def test_the_start_of_a_period_is_not_a_certain_zero(counts: list[int]) -> None:
    """At a period's very start (no eligible time elapsed: no data stored yet, a maintenance
    window first) the forecast must be what it is a second later, not "no further episode,
    certainly" (the variance-matched summary collapsed to a shape of ~1e-8 there). Bounds
    from outside the model: a mixture of Poissons has at least the Poisson's chance of no
    episode, e^(−mean) with the mean at most the busiest past month (Jensen), and a service
    that had an episode in most past months is far from sure to have none."""
    at_start, a_second_later = _no_episode_chance(counts, 0.0), _no_episode_chance(counts, 1.0)
    assert at_start == pytest.approx(a_second_later, abs=0.01)
    assert np.exp(-max(counts)) < at_start < 0.6
