"""The range ``covenant ingest prometheus`` reads: ``--from`` and ``--to`` as bucket instants."""

from __future__ import annotations

from datetime import datetime

from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.errors import InputError


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
    if hi <= lo:
        raise InputError(
            f"--to ({from_epoch(hi).isoformat()}) must be after --from "
            f"({from_epoch(lo).isoformat()}) by at least one bucket ({step}s)",
            hint="give an earlier --from or a later --to",
        )
    current = aligned(now, step, what="now")
    if lo >= current:
        raise InputError(
            f"--from ({from_epoch(lo).isoformat()}) is not before now "
            f"({from_epoch(current).isoformat()}): minutes after now cannot be read yet",
            hint="give a --from in the past, e.g. --from -1d",
        )
    return lo, min(hi, current)
