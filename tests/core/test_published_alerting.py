"""Alert detection and reset times against the SRE Workbook's published figures and formulas.

Source: *The Site Reliability Workbook*, chapter 5 "Alerting on SLOs" (sre.google/workbook/
alerting-on-slos), as quoted in devops.stackexchange.com questions 8915 ("How to calculate burn
rate for SLOs") and 8266 ("Reset time vs alerting window size"):

- §4 "Alert on burn rate": "the time taken for an alert to fire is ((1 − SLO) / error ratio) ×
  alerting window size × burn rate"; its example rule pages at a burn rate of 36 over one
  hour (5 % of a 30-day budget), and its reset time is **58 minutes**; for a 99.9 % SLO a
  100 % error rate is a burn rate of 1000;
- §6 "Multiwindow, multi-burn-rate alerts", Table 5-8 and the ticket rule beside it: page at
  14.4 over 1 h and 5 m, 6 over 6 h and 30 m; ticket at 3 over 1 d and 2 h, 1 over 3 d and 6 h.

Every expectation below is that formula worked by hand for a 99.9 % 30-day SLO with 1 000
requests a minute, then carried to Covenant's evaluation grid: the engine evaluates at whole
minutes over whole-minute buckets, so an alert the formula fires at 2.16 minutes fires at the
first whole minute after it, 3 minutes (docs/semantics.md, "Burn rate and alerts").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import numpy as np
import pytest

from covenant.core.model import (
    DAY,
    HOUR,
    MINUTE,
    AlertTier,
    Objective,
    RollingWindow,
    default_alert_tiers,
)
from covenant.core.replay import replay_alerts
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import to_epoch

PER_MINUTE = 1000
T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)  # the outage starts
DATA_START = T0 - timedelta(days=34)  # the 30-day window and the 3-day tier's hour before T0
OBJ = Objective(
    slo="api",
    name="",
    series="s",
    target=Fraction(999, 1000),
    window=RollingWindow(seconds=30 * DAY),
)


def outage(*, bad_per_minute: int, minutes: int, after_minutes: int = 180) -> BucketMatrix:
    """1 000 requests a minute from DATA_START; ``bad_per_minute`` of them fail for ``minutes``
    from T0; the data run ``after_minutes`` past the outage's end."""
    k = (to_epoch(T0) - to_epoch(DATA_START)) // MINUTE
    n = k + minutes + after_minutes
    total = np.full((1, n), PER_MINUTE, dtype=np.int64)
    good = total.copy()
    good[0, k : k + minutes] = PER_MINUTE - bad_per_minute
    return BucketMatrix(
        keys=("s",), start=to_epoch(DATA_START), step=MINUTE, good=good, total=total
    )


def first_firing(
    tier: AlertTier, data: BucketMatrix, *, hours: int, step_s: int = MINUTE
) -> tuple[int, int]:
    """(minutes after T0 the tier first fires, minutes after T0 it resolves)."""
    replay = replay_alerts(
        OBJ, data, start=T0, end=T0 + timedelta(hours=hours), step_s=step_s, tiers=[tier]
    )
    (result,) = replay.tiers
    episode = result.episodes[0]
    return (
        int((episode.start - T0).total_seconds()) // MINUTE,
        int((episode.end - T0).total_seconds()) // MINUTE,
    )


@pytest.mark.parametrize("inclusive", [True, False])
def test_the_workbooks_one_hour_burn_rate_36_alert_detects_and_resets_as_published(
    inclusive: bool,
) -> None:
    """§4: burn rate 36 over 1 h (5 % of the 30-day budget: 0.05 × 720 h / 1 h = 36).

    A 100 % outage (burn rate 1000) fires it after (0.001 / 1) × 60 min × 36 = 2.16 min: at the
    3rd whole minute (2 bad minutes of 60 are 3.3 % < 3.6 %, 3 are 5 %). Once the outage has
    filled the hour, the alert holds until fewer than 2.16 of the last 60 minutes were bad:
    58 minutes after it ends — the Workbook's "reset time: 58 minutes". The rule is written
    ``> 36 * 0.001`` there; ``>=`` gives the same minutes (3.6 % never falls on a whole minute).
    """
    tier = AlertTier(
        name="burn-36",
        severity="page",
        long_window_s=HOUR,
        short_window_s=HOUR,
        burn_rate=Fraction(36),
        inclusive=inclusive,
    )
    fires, resolves = first_firing(tier, outage(bad_per_minute=PER_MINUTE, minutes=120), hours=4)
    assert fires == 3
    assert resolves == 120 + 58


