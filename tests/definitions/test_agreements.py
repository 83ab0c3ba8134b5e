"""covenant/v1 Customer, Calendar, Agreement and MaintenanceWindow: exact model, every rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from covenant.core.agreements import (
    ClaimDeadline,
    ClaimRule,
    CreditTier,
    DowntimeSource,
    EligibleTime,
    Exclusions,
    Measurement,
    Party,
    PeriodUnit,
    SupportTarget,
    VersionStatus,
)
from covenant.definitions.calendar_hours import parse_interval
from covenant.definitions.export import export_openslo
from covenant.definitions.workspace import Workspace, analyse, analyse_sources
from covenant.definitions.yamlsource import read_file, read_text
from covenant.errors import Problem
from tests.conftest import ROOT
from tests.definitions.helpers import errors

SHOP = ROOT / "examples" / "shop"

CUSTOMER = """\
apiVersion: covenant/v1
kind: Customer
metadata:
  name: acme
  displayName: ACME Corp
spec:
  currency: EUR
  contacts:
    - {name: Jane Roe, email: jane@acme.example, role: CTO}
"""

CALENDAR = """\
apiVersion: covenant/v1
kind: Calendar
metadata:
  name: munich-office
spec:
  timeZone: Europe/Berlin
  weekly:
    mon: ["08:00-12:00", "13:00-17:00"]
    tue: ["08:00-12:00", "13:00-17:00"]
    wed: "08:00-17:00"
    thu: "08:00-17:00"
    fri: ["08:00-12:00", "22:00-06:00"]
    sun: "00:00-24:00"
  holidays:
    country: DE
    subdivision: BY
    dates: [2026-12-24]
  closures:
    - {date: 2026-12-31, hours: "12:00-24:00", reason: New Year's Eve}
  overrides:
    2026-05-01: ["10:00-14:00"]
  changes:
    - effectiveFrom: 2027-01-01
      weekly:
        mon: "09:00-17:00"
"""

MAINTENANCE = """\
apiVersion: covenant/v1
kind: MaintenanceWindow
metadata:
  name: db-upgrade
spec:
  services: [checkout]
  start: 2026-03-07T02:00:00+01:00
  end: 2026-03-07T04:00:00+01:00
  announcedAt: 2026-02-20T10:00:00Z
  customers: [acme]
  description: PostgreSQL major upgrade
"""

V1 = """\
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {checkout: "1200.00", search: 300.10}
      period: {unit: month, timeZone: Europe/Berlin}
      signatories:
        - {name: Jane Roe, role: CTO ACME, signedAt: 2025-12-15}
        - {name: Max Mustermann, role: CEO Shop, signedAt: "2025-12-16T10:30:00Z"}
      approvals:
        - {name: Legal, role: counsel}
      availability:
        - name: checkout-uptime
          services: [checkout]
          level: 99.9
          measurement:
            source: bad-intervals
            slo: checkout-availability
            interval: 5m
            errorRateAtLeast: 5
          exclusions: {maintenanceNotice: 5d, customerCaused: true, forceMajeure: false}
          eligible: period-less-exclusions
          credits:
            - {below: 99.9, atLeast: 99.0, credit: 10}
            - {below: 99.0, atLeast: 95.0, credit: 25}
            - {below: 95.0, credit: 100}
          cap: {percent: 50}
          minimumCredit: "10.00"
          claimDeadline: {periodsAfter: 2}
          backedBy: [checkout-availability]
        - name: search-uptime
          services: [search]
          level: 99.5
          measurement: {source: incidents, severities: [sev1]}
          credits:
            - {below: 99.5, above: 98.0, credit: 5}
            - {atMost: 98.0, credit: 20}
          cap: {amount: "5000.00"}
          claimDeadline: {daysAfterPeriod: 30}
      support:
        - name: tickets
          calendar: munich-office
          targets:
            P1: {firstResponse: 30m, resolution: 4h}
            P2: {firstResponse: 4h}
          pauseStates: [waiting-on-customer, on-hold]
          attainment: 95
          penalty: {percent: 5}
          backedBy: [checkout-latency]
"""

V2 = """\
    - version: 2
      status: signed
      effectiveFrom: 2026-07-01
      reason: raise checkout to 99.95 %
      fees: {checkout: "1500.00"}
      period: {unit: quarter, timeZone: Europe/Berlin}
      signatories:
        - {name: Jane Roe, role: CTO ACME, signedAt: 2026-06-01}
      availability:
        - name: checkout-uptime
          services: [checkout]
          level: 99.95
          measurement: {source: mean-error-rate, slo: checkout-availability, interval: 1m}
          credits:
            - {below: 99.95, credit: 10}
"""

V2_SIGNATURE = (
    "      signatories:\n        - {name: Jane Roe, role: CTO ACME, signedAt: 2026-06-01}\n"
)


def agreement(versions: str, *, customer: str = "acme") -> str:
    return (
        "apiVersion: covenant/v1\nkind: Agreement\nmetadata:\n  name: acme-sla\n"
        f"spec:\n  customer: {customer}\n  versions:\n" + versions
    )


FULL = "---\n".join([CUSTOMER, CALENDAR, MAINTENANCE, agreement(V1 + V2)])


def load(text: str, *, file: str = "ws.yaml") -> tuple[Workspace | None, list[Problem]]:
    """The example shop's SLOs plus ``text`` (read as ``file``, so lines are exact)."""
    sources, problems = [], []
    for path in sorted(SHOP.glob("*.yaml")):
        if path.name == "contracts.yaml":  # only the shop's SLOs; the contracts come from text
            continue
        found, syntax = read_file(path)
        sources += found
        problems += syntax
    found, syntax = read_text(text, file=file)
    return analyse_sources([*sources, *found], problems=[*problems, *syntax])


def line(text: str, needle: str, start: int = 1) -> int:
    """1-based line of the first occurrence of ``needle`` at or after line ``start``."""
    for number, content in enumerate(text.splitlines(), start=1):
        if number >= start and needle in content:
            return number
    raise AssertionError(needle)


def found(problems: list[Problem]) -> set[tuple[str, str, str]]:
    return {(p.code, p.where, p.field) for p in problems}


def test_full_example_loads_into_exact_core_objects() -> None:
    workspace, problems = load(FULL)
    assert problems == []
    assert workspace is not None
    v1, v2 = sorted(workspace.agreements, key=lambda v: v.version)
    assert (v1.key, v1.customer, v1.status) == ("acme-sla@v1", "acme", VersionStatus.ACTIVE)
    assert v1.effective_from == datetime(2025, 12, 31, 23, tzinfo=UTC)  # Berlin midnight
    assert v1.effective_to is None
    assert v1.currency == "EUR"  # from the customer
    assert v1.fees == (("checkout", Decimal("1200.00")), ("search", Decimal("300.10")))
    assert (v1.period, v1.zone) == (PeriodUnit.MONTH, "Europe/Berlin")
    assert v1.signatories == (
        Party(name="Jane Roe", role="CTO ACME", signed_at=datetime(2025, 12, 14, 23, tzinfo=UTC)),
        Party(
            name="Max Mustermann",
            role="CEO Shop",
            signed_at=datetime(2025, 12, 16, 10, 30, tzinfo=UTC),
        ),
    )
    assert v1.approvals == (Party(name="Legal", role="counsel"),)
    checkout, search = v1.availability
    assert checkout.level == Fraction(999, 1000)
    assert checkout.measurement == Measurement(
        source=DowntimeSource.BAD_INTERVALS,
        series="checkout-availability",
        interval_s=300,
        threshold=Fraction(1, 20),
        threshold_inclusive=True,
    )
    assert checkout.exclusions == Exclusions(
        maintenance_notice_s=5 * 86400, customer_caused=True, force_majeure=False
    )
    assert checkout.eligible is EligibleTime.PERIOD_LESS_EXCLUSIONS
    assert checkout.remedies.tiers == (
        CreditTier(credit=Decimal(10), below=Fraction(999, 1000), at_least=Fraction(99, 100)),
        CreditTier(credit=Decimal(25), below=Fraction(99, 100), at_least=Fraction(95, 100)),
        CreditTier(credit=Decimal(100), below=Fraction(95, 100)),
    )
    assert checkout.remedies.cap_percent == Decimal(50)
    assert checkout.remedies.minimum_credit == Decimal("10.00")
    assert checkout.remedies.claim == ClaimDeadline(rule=ClaimRule.PERIODS_AFTER, count=2)
    assert checkout.backing_slos == ("checkout-availability",)
    # atMost is ≤ and above is >: the inclusivity follows the words of the contract
    assert search.level == Fraction(995, 1000)
    assert search.measurement.series is None
    assert search.measurement.severities == frozenset({"sev1"})
    first, second = search.remedies.tiers
    assert (first.below, first.below_inclusive) == (Fraction(995, 1000), False)
    assert (first.at_least, first.at_least_inclusive) == (Fraction(98, 100), False)
    assert (second.below, second.below_inclusive) == (Fraction(98, 100), True)
    assert second.at_least is None
    assert not first.contains(Fraction(995, 1000))
    assert not first.contains(Fraction(98, 100))
    assert second.contains(Fraction(98, 100))
    assert search.remedies.cap_amount == Decimal("5000.00")
    assert search.remedies.claim == ClaimDeadline(rule=ClaimRule.DAYS_AFTER_PERIOD, count=30)
    (tickets,) = v1.support
    assert tickets.calendar == "munich-office"
    assert tickets.targets == (
        SupportTarget(priority="P1", first_response_s=1800, resolution_s=14400),
        SupportTarget(priority="P2", first_response_s=14400),
    )
    assert tickets.pause_states == frozenset({"waiting-on-customer", "on-hold"})
    assert tickets.attainment == Fraction(19, 20)
    assert tickets.penalty_percent == Decimal(5)
    assert tickets.backing_slos == ("checkout-latency",)
    assert v2.reason == "raise checkout to 99.95 %"
    assert v2.period is PeriodUnit.QUARTER
    assert v2.availability[0].level == Fraction(9995, 10000)
    assert v2.availability[0].measurement.source is DowntimeSource.MEAN_ERROR_RATE
    assert workspace.origins["acme-sla@v2"] == f"ws.yaml:{line(FULL, '- version: 2')}"


def test_customer_and_maintenance_window() -> None:
    workspace, _ = load(FULL)
    assert workspace is not None
    (customer,) = workspace.customers
    assert (customer.name, customer.display_name, customer.currency) == ("acme", "ACME Corp", "EUR")
    assert customer.contacts[0].email == "jane@acme.example"
    (window,) = workspace.maintenance
    assert window.start == datetime(2026, 3, 7, 1, tzinfo=UTC)
    assert window.end == datetime(2026, 3, 7, 3, tzinfo=UTC)
    assert window.announced_at == datetime(2026, 2, 20, 10, tzinfo=UTC)
    assert window.customers == ("acme",)


def test_calendar_resolves_to_seconds_with_overnight_split() -> None:
    workspace, _ = load(FULL)
    assert workspace is not None
    (calendar,) = workspace.calendars
    assert (calendar.name, calendar.zone) == ("munich-office", "Europe/Berlin")
    mon, _, wed, _, fri, sat, sun = calendar.weekly.days
    assert mon == ((8 * 3600, 12 * 3600), (13 * 3600, 17 * 3600))
    assert wed == ((8 * 3600, 17 * 3600),)
    assert fri == ((8 * 3600, 12 * 3600), (22 * 3600, 86400))
    assert sat == ((0, 6 * 3600),)  # Friday's night shift
    assert sun == ((0, 86400),)
    assert calendar.closures == ((date(2026, 12, 31), ((12 * 3600, 86400),)),)
    assert calendar.overrides == ((date(2026, 5, 1), ((10 * 3600, 14 * 3600),)),)
    (change,) = calendar.changes
    assert change.effective_from == date(2027, 1, 1)
    assert change.weekly.days[0] == ((9 * 3600, 17 * 3600),)
    assert calendar.hours_on(date(2026, 1, 6)) == ()  # Epiphany in Bavaria
    assert calendar.hours_on(date(2026, 12, 24)) == ()  # explicit date
    assert calendar.hours_on(date(2026, 12, 31)) == ((8 * 3600, 12 * 3600),)  # closure
    assert calendar.hours_on(date(2026, 5, 1)) == ((10 * 3600, 14 * 3600),)  # override wins
    assert calendar.hours_on(date(2027, 1, 4)) == ((9 * 3600, 17 * 3600),)  # changed schedule
    assert calendar.holiday_years == (2000, 2040)


def _calendar(body: str) -> str:
    return (
        "apiVersion: covenant/v1\nkind: Calendar\nmetadata:\n  name: cal\nspec:\n"
        '  timeZone: Europe/Berlin\n  weekly:\n    mon: "08:00-17:00"\n' + body
    )


@pytest.mark.parametrize(("subdivision", "epiphany"), [("BY", True), ("BE", False)])
def test_holidays_expand_per_subdivision(subdivision: str, epiphany: bool) -> None:
    workspace, problems = load(
        _calendar(f"  holidays: {{country: DE, subdivision: {subdivision}}}\n")
    )
    assert workspace is not None, problems
    holidays = dict(workspace.calendars[0].holidays)
    assert (date(2026, 1, 6) in holidays) is epiphany
    assert date(2026, 12, 25) in holidays
    assert min(holidays).year == 2000
    assert max(holidays).year == 2040


def test_holiday_years_are_configurable() -> None:
    workspace, _ = load(_calendar("  holidays: {country: FR, firstYear: 2025, lastYear: 2026}\n"))
    assert workspace is not None
    years = {day.year for day, _ in workspace.calendars[0].holidays}
    assert years == {2025, 2026}
    assert workspace.calendars[0].holiday_years == (2025, 2026)


def test_unknown_holiday_regions_are_problems_with_lines() -> None:
    text = (
        _calendar("  holidays: {country: XX}\n")
        + "---\n"
        + _calendar("  holidays: {country: DE, subdivision: ZZ}\n").replace(
            "name: cal", "name: cal2"
        )
    )
    _, problems = load(text)
    assert found(errors(problems)) == {
        ("unknown-holiday-region", f"ws.yaml:{line(text, 'country: XX')}", "spec.holidays.country"),
        (
            "unknown-holiday-region",
            f"ws.yaml:{line(text, 'subdivision: ZZ')}",
            "spec.holidays.subdivision",
        ),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00-17:00", (28800, 61200)),
        ("00:00-24:00", (0, 86400)),
        ("22:00-06:00", (79200, 21600)),
        ("22:00-00:00", (79200, 86400)),
        ("8:30 - 9:45", (30600, 35100)),
        ("24:00-08:00", None),
        ("08:00-24:30", None),
        ("08:60-09:00", None),
        ("8-17", None),
    ],
)
def test_parse_interval(text: str, expected: tuple[int, int] | None) -> None:
    assert parse_interval(text) == expected


