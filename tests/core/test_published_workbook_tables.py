"""The SRE Workbook's alerting tables, figure by figure, against the engine and the rules.

Source: *The Site Reliability Workbook*, chapter 5 "Alerting on SLOs"
(sre.google/workbook/alerting-on-slos), for a 99.9 % SLO over 30 days, as summarised by the
"SLO Burn-Rate Alerting Playbook" (velobot-wiki.pages.dev/article/software/
slo-burn-rate-multi-window-alerting-playbook: "long window: 1h, short window: 5m, burn-rate
threshold: 14.4, roughly corresponds to ~2% budget consumption in 1h"; "6h / 30m / 6 / ~5% in
6h"; ticket "3d, threshold near 1") and andrz.io "Burn Rates, SLO-Based Alerts & Alert
Attributes" (table "Page 2% / 1h, 1h + 5m, 14.4x; Page 5% / 6h, 6h + 30m, 6x; Ticket 10% / 3d,
72h + 6h, 1x"):

- Table 5-4, burn rate → time to exhaust a 30-day budget: 1 → 30 days, 2 → 15 days,
  10 → 3 days, 1000 (a 100 % error rate at 99.9 %) → 43 minutes (43.2);
- Table 5-5 / 5-8, the recommended tiers: 2 % of the budget in 1 h (14.4), 5 % in 6 h (6),
  10 % in 3 d (1) — and the ticket rule beside them, 10 % in 1 d (3) over 2 h;
- §1 "Target error rate ≥ SLO threshold": a 10-minute window at ≥ 0.1 % errors detects a
  full outage in 0.6 s (0.001 × 10 min); §2 "Increased alert window": a 36-hour window
  detects it in 2 min 10 s (0.001 × 36 h = 129.6 s) and resets after 36 hours.

Expectations are worked by hand: a burn of rate B held for w consumes B × w / W of a budget of
window W; the engine decides alerts at whole minutes (docs/semantics.md), so a detection time
of 0.6 s or 129.6 s is the 1st or 3rd whole minute.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import numpy as np
import pytest

from covenant.core.budget import budget_consumed, burn_rate, time_to_exhaustion
from covenant.core.evaluate import evaluate, required_range
from covenant.core.model import (
    DAY,
    HOUR,
    MINUTE,
    AlertTier,
    Objective,
    RollingWindow,
    default_alert_tiers,
)
from covenant.core.series import BucketMatrix
from covenant.render.prom_rules import RuleTarget, rule_groups
from tests.core.test_published_alerting import PER_MINUTE, first_firing, outage
from tests.render.test_prom_rules import COUNTS, _objective

W = 30 * DAY
TARGET = Fraction(999, 1000)


@pytest.mark.parametrize(
    ("rate", "error_ratio", "exhausted_in"),
    [
        (1, Fraction(1, 1000), timedelta(days=30)),
        (2, Fraction(2, 1000), timedelta(days=15)),
        (10, Fraction(1, 100), timedelta(days=3)),
        # "43 minutes": 30 days / 1000 = 2 592 s = 43 min 12 s
        (1000, Fraction(1), timedelta(minutes=43, seconds=12)),
    ],
)
def test_table_5_4_burn_rate_and_time_to_exhaust_a_full_budget(
    rate: int, error_ratio: Fraction, exhausted_in: timedelta
) -> None:
    bad = error_ratio * 1_000_000
    assert burn_rate(bad=bad, counted=1_000_000, target=TARGET) == rate
    assert time_to_exhaustion(remaining_ratio=Fraction(1), rate=Fraction(rate), window_s=W) == (
        exhausted_in
    )


@pytest.mark.parametrize(
    ("name", "long_s", "short_s", "rate", "share"),
    [
        ("page-fast", HOUR, 5 * MINUTE, Fraction(72, 5), Fraction(2, 100)),
        ("page-slow", 6 * HOUR, 30 * MINUTE, Fraction(6), Fraction(5, 100)),
        ("ticket-fast", DAY, 2 * HOUR, Fraction(3), Fraction(10, 100)),
        ("ticket-slow", 3 * DAY, 6 * HOUR, Fraction(1), Fraction(10, 100)),
    ],
)
def test_the_recommended_tiers_windows_rates_and_budget_consumed(
    name: str, long_s: int, short_s: int, rate: Fraction, share: Fraction
) -> None:
    (tier,) = [t for t in default_alert_tiers() if t.name == name]
    assert (tier.long_window_s, tier.short_window_s) == (long_s, short_s)
    assert tier.factor(W) == rate
    assert budget_consumed(rate=rate, over_s=long_s, window_s=W) == share


@pytest.mark.parametrize(
    ("name", "bad_per_minute", "minutes"),
    [
        # 10 000 requests a minute: 14.4× is 144 bad a minute, 6× 60, 3× 30, 1× 10
        ("page-fast", 144, 60),
        ("page-slow", 60, 6 * 60),
        ("ticket-fast", 30, 24 * 60),
        ("ticket-slow", 10, 3 * 24 * 60),
    ],
)
def test_a_burn_held_for_the_long_window_spends_the_published_share_and_fires(
    name: str, bad_per_minute: int, minutes: int
) -> None:
    """A 30-day window of 10 000 requests a minute allows 432 000 bad ones (0.1 % of
    432 000 000); 14.4× for 1 h is 8 640 bad (2 %), 6× for 6 h 21 600 (5 %), 3× for 1 d and
    1× for 3 d 43 200 (10 %). The tier's both windows burn exactly at its rate, which fires
    it (the engine compares at or above)."""
    per_minute = 10_000
    at = datetime(2026, 6, 1, tzinfo=UTC)
    objective = Objective(
        slo="api", name="", series="s", target=TARGET, window=RollingWindow(seconds=W)
    )
    start, end = required_range([objective], at=at, step=MINUTE)
    n = (end - start) // MINUTE
    total = np.full((1, n), per_minute, dtype=np.int64)
    good = total.copy()
    good[0, n - minutes :] = per_minute - bad_per_minute
    data = BucketMatrix(keys=("s",), start=start, step=MINUTE, good=good, total=total)
    (result,) = evaluate([objective], data, at=at)
    assert result.budget is not None
    assert result.budget.allowed == 432_000
    assert result.budget.consumed == bad_per_minute * minutes
    share = {"page-fast": Fraction(2, 100), "page-slow": Fraction(5, 100)}.get(
        name, Fraction(10, 100)
    )
    assert result.budget.consumed / result.budget.allowed == share
    (tier,) = [t for t in result.tiers if t.name == name]
    assert tier.firing


def test_page_fast_at_its_threshold_leaves_two_days_less_two_percent() -> None:
    """ "14.4× burn → ~2 days until exhaustion" (30 days / 14.4 = 50 h for a full budget).
    After an hour at 14.4× the budget is 98 % left: 0.98 × 720 h / 14.4 = 49 h."""
    assert time_to_exhaustion(
        remaining_ratio=Fraction(98, 100), rate=Fraction(72, 5), window_s=W
    ) == timedelta(hours=49)
    assert time_to_exhaustion(
        remaining_ratio=Fraction(1), rate=Fraction(72, 5), window_s=W
    ) == timedelta(hours=50)


@pytest.mark.parametrize(
    ("name", "long", "short", "q", "p"),
    [
        # rate × (1 − 0.999) = p / q: 14.4 × 0.001 = 9/625, 6 × 0.001 = 3/500, 3/1000, 1/1000
        ("page-fast", "1h", "5m", 625, 9),
        ("page-slow", "6h", "30m", 500, 3),
        ("ticket-fast", "1d", "2h", 1000, 3),
        ("ticket-slow", "3d", "6h", 1000, 1),
    ],
)
def test_prometheus_rules_compare_the_published_error_ratio_on_both_windows(
    name: str, long: str, short: str, q: int, p: int
) -> None:
    """`covenant rules prometheus`: the Workbook's ``rate[1h] > 14.4 * 0.001`` as integers,
    on the tier's long and short windows (docs/prometheus-rules.md)."""
    target = RuleTarget(objective=_objective(), counts=COUNTS)
    (rule,) = [
        r
        for g in rule_groups([target])
        for r in g["rules"]
        if "alert" in r and r["labels"]["covenant_tier"] == name
    ]
    for window in (long, short):
        assert f"({q} * (covenant:sli_total:count{window}{{" in rule["expr"]
        assert f">= {p} * covenant:sli_total:count{window}{{" in rule["expr"]


