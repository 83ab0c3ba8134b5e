"""Cases a review found: each pins a behaviour a demanding SRE would expect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import numpy as np

from covenant.core.evaluate import evaluate, required_range
from covenant.core.model import (
    HOUR,
    MINUTE,
    AlertTier,
    BudgetingMethod,
    CalendarUnit,
    CalendarWindow,
    NoDataPolicy,
    Objective,
    RollingWindow,
)
from covenant.core.results import Status
from covenant.core.series import BucketMatrix


def matrix(o: Objective, at: datetime, fill: callable) -> BucketMatrix:  # type: ignore[valid-type]
    start, end = required_range([o], at=at, step=60)
    n = (end - start) // 60
    instants = start + 60 * np.arange(n)
    good, total = fill(instants)
    return BucketMatrix(
        keys=("s",),
        start=start,
        step=60,
        good=np.asarray(good, dtype=np.int64)[None, :],
        total=np.asarray(total, dtype=np.int64)[None, :],
    )


def test_a_short_window_on_track_does_not_alert() -> None:
    """1-day window, 99 %, steady 0.5 % errors: burn 0.5 never exhausts the budget."""
    at = datetime(2026, 10, 14, 18, tzinfo=UTC)
    o = Objective(
        slo="daily",
        name="",
        series="s",
        target=Fraction(99, 100),
        window=CalendarWindow(unit=CalendarUnit.DAY),
    )
    data = matrix(o, at, lambda t: (np.full(t.size, 995), np.full(t.size, 1000)))
    (r,) = evaluate([o], data, at=at)
    assert r.burn is not None
    assert r.burn.rate == Fraction(1, 2)
    assert all(t.threshold >= 1 for t in r.tiers)
    assert r.status is Status.OK


def test_a_total_outage_pages_a_loose_slo() -> None:
    """A 90 % SLO burns at most 10×; 13.44 would never fire, so the threshold stops at 10."""
    at = datetime(2026, 10, 14, 18, tzinfo=UTC)
    o = Objective(
        slo="batch",
        name="",
        series="s",
        target=Fraction(9, 10),
        window=RollingWindow(seconds=28 * 86400),
    )
    outage_from = int(at.timestamp()) - HOUR
    data = matrix(o, at, lambda t: (np.where(t >= outage_from, 0, 100), np.full(t.size, 100)))
    (r,) = evaluate([o], data, at=at)
    assert r.tiers[0].threshold == 10
    assert r.tiers[0].firing


def test_calendar_slices_start_at_the_local_period_start() -> None:
    """Asia/Kolkata (+05:30) with 1-hour slices: outages in the day's first and last 30 minutes."""
    at = datetime(2026, 10, 14, 18, 30, tzinfo=UTC)  # local midnight: the day just ended
    day_start = int((at - timedelta(days=1)).timestamp())
    o = Objective(
        slo="daily",
        name="",
        series="s",
        target=Fraction(9, 10),
        window=CalendarWindow(unit=CalendarUnit.DAY, zone="Asia/Kolkata"),
        method=BudgetingMethod.TIMESLICES,
        time_slice_target=Fraction(1),
        time_slice_window_s=HOUR,
    )

    def fill(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        bad = ((t >= day_start) & (t < day_start + 1800)) | (t >= day_start + 86400 - 1800)
        return np.where(bad, 0, 10), np.full(t.size, 10)

    (r,) = evaluate([o], matrix(o, at, fill), at=at)
    assert r.total == 24
    assert r.budget is not None
    assert r.budget.consumed == 2


def test_timeslice_page_does_not_flap_between_slices() -> None:
    o = Objective(
        slo="pay",
        name="",
        series="s",
        target=Fraction(99, 100),
        window=RollingWindow(seconds=30 * 86400),
        method=BudgetingMethod.TIMESLICES,
        time_slice_target=Fraction(95, 100),
        time_slice_window_s=5 * MINUTE,
    )
    firing = []
    for minute in range(5):
        at = datetime(2026, 10, 14, 12, minute, tzinfo=UTC)
        outage_from = int(datetime(2026, 10, 14, 11, tzinfo=UTC).timestamp())
        data = matrix(
            o, at, lambda t, f=outage_from: (np.where(t >= f, 0, 10), np.full(t.size, 10))
        )
        (r,) = evaluate([o], data, at=at)
        firing.append(r.tiers[0].firing)
    assert firing == [True] * 5


def test_silence_burns_when_the_policy_says_missing_slices_are_bad() -> None:
    at = datetime(2026, 10, 14, 12, tzinfo=UTC)
    o = Objective(
        slo="pay",
        name="",
        series="s",
        target=Fraction(99, 100),
        window=RollingWindow(seconds=30 * 86400),
        method=BudgetingMethod.TIMESLICES,
        time_slice_target=Fraction(95, 100),
        time_slice_window_s=MINUTE,
        no_data=NoDataPolicy.BAD,
    )
    quiet_from = int(at.timestamp()) - 2 * HOUR
    data = matrix(
        o, at, lambda t: (np.where(t >= quiet_from, 0, 10), np.where(t >= quiet_from, 0, 10))
    )
    (r,) = evaluate([o], data, at=at)
    assert r.burn is not None
    assert r.burn.rate == 100  # every slice of the last hour is bad: 1 / (1 − 0.99)
    assert r.tiers[0].firing
    assert r.status is Status.PAGING


def test_ratio_timeslices_decide_exactly_at_the_target() -> None:
    """Slice ratios 8/10 and 1/1 average exactly 9/10: the SLO is met, not breached."""
    at = datetime(2026, 10, 14, 12, tzinfo=UTC)
    o = Objective(
        slo="web",
        name="",
        series="s",
        target=Fraction(9, 10),
        window=RollingWindow(seconds=6 * 60 * MINUTE),
        method=BudgetingMethod.RATIO_TIMESLICES,
        time_slice_window_s=MINUTE,
    )
    data = matrix(
        o, at, lambda t: (np.where((t // 60) % 2 == 0, 8, 3), np.where((t // 60) % 2 == 0, 10, 3))
    )
    (r,) = evaluate([o], data, at=at)
    assert r.budget is not None
    assert r.budget.remaining == 0
    assert r.status is not Status.BREACHED


def test_strict_tier_does_not_fire_on_a_tie() -> None:
    at = datetime(2026, 10, 14, 12, tzinfo=UTC)
    tier = AlertTier(
        name="gt",
        severity="page",
        long_window_s=HOUR,
        short_window_s=5 * MINUTE,
        burn_rate=Fraction(2),
        inclusive=False,
    )
    o = Objective(
        slo="api",
        name="",
        series="s",
        target=Fraction(99, 100),
        window=RollingWindow(seconds=30 * 86400),
        alert_tiers=(tier,),
    )
    data = matrix(o, at, lambda t: (np.full(t.size, 98), np.full(t.size, 100)))
    (r,) = evaluate([o], data, at=at)
    assert r.tiers[0].long.rate == 2
    assert not r.tiers[0].firing
