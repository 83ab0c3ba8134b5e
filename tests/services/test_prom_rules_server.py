"""The generated rules in a real Prometheus give the engine's numbers on the same data.

Counters are back-filled (samples on minute boundaries, so `increase` over one minute is the
exact difference), the recording rules are back-filled over that history one dependency level at
a time (`promtool tsdb create-blocks-from rules`, the levels as `covenant rules prometheus
--level` cuts them), and then every window count, the SLO window's SLI (rolling 30 days and the
calendar month, across a month boundary) and every alert's firing instants are compared with
Covenant's engine on the same per-minute counts.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from covenant.core.alert_rules import TierSwitches
from covenant.core.alert_scenario import alert_scenario
from covenant.core.evaluate import evaluate
from covenant.core.replay import after_pending, replay_alerts, window_counts
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.render.grafana import dashboards
from covenant.render.prom_levels import rule_levels
from covenant.render.prom_rule_file import dump_yaml
from covenant.render.prom_rules import RuleTarget, no_data_expr, rule_groups
from covenant.render.prom_windows import alert_windows, prom_duration
from covenant.services.prom_rules import plan_rules
from covenant.services.prom_tests import with_silence
from tests.promserver import Sample, Server, backfill_rules, openmetrics_text, restart

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "prometheus"
T0 = int(datetime(2026, 10, 31, tzinfo=UTC).timestamp())  # the Oct/Nov boundary falls inside
STEP = 60
# promtool's rule back-fill (2.42) never evaluates a group at an instant in the last second
# before a 2-hour block boundary (it cuts each block's query range to whole seconds), so a
# group whose evaluation offset falls there loses one minute every two hours. Offsets hash the
# rule file's name and the group's: this name keeps every group here clear of that second
# (test_every_minute_is_recorded_once guards it). A Prometheus evaluating live is not affected.
RULE_FILE = "covenant-rules.yml"
NO_DATA = TierSwitches(no_data=True)


def _points(server: Server, expr: str, start: int, end: int, step: int) -> dict[int, float]:
    result = server.query_range(expr, start, end, step)
    assert len(result) <= 1, result
    return {int(t): float(v) for t, v in result[0]["values"]} if result else {}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, prometheus_release: str) -> Any:
    workspace = load_workspace(EXAMPLE)
    plan = plan_rules(workspace, slos=["api-availability", "api-availability-monthly"])
    # every tier also gets its no-data alert (alertWhenNoData: true)
    rolling, monthly = (
        replace(t, switches={tier.name: NO_DATA for tier in t.objective.alert_tiers})
        for t in plan.targets
    )
    # the monthly SLO's target is looser, so bursts that fire its tiers fire the rolling ones too;
    # then hours without traffic (the counters stay flat), so the no-data alerts fire too
    scenario = alert_scenario(monthly.objective)
    silenced, _ = with_silence(scenario.data, monthly.objective)
    n = silenced.total.shape[1]
    data = replace(silenced, start=T0)
    good_cum = np.concatenate(([0], np.cumsum(data.good[0])))
    bad_cum = np.concatenate(([0], np.cumsum(data.total[0] - data.good[0])))
    samples = [
        Sample("http_requests_total", {"job": "api", "code": code}, float(value), T0 + k * STEP)
        for code, series in (("200", good_cum), ("500", bad_cum))
        for k, value in enumerate(series.tolist())
    ]
    workdir = tmp_path_factory.mktemp("prometheus")
    from tests.promserver import start_prometheus  # noqa: PLC0415

    server = start_prometheus(
        workdir,
        openmetrics=openmetrics_text(samples, counters=["http_requests"]),
        release=prometheus_release,
    )
    end = T0 + n * STEP
    try:
        for k, groups in enumerate(rule_levels(rule_groups([rolling, monthly]))):
            # one path for every level: a group's evaluation offset hashes its file and name
            rule_file = workdir / RULE_FILE
            rule_file.write_text(dump_yaml({"groups": groups}), encoding="utf-8")
            blocks = workdir / f"blocks{k}"
            backfill_rules(server, rule_file, start=T0, end=end, output_dir=blocks)
            server = restart(server, workdir, blocks=blocks)
        yield server, (rolling, monthly), data, end
    finally:
        server.stop()


def _recorded(server: Server, expr: str, end: int) -> dict[float, float]:
    """Every recorded sample of ``expr`` with its own timestamp (a group's evaluations are
    offset within its interval by a hash of the group, back-filled ones too)."""
    result = server.query(f"{expr}[{end - T0 + 600}s]", end)
    assert len(result) <= 1, result
    return {float(t): float(v) for t, v in result[0]["values"]} if result else {}


def _minute(ts: float) -> int:
    """The engine instant a per-minute recording at ``ts`` stands for: its minute counts end
    at the last raw sample at or before ``ts``, which is on the minute."""
    return int(ts // STEP * STEP)


def _engine_windows(
    o: Any, data: BucketMatrix, ends: np.ndarray, window_s: int
) -> dict[int, tuple[int, int]]:
    counts = window_counts(o, data, ends=ends, window_s=window_s)
    return {
        int(t): (int(e) - int(b), int(e))
        for t, e, b in zip(ends.tolist(), counts.events.tolist(), counts.bad.tolist(), strict=True)
    }


@pytest.mark.parametrize("which", [0, 1], ids=["rolling-30d", "calendar-month"])
def test_every_minute_is_recorded_once(loaded: Any, which: int) -> None:
    server, targets, _, end = loaded
    minutes = sorted(_recorded(server, f"covenant:sli_total:count1m{targets[which].selector}", end))
    steps = {round(b - a, 3) for a, b in itertools.pairwise(minutes)}
    assert steps == {float(STEP)}, steps


def test_window_counts_equal_the_engines(loaded: Any) -> None:
    server, (rolling, _), data, end = loaded
    o = rolling.objective
    for window_s in alert_windows(o):
        w = prom_duration(window_s)
        good = _recorded(server, f"covenant:sli_good:count{w}{rolling.selector}", end)
        total = _recorded(server, f"covenant:sli_total:count{w}{rolling.selector}", end)
        assert len(total) >= data.total.shape[1] - 1
        prom = {_minute(t): (int(good[t]), int(total[t])) for t in total}
        ends = np.array(sorted(prom), dtype=np.int64)
        assert prom == _engine_windows(o, data, ends, window_s), w


def _check_slo_window(
    server: Server, target: RuleTarget, data: BucketMatrix, end: int, name: str
) -> int:
    sel = target.selector
    minutes = sorted(_recorded(server, f"covenant:sli_total:count1m{sel}", end))
    good = _recorded(server, f"covenant:sli_good:count{name}{sel}", end)
    total = _recorded(server, f"covenant:sli_total:count{name}{sel}", end)
    error = _recorded(server, f"slo:sli_error:ratio_rate{name}{sel}", end)
    for t in sorted(total):
        # the 5-minute group sums the minute counts recorded at or before its own instant
        last = minutes[bisect.bisect_right(minutes, t) - 1]
        (ev,) = evaluate([target.objective], data, at=from_epoch(_minute(last)))
        assert (int(good[t]), int(total[t])) == (ev.good, ev.total), t
        assert ev.sli is not None
        assert error[t] == float(1 - ev.sli), t
    return len(total)


def test_the_30_day_sli_equals_the_engines(loaded: Any) -> None:
    server, (rolling, _), data, end = loaded
    assert _check_slo_window(server, rolling, data, end, "30d") >= (end - T0) // 300 - 2


def test_the_calendar_month_sli_restarts_with_the_month(loaded: Any) -> None:
    server, (_, monthly), data, end = loaded
    assert _check_slo_window(server, monthly, data, end, "_period") >= (end - T0) // 300 - 2
    nov1 = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    totals = _recorded(server, f"covenant:sli_total:count_period{monthly.selector}", end)
    before = max(t for t in totals if t < nov1)
    after = min(t for t in totals if t > nov1 + STEP)
    assert totals[before] > totals[after]  # the month restarted


def _alert_exprs(target: RuleTarget) -> dict[str, str]:
    return {
        r["labels"]["covenant_tier"]: r["expr"]
        for g in rule_groups([target])
        for r in g["rules"]
        if r.get("alert") == target.alert_name
    }


@pytest.mark.parametrize("which", [0, 1], ids=["rolling-30d", "calendar-month"])
def test_alerts_fire_and_resolve_at_the_engines_instants(loaded: Any, which: int) -> None:
    """Each alert expression, evaluated at the instants its group recorded its window counts,
    fires exactly where the engine's replay fires (so it also resolves where it resolves)."""
    server, targets, data, end = loaded
    target = targets[which]
    o = target.objective
    minutes = sorted(_recorded(server, f"covenant:sli_total:count1m{target.selector}", end))
    replay = replay_alerts(
        o, data, start=from_epoch(_minute(minutes[0])), end=from_epoch(end), step_s=STEP
    )
    exprs = _alert_exprs(target)
    fired = 0
    for tier in replay.tiers:
        engine = {
            t
            for e in tier.episodes
            for t in range(int(e.start.timestamp()), int(e.end.timestamp()), STEP)
        }
        result = server.query_range(exprs[tier.name], minutes[0], minutes[-1], STEP)
        prom = {_minute(float(t)) for r in result for t, _ in r["values"]}
        assert prom == engine, tier.name
        fired += bool(engine)
    assert fired == len(o.alert_tiers)  # every tier fired (and the sets equal, so resolved too)


