"""Window requests answered together: the engine's vectorised window arithmetic.

Every window of every objective is one request ``(objective, start, end)``; :func:`answer_requests`
answers them all at once, from cumulative counts at the window edges (``EdgeCounts``) or from
prefix sums of a ``BucketMatrix`` (events), and from per-slice prefix sums for time slices, one
group per (slice length, phase). A time slice is good by an integer cross product
(``good × den ≥ num × total``). RatioTimeslices sums per-slice ratios exactly on demand
(:meth:`Answers.exact_ratio_bad`, :func:`ratio_sum`); its ``bad`` is a fixed-point estimate
with a rigorous error bound (``bad_error``), which lets the alert replay settle most of its
thousands of decisions without an exact sum.

Used by :func:`covenant.core.evaluate.evaluate` and by the alert replay (``core.replay``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from covenant.core.model import BudgetingMethod, NoDataPolicy, Objective
from covenant.core.series import BucketMatrix, EdgeCounts
from covenant.errors import InputError

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Requests:
    """Flattened windows: request ``k`` asks for objective ``obj[k]`` over ``[start, end)``."""

    obj: I64
    start: I64
    end: I64
    alert: npt.NDArray[np.bool_]  # alert windows end at the last complete slice


@dataclass(slots=True)
class Answers:
    """Per request: events seen, bad units, counted units (events or slices), and the counted
    slices that had no events (counted only by a good/bad no-data policy)."""

    events: I64
    bad: F64  # exact integers for Occurrences/Timeslices (as float64 < 2**53), estimates for ratio
    bad_int: I64
    counted: I64
    silent: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # A bound on |bad − the exact bad units| (RatioTimeslices' fixed-point sums; 0 elsewhere).
    bad_error: F64 = field(default_factory=lambda: np.zeros(0))
    # Kept for exact re-summation of RatioTimeslices near a decision: per slice layout the
    # (good, total) slice counts of its objectives, and per request [layout, row, first slice,
    # last slice, silent slices the policy calls bad] (-1: not a RatioTimeslices request).
    ratio_slices: list[tuple[I64, I64]] = field(default_factory=list)
    ratio_ref: I64 | None = None
    _exact: dict[tuple[int, ...], Fraction] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.silent.size != self.events.size:  # not given: no slice counted by a policy
            self.silent = np.zeros_like(self.events)
        if self.bad_error.size != self.events.size:
            self.bad_error = np.zeros(self.events.size)

    def exact_ratio_bad(self, k: int) -> Fraction:
        """Σ(1 − good/total) over the request's slices, in exact arithmetic."""
        assert self.ratio_ref is not None
        key = tuple(int(v) for v in self.ratio_ref[k])
        found = self._exact.get(key)
        if found is None:  # windows of neighbouring instants often hold the same slices
            layout, row, first, last, extra = key
            good_all, total_all = self.ratio_slices[layout]
            good, total = good_all[row, first:last], total_all[row, first:last]
            found = self._exact[key] = ratio_sum(total - good, total) + extra
        return found


def ratio_sum(bad: I64, total: I64) -> Fraction:
    """Σ bad_i / total_i over the slices with events, exactly.

    Integer numerators are summed per distinct denominator (vectorised: a 30-day window of
    1-minute slices has 43,200 terms but few distinct totals), each term is reduced, and the
    terms are added pairwise over least common denominators, so the big integers stay as small
    as the result needs (a left-to-right ``Fraction`` sum of 40,000 unrelated denominators is
    ten times slower).
    """
    keep = (total > 0) & (bad > 0)
    if not keep.any():
        return Fraction(0)
    dens_all, bad_all = total[keep], bad[keep]
    order = np.argsort(dens_all, kind="stable")
    dens_sorted = dens_all[order]
    starts = np.flatnonzero(np.concatenate(([True], dens_sorted[1:] != dens_sorted[:-1])))
    dens = dens_sorted[starts]
    nums = np.add.reduceat(bad_all[order], starts)
    common = np.gcd(nums, dens)
    terms = list(zip((nums // common).tolist(), (dens // common).tolist(), strict=True))
    while len(terms) > 1:
        paired = []
        for (n1, d1), (n2, d2) in zip(terms[::2], terms[1::2], strict=False):
            g = math.gcd(d1, d2)
            paired.append((n1 * (d2 // g) + n2 * (d1 // g), d1 // g * d2))
        if len(terms) % 2:
            paired.append(terms[-1])
        terms = paired
    return Fraction(*terms[0])


def needs_buckets(objective: Objective) -> bool:
    """True when evaluating ``objective`` needs every bucket (time slices), not only edges."""
    return objective.method is not BudgetingMethod.OCCURRENCES and bool(
        objective.time_slice_window_s
    )


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
    5-minute alert window over 5-minute slices always sees the last complete slice. An alert
    window's events are those of its slices: they decide whether it has data (no events,
    fewer than ``minimumEvents``), as its counted slices decide its rate.
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
        bad_ratio = np.where(has, (total - good) / np.where(has, total, 1), 0.0)
    empty_bad = ~has & counted & ~policy_good[:, None]  # silent slices the policy calls bad
    bad_ratio = np.where(empty_bad, 1.0, bad_ratio)
    empty_bad_prefix = _prefix(empty_bad.astype(np.int64))
    silent_prefix = _prefix((~has & counted).astype(np.int64))  # slices the policy counted
    bad_prefix_int = _prefix(bad_slices)
    # Slice ratios in fixed point (units of 2**-bits), summed as integers: a window's sum is
    # off by less than 2 units per slice, however long the data (a float cumulative sum's error
    # grows with the prefix, not the window), so ``bad_error`` bounds it.
    bits = min(52, 62 - (n_slices + 1).bit_length())
    unit = 2.0**-bits
    bad_prefix_fixed = _prefix(np.floor(bad_ratio * 2.0**bits).astype(np.int64))
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
    fixed_k = bad_prefix_fixed[g, last] - bad_prefix_fixed[g, first]
    bad_float_k = fixed_k * unit + extra_bad
    error_k = (2 * (last - first) + 1) * unit + bad_float_k * 2.0**-50
    is_ratio = ratio_method[g]
    answers.counted[k] = counted_k
    alert = req.alert[k]
    events_prefix = _prefix(total)
    answers.events[k[alert]] = (events_prefix[g, last] - events_prefix[g, first])[alert]
    answers.silent[k] = silent_prefix[g, last] - silent_prefix[g, first] + extra_counted
    answers.bad_int[k] = np.where(is_ratio, 0, bad_int_k)
    answers.bad[k] = np.where(is_ratio, bad_float_k, bad_int_k.astype(np.float64))
    answers.bad_error[k] = np.where(is_ratio, error_k, 0.0)
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
