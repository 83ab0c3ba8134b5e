"""Backtests and suggestions: proposed terms and alert policies replayed against history.

Three pure computations, each fed by the services layer with data it has already loaded:

- **Agreement backtest** — every availability commitment of an agreement version evaluated for
  every reporting period of a range *as if the version had been in force*: its
  ``effective_from``/``effective_to`` are ignored and eligible time is the part of each period
  the stored history covers. A period the history does not reach is *no data*, never 100 %.
- **Alert replay** — an objective's alert tiers evaluated at every step of a range at once:
  per-window counts come from prefix sums indexed by every step's window bounds (numpy), the
  decision ``burn ≥ threshold`` is taken in float and re-taken exactly (integers / Fractions)
  wherever float could be wrong, so the replay agrees with :func:`core.evaluate.evaluate`.
- **Target suggestions** — the level an objective achieved in at least N of M windows (exact
  ``Fraction`` per window) and the largest "nice" target (nines and half nines) not above it;
  the backing target an agreement commitment needs for a required margin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from covenant.core.agreements import (
    AgreementVersion,
    Incident,
    MaintenanceWindow,
    Money,
    PeriodUnit,
)
from covenant.core.availability import AvailabilityResult, availability, period_containing
from covenant.core.evaluate import alert_threshold, align_down, align_up, evaluate
from covenant.core.lint import Finding
from covenant.core.model import AlertTier, BudgetingMethod, NoDataPolicy, Objective, RollingWindow
from covenant.core.series import BucketMatrix
from covenant.core.statement import totals
from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.core.windows import window_bounds
from covenant.errors import InputError

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

_RELATIVE_TIE = 1e-9
PERCENT = Fraction(1, 100)

# --------------------------------------------------------------------------------------------
# Agreement backtest
# --------------------------------------------------------------------------------------------

Span = tuple[datetime, datetime]


def period_label(version: AgreementVersion, start: datetime) -> str:
    """``2026-10`` for a month, ``2026-Q4`` for a quarter, in the version's zone."""
    local = start.astimezone(ZoneInfo(version.zone))
    if version.period is PeriodUnit.QUARTER:
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    return f"{local.year}-{local.month:02d}"


