"""SLO corrections: time ranges whose data an SLO's *corrected* figures leave out.

A correction (planned maintenance, a known-bad deploy, a monitoring outage) names the SLOs it
applies to and one or more UTC intervals. The definitions layer expands recurring corrections
(RFC 5545 RRULE) into plain :class:`CorrectionWindow` occurrences; the core only sees intervals.

Semantics (docs/corrections.md):

- A bucket is removed when any part of it lies inside a correction window (a window from
  02:00:30 removes the 02:00 bucket): its events count neither as good nor as bad.
- For Timeslices and RatioTimeslices a time slice that overlaps a correction is *skipped* as a
  whole — not counted, whatever the SLO's no-data policy says — so the time budget of the
  window shrinks by the skipped slices, exactly as the ``skip`` policy shrinks it.
- Corrections are applied retroactively: every evaluation applies every correction, whenever
  the correction was written.

The corrected evaluation reuses the vectorised engine (:func:`covenant.core.evaluate.evaluate`)
unchanged: each corrected objective gets a *derived row* — its series with the removed buckets
zeroed — and, for time-slice methods under a ``good``/``bad`` no-data policy, the policy is
folded into the row (every bucket of a slice carries the slice's sums; a silent slice one good
or one bad placeholder event per bucket) so the engine can run it under ``skip`` and skip the
corrected slices. Event counts reported in burn windows are then restored from the real
(corrected) data, so placeholders never show. Without any removed bucket the derived
evaluation equals the plain one (tests/core/test_corrections.py checks this on random data).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
import numpy.typing as npt

from covenant.core.elapsed import NOT_BEGUN
from covenant.core.evaluate import (
    SLICE_NO_EVENTS,
    align_down,
    evaluate,
    policy_label,
    policy_note,
    required_range,
)
from covenant.core.model import BudgetingMethod, NoDataPolicy, Objective, RollingWindow
from covenant.core.results import Burn, Evaluation
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.core.windows import window_bounds
from covenant.errors import InputError

I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, kw_only=True)
class CorrectionWindow:
    """One occurrence of a correction: ``[start, end)`` in UTC, for ``slos`` (empty: all)."""

    name: str
    start: datetime
    end: datetime
    slos: frozenset[str] = frozenset()
    author: str = ""
    reason: str = ""
    revision: str = ""  # the content hash of the correction's definition (audit reference)

    def __post_init__(self) -> None:
        require_utc(self.start, what=f"correction {self.name!r} start")
        require_utc(self.end, what=f"correction {self.name!r} end")
        if self.end <= self.start:
            raise InputError(
                f"correction {self.name!r} ends at or before it starts",
                hint="give an end after the start, or a positive duration",
            )

    def applies_to(self, slo: str) -> bool:
        return not self.slos or slo in self.slos

    def overlaps(self, start: int, end: int) -> bool:
        """True when the window overlaps ``[start, end)`` (epoch seconds)."""
        return to_epoch(self.start) < end and to_epoch(self.end) > start


@dataclass(frozen=True, slots=True, kw_only=True)
class Corrected:
    """The corrected evaluation of one objective, and the windows that touched it.

    ``evaluation`` is None when no correction touches the data the evaluation reads.
    """

    evaluation: Evaluation | None
    windows: tuple[CorrectionWindow, ...] = ()


def bucket_mask(windows: Sequence[CorrectionWindow], *, start: int, step: int, n: int) -> Mask:
    """Buckets ``[start + j·step, +step)``, j < n, that overlap any of ``windows``.

    Vectorised over windows with a difference array: no loop per bucket or per window.
    """
    if not windows or n <= 0:
        return np.zeros(max(n, 0), dtype=bool)
    starts = np.array([to_epoch(w.start) for w in windows], dtype=np.int64)
    ends = np.array([to_epoch(w.end) for w in windows], dtype=np.int64)
    first = np.clip((starts - start) // step, 0, n)  # the bucket holding the window's start
    last = np.clip(-((start - ends) // step), 0, n)  # ceil: one past the bucket holding end − ε
    diff = np.zeros(n + 1, dtype=np.int64)
    np.add.at(diff, first, 1)
    np.add.at(diff, last, -1)
    return np.cumsum(diff[:-1]) > 0


def slice_phase(objective: Objective, *, end: int) -> int:
    """Where the objective's time slices start modulo their length (as the engine lays them)."""
    size = objective.time_slice_window_s
    if not size or isinstance(objective.window, RollingWindow):
        return 0
    return window_bounds(objective.window, at=end).full_start % size


