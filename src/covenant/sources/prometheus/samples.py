"""Counts per bucket from a counter's raw samples: exact whatever the scrape instants.

``increase(x[1m])`` at an aligned instant is exact only when the samples lie on the minute
boundaries; with an ordinary scrape (every 15 s at :07.3, :22.3, …) Prometheus extrapolates it
to a fraction. Instead, Covenant asks for the samples themselves (an instant query of the range
selector ``x[…]``, which every Prometheus-compatible server answers with the stored samples)
and counts them here, per series:

- the events between two consecutive samples are the difference of their values, or the later
  value when it is lower (a counter reset: the counter restarted from zero);
- they are counted in the bucket of the later sample, bucket ``[a, a + step)`` holding the
  samples stamped in ``(a, a + step]`` (with samples on the boundaries this is exactly what
  ``increase`` over ``[t − step, t]`` gives);
- a series' first sample, and a sample more than ``LOOKBACK_S`` (Prometheus's staleness
  lookback, 5 minutes) after the previous one of its series, only sets a baseline: what
  happened before it is not known to have happened within a bucket (a new series, or one back
  from a silence, as the recording rules' ``S - S offset 1m`` and ``increase`` see it too).

So a bucket's count is exact *at sample resolution*: every event that a sample reports is
counted once, in the bucket of the first sample that reports it, whatever the scrape interval;
an event is placed at most one scrape interval late. The answer does not depend on how a range
is cut into parts: a part ``[lo, hi)`` is read with the ``LOOKBACK_S`` before it, which holds
the previous sample of every sample it counts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Generic, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from covenant.core.promql import parse_selector
from covenant.core.timeutil import from_epoch, utc_text
from covenant.errors import SourceAnswerError
from covenant.sources.prometheus.client import RawSeries

LOOKBACK_S = 300
"""A sample this long after the previous one of its series starts the count afresh."""

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class Labelled(Protocol):
    """A series of an answer: what :func:`matching` looks at."""

    @property
    def labels(self) -> Mapping[str, str]: ...


def narrower(first: str, total: str) -> tuple[tuple[str, str, str], ...] | None:
    """The matchers that pick ``first``'s series out of ``total``'s, when ``first`` is
    ``total`` with more equality matchers (``=``, ``!=``): then one read of ``total``'s
    samples gives both counts. None otherwise (both are read)."""
    a, b = parse_selector(first), parse_selector(total)
    if a is None or b is None or a.name != b.name or not set(b.matchers) <= set(a.matchers):
        return None
    extra = []
    for label, op, quoted in set(a.matchers) - set(b.matchers):
        if op not in ("=", "!=") or quoted[0] not in "\"'" or "\\" in quoted:
            return None
        extra.append((label, op, quoted[1:-1]))
    return tuple(sorted(extra))


Matchers = tuple[tuple[str, str, str], ...]
_S = TypeVar("_S", bound=Labelled)


def matching(answer: Sequence[_S], matchers: Matchers) -> list[_S]:
    """The series whose labels satisfy every equality matcher (a missing label is "")."""
    return [
        series
        for series in answer
        if all(
            (series.labels.get(label, "") == value) == (op == "=") for label, op, value in matchers
        )
    ]


class LabelIndex(Generic[_S]):
    """:func:`matching` for many reads of one answer, in answer order: a read's series are
    looked for among those with the value it fixes with ``=`` (of its labels, the one with
    the fewest such series; each label indexed on first use) instead of among every series
    (a group of 50 SLIs is asked for 100 series)."""

    def __init__(self, answer: Sequence[_S]) -> None:
        self.answer = answer
        self._by: dict[str, dict[str, list[_S]]] = {}

    def matching(self, matchers: Matchers) -> list[_S]:
        fewest: Sequence[_S] = self.answer
        for label, op, value in matchers:
            if op == "=":
                found = self._table(label).get(value, [])
                if len(found) < len(fewest):
                    fewest = found
        return matching(fewest, matchers)

    def _table(self, label: str) -> dict[str, list[_S]]:
        table = self._by.get(label)
        if table is None:
            table = {}
            for series in self.answer:
                table.setdefault(series.labels.get(label, ""), []).append(series)
            self._by[label] = table
        return table


def bucket_counts(
    answer: Sequence[RawSeries], *, lo: int, n: int, step: int, where: str
) -> Int64Array:
    """The events of the buckets ``[lo, lo + n·step)`` summed over every series of ``answer``
    (each series' samples from at least ``LOOKBACK_S`` before ``lo``)."""
    counts = np.zeros(n, dtype=np.int64)
    step_ms, lo_ms = step * 1000, lo * 1000
    for series in answer:
        t, v = series.times_ms, series.values
        if t.size == 0:
            continue
        order = np.argsort(t, kind="stable")
        if np.any(order != np.arange(t.size)):
            t, v = t[order], v[order]
        _check(series, t, v, where=where)
        values = v.astype(np.int64)
        previous = np.concatenate(([0], values[:-1]))
        increase = np.where(values >= previous, values - previous, values)
        fresh = np.concatenate(([True], np.diff(t) > LOOKBACK_S * 1000))
        increase[fresh] = 0
        slot = (t - 1 - lo_ms) // step_ms  # (a, a + step] → the bucket [a, a + step)
        keep = (slot >= 0) & (slot < n) & (increase > 0)
        if np.any(keep):
            np.add.at(counts, slot[keep], increase[keep])
    return counts


def unknown(answer: Sequence[RawSeries], *, lo: int, n: int, step: int) -> BoolArray:
    """The buckets of ``[lo, lo + n·step)`` the server has no baseline for: no sample of
    ``answer`` at the bucket's start or within ``LOOKBACK_S`` before it, so the events its
    samples in the bucket report (if any) are not all it had — before the server's
    retention, in a gap or after a silence (``Counts.gaps``)."""
    stamps = [s.times_ms for s in answer if s.times_ms.size]
    times = np.unique(np.concatenate(stamps)) if stamps else np.zeros(0, dtype=np.int64)
    starts = (lo + step * np.arange(n, dtype=np.int64)) * 1000
    last = np.searchsorted(times, starts, side="right") - 1
    seen = last >= 0
    seen[seen] = times[last[seen]] > starts[seen] - LOOKBACK_S * 1000
    return ~seen


def _check(series: RawSeries, t: Int64Array, v: npt.NDArray[np.float64], *, where: str) -> None:
    checks = (
        (~np.isfinite(v) | (v < 0), "not a counter value", "a counter is a finite number >= 0"),
        (
            v != np.floor(v),
            "not a whole number of events",
            "an SLI counter counts events: select a counter of requests, not of seconds or bytes",
        ),
        (v >= 2**53, "too large to be exact in a float", "count with a smaller counter"),
    )
    for mask, what, hint in checks:
        first = np.flatnonzero(mask)
        if first.size:
            i = int(first[0])
            raise SourceAnswerError(
                f"{where}: the sample {sample_text(float(v[i]))} of "
                f"{series_text(series.labels)} at {instant_ms_text(int(t[i]))} is {what}",
                hint=hint,
            )


def sample_text(value: float) -> str:
    """A sample's value as Prometheus writes it (``NaN``, ``+Inf``, ``-1``, ``2.5``,
    ``1e+300``), not as numpy shows it (``np.float64(nan)``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def series_text(labels: Mapping[str, str]) -> str:
    """A series as PromQL names it: ``req_total{job="api", le="0.3"}``."""
    name = labels.get("__name__", "")
    rest = ", ".join(
        f"{k}={json.dumps(v, ensure_ascii=False)}"
        for k, v in sorted(labels.items())
        if k != "__name__"
    )
    return f"{name}{{{rest}}}"


def instant_ms_text(ms: int) -> str:
    """A sample's instant in UTC to its millisecond: ``2026-12-04T13:41:10.250Z``."""
    whole, milli = divmod(ms, 1000)
    text = utc_text(from_epoch(whole))
    return f"{text[:-1]}.{milli:03d}Z" if milli else text
