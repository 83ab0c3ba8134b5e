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
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from covenant.core.budget import burn_rate, time_to_exhaustion
from covenant.core.model import HOUR, BudgetingMethod, NoDataPolicy, Objective
from covenant.core.results import Budget, Burn, Evaluation, Status, TierResult
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.core.windows import WindowBounds, window_bounds
from covenant.errors import InputError

CURRENT_BURN_WINDOW_S = HOUR
"""The window of the headline burn rate (and of time to exhaustion)."""

_RELATIVE_TIE = 1e-9

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
    slices = {o.time_slice_window_s for o in objectives if o.time_slice_window_s}
    for slice_s in slices:
        start = align_down(start, slice_s)
    return align_down(start, step), end


@dataclass(frozen=True, slots=True)
class _Requests:
    """Flattened windows: request ``k`` asks for objective ``obj[k]`` over ``[start, end)``."""

    obj: I64
    start: I64
    end: I64


@dataclass(slots=True)
class _Answers:
    """Per request: events seen, bad units, counted units (events or slices)."""

    events: I64
    bad: F64  # exact integers for Occurrences/Timeslices (as float64 < 2**53), sums for ratio
    bad_int: I64
    counted: I64


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
    rows = np.array([_row(data, o) for o in objectives], dtype=np.int64)
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
    req = _Requests(
        obj=obj_idx.astype(np.int64),
        start=np.array(starts, dtype=np.int64),
        end=np.full(len(starts), end, dtype=np.int64),
    )
    answers = _answer(objectives, rows, data, req)
    return [
        _assemble(o, b, end, answers, int(offsets[i]))
        for i, (o, b) in enumerate(zip(objectives, bounds, strict=True))
    ]


def _row(data: BucketMatrix, objective: Objective) -> int:
    try:
        return data.row(objective.series)
    except ValueError:
        raise InputError(
            f"{objective.key}: no data series {objective.series!r} was loaded",
            hint="load the series the objective names into the bucket matrix",
        ) from None


