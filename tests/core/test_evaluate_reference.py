"""The vectorised engine agrees with a brute-force reference on random data and objectives."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from covenant.core.evaluate import CURRENT_BURN_WINDOW_S, evaluate, required_range
from covenant.core.model import BudgetingMethod, CalendarWindow, NoDataPolicy, Objective
from covenant.core.results import Status
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch
from tests.core import reference
from tests.strategies import objectives

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


def check_one(o: Objective, got, data: BucketMatrix, at: int) -> None:  # type: ignore[no-untyped-def]
    end = at - at % STEP
    good = data.good[0].tolist()
    total = data.total[0].tolist()
    start, _, full_start, full_end = reference.bounds(o, end)
    win = reference.window(o, good, total, data.start, STEP, start, end)
    no_data = _no_data(o, win)
    assert (got.status is Status.NO_DATA) == no_data, (got.no_data, win)
    burn = reference.window(
        o, good, total, data.start, STEP, end - CURRENT_BURN_WINDOW_S, end, alert=True
    )
    if _no_data(o, burn):
        assert got.burn.rate is None
    else:
        expected = burn.bad / burn.counted / (1 - o.target)
        assert _close(got.burn.rate, expected, o)
    for tier, result in zip(o.alert_tiers, got.tiers, strict=True):
        rates = []
        for w in (tier.long_window_s, tier.short_window_s):
            r = reference.window(o, good, total, data.start, STEP, end - w, end, alert=True)
            rates.append(None if _no_data(o, r) else r.bad / r.counted / (1 - o.target))
        # the threshold stays within [1, 1 / (1 - target)]
        threshold = min(max(tier.factor(full_end - full_start), Fraction(1)), 1 / (1 - o.target))
        assert result.threshold == threshold
        assert result.firing == all(
            r is not None and (r >= threshold if tier.inclusive else r > threshold) for r in rates
        )
        if o.method is not BudgetingMethod.RATIO_TIMESLICES:
            assert result.long.rate == rates[0]
            assert result.short.rate == rates[1]
    if no_data:
        assert got.sli is None
        assert got.budget is None
        return
    sli = 1 - win.bad / win.counted
    assert _close(got.sli, sli, o)
    units = win.counted
    if o.method is not BudgetingMethod.OCCURRENCES:
        size = o.time_slice_window_s
        assert size
        ph = reference.phase(o, end)
        full = len(range(full_start + (ph - full_start) % size, full_end - size + 1, size))
        elapsed = len(range(start + (ph - start) % size, end - size + 1, size))
        units = full - (elapsed - win.counted)
    allowed = (1 - o.target) * units
    assert got.budget.allowed == allowed
    assert _close(got.budget.consumed, win.bad, o)
    assert got.budget.consumed + got.budget.remaining == got.budget.allowed
    assert (got.status is Status.BREACHED) == (win.bad > allowed)


def _no_data(o: Objective, w: reference.RefWindow) -> bool:
    lenient = o.method is not BudgetingMethod.OCCURRENCES and o.no_data is not NoDataPolicy.SKIP
    if lenient:
        return w.counted == 0
    return w.events == 0 or w.events < o.minimum_events or w.counted == 0


def _close(got: Fraction | None, expected: Fraction, o: Objective) -> bool:
    assert got is not None
    if o.method is BudgetingMethod.RATIO_TIMESLICES:  # float64 sums, see docs/semantics.md
        return abs(float(got) - float(expected)) <= 1e-9 * max(1.0, abs(float(expected)))
    return got == expected


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_engine_matches_brute_force(scenario: tuple[list[Objective], BucketMatrix, int]) -> None:
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
