"""What a read of minutes says about days (or hours) stored as their exact sums.

A first read by days stores some days, and some hours, as their exact sums
(``store.day_sums``, ``store.hour_pieces``). A later read of all their minutes replaces those
sums only when the minutes add up to exactly the stored good and total
(``store.bucket_ranges``, checked in the write's transaction): a server that answers with no
samples (retention shorter than the stored range, a renamed or relabelled series, another
server behind the same url) must not turn exact counts into nothing. Otherwise the sums stay
and the read fails with :func:`kept_error` (``source-sums-differ``); ``covenant ingest
prometheus``, the user's explicit read of a range, replaces them and says so
(:func:`replaced_text`).
"""

from __future__ import annotations

from collections.abc import Sequence

from covenant.core.timeutil import from_epoch
from covenant.errors import SumsDifferError
from covenant.store.bucket_ranges import SumsChange

DAY = 86400


def _iso(t: int) -> str:
    return from_epoch(t).strftime("%Y-%m-%dT%H:%M:%SZ")


def span_text(change: SumsChange) -> str:
    """The day (``2026-09-24``) or hour (``2026-09-24T13:00Z–14:00Z``) of a change."""
    if change.span == DAY:
        return f"the day {from_epoch(change.start).strftime('%Y-%m-%d')}"
    start = from_epoch(change.start).strftime("%Y-%m-%dT%H:%M")
    end = from_epoch(change.start + change.span).strftime("%H:%M")
    return f"the hour {start}–{end}Z"


def counts_text(good: int, total: int) -> str:
    return f"{good:,} good / {total:,} total"


def ingest_command(changes: Sequence[SumsChange]) -> str:
    """The ``covenant ingest prometheus`` that reads the spans of ``changes`` again."""
    lo = min(c.start for c in changes)
    hi = max(c.start + c.span for c in changes)
    return f"covenant ingest prometheus --from {_iso(lo)} --to {_iso(hi)}"


def kept_error(source: str, series: str, changes: Sequence[SumsChange]) -> SumsDifferError:
    """The read's error when minutes read did not add up to stored sums (which were kept)."""
    first = changes[0]
    more = len(changes) - 1
    others = f" (and {more} more day{'s' if more != 1 else ''} or hours)" if more else ""
    command = ingest_command(changes)
    return SumsDifferError(
        f"{source}, series {series!r}: the minutes read for {span_text(first)} add up to "
        f"{counts_text(first.read_good, first.read_total)} events, but the store holds its exact "
        f"sums, {counts_text(first.stored_good, first.stored_total)} (a first read by days)"
        f"{others}; the sums were kept, not replaced. The server no longer has those minutes "
        "as it had: its retention may be shorter than the stored range, the series may have "
        "been renamed or relabelled, or another server answers at the DataSource's url",
        hint=f"check the DataSource and the series, or restore the server's data; to replace "
        f"the sums knowingly with what the server has now, run {command} (with --slo for this "
        "SLI's SLOs)",
    )


def replaced_text(series: str, changes: Sequence[SumsChange]) -> list[str]:
    """One line per stored sums that an explicit read replaced by minutes adding up to other
    counts (``covenant ingest prometheus``)."""
    return [
        f"{series}: the exact sums of {span_text(c)}, {counts_text(c.stored_good, c.stored_total)}"
        f" (a first read by days), were replaced by the minutes read, "
        f"{counts_text(c.read_good, c.read_total)}"
        for c in changes
    ]
