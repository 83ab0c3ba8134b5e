"""Evaluate many objectives at one instant from one bucket matrix, vectorised.

Every window — the SLO window, the current burn window and both windows of every alert tier —
becomes one *request* ``(objective, start, end)``. Requests are answered together from prefix
sums (events) or from per-slice prefix sums (time slices), so the work is a handful of numpy
operations whatever the number of objectives; Python only assembles the results.

Everything that decides something is exact: counts are integers, a time slice is good by an
integer cross product (``good × den ≥ num × total`` on Python integers), and burn rates,
budgets and thresholds are ``Fraction`` values compared as such, never rounded floats. The one
exception is RatioTimeslices, whose mean of per-slice ratios is summed in float64 (see
docs/semantics.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from covenant.core.budget import burn_rate, time_to_exhaustion
from covenant.core.model import (
    HOUR,
    AlertTier,
    BudgetingMethod,
    NoDataPolicy,
    Objective,
    RollingWindow,
)
from covenant.core.results import Budget, Burn, Evaluation, Status, TierResult
from covenant.core.series import BucketMatrix, EdgeCounts
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.core.windows import WindowBounds, window_bounds
from covenant.errors import InputError

CURRENT_BURN_WINDOW_S = HOUR
"""The window of the headline burn rate (and of time to exhaustion)."""

RELATIVE_TIE = 1e-9

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def align_down(instant: int, step: int) -> int:
    return instant - instant % step


def align_up(instant: int, step: int) -> int:
    return -((-instant) // step) * step


def required_range(objectives: Sequence[Objective], *, at: datetime, step: int) -> tuple[int, int]:
    """The bucket range ``[start, end)`` (epoch seconds) an evaluation at ``at`` reads."""
    end = align_down(to_epoch(at), step)
    start = end
    for window in {o.window for o in objectives}:
        start = min(start, window_bounds(window, at=end).start)
    longest = max(
        [CURRENT_BURN_WINDOW_S] + [t.long_window_s for o in objectives for t in o.alert_tiers]
    )
    start = min(start, end - longest)
    for o in objectives:
        if o.time_slice_window_s:
            size = o.time_slice_window_s
            phase = slice_phase(o, window_bounds(o.window, at=end))
            start = min(start, start - (start - phase) % size)
    return align_down(start, step), end


def slice_phase(o: Objective, b: WindowBounds) -> int:
    """Where an objective's time slices start, modulo the slice length.

    Calendar windows lay slices out from the period's local start (a 1-hour slice in
    Asia/Kolkata starts at :30 UTC); rolling windows use slices aligned to the epoch.
    """
    size = o.time_slice_window_s
    if not size or isinstance(o.window, RollingWindow):
        return 0
    return b.full_start % size


@dataclass(frozen=True, slots=True)
class Requests:
    """Flattened windows: request ``k`` asks for objective ``obj[k]`` over ``[start, end)``."""

    obj: I64
    start: I64
    end: I64
    alert: npt.NDArray[np.bool_]  # alert windows end at the last complete slice


@dataclass(slots=True)
class Answers:
    """Per request: events seen, bad units, counted units (events or slices)."""

    events: I64
    bad: F64  # exact integers for Occurrences/Timeslices (as float64 < 2**53), sums for ratio
    bad_int: I64
    counted: I64
    # Kept for exact re-summation of RatioTimeslices near a decision: per slice layout the
    # (good, total) slice counts of its objectives, and per request [layout, row, first slice,
    # last slice, silent slices the policy calls bad] (-1: not a RatioTimeslices request).
    ratio_slices: list[tuple[I64, I64]] = field(default_factory=list)
    ratio_ref: I64 | None = None

    def exact_ratio_bad(self, k: int) -> Fraction:
        """Σ(1 − good/total) over the request's slices, in exact arithmetic."""
        assert self.ratio_ref is not None
        layout, row, first, last, extra = (int(v) for v in self.ratio_ref[k])
        good_all, total_all = self.ratio_slices[layout]
        good, total = good_all[row, first:last], total_all[row, first:last]
        busy = total > 0
        dens, inverse = np.unique(total[busy], return_inverse=True)
        bad = np.zeros(dens.size, dtype=np.int64)
        np.add.at(bad, inverse, (total - good)[busy].astype(np.int64))
        return sum(
            (Fraction(int(b), int(d)) for d, b in zip(dens.tolist(), bad.tolist(), strict=True)),
            Fraction(extra),
        )


