"""Projected tier crossings with a running outage, credit caps, a minimum payable credit and a
pro-rata fee (core.forecast.crossings) against a scan of every second.

docs/exposure.md ("Tier-crossing alerts"): the downtime still to come by second t is
m(t) = E[min(R, t)] + N × t / remaining, R the running episode's remaining length (rule 4)
and N = projection − E[min(R, remaining)]; an alert is the first whole second at which the
period's level (eligible − downtime so far − m(t)) / eligible falls in a worse tier, compared
exactly; its money is the tier's credit "at most the cap". docs/sla.md ("Credits"): credit =
tier % × the fee pro rata the part of the period the version was in force, rounded half up to
the cent; then the cap (percent of that fee, rounded, and/or an amount: the lower wins); then
the minimum payable (a smaller credit — or, for ``above``, one not larger — is not paid).

The reference shares no code with Covenant: R's distribution is drawn in sixteenths (exact as
doubles, so the model's float E[min(R, t)] is exact and the comparison is fair), E[min(R, t)]
is Σ P(R = j units) × min(j × unit, t) plus the mass past the array × t (that mass lasts at
least as long as the array: past any t it is t), in ``Fraction``; the scan steps t = 1 …
remaining and reports each second whose tier pays a higher percentage than any before.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    CreditTier,
    DowntimeSource,
    Measurement,
    Remedies,
    VersionStatus,
)
from covenant.core.forecast import crossings
from covenant.core.forecast_model import RateModel, RemainingDowntime

AT = datetime(2026, 11, 10, tzinfo=UTC)
COMMITTED = Fraction(9995, 10000)
BOUNDS = [Fraction(999, 1000), Fraction(99, 100), Fraction(95, 100), COMMITTED]
Tier = tuple[Decimal, Fraction | None, bool, Fraction | None, bool]


def contains(tier: Tier, level: Fraction) -> bool:
    _, below, below_inclusive, low, low_inclusive = tier
    if below is not None and not (level <= below if below_inclusive else level < below):
        return False
    return low is None or (level >= low if low_inclusive else level > low)


def half_up(value: Fraction) -> Fraction:
    """To the cent, half up (money is never negative here)."""
    cents = value * 100
    whole, rest = divmod(cents, 1)
    return Fraction(int(whole) + (rest >= Fraction(1, 2)), 100)


@st.composite
def terms(draw: st.DrawFn) -> dict:  # type: ignore[type-arg]
    tiers: list[Tier] = []
    for _ in range(draw(st.integers(1, 3))):
        below = draw(st.sampled_from(BOUNDS))
        tiers.append(
            (
                Decimal(draw(st.sampled_from([5, 10, 25, 50, 100]))),
                below,
                below != COMMITTED and draw(st.booleans()),
                draw(st.one_of(st.none(), st.sampled_from(BOUNDS))),
                draw(st.booleans()),
            )
        )
    return {
        "tiers": tiers,
        "fee": draw(st.sampled_from([Decimal("3000.00"), Decimal("1234.57"), Decimal("0.99")])),
        "share": draw(
            st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(16, 30), Fraction(1, 3)])
        ),
        "cap_percent": draw(st.sampled_from([None, Decimal(10), Decimal(30), Decimal("33.3")])),
        "cap_amount": draw(st.sampled_from([None, Decimal("100.00"), Decimal("250.00")])),
        "minimum": draw(st.sampled_from([None, Decimal("1.00"), Decimal("50.00")])),
        "minimum_inclusive": draw(st.booleans()),
    }


def money(t: dict, percent: Decimal) -> Fraction:  # type: ignore[type-arg]
    fee = Fraction(t["fee"]) * t["share"]  # exact: the fee pro rata
    amount = half_up(fee * Fraction(percent) / 100)
    caps = []
    if t["cap_percent"] is not None:
        caps.append(half_up(fee * Fraction(t["cap_percent"]) / 100))
    if t["cap_amount"] is not None:
        caps.append(Fraction(t["cap_amount"]))
    if caps:
        amount = min(amount, *caps)
    minimum = t["minimum"]
    if minimum is not None and amount > 0:
        paid = amount >= Fraction(minimum) if t["minimum_inclusive"] else amount > minimum
        if not paid:
            amount = Fraction(0)
    return amount


def version_of(t: dict) -> tuple[AgreementVersion, AvailabilityCommitment]:  # type: ignore[type-arg]
    c = AvailabilityCommitment(
        name="uptime",
        services=("api",),
        level=COMMITTED,
        measurement=Measurement(source=DowntimeSource.INCIDENTS),
        remedies=Remedies(
            tiers=tuple(
                CreditTier(
                    credit=credit, below=b, below_inclusive=bi, at_least=lo, at_least_inclusive=li
                )
                for credit, b, bi, lo, li in t["tiers"]
            ),
            cap_percent=t["cap_percent"],
            cap_amount=t["cap_amount"],
            minimum_credit=t["minimum"],
            minimum_inclusive=t["minimum_inclusive"],
        ),
    )
    v = AgreementVersion(
        agreement="sla",
        version=1,
        customer="acme",
        status=VersionStatus.ACTIVE,
        effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        effective_to=None,
        currency="EUR",
        fees=(("api", t["fee"]),),
        availability=(c,),
    )
    return v, c


@st.composite
def running(draw: st.DrawFn) -> tuple[int, list[Fraction], Fraction]:
    """A unit, P(R = j units) for j < n in sixteenths, and the mass past the array."""
    unit = draw(st.sampled_from([60, 300]))
    weights = draw(st.lists(st.integers(0, 16), min_size=1, max_size=12))
    total = sum(weights) + draw(st.integers(0, 8))  # what is left lasts past the array
    sixteenths = 16
    scaled = [Fraction(w * sixteenths // max(total, 1), sixteenths) for w in weights]
    if sum(scaled) > 1:
        scaled = [Fraction(0)] * len(scaled)
    return unit, scaled, 1 - sum(scaled)


def expected_min(unit: int, pmf: list[Fraction], beyond: Fraction, t: int) -> Fraction:
    return sum((p * min(j * unit, t) for j, p in enumerate(pmf)), Fraction(0)) + beyond * t


@settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(terms(), running(), st.data())
def test_crossings_with_a_running_outage_equal_a_scan_of_seconds(t, outage, data) -> None:  # type: ignore[no-untyped-def]
    unit, pmf, beyond = outage
    eligible = data.draw(
        st.one_of(st.integers(1000, 40000), st.integers(1, 40).map(lambda k: k * 1000))
    )
    down = data.draw(st.integers(0, eligible // 20))
    remaining = data.draw(st.integers(1, 4000))
    ongoing = expected_min(unit, pmf, beyond, remaining)
    projected = data.draw(st.integers(0, eligible // 10)) + int(-(-ongoing // 1))
    if projected <= 0:
        projected = 1
    model = RemainingDowntime(
        unit_s=unit,
        remaining_s=remaining,
        pmf=np.ones(1, dtype=np.float64),
        rate=RateModel(shape=1.0, exposure_s=1.0, credibility=0.0, history_periods=0),
        ongoing=np.array([float(p) for p in pmf], dtype=np.float64),
    )
    v, c = version_of(t)
    got = crossings(
        v,
        c,
        at=AT,
        eligible_total_s=eligible,
        downtime_so_far_s=down,
        remaining_s=remaining,
        projected_remaining_s=projected,
        remaining=model,
        share=t["share"],
    )
    fresh = (projected - ongoing) / remaining

    def percent(level: Fraction) -> Decimal:
        return next((tier[0] for tier in t["tiers"] if contains(tier, level)), Decimal(0))

    def level(d: Fraction) -> Fraction:
        return max(Fraction(0), eligible - d) / eligible

    best = percent(level(Fraction(down)))
    want = []
    for s in range(1, remaining + 1):
        p = percent(level(down + expected_min(unit, pmf, beyond, s) + fresh * s))
        if p > best:
            want.append((s, p, money(t, p)))
            best = p
    assert [
        (int((x.at - AT).total_seconds()), x.percent, Fraction(x.credit.amount)) for x in got
    ] == want
