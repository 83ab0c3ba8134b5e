"""The forecast: hand-checked histories, the compound distribution, exact tiers, calibration."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pytest

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    CreditTier,
    DowntimeSource,
    Incident,
    Measurement,
    Remedies,
    VersionStatus,
)
from covenant.core.availability import availability
from covenant.core.forecast import (
    CommitmentExposure,
    commitment_exposure,
    crossings,
    past_crossings,
)
from covenant.core.forecast_model import (
    PastPeriod,
    RemainingDowntime,
    TierChance,
    _compound_negbin,
    episode_lengths,
    expected_credit,
    geometric_residual,
    rate_model,
    remaining_downtime,
    tier_chances,
)
from covenant.core.forecast_portfolio import portfolio
from covenant.core.money import Money
from covenant.core.series import BucketMatrix
from covenant.errors import InputError

DAY = 86400
NOV = datetime(2026, 11, 1, tzinfo=UTC)
MONTH_S = 30 * DAY  # November

# A 99.9 % monthly SLA: < 99.9 → 10 %, < 99.0 → 25 %, < 95.0 → 100 %.
TIERS = (
    CreditTier(credit=Decimal(10), below=Fraction(999, 1000), at_least=Fraction(99, 100)),
    CreditTier(credit=Decimal(25), below=Fraction(99, 100), at_least=Fraction(95, 100)),
    CreditTier(credit=Decimal(100), below=Fraction(95, 100)),
)


def commitment(
    source: DowntimeSource = DowntimeSource.INCIDENTS,
    tiers: tuple[CreditTier, ...] = TIERS,
    level: Fraction = Fraction(999, 1000),
) -> AvailabilityCommitment:
    measurement = (
        Measurement(source=source)
        if source is DowntimeSource.INCIDENTS
        else Measurement(
            source=source, series="api:availability", interval_s=300, threshold=Fraction(1, 20)
        )
    )
    return AvailabilityCommitment(
        name="uptime",
        services=("api",),
        level=level,
        measurement=measurement,
        remedies=Remedies(tiers=tiers),
    )


def version(c: AvailabilityCommitment, currency: str = "EUR") -> AgreementVersion:
    return AgreementVersion(
        agreement="acme-sla",
        version=2,
        customer="acme",
        status=VersionStatus.ACTIVE,
        effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        effective_to=None,
        currency=currency,
        fees=(("api", Decimal("3000.00")),),
        availability=(c,),
    )


def steady_history(n: int = 6, episodes: int = 15, length_s: int = 300) -> list[PastPeriod]:
    return [
        PastPeriod(
            start=NOV - timedelta(days=30 * (i + 1)),
            eligible_s=MONTH_S,
            episodes=((length_s,) * episodes),
        )
        for i in range(n)
    ]


def outages(count: int, *, every: timedelta, minutes: int, first: datetime) -> list[Incident]:
    return [
        Incident(
            id=f"INC-{i}",
            services=("api",),
            start=first + i * every,
            end=first + i * every + timedelta(minutes=minutes),
        )
        for i in range(count)
    ]


# --- A period heading for the 10 % tier, by hand ---------------------------------------------


def heading_for_ten_percent() -> CommitmentExposure:
    """25 minutes down in the first 10 days (5 × 5 min, one every 2 days), history at the same
    steady rate: 0.5 episodes a day × 5 min → 50 more minutes in the 20 days left → 75 min."""
    c = commitment()
    v = version(c)
    at = NOV + timedelta(days=10)
    so_far = availability(
        v,
        c,
        period_start=NOV,
        at=at,
        incidents=outages(5, every=timedelta(days=2), minutes=5, first=NOV + timedelta(days=1)),
    )
    return commitment_exposure(v, c, so_far=so_far, at=at, history=steady_history())


def test_projection_of_a_steady_rate_by_hand() -> None:
    e = heading_for_ten_percent()
    assert e.no_forecast is None
    assert e.downtime_so_far_s == 25 * 60
    assert e.eligible_total_s == MONTH_S
    # Steady history: every period (and this one) runs at 0.5 episodes a day (95 episodes
    # over 190 days), so the posterior rate is 0.5 a day up to the hyperprior's pull, of
    # order 1/95 of it: 50 more minutes in the 20 days left → 75 min, within 1 %.
    # Six alike periods do not prove that periods are alike: between-period spreads up to
    # the counts' own Poisson noise (c = 1/√15 ≈ 0.26 of 15 a month) stay likely. At that
    # c the prior is worth β = 1/(c²μ) = 15 × 2 days = 30 days, Z = 10/(10 + 30) = 0.25;
    # full pooling (c = 0) is worth the 180 days on record, Z = 10/190. The posterior mean
    # lies between.
    assert e.credibility is not None
    assert 10 / 190 < e.credibility < 0.25
    assert e.projected_downtime_s == pytest.approx(75 * 60, rel=0.01)
    assert e.projected_level == Fraction(MONTH_S - e.projected_downtime_s, MONTH_S)
    assert e.band_low is not None
    assert e.band_high is not None
    assert e.band_low < e.projected_level < e.band_high
    assert e.owed_now_percent == 0  # 25 min ≤ 43.2 min: nothing is owed yet


def test_tier_probabilities_and_money_by_hand() -> None:
    e = heading_for_ten_percent()
    chances = {t.percent: t.probability for t in e.tiers}
    assert set(chances) == {Decimal(0), Decimal(10), Decimal(25), Decimal(100)}
    assert sum(chances.values()) == pytest.approx(1.0)
    # Staying ≤ 43.2 min needs ≤ 3 more 5-minute episodes when 10 are expected: 1.0 % if
    # the rate were known (Poisson); with its uncertainty the count is negative binomial,
    # e.g. 2.2 % at shape 25 (a rate known to ±20 %), 3.2 % at shape 15 (±26 %).
    assert chances[Decimal(10)] > 0.965
    assert chances[Decimal(0)] < 0.035
    assert chances[Decimal(25)] < 1e-6  # 432 min is out of reach
    assert e.expected_credit is not None
    assert e.expected_credit.currency == "EUR"
    # 10 % of 3000 with the chance above (96.5–99 %): 289.50–297.00 EUR, to the cent.
    assert Decimal("289.50") < e.expected_credit.amount < Decimal("297.00")
    assert e.expected_credit.amount == (Decimal(chances[Decimal(10)]) * 300).quantize(
        Decimal("0.01")
    )
    assert e.expected_credit.amount == e.expected_credit.amount.quantize(Decimal("0.01"))
    # Worst case: the rest goes at the worst observed rate (history and this period both run
    # at 2.5 min a day) → 75 min → 10 %.
    assert e.worst_case_percent == Decimal(10)
    assert e.worst_case_credit == Money(amount=Decimal("300.00"), currency="EUR")


def test_the_crossing_instant_is_exact() -> None:
    e = heading_for_ten_percent()
    # Allowed: 0.1 % of 30 days = 2592 s; 1500 s so far; the projection P s at the end
    # (≈ 4500 s, test above), so downtime comes at (P − 1500) s / 1 728 000 s. Below 99.9 %
    # once 1500 + t (P − 1500) / 1 728 000 > 2592  ⟺  t > 1092 × 1 728 000 / (P − 1500);
    # the first whole second after (with P = 4500 it was 628 993 s: 18 November 06:43:13).
    assert e.projected_downtime_s is not None
    t = Fraction(1092 * 1_728_000, e.projected_downtime_s - 1500)
    (crossing,) = e.crossings
    assert crossing.percent == Decimal(10)
    assert crossing.at == NOV + timedelta(days=10, seconds=math.floor(t) + 1)
    assert crossing.at.date() == datetime(2026, 11, 18, tzinfo=UTC).date()
    assert crossing.credit.amount == Decimal("300.00")


def test_the_crossing_counts_the_running_outage() -> None:
    """The alert's instant is the first second at which the downtime so far plus the expected
    downtime by then, E[min(R, t)] + N·t/remaining, exceeds the allowance — not the mean rate."""
    c = commitment()
    at = NOV + timedelta(days=10)
    remaining_s = 20 * DAY
    ongoing = geometric_residual(30.0, 4000)  # a running outage, 30 more minutes on average
    remaining = RemainingDowntime(
        unit_s=60,
        remaining_s=remaining_s,
        pmf=np.ones(1),
        rate=rate_model(steady_history(), elapsed_s=10 * DAY, started=1),
        ongoing=ongoing,
    )
    (crossing,) = crossings(
        version(c),
        c,
        at=at,
        eligible_total_s=MONTH_S,
        downtime_so_far_s=1500,
        remaining_s=remaining_s,
        projected_remaining_s=4800,
        remaining=remaining,
    )
    # By hand: R geometric with ratio 30/31 per minute, P(R ≥ j + 1) = ratio^(j+1).
    ratio = 30 / 31
    t = np.arange(1, 4 * 3600)
    q, rest = np.divmod(t, 60)
    running = 60 * ratio * (1 - ratio**q) / (1 - ratio) + rest * ratio ** (q + 1)
    total_running = 60 * ratio / (1 - ratio)  # E[R] = 1800 s (the rest of the grid is negligible)
    fresh = (4800 - total_running) / remaining_s
    first = int(t[np.flatnonzero(1500 + running + fresh * t > 2592)[0]])
    assert crossing.at == at + timedelta(seconds=first)
    assert 20 * 60 < first < 40 * 60  # within the outage, not days later at the mean rate
    linear = crossings(
        version(c),
        c,
        at=at,
        eligible_total_s=MONTH_S,
        downtime_so_far_s=1500,
        remaining_s=remaining_s,
        projected_remaining_s=4800,
    )
    assert linear[0].at > at + timedelta(days=4)


def test_expected_credit_sums_exact_probabilities_and_rounds_once() -> None:
    # 0.015 as a double is 0.01499999999999999944…: 1.00 × it is under half a cent more than
    # 0.01, so the exact sum rounds to 0.01 (its repr, "0.015", would round up to 0.02).
    one = Money(amount=Decimal("1.00"), currency="EUR")
    chances = [TierChance(tier="x", percent=Decimal(10), probability=0.015, credit=one)]
    assert expected_credit(chances, "EUR") == Money(amount=Decimal("0.01"), currency="EUR")
    # Rounded once, at the end: three 0.004 contributions make 0.012 → 0.01, not 3 × 0.00.
    many = [
        TierChance(tier=str(i), percent=Decimal(i), probability=0.004, credit=one) for i in range(3)
    ]
    assert expected_credit(many, "EUR") == Money(amount=Decimal("0.01"), currency="EUR")


def test_crossing_respects_an_inclusive_bound() -> None:
    inclusive = (CreditTier(credit=Decimal(10), below=Fraction(999, 1000), below_inclusive=True),)
    c = commitment(tiers=inclusive, level=Fraction(9995, 10000))  # ≤ 99.9 pays below 99.95
    v = version(c)
    at = NOV + timedelta(days=10)
    (crossing,) = crossings(
        v,
        c,
        at=at,
        eligible_total_s=MONTH_S,
        downtime_so_far_s=1500,
        remaining_s=20 * DAY,
        projected_remaining_s=3000,
    )
    assert crossing.at == at + timedelta(seconds=628_992)  # level == 99.9 % counts now


def test_no_crossing_when_the_projection_stays_in_tier() -> None:
    c = commitment()
    assert (
        crossings(
            version(c),
            c,
            at=NOV + timedelta(days=10),
            eligible_total_s=MONTH_S,
            downtime_so_far_s=600,
            remaining_s=20 * DAY,
            projected_remaining_s=1200,
        )
        == ()
    )


# --- The distribution ------------------------------------------------------------------------


def _negbin_pmf(shape: float, p: float, n_max: int) -> npt.NDArray[np.float64]:
    out = np.empty(n_max + 1)
    out[0] = p**shape
    for n in range(1, n_max + 1):
        out[n] = out[n - 1] * (n - 1 + shape) / n * (1 - p)
    return out


def test_panjer_matches_the_direct_sum_over_episode_counts() -> None:
    f = np.array([0.0, 0.5, 0.2, 0.0, 0.3])
    shape, p, size = 2.5, 0.4, 60
    direct = np.zeros(size)
    conv = np.zeros(size)
    conv[0] = 1.0
    for prob in _negbin_pmf(shape, p, 200):
        direct += prob * conv
        conv = np.convolve(conv, f)[:size]
    assert np.allclose(_compound_negbin(shape, p, f, size), direct, atol=1e-12)


def test_panjer_survives_a_large_expected_count() -> None:
    f = np.array([0.0, 1.0])  # every episode is one unit: S = N
    shape, p = 800.0, 0.2  # p**shape underflows a double
    pmf = _compound_negbin(shape, p, f, 8000)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9)
    assert float(np.dot(np.arange(pmf.size), pmf)) == pytest.approx(shape * 0.8 / 0.2, rel=1e-9)


def test_no_downtime_left_when_the_period_is_over() -> None:
    r = remaining_downtime(
        steady_history(), elapsed_s=MONTH_S, completed=(), ongoing_s=None, remaining_s=0, unit_s=60
    )
    assert r.mean_s == 0
    assert r.quantile_s(0.95) == 0


def test_an_ongoing_episode_continues_for_the_residual_of_longer_ones() -> None:
    history = [
        PastPeriod(start=NOV, eligible_s=MONTH_S, episodes=(600, 1800, 3600)) for _ in range(3)
    ]
    kw = {"elapsed_s": DAY, "completed": (), "remaining_s": DAY, "unit_s": 60}
    quiet = remaining_downtime(history, ongoing_s=None, **kw)  # type: ignore[arg-type]
    running = remaining_downtime(history, ongoing_s=1200, **kw)  # type: ignore[arg-type]
    # Residuals of the 30- and 60-minute episodes past 20 minutes: 10 or 40 min (mean 25),
    # plus the running episode's count towards the rate: Δλ × 1 day × 2000 s (the mean
    # length on record), Δλ from the rate model with 1 episode started instead of 0.
    dl = rate_model(history, elapsed_s=DAY, started=1).mean
    dl -= rate_model(history, elapsed_s=DAY, started=0).mean
    assert running.mean_s - quiet.mean_s == pytest.approx(25 * 60 + dl * DAY * 2000, rel=0.02)
    longest = remaining_downtime(history, ongoing_s=7200, **kw)  # type: ignore[arg-type]
    assert any("geometric" in n for n in longest.notes)


def test_an_outage_longer_than_any_on_record_has_a_spread_out_remaining_length() -> None:
    """Not "as long again" for sure: geometric on the unit grid with the age as its mean."""
    history = [PastPeriod(start=NOV, eligible_s=MONTH_S, episodes=(300, 600)) for _ in range(3)]
    kw = {"elapsed_s": DAY, "completed": (), "remaining_s": 20 * DAY, "unit_s": 60}
    quiet = remaining_downtime(history, ongoing_s=None, **kw)  # type: ignore[arg-type]
    running = remaining_downtime(history, ongoing_s=3600, **kw)  # type: ignore[arg-type]
    # The residual: mean 60 units (its age), no single length likelier than 1/61.
    r = running.ongoing
    assert float(np.dot(np.arange(r.size), r)) == pytest.approx(60, rel=1e-3)
    assert float(r.max()) == pytest.approx(1 / 61)
    # Its expected rest, plus the running episode's count towards the rate: Δλ × 20 days ×
    # 450 s (the mean length on record), Δλ from the rate model with 1 started instead of 0.
    dl = rate_model(history, elapsed_s=DAY, started=1).mean
    dl -= rate_model(history, elapsed_s=DAY, started=0).mean
    assert running.mean_s - quiet.mean_s == pytest.approx(3600 + dl * 20 * DAY * 450, rel=0.02)
    # The remaining downtime is spread out: it may end at once or run for hours.
    assert running.quantile_s(0.05) <= 15 * 60
    assert running.quantile_s(0.95) >= 2 * 3600
    # So a tier 30 minutes of downtime away is likely, not certain — and the chance grows
    # smoothly as the outage ages (it used to jump to exactly 1.0).
    c = commitment()
    chances = []
    for age_min in range(20, 41, 5):
        rem = remaining_downtime(history, ongoing_s=age_min * 60, **kw)  # type: ignore[arg-type]
        tiers = tier_chances(
            version(c), c, eligible_total_s=MONTH_S, downtime_so_far_s=0, remaining=rem
        )
        chances.append(next(t.probability for t in tiers if t.percent == Decimal(10)))
    assert all(0.2 < p < 0.95 for p in chances), chances
    assert all(0 <= b - a < 0.2 for a, b in itertools.pairwise(chances)), chances


def test_geometric_residual_has_the_requested_mean() -> None:
    g = geometric_residual(30.0, 5000)
    assert g.sum() == pytest.approx(1.0)
    assert float(np.dot(np.arange(g.size), g)) == pytest.approx(30.0)
    assert g[0] == pytest.approx(1 / 31)


def test_too_little_history_says_so_and_widens_the_band() -> None:
    kw = {"elapsed_s": 10 * DAY, "completed": (300,) * 5, "ongoing_s": None}
    rich = remaining_downtime(steady_history(6), remaining_s=20 * DAY, unit_s=60, **kw)  # type: ignore[arg-type]
    poor = remaining_downtime(steady_history(2), remaining_s=20 * DAY, unit_s=60, **kw)  # type: ignore[arg-type]
    assert any("fewer than 3" in n for n in poor.notes)
    assert not rich.notes
    assert poor.quantile_s(0.95) - poor.quantile_s(0.05) > rich.quantile_s(0.95) - rich.quantile_s(
        0.05
    )


def test_rate_model_refuses_without_history_or_elapsed_time() -> None:
    with pytest.raises(InputError):
        rate_model([], elapsed_s=0, started=0)


def test_heterogeneous_history_trusts_this_period_more() -> None:
    steady = rate_model(steady_history(), elapsed_s=10 * DAY, started=5)
    varied = [
        PastPeriod(start=NOV, eligible_s=MONTH_S, episodes=(300,) * n) for n in (0, 2, 40, 1, 30, 7)
    ]
    wild = rate_model(varied, elapsed_s=10 * DAY, started=5)
    assert wild.credibility > steady.credibility


def test_episode_lengths_merge_touching_spans() -> None:
    assert episode_lengths([(0, 300), (300, 600), (900, 1200)]) == (600, 300)


# --- Exact tiers and sources -----------------------------------------------------------------


def test_tier_edges_follow_inclusive_bounds_exactly() -> None:
    # 1000 s eligible; tiers at exactly 99.0 %: 10 s of downtime is level == 0.99.
    tiers = (CreditTier(credit=Decimal(10), below=Fraction(99, 100), below_inclusive=True),)
    c = commitment(tiers=tiers)
    pmf = np.zeros(21)
    pmf[10] = 1.0  # exactly 10 more seconds
    remaining = RemainingDowntime(
        unit_s=1,
        remaining_s=500,
        pmf=pmf,
        rate=rate_model(steady_history(), elapsed_s=500, started=0),
    )
    chances = tier_chances(
        version(c), c, eligible_total_s=1000, downtime_so_far_s=0, remaining=remaining
    )
    assert {t.percent: t.probability for t in chances} == {Decimal(0): 0.0, Decimal(10): 1.0}


def test_mean_error_rate_is_not_forecast_and_says_why() -> None:
    c = AvailabilityCommitment(
        name="errors",
        services=("api",),
        level=Fraction(999, 1000),
        measurement=Measurement(source=DowntimeSource.MEAN_ERROR_RATE, series="api:x"),
        remedies=Remedies(tiers=TIERS),
    )
    v = version(c)
    start = int(NOV.timestamp())
    data = BucketMatrix.empty(("api:x",), start=start, end=start + MONTH_S, step=60)
    data.total[0, :] = 100
    data.good[0, :] = 100
    at = NOV + timedelta(days=3)
    so_far = availability(v, c, period_start=NOV, at=at, data=data)
    e = commitment_exposure(v, c, so_far=so_far, at=at, history=steady_history())
    assert e.no_forecast is not None
    assert "mean-error-rate" in e.no_forecast
    assert e.expected_credit is None
    assert e.tiers == ()


def test_portfolio_sums_per_currency() -> None:
    e = heading_for_ten_percent()
    usd = CommitmentExposure(
        **{
            **{f: getattr(e, f) for f in e.__dataclass_fields__},
            "customer": "initech",
            "expected_credit": Money(amount=Decimal("12.50"), currency="USD"),
            "worst_case_credit": Money(amount=Decimal("40.00"), currency="USD"),
            "owed_now": Money(amount=Decimal("0.00"), currency="USD"),
        }
    )
    p = portfolio(at=e.at, commitments=[e, e, usd], names={"acme": "ACME Corp"})
    assert [c.customer_name for c in p.customers] == ["ACME Corp", "initech"]
    assert e.expected_credit is not None
    assert {m.currency: m.amount for m in p.expected} == {
        "EUR": 2 * e.expected_credit.amount,
        "USD": Decimal("12.50"),
    }
    assert {m.currency for m in p.worst_case} == {"EUR", "USD"}


# --- Calibration -----------------------------------------------------------------------------

UNIT = 300
SLOTS = MONTH_S // UNIT  # 8640 five-minute intervals in a 30-day period
HALF = SLOTS // 2
PAST = 6
TRIALS = 600


def _runs(down: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, end) slot indices of the runs of True."""
    edges = np.diff(np.concatenate(([0], down.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()
    return list(zip(starts, ends, strict=True))


def _simulate(rng: np.random.Generator) -> npt.NDArray[np.bool_]:
    """TRIALS services × (PAST + 1) periods of five-minute down flags.

    Each service has its own mean episode rate (one every 1–10 days); each period draws its
    rate from a Gamma around it (shape 3: some months are much worse); episodes start as a
    Bernoulli process per interval and last a geometric number of intervals (mean 3, 15 min).
    """
    mean_rate = 1 / rng.uniform(1, 10, size=(TRIALS, 1)) / DAY  # episodes per second
    period_rate = rng.gamma(3.0, mean_rate / 3.0, size=(TRIALS, PAST + 1))
    starts = rng.random((TRIALS, PAST + 1, SLOTS)) < (period_rate * UNIT)[..., None]
    down = np.zeros_like(starts)
    for t, p, s in zip(*np.nonzero(starts), strict=True):
        length = int(rng.geometric(1 / 3))
        down[t, p, s : s + length] = True
    return down


def test_tier_probabilities_are_calibrated() -> None:
    rng = np.random.default_rng(20261127)
    down = _simulate(rng)
    c = commitment(DowntimeSource.BAD_INTERVALS)
    v = version(c)
    predicted: list[list[float]] = []
    observed: list[list[float]] = []
    for t in range(TRIALS):
        history = [
            PastPeriod(
                start=NOV - timedelta(days=30 * (PAST - p)),
                eligible_s=MONTH_S,
                episodes=tuple((e - s) * UNIT for s, e in _runs(down[t, p])),
            )
            for p in range(PAST)
        ]
        runs = _runs(down[t, PAST, :HALF])
        ongoing = None
        if runs and runs[-1][1] == HALF:
            ongoing = (runs[-1][1] - runs[-1][0]) * UNIT
            runs = runs[:-1]
        so_far_s = int(down[t, PAST, :HALF].sum()) * UNIT
        remaining = remaining_downtime(
            history,
            elapsed_s=HALF * UNIT,
            completed=[(e - s) * UNIT for s, e in runs],
            ongoing_s=ongoing,
            remaining_s=(SLOTS - HALF) * UNIT,
            unit_s=UNIT,
            reach_s=MONTH_S // 20,
        )
        chances = tier_chances(
            v, c, eligible_total_s=MONTH_S, downtime_so_far_s=so_far_s, remaining=remaining
        )
        final = Fraction(MONTH_S - int(down[t, PAST].sum()) * UNIT, MONTH_S)
        truth = next((tier.credit for tier in TIERS if tier.contains(final)), Decimal(0))
        predicted.append([ch.probability for ch in chances])
        observed.append([float(ch.percent == truth) for ch in chances])
    pred = np.array(predicted)
    obs = np.array(observed)
    assert np.allclose(pred.sum(axis=1), 1.0)
    assert 0.05 < obs[:, 1].mean() < 0.95  # the simulation exercises the 10 % tier at least

    # Reliability: predicted probabilities binned in deciles match observed frequencies.
    p_flat, o_flat = pred.ravel(), obs.ravel()
    bins = np.minimum((p_flat * 10).astype(int), 9)
    checked = 0
    for b in range(10):
        sel = bins == b
        if sel.sum() >= 40:
            checked += 1
            gap = abs(p_flat[sel].mean() - o_flat[sel].mean())
            assert gap <= 0.1, (
                f"decile {b}: predicted {p_flat[sel].mean():.3f}, seen {o_flat[sel].mean():.3f}"
            )
    assert checked >= 4
    # Skill: the forecast beats climatology (each tier's overall frequency) on Brier score.
    brier = float(np.mean(np.sum((pred - obs) ** 2, axis=1)))
    climatology = float(np.mean(np.sum((obs.mean(axis=0) - obs) ** 2, axis=1)))
    assert brier < 0.8 * climatology


def test_past_crossing_is_the_second_the_allowance_ran_out() -> None:
    c = commitment()
    start = int(NOV.timestamp())
    down = [(start, start + 2000), (start + 10_000, start + 11_000)]
    (crossing,) = past_crossings(version(c), c, eligible_total_s=MONTH_S, down=down)
    # 0.1 % of 30 days = 2592 s: the 2593rd second of downtime is 593 s into the second outage.
    assert crossing.at == NOV + timedelta(seconds=10_593)
    assert crossing.percent == Decimal(10)
    assert not crossing.projected


# --- Too early to tell ------------------------------------------------------------------------


def early(*, hours: float, history: list[PastPeriod]) -> CommitmentExposure:
    """50 minutes down from 01:00 on the 1st (3000 s: past the 99.9 % allowance of a 30-day
    month, 2592 s, so 10 % is locked in), seen ``hours`` into the month."""
    c = commitment()
    v = version(c)
    at = NOV + timedelta(hours=hours)
    down = outages(1, every=timedelta(days=1), minutes=50, first=NOV + timedelta(hours=1))
    so_far = availability(v, c, period_start=NOV, at=at, incidents=down)
    return commitment_exposure(v, c, so_far=so_far, at=at, history=history)


def test_a_young_period_without_history_is_too_early_to_project() -> None:
    """3.5 hours into the month with 2 past periods: the rate would come from 3.5 hours alone
    (one 50-minute outage → a projection far below 99 %). Only the facts are given."""
    e = early(hours=3.5, history=steady_history(2))
    assert e.no_forecast is not None
    assert e.no_forecast.startswith("too early to tell: 3 h 30 min of the period has data")
    assert "3 d (10 % of the period)" in e.no_forecast  # 10 % of 30 days
    assert e.projected_level is None
    assert e.expected_credit is None
    assert e.worst_case_credit is None
    assert not e.tiers
    # the facts: 3000 s down of the 12600 s so far; 3000 s of the month's 2592000 s is past
    # its 2592 s allowance (0.1 %), so 10 % of 3000.00 EUR is locked in, since the 2593rd
    # second went down: 01:00 + 2593 s
    assert e.level_so_far == Fraction(12600 - 3000, 12600)
    assert e.owed_now == Money(amount=Decimal("300.00"), currency="EUR")
    assert [(x.at, x.projected) for x in e.crossings] == [
        (datetime(2026, 11, 1, 1, 43, 13, tzinfo=UTC), False)
    ]


def test_projection_starts_once_a_tenth_of_the_period_has_data() -> None:
    assert early(hours=71.9, history=steady_history(2)).no_forecast is not None
    later = early(hours=72, history=steady_history(2))  # 3 days = 10 % of 30
    assert later.no_forecast is None
    assert later.projected_level is not None


def test_with_enough_history_an_early_period_leans_on_it() -> None:
    """Six past periods: the credibility weight is small after 3.5 hours, so the projection
    stays near the history's rate instead of extrapolating this morning's outage."""
    e = early(hours=3.5, history=steady_history(6))
    assert e.no_forecast is None
    assert e.credibility is not None
    assert e.credibility < 0.1
    assert e.projected_level is not None
    assert e.projected_level > Fraction(99, 100)
