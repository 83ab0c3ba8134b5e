"""Which version counts when: amendments mid-period, withdrawn drafts, periods that do not fit."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from covenant.config import sqlite_url
from covenant.core.agreements import Incident
from covenant.errors import InputError, NotFoundError
from covenant.services.ingest import open_store
from covenant.services.sla import report_statement
from covenant.services.workspace import load_workspace
from covenant.store.agreement_tables import agreement_events
from covenant.store.records import save_incidents
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
VERSION2
"""

AMENDMENT = """\
    - version: 2
      status: STATUS
      effectiveFrom: 2026-09-16
      reason: a bigger plan
      fees: {checkout: "2000.00"}
      period: {unit: month, timeZone: UTC}
SIGNATURES
      availability:
        - name: uptime
          services: [checkout]
          level: 99.9
          measurement: {source: incidents, recordsFrom: 2026-01-01}
          credits:
            - {below: 99.9, atLeast: 99.0, credit: 10}
            - {below: 99.0, credit: 30}
          backedBy: [checkout-monthly]
"""
AT = datetime(2026, 10, 5, tzinfo=UTC)


def workspace(tmp_path: Path, version2: str) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    for name in ("services.yaml", "slis.yaml", "slos.yaml"):
        shutil.copy(ROOT / "examples" / "shop" / name, ws / name)
    (ws / "contract.yaml").write_text(CONTRACT.replace("VERSION2", version2))
    engine = open_store(sqlite_url(ws))
    with engine.begin() as conn:
        save_incidents(
            conn,
            at=AT,
            incidents=[
                Incident(
                    id="INC-1",
                    services=("checkout",),
                    start=datetime(2026, 9, 20, tzinfo=UTC),
                    end=datetime(2026, 9, 20, 7, 13, tzinfo=UTC),
                )
            ],
        )  # 433 minutes
    engine.dispose()
    return ws


def statement(ws: Path, period: str = "2026-09"):  # type: ignore[no-untyped-def]
    engine = open_store(sqlite_url(ws))
    try:
        return report_statement(
            engine, workspace=load_workspace(ws), customer="acme", period=period, at=AT
        )
    finally:
        engine.dispose()


def test_an_amendment_mid_period_splits_the_month_without_counting_twice(tmp_path: Path) -> None:
    v2 = AMENDMENT.replace("STATUS", "signed").replace(
        "SIGNATURES", "      signatories: [{name: A, signedAt: 2026-09-01}]"
    )
    st = statement(workspace(tmp_path, v2))
    first, second = st.availability
    assert (first.version, second.version) == (1, 2)
    assert first.eligible_end == second.eligible_start == datetime(2026, 9, 16, tzinfo=UTC)
    assert first.eligible_s + second.eligible_s == 30 * 86400
    assert first.downtime_s == 0  # the incident on the 20th belongs to version 2 only
    assert second.downtime_s == 433 * 60
    assert first.credit is not None
    assert second.credit is not None
    assert first.credit.fee.amount == Decimal("500.00")  # 15 days of 1000.00
    assert second.credit.fee.amount == Decimal("1000.00")  # 15 days of 2000.00
    assert second.credit.percent == Decimal(30)  # 433 of 21 600 minutes: below 99.0 %
    assert [m.amount for m in st.credits] == [Decimal("300.00")]


def test_a_withdrawn_draft_is_not_binding(tmp_path: Path) -> None:
    v2 = AMENDMENT.replace("STATUS", "terminated").replace("SIGNATURES\n", "")
    st = statement(workspace(tmp_path, v2))
    (only,) = st.availability
    assert only.version == 1
    assert only.eligible_s == 30 * 86400


def test_periods_that_do_not_fit(tmp_path: Path) -> None:
    ws = workspace(tmp_path, "")
    with pytest.raises(InputError, match="per month"):
        statement(ws, "2026-Q3")
    with pytest.raises(NotFoundError, match="in force in 2025-06"):
        statement(ws, "2025-06")
    # a month after AT (2026-10-05): nothing to state yet, said so (not "not in force")
    with pytest.raises(InputError, match=r"^2026-11 has not started at 2026-10-05T00:00:00Z"):
        statement(ws, "2026-11")
    assert statement(ws, "2026-10").availability  # the month AT is in: its levels so far
    # at the month's first instant it has begun (the worker asks then, every month)
    engine = open_store(sqlite_url(ws))
    try:
        first = report_statement(
            engine,
            workspace=load_workspace(ws),
            customer="acme",
            period="2026-11",
            at=datetime(2026, 11, 1, tzinfo=UTC),
        )
    finally:
        engine.dispose()
    assert [a.eligible_s for a in first.availability] == [0]


def test_a_report_writes_no_history(tmp_path: Path) -> None:
    ws = workspace(tmp_path, "")
    statement(ws)
    engine = open_store(sqlite_url(ws))
    with engine.connect() as conn:
        events = conn.execute(sa.select(sa.func.count()).select_from(agreement_events)).scalar()
    engine.dispose()
    assert events == 0


def test_periods_that_do_not_fit_say_which_period_to_ask_for(tmp_path: Path) -> None:
    """The hints name a period that works (the API has no --period this-month to offer)."""
    ws = workspace(tmp_path, "")
    with pytest.raises(InputError) as future:
        statement(ws, "2026-11")  # AT is 2026-10-05: October is in progress
    assert future.value.hint == "ask for 2026-10 (the period in progress then) or an earlier one"
    with pytest.raises(NotFoundError) as before:
        statement(ws, "2025-06")  # version 1 takes effect on 2026-01-01
    assert before.value.message == "no agreement version of customer 'acme' was in force in 2025-06"
    assert before.value.hint == (
        "the first version (acme-sla v1) is in force from 2026-01: ask for that period or a "
        "later one"
    )
