"""Down time from the data a commitment is measured on, before exclusions are applied.

- ``incidents`` with ``components``/``atLeastDown``: the spans during which at least k of n
  named components have an incident at once (:func:`k_of_n_down`);
- ``bad-intervals``: whole measurement intervals whose error ratio meets the threshold, decided
  by an exact integer cross product; ``mean-error-rate``: the exact mean of the per-interval
  error ratios (:func:`bucket_downtime`).

Each down span comes as ``(start, end, reason)`` in epoch seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from covenant.core import intervals
from covenant.core.agreements import AvailabilityCommitment, DowntimeSource, Incident
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
) -> tuple[list[tuple[int, int, str]], Fraction, str | None]:
    """Down intervals (bad-interval source) or the mean interval error ratio (mean source)."""
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
    a = (first - data.start) // data.step
    b = (last - data.start) // data.step
    per = size // data.step
    good = data.good[row, a:b].reshape(-1, per).sum(axis=1)
    total = data.total[row, a:b].reshape(-1, per).sum(axis=1)
    bad = total - good
    starts = first + np.arange(good.size, dtype=np.int64) * size
    keep = np.ones(good.size, dtype=bool)
    for s, e in excluded:  # an interval touched by an exclusion is left out entirely
        keep &= ~((starts < e) & (starts + size > s))
    if m.source is DowntimeSource.MEAN_ERROR_RATE:
        if not keep.any():
            return [], Fraction(0), "every measurement interval is excluded"
        if int(total[keep].sum()) == 0:
            return [], Fraction(0), "no requests in the period"
        ratios = _exact_mean(bad[keep], total[keep])
        return [], ratios, None
    if int(total[keep].sum()) == 0:
        return [], Fraction(0), "no requests in the eligible time"
    assert m.threshold is not None
    num, den = m.threshold.numerator, m.threshold.denominator
    lhs = bad.astype(object) * den
    rhs = total.astype(object) * num
    is_down = (total > 0) & ((lhs >= rhs) if m.threshold_inclusive else (lhs > rhs)).astype(bool)
    down = []
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
