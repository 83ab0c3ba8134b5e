"""RatioTimeslices figures are exact fractions (docs/semantics.md, "Budgeting methods"): the mean
of the counted slices' ratios, Σ good_i/total_i ÷ slices counted, with no float on the way.

Every expected figure below is worked by hand in the comments.
"""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import numpy as np
import pytest

from covenant.core.evaluate import evaluate, required_range
from covenant.core.model import AlertTier, BudgetingMethod, NoDataPolicy, Objective, RollingWindow
from covenant.core.replay import replay_alerts
from covenant.core.results import Evaluation
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import to_epoch

MIN = 60
AT = datetime(2026, 10, 14, 12, tzinfo=UTC)


def objective(
    target: Fraction, window_s: int, policy: NoDataPolicy = NoDataPolicy.SKIP
) -> Objective:
    return Objective(
        slo="ratio",
        name="",
        series="s",
        target=target,
        window=RollingWindow(seconds=window_s),
        method=BudgetingMethod.RATIO_TIMESLICES,
        time_slice_window_s=MIN,
        no_data=policy,
    )


def run(o: Objective, good: list[int], total: list[int]) -> Evaluation:
    """Evaluate at AT with the given minutes ending at AT; every earlier minute has no events."""
    start, end = required_range([o], at=AT, step=MIN)
    n = (end - start) // MIN
    assert end == to_epoch(AT)
    assert n >= len(total)
    pad = [0] * (n - len(total))
    data = BucketMatrix(
        keys=("s",),
        start=start,
        step=MIN,
        good=np.array([pad + good], dtype=np.int64),
        total=np.array([pad + total], dtype=np.int64),
    )
    (result,) = evaluate([o], data, at=AT)
    return result


def test_three_slices_average_their_ratios_exactly() -> None:
    # Slices 1/3, 1/2 and 5/5 good: mean (1/3 + 1/2 + 1) / 3 = (11/6) / 3 = 11/18.
    # Bad units Σ(1 − ratio) = 2/3 + 1/2 + 0 = 7/6. Target 1/2 over a 3-minute window of
    # 3 slices: allowed 3 × 1/2 = 3/2, remaining 3/2 − 7/6 = 1/3, remaining ratio 2/9.
    # Burn (7/6 ÷ 3) ÷ (1/2) = 7/9, in the 1-hour window too (the other 57 slices are skipped).
    r = run(objective(Fraction(1, 2), 3 * MIN), good=[1, 1, 5], total=[3, 2, 5])
    assert r.sli == Fraction(11, 18)
    assert r.budget is not None
    assert (r.budget.allowed, r.budget.consumed) == (Fraction(3, 2), Fraction(7, 6))
    assert (r.budget.remaining, r.budget.remaining_ratio) == (Fraction(1, 3), Fraction(2, 9))
    assert r.burn.rate == Fraction(7, 9)


def test_ten_tenths_make_one_where_a_float_sum_does_not() -> None:
    # Ten slices with 9 good of 10: each is 1/10 bad, exactly 1 bad unit in all, while the
    # binary sum of ten 0.1 is 0.9999999999999999 (checked here, independently of Covenant).
    assert sum([1 / 10] * 10) != 1
    # 99 %: allowed 10 × 1/100 = 1/10, consumed 1, remaining −9/10 (far from any edge, so no
    # decision asks for an exact re-sum), SLI 1 − 1/10 = 9/10, burn (1/10) ÷ (1/100) = 10.
    r = run(objective(Fraction(99, 100), 10 * MIN), good=[9] * 10, total=[10] * 10)
    assert r.budget is not None
    assert r.budget.consumed == 1
    assert r.budget.remaining == Fraction(-9, 10)
    assert r.sli == Fraction(9, 10)
    assert r.burn.rate == 10
    # Every alert window (the last 60, 5, 360, 30 … slices: ten with events) burns 10 too.
    for tier in r.tiers:
        assert (tier.long.rate, tier.short.rate) == (10, 10)


