"""One kind of row per event file: raw events or pre-counted rows (``good``, ``total``).

The kind is decided once for the whole file, by its first rows; a file that mixes the two is
refused as a whole (an ``IngestError`` naming a line of each kind), never read batch by batch as
whichever kind a batch's columns suggest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from covenant.errors import IngestError
from covenant.sources.eventfiles import SourceTable
from covenant.sources.eventrows import Mask


@dataclass(slots=True)
class FileKind:
    """The kind of a file's rows, fixed by the first batch with rows."""

    precounted: bool | None = None
    since: str = ""  # where the first row of the file's kind is

    def check(self, batch: SourceTable, *, precounted: bool) -> None:
        """Fix the kind on the first batch with rows; refuse a later batch of the other kind."""
        if not batch.table.num_rows:
            return
        if self.precounted is None:
            self.precounted = precounted
            (self.since,) = batch.locate(np.zeros(1, dtype=np.int64))
        elif precounted != self.precounted:
            raise _mixed_kinds(batch, precounted=self.precounted, since=self.since)


def refuse_raw_rows(source: SourceTable, *, counted: Mask) -> None:
    """In pre-counted rows, a row without either count that says how a request went (outcome,
    status or latency_ms) is a raw event: the file mixes both kinds."""
    raw = _present(source.table, ("outcome", "status", "latency_ms")) & ~counted
    if raw.any():
        rows = np.array([int(np.argmax(raw)), int(np.argmax(counted))], dtype=np.int64)
        raw_at, counted_at = source.locate(rows)
        raise mixed_kinds_error(raw_at=raw_at, counted_at=counted_at)


def _mixed_kinds(source: SourceTable, *, precounted: bool, since: str) -> IngestError:
    """This batch's rows are of the other kind than the file's (decided by its first rows)."""
    if precounted:  # this batch has no good/total columns: its first row is a raw event
        (raw_at,) = source.locate(np.zeros(1, dtype=np.int64))
        return mixed_kinds_error(raw_at=raw_at, counted_at=since)
    row = int(np.argmax(_present(source.table, ("good", "total"))))
    (counted_at,) = source.locate(np.array([row], dtype=np.int64))
    return mixed_kinds_error(raw_at=since, counted_at=counted_at)


def _present(table: pa.Table, names: Sequence[str]) -> Mask:
    """Rows with a value in any of the columns ``names`` (absent columns hold none)."""
    found = np.zeros(table.num_rows, dtype=bool)
    for name in names:
        if name in table.column_names:
            found |= np.asarray(table[name].is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    return found


def mixed_kinds_error(*, raw_at: str, counted_at: str) -> IngestError:
    """One file holds one kind of row, decided once for the whole file."""
    return IngestError(
        f"{raw_at} is a raw event and {counted_at} a pre-counted row (good, total): one file "
        "holds one kind of row, so nothing of this file was ingested",
        hint="put raw events (outcome, status or latency_ms) and pre-counted rows (good and "
        "total) in separate files",
    )