def test_calendar_interval_rules() -> None:
    text = _calendar(
        '    tue: ["08:00-12:00", "11:00-13:00"]\n'
        '    wed: "25:00-26:00"\n'
        '    fri: "00:00-24:00"\n'
        '    thu: "22:00-07:00"\n'
        '    satur: "08:00-09:00"\n'
        "  closures:\n"
        '    - {date: 2026-12-31, hours: "22:00-02:00"}\n'
        '    - {date: "31.12.2026"}\n'
    )
    _, problems = load(text)
    assert found(errors(problems)) == {
        ("invalid-interval", f"ws.yaml:{line(text, 'tue:')}", "spec.weekly.tue"),
        ("invalid-interval", f"ws.yaml:{line(text, 'wed:')}", "spec.weekly.wed"),
        # Thursday's night shift runs into Friday's 00:00-24:00
        ("invalid-interval", f"ws.yaml:{line(text, 'fri:')}", "spec.weekly.fri"),
        ("invalid-calendar", f"ws.yaml:{line(text, 'satur')}", "spec.weekly.satur"),
        ("invalid-interval", f"ws.yaml:{line(text, '22:00-02:00')}", "spec.closures[0].hours"),
        ("invalid-date", f"ws.yaml:{line(text, '31.12.2026')}", "spec.closures[1].date"),
    }
    weekday = next(p for p in problems if p.code == "invalid-calendar")
    assert weekday.fix == "did you mean 'sat'?"


