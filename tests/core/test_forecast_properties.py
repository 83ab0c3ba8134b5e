"""Properties of the exposure forecast over random histories (hypothesis): the projected level
lies inside its own band, a zero-width band never comes with "the band is wide", the tier
chances add up to one, and the expected credit lies between the mildest and harshest credit
the tiers can pay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

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
from covenant.core.availability import availability
from covenant.core.forecast import commitment_exposure
from covenant.core.forecast_model import TOO_EARLY, PastPeriod

DAY = 86400
NOV = datetime(2026, 11, 1, tzinfo=UTC)
MONTH_S = 30 * DAY
TIERS = (
    CreditTier(credit=Decimal(10), below=Fraction(999, 1000), at_least=Fraction(99, 100)),
    CreditTier(credit=Decimal(25), below=Fraction(99, 100), at_least=Fraction(95, 100)),
    CreditTier(credit=Decimal(100), below=Fraction(95, 100)),
)
C = AvailabilityCommitment(
    name="uptime",
    services=("api",),
    level=Fraction(999, 1000),
    measurement=Measurement(source=DowntimeSource.INCIDENTS),
    remedies=Remedies(tiers=TIERS),
)
V = AgreementVersion(
    agreement="acme-sla",
    version=1,
    customer="acme",
    status=VersionStatus.ACTIVE,
    effective_from=datetime(2026, 1, 1, tzinfo=UTC),
    effective_to=None,
    currency="EUR",
    fees=(("api", Decimal("3000.00")),),
    availability=(C,),
)

episodes = st.lists(st.integers(min_value=60, max_value=6 * 3600), max_size=8)
histories = st.lists(episodes, max_size=6)
outages = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=29 * DAY), st.integers(min_value=60, max_value=8 * 3600)
    ),
    max_size=6,
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@example(history=[], down=[(DAY, 600)], elapsed=MONTH_S - 60)  # a zero-width band
@given(
    history=histories,
    down=outages,
    elapsed=st.integers(min_value=0, max_value=MONTH_S),
)
def test_projection_lies_in_its_band_and_the_notes_match_it(
    history: list[list[int]], down: list[tuple[int, int]], elapsed: int
) -> None:
    at = NOV + timedelta(seconds=elapsed)
    past = [
        PastPeriod(start=NOV - timedelta(days=30 * (i + 1)), eligible_s=MONTH_S, episodes=tuple(e))
        for i, e in enumerate(history)
    ]
    incidents = [
        Incident(
            id=f"INC-{k}",
            services=("api",),
            start=NOV + timedelta(seconds=s),
            end=NOV + timedelta(seconds=s + length),
        )
        for k, (s, length) in enumerate(down)
        if s < elapsed
    ]
    so_far = availability(V, C, period_start=NOV, at=at, incidents=incidents)
    e = commitment_exposure(V, C, so_far=so_far, at=at, history=past)
    if e.no_forecast is not None:
        assert e.projected_level is None
        if e.no_forecast.startswith(TOO_EARLY):  # only with a short history, facts still given
            assert len(past) < 3
            assert e.owed_now is not None
        return
    assert e.projected_level is not None
    assert e.band_low is not None
    assert e.band_high is not None
    assert e.band_low <= e.projected_level <= e.band_high
    if e.band_low == e.band_high:
        assert not any("band is wide" in n for n in e.notes), e.notes
        if len(past) < 3:  # the short history is still named, without the claim
            assert any("fewer than 3" in n for n in e.notes), e.notes
    total = sum(t.probability for t in e.tiers)
    assert abs(total - 1.0) < 1e-6
    credits = [t.credit.amount for t in e.tiers]
    assert e.expected_credit is not None
    assert min(credits) <= e.expected_credit.amount <= max(credits)
    assert e.owed_now is not None
    assert e.worst_case_credit is not None
    assert e.owed_now.amount <= e.worst_case_credit.amount
