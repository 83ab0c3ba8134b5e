"""More published SLA credit schedules, each applied at and next to its tier bounds.

Sources (the figures as published; the expectations are worked by hand from them):

- Microsoft Azure, SLA for Virtual Machines, two or more instances across Availability Zones
  99.99 %, as dev-toolbox.tech "Azure VM SLA" lists its Service Credits: "< 99.99% 10%
  credit, < 99% 25% credit, < 95% 100% credit" — each row down to the next one's bound, so
  exactly 99 % is still 10 % and exactly 95 % is 25 %;
- Amazon RDS Service Level Agreement (aws.amazon.com/rds/sla, and its prior version of
  2019-03-21 at aws.amazon.com/rds/sla/historical), Multi-AZ: "Less than 99.95% but equal to
  or greater than 99.0%: 10%; Less than 99.0% but equal to or greater than 95.0%: 25%; Less
  than 95.0%: 100%"; "A Service Credit will be applicable and issued only if the credit amount
  for the applicable monthly billing cycle is greater than one dollar ($1 USD)";
- Amazon S3 Service Level Agreement of 2019-07-31 (aws.amazon.com/s3/sla/historical): "Less
  than 99.9% but greater than or equal to 99.0%: 10%; Less than 99.0% but greater than or
  equal to 95.0%: 25%; Less than 95.0%: 100%", the Monthly Uptime Percentage being 100 %
  minus the average of the Error Rates of each five-minute period of the month (the 2007
  text, de.scribd.com/document/54642782);
- Google Cloud Bigtable SLA (cloud.google.com/bigtable/sla), replicated instance with
  multi-cluster routing, ">= 99.999%", "determined on a calendar month basis": "99.0% –
  < 99.999%: 10%; 95.0% – < 99.0%: 25%; < 95.0%: 50%";
- Atlassian Service Level Agreement of 2024-10-07 (atlassian.com/legal/sla/service-credits):
  Premium 99.90 %; a "Downtime Minute occurs when the Error Rate in a given minute is greater
  than 5%" (10 of 100 requests failed counts, 1 of 100 does not); "Total minutes in a 30-day
  calendar month: 43,200; Downtime Minutes in the same month: 60; Percentage of Downtime
  Minutes: 0.138889%; … monthly uptime percentage of 99.86%; … Service Credits equivalent to
  10% of the monthly fees".

Covenant: the first tier whose bounds contain the exact level, × the month's fee, half-up to
the cent; the minimum payable as written ("greater than" is exclusive) (docs/sla.md,
"Credits"). Each source's month is the calendar month in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    CreditTier,
    DowntimeSource,
    Incident,
    Measurement,
    Remedies,
    VersionStatus,
)
from covenant.core.availability import AvailabilityResult, availability
from covenant.core.series import BucketMatrix

FEE = Decimal("2500.00")
AFTER = datetime(2027, 6, 1, tzinfo=UTC)
FEB = datetime(2026, 2, 1, tzinfo=UTC)  # 28 days: 40 320 minutes
MAR = datetime(2026, 3, 1, tzinfo=UTC)  # 31 days: 44 640 minutes
NOV = datetime(2026, 11, 1, tzinfo=UTC)  # 30 days: 43 200 minutes


def pct(text: str) -> Fraction:
    return Fraction(text) / 100


def three_tiers(commitment: str, credits: tuple[int, int, int]) -> tuple[CreditTier, ...]:
    """< commitment & ≥ 99 %, < 99 % & ≥ 95 %, < 95 %."""
    return (
        CreditTier(credit=Decimal(credits[0]), below=pct(commitment), at_least=pct("99")),
        CreditTier(credit=Decimal(credits[1]), below=pct("99"), at_least=pct("95")),
        CreditTier(credit=Decimal(credits[2]), below=pct("95")),
    )


def measure(
    level: str,
    tiers: tuple[CreditTier, ...],
    month: datetime,
    *,
    down: timedelta = timedelta(0),
    measurement: Measurement | None = None,
    data: BucketMatrix | None = None,
    fee: Decimal = FEE,
    remedies: Remedies | None = None,
) -> AvailabilityResult:
    commitment = AvailabilityCommitment(
        name="uptime",
        services=("svc",),
        level=pct(level),
        measurement=measurement or Measurement(source=DowntimeSource.INCIDENTS),
        remedies=remedies or Remedies(tiers=tiers),
    )
    version = AgreementVersion(
        agreement="cloud",
        version=1,
        customer="acme",
        status=VersionStatus.ACTIVE,
        effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        effective_to=None,
        currency="USD",
        fees=(("svc", fee),),
        zone="UTC",
        availability=(commitment,),
    )
    start = month + timedelta(days=3)
    incidents = (
        [Incident(id="INC-1", services=("svc",), start=start, end=start + down)] if down else []
    )
    return availability(
        version, commitment, period_start=month, at=AFTER, incidents=incidents, data=data
    )


def credited(r: AvailabilityResult) -> tuple[Decimal, Decimal]:
    assert r.credit is not None
    return r.credit.percent, r.credit.amount.amount


AZURE = three_tiers("99.99", (10, 25, 100))


@pytest.mark.parametrize(
    ("minutes", "met", "percent", "amount"),
    [
        # 43 200 × 0.01 % = 4.32 min
        (4, True, 0, "0.00"),
        (5, False, 10, "250.00"),
        # 43 200 × 1 % = 432 min: exactly 99 % is not "< 99%", so still 10 %
        (432, False, 10, "250.00"),
        (433, False, 25, "625.00"),
        # 43 200 × 5 % = 2 160 min: exactly 95 % is 25 %
        (2160, False, 25, "625.00"),
        (2161, False, 100, "2500.00"),
    ],
)
def test_azure_vms_across_zones_in_a_30_day_month(
    minutes: int, met: bool, percent: int, amount: str
) -> None:
    r = measure("99.99", AZURE, NOV, down=timedelta(minutes=minutes))
    assert r.level == Fraction(43200 - minutes, 43200)
    assert r.met is met
    assert credited(r) == (Decimal(percent), Decimal(amount))


RDS = three_tiers("99.95", (10, 25, 100))


@pytest.mark.parametrize(
    ("down", "percent", "amount"),
    [
        # 44 640 × 0.05 % = 22.32 min: 22 min meets 99.95 %, 23 min does not
        (timedelta(minutes=22), 0, "0.00"),
        (timedelta(minutes=22, seconds=19), 0, "0.00"),  # 1 339 s < 1 339.2 s
        (timedelta(minutes=22, seconds=20), 10, "250.00"),
        (timedelta(minutes=23), 10, "250.00"),
        # 44 640 × 1 % = 446.4 min = 26 784 s: one second past it is below 99.0 %
        (timedelta(seconds=26784), 10, "250.00"),
        (timedelta(seconds=26785), 25, "625.00"),
        # 44 640 × 5 % = 2 232 min: exactly 95.0 % is "equal to or greater than 95.0%"
        (timedelta(minutes=2232), 25, "625.00"),
        (timedelta(minutes=2232, seconds=1), 100, "2500.00"),
    ],
)
def test_aws_rds_multi_az_in_a_31_day_month(down: timedelta, percent: int, amount: str) -> None:
    r = measure("99.95", RDS, MAR, down=down)
    assert r.level == 1 - Fraction(int(down.total_seconds()), 44640 * 60)
    assert credited(r) == (Decimal(percent), Decimal(amount))


@pytest.mark.parametrize(
    ("fee", "paid"),
    [
        # 10 % of 10.00 is 1.00: not "greater than one dollar"; of 10.04, 1.004 → 1.00 (the
        # cent first, then the minimum); of 10.05, 1.005 → 1.01 (half-up): paid
        (Decimal("10.00"), Decimal("0.00")),
        (Decimal("10.04"), Decimal("0.00")),
        (Decimal("10.05"), Decimal("1.01")),
        (Decimal("25.00"), Decimal("2.50")),
    ],
)
def test_aws_rds_pays_only_a_credit_greater_than_one_dollar(fee: Decimal, paid: Decimal) -> None:
    remedies = Remedies(tiers=RDS, minimum_credit=Decimal(1), minimum_inclusive=False)
    r = measure("99.95", RDS, MAR, down=timedelta(minutes=23), fee=fee, remedies=remedies)
    assert r.credit is not None
    assert r.credit.percent == 10
    assert r.credit.amount.amount == paid


S3 = three_tiers("99.9", (10, 25, 100))


def s3_month(full: int, partial_bad: int) -> BucketMatrix:
    """November (8 640 five-minute intervals), 100 requests each (20 a minute): ``full``
    intervals fail entirely, then one has ``partial_bad`` of its 100 failing."""
    total = np.full(30 * 1440, 20, dtype=np.int64)
    bad = np.zeros_like(total)
    bad[: full * 5] = 20
    bad[full * 5 : full * 5 + 5] = (partial_bad, 0, 0, 0, 0)
    return BucketMatrix(
        keys=("s3",),
        start=int(NOV.timestamp()),
        step=60,
        good=(total - bad).reshape(1, -1),
        total=total.reshape(1, -1),
    )


@pytest.mark.parametrize(
    ("full", "partial_bad", "percent"),
    [
        # 99.9 % means the mean error rate is 0.1 %: a sum of rates of 8.64 over 8 640
        (8, 63, 0),  # 8.63 → 99.9001 %
        (8, 64, 0),  # 8.64 → exactly 99.9 %: not "less than 99.9%"
        (8, 65, 10),
        # 99.0 %: a sum of 86.4
        (86, 40, 10),  # exactly 99.0 %: "greater than or equal to 99.0%"
        (86, 41, 25),
        # 95.0 %: a sum of 432
        (432, 0, 25),
        (432, 1, 100),
    ],
)
def test_aws_s3_mean_error_rate_of_five_minute_periods(
    full: int, partial_bad: int, percent: int
) -> None:
    measurement = Measurement(source=DowntimeSource.MEAN_ERROR_RATE, series="s3", interval_s=300)
    r = measure("99.9", S3, NOV, measurement=measurement, data=s3_month(full, partial_bad))
    assert r.level == 1 - (full + Fraction(partial_bad, 100)) / 8640
    assert credited(r)[0] == percent


BIGTABLE = three_tiers("99.999", (10, 25, 50))


@pytest.mark.parametrize(
    ("down", "percent", "amount"),
    [
        # 40 320 min × 0.001 % = 24.192 s
        (timedelta(seconds=24), 0, "0.00"),
        (timedelta(seconds=25), 10, "250.00"),
        (timedelta(minutes=1), 10, "250.00"),
        # 40 320 × 1 % = 403.2 min: 403 min is 99.0005 %, 404 min 98.998 %
        (timedelta(minutes=403), 10, "250.00"),
        (timedelta(minutes=404), 25, "625.00"),
        # 40 320 × 5 % = 2 016 min: exactly 95.0 % is "95.0% – < 99.0%"
        (timedelta(minutes=2016), 25, "625.00"),
        (timedelta(minutes=2017), 50, "1250.00"),
    ],
)
def test_google_bigtable_replicated_in_february(down: timedelta, percent: int, amount: str) -> None:
    r = measure("99.999", BIGTABLE, FEB, down=down)
    assert r.level == 1 - Fraction(int(down.total_seconds()), 40320 * 60)
    assert credited(r) == (Decimal(percent), Decimal(amount))


def test_atlassians_worked_example_of_60_downtime_minutes() -> None:
    """A Downtime Minute is a minute with more than 5 % errors: 60 minutes at 10 of 100 are
    down; 30 minutes at 1 of 100 and 30 at exactly 5 of 100 are not. 60 of 43 200 minutes is
    0.138889 %, 99.86 % uptime (43 140 / 43 200 = 99.8611…): below 99.90 %, 10 %."""
    total = np.full(30 * 1440, 100, dtype=np.int64)
    bad = np.zeros_like(total)
    bad[1000:1060] = 10
    bad[2000:2030] = 1
    bad[3000:3030] = 5
    data = BucketMatrix(
        keys=("jira",),
        start=int(NOV.timestamp()),
        step=60,
        good=(total - bad).reshape(1, -1),
        total=total.reshape(1, -1),
    )
    measurement = Measurement(
        source=DowntimeSource.BAD_INTERVALS,
        series="jira",
        interval_s=60,
        threshold=Fraction(5, 100),
        threshold_inclusive=False,
    )
    tiers = (CreditTier(credit=Decimal(10), below=pct("99.9")),)
    r = measure("99.9", tiers, NOV, measurement=measurement, data=data)
    assert r.downtime_s == 60 * 60
    assert r.level == Fraction(43140, 43200)
    assert round((1 - r.level) * 100, 6) == Fraction("0.138889")
    assert round(r.level * 100, 2) == Fraction("99.86")
    assert r.met is False
    assert credited(r) == (Decimal(10), Decimal("250.00"))


def test_google_filestore_enterprise_downtime_minutes() -> None:
    """Google Cloud Filestore SLA (cloud.google.com/filestore/sla): "Downtime" means all
    requests to the instance fail; a "Downtime Period" is, for Filestore Enterprise or
    Regional, "one or more consecutive minutes of Downtime" ">= 99.99%", on a calendar month.
    That is `bad-intervals` of `1m` at 100 % errors: 3 minutes with every request failing are
    down, a minute with 99 of 100 failing is not. (Filestore Basic's "five or more consecutive
    minutes" adds `minimumRun: 5m`: tests/core/test_downtime_runs.py.)"""
    total = np.full(28 * 1440, 100, dtype=np.int64)
    bad = np.zeros_like(total)
    bad[600:603] = 100
    bad[900] = 99
    data = BucketMatrix(
        keys=("nfs",),
        start=int(FEB.timestamp()),
        step=60,
        good=(total - bad).reshape(1, -1),
        total=total.reshape(1, -1),
    )
    measurement = Measurement(
        source=DowntimeSource.BAD_INTERVALS, series="nfs", interval_s=60, threshold=Fraction(1)
    )
    tiers = (CreditTier(credit=Decimal(10), below=pct("99.99")),)
    r = measure("99.99", tiers, FEB, measurement=measurement, data=data)
    assert r.downtime_s == 3 * 60
    assert r.level == Fraction(40320 - 3, 40320)  # 99.9926 %: meets 99.99 %
    assert r.met is True