def test_effective_dates_and_numbering_rules() -> None:
    versions = (
        V1
        + V2.replace("effectiveFrom: 2026-07-01", "effectiveFrom: 2025-07-01")
        + V2.replace("version: 2", "version: 2").replace("status: signed", "status: draft")
        + "    - version: 5\n      status: draft\n      effectiveFrom: 2027-01-01\n"
        "      effectiveTo: 2026-01-01\n      reason: later\n"
    )
    text = "---\n".join([CUSTOMER, CALENDAR, agreement(versions)])
    _, problems = load(text)
    second_v2 = line(text, "- version: 2", line(text, "- version: 2") + 1)
    assert found(errors(problems)) == {
        (
            "overlapping-versions",
            f"ws.yaml:{line(text, 'effectiveFrom: 2025-07-01')}",
            "spec.versions[1].effectiveFrom",
        ),
        ("duplicate-version", f"ws.yaml:{second_v2}", "spec.versions[2].version"),
        ("version-gap", f"ws.yaml:{line(text, 'versions:')}", "spec.versions"),
        (
            "invalid-effective-dates",
            f"ws.yaml:{line(text, 'effectiveTo: 2026-01-01')}",
            "spec.versions[3].effectiveTo",
        ),
    }
    gap = next(p for p in problems if p.code == "version-gap")
    assert gap.message == "versions are numbered 1, 2, 5; 3, 4 missing"


