"""An instant after now: the windows are counted up to now; a minute that has not happened is
neither good, bad nor "no data", whatever the no-data policy (docs/semantics.md).

The layout, and every count below, is derived by hand: a 1-day rolling window of 1-minute
slices ending at AT = 2026-01-05 00:00Z, now = AT - 6 h. So the window [AT - 1 d, AT) holds
1 440 slices, of which the 18 h before now are 1 080 and the 6 h after now 360. Before now every
minute has 10 good events except 10 silent minutes and 10 minutes whose 10 events are all bad.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import numpy as np
import pytest

from covenant.core.composite import Component, CompositeObjective, evaluate_composites
from covenant.core.corrections import CorrectionWindow, evaluate_corrected
from covenant.core.elapsed import not_yet_note
from covenant.core.evaluate import evaluate, required_edges
from covenant.core.model import BudgetingMethod, NoDataPolicy, Objective, RollingWindow
from covenant.core.results import Status
from covenant.core.series import BucketMatrix, EdgeCounts
from covenant.core.timeutil import to_epoch

STEP = 60
DAY = 86400
AT = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
NOW = AT - timedelta(hours=6)
START = to_epoch(AT) - 3 * DAY
N = 3 * DAY // STEP
NOW_COL = (to_epoch(NOW) - START) // STEP  # first minute after now
WINDOW_COL = (to_epoch(AT) - DAY - START) // STEP  # first minute of the 1-day window
SILENT = range(WINDOW_COL + 100, WINDOW_COL + 110)  # 10 silent minutes, before now
BAD = range(WINDOW_COL + 200, WINDOW_COL + 210)  # 10 minutes of 10 bad events, before now


def slices(policy: NoDataPolicy, method: BudgetingMethod = BudgetingMethod.TIMESLICES) -> Objective:
    return Objective(
        slo="payments",
        name="",
        series="api",
        target=Fraction(99, 100),
        window=RollingWindow(seconds=DAY),
        method=method,
        time_slice_target=Fraction(9, 10),
        time_slice_window_s=STEP,
        no_data=policy,
    )


def occurrences() -> Objective:
    return Objective(
        slo="payments",
        name="",
        series="api",
        target=Fraction(99, 100),
        window=RollingWindow(seconds=DAY),
        method=BudgetingMethod.OCCURRENCES,
    )


def matrix(*, future_events: int = 0) -> BucketMatrix:
    total = np.full(N, 10, dtype=np.int64)
    total[NOW_COL:] = 0  # nothing measured after now ...
    total[NOW_COL + 10] = future_events  # ... unless an event was dated ahead
    good = total.copy()
    total[list(SILENT)] = 0
    good[list(SILENT)] = 0
    good[list(BAD)] = 0
    return BucketMatrix(keys=("api",), start=START, step=STEP, good=good[None], total=total[None])


# (counted slices, bad slices, slices the policy counted, allowed budget) up to now, by hand:
# 1 080 elapsed slices; the budget is 1 % of the period's 1 440 slices less those skipped.
UP_TO_NOW = {
    NoDataPolicy.GOOD: (1080, 10, 10, Fraction(1440, 100)),
    NoDataPolicy.BAD: (1080, 20, 10, Fraction(1440, 100)),
    NoDataPolicy.SKIP: (1070, 10, 0, Fraction(1430, 100)),
}


@pytest.mark.parametrize("policy", list(NoDataPolicy))
def test_slices_after_now_are_not_counted_by_any_policy(policy: NoDataPolicy) -> None:
    counted, bad, filled, allowed = UP_TO_NOW[policy]
    (e,) = evaluate([slices(policy)], matrix(), at=AT, now=NOW)
    assert e.at == AT
    assert e.window_start == AT - timedelta(days=1)
    assert e.window_end == NOW  # counting stopped at now
    assert (e.total, e.good) == (counted, counted - bad)
    assert e.policy_filled == filled
    assert e.budget is not None
    assert e.budget.allowed == allowed
    assert e.budget.consumed == bad
    assert e.budget.remaining == allowed - bad


def test_without_now_the_hours_after_it_were_counted_by_the_policy() -> None:
    """The defect this fixes: 360 minutes that had not happened counted good (or bad)."""
    (good,) = evaluate([slices(NoDataPolicy.GOOD)], matrix(), at=AT)
    assert (good.total, good.good, good.policy_filled) == (1440, 1430, 370)
    (bad,) = evaluate([slices(NoDataPolicy.BAD)], matrix(), at=AT)
    assert bad.budget is not None
    assert bad.budget.consumed == 10 + 10 + 360


def test_the_bad_policy_burns_no_budget_for_minutes_after_now() -> None:
    (e,) = evaluate([slices(NoDataPolicy.BAD)], matrix(), at=AT, now=NOW)
    # 20 bad of an allowed 14.4: breached by the minutes that happened, not by the 360 to come
    assert e.status is Status.BREACHED
    assert e.budget is not None
    assert e.budget.remaining == Fraction(1440 - 2000, 100)


@pytest.mark.parametrize("policy", list(NoDataPolicy))
def test_a_burn_window_wholly_after_now_has_no_value(policy: NoDataPolicy) -> None:
    (e,) = evaluate([slices(policy)], matrix(), at=AT, now=NOW)
    assert e.burn is not None
    assert e.burn.rate is None
    assert e.burn.counted == 0
    assert e.burn.no_data == (
        "the window starts at 2026-01-04 23:00Z, after now (2026-01-04 18:00Z): none of it has "
        "happened yet"
    )
    if e.status is not Status.BREACHED:  # no current rate: no time to exhaustion
        assert e.time_to_exhaustion is None
        assert e.exhaustion_note is not None
        assert "none of it has happened" in e.exhaustion_note


def test_a_window_that_starts_after_now_is_no_data() -> None:
    later = AT + timedelta(days=2)  # its 1-day window starts a day and 6 h after now
    for policy in NoDataPolicy:
        (e,) = evaluate([slices(policy)], matrix(), at=later, now=NOW)
        assert e.status is Status.NO_DATA, policy
        assert e.no_data is not None
        assert "none of it has happened yet" in e.no_data
        assert (e.total, e.good, e.policy_filled) == (0, 0, 0)


def test_occurrences_count_the_events_up_to_now_only() -> None:
    """An event dated after now (stored ahead of the clock) is not counted yet."""
    data = matrix(future_events=5)
    (e,) = evaluate([occurrences()], data, at=AT, now=NOW)
    # 1 080 minutes before now: 1 060 of 10 events, 10 silent, 10 of 10 bad events
    assert (e.total, e.good) == (10_600 + 100, 10_600)
    (ahead,) = evaluate([occurrences()], data, at=AT)
    assert ahead.total == 10_700 + 5  # without now: the future-dated 5 are counted
    needed = required_edges([occurrences()], at=AT, step=STEP, now=NOW)
    edges = EdgeCounts.from_matrix(data, np.array(needed, dtype=np.int64))
    (from_edges,) = evaluate([occurrences()], edges, at=AT, now=NOW)
    assert (from_edges.total, from_edges.good) == (e.total, e.good)


@pytest.mark.parametrize("policy", list(NoDataPolicy))
def test_an_instant_before_now_is_unchanged(policy: NoDataPolicy) -> None:
    past = NOW - timedelta(hours=1)
    (plain,) = evaluate([slices(policy)], matrix(), at=past)
    (with_now,) = evaluate([slices(policy)], matrix(), at=past, now=NOW)
    assert with_now == plain
    assert not_yet_note(past, past) is None


def test_corrected_and_composite_evaluations_stop_at_now_too() -> None:
    o = slices(NoDataPolicy.GOOD)
    window = CorrectionWindow(
        name="deploy",
        start=AT - timedelta(days=1) + timedelta(minutes=200),  # the 10 bad minutes
        end=AT - timedelta(days=1) + timedelta(minutes=210),
        reason="bad deploy",
        author="sre",
        revision="r1",
    )
    (fixed,) = evaluate_corrected([o], matrix(), [window], at=AT, now=NOW)
    assert fixed.evaluation is not None
    # the 10 corrected minutes are skipped: 1 070 counted, none bad, the 10 silent good
    assert fixed.evaluation.window_end == NOW
    assert (fixed.evaluation.total, fixed.evaluation.good) == (1070, 1070)
    assert fixed.evaluation.policy_filled == 10
    composite = CompositeObjective(
        objective=o, components=(Component(objective=o, weight=Fraction(1)),)
    )
    (c,) = evaluate_composites([composite], matrix(), at=AT, now=NOW)
    assert c.window_end == NOW
    assert (c.total, c.good, c.policy_filled) == (1080, 1070, 10)
    assert c.burn is not None
    assert c.burn.no_data is not None
    assert c.burn.no_data.endswith("none of it has happened yet")  # not "no complete slice"


def test_the_note_names_the_instant_and_now() -> None:
    assert not_yet_note(AT, NOW) == (
        "2026-01-05 00:00Z is after now: the windows are counted up to 2026-01-04 18:00Z only; "
        "the minutes after it have not happened yet and count neither good, bad nor no data, "
        "whatever the noDataPolicy (a window that starts after now has no value)"
    )
