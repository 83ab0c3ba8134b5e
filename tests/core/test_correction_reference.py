"""Corrected (and raw) evaluations against a brute-force count (tests/core/correction_reference.py).

Hypothesis draws one to three objectives (every budgeting method and no-data policy, minimum
events, rolling windows or calendar months in zones whose offsets are odd or change by half an
hour: Lord Howe, Chatham, St John's, Kathmandu, Kolkata), an instant around a period's start
or a DST change (at, just before and just after it), traffic that is busy, sparse or absent
and may start late, and up to three corrections: at any second, on a bucket's or a slice's
edge, ending exactly where the evaluation ends, one second long or hours long, overlapping or
touching, for this SLO, for every SLO or for another one. Every figure — no data, SLI, good
and total, the budget, the 1-hour burn rate and its events, each tier's threshold, rates and
firing, the time to exhaustion, the status and the slices a no-data policy filled — must equal
the reference's, corrected and raw. A corrected evaluation that is absent (no correction
touched the data read) must be one the corrections would not have changed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covenant.core.corrections import CorrectionWindow, evaluate_corrected
from covenant.core.evaluate import evaluate, required_range
from covenant.core.model import CalendarUnit, CalendarWindow, Objective
from covenant.core.results import Evaluation, Status
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch
from tests.core import correction_reference as ref
from tests.strategies import objectives

STEP = 60

# Each zone with an instant its offset changes (or a plain month start where it never does).
ZONES = {
    "Australia/Lord_Howe": datetime(2026, 10, 3, 15, 30, tzinfo=UTC),  # +10:30 → +11
    "Pacific/Chatham": datetime(2026, 4, 4, 14, tzinfo=UTC),  # +13:45 → +12:45
    "America/St_Johns": datetime(2026, 3, 8, 5, 30, tzinfo=UTC),  # −3:30 → −2:30
    "Asia/Kathmandu": datetime(2026, 2, 1, tzinfo=UTC),  # +5:45, no change
    "Asia/Kolkata": datetime(2028, 3, 1, tzinfo=UTC),  # +5:30, after a leap day
}


def month_start(zone: str, instant: datetime) -> int:
    local = instant.astimezone(ZoneInfo(zone))
    return int(datetime(local.year, local.month, 1, tzinfo=ZoneInfo(zone)).timestamp())


@st.composite
def corrections(draw: st.DrawFn, start: int, aligned: int) -> list[CorrectionWindow]:
    """Up to three corrections around the data ``[start, aligned)``: at any second, on a
    bucket's, a 5-minute or an hour's edge, ending where the evaluation ends; for the SLO
    ``slo``, for every SLO or for another."""
    windows = []
    for i in range(draw(st.integers(0, 3))):
        first = draw(
            st.one_of(
                st.integers(start - 3600, aligned + 3600),
                st.integers(start // STEP, aligned // STEP).map(lambda b: b * STEP),
                st.integers(start // 300, aligned // 300).map(lambda b: b * 300),
                st.integers(start // 3600, aligned // 3600).map(lambda b: b * 3600),
            )
        )
        length = draw(
            st.one_of(st.sampled_from([1, 59, 60, 61, 300, 3600]), st.integers(1, 3 * 3600))
        )
        if draw(st.integers(0, 5)) == 0:  # ending exactly where the evaluation ends
            first = aligned - length
        slos = draw(st.sampled_from([frozenset(), frozenset({"slo"}), frozenset({"other"})]))
        windows.append(
            CorrectionWindow(
                name=f"c{i}", start=from_epoch(first), end=from_epoch(first + length), slos=slos
            )
        )
    return windows


@st.composite
def cases(
    draw: st.DrawFn,
) -> tuple[list[Objective], BucketMatrix, int, list[CorrectionWindow]]:
    zone = draw(st.sampled_from(sorted(ZONES)))
    objs = [
        o
        if not isinstance(o.window, CalendarWindow)
        else replace(o, window=CalendarWindow(unit=CalendarUnit.MONTH, zone=zone))
        for o in draw(st.lists(objectives(step=STEP), min_size=1, max_size=3))
    ]
    change = int(ZONES[zone].timestamp())
    anchor = draw(st.sampled_from([change, month_start(zone, ZONES[zone])]))
    at = anchor + draw(
        st.one_of(
            st.integers(-60, 360).map(lambda m: m * STEP),
            st.integers(-STEP, STEP),  # at, just before and just after the anchor
            st.integers(-6 * 3600, 6 * 3600),
        )
    )
    start, end = required_range(objs, at=from_epoch(at), step=STEP)
    n = (end - start) // STEP
    offset = draw(st.integers(0, n // 3)) if n else 0
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    lam = draw(st.sampled_from([0.0, 0.3, 40.0]))
    total = rng.poisson(lam, size=(1, n)).astype(np.int64)
    total[:, :offset] = 0
    error = draw(st.sampled_from([0.0, 0.001, 0.05, 0.5, 1.0]))
    good = total - rng.binomial(total, error).astype(np.int64)
    data = BucketMatrix(keys=("s",), start=start, step=STEP, good=good, total=total)
    windows = draw(corrections(start, at - at % STEP))
    return objs, data, at, windows


def check(got: Evaluation, want: ref.Figures, o: Objective, *, policy: bool = True) -> None:
    assert (got.status is Status.NO_DATA) == want.no_data, (got.no_data, want)
    burn = got.burn
    assert burn is not None
    assert burn.rate == want.burn
    assert burn.events == want.burn_events
    for result, (limit, long_rate, short_rate, fires) in zip(got.tiers, want.tiers, strict=True):
        assert result.threshold == limit
        assert (result.long.rate, result.short.rate) == (long_rate, short_rate)
        assert result.firing == fires
    if want.no_data:
        assert got.sli is None
        assert got.budget is None
        return
    assert got.sli == want.sli
    assert got.total == want.total
    if want.good is not None and want.good.denominator == 1:
        assert got.good == want.good
    assert got.budget is not None
    assert got.budget.allowed == want.allowed
    assert got.budget.consumed == want.consumed
    assert got.budget.remaining == want.remaining
    assert got.time_to_exhaustion == want.tte, (got.exhaustion_note, want)
    assert got.status.value == want.status
    if policy:
        assert got.policy_filled == want.silent
        assert (got.policy_note is not None) == (want.silent > 0)


@settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(cases())
def test_corrected_figures_equal_a_count_of_buckets_and_slices(
    case: tuple[list[Objective], BucketMatrix, int, list[CorrectionWindow]],
) -> None:
    objs, data, at, windows = case
    good, total = data.good[0].tolist(), data.total[0].tolist()
    raw = evaluate(objs, data, at=from_epoch(at))
    corrected = evaluate_corrected(objs, data, windows, at=from_epoch(at))
    for o, plain, fixed in zip(objs, raw, corrected, strict=True):
        unchanged = ref.figures(o, ref.Data(good, total, data.start, STEP, []), at)
        check(plain, unchanged, o)
        spans = [
            (int(w.start.timestamp()), int(w.end.timestamp()))
            for w in windows
            if not w.slos or o.slo in w.slos
        ]
        want = ref.figures(o, ref.Data(good, total, data.start, STEP, spans), at)
        if fixed.evaluation is None:
            assert want == unchanged
        else:
            check(fixed.evaluation, want, o)