def test_explicit_effective_to_past_the_next_version_overlaps() -> None:
    text = "---\n".join(
        [
            CUSTOMER,
            CALENDAR,
            agreement(
                V1.replace(
                    "status: active\n", "status: superseded\n      effectiveTo: 2026-08-01\n"
                )
                + V2
            ),
        ]
    )
    _, problems = load(text)
    (problem,) = errors(problems)
    assert (problem.code, problem.field) == (
        "overlapping-versions",
        "spec.versions[1].effectiveFrom",
    )
    assert "v1 runs to 2026-08-01" in problem.message


def test_lifecycle_rules() -> None:
    unsigned = V2.replace(
        V2_SIGNATURE,
        "",
    )
    text = "---\n".join(
        [
            CUSTOMER,
            CALENDAR,
            agreement(
                V1
                + unsigned.replace("status: signed", "status: active").replace(
                    "      reason: raise checkout to 99.95 %\n", ""
                )
            ),
        ]
    )
    _, problems = load(text)
    v2 = line(text, "- version: 2")
    assert found(errors(problems)) == {
        ("missing-field", f"ws.yaml:{v2}", "spec.versions[1].reason"),
        ("unsigned-binding-version", f"ws.yaml:{v2}", "spec.versions[1].signatories"),
        ("lifecycle-conflict", f"ws.yaml:{v2 + 1}", "spec.versions[1].status"),
    }
    conflict = next(p for p in problems if p.code == "lifecycle-conflict")
    assert "v1 and v2 are both active" in conflict.message
    assert "mark v1 superseded" in conflict.fix


def test_superseded_needs_a_later_signed_version() -> None:
    text = "---\n".join(
        [CUSTOMER, CALENDAR, agreement(V1.replace("status: active", "status: superseded"))]
    )
    _, problems = load(text)
    (problem,) = errors(problems)
    assert (problem.code, problem.where, problem.field) == (
        "lifecycle-conflict",
        f"ws.yaml:{line(text, 'status: superseded')}",
        "spec.versions[0].status",
    )


def test_terminated_draft_needs_no_signature_and_takes_no_dates() -> None:
    draft = (
        V2.replace("status: signed", "status: terminated")
        .replace(
            V2_SIGNATURE,
            "",
        )
        .replace("2026-07-01", "2025-01-01")
    )
    workspace, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(V1 + draft)]))
    assert errors(problems) == []
    assert workspace is not None


