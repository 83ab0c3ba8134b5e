"""Availability of an agreement commitment over a reporting period, with its evidence.

For one commitment and one period: the eligible time (the part of the period the version was
in force, up to ``at``), the down intervals (from incidents, or from bucket data as intervals
whose error ratio meets a threshold), the exclusions (announced maintenance, customer-caused
and force-majeure incidents) each with its reason, the measured level, the credit tier it
falls in, the credit in money (cap and minimum applied) and the claim deadline.

The credit is computed in ``core.credits``, the down intervals in ``core.downtime``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from covenant.core import intervals
from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    ClaimRule,
    DowntimeSource,
    EligibleTime,
    Incident,
    MaintenanceWindow,
    PeriodUnit,
    Remedies,
    period_fee,
)
from covenant.core.credits import CreditLimit, CreditResult, credit_for, pro_rated_bound
from covenant.core.downtime import bucket_downtime, k_of_n_down, run_margin, run_reason
from covenant.core.model import CalendarUnit, CalendarWindow
from covenant.core.money import Money, quantum
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.core.wallclock import first_instant
from covenant.core.windows import calendar_period


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """One interval of the record: down time or an exclusion, with why."""

    start: datetime
    end: datetime
    reason: str

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


@dataclass(frozen=True, slots=True, kw_only=True)
class AvailabilityResult:
    agreement: str
    version: int
    commitment: str
    services: tuple[str, ...]
    level_committed: Fraction
    period_start: datetime
    period_end: datetime
    eligible_start: datetime
    eligible_end: datetime
    complete: bool  # the period has ended (at >= period_end)
    eligible_s: int
    downtime_s: int
    excluded_s: int
    level: Fraction | None
    no_data: str | None
    met: bool | None
    credit: CreditResult | None
    claim_deadline: datetime | None
    down: tuple[Evidence, ...]
    exclusions: tuple[Evidence, ...]
    not_excluded: tuple[Evidence, ...]  # e.g. maintenance announced too late
    uncovered: tuple[Evidence, ...] = ()  # eligible time the stored records do not cover
    # bad intervals whose run was shorter than the minimum run (not downtime), and that minimum
    # (None: the commitment has none, and every bad interval is down)
    short_runs: tuple[Evidence, ...] = ()
    minimum_run_s: int | None = None

    @property
    def uncovered_s(self) -> int:
        return sum(e.seconds for e in self.uncovered)

    @property
    def coverage(self) -> str:
        """``full``, ``partial`` or ``none``: how much of the eligible time (up to ``at``) the
        stored records cover. Uncovered time is left out of the level, never counted as up."""
        if not self.uncovered:
            return "full"
        span = int((self.eligible_end - self.eligible_start).total_seconds())
        return "none" if self.uncovered_s >= span else "partial"


def period_window(version: AgreementVersion) -> CalendarWindow:
    unit = CalendarUnit.MONTH if version.period is PeriodUnit.MONTH else CalendarUnit.QUARTER
    return CalendarWindow(unit=unit, zone=version.zone)


def period_containing(version: AgreementVersion, instant: datetime) -> tuple[datetime, datetime]:
    """The reporting period ``[start, end)`` (UTC) of ``version`` that contains ``instant``."""
    return calendar_period(period_window(version), instant)


def claim_deadline(
    version: AgreementVersion, remedies: Remedies, period_end: datetime
) -> datetime | None:
    """When a credit for the period ending at ``period_end`` can no longer be claimed."""
    if remedies.claim is None:
        return None
    if remedies.claim.rule is ClaimRule.PERIODS_AFTER:
        end = period_end
        for _ in range(remedies.claim.count):
            _, end = period_containing(version, end)
        return end
    zone = ZoneInfo(version.zone)
    local = period_end.astimezone(zone).replace(tzinfo=None)
    return first_instant(local + timedelta(days=remedies.claim.count), zone)


def _covers(services: Sequence[str], wanted: Sequence[str]) -> bool:
    return not wanted or bool(set(services) & set(wanted))


def _for_customer(customers: Sequence[str], customer: str) -> bool:
    return not customers or customer in customers


def availability(
    version: AgreementVersion,
    commitment: AvailabilityCommitment,
    *,
    period_start: datetime,
    at: datetime,
    incidents: Sequence[Incident] = (),
    maintenance: Sequence[MaintenanceWindow] = (),
    data: BucketMatrix | None = None,
    in_force: tuple[datetime, datetime] | None = None,
    covered: tuple[datetime, datetime] | None = None,
    uncovered_reason: str = "no records stored for this time",
) -> AvailabilityResult:
    """Evaluate ``commitment`` of ``version`` for the period starting at ``period_start``.

    ``at`` bounds what has happened (a period in progress is evaluated up to ``at``).
    ``in_force`` is the part of the period the version was in force (see
    ``core.agreements.version_spans``); by default its effective dates decide. The fee, and so
    the credit, is pro rata that part. ``data`` must hold the commitment's series over the
    period for interval-based sources.

    ``covered`` is the span the stored records cover (None: the caller vouches for the whole
    eligible time). Eligible time outside it is *uncovered*: listed with ``uncovered_reason``,
    left out of the level (never counted as up time), and with nothing covered at all the
    level is no data.
    """
    at = require_utc(at)
    start_dt, end_dt = period_containing(version, require_utc(period_start))
    if in_force is None:
        span_lo = max(start_dt, version.effective_from)
        span_hi = min(end_dt, version.effective_to) if version.effective_to else end_dt
    else:
        span_lo, span_hi = max(start_dt, in_force[0]), min(end_dt, in_force[1])
    span_s = max(to_epoch(span_hi) - to_epoch(span_lo), 0)
    share = Fraction(span_s, to_epoch(end_dt) - to_epoch(start_dt))
    lo = to_epoch(span_lo)
    hi = max(min(to_epoch(span_hi), to_epoch(at)), lo)
    uncovered: list[intervals.Span] = []
    if covered is not None:
        c_lo = min(max(lo, to_epoch(require_utc(covered[0]))), hi)
        c_hi = max(min(hi, to_epoch(require_utc(covered[1]))), c_lo)
        uncovered = intervals.subtract([(lo, hi)], [(c_lo, c_hi)]) if hi > lo else []
        first_lo, first_hi = lo, hi
        lo, hi = c_lo, c_hi
    else:
        first_lo, first_hi = lo, hi
    m = commitment.measurement
    customer = version.customer

    # Exclusions with their reasons, and maintenance that does not qualify.
    excluded: list[tuple[int, int, str]] = []
    not_excluded: list[tuple[int, int, str]] = []
    notice = commitment.exclusions.maintenance_notice_s
    # the services it reads: its own and its k-of-n components, whose maintenance and flagged
    # incidents are excluded alike
    watched = (*commitment.services, *m.components)
    margin = run_margin(m)  # a run of down intervals is judged whole, across the period's bounds
    for w in maintenance:
        if not (_covers(w.services, watched) and _for_customer(w.customers, customer)):
            continue
        ahead = int((w.start - w.announced_at).total_seconds())
        span = (to_epoch(w.start), to_epoch(w.end))
        if span[1] <= lo - margin or span[0] >= hi + margin:
            continue  # outside what this statement measures (and the runs it follows)
        if notice is not None and ahead >= notice:
            reason = f"announced {span_text(ahead)} ahead (notice {span_text(notice)})"
            excluded.append((*span, f"{w.label}: {reason}"))
        elif span[1] <= lo or span[0] >= hi:
            continue
        else:
            why = (
                "maintenance is not excluded by this agreement"
                if notice is None
                else f"announced {span_text(ahead)} ahead, notice is {span_text(notice)}"
            )
            not_excluded.append((*span, f"{w.label}: {why}"))
    relevant = [
        i
        for i in incidents
        if _covers(i.services, watched) and _for_customer(i.customers, customer)
    ]
    for i in relevant:
        # an open incident runs until ``at``, past ``hi`` too: a run of down intervals across
        # the period's end (or the version's) stops where the excluded time begins
        span = (to_epoch(i.start), to_epoch(i.end) if i.end else to_epoch(at))
        if i.customer_caused and commitment.exclusions.customer_caused:
            excluded.append((*span, f"incident {i.id}: caused by the customer"))
        elif i.force_majeure and commitment.exclusions.force_majeure:
            excluded.append((*span, f"incident {i.id}: force majeure"))
    excluded_spans = intervals.clip(((s, e) for s, e, _ in excluded), lo, hi)

    # Down intervals from the measurement source.
    down: list[tuple[int, int, str]] = []
    short: list[tuple[int, int, str]] = []  # bad intervals of runs shorter than minimumRun
    runs: tuple[tuple[int, int, bool], ...] = ()
    level: Fraction | None
    no_data: str | None = None
    eligible_spans = (
        intervals.subtract([(lo, hi)], excluded_spans)
        if (commitment.eligible is EligibleTime.PERIOD_LESS_EXCLUSIONS)
        else [(lo, hi)]
    )
    eligible_s = intervals.total(eligible_spans)
    if m.components:
        down = k_of_n_down(m.components, m.components_down, relevant, m.severities, hi)
    elif m.source is DowntimeSource.INCIDENTS:
        for i in relevant:
            if m.severities and i.severity not in m.severities:
                continue
            span = (to_epoch(i.start), to_epoch(i.end) if i.end else hi)
            down.append((*span, f"incident {i.id}" + (f" ({i.severity})" if i.severity else "")))
    else:
        down, mean_error, no_data, short, runs = bucket_downtime(
            commitment,
            data,
            lo=lo,
            hi=hi,
            excluded=intervals.clip(((s, e) for s, e, _ in excluded), lo - margin, hi + margin)
            if margin
            else excluded_spans,
            until=to_epoch(at),
        )
    down_spans = intervals.subtract(
        intervals.clip(((s, e) for s, e, _ in down), lo, hi), excluded_spans
    )
    downtime_s = intervals.total(down_spans)
    if uncovered and hi == lo:
        level, no_data = None, f"the stored records cover none of it ({uncovered_reason})"
    elif eligible_s == 0:
        level, no_data = None, _no_eligible_time(span_s, first_lo, first_hi)
    elif no_data:
        level = None
    elif m.source is DowntimeSource.MEAN_ERROR_RATE:
        level = 1 - mean_error
    else:
        level = Fraction(eligible_s - downtime_s, eligible_s)
    credit = credit_for(version, commitment, level, share=share) if level is not None else None
    # final once nothing can change it: with a minimum run, a run across the end is judged by
    # the intervals up to ``margin`` after it
    complete = to_epoch(at) >= to_epoch(end_dt) + margin
    return AvailabilityResult(
        agreement=version.agreement,
        version=version.version,
        commitment=commitment.name,
        services=commitment.services,
        level_committed=commitment.level,
        period_start=start_dt,
        period_end=end_dt,
        eligible_start=from_epoch(first_lo),
        eligible_end=from_epoch(first_hi),
        complete=complete,
        eligible_s=eligible_s,
        downtime_s=downtime_s,
        excluded_s=intervals.total(excluded_spans),
        level=level,
        no_data=no_data,
        met=None if level is None else level >= commitment.level,
        credit=credit,
        claim_deadline=claim_deadline(version, commitment.remedies, end_dt),
        down=_with_runs(_evidence(down, down_spans), runs, m.minimum_run_s),
        short_runs=_with_runs(
            _evidence(short, intervals.clip(((s, e) for s, e, _ in short), lo, hi)),
            runs,
            m.minimum_run_s,
        ),
        minimum_run_s=m.minimum_run_s if m.source is DowntimeSource.BAD_INTERVALS else None,
        exclusions=_evidence(excluded, excluded_spans),
        not_excluded=tuple(
            Evidence(start=from_epoch(s), end=from_epoch(e), reason=r)
            for s, e, r in sorted(not_excluded)
        ),
        uncovered=tuple(
            Evidence(
                start=from_epoch(s),
                end=from_epoch(e),
                reason=_uncovered_why(uncovered_reason, s, e, covered=(lo, hi)),
            )
            for s, e in uncovered
        ),
    )


def _no_eligible_time(in_force_s: int, lo: int, hi: int) -> str:
    """Why a commitment has no eligible time: the version was not in force in the period, none
    of its time has happened yet at the instant measured up to, or every second measured is
    excluded (``period-less-exclusions``)."""
    if in_force_s == 0:
        return "no eligible time in the period (the version was not in force)"
    if hi <= lo:
        return "none of the time the version was in force has happened yet"
    return "every measured second is excluded"


def _uncovered_why(reason: str, start: int, end: int, *, covered: intervals.Span) -> str:
    """``reason``, and which side of the covered span ``start``–``end`` lies on: time after
    the newest stored record (a collector that lags or stopped) or before the first one."""
    lo, hi = covered
    if hi <= lo:
        return reason
    if start >= hi:
        return f"{reason}: the stored records end at {_iso(hi)}"
    if end <= lo:
        return f"{reason}: the stored records start at {_iso(lo)}"
    return reason


def _iso(epoch: int) -> str:
    return from_epoch(epoch).isoformat().replace("+00:00", "Z")


def agreement_cap(version: AgreementVersion, *, share: Fraction = Fraction(1)) -> Decimal | None:
    """The version's cap on all its credits of a period together, or None: the lower of
    ``cap_percent`` of the whole period fee (pro rata ``share``, rounded half up to the
    currency's minor unit) and ``cap_amount``."""
    caps = []
    unit = quantum(version.currency)
    if version.cap_percent is not None:
        fee = period_fee(version, (), share)
        caps.append((fee * version.cap_percent / 100).quantize(unit, rounding=ROUND_HALF_UP))
    if version.cap_amount is not None:
        caps.append(version.cap_amount)
    return min(caps) if caps else None


def kept_in_order(cap: Decimal, amounts: Sequence[Decimal]) -> list[Decimal]:
    """``amounts`` (credits, in the order the commitments are written) as an agreement-wide
    ``cap`` keeps them: each whole until the cap is reached, the one that reaches it cut to
    what the cap leaves, every one after it 0. Each prefix of the result sums to
    min(cap, that prefix of ``amounts``)."""
    left = cap
    out = []
    for amount in amounts:
        kept = min(amount, left)
        out.append(kept)
        left -= kept
    return out


def _pro_rated_cap(version: AgreementVersion, share: Fraction, cap: Decimal) -> Decimal | None:
    """The agreement cap ``cap`` before it was rounded, when it is the percent of a pro-rated
    fee (``share`` < 1) and that percent is the lower bound; else None."""
    exact = pro_rated_bound(period_fee(version, (), share), version.cap_percent, share)
    if exact is None:
        return None
    rounded = exact.quantize(quantum(version.currency), rounding=ROUND_HALF_UP)
    return exact if rounded == cap else None


def cap_across(
    version: AgreementVersion,
    results: Sequence[AvailabilityResult],
    *,
    share: Fraction = Fraction(1),
) -> list[AvailabilityResult]:
    """Apply the version's cap on all its credits of a period together (``agreement_cap``).
    Credits are kept in the order the commitments are written until the cap is reached; the
    rest are cut, each with a note."""
    cap = agreement_cap(version, share=share)
    if cap is None:
        return list(results)
    unit = quantum(version.currency)

    def ours(r: AvailabilityResult) -> bool:
        return (
            r.credit is not None
            and r.version == version.version
            and r.agreement == version.agreement
        )

    kept = iter(
        kept_in_order(cap, [r.credit.amount.amount for r in results if r.credit and ours(r)])
    )
    out = []
    for r in results:
        credit = r.credit
        if credit is None or not ours(r):
            out.append(r)
            continue
        amount, left = credit.amount.amount, next(kept)
        if left < amount:
            note = (
                f"the agreement caps all credits of the period at {cap} "
                f"{version.currency}: {amount} {version.currency} becomes {left}"
            )
            cut = Money(amount=left.quantize(unit), currency=version.currency)
            limit = CreditLimit(
                kind="agreement-cap",
                before=amount,
                bound=cap,
                after=cut.amount,
                exact=_pro_rated_cap(version, share, cap),
            )
            credit = replace(
                credit, amount=cut, notes=(*credit.notes, note), limits=(*credit.limits, limit)
            )
        out.append(replace(r, credit=credit))
    return out


def _evidence(
    labelled: Sequence[tuple[int, int, str]], kept: Sequence[intervals.Span]
) -> tuple[Evidence, ...]:
    """The kept spans, each once, with the reasons of every labelled interval that touches it
    (overlapping incidents make one row, so the rows add up to the total)."""
    out = []
    for ks, ke in intervals.merge(kept):
        reasons = list(dict.fromkeys(r for s, e, r in sorted(labelled) if s < ke and e > ks))
        out.append(Evidence(start=from_epoch(ks), end=from_epoch(ke), reason="; ".join(reasons)))
    return tuple(out)


def _with_runs(
    rows: tuple[Evidence, ...], runs: Sequence[tuple[int, int, bool]], minimum_s: int | None
) -> tuple[Evidence, ...]:
    """``rows`` of bad intervals, each saying which run it is part of: its whole length (across
    the period's bounds) and whether it reached ``minimum_s`` (``run_reason``)."""
    if minimum_s is None or not runs:
        return rows
    out = []
    for row in rows:
        lo, hi = to_epoch(row.start), to_epoch(row.end)
        told = [run_reason(e - s, minimum_s, counted=c) for s, e, c in runs if s < hi and e > lo]
        out.append(replace(row, reason="; ".join([row.reason, *told])))
    return tuple(out)


def span_text(seconds: int) -> str:
    """A duration for people, exact to the minute: ``5 d``, ``1 d 11 h 59 min``."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [
        f"{days} d" if days else "",
        f"{hours} h" if hours else "",
        f"{minutes} min" if minutes else "",
    ]
    return " ".join(p for p in parts if p) or f"{seconds} s"
