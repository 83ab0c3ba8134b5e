"""Tier-crossing alerts (core.forecast.crossings and past_crossings) against a scan of every
second, with credit tiers matched here from the contract's words.

docs/exposure.md ("Tier-crossing alerts"): a crossing is the first whole second at which the
period falls in a worse tier — *projected*: downtime so far + m(t) with m(t) = N × t /
remaining when no episode runs; *already crossed*: the instant the down evidence so far
accumulated enough seconds. docs/sla.md: the level is (eligible − down) / eligible (never
below 0), and the credit is the first tier, in order, whose bounds hold the level (``below``
strictly unless inclusive, ``at_least`` inclusively unless not), else none.

The scan steps one second at a time (t = 1 … remaining; or through the down spans, merged,
second by second) and reports each second at which the tier's credit rises above every credit
seen so far. Hypothesis draws tiers in order or not, with every bound kind, eligible seconds
that make a bound's allowance whole or not, downtime so far exactly at an allowance, and
projections that end exactly on one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
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
from covenant.core.forecast import crossings, past_crossings

AT = datetime(2026, 11, 10, tzinfo=UTC)
COMMITTED = Fraction(9995, 10000)
BOUNDS = [Fraction(999, 1000), Fraction(99, 100), Fraction(95, 100), COMMITTED]


def percent_of(
    tiers: list[tuple[Decimal, Fraction | None, bool, Fraction | None, bool]], level: Fraction
) -> Decimal:
    for credit, below, below_inclusive, low, low_inclusive in tiers:
        if below is not None and not (level <= below if below_inclusive else level < below):
            continue
        if low is not None and not (level >= low if low_inclusive else level > low):
            continue
        return credit
    return Decimal(0)


def money(percent: Decimal) -> Decimal:
    """The credit on the 3,000.00 EUR fee, rounded half up to the cent."""
    cents = Fraction(300000) * Fraction(percent) / 100
    whole, rest = divmod(cents, 1)
    return Decimal(int(whole) + (rest >= Fraction(1, 2))) / 100


def level(eligible: int, down: Fraction) -> Fraction:
    return max(Fraction(0), eligible - down) / eligible


@st.composite
def tier_lists(
    draw: st.DrawFn,
) -> list[tuple[Decimal, Fraction | None, bool, Fraction | None, bool]]:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        # every tier has an upper bound under the committed 99.95 % (a tier may not pay while
        # the level is met)
        below = draw(st.sampled_from(BOUNDS))
        low = draw(st.one_of(st.none(), st.sampled_from(BOUNDS)))
        out.append(
            (
                Decimal(draw(st.sampled_from([5, 10, 25, 50, 100]))),
                below,
                below != COMMITTED and draw(st.booleans()),
                low,
                draw(st.booleans()),
            )
        )
    return out


def version_of(
    tiers: list[tuple[Decimal, Fraction | None, bool, Fraction | None, bool]],
) -> tuple[AgreementVersion, AvailabilityCommitment]:
    c = AvailabilityCommitment(
        name="uptime",
        services=("api",),
        level=COMMITTED,
        measurement=Measurement(source=DowntimeSource.INCIDENTS),
        remedies=Remedies(
            tiers=tuple(
                CreditTier(
                    credit=credit,
                    below=below,
                    below_inclusive=bi,
                    at_least=low,
                    at_least_inclusive=li,
                )
                for credit, below, bi, low, li in tiers
            )
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
        fees=(("api", Decimal("3000.00")),),
        availability=(c,),
    )
    return v, c


@st.composite
def eligible_and_down(draw: st.DrawFn) -> tuple[int, int]:
    eligible = draw(st.one_of(st.integers(1000, 40000), st.integers(1, 40).map(lambda k: k * 1000)))
    allowances = [eligible * (1 - b) for b in BOUNDS if (eligible * (1 - b)).denominator == 1]
    down = draw(
        st.one_of(
            st.integers(0, eligible // 5),
            st.sampled_from(allowances or [Fraction(0)]).map(int),  # exactly at an allowance
        )
    )
    return eligible, down


@settings(max_examples=200, deadline=None, derandomize=True)
@given(tier_lists(), eligible_and_down(), st.integers(1, 6000), st.data())
def test_projected_crossings_equal_a_scan_of_seconds(tiers, eligible_down, remaining, data) -> None:  # type: ignore[no-untyped-def]
    eligible, down = eligible_down
    projected = data.draw(
        st.one_of(
            st.integers(1, eligible // 10 + 1),
            st.sampled_from(BOUNDS).map(lambda b: int(eligible * (1 - b)) - down),
        ).filter(lambda p: p > 0)
    )
    # stale data: t counts from where the data ends, an instant before ``at`` reads as ``at``
    origin = AT - timedelta(seconds=data.draw(st.sampled_from([0, 0, 1, 30, 600])))
    v, c = version_of(tiers)
    got = crossings(
        v,
        c,
        at=AT,
        eligible_total_s=eligible,
        downtime_so_far_s=down,
        remaining_s=remaining,
        projected_remaining_s=projected,
        origin=origin,
    )
    rate = Fraction(projected, remaining)
    current = percent_of(tiers, level(eligible, Fraction(down)))
    want = []
    for t in range(1, remaining + 1):
        p = percent_of(tiers, level(eligible, down + rate * t))
        if p > current:
            want.append((max(AT, origin + timedelta(seconds=t)), p, money(p)))
            current = p
    assert [(x.at, x.percent, x.credit.amount) for x in got] == want
    assert all(x.projected for x in got)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(tier_lists(), eligible_and_down(), st.data())
def test_past_crossings_equal_a_scan_of_the_down_seconds(tiers, eligible_down, data) -> None:  # type: ignore[no-untyped-def]
    eligible, down = eligible_down
    origin = int(AT.timestamp()) - 10 * 86400
    spans = []
    for _ in range(data.draw(st.integers(0, 5))):
        s = origin + data.draw(st.integers(0, 86400))
        spans.append((s, s + data.draw(st.integers(0, max(down, 1)))))
    v, c = version_of(tiers)
    got = past_crossings(v, c, eligible_total_s=eligible, down=spans)
    seconds = sorted({s for a, b in spans for s in range(a, b)})
    current = percent_of(tiers, Fraction(1))
    want = []
    for d, s in enumerate(seconds, start=1):
        p = percent_of(tiers, level(eligible, Fraction(d)))
        if p > current:
            want.append((datetime.fromtimestamp(s + 1, tz=UTC), p, money(p)))
            current = p
    assert [(x.at, x.percent, x.credit.amount) for x in got] == want
    assert not any(x.projected for x in got)


def test_a_period_exactly_at_a_tier_bound_crosses_in_its_next_second() -> None:
    """1,000 eligible seconds, 1 down: the level is exactly 99.9 %, which `< 99.9 → 5 %` does
    not pay yet. The next second of projected downtime puts it below: the crossing is then."""
    tiers = [(Decimal(5), Fraction(999, 1000), False, None, True)]
    v, c = version_of(tiers)
    got = crossings(
        v,
        c,
        at=AT,
        eligible_total_s=1000,
        downtime_so_far_s=1,
        remaining_s=100,
        projected_remaining_s=100,
    )
    assert [(x.at, x.percent) for x in got] == [(AT + timedelta(seconds=1), Decimal(5))]