def test_section_1_a_ten_minute_window_detects_a_full_outage_at_once() -> None:
    """0.6 s (0.001 × 10 min) → the 1st whole minute; with any bad minute of the last 10 at
    ≥ 0.1 %, it resets 10 minutes after the outage ends."""
    tier = AlertTier(
        name="ten-minutes",
        severity="page",
        long_window_s=10 * MINUTE,
        short_window_s=10 * MINUTE,
        burn_rate=Fraction(1),
    )
    data = outage(bad_per_minute=PER_MINUTE, minutes=120)
    assert first_firing(tier, data, hours=3) == (1, 120 + 10)


def test_section_2_a_36_hour_window_detects_in_129_6_seconds_and_resets_after_36_hours() -> None:
    """2 min 10 s (129.6 s: 2.16 bad minutes of 2 160) → the 3rd whole minute. The reset the
    Workbook calls 36 hours is, exactly, when at most 2 of the last 2 160 minutes were bad:
    2 160 − 2 = 2 158 minutes after the end (as its 1-hour example resets after 58)."""
    tier = AlertTier(
        name="thirty-six-hours",
        severity="page",
        long_window_s=36 * HOUR,
        short_window_s=36 * HOUR,
        burn_rate=Fraction(1),
    )
    data = outage(bad_per_minute=PER_MINUTE, minutes=120, after_minutes=2200)
    assert first_firing(tier, data, hours=40) == (3, 120 + 2158)