def evaluate(
    objectives: Sequence[Objective], data: BucketMatrix | EdgeCounts, *, at: datetime
) -> list[Evaluation]:
    """Evaluate every objective at ``at`` (aligned down to the bucket step).

    ``data`` must hold every series the objectives name (missing keys are an error). A
    ``BucketMatrix`` must cover ``required_range``; buckets outside it count as having no
    events. ``EdgeCounts`` must hold ``required_edges``; they serve only objectives without time
    slices (Occurrences), which need nothing but the events of each window.
    """
    if not objectives:
        return []
    step = data.step
    end = align_down(to_epoch(at), step)
    row_of = {key: i for i, key in enumerate(data.keys)}
    rows = np.array([series_row(row_of, o) for o in objectives], dtype=np.int64)
    bounds_of = {w: window_bounds(w, at=end) for w in {o.window for o in objectives}}
    bounds = [bounds_of[o.window] for o in objectives]
    req, offsets = _requests(objectives, bounds, end)
    phases = [slice_phase(o, b) for o, b in zip(objectives, bounds, strict=True)]
    if isinstance(data, BucketMatrix):
        edges = EdgeCounts.from_matrix(data, _edges(req, step))
        answers = answer_requests(objectives, rows, data, req, phases, edges=edges)
    else:
        answers = answer_requests(objectives, rows, None, req, phases, edges=data)
    ctx = _Context(end=end, answers=answers)
    return [
        _assemble(o, b, ctx=ctx, base=int(offsets[i]), phase=phases[i])
        for i, (o, b) in enumerate(zip(objectives, bounds, strict=True))
    ]


def required_edges(objectives: Sequence[Objective], *, at: datetime, step: int) -> list[int]:
    """The instants whose cumulative counts an evaluation at ``at`` reads (``EdgeCounts``)."""
    if not objectives:
        return []
    end = align_down(to_epoch(at), step)
    bounds_of = {w: window_bounds(w, at=end) for w in {o.window for o in objectives}}
    req, _ = _requests(objectives, [bounds_of[o.window] for o in objectives], end)
    return [int(e) for e in _edges(req, step)]


def needs_buckets(objective: Objective) -> bool:
    """True when evaluating ``objective`` needs every bucket (time slices), not only edges."""
    return objective.method is not BudgetingMethod.OCCURRENCES and bool(
        objective.time_slice_window_s
    )


def _requests(
    objectives: Sequence[Objective], bounds: Sequence[WindowBounds], end: int
) -> tuple[Requests, I64]:
    # Request layout per objective: [slo window, current burn, tier0 long, tier0 short, ...]
    per_obj = [2 + 2 * len(o.alert_tiers) for o in objectives]
    offsets = np.concatenate(([0], np.cumsum(per_obj))).astype(np.int64)
    obj_idx = np.repeat(np.arange(len(objectives)), per_obj)
    starts: list[int] = []
    for o, b in zip(objectives, bounds, strict=True):
        starts.append(b.start)
        starts.append(end - CURRENT_BURN_WINDOW_S)
        for tier in o.alert_tiers:
            starts.extend((end - tier.long_window_s, end - tier.short_window_s))
    alert = np.ones(len(starts), dtype=bool)
    alert[offsets[:-1]] = False
    req = Requests(
        obj=obj_idx.astype(np.int64),
        start=np.array(starts, dtype=np.int64),
        end=np.full(len(starts), end, dtype=np.int64),
        alert=alert,
    )
    return req, offsets


