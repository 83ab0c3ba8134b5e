"""Episode lengths with little on record: the posterior predictive, its exact pieces, and the
band's coverage with no past period (docs/exposure.md, "The model", rule 3)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from covenant.core.forecast import BAND
from covenant.core.forecast_lengths import (
    PRIOR_ALPHA,
    PRIOR_KAPPA,
    PRIOR_MEDIAN_S,
    PRIOR_SIGMA,
    length_pmf,
    normal_cdf,
    predictive,
    scale_mixture,
    student_t_cdf,
)
from covenant.core.forecast_model import remaining_downtime

T = np.array([-3.0, -1.0, 0.0, 0.5, 2.0, 10.0])


def test_student_t_matches_the_closed_forms() -> None:
    # ν = 1 is Cauchy; ν = 2 and ν = 3 have elementary distribution functions.
    cauchy = 0.5 + np.arctan(T) / math.pi
    two = 0.5 + T / (2 * np.sqrt(2 + T**2))
    three = 0.5 + (np.arctan(T / math.sqrt(3)) + math.sqrt(3) * T / (3 + T**2)) / math.pi
    assert student_t_cdf(T, 1.0) == pytest.approx(cauchy, abs=1e-12)
    assert student_t_cdf(T, 2.0) == pytest.approx(two, abs=1e-12)
    assert student_t_cdf(T, 3.0) == pytest.approx(three, abs=1e-12)
    # Many degrees of freedom: the normal (Φ(1.959964) = 0.975).
    assert float(student_t_cdf(np.array([1.959964]), 1e7)[0]) == pytest.approx(0.975, abs=1e-6)
    assert float(normal_cdf(np.array([1.959964]))[0]) == pytest.approx(0.975, abs=1e-6)


def test_no_length_on_record_gives_the_prior() -> None:
    location, spread, location_sd, nu = predictive([])
    assert location == pytest.approx(math.log(PRIOR_MEDIAN_S))
    assert spread == pytest.approx(PRIOR_SIGMA)  # √(β₀/α₀), β₀ = α₀σ₀²
    assert location_sd == pytest.approx(PRIOR_SIGMA / math.sqrt(PRIOR_KAPPA))
    assert nu == 2 * PRIOR_ALPHA


def test_the_conjugate_update_by_hand() -> None:
    # Two episodes of 10 and 40 minutes: log-lengths ln 600 and ln 2400, mean ln 1200.
    location, spread, location_sd, nu = predictive([600, 2400])
    x_bar, mu0 = math.log(1200), math.log(PRIOR_MEDIAN_S)
    kappa = PRIOR_KAPPA + 2
    alpha = PRIOR_ALPHA + 1
    squares = 2 * math.log(2) ** 2  # each log-length is ln 2 from their mean
    beta = (
        PRIOR_ALPHA * PRIOR_SIGMA**2
        + squares / 2
        + PRIOR_KAPPA * 2 * (x_bar - mu0) ** 2 / (2 * kappa)
    )
    assert location == pytest.approx((PRIOR_KAPPA * mu0 + 2 * x_bar) / kappa)
    assert spread == pytest.approx(math.sqrt(beta / alpha))
    assert location_sd == pytest.approx(math.sqrt(beta / (alpha * kappa)))
    assert nu == 2 * alpha


def test_the_length_pmf_is_a_distribution_on_whole_units() -> None:
    f = length_pmf([600, 900, 1200], unit_s=300, max_units=50)
    assert f[0] == 0.0
    assert f.sum() == pytest.approx(1.0)
    # The first unit holds everything below 1½ units: the predictive below ln(450 s).
    location, spread, location_sd, nu = predictive([600, 900, 1200])
    scale = math.hypot(spread, location_sd)  # the single episode's predictive scale

    def below(seconds: float) -> float:
        return float(student_t_cdf(np.array([(math.log(seconds) - location) / scale]), nu)[0])

    assert f[1] == pytest.approx(below(450))
    assert f[2] == pytest.approx(below(750) - below(450))
    # The last unit holds everything from 49½ units on (longer than the time left).
    assert f[50] == pytest.approx(1 - below(49.5 * 300))


def test_a_longer_outage_than_those_seen_is_allowed_for() -> None:
    """Three 10-minute episodes: the empirical distribution says never longer than 10 minutes;
    the predictive gives an hour-long one a chance of a few per cent, not 0 and not 1/2."""
    f = length_pmf([600, 600, 600], unit_s=60, max_units=10_000)
    over_an_hour = float(f[61:].sum())
    assert 0.005 < over_an_hour < 0.2


def test_scale_mixture_keeps_the_mass_and_scales_the_mean() -> None:
    pmf = np.zeros(2000)
    pmf[0], pmf[100] = 0.3, 0.7  # no downtime, or 100 units
    sd = 0.5
    mixed = scale_mixture(pmf, sd)
    assert mixed.sum() == pytest.approx(1.0, abs=1e-9)
    assert mixed[0] == pytest.approx(0.3)  # nothing scaled is still nothing
    # E[e^δ · 100] = 100 · e^(sd²/2) for δ ~ normal(0, sd); the grid rounds each node's
    # scaled point to a whole unit (at most ½ unit off).
    mean = float(np.dot(np.arange(mixed.size), mixed))
    assert mean == pytest.approx(0.3 * 0 + 0.7 * 100 * math.exp(sd**2 / 2), abs=0.7 * 0.5)


# --- The band's coverage with no past period ---------------------------------------------------

PERIOD = 30 * 86_400
UNIT = 300


def _period(rng: np.random.Generator) -> list[tuple[int, int]]:
    """A period's merged episodes: 0.3–30 episodes a month (log-uniform), log-normal lengths
    (median 12 minutes, σ 1.2), whole 5-minute units — the documented benchmark's generator."""
    per_month = math.exp(rng.uniform(math.log(0.3), math.log(30.0)))
    n = int(rng.poisson(per_month))
    starts = np.sort(rng.integers(0, PERIOD // UNIT, size=n)) * UNIT
    lengths = np.maximum(1, np.rint(rng.lognormal(math.log(12.0), 1.2, size=n) * 60 / UNIT))
    merged: list[tuple[int, int]] = []
    for s, length in zip(starts.tolist(), (lengths * UNIT).astype(int).tolist(), strict=True):
        e = min(s + length, PERIOD)
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def test_the_band_covers_about_nine_periods_in_ten_with_no_history() -> None:
    """80 generated periods (fixed seed), a third of the way through, no past period: the
    nominal 90 % band must miss neither far more nor far fewer than 10 % of them.

    With 80 periods and a true miss rate of 10 %, the count of misses is binomial(80, 0.1):
    P(X ≥ 16) ≈ 0.5 % and P(X ≤ 2) ≈ 1 %, so 3–15 misses is what a calibrated band gives
    (a band that almost never misses is too wide, one that misses 20 % too narrow)."""
    rng = np.random.default_rng(20261201)
    t = PERIOD // 3
    misses = 0
    for _ in range(80):
        spans = _period(rng)
        running = [(s, e) for s, e in spans if s < t < e]
        model = remaining_downtime(
            [],
            elapsed_s=t,
            completed=[e - s for s, e in spans if e <= t],
            ongoing_s=t - running[0][0] if running else None,
            remaining_s=PERIOD - t,
            unit_s=UNIT,
        )
        actual = sum(max(0, e - max(s, t)) for s, e in spans)
        low = min(model.quantile_s(BAND[0]), model.mean_s)
        high = max(model.quantile_s(BAND[1]), model.mean_s)
        misses += not low <= actual <= high
    assert 3 <= misses <= 15, misses
