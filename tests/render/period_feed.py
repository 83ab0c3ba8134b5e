"""What the calendar-period promtool tests share (``test_prom_dst_month.py`` for months,
``test_prom_quarter.py`` for quarters and years): a few hours of per-minute counts fed to the
rules with their clock moved to the case's dates, a budget-share alert tier whose threshold
depends on the period's UTC length, the instants it fires found here from the counts and the
``zoneinfo`` lengths (and checked equal to the engine's replay), and the promtool unit test
that checks the rules minute by minute around the case's instants."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from covenant.core.model import AlertTier, CalendarWindow, Objective
from covenant.core.replay import replay_alerts
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.render import prom_tests
from covenant.render.prom_rule_file import rules_yaml
from covenant.render.prom_rules import GOOD, TOTAL, RuleTarget, rule_groups
from covenant.render.prom_tests import AlertCheck, TargetTest, WindowCheck
from tests.render.test_prom_dst import MINUTE, _objective, _sample
from tests.render.test_prom_rules import COUNTS
from tests.services.test_prom_rule_tests import _promtool_test

HOUR = 3600
SHARE = Fraction(2, 100)
TIER = AlertTier(
    name="page-fast",
    severity="page",
    long_window_s=HOUR,
    short_window_s=5 * MINUTE,
    budget_fraction=SHARE,
)
TARGET = Fraction(999, 1000)

Windows = dict[int, tuple[int, int, int, int]]


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp())


def objective(window: CalendarWindow) -> Objective:
    """The tests' objective (target 99.9 %) over ``window`` with the one tier ``TIER``."""
    return replace(_objective(window), alert_tiers=(TIER,))


def traffic(
    first: int, minutes: int, bad: int | None, burn: tuple[int, int] | None
) -> tuple[list[int], list[int]]:
    """Per-minute good and total counts; minute ``j`` is ``[first + 60 j, first + 60 j + 60)``,
    with ``bad`` bad events in each minute starting in ``burn`` (UTC, ``[from, to)``)."""
    totals = [5000 + j % 7 for j in range(minutes)]
    goods = [
        t - (bad if bad and burn and burn[0] <= first + MINUTE * j < burn[1] else 0)
        for j, t in enumerate(totals)
    ]
    return goods, totals


