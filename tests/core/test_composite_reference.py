"""Timeslices composites agree with a brute-force count of slices (docs/semantics.md,
"Composite SLOs"): in each slice every component is good (its ratio meets its own
``timeSliceTarget``), bad, or silent, and a silent one is good, bad or ignored by its own
no-data policy; the composite slice is bad when any component is bad, good when none is bad
and one is good, and skipped when every component is ignored. Weights do not change a slice.

The reference sums each slice's counts from the minutes with plain loops, lays slices out as
``tests.core.reference`` does (from the epoch on a rolling window, from the period's local
start on a calendar month) and counts: the SLO window's slices wholly inside it, an alert
window's last ``max(1, w // slice)`` complete slices, the budget's slices of the whole window
less the past ones skipped.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from covenant.core.composite import Component, CompositeObjective, evaluate_composites
from covenant.core.evaluate import CURRENT_BURN_WINDOW_S, required_range
from covenant.core.model import BudgetingMethod, CalendarWindow, NoDataPolicy
from covenant.core.results import Status
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch
from tests.core import reference
from tests.strategies import objectives

STEP = 60
SLICE_TARGETS = [Fraction(1, 2), Fraction(9, 10), Fraction(1)]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[CompositeObjective, BucketMatrix, int]:
    o = draw(objectives(step=STEP))
    o = replace(
        o,
        method=BudgetingMethod.TIMESLICES,
        time_slice_target=Fraction(1),
        time_slice_window_s=o.time_slice_window_s or draw(st.sampled_from([60, 300, 3600])),
        minimum_events=0,
    )
    components = tuple(
        Component(
            objective=replace(
                o,
                name=f"c{i}",
                series=f"s{i}",
                time_slice_target=draw(st.sampled_from(SLICE_TARGETS)),
                no_data=draw(st.sampled_from(list(NoDataPolicy))),
            ),
            weight=Fraction(draw(st.integers(1, 3))),
        )
        for i in range(draw(st.integers(1, 3)))
    )
    composite = CompositeObjective(objective=o, components=components)
    base = draw(st.integers(0, 200)) * 86400 + 1_767_225_600  # days after 2026-01-01
    if isinstance(o.window, CalendarWindow):
        base, _ = reference.month_bounds(o.window, base)
    at = base + draw(st.integers(1, 6 * 60)) * STEP + draw(st.integers(0, STEP - 1))
    start, end = required_range([o], at=from_epoch(at), step=STEP)
    n = (end - start) // STEP
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    goods, totals = [], []
    for _ in components:
        total = rng.poisson(draw(st.sampled_from([0.0, 0.3, 5.0])), size=n).astype(np.int64)
        total[: draw(st.integers(0, n // 2)) if n else 0] = 0  # silent at first
        error = draw(st.sampled_from([0.0, 0.05, 0.5]))
        goods.append(total - rng.binomial(total, error).astype(np.int64))
        totals.append(total)
    data = BucketMatrix(
        keys=tuple(c.objective.series for c in components),
        start=start,
        step=STEP,
        good=np.stack(goods),
        total=np.stack(totals),
    )
    return composite, data, at


def slice_verdict(c: CompositeObjective, data: BucketMatrix, t: int) -> tuple[str | None, int]:
    """``good``/``bad``/None (skipped) for the slice starting at ``t``, and its events."""
    size = c.objective.time_slice_window_s
    assert size
    bad = good = False
    events = 0
    for row, component in enumerate(c.components):
        g = tot = 0
        for i in range(data.total.shape[1]):
            if t <= data.start + i * STEP < t + size:
                g += int(data.good[row, i])
                tot += int(data.total[row, i])
        events += tot
        o = component.objective
        assert o.time_slice_target is not None
        if tot:
            good |= Fraction(g, tot) >= o.time_slice_target
            bad |= Fraction(g, tot) < o.time_slice_target
        else:
            good |= o.no_data is NoDataPolicy.GOOD
            bad |= o.no_data is NoDataPolicy.BAD
    return ("bad" if bad else "good" if good else None), events


def count(
    c: CompositeObjective, data: BucketMatrix, start: int, end: int, *, alert: bool
) -> tuple[int, int, int]:
    """(bad, counted, events) of the slices the window counts."""
    size = c.objective.time_slice_window_s
    assert size
    ph = reference.phase(c.objective, end)
    last_end = end - (end - ph) % size
    t = last_end - max(1, (end - start) // size) * size if alert else start + (ph - start) % size
    bad = counted = events = 0
    while t + size <= last_end:
        verdict, e = slice_verdict(c, data, t)
        events += e
        counted += verdict is not None
        bad += verdict == "bad"
        t += size
    return bad, counted, events


@settings(max_examples=40, deadline=None, derandomize=True)
@given(scenarios())
def test_timeslices_composites_match_a_count_of_slices(
    case: tuple[CompositeObjective, BucketMatrix, int],
) -> None:
    c, data, at = case
    o = c.objective
    (got,) = evaluate_composites([c], data, at=from_epoch(at))
    end = at - at % STEP
    start, _, full_start, full_end = reference.bounds(o, end)
    bad, counted, _ = count(c, data, start, end, alert=False)
    if counted == 0:
        assert got.status is Status.NO_DATA
    else:
        assert got.sli == 1 - Fraction(bad, counted)
        size = o.time_slice_window_s
        assert size
        ph = reference.phase(o, end)
        first = full_start + (ph - full_start) % size
        units = sum(
            1
            for t in range(first, full_end - size + 1, size)
            if not (t + size <= end and slice_verdict(c, data, t)[0] is None)
        )
        assert got.budget is not None
        assert got.budget.allowed == (1 - o.target) * units
        assert got.budget.consumed == bad
    windows = [(got.burn, CURRENT_BURN_WINDOW_S)]
    windows += [(r.long, t.long_window_s) for t, r in zip(o.alert_tiers, got.tiers, strict=True)]
    windows += [(r.short, t.short_window_s) for t, r in zip(o.alert_tiers, got.tiers, strict=True)]
    for burn, length in windows:
        b, n, events = count(c, data, end - length, end, alert=True)
        assert burn.rate == (None if n == 0 else Fraction(b, n) / (1 - o.target))
    b, n, events = count(c, data, end - CURRENT_BURN_WINDOW_S, end, alert=True)
    if n:
        assert got.burn.events == events
