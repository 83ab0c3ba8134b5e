"""Minutes a read of Prometheus got no data for: counted as no events, never over stored ones.

A server answers nothing for the minutes before its retention, or over a gap in its data
(``Counts.gaps``: no point of the total query, no sample of its counters within the
lookback). Reading such a range again must not replace the events a store holds there with
zeros — "re-running a range replaces it" is for a server that still has the data, and one
whose retention is shorter than the range asked for has not. So where the server has no data
(or only part of a minute's: no sample before it) and the store holds more events, the stored
minute is written back as it is, and the read says so (``Unanswered``); elsewhere the minute
has what was read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from covenant.core.promql import SeriesQueries
    from covenant.errors import SourceError
    from covenant.sources.prometheus.reads import Counts

    Fetched = tuple[list[Counts], SourceError | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Unanswered:
    """The minutes of one read the server had no data for, and the stored events kept."""

    minutes: int
    first: int  # the first such minute's start (epoch s)
    last: int  # the last one's end
    kept_good: int  # events the store held there, kept
    kept_total: int


def keep_stored(
    conn: Any, ready: Sequence[tuple[SeriesQueries, int, Fetched]], *, step: int
) -> tuple[list[tuple[SeriesQueries, int, Fetched]], dict[str, Unanswered]]:
    """``ready`` with the stored events of the buckets its parts have no data for put back in
    place of the zeros, and what each series' read had no data for."""
    from covenant.store.chunk_reads import read_matrix  # noqa: PLC0415

    found: dict[str, Unanswered] = {}
    out = []
    for r, start, (parts, error) in ready:
        kept_parts = []
        for c in parts:
            if c.gaps is None:
                kept_parts.append(c)
                continue
            gaps = c.gaps
            stored = read_matrix(
                conn, keys=[r.series], start=c.start, end=c.end, step=step, unread={}
            )
            size = c.total.size
            good, total = stored.good[0][:size], stored.total[0][:size]
            keep = gaps & (total > c.total)  # the store knows more events there
            kept_parts.append(
                replace(c, good=np.where(keep, good, c.good), total=np.where(keep, total, c.total))
                if keep.any()
                else c
            )
            where = np.flatnonzero(gaps)
            before = found.get(r.series)
            found[r.series] = Unanswered(
                minutes=(before.minutes if before else 0) + int(where.size),
                first=before.first if before else c.start + int(where[0]) * step,
                last=c.start + (int(where[-1]) + 1) * step,
                kept_good=(before.kept_good if before else 0) + int(good[keep].sum()),
                kept_total=(before.kept_total if before else 0) + int(total[keep].sum()),
            )
        out.append((r, start, (kept_parts, error)))
    return out, found
