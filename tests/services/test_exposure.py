"""Exposure end to end on the demo shop: forecasts from the store, money per currency, the CLI."""

from __future__ import annotations

import itertools
import json
import shutil
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from covenant.cli import exposure_cmds
from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.core.agreements import DowntimeSource
from covenant.core.forecast import WORST_CASE_FLOOR, CommitmentExposure
from covenant.core.forecast_portfolio import Exposure
from covenant.errors import NaiveDatetimeError
from covenant.render.exposure import SCHEMA, alerts, exposure_json
from covenant.services.demo import run_demo
from covenant.services.exposure import exposure
from covenant.services.ingest import open_store
from covenant.services.workspace import load_workspace
from covenant.store.buckets import read_matrix
from tests.conftest import ROOT
from tests.core.test_forecast import heading_for_ten_percent
from tests.services.test_sla_coverage import NO_RECORDS_FROM

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
    # Initech states its incident records start on 2026-01-01 (recordsFrom): the six months
    # before November (May to October) are on record, clean but for INC-0931 in October.
    assert i.history_periods == 6
    assert not any("previous periods are on record" in n for n in i.notes)
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
    (tmp_path / "slos.yaml").write_text("apiVersion: openslo/v1\nkind: [\n")
    out = CliRunner().invoke(
        cli(), ["exposure", "-w", str(tmp_path), "--at", "2026-11-27T09:30:00Z"]
    )
    assert out.exit_code == 1
    assert "[yaml-syntax]" in out.output
    # a -w that is no folder is a usage error (exit 2): tests/cli/test_workspace_option.py


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
                # Tiers below the worst-case floor may lift the mean, by their own small mass.
                tail = sum(
                    (
                        Decimal(t.probability) * t.credit.amount
                        for t in c.tiers
                        if t.probability < WORST_CASE_FLOOR
                    ),
                    Decimal(0),
                )
                slack = tail.quantize(Decimal("0.01"), rounding=ROUND_CEILING)
                assert c.worst_case_credit.amount >= c.expected_credit.amount - slack, c.commitment


def test_an_empty_store_gives_incident_commitments_no_made_up_history(tmp_path: Path) -> None:
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    shutil.copy(NO_RECORDS_FROM, target / "umbrella.yaml")  # records start unstated
    engine = open_store(sqlite_url(target))
    try:
        found = exposure(engine, workspace=load_workspace(target), at=AT)
    finally:
        engine.dispose()
    i = only(found, "umbrella")
    assert i.history_periods == 0  # not six clean months
    assert any(n.startswith("no history on record") for n in i.notes)
    # nor a clean month so far: no incident record covers it, so there is no level to project
    assert i.level_so_far is None
    assert i.expected_credit is None
    assert i.no_forecast is not None
    assert "no incident on storefront is on record" in i.no_forecast


def test_stale_data_is_not_counted_as_up_time(shop: Path, result: Exposure) -> None:
    """Three hours after the data ends, the forecast is the one made when it ended (the gap
    is unknown time still at risk), with a note — not three more clean hours."""
    engine = open_store(sqlite_url(shop))
    try:
        later = exposure(engine, workspace=load_workspace(shop), at=AT + timedelta(hours=3))
    finally:
        engine.dispose()
    now, stale = only(result, "globex"), only(later, "globex")
    assert not any(n.startswith("data ends at") for n in now.notes)
    assert "data ends at 2026-11-27T09:30:00Z; the forecast does not count the gap as up time" in (
        stale.notes
    )
    assert stale.projected_downtime_s == now.projected_downtime_s
    assert stale.tiers == now.tiers
    assert stale.credibility == now.credibility


def test_data_that_ends_before_the_period_is_named_at_its_own_end(shop: Path) -> None:
    """Four months after the shop's data ends (at AT), the note names where it ends, not the
    start of the period it does not reach."""
    engine = open_store(sqlite_url(shop))
    try:
        later = exposure(engine, workspace=load_workspace(shop), at=AT + timedelta(days=120))
    finally:
        engine.dispose()
    notes = only(later, "globex").notes
    assert "data ends at 2026-11-27T09:30:00Z; the forecast does not count the gap as up time" in (
        notes
    )
    assert not any(n.startswith("data ends at 2027-") for n in notes)


def test_a_running_outage_moves_the_tier_chances_smoothly(shop: Path) -> None:
    """Minutes apart during Globex's outage, no tier jumps to certainty; the projected alert
    for the 25 % tier comes within the outage, not days later at the month's mean rate."""
    engine = open_store(sqlite_url(shop))
    try:
        found = [
            only(
                exposure(engine, workspace=load_workspace(shop), at=AT - timedelta(minutes=m)),
                "globex",
            )
            for m in (20, 15, 10, 5)
        ]
    finally:
        engine.dispose()
    worse = [next(t.probability for t in g.tiers if t.percent == Decimal(25)) for g in found]
    assert all(0.1 < p < 0.99 for p in worse), worse
    assert all(0 < b - a < 0.35 for a, b in itertools.pairwise(worse)), worse
    ten_before = found[2]
    (alert,) = [x for x in ten_before.crossings if x.projected]
    assert alert.percent == Decimal(25)
    assert alert.at - (AT - timedelta(minutes=10)) < timedelta(hours=1)


