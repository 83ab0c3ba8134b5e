"""Contract edges the rest of the suite did not pin: a level exactly at the commitment, a
version that starts inside a measurement interval, a period that starts at a midnight inside a
DST fold, minimum credits compared as written, and credits in currencies without cents.

Every expected number is derived by hand in the comments, never by the code under test.
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
from covenant.core.availability import availability, cap_across, period_containing
from covenant.core.credits import credit_for
from covenant.core.model import CalendarUnit, CalendarWindow
from covenant.core.series import BucketMatrix
from covenant.core.windows import calendar_period
from covenant.errors import InputError

NOV = datetime(2026, 11, 1, tzinfo=UTC)
AFTER = datetime(2026, 12, 5, tzinfo=UTC)
MONTH_S = 30 * 86400  # November: 2 592 000 s

# A 99.9 % commitment: < 99.9 & ≥ 99.0 → 10 %, < 99.0 → 25 %.
TIERS = (
    CreditTier(credit=Decimal(10), below=Fraction(999, 1000), at_least=Fraction(99, 100)),
    CreditTier(credit=Decimal(25), below=Fraction(99, 100)),
)


def commitment(
    measurement: Measurement | None = None, remedies: Remedies | None = None
) -> AvailabilityCommitment:
    return AvailabilityCommitment(
        name="uptime",
        services=("api",),
        level=Fraction(999, 1000),
        measurement=measurement or Measurement(source=DowntimeSource.INCIDENTS),
        remedies=remedies or Remedies(tiers=TIERS),
    )


def version(
    c: AvailabilityCommitment,
    *,
    zone: str = "UTC",
    effective_from: datetime = datetime(2026, 1, 1, tzinfo=UTC),
    currency: str = "EUR",
    fee: str = "1000.00",
) -> AgreementVersion:
    return AgreementVersion(
        agreement="acme",
        version=1,
        customer="acme",
        status=VersionStatus.ACTIVE,
        effective_from=effective_from,
        effective_to=None,
        currency=currency,
        fees=(("api", Decimal(fee)),),
        zone=zone,
        availability=(c,),
    )


def down(seconds: int) -> Incident:
    start = datetime(2026, 11, 10, tzinfo=UTC)
    return Incident(
        id="INC-1", services=("api",), start=start, end=start + timedelta(seconds=seconds)
    )


@pytest.mark.parametrize(
    ("seconds", "met", "credit"),
    [
        # 0.1 % of 2 592 000 s is 2 592 s: exactly 99.9 % meets a 99.9 % commitment ("≥")
        (2592, True, Decimal("0.00")),
        (2593, False, Decimal("100.00")),  # one second more: < 99.9 % → 10 % of 1000.00
    ],
)
def test_a_level_exactly_at_the_commitment_is_met(seconds: int, met: bool, credit: Decimal) -> None:
    c = commitment()
    r = availability(version(c), c, period_start=NOV, at=AFTER, incidents=[down(seconds)])
    assert r.eligible_s == MONTH_S
    assert r.level == Fraction(MONTH_S - seconds, MONTH_S)
    assert (r.level == Fraction(999, 1000)) is met
    assert r.met is met
    assert r.credit is not None
    assert r.credit.amount.amount == credit


def test_a_version_starting_inside_an_interval_measures_whole_intervals_after_it() -> None:
    """v1 starts 2026-11-10 00:02Z; intervals are 5 minutes on the epoch grid. The interval
    00:00–00:05 is not whole inside the version, so it is not measured even though every
    request in it failed: the first measured interval is 00:05–00:10 (aligned up). Aligning
    down would count 00:02–00:05 = 180 s of downtime."""
    c = commitment(
        Measurement(
            source=DowntimeSource.BAD_INTERVALS,
            series="api",
            interval_s=300,
            threshold=Fraction(5, 100),
        )
    )
    start = datetime(2026, 11, 10, 0, 2, tzinfo=UTC)
    v = version(c, effective_from=start)
    minutes = 30 * 1440
    total = np.full(minutes, 10, dtype=np.int64)
    bad = np.zeros(minutes, dtype=np.int64)
    first = 9 * 1440  # 2026-11-10 00:00Z, minutes from the month's start
    bad[first : first + 5] = 10  # 00:00–00:05: every request failed
    data = BucketMatrix(
        keys=("api",),
        start=int(NOV.timestamp()),
        step=60,
        good=(total - bad).reshape(1, -1),
        total=total.reshape(1, -1),
    )
    r = availability(v, c, period_start=NOV, at=AFTER, data=data)
    assert r.eligible_start == start
    assert r.eligible_s == MONTH_S - 9 * 86400 - 120  # from 00:02 on the 10th to Dec 1
    assert r.downtime_s == 0
    assert r.down == ()
    assert r.level == 1
    assert r.met is True


def test_a_month_starting_at_a_midnight_inside_a_dst_fold_starts_at_its_first_occurrence() -> None:
    """Cuba leaves DST on Sunday 2026-11-01 at 01:00 CDT (UTC−4): clocks go back to 00:00 CST
    (UTC−5), so the wall-clock hour 00:00–01:00 of November 1st happens twice. November starts
    at the first midnight, 04:00Z (fold=0), not the second (05:00Z); it ends at Dec 1 00:00
    CST = 05:00Z: 30 days and 1 hour."""
    window = CalendarWindow(unit=CalendarUnit.MONTH, zone="America/Havana")
    start, end = calendar_period(window, datetime(2026, 11, 15, tzinfo=UTC))
    assert start == datetime(2026, 11, 1, 4, tzinfo=UTC)
    assert end == datetime(2026, 12, 1, 5, tzinfo=UTC)
    # the instant between the two midnights (04:30Z = 00:30 CDT) is November, not October
    assert calendar_period(window, datetime(2026, 11, 1, 4, 30, tzinfo=UTC))[0] == start
    october = calendar_period(window, datetime(2026, 11, 1, 3, 59, tzinfo=UTC))
    assert october == (datetime(2026, 10, 1, 4, tzinfo=UTC), start)
    # the agreement's statement measures 30 d + 1 h of November
    c = commitment()
    v = version(c, zone="America/Havana")
    assert period_containing(v, datetime(2026, 11, 15, tzinfo=UTC)) == (start, end)
    r = availability(v, c, period_start=datetime(2026, 11, 15, tzinfo=UTC), at=AFTER)
    assert r.eligible_s == MONTH_S + 3600


@pytest.mark.parametrize(
    ("minimum", "inclusive", "paid"),
    [
        (Decimal("100.00"), True, Decimal("100.00")),  # "at least 100.00": 100.00 is paid
        (Decimal("100.00"), False, Decimal("0.00")),  # "only if more than 100.00": it is not
        (Decimal("99.99"), False, Decimal("100.00")),
        (Decimal("100.01"), True, Decimal("0.00")),
    ],
)
def test_the_minimum_credit_is_compared_as_written(
    minimum: Decimal, inclusive: bool, paid: Decimal
) -> None:
    # 99.5 % falls in the 10 % tier: 10 % of 1000.00 = 100.00
    c = commitment(
        remedies=Remedies(tiers=TIERS, minimum_credit=minimum, minimum_inclusive=inclusive)
    )
    result = credit_for(version(c), c, Fraction(995, 1000))
    assert result.uncapped.amount == Decimal("100.00")
    assert result.amount.amount == paid
    assert bool(result.notes) is (paid == 0)


@pytest.mark.parametrize(
    ("currency", "fee", "credit"),
    [
        ("JPY", "12345", Decimal("1235")),  # 10 % = 1234.5 JPY, half up to whole yen
        ("EUR", "12345.67", Decimal("1234.57")),  # 1234.567 → 1234.57
        ("BHD", "12345.675", Decimal("1234.568")),  # 1234.5675 → 1234.568 (fils)
    ],
)
def test_credits_round_to_the_currencys_minor_unit(
    currency: str, fee: str, credit: Decimal
) -> None:
    c = commitment()
    result = credit_for(version(c, currency=currency, fee=fee), c, Fraction(995, 1000))
    assert result.amount.amount == credit
    assert str(result.amount.amount) == str(credit)


def k_of_n(k: int) -> AvailabilityCommitment:
    return commitment(
        Measurement(
            source=DowntimeSource.INCIDENTS,
            components=("az-a", "az-b", "az-c"),
            components_down=k,
        )
    )


def az_outages() -> list[Incident]:
    day = datetime(2026, 11, 10, tzinfo=UTC)

    def inc(name: str, az: str, start: tuple[int, int], end: tuple[int, int]) -> Incident:
        return Incident(
            id=name,
            services=(az,),
            start=day.replace(hour=start[0], minute=start[1]),
            end=day.replace(hour=end[0], minute=end[1]),
        )

    return [
        inc("A", "az-a", (10, 0), (11, 0)),
        inc("B", "az-b", (10, 30), (12, 0)),
        inc("C", "az-c", (11, 30), (11, 45)),
    ]


@pytest.mark.parametrize(
    ("k", "minutes", "spans"),
    [
        # any one zone down: the union 10:00–12:00
        (1, 120, [((10, 0), (12, 0))]),
        # two or more at once: A+B 10:30–11:00 and B+C 11:30–11:45
        (2, 45, [((10, 30), (11, 0)), ((11, 30), (11, 45))]),
        (3, 0, []),  # never all three
    ],
)
def test_region_downtime_counts_only_while_k_of_n_components_are_down(
    k: int, minutes: int, spans: list[tuple[tuple[int, int], tuple[int, int]]]
) -> None:
    c = k_of_n(k)
    r = availability(version(c), c, period_start=NOV, at=AFTER, incidents=az_outages())
    assert r.downtime_s == minutes * 60
    day = datetime(2026, 11, 10, tzinfo=UTC)
    assert [(e.start, e.end) for e in r.down] == [
        (day.replace(hour=a, minute=b), day.replace(hour=x, minute=y)) for (a, b), (x, y) in spans
    ]
    if k == 2:
        # 45 min = 2 700 s > 2 592 s: under 99.9 %, 10 %
        assert r.credit is not None
        assert r.credit.percent == Decimal(10)
        assert "2 or more of 3 components down" in r.down[0].reason
        assert "incident A (az-a)" in r.down[0].reason


def test_k_of_n_needs_incidents_and_a_sensible_k() -> None:
    for components, k in ((("az-a",), 1), (("az-a", "az-b"), 3), (("az-a", "az-b"), 0)):
        with pytest.raises(InputError):
            Measurement(source=DowntimeSource.INCIDENTS, components=components, components_down=k)


def test_a_cap_across_the_agreement_keeps_credits_in_order_until_it_is_reached() -> None:
    # two commitments, each 10 % of a 1 000.00 fee = 100.00; the agreement caps all credits
    # at 5 % of its 2 000.00 fee = 100.00, or at 150.00 as an amount
    first = AvailabilityCommitment(
        name="api",
        services=("api",),
        level=Fraction(999, 1000),
        measurement=Measurement(source=DowntimeSource.INCIDENTS),
        remedies=Remedies(tiers=TIERS),
    )
    second = AvailabilityCommitment(
        name="web",
        services=("web",),
        level=Fraction(999, 1000),
        measurement=Measurement(source=DowntimeSource.INCIDENTS),
        remedies=Remedies(tiers=TIERS),
    )
    start = datetime(2026, 11, 10, tzinfo=UTC)
    outages = [
        Incident(id="I1", services=("api",), start=start, end=start + timedelta(hours=1)),
        Incident(id="I2", services=("web",), start=start, end=start + timedelta(hours=1)),
    ]
    for cap_percent, cap_amount, second_paid in (
        (Decimal(5), None, Decimal("0.00")),
        (None, Decimal("150.00"), Decimal("50.00")),
        (Decimal(5), Decimal("150.00"), Decimal("0.00")),  # the lower cap wins
        (Decimal(50), None, Decimal("100.00")),  # 1 000.00: not reached
    ):
        v = AgreementVersion(
            agreement="acme",
            version=1,
            customer="acme",
            status=VersionStatus.ACTIVE,
            effective_from=datetime(2026, 1, 1, tzinfo=UTC),
            effective_to=None,
            currency="EUR",
            fees=(("api", Decimal("1000.00")), ("web", Decimal("1000.00"))),
            availability=(first, second),
            cap_percent=cap_percent,
            cap_amount=cap_amount,
        )
        results = [
            availability(v, c, period_start=NOV, at=AFTER, incidents=outages)
            for c in (first, second)
        ]
        assert [r.credit.amount.amount for r in results if r.credit] == [Decimal("100.00")] * 2
        capped = cap_across(v, results)
        assert [r.credit.amount.amount for r in capped if r.credit] == [
            Decimal("100.00"),
            second_paid,
        ]
        last = capped[1].credit
        assert last is not None
        assert any("caps all credits" in n for n in last.notes) is (second_paid < 100)