def test_missing_references_point_at_the_field() -> None:
    body = (
        V1.replace("slo: checkout-availability", "slo: nowhere")
        .replace("backedBy: [checkout-latency]", "backedBy: [ghost]")
        .replace("calendar: munich-office", "calendar: office")
    )
    text = "---\n".join([MAINTENANCE.replace("[acme]", "[globex]"), agreement(body, customer="x")])
    _, problems = load(text)
    assert found(errors(problems)) == {
        ("missing-reference", f"ws.yaml:{line(text, '[globex]')}", "spec.customers[0]"),
        ("missing-reference", f"ws.yaml:{line(text, 'customer: x')}", "spec.customer"),
        (
            "missing-reference",
            f"ws.yaml:{line(text, 'slo: nowhere')}",
            "spec.versions[0].availability[0].measurement.slo",
        ),
        (
            "missing-reference",
            f"ws.yaml:{line(text, '[ghost]')}",
            "spec.versions[0].support[0].backedBy[0]",
        ),
        (
            "missing-reference",
            f"ws.yaml:{line(text, 'calendar: office')}",
            "spec.versions[0].support[0].calendar",
        ),
    }
    ghost = next(p for p in problems if "ghost" in p.message)
    assert ghost.message == "no SLO named 'ghost' in the workspace"


def test_slo_with_several_series_needs_the_objective() -> None:
    slo = (
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: two}\nspec:\n  service: checkout\n"
        "  indicatorRef: checkout-latency\n  budgetingMethod: Occurrences\n"
        "  timeWindow: [{duration: 28d, isRolling: true}]\n  objectives:\n"
        "    - {displayName: fast, op: lte, value: 300, target: 0.9}\n"
        "    - {displayName: slow, op: lte, value: 1000, target: 0.99}\n"
    )
    text = "---\n".join(
        [CUSTOMER, CALENDAR, slo, agreement(V1.replace("slo: checkout-availability", "slo: two"))]
    )
    _, problems = load(text)
    (problem,) = errors(problems)
    assert problem.code == "ambiguous-reference"
    assert "'two/fast'" in problem.fix


def test_tier_warnings_overlap_gap_and_an_error_above_level() -> None:
    body = V1.replace(
        """            - {below: 99.9, atLeast: 99.0, credit: 10}
            - {below: 99.0, atLeast: 95.0, credit: 25}
            - {below: 95.0, credit: 100}""",
        """            - {below: 99.95, credit: 10}
            - {below: 99.0, atLeast: 98.0, credit: 25}""",
    )
    text = "---\n".join([CUSTOMER, CALENDAR, agreement(body)])
    workspace, problems = load(text)
    assert workspace is None  # a tier that pays while the level is met is an error
    credits = "spec.versions[0].availability[0].credits"
    assert {(p.code, p.field, p.severity) for p in problems} == {
        ("credit-tier-overlap", f"{credits}[1]", "warning"),
        ("credit-tier-above-level", f"{credits}[0]", "error"),
    }
    (above,) = [p for p in problems if p.code == "credit-tier-above-level"]
    assert "while the committed 99.9 % is met" in above.message
    assert "below: 99.9" in above.fix
    text = text.replace("{below: 99.95, credit: 10}", "{below: 99.9, atLeast: 99.0, credit: 10}")
    _, problems = load(text)
    (gap,) = problems
    assert (gap.code, gap.field) == ("credit-tier-gap", credits)
    assert gap.message == "no credit tier covers a level of 0 % (below the committed 99.9 %)"


def test_boundary_between_tiers_is_exact() -> None:
    # below 99.0 and atLeast 99.0 meet without a gap; atMost 99.0 and atLeast 99.0 overlap
    body = V1.replace(
        "{below: 99.0, atLeast: 95.0, credit: 25}", "{atMost: 99.0, atLeast: 95.0, credit: 25}"
    )
    _, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    assert [(p.code, p.field) for p in problems] == [
        ("credit-tier-overlap", "spec.versions[0].availability[0].credits[1]")
    ]


