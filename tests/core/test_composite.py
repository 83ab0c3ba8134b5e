"""Composite SLOs: weighted occurrences and any-bad time slices, checked against hand sums."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import numpy as np
import pytest

from covenant.core.composite import (
    Component,
    CompositeObjective,
    evaluate_composites,
    evaluate_composites_corrected,
    integer_weights,
)
from covenant.core.corrections import CorrectionWindow
from covenant.core.model import BudgetingMethod, NoDataPolicy, Objective, RollingWindow
from covenant.core.results import Status
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import to_epoch
from covenant.errors import InputError

STEP = 60
AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
START = to_epoch(AT) - 3 * 86400  # the 3-day alert tier reads this far back
N = 3 * 86400 // STEP
HOUR = 3600


def objective(name: str, series: str, **kw: object) -> Objective:
    base: dict[str, object] = {
        "slo": "checkout",
        "name": name,
        "series": series,
        "target": Fraction(99, 100),
        "window": RollingWindow(seconds=HOUR),
    }
    base.update(kw)
    return Objective(**base)  # type: ignore[arg-type]


def matrix(**rows: tuple[np.ndarray, np.ndarray]) -> BucketMatrix:
    keys = tuple(rows)
    return BucketMatrix(
        keys=keys,
        start=START,
        step=STEP,
        good=np.stack([rows[k][0] for k in keys]).astype(np.int64),
        total=np.stack([rows[k][1] for k in keys]).astype(np.int64),
    )


def constant(good: int, total: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full(N, good, dtype=np.int64), np.full(N, total, dtype=np.int64)


def test_weights_become_the_smallest_integers_with_the_same_ratios() -> None:
    assert integer_weights([Fraction(1), Fraction(1)]) == (1, 1)
    assert integer_weights([Fraction(1, 2), Fraction(1)]) == (1, 2)
    assert integer_weights([Fraction(3), Fraction(6), Fraction(9, 2)]) == (2, 4, 3)
    assert integer_weights([Fraction(7, 10)]) == (1,)


def test_weighted_occurrences_by_hand() -> None:
    """Per minute: payments 90 good of 100 (weight 2), search 50 of 100 (weight 1).
    Over the last hour: good = 2·5,400 + 3,000 = 13,800; total = 2·6,000 + 6,000 = 18,000;
    SLI = 13,800 / 18,000 = 23/30. Budget at 99 %: allowed 180, consumed 4,200."""
    payments = objective("payments", "pay")
    search = objective("search", "search")
    composite = CompositeObjective(
        objective=objective("", "checkout:composite"),
        components=(
            Component(objective=payments, weight=Fraction(2)),
            Component(objective=search, weight=Fraction(1)),
        ),
    )
    data = matrix(pay=constant(90, 100), search=constant(50, 100))
    (e,) = evaluate_composites([composite], data, at=AT)
    assert (e.good, e.total) == (13_800, 18_000)
    assert e.sli == Fraction(23, 30)
    assert e.budget is not None
    assert e.budget.allowed == 180
    assert e.budget.consumed == 4200
    assert e.status is Status.BREACHED
    assert e.objective == composite.objective
    # the 1-hour burn: error ratio 7/30 over a 1 % budget
    assert e.burn is not None
    assert e.burn.rate == Fraction(7, 30) / Fraction(1, 100)
    # weights 1 and ½ give the same ratios as 2 and 1
    halved = CompositeObjective(
        objective=composite.objective,
        components=(
            Component(objective=payments, weight=Fraction(1)),
            Component(objective=search, weight=Fraction(1, 2)),
        ),
    )
    (same,) = evaluate_composites([halved], data, at=AT)
    assert same.sli == e.sli


def slices_objective(name: str, series: str, policy: NoDataPolicy) -> Objective:
    return objective(
        name,
        series,
        method=BudgetingMethod.TIMESLICES,
        time_slice_target=Fraction(9, 10),
        time_slice_window_s=300,
        no_data=policy,
        target=Fraction(3, 4),
    )


@pytest.mark.parametrize(
    ("policy", "good_slices", "counted"),
    [
        # 12 slices in the hour. api: slice 0 bad, others good. db: silent in slices 0–5,
        # bad in slice 6, good in 7–11.
        (NoDataPolicy.GOOD, 10, 12),  # silent db is good: bad = {0 (api), 6 (db)}
        (NoDataPolicy.BAD, 5, 12),  # silent db is bad: bad = {0..6}
        (NoDataPolicy.SKIP, 10, 12),  # silent db ignored: api decides slices 0–5
    ],
)
def test_timeslices_any_bad_with_a_component_without_data(
    policy: NoDataPolicy, good_slices: int, counted: int
) -> None:
    hour = N - 60
    api_good, api_total = constant(10, 10)
    api_good[hour : hour + 5] = 5  # slice 0 of the hour: 50 % < 90 %
    db_good, db_total = constant(10, 10)
    db_good[hour:], db_total[hour:] = 10, 10
    db_good[hour : hour + 30], db_total[hour : hour + 30] = 0, 0  # silent slices 0–5
    db_good[hour + 30 : hour + 35] = 0  # slice 6 bad
    api = slices_objective("api", "api", NoDataPolicy.SKIP)
    db = slices_objective("db", "db", policy)
    composite = CompositeObjective(
        objective=slices_objective("", "checkout:composite", NoDataPolicy.SKIP),
        components=(Component(objective=api), Component(objective=db, weight=Fraction(5))),
    )
    data = matrix(api=(api_good, api_total), db=(db_good, db_total))
    (e,) = evaluate_composites([composite], data, at=AT)
    assert e.unit == "slices"
    assert (e.good, e.total) == (good_slices, counted)
    assert e.sli == Fraction(good_slices, counted)
    # burn windows count the components' real events
    assert e.burn is not None
    assert e.burn.events == 600 + 300


def test_timeslices_composite_skips_a_slice_when_every_component_is_silent() -> None:
    hour = N - 60
    a_good, a_total = constant(10, 10)
    b_good, b_total = constant(10, 10)
    for row in (a_good, a_total, b_good, b_total):
        row[hour : hour + 10] = 0  # slices 0 and 1 silent for both
    a = slices_objective("a", "a", NoDataPolicy.SKIP)
    b = slices_objective("b", "b", NoDataPolicy.SKIP)
    composite = CompositeObjective(
        objective=slices_objective("", "c", NoDataPolicy.SKIP),
        components=(Component(objective=a), Component(objective=b)),
    )
    (e,) = evaluate_composites([composite], matrix(a=(a_good, a_total), b=(b_good, b_total)), at=AT)
    assert (e.good, e.total) == (10, 10)
    assert e.budget is not None
    assert e.budget.allowed == Fraction(1, 4) * 10  # 12 slices, 2 skipped


def test_a_correction_on_the_composite_removes_every_component_outage() -> None:
    """Both components fail for the same 10 minutes; a correction over them restores 100 %."""
    hour = N - 60
    a_good, a_total = constant(100, 100)
    b_good, b_total = constant(100, 100)
    a_good[hour + 20 : hour + 30] = 0
    b_good[hour + 20 : hour + 30] = 50
    composite = CompositeObjective(
        objective=objective("", "c"),
        components=(
            Component(objective=objective("a", "a")),
            Component(objective=objective("b", "b")),
        ),
    )
    data = matrix(a=(a_good, a_total), b=(b_good, b_total))
    (raw,) = evaluate_composites([composite], data, at=AT)
    assert raw.total - raw.good == 1000 + 500
    outage = AT - timedelta(minutes=40)
    fix = CorrectionWindow(
        name="incident-42", start=outage, end=outage + timedelta(minutes=10), author="ops"
    )
    other = CorrectionWindow(
        name="elsewhere", start=outage, end=AT, slos=frozenset({"another-slo"})
    )
    (corrected,) = evaluate_composites_corrected([composite], data, [fix, other], at=AT)
    assert corrected.windows == (fix,)
    assert corrected.evaluation is not None
    assert corrected.evaluation.sli == 1
    assert corrected.evaluation.total == 2 * 100 * 50


def test_a_composite_refuses_what_it_cannot_mean() -> None:
    plain = objective("a", "a")
    with pytest.raises(InputError, match="at least one component"):
        CompositeObjective(objective=plain, components=())
    with pytest.raises(InputError, match="positive"):
        Component(objective=plain, weight=Fraction(0))
    ratio = objective("", "c", method=BudgetingMethod.RATIO_TIMESLICES, time_slice_window_s=300)
    with pytest.raises(InputError, match="not supported"):
        CompositeObjective(objective=ratio, components=(Component(objective=plain),))
    sliced = slices_objective("", "c", NoDataPolicy.SKIP)
    with pytest.raises(InputError, match="same"):
        CompositeObjective(objective=sliced, components=(Component(objective=plain),))
