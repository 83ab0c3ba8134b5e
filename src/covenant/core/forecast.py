"""Exposure: a commitment's current period projected to its end, its credit tiers and the money
at risk, per customer and across the portfolio (docs/exposure.md).

The distribution of the downtime still to come, its tier probabilities and the expected credit
are ``core.forecast_model``'s. This module assembles them per commitment (with the worst case
and the tier-crossing alerts: the first second at which the downtime so far plus the expected
downtime still to come by then crosses a tier's allowance) and sums the money per currency.

Data that ends well before ``at`` is not taken as good news: the gap is unknown time, left out
of the rate so far and added to the time still at risk.

Mean-error-rate commitments are not forecast (no episodes to count); the result says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from covenant.core import intervals
from covenant.core.agreements import AgreementVersion, AvailabilityCommitment, DowntimeSource
from covenant.core.availability import AvailabilityResult, span_text
from covenant.core.credits import credit_for
from covenant.core.forecast_model import (
    INCIDENT_UNIT_S,
    MIN_HISTORY,
    PastPeriod,
    RemainingDowntime,
    TierChance,
    expected_credit,
    level_after,
    remaining_downtime,
    tier_chances,
    too_early,
)
from covenant.core.money import Money
from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.errors import InputError

BAND = (0.05, 0.95)
"""The projected level's band: these quantiles of the end-of-period downtime."""
WORST_CASE_FLOOR = 0.005
"""Tiers less likely than this do not set the worst case (a 1e-12 tail is not a plan)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TierCrossing:
    """The period's credit becomes ``percent`` at ``at``: a fact when the downtime so far
    crossed the tier bound (``projected`` False), else when the expected downtime would."""

    at: datetime
    percent: Decimal
    credit: Money
    projected: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitmentExposure:
    """The forecast for one commitment's current period (``no_forecast`` says why if absent)."""

    agreement: str
    version: int
    customer: str
    commitment: str
    services: tuple[str, ...]
    source: DowntimeSource
    committed: Fraction
    zone: str
    period_start: datetime
    period_end: datetime
    at: datetime
    eligible_so_far_s: int
    eligible_total_s: int
    downtime_so_far_s: int
    level_so_far: Fraction | None
    no_forecast: str | None = None
    owed_now: Money | None = None  # the credit if nothing else goes down (locked in)
    owed_now_percent: Decimal | None = None
    projected_downtime_s: int | None = None
    projected_level: Fraction | None = None
    band_low: Fraction | None = None  # level at the 95th percentile of downtime
    band_high: Fraction | None = None  # level at the 5th percentile of downtime
    tiers: tuple[TierChance, ...] = ()
    expected_credit: Money | None = None
    worst_case_credit: Money | None = None
    worst_case_percent: Decimal | None = None
    crossings: tuple[TierCrossing, ...] = ()
    history_periods: int = 0
    credibility: float | None = None
    notes: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# Tiers, money, crossings


