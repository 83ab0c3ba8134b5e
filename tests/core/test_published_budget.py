"""Error budgets in time against published "nines" tables.

Sources:
- Huawei Cloud, *Cloud Adoption Framework* user manual, "Availability" → "Table 1 SLA levels"
  (support.huaweicloud.com/intl/tr-tr/usermanual-caf/caf_01_0095.html): 99.90 % allows
  10.1 minutes a week, 43.2 minutes a month and 8.76 hours a year — a 7-day week, a 30-day
  month and a 365-day year (10.08 min, 43.2 min, 525.6 min = 8.76 h);
- the SRE Workbook, chapter 5 "Alerting on SLOs", Table 5-4: at 99.9 % over 30 days a 100 %
  error rate (burn rate 1000) exhausts the budget in 43 minutes (43.2).

Covenant's convention (docs/semantics.md, "Error budget"): a rolling window has its written
length (a rolling ``1M`` is 30 days, ``1y`` 365 days: docs/definitions.md); a calendar window
is the real period (28–31-day months, 365- or 366-day years). Tables built on the mean
Gregorian year (365.2425 days: 8 h 45 min 57 s a year, 43 min 49.7 s a month) match no
Covenant window. Each budget below is counted in 1-minute time slices, so ``allowed`` is in
minutes; the expectations are 0.1 % of the window's minutes, by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import numpy as np
import pytest

from covenant.core.evaluate import evaluate, required_range
from covenant.core.model import (
    DAY,
    BudgetingMethod,
    CalendarUnit,
    CalendarWindow,
    NoDataPolicy,
    Objective,
    RollingWindow,
    Window,
)
from covenant.core.series import BucketMatrix


def minutes_allowed(window: Window, at: datetime) -> Fraction:
    o = Objective(
        slo="uptime",
        name="",
        series="s",
        target=Fraction(999, 1000),
        window=window,
        method=BudgetingMethod.TIMESLICES,
        time_slice_target=Fraction(1, 2),
        time_slice_window_s=60,
        no_data=NoDataPolicy.GOOD,
    )
    start, end = required_range([o], at=at, step=60)
    n = (end - start) // 60
    total = np.full((1, n), 10, dtype=np.int64)
    data = BucketMatrix(keys=("s",), start=start, step=60, good=total.copy(), total=total)
    (result,) = evaluate([o], data, at=at)
    assert result.budget is not None
    assert result.budget.unit == "slices"
    return result.budget.allowed


AT = datetime(2026, 6, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("window", "at", "minutes"),
    [
        # the published rows: a week 10.08 min (10 min 4.8 s), a month 43.2 min (43 min 12 s),
        # a year 525.6 min = 8.76 h (8 h 45 min 36 s)
        (RollingWindow(seconds=7 * DAY), AT, Fraction(1008, 100)),
        (RollingWindow(seconds=30 * DAY), AT, Fraction(432, 10)),
        (RollingWindow(seconds=365 * DAY), AT, Fraction(5256, 10)),
        # calendar windows are the real period, not the table's 30 or 365 days
        (
            CalendarWindow(unit=CalendarUnit.MONTH),
            datetime(2026, 2, 10, tzinfo=UTC),
            Fraction(4032, 100),
        ),
        (
            CalendarWindow(unit=CalendarUnit.MONTH),
            datetime(2026, 11, 10, tzinfo=UTC),
            Fraction(432, 10),
        ),
        (
            CalendarWindow(unit=CalendarUnit.MONTH),
            datetime(2026, 10, 10, tzinfo=UTC),
            Fraction(4464, 100),
        ),
        (
            CalendarWindow(unit=CalendarUnit.YEAR),
            datetime(2026, 3, 1, tzinfo=UTC),
            Fraction(5256, 10),
        ),
        (
            CalendarWindow(unit=CalendarUnit.YEAR),
            datetime(2028, 3, 1, tzinfo=UTC),
            Fraction(52704, 100),
        ),
    ],
)
def test_time_budget_at_three_nines(window: Window, at: datetime, minutes: Fraction) -> None:
    assert minutes_allowed(window, at) == minutes


def test_the_mean_gregorian_year_is_no_covenant_window() -> None:
    """8 h 45 min 56.95 s (0.1 % of 365.2425 days) is what no window gives: rolling 1y is 365
    days (8 h 45 min 36 s), a calendar year 365 or 366 days (8 h 47 min 2.4 s)."""
    gregorian = Fraction(3652425, 10000) * 1440 / 1000
    assert gregorian * 60 == Fraction(31556952, 1000)  # seconds: 8 h 45 min 56.952 s
    rolling = minutes_allowed(RollingWindow(seconds=365 * DAY), AT)
    leap = minutes_allowed(CalendarWindow(unit=CalendarUnit.YEAR), datetime(2028, 3, 1, tzinfo=UTC))
    assert rolling * 60 == 8 * 3600 + 45 * 60 + 36
    assert leap * 60 == Fraction(8 * 3600 + 47 * 60) + Fraction(24, 10)
    assert gregorian not in {rolling, leap}