@pytest.mark.parametrize("which", [0, 1], ids=["rolling-30d", "calendar-month"])
def test_no_data_alerts_fire_and_resolve_at_the_engines_instants(loaded: Any, which: int) -> None:
    """OpenSLO alertWhenNoData: each tier's no-data expression, evaluated at the instants its
    group recorded its window counts, holds exactly where the engine has no burn rate for the
    tier (either window without events), through hours without traffic."""
    server, targets, data, end = loaded
    target = targets[which]
    o = target.objective
    minutes = sorted(_recorded(server, f"covenant:sli_total:count1m{target.selector}", end))
    ends = np.array([_minute(t) for t in minutes], dtype=np.int64)
    fired = 0
    for tier in o.alert_tiers:
        rated = np.ones(len(ends), dtype=bool)
        for window_s in (tier.long_window_s, tier.short_window_s):
            rated &= window_counts(o, data, ends=ends, window_s=window_s).has_rate
        engine = set(ends[after_pending(~rated, ends, tier.for_s)].tolist())
        result = server.query_range(no_data_expr(target, tier), minutes[0], minutes[-1], STEP)
        prom = {_minute(float(t)) for r in result for t, _ in r["values"]}
        assert prom == engine, tier.name
        fired += bool(engine)
    assert fired == len(o.alert_tiers)  # hours without traffic: every tier had no data


