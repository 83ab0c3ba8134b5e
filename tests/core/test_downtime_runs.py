"""``bad-intervals`` with ``minimumRun``: only runs of consecutive down intervals at least that
long count as downtime, each whole (docs/sla.md, "Downtime").

Source: Google Cloud Filestore SLA (cloud.google.com/filestore/sla): "'Downtime' means all
requests to the applicable Covered Service instance fail"; "'Downtime Period' means (i) for
Filestore Basic, High Scale, or Zonal, five or more consecutive minutes of Downtime";
"Intermittent Downtime for a period of less than five minutes for Filestore Basic, High Scale,
or Zonal ... will not count towards any Downtime Periods"; Basic's objective is ">= 99.9%",
"determined on a calendar month basis". The figures below are worked by hand from that text;
the random cases are checked against a minute-by-minute reference that shares no code with
``covenant``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    CreditTier,
    DowntimeSource,
    Exclusions,
    Incident,
    MaintenanceWindow,
    Measurement,
    Remedies,
    VersionStatus,
)
from covenant.core.availability import AvailabilityResult, availability
from covenant.core.downtime import bucket_downtime
from covenant.core.series import BucketMatrix
from covenant.errors import InputError

JAN = datetime(2026, 1, 1, tzinfo=UTC)
FEB = datetime(2026, 2, 1, tzinfo=UTC)  # 28 days: 40 320 minutes
MAR = datetime(2026, 3, 1, tzinfo=UTC)
AFTER = datetime(2027, 1, 1, tzinfo=UTC)
FEE = Decimal("2500.00")
MINUTES = int((MAR - JAN).total_seconds()) // 60  # January and February, one bucket a minute
FEB_AT = int((FEB - JAN).total_seconds()) // 60  # the bucket of Feb 1 00:00


def runs(*spans: tuple[int, int], partial: tuple[int, ...] = ()) -> BucketMatrix:
    """100 requests a minute over January and February; every one fails in the minutes
    ``[a, b)`` of each span (minutes from Feb 1 00:00, negative: January), 99 of them in the
    ``partial`` minutes."""
    total = np.full(MINUTES, 100, dtype=np.int64)
    bad = np.zeros_like(total)
    for a, b in spans:
        bad[FEB_AT + a : FEB_AT + b] = 100
    for p in partial:
        bad[FEB_AT + p] = 99
    return BucketMatrix(
        keys=("nfs",),
        start=int(JAN.timestamp()),
        step=60,
        good=(total - bad).reshape(1, -1),
        total=total.reshape(1, -1),
    )


def basic(minimum_run_s: int | None = 300) -> Measurement:
    """Filestore Basic: a minute is Downtime when all its requests fail."""
    return Measurement(
        source=DowntimeSource.BAD_INTERVALS,
        series="nfs",
        interval_s=60,
        threshold=Fraction(1),
        minimum_run_s=minimum_run_s,
    )


TIERS = (CreditTier(credit=Decimal(10), below=Fraction(999, 1000)),)  # this test's own tier


def measure(
    data: BucketMatrix,
    *,
    month: datetime = FEB,
    at: datetime = AFTER,
    measurement: Measurement | None = None,
    maintenance: tuple[MaintenanceWindow, ...] = (),
    incidents: tuple[Incident, ...] = (),
) -> AvailabilityResult:
    commitment = AvailabilityCommitment(
        name="filestore-basic",
        services=("nfs",),
        level=Fraction(999, 1000),
        measurement=measurement or basic(),
        exclusions=Exclusions(maintenance_notice_s=86400),
        remedies=Remedies(tiers=TIERS),
    )
    version = AgreementVersion(
        agreement="cloud",
        version=1,
        customer="acme",
        status=VersionStatus.ACTIVE,
        effective_from=JAN,
        effective_to=None,
        currency="USD",
        fees=(("nfs", FEE),),
        availability=(commitment,),
    )
    return availability(
        version,
        commitment,
        period_start=month,
        at=at,
        data=data,
        maintenance=maintenance,
        incidents=incidents,
    )


def test_runs_of_four_five_and_six_minutes_count_zero_five_and_six() -> None:
    """4 bad minutes are Intermittent Downtime (0), 5 and 6 are Downtime Periods counted whole:
    11 minutes of 40 320, 99.9727 %: ≥ 99.9 %, met, no credit."""
    data = runs((600, 604), (700, 705), (800, 806))
    r = measure(data)
    assert r.downtime_s == 11 * 60
    assert r.level == Fraction(40320 - 11, 40320)
    assert round(r.level * 100, 4) == Fraction("99.9727")
    assert r.met is True
    assert [(e.start - FEB, e.end - FEB) for e in r.down] == [
        (timedelta(minutes=700), timedelta(minutes=705)),
        (timedelta(minutes=800), timedelta(minutes=806)),
    ]


def test_short_runs_can_decide_the_credit_tier() -> None:
    """A 29-, a 5- and a 6-minute Downtime Period are 40 minutes, within the 40.32 that
    99.9 % of February allows (40 280 / 40 320 = 99.9008 %): met. Ten more runs of 4 minutes
    are Intermittent Downtime; counted one by one (no minimumRun) they make 80 minutes,
    99.8016 %, and the 10 % tier: 250.00 of 2 500.00."""
    spans = [(100, 129), (200, 205), (300, 306)] + [
        (1000 + 10 * k, 1004 + 10 * k) for k in range(10)
    ]
    data = runs(*spans)
    r = measure(data)
    assert r.downtime_s == 40 * 60
    assert r.level == Fraction(40280, 40320)
    assert r.met is True
    assert r.credit is not None
    assert r.credit.amount.amount == Decimal("0.00")
    every = measure(data, measurement=basic(None))
    assert every.downtime_s == 80 * 60
    assert every.level == Fraction(40240, 40320)
    assert round(every.level * 100, 4) == Fraction("99.8016")
    assert every.credit is not None
    assert (every.credit.percent, every.credit.amount.amount) == (Decimal(10), Decimal("250.00"))


def test_a_minute_not_all_failing_ends_a_run() -> None:
    """99 of 100 requests failing is not Downtime ("all requests ... fail"): 3 + 3 minutes on
    either side of it are two runs of 3, neither a Downtime Period."""
    r = measure(runs((600, 603), (604, 607), partial=(603,)))
    assert r.downtime_s == 0
    assert r.level == 1


def test_a_minute_without_requests_ends_a_run() -> None:
    """A minute without requests is never down, so it ends a run: 3 + 3 around it count 0."""
    data = runs((600, 607))
    data.total[0, FEB_AT + 603] = 0
    data.good[0, FEB_AT + 603] = 0
    assert measure(data).downtime_s == 0


def test_a_run_across_the_month_boundary_is_judged_whole() -> None:
    """A Downtime Period is "five or more consecutive minutes" with no month in it; a month
    counts "the number of minutes of Downtime ... in a month". A 6-minute run from Jan 31
    23:57 to Feb 1 00:03 is a Downtime Period: 3 minutes in each month. A 4-minute one from
    23:58 to 00:02 is not: 0 in each."""
    long = runs((-3, 3))
    assert measure(long).downtime_s == 3 * 60
    assert measure(long, month=JAN).downtime_s == 3 * 60
    short = runs((-2, 2))
    assert measure(short).downtime_s == 0
    assert measure(short, month=JAN).downtime_s == 0


def test_announced_maintenance_ends_a_run_even_before_the_period() -> None:
    """Maintenance on Jan 31 23:58–23:59 (announced a week ahead) is not Downtime, so a run of
    bad minutes 23:57–00:03 is 23:59–00:03 after it: 4 minutes, no Downtime Period in
    February."""
    start = FEB - timedelta(minutes=2)
    window = MaintenanceWindow(
        name="m",
        services=("nfs",),
        start=start,
        end=start + timedelta(minutes=1),
        announced_at=start - timedelta(days=7),
    )
    r = measure(runs((-3, 3)), maintenance=(window,))
    assert r.downtime_s == 0
    assert r.not_excluded == ()
    assert r.exclusions == ()
    assert measure(runs((-3, 3))).downtime_s == 3 * 60  # without it: 3 minutes


def test_a_run_in_progress_counts_once_it_is_long_enough() -> None:
    """Bad from 23:58; measured up to 00:02 the run is 4 minutes (not yet a Downtime Period),
    up to 00:03 it is 5, and its 3 February minutes count."""
    data = runs((-2, 4))
    assert measure(data, at=FEB + timedelta(minutes=2)).downtime_s == 0
    assert measure(data, at=FEB + timedelta(minutes=3)).downtime_s == 3 * 60


def test_an_open_excluded_incident_after_the_end_ends_a_run_across_it() -> None:
    """An open incident runs until the instant read (docs/sla.md, "Downtime"), also past the
    period's end. A customer-caused one from Feb 1 00:00, still open at 00:10, makes February's
    bad minutes excluded time, not Downtime: the run from Jan 31 23:57 is 23:57–23:59, 3
    minutes, no Downtime Period, and January has no downtime — as with the same incident
    closed at 00:10. (It was cut at January's end, so the run went on to 6 minutes and
    January counted 3.)"""
    at = FEB + timedelta(minutes=10)

    def caused(end: datetime | None) -> Incident:
        return Incident(id="c1", services=("nfs",), start=FEB, end=end, customer_caused=True)

    data = runs((-3, 3))
    assert measure(data, month=JAN, at=at).downtime_s == 3 * 60  # without it: 3 minutes
    closed = measure(data, month=JAN, at=at, incidents=(caused(at),))
    assert (closed.downtime_s, closed.level) == (0, 1)
    still_open = measure(data, month=JAN, at=at, incidents=(caused(None),))
    assert (still_open.downtime_s, still_open.level) == (0, 1)


def test_a_minimum_run_only_with_bad_intervals_and_whole_intervals() -> None:
    with pytest.raises(InputError, match="whole multiple of the 300s interval"):
        Measurement(
            source=DowntimeSource.BAD_INTERVALS,
            series="s",
            interval_s=300,
            threshold=Fraction(1, 20),
            minimum_run_s=420,
        )
    with pytest.raises(InputError, match="no meaning with mean-error-rate"):
        Measurement(
            source=DowntimeSource.MEAN_ERROR_RATE, series="s", interval_s=60, minimum_run_s=300
        )


# --- random cases against a minute-by-minute reference --------------------------------------

BASE = 1_800_000_000 // 3600 * 3600  # an hour boundary: every interval size below divides it


def reference(
    good: list[int],
    total: list[int],
    *,
    size_min: int,
    run: int,
    threshold: Fraction,
    inclusive: bool,
    lo_min: int,
    hi_min: int,
    until_min: int,
    excluded: list[tuple[int, int]],
) -> list[int] | None:
    """The down interval starts (minutes from BASE) inside ``[lo_min, hi_min)``, or None for
    "no data", counting every interval of the data up to ``until_min`` one by one."""
    n = len(total)
    seen = max(until_min, hi_min)
    states = []  # (start, down?, kept?, total) of every interval the data holds and has happened
    t = 0
    while t + size_min <= n:
        if t + size_min <= seen or t + size_min <= hi_min:
            b = sum(total[t : t + size_min]) - sum(good[t : t + size_min])
            tot = sum(total[t : t + size_min])
            kept = all(not (s < t + size_min and e > t) for s, e in excluded)
            if tot == 0:
                down = False
            else:
                ratio = Fraction(b, tot)
                down = ratio >= threshold if inclusive else ratio > threshold
            states.append((t, down and kept, kept, tot))
        t += size_min
    inside = [x for x in states if x[0] >= lo_min and x[0] + size_min <= hi_min]
    if not inside or sum(tot for _, _, kept, tot in inside if kept) == 0:
        return None
    counted: set[int] = set()
    k = 0
    while k < len(states):
        if not states[k][1]:
            k += 1
            continue
        j = k
        while (
            j < len(states) and states[j][1] and states[j][0] == states[k][0] + (j - k) * size_min
        ):
            j += 1
        if j - k >= run:
            counted.update(states[i][0] for i in range(k, j))
        k = j
    return sorted(x[0] for x in inside if x[0] in counted)


@st.composite
def cases(draw: st.DrawFn) -> dict[str, object]:
    size_min = draw(st.sampled_from([1, 2, 3]))
    run = draw(st.integers(1, 4))
    n = draw(st.integers(6, 48)) // size_min * size_min
    total = draw(st.lists(st.sampled_from([0, 1, 2, 3, 4]), min_size=n, max_size=n))
    bad = [draw(st.integers(0, t)) for t in total]
    lo_min = draw(st.integers(0, n - 1))
    hi_min = draw(st.integers(lo_min + 1, n))
    until_min = draw(st.integers(hi_min, n + 5))
    excluded = draw(
        st.lists(st.tuples(st.integers(-2, n + 2), st.integers(1, 4)), max_size=3).map(
            lambda xs: [(s, s + d) for s, d in xs]
        )
    )
    return {
        "size_min": size_min,
        "run": run,
        "good": [t - b for t, b in zip(total, bad, strict=True)],
        "total": total,
        "threshold": draw(st.sampled_from([Fraction(1, 2), Fraction(1), Fraction(1, 3)])),
        "inclusive": draw(st.booleans()),
        "lo_min": lo_min,
        "hi_min": hi_min,
        "until_min": until_min,
        "excluded": excluded,
    }


@settings(max_examples=200, deadline=None)
@given(cases())
def test_runs_match_a_minute_by_minute_reference(case: dict[str, object]) -> None:
    size_min = case["size_min"]
    run = case["run"]
    assert isinstance(size_min, int)
    assert isinstance(run, int)
    good, total = case["good"], case["total"]
    assert isinstance(good, list)
    assert isinstance(total, list)
    lo_min, hi_min, until_min = case["lo_min"], case["hi_min"], case["until_min"]
    assert isinstance(lo_min, int)
    assert isinstance(hi_min, int)
    assert isinstance(until_min, int)
    threshold, inclusive, excluded = case["threshold"], case["inclusive"], case["excluded"]
    assert isinstance(threshold, Fraction)
    assert isinstance(inclusive, bool)
    assert isinstance(excluded, list)
    commitment = AvailabilityCommitment(
        name="c",
        services=("s",),
        level=Fraction(99, 100),
        measurement=Measurement(
            source=DowntimeSource.BAD_INTERVALS,
            series="s",
            interval_s=size_min * 60,
            threshold=threshold,
            threshold_inclusive=inclusive,
            minimum_run_s=run * size_min * 60,
        ),
    )
    data = BucketMatrix(
        keys=("s",),
        start=BASE,
        step=60,
        good=np.array([good], dtype=np.int64),
        total=np.array([total], dtype=np.int64),
    )
    down, _, no_data, *_ = bucket_downtime(
        commitment,
        data,
        lo=BASE + lo_min * 60,
        hi=BASE + hi_min * 60,
        excluded=[(BASE + s * 60, BASE + e * 60) for s, e in excluded],
        until=BASE + until_min * 60,
    )
    expected = reference(
        good,
        total,
        size_min=size_min,
        run=run,
        threshold=threshold,
        inclusive=inclusive,
        lo_min=lo_min,
        hi_min=hi_min,
        until_min=until_min,
        excluded=excluded,
    )
    if expected is None:
        assert no_data is not None
        assert down == []
    else:
        assert no_data is None
        assert [(s - BASE) // 60 for s, _, _ in down] == expected
