"""An SLI's ``(good, total)`` per bucket read with ``query_range``, range by range.

Bucket ``[t − step, t)`` gets the value each query has at the instant ``t`` (the convention in
``covenant.core.promql``: the count of the window ending at ``t``). Good (or bad) and total are
asked for the same ``start``, ``end`` and ``step``, so they hold the same instants. A long
range is cut into parts of at most ``max_points`` instants (Prometheus refuses more than
11,000 points per series); each part is yielded when it is read, so the caller can keep what
was read before a later part fails.

Counters (the convention's ``sum(increase(S[{{.window}}]))``, which counter and histogram SLIs
become) are not asked for ``increase``: their stored samples are read and counted here
(``samples``), exact whatever the scrape instants. Any other ``{{.window}}`` query is asked
with ``query_range`` as written, and its value must come back as a whole number: a fraction
(e.g. an extrapolated ``increase`` over unaligned samples) is refused (``source-bad-answer``)
with the reason, never rounded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from covenant.core.promql import Match, SeriesQueries, raw_selector, window
from covenant.core.timeutil import from_epoch, utc_text
from covenant.errors import InputError, SourceAnswerError
from covenant.sources.prometheus.client import (
    PrometheusClient,
    Series,
    SourceTooManySamplesError,
)
from covenant.sources.prometheus.samples import (
    LOOKBACK_S,
    bucket_counts,
    matching,
    narrower,
    sample_text,
    unknown,
)

MAX_POINTS = 11_000
"""Prometheus's limit of points per series in one ``query_range`` answer."""

EXACTNESS = (
    "a {{.window}} query must give whole counts (increase() and rate() extrapolate over samples "
    "that are not on the step's boundaries): write a counter as a selector or "
    "sum(increase(selector[{{.window}}])), which Covenant counts from its samples; see "
    "docs/prometheus.md#exactness"
)

Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Counts:
    """``good`` and ``total`` of the buckets ``[start, start + len * step)``."""

    start: int
    step: int
    good: Int64Array
    total: Int64Array
    gaps: npt.NDArray[np.bool_] | None = None
    """The buckets the server had no data for (no sample of the total's counters at their
    start or within the lookback before: ``samples.unknown``): counted as what their samples
    report, but not known to be all (``services.prometheus_gaps`` keeps what the store knows
    better). None: there were none. A ``{{.window}}`` query's minute without a point is one
    without events, never a gap."""
    first_found: bool = True
    """Whether the good (bad) query matched any series in Prometheus over the part (its
    samples' lookback included): False is "matched no series", not "counted 0 events"."""
    total_found: bool = True
    """The same for the total query (a misspelt metric or label matches nothing)."""
    answered_from: int | None = None
    """The start (epoch s) of the first bucket the server answered for: a sample of the total's
    counters at its start or within the lookback before (not a gap), or a point of a
    ``{{.window}}`` total query — a quiet service's minute without requests is answered, a
    minute before the counters existed (or the server's retention) is not. None: none was."""

    @property
    def end(self) -> int:
        return self.start + int(self.total.size) * self.step


def unmatched(parts: Sequence[Counts]) -> tuple[Match, Match]:
    """Whether the good (bad) and total queries of a series read as ``parts`` (in order)
    matched any series in its last part; when not, the start of the trailing run of parts
    that matched none, and whether that run is every part (``core.promql.Match``)."""
    found: list[Match] = []
    for flag in ("first_found", "total_found"):
        run = len(parts)
        while run > 0 and not getattr(parts[run - 1], flag):
            run -= 1
        if run == len(parts):
            found.append((True, None, False))
        else:
            found.append((False, parts[run].start, run == 0))
    return found[0], found[1]


def parts(
    start: int, end: int, *, step: int, max_points: int = MAX_POINTS
) -> list[tuple[int, int]]:
    """``[start, end)`` cut into ranges of at most ``max_points`` buckets (aligned to ``step``)."""
    if step <= 0 or start % step or end % step:
        raise InputError(f"the range {start}…{end} is not aligned to the step {step}s")
    size = max(1, max_points) * step
    return [(lo, min(lo + size, end)) for lo in range(start, end, size)]


