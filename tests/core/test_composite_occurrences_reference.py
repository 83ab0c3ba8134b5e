"""Weighted Occurrences composites, raw and corrected, against a brute-force count.

docs/semantics.md ("Composite SLOs"): weights are exact rationals scaled to the smallest
integers with the same ratios (``0.5, 1 → 1, 2``); per bucket good = Σ Wᵢ·goodᵢ and total =
Σ Wᵢ·totalᵢ; counts, budget and ``minimumEvents`` are in weighted events; everything else is
a plain objective's. docs/corrections.md: a correction naming the composite's SLO removes the
buckets of every component.

The reference reduces the weights itself (the least common multiple of the denominators, then
the greatest common divisor), sums the weighted counts bucket by bucket with Python integers,
and counts the figures with ``tests/core/correction_reference.py``. Hypothesis draws one to
four components with weights like 1/3, 1/2, 3/2, 7/3, 1000 (or all 1), traffic per component
(busy, sparse, none, starting late), a rolling window or a calendar month in an odd zone
around its DST change, minimum events, and up to three corrections.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from math import gcd, lcm

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covenant.core.composite import (
    Component,
    CompositeObjective,
    evaluate_composites,
    evaluate_composites_corrected,
)
from covenant.core.evaluate import required_range
from covenant.core.model import BudgetingMethod, CalendarUnit, CalendarWindow, NoDataPolicy
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch
from tests.core import correction_reference as ref
from tests.core.test_correction_reference import STEP, ZONES, check, corrections, month_start
from tests.strategies import objectives

WEIGHTS = [
    Fraction(1),
    Fraction(1, 3),
    Fraction(1, 2),
    Fraction(3, 2),
    Fraction(7, 3),
    Fraction(1000),
]

Case = tuple[CompositeObjective, BucketMatrix, int, list]  # type: ignore[type-arg]


def reduced(weights: list[Fraction]) -> list[int]:
    scale = 1
    for w in weights:
        scale = lcm(scale, w.denominator)
    ints = [int(w * scale) for w in weights]
    common = 0
    for i in ints:
        common = gcd(common, i)
    return [i // common for i in ints]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    zone = draw(st.sampled_from(sorted(ZONES)))
    o = draw(objectives(step=STEP))
    window = (
        CalendarWindow(unit=CalendarUnit.MONTH, zone=zone)
        if isinstance(o.window, CalendarWindow)
        else o.window
    )
    o = replace(
        o,
        window=window,
        method=BudgetingMethod.OCCURRENCES,
        time_slice_target=None,
        time_slice_window_s=None,
        minimum_events=draw(st.sampled_from([0, 1, 50, 500])),
    )
    same = draw(st.booleans())
    components = tuple(
        Component(
            objective=replace(o, name=f"c{i}", series=f"s{i}"),
            weight=Fraction(1) if same else draw(st.sampled_from(WEIGHTS)),
        )
        for i in range(draw(st.integers(1, 4)))
    )
    composite = CompositeObjective(objective=o, components=components)
    change = int(ZONES[zone].timestamp())
    anchor = draw(st.sampled_from([change, month_start(zone, ZONES[zone])]))
    at = anchor + draw(st.integers(-60, 360)) * STEP + draw(st.integers(0, STEP - 1))
    start, end = required_range([o], at=from_epoch(at), step=STEP)
    n = (end - start) // STEP
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    goods, totals = [], []
    for _ in components:
        total = rng.poisson(draw(st.sampled_from([0.0, 0.3, 40.0])), size=n).astype(np.int64)
        total[: draw(st.integers(0, n // 2)) if n else 0] = 0
        error = draw(st.sampled_from([0.0, 0.001, 0.05, 1.0]))
        goods.append(total - rng.binomial(total, error).astype(np.int64))
        totals.append(total)
    data = BucketMatrix(
        keys=tuple(c.objective.series for c in components),
        start=start,
        step=STEP,
        good=np.stack(goods),
        total=np.stack(totals),
    )
    return composite, data, at, draw(corrections(start, at - at % STEP))


@settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(cases())
def test_weighted_composites_equal_a_count_of_weighted_events(case: Case) -> None:
    composite, data, at, windows = case
    o = composite.objective
    weights = reduced([c.weight for c in composite.components])
    n = data.total.shape[1]
    good = [sum(w * int(data.good[r, i]) for r, w in enumerate(weights)) for i in range(n)]
    total = [sum(w * int(data.total[r, i]) for r, w in enumerate(weights)) for i in range(n)]
    (raw,) = evaluate_composites([composite], data, at=from_epoch(at))
    unchanged = ref.figures(o, ref.Data(good, total, data.start, STEP, []), at)
    check(raw, unchanged, o)
    spans = [
        (int(w.start.timestamp()), int(w.end.timestamp()))
        for w in windows
        if not w.slos or o.slo in w.slos
    ]
    (fixed,) = evaluate_composites_corrected([composite], data, windows, at=from_epoch(at))
    want = ref.figures(o, ref.Data(good, total, data.start, STEP, spans), at)
    if fixed.evaluation is None:
        assert want == unchanged
    else:
        check(fixed.evaluation, want, o)


def test_the_weights_reduce_to_the_smallest_integers() -> None:
    assert reduced([Fraction(1, 2), Fraction(1)]) == [1, 2]
    assert reduced([Fraction(1, 3), Fraction(7, 3), Fraction(1000)]) == [1, 7, 3000]
    assert reduced([Fraction(2), Fraction(4)]) == [1, 2]


@st.composite
def slice_cases(draw: st.DrawFn) -> Case:
    """Timeslices composites: every component on the composite's slice length, with its own
    slice target and no-data policy."""
    zone = draw(st.sampled_from(sorted(ZONES)))
    o = draw(objectives(step=STEP))
    window = (
        CalendarWindow(unit=CalendarUnit.MONTH, zone=zone)
        if isinstance(o.window, CalendarWindow)
        else o.window
    )
    o = replace(
        o,
        window=window,
        method=BudgetingMethod.TIMESLICES,
        time_slice_target=Fraction(1),
        time_slice_window_s=o.time_slice_window_s or draw(st.sampled_from([60, 300, 3600])),
        minimum_events=draw(st.sampled_from([0, 50])),
    )
    components = tuple(
        Component(
            objective=replace(
                o,
                name=f"c{i}",
                series=f"s{i}",
                time_slice_target=draw(
                    st.sampled_from([Fraction(1, 2), Fraction(9, 10), Fraction(1)])
                ),
                no_data=draw(st.sampled_from(list(NoDataPolicy))),
            ),
            weight=draw(st.sampled_from(WEIGHTS)),
        )
        for i in range(draw(st.integers(1, 3)))
    )
    composite = CompositeObjective(objective=o, components=components)
    change = int(ZONES[zone].timestamp())
    anchor = draw(st.sampled_from([change, month_start(zone, ZONES[zone])]))
    at = anchor + draw(st.integers(-60, 360)) * STEP + draw(st.integers(0, STEP - 1))
    start, end = required_range([o], at=from_epoch(at), step=STEP)
    n = (end - start) // STEP
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    goods, totals = [], []
    for _ in components:
        total = rng.poisson(draw(st.sampled_from([0.0, 0.3, 5.0])), size=n).astype(np.int64)
        total[: draw(st.integers(0, n // 2)) if n else 0] = 0
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
    return composite, data, at, draw(corrections(start, at - at % STEP))


def any_bad(composite: CompositeObjective, data: BucketMatrix):  # type: ignore[no-untyped-def]
    """A slice's verdict, component by component: bad when any is bad, good when none is and
    one is good, not counted when every one is ignored (its own no-data policy)."""
    goods = data.good.tolist()
    totals = data.total.tolist()

    def verdict(t: int, size: int) -> tuple[Fraction | None, int]:
        bad = good = False
        events = 0
        for row, c in enumerate(composite.components):
            g = n = 0
            b = t + (data.start - t) % STEP  # each bucket wholly inside the slice, in turn
            while b + STEP <= t + size:
                i = (b - data.start) // STEP
                if 0 <= i < len(goods[row]):
                    g += goods[row][i]
                    n += totals[row][i]
                b += STEP
            events += n
            target = c.objective.time_slice_target
            assert target is not None
            if n:
                good |= Fraction(g, n) >= target
                bad |= Fraction(g, n) < target
            else:
                good |= c.objective.no_data is NoDataPolicy.GOOD
                bad |= c.objective.no_data is NoDataPolicy.BAD
        if bad:
            return Fraction(1), events
        return (Fraction(0) if good else None), events

    return verdict


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(slice_cases())
def test_timeslices_composites_with_corrections_equal_a_count_of_slices(case: Case) -> None:
    composite, data, at, windows = case
    o = composite.objective
    n = data.total.shape[1]
    good = [int(data.good[:, i].sum()) for i in range(n)]
    total = [int(data.total[:, i].sum()) for i in range(n)]
    verdict = any_bad(composite, data)
    (raw,) = evaluate_composites([composite], data, at=from_epoch(at))
    unchanged = ref.figures(o, ref.Data(good, total, data.start, STEP, [], composite=verdict), at)
    check(raw, unchanged, o, policy=False)
    spans = [
        (int(w.start.timestamp()), int(w.end.timestamp()))
        for w in windows
        if not w.slos or o.slo in w.slos
    ]
    (fixed,) = evaluate_composites_corrected([composite], data, windows, at=from_epoch(at))
    want = ref.figures(o, ref.Data(good, total, data.start, STEP, spans, composite=verdict), at)
    if fixed.evaluation is None:
        assert want == unchanged
    else:
        check(fixed.evaluation, want, o, policy=False)