def _panels(targets: Sequence[RuleTarget]) -> list[dict[str, Any]]:
    """Every panel of the generated dashboards (rows hold none of their own)."""
    boards = dashboards(list(targets))
    return [p for board in boards.values() for p in board["panels"] if p["type"] != "row"]


def _sums(data: BucketMatrix, start: int, end: int) -> tuple[int, int]:
    """Bad and total events of the minutes ``[start, end)`` of the fed counts (numpy only)."""
    first = data.start
    lo, hi = max(0, (start - first) // STEP), max(0, (end - first) // STEP)
    total = int(data.total[0][lo:hi].sum())
    return total - int(data.good[0][lo:hi].sum()), total


def test_every_dashboard_query_runs_in_prometheus(loaded: Any) -> None:
    """Each query of every panel of ``covenant dashboards grafana`` is accepted by Prometheus
    over the back-filled history, finds data, and reads only series the rules file records
    (names parsed from the written YAML, and found in the server under the target's id)."""
    server, targets, _, end = loaded
    records = {
        r["record"]
        for g in yaml.safe_load(dump_yaml({"groups": rule_groups(list(targets))}))["groups"]
        for r in g["rules"]
        if "record" in r
    }
    panels = _panels(targets)
    assert len(panels) == 2 * (3 + 4)  # SLI, budget, burn rate and four tiers, twice
    for panel in panels:
        for query in panel["targets"]:
            expr = query["expr"]
            result = server.query_range(expr, T0, end, 300)  # status "success", or it fails
            values = [float(v) for r in result for _, v in r["values"]]
            assert any(math.isfinite(v) for v in values), (panel["title"], expr)
            for name, selector in re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})", expr):
                assert name in records, (name, expr)
                assert server.query(f"count({name}{selector})", end), (name, expr)


@pytest.mark.parametrize("which", [0, 1], ids=["rolling-30d", "calendar-month"])
def test_the_dashboards_sli_and_burn_rates_equal_the_counts(loaded: Any, which: int) -> None:
    """The SLI panel at each of the 5-minute group's instants and every burn-rate panel at
    each minute give the bad and total events of their windows summed here from the fed
    per-minute counts (the month restarts on 1 November, UTC)."""
    server, targets, data, end = loaded
    target = targets[which]
    o = target.objective
    assert data.total.shape[1] * STEP < 30 * 86400  # the 30-day window holds the whole feed
    budget = float(1 - o.target)
    nov1 = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    panels = [p for p in _panels([target]) if p["type"] != "row"]
    sli = next(p for p in panels if p["title"].startswith("SLI over"))["targets"][0]["expr"]
    sel = target.selector
    minutes = sorted(_recorded(server, f"covenant:sli_total:count1m{sel}", end))
    name = "30d" if which == 0 else "_period"
    checked = 0
    for t in sorted(_recorded(server, f"slo:sli_error:ratio_rate{name}{sel}", end))[::7]:
        last = _minute(minutes[bisect.bisect_right(minutes, t) - 1])
        begin = nov1 if which == 1 and last > nov1 else T0
        bad, total = _sums(data, begin, last)
        (got,) = server.query(sli, t)
        if total:
            assert float(got["value"][1]) == pytest.approx(1 - bad / total, rel=1e-12), t
            checked += 1
    assert checked > 10
    tiers = [p for p in panels if "burn rate vs threshold" in p["title"]]
    assert len(tiers) == len(o.alert_tiers)
    for panel, tier in zip(tiers, o.alert_tiers, strict=True):
        burning = 0
        for query, window_s in zip(
            panel["targets"], (tier.long_window_s, tier.short_window_s), strict=True
        ):
            for t in minutes[::13]:
                bad, total = _sums(data, _minute(t) - window_s, _minute(t))
                (got,) = server.query(query["expr"], t)
                value = float(got["value"][1])
                if total:
                    assert value == pytest.approx(bad / total / budget, rel=1e-9), (tier.name, t)
                    burning += value > 0
                else:
                    assert math.isnan(value), (tier.name, t)
        assert burning, tier.name
