"""Alert replay: an objective's alert tiers evaluated at every step of a range at once.

Every step's long and short windows become requests answered by the engine's own vectorised
window arithmetic (:func:`core.window_answers.answer_requests`: prefix sums for events, per-slice
prefix sums for time slices laid out from the engine's slice phase), so the replay shares the
engine's semantics instead of copying them. The decision ``burn ≥ threshold`` is taken in float and
re-taken exactly (integers / Fractions) wherever float could be wrong, so the replay agrees with
:func:`core.evaluate.evaluate`. Python loops only over tiers, over the handful of calendar
periods in the range (their length changes the thresholds) and over episodes.

A tier that never fired is only a clean record if the replay had data: every tier reports at
how many steps both of its windows had a burn rate from stored events (``steps_with_data``)
and says why there was none (``no_data``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from covenant.core.budget import budget_consumed, burn_rate
from covenant.core.evaluate import (
    RELATIVE_TIE,
    alert_threshold,
    align_down,
    align_up,
    evaluate,
    policy_label,
    policy_note,
    slice_phase,
)
from covenant.core.model import AlertTier, BudgetingMethod, NoDataPolicy, Objective, RollingWindow
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, require_utc, shorthand, to_epoch
from covenant.core.window_answers import Answers, Requests, answer_requests, series_row
from covenant.core.windows import window_bounds
from covenant.errors import InputError

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class WindowCounts:
    """Per evaluation instant, the counts of one window ending there (alert semantics).

    ``bad`` is exact for Occurrences/Timeslices (integers held in float64) and, for
    RatioTimeslices, an estimate of the sum of per-slice error ratios off by at most
    ``bad_error`` (0 elsewhere); ``has_rate`` is False where the window has no
    burn rate (the engine's no-data rules); ``silent`` counts the counted slices that had no
    events (counted only by a good/bad no-data policy). ``parts`` keeps the engine's answers
    per segment (first instant index, answers) so bad units can be re-summed exactly at any
    instant.
    """

    events: I64
    counted: I64
    bad: F64
    has_rate: Bools
    silent: I64
    parts: tuple[tuple[int, Answers], ...] = ()
    ratio: bool = False
    bad_error: F64 | None = None

    @property
    def has_data(self) -> Bools:
        """A burn rate computed from stored events (not only from the no-data policy)."""
        return self.has_rate & (self.events > 0)

    def exact_bad(self, i: int) -> Fraction:
        """The bad units of the window ending at instant ``i``, exactly."""
        lo, answers = next(p for p in reversed(self.parts) if p[0] <= i)
        k = i - lo
        if self.ratio:
            return answers.exact_ratio_bad(k)
        return Fraction(int(answers.bad_int[k]))

    def rate(self, i: int, target: Fraction) -> Fraction:
        """The exact burn rate at instant ``i`` (0 where nothing was counted)."""
        counted = int(self.counted[i])
        if counted <= 0:
            return Fraction(0)
        return burn_rate(bad=self.exact_bad(i), counted=counted, target=target)


def _has_rate(o: Objective, events: I64, counted: I64) -> Bools:
    """Vectorised ``core.evaluate._no_data_reason(...) is None``."""
    if o.method is not BudgetingMethod.OCCURRENCES and o.no_data is not NoDataPolicy.SKIP:
        return counted > 0
    return (events > 0) & (events >= o.minimum_events) & (counted > 0)


def window_counts(
    o: Objective, data: BucketMatrix, *, ends: I64, window_s: int, phase: int = 0
) -> WindowCounts:
    """Counts of the alert window ``[end − window_s, end)`` for every ``end``, as the engine
    counts them: time-slice objectives count the last ``max(1, window_s // slice)`` complete
    slices laid out from ``phase``."""
    requests = Requests(
        obj=np.zeros(len(ends), dtype=np.int64),
        start=(ends - window_s).astype(np.int64),
        end=ends.astype(np.int64),
        alert=np.ones(len(ends), dtype=bool),
    )
    rows = np.array([series_row(data, o)], dtype=np.int64)
    answers = answer_requests([o], rows, data, requests, [phase])
    return WindowCounts(
        events=answers.events.astype(np.int64),
        counted=answers.counted.astype(np.int64),
        bad=answers.bad.astype(np.float64),
        has_rate=_has_rate(o, answers.events, answers.counted),
        silent=answers.silent.astype(np.int64),
        parts=((0, answers),),
        ratio=o.method is BudgetingMethod.RATIO_TIMESLICES,
        bad_error=answers.bad_error,
    )


def _concat(parts: Sequence[WindowCounts]) -> WindowCounts:
    offsets = np.cumsum([0, *(len(p.events) for p in parts)]).tolist()
    return WindowCounts(
        events=np.concatenate([p.events for p in parts]),
        counted=np.concatenate([p.counted for p in parts]),
        bad=np.concatenate([p.bad for p in parts]),
        has_rate=np.concatenate([p.has_rate for p in parts]),
        silent=np.concatenate([p.silent for p in parts]),
        parts=tuple(
            (off + lo, answers)
            for off, p in zip(offsets, parts, strict=False)
            for lo, answers in p.parts
        ),
        ratio=any(p.ratio for p in parts),
        bad_error=np.concatenate([_error(p) for p in parts]),
    )


def _error(counts: WindowCounts) -> F64:
    """The bound on each instant's ``bad`` estimate (zeros when exact)."""
    if counts.bad_error is None:
        return np.zeros(len(counts.events))
    return counts.bad_error


def _meets(
    counts: WindowCounts, bound: Fraction, *, inclusive: bool, exact: list[int] | None = None
) -> Bools:
    """``bad / counted ≥ bound`` (or ``>``) per instant; float first, exact near a tie.

    Indices where float cannot decide (the margin within the float's rounding or the bound on
    a RatioTimeslices estimate) are appended to ``exact`` for the caller to settle.
    """
    limit = float(bound) * counts.counted
    margin = counts.bad - limit
    tie = np.abs(margin) <= RELATIVE_TIE * np.maximum(1.0, np.abs(limit)) + _error(counts)
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
    end: datetime  # the first evaluated instant it no longer fired; ``--to`` when ongoing
    ongoing: bool  # still firing at the last evaluated instant
    threshold: Fraction
    max_long_burn: Fraction
    max_short_burn: Fraction
    budget_consumed_at_start: Fraction | None  # share of the SLO window's budget spent
    long_window_budget: Fraction  # share of the window's budget the long window burned at start
    # The most silent slices a good/bad no-data policy counted in each window at a step of the
    # episode (0: every counted slice was measured), and what that means in words (or None).
    long_policy_filled: int = 0
    short_policy_filled: int = 0
    policy_note: str | None = None

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
    steps_with_data: int = 0  # steps where both windows had a burn rate from stored events
    no_data: str | None = None  # why no step had data (None when some did)
    steps_policy_filled: int = 0  # steps where a window's rate counted policy-filled slices

    @property
    def firing_s(self) -> int:
        return sum(e.duration_s for e in self.episodes)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertReplay:
    objective: Objective
    start: datetime  # the first evaluated instant
    end: datetime  # the last evaluated instant
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
    if isinstance(o.window, RollingWindow):
        return [_Segment(0, len(ends), o.window.seconds, 0)]
    out = []
    i = 0
    while i < len(ends):
        b = window_bounds(o.window, at=int(ends[i]))
        j = int(np.searchsorted(ends, b.full_end, side="right"))
        out.append(_Segment(i, j, b.length, slice_phase(o, b)))
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
    for seg in _segments(o, ends):
        part = ends[seg.lo : seg.hi]
        threshold = alert_threshold(tier, window_s=seg.window_s, target=o.target)
        thresholds[seg.lo : seg.hi] = float(threshold)
        bound = threshold * (1 - o.target)
        both = np.ones(len(part), dtype=bool)
        for window_s, store in ((tier.long_window_s, longs), (tier.short_window_s, shorts)):
            counts = window_counts(o, data, ends=part, window_s=window_s, phase=seg.phase)
            store.append(counts)
            unsure: list[int] = []
            ok = _meets(counts, bound, inclusive=tier.inclusive, exact=unsure)
            for i in unsure:
                bad = counts.exact_bad(i)
                limit = bound * int(counts.counted[i])
                ok[i] = bad >= limit if tier.inclusive else bad > limit
            both &= ok
        firing[seg.lo : seg.hi] = both
    return firing, _concat(longs), _concat(shorts), thresholds


def after_pending(holds: Bools, ends: I64, for_s: int) -> Bools:
    """Where an alert whose condition ``holds`` fires, given its pending period ``for_s`` (OpenSLO
    ``alertAfter``): from the first instant at least ``for_s`` after the run of instants where
    it holds began, as the worker and Prometheus's ``for:`` decide. A run already under way at
    the first instant counts from there."""
    if for_s <= 0:
        return holds
    fires = np.zeros(len(holds), dtype=bool)
    for lo, hi in _runs(holds):
        first = lo + int(np.searchsorted(ends[lo:hi], int(ends[lo]) + for_s, side="left"))
        fires[first:hi] = True
    return fires


def _runs(mask: Bools) -> list[tuple[int, int]]:
    """``[lo, hi)`` index runs where ``mask`` is True."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _max_rate(counts: WindowCounts, lo: int, hi: int, target: Fraction) -> Fraction:
    """The highest burn rate over instants ``[lo, hi)``: estimated in float, then taken exactly
    among the instants whose estimate could be the highest."""
    counted = counts.counted[lo:hi]
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(counted > 0, counts.bad[lo:hi] / np.maximum(counted, 1), -1.0)
        slack = _error(counts)[lo:hi] / np.maximum(counted, 1)
    top = int(np.argmax(rates))
    floor = rates[top] - slack[top] - RELATIVE_TIE * max(1.0, abs(float(rates[top])))
    candidates = np.flatnonzero(rates + slack >= floor)
    return max(counts.rate(lo + int(i), target) for i in candidates)


def _filled(counts: WindowCounts) -> I64:
    """Per instant, the silent slices the no-data policy counted in a window with a rate."""
    return np.where(counts.has_rate, counts.silent, 0)


def _policy_filled(
    o: Objective, windows: Sequence[tuple[int, WindowCounts]], lo: int, hi: int
) -> tuple[list[int], str | None]:
    """Per window, the most policy-filled slices at an instant of ``[lo, hi)``, and a note
    naming them (``over 1h, 10 of 60 slices had no events and were counted bad by …``)."""
    most: list[int] = []
    said: list[str] = []
    for window_s, counts in windows:
        filled = _filled(counts)[lo:hi]
        k = lo + int(np.argmax(filled))
        most.append(int(filled.max()))
        note = policy_note(
            policy_label(o),
            o.no_data.value,
            most[-1],
            int(counts.counted[k]),
            int(counts.events[k]),
        )
        if note is not None:
            said.append(f"over {shorthand(window_s)}, {note}")
    return most, "; ".join(said) or None


def _no_data(long_c: WindowCounts, with_data: Bools) -> str | None:
    """Why no step had a burn rate from stored events, or None when some step had one."""
    if with_data.any():
        return None
    if not long_c.events.any():
        return "no stored events in the replayed range"
    return "no step had a burn rate in both windows (too few events or slices)"


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
    (or the longest alert window before it, whichever is earlier) to ``end``. An episode still
    firing at the last instant is ``ongoing`` and ends at ``end``.
    """
    ends = replay_instants(start, end, step_s, data.step)
    until = from_epoch(to_epoch(require_utc(end)))
    chosen = tuple(objective.alert_tiers if tiers is None else tiers)
    budget_of = replace(objective, alert_tiers=())
    target = objective.target
    segments = _segments(objective, ends)
    seg_at = np.zeros(len(ends), dtype=np.int64)
    for k, seg in enumerate(segments):
        seg_at[seg.lo : seg.hi] = k
    results = []
    for tier in chosen:
        firing, long_c, short_c, _ = tier_firing(objective, tier, data, ends=ends)
        firing = after_pending(firing, ends, tier.for_s)
        with_data = long_c.has_data & short_c.has_data
        episodes = []
        for lo, hi in _runs(firing):
            seg = segments[int(seg_at[lo])]
            at_start = from_epoch(int(ends[lo]))
            (ev,) = evaluate([budget_of], data, at=at_start)
            consumed = (
                ev.budget.consumed / ev.budget.allowed
                if ev.budget is not None and ev.budget.allowed
                else None
            )
            ongoing = hi == len(ends)
            windows = ((tier.long_window_s, long_c), (tier.short_window_s, short_c))
            (long_filled, short_filled), filled_note = _policy_filled(objective, windows, lo, hi)
            episodes.append(
                AlertEpisode(
                    tier=tier.name,
                    severity=tier.severity,
                    start=at_start,
                    end=until if ongoing else from_epoch(int(ends[hi])),
                    ongoing=ongoing,
                    threshold=alert_threshold(tier, window_s=seg.window_s, target=target),
                    max_long_burn=_max_rate(long_c, lo, hi, target),
                    max_short_burn=_max_rate(short_c, lo, hi, target),
                    budget_consumed_at_start=consumed,
                    long_window_budget=budget_consumed(
                        rate=long_c.rate(lo, target),
                        over_s=tier.long_window_s,
                        window_s=seg.window_s,
                    ),
                    long_policy_filled=long_filled,
                    short_policy_filled=short_filled,
                    policy_note=filled_note,
                )
            )
        thresholds = {alert_threshold(tier, window_s=s.window_s, target=target) for s in segments}
        results.append(
            TierReplay(
                name=tier.name,
                severity=tier.severity,
                long_window_s=tier.long_window_s,
                short_window_s=tier.short_window_s,
                thresholds=tuple(sorted(thresholds)),
                firing_steps=int(firing.sum()),
                episodes=tuple(episodes),
                steps_with_data=int(with_data.sum()),
                no_data=_no_data(long_c, with_data),
                steps_policy_filled=int(((_filled(long_c) > 0) | (_filled(short_c) > 0)).sum()),
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


__all__ = [
    "AlertEpisode",
    "AlertReplay",
    "TierReplay",
    "WindowCounts",
    "replay_alerts",
    "replay_instants",
    "tier_firing",
    "window_counts",
]