def crossings(
    version: AgreementVersion,
    commitment: AvailabilityCommitment,
    *,
    at: datetime,
    eligible_total_s: int,
    downtime_so_far_s: int,
    remaining_s: int,
    projected_remaining_s: int,
    remaining: RemainingDowntime | None = None,
    origin: datetime | None = None,
    share: Fraction = Fraction(1),
) -> tuple[TierCrossing, ...]:
    """Each worse tier the period is expected to enter before it ends, and the first whole
    second (after ``origin``, default ``at``) at which it does.

    The expected downtime still to come by second t is ``m(t) = E[min(R, t)] + N × t /
    remaining_s``: R is the running episode's remaining length (``remaining.ongoing``; 0 when
    none runs) and N = ``projected_remaining_s`` − E[min(R, remaining_s)] the expected downtime
    of the episodes still to start, whose count grows in proportion to time. So m reaches the
    projection at the period's end, and the crossing is the first t at which
    ``downtime_so_far_s + m(t)`` puts the period in a worse tier — compared exactly (``Fraction``
    of the model's numbers) with the tier bounds. An instant before ``at`` (possible only when
    the data ends before ``at``) is reported as ``at``.
    """
    if remaining_s <= 0 or projected_remaining_s <= 0:
        return ()
    e_t, d0 = eligible_total_s, downtime_so_far_s
    start = at if origin is None else origin

    def running(t: int) -> Fraction:
        return Fraction(remaining.ongoing_by(t)) if remaining is not None else Fraction(0)

    fresh = max(Fraction(0), projected_remaining_s - running(remaining_s)) / remaining_s

    def expected_by(t: int) -> Fraction:
        return running(t) + fresh * t

    def percent_at(t: int) -> tuple[Decimal, Money]:
        c = credit_for(version, commitment, level_after(e_t, d0 + expected_by(t)), share=share)
        return c.percent, c.amount

    candidates: set[int] = set()
    for tier in commitment.remedies.tiers:
        for bound in (tier.below, tier.at_least):
            if bound is None:
                continue
            allowance = e_t * (1 - bound) - d0  # level == bound once m(t) == allowance
            if allowance < 0 or expected_by(remaining_s) < allowance:
                continue
            lo, hi = 0, remaining_s  # the least t with m(t) ≥ allowance (m is non-decreasing)
            while lo < hi:
                mid = (lo + hi) // 2
                lo, hi = (lo, mid) if expected_by(mid) >= allowance else (mid + 1, hi)
            candidates.update(t for t in (lo - 1, lo, lo + 1) if 0 < t <= remaining_s)
    current, _ = percent_at(0)
    out = []
    for t in sorted(candidates):
        percent, money = percent_at(t)
        if percent > current:
            out.append(
                TierCrossing(
                    at=max(at, start + timedelta(seconds=t)),
                    percent=percent,
                    credit=money,
                    projected=True,
                )
            )
            current = percent
    return tuple(out)


def past_crossings(
    version: AgreementVersion,
    commitment: AvailabilityCommitment,
    *,
    eligible_total_s: int,
    down: Sequence[intervals.Span],
    share: Fraction = Fraction(1),
) -> tuple[TierCrossing, ...]:
    """The instants this period's downtime so far put it in a worse tier for good: the first
    second at which the accumulated downtime exceeded the whole period's allowance."""
    spans = intervals.merge(down)
    d0 = intervals.total(spans)
    e_t = eligible_total_s

    def credit_at(d: int) -> tuple[Decimal, Money]:
        c = credit_for(version, commitment, level_after(e_t, Fraction(d)), share=share)
        return c.percent, c.amount

    candidates: set[int] = set()
    for tier in commitment.remedies.tiers:
        for bound in (tier.below, tier.at_least):
            if bound is not None:
                x = math.floor(e_t * (1 - bound))  # level(x) ≥ bound > level(x + 1)
                candidates.update(d for d in (x, x + 1) if 0 < d <= d0)
    current, _ = credit_at(0)
    out = []
    for d in sorted(candidates):
        percent, money = credit_at(d)
        if percent > current:
            out.append(
                TierCrossing(
                    at=from_epoch(_instant_of(spans, d)),
                    percent=percent,
                    credit=money,
                    projected=False,
                )
            )
            current = percent
    return tuple(out)


def _instant_of(spans: Sequence[intervals.Span], downtime_s: int) -> int:
    """The instant at which ``spans`` have accumulated ``downtime_s`` seconds (> 0)."""
    done = 0
    for start, end in spans:
        if done + (end - start) >= downtime_s:
            return start + downtime_s - done
        done += end - start
    raise InputError("more downtime asked for than the spans hold")


# ---------------------------------------------------------------------------------------------
# One commitment


