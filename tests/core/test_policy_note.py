"""A good/bad no-data policy that counts silent slices says so (``Evaluation.policy_note``).

Every count here is derived from the window and the slice length (a 1-day window of 1-minute
slices holds 86 400 / 60 = 1 440 slices), never read back from the engine.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import numpy as np
import pytest

from covenant.core.composite import Component, CompositeObjective, evaluate_composites
from covenant.core.corrections import CorrectionWindow, evaluate_corrected
from covenant.core.evaluate import evaluate
from covenant.core.model import BudgetingMethod, NoDataPolicy, Objective, RollingWindow
from covenant.core.results import Status
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import to_epoch

STEP = 60
SLICE = 60
DAY = 86400
AT = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
START = to_epoch(AT) - 3 * DAY  # the 3-day alert tier reads this far back
N = 3 * DAY // STEP
WINDOW_FIRST = N - DAY // STEP  # the bucket where the 1-day window starts
SLICES = DAY // SLICE  # 1 440


def slices(policy: NoDataPolicy, method: BudgetingMethod = BudgetingMethod.TIMESLICES) -> Objective:
    return Objective(
        slo="payments",
        name="",
        series="api",
        target=Fraction(99, 100),
        window=RollingWindow(seconds=DAY),
        method=method,
        time_slice_target=Fraction(9, 10),
        time_slice_window_s=SLICE,
        no_data=policy,
    )


def data(*totals: np.ndarray, keys: tuple[str, ...] = ("api",)) -> BucketMatrix:
    """One series per key with these totals per minute, every event good."""
    counts = np.stack(totals).astype(np.int64)
    return BucketMatrix(keys=keys, start=START, step=STEP, good=counts, total=counts.copy())


def busy() -> np.ndarray:
    return np.full(N, 10, dtype=np.int64)


@pytest.mark.parametrize("policy", [NoDataPolicy.GOOD, NoDataPolicy.BAD])
def test_a_window_without_events_says_every_slice_came_from_the_policy(
    policy: NoDataPolicy,
) -> None:
    (e,) = evaluate([slices(policy)], data(np.zeros(N, dtype=np.int64)), at=AT)
    assert e.no_data is None  # the figures stand: the user chose the policy
    assert e.total == SLICES
    word = policy.value
    assert e.policy_note == (
        f"no events in the window: all 1,440 slices counted {word} by noDataPolicy: {word}"
    )
    assert f"{SLICES:,}" == "1,440"
    assert e.status is (Status.OK if policy is NoDataPolicy.GOOD else Status.BREACHED)


def test_skip_policy_has_no_note_it_is_no_data_already() -> None:
    (e,) = evaluate([slices(NoDataPolicy.SKIP)], data(np.zeros(N, dtype=np.int64)), at=AT)
    assert e.status is Status.NO_DATA
    assert e.policy_note is None


@pytest.mark.parametrize("policy", list(NoDataPolicy))
def test_events_in_every_slice_have_no_note(policy: NoDataPolicy) -> None:
    (e,) = evaluate([slices(policy)], data(busy()), at=AT)
    assert e.total == SLICES
    assert e.policy_note is None


@pytest.mark.parametrize("method", [BudgetingMethod.TIMESLICES, BudgetingMethod.RATIO_TIMESLICES])
@pytest.mark.parametrize("policy", [NoDataPolicy.GOOD, NoDataPolicy.BAD])
def test_some_silent_slices_are_counted_and_said(
    policy: NoDataPolicy, method: BudgetingMethod
) -> None:
    total = busy()
    silent = 100  # minutes 0–99 of the window: 100 one-minute slices
    total[WINDOW_FIRST : WINDOW_FIRST + silent] = 0
    total[WINDOW_FIRST - 30 : WINDOW_FIRST] = 0  # before the window: not counted
    (e,) = evaluate([slices(policy, method)], data(total), at=AT)
    word = policy.value
    assert e.policy_note == (
        f"100 of 1,440 slices had no events and were counted {word} by noDataPolicy: {word}"
    )


def test_occurrences_have_no_note() -> None:
    o = Objective(
        slo="payments",
        name="",
        series="api",
        target=Fraction(99, 100),
        window=RollingWindow(seconds=DAY),
        no_data=NoDataPolicy.GOOD,
    )
    total = busy()
    total[WINDOW_FIRST : WINDOW_FIRST + 100] = 0
    (e,) = evaluate([o], data(total), at=AT)
    assert e.policy_note is None


def test_corrected_figures_count_only_the_slices_left() -> None:
    """A 60-minute correction skips 60 slices: the policy counted the other 1 380."""
    fix = CorrectionWindow(name="maint", start=AT - timedelta(hours=5), end=AT - timedelta(hours=4))
    (silent,) = evaluate_corrected(
        [slices(NoDataPolicy.GOOD)], data(np.zeros(N, dtype=np.int64)), [fix], at=AT
    )
    assert silent.evaluation is not None
    assert silent.evaluation.total == SLICES - 60
    assert silent.evaluation.policy_note == (
        "no events in the window: all 1,380 slices counted good by noDataPolicy: good"
    )
    # 100 silent minutes at the window's start, the correction over 30 of them
    total = busy()
    total[WINDOW_FIRST : WINDOW_FIRST + 100] = 0
    first = AT - timedelta(days=1) + timedelta(minutes=70)
    over = CorrectionWindow(name="deploy", start=first, end=first + timedelta(minutes=60))
    (partial,) = evaluate_corrected([slices(NoDataPolicy.BAD)], data(total), [over], at=AT)
    assert partial.evaluation is not None
    assert partial.evaluation.total == SLICES - 60
    assert partial.evaluation.policy_note == (
        "70 of 1,380 slices had no events and were counted bad by noDataPolicy: bad"
    )


def pair(b_policy: NoDataPolicy) -> CompositeObjective:
    """A Timeslices composite of a (series "a", policy good) and b (series "b", ``b_policy``)."""
    a = replace(slices(NoDataPolicy.GOOD), name="a", series="a")
    b = replace(slices(b_policy), name="b", series="b")
    return CompositeObjective(
        objective=replace(slices(NoDataPolicy.SKIP), series="c"),
        components=(Component(objective=a), Component(objective=b)),
    )


@pytest.mark.parametrize(
    ("b_policy", "word", "filled"),
    [(NoDataPolicy.GOOD, "good", 10), (NoDataPolicy.BAD, "bad", 25)],
)
def test_a_composite_says_which_slices_its_components_policies_decided(
    b_policy: NoDataPolicy, word: str, filled: int
) -> None:
    """Slices where every component is silent are counted only by the components' policies
    (10). Where a measured good and b silent (15 more), b's policy decides the slice only when
    it counts silence bad: under good the slice is good as a measured it."""
    a_total, b_total = busy(), busy()
    a_total[WINDOW_FIRST : WINDOW_FIRST + 10] = 0  # both silent: 10 slices
    b_total[WINDOW_FIRST : WINDOW_FIRST + 25] = 0  # b alone silent for 15 more
    both = data(a_total, b_total, keys=("a", "b"))
    (e,) = evaluate_composites([pair(b_policy)], both, at=AT)
    assert e.total == SLICES
    assert e.policy_note == (
        f"{filled} of 1,440 slices had a component without events and were counted {word} "
        "by its components' noDataPolicy"
    )


def test_a_composite_slice_a_component_measured_bad_is_not_the_policys() -> None:
    """b is silent (policy bad) for 25 slices; a has events in all of them and measured 5 of
    them bad. Those 5 are bad whatever b's policy says: 20 slices are the policy's."""
    a_total, b_total = busy(), busy()
    b_total[WINDOW_FIRST : WINDOW_FIRST + 25] = 0
    counts = np.stack([a_total, b_total]).astype(np.int64)
    good = counts.copy()
    good[0, WINDOW_FIRST + 3 : WINDOW_FIRST + 8] = 0  # a: 0 of 10 good, under its 9/10
    both = BucketMatrix(keys=("a", "b"), start=START, step=STEP, good=good, total=counts)
    (e,) = evaluate_composites([pair(NoDataPolicy.BAD)], both, at=AT)
    assert (e.total, e.good) == (SLICES, SLICES - 25)
    assert e.policy_filled == 20
    assert e.policy_note == (
        "20 of 1,440 slices had a component without events and were counted bad "
        "by its components' noDataPolicy"
    )