def test_an_agreement_wide_cap_bounds_exposure_as_it_bounds_the_statement(
    tmp_path: Path,
) -> None:
    """Initech's November is locked in the 10 % tier (50 min down; 10 % of 1500.00 = 150.00,
    test_initech_incident_forecast_by_hand). Capped at 100.00 across the agreement, nothing
    above 100.00 can be owed, expected or lost in the worst case — and the statement of the
    same month pays the same 100.00."""
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    contracts = target / "contracts.yaml"
    original = contracts.read_text(encoding="utf-8")
    fee = '      fees: {storefront: "1500.00"}\n'
    assert original.count(fee) == 1
    contracts.write_text(
        original.replace(fee, fee + '      cap: {amount: "100.00"}\n'), encoding="utf-8"
    )
    run_demo(Settings(workspace=target, database_url=sqlite_url(target)), at=AT, days=60)
    engine = open_store(sqlite_url(target))
    try:
        capped = exposure(engine, workspace=load_workspace(target), at=AT)
    finally:
        engine.dispose()
    i = only(capped, "initech")
    hundred = Decimal("100.00")
    assert i.owed_now is not None
    assert i.expected_credit is not None
    assert i.worst_case_credit is not None
    assert (i.owed_now.amount, i.expected_credit.amount, i.worst_case_credit.amount) == (
        hundred,
        hundred,
        hundred,
    )
    assert any("caps all credits of the period at 100.00 USD" in n for n in i.notes)
    (cu,) = [c for c in capped.customers if c.customer == "initech"]
    assert [m.amount for m in cu.worst_case] == [hundred]
    statement = CliRunner().invoke(
        app,
        [
            "report",
            "sla",
            "-c",
            "initech",
            "-p",
            "2026-11",
            "--at",
            "2026-11-27T09:30:00Z",
            "-w",
            str(target),
            "-f",
            "json",
        ],
    )
    assert statement.exit_code == 0, statement.output
    assert json.loads(statement.stdout)["credits"] == [{"amount": "100.00", "currency": "USD"}]


MEAN_ERROR_RATE = """          level: 99.999
          measurement:
            source: mean-error-rate
            slo: checkout-monthly
            interval: 5m
          exclusions: {customerCaused: false, forceMajeure: false}
          credits:
            - {below: 99.999, atLeast: 99.99, credit: 10}
            - {below: 99.99, credit: 25}
"""


def test_a_mean_error_rate_commitment_owes_its_locked_in_credit_cut_by_the_cap(
    tmp_path: Path,
) -> None:
    """Globex's checkout promised at 99.999 %, measured as S3 does (1 − the mean of 5-minute
    error ratios), no exclusions, the agreement capped at 900.00 EUR. No forecast; owed now is
    the credit at the level November ends with if no interval after the data has errors: the
    sum of the ratios so far over all 8,640 five-minute intervals of the Berlin month, derived
    here from the stored counts alone; then cut to the cap, as the statement cuts it."""
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    contracts = target / "contracts.yaml"
    text = contracts.read_text(encoding="utf-8")
    old = (
        "          level: 99.95\n          measurement:\n            source: bad-intervals\n"
        "            slo: checkout-monthly\n            interval: 5m\n"
        "            errorRateAtLeast: 5\n"
        "          exclusions: {maintenanceNotice: 5d, customerCaused: true, forceMajeure: true}\n"
        "          credits:\n"
        "            - {below: 99.95, atLeast: 99.9, credit: 10}\n"
        "            - {below: 99.9, atLeast: 99.0, credit: 25}\n"
        "            - {below: 99.0, credit: 50}\n"
    )
    fees = '      fees: {checkout: "8000.00", storefront: "4000.00"}\n'
    assert text.count(old) == 1
    assert text.count(fees) == 1
    text = text.replace(old, MEAN_ERROR_RATE).replace(
        fees, fees + '      cap: {amount: "900.00"}\n'
    )
    contracts.write_text(text, encoding="utf-8")
    run_demo(Settings(workspace=target, database_url=sqlite_url(target)), at=AT, days=60)
    ws = load_workspace(target)
    engine = open_store(sqlite_url(target))
    try:
        found = exposure(engine, workspace=ws, at=AT)
        start = int(datetime(2026, 10, 31, 23, tzinfo=UTC).timestamp())  # November in Berlin
        series = ws.objective("checkout-monthly").series
        with engine.connect() as conn:
            counts = read_matrix(conn, keys=[series], start=start, end=int(AT.timestamp()))
    finally:
        engine.dispose()
    good = counts.good[counts.row(series)].reshape(-1, 5).sum(axis=1)
    total = counts.total[counts.row(series)].reshape(-1, 5).sum(axis=1)
    ratios = sum(
        (Fraction(int(t - g), int(t)) for g, t in zip(good, total, strict=True) if t),
        start=Fraction(0),
    )
    level = 1 - ratios / 8640  # 30 days of 5-minute intervals; the rest counted error-free
    percent = 25 if level < Fraction(9999, 10000) else 10 if level < Fraction(99999, 100000) else 0
    assert percent > 0  # the demo's checkout errors so far already cost a credit
    (cu,) = [c for c in found.customers if c.customer == "globex"]
    (uptime,) = cu.commitments
    assert uptime.source is DowntimeSource.MEAN_ERROR_RATE
    assert uptime.no_forecast is not None
    assert uptime.owed_now_percent == percent
    owed = Decimal(8000) * percent / 100  # 800.00 or 2000.00; the commitment's cap is 4000.00
    assert uptime.owed_now is not None
    assert uptime.owed_now.amount == min(owed, Decimal("900.00"))
    if owed > 900:
        assert uptime.notes[-1] == (
            "the agreement caps all credits of the period at 900.00 EUR: the credit owed so far "
            f"{owed:.2f} EUR becomes 900.00"
        )