def read_counts(
    client: PrometheusClient,
    queries: SeriesQueries,
    *,
    start: int,
    end: int,
    step: int,
    max_points: int = MAX_POINTS,
) -> Iterator[Counts]:
    """The counts of ``[start, end)``, one part at a time (raises ``SourceError`` on a part)."""
    first, total = queries.bad if queries.good is None else queries.good, queries.total
    assert first is not None
    is_bad = queries.good is None
    where = f"{queries.source.name}, series {queries.series!r}"
    first_sel, total_sel = raw_selector(first), raw_selector(total)
    subset = narrower(first_sel, total_sel) if first_sel and total_sel else None

    def read(lo: int, hi: int) -> Reading:
        if subset is not None and total_sel is not None:  # one read gives both
            n = (hi - lo) // step
            answer = client.samples(total_sel, start=lo - LOOKBACK_S, end=hi)
            picked = matching(answer, subset)
            f = bucket_counts(picked, lo=lo, n=n, step=step, where=where).astype(np.float64)
            t = bucket_counts(answer, lo=lo, n=n, step=step, where=where).astype(np.float64)
            return f, t, unknown(answer, lo=lo, n=n, step=step), (bool(picked), bool(answer))
        f, _, f_found = _read(client, first, lo=lo, hi=hi, step=step, where=where)
        t, gaps, t_found = _read(client, total, lo=lo, hi=hi, step=step, where=where)
        return f, t, gaps, (f_found, t_found)

    for lo, hi in parts(start, end, step=step, max_points=max_points):
        f, t, gaps, (f_found, t_found) = halving(read, lo=lo, hi=hi, step=step)
        if not t_found:  # the total query matched no series: no total for the good (bad)
            f = np.zeros_like(f)  # events to be part of (the SLO is no data naming it)
        if queries.bucket is not None and np.nansum(f) == 0 and np.nansum(t) > 0:
            _check_bound(client, queries.bucket, lo=lo, hi=hi, where=where)
        counts = combine(f, t, lo=lo, step=step, is_bad=is_bad, where=where, gaps=gaps)
        heard = np.flatnonzero(~gaps & ~np.isnan(t) & t_found)
        answered = lo + int(heard[0]) * step if heard.size else None
        yield replace(counts, first_found=f_found, total_found=t_found, answered_from=answered)


def _check_bound(
    client: PrometheusClient, bucket: tuple[str, tuple[str, ...]], *, lo: int, hi: int, where: str
) -> None:
    """A histogram SLI whose threshold bucket counted nothing while its count counted events:
    fine when the bucket is there (nothing was that fast), refused naming the bounds there are
    when it is not (a threshold that is no bound, or in another unit, would read as 0 %)."""
    selector, spellings = bucket
    answer = client.label_sets(
        f"group by (le) (last_over_time({selector}[{hi - lo + LOOKBACK_S}s]))", at=hi
    )
    bounds = sorted({s["le"] for s in answer if "le" in s}, key=_bound_order)
    if _bound_order(spellings[0]) in map(_bound_order, bounds):  # "0.50" is the bound 0.5
        return
    name = selector.split("{", 1)[0]
    there = f"its bounds there: {', '.join(bounds)}" if bounds else "it has no le series there"
    raise SourceAnswerError(
        f'{where}: the histogram {name} has no bucket le="{spellings[0]}" from '
        f"{utc_text(from_epoch(lo))} to {utc_text(from_epoch(hi))} ({there}), while its count "
        "counted events",
        hint="set the objective's value to one of the histogram's bounds, in its unit (a "
        "*_seconds histogram: 0.3 for 300 ms)",
    )


def _bound_order(le: str) -> float:
    try:
        return float(le)
    except ValueError:
        return float("inf")


Reading = tuple[
    npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_], tuple[bool, bool]
]
"""A range's first (good or bad) and total counts per bucket, its ``Counts.gaps``, and
whether each query matched any series (``Counts.first_found``, ``Counts.total_found``)."""


def halving(read: Callable[[int, int], Reading], *, lo: int, hi: int, step: int) -> Reading:
    """``read(lo, hi)``; when the server refuses it for loading too many samples
    (``query.max-samples``), the two halves of the range read alike (down to one bucket, which
    is refused with the server's message) and joined."""
    try:
        return read(lo, hi)
    except SourceTooManySamplesError:
        n = (hi - lo) // step
        if n <= 1:
            raise
    mid = lo + n // 2 * step
    first = halving(read, lo=lo, hi=mid, step=step)
    second = halving(read, lo=mid, hi=hi, step=step)
    return (
        np.concatenate((first[0], second[0])),
        np.concatenate((first[1], second[1])),
        np.concatenate((first[2], second[2])),
        (first[3][0] or second[3][0], first[3][1] or second[3][1]),
    )


