"""Statement edges worked by hand (docs/sla.md "Availability", "Coverage", "Credits"): a level
exactly on a tier bound or on the commitment, an incident ending exactly at the period's end,
a zero-length incident, a period without measured time, a credit exactly at its minimum or
cap, half-up rounding in JPY and KWD, pro rata fees, DST months. Each figure is worked in the
comments and also checked against the brute-force reference (tests/core/sla_reference.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from covenant.config import sqlite_url
from covenant.core.agreements import Incident
from covenant.core.availability import AvailabilityResult
from covenant.core.statement import Statement
from covenant.services.ingest import open_store
from covenant.services.sla import report_statement
from covenant.services.workspace import load_workspace
from covenant.store.records import save_incidents
from tests.core import sla_reference as ref

AGREEMENT = """\
apiVersion: covenant/v1
kind: Customer
metadata: {name: acme}
spec: {currency: CURRENCY}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: acme-sla}
spec:
  customer: acme
  versions:
    - version: 1
      status: active
      effectiveFrom: FROM
      fees: {checkout: "FEE"}
      period: {unit: UNIT, timeZone: ZONE}
      signatories: [{name: A, signedAt: 2024-12-01}]
      availability:
        - name: uptime
          services: [checkout]
          level: LEVEL
          measurement: {source: incidents, RECORDS}
          credits:
