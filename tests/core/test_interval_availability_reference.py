"""Interval-based availability (``bad-intervals``, ``mean-error-rate``) against a count of
intervals, one at a time, in zones whose midnights are not on the hour.

docs/sla.md ("Availability"): the request data is cut into intervals aligned to the epoch; an
interval is down when its error rate is ≥ the threshold (> with ``errorRateAbove``), compared
exactly; an interval without requests is never down; a period without requests is no data.
``mean-error-rate``: the level is 1 − the mean of the intervals' error rates, an interval
without requests counting 0. Exclusions (maintenance announced at least the notice ahead):
an interval touched by one is left out entirely; with ``period-less-exclusions`` the excluded
time leaves the eligible time too. Only whole intervals inside the eligible time are measured
(docs/sla.md, "Intervals and period bounds": a straddling interval is never measured;
``covenant validate`` warns, ``interval-straddles-period``).

The reference walks every interval of the eligible time with plain integers and fractions;
the period in progress is a month of Kathmandu (+5:45), Chatham (+13:45/+12:45), St John's
(−3:30) or Lord Howe (+10:30/+11), read one to three days in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    CreditTier,
    DowntimeSource,
    EligibleTime,
    Exclusions,
    MaintenanceWindow,
    Measurement,
    Remedies,
    VersionStatus,
)
from covenant.core.availability import availability
from covenant.core.series import BucketMatrix

STEP = 60
MONTHS = {
    "Asia/Kathmandu": (2026, 2),
    "Pacific/Chatham": (2026, 4),
    "America/St_Johns": (2026, 3),
    "Australia/Lord_Howe": (2026, 10),
}


@st.composite
def cases(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    zone = draw(st.sampled_from(sorted(MONTHS)))
    year, month = MONTHS[zone]
    lo = int(datetime(year, month, 1, tzinfo=ZoneInfo(zone)).timestamp())
    at = lo + draw(st.integers(60, 3 * 86400))
    size = draw(st.sampled_from([60, 300, 3600]))
    source = draw(st.sampled_from([DowntimeSource.BAD_INTERVALS, DowntimeSource.MEAN_ERROR_RATE]))
    threshold = draw(st.sampled_from([Fraction(1, 20), Fraction(1, 2), Fraction(1, 100)]))
    inclusive = draw(st.booleans())
    notice = draw(st.sampled_from([None, 0, 3600]))
    eligible = draw(st.sampled_from(list(EligibleTime)))
    start = lo - lo % 3600 - 3600
    n = (at + 3600 - start) // STEP
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    lam = draw(st.sampled_from([0.0, 0.05, 2.0, 30.0]))
    total = rng.poisson(lam, size=n).astype(np.int64)
    error = draw(st.sampled_from([0.0, 0.01, 0.05, 0.5, 1.0]))
    good = total - rng.binomial(total, error).astype(np.int64)
    data = BucketMatrix(
        keys=("api:ok",), start=start, step=STEP, good=good[None, :], total=total[None, :]
    )
    windows = []
    for i in range(draw(st.integers(0, 3))):
        s = draw(st.integers(lo - 3600, at))
        e = s + draw(st.integers(1, 4 * 3600))
        ahead = draw(st.sampled_from([0, 3599, 3600, 86400]))
        windows.append((f"m{i}", s, e, ahead))
    return zone, lo, at, size, source, threshold, inclusive, notice, eligible, data, windows


@settings(max_examples=150, deadline=None, derandomize=True)
@given(cases())
def test_interval_levels_equal_a_count_of_intervals(case) -> None:  # type: ignore[no-untyped-def]
    zone, lo, at, size, source, threshold, inclusive, notice, eligible, data, windows = case
    commitment = AvailabilityCommitment(
        name="uptime",
        services=("api",),
        level=Fraction(999, 1000),
        measurement=Measurement(
            source=source,
            series="api:ok",
            interval_s=size,
            threshold=threshold,
            threshold_inclusive=inclusive,
        ),
        exclusions=Exclusions(maintenance_notice_s=notice),
        eligible=eligible,
        remedies=Remedies(tiers=(CreditTier(credit=Decimal(10), below=Fraction(999, 1000)),)),
    )
    version = AgreementVersion(
        agreement="sla",
        version=1,
        customer="acme",
        status=VersionStatus.ACTIVE,
        effective_from=datetime(2020, 1, 1, tzinfo=UTC),
        effective_to=None,
        currency="EUR",
        fees=(("api", Decimal("1000.00")),),
        zone=zone,
        availability=(commitment,),
    )

    def utc(t: int) -> datetime:
        return datetime.fromtimestamp(t, tz=UTC)

    maintenance = [
        MaintenanceWindow(
            name=name,
            services=("api",),
            start=utc(s),
            end=utc(e),
            announced_at=utc(s) - timedelta(seconds=ahead),
        )
        for name, s, e, ahead in windows
    ]
    got = availability(
        version, commitment, period_start=utc(lo), at=utc(at), maintenance=maintenance, data=data
    )

    # the reference: every second's fate, every interval's counts
    hi = at
    excluded = [
        (max(s, lo), min(e, hi))
        for _, s, e, ahead in windows
        if notice is not None and ahead >= notice and s < hi and e > lo
    ]
    excluded_s = len({t for s, e in excluded for t in range(s, e)})
    eligible_s = hi - lo - (excluded_s if eligible is EligibleTime.PERIOD_LESS_EXCLUSIONS else 0)
    goods, totals = data.good[0].tolist(), data.total[0].tolist()
    kept = []  # (bad, total) of each whole interval inside [lo, hi) no exclusion touches
    down_s = 0
    t = lo
    while t % size:
        t += 1
    while t + size <= hi:
        if not any(s < t + size and e > t for s, e in excluded):
            g = n = 0
            for b in range(t, t + size, STEP):
                g += goods[(b - data.start) // STEP]
                n += totals[(b - data.start) // STEP]
            kept.append((n - g, n))
            if n and (
                Fraction(n - g, n) >= threshold if inclusive else Fraction(n - g, n) > threshold
            ):
                down_s += size
        t += size
    assert got.eligible_s == eligible_s
    assert got.excluded_s == excluded_s
    if eligible_s == 0 or not any(n for _, n in kept):
        assert got.level is None
        return
    if source is DowntimeSource.MEAN_ERROR_RATE:
        want = 1 - sum((Fraction(b, n) for b, n in kept if n), Fraction(0)) / len(kept)
    else:
        want = Fraction(eligible_s - down_s, eligible_s)
        assert got.downtime_s == down_s
    assert got.level == want
    assert got.met == (want >= Fraction(999, 1000))
