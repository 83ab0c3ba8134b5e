"""Availability, credits and claim deadlines against public cloud SLA facts, encoded by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    ClaimDeadline,
    ClaimRule,
    CreditTier,
    DowntimeSource,
    EligibleTime,
    Exclusions,
    Incident,
    MaintenanceWindow,
    Measurement,
    Remedies,
    VersionStatus,
)
from covenant.core.availability import availability
from covenant.core.credits import credit_for
from covenant.core.series import BucketMatrix

# A 99.99 % monthly commitment: < 99.99 & ≥ 99.0 → 10 %, < 99.0 & ≥ 95.0 → 30 %, < 95.0 → 100 %.
TIERS = (
    CreditTier(credit=Decimal(10), below=Fraction(9999, 10000), at_least=Fraction(99, 100)),
    CreditTier(credit=Decimal(30), below=Fraction(99, 100), at_least=Fraction(95, 100)),
    CreditTier(credit=Decimal(100), below=Fraction(95, 100)),
)


def version(
    commitment: AvailabilityCommitment, *, zone: str = "UTC", effective_from: datetime | None = None
) -> AgreementVersion:
    return AgreementVersion(
        agreement="acme-cloud",
        version=1,
        customer="acme",
        status=VersionStatus.ACTIVE,
        effective_from=effective_from or datetime(2026, 1, 1, tzinfo=UTC),
        effective_to=None,
        currency="USD",
        fees=(("storage", Decimal("1000.00")), ("compute", Decimal("500.00"))),
        zone=zone,
        availability=(commitment,),
    )


def incidents_commitment(**remedies: object) -> AvailabilityCommitment:
    return AvailabilityCommitment(
        name="uptime",
        services=("storage",),
        level=Fraction(9999, 10000),
        measurement=Measurement(source=DowntimeSource.INCIDENTS),
        exclusions=Exclusions(maintenance_notice_s=5 * 86400),
        remedies=Remedies(tiers=TIERS, **remedies),  # type: ignore[arg-type]
    )


def outage(
    minutes: int, start: datetime = datetime(2026, 11, 10, tzinfo=UTC), **kw: object
) -> Incident:
    return Incident(
        id=f"INC-{minutes}",
        services=("storage",),
        start=start,
        end=start + timedelta(minutes=minutes),
        **kw,
    )  # type: ignore[arg-type]


NOV = datetime(2026, 11, 1, tzinfo=UTC)
AFTER = datetime(2026, 12, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("minutes", "level", "credit"),
    [
        (0, Fraction(1), Decimal(0)),
        (4, Fraction(43196, 43200), Decimal(0)),  # 99.9907 % still meets 99.99 %
        (5, Fraction(43195, 43200), Decimal(10)),  # 99.9884 % < 99.99 %
        (432, Fraction(99, 100), Decimal(10)),  # exactly 99.0 % is still "≥ 99.0"
        (433, Fraction(43200 - 433, 43200), Decimal(30)),
        (2160, Fraction(95, 100), Decimal(30)),
        (2161, Fraction(43200 - 2161, 43200), Decimal(100)),
    ],
)
def test_thirty_day_month_tiers(minutes: int, level: Fraction, credit: Decimal) -> None:
    c = incidents_commitment()
    r = availability(version(c), c, period_start=NOV, at=AFTER, incidents=[outage(minutes)])
    assert r.eligible_s == 43200 * 60
    assert r.downtime_s == minutes * 60
    assert r.level == level
    assert r.credit is not None
    assert r.credit.percent == credit
    assert r.credit.amount.amount == Decimal("1000.00") * credit / 100  # storage fee only
    assert r.complete


@pytest.mark.parametrize(
    ("month", "zone", "minutes"),
    [
        ((2026, 2), "UTC", 40320),
        ((2026, 11), "UTC", 43200),
        ((2026, 10), "UTC", 44640),
        ((2026, 10), "Europe/Berlin", 44700),
        ((2026, 3), "Europe/Berlin", 44580),
    ],
)
def test_eligible_minutes_follow_the_month(month: tuple[int, int], zone: str, minutes: int) -> None:
    c = incidents_commitment()
    r = availability(
        version(c, zone=zone),
        c,
        period_start=datetime(*month, 10, tzinfo=UTC),
        at=AFTER.replace(year=2027),
    )
    assert r.eligible_s == minutes * 60
    assert r.level == 1


def test_partial_month_counts_only_eligible_minutes() -> None:
    c = incidents_commitment()
    v = version(c, effective_from=datetime(2026, 11, 16, tzinfo=UTC))
    r = availability(
        v,
        c,
        period_start=NOV,
        at=AFTER,
        incidents=[
            outage(216, start=datetime(2026, 11, 20, tzinfo=UTC)),
            outage(500, start=datetime(2026, 11, 2, tzinfo=UTC)),
        ],
    )
    assert r.eligible_s == 15 * 1440 * 60
    assert r.downtime_s == 216 * 60  # the outage before the agreement began does not count
    assert r.level == Fraction(99, 100)


def test_period_in_progress_is_measured_up_to_at() -> None:
    c = incidents_commitment()
    r = availability(
        version(c),
        c,
        period_start=NOV,
        at=datetime(2026, 11, 11, tzinfo=UTC),
        incidents=[outage(60, start=datetime(2026, 11, 10, 23, 30, tzinfo=UTC))],
    )
    assert not r.complete
    assert r.eligible_s == 10 * 86400
    assert r.downtime_s == 30 * 60  # the rest of the incident lies after `at`


def test_maintenance_is_excluded_only_with_enough_notice() -> None:
    c = incidents_commitment()
    start = datetime(2026, 11, 10, 2, tzinfo=UTC)
    incident = outage(120, start=start)
    early = MaintenanceWindow(
        name="upgrade",
        services=("storage",),
        start=start,
        end=start + timedelta(hours=1),
        announced_at=start - timedelta(days=7),
    )
    late = MaintenanceWindow(
        name="upgrade",
        services=("storage",),
        start=start,
        end=start + timedelta(hours=1),
        announced_at=start - timedelta(days=2),
    )
    with_notice = availability(
        version(c), c, period_start=NOV, at=AFTER, incidents=[incident], maintenance=[early]
    )
    assert with_notice.downtime_s == 60 * 60
    assert with_notice.excluded_s == 3600
    assert "announced 7 d ahead (notice 5 d)" in with_notice.exclusions[0].reason
    too_late = availability(
        version(c), c, period_start=NOV, at=AFTER, incidents=[incident], maintenance=[late]
    )
    assert too_late.downtime_s == 120 * 60
    assert too_late.exclusions == ()
    assert "announced 2 d ahead, notice is 5 d" in too_late.not_excluded[0].reason


def test_customer_caused_and_force_majeure_incidents_are_excluded() -> None:
    c = incidents_commitment()
    r = availability(
        version(c),
        c,
        period_start=NOV,
        at=AFTER,
        incidents=[
            outage(30, customer_caused=True),
            outage(45, start=datetime(2026, 11, 12, tzinfo=UTC), force_majeure=True),
            outage(10, start=datetime(2026, 11, 14, tzinfo=UTC)),
        ],
    )
    assert r.downtime_s == 600
    assert {e.reason for e in r.exclusions} == {
        "incident INC-30: caused by the customer",
        "incident INC-45: force majeure",
    }
    assert [e.seconds for e in r.down] == [600]


def test_excluded_time_can_leave_the_denominator() -> None:
    c = AvailabilityCommitment(
        name="uptime",
        services=("storage",),
        level=Fraction(9999, 10000),
        measurement=Measurement(source=DowntimeSource.INCIDENTS),
        eligible=EligibleTime.PERIOD_LESS_EXCLUSIONS,
        remedies=Remedies(tiers=TIERS),
    )
    r = availability(
        version(c),
        c,
        period_start=NOV,
        at=AFTER,
        incidents=[
            outage(600, customer_caused=True),
            outage(100, start=datetime(2026, 11, 20, tzinfo=UTC)),
        ],
    )
    assert r.eligible_s == (43200 - 600) * 60
    assert r.level == Fraction(43200 - 600 - 100, 43200 - 600)


def buckets(
    month_start: datetime, days: int, *, good: np.ndarray, total: np.ndarray
) -> BucketMatrix:
    start = int(month_start.timestamp())
    assert good.size == days * 1440
    return BucketMatrix(
        keys=("storage-requests",),
        start=start,
        step=60,
        good=good.reshape(1, -1).astype(np.int64),
        total=total.reshape(1, -1).astype(np.int64),
    )


def test_mean_error_rate_of_five_minute_intervals() -> None:
    """Uptime = 100 % − average error rate of 5-minute intervals; no requests counts as 0 %."""
    c = AvailabilityCommitment(
        name="uptime",
        services=("storage",),
        level=Fraction(9999, 10000),
        measurement=Measurement(
            source=DowntimeSource.MEAN_ERROR_RATE, series="storage-requests", interval_s=300
        ),
        remedies=Remedies(tiers=TIERS),
    )
    total = np.zeros(30 * 1440, dtype=np.int64)
    bad = np.zeros_like(total)
    total[: 15 * 1440] = 10  # the second half of the month has no requests at all
    bad[0:5] = 10  # one interval fully failed: 100 % errors
    bad[5:10] = (2, 0, 0, 0, 0)  # one interval with 2/50 = 4 % errors
    data = buckets(NOV, 30, good=total - bad, total=total)
    r = availability(version(c), c, period_start=NOV, at=AFTER, data=data)
    intervals = 30 * 1440 // 5
    assert r.level == 1 - (Fraction(1) + Fraction(2, 50)) / intervals
    assert r.credit is not None
    assert r.credit.percent == Decimal(10)


def test_bad_interval_threshold_is_exact_and_inclusive_as_written() -> None:
    def commitment(inclusive: bool) -> AvailabilityCommitment:
        return AvailabilityCommitment(
            name="uptime",
            services=("storage",),
            level=Fraction(9999, 10000),
            measurement=Measurement(
                source=DowntimeSource.BAD_INTERVALS,
                series="storage-requests",
                interval_s=300,
                threshold=Fraction(5, 100),
                threshold_inclusive=inclusive,
            ),
            remedies=Remedies(tiers=TIERS),
        )

    total = np.full(30 * 1440, 20, dtype=np.int64)  # 100 per 5 minutes
    bad = np.zeros_like(total)
    bad[0:5] = (5, 0, 0, 0, 0)  # exactly 5 % in the first interval
    bad[5:10] = (4, 0, 0, 0, 0)  # 4 % in the second
    data = buckets(NOV, 30, good=total - bad, total=total)
    at_least = availability(
        version(commitment(True)), commitment(True), period_start=NOV, at=AFTER, data=data
    )
    assert at_least.downtime_s == 300
    assert "5.00 % errors (5/100" in at_least.down[0].reason
    above = availability(
        version(commitment(False)), commitment(False), period_start=NOV, at=AFTER, data=data
    )
    assert above.downtime_s == 0


def test_tier_bounds_as_written() -> None:
    below = CreditTier(credit=Decimal(10), below=Fraction(999, 1000))
    at_most = CreditTier(credit=Decimal(10), below=Fraction(999, 1000), below_inclusive=True)
    assert not below.contains(Fraction(999, 1000))
    assert at_most.contains(Fraction(999, 1000))
    assert str(at_most) == "≤ 99.9 % → 10 %"


def test_cap_and_minimum_payable() -> None:
    full = CreditTier(credit=Decimal(100), below=Fraction(9, 10))
    c = AvailabilityCommitment(
        name="u",
        services=("storage",),
        level=Fraction(9, 10),
        measurement=Measurement(source=DowntimeSource.INCIDENTS),
        remedies=Remedies(tiers=(full,), cap_percent=Decimal(50)),
    )
    capped = credit_for(version(c), c, Fraction(1, 2))
    assert capped.uncapped.amount == Decimal("1000.00")
    assert capped.amount.amount == Decimal("500.00")
    assert capped.notes == ("capped at 500.00 USD",)
    small = CreditTier(credit=Decimal("0.5"), below=Fraction(9, 10))
    c2 = AvailabilityCommitment(
        name="u",
        services=("storage",),
        level=Fraction(9, 10),
        measurement=Measurement(source=DowntimeSource.INCIDENTS),
        remedies=Remedies(tiers=(small,), minimum_credit=Decimal("10.00")),
    )
    tiny = credit_for(version(c2), c2, Fraction(1, 2))
    assert tiny.uncapped.amount == Decimal("5.00")
    assert tiny.amount.amount == Decimal("0.00")


@pytest.mark.parametrize(
    ("claim", "deadline"),
    [
        (
            ClaimDeadline(rule=ClaimRule.PERIODS_AFTER, count=1),
            datetime(2026, 12, 31, 23, tzinfo=UTC),
        ),
        (
            ClaimDeadline(rule=ClaimRule.PERIODS_AFTER, count=2),
            datetime(2027, 1, 31, 23, tzinfo=UTC),
        ),
        (
            ClaimDeadline(rule=ClaimRule.DAYS_AFTER_PERIOD, count=30),
            datetime(2026, 12, 30, 23, tzinfo=UTC),
        ),
    ],
)
def test_claim_deadlines(claim: ClaimDeadline, deadline: datetime) -> None:
    c = incidents_commitment(claim=claim)
    r = availability(version(c, zone="Europe/Berlin"), c, period_start=NOV, at=AFTER)
    assert r.claim_deadline == deadline


def test_interval_measurement_without_any_requests_is_no_data() -> None:
    c = AvailabilityCommitment(
        name="uptime",
        services=("storage",),
        level=Fraction(9999, 10000),
        measurement=Measurement(
            source=DowntimeSource.BAD_INTERVALS,
            series="storage-requests",
            interval_s=300,
            threshold=Fraction(5, 100),
        ),
        remedies=Remedies(tiers=TIERS),
    )
    zeros = np.zeros(30 * 1440, dtype=np.int64)
    r = availability(
        version(c), c, period_start=NOV, at=AFTER, data=buckets(NOV, 30, good=zeros, total=zeros)
    )
    assert r.level is None
    assert r.credit is None
    assert r.met is None
    assert r.no_data is not None
    assert "no requests" in r.no_data


def test_overlapping_incidents_make_one_evidence_row() -> None:
    c = incidents_commitment()
    r = availability(
        version(c),
        c,
        period_start=NOV,
        at=AFTER,
        incidents=[
            outage(60),
            Incident(
                id="INC-B",
                services=("storage",),
                start=datetime(2026, 11, 10, 0, 30, tzinfo=UTC),
                end=datetime(2026, 11, 10, 2, tzinfo=UTC),
            ),
        ],
    )
    assert r.downtime_s == 2 * 3600
    (row,) = r.down
    assert row.seconds == r.downtime_s
    assert row.reason == "incident INC-60; incident INC-B"


def test_a_version_in_force_for_half_the_month_pays_half_the_fee() -> None:
    c = incidents_commitment()
    half = (datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    r = availability(
        version(c),
        c,
        period_start=NOV,
        at=AFTER,
        in_force=half,
        incidents=[outage(216, start=datetime(2026, 11, 20, tzinfo=UTC))],
    )
    assert r.eligible_s == 15 * 86400
    assert r.level == Fraction(99, 100)
    assert r.credit is not None
    assert r.credit.fee.amount == Decimal("500.00")
    assert r.credit.amount.amount == Decimal("50.00")


def test_maintenance_outside_the_measured_time_is_not_listed() -> None:
    c = incidents_commitment()
    later = MaintenanceWindow(
        name="next-month",
        services=("storage",),
        start=datetime(2026, 12, 3, tzinfo=UTC),
        end=datetime(2026, 12, 3, 1, tzinfo=UTC),
        announced_at=datetime(2026, 12, 2, tzinfo=UTC),
    )
    r = availability(version(c), c, period_start=NOV, at=AFTER, maintenance=[later])
    assert r.not_excluded == ()
    assert r.exclusions == ()