def periods_between(version: AgreementVersion, first: datetime, last: datetime) -> list[Span]:
    """The version's reporting periods from the one holding ``first`` to the one holding
    ``last`` (both included)."""
    first, last = require_utc(first), require_utc(last)
    if last < first:
        raise InputError("the backtest range ends before it starts", hint="swap --from and --to")
    out = [period_containing(version, first)]
    while out[-1][1] <= last:
        out.append(period_containing(version, out[-1][1]))
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitmentPeriod:
    """One commitment in one period: the availability result, or why there is none."""

    label: str
    period_start: datetime
    period_end: datetime
    commitment: str
    committed: Fraction
    result: AvailabilityResult | None
    no_data: str | None

    @property
    def level(self) -> Fraction | None:
        return None if self.result is None else self.result.level

    @property
    def credit(self) -> Money | None:
        if self.result is None or self.result.credit is None:
            return None
        return self.result.credit.amount

    @property
    def partial(self) -> bool:
        """True when the history (or ``at``) covers only part of the period."""
        r = self.result
        return r is not None and (
            r.eligible_start > self.period_start or r.eligible_end < self.period_end
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionBacktest:
    """One agreement version evaluated for every period, as if it had been in force."""

    agreement: str
    version: int
    customer: str
    status: str
    currency: str
    rows: tuple[CommitmentPeriod, ...]

    @property
    def key(self) -> str:
        return f"{self.agreement}@v{self.version}"

    def credits(self, label: str | None = None) -> tuple[Money, ...]:
        """Credits that would have been paid (per currency), in one period or in all."""
        return totals(
            [
                c
                for r in self.rows
                if (label is None or r.label == label) and (c := r.credit) is not None
            ]
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementBacktest:
    """Proposed terms side by side with the terms in force, over the same periods."""

    proposed: VersionBacktest
    current: tuple[VersionBacktest, ...]
    labels: tuple[str, ...]
    at: datetime
    findings: tuple[Finding, ...] = ()  # covenant lint on the proposed terms (backing SLOs)

    def current_credits(self, label: str | None = None) -> tuple[Money, ...]:
        return totals([m for v in self.current for m in v.credits(label)])

    def difference(self, label: str | None = None) -> tuple[Money, ...]:
        """Proposed minus current credits, per currency (positive: the proposal costs more)."""
        return money_difference(self.proposed.credits(label), self.current_credits(label))


def money_difference(a: Sequence[Money], b: Sequence[Money]) -> tuple[Money, ...]:
    """``a − b`` per currency; a currency in only one side counts as zero in the other."""
    out: dict[str, Decimal] = {}
    for m in a:
        out[m.currency] = out.get(m.currency, Decimal("0.00")) + m.amount
    for m in b:
        out[m.currency] = out.get(m.currency, Decimal("0.00")) - m.amount
    return tuple(Money(amount=v, currency=k) for k, v in sorted(out.items()))


def backtest_version(
    version: AgreementVersion,
    *,
    periods: Sequence[Span],
    at: datetime,
    history: Mapping[str, Span | None],
    incidents: Sequence[Incident] = (),
    maintenance: Sequence[MaintenanceWindow] = (),
    data: BucketMatrix | None = None,
) -> VersionBacktest:
    """Evaluate every availability commitment of ``version`` for each of ``periods``.

    ``history`` maps a commitment name to the span the stored history covers for it (None:
    none). Eligible time in a period is the part inside that span and before ``at``; the
    version's own effective dates are ignored (the point is to ask "what if it had been in
    force"). ``data`` must cover the periods for interval-measured commitments.
    """
    at = require_utc(at)
    rows: list[CommitmentPeriod] = []
    for start, end in periods:
        label = period_label(version, start)
        for c in version.availability:
            span = history.get(c.name)
            reason: str | None = None
            result = None
            if start >= at:
                reason = "the period has not started"
            elif span is None:
                reason = "no stored history for this commitment"
            elif span[1] <= start or span[0] >= min(end, at):
                reason = "no stored history in this period"
            else:
                shadow = replace(version, effective_from=max(start, span[0]), effective_to=None)
                result = availability(
                    shadow,
                    c,
                    period_start=start,
                    at=min(at, span[1]),
                    incidents=incidents,
                    maintenance=maintenance,
                    data=data,
                )
                reason = result.no_data
            rows.append(
                CommitmentPeriod(
                    label=label,
                    period_start=start,
                    period_end=end,
                    commitment=c.name,
                    committed=c.level,
                    result=result,
                    no_data=reason,
                )
            )
    return VersionBacktest(
        agreement=version.agreement,
        version=version.version,
        customer=version.customer,
        status=version.status.value,
        currency=version.currency,
        rows=tuple(rows),
    )


# --------------------------------------------------------------------------------------------
# Alert replay
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WindowCounts:
    """Per evaluation instant, the counts of one window ending there (alert semantics).

    ``bad`` is exact for Occurrences/Timeslices (integers held in float64) and a float sum of
    per-slice error ratios for RatioTimeslices; ``has_rate`` is False where the window has
    no burn rate (no data).
    """

    events: I64
    counted: I64
    bad: F64
    has_rate: Bools


@dataclass(frozen=True, slots=True)
class _Layout:
    """Per-slice counts of one objective for one slice phase, with prefix sums."""

    phase: int
    slice_s: int
    s0: int
    n: int
    good: I64
    total: I64
    counted_prefix: I64
    bad_prefix: F64
    extra_bad_per_outside: int  # 1 when the policy calls silent slices bad, else 0
    skip: bool


def _prefix(values: npt.NDArray[np.int64] | F64) -> npt.NDArray[np.int64] | F64:
    out = np.zeros(values.shape[-1] + 1, dtype=values.dtype)
    np.cumsum(values, out=out[1:])
    return out


def _slice_layout(o: Objective, data: BucketMatrix, phase: int) -> _Layout:
    step = data.step
    size = o.time_slice_window_s
    assert size is not None
    if size % step or phase % step:
        raise InputError(
            f"{o.key}: time slice {size}s is not a multiple of the bucket step {step}s",
            hint="use a time slice window that is a whole number of buckets",
        )
    per = size // step
    s0 = data.start + (phase - data.start) % size
    n = max((data.end - s0) // size, 0)
    lo = (s0 - data.start) // step
    row = data.row(o.series)
    good = data.good[row, lo : lo + n * per].reshape(n, per).sum(axis=1)
    total = data.total[row, lo : lo + n * per].reshape(n, per).sum(axis=1)
    has = total > 0
    skip = o.no_data is NoDataPolicy.SKIP
    policy_good = o.no_data is NoDataPolicy.GOOD
    counted = has | (not skip)
    if o.method is BudgetingMethod.RATIO_TIMESLICES:
        with np.errstate(invalid="ignore", divide="ignore"):
            bad = np.where(has, 1.0 - good / np.where(has, total, 1), 0.0)
        bad = np.where(~has & counted & (not policy_good), 1.0, bad)
    else:
        t = o.time_slice_target or Fraction(1)
        slice_good = has & (
            good.astype(object) * t.denominator >= total.astype(object) * t.numerator
        )
        slice_good = slice_good.astype(bool)
        bad = (counted & ~slice_good & ~(~has & policy_good)).astype(np.float64)
    return _Layout(
        phase=phase,
        slice_s=size,
        s0=s0,
        n=n,
        good=good.astype(np.int64),
        total=total.astype(np.int64),
        counted_prefix=_prefix(counted.astype(np.int64)).astype(np.int64),
        bad_prefix=_prefix(bad.astype(np.float64)).astype(np.float64),
        extra_bad_per_outside=0 if (skip or policy_good) else 1,
        skip=skip,
    )


def _slice_range(layout: _Layout, ends: I64, window_s: int) -> tuple[I64, I64, I64]:
    """Per end: first and last slice index (into the layout) and wanted slices outside data."""
    size = layout.slice_s
    last_complete = (ends - layout.phase) // size
    want = max(1, window_s // size)
    origin = (layout.s0 - layout.phase) // size
    first = np.clip(last_complete - want - origin, 0, layout.n)
    last = np.clip(last_complete - origin, 0, layout.n)
    last = np.maximum(last, first)
    outside = want - (last - first)
    return first, last, outside


def window_counts(
    o: Objective, data: BucketMatrix, *, ends: I64, window_s: int, phase: int = 0
) -> WindowCounts:
    """Counts of the window ``[end − window_s, end)`` for every ``end`` (aligned to the step).

    Time-slice objectives count the last ``max(1, window_s // slice)`` complete slices laid out
    from ``phase``, as :func:`core.evaluate.evaluate` does for alert windows.
    """
    prefix_good = _prefix(data.good[data.row(o.series)])
    prefix_total = _prefix(data.total[data.row(o.series)])
    n = data.good.shape[1]
    step = data.step
    starts = ends - window_s
    first = np.clip(-((data.start - starts) // step), 0, n)
    last = np.clip((ends - data.start) // step, 0, n)
    last = np.maximum(last, first)
    events = (prefix_total[last] - prefix_total[first]).astype(np.int64)
    if o.method is BudgetingMethod.OCCURRENCES:
        good = prefix_good[last] - prefix_good[first]
        bad = (events - good).astype(np.float64)
        counted = events
        has_rate = (events > 0) & (events >= o.minimum_events)
        return WindowCounts(events=events, counted=counted, bad=bad, has_rate=has_rate)
    layout = _slice_layout(o, data, phase)
    f, la, outside = _slice_range(layout, ends, window_s)
    extra_counted = np.zeros_like(outside) if layout.skip else outside
    counted = layout.counted_prefix[la] - layout.counted_prefix[f] + extra_counted
    bad = layout.bad_prefix[la] - layout.bad_prefix[f] + outside * layout.extra_bad_per_outside
    if layout.skip:
        has_rate = (events > 0) & (events >= o.minimum_events) & (counted > 0)
    else:
        has_rate = counted > 0
    return WindowCounts(events=events, counted=counted.astype(np.int64), bad=bad, has_rate=has_rate)


def _exact_bad(
    o: Objective, data: BucketMatrix, *, end: int, window_s: int, phase: int
) -> Fraction:
    """The bad units of one window, exactly (used near a threshold and for reported maxima)."""
    ends = np.array([end], dtype=np.int64)
    if o.method is not BudgetingMethod.RATIO_TIMESLICES:
        return Fraction(
            round(float(window_counts(o, data, ends=ends, window_s=window_s, phase=phase).bad[0]))
        )
    layout = _slice_layout(o, data, phase)
    f, la, outside = _slice_range(layout, ends, window_s)
    good = layout.good[int(f[0]) : int(la[0])]
    total = layout.total[int(f[0]) : int(la[0])]
    acc = Fraction(int(outside[0]) * layout.extra_bad_per_outside)
    for g, t in zip(good.tolist(), total.tolist(), strict=True):
        if t:
            acc += Fraction(t - g, t)
        elif not layout.skip and o.no_data is NoDataPolicy.BAD:
            acc += 1
    return acc


def _meets(
    counts: WindowCounts, bound: Fraction, *, inclusive: bool, exact: list[int] | None = None
) -> Bools:
    """``bad / counted ≥ bound`` (or ``>``) per instant; float first, exact near a tie.

    Indices where float cannot decide are appended to ``exact`` for the caller to settle.
    """
    limit = float(bound) * counts.counted
    margin = counts.bad - limit
    tie = np.abs(margin) <= _RELATIVE_TIE * np.maximum(1.0, np.abs(limit))
    out = (margin >= 0) if inclusive else (margin > 0)
    out &= counts.has_rate
    if exact is not None:
        exact.extend(np.flatnonzero(tie & counts.has_rate).tolist())
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertEpisode:
    """One span during which a tier would have fired."""

    tier: str
    severity: str
    start: datetime
    end: datetime  # the first evaluated instant it no longer fired (or the range's end)
    ongoing: bool  # still firing at the last evaluated instant
    threshold: Fraction
    max_long_burn: Fraction
    max_short_burn: Fraction
    budget_consumed_at_start: Fraction | None  # share of the SLO window's budget spent
    long_window_budget: Fraction  # share of the window's budget the long window burned at start

    @property
    def duration_s(self) -> int:
        return int((self.end - self.start).total_seconds())


@dataclass(frozen=True, slots=True, kw_only=True)
class TierReplay:
    name: str
    severity: str
    long_window_s: int
    short_window_s: int
    thresholds: tuple[Fraction, ...]  # one per distinct SLO window length in the range
    firing_steps: int
    episodes: tuple[AlertEpisode, ...]

    @property
    def firing_s(self) -> int:
        return sum(e.duration_s for e in self.episodes)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertReplay:
    objective: Objective
    start: datetime
    end: datetime
    step_s: int
    steps: int
    proposed: bool  # tiers given by the caller instead of the SLO's own
    tiers: tuple[TierReplay, ...]


@dataclass(frozen=True, slots=True)
class _Segment:
    """Consecutive instants sharing one SLO window length and one slice phase."""

    lo: int
    hi: int
    window_s: int
    phase: int


def _segments(o: Objective, ends: I64) -> list[_Segment]:
    """Rolling windows: one segment. Calendar windows: one per period (a handful)."""
    size = o.time_slice_window_s
    if isinstance(o.window, RollingWindow):
        return [_Segment(0, len(ends), o.window.seconds, 0)]
    out = []
    i = 0
    while i < len(ends):
        b = window_bounds(o.window, at=int(ends[i]))
        j = int(np.searchsorted(ends, b.full_end, side="right"))
        phase = b.full_start % size if size else 0
        out.append(_Segment(i, j, b.length, phase))
        i = j
    return out


def replay_instants(start: datetime, end: datetime, step_s: int, bucket_s: int) -> I64:
    """Evaluation instants: every ``step_s`` from ``start`` (rounded up) to ``end`` (included)."""
    if step_s <= 0 or step_s % bucket_s:
        raise InputError(
            f"step {step_s}s is not a positive multiple of the bucket step {bucket_s}s",
            hint="use --step 1m, 5m, 1h, …",
        )
    lo = align_up(to_epoch(require_utc(start)), step_s)
    hi = align_down(to_epoch(require_utc(end)), step_s)
    if hi < lo:
        raise InputError("the replay range holds no evaluation instant", hint="widen --from/--to")
    return np.arange(lo, hi + 1, step_s, dtype=np.int64)


def tier_firing(
    o: Objective, tier: AlertTier, data: BucketMatrix, *, ends: I64
) -> tuple[Bools, WindowCounts, WindowCounts, F64]:
    """Whether ``tier`` fires at each of ``ends``, its two windows' counts and thresholds."""
    firing = np.zeros(len(ends), dtype=bool)
    thresholds = np.zeros(len(ends), dtype=np.float64)
    longs: list[WindowCounts] = []
    shorts: list[WindowCounts] = []
    one_minus_t = 1 - o.target
    for seg in _segments(o, ends):
        part = ends[seg.lo : seg.hi]
        threshold = alert_threshold(tier, window_s=seg.window_s, target=o.target)
        thresholds[seg.lo : seg.hi] = float(threshold)
        bound = threshold * one_minus_t
        both = np.ones(len(part), dtype=bool)
        for window_s, store in ((tier.long_window_s, longs), (tier.short_window_s, shorts)):
            counts = window_counts(o, data, ends=part, window_s=window_s, phase=seg.phase)
            store.append(counts)
            unsure: list[int] = []
            ok = _meets(counts, bound, inclusive=tier.inclusive, exact=unsure)
            for i in unsure:
                bad = _exact_bad(o, data, end=int(part[i]), window_s=window_s, phase=seg.phase)
                limit = bound * int(counts.counted[i])
                ok[i] = bad >= limit if tier.inclusive else bad > limit
            both &= ok
        firing[seg.lo : seg.hi] = both
    return firing, _concat(longs), _concat(shorts), thresholds


def _concat(parts: Sequence[WindowCounts]) -> WindowCounts:
    return WindowCounts(
        events=np.concatenate([p.events for p in parts]),
        counted=np.concatenate([p.counted for p in parts]),
        bad=np.concatenate([p.bad for p in parts]),
        has_rate=np.concatenate([p.has_rate for p in parts]),
    )


def _runs(mask: Bools) -> list[tuple[int, int]]:
    """``[lo, hi)`` index runs where ``mask`` is True."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def replay_alerts(
    objective: Objective,
    data: BucketMatrix,
    *,
    start: datetime,
    end: datetime,
    step_s: int,
    tiers: Sequence[AlertTier] | None = None,
) -> AlertReplay:
    """Replay ``tiers`` (default: the objective's own) at every ``step_s`` in ``[start, end]``.

    ``data`` must hold the objective's series from the start of the SLO window at ``start``
    (or the longest alert window before it, whichever is earlier) to ``end``.
    """
    ends = replay_instants(start, end, step_s, data.step)
    chosen = tuple(objective.alert_tiers if tiers is None else tiers)
    budget_of = replace(objective, alert_tiers=())
    results = []
    segments = _segments(objective, ends)
    for tier in chosen:
        firing, long_c, short_c, _ = tier_firing(objective, tier, data, ends=ends)
        seg_at = np.zeros(len(ends), dtype=np.int64)
        for k, seg in enumerate(segments):
            seg_at[seg.lo : seg.hi] = k
        episodes = []
        for lo, hi in _runs(firing):
            seg = segments[int(seg_at[lo])]
            threshold = alert_threshold(tier, window_s=seg.window_s, target=objective.target)
            long_max = _max_rate(
                objective, data, long_c, lo, hi, ends, tier.long_window_s, segments, seg_at
            )
            short_max = _max_rate(
                objective, data, short_c, lo, hi, ends, tier.short_window_s, segments, seg_at
            )
            at_start = int(ends[lo])
            (ev,) = evaluate([budget_of], data, at=from_epoch(at_start))
            consumed = (
                ev.budget.consumed / ev.budget.allowed
                if ev.budget is not None and ev.budget.allowed
                else None
            )
            start_rate = _exact_rate(
                objective, data, at_start, tier.long_window_s, seg.phase, int(long_c.counted[lo])
            )
            ongoing = hi == len(ends)
            episodes.append(
                AlertEpisode(
                    tier=tier.name,
                    severity=tier.severity,
                    start=from_epoch(at_start),
                    end=from_epoch(int(ends[hi]) if not ongoing else int(ends[-1]) + step_s),
                    ongoing=ongoing,
                    threshold=threshold,
                    max_long_burn=long_max,
                    max_short_burn=short_max,
                    budget_consumed_at_start=consumed,
                    long_window_budget=start_rate * tier.long_window_s / seg.window_s,
                )
            )
        results.append(
            TierReplay(
                name=tier.name,
                severity=tier.severity,
                long_window_s=tier.long_window_s,
                short_window_s=tier.short_window_s,
                thresholds=tuple(
                    sorted(
                        {
                            alert_threshold(tier, window_s=s.window_s, target=objective.target)
                            for s in segments
                        }
                    )
                ),
                firing_steps=int(firing.sum()),
                episodes=tuple(episodes),
            )
        )
    return AlertReplay(
        objective=objective,
        start=from_epoch(int(ends[0])),
        end=from_epoch(int(ends[-1])),
        step_s=step_s,
        steps=len(ends),
        proposed=tiers is not None,
        tiers=tuple(results),
    )


def _exact_rate(
    o: Objective, data: BucketMatrix, end: int, window_s: int, phase: int, counted: int
) -> Fraction:
    if counted <= 0:
        return Fraction(0)
    bad = _exact_bad(o, data, end=end, window_s=window_s, phase=phase)
    return bad / counted / (1 - o.target)


def _max_rate(
    o: Objective,
    data: BucketMatrix,
    counts: WindowCounts,
    lo: int,
    hi: int,
    ends: I64,
    window_s: int,
    segments: Sequence[_Segment],
    seg_at: I64,
) -> Fraction:
    """The highest burn rate over instants ``[lo, hi)``, exact at the (float) argmax."""
    counted = counts.counted[lo:hi]
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(counted > 0, counts.bad[lo:hi] / np.maximum(counted, 1), -1.0)
    i = lo + int(np.argmax(rates))
    phase = segments[int(seg_at[i])].phase
    return _exact_rate(o, data, int(ends[i]), window_s, phase, int(counts.counted[i]))


# --------------------------------------------------------------------------------------------
# Target suggestions
# --------------------------------------------------------------------------------------------


def nice_targets(max_nines: int = 5) -> tuple[Fraction, ...]:
    """90 %, 95 %, 99 %, 99.5 %, 99.9 %, 99.95 %, … : nines and half nines, ascending."""
    out = []
    for k in range(1, max_nines + 1):
        out.append(1 - Fraction(1, 10**k))
        out.append(1 - Fraction(5, 10 ** (k + 1)))
    return tuple(sorted(out))


def nice_target_at_most(level: Fraction) -> Fraction | None:
    """The largest nice target (nines and half nines) ≤ ``level``; None below 90 %."""
    fitting = [t for t in nice_targets() if t <= level]
    return fitting[-1] if fitting else None


def floor_to(level: Fraction, precision: Fraction = Fraction(1, 10_000)) -> Fraction:
    """``level`` rounded down to a multiple of ``precision`` (default 0.01 %)."""
    return Fraction(int(level // precision)) * precision


def suggestion_windows(o: Objective, *, at: datetime, count: int) -> list[Span]:
    """The last ``count`` complete windows before ``at``, oldest first.

    Calendar SLOs: their last complete calendar periods. Rolling SLOs: back-to-back windows of
    the rolling length ending at ``at`` (aligned down to the minute).
    """
    if count <= 0:
        raise InputError("--windows must be positive")
    end = align_down(to_epoch(require_utc(at)), 60)
    out: list[Span] = []
    if isinstance(o.window, RollingWindow):
        w = o.window.seconds
        for k in range(count, 0, -1):
            hi = end - (k - 1) * w
            out.append((from_epoch(hi - w), from_epoch(hi)))
        return out
    b = window_bounds(o.window, at=end)
    hi = b.full_start if b.full_end > end else b.full_end  # last complete period's end
    for _ in range(count):
        prev = window_bounds(o.window, at=hi)
        out.append((from_epoch(prev.full_start), from_epoch(prev.full_end)))
        hi = prev.full_start
    out.reverse()
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowLevel:
    start: datetime
    end: datetime
    level: Fraction | None
    good: int
    total: int
    unit: str
    no_data: str | None


def window_levels(
    o: Objective, data: BucketMatrix, windows: Sequence[Span], *, history: Span | None = None
) -> list[WindowLevel]:
    """The exact SLI of ``o`` over each window (one :func:`evaluate` per window).

    With ``history`` (the span the store holds data for), a window that starts before the
    history does is *no data*: a level from a few days is not a month's level. (The end is not
    checked: data a few minutes behind ``at`` is ordinary ingestion lag.)
    """
    plain = replace(o, alert_tiers=())
    out = []
    for start, end in windows:
        if history is not None and (history[0] > start or history[1] <= start):
            out.append(
                WindowLevel(
                    start=start,
                    end=end,
                    level=None,
                    good=0,
                    total=0,
                    unit="events" if o.method is BudgetingMethod.OCCURRENCES else "slices",
                    no_data="the stored history covers only part of the window"
                    if history[1] > start and history[0] < end
                    else "no stored history in the window",
                )
            )
            continue
        if isinstance(o.window, RollingWindow):
            shaped = replace(
                plain, window=RollingWindow(seconds=int((end - start).total_seconds()))
            )
        else:
            shaped = plain
        (ev,) = evaluate([shaped], data, at=end)
        out.append(
            WindowLevel(
                start=start,
                end=end,
                level=ev.sli,
                good=ev.good,
                total=ev.total,
                unit=ev.unit,
                no_data=ev.no_data,
            )
        )
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetSuggestion:
    """The target that would have held in ``hold`` of the windows, from history."""

    objective: str
    current_target: Fraction
    hold: int
    windows: tuple[WindowLevel, ...]
    held_level: Fraction | None  # the hold-th best window's level: held in ≥ hold windows
    nice: Fraction | None  # largest nines / half-nines target ≤ held_level
    precise: Fraction | None  # held_level rounded down to 0.01 %
    reason: str | None  # why there is no suggestion

    @property
    def with_data(self) -> int:
        return sum(1 for w in self.windows if w.level is not None)

    def held_in(self, target: Fraction) -> int:
        """In how many windows the level met ``target``."""
        return sum(1 for w in self.windows if w.level is not None and w.level >= target)

    @property
    def sorted_levels(self) -> tuple[Fraction, ...]:
        return tuple(sorted((w.level for w in self.windows if w.level is not None), reverse=True))


def suggest_target(
    key: str, current: Fraction, windows: Sequence[WindowLevel], *, hold: int
) -> TargetSuggestion:
    """The level met in at least ``hold`` windows, and targets rounded down from it."""
    if hold <= 0:
        raise InputError("--hold must be positive")
    if hold > len(windows):
        raise InputError(
            f"cannot hold in {hold} of {len(windows)} windows", hint="make --hold ≤ --windows"
        )
    levels = sorted((w.level for w in windows if w.level is not None), reverse=True)
    held = levels[hold - 1] if len(levels) >= hold else None
    reason = None
    if held is None:
        reason = f"only {len(levels)} of {len(windows)} windows have data; {hold} needed"
    return TargetSuggestion(
        objective=key,
        current_target=current,
        hold=hold,
        windows=tuple(windows),
        held_level=held,
        nice=None if held is None else nice_target_at_most(_below_one(held)),
        precise=None if held is None else _precise(held),
        reason=reason,
    )


def _below_one(level: Fraction) -> Fraction:
    """A perfect record still leaves a budget: cap suggestions at 99.9999 %."""
    return min(level, 1 - Fraction(1, 10**6))


def _precise(level: Fraction) -> Fraction | None:
    value = floor_to(_below_one(level))
    return value if 0 < value < 1 else None


def required_backing_target(level: Fraction, margin: Fraction) -> Fraction:
    """The backing SLO target a commitment at ``level`` needs for ``margin`` (both ratios)."""
    if margin < 0:
        raise InputError("the margin must not be negative", hint="write e.g. --margin 0.05")
    needed = level + margin
    if needed >= 1:
        raise InputError(
            f"a commitment at {float(level) * 100:g} % with a margin of "
            f"{float(margin) * 100:g} % needs a backing target of 100 % or more",
            hint="lower the margin or the committed level",
        )
    return needed


@dataclass(frozen=True, slots=True, kw_only=True)
class BackingCheck:
    """One backing objective: its target against the required one, and its history."""

    objective: str
    target: Fraction
    meets: bool
    history: TargetSuggestion
    held_required: int  # windows whose level met the required target


@dataclass(frozen=True, slots=True, kw_only=True)
class BackingSuggestion:
    agreement: str
    version: int
    commitment: str
    level: Fraction
    margin: Fraction
    required: Fraction | None  # None: level + margin reaches 100 % (see ``problem``)
    backing: tuple[BackingCheck, ...]
    missing: tuple[str, ...]  # backedBy names with no objective in the workspace
    problem: str | None = None


def backing_check(required: Fraction, history: TargetSuggestion) -> BackingCheck:
    return BackingCheck(
        objective=history.objective,
        target=history.current_target,
        meets=history.current_target >= required,
        history=history,
        held_required=history.held_in(required),
    )
