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

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
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
from covenant.core.series import BucketMatrix
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
    objectives: Sequence[Objective], data: BucketMatrix, *, at: datetime
) -> list[Evaluation]:
    """Evaluate every objective at ``at`` (aligned down to the bucket step).

    ``data`` must hold every series the objectives name (missing keys are an error) and cover
    ``required_range``; buckets outside the data count as having no events.
    """
    if not objectives:
        return []
    step = data.step
    end = align_down(to_epoch(at), step)
    rows = np.array([series_row(data, o) for o in objectives], dtype=np.int64)
    bounds_of = {w: window_bounds(w, at=end) for w in {o.window for o in objectives}}
    bounds = [bounds_of[o.window] for o in objectives]

    # Request layout per objective: [slo window, current burn, tier0 long, tier0 short, ...]
    per_obj = [2 + 2 * len(o.alert_tiers) for o in objectives]
    offsets = np.concatenate(([0], np.cumsum(per_obj)))
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
    phases = [slice_phase(o, b) for o, b in zip(objectives, bounds, strict=True)]
    answers = answer_requests(objectives, rows, data, req, phases)
    return [
        _assemble(o, b, end=end, ans=answers, base=int(offsets[i]), phase=phases[i])
        for i, (o, b) in enumerate(zip(objectives, bounds, strict=True))
    ]


def series_row(data: BucketMatrix, objective: Objective) -> int:
    try:
        return data.row(objective.series)
    except ValueError:
        raise InputError(
            f"{objective.key}: no data series {objective.series!r} was loaded",
            hint="load the series the objective names into the bucket matrix",
        ) from None


def answer_requests(
    objectives: Sequence[Objective],
    rows: I64,
    data: BucketMatrix,
    req: Requests,
    phases: Sequence[int],
) -> Answers:
    step = data.step
    n = data.good.shape[1]
    req_rows = rows[req.obj]
    used, inverse = np.unique(req_rows, return_inverse=True)
    prefix_good = _prefix(data.good[used])
    prefix_total = _prefix(data.total[used])
    first = np.clip(-((data.start - req.start) // step), 0, n)  # ceil((start - data.start)/step)
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
        if o.method is not BudgetingMethod.OCCURRENCES and o.time_slice_window_s:
            groups.setdefault((o.time_slice_window_s, phases[i]), []).append(i)
    for (slice_s, phase), member_list in sorted(groups.items()):
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


def _assemble(
    o: Objective, b: WindowBounds, *, end: int, ans: Answers, base: int, phase: int
) -> Evaluation:
    ratio = o.method is BudgetingMethod.RATIO_TIMESLICES
    unit = "events" if o.method is BudgetingMethod.OCCURRENCES else "slices"
    one_minus_t = 1 - o.target

    def bad_at(k: int, boundary: Fraction | None = None) -> Fraction:
        """Bad units of request ``k``; RatioTimeslices sums are redone exactly near a boundary."""
        if not ratio:
            return Fraction(int(ans.bad_int[k]))
        approx = float(ans.bad[k])
        if boundary is not None and abs(approx - float(boundary)) <= RELATIVE_TIE * max(
            1.0, abs(float(boundary))
        ):
            return ans.exact_ratio_bad(k)
        return Fraction(approx)

    def burn(k: int, threshold: Fraction | None = None) -> Burn:
        start = _req_start(end, o, k - base, b)
        events = int(ans.events[k])
        counted = int(ans.counted[k])
        reason = _no_data_reason(o, events, counted)
        boundary = None if threshold is None else threshold * counted * one_minus_t
        rate = (
            None if reason else burn_rate(bad=bad_at(k, boundary), counted=counted, target=o.target)
        )
        return Burn(
            window_s=end - start,
            start=from_epoch(start),
            end=from_epoch(end),
            rate=rate,
            events=events,
            no_data=reason,
        )

    slo = base
    events = int(ans.events[slo])
    counted = int(ans.counted[slo])
    budget_units = counted
    if o.time_slice_window_s and unit == "slices":
        # Time-based budget: every slice of the whole period counts, less those skipped so far.
        size = o.time_slice_window_s
        full = (b.full_end - phase) // size + (phase - b.full_start) // size
        elapsed = (end - phase) // size + (phase - b.start) // size
        budget_units = full - (elapsed - counted)
    allowed = one_minus_t * budget_units
    bad = bad_at(slo, allowed)
    reason = _no_data_reason(o, events, counted)
    current = burn(base + 1)
    tiers = []
    for i, tier in enumerate(o.alert_tiers):
        threshold = alert_threshold(tier, window_s=b.length, target=o.target)
        long_b = burn(base + 2 + 2 * i, threshold)
        short_b = burn(base + 3 + 2 * i, threshold)
        firing = all(
            w.rate is not None and (w.rate >= threshold if tier.inclusive else w.rate > threshold)
            for w in (long_b, short_b)
        )
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

    base_result = Evaluation(
        objective=o,
        at=from_epoch(end),
        window_start=from_epoch(b.start),
        window_end=from_epoch(end),
        period_end=from_epoch(b.full_end),
        unit=unit,
        burn=current,
        tiers=tuple(tiers),
        good=0,
        total=0,
        sli=None,
        budget=None,
        time_to_exhaustion=None,
        status=Status.NO_DATA,
        no_data=reason,
    )
    if reason:
        return base_result
    sli = 1 - bad / counted
    remaining = allowed - bad
    budget = Budget(
        unit=unit,
        allowed=allowed,
        consumed=bad,
        remaining=remaining,
        remaining_ratio=remaining / allowed if allowed else None,
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
    good_units = counted - bad if not ratio else Fraction(counted) - bad
    return replace(
        base_result,
        good=int(good_units),
        total=counted,
        sli=sli,
        budget=budget,
        time_to_exhaustion=tte,
        status=status,
        exhaustion_note=note,
    )


def _pages(tier: TierResult) -> bool:
    return tier.severity.lower() in {"page", "critical"}


def _req_start(end: int, o: Objective, position: int, b: WindowBounds) -> int:
    if position == 0:
        return b.start
    if position == 1:
        return end - CURRENT_BURN_WINDOW_S
    tier = o.alert_tiers[(position - 2) // 2]
    return end - (tier.long_window_s if position % 2 == 0 else tier.short_window_s)


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
