"""Down time from the data a commitment is measured on, before exclusions are applied.

- ``incidents`` with ``components``/``atLeastDown``: the spans during which at least k of n
  named components have an incident at once (:func:`k_of_n_down`);
- ``bad-intervals``: whole measurement intervals whose error ratio meets the threshold, decided
  by an exact integer cross product; ``mean-error-rate``: the exact mean of the per-interval
  error ratios (:func:`bucket_downtime`); with ``minimumRun`` only maximal runs of
  consecutive down intervals at least that long count, each whole, judged on the data around
  the measured span too (:func:`run_margin`).

Each down span comes as ``(start, end, reason)`` in epoch seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from covenant.core import intervals
from covenant.core.agreements import (
    AvailabilityCommitment,
    DowntimeSource,
    Incident,
    Measurement,
)
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import to_epoch
from covenant.errors import InputError


def k_of_n_down(
    components: Sequence[str],
    k: int,
    incidents: Sequence[Incident],
    severities: frozenset[str],
    open_end: int,
) -> list[tuple[int, int, str]]:
    """The spans during which at least ``k`` of ``components`` have an incident at once
    (AWS: "two or more Availability Zones"), each with the incidents behind it."""
    per: dict[str, list[intervals.Span]] = {c: [] for c in components}
    labelled: list[tuple[int, int, str]] = []
    for i in incidents:
        if severities and i.severity not in severities:
            continue
        span = (to_epoch(i.start), to_epoch(i.end) if i.end else open_end)
        hit = [c for c in components if c in i.services]
        for c in hit:
            per[c].append(span)
        if hit:
            labelled.append((*span, f"incident {i.id} ({', '.join(hit)})"))
    events: list[tuple[int, int]] = []
    for spans in per.values():
        for s, e in intervals.merge(spans):
            events += [(s, 1), (e, -1)]
    out: list[tuple[int, int, str]] = []
    count, since = 0, 0
    for moment, step in sorted(events):  # ends (-1) sort before starts (+1) at one instant
        before = count
        count += step
        if before < k <= count:
            since = moment
        elif count < k <= before and moment > since:
            reasons = [r for s, e, r in sorted(labelled) if s < moment and e > since]
            why = f"{k} or more of {len(components)} components down: " + "; ".join(reasons)
            out.append((since, moment, why))
    return out


class BucketDowntime(NamedTuple):
    """What :func:`bucket_downtime` found: the down intervals (each ``(start, end, reason)``),
    the mean interval error ratio (mean source), why there is no figure; and, with a minimum
    run, the bad intervals in ``[lo, hi)`` whose run was too short to count (``short``) and
    every maximal run of bad intervals with one in ``[lo, hi)`` — whole, as far as it was
    followed — with whether it counted (``runs``: ``(start, end, counted)``)."""

    down: list[tuple[int, int, str]]
    mean: Fraction
    no_data: str | None
    short: list[tuple[int, int, str]] = []  # noqa: RUF012 - never mutated
    runs: tuple[tuple[int, int, bool], ...] = ()


def run_reason(run_s: int, minimum_s: int, *, counted: bool) -> str:
    """What the evidence says of a run of bad intervals ``run_s`` long (the whole run)."""
    judged = (
        f"at least the {minimum_s // 60}-minute minimumRun: downtime"
        if counted
        else f"shorter than the {minimum_s // 60}-minute minimumRun: not downtime"
    )
    return f"part of a {run_s // 60}-minute run of bad intervals, {judged}"


def bucket_downtime(
    commitment: AvailabilityCommitment,
    data: BucketMatrix | None,
    *,
    lo: int,
    hi: int,
    excluded: Sequence[intervals.Span],
    until: int | None = None,
) -> BucketDowntime:
    """Down intervals (bad-interval source) or the mean interval error ratio (mean source).

    With a minimum run, a run is followed up to :func:`run_margin` outside ``[lo, hi)``, as far
    as ``data`` reaches and, after ``hi``, up to ``until`` (what has happened; default ``hi``):
    a run that starts before the period counts in it when the whole run is long enough.
    ``excluded`` must then hold the exclusions of that wider span too (an excluded interval
    ends a run)."""
    m = commitment.measurement
    size = m.interval_s
    if data is None or m.series not in data.keys:
        raise InputError(f"{commitment.name}: bucket data for series {m.series!r} is missing")
    if size % data.step:
        raise InputError(
            f"{commitment.name}: interval {size}s is not a multiple of the bucket step {data.step}s"
        )
    first = -(-lo // size) * size  # whole intervals inside the eligible range
    last = hi // size * size
    if last <= first:
        return BucketDowntime([], Fraction(0), "no whole measurement interval in the eligible time")
    if first < data.start or last > data.end:
        raise InputError(f"{commitment.name}: bucket data does not cover the period")
    row = data.row(m.series)
    margin = run_margin(m)
    ahead = min(data.end, hi if until is None else max(until, hi))
    before = min(margin, max(first - data.start, 0) // size * size)
    after = min(margin, max(ahead - last, 0) // size * size)
    a = (first - before - data.start) // data.step
    b = (last + after - data.start) // data.step
    per = size // data.step
    good = data.good[row, a:b].reshape(-1, per).sum(axis=1)
    total = data.total[row, a:b].reshape(-1, per).sum(axis=1)
    bad = total - good
    starts = first - before + np.arange(good.size, dtype=np.int64) * size
    keep = np.ones(good.size, dtype=bool)
    for s, e in excluded:  # an interval touched by an exclusion is left out entirely
        keep &= ~((starts < e) & (starts + size > s))
    inside = slice(before // size, good.size - after // size)  # the intervals in [lo, hi)
    lengths = None if m.minimum_run_s is None else _run_lengths(m, total, bad, keep)
    runs: tuple[tuple[int, int, bool], ...] = ()
    if lengths is not None:
        need = (m.minimum_run_s or 0) // size
        runs = _runs_inside(lengths, starts, size, need, inside)
    in_runs = None if lengths is None else (lengths >= need)[inside]
    short_runs = None if lengths is None else ((lengths > 0) & (lengths < need))[inside]
    good, total, bad, starts, keep = (x[inside] for x in (good, total, bad, starts, keep))
    if m.source is DowntimeSource.MEAN_ERROR_RATE:
        if not keep.any():
            return BucketDowntime([], Fraction(0), "every measurement interval is excluded")
        if int(total[keep].sum()) == 0:
            return BucketDowntime([], Fraction(0), "no requests in the period")
        ratios = _exact_mean(bad[keep], total[keep])
        return BucketDowntime([], ratios, None)
    if int(total[keep].sum()) == 0:
        return BucketDowntime([], Fraction(0), "no requests in the eligible time")
    is_down = _over_threshold(m, total, bad) if in_runs is None else in_runs
    assert m.threshold is not None
    pct = 100 * m.threshold

    def labelled(which: np.ndarray) -> list[tuple[int, int, str]]:
        out = []
        for i in np.flatnonzero(which & keep).tolist():
            ratio = Fraction(int(bad[i]), int(total[i]))
            out.append(
                (
                    int(starts[i]),
                    int(starts[i]) + size,
                    f"{size // 60}-minute interval with {float(ratio) * 100:.2f} % errors "
                    f"({int(bad[i])}/{int(total[i])}; threshold {float(pct):g} %)",
                )
            )
        return out

    short = [] if short_runs is None else labelled(short_runs)
    return BucketDowntime(labelled(is_down), Fraction(0), None, short, runs)


def run_margin(m: Measurement) -> int:
    """How far before and after the measured span a run of down intervals is followed: one
    interval short of the minimum run (0 without one). Readers of bucket data and exclusions
    widen what they read by it, so a run that crosses a period's bound is judged whole."""
    return 0 if m.minimum_run_s is None else m.minimum_run_s - m.interval_s


