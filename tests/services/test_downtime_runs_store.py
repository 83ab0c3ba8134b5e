"""``minimumRun`` from the store: a statement, the exposure (money at risk), a backtest and
the customer's view of the terms all count only runs of bad minutes at least that long, and
read the data around a period so a run across its bound is judged whole (docs/sla.md)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest
from rich.console import Console

from covenant.config import sqlite_url
from covenant.render.agreements import render_version
from covenant.services.backtest import backtest_agreement
from covenant.services.exposure import exposure, past_periods
from covenant.services.ingest import ingest_counts, open_store
from covenant.services.portal import customer_version_document
from covenant.services.sla import availability_inputs, report_statement
from covenant.services.workspace import load_workspace
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
          measurement: {source: bad-intervals, slo: checkout-monthly, interval: 1m,
                        errorRateAtLeast: 100, minimumRun: 5m}
          credits:
            - {below: 99.9, credit: 10}
          backedBy: [checkout-monthly]
"""
START = datetime(2026, 9, 30, tzinfo=UTC)
CROSSING = datetime(2026, 9, 30, 23, 57, tzinfo=UTC)  # 6 failing minutes: 3 in each month
SHORT = datetime(2026, 10, 2, 10, tzinfo=UTC)  # 4 failing minutes: no Downtime Period
LONG = datetime(2026, 10, 3, 8, tzinfo=UTC)  # 7 failing minutes
NOW = datetime(2026, 10, 4, tzinfo=UTC)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    for name in ("services.yaml", "slis.yaml", "slos.yaml"):
        shutil.copy(ROOT / "examples" / "shop" / name, ws / name)
    (ws / "contract.yaml").write_text(CONTRACT)
    (series,) = {o.series for o in load_workspace(ws).objectives if o.slo == "checkout-monthly"}
    first = int(START.timestamp())
    starts = [first + 60 * i for i in range(4 * 1440)]  # Sept 30 to Oct 3, every minute
    failing = {
        int(at.timestamp()) + 60 * k
        for at, n in ((CROSSING, 6), (SHORT, 4), (LONG, 7))
        for k in range(n)
    }
    engine = open_store(sqlite_url(ws))
    try:
        ingest_counts(
            engine,
            keys=[series] * len(starts),
            bucket_starts=starts,
            good=[0 if s in failing else 100 for s in starts],
            total=[100] * len(starts),
        )
    finally:
        engine.dispose()
    return ws


def test_a_statement_counts_the_long_runs_and_each_month_its_part(ws: Path) -> None:
    engine = open_store(sqlite_url(ws))
    try:
        october, september = (
            report_statement(
                engine, workspace=load_workspace(ws), customer="acme", period=p, at=NOW, now=NOW
            )
            for p in ("2026-10", "2026-09")
        )
    finally:
        engine.dispose()
    (a,) = october.availability
    # 3 minutes of the crossing run + the 7-minute run; the 4-minute run does not count
    assert a.downtime_s == 10 * 60
    assert a.eligible_s == 3 * 86400
    assert a.level == Fraction(3 * 1440 - 10, 3 * 1440)
    (b,) = september.availability
    assert b.downtime_s == 3 * 60  # the crossing run's September minutes


def test_the_exposure_and_a_backtest_measure_the_same(ws: Path) -> None:
    engine = open_store(sqlite_url(ws))
    try:
        found = exposure(engine, workspace=load_workspace(ws), at=NOW, now=NOW)
        bt = backtest_agreement(
            engine,
            workspace_dir=ws,
            proposal_text=CONTRACT.split("---\n", 1)[1].replace("minimumRun: 5m", "minimumRun: 7m"),
            first="2026-10",
            last="2026-10",
            at=NOW,
            now=NOW,
        )
    finally:
        engine.dispose()
    ((c,),) = [cu.commitments for cu in found.customers]
    assert c.downtime_so_far_s == 10 * 60
    (proposed,) = bt.proposed.rows
    assert proposed.result is not None
    assert proposed.result.downtime_s == 7 * 60  # 7 minutes and more: only the 7-minute run
    ((current,),) = [v.rows for v in bt.current]
    assert current.result is not None
    assert current.result.downtime_s == 10 * 60


def test_the_customer_and_the_terms_table_show_the_minimum_run(ws: Path) -> None:
    (version,) = load_workspace(ws).agreements
    shown = customer_version_document(version)
    assert shown["availability"][0]["measurement"]["minimum_run_s"] == 300
    console = Console(width=200, record=True)
    render_version(console, version)
    assert "bad-intervals on checkout-availability, runs ≥ 5m" in console.export_text()


def test_a_period_is_complete_only_once_a_run_across_its_end_is_judged(ws: Path) -> None:
    """September's figure depends on the minutes up to its end plus one minimum run less one
    interval (5m - 1m = 4m: Oct 1 00:04): before then a run crossing the end may still count."""
    engine = open_store(sqlite_url(ws))

    def september(at: datetime) -> tuple[bool, int]:
        found = report_statement(
            engine, workspace=load_workspace(ws), customer="acme", period="2026-09", at=at, now=at
        )
        (a,) = found.availability
        return a.complete, a.downtime_s

    try:
        assert september(datetime(2026, 10, 1, 0, 1, tzinfo=UTC))[0] is False
        assert september(datetime(2026, 10, 1, 0, 3, 59, tzinfo=UTC))[0] is False
        assert september(datetime(2026, 10, 1, 0, 4, tzinfo=UTC)) == (True, 3 * 60)
    finally:
        engine.dispose()


def test_the_exposure_history_judges_a_run_across_a_past_period_end_whole(ws: Path) -> None:
    """A past period in the exposure's history counts a run crossing its end as a statement
    does: September holds 3 minutes of the 6-minute run from Sep 30 23:57 (hand count)."""
    workspace = load_workspace(ws)
    (series,) = {o.series for o in workspace.objectives if o.slo == "checkout-monthly"}
    (version,) = workspace.agreements
    (commitment,) = version.availability
    september = (datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
    first = int(september[0].timestamp())
    engine = open_store(sqlite_url(ws))
    try:
        starts = list(range(first, int(START.timestamp()), 60))  # the clean rest of September
        ingest_counts(
            engine,
            keys=[series] * len(starts),
            bucket_starts=starts,
            good=[100] * len(starts),
            total=[100] * len(starts),
        )
        with engine.connect() as conn:
            incidents, maintenance, data = availability_inputs(
                conn,
                workspace=workspace,
                version=version,
                commitment=commitment,
                start=september[0],
                end=NOW,
            )
    finally:
        engine.dispose()
    history, _ = past_periods(
        version,
        commitment,
        periods=[september],
        incidents=incidents,
        maintenance=maintenance,
        data=data,
        until=NOW,
    )
    ((start, episodes),) = [(p.start, p.episodes) for p in history]
    assert start == september[0]
    assert episodes == (3 * 60,)