def _edges(req: Requests, step: int) -> I64:
    """Every bucket boundary a request's events start or end at (first bucket at or after)."""
    starts = -((-req.start) // step) * step
    return np.unique(np.concatenate((starts, req.end))).astype(np.int64)


def series_row(row_of: Mapping[str, int] | BucketMatrix, objective: Objective) -> int:
    try:
        if isinstance(row_of, BucketMatrix):
            return row_of.row(objective.series)
        return row_of[objective.series]
    except (KeyError, ValueError):
        raise InputError(
            f"{objective.key}: no data series {objective.series!r} was loaded",
            hint="load the series the objective names into the bucket matrix",
        ) from None


def answer_requests(
    objectives: Sequence[Objective],
    rows: I64,
    data: BucketMatrix | None,
    req: Requests,
    phases: Sequence[int],
    *,
    edges: EdgeCounts | None = None,
) -> Answers:
    """Events, bad and counted units of every request; from ``edges`` when given (each
    request's start and end must be among them), else from prefix sums of ``data``."""
    if edges is not None:
        req_rows = rows[req.obj]
        first = edges.columns(-((-req.start) // edges.step) * edges.step)
        last = edges.columns(req.end)
        good = edges.good[req_rows, last] - edges.good[req_rows, first]
        events = edges.total[req_rows, last] - edges.total[req_rows, first]
    else:
        assert data is not None
        step = data.step
        n = data.good.shape[1]
        req_rows = rows[req.obj]
        used, inverse = np.unique(req_rows, return_inverse=True)
        prefix_good = _prefix(data.good[used])
        prefix_total = _prefix(data.total[used])
        first = np.clip(
            -((data.start - req.start) // step), 0, n
        )  # ceil((start - data.start)/step)
        last = np.clip((req.end - data.start) // step, 0, n)
        last = np.maximum(last, first)
        good = prefix_good[inverse, last] - prefix_good[inverse, first]
        events = prefix_total[inverse, last] - prefix_total[inverse, first]
    answers = Answers(
        events=events,
        bad=(events - good).astype(np.float64),
        bad_int=events - good,
        counted=events.copy(),
    )
    groups: dict[tuple[int, int], list[int]] = {}
    for i, o in enumerate(objectives):  # one group per (slice length, phase): a handful
        if needs_buckets(o):
            groups.setdefault((o.time_slice_window_s or 0, phases[i]), []).append(i)
    if groups and data is None:
        raise InputError(
            f"{objectives[next(iter(groups.values()))[0]].key}: time slices need every bucket",
            hint="evaluate time-slice objectives from a bucket matrix",
        )
    for (slice_s, phase), member_list in sorted(groups.items()):
        assert data is not None
        members = np.array(member_list, dtype=np.int64)
        _answer_slices(
            [objectives[i] for i in member_list],
            members,
            rows=rows,
            data=data,
            req=req,
            answers=answers,
            slice_s=slice_s,
            phase=phase,
        )
    return answers


def _prefix(counts: I64) -> I64:
    out = np.zeros((counts.shape[0], counts.shape[1] + 1), dtype=np.int64)
    np.cumsum(counts, axis=1, out=out[:, 1:])
    return out


def _answer_slices(
    group: Sequence[Objective],
    members: I64,
    *,
    rows: I64,
    data: BucketMatrix,
    req: Requests,
    answers: Answers,
    slice_s: int,
    phase: int,
) -> None:
    """Fill bad/counted (in slices) for the requests of objectives sharing one slice layout.

    Slices start at ``phase`` modulo ``slice_s``. The SLO window counts the slices wholly
    inside it; an alert window counts the last ``max(1, w // slice)`` complete slices, so a
    5-minute alert window over 5-minute slices always sees the last complete slice.
    """
    step = data.step
    if slice_s % step or phase % step:
        raise InputError(
            f"{group[0].key}: time slice {slice_s}s is not a multiple of the bucket step {step}s",
            hint="use a time slice window that is a whole number of buckets",
        )
    per = slice_s // step
    s0 = data.start + (phase - data.start) % slice_s  # first slice start inside the data
    n_slices = max((data.end - s0) // slice_s, 0)
    lo = (s0 - data.start) // step
    shape = (len(group), n_slices, per)
    member_rows = rows[members]
    good = data.good[member_rows, lo : lo + n_slices * per].reshape(shape).sum(axis=2)
    total = data.total[member_rows, lo : lo + n_slices * per].reshape(shape).sum(axis=2)
    has = total > 0
    policy_good = np.array([o.no_data is NoDataPolicy.GOOD for o in group])
    policy_skip = np.array([o.no_data is NoDataPolicy.SKIP for o in group])
    counted = has | ~policy_skip[:, None]
    ratio_method = np.array([o.method is BudgetingMethod.RATIO_TIMESLICES for o in group])
    # Timeslices: a slice is good when good/total >= timeSliceTarget (exact: g*den >= num*t).
    num = np.array([(o.time_slice_target or Fraction(1)).numerator for o in group])[:, None]
    den = np.array([(o.time_slice_target or Fraction(1)).denominator for o in group])[:, None]
    slice_good = has & (good.astype(object) * den >= total.astype(object) * num).astype(bool)
    bad_slices = (counted & ~slice_good & ~(~has & policy_good[:, None])).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        bad_ratio = np.where(has, 1.0 - good / np.where(has, total, 1), 0.0)
    empty_bad = ~has & counted & ~policy_good[:, None]  # silent slices the policy calls bad
    bad_ratio = np.where(empty_bad, 1.0, bad_ratio)
    empty_bad_prefix = _prefix(empty_bad.astype(np.int64))
    bad_prefix_int = _prefix(bad_slices)
    bad_prefix_float = np.zeros((len(group), n_slices + 1))
    np.cumsum(bad_ratio, axis=1, out=bad_prefix_float[:, 1:])
    counted_prefix = _prefix(counted.astype(np.int64))

    local = np.full(len(rows), -1, dtype=np.int64)
    local[members] = np.arange(len(group))
    k = np.flatnonzero(local[req.obj] >= 0)
    g = local[req.obj[k]]
    # Slice indices counted from the slice that starts at ``phase`` (the layout's origin).
    last_complete = (req.end[k] - phase) // slice_s
    span = req.end[k] - req.start[k]
    want_first = np.where(
        req.alert[k],
        last_complete - np.maximum(1, span // slice_s),
        -((phase - req.start[k]) // slice_s),  # ceil((start - phase) / slice)
    )
    want = np.maximum(last_complete - want_first, 0)
    origin = (s0 - phase) // slice_s
    first = np.clip(want_first - origin, 0, n_slices)
    last = np.clip(last_complete - origin, 0, n_slices)
    last = np.maximum(last, first)
    outside = want - (last - first)  # wanted slices the data does not cover: no data
    pol_g = policy_good[g]
    pol_s = policy_skip[g]
    extra_counted = np.where(pol_s, 0, outside)
    extra_bad = np.where(pol_s | pol_g, 0, outside)
    counted_k = counted_prefix[g, last] - counted_prefix[g, first] + extra_counted
    bad_int_k = bad_prefix_int[g, last] - bad_prefix_int[g, first] + extra_bad
    bad_float_k = bad_prefix_float[g, last] - bad_prefix_float[g, first] + extra_bad
    is_ratio = ratio_method[g]
    answers.counted[k] = counted_k
    answers.bad_int[k] = np.where(is_ratio, 0, bad_int_k)
    answers.bad[k] = np.where(is_ratio, bad_float_k, bad_int_k.astype(np.float64))
    silent_bad = extra_bad + empty_bad_prefix[g, last] - empty_bad_prefix[g, first]
    if is_ratio.any():
        if answers.ratio_ref is None:
            answers.ratio_ref = np.full((answers.events.size, 5), -1, dtype=np.int64)
        layout = len(answers.ratio_slices)
        answers.ratio_slices.append((good, total))
        answers.ratio_ref[k[is_ratio]] = np.column_stack(
            (
                np.full(int(is_ratio.sum()), layout),
                g[is_ratio],
                first[is_ratio],
                last[is_ratio],
                silent_bad[is_ratio],
            )
        )


def alert_threshold(tier: AlertTier, *, window_s: int, target: Fraction) -> Fraction:
    """The burn rate a tier compares with, kept within [1, 1 / (1 − target)].

    Below 1 a burn cannot exhaust the budget within the window, so no tier fires there (the
    budget-share formula gives 0.23 for the 3-day tier of a 7-day SLO); above 1 / (1 − target)
    no burn can reach it (a 90 % SLO burns at most 10×), so a total outage still alerts.
    """
    return min(max(tier.factor(window_s), Fraction(1)), 1 / (1 - target))


class _Context:
    """What every objective's assembly shares: the answers as Python lists (one conversion,
    not a numpy scalar per read), instants as datetimes, thresholds by tier."""

    def __init__(self, *, end: int, answers: Answers) -> None:
        self.end = end
        self.answers = answers
        self.events: list[int] = answers.events.tolist()
        self.counted: list[int] = answers.counted.tolist()
        self.bad_int: list[int] = answers.bad_int.tolist()
        self.bad: list[float] = answers.bad.tolist()
        self._instants: dict[int, datetime] = {}
        self._thresholds: dict[tuple[int | None, ...], Fraction] = {}

    def instant(self, epoch: int) -> datetime:
        found = self._instants.get(epoch)
        if found is None:
            found = self._instants[epoch] = from_epoch(epoch)
        return found

    def threshold(self, tier: AlertTier, window_s: int, target: Fraction) -> Fraction:
        # Keyed by the integers the threshold depends on (hashing Fractions costs more than
        # the lookup saves).
        given, per_budget = tier.burn_rate, tier.budget_fraction
        key = (
            window_s,
            target.numerator,
            target.denominator,
            None if given is None else given.numerator,
            None if given is None else given.denominator,
            None if per_budget is None else per_budget.numerator,
            None if per_budget is None else per_budget.denominator,
            tier.long_window_s,
        )
        found = self._thresholds.get(key)
        if found is None:
            found = self._thresholds[key] = alert_threshold(tier, window_s=window_s, target=target)
        return found


def _assemble(o: Objective, b: WindowBounds, *, ctx: _Context, base: int, phase: int) -> Evaluation:
    """One objective's results from its requests' answers.

    Occurrences and Timeslices count whole units, so every value is an integer ratio built
    once (``Fraction(n, d)``) and every decision an integer cross product. RatioTimeslices sums
    per-slice ratios in float64 and redoes the sum exactly near a decision (``bad_at``).
    """
    ratio = o.method is BudgetingMethod.RATIO_TIMESLICES
    unit = "events" if o.method is BudgetingMethod.OCCURRENCES else "slices"
    end = ctx.end
    num, den = o.target.numerator, o.target.denominator
    slack = den - num  # 1 − target = slack / den
    one_minus_t = Fraction(slack, den)

    def bad_at(k: int, boundary: Fraction | None = None) -> Fraction:
        """Bad units of request ``k`` (RatioTimeslices only), exact near a boundary."""
        approx = ctx.bad[k]
        if boundary is not None and abs(approx - float(boundary)) <= RELATIVE_TIE * max(
            1.0, abs(float(boundary))
        ):
            return ctx.answers.exact_ratio_bad(k)
        return Fraction(approx)

    def burn(k: int, start: int, threshold: Fraction | None = None) -> tuple[Burn, bool]:
        """The window's burn and whether it reaches ``threshold`` (False without a rate)."""
        events = ctx.events[k]
        counted = ctx.counted[k]
        reason = _no_data_reason(o, events, counted)
        rate: Fraction | None = None
        hits = False
        if reason is None:
            if ratio:
                boundary = None if threshold is None else threshold * counted * one_minus_t
                rate = burn_rate(bad=bad_at(k, boundary), counted=counted, target=o.target)
                hits = threshold is not None and rate >= threshold
            else:
                bad = ctx.bad_int[k]
                rate = Fraction(bad * den, counted * slack)
                if threshold is not None:  # rate >= threshold, on integers
                    hits = (
                        bad * den * threshold.denominator >= threshold.numerator * counted * slack
                    )
        window = Burn(
            window_s=end - start,
            start=ctx.instant(start),
            end=ctx.instant(end),
            rate=rate,
            events=events,
            no_data=reason,
        )
        return window, hits

    slo = base
    events = ctx.events[slo]
    counted = ctx.counted[slo]
    budget_units = counted
    if o.time_slice_window_s and unit == "slices":
        # Time-based budget: every slice of the whole period counts, less those skipped so far.
        size = o.time_slice_window_s
        full = (b.full_end - phase) // size + (phase - b.full_start) // size
        elapsed = (end - phase) // size + (phase - b.start) // size
        budget_units = full - (elapsed - counted)
    reason = _no_data_reason(o, events, counted)
    current, _ = burn(base + 1, end - CURRENT_BURN_WINDOW_S)
    tiers = []
    for i, tier in enumerate(o.alert_tiers):
        threshold = ctx.threshold(tier, b.length, o.target)
        long_b, long_hit = burn(base + 2 + 2 * i, end - tier.long_window_s, threshold)
        short_b, short_hit = burn(base + 3 + 2 * i, end - tier.short_window_s, threshold)
        if tier.inclusive:
            firing = long_hit and short_hit
        else:
            firing = all(w.rate is not None and w.rate > threshold for w in (long_b, short_b))
        tiers.append(
            TierResult(
                name=tier.name,
                severity=tier.severity,
                threshold=threshold,
                long=long_b,
                short=short_b,
                firing=firing,
            )
        )

    good = 0
    total = 0
    sli: Fraction | None = None
    budget: Budget | None = None
    tte: timedelta | None = None
    note: str | None = None
    status = Status.NO_DATA
    if reason is None:
        if ratio:
            allowed = one_minus_t * budget_units
            bad = bad_at(slo, allowed)
            sli = 1 - bad / counted
            remaining = allowed - bad
            good = int(Fraction(counted) - bad)
            ratio_left = remaining / allowed if allowed else None
        else:
            bad_units = ctx.bad_int[slo]
            allowed = Fraction(slack * budget_units, den)
            bad = Fraction(bad_units)
            sli = Fraction(counted - bad_units, counted)
            left = slack * budget_units - den * bad_units  # remaining × den
            remaining = Fraction(left, den)
            good = counted - bad_units
            ratio_left = Fraction(left, slack * budget_units) if budget_units else None
        total = counted
        budget = Budget(
            unit=unit,
            allowed=allowed,
            consumed=bad,
            remaining=remaining,
            remaining_ratio=ratio_left,
        )
        tte, note = _time_to_exhaustion(budget, current, b.length)
        if remaining < 0:
            status = Status.BREACHED
        elif any(t.firing and _pages(t) for t in tiers):
            status = Status.PAGING
        elif any(t.firing for t in tiers):
            status = Status.WARNING
        else:
            status = Status.OK
    return Evaluation(
        objective=o,
        at=ctx.instant(end),
        window_start=ctx.instant(b.start),
        window_end=ctx.instant(end),
        period_end=ctx.instant(b.full_end),
        unit=unit,
        burn=current,
        tiers=tuple(tiers),
        good=good,
        total=total,
        sli=sli,
        budget=budget,
        time_to_exhaustion=tte,
        status=status,
        no_data=reason,
        exhaustion_note=note,
    )


def _pages(tier: TierResult) -> bool:
    return tier.severity.lower() in {"page", "critical"}


def _no_data_reason(o: Objective, events: int, counted: int) -> str | None:
    """Why a window has no value, or None. With a good/bad no-data policy a time-slice SLO
    counts slices without events as the policy says, so silence still burns (or not)."""
    slices = o.method is not BudgetingMethod.OCCURRENCES
    if slices and o.no_data is not NoDataPolicy.SKIP:
        return None if counted else "no complete time slice in the window"
    if events == 0:
        return "no events in the window"
    if events < o.minimum_events:
        return f"only {events} events in the window (minimum {o.minimum_events})"
    if counted == 0:
        return "no time slice with data in the window"
    return None


def _time_to_exhaustion(
    budget: Budget, current: Burn, window_s: int
) -> tuple[timedelta | None, str | None]:
    if budget.remaining <= 0:
        return timedelta(0), "budget exhausted"
    if current.rate is None:
        return None, f"no current burn rate: {current.no_data}"
    if current.rate == 0:
        return None, "not burning"
    assert budget.remaining_ratio is not None
    return time_to_exhaustion(
        remaining_ratio=budget.remaining_ratio, rate=current.rate, window_s=window_s
    ), None