@dataclass(frozen=True, slots=True)
class SliceLayout:
    """Buckets grouped into time slices: group ``g`` is buckets ``[starts[g], starts[g]+sizes[g])``.

    The first and last groups may be partial slices (``complete`` False).
    """

    starts: I64
    sizes: I64
    complete: Mask

    @classmethod
    def of(cls, data: BucketMatrix, *, slice_s: int, phase: int) -> SliceLayout:
        step = data.step
        if slice_s % step or phase % step:
            raise InputError(
                f"time slice {slice_s}s is not a multiple of the bucket step {step}s",
                hint="use a time slice window that is a whole number of buckets",
            )
        n = int(data.good.shape[1])
        ids = (data.start + np.arange(n, dtype=np.int64) * step - phase) // slice_s
        if n == 0:
            empty = np.zeros(0, dtype=np.int64)
            return cls(starts=empty, sizes=empty, complete=np.zeros(0, dtype=bool))
        boundary = np.ones(n, dtype=bool)
        boundary[1:] = ids[1:] != ids[:-1]
        starts = np.flatnonzero(boundary).astype(np.int64)
        sizes = np.diff(np.append(starts, n)).astype(np.int64)
        return cls(starts=starts, sizes=sizes, complete=sizes == slice_s // step)

    def sums(self, rows: I64) -> I64:
        """Per-slice sums of ``rows`` (…, n) → (…, slices), exact int64."""
        if self.starts.size == 0:
            return np.zeros((*rows.shape[:-1], 0), dtype=np.int64)
        return np.add.reduceat(rows, self.starts, axis=-1)

    def any(self, mask: Mask) -> Mask:
        """Per slice: does any of its buckets have ``mask`` set."""
        if self.starts.size == 0:
            return np.zeros(0, dtype=bool)
        return np.logical_or.reduceat(mask, self.starts)

    def expand(self, per_slice: npt.NDArray[np.generic]) -> npt.NDArray[np.generic]:
        """A per-slice value repeated over the slice's buckets."""
        return np.repeat(per_slice, self.sizes)


@dataclass(frozen=True, slots=True, kw_only=True)
class Derived:
    """An objective as the engine runs it on a derived row, and how to report it.

    ``engine`` is evaluated on ``good``/``total``; the result is reported as ``report`` with
    burn-window event counts taken from ``events`` (None: keep the engine's counts).
    ``silent`` marks (1 at its first bucket) each complete slice whose verdict a good/bad no-data
    policy folded into the row decided (``verdict`` under ``policy``; a slice that had ``had``),
    so the result can say how many of its slices the policy filled (``Evaluation.policy_note``).
    """

    engine: Objective
    report: Objective
    good: I64
    total: I64
    events: I64 | None = None
    silent: I64 | None = None
    policy: str = ""
    verdict: str = ""
    had: str = SLICE_NO_EVENTS  # what a slice ``silent`` marks had, as its note says it


def evaluate_derived(
    items: Sequence[Derived],
    *,
    start: int,
    step: int,
    at: datetime,
    now: datetime | None = None,
) -> list[Evaluation]:
    """Evaluate derived rows in one engine call (vectorised over all of them)."""
    if not items:
        return []
    keys = tuple(f"#derived-{i}" for i in range(len(items)))
    data = BucketMatrix(
        keys=keys,
        start=start,
        step=step,
        good=np.stack([item.good for item in items]).astype(np.int64),
        total=np.stack([item.total for item in items]).astype(np.int64),
    )
    engine = [replace(item.engine, series=key) for item, key in zip(items, keys, strict=True)]
    results = evaluate(engine, data, at=at, now=now)
    return [
        _restore(result, item, start=start, step=step)
        for result, item in zip(results, items, strict=True)
    ]


_NO_SLICE = "no complete time slice in the window"


def _restore(result: Evaluation, item: Derived, *, start: int, step: int) -> Evaluation:
    result = replace(result, objective=item.report)
    if item.events is None:
        return result
    prefix = np.zeros(item.events.size + 1, dtype=np.int64)
    np.cumsum(item.events, out=prefix[1:])
    n = item.events.size
    # With a good/bad policy folded into the row, the only reason for no value is that no
    # slice counts (as the engine says for those policies).
    folded = item.engine.no_data is not item.report.no_data

    def events_in(lo: datetime, hi: datetime) -> int:
        """The real events of the buckets wholly inside ``[lo, hi)``."""
        first = min(max(-((start - to_epoch(lo)) // step), 0), n)
        last = max(min(max((to_epoch(hi) - start) // step, 0), n), first)
        return int(prefix[last] - prefix[first])

    filled = None
    silent = 0
    if item.silent is not None and result.no_data is None:
        silent = _silent_in_window(item, result, start=start, step=step)
        filled = policy_note(
            item.policy,
            item.verdict,
            silent,
            result.total,
            events_in(result.window_start, result.window_end),
            had=item.had,
        )

    def reason(text: str | None) -> str | None:
        if folded and text is not None and not text.endswith(NOT_BEGUN):  # after now: kept
            return _NO_SLICE
        return text

    def fix(burn: Burn) -> Burn:
        events = events_in(*_burn_slices(item, burn))  # the events of the slices it counts
        fixed = replace(burn, events=events, no_data=reason(burn.no_data))
        if item.silent is None or burn.no_data is not None:
            return fixed
        quiet = _silent_in_burn(item, burn, start=start, step=step)
        said = policy_note(item.policy, item.verdict, quiet, burn.counted, events, had=item.had)
        return replace(fixed, policy_filled=quiet, policy_note=said)

    tiers = tuple(replace(t, long=fix(t.long), short=fix(t.short)) for t in result.tiers)
    burn = None if result.burn is None else fix(result.burn)
    note = result.exhaustion_note
    if folded and burn is not None and burn.no_data and note and note.startswith("no current"):
        note = f"no current burn rate: {burn.no_data}"
    return replace(
        result,
        burn=burn,
        tiers=tiers,
        no_data=reason(result.no_data),
        exhaustion_note=note,
        policy_note=filled,
        policy_filled=silent if filled else 0,
    )


def _silent_in_window(item: Derived, result: Evaluation, *, start: int, step: int) -> int:
    """The marked silent slices wholly inside the result's window (the engine's SLO window)."""
    lo, hi = to_epoch(result.window_start), to_epoch(result.window_end)
    return _silent_in(item, lo, hi, start=start, step=step)


def _burn_slices(item: Derived, burn: Burn) -> tuple[datetime, datetime]:
    """The span of the slices a burn window counts, as the engine lays out an alert window
    counted up to ``burn.end`` (``at``, or now when the window reaches past it): the last
    ``max(1, (end − start) // slice)`` complete slices before that end; none for a window that
    starts at or after now (it has not begun)."""
    assert item.engine.time_slice_window_s
    size = item.engine.time_slice_window_s
    start, end = to_epoch(burn.start), to_epoch(burn.end)
    phase = slice_phase(item.engine, end=start + burn.window_s)  # as laid at ``at``
    last = phase + (end - phase) // size * size  # the end of the last complete slice
    if end <= start:
        return from_epoch(last), from_epoch(last)
    first = last - max(1, (end - start) // size) * size
    return from_epoch(first), from_epoch(last)


def _silent_in_burn(item: Derived, burn: Burn, *, start: int, step: int) -> int:
    """The marked silent slices a burn window counted (:func:`_burn_slices`)."""
    first, last = _burn_slices(item, burn)
    return _silent_in(item, to_epoch(first), to_epoch(last), start=start, step=step)


def _silent_in(item: Derived, lo: int, hi: int, *, start: int, step: int) -> int:
    """The marked silent slices wholly inside ``[lo, hi)`` (epoch seconds)."""
    assert item.silent is not None
    assert item.engine.time_slice_window_s
    at = np.flatnonzero(item.silent).astype(np.int64) * step + start  # slice starts
    return int(np.count_nonzero((at >= lo) & (at + item.engine.time_slice_window_s <= hi)))


def silent_marks(layout: SliceLayout, silent: Mask, n: int) -> I64:
    """1 at the first bucket of each complete slice in ``silent`` (per slice), else 0."""
    marks = np.zeros(n, dtype=np.int64)
    marks[layout.starts[silent & layout.complete]] = 1
    return marks


def touching(
    windows: Sequence[CorrectionWindow], objective: Objective, *, at: datetime, step: int
) -> tuple[CorrectionWindow, ...]:
    """The windows that apply to the objective's SLO and overlap the data it reads at ``at``."""
    start, end = required_range([objective], at=at, step=step)
    return tuple(w for w in windows if w.applies_to(objective.slo) and w.overlaps(start, end))


def corrected_row(
    objective: Objective, good: I64, total: I64, mask: Mask, *, data: BucketMatrix, end: int
) -> Derived:
    """The derived row of a plain objective with the buckets under ``mask`` removed."""
    if objective.method is BudgetingMethod.OCCURRENCES or not objective.time_slice_window_s:
        keep = ~mask
        return Derived(engine=objective, report=objective, good=good * keep, total=total * keep)
    layout = SliceLayout.of(
        data, slice_s=objective.time_slice_window_s, phase=slice_phase(objective, end=end)
    )
    skipped = layout.expand(layout.any(mask)).astype(bool)
    keep = ~skipped
    real_good, real_total = good * keep, total * keep
    if objective.no_data is NoDataPolicy.SKIP:
        return Derived(engine=objective, report=objective, good=real_good, total=real_total)
    # Fold the good/bad policy into the row so the engine can run under ``skip``: every bucket
    # of a slice holds the slice's sums (a slice of p buckets sums to p × its counts: the same
    # ratio), and a silent slice holds one good (or bad) event per bucket. So no bucket of a
    # counted slice is silent, and "no events in the window" means "no counted slice" as the
    # good/bad policies define it.
    sums_good, sums_total = layout.sums(real_good), layout.sums(real_total)
    has = sums_total > 0
    silent_good = 1 if objective.no_data is NoDataPolicy.GOOD else 0
    slice_good = np.where(has, sums_good, silent_good).astype(np.int64)
    slice_total = np.where(has, sums_total, 1).astype(np.int64)
    engine = replace(objective, no_data=NoDataPolicy.SKIP, minimum_events=0)
    kept = ~layout.any(mask)
    return Derived(
        engine=engine,
        report=objective,
        good=layout.expand(slice_good).astype(np.int64) * keep,
        total=layout.expand(slice_total).astype(np.int64) * keep,
        events=real_total,
        silent=silent_marks(layout, ~has & kept, int(real_total.size)),
        policy=policy_label(objective),
        verdict=objective.no_data.value,
    )


def evaluate_corrected(
    objectives: Sequence[Objective],
    data: BucketMatrix,
    windows: Sequence[CorrectionWindow],
    *,
    at: datetime,
    now: datetime | None = None,
) -> list[Corrected]:
    """The corrected evaluation of each objective (None where no correction touches it)."""
    step = data.step
    end = align_down(to_epoch(at), step)
    n = int(data.good.shape[1])
    touched = [touching(windows, o, at=at, step=step) for o in objectives]
    items: list[Derived] = []
    positions: list[int] = []
    for i, (o, found) in enumerate(zip(objectives, touched, strict=True)):
        if not found:
            continue
        mask = bucket_mask(found, start=data.start, step=step, n=n)
        try:
            row = data.row(o.series)
        except ValueError:
            raise InputError(
                f"{o.key}: no data series {o.series!r} was loaded",
                hint="load the series the objective names into the bucket matrix",
            ) from None
        items.append(corrected_row(o, data.good[row], data.total[row], mask, data=data, end=end))
        positions.append(i)
    results: list[Corrected] = [Corrected(evaluation=None) for _ in objectives]
    evaluated = evaluate_derived(items, start=data.start, step=step, at=at, now=now)
    for i, result in zip(positions, evaluated, strict=True):
        results[i] = Corrected(evaluation=result, windows=touched[i])
    return results