STRICT = """        - name: storefront-strict
          services: [storefront]
          level: 99.95
          measurement: {source: incidents, severities: [sev1, sev2], recordsFrom: 2026-01-01}
          exclusions: {maintenanceNotice: 3d}
          credits:
            - {below: 99.95, credit: 20}
"""


def test_the_agreement_cap_leaves_a_later_commitment_only_what_a_statement_could_pay(
    tmp_path: Path, result: Exposure
) -> None:
    """Initech's agreement with a second, stricter commitment written first (99.95 %, 20 %)
    and a cap of 30 % of the fee or 500.00, the lower winning: 30 % of 1500.00 = 450.00.
    November's 50 minutes down (INC-1010, test_initech_incident_forecast_by_hand) of 30 days
    and 1 hour (2,595,600 s) leave 99.884 %: below 99.95, so the strict commitment has 20 % of
    1500.00 = 300.00 locked in, and below 99.9, so storefront-uptime has 10 % = 150.00. Paid
    in order: 300.00, then 450 − 300 = 150.00 at most for storefront-uptime in any tier (its
    25 % tier, 375.00, and 100 % tier, 1500.00, are shown at 150.00). Its locked-in 150.00
    fits whole, so its expected and worst-case credits are exactly 150.00 and the statement
    pays 450.00. Globex's agreement, without a cap, is not touched."""
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    contracts = target / "contracts.yaml"
    text = contracts.read_text(encoding="utf-8")
    fee = '      fees: {storefront: "1500.00"}\n'
    first = "      availability:\n        - name: storefront-uptime\n"
    assert text.count(fee) == 1
    assert text.count(first) == 1
    text = text.replace(fee, fee + '      cap: {percent: 30, amount: "500.00"}\n').replace(
        first, "      availability:\n" + STRICT + "        - name: storefront-uptime\n"
    )
    contracts.write_text(text, encoding="utf-8")
    run_demo(Settings(workspace=target, database_url=sqlite_url(target)), at=AT, days=60)
    engine = open_store(sqlite_url(target))
    try:
        capped = exposure(engine, workspace=load_workspace(target), at=AT)
    finally:
        engine.dispose()
    (cu,) = [c for c in capped.customers if c.customer == "initech"]
    strict, uptime = cu.commitments
    assert (strict.commitment, uptime.commitment) == ("storefront-strict", "storefront-uptime")
    assert strict.owed_now is not None
    assert strict.owed_now.amount == Decimal("300.00")
    assert uptime.owed_now is not None
    assert uptime.expected_credit is not None
    assert uptime.worst_case_credit is not None
    hundred_fifty = Decimal("150.00")
    assert (
        uptime.owed_now.amount,
        uptime.expected_credit.amount,
        uptime.worst_case_credit.amount,
    ) == (hundred_fifty, hundred_fifty, hundred_fifty)
    shown = {t.percent: t.credit.amount for t in uptime.tiers if t.tier is not None}
    assert shown == {
        Decimal(10): hundred_fifty,
        Decimal(25): hundred_fifty,
        Decimal(100): hundred_fifty,
    }
    assert all(c.credit.amount <= hundred_fifty for c in uptime.crossings)
    assert [m.amount for m in cu.owed_now] == [Decimal("450.00")]
    assert [m.amount for m in cu.worst_case] == [Decimal("450.00")]
    assert only(capped, "globex") == only(result, "globex")
    statement = CliRunner().invoke(
        app,
        [
            *("report", "sla", "-c", "initech", "-p", "2026-11"),
            *("--at", "2026-11-27T09:30:00Z", "-w", str(target), "-f", "json"),
        ],
    )
    assert statement.exit_code == 0, statement.output
    assert json.loads(statement.stdout)["credits"] == [{"amount": "450.00", "currency": "USD"}]