def _answer(
    objectives: Sequence[Objective], rows: I64, data: BucketMatrix, req: _Requests
) -> _Answers:
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
    answers = _Answers(
        events=events,
        bad=(events - good).astype(np.float64),
        bad_int=events - good,
        counted=events.copy(),
    )
    methods = np.array([o.method != BudgetingMethod.OCCURRENCES for o in objectives])
    slice_sizes = {o.time_slice_window_s for o in objectives if o.time_slice_window_s}
    for slice_s in sorted(slice_sizes):
        members = np.flatnonzero(
            methods & np.array([o.time_slice_window_s == slice_s for o in objectives])
        )
        if members.size:
            _answer_slices(
                [objectives[i] for i in members.tolist()],
                members,
                rows=rows,
                data=data,
                req=req,
                answers=answers,
                slice_s=slice_s,
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
    req: _Requests,
    answers: _Answers,
    slice_s: int,
) -> None:
    """Fill bad/counted (in slices) for the requests of objectives sharing one slice size."""
    step = data.step
    if slice_s % step:
        raise InputError(
            f"{group[0].key}: time slice {slice_s}s is not a multiple of the bucket step {step}s",
            hint="use a time slice window that is a whole number of buckets",
        )
    per = slice_s // step
    s0 = align_up(data.start, slice_s)
    n_slices = max((data.end - s0) // slice_s, 0)
    lo = (s0 - data.start) // step
    shape = (len(group), n_slices, per)
    member_rows = rows[members]
    good = data.good[member_rows, lo : lo + n_slices * per].reshape(shape).sum(axis=2)
    total = data.total[member_rows, lo : lo + n_slices * per].reshape(shape).sum(axis=2)
    has = total > 0
    policy_good = np.array([o.no_data is NoDataPolicy.GOOD for o in group])[:, None]
    policy_skip = np.array([o.no_data is NoDataPolicy.SKIP for o in group])[:, None]
    counted = has | ~policy_skip
    ratio_method = np.array([o.method is BudgetingMethod.RATIO_TIMESLICES for o in group])
    # Timeslices: a slice is good when good/total >= timeSliceTarget (exact: g*den >= num*t).
    num = np.array([(o.time_slice_target or Fraction(1)).numerator for o in group])[:, None]
    den = np.array([(o.time_slice_target or Fraction(1)).denominator for o in group])[:, None]
    slice_good = has & (good.astype(object) * den >= total.astype(object) * num).astype(bool)
    bad_slices = (counted & ~slice_good & ~(~has & policy_good)).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        bad_ratio = np.where(has, 1.0 - good / np.where(has, total, 1), 0.0)
    bad_ratio = np.where(~has & counted & ~policy_good, 1.0, bad_ratio)
    bad_prefix_int = _prefix(bad_slices)
    bad_prefix_float = np.zeros((len(group), n_slices + 1))
    np.cumsum(bad_ratio, axis=1, out=bad_prefix_float[:, 1:])
    counted_prefix = _prefix(counted.astype(np.int64))

    local = np.full(len(rows), -1, dtype=np.int64)
    local[members] = np.arange(len(group))
    mask = local[req.obj] >= 0
    k = np.flatnonzero(mask)
    g = local[req.obj[k]]
    want_first = -((-req.start[k]) // slice_s)  # slices wholly inside [start, end), epoch-aligned
    want_last = req.end[k] // slice_s
    want = np.maximum(want_last - want_first, 0)
    first = np.clip(want_first - s0 // slice_s, 0, n_slices)
    last = np.clip(want_last - s0 // slice_s, 0, n_slices)
    last = np.maximum(last, first)
    outside = want - (last - first)  # wanted slices the data does not cover: no data
    pol_g = policy_good[g, 0]
    pol_s = policy_skip[g, 0]
    extra_counted = np.where(pol_s, 0, outside)
    extra_bad = np.where(pol_s | pol_g, 0, outside)
    counted_k = counted_prefix[g, last] - counted_prefix[g, first] + extra_counted
    bad_int_k = bad_prefix_int[g, last] - bad_prefix_int[g, first] + extra_bad
    bad_float_k = bad_prefix_float[g, last] - bad_prefix_float[g, first] + extra_bad
    is_ratio = ratio_method[g]
    answers.counted[k] = counted_k
    answers.bad_int[k] = np.where(is_ratio, 0, bad_int_k)
    answers.bad[k] = np.where(is_ratio, bad_float_k, bad_int_k.astype(np.float64))


def _assemble(o: Objective, b: WindowBounds, end: int, ans: _Answers, base: int) -> Evaluation:
    ratio = o.method is BudgetingMethod.RATIO_TIMESLICES
    unit = "events" if o.method is BudgetingMethod.OCCURRENCES else "slices"
    one_minus_t = 1 - o.target

    def bad_at(k: int) -> Fraction:
        if ratio:
            return Fraction(float(ans.bad[k]))
        return Fraction(int(ans.bad_int[k]))

    def burn(k: int) -> Burn:
        start = _req_start(end, o, k - base, b)
        events = int(ans.events[k])
        counted = int(ans.counted[k])
        reason = _no_data_reason(o, events, counted)
        rate = None if reason else burn_rate(bad=bad_at(k), counted=counted, target=o.target)
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
    bad = bad_at(slo)
    reason = _no_data_reason(o, events, counted)
    current = burn(base + 1)
    tiers = []
    for i, tier in enumerate(o.alert_tiers):
        long_b, short_b = burn(base + 2 + 2 * i), burn(base + 3 + 2 * i)
        threshold = tier.factor(b.length)
        firing = (
            long_b.rate is not None
            and short_b.rate is not None
            and long_b.rate >= threshold
            and short_b.rate >= threshold
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
    budget_units = counted
    if o.time_slice_window_s and unit == "slices":
        # Time-based budget: every slice of the whole period counts, less those skipped so far.
        size = o.time_slice_window_s
        full = b.full_end // size - align_up(b.full_start, size) // size
        elapsed = end // size - align_up(b.start, size) // size
        budget_units = full - (elapsed - counted)
    allowed = one_minus_t * budget_units
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
