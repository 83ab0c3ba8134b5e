"""A statement, credit or exposure at an instant after now is measured up to now only: the
minutes that have not happened are neither up time nor downtime, and the statement says it is
provisional. Before, an incident still open ran until --at (three days of downtime that had
not happened) and intervals after now with no requests counted as up."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import sqlite_url
from covenant.core.agreements import Incident
from covenant.core.support import TimerKind
from covenant.core.tickets import Ticket
from covenant.errors import InputError
from covenant.render.exposure import not_yet, render_exposure_table
from covenant.render.sla import render_statement_table, statement_html, statement_json
from covenant.services.backtest import backtest_agreement
from covenant.services.exposure import exposure
from covenant.services.ingest import ingest_counts, open_store
from covenant.services.sla import report_statement
from covenant.services.workspace import load_workspace
from covenant.store.records import save_incidents, save_tickets
from tests.conftest import ROOT

CONTRACT = """\
apiVersion: covenant/v1
kind: Customer
metadata: {name: acme}
spec: {currency: EUR}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: acme-sla}
spec:
  customer: acme
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {checkout: "1000.00"}
      period: {unit: month, timeZone: UTC}
      signatories: [{name: A, signedAt: 2025-12-01}]
      availability:
        - name: uptime
          services: [checkout]
          level: 99.9
          measurement: {source: incidents, recordsFrom: 2026-01-01}
          credits:
            - {below: 99.9, atLeast: 99.0, credit: 10}
            - {below: 99.0, credit: 30}
          backedBy: [checkout-monthly]
      support:
        - name: support
          targets:
            P1: {firstResponse: 30m, resolution: 4h}
          attainment: 95
          backedBy: [support-response]