def test_field_rules() -> None:
    body = (
        V1.replace("level: 99.9", "level: 100")
        .replace('"1200.00"', '"12,00"')
        .replace("errorRateAtLeast: 5", "errorRateAtLeast: 5\n            errorRateAbove: 5")
        .replace("{below: 95.0, credit: 100}", "{below: 95.0, atMost: 94, credit: 100}")
        .replace(
            "claimDeadline: {periodsAfter: 2}",
            "claimDeadline: {periodsAfter: 2, daysAfterPeriod: 3}",
        )
        .replace("interval: 5m", "interval: 1M")
        .replace("P2: {firstResponse: 4h}", "P2: {}")
        .replace("cap: {percent: 50}", "cap: {}")
    )
    text = "---\n".join([CUSTOMER.replace("EUR", "euro"), CALENDAR, agreement(body)])
    _, problems = load(text)
    a = "spec.versions[0].availability[0]"
    combined = {
        ("conflicting-fields", f"{a}.measurement.errorRateAbove"),
        ("conflicting-fields", f"{a}.credits[2].atMost"),
        ("conflicting-fields", f"{a}.claimDeadline.daysAfterPeriod"),
        ("missing-field", "spec.versions[0].support[0].targets.P2"),
        ("missing-field", f"{a}.cap"),
    }
    # the field-level errors and the combination rules in one run (they used to wait for
    # the field errors to be fixed: a level of 100 took no stand-in)
    assert {(p.code, p.field) for p in errors(problems)} == {
        ("invalid-currency", "spec.currency"),
        ("percent-out-of-range", f"{a}.level"),
        ("invalid-type", "spec.versions[0].fees.checkout"),
        ("invalid-duration", f"{a}.measurement.interval"),
        *combined,
    }
    text = text.replace("level: 100", "level: 99.9").replace('"12,00"', '"1200.00"')
    text = text.replace("interval: 1M", "interval: 5m").replace("euro", "EUR")
    _, problems = load(text)
    assert {(p.code, p.field) for p in errors(problems)} == combined


def test_measurement_rules() -> None:
    body = V1.replace(
        """          measurement:
            source: bad-intervals
            slo: checkout-availability
            interval: 5m
            errorRateAtLeast: 5""",
        "          measurement: {source: bad-intervals}",
    ).replace(
        "measurement: {source: incidents, severities: [sev1]}",
        "measurement: {source: incidents, slo: checkout-availability}",
    )
    text = "---\n".join([CUSTOMER, CALENDAR, agreement(body)])
    _, problems = load(text)
    a = "spec.versions[0].availability"
    assert {(p.code, p.field, p.severity) for p in problems} == {
        ("missing-field", f"{a}[0].measurement.slo", "error"),
        ("missing-field", f"{a}[0].measurement", "error"),
        ("missing-field", f"{a}[0].measurement.interval", "error"),
        ("ignored-field", f"{a}[1].measurement.slo", "warning"),
    }


def test_mean_error_rate_needs_its_interval() -> None:
    body = V2.replace(", interval: 1m}", "}")
    _, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(V1 + body)]))
    (problem,) = errors(problems)
    assert (problem.code, problem.field) == (
        "missing-field",
        "spec.versions[1].availability[0].measurement.interval",
    )
    assert "interval: 5m" in problem.fix


TOP_DOWN = """\
            - {atLeast: 99.0, credit: 10}
            - {atLeast: 95.0, credit: 25}
            - {below: 95.0, credit: 100}"""
S3_TIERS = """\
            - {below: 99.9, atLeast: 99.0, credit: 10}
            - {below: 99.0, atLeast: 95.0, credit: 25}
            - {below: 95.0, credit: 100}"""


def test_tiers_written_top_down_by_lower_bounds_alone_are_an_error() -> None:
    # {atLeast: 99.0} first would pay 10 % at 100 % uptime (first matching tier wins)
    body = V1.replace(S3_TIERS, TOP_DOWN)
    workspace, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    assert workspace is None
    credits = "spec.versions[0].availability[0].credits"
    # the second tier would pay at 100 % too once the first is bounded: both are named
    assert [(p.code, p.field, p.severity) for p in errors(problems)] == [
        ("credit-tier-above-level", f"{credits}[0]", "error"),
        ("credit-tier-above-level", f"{credits}[1]", "error"),
    ]
    problem, _ = errors(problems)
    assert problem.message == (
        "credits[0] (≥ 99 % → 10 %) pays a credit while the committed 99.9 % is met "
        "(at 100 % uptime)"
    )
    assert problem.fix == (
        "bound the tier below the level: add below: 99.9 to it "
        "(e.g. {below: 99.9, atLeast: 99, credit: 10})"
    )


def test_a_tier_paying_exactly_at_the_level_is_an_error_and_one_below_is_not() -> None:
    at_most = V1.replace(
        "{below: 99.9, atLeast: 99.0, credit: 10}", "{atMost: 99.9, atLeast: 99.0, credit: 10}"
    )
    _, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(at_most)]))
    assert [p.code for p in errors(problems)] == ["credit-tier-above-level"]
    assert "(at 99.9 % uptime)" in errors(problems)[0].message
    workspace, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(V1)]))
    assert workspace is not None
    assert problems == []


