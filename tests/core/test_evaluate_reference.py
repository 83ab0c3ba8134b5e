"""The vectorised engine agrees with a brute-force reference on random data and objectives."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from covenant.core.evaluate import CURRENT_BURN_WINDOW_S, evaluate, required_range
from covenant.core.model import (
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
from covenant.core.timeutil import from_epoch
from tests.core import reference, window_reference
from tests.strategies import ZONES, objectives, targets

STEP = 60


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Objective], BucketMatrix, int]:
    objs = draw(st.lists(objectives(step=STEP), min_size=1, max_size=4))
    base = draw(st.integers(0, 200)) * 86400 + 1_767_225_600  # days after 2026-01-01
    if any(isinstance(o.window, CalendarWindow) for o in objs):
        zone_obj = next(o for o in objs if isinstance(o.window, CalendarWindow))
        assert isinstance(zone_obj.window, CalendarWindow)
        month_start, _ = reference.month_bounds(zone_obj.window, base)
        base = month_start
    at = base + draw(st.integers(1, 6 * 60)) * STEP + draw(st.integers(0, STEP - 1))
    start, end = required_range(objs, at=from_epoch(at), step=STEP)
    n = (end - start) // STEP
    offset = draw(st.integers(0, n // 3)) if n else 0  # data that starts late: no-data slices
    traffic = draw(st.sampled_from(["none", "sparse", "busy"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    lam = {"none": 0.0, "sparse": 0.3, "busy": 40.0}[traffic]
    total = rng.poisson(lam, size=(1, n)).astype(np.int64)
    total[:, :offset] = 0
    error = draw(st.sampled_from([0.0, 0.001, 0.05, 0.5]))
    good = total - rng.binomial(total, error).astype(np.int64)
    return objs, BucketMatrix(keys=("s",), start=start, step=STEP, good=good, total=total), at


@st.composite
def wide_objectives(draw: st.DrawFn, *, step: int, zone: str) -> Objective:
    """Wider than ``tests.strategies.objectives``: budget-share tiers, long rolling windows,
    slices of several steps, and calendar months in zones with DST changes."""
    method = draw(st.sampled_from(list(BudgetingMethod)))
    slice_s = (
        draw(st.sampled_from([step, 2 * step, 12 * step])) * (1 if step >= 300 else 5)
        if method != BudgetingMethod.OCCURRENCES
        else None
    )
    tiers = []
    for i in range(draw(st.integers(1, 2))):
        long_s = draw(st.integers(1, 24)) * 3600
        short_s = draw(st.integers(1, long_s // step)) * step
        share = draw(st.one_of(st.none(), st.sampled_from(["1/50", "1/20", "1/10", "1/2"])))
        tiers.append(
            AlertTier(
                name=f"t{i}",
                severity=draw(st.sampled_from(["page", "ticket"])),
                long_window_s=long_s,
                short_window_s=short_s,
                budget_fraction=Fraction(share) if share else None,
                burn_rate=None
                if share
                else draw(st.sampled_from([Fraction(1), Fraction(3), Fraction(144, 10)])),
                inclusive=draw(st.booleans()),
            )
        )
    window: RollingWindow | CalendarWindow
    if draw(st.booleans()):
        window = RollingWindow(seconds=draw(st.integers(1, 72)) * 3600)
    else:
        window = CalendarWindow(unit=CalendarUnit.MONTH, zone=zone)
    return Objective(
        slo="slo",
        name="",
        series="s",
        target=draw(targets),
        window=window,
        method=method,
        time_slice_target=draw(st.sampled_from([Fraction(1, 2), Fraction(99, 100), Fraction(1)]))
        if method == BudgetingMethod.TIMESLICES
        else None,
        time_slice_window_s=slice_s,
        no_data=draw(st.sampled_from(list(NoDataPolicy))),
        minimum_events=draw(st.sampled_from([0, 0, 1, 50])),
        alert_tiers=tuple(tiers),
    )


# Months with a DST change in these zones (Berlin Mar/Oct, New York Mar/Nov, Lord Howe Apr/Oct)
# beside months without one; ``at`` falls anywhere in the month, near its end included.
MONTHS = [(2026, m) for m in (1, 2, 3, 4, 10, 11, 12)] + [(2027, 2), (2028, 2)]


@st.composite
def wide_scenarios(draw: st.DrawFn) -> tuple[list[Objective], BucketMatrix, int]:
    step = draw(st.sampled_from([300, 900]))
    zone = draw(st.sampled_from(ZONES))
    objs = draw(st.lists(wide_objectives(step=step, zone=zone), min_size=1, max_size=3))
    year, month = draw(st.sampled_from(MONTHS))
    tz = ZoneInfo(zone)
    first = int(datetime(year, month, 1, tzinfo=tz).timestamp())
    nxt = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    last = int(nxt.timestamp())
    at = draw(
        st.one_of(
            st.integers(first + 1, last),
            st.integers(last - 7200, last),  # the last two hours of the month
            st.integers(first + 1, first + 7200),  # its first two hours
        )
    )
    start, end = required_range(objs, at=from_epoch(at), step=step)
    n = (end - start) // step
    offset = draw(st.integers(0, n // 3)) if n else 0
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    lam = draw(st.sampled_from([0.0, 0.2, 3.0, 500.0]))
    hours = (start + np.arange(n) * step) // 3600 % 24
    diurnal = np.where((hours >= 8) & (hours < 20), 4.0, 0.25)  # busy days, quiet nights
    total = rng.poisson(lam * diurnal, size=(1, n)).astype(np.int64)
    total[:, :offset] = 0
    error = draw(st.sampled_from([0.0, 0.001, 0.02, 0.5, 1.0]))
    good = total - rng.binomial(total, error).astype(np.int64)
    return objs, BucketMatrix(keys=("s",), start=start, step=step, good=good, total=total), at


def check_one(o: Objective, got, data: BucketMatrix, at: int) -> None:  # type: ignore[no-untyped-def]
    end = at - at % data.step
    good = data.good[0].tolist()
    total = data.total[0].tolist()
    start, _, full_start, full_end = reference.bounds(o, end)
    step = data.step
    win = reference.window(o, good, total, data.start, step, start, end)
    no_data = _no_data(o, win)
    assert (got.status is Status.NO_DATA) == no_data, (got.no_data, win)
    burn = reference.window(
        o, good, total, data.start, step, end - CURRENT_BURN_WINDOW_S, end, alert=True
    )
    if _no_data(o, burn):
        assert got.burn.rate is None
    else:
        expected = burn.bad / burn.counted / (1 - o.target)
        assert got.burn.rate == expected
    for index, (tier, result) in enumerate(zip(o.alert_tiers, got.tiers, strict=True)):
        rates = []
        for w in (tier.long_window_s, tier.short_window_s):
            r = reference.window(o, good, total, data.start, step, end - w, end, alert=True)
            rates.append(None if _no_data(o, r) else r.bad / r.counted / (1 - o.target))
        threshold = reference.threshold(o, index, window_length=full_end - full_start)
        assert result.threshold == threshold
        assert result.firing == all(
            r is not None and (r >= threshold if tier.inclusive else r > threshold) for r in rates
        )
        assert result.long.rate == rates[0]
        assert result.short.rate == rates[1]
    if no_data:
        assert got.sli is None
        assert got.budget is None
        return
    sli = 1 - win.bad / win.counted
    assert got.sli == sli
    units = reference.budget_units(o, good, total, data.start, data.step, end)
    allowed = (1 - o.target) * units
    assert got.budget.allowed == allowed
    assert got.budget.consumed == win.bad
    assert got.budget.consumed + got.budget.remaining == got.budget.allowed
    assert (got.status is Status.BREACHED) == (win.bad > allowed)


def _no_data(o: Objective, w: reference.RefWindow) -> bool:
    lenient = o.method is not BudgetingMethod.OCCURRENCES and o.no_data is not NoDataPolicy.SKIP
    if lenient:
        return w.counted == 0
    return w.events == 0 or w.events < o.minimum_events or w.counted == 0


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_engine_matches_brute_force(scenario: tuple[list[Objective], BucketMatrix, int]) -> None:
    objs, data, at = scenario
    results = evaluate(objs, data, at=from_epoch(at))
    assert len(results) == len(objs)
    for o, got in zip(objs, results, strict=True):
        check_one(o, got, data, at)


@settings(max_examples=60, deadline=None)
@given(wide_scenarios())
def test_engine_matches_brute_force_wide(
    scenario: tuple[list[Objective], BucketMatrix, int],
) -> None:
    objs, data, at = scenario
    results = evaluate(objs, data, at=from_epoch(at))
    assert len(results) == len(objs)
    for o, got in zip(objs, results, strict=True):
        check_one(o, got, data, at)


def test_at_is_aligned_down_and_reported_in_utc() -> None:
    o = Objective(
        slo="x",
        name="",
        series="s",
        target=Fraction(99, 100),
        window=reference.RollingWindow(seconds=3600),
    )
    at = datetime(2026, 10, 1, 12, 0, 59, tzinfo=UTC)
    start, end = required_range([o], at=at, step=STEP)
    n = (end - start) // STEP
    data = BucketMatrix(
        keys=("s",),
        start=start,
        step=STEP,
        good=np.full((1, n), 9, dtype=np.int64),
        total=np.full((1, n), 10, dtype=np.int64),
    )
    (result,) = evaluate([o], data, at=at)
    assert result.at == datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    assert result.sli == Fraction(9, 10)
    assert result.status is Status.BREACHED


CALENDARS = ["UTC", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns"]


@st.composite
def calendar_scenarios(draw: st.DrawFn) -> tuple[Objective, BucketMatrix, int]:
    """Days, weeks, quarters and years, two days or weeks at a time, anchored or not, in zones
    with 30- and 45-minute offsets; ``at`` in the first six hours of a period."""
    o = draw(objectives(step=STEP))
    tz = ZoneInfo(draw(st.sampled_from(CALENDARS)))
    unit = draw(st.sampled_from(list(CalendarUnit)))
    anchor = None
    if draw(st.booleans()):
        anchor = datetime(
            draw(st.integers(2020, 2026)),
            draw(st.integers(1, 12)),
            draw(st.sampled_from([1, 15, 28])),
            draw(st.sampled_from([0, 2, 7, 13])),
            draw(st.sampled_from([0, 30, 45])),
            tzinfo=tz,
        )
    window = CalendarWindow(
        unit=unit,
        count=draw(st.sampled_from([1, 2])) if unit in (CalendarUnit.DAY, CalendarUnit.WEEK) else 1,
        zone=str(tz),
        anchor=anchor,
    )
    o = replace(o, window=window)
    instant = draw(st.integers(0, 400 * 86400)) + 1_767_225_600  # from 2026-01-01 on
    first, _ = window_reference.reference_period(window, instant)
    at = first + draw(st.integers(1, 6 * 60)) * STEP + draw(st.integers(0, STEP - 1))
    start, end = required_range([o], at=from_epoch(at), step=STEP)
    n = (end - start) // STEP
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    total = rng.poisson(draw(st.sampled_from([0.0, 0.3, 40.0])), size=(1, n)).astype(np.int64)
    total[:, : draw(st.integers(0, n // 3)) if n else 0] = 0
    error = draw(st.sampled_from([0.0, 0.001, 0.05, 0.5]))
    good = total - rng.binomial(total, error).astype(np.int64)
    return o, BucketMatrix(keys=("s",), start=start, step=STEP, good=good, total=total), at


@settings(max_examples=40, deadline=None, derandomize=True)
@given(calendar_scenarios())
def test_engine_matches_brute_force_on_every_calendar_unit(
    scenario: tuple[Objective, BucketMatrix, int],
) -> None:
    o, data, at = scenario
    (got,) = evaluate([o], data, at=from_epoch(at))
    check_one(o, got, data, at)
