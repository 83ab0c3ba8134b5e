"""Cloud SLA credits for a given downtime, worked by hand from the providers' published terms.

Sources:
- Amazon Compute Service Level Agreement (aws.amazon.com/compute/sla, prior version of
  2022-05-05 at aws.amazon.com/compute/sla/historical), "Region-Level SLA": Monthly Uptime
  Percentage = 100 % minus the percentage of minutes of the monthly billing cycle in which the
  service was unavailable; commitment 99.99 %; credit "less than 99.99 % but equal to or
  greater than 99.0 %" 10 %, "less than 99.0 % but equal to or greater than 95.0 %" 30 %,
  "less than 95.0 %" 100 % of the month's charges. (tests/core/test_availability.py works
  a 30-day month; here a 31-day one.)
- Google Compute Engine SLA (cloud.google.com/compute/sla): Instances in Multiple Zones
  ">= 99.99 %" Monthly Uptime Percentage, "determined on a calendar month basis"; Financial
  Credit 99.00 % – < 99.99 %: 10 %, 95.00 % – < 99.00 %: 25 %, < 95.00 %: 50 % of the month's
  bill (the credit table as dev-toolbox.tech "GCP Compute Engine SLA" lists it).

The credit is docs/sla.md "Credits": the first tier whose bounds contain the level, × the
period's fee, half-up to the cent. Downtime here is whole minutes of incidents, as both SLAs
count minutes; Covenant counts incident time to the second (docs/sla.md, "Availability").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    CreditTier,
    DowntimeSource,
    Exclusions,
    Incident,
    Measurement,
    Remedies,
    VersionStatus,
)
from covenant.core.availability import availability

FEE = Decimal("1234.56")

AWS = (
    CreditTier(credit=Decimal(10), below=Fraction(9999, 10000), at_least=Fraction(99, 100)),
    CreditTier(credit=Decimal(30), below=Fraction(99, 100), at_least=Fraction(95, 100)),
    CreditTier(credit=Decimal(100), below=Fraction(95, 100)),
)
GCE = (
    CreditTier(credit=Decimal(10), below=Fraction(9999, 10000), at_least=Fraction(99, 100)),
    CreditTier(credit=Decimal(25), below=Fraction(99, 100), at_least=Fraction(95, 100)),
    CreditTier(credit=Decimal(50), below=Fraction(95, 100)),
)


def credit(
    tiers: tuple[CreditTier, ...], month: datetime, down: timedelta
) -> tuple[Fraction, Decimal]:
    commitment = AvailabilityCommitment(
        name="uptime",
        services=("compute",),
        level=Fraction(9999, 10000),
        measurement=Measurement(source=DowntimeSource.INCIDENTS),
        exclusions=Exclusions(),
        remedies=Remedies(tiers=tiers),
    )
    version = AgreementVersion(
        agreement="cloud",
        version=1,
        customer="acme",
        status=VersionStatus.ACTIVE,
        effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        effective_to=None,
        currency="USD",
        fees=(("compute", FEE),),
        zone="UTC",
        availability=(commitment,),
    )
    start = month + timedelta(days=9)
    incidents = [Incident(id="INC-1", services=("compute",), start=start, end=start + down)]
    r = availability(
        version,
        commitment,
        period_start=month,
        at=datetime(2027, 6, 1, tzinfo=UTC),
        incidents=incidents,
    )
    assert r.credit is not None
    assert r.level is not None
    return r.level, r.credit.amount.amount


FEB = datetime(2026, 2, 1, tzinfo=UTC)  # 28 days = 40 320 minutes
JAN = datetime(2026, 1, 1, tzinfo=UTC)  # 31 days = 44 640 minutes


@pytest.mark.parametrize(
    ("minutes", "level", "amount"),
    [
        # 40 320 × 0.01 % = 4.032 min: 4 min down is 99.99008 % (no credit), 5 min 99.98760 %
        (4, Fraction(40316, 40320), Decimal("0.00")),
        (5, Fraction(40315, 40320), Decimal("123.46")),  # 10 % of 1 234.56 = 123.456 → .46
        # 40 320 × 1 % = 403.2 min: 403 min is 99.0005 % (10 %), 404 min 98.998 % (25 %)
        (403, Fraction(40320 - 403, 40320), Decimal("123.46")),
        (404, Fraction(40320 - 404, 40320), Decimal("308.64")),  # 25 %: 308.64
        # 40 320 × 5 % = 2 016 min: exactly 95.00 % is "95.00 % – < 99.00 %" (25 %)
        (2016, Fraction(95, 100), Decimal("308.64")),
        (2017, Fraction(40320 - 2017, 40320), Decimal("617.28")),  # < 95.00 %: 50 %
    ],
)
def test_compute_engine_credit_in_a_28_day_month(
    minutes: int, level: Fraction, amount: Decimal
) -> None:
    assert credit(GCE, FEB, timedelta(minutes=minutes)) == (level, amount)


@pytest.mark.parametrize(
    ("minutes", "level", "amount"),
    [
        # 44 640 × 0.01 % = 4.464 min: 4 min meets 99.99 %, 5 min does not
        (4, Fraction(44636, 44640), Decimal("0.00")),
        (5, Fraction(44635, 44640), Decimal("123.46")),
        # 44 640 × 1 % = 446.4 min: 446 min ≥ 99.0 % (10 %), 447 min < 99.0 % (30 %)
        (446, Fraction(44640 - 446, 44640), Decimal("123.46")),
        (447, Fraction(44640 - 447, 44640), Decimal("370.37")),  # 30 %: 370.368 → .37
        # 44 640 × 5 % = 2 232 min: exactly 95.0 % is still "≥ 95.0 %" (30 %)
        (2232, Fraction(95, 100), Decimal("370.37")),
        (2233, Fraction(44640 - 2233, 44640), Decimal("1234.56")),  # < 95.0 %: 100 %
    ],
)
def test_aws_region_level_credit_in_a_31_day_month(
    minutes: int, level: Fraction, amount: Decimal
) -> None:
    assert credit(AWS, JAN, timedelta(minutes=minutes)) == (level, amount)


def test_incident_time_is_counted_to_the_second() -> None:
    """403 min 30 s in February is 1.0007 % of the month: below 99.0 % (25 %). A contract that
    counts only whole minutes of downtime would count 403 (10 %): Covenant counts incident
    time to the second, as docs/sla.md says; write incidents on whole minutes (or measure
    bad-intervals of 1m) to count as such a contract does."""
    level, amount = credit(GCE, FEB, timedelta(minutes=403, seconds=30))
    assert level == Fraction(40320 * 60 - (403 * 60 + 30), 40320 * 60)
    assert amount == Decimal("308.64")