@pytest.mark.parametrize(
    ("tier_name", "minutes"),
    # (1 − SLO) / error ratio × long window × burn rate, for a 100 % outage:
    # 0.001 × 60 min × 14.4 = 0.864 min; 0.001 × 360 min × 6 = 2.16 min;
    # 0.001 × 1 440 min × 3 = 4.32 min; 0.001 × 4 320 min × 1 = 4.32 min.
    # The short windows (5 m, 30 m, 2 h, 6 h) reach their rate sooner and do not delay them.
    [("page-fast", 1), ("page-slow", 3), ("ticket-fast", 5), ("ticket-slow", 5)],
)
def test_a_total_outage_is_detected_by_each_default_tier_when_the_formula_says(
    tier_name: str, minutes: int
) -> None:
    (tier,) = [t for t in default_alert_tiers() if t.name == tier_name]
    fires, _ = first_firing(tier, outage(bad_per_minute=PER_MINUTE, minutes=120), hours=3)
    assert fires == minutes


@pytest.mark.parametrize(
    ("bad_per_minute", "minutes"),
    [
        # 2 % errors: 0.001 / 0.02 × 60 min × 14.4 = 43.2 min → the 44th minute
        (20, 44),
        # 1.44 % errors, exactly 14.4×: 0.001 / 0.0144 × 60 × 14.4 = 60 min; the engine
        # compares at or above (docs/semantics.md), so the full hour fires it
        (Fraction(144, 10), 60),
    ],
)
def test_page_fast_detection_time_for_partial_error_rates(
    bad_per_minute: int | Fraction, minutes: int
) -> None:
    scale = Fraction(bad_per_minute).denominator  # 14.4 a minute: 10 000 requests, 144 bad
    per_minute = PER_MINUTE * scale
    bad = int(bad_per_minute * scale)
    k = (to_epoch(T0) - to_epoch(DATA_START)) // MINUTE
    n = k + 120
    total = np.full((1, n), per_minute, dtype=np.int64)
    good = total.copy()
    good[0, k:] = per_minute - bad
    data = BucketMatrix(
        keys=("s",), start=to_epoch(DATA_START), step=MINUTE, good=good, total=total
    )
    (page_fast,) = [t for t in default_alert_tiers() if t.name == "page-fast"]
    fires, _ = first_firing(page_fast, data, hours=2)
    assert fires == minutes


def test_the_short_window_resets_page_fast_five_minutes_after_the_outage() -> None:
    """§6: the short window (1/12 of the long) stops the page soon after the errors stop.

    After a 2-hour total outage the hour still burns at 1000× for a while, but the alert
    needs the last 5 minutes at 14.4× too (0.072 bad minutes of 5): any bad minute in them
    keeps it, none resolves it — 5 minutes after the end, where the 1-hour window alone
    (0.864 bad minutes of 60: any bad minute) holds for the whole hour after it.
    """
    (page_fast,) = [t for t in default_alert_tiers() if t.name == "page-fast"]
    data = outage(bad_per_minute=PER_MINUTE, minutes=120)
    fires, resolves = first_firing(page_fast, data, hours=4)
    assert (fires, resolves) == (1, 125)
    long_only = AlertTier(
        name="page-fast-long-only",
        severity="page",
        long_window_s=HOUR,
        short_window_s=HOUR,
        burn_rate=Fraction(72, 5),
    )
    assert first_firing(long_only, data, hours=4) == (1, 120 + 60)


def test_a_coarser_replay_step_rounds_detection_and_reset_up_to_it() -> None:
    """`covenant backtest alerts` steps 5 minutes unless told (docs/backtest.md): the 36×
    alert that fires at minute 3 and resets at minute 58 after the end shows at the 5-minute
    steps that follow, 5 and 60."""
    tier = AlertTier(
        name="burn-36",
        severity="page",
        long_window_s=HOUR,
        short_window_s=HOUR,
        burn_rate=Fraction(36),
    )
    data = outage(bad_per_minute=PER_MINUTE, minutes=120)
    assert first_firing(tier, data, hours=4, step_s=5 * MINUTE) == (5, 120 + 60)
