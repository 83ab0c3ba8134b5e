"""Pauses of many tickets ("waiting on customer"), flattened, and merged per ticket once.

Merging sorts by (ticket, start) and takes running maxima on one number line with a band per
ticket; the result is kept per :class:`Pauses` object (they are immutable), so an elapsed-time
call and a deadline call on the same pauses merge once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import numpy as np
import numpy.typing as npt

from covenant.core.instants import Instant, epoch_seconds
from covenant.errors import InputError

Int64Array = npt.NDArray[np.int64]

_BAND_LIMIT = 2**62


def _instants(values: object, *, what: str) -> Int64Array:
    return epoch_seconds(values, what=what)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, weakref_slot=True)
class Pauses:
    """Pause intervals of many tickets, flattened: pause ``i`` of ticket ``ticket[i]`` runs over
    ``[start[i], end[i])`` (epoch seconds). Any order; overlapping pauses of one ticket merge.
    ``ticket`` indexes the ticket arrays passed alongside. A pause still open has ``end`` = the
    evaluation instant.
    """

    ticket: Int64Array
    start: Int64Array
    end: Int64Array

    def __post_init__(self) -> None:
        arrays = [
            _instants(getattr(self, n), what=f"pause {n}") for n in ("ticket", "start", "end")
        ]
        if any(a.ndim != 1 for a in arrays) or len({a.size for a in arrays}) != 1:
            raise InputError(
                "pause ticket, start and end must be 1-D arrays of one length",
                hint="one element per pause",
            )
        arrays = [np.array(a, dtype=np.int64, copy=True) for a in arrays]  # ours, read-only
        for name, array in zip(("ticket", "start", "end"), arrays, strict=True):
            array.flags.writeable = False
            object.__setattr__(self, name, array)
        ticket, start, end = arrays
        if ticket.size and ticket.min() < 0:
            raise InputError("a pause has a negative ticket index", hint="index the ticket arrays")
        if (end < start).any():
            i = int(np.flatnonzero(end < start)[0])
            raise InputError(
                f"pause {i} of ticket {int(ticket[i])} ends before it starts",
                hint="give each pause as (start, end) with end >= start; an open pause ends "
                "at the evaluation instant",
            )

    @classmethod
    def none(cls) -> Pauses:
        empty = np.zeros(0, dtype=np.int64)
        return cls(ticket=empty, start=empty, end=empty)

    @classmethod
    def from_lists(cls, per_ticket: Iterable[Iterable[tuple[Instant, Instant]]]) -> Pauses:
        """Pauses from one list of ``(start, end)`` instants (aware datetimes or epoch seconds)
        per ticket."""
        rows = [
            (i, int(_instants(s, what="pause start")), int(_instants(e, what="pause end")))
            for i, spans in enumerate(per_ticket)
            for s, e in spans
        ]
        if not rows:
            return cls.none()
        ticket, start, end = (np.array(col, dtype=np.int64) for col in zip(*rows, strict=True))
        return cls(ticket=ticket, start=start, end=end)

    def __len__(self) -> int:
        return int(self.ticket.size)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Merged:
    """Disjoint, non-touching pauses sorted by (ticket, start)."""

    ticket: Int64Array
    start: Int64Array
    end: Int64Array


def merge_pauses(pauses: Pauses, tickets: int) -> Merged:
    if len(pauses) and pauses.ticket.max() >= tickets:
        raise InputError(
            f"a pause refers to ticket {int(pauses.ticket.max())} but there are {tickets}",
            hint="pause ticket indexes must index the start/end arrays",
        )
    cached = _MERGED.get(pauses)
    if cached is None:
        cached = _MERGED[pauses] = _merged(pauses)
    return cached


def _merged(pauses: Pauses) -> Merged:
    keep = pauses.end > pauses.start
    ticket, start, end = pauses.ticket[keep], pauses.start[keep], pauses.end[keep]
    if ticket.size == 0:
        return Merged(ticket=ticket, start=start, end=end)
    # Each ticket's pauses on its own band of one number line, ``ticket * width`` on: sorting
    # the starts sorts by (ticket, start), and one running maximum of the ends never carries
    # over from one ticket to the next.
    low = int(start.min())
    width = int(end.max()) - low + 1
    if (int(ticket.max()) + 1) * width >= _BAND_LIMIT:
        raise InputError(
            "too many paused tickets over too long a range for one call",
            hint="split the tickets into smaller batches",
        )
    key = ticket * width
    key -= low
    a = key + start
    order = np.argsort(a)
    a = a[order]
    key += end
    b = key[order]
    reach = np.maximum.accumulate(b)
    heads = np.flatnonzero(np.concatenate([[True], a[1:] > reach[:-1]]))
    # a run's last running maximum is its end: earlier runs of the band end before it starts
    tails = np.append(heads[1:] - 1, a.size - 1)
    m_ticket = a[heads] // width
    m_band = m_ticket * width - low
    return Merged(ticket=m_ticket, start=a[heads] - m_band, end=reach[tails] - m_band)


_MERGED: WeakKeyDictionary[Pauses, Merged] = WeakKeyDictionary()


__all__ = ["Merged", "Pauses", "merge_pauses"]