TIERS
EXTRA
"""
NINE_TIERS = """\
            - {below: 99.9, atLeast: 99.0, credit: 10}
            - {below: 99.0, credit: 30}"""


def write(
    folder: Path,
    *,
    zone: str = "UTC",
    level: str = "99.9",
    tiers: str = NINE_TIERS,
    fee: str = "1000.00",
    currency: str = "EUR",
    effective_from: str = "2025-01-01",
    records: str = "recordsFrom: 2020-01-01",
    unit: str = "month",
    extra: str = "",
) -> Path:
    text = (
        AGREEMENT.replace("CURRENCY", currency)
        .replace("FROM", effective_from)
        .replace("FEE", fee)
        .replace("UNIT", unit)
        .replace("ZONE", zone)
        .replace("LEVEL", level)
        .replace("RECORDS", records)
        .replace("TIERS", tiers)
        .replace("EXTRA", extra)
    )
    (folder / "contract.yaml").write_text(text)
    return folder


def t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def incident(start: str, end: str | None, name: str = "INC-1") -> Incident:
    return Incident(
        id=name, services=("checkout",), start=t(start), end=None if end is None else t(end)
    )


def statement(
    folder: Path,
    period: str,
    at: str,
    incidents: list[Incident] = (),  # type: ignore[assignment]
) -> Statement:
    engine = open_store(sqlite_url(folder))
    try:
        with engine.begin() as conn:
            save_incidents(conn, at=t("2027-06-01T00:00:00Z"), incidents=list(incidents))
        return report_statement(
            engine, workspace=load_workspace(folder), customer="acme", period=period, at=t(at)
        )
    finally:
        engine.dispose()


def only(st: Statement) -> AvailabilityResult:
    (result,) = st.availability
    return result


def reference(
    *,
    year: int,
    month: int,
    at: str,
    incidents: list[Incident],
    level: str = "99.9",
    tiers: tuple[ref.Tier, ...] = (
        ref.Tier(credit=Decimal(10), below=Decimal("99.9"), low=Decimal("99.0")),
        ref.Tier(credit=Decimal(30), below=Decimal("99.0")),
    ),
    fee: str = "1000.00",
    currency: str = "EUR",
    zone: str = "UTC",
    records_from: int | None = ref.epoch("2020-01-01T00:00:00Z"),
    effective_from: int | None = None,
    minimum: Decimal | None = None,
    minimum_inclusive: bool = True,
) -> ref.Result:
    version = ref.Version(
        agreement="acme-sla",
        number=1,
        effective_from=(
            effective_from if effective_from is not None else ref.epoch("2024-12-31T00:00:00Z")
        ),
        zone=zone,
        currency=currency,
        fees=(("checkout", Decimal(fee)),),
        commitments=(
            ref.Commitment(
                name="uptime",
                services=("checkout",),
                level=Decimal(level),
                tiers=tiers,
                records_from=records_from,
                minimum=minimum,
                minimum_inclusive=minimum_inclusive,
            ),
        ),
    )
    (result,) = ref.statement(
        [version],
        customer="acme",
        year=year,
        month=month,
        at=ref.epoch(at),
        now=ref.epoch(at),
        incidents=[
            ref.Incident(
                id=i.id,
                services=i.services,
                start=int(i.start.timestamp()),
                end=None if i.end is None else int(i.end.timestamp()),
            )
            for i in incidents
        ],
        windows=[],
    )
    return result


# September 2026 in UTC: 30 days = 2,592,000 s. At 99.9 % it allows 2,592 s (43 min 12 s);
# 99.0 % is 25,920 s (432 min) down.
SEPTEMBER_AT = "2026-10-05T00:00:00Z"


@pytest.mark.parametrize(
    ("down_s", "level", "met", "percent", "credit"),
    [
        # 2,592 s down: (2,592,000 − 2,592) / 2,592,000 = 999/1000, exactly the commitment: met,
        # and the top tier is `below: 99.9`, so no credit.
        (2592, Fraction(999, 1000), True, Decimal(0), Decimal("0.00")),
        # one second more: 2,589,407 / 2,592,000 < 99.9 % → missed, 10 % of 1,000.00 = 100.00
        (2593, Fraction(2589407, 2592000), False, Decimal(10), Decimal("100.00")),
        # 25,920 s: 2,566,080 / 2,592,000 = 99/100 exactly: `atLeast: 99.0` holds → 10 %
        (25920, Fraction(99, 100), False, Decimal(10), Decimal("100.00")),
        # 25,921 s: below 99.0 → the second tier, 30 % = 300.00
        (25921, Fraction(2566079, 2592000), False, Decimal(30), Decimal("300.00")),
    ],
)
def test_a_level_exactly_on_a_bound_falls_where_the_contract_says(
    tmp_path: Path, down_s: int, level: Fraction, met: bool, percent: Decimal, credit: Decimal
) -> None:
    start = datetime(2026, 9, 10, tzinfo=UTC)
    end = datetime.fromtimestamp(start.timestamp() + down_s, UTC)
    incidents = [Incident(id="INC-1", services=("checkout",), start=start, end=end)]
    result = only(statement(write(tmp_path), "2026-09", SEPTEMBER_AT, incidents))
    assert (result.eligible_s, result.downtime_s) == (2592000, down_s)
    assert (result.level, result.met) == (level, met)
    assert result.credit is not None
    assert (result.credit.percent, result.credit.amount.amount) == (percent, credit)
    want = reference(year=2026, month=9, at=SEPTEMBER_AT, incidents=incidents)
    assert (want.level, want.met, want.percent, want.credit) == (level, met, percent, credit)


def test_a_level_exactly_on_an_exclusive_lower_bound_takes_the_next_tier(tmp_path: Path) -> None:
    # `above: 99.0` excludes 99.0 itself: 432 min down (exactly 99.0 %) pays the 30 % tier.
    tiers = """\
            - {below: 99.9, above: 99.0, credit: 10}
            - {atMost: 99.0, credit: 30}"""
    incidents = [incident("2026-09-10T00:00:00Z", "2026-09-10T07:12:00Z")]
    result = only(statement(write(tmp_path, tiers=tiers), "2026-09", SEPTEMBER_AT, incidents))
    assert result.level == Fraction(99, 100)
    assert result.credit is not None
    assert (result.credit.percent, result.credit.amount.amount) == (30, Decimal("300.00"))


def test_an_incident_ending_exactly_at_the_period_end_counts_in_it_and_not_after(
    tmp_path: Path,
) -> None:
    # INC-1 30 Sep 23:00 → 1 Oct 00:00 (the end of September, exclusive): 3,600 s in September.
    # INC-2 starts exactly at 1 Oct 00:00: nothing in September; 1,800 s in October.
    incidents = [
        incident("2026-09-30T23:00:00Z", "2026-10-01T00:00:00Z"),
        incident("2026-10-01T00:00:00Z", "2026-10-01T00:30:00Z", "INC-2"),
    ]
    write(tmp_path)
    september = only(statement(tmp_path, "2026-09", SEPTEMBER_AT, incidents))
    october = only(statement(tmp_path, "2026-10", "2026-11-05T00:00:00Z", incidents))
    assert september.downtime_s == 3600
    assert october.downtime_s == 1800
    assert september.period_end == october.period_start == t("2026-10-01T00:00:00Z")
    assert reference(year=2026, month=9, at=SEPTEMBER_AT, incidents=incidents).downtime_s == 3600


def test_a_zero_length_incident_is_no_downtime_but_starts_the_records(tmp_path: Path) -> None:
    # Without recordsFrom the records start at the first incident on record: a zero-length one
    # on 11 Sep 00:00 covers 11–30 Sep (20 days = 1,728,000 s), 10 days uncovered, none down:
    # level 1 over the covered part (partial coverage), never a downtime row of 0 s.
    incidents = [incident("2026-09-11T00:00:00Z", "2026-09-11T00:00:00Z")]
    write(tmp_path, records="severities: []")
    result = only(statement(tmp_path, "2026-09", SEPTEMBER_AT, incidents))
    assert (result.eligible_s, result.downtime_s, result.uncovered_s) == (1728000, 0, 864000)
    assert result.level == 1
    assert result.coverage == "partial"
    assert result.down == ()
    want = reference(year=2026, month=9, at=SEPTEMBER_AT, incidents=incidents, records_from=None)
    assert (want.eligible_s, want.downtime_s, want.uncovered_s) == (1728000, 0, 864000)


def test_a_zero_length_incident_with_records_is_full_uptime(tmp_path: Path) -> None:
    incidents = [incident("2026-09-11T08:00:00Z", "2026-09-11T08:00:00Z")]
    result = only(statement(write(tmp_path), "2026-09", SEPTEMBER_AT, incidents))
    assert (result.eligible_s, result.downtime_s, result.level) == (2592000, 0, 1)
    assert result.down == ()


def test_a_period_without_measured_time_is_no_data_never_a_hundred_percent(
    tmp_path: Path,
) -> None:
    # No recordsFrom and no incident on record: no coverage at all → no data, no credit.
    write(tmp_path, records="severities: []")
    result = only(statement(tmp_path, "2026-09", SEPTEMBER_AT))
    assert result.level is None
    assert result.no_data is not None
    assert (result.met, result.credit) == (None, None)
    assert result.coverage == "none"
    want = reference(year=2026, month=9, at=SEPTEMBER_AT, incidents=[], records_from=None)
    assert (want.level, want.credit) == (None, None)


def test_a_statement_at_the_first_instant_of_the_period_is_no_data(tmp_path: Path) -> None:
    # At 1 Sep 00:00 nothing of September has happened: 0 s eligible → no data, not 100 %.
    result = only(statement(write(tmp_path), "2026-09", "2026-09-01T00:00:00Z"))
    assert (result.eligible_s, result.level, result.credit) == (0, None, None)
    assert result.no_data is not None


def test_a_contract_starting_after_the_instant_read_is_no_data(tmp_path: Path) -> None:
    # In force from 16 Sep, read on 10 Sep: the version has not started, nothing measured.
    write(tmp_path, effective_from="2026-09-16")
    result = only(statement(tmp_path, "2026-09", "2026-09-10T00:00:00Z"))
    assert (result.eligible_s, result.level) == (0, None)


def test_new_york_november_with_an_hour_down_pays_pro_rata_half_up(tmp_path: Path) -> None:
    # docs/sla.md: November 2026 in New York is 2026-11-01T04:00Z → 2026-12-01T05:00Z =
    # 2,595,600 s. In force from 16 Nov (midnight New York = 05:00Z): 15 days = 1,296,000 s.
    # One hour down on the 20th: level (1,296,000 − 3,600) / 1,296,000 = 359/360 = 99.722 %
    # < 99.9 → 10 % of 1,500.00 × 1,296,000 / 2,595,600 = 748.9597…; 74.89597… → 74.90.
    write(tmp_path, zone="America/New_York", fee="1500.00", effective_from="2026-11-16")
    incidents = [incident("2026-11-20T12:00:00Z", "2026-11-20T13:00:00Z")]
    result = only(statement(tmp_path, "2026-11", "2026-12-10T00:00:00Z", incidents))
    assert (result.period_start, result.period_end) == (
        t("2026-11-01T04:00:00Z"),
        t("2026-12-01T05:00:00Z"),
    )
    assert (result.eligible_s, result.downtime_s) == (1296000, 3600)
    assert result.level == Fraction(359, 360)
    assert result.credit is not None
    assert result.credit.fee.amount == Decimal("748.96")
    assert result.credit.amount.amount == Decimal("74.90")
    want = reference(
        year=2026,
        month=11,
        at="2026-12-10T00:00:00Z",
        incidents=[incident("2026-11-20T12:00:00Z", "2026-11-20T13:00:00Z")],
        fee="1500.00",
        zone="America/New_York",
        effective_from=ref.epoch("2026-11-16T05:00:00Z"),
    )
    assert (want.eligible_s, want.level, want.fee, want.credit) == (
        1296000,
        Fraction(359, 360),
        Decimal("748.96"),
        Decimal("74.90"),
    )


def test_berlin_october_has_745_hours(tmp_path: Path) -> None:
    # October 2026 in Berlin: 2026-09-30T22:00Z → 2026-10-31T23:00Z, 31 days + the hour DST
    # gives back on the 25th = 2,682,000 s. An incident across the change, 00:30Z → 02:30Z on
    # the 25th (02:30 CEST → 03:30 CET, two real hours), is 7,200 s.
    write(tmp_path, zone="Europe/Berlin")
    incidents = [incident("2026-10-25T00:30:00Z", "2026-10-25T02:30:00Z")]
    result = only(statement(tmp_path, "2026-10", "2026-11-05T00:00:00Z", incidents))
    assert (result.eligible_s, result.downtime_s) == (2682000, 7200)
    assert result.level == Fraction(2682000 - 7200, 2682000)


@pytest.mark.parametrize(
    ("fee", "currency", "credit"),
    [
        # 5 % of 12,330 JPY = 616.5 → 617 JPY (half up, no decimals)
        ("12330", "JPY", Decimal("617")),
        # 5 % of 1,000.010 KWD = 50.0005 → 50.001 KWD
        ("1000.010", "KWD", Decimal("50.001")),
        # 5 % of 0.10 EUR = 0.005 → 0.01 EUR
        ("0.10", "EUR", Decimal("0.01")),
    ],
)
def test_credits_round_half_up_to_the_minor_unit(
    tmp_path: Path, fee: str, currency: str, credit: Decimal
) -> None:
    tiers = "            - {below: 99.9, credit: 5}"
    write(tmp_path, tiers=tiers, fee=fee, currency=currency)
    incidents = [incident("2026-09-10T00:00:00Z", "2026-09-10T02:00:00Z")]
    result = only(statement(tmp_path, "2026-09", SEPTEMBER_AT, incidents))
    assert result.credit is not None
    assert result.credit.amount.amount == credit
    assert str(result.credit.amount.amount) == str(credit)  # quantized to the minor unit
    assert result.credit.amount.currency == currency


@pytest.mark.parametrize(
    ("minimum", "paid"),
    [
        # 10 % of 100.00 = 10.00: `minimumCredit: "10.00"` pays a credit of 10.00 or more
        ('"10.00"', Decimal("10.00")),
        # `{above: "10.00"}` pays only more than 10.00: 10.00 is not paid
        ('{above: "10.00"}', Decimal("0.00")),
        # 10.00 < 10.01: not paid
        ('"10.01"', Decimal("0.00")),
    ],
)
def test_a_credit_exactly_at_the_minimum(tmp_path: Path, minimum: str, paid: Decimal) -> None:
    write(tmp_path, fee="100.00", extra=f"          minimumCredit: {minimum}")
    incidents = [incident("2026-09-10T00:00:00Z", "2026-09-10T02:00:00Z")]  # 7,200 s: 10 %
    result = only(statement(tmp_path, "2026-09", SEPTEMBER_AT, incidents))
    assert result.credit is not None
    assert result.credit.uncapped.amount == Decimal("10.00")
    assert result.credit.amount.amount == paid


def test_a_cap_takes_the_lower_of_percent_and_amount(tmp_path: Path) -> None:
    # 30 % of 1,000.00 = 300.00; cap 25 % = 250.00 and 260.00 → 250.00. The same at 300.00
    # exactly (cap amount "300.00") would leave it unchanged: a credit at the cap is not cut.
    write(tmp_path, extra='          cap: {percent: 25, amount: "260.00"}')
    incidents = [incident("2026-09-10T00:00:00Z", "2026-09-11T00:00:00Z")]  # 1 day: 96.67 %
    result = only(statement(tmp_path, "2026-09", SEPTEMBER_AT, incidents))
    assert result.credit is not None
    assert (result.credit.uncapped.amount, result.credit.amount.amount) == (
        Decimal("300.00"),
        Decimal("250.00"),
    )


def test_no_data_says_why_when_the_version_was_in_force(tmp_path: Path) -> None:
    # The version is in force all September, so "the version was not in force" is not why:
    # at 1 Sep 00:00 none of it has happened yet; with `period-less-exclusions` and the month
    # (from recordsFrom 30 Sep 23:00) wholly excluded by a customer-caused incident, every
    # measured second is excluded.
    result = only(statement(write(tmp_path), "2026-09", "2026-09-01T00:00:00Z"))
    assert result.no_data == "none of the time the version was in force has happened yet"
    excluded = tmp_path / "excluded"
    excluded.mkdir()
    write(
        excluded,
        records='recordsFrom: "2026-09-30T23:00:00Z"',
        extra="          eligible: period-less-exclusions",
    )
    caused = Incident(
        id="INC-9",
        services=("checkout",),
        start=t("2026-09-30T22:00:00Z"),
        end=t("2026-10-01T00:00:00Z"),
        customer_caused=True,
    )
    result = only(statement(excluded, "2026-09", SEPTEMBER_AT, [caused]))
    assert (result.excluded_s, result.eligible_s, result.level) == (3600, 0, None)
    assert result.no_data == "every measured second is excluded"
