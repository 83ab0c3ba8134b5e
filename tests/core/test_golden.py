"""Published figures: SRE Workbook burn-rate tables and Sloth's 28-day factors."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import numpy as np
import pytest

from covenant.core.budget import budget_consumed, time_to_exhaustion
from covenant.core.evaluate import alert_threshold, evaluate, required_range
from covenant.core.model import DAY, HOUR, MINUTE, Objective, RollingWindow, default_alert_tiers
from covenant.core.results import Status
from covenant.core.series import BucketMatrix
from tests.conftest import ROOT

THIRTY_DAYS = 30 * DAY
TWENTY_EIGHT_DAYS = 28 * DAY


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (THIRTY_DAYS, [Fraction(144, 10), Fraction(6), Fraction(3), Fraction(1)]),
        # Sloth's 28-day catalog: 13.44, 5.6, 2.8, 0.9333…
        (
            TWENTY_EIGHT_DAYS,
            [Fraction(1344, 100), Fraction(56, 10), Fraction(28, 10), Fraction(14, 15)],
        ),
    ],
)
def test_default_tier_factors(window: int, expected: list[Fraction]) -> None:
    assert [t.factor(window) for t in default_alert_tiers()] == expected


def test_semantics_doc_tier_table_is_what_the_engine_compares_with() -> None:
    """docs/semantics.md's tier table shows the thresholds the engine uses at 30 and 28 days."""
    doc = (ROOT / "docs" / "semantics.md").read_text()
    rows = re.findall(r"^\s*\| (page-fast|page-slow|ticket-fast|ticket-slow) \|(.*)\|$", doc, re.M)
    assert [name for name, _ in rows] == [t.name for t in default_alert_tiers()]
    target = Fraction(999, 1000)
    for (name, cells), tier in zip(rows, default_alert_tiers(), strict=True):
        at_30, at_28 = (cell.strip().split()[0] for cell in cells.split("|")[-2:])
        for written, window in ((at_30, THIRTY_DAYS), (at_28, TWENTY_EIGHT_DAYS)):
            used = alert_threshold(tier, window_s=window, target=target)
            assert Fraction(written) == used, (name, window, written, used)


def test_default_tier_windows_are_the_workbook_pairs() -> None:
    pairs = [(t.long_window_s, t.short_window_s, t.severity) for t in default_alert_tiers()]
    assert pairs == [
        (HOUR, 5 * MINUTE, "page"),
        (6 * HOUR, 30 * MINUTE, "page"),
        (DAY, 2 * HOUR, "ticket"),
        (3 * DAY, 6 * HOUR, "ticket"),
    ]


@pytest.mark.parametrize(
    ("rate", "over", "consumed"),
    # SRE Workbook table 5-4: budget consumed at alert time for 30 days.
    [
        (Fraction(144, 10), HOUR, Fraction(2, 100)),
        (Fraction(6), 6 * HOUR, Fraction(5, 100)),
        (Fraction(3), DAY, Fraction(10, 100)),
        (Fraction(1), 3 * DAY, Fraction(10, 100)),
    ],
)
def test_budget_consumed_per_tier(rate: Fraction, over: int, consumed: Fraction) -> None:
    assert budget_consumed(rate=rate, over_s=over, window_s=THIRTY_DAYS) == consumed


@pytest.mark.parametrize(
    ("rate", "expected"),
    # SRE Workbook table 5-1 at 99.9 % over 30 days.
    [
        (1, timedelta(days=30)),
        (2, timedelta(days=15)),
        (10, timedelta(days=3)),
        (1000, timedelta(minutes=43, seconds=12)),
    ],
)
def test_time_to_exhaustion_full_budget(rate: int, expected: timedelta) -> None:
    got = time_to_exhaustion(remaining_ratio=Fraction(1), rate=Fraction(rate), window_s=THIRTY_DAYS)
    assert got == expected


def test_half_budget_lasts_half_as_long() -> None:
    got = time_to_exhaustion(remaining_ratio=Fraction(1, 2), rate=Fraction(2), window_s=THIRTY_DAYS)
    assert got == timedelta(days=7, hours=12)
    assert time_to_exhaustion(
        remaining_ratio=Fraction(-1, 10), rate=Fraction(1), window_s=1
    ) == timedelta(0)


def _flat(at: datetime, *, error_ratio: Fraction, per_minute: int, o: Objective) -> BucketMatrix:
    start, end = required_range([o], at=at, step=60)
    n = (end - start) // 60
    bad = per_minute * error_ratio
    assert bad.denominator == 1
    total = np.full((1, n), per_minute, dtype=np.int64)
    return BucketMatrix(keys=("s",), start=start, step=60, good=total - int(bad), total=total)


def test_a_burn_of_exactly_the_threshold_fires_and_just_below_does_not() -> None:
    """14.4 × 0.1 % = 1.44 % errors: equal fires (≥), one request fewer per 10 000 does not."""
    at = datetime(2026, 10, 15, tzinfo=UTC)
    o = Objective(
        slo="api",
        name="",
        series="s",
        target=Fraction(999, 1000),
        window=RollingWindow(seconds=THIRTY_DAYS),
    )
    (at_threshold,) = evaluate(
        [o], _flat(at, error_ratio=Fraction(144, 10000), per_minute=10000, o=o), at=at
    )
    page = at_threshold.tiers[0]
    assert page.long.rate == Fraction(144, 10)
    assert page.firing
    assert at_threshold.status is Status.BREACHED  # 14.4× for 30 days overspends too
    (below,) = evaluate(
        [o], _flat(at, error_ratio=Fraction(143, 10000), per_minute=10000, o=o), at=at
    )
    assert not below.tiers[0].firing


def test_slo_generator_rounding_bug_is_not_reproduced() -> None:
    """slo-generator rounds 1.54 to 1.5 before comparing with 1.5; exact comparison keeps 1.54."""
    at = datetime(2026, 10, 15, tzinfo=UTC)
    o = Objective(
        slo="api",
        name="",
        series="s",
        target=Fraction(99, 100),
        window=RollingWindow(seconds=THIRTY_DAYS),
        alert_tiers=(
            default_alert_tiers()[0].__class__(
                name="x",
                severity="page",
                long_window_s=HOUR,
                short_window_s=5 * MINUTE,
                burn_rate=Fraction(155, 100),
            ),
        ),
    )
    (result,) = evaluate(
        [o], _flat(at, error_ratio=Fraction(154, 10000), per_minute=10000, o=o), at=at
    )
    assert result.tiers[0].long.rate == Fraction(154, 100)
    assert not result.tiers[0].firing