def commitment_exposure(
    version: AgreementVersion,
    commitment: AvailabilityCommitment,
    *,
    so_far: AvailabilityResult,
    at: datetime,
    history: Sequence[PastPeriod],
    in_force: tuple[datetime, datetime] | None = None,
    min_history: int = MIN_HISTORY,
    notes: Sequence[str] = (),
    known: AvailabilityResult | None = None,
    data_end: datetime | None = None,
) -> CommitmentExposure:
    """Forecast the current period of ``commitment`` from its evaluation ``so_far`` (up to
    ``at``) and its ``history`` (the previous periods measured with the same terms).

    ``in_force`` is the part of the period the version is in force, as given to
    ``availability``: the forecast stops where it ends and the fee is pro rata. ``known`` is
    the same evaluation up to where the data ends, when it ends well before ``at`` (see
    ``is_stale``): the eligible time after it is unknown — left out of the rate so far and
    added to the time still at risk, never counted as up time.
    """
    at = require_utc(at)
    start, end = so_far.period_start, so_far.period_end
    if in_force is None:
        in_force = (version.effective_from, version.effective_to or end)
    span_lo, span_hi = max(start, in_force[0]), min(end, in_force[1])
    share = Fraction(max(0, to_epoch(span_hi) - to_epoch(span_lo)), to_epoch(end) - to_epoch(start))
    future_s = max(0, to_epoch(span_hi) - max(to_epoch(at), to_epoch(so_far.eligible_end)))
    gap_s = so_far.uncovered_s  # time so far the stored records do not cover: unknown
    e_t = so_far.eligible_s + gap_s + future_s
    d0 = so_far.downtime_s
    seen = so_far if known is None else known
    elapsed_s = min(seen.eligible_s, so_far.eligible_s)
    # the unknown time (a stale tail, uncovered spans) is still at risk, never up time
    remaining_s = future_s + so_far.eligible_s - elapsed_s + gap_s
    notes = tuple(notes)
    if gap_s and so_far.level is not None:
        why = "; ".join(dict.fromkeys(e.reason for e in so_far.uncovered))
        notes += (
            f"partial coverage: the stored records do not cover {span_text(gap_s)} of the "
            f"period so far ({why}); the forecast counts that time as at risk, not as up time",
        )
    if known is not None:  # where the data ends (``data_end``: before the period, it may be)
        ends = _iso(data_end or known.eligible_end)
        notes += (f"data ends at {ends}; the forecast does not count the gap as up time",)
    head = CommitmentExposure(
        agreement=version.agreement,
        version=version.version,
        customer=version.customer,
        commitment=commitment.name,
        services=commitment.services,
        source=commitment.measurement.source,
        committed=commitment.level,
        zone=version.zone,
        period_start=so_far.period_start,
        period_end=so_far.period_end,
        at=at,
        eligible_so_far_s=so_far.eligible_s,
        eligible_total_s=e_t,
        downtime_so_far_s=d0,
        level_so_far=so_far.level,
        history_periods=len(history),
        notes=notes,
    )
    reason = _unforecastable(commitment, so_far, history, min_history, elapsed_s)
    if reason is not None:
        return replace(head, no_forecast=reason)
    owed = credit_for(version, commitment, level_after(e_t, Fraction(d0)), share=share)
    early = too_early(len(history), min_history=min_history, elapsed_s=elapsed_s, total_s=e_t)
    if early is not None:
        # the rate would come from these first hours alone: only the facts are given
        return replace(
            head,
            no_forecast=early,
            owed_now=owed.amount,
            owed_now_percent=owed.percent,
            crossings=past_crossings(
                version,
                commitment,
                eligible_total_s=e_t,
                down=[(to_epoch(e.start), to_epoch(e.end)) for e in so_far.down],
                share=share,
            ),
        )
    m = commitment.measurement
    bucketed = m.source is not DowntimeSource.INCIDENTS
    unit = m.interval_s if bucketed else INCIDENT_UNIT_S
    spans = [(to_epoch(e.start), to_epoch(e.end)) for e in so_far.down]
    merged = intervals.merge(spans)
    ongoing_s: int | None = None
    seen_end = to_epoch(seen.eligible_end)
    if merged and merged[-1][1] >= seen_end - (m.interval_s if bucketed else 0):
        ongoing_s = merged[-1][1] - merged[-1][0]
        merged = merged[:-1]
    reach = max(
        (
            int(e_t * (1 - b)) - d0
            for t in commitment.remedies.tiers
            for b in (t.below, t.at_least)
            if b is not None
        ),
        default=0,
    )
    remaining = remaining_downtime(
        history,
        elapsed_s=elapsed_s,
        completed=[e - s for s, e in merged],
        ongoing_s=ongoing_s,
        remaining_s=remaining_s,
        unit_s=unit,
        reach_s=reach,
        min_history=min_history,
    )
    chances = tier_chances(
        version,
        commitment,
        eligible_total_s=e_t,
        downtime_so_far_s=d0,
        remaining=remaining,
        share=share,
    )
    mean_rem = round(remaining.mean_s)
    projected = level_after(e_t, Fraction(d0 + mean_rem))
    # The band is the 5th–95th percentile range of the end-of-period level, widened to the
    # projection (the mean) when a rare long episode pulls the mean outside it.
    band_low = min(projected, level_after(e_t, Fraction(d0 + remaining.quantile_s(BAND[1]))))
    band_high = max(projected, level_after(e_t, Fraction(d0 + remaining.quantile_s(BAND[0]))))
    model_notes = tuple(
        n.replace(", so the band is wide", "") if band_low == band_high else n
        for n in remaining.notes
    )
    worst_rate = max(
        [Fraction(p.downtime_s, p.eligible_s) for p in history]
        + ([Fraction(d0, elapsed_s)] if elapsed_s else [])
    )
    worst = credit_for(
        version, commitment, level_after(e_t, d0 + worst_rate * remaining_s), share=share
    )
    # The worst case is never milder than a tier the model gives a real chance (≥ 0.5 %).
    reachable = [c for c in chances if c.probability >= WORST_CASE_FLOOR]
    harshest = max(reachable, key=lambda c: c.credit.amount, default=None)
    if harshest is not None and harshest.credit.amount > worst.amount.amount:
        worst = replace(worst, amount=harshest.credit, percent=harshest.percent)
    # Nor below the expected credit when a tier with a real chance lifts it: then the mildest
    # such tier above it. (A negligible tail may lift the mean by a cent; it sets nothing.)
    mean = expected_credit(chances, version.currency)
    if mean.amount > worst.amount.amount:
        cover = min(
            (
                c
                for c in chances
                if c.probability >= WORST_CASE_FLOOR and c.credit.amount >= mean.amount
            ),
            key=lambda c: c.credit.amount,
            default=None,
        )
        if cover is not None:
            worst = replace(worst, amount=cover.credit, percent=cover.percent)
    return replace(
        head,
        owed_now=owed.amount,
        owed_now_percent=owed.percent,
        projected_downtime_s=d0 + mean_rem,
        projected_level=projected,
        band_low=band_low,
        band_high=band_high,
        tiers=chances,
        expected_credit=mean,
        worst_case_credit=worst.amount,
        worst_case_percent=worst.percent,
        crossings=past_crossings(version, commitment, eligible_total_s=e_t, down=spans, share=share)
        + crossings(
            version,
            commitment,
            at=at,
            eligible_total_s=e_t,
            downtime_so_far_s=d0,
            remaining_s=remaining_s,
            projected_remaining_s=mean_rem,
            remaining=remaining,
            origin=None if known is None else known.eligible_end,
            share=share,
        ),
        credibility=remaining.rate.credibility,
        notes=notes + model_notes,
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _unforecastable(
    commitment: AvailabilityCommitment,
    so_far: AvailabilityResult,
    history: Sequence[PastPeriod],
    min_history: int,
    elapsed_s: int,
) -> str | None:
    if commitment.measurement.source is DowntimeSource.MEAN_ERROR_RATE:
        return (
            "mean-error-rate levels average every interval's error ratio; there are no down "
            "episodes to count, so this model does not apply (measure with bad-intervals)"
        )
    if so_far.level is None:
        return so_far.no_data or "no level so far"
    if len(history) < min_history and elapsed_s == 0:
        return (
            f"no elapsed time with data in this period and fewer than {min_history} past "
            "periods are on record"
        )
    return None