"""
NOW = datetime(2026, 10, 5, 12, tzinfo=UTC)  # the pinned clock
LATER = NOW + timedelta(days=3)  # --at three days after now
OPENED = datetime(2026, 10, 5, 11, 30, tzinfo=UTC)  # the incident is still open
CREATED = datetime(2026, 10, 5, 10, tzinfo=UTC)  # a P1 ticket, still open


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_workspace(tmp_path)


def make_workspace(tmp_path: Path) -> Path:
    """The contract and one incident, open since 11:30 on the 5th (now is 12:00)."""
    ws = tmp_path / "ws"
    ws.mkdir()
    for name in ("services.yaml", "slis.yaml", "slos.yaml"):
        shutil.copy(ROOT / "examples" / "shop" / name, ws / name)
    (ws / "contract.yaml").write_text(CONTRACT)
    engine = open_store(sqlite_url(ws))
    with engine.begin() as conn:
        save_incidents(
            conn,
            at=NOW,
            incidents=[Incident(id="INC-9", services=("checkout",), start=OPENED, end=None)],
        )
        save_tickets(  # open since 10:00, no response yet
            conn,
            at=NOW,
            tickets=[Ticket(id="T-1", customer="acme", priority="P1", created=CREATED)],
        )
    engine.dispose()
    return ws


def statement(ws: Path, at: datetime, now: datetime | None):  # type: ignore[no-untyped-def]
    engine = open_store(sqlite_url(ws))
    try:
        return report_statement(
            engine, workspace=load_workspace(ws), customer="acme", period="2026-10", at=at, now=now
        )
    finally:
        engine.dispose()


def test_an_open_incident_counts_as_downtime_only_up_to_now(ws: Path) -> None:
    st = statement(ws, LATER, NOW)
    (a,) = st.availability
    # October 1st 00:00Z to now (the 5th, 12:00Z): 4.5 days; down from 11:30 to now: 30 min
    assert a.eligible_end == NOW
    assert a.eligible_s == 4 * 86400 + 12 * 3600 == 388_800
    assert a.downtime_s == 30 * 60
    assert a.level == Fraction(388_800 - 1800, 388_800)  # 99.537 %: the 10 % tier
    assert a.credit is not None
    assert a.credit.percent == Decimal(10)
    assert a.credit.amount.amount == Decimal("100.00")  # 10 % of the month's 1000.00
    assert not a.complete
    assert not st.complete
    assert st.generated_at == LATER
    assert st.measured_until == NOW
    # up to --at it would have been 3 days 30 minutes of 7.5 days (30 %, 300.00)


def test_a_running_ticket_timer_runs_only_up_to_now(ws: Path) -> None:
    st = statement(ws, LATER, NOW)
    (support,) = st.support
    timers = {t.kind: t for t in support.timers}
    resolution = timers[TimerKind.RESOLUTION]
    # created 10:00, now 12:00: 2 of its 4 hours, not 3 days 2 hours (breached)
    assert resolution.elapsed_s == 7200
    assert resolution.remaining_s == 4 * 3600 - 7200
    assert not resolution.breached
    assert timers[TimerKind.FIRST_RESPONSE].elapsed_s == 7200  # 30 minutes: breached at 10:30
    assert st.running_timers == 2


def test_the_same_statement_at_now_gives_the_same_figures(ws: Path) -> None:
    at_now = statement(ws, NOW, NOW)
    later = statement(ws, LATER, NOW)
    assert at_now.availability == later.availability
    assert at_now.credits == later.credits
    assert at_now.measured_until == NOW
    assert statement_json(at_now)["not_yet_note"] is None


def test_the_statement_says_it_is_measured_up_to_now(ws: Path) -> None:
    st = statement(ws, LATER, NOW)
    body = statement_json(st)
    assert body["generated_at"] == "2026-10-08T12:00:00Z"
    assert body["measured_until"] == "2026-10-05T12:00:00Z"
    assert body["complete"] is False
    assert body["not_yet_note"] == (
        "2026-10-08T12:00:00Z is after now: the statement is provisional, measured up to "
        "2026-10-05T12:00:00Z only; the time after now has not happened yet and counts "
        "neither as up time nor as downtime"
    )
    console = Console(width=200, record=True)
    render_statement_table(console, st)
    text = console.export_text()
    assert "provisional, measured up to 2026-10-05T12:00:00Z" in text
    assert "final" not in text
    html = statement_html(st)
    assert "Provisional: the period is still in progress (as of 5 Oct 2026" in html


def test_a_period_that_starts_after_now_is_refused(ws: Path) -> None:
    with pytest.raises(InputError) as raised:
        report_statement(
            open_store(sqlite_url(ws)),
            workspace=load_workspace(ws),
            customer="acme",
            period="2026-11",
            at=datetime(2026, 11, 2, tzinfo=UTC),
            now=NOW,
        )
    assert raised.value.message.startswith(
        "2026-11 has not started yet: now is 2026-10-05T12:00:00Z"
    )


def test_a_period_over_before_now_is_unchanged(ws: Path) -> None:
    st = statement(ws, datetime(2026, 10, 5, 11, 45, tzinfo=UTC), NOW)
    (a,) = st.availability
    assert a.downtime_s == 15 * 60  # up to --at, as before
    assert st.measured_until == datetime(2026, 10, 5, 11, 45, tzinfo=UTC)


def test_exposure_after_now_measures_the_period_so_far_up_to_now(ws: Path) -> None:
    engine = open_store(sqlite_url(ws))
    try:
        found = exposure(engine, workspace=load_workspace(ws), at=LATER, now=NOW)
        at_now = exposure(engine, workspace=load_workspace(ws), at=NOW, now=NOW)
    finally:
        engine.dispose()
    ((c,),) = [cu.commitments for cu in found.customers]
    ((n,),) = [cu.commitments for cu in at_now.customers]
    assert c.downtime_so_far_s == 30 * 60  # not 3 days 30 minutes
    assert c.level_so_far == Fraction(388_800 - 1800, 388_800)
    assert (c.level_so_far, c.downtime_so_far_s, c.owed_now) == (
        n.level_so_far,
        n.downtime_so_far_s,
        n.owed_now,
    )
    assert found.measured_until == NOW
    assert not_yet(found) == (
        "2026-10-08T12:00:00Z is after now: each period so far is measured up to "
        "2026-10-05T12:00:00Z only and forecast from there; the time after now has not "
        "happened yet and counts neither as up time nor as downtime"
    )
    assert not_yet(at_now) is None
    console = Console(width=200, record=True)
    render_exposure_table(console, found)
    assert console.export_text().startswith(
        "Credit exposure as of 2026-10-08T12:00:00Z (current periods measured up to "
        "2026-10-05T12:00:00Z, projected)"
    )
    # the forecast runs from now: the same time still at risk as the one at now
    assert (c.projected_downtime_s, c.expected_credit) == (
        n.projected_downtime_s,
        n.expected_credit,
    )


def test_cli_statement_with_at_after_the_pinned_clock(ws: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COVENANT_NOW", "2026-10-05T12:00:00Z")
    result = CliRunner().invoke(
        app,
        [
            "report",
            "sla",
            "-w",
            str(ws),
            "-c",
            "acme",
            "-p",
            "2026-10",
            "--at",
            "+3d",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    (item,) = body["availability"]
    assert item["downtime_seconds"] == 1800
    assert body["credits"] == [{"amount": "100.00", "currency": "EUR"}]
    assert body["measured_until"] == "2026-10-05T12:00:00Z"
    assert body["generated_at"] == "2026-10-08T12:00:00Z"


def test_exposure_of_a_period_that_starts_after_now_has_no_figures_yet(ws: Path) -> None:
    engine = open_store(sqlite_url(ws))
    try:
        found = exposure(
            engine, workspace=load_workspace(ws), at=datetime(2026, 11, 14, tzinfo=UTC), now=NOW
        )
    finally:
        engine.dispose()
    ((c,),) = [cu.commitments for cu in found.customers]
    assert c.level_so_far is None
    assert c.downtime_so_far_s == 0  # the incident open now is not November's yet
    assert c.no_forecast == (
        "it starts at 2026-11-01T00:00:00Z, after now (2026-10-05T12:00:00Z): none of it has "
        "happened yet"
    )


INTERVALS = """\
apiVersion: covenant/v1
kind: Customer
metadata: {name: acme}
spec: {currency: EUR}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: acme-sla}
spec:
  customer: acme
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {checkout: "1000.00"}
      period: {unit: month, timeZone: UTC}
      signatories: [{name: A, signedAt: 2025-12-01}]
      availability:
        - name: uptime
          services: [checkout]
          level: 99.95
          measurement: {source: bad-intervals, slo: checkout-monthly, interval: 5m,
                        errorRateAtLeast: 5}
          credits:
            - {below: 99.95, atLeast: 99.9, credit: 10}
            - {below: 99.9, credit: 30}
          backedBy: [checkout-monthly]
