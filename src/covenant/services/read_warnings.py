"""What a read of Prometheus says beside its counts: warnings a user should see."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from covenant.core.timeutil import from_epoch, to_epoch, utc_text
from covenant.services.no_series import no_series_reason

if TYPE_CHECKING:
    from covenant.core.promql import SeriesQueries
    from covenant.services.prometheus import ReadReport
    from covenant.services.prometheus_gaps import Unanswered

NOTHING_GOOD_S = 3600
"""A read this long (or longer) whose good query counted nothing while its total counted
events is worth a word (:func:`nothing_good`); a minute of only failures is not."""


def nothing_good(reports: Sequence[ReadReport], reads: Sequence[SeriesQueries]) -> list[str]:
    """A warning for each read of an SLI with a good query that counted no event over an hour
    or more while its total counted some: a typo in the good query's metric or labels matches
    no series, which reads as 0 % good (and pages), not as no data."""
    with_good = {r.series for r in reads if r.good is not None}
    return [
        f"{r.series}: its good query counted no event from {utc_text(r.start)} to "
        f"{utc_text(r.read_until)} while its total counted {r.total:,}: check the good "
        "query's metric name and labels (a query that matches no series reads as 0 % good)"
        for r in reports
        if r.series in with_good
        and r.good == 0
        and r.total > 0
        and (r.read_until - r.start).total_seconds() >= NOTHING_GOOD_S
    ]


def no_series(reports: Sequence[ReadReport]) -> list[str]:
    """A warning for each read whose total query matched no series over all of it: what
    ``covenant evaluate`` says of its SLOs (a misspelt metric or label, most often), rather
    than "no data … before its retention, or a gap" (``unanswered`` leaves such reads out)."""
    return [
        f"{r.series}: "
        + no_series_reason(
            r.no_series, source=r.source, since=to_epoch(r.start), until=to_epoch(r.read_until)
        )
        for r in reports
        if r.no_series is not None and r.error is None
    ]


def unanswered(reports: Sequence[ReadReport]) -> list[str]:
    """A line for each read that got no data from the server for some of its minutes (before
    its retention, or a gap): counted as no events, or, where the store held events, kept.
    A read whose total query matched no series at all is ``no_series``'s."""
    lines = []
    for r in reports:
        gap = r.unanswered
        if gap is None or (r.no_series is not None and r.error is None):
            continue
        said = (
            f"{r.series}: {r.source} has no data for {gap.minutes:,} of the minutes read, "
            f"{gaps_text(gap)} (before its retention, or a gap in its data): "
        )
        kept = []
        if gap.kept_total:
            kept.append(
                f"the store's counts were kept where they were higher ({gap.kept_total:,} "
                f"events, {gap.kept_good:,} good)"
            )
        if gap.left:
            kept.append(f"{gap.left:,} minutes of days stored as sums were left as they are")
        if kept:
            said += ", ".join(kept) + "; the rest count what the server had"
        else:
            said += "they count only the events the server had"
        lines.append(said)
    return lines


GAPS_SHOWN = 3  # the gaps a line names; the others are counted


def gaps_text(gap: Unanswered) -> str:
    """Each gap of ``gap`` with its instants and length, the first :data:`GAPS_SHOWN` of them
    and how many more; one gap as from … to … (its length is the minutes counted)."""
    spans = gap.spans or ((gap.first, gap.last),)

    def one(span: tuple[int, int]) -> str:
        a, b = span
        length = (b - a) // 60
        return (
            f"{utc_text(from_epoch(a))} to {utc_text(from_epoch(b))} "
            f"({length:,} minute{'' if length == 1 else 's'})"
        )

    if len(spans) == 1:  # its length is the minutes'
        return f"from {utc_text(from_epoch(spans[0][0]))} to {utc_text(from_epoch(spans[0][1]))}"
    shown = ", ".join(one(span) for span in spans[:GAPS_SHOWN])
    more = len(spans) - GAPS_SHOWN
    return f"in {len(spans)} gaps: {shown}" + (f" and {more} more" if more > 0 else "")


def requeried(reports: Sequence[ReadReport]) -> list[str]:
    """A line for each SLI whose query changed since it was last read: the counts read with
    the old query were set aside (``store.source_queries``), and it was read as new, or those
    its new query had been read with before were restored."""
    first: dict[str, ReadReport] = {}
    for r in reports:
        if r.query_changed is not None and (
            r.series not in first or r.start < first[r.series].start
        ):
            first[r.series] = r
    lines = []
    for series, r in first.items():
        change = r.query_changed
        assert change is not None
        days = change.days_aside
        aside = f"{days:,} day{'' if days == 1 else 's'}"
        said = (
            f"{series}: its query changed since it was last read: the counts read with the old "
            f"query ({aside}) are set aside, kept but not used, and "
        )
        if change.restored:
            until = change.restored_until
            said += "those read with this query before are used again" + (
                "" if until is None else f" (read up to {utc_text(from_epoch(until))})"
            )
        else:
            said += f"it was read as new from {utc_text(r.start)}"
        lines.append(said)
    return lines
