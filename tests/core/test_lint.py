"""The bridge rules on hand-built agreements and objectives: every answer worked out by hand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    DowntimeSource,
    Measurement,
    PeriodUnit,
    SupportCommitment,
    SupportTarget,
    VersionStatus,
)
from covenant.core.lint import lint_version, lint_versions
from covenant.core.lint_findings import DEFAULT_MARGIN, Finding, percent, points
from covenant.core.lint_windows import describe_window
from covenant.core.model import (
    DAY,
    BudgetingMethod,
    CalendarUnit,
    CalendarWindow,
    Objective,
    RollingWindow,
    Window,
)

MONTH_UTC = CalendarWindow(unit=CalendarUnit.MONTH, zone="UTC")
MONTH_BERLIN = CalendarWindow(unit=CalendarUnit.MONTH, zone="Europe/Berlin")
BAD_5M = Measurement(
    source=DowntimeSource.BAD_INTERVALS, series="api", interval_s=300, threshold=Fraction(5, 100)
)
INCIDENTS = Measurement(source=DowntimeSource.INCIDENTS)


def slo(
    target: str,
    *,
    name: str = "api-slo",
    objective: str = "",
    window: Window = MONTH_UTC,
    method: BudgetingMethod = BudgetingMethod.OCCURRENCES,
    slice_s: int | None = None,
    slice_target: Fraction | None = None,
    series: str = "api",
) -> Objective:
    return Objective(
        slo=name,
        name=objective,
        series=series,
        target=Fraction(target),
        window=window,
        method=method,
        time_slice_window_s=slice_s,
        time_slice_target=slice_target,
        service="api",
        sli=series,
    )


def uptime(
    level: str, *, backed_by: Sequence[str] = ("api-slo",), measurement: Measurement = INCIDENTS
) -> AvailabilityCommitment:
    return AvailabilityCommitment(
        name="api-uptime",
        services=("api",),
        level=Fraction(level),
        measurement=measurement,
        backing_slos=tuple(backed_by),
    )


def version(
    *commitments: AvailabilityCommitment | SupportCommitment,
    zone: str = "UTC",
    period: PeriodUnit = PeriodUnit.MONTH,
    status: VersionStatus = VersionStatus.ACTIVE,
) -> AgreementVersion:
    return AgreementVersion(
        agreement="acme-sla",
        version=1,
        customer="acme",
        status=status,
        effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        effective_to=None,
        currency="EUR",
        fees=(("api", Decimal(0)),),
        period=period,
        zone=zone,
        availability=tuple(c for c in commitments if isinstance(c, AvailabilityCommitment)),
        support=tuple(c for c in commitments if isinstance(c, SupportCommitment)),
    )


def lint(
    agreement: AgreementVersion,
    *objectives: Objective,
    margin: Fraction = DEFAULT_MARGIN,
) -> list[Finding]:
    by_slo: dict[str, list[Objective]] = {}
    for objective in objectives:
        by_slo.setdefault(objective.slo, []).append(objective)
    return lint_version(agreement, objectives=by_slo, required_margin=margin, where="ws.yaml:7")


def codes(findings: Sequence[Finding]) -> list[str]:
    return [f.code for f in findings]


def only(findings: Sequence[Finding], code: str) -> Finding:
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, codes(findings)
    return matching[0]


# --- strictness and margin -----------------------------------------------------------------


def test_a_margin_of_exactly_the_required_points_passes() -> None:
    # 99.95 − 99.9 = 0.05 points ≥ 0.05: exactly at the boundary, no finding
    assert lint(version(uptime("0.999")), slo("0.9995")) == []


def test_a_margin_just_below_the_boundary_warns() -> None:
    found = lint(version(uptime("0.999")), slo("0.99949"))
    finding = only(found, "margin-too-small")
    assert finding.severity == "warning"
    assert finding.slo == "api-slo"
    assert "only 0.049 points above the committed availability 99.9 %" in finding.message
    assert "at least 99.95 %" in finding.fix
    assert (finding.agreement, finding.version, finding.commitment) == ("acme-sla", 1, "api-uptime")
    assert finding.where == "ws.yaml:7"


def test_the_margin_is_a_parameter_in_percentage_points() -> None:
    assert codes(lint(version(uptime("0.999")), slo("0.9995"), margin=Fraction(1, 10))) == [
        "margin-too-small"
    ]
    assert lint(version(uptime("0.999")), slo("0.9991"), margin=Fraction(0)) == []
    with pytest.raises(ValueError, match="negative"):
        lint(version(uptime("0.999")), slo("0.9995"), margin=Fraction(-1, 100))


def test_an_equal_target_is_not_stricter() -> None:
    finding = only(lint(version(uptime("0.9995")), slo("0.9995")), "backing-not-stricter")
    assert finding.severity == "error"
    assert "99.95 %, equal to the committed availability 99.95 %" in finding.message
    # 99.95 + 0.05 = 100 %: no SLO can have that margin; the fix says so instead of "100 %"
    assert "no SLO can be 0.05 points stricter than 99.95 %" in finding.fix
    assert "99.975 %" in finding.fix


def test_a_looser_target_is_an_error_with_the_target_to_reach() -> None:
    finding = only(lint(version(uptime("0.999")), slo("0.995")), "backing-not-stricter")
    assert "99.5 %, looser than the committed availability 99.9 %" in finding.message
    assert "raise api-slo's target to at least 99.95 %" in finding.fix


def test_the_strictest_objective_of_a_backing_slo_is_judged() -> None:
    loose = slo("0.99", objective="loose")
    strict = slo("0.9999", objective="strict")
    assert lint(version(uptime("0.999")), loose, strict) == []
    assert only(lint(version(uptime("0.9999")), loose, strict), "backing-not-stricter").slo == (
        "api-slo/strict"
    )


def test_every_backing_slo_is_checked() -> None:
    found = lint(
        version(uptime("0.999", backed_by=("api-slo", "other"))),
        slo("0.9995"),
        slo("0.99", name="other"),
    )
    assert only(found, "backing-not-stricter").slo == "other"


# --- backing present at all ------------------------------------------------------------------


def test_an_unbacked_commitment_is_an_error_naming_candidates() -> None:
    found = lint_versions(
        [version(uptime("0.999", backed_by=()))],
        objectives=[slo("0.9995", name="good-enough"), slo("0.999", name="too-loose")],
    )
    finding = only(found, "unbacked-commitment")
    assert finding.severity == "error"
    assert "has no backing SLO" in finding.message
    assert "at least 99.95 %" in finding.fix
    assert "candidates: good-enough" in finding.fix
    assert "too-loose" not in finding.fix


def test_a_backing_name_without_an_objective_is_unknown() -> None:
    finding = only(lint(version(uptime("0.999", backed_by=("ghost",)))), "backing-slo-unknown")
    assert finding.severity == "error"
    assert finding.slo == "ghost"


# --- windows ---------------------------------------------------------------------------------


def test_a_rolling_28d_slo_behind_a_calendar_month_in_berlin() -> None:
    found = lint(
        version(uptime("0.999"), zone="Europe/Berlin"),
        slo("0.9995", window=RollingWindow(seconds=28 * DAY)),
    )
    finding = only(found, "window-mismatch")
    assert finding.severity == "warning"
    assert "rolling 28d" in finding.message
    assert "calendar month in Europe/Berlin" in finding.message
    assert "no month boundary" in finding.message
    assert "28d is shorter than a 31-day month" in finding.message
    assert "duration: 1M" in finding.fix
    assert "timeZone: Europe/Berlin" in finding.fix


def test_a_rolling_window_longer_than_the_month_still_misses_the_boundary() -> None:
    finding = only(
        lint(version(uptime("0.999")), slo("0.9995", window=RollingWindow(seconds=35 * DAY))),
        "window-mismatch",
    )
    assert "no month boundary" in finding.message
    assert "shorter" not in finding.message


def test_an_sla_in_new_york_behind_a_calendar_slo_in_utc() -> None:
    found = lint(version(uptime("0.999"), zone="America/New_York"), slo("0.9995"))
    finding = only(found, "window-mismatch")
    assert "midnight UTC" in finding.message
    assert "midnight America/New_York" in finding.message
    assert "5 h apart on 2026-01-01" in finding.message  # EST is UTC−5 in January


def test_the_same_calendar_month_in_the_same_zone_protects() -> None:
    agreement = version(uptime("0.999"), zone="Europe/Berlin")
    assert lint(agreement, slo("0.9995", window=MONTH_BERLIN)) == []
    anchored = CalendarWindow(
        unit=CalendarUnit.MONTH,
        zone="Europe/Berlin",
        anchor=datetime(2025, 12, 31, 23, tzinfo=UTC),  # 2026-01-01 00:00 in Berlin
    )
    assert lint(agreement, slo("0.9995", window=anchored)) == []


def test_a_calendar_month_anchored_mid_month_is_misaligned() -> None:
    anchored = CalendarWindow(
        unit=CalendarUnit.MONTH, zone="UTC", anchor=datetime(2026, 1, 15, tzinfo=UTC)
    )
    finding = only(
        lint(version(uptime("0.999")), slo("0.9995", window=anchored)), "window-mismatch"
    )
    assert "start on 2026-01-15 00:00 (UTC), not on the first day of a month" in finding.message


@pytest.mark.parametrize(
    ("window", "period", "expected"),
    [
        (CalendarWindow(unit=CalendarUnit.WEEK, count=2, zone="UTC"), PeriodUnit.MONTH, "shorter"),
        (CalendarWindow(unit=CalendarUnit.MONTH, zone="UTC"), PeriodUnit.QUARTER, "shorter"),
        (CalendarWindow(unit=CalendarUnit.QUARTER, zone="UTC"), PeriodUnit.MONTH, "longer"),
        (CalendarWindow(unit=CalendarUnit.YEAR, zone="UTC"), PeriodUnit.QUARTER, "longer"),
        (CalendarWindow(unit=CalendarUnit.QUARTER, zone="UTC"), PeriodUnit.QUARTER, None),
        (CalendarWindow(unit=CalendarUnit.MONTH, count=3, zone="UTC"), PeriodUnit.QUARTER, None),
    ],
)
def test_calendar_units_against_the_period(
    window: CalendarWindow, period: PeriodUnit, expected: str | None
) -> None:
    found = lint(version(uptime("0.999"), period=period), slo("0.9995", window=window))
    if expected is None:
        assert found == []
    else:
        assert expected in only(found, "window-mismatch").message


def test_three_months_anchored_off_the_quarter_are_misaligned() -> None:
    window = CalendarWindow(
        unit=CalendarUnit.MONTH, count=3, zone="UTC", anchor=datetime(2026, 2, 1, tzinfo=UTC)
    )
    found = lint(version(uptime("0.999"), period=PeriodUnit.QUARTER), slo("0.9995", window=window))
    assert "not on the first day of a quarter" in only(found, "window-mismatch").message


# --- measurement -----------------------------------------------------------------------------


def test_per_interval_contract_behind_an_occurrences_slo() -> None:
    finding = only(
        lint(version(uptime("0.999", measurement=BAD_5M)), slo("0.9995")), "measurement-mismatch"
    )
    assert "budgets events (Occurrences)" in finding.message
    assert "5m intervals (bad-intervals)" in finding.message
    assert "Timeslices with timeSliceWindow: 5m and timeSliceTarget above 95 %" in finding.fix


def test_time_slices_of_another_length() -> None:
    objective = slo(
        "0.9995",
        method=BudgetingMethod.TIMESLICES,
        slice_s=60,
        slice_target=Fraction(99, 100),
    )
    finding = only(
        lint(version(uptime("0.999", measurement=BAD_5M)), objective), "measurement-mismatch"
    )
    assert "uses 1m time slices, but api-uptime counts 5m intervals" in finding.message
    assert finding.fix == "set timeSliceWindow: 5m on api-slo"


@pytest.mark.parametrize(
    ("slice_target", "inclusive", "mismatch"),
    [
        # contract: down at error ≥ 5 % (success ≤ 95 %); the SLO must call those slices bad
        (Fraction(95, 100), True, True),  # a 95 %-success slice: down, yet good for the SLO
        (Fraction(96, 100), True, False),
        (Fraction(95, 100), False, False),  # errorRateAbove 5: down only below 95 % success
        (Fraction(94, 100), False, True),
    ],
)
def test_a_slice_target_looser_than_the_contract_threshold(
    slice_target: Fraction, inclusive: bool, mismatch: bool
) -> None:
    measurement = Measurement(
        source=DowntimeSource.BAD_INTERVALS,
        series="api",
        interval_s=300,
        threshold=Fraction(5, 100),
        threshold_inclusive=inclusive,
    )
    objective = slo(
        "0.9995", method=BudgetingMethod.TIMESLICES, slice_s=300, slice_target=slice_target
    )
    found = lint(version(uptime("0.999", measurement=measurement)), objective)
    assert codes(found) == (["measurement-mismatch"] if mismatch else [])


def test_matching_per_interval_methods_pass_and_crossed_ones_do_not() -> None:
    mean = Measurement(source=DowntimeSource.MEAN_ERROR_RATE, series="api", interval_s=60)
    ratio = slo("0.9995", method=BudgetingMethod.RATIO_TIMESLICES, slice_s=60)
    assert lint(version(uptime("0.999", measurement=mean)), ratio) == []
    crossed = slo(
        "0.9995", method=BudgetingMethod.TIMESLICES, slice_s=60, slice_target=Fraction(99, 100)
    )
    finding = only(
        lint(version(uptime("0.999", measurement=mean)), crossed), "measurement-mismatch"
    )
    assert "is Timeslices, but api-uptime is measured as mean-error-rate" in finding.message


def test_an_incident_measured_contract_behind_time_slices() -> None:
    objective = slo("0.9995", method=BudgetingMethod.RATIO_TIMESLICES, slice_s=300)
    finding = only(lint(version(uptime("0.999")), objective), "measurement-mismatch")
    assert "incident records" in finding.message
    assert lint(version(uptime("0.999")), slo("0.9995")) == []  # Occurrences: not flagged


def test_a_backing_slo_on_another_series() -> None:
    objective = slo(
        "0.9995",
        method=BudgetingMethod.TIMESLICES,
        slice_s=300,
        slice_target=Fraction(99, 100),
        series="web",
    )
    finding = only(
        lint(version(uptime("0.999", measurement=BAD_5M)), objective), "measurement-mismatch"
    )
    assert "reads series 'web', but api-uptime measures downtime on 'api'" in finding.message


# --- support ---------------------------------------------------------------------------------


def tickets(*, calendar: str | None, resolution_s: int = 4 * 3600) -> SupportCommitment:
    return SupportCommitment(
        name="tickets",
        calendar=calendar,
        targets=(SupportTarget(priority="P1", first_response_s=1800, resolution_s=resolution_s),),
        attainment=Fraction(95, 100),
        backing_slos=("ticket-slo",),
    )


def test_a_support_commitment_without_calendar() -> None:
    backing = slo("0.97", name="ticket-slo")
    finding = only(lint(version(tickets(calendar=None)), backing), "support-without-calendar")
    assert finding.severity == "warning"
    assert "measured in calendar time 24×7" in finding.message
    assert "business-hours" not in finding.message
    assert finding.fix == (
        "targets are measured in calendar time 24×7; add `calendar:` if the contract means "
        "business hours"
    )
    long = only(
        lint(version(tickets(calendar=None, resolution_s=DAY)), backing),
        "support-without-calendar",
    )
    assert "P1 resolution 1d looks like a business-hours target" in long.message
    assert lint(version(tickets(calendar="office")), backing) == []


def test_a_resolution_shorter_than_the_first_response_is_a_finding() -> None:
    """P1: respond within 4 h, resolve within 30 min: a ticket resolved in time can still
    breach its response target (the two swapped, or a unit slip)."""
    backing = slo("0.97", name="ticket-slo")
    swapped = replace(
        tickets(calendar="office"),
        targets=(
            SupportTarget(priority="P1", first_response_s=4 * 3600, resolution_s=1800),
            SupportTarget(priority="P2", first_response_s=3600, resolution_s=3600),  # equal: fine
            SupportTarget(priority="P3", resolution_s=60),  # no response target: fine
        ),
    )
    finding = only(lint(version(swapped), backing), "resolution-before-response")
    assert finding.severity == "warning"
    assert finding.commitment == "tickets"
    assert finding.where == "ws.yaml:7"
    assert finding.message == (
        "tickets: priority P1 resolution 30m is shorter than its first response 4h"
    )
    assert finding.fix == (
        "check the two targets: resolution is usually the longer (firstResponse: 30m, "
        "resolution: 4h if they were swapped)"
    )
    assert lint(version(tickets(calendar="office")), backing) == []


def test_support_is_judged_by_its_attainment() -> None:
    found = lint(version(tickets(calendar="office")), slo("0.95", name="ticket-slo"))
    assert "support attainment 95 %" in only(found, "backing-not-stricter").message
    unbacked = SupportCommitment(
        name="tickets", calendar="office", targets=(SupportTarget(priority="P1"),)
    )
    assert codes(lint(version(unbacked))) == ["unbacked-commitment"]


# --- versions --------------------------------------------------------------------------------


def test_drafts_are_linted_and_marked_pending() -> None:
    (finding,) = lint(version(uptime("0.999"), status=VersionStatus.DRAFT), slo("0.999"))
    assert (finding.code, finding.severity, finding.status) == (
        "backing-not-stricter",
        "error",
        "draft",
    )
    assert finding.pending


def test_errors_on_ended_versions_are_warnings() -> None:
    (finding,) = lint(version(uptime("0.999"), status=VersionStatus.SUPERSEDED), slo("0.999"))
    assert (finding.code, finding.severity, finding.pending) == (
        "backing-not-stricter",
        "warning",
        False,
    )
    assert "no longer in force" in finding.why


def test_lint_versions_orders_by_agreement_and_version_and_applies_margins() -> None:
    first = version(uptime("0.999"))
    found = lint_versions(
        [first],
        objectives=[slo("0.9995")],
        margins={"acme-sla": Fraction(1, 10)},
        origins={"acme-sla@v1": "ws.yaml:3"},
    )
    assert [(f.code, f.where, f.key) for f in found] == [
        ("margin-too-small", "ws.yaml:3", "acme-sla@v1")
    ]


def test_text_helpers_are_exact() -> None:
    assert percent(Fraction(9995, 10000)) == "99.95 %"
    assert points(Fraction(1, 20)) == "0.05"
    assert points(Fraction(2)) == "2"
    assert describe_window(RollingWindow(seconds=28 * DAY)) == "rolling 28d"
    assert describe_window(MONTH_BERLIN) == "calendar month in Europe/Berlin"


def test_a_backing_slo_on_another_service_is_flagged() -> None:
    other = replace(slo("0.9999"), service="search")
    finding = only(lint(version(uptime("0.999")), other), "backing-other-service")
    assert finding.severity == "warning"
    assert "search" in finding.message


def test_utc_under_another_name_is_the_same_zone() -> None:
    etc = CalendarWindow(unit=CalendarUnit.MONTH, zone="Etc/UTC")
    assert lint(version(uptime("0.999")), slo("0.9995", window=etc)) == []