def test_an_agreement_with_only_tiers_commits_to_the_highest_upper_bound() -> None:
    body = V1.replace("          level: 99.9\n", "", 1)
    workspace, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    assert workspace is not None, problems
    assert problems == []
    commitment = workspace.agreements[0].availability[0]
    assert commitment.level == Fraction(999, 1000)
    # tiers with no upper bound (or an inclusive one at the top) cannot tell the level
    for tiers, needle in (
        ("            - {atLeast: 99.0, credit: 10}", "no credit tier with an upper bound"),
        ("            - {atMost: 99.9, credit: 10}", "pays at 99.9 % (atMost)"),
    ):
        text = "---\n".join([CUSTOMER, CALENDAR, agreement(body.replace(S3_TIERS, tiers))])
        _, problems = load(text)
        (problem,) = errors(problems)
        assert (problem.code, problem.field) == (
            "missing-field",
            "spec.versions[0].availability[0].level",
        )
        assert needle in problem.message


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ('"99.99%"', Fraction(9999, 10000)),
        ('"99.99 %"', Fraction(9999, 10000)),
        ("99.99", Fraction(9999, 10000)),
    ],
)
def test_a_level_written_with_a_percent_sign_is_read(written: str, level: Fraction) -> None:
    body = V1.replace("level: 99.9\n", f"level: {written}\n", 1).replace(
        S3_TIERS,
        """\
            - {below: 99.99, atLeast: 99.0, credit: "10%"}
            - {below: 99.0, credit: 25 %}""",
    )
    workspace, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    assert workspace is not None, problems
    commitment = workspace.agreements[0].availability[0]
    assert commitment.level == level
    assert [t.credit for t in commitment.remedies.tiers] == [Decimal(10), Decimal(25)]


@pytest.mark.parametrize(
    ("written", "meant"), [("0.9999", "99.99"), ("0.999", "99.9"), ("0.95", "95")]
)
def test_a_level_written_as_a_fraction_asks_what_was_meant(written: str, meant: str) -> None:
    body = V1.replace("level: 99.9\n", f"level: {written}\n", 1)
    _, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    (problem,) = errors(problems)
    assert (problem.code, problem.field) == (
        "level-as-fraction",
        "spec.versions[0].availability[0].level",
    )
    assert problem.fix.startswith(f"did you mean {meant}?")


def test_a_percentage_that_is_not_a_number_is_refused_with_the_fix() -> None:
    body = V1.replace("level: 99.9\n", 'level: "ninety%"\n', 1)
    _, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    (problem,) = errors(problems)
    assert (problem.code, problem.field) == (
        "invalid-value",
        "spec.versions[0].availability[0].level",
    )
    assert "99.9" in problem.fix


@pytest.mark.parametrize(
    ("currency", "fee", "ok"),
    [
        ("JPY", '"1200"', True),
        ("JPY", '"1200.5"', False),
        ("EUR", '"1200.50"', True),
        ("EUR", '"1200.505"', False),
        ("EUR", '"1200.500"', True),  # trailing zeros state no smaller unit
        ("BHD", '"1200.505"', True),
        ("BHD", '"1200.5055"', False),
    ],
)
def test_a_fee_has_at_most_its_currencys_decimals(currency: str, fee: str, ok: bool) -> None:
    body = V1.replace('"1200.00"', fee).replace("search: 300.10", "search: 300")
    text = "---\n".join([CUSTOMER.replace("EUR", currency), CALENDAR, agreement(body)])
    _, problems = load(text)
    if ok:
        assert errors(problems) == []
        return
    (problem,) = errors(problems)
    assert (problem.code, problem.field) == ("money-precision", "spec.versions[0].fees.checkout")
    assert f"more decimals than {currency} has" in problem.message


@pytest.mark.parametrize(
    "fee", ['"1_200.00"', '"12e2"', '"1200.00 EUR"', '"١٢٠٠"', '"Infinity"', '"1,200.00"']
)
def test_money_text_is_plain_decimal_digits(fee: str) -> None:
    """Python's Decimal reads "1_200.00", "12e2", "Infinity" and Arabic-Indic digits; a fee
    written so is refused with the field and the fix, never guessed at."""
    body = V1.replace('"1200.00"', fee)
    _, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    (problem,) = errors(problems)
    assert (problem.code, problem.field) == ("invalid-type", "spec.versions[0].fees.checkout")
    assert "digits 0-9" in problem.message
    assert '"1200.00"' in problem.fix


@pytest.mark.parametrize(
    ("level", "ok"), [('"99.95%"', True), ('"99.95 %"', True), ('"9e1%"', False)]
)
def test_a_level_written_as_text_is_plain_decimal_digits(level: str, ok: bool) -> None:
    body = V1.replace("level: 99.9\n", f"level: {level}\n", 1)
    assert body != V1
    _, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    assert [p.code for p in errors(problems)] == ([] if ok else ["invalid-value"])


def test_minimum_credit_and_cap_amounts_are_checked_against_the_currency_too() -> None:
    body = V1.replace('minimumCredit: "10.00"', 'minimumCredit: {above: "0.005"}').replace(
        'cap: {amount: "5000.00"}', 'cap: {amount: "5000.001"}'
    )
    _, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    a = "spec.versions[0].availability"
    assert {(p.code, p.field) for p in errors(problems)} == {
        ("money-precision", f"{a}[0].minimumCredit.above"),
        ("money-precision", f"{a}[1].cap.amount"),
    }


