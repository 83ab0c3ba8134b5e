"""SLA statements end to end: the demo shop's customers, from the store to the rendered report."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.core.agreements import PeriodUnit
from covenant.core.support import TimerKind, TimerState
from covenant.errors import InputError, NotFoundError
from covenant.render.sla import (
    level_text,
    render_statement_table,
    statement_html,
    statement_json,
)
from covenant.services.demo import run_demo
from covenant.services.ingest import open_store
from covenant.services.sla import parse_period, report_statement
from covenant.services.workspace import load_workspace
from tests.conftest import ROOT

AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("sla") / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    run_demo(Settings(workspace=target, database_url=sqlite_url(target)), at=AT, days=60)
    return target


def statement(shop: Path, customer: str, period: str = "2026-11"):  # type: ignore[no-untyped-def]
    engine = open_store(sqlite_url(shop))
    try:
        return report_statement(
            engine, workspace=load_workspace(shop), customer=customer, period=period, at=AT
        )
    finally:
        engine.dispose()


def test_incident_measured_uptime_with_a_customer_caused_exclusion(shop: Path) -> None:
    st = statement(shop, "initech")
    (a,) = st.availability
    # November in New York starts at 04:00Z; measured until `at`, the period is in progress.
    assert a.eligible_start == datetime(2026, 11, 1, 4, tzinfo=UTC)
    assert a.eligible_s == 26 * 86400 + 5 * 3600 + 1800
    assert a.downtime_s == 50 * 60  # INC-1010; INC-1021 was caused by the customer
    assert [e.reason for e in a.exclusions] == ["incident INC-1021: caused by the customer"]
    assert a.level == Fraction(a.eligible_s - 3000, a.eligible_s)
    assert a.credit is not None
    assert a.credit.percent == Decimal(10)
    assert a.credit.amount.amount == Decimal("150.00")
    assert a.claim_deadline == datetime(2027, 1, 1, 5, tzinfo=UTC)  # end of December, EST
    assert not st.complete


def test_bad_interval_uptime_excludes_announced_maintenance(shop: Path) -> None:
    st = statement(shop, "globex")
    (a,) = st.availability
    assert a.excluded_s == 3600
    assert a.exclusions[0].reason.startswith("maintenance “Order database upgrade”: announced")
    assert "checkout-db-upgrade" not in a.exclusions[0].reason  # the internal name
    assert a.met is False  # the incident running now pushes November under 99.95 %
    assert a.credit is not None
    assert a.credit.amount.amount > 0
    assert all(e.reason.startswith("5-minute interval with") for e in a.down)
    assert sum(e.seconds for e in a.down) == a.downtime_s


def test_support_timers_and_attainment(shop: Path) -> None:
    st = statement(shop, "globex")
    names = {s.commitment for s in st.support}
    assert names == {"enterprise-support", "business-hours-support"}
    business = next(s for s in st.support if s.commitment == "business-hours-support")
    assert {a.priority for a in business.attainment} == {"P3"}
    for s in st.support:
        for t in s.timers:
            assert t.remaining_s == t.target_s - t.elapsed_s
            assert t.breached == (t.elapsed_s > t.target_s)
        for a in s.attainment:
            assert a.met + a.breached + a.running == sum(
                1 for t in s.timers if t.priority == a.priority and t.kind is a.kind
            )
    enterprise = next(s for s in st.support if s.commitment == "enterprise-support")
    p1 = [t for t in enterprise.timers if t.priority == "P1" and t.kind is TimerKind.FIRST_RESPONSE]
    assert p1
    assert all(t.target_s == 1800 for t in p1)


def test_statement_renders_without_internal_names(shop: Path) -> None:
    st = statement(shop, "globex")
    html = statement_html(st)
    data = json.dumps(statement_json(st))
    for internal in ("checkout-monthly", "checkout-availability", "burn", "error budget"):
        assert internal not in html
        assert internal not in data
    assert "Globex Corporation" in html
    assert json.loads(data)["schema"] == "covenant.statement/v1"


def test_report_cli_formats(shop: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    base = [
        "report",
        "sla",
        "-w",
        str(shop),
        "--customer",
        "initech",
        "--period",
        "2026-11",
        "--at",
        "2026-11-27T09:30:00Z",
    ]
    table = runner.invoke(app, base)
    assert table.exit_code == 0, table.output
    assert "Initech" in table.output
    as_json = runner.invoke(app, [*base, "--format", "json"])
    assert json.loads(as_json.stdout)["credits"] == [{"amount": "150.00", "currency": "USD"}]
    out = tmp_path / "statement.html"
    html = runner.invoke(app, [*base, "--format", "html", "--output", str(out)])
    assert html.exit_code == 0
    assert out.read_text().startswith("<!doctype html>")
    unknown = runner.invoke(app, [*base[:4], "--customer", "hooli", "--period", "2026-11"])
    assert unknown.exit_code == 1
    assert "globex, initech" in unknown.output


def test_periods() -> None:
    assert parse_period("2026-10") == (2026, 10, PeriodUnit.MONTH)
    assert parse_period("2026-Q4") == (2026, 10, PeriodUnit.QUARTER)
    with pytest.raises(InputError, match="1971 to 8999"):
        parse_period("9999-12")
    with pytest.raises(InputError, match="2026-Q4"):
        parse_period("October")
    with pytest.raises(InputError):
        parse_period("2026-13")


def test_unknown_customer(shop: Path) -> None:
    with pytest.raises(NotFoundError, match="globex, initech"):
        statement(shop, "hooli")


def test_levels_are_shown_truncated_so_they_never_look_met() -> None:
    just_below = Fraction(43200 * 60 - (432 * 60 + 1), 43200 * 60)  # 432 min 1 s down
    assert just_below < Fraction(99, 100)
    assert level_text(just_below) == "98.999 %"
    assert level_text(Fraction(99, 100)) == "99.000 %"


def test_unwritable_output_is_a_clear_error(shop: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "report",
            "sla",
            "-w",
            str(shop),
            "--customer",
            "initech",
            "--period",
            "2026-11",
            "--at",
            "2026-11-27T09:30:00Z",
            "--format",
            "html",
            "--output",
            str(tmp_path / "missing" / "x.html"),
        ],
    )
    assert result.exit_code == 1
    assert "cannot write" in result.output


def test_an_ended_period_with_running_timers_says_why_it_is_provisional(shop: Path) -> None:
    """The period is over but a ticket's timer runs: the statement used to say "the period is
    still in progress" (HTML) or give no reason (table)."""
    st = statement(shop, "globex", "2026-10")
    assert st.generated_at >= st.period_end
    first = st.support[0]
    running = dataclasses.replace(first.timers[0], stopped=None, state=TimerState.RUNNING)
    others = [t for s in st.support for t in s.timers][1:]
    expected = 1 + sum(t.stopped is None for t in others)
    st = dataclasses.replace(
        st,
        support=(dataclasses.replace(first, timers=(running, *first.timers[1:])), *st.support[1:]),
    )
    assert not st.complete
    assert not st.partial
    html = statement_html(st)
    assert "still in progress" not in html
    timers = (  # English plural forms: one timer is, several timers are
        "support timer of its tickets is" if expected == 1 else "support timers of its tickets are"
    )
    assert f"the period is over, but {expected} {timers} still running" in html
    console = Console(record=True, width=80)
    render_statement_table(console, st)
    text = console.export_text()
    verb = "timer is" if expected == 1 else "timers are"  # never "timer(s)"
    assert f"{expected} support {verb} still running" in text.replace("\n", " ")


def test_a_quarter_of_a_monthly_agreement_is_refused_in_plain_words(shop: Path) -> None:
    with pytest.raises(InputError) as caught:
        statement(shop, "globex", "2026-Q4")
    message = str(caught.value)
    assert "'globex''s" not in message  # was: 'globex''s agreements report per month
    assert message.startswith("the agreements of customer 'globex' report per month, not per")
    assert "ask for a month such as 2026-10" in message
