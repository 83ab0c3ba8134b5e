"""Backtests and suggestions are bounded by the stored data and clear limits, never by memory."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.config import Settings, sqlite_url
from covenant.errors import RangeLimitError
from covenant.services.alert_backtest import MAX_REPLAY_STEPS, backtest_alerts
from covenant.services.backtest import MAX_PERIODS
from covenant.services.demo import run_demo
from covenant.services.ingest import open_store
from covenant.services.suggest import MAX_WINDOWS, suggest_slo
from covenant.services.workspace import load_workspace
from tests.conftest import ROOT
from tests.services.test_backtest import AT, cli


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("limits") / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    run_demo(Settings(workspace=target, database_url=sqlite_url(target)), at=AT, days=90)
    return target


W = ["--at", "2026-11-27T09:30:00Z"]


def test_alert_replay_over_centuries_is_cut_to_the_stored_data(shop: Path) -> None:
    """The demo stores 90 days before AT; checkout-availability's longest window is its 28-day
    SLO window, so the replay runs from 28 days before the first event to 28 days after the
    last, not 1971–2200 (3.4 GB and a MemoryError before)."""
    engine = open_store(sqlite_url(shop))
    try:
        (replay,) = backtest_alerts(
            engine,
            workspace=load_workspace(shop),
            slo="checkout-availability",
            start=datetime(1971, 1, 1, tzinfo=UTC),
            end=datetime(2200, 1, 1, tzinfo=UTC),
            step_s=3600,
        )
    finally:
        engine.dispose()
    reach = timedelta(days=28)
    first_event = datetime(2026, 8, 29, 9, 30, tzinfo=UTC)  # AT − 90 days
    assert first_event - reach == datetime(2026, 8, 1, 9, 30, tzinfo=UTC)
    assert AT + reach == datetime(2026, 12, 25, 9, 30, tzinfo=UTC)  # the last bucket ends at AT
    # evaluated on the hour inside that range
    assert replay.start == datetime(2026, 8, 1, 10, tzinfo=UTC)
    assert replay.end == datetime(2026, 12, 25, 9, tzinfo=UTC)
    assert replay.steps == (31 + 30 + 31 + 30 + 24) * 24  # Aug 1 10:00 → Dec 25 09:00 hourly


def test_alert_replay_without_data_over_centuries_is_a_coded_limit(shop: Path) -> None:
    args = ["backtest", "alerts", "checkout-availability", "-w", str(shop)]
    result = CliRunner().invoke(
        cli(), [*args, "--from", "1971-01-01T00:00:00Z", "--to", "1990-01-01T00:00:00Z"]
    )
    assert result.exit_code == 1
    assert "range-too-large" in result.output
    assert f"at most {MAX_REPLAY_STEPS:,}" in " ".join(result.output.split())
    assert "--step" in result.output


def test_agreement_backtest_over_millennia_is_a_coded_limit(shop: Path) -> None:
    proposal = ROOT / "examples" / "proposals" / "initech-premium.yaml"
    base = ["backtest", "agreement", str(proposal), "-w", str(shop), *W]
    result = CliRunner().invoke(cli(), [*base, "--from", "1971-01", "--to", "8999-12"])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "range-too-large" in text
    assert f"covers 84,348 reporting periods; a backtest covers at most {MAX_PERIODS:,}" in text
    assert "the stored data spans 2026-08-29" in text
    assert "--from/--to" in text
    # the widest allowed range works, and reads only the stored history
    ok = CliRunner().invoke(cli(), [*base, "--from", "1971-01", "--to", "2070-12", "-f", "json"])
    assert ok.exit_code == 0, ok.output
    periods = json.loads(ok.stdout)["periods"]
    assert (len(periods), periods[0], periods[-1]) == (1200, "1971-01", "2070-12")


def test_suggest_windows_is_bounded(shop: Path) -> None:
    result = CliRunner().invoke(
        cli(),
        ["suggest", "slo", "checkout-availability", "-w", str(shop), *W, "--windows", "1000000000"],
    )
    assert result.exit_code == 1
    assert "range-too-large" in result.output
    assert "--windows" in result.output
    engine = open_store(sqlite_url(shop))
    try:
        (s,) = suggest_slo(
            engine,
            workspace=load_workspace(shop),
            slo="checkout-monthly",
            at=AT,
            windows=MAX_WINDOWS,
            hold=2,
        )
        with pytest.raises(RangeLimitError):
            suggest_slo(
                engine,
                workspace=load_workspace(shop),
                slo="checkout-monthly",
                at=AT,
                windows=MAX_WINDOWS + 1,
            )
    finally:
        engine.dispose()
    assert len(s.windows) == MAX_WINDOWS
    # 1,000 months back: only September and October 2026 (Berlin) lie inside the history
    assert [w.start for w in s.windows if w.level is not None] == [
        datetime(2026, 8, 31, 22, tzinfo=UTC),
        datetime(2026, 9, 30, 22, tzinfo=UTC),
    ]
