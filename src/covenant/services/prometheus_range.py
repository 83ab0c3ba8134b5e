"""What ``covenant ingest prometheus`` reads: the SLOs named (``--slo``), and ``--from`` and
``--to`` as bucket instants."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from covenant.core.timeutil import from_epoch, require_utc, to_epoch, utc_text
from covenant.errors import InputError

if TYPE_CHECKING:
    from covenant.core.promql import SeriesQueries
    from covenant.store.source_state import SourceState


def aligned(moment: datetime, step: int, *, what: str) -> int:
    """``moment`` as epoch seconds, floored to the bucket step."""
    seconds = to_epoch(require_utc(moment, what=what))
    return seconds - seconds % step


def read_range(start: datetime, end: datetime, *, step: int, now: datetime) -> tuple[int, int]:
    """``[start, end)`` floored to ``step``, ending at ``now`` at the latest.

    The minutes after now have no samples yet: read as empty, they were stored as zeros and the
    series' read frontier moved past now (``--to +3M``), so every catch-up after it skipped the
    minutes as they came, until that date. A ``--to`` after now reads up to now (the report's
    "read until" says so); a ``--from`` not before now is an error.
    """
    lo = aligned(start, step, what="--from")
    hi = aligned(end, step, what="--to")
    first, last = utc_text(from_epoch(lo)), utc_text(from_epoch(hi))
    current = aligned(now, step, what="now")
    if lo >= current:  # first: a --from in the future is the mistake, whatever --to is
        raise InputError.naming(
            "{read_from} ({first}) is not before now ({now}): minutes after now cannot be read yet",
            hint="give {read_from} in the past, e.g. -1d",
            first=first,
            now=utc_text(from_epoch(current)),
        )
    if hi <= lo:
        raise InputError.naming(
            "{read_to} ({last}) must be after {read_from} ({first}) by at least one bucket "
            "({step}s)",
            hint="give an earlier {read_from} or a later {read_to}"
            + (" (the two look swapped)" if hi < lo else ""),
            first=first,
            last=last,
            step=step,
        )
    return lo, min(hi, current)


def future_frontier(state: SourceState, *, otherwise: int, lag_s: int) -> int:
    """Where a catch-up starts for a series whose read frontier is after now: an ingest before
    :func:`read_range` capped ``--to`` stored the minutes after its own instant as zeros and
    recorded the future as read, so every catch-up since skipped the minutes as they came.
    Those minutes are read again from that read's instant (``updated_at``, less the lag a
    catch-up leaves; ``otherwise`` when unknown) and replace the zeros; the frontier then
    moves back to where the reads really are (``record_reads`` takes a frontier after the
    write's own instant as wrong)."""
    if state.updated_at is None:
        return otherwise
    return to_epoch(state.updated_at) - lag_s


def select_reads(
    reads: Sequence[SeriesQueries],
    *,
    slos: Sequence[str] = (),
    unreadable: dict[str, str] | None = None,
) -> list[SeriesQueries]:
    """The reads of the named SLOs (all without names); a name that cannot be read is an error
    that says why."""
    if not slos:
        return list(reads)
    chosen = [r for r in reads if set(r.slos) & set(slos)]
    missing = [name for name in slos if not any(name in r.slos for r in reads)]
    if missing:
        from covenant.definitions.diagnostics import did_you_mean  # noqa: PLC0415 (error path)

        name = missing[0]
        why = (unreadable or {}).get(name)
        known = sorted({s for r in reads for s in r.slos} | set(unreadable or {}))
        close = "" if why else did_you_mean(name, known)
        raise InputError(
            f"SLO {name!r} cannot be read from Prometheus"
            + (f": {why}" if why else ": no such SLO reads a Prometheus DataSource"),
            hint=f"did you mean {close!r}?"
            if close
            else "see docs/prometheus.md for how an SLI names a DataSource and its queries",
        )
    return chosen