@pytest.mark.parametrize(
    ("old", "new", "code", "field"),
    [
        ('"1200.00"', "1e30", "money-out-of-range", "spec.versions[0].fees.checkout"),
        ('"1200.00"', "1e400", "money-out-of-range", "spec.versions[0].fees.checkout"),
        (
            "claimDeadline: {periodsAfter: 2}",
            "claimDeadline: {periodsAfter: 999999999}",
            "claim-deadline-out-of-range",
            "spec.versions[0].availability[0].claimDeadline.periodsAfter",
        ),
        (
            "claimDeadline: {daysAfterPeriod: 30}",
            "claimDeadline: {daysAfterPeriod: 999999999}",
            "claim-deadline-out-of-range",
            "spec.versions[0].availability[1].claimDeadline.daysAfterPeriod",
        ),
    ],
)
def test_huge_money_and_deadlines_are_bounded_at_validation(
    old: str, new: str, code: str, field: str
) -> None:
    body = V1.replace(old, new)
    _, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    (problem,) = errors(problems)
    assert (problem.code, problem.field) == (code, field)
    assert problem.fix


def test_minimum_credit_is_written_as_at_least_or_above() -> None:
    body = V1.replace('minimumCredit: "10.00"', 'minimumCredit: {above: "1.00"}')
    workspace, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    assert workspace is not None, problems
    remedies = workspace.agreements[0].availability[0].remedies
    assert (remedies.minimum_credit, remedies.minimum_inclusive) == (Decimal("1.00"), False)
    for written, code in (
        ('{above: "1.00", atLeast: "1.00"}', "conflicting-fields"),
        ("{}", "missing-field"),
    ):
        text = "---\n".join(
            [
                CUSTOMER,
                CALENDAR,
                agreement(V1.replace('minimumCredit: "10.00"', f"minimumCredit: {written}")),
            ]
        )
        _, problems = load(text)
        assert [p.code for p in errors(problems)] == [code]


def test_a_float_looking_fee_stays_exact() -> None:
    body = V1.replace('"1200.00"', "0.1").replace("300.10", "1e3")
    workspace, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    assert workspace is not None, problems
    assert dict(workspace.agreements[0].fees) == {
        "checkout": Decimal("0.1"),
        "search": Decimal("1E+3"),
    }


def test_contract_kinds_no_longer_warn_and_export_leaves_them_out() -> None:
    workspace, problems = load(FULL)
    assert workspace is not None
    assert problems == []
    exported = export_openslo(workspace.documents)
    assert "kind: SLO" in exported
    for kind in ("Customer", "Calendar", "Agreement", "MaintenanceWindow"):
        assert f"kind: {kind}" not in exported


def test_example_shop_still_validates_clean() -> None:
    workspace, problems = analyse([SHOP])
    assert workspace is not None
    assert problems == []
    assert {v.key for v in workspace.agreements} == {
        "globex-enterprise@v1",
        "initech-standard@v1",
    }


def test_failed_customer_does_not_cascade(tmp_path: Path) -> None:
    text = "---\n".join([CUSTOMER.replace("  currency: EUR\n", ""), CALENDAR, agreement(V1)])
    _, problems = load(text)
    assert {(p.code, p.field) for p in errors(problems)} == {("missing-field", "spec.currency")}


def test_the_docs_example_validates_clean() -> None:
    text = (ROOT / "docs" / "agreements.md").read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    workspace, problems = load(block, file="agreements.md")
    assert problems == []
    assert workspace is not None
    assert [v.key for v in workspace.agreements] == ["acme-sla@v1", "acme-sla@v2"]


def test_region_downtime_from_k_of_n_components_is_written_and_checked() -> None:
    old = "measurement: {source: incidents, severities: [sev1]}"
    new = "measurement: {source: incidents, components: [az-a, az-b, az-c], atLeastDown: 2}"
    body = V1.replace(old, new)
    workspace, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    assert workspace is not None, problems
    m = workspace.agreements[0].availability[1].measurement
    assert (m.components, m.components_down) == (("az-a", "az-b", "az-c"), 2)
    where = "spec.versions[0].availability[1].measurement"
    for bad, needle in (
        ("{source: incidents, components: [az-a], atLeastDown: 1}", "two or more"),
        ("{source: incidents, components: [az-a, az-b], atLeastDown: 3}", "between 1 and the 2"),
        ("{source: incidents, components: [az-a, az-b]}", "between 1 and the 2"),
        ("{source: incidents, atLeastDown: 2}", "two or more"),
    ):
        text = "---\n".join([CUSTOMER, CALENDAR, agreement(V1.replace(old, f"measurement: {bad}"))])
        _, problems = load(text)
        (problem,) = errors(problems)
        assert (problem.code, problem.field) == ("invalid-components", where)
        assert needle in problem.message


def test_a_cap_across_the_whole_agreement_is_read() -> None:
    body = V1.replace(
        "      approvals:\n", '      cap: {percent: 20, amount: "250.00"}\n      approvals:\n', 1
    )
    workspace, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    assert workspace is not None, problems
    version = workspace.agreements[0]
    assert (version.cap_percent, version.cap_amount) == (Decimal(20), Decimal("250.00"))
    _, problems = load(
        "---\n".join([CUSTOMER, CALENDAR, agreement(body.replace('"250.00"', '"250.001"'))])
    )
    assert [(p.code, p.field) for p in errors(problems)] == [
        ("money-precision", "spec.versions[0].cap.amount")
    ]
