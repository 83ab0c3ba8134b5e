"""The 5-minute group's calendar-period recordings at the first evaluations of a new period,
whichever of the two groups runs first (docs/prometheus-rules.md, "Calendar windows").

A real Prometheus runs the per-minute group and the 5-minute group at unrelated offsets into
the minute. Here the per-minute group runs ``LAG`` (30 s) into each minute: the rules' clock
(``time()``, and ``timestamp()`` of a recorded sample) is moved by ``shift`` = the first fed
minute + ``LAG`` and the fed minute counts sit at promtool's whole minutes, so promtool's
instant ``p`` is the real instant ``p + shift`` and the per-minute group has evaluated at
every whole ``p``. The 5-minute group's expressions are then queried at real
instants ``x`` seconds into a minute: ``x < LAG`` is the 5-minute group running *before* the
per-minute group of that minute (it sees the minute counts up to the previous minute),
``x > LAG`` after it. promtool also records the 5-minute group itself at every whole minute,
in the same instant as the per-minute group: run once with each group first
(``group_eval_order``), those recordings are checked too, with the labels a dashboard reads.

Expected values come from the fed counts and ``zoneinfo``: the 5-minute group's period is
the local month (quarter) of the latest minute count recorded at or before its instant (a
minute belongs to the period of its last second), the counts are that period's recorded
minutes, and ``slo:time_period:days`` is that period's UTC length in days (for a quarter in a
fixed-offset zone, PromQL's own count of its days: 91 for the leap-year Q1 2028). So there is
never a gap, and the length always belongs to the counts it is recorded with.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from covenant.core.model import CalendarUnit, CalendarWindow
from covenant.render import prom_tests
from covenant.render.prom_rule_file import rules_yaml
from covenant.render.prom_rules import GOOD, PERIOD_LABEL, TOTAL, RuleTarget, rule_groups
from covenant.render.prom_tests import TargetTest
from tests.render.test_prom_dst import MINUTE, _local_end, _local_start, _objective, _sample
from tests.render.test_prom_quarter import wall_id, wall_period
from tests.render.test_prom_rules import COUNTS
from tests.services.test_prom_rule_tests import _promtool_test

MONTH, QUARTER = CalendarUnit.MONTH, CalendarUnit.QUARTER
LAG = 30  # the per-minute group's offset into the minute (seconds)
DAYS = "slo:time_period:days"
LABELLED = (f"{GOOD}1m_period", f"{TOTAL}1m_period")


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp())


# zone, unit, the local period boundary (UTC), the period lengths in hours before and after it
CASES: dict[str, tuple[str, CalendarUnit, int, tuple[int, int]]] = {
    # daylight saving time: April starts at 22:00 UTC (CEST) after a 743-hour March
    "berlin-march-to-april": ("Europe/Berlin", MONTH, _utc(2026, 3, 31, 22), (743, 720)),
    # a fixed offset (+05:30): April starts at 18:30 UTC after a 744-hour March
    "kolkata-march-to-april": ("Asia/Kolkata", MONTH, _utc(2026, 3, 31, 18, 30), (744, 720)),
    # Q2 2028 starts at 22:00 UTC (CEST) after the leap-year Q1, 91 days less March's hour
    "berlin-leap-q1-to-q2": ("Europe/Berlin", QUARTER, _utc(2028, 3, 31, 22), (2183, 2184)),
    # the leap-year Q1 2028 starts at 18:30 UTC on 31 December 2027 after a 92-day Q4
    "kolkata-q4-to-leap-q1": ("Asia/Kolkata", QUARTER, _utc(2027, 12, 31, 18, 30), (2208, 2184)),
}


def _period_id(zone: str, at: int, unit: CalendarUnit) -> str:
    """The ``covenant_period`` label of the local period holding ``at``: year × 12 + month
    (year × 4 + quarter from 0 for a quarter)."""
    if unit is QUARTER:
        return wall_id(zone, at, unit)
    local = datetime.fromtimestamp(at, ZoneInfo(zone))
    return str(local.year * 12 + local.month)


def _selector(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def _period(zone: str, at: int, unit: CalendarUnit) -> tuple[int, int]:
    """The UTC start and end of the local month (quarter) holding instant ``at`` (zoneinfo)."""
    if unit is QUARTER:
        return wall_period(zone, at, unit)
    start = _local_start(at, zone, MONTH)
    return start, _local_end(start, zone, MONTH)


@pytest.mark.parametrize("case", list(CASES))
def test_period_recordings_at_a_period_start_whichever_group_runs_first(
    promtool: str, case: str, tmp_path: Path
) -> None:
    zone, unit, boundary, (before, after) = CASES[case]
    local = datetime.fromtimestamp(boundary, ZoneInfo(zone))
    assert (local.day, local.hour, local.minute, local.second) == (1, 0, 0, 0)
    assert (local.month - 1) % (3 if unit is QUARTER else 1) == 0
    window_label = "1Q" if unit is QUARTER else "1M"
    for at, hours in ((boundary - 1, before), (boundary, after)):
        start, end = _period(zone, at, unit)
        assert end - start == hours * 3600

    first = boundary - 20 * MINUTE  # minute j is [first + 60 j, first + 60 j + 60)
    minutes = 40
    totals = [5000 + j % 7 for j in range(minutes)]
    goods = [t - 3 - j % 5 for j, t in enumerate(totals)]
    shift = first + LAG  # promtool's instant p is the real instant p + shift

    def real(expr: str) -> str:
        """The rules on the real clock: ``time()`` and the instants of recorded samples."""
        expr = re.sub(r"timestamp\(([^()]*)\)", rf"(timestamp(\1) + {shift})", expr)
        return expr.replace("time()", f"(time() + {shift})")

    o = _objective(CalendarWindow(unit=unit, zone=zone))
    target = RuleTarget(objective=o, counts=COUNTS)
    groups = rule_groups([target], sources=False)
    (tmp_path / "rules.yml").write_text(real(rules_yaml(groups)), encoding="utf-8")
    meta = {r["record"]: r["expr"] for r in groups[1]["rules"] if "record" in r}
    test = TargetTest(
        target=target, good=goods, total=totals, alerts=[], windows=[], minutes=minutes
    )
    ids = target.ids

    def expected(at: int, *, minute_group_first: bool) -> tuple[int, int, float]:
        """The month-to-date counts and month length (days) as of real instant ``at``."""
        # minute j is recorded by the per-minute group at first + 60 (j + 1) + LAG
        recorded = [
            j
            for j in range(minutes)
            if (at_j := first + MINUTE * (j + 1) + LAG) < at or (at_j == at and minute_group_first)
        ]
        start, end = _period(zone, first + MINUTE * (recorded[-1] + 1) - 1, unit)
        mine = [j for j in recorded if start < first + MINUTE * (j + 1) <= end]
        days = float(Fraction(end - start, 86400))
        return sum(goods[j] for j in mine), sum(totals[j] for j in mine), days

    # a back-filled history (promtool tsdb create-blocks-from rules) has no staleness marker
    # ending the old period's series: the period-labelled minute counts fed as plain series
    backfilled = [
        {**g, "rules": [r for r in g["rules"] if r.get("record") not in LABELLED]} for g in groups
    ]
    (tmp_path / "backfilled.yml").write_text(real(rules_yaml(backfilled)), encoding="utf-8")
    month_of = [_period_id(zone, first + MINUTE * (j + 1) - 1, unit) for j in range(minutes)]
    fed = [
        {
            "series": f"{name}{_selector({**ids, 'sloth_window': '1m', PERIOD_LABEL: m})}",
            "values": prom_tests.series_values(
                [c if month_of[j] == m else None for j, c in enumerate(counts)]
            ),
        }
        for name, counts in zip(LABELLED, (goods, totals), strict=True)
        for m in sorted(set(month_of))
    ]
    assert len(fed) == 4  # March and April, good and total

    for order in ("minute-group-first", "meta-group-first", "back-filled"):
        if order == "back-filled":
            doc = yaml.safe_load(prom_tests.tests_yaml([test], rule_file="backfilled.yml"))
            doc["tests"][0]["input_series"] += fed
        else:
            doc = yaml.safe_load(prom_tests.tests_yaml([test], rule_file="rules.yml"))
        # promtool evaluates every group at every step, in this order (without one it sorts
        # the groups unstably from a Go map: a random order, as a real server's offsets are)
        doc["group_eval_order"] = [g["name"] for g in groups]
        if order == "meta-group-first":
            doc["group_eval_order"].reverse()
        exprs = doc["tests"][0]["promql_expr_test"]
        # the minutes around the boundary, up to the old series' last sample + 5 min lookback
        for k in range(-2, 8):
            for x in (10, 50, LAG):  # the 5-minute group's offset: before, after, same instant
                at = boundary + k * MINUTE + x
                first_ = order != "meta-group-first"
                good, total, days = expected(at, minute_group_first=first_)
                when = f"{at - shift}s"
                if x == LAG:  # promtool's own evaluation of the 5-minute group: its recordings
                    queries = [
                        (f"{GOOD}_period{target.selector}", f"{GOOD}_period", good, window_label),
                        (
                            f"{TOTAL}_period{target.selector}",
                            f"{TOTAL}_period",
                            total,
                            window_label,
                        ),
                        (f"{DAYS}{target.selector}", DAYS, days, None),
                    ]
                else:  # the rules' expressions, seeing the minute counts recorded by then
                    queries = [
                        (real(meta[f"{GOOD}_period"]), "", good, "1m"),
                        (real(meta[f"{TOTAL}_period"]), "", total, "1m"),
                        (f"sum({real(meta[DAYS])})", "", days, ""),
                    ]
                for expr, name, value, window in queries:
                    labels = {} if window == "" else {**ids}
                    if window:
                        labels["sloth_window"] = window
                    sample = _sample(name, labels, 0)
                    exprs.append(
                        {
                            "expr": expr,
                            "eval_time": when,
                            "exp_samples": [{"labels": sample["labels"], "value": value}],
                        }
                    )
        path = tmp_path / f"{order}.yml"
        path.write_text(yaml.safe_dump(doc), encoding="utf-8")
        done = _promtool_test(promtool, path)
        assert done.returncode == 0, order + done.stdout[-4000:] + done.stderr[-2000:]
        assert "SUCCESS" in done.stdout
    # the first evaluation of the new period (April) with the 5-minute group first still holds
    # the old one's counts and length; right after the per-minute group the new one's first
    # minute
    new = boundary + MINUTE + 10
    assert expected(new, minute_group_first=True)[1:] == (sum(totals[:20]), before / 24)
    new += 40
    assert expected(new, minute_group_first=True)[1:] == (totals[20], after / 24)
