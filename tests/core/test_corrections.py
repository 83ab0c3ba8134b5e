"""Corrections in the core: bucket masks, corrected figures known by hand, and no-op equality."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from covenant.core.corrections import (
    CorrectionWindow,
    bucket_mask,
    corrected_row,
    evaluate_corrected,
    evaluate_derived,
)
from covenant.core.evaluate import align_down, evaluate
from covenant.core.model import (
    BudgetingMethod,
    NoDataPolicy,
    Objective,
    RollingWindow,
)
from covenant.core.results import Status
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.errors import InputError, NaiveDatetimeError
from tests.core.test_evaluate_reference import scenarios

STEP = 60
DAY = 86400
AT = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)  # a Monday
OUTAGE = datetime(2026, 1, 4, 2, 0, tzinfo=UTC)  # Sunday 02:00, one hour


def window(start: datetime, minutes: int, **kw: object) -> CorrectionWindow:
    return CorrectionWindow(
        name=str(kw.get("name", "maint")),
        start=start,
        end=start + timedelta(minutes=minutes),
        slos=frozenset(kw.get("slos", ())),  # type: ignore[arg-type]
        author="jane",
        reason="db failover",
    )


def one_day(*, bad_from: datetime, bad_minutes: int, per_minute: int = 100) -> BucketMatrix:
    """A day of ``per_minute`` events a minute before AT; all bad during the outage."""
    start = to_epoch(AT) - 3 * DAY  # covers the 3-day alert tier
    n = 3 * DAY // STEP
    total = np.full((1, n), per_minute, dtype=np.int64)
    good = total.copy()
    first = (to_epoch(bad_from) - start) // STEP
    good[0, first : first + bad_minutes] = 0
    return BucketMatrix(keys=("api",), start=start, step=STEP, good=good, total=total)


def occurrences(**kw: object) -> Objective:
    base: dict[str, object] = {
        "slo": "api-availability",
        "name": "",
        "series": "api",
        "target": Fraction(99, 100),
        "window": RollingWindow(seconds=DAY),
    }
    base.update(kw)
    return Objective(**base)  # type: ignore[arg-type]


def test_a_bucket_is_removed_when_any_part_of_it_is_corrected() -> None:
    start = to_epoch(OUTAGE)
    w = CorrectionWindow(
        name="w", start=OUTAGE + timedelta(seconds=30), end=OUTAGE + timedelta(seconds=150)
    )
    mask = bucket_mask([w], start=start, step=STEP, n=5)
    assert mask.tolist() == [True, True, True, False, False]
    exact = CorrectionWindow(name="x", start=OUTAGE, end=OUTAGE + timedelta(minutes=2))
    assert bucket_mask([exact], start=start, step=STEP, n=4).tolist() == [
        True,
        True,
        False,
        False,
    ]
    # windows outside the range clip; several windows add up
    far = CorrectionWindow(name="y", start=OUTAGE - timedelta(days=1), end=OUTAGE)
    assert not bucket_mask([far], start=start, step=STEP, n=3).any()
    both = bucket_mask([exact, w], start=start, step=STEP, n=5)
    assert both.tolist() == [True, True, True, False, False]


def test_a_window_refuses_naive_times_and_an_end_before_its_start() -> None:
    with pytest.raises(NaiveDatetimeError):
        CorrectionWindow(name="n", start=datetime(2026, 1, 1), end=AT)
    with pytest.raises(InputError, match="ends at or before it starts"):
        CorrectionWindow(name="n", start=AT, end=AT)
    assert CorrectionWindow(name="all", start=OUTAGE, end=AT).applies_to("anything")
    only = CorrectionWindow(name="one", start=OUTAGE, end=AT, slos=frozenset({"a"}))
    assert only.applies_to("a")
    assert not only.applies_to("b")


def test_a_correction_turns_a_breach_into_ok_and_leaves_raw_figures_alone() -> None:
    """99 % over a day of 144,000 events: a 60-minute total outage (6,000 bad) overspends
    the budget of 1,440; corrected, the hour is gone: 138,000 events, none bad."""
    data = one_day(bad_from=OUTAGE, bad_minutes=60)
    slo = occurrences()
    (raw,) = evaluate([slo], data, at=AT)
    assert (raw.good, raw.total) == (138_000, 144_000)
    assert raw.status is Status.BREACHED
    assert raw.budget is not None
    assert raw.budget.allowed == 1440
    (fixed,) = evaluate_corrected([slo], data, [window(OUTAGE, 60)], at=AT)
    assert fixed.evaluation is not None
    assert fixed.windows == (window(OUTAGE, 60),)
    e = fixed.evaluation
    assert (e.good, e.total) == (138_000, 138_000)
    assert e.sli == 1
    assert e.budget is not None
    assert e.budget.allowed == 1380
    assert e.budget.consumed == 0
    assert e.status is Status.OK
    assert e.objective == slo  # reported as the objective, not the derived row


def test_a_partial_correction_removes_only_its_buckets() -> None:
    data = one_day(bad_from=OUTAGE, bad_minutes=60)
    (fixed,) = evaluate_corrected([occurrences()], data, [window(OUTAGE, 30)], at=AT)
    assert fixed.evaluation is not None
    assert (fixed.evaluation.good, fixed.evaluation.total) == (138_000, 141_000)
    assert fixed.evaluation.budget is not None
    assert fixed.evaluation.budget.consumed == 3000


def test_corrections_apply_only_to_the_slos_they_name_and_the_data_read() -> None:
    data = one_day(bad_from=OUTAGE, bad_minutes=60)
    other = window(OUTAGE, 60, slos=("another-slo",))
    old = window(AT - timedelta(days=10), 60)  # before anything the evaluation reads
    results = evaluate_corrected([occurrences()], data, [other, old], at=AT)
    assert results[0].evaluation is None
    assert results[0].windows == ()


def timeslices(no_data: NoDataPolicy, **kw: object) -> Objective:
    return occurrences(
        method=BudgetingMethod.TIMESLICES,
        time_slice_target=Fraction(95, 100),
        time_slice_window_s=300,
        no_data=no_data,
        window=RollingWindow(seconds=3600),
        target=Fraction(9, 10),
        **kw,
    )


@pytest.mark.parametrize("policy", list(NoDataPolicy))
def test_a_slice_overlapping_a_correction_is_skipped_whatever_the_policy(
    policy: NoDataPolicy,
) -> None:
    """An hour of 5-minute slices before AT: 12 slices. Slices 0–1 silent, 2–3 bad, the rest
    good. A correction from minute 9 to minute 21 touches slices 1, 2, 3 and 4 (slice 4 only
    for a minute): they are skipped, silent or not, good or bad."""
    start = to_epoch(AT) - 3 * DAY
    n = 3 * DAY // STEP
    total = np.full((1, n), 10, dtype=np.int64)
    good = total.copy()
    hour = n - 60
    total[0, hour : hour + 10] = 0
    good[0, hour : hour + 10] = 0
    good[0, hour + 10 : hour + 20] = 0
    data = BucketMatrix(keys=("api",), start=start, step=STEP, good=good, total=total)
    slo = timeslices(policy)
    (raw,) = evaluate([slo], data, at=AT)
    silent_bad = 2 if policy is NoDataPolicy.BAD else 0
    counted_raw = 10 if policy is NoDataPolicy.SKIP else 12
    assert (raw.total, raw.total - raw.good) == (counted_raw, 2 + silent_bad)
    hour_start = from_epoch(start + hour * STEP)
    fix = CorrectionWindow(
        name="deploy",
        start=hour_start + timedelta(minutes=9),
        end=hour_start + timedelta(minutes=21),
    )
    (corrected,) = evaluate_corrected([slo], data, [fix], at=AT)
    e = corrected.evaluation
    assert e is not None
    silent_left = 0 if policy is NoDataPolicy.SKIP else 1  # slice 0 is silent, not corrected
    assert e.total == 7 + silent_left
    assert e.total - e.good == (1 if policy is NoDataPolicy.BAD else 0)
    # the time budget of the window shrinks by the skipped slices
    assert e.budget is not None
    assert e.budget.allowed == Fraction(1, 10) * e.total
    # burn windows report the real events of the corrected data (no placeholders)
    assert e.burn is not None
    assert e.burn.events == 10 * (60 - 25)  # minutes 0–4 silent, 5–24 skipped


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(scenarios())
def test_without_removed_buckets_the_derived_row_evaluates_as_the_engine(
    scenario: tuple[list[Objective], BucketMatrix, int],
) -> None:
    """Every method and no-data policy: the derived row (with the good/bad policy folded in)
    gives exactly the engine's result when nothing is removed."""
    objs, data, at = scenario
    instant = from_epoch(at)
    raw = evaluate(objs, data, at=instant)
    end = align_down(at, data.step)
    nothing = np.zeros(data.good.shape[1], dtype=bool)
    items = [
        corrected_row(o, data.good[0], data.total[0], nothing, data=data, end=end) for o in objs
    ]
    derived = evaluate_derived(items, start=data.start, step=data.step, at=instant)
    for plain, got in zip(raw, derived, strict=True):
        assert got == plain