def _over_threshold(m: Measurement, total: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """Which intervals had requests and an error ratio at (``threshold_inclusive``) or over the
    threshold, compared exactly as integers (``bad × den`` against ``total × num``)."""
    assert m.threshold is not None
    num, den = m.threshold.numerator, m.threshold.denominator
    lhs = bad.astype(object) * den
    rhs = total.astype(object) * num
    hit = (lhs >= rhs) if m.threshold_inclusive else (lhs > rhs)
    over: np.ndarray = (total > 0) & hit.astype(bool)
    return over


def _run_lengths(
    m: Measurement, total: np.ndarray, bad: np.ndarray, keep: np.ndarray
) -> np.ndarray:
    """Per interval, how many intervals long the maximal run of consecutive down intervals it
    lies in is (0: the interval is not down). An interval without requests or touched by an
    exclusion is not down, so it ends a run."""
    down = _over_threshold(m, total, bad) & keep
    edges = np.diff(np.concatenate(([0], down.astype(np.int8), [0])))
    run_starts = np.flatnonzero(edges == 1)
    run_ends = np.flatnonzero(edges == -1)
    lengths = np.zeros(down.size, dtype=np.int64)
    for s, e in zip(run_starts.tolist(), run_ends.tolist(), strict=True):
        lengths[s:e] = e - s
    return lengths


def _runs_inside(
    lengths: np.ndarray, starts: np.ndarray, size: int, need: int, inside: slice
) -> tuple[tuple[int, int, bool], ...]:
    """Each maximal run of down intervals with an interval in ``inside``: its whole span (as
    far as it was followed) and whether it is at least ``need`` intervals long."""
    found = []
    i, stop = inside.start, inside.stop
    while i < stop:
        if lengths[i] == 0:
            i += 1
            continue
        first = i  # a run that began before ``inside``: back to its first interval
        while first > 0 and lengths[first - 1] > 0:
            first -= 1
        n = int(lengths[i])
        start = int(starts[first])
        found.append((start, start + n * size, n >= need))
        i = first + n
    return tuple(found)


def _exact_mean(bad: np.ndarray, total: np.ndarray) -> Fraction:
    """Mean of per-interval error ratios, exact; an interval without requests counts as 0."""
    n = bad.size
    busy = total > 0
    denominators, inverse = np.unique(total[busy], return_inverse=True)
    numerators = np.zeros(denominators.size, dtype=np.int64)
    np.add.at(numerators, inverse, bad[busy].astype(np.int64))
    acc = sum(
        (Fraction(int(b), int(t)) for t, b in zip(denominators, numerators, strict=True) if b),
        Fraction(0),
    )
    return acc / n
