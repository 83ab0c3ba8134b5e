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


def bucket_downtime(
    commitment: AvailabilityCommitment,
    data: BucketMatrix | None,
    *,
    lo: int,
    hi: int,
    excluded: Sequence[intervals.Span],
    until: int | None = None,
) -> tuple[list[tuple[int, int, str]], Fraction, str | None]:
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
        return [], Fraction(0), "no whole measurement interval in the eligible time"
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
    in_runs = None if m.minimum_run_s is None else _in_long_runs(m, total, bad, keep)[inside]
    good, total, bad, starts, keep = (x[inside] for x in (good, total, bad, starts, keep))
    if m.source is DowntimeSource.MEAN_ERROR_RATE:
        if not keep.any():
            return [], Fraction(0), "every measurement interval is excluded"
        if int(total[keep].sum()) == 0:
            return [], Fraction(0), "no requests in the period"
        ratios = _exact_mean(bad[keep], total[keep])
        return [], ratios, None
    if int(total[keep].sum()) == 0:
        return [], Fraction(0), "no requests in the eligible time"
    is_down = _over_threshold(m, total, bad) if in_runs is None else in_runs
    down = []
    assert m.threshold is not None
    pct = 100 * m.threshold
    for i in np.flatnonzero(is_down & keep).tolist():
        ratio = Fraction(int(bad[i]), int(total[i]))
        down.append(
            (
                int(starts[i]),
                int(starts[i]) + size,
                f"{size // 60}-minute interval with {float(ratio) * 100:.2f} % errors "
                f"({int(bad[i])}/{int(total[i])}; threshold {float(pct):g} %)",
            )
        )
    return down, Fraction(0), None


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


def _in_long_runs(
    m: Measurement, total: np.ndarray, bad: np.ndarray, keep: np.ndarray
) -> np.ndarray:
    """Which intervals are down and lie in a maximal run of consecutive down intervals lasting
    at least ``minimum_run_s``. An interval without requests or touched by an exclusion is not
    down, so it ends a run."""
    assert m.minimum_run_s is not None
    down = _over_threshold(m, total, bad) & keep
    edges = np.diff(np.concatenate(([0], down.astype(np.int8), [0])))
    run_starts = np.flatnonzero(edges == 1)
    run_ends = np.flatnonzero(edges == -1)
    counted = np.zeros(down.size, dtype=bool)
    need = m.minimum_run_s // m.interval_s
    for s, e in zip(run_starts.tolist(), run_ends.tolist(), strict=True):
        if e - s >= need:
            counted[s:e] = True
    return counted


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
