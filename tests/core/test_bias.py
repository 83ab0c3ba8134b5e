"""Exact window sums are not biased where averaging 5-minute ratios is (quiet nights, busy days)."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import numpy as np

from covenant.core.evaluate import evaluate, required_range
from covenant.core.model import DAY, Objective, RollingWindow
from covenant.core.series import BucketMatrix


def test_every_request_weighs_the_same() -> None:
    at = datetime(2026, 10, 8, tzinfo=UTC)
    o = Objective(
        slo="shop",
        name="",
        series="s",
        target=Fraction(99, 100),
        window=RollingWindow(seconds=7 * DAY),
    )
    start, end = required_range([o], at=at, step=60)
    minutes = np.arange((end - start) // 60)
    hour = (minutes // 60) % 24
    night = hour < 6
    # Busy days: 1 000 requests a minute, 1 failure in 10 000. Quiet nights: 1 request every
    # 5 minutes, and a third of them fail (a batch job hitting a cold cache).
    total = np.where(night, (minutes % 5 == 0).astype(np.int64), 1000)
    bad = np.where(
        night,
        ((minutes % 15 == 0) & (minutes % 5 == 0)).astype(np.int64),
        (minutes % 10 == 0).astype(np.int64),
    )
    data = BucketMatrix(
        keys=("s",),
        start=start,
        step=60,
        good=(total - bad)[None, :].astype(np.int64),
        total=total[None, :].astype(np.int64),
    )
    (result,) = evaluate([o], data, at=at)
    in_window = slice(len(minutes) - 7 * 1440, len(minutes))
    exact = Fraction(int((total - bad)[in_window].sum()), int(total[in_window].sum()))
    assert result.sli == exact
    assert exact > Fraction(999, 1000)  # the service met 99.9 % of requests

    five = total[in_window].reshape(-1, 5).sum(axis=1)
    five_bad = bad[in_window].reshape(-1, 5).sum(axis=1)
    averaged = float(np.mean(1 - five_bad[five > 0] / five[five > 0]))
    assert averaged < 0.99  # averaging ratios would call this SLO breached
    error_exact = 1 - float(exact)
    assert (1 - averaged) / error_exact > 10  # the bias is more than tenfold
