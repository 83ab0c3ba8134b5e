"""A time-slice alert window counts the last ``max(1, w / slice)`` complete slices
(docs/semantics.md), so whether it has data is decided by the events of those slices, not by
the events of the last ``w`` of wall time: a bad hour followed by a few silent minutes is
still a bad last hour for a 5-minute window over 1-hour slices (it used to read as "no events
in the window", so the tier could not fire), in the evaluation and in the alert replay alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import numpy as np

from covenant.core.evaluate import evaluate
from covenant.core.model import AlertTier, BudgetingMethod, Objective, RollingWindow
from covenant.core.replay import window_counts
from covenant.core.series import BucketMatrix

AT = int(datetime(2026, 10, 21, 20, 19, tzinfo=UTC).timestamp())
HOUR = 3600
START = AT - 2 * 86400
BAD_HOUR = AT - 19 * 60 - HOUR  # [19:00, 20:00): every request failed; silent since


def _objective() -> Objective:
    return Objective(
        slo="quiet",
        name="",
        series="s",
        target=Fraction(9, 10),
        window=RollingWindow(seconds=86400),
        method=BudgetingMethod.TIMESLICES,
        time_slice_target=Fraction(99, 100),
        time_slice_window_s=HOUR,
        alert_tiers=(
            AlertTier(
                name="page",
                severity="page",
                long_window_s=6 * HOUR,
                short_window_s=300,
                burn_rate=Fraction(5),
            ),
        ),
    )


def _data() -> BucketMatrix:
    n = (AT - START) // 60
    total = np.zeros((1, n), dtype=np.int64)
    first = (BAD_HOUR - START) // 60
    total[0, first + 7] = 4  # 19:07 and 19:40: ten requests, none good
    total[0, first + 40] = 6
    return BucketMatrix(keys=("s",), start=START, step=60, good=np.zeros_like(total), total=total)


def test_a_short_window_over_longer_slices_sees_the_last_complete_slice() -> None:
    (result,) = evaluate([_objective()], _data(), at=datetime.fromtimestamp(AT, UTC))
    (tier,) = result.tiers
    # the last complete slice, [19:00, 20:00), is bad: a burn of 1 / (1 − 0.9)
    assert (tier.short.no_data, tier.short.rate, tier.short.events) == (None, Fraction(10), 10)
    assert (tier.long.no_data, tier.long.rate, tier.long.events) == (None, Fraction(10), 10)
    assert tier.firing


def test_the_alert_replay_counts_the_same_slices() -> None:
    counts = window_counts(_objective(), _data(), ends=np.array([AT]), window_s=300)
    assert counts.has_rate.tolist() == [True]
    assert counts.rate(0, Fraction(9, 10)) == Fraction(10)
    assert counts.events.tolist() == [10]