"""


def intervals_workspace(tmp_path: Path) -> Path:
    """Bad-intervals terms; buckets from October 1st to the 6th, 12:00 (a day ahead of the
    clock), all good but the 5 minutes from the 3rd, 09:00 (half the requests fail)."""
    ws = tmp_path / "ws"
    ws.mkdir()
    for name in ("services.yaml", "slis.yaml", "slos.yaml"):
        shutil.copy(ROOT / "examples" / "shop" / name, ws / name)
    (ws / "contract.yaml").write_text(INTERVALS)
    (series,) = {o.series for o in load_workspace(ws).objectives if o.slo == "checkout-monthly"}
    start = int(datetime(2026, 10, 1, tzinfo=UTC).timestamp())
    minutes = int(5.5 * 1440)  # to the 6th, 12:00: a source whose clock runs a day ahead
    bad = int(datetime(2026, 10, 3, 9, tzinfo=UTC).timestamp())  # one failing 5 minutes
    engine = open_store(sqlite_url(ws))
    try:
        starts = [start + 60 * i for i in range(minutes)]
        ingest_counts(
            engine,
            keys=[series] * minutes,
            bucket_starts=starts,
            good=[50 if bad <= s < bad + 300 else 100 for s in starts],
            total=[100] * minutes,
        )
    finally:
        engine.dispose()
    return ws


def test_intervals_stored_ahead_of_the_clock_are_not_counted_as_up(tmp_path: Path) -> None:
    st = statement(intervals_workspace(tmp_path), LATER, NOW)
    (a,) = st.availability
    # up to now: 4.5 days (388 800 s) with one bad interval: 388 500 / 388 800 = 99.9228 %
    assert (a.eligible_s, a.downtime_s) == (388_800, 300)
    assert a.level == Fraction(388_500, 388_800)
    assert a.credit is not None
    assert a.credit.percent == Decimal(10)
    assert not a.uncovered  # the time after now is not "uncovered": it has not happened
    # up to --at the day stored ahead counted as up: 474 900 / 475 200 = 99.9369 %, still 10 %
    assert st.measured_until == NOW


def test_a_backtest_after_now_measures_the_period_in_progress_up_to_now(tmp_path: Path) -> None:
    ws = intervals_workspace(tmp_path)
    proposal = INTERVALS.split("---\n", 1)[1].replace("level: 99.95", "level: 99.99")
    engine = open_store(sqlite_url(ws))
    try:
        bt = backtest_agreement(
            engine,
            workspace_dir=ws,
            proposal_text=proposal,
            first="2026-10",
            last="2026-10",
            at=LATER,
            now=NOW,
        )
    finally:
        engine.dispose()
    (row,) = bt.proposed.rows
    assert row.result is not None
    # up to now (4.5 days), not to the last bucket stored a day ahead of the clock
    assert (row.result.eligible_s, row.result.downtime_s) == (388_800, 300)