def firing(
    length: Callable[[int], int], first: int, goods: list[int], totals: list[int]
) -> tuple[set[int], Windows]:
    """The evaluation instants (UTC) at which the tier's condition holds, and its long and
    short window counts there: both windows' error ratios at or above ``2 % × period length /
    1 h × (1 − target)``, ``length(at)`` being the UTC length of the period holding ``at``
    (the instant's last second)."""
    fired: set[int] = set()
    windows: Windows = {}
    for k in range(len(totals)):
        at = first + MINUTE * (k + 1)  # minutes 0..k have ended
        bound = SHARE * Fraction(length(at - 1), HOUR) * (1 - TARGET)
        counts = []
        for window_s in (TIER.long_window_s, TIER.short_window_s):
            lo = max(0, k + 1 - window_s // MINUTE)
            good, total = sum(goods[lo : k + 1]), sum(totals[lo : k + 1])
            counts += [good, total]
            if total == 0 or Fraction(total - good, total) < bound:
                break
        else:
            fired.add(at)
            windows[at] = (counts[0], counts[1], counts[2], counts[3])
    return fired, windows


def engine_firing(
    window: CalendarWindow, first: int, goods: list[int], totals: list[int]
) -> set[int]:
    """The instants the engine's replay has the tier firing."""
    data = BucketMatrix(
        keys=("api",),
        start=first,
        step=MINUTE,
        good=np.array([goods], dtype=np.int64),
        total=np.array([totals], dtype=np.int64),
    )
    end = first + MINUTE * len(totals)
    replay = replay_alerts(
        objective(window),
        data,
        start=from_epoch(first + MINUTE),
        end=from_epoch(end),
        step_s=MINUTE,
    )
    (tier,) = replay.tiers
    return {
        t
        for e in tier.episodes
        for t in range(to_epoch(e.start), to_epoch(e.end) + (MINUTE if e.ongoing else 0), MINUTE)
    }


def near(instants: Iterable[int], first: int, end: int) -> list[int]:
    """Every minute from 2 minutes before to 2 minutes after each instant, within the feed."""
    around = {t + d * MINUTE for t in instants for d in range(-2, 3)}
    return sorted(t for t in around if first + MINUTE <= t <= end)


# the expressions a case checks at an instant besides the period-to-date counts: given the
# instant, the instant whose period and offset the rules use, the target and a function moving
# an expression's clock to the case's dates
Extra = Callable[[int, int, RuleTarget, Callable[[str], str]], list[dict[str, Any]]]


def check_with_promtool(
    promtool: str,
    tmp_path: Path,
    window: CalendarWindow,
    feed: tuple[int, list[int], list[int]],
    fired: tuple[set[int], Windows],
    instants: set[int],
    begin: Callable[[int], int],
    extra: Extra,
) -> None:
    """Load the rules of ``objective(window)`` fed ``feed`` (first minute, goods, totals) into
    promtool and check: the tier fires exactly at ``fired`` near ``instants`` and near each
    change of state, with the windows' counts where it starts firing; the period-to-date good
    and total counts (the period of an instant starting at ``begin(instant)``) near
    ``instants`` and every hour; and what ``extra`` adds at those instants."""
    first, goods, totals = feed
    firing_at, windows = fired
    end = first + MINUTE * len(totals)
    target = RuleTarget(objective=objective(window), counts=COUNTS)
    groups = rule_groups([target], sources=False)
    shift = first  # promtool's instant 0 is the first fed minute's start

    def shifted(expr: str) -> str:
        return expr.replace("time()", f"(time() + {shift})")

    (tmp_path / "rules.yml").write_text(shifted(rules_yaml(groups)), encoding="utf-8")
    flips = {
        t for t in range(first, end + 1, MINUTE) if (t in firing_at) != (t + MINUTE in firing_at)
    }
    alerts = [
        AlertCheck(at=t - shift, firing=(TIER,) if t in firing_at else ())
        for t in near(instants | {t + MINUTE for t in flips}, first, end)
    ]
    test = TargetTest(
        target=target,
        good=goods,
        total=totals,
        alerts=alerts,
        windows=[
            WindowCheck(at=t - shift, window_s=w, good=g, total=n)
            for t, (lg, ln, sg, sn) in windows.items()
            if t - MINUTE not in firing_at
            for w, g, n in ((TIER.long_window_s, lg, ln), (TIER.short_window_s, sg, sn))
        ],
        minutes=len(totals),
    )
    doc = yaml.safe_load(prom_tests.tests_yaml([test], rule_file="rules.yml"))
    summed = {
        name: next(r["expr"] for g in groups for r in g["rules"] if r.get("record") == name)
        for name in (f"{GOOD}_period", f"{TOTAL}_period")
    }
    exprs = doc["tests"][0]["promql_expr_test"]
    for t in sorted(set(near(instants, first, end)) | set(range(first + HOUR, end, HOUR))):
        start = begin(t - 1)
        # minute j ends at first + 60 (j + 1) and counts in the period of its last second
        ended = [j for j in range(len(totals)) if start < first + MINUTE * (j + 1) <= t]
        for name, counts in ((f"{GOOD}_period", goods), (f"{TOTAL}_period", totals)):
            exprs.append(
                {
                    "expr": shifted(summed[name]),
                    "eval_time": f"{t - shift}s",
                    "exp_samples": [
                        _sample(
                            "", {**target.ids, "sloth_window": "1m"}, sum(counts[j] for j in ended)
                        )
                    ],
                }
            )
        last = t - t % MINUTE - 1  # the instant whose period and offset the rules use
        exprs.extend({**e, "eval_time": f"{t - shift}s"} for e in extra(t, last, target, shifted))
    (tmp_path / "tests.yml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    done = _promtool_test(promtool, tmp_path / "tests.yml")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "SUCCESS" in done.stdout
