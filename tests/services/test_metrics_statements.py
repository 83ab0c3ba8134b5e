"""Closed statement periods not issued, on ``/metrics`` (``services.statement_backlog``), on
SQLite and PostgreSQL: per customer, how many periods of its binding agreements ended in the
last 366 days without a statement issued for them, and when the oldest of them ended — what an
operator alerts on ("not issued 5 days after its period ended").

The shop's two agreements are both in force from 1 January 2026, monthly: Globex's in Berlin
time, Initech's in New York time. Worked out by hand:

- on 15 December 2026 09:00 UTC, January to November are closed (11 periods each; December is
  in progress). Initech's October and November are issued on 10 December: 9 left, the oldest
  January, which ended at 2026-02-01 00:00 in New York (EST, UTC-5) = 2026-02-01T05:00:00Z;
  Globex's 11, the oldest January ending 2026-02-01 00:00 in Berlin (CET, UTC+1) =
  2026-01-31T23:00:00Z;
- on 5 December 2026 (before the issue) Initech has all 11;
- on 15 June 2027 09:00 UTC the last 366 days start on 2026-06-14T09:00:00Z: the periods that
  ended since are June 2026 (ended 2026-07-01T04:00:00Z in New York, EDT; 2026-06-30T22:00:00Z
  in Berlin, CEST) to May 2027, 12 each; Initech's two issued: 10.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine

from covenant.definitions.workspace import Workspace
from covenant.render.metrics import Snapshot, exposition
from covenant.render.metrics_statements import UnissuedStatements
from covenant.services.agreements import sync_agreements
from covenant.services.issued_statements import issue_statement
from covenant.services.metrics import SharedMetrics
from covenant.services.statement_backlog import unissued_statements
from covenant.services.store import open_store
from covenant.services.workspace import load_workspace
from tests.conftest import ROOT

ISSUED_AT = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
BEFORE = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
NEXT_SUMMER = datetime(2027, 6, 15, 9, 0, tzinfo=UTC)
COUNT = "covenant_statement_periods_unissued"
OLDEST = "covenant_statement_unissued_oldest_end_timestamp_seconds"


@pytest.fixture
def shop(tmp_path: Path, store_url: str) -> Iterator[tuple[Workspace, Engine]]:
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    engine = open_store(store_url)
    workspace = load_workspace(target)
    sync_agreements(engine, workspace=workspace, at=ISSUED_AT, actor="test")
    for period in ("2026-10", "2026-11"):  # no records: provisional, issued as they stand
        issue_statement(
            engine, workspace=workspace, customer="initech", period=period, now=ISSUED_AT,
            actor="test", force=True,
        )  # fmt: skip
    yield workspace, engine
    engine.dispose()


def _by_customer(found: tuple[UnissuedStatements, ...]) -> dict[str, tuple[int, datetime | None]]:
    return {u.customer: (u.periods, u.oldest_end) for u in found}


def test_closed_periods_not_issued_per_customer(shop: tuple[Workspace, Engine]) -> None:
    workspace, engine = shop
    assert _by_customer(unissued_statements(engine, workspace=workspace, now=NOW)) == {
        "globex": (11, datetime(2026, 1, 31, 23, 0, tzinfo=UTC)),
        "initech": (9, datetime(2026, 2, 1, 5, 0, tzinfo=UTC)),
    }
    before = _by_customer(unissued_statements(engine, workspace=workspace, now=BEFORE))
    assert before["initech"] == (11, datetime(2026, 2, 1, 5, 0, tzinfo=UTC))
    assert _by_customer(unissued_statements(engine, workspace=workspace, now=NEXT_SUMMER)) == {
        "globex": (12, datetime(2026, 6, 30, 22, 0, tzinfo=UTC)),
        "initech": (10, datetime(2026, 7, 1, 4, 0, tzinfo=UTC)),
    }


def _samples(body: bytes) -> dict[tuple[str, str], float]:
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            if s.name in (COUNT, OLDEST):
                assert set(s.labels) == {"customer"}  # bounded: the workspace's customers
                found[s.name, s.labels["customer"]] = s.value
    return found


def test_the_families_on_the_page(shop: tuple[Workspace, Engine]) -> None:
    workspace, engine = shop
    rendered = exposition(
        Snapshot(
            at=NOW,
            evaluations=(),
            exposure=None,
            alerts=(),
            unissued=(
                UnissuedStatements(customer="acme", periods=0, oldest_end=None),
                UnissuedStatements(
                    customer="initech", periods=9, oldest_end=datetime(2026, 2, 1, 5, tzinfo=UTC)
                ),
            ),
        )
    )
    assert _samples(rendered) == {
        (COUNT, "acme"): 0.0,  # every customer has its count; no oldest when none is due
        (COUNT, "initech"): 9.0,
        (OLDEST, "initech"): 1_769_922_000.0,  # 2026-02-01T05:00:00Z: 20,485 days × 86,400 + 5 h
    }

    page = SharedMetrics().page(engine, workspace=lambda: workspace, now=NOW)  # at the scrape
    assert _samples(page) == {
        (COUNT, "globex"): 11.0,
        (COUNT, "initech"): 9.0,
        (OLDEST, "globex"): 1_769_900_400.0,  # 2026-01-31T23:00:00Z: 20,484 days + 23 h
        (OLDEST, "initech"): 1_769_922_000.0,
    }
