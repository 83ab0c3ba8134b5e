"""Exposure end to end on the demo shop: forecasts from the store, money per currency, the CLI."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from covenant.cli import exposure_cmds
from covenant.config import Settings, sqlite_url
from covenant.core.agreements import DowntimeSource
from covenant.core.forecast import CommitmentExposure, Exposure
from covenant.errors import NaiveDatetimeError
from covenant.render.exposure import SCHEMA, alerts, exposure_json
from covenant.services.demo import run_demo
from covenant.services.exposure import exposure
from covenant.services.ingest import open_store
from covenant.services.workspace import load_workspace
from tests.conftest import ROOT
from tests.core.test_forecast import heading_for_ten_percent

AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("exposure") / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    run_demo(Settings(workspace=target, database_url=sqlite_url(target)), at=AT, days=60)
    return target


@pytest.fixture(scope="module")
def result(shop: Path) -> Exposure:
    engine = open_store(sqlite_url(shop))
    try:
        return exposure(engine, workspace=load_workspace(shop), at=AT)
    finally:
        engine.dispose()


def only(result: Exposure, customer: str) -> CommitmentExposure:
    (cu,) = [c for c in result.customers if c.customer == customer]
    (commitment,) = cu.commitments
    return commitment


def test_globex_is_at_risk_and_alerted(result: Exposure) -> None:
    g = only(result, "globex")
    assert g.source is DowntimeSource.BAD_INTERVALS
    assert g.no_forecast is None
    assert g.expected_credit is not None
    assert g.expected_credit.currency == "EUR"
    assert g.expected_credit.amount > 0
    assert g.owed_now is not None
    assert g.expected_credit.amount >= g.owed_now.amount  # downtime only adds up
    assert g.worst_case_credit is not None
    assert g.worst_case_credit.amount >= g.owed_now.amount
    assert sum(t.probability for t in g.tiers) == pytest.approx(1.0)
    assert g.crossings  # the checkout outages put November in a credit tier
    assert alerts("Globex Corporation", g)[0].startswith("Globex Corporation's November credit")
    # The store holds 60 days: only October is a whole past period on record.
    assert g.history_periods == 1
    assert any("fewer than 3" in n for n in g.notes)
    assert g.band_low is not None
    assert g.band_high is not None
    assert g.band_low <= g.band_high


def test_initech_incident_forecast_by_hand(result: Exposure) -> None:
    i = only(result, "initech")
    assert i.source is DowntimeSource.INCIDENTS
    assert i.no_forecast is None
    assert i.history_periods == 6  # the incident log counts since the agreement began
    assert i.downtime_so_far_s == 50 * 60  # INC-1010 (INC-1021 was caused by the customer)
    # November in New York has 30 days and 1 hour: 0.1 % of it is 2595.6 s, so the 2596th
    # second of INC-1010 (from 09:30:00Z on the 21st) made the credit 10 %.
    (crossing,) = i.crossings
    assert not crossing.projected
    assert crossing.at == datetime(2026, 11, 21, 10, 13, 16, tzinfo=UTC)
    assert crossing.percent == Decimal(10)
    assert i.expected_credit is not None
    assert i.expected_credit.amount == Decimal("150.00")
    assert i.expected_credit.currency == "USD"


def test_money_is_summed_per_currency(result: Exposure) -> None:
    assert [m.currency for m in result.expected] == ["EUR", "USD"]
    for totals, pick in (
        (result.expected, "expected_credit"),
        (result.worst_case, "worst_case_credit"),
    ):
        for m in totals:
            parts = [
                getattr(c, pick).amount
                for cu in result.customers
                for c in cu.commitments
                if getattr(c, pick) is not None and getattr(c, pick).currency == m.currency
            ]
            assert m.amount == sum(parts, Decimal(0))
            assert m.amount == m.amount.quantize(Decimal("0.01"))


def test_json_document(result: Exposure) -> None:
    doc = exposure_json(result)
    assert doc["schema"] == SCHEMA
    globex = next(c for c in doc["customers"] if c["customer"] == "globex")
    (commitment,) = globex["commitments"]
    assert isinstance(commitment["expected_credit"]["amount"], str)
    assert commitment["crossings"][0]["text"].startswith("Globex Corporation's November")
    json.dumps(doc)  # serialisable as is


def test_exposure_refuses_a_naive_instant(shop: Path) -> None:
    engine = open_store(sqlite_url(shop))
    try:
        with pytest.raises(NaiveDatetimeError):
            exposure(engine, workspace=load_workspace(shop), at=datetime(2026, 11, 27))
    finally:
        engine.dispose()


def cli() -> typer.Typer:
    app = typer.Typer()
    exposure_cmds.register(app)
    app.command("version")(lambda: None)  # a second command keeps `exposure` a subcommand
    return app


def test_cli_table_and_json(shop: Path) -> None:
    runner = CliRunner()
    args = ["exposure", "-w", str(shop), "--at", "2026-11-27T09:30:00Z"]
    table = runner.invoke(cli(), args, env={"COLUMNS": "220"})
    assert table.exit_code == 0, table.output
    assert "Globex Corporation" in table.output
    assert "portfolio" in table.output
    out = runner.invoke(cli(), [*args, "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["schema"] == SCHEMA


def test_cli_reports_errors_with_exit_1(tmp_path: Path) -> None:
    out = CliRunner().invoke(
        cli(), ["exposure", "-w", str(tmp_path / "missing"), "--at", "2026-11-27T09:30:00Z"]
    )
    assert out.exit_code == 1
    assert "does not exist" in out.output


def test_projected_alert_wording() -> None:
    e = heading_for_ten_percent()
    assert alerts("ACME Corp", e) == [
        "at this rate, ACME Corp's November credit becomes 10 % on the 18th"
    ]


@pytest.mark.parametrize("minutes_before", [0, 10, 15])
def test_the_worst_case_is_never_below_the_expected_credit(shop: Path, minutes_before: int) -> None:
    """Early in the running outage a harsh tier becomes likely; the worst case must cover it."""
    engine = open_store(sqlite_url(shop))
    try:
        found = exposure(
            engine, workspace=load_workspace(shop), at=AT - timedelta(minutes=minutes_before)
        )
    finally:
        engine.dispose()
    for customer in found.customers:
        for c in customer.commitments:
            if c.expected_credit is not None and c.worst_case_credit is not None:
                assert c.worst_case_credit.amount >= c.expected_credit.amount, c.commitment