def _read(
    client: PrometheusClient,
    template: str,
    *,
    lo: int,
    hi: int,
    step: int,
    where: str,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], bool]:
    """The count of each bucket of ``[lo, hi)`` (NaN: no point), from the counter's samples or
    the query's ``query_range`` points, the buckets the server had no data for (no
    baseline sample, ``samples.unknown``; no point), and whether the answer held a series."""
    n = (hi - lo) // step
    selector = raw_selector(template)
    if selector is not None:
        answer = client.samples(selector, start=lo - LOOKBACK_S, end=hi)
        counts = bucket_counts(answer, lo=lo, n=n, step=step, where=where).astype(np.float64)
        return counts, unknown(answer, lo=lo, n=n, step=step), bool(answer)
    query = window(template, step)
    # instants lo + step … hi: the ends of the buckets lo … hi − step
    points = client.query_range(query, start=lo + step, end=hi, step=step)
    values = _values(points, lo=lo, n=n, step=step, query=query, where=where)
    # a minute without a point is one without events (no series: a 5xx counter before its
    # first error), not one the server has no data for: only samples tell that
    return values, np.zeros(n, dtype=np.bool_), bool(points)


def _values(
    answer: list[Series], *, lo: int, n: int, step: int, query: str, where: str
) -> npt.NDArray[np.float64]:
    """One value per bucket (NaN where the query had no point), checked to be exact counts."""
    if len(answer) > 1:
        raise SourceAnswerError(
            f"{where}: {query!r} returned {len(answer)} series, not one",
            hint="sum it into one series, e.g. sum(...) around the query",
        )
    values = np.full(n, np.nan)
    if not answer:
        return values
    series = answer[0]
    slot, off = np.divmod(series.times - lo - step, step)
    wrong = np.flatnonzero((off != 0) | (slot < 0) | (slot >= n))
    if wrong.size:
        raise SourceAnswerError(
            f"{where}: a point at {series.times[wrong[0]]} is not one of the instants asked for",
            hint="the server does not honour start/end/step: check the url",
        )
    v = series.values
    checks = (
        (~np.isfinite(v) | (v < 0), "not a count", "a count query must give a finite number >= 0"),
        (v != np.floor(v), "not a whole number of events", EXACTNESS),
        (v >= 2**53, "too large to be exact in a float", "count in a shorter step"),
    )
    for mask, what, hint in checks:
        first = np.flatnonzero(mask)
        if first.size:
            i = int(first[0])
            at = utc_text(from_epoch(int(series.times[i])))
            raise SourceAnswerError(
                f"{where}: {query!r} gave {sample_text(float(v[i]))} at {at}, {what}", hint=hint
            )
    values[slot] = v
    return values


def combine(
    first: npt.NDArray[np.float64],
    total: npt.NDArray[np.float64],
    *,
    lo: int,
    step: int,
    is_bad: bool,
    where: str,
    gaps: npt.NDArray[np.bool_] | None = None,
) -> Counts:
    """Good and total per bucket; no point at all is a bucket without events. ``gaps``: the
    buckets the server had no data for (``Counts.gaps``: counters without a baseline sample)."""
    missing = np.zeros(total.size, dtype=np.bool_) if gaps is None else gaps
    lonely = np.flatnonzero(np.isnan(total) & ~np.isnan(first) & (np.nan_to_num(first) > 0))
    if lonely.size:
        at = utc_text(from_epoch(lo + (int(lonely[0]) + 1) * step))
        raise SourceAnswerError(
            f"{where}: {'bad' if is_bad else 'good'} events but no total in the minute ending {at}",
            hint="the total query must count every event the good (bad) query counts: does "
            "it match the series there?",
        )
    f = np.nan_to_num(first, nan=0.0).astype(np.int64)
    t = np.nan_to_num(total, nan=0.0).astype(np.int64)
    over = np.flatnonzero(f > t)
    if over.size:
        i = int(over[0])
        at = utc_text(from_epoch(lo + (i + 1) * step))
        raise SourceAnswerError(
            f"{where}: {'bad' if is_bad else 'good'} {f[i]} exceeds total {t[i]} in the "
            f"minute ending {at}",
            hint="the good (bad) query must count a subset of the total query's events: "
            + ("does the total query match the series there?" if t[i] == 0 else "check both"),
        )
    good = t - f if is_bad else f
    return Counts(start=lo, step=step, good=good, total=t, gaps=missing if missing.any() else None)