def test_a_month_of_minutes_with_unrelated_denominators() -> None:
    # 30 days = 43,200 one-minute slices, alternately 2 good of 3 and 6 good of 7: each pair is
    # 1/3 + 1/7 = 10/21 bad, so 21,600 pairs are 216,000/21 = 72,000/7 bad units.
    # SLI 1 − (72,000/7) / 43,200 = 1 − 5/21 = 16/21. At 99.9 % the allowance is
    # 43,200 / 1,000 = 216/5 and what remains 216/5 − 72,000/7 = (1,512 − 360,000)/35.
    # The last hour (30 pairs): 100/7 bad of 60 slices, burn (5/21) ÷ (1/1000) = 5,000/21.
    o = objective(Fraction(999, 1000), 30 * 86400)
    r = run(o, good=[2, 6] * 21600, total=[3, 7] * 21600)
    assert r.sli == Fraction(16, 21)
    assert r.budget is not None
    assert r.budget.consumed == Fraction(72000, 7)
    assert r.budget.remaining == Fraction(1512 - 360000, 35)
    assert r.burn.rate == Fraction(5000, 21)


@pytest.mark.parametrize(
    ("policy", "sli", "consumed", "allowed"),
    [
        # One silent slice among 1/3, 1/2, 5/5 in a 4-minute window at target 1/2.
        # bad: it counts 1 bad: Σ bad 7/6 + 1 = 13/6 of 4, SLI 1 − 13/24 = 11/24; allowed 2.
        (NoDataPolicy.BAD, Fraction(11, 24), Fraction(13, 6), Fraction(2)),
        # good: it counts, good: 7/6 bad of 4, SLI 1 − 7/24 = 17/24; allowed 4 × 1/2 = 2.
        (NoDataPolicy.GOOD, Fraction(17, 24), Fraction(7, 6), Fraction(2)),
        # skip: not counted: 7/6 bad of 3, SLI 11/18; the budget loses it: 3 × 1/2 = 3/2.
        (NoDataPolicy.SKIP, Fraction(11, 18), Fraction(7, 6), Fraction(3, 2)),
    ],
)
def test_silent_slices_count_as_the_policy_says(
    policy: NoDataPolicy, sli: Fraction, consumed: Fraction, allowed: Fraction
) -> None:
    r = run(objective(Fraction(1, 2), 4 * MIN, policy), good=[1, 0, 1, 5], total=[3, 0, 2, 5])
    assert r.sli == sli
    assert r.budget is not None
    assert (r.budget.consumed, r.budget.allowed) == (consumed, allowed)


def test_the_replay_reports_the_budget_spent_exactly() -> None:
    # The ten 1/10-bad slices above at 99 %, replayed at AT with one tier at burn 5 over
    # 10 m / 5 m: both windows burn (1/10) ÷ (1/100) = 10 ≥ 5, so it fires at AT. The SLO window
    # holds 1 bad unit against 10 × 1/100 = 1/10 allowed: 10 times its budget spent.
    o = objective(Fraction(99, 100), 10 * MIN)
    start, end = required_range([o], at=AT, step=MIN)
    n = (end - start) // MIN
    data = BucketMatrix(
        keys=("s",),
        start=start,
        step=MIN,
        good=np.array([[0] * (n - 10) + [9] * 10], dtype=np.int64),
        total=np.array([[0] * (n - 10) + [10] * 10], dtype=np.int64),
    )
    tier = AlertTier(
        name="fast",
        severity="page",
        long_window_s=10 * MIN,
        short_window_s=5 * MIN,
        burn_rate=Fraction(5),
    )
    replay = replay_alerts(o, data, start=AT, end=AT, step_s=MIN, tiers=[tier])
    (episode,) = replay.tiers[0].episodes
    assert episode.budget_consumed_at_start == 10
    assert (episode.max_long_burn, episode.max_short_burn) == (10, 10)
