"""`covenant backtest alerts` reproduces the SRE Workbook's detection and reset times end to end:
counts ingested into the starter workspace (checkout-availability, 99.9 % over a rolling 28
days), a 2-hour total outage, replayed at every minute.

Source: *The Site Reliability Workbook*, chapter 5 "Alerting on SLOs", §4 "Alert on burn
rate" (as quoted in devops.stackexchange.com question 8266): the rule ``ratio_rate1h > 36 *
0.001``; detection after ((1 − SLO) / error ratio) × window × burn rate = 0.001 × 60 min × 36
= 2.16 minutes of a total outage (the 3rd whole minute here), reset time 58 minutes. §6,
multiwindow alerts: the page tier (2 % of the budget in 1 h, with a 5-minute short window) —
for 28 days 13.44× — detects a total outage within its first minute (0.001 × 60 × 13.44 =
0.81 min) and stops 5 minutes after it, when the short window holds no bad minute.
tests/core/test_published_alerting.py checks the same figures on the engine directly.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.cli.starter import starter_workspace

runner = CliRunner()
T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)  # the outage: [T0, T0 + 2 h), every request fails


def stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ws = starter_workspace(tmp_path, monkeypatch)
    rows = ["timestamp,sli,good,total"]
    t = T0 - timedelta(days=29)  # the whole 28-day window before the outage
    while t < T0 + timedelta(hours=4):
        bad = 1000 if T0 <= t < T0 + timedelta(hours=2) else 0
        rows.append(f"{stamp(t)},checkout-availability,{1000 - bad},1000")
        t += timedelta(minutes=1)
    (tmp_path / "counts.csv").write_text("\n".join(rows) + "\n")
    result = runner.invoke(app, ["ingest", "events", "counts.csv", "-w", str(ws)])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return ws


def episodes(ws: Path, tier: str) -> list[tuple[datetime, datetime]]:
    args = ["backtest", "alerts", "checkout-availability", "-w", str(ws), "--step", "1m"]
    args += ["--from", stamp(T0), "--to", stamp(T0 + timedelta(hours=4)), "--tier", tier]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    (objective,) = json.loads(result.stdout)["objectives"]
    (replayed,) = objective["tiers"]
    return [
        (datetime.fromisoformat(e["start"]), datetime.fromisoformat(e["end"]))
        for e in replayed["episodes"]
    ]


def test_the_workbooks_burn_rate_36_alert_fires_at_3_minutes_and_resets_after_58(
    ws: Path,
) -> None:
    assert episodes(ws, "w36:page:36:1h:1h") == [
        (T0 + timedelta(minutes=3), T0 + timedelta(hours=2, minutes=58))
    ]


def test_the_page_tier_fires_in_the_first_minute_and_resets_after_5(ws: Path) -> None:
    # "2%" is the Workbook's budget share: 2 % × 28 d / 1 h = 13.44
    assert episodes(ws, "page:page:2%:1h:5m") == [
        (T0 + timedelta(minutes=1), T0 + timedelta(hours=2, minutes=5))
    ]
