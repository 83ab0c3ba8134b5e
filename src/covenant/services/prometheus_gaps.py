"""Minutes a read of Prometheus got no data for: counted as no events, never over stored ones.

A server answers nothing for the minutes before its retention, or over a gap in its data
(``Counts.gaps``: no sample of the total's counters at a minute's start or within the lookback
before it; a ``{{.window}}`` query's minute without a point is one without events). Reading
such a range again must not replace the events a store holds there with zeros — "re-running a
range replaces it" is for a server that still has the data, and one whose retention is
shorter than the range asked for has not. So where the server has no data (or only part of a
minute's: no sample before it) and the store holds more events, the stored minute is written
back as it is; a day stored as sums (or with summed hours) the server lacks minutes of is not
written at all, so its sums stay; and the read says so (``Unanswered``). Elsewhere the minute
has what was read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from covenant.core.model import DAY
from covenant.core.timeutil import from_epoch, utc_text
from covenant.errors import SumsDifferError

if TYPE_CHECKING:
    from covenant.core.promql import SeriesQueries
    from covenant.errors import SourceError
    from covenant.sources.prometheus.reads import Counts

    Fetched = tuple[list[Counts], SourceError | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Unanswered:
    """The minutes of one read the server had no data for, and what was kept of the store's."""

    minutes: int
    first: int  # the first such minute's start (epoch s)
    last: int  # the last one's end
    kept_good: int  # events the store held there, more than were read, kept
    kept_total: int
    left: int = 0  # minutes of days (hours) stored as sums, not written: the sums stay
    left_from: int | None = None  # the first of them (epoch s)
    spans: tuple[tuple[int, int], ...] = ()  # each gap: its runs of minutes, [start, end)

    def then(self, later: Unanswered) -> Unanswered:
        """These minutes and a later part's (a gap across the parts' edge is one)."""
        spans = self.spans + later.spans
        if self.spans and later.spans and self.spans[-1][1] == later.spans[0][0]:
            joined = (self.spans[-1][0], later.spans[0][1])
            spans = (*self.spans[:-1], joined, *later.spans[1:])
        return Unanswered(
            spans=spans,
            minutes=self.minutes + later.minutes,
            first=self.first,
            last=later.last,
            kept_good=self.kept_good + later.kept_good,
            kept_total=self.kept_total + later.kept_total,
            left=self.left + later.left,
            left_from=self.left_from if self.left_from is not None else later.left_from,
        )


def keep_stored(
    conn: Any, ready: Sequence[tuple[SeriesQueries, int, Fetched]], *, step: int
) -> tuple[list[tuple[SeriesQueries, int, Fetched]], dict[str, Unanswered]]:
    """``ready`` with what the store knows better where the server has no data: a minute the
    store holds more events for is written back as stored, and the minutes of a day stored as
    sums only (or with summed hours) are not written at all when the server lacks any of them,
    so its sums stay (a part may then be written as several pieces). Also what each series'
    read had no data for."""
    from covenant.store.chunk_reads import read_matrix  # noqa: PLC0415

    found: dict[str, Unanswered] = {}
    out = []
    for r, start, (parts, error) in ready:
        pieces: list[Counts] = []
        for c in parts:
            if c.gaps is None:
                pieces.append(c)
                continue
            gaps = c.gaps
            unread: dict[int, set[int]] = {}
            stored = read_matrix(
                conn, keys=[r.series], start=c.start, end=c.end, step=step, unread=unread
            )
            size = c.total.size
            good, total = stored.good[0][:size], stored.total[0][:size]
            keep = gaps & (total > c.total)  # the store knows more events there
            write = np.ones(size, dtype=bool)
            for day in sorted({d for days in unread.values() for d in days}):
                lo = (max(day, c.start) - c.start) // step
                hi = (min(day + DAY, c.end) - c.start) // step
                if gaps[lo:hi].any():  # the sums stay: none of the day is written
                    write[lo:hi] = False
            keep &= write
            g = np.where(keep, good, c.good)
            t = np.where(keep, total, c.total)
            pieces += _runs(c, g, t, write)
            where, unwritten = np.flatnonzero(gaps), np.flatnonzero(~write)
            part = Unanswered(
                minutes=int(where.size),
                first=c.start + int(where[0]) * step,
                last=c.start + (int(where[-1]) + 1) * step,
                kept_good=int(good[keep].sum()),
                kept_total=int(total[keep].sum()),
                left=int(unwritten.size),
                left_from=c.start + int(unwritten[0]) * step if unwritten.size else None,
                spans=_spans(gaps, c.start, step),
            )
            before = found.get(r.series)
            found[r.series] = part if before is None else before.then(part)
        out.append((r, start, (pieces, error)))
    return out, found


def _spans(gaps: Any, start: int, step: int) -> tuple[tuple[int, int], ...]:
    """The runs of minutes ``gaps`` marks, as [start, end) instants (epoch s)."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], gaps.astype(np.int8), [0]))))
    return tuple(
        (start + int(a) * step, start + int(b) * step)
        for a, b in zip(edges[::2], edges[1::2], strict=True)
    )


def _runs(c: Counts, good: Any, total: Any, write: Any) -> list[Counts]:
    """``c`` with ``good`` and ``total``, as the runs of buckets ``write`` keeps."""
    if write.all():
        return [replace(c, good=good, total=total)]
    edges = np.flatnonzero(np.diff(np.concatenate(([0], write.astype(np.int8), [0]))))
    return [
        replace(
            c,
            start=c.start + int(a) * c.step,
            good=good[a:b],
            total=total[a:b],
            gaps=None if c.gaps is None else c.gaps[a:b],
        )
        for a, b in zip(edges[::2], edges[1::2], strict=True)
    ]


def left_error(source: str, series: str, gap: Unanswered) -> SumsDifferError:
    """The error of a read that left days (hours) stored as sums because the server has no
    data for some of their minutes (a read that replaces sums only by what adds up to them)."""
    assert gap.left_from is not None
    return SumsDifferError(
        f"{source}, series {series!r}: the server has no data for {gap.left:,} minutes of days "
        f"(hours) stored as their exact sums, from {utc_text(from_epoch(gap.left_from))} (a "
        "first read by days): the sums were kept. Its retention may be shorter than the "
        "stored range, or another server answers at the DataSource's url",
        hint="check the DataSource, or restore the server's data; the sums stand meanwhile",
    )
