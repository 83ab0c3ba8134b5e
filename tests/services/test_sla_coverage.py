"""Statements for periods the stored records cover only in part (or not at all) say so and
never count the uncovered time as up time: buckets cover from the first to the last stored
bucket with requests, incidents from `recordsFrom` or the first incident on record."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.render.sla import render_statement_table, statement_html, statement_json
from covenant.services.demo import run_demo
from covenant.services.ingest import ingest_counts, open_store
from covenant.services.sla import report_statement
from covenant.services.workspace import load_workspace
from tests.conftest import ROOT

DEMO_AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 12, 5, tzinfo=UTC)


NO_RECORDS_FROM = Path(__file__).parent / "fixtures" / "no-records-from.yaml"
"""Umbrella: Initech's storefront terms without `recordsFrom` (the demo's Initech states it)."""


def copy_shop(base: Path) -> Path:
    """The demo workspace plus the Umbrella fixture agreement."""
    target = base / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    shutil.copy(NO_RECORDS_FROM, target / "umbrella.yaml")
    return target


def statement(shop: Path, customer: str, period: str, at: datetime):  # type: ignore[no-untyped-def]
    engine = open_store(sqlite_url(shop))
    try:
        return report_statement(
            engine, workspace=load_workspace(shop), customer=customer, period=period, at=at
        )
    finally:
        engine.dispose()


def table_text(st) -> str:  # type: ignore[no-untyped-def]
    console = Console(width=400, record=True)
    render_statement_table(console, st)
    return console.export_text()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shop = copy_shop(tmp_path_factory.mktemp("coverage"))
    run_demo(Settings(workspace=shop, database_url=sqlite_url(shop)), at=DEMO_AT, days=60)
    return shop


def test_a_month_the_buckets_cover_for_sixty_minutes_is_partial_not_final(tmp_path: Path) -> None:
    shop = copy_shop(tmp_path)
    workspace = load_workspace(shop)
    (series,) = {o.series for o in workspace.objectives if o.slo == "checkout-monthly"}
    engine = open_store(sqlite_url(shop))
    try:
        start = int(datetime(2026, 10, 10, 10, tzinfo=UTC).timestamp())
        ingest_counts(
            engine,
            keys=[series] * 60,
            bucket_starts=[start + 60 * i for i in range(60)],
            good=[100] * 60,
            total=[100] * 60,
        )
    finally:
        engine.dispose()
    st = statement(shop, "globex", "2026-10", LATER)
    (a,) = st.availability
    # October in Berlin: 2026-09-30T22:00Z to 2026-10-31T23:00Z = 31 days + 1 hour
    assert a.eligible_start == datetime(2026, 9, 30, 22, tzinfo=UTC)
    assert a.eligible_end == datetime(2026, 10, 31, 23, tzinfo=UTC)
    assert a.eligible_s == 3600  # only the covered hour is measured
    assert a.uncovered_s == 31 * 86400 + 3600 - 3600
    assert [(e.start, e.end) for e in a.uncovered] == [
        (datetime(2026, 9, 30, 22, tzinfo=UTC), datetime(2026, 10, 10, 10, tzinfo=UTC)),
        (datetime(2026, 10, 10, 11, tzinfo=UTC), datetime(2026, 10, 31, 23, tzinfo=UTC)),
    ]
    assert a.coverage == "partial"
    # each uncovered span says on which side of the stored hour it lies
    assert [e.reason for e in a.uncovered] == [
        "no requests stored for this time: the stored records start at 2026-10-10T10:00:00Z",
        "no requests stored for this time: the stored records end at 2026-10-10T11:00:00Z",
    ]
    assert a.level == 1
    assert not st.complete  # the period is over, but not final
    assert st.partial
    body = statement_json(st)
    assert body["complete"] is False
    assert body["partial_coverage"] is True
    (item,) = body["availability"]
    assert (item["coverage"], item["uncovered_seconds"]) == ("partial", 31 * 86400)
    text = table_text(st)
    assert "partial coverage" in text
    assert "final" not in text
    html = statement_html(st)
    assert "Provisional: the stored records do not cover all of the period" in html
    assert "Not covered by records" in html


def test_an_incident_measured_month_with_no_records_on_file_is_no_data(tmp_path: Path) -> None:
    shop = copy_shop(tmp_path)
    st = statement(shop, "umbrella", "2026-11", LATER)
    (a,) = st.availability
    assert a.level is None
    assert a.met is None
    assert a.credit is None
    assert a.coverage == "none"
    assert a.no_data is not None
    assert "no incident on storefront is on record" in a.no_data
    assert "recordsFrom" in a.no_data
    assert not st.complete
    (item,) = statement_json(st)["availability"]
    assert item["coverage"] == "none"
    assert item["level"]["exact"] is None
    assert "no data" in table_text(st)
    # nothing was measured: the downtime column is not a "0 min" that reads as no outage
    (row,) = [line for line in table_text(st).splitlines() if "no data" in line and "%" in line]
    assert row.split()[-3:] == ["data", "—", "—"]  # measured "no data", downtime, credit
    assert "0 min" not in table_text(st)


def test_an_incident_measured_month_before_the_first_record_is_partial(demo: Path) -> None:
    """The demo's first storefront incident starts 40 days before 2026-11-27T09:30Z, at
    2026-10-18T09:30Z. October in New York runs 2026-10-01T04:00Z to 2026-11-01T04:00Z, so
    17 days 5 h 30 min of it are before the records start."""
    st = statement(demo, "umbrella", "2026-10", LATER)
    (a,) = st.availability
    assert [(e.start, e.end) for e in a.uncovered] == [
        (datetime(2026, 10, 1, 4, tzinfo=UTC), datetime(2026, 10, 18, 9, 30, tzinfo=UTC))
    ]
    assert a.uncovered_s == 17 * 86400 + 5 * 3600 + 1800
    month_s = 31 * 86400
    assert a.eligible_s == month_s - a.uncovered_s
    assert a.downtime_s == 40 * 60  # INC-0931
    assert a.level == Fraction(a.eligible_s - 2400, a.eligible_s)
    assert not st.complete
    # November is covered in full: its statement is unchanged by coverage
    (november,) = statement(demo, "umbrella", "2026-11", DEMO_AT).availability
    assert november.coverage == "full"
    assert november.uncovered == ()


def test_the_demos_initech_states_its_records_and_last_month_is_clean(demo: Path) -> None:
    """The demo's Initech states `recordsFrom: 2026-01-01` (its incident log is kept since the
    agreement began): October — the README tour's last month at the demo's instant — is a
    full statement. October in New York is 2026-10-01T04:00Z to 2026-11-01T04:00Z (DST ends
    on 1 November, after it): 31 × 86 400 = 2 678 400 s, 40 min of it down (INC-0931)."""
    st = statement(demo, "initech", "2026-10", LATER)
    (a,) = st.availability
    assert a.coverage == "full"
    assert a.uncovered == ()
    assert a.eligible_s == 2_678_400
    assert a.downtime_s == 2400
    assert a.level == Fraction(2_678_400 - 2400, 2_678_400)  # 99.910 %: met
    assert a.met is True
    assert st.complete
    assert "partial" not in table_text(st)


def test_stating_when_the_incident_records_start_covers_the_month(tmp_path: Path) -> None:
    shop = copy_shop(tmp_path)
    contracts = shop / "umbrella.yaml"
    text = contracts.read_text()
    old = "measurement: {source: incidents, severities: [sev1, sev2]}"
    assert text.count(old) == 1
    contracts.write_text(
        text.replace(
            old,
            "measurement: {source: incidents, severities: [sev1, sev2], recordsFrom: 2026-11-01}",
        )
    )
    st = statement(shop, "umbrella", "2026-11", LATER)
    (a,) = st.availability
    assert a.coverage == "full"
    assert a.level == 1  # nothing recorded since the records start: a clean month
    assert st.complete
    # a month before recordsFrom is no data
    (october,) = statement(shop, "umbrella", "2026-10", LATER).availability
    assert october.coverage == "none"
    assert october.level is None
    assert json.dumps(statement_json(statement(shop, "umbrella", "2026-10", LATER)))


def test_report_sla_refuses_tiers_that_pay_while_the_level_is_met(tmp_path: Path) -> None:
    """Written top-down by lower bounds alone, the first tier pays 10 % at 100 % uptime: the
    statement is not silent about it, it refuses with the fix."""
    shop = copy_shop(tmp_path)
    contracts = shop / "contracts.yaml"
    text = contracts.read_text()
    old = "            - {below: 99.9, atLeast: 99.0, credit: 10}\n"
    assert old in text
    contracts.write_text(text.replace(old, "            - {atLeast: 99.0, credit: 10}\n"))
    result = CliRunner().invoke(
        app,
        ["report", "sla", "-w", str(shop), "--customer", "initech", "--period", "2026-11"],
    )
    assert result.exit_code == 1
    assert "credit-tier-above-level" in result.output
    assert "below: 99.9" in result.output
