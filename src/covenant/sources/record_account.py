"""What the batches of a ticket or incident file add up to, and which repeated id wins.

A file is parsed batch by batch; a record's id may repeat anywhere in it, so the records kept
so far are asked for the ids of each batch (``Kept``: in memory for a small file read whole,
staged on disk while a file is ingested, ``store.record_staging``). The later row of an id
wins and the earlier one is reported as ``duplicate-id`` at its line, as when a file was read
whole. The account keeps exact counts and only the first ``MAX_PROBLEMS`` problems (by line),
so it stays small whatever the file's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from covenant.core.agreements import Incident
from covenant.core.tickets import Ticket
from covenant.errors import IngestError, Problem
from covenant.sources.eventcounts import Ahead
from covenant.sources.eventrows import MAX_PROBLEMS
from covenant.sources.recordrows import RecordSource

__all__ = ["Entry", "Kept", "KeptInMemory", "RecordAccount", "RecordBatch", "missing_columns"]

R = TypeVar("R", Ticket, Incident)
R_contra = TypeVar("R_contra", Ticket, Incident, contravariant=True)
Entry = tuple[int, str, R]  # (line, id, record)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordBatch(Generic[R]):
    """The records built from one batch of a file (ids may repeat) and its bad rows."""

    source: RecordSource
    entries: tuple[Entry[R], ...]  # in file order
    problems: tuple[tuple[int, Problem], ...]  # (line, problem) of the bad rows, by line
    rows_read: int
    rows_rejected: int


class Kept(Protocol[R_contra]):
    """The records kept so far, by id."""

    def earlier(self, ids: Sequence[str]) -> dict[str, int]:
        """The line of each of ``ids`` kept so far."""
        ...

    def put(self, entries: Sequence[Entry[R_contra]]) -> None:
        """Keep these records (ids distinct), each replacing a record of its id kept before."""
        ...


class KeptInMemory(Generic[R]):
    """Kept records in a dict: for a file read whole into memory."""

    def __init__(self) -> None:
        self._by_id: dict[str, tuple[int, R]] = {}

    def earlier(self, ids: Sequence[str]) -> dict[str, int]:
        return {i: self._by_id[i][0] for i in ids if i in self._by_id}

    def put(self, entries: Sequence[Entry[R]]) -> None:
        for line, key, record in entries:
            self._by_id.pop(key, None)  # the later row takes its place in file order
            self._by_id[key] = (line, record)

    def records(self) -> tuple[R, ...]:
        return tuple(record for _, record in sorted(self._by_id.values(), key=lambda e: e[0]))


class RecordAccount:
    """Rows read and rejected, the first problems and the columns of a file's batches."""

    def __init__(
        self,
        path: Path,
        *,
        required: Sequence[str],
        what: str,
        ahead_after: datetime | None = None,
    ) -> None:
        self.path = path
        self.required = tuple(required)
        self.what = what
        self.ahead_after = ahead_after  # records with an instant after it are counted in ahead
        self.ahead: Ahead | None = None
        self.rows_read = 0
        self.rows_rejected = 0
        self.any_rows = False
        self._columns: dict[str, None] = {}
        self._problems: list[tuple[int, Problem]] = []

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The first ``MAX_PROBLEMS`` problems of the file, in line order."""
        return tuple(problem for _, problem in self._problems)

    def add(self, batch: RecordBatch[R], kept: Kept[R]) -> None:
        """Count a batch and keep its records in ``kept`` (a repeated id: the later row)."""
        source = batch.source
        self._columns.update(dict.fromkeys(source.columns))
        self.any_rows = self.any_rows or bool(source.rows)
        if source.header:  # a CSV header names every column from the first batch on
            self._check_columns()
        self.rows_read += batch.rows_read
        self.rows_rejected += batch.rows_rejected
        found = list(batch.problems)
        seen = kept.earlier(list(dict.fromkeys(key for _, key, _ in batch.entries)))
        latest: dict[str, Entry[R]] = {}
        for entry in batch.entries:
            line, key, record = entry
            if self.ahead_after is not None:
                self._count_ahead(line, record)
            earlier = seen.get(key)
            if earlier is not None:
                self.rows_rejected += 1
                found.append((earlier, _repeated(self.path.name, key, earlier, line)))
            seen[key] = line
            latest.pop(key, None)
            latest[key] = entry
        kept.put(list(latest.values()))
        if found:
            self._problems.extend(found)
            self._problems.sort(key=lambda item: item[0])
            del self._problems[MAX_PROBLEMS:]

    def _count_ahead(self, line: int, record: Ticket | Incident) -> None:
        assert self.ahead_after is not None
        last = latest_instant(record)
        if last <= self.ahead_after:
            return
        found = Ahead(rows=1, first=f"{self.path.name}:{line}", latest=int(last.timestamp()))
        self.ahead = found if self.ahead is None else self.ahead.merged(found)

    def finish(self) -> None:
        """Raise ``IngestError`` when rows were read but a required column is in none."""
        self._check_columns()

    def _check_columns(self) -> None:
        if self.any_rows:
            error = missing_columns(self.path, tuple(self._columns), self.required, self.what)
            if error is not None:
                raise error


def latest_instant(record: Ticket | Incident) -> datetime:
    """A record's latest instant: a ticket's creation, first response, resolution or status
    change; an incident's start or end."""
    if isinstance(record, Incident):
        return record.start if record.end is None else max(record.start, record.end)
    times = [record.created, *(c.at for c in record.history)]
    times += [t for t in (record.first_response, record.resolved) if t is not None]
    return max(times)


def _repeated(name: str, key: str, earlier: int, line: int) -> Problem:
    return Problem(
        code="duplicate-id",
        message=f"id {key!r} appears again on line {line}; the later row is kept",
        where=f"{name}:{earlier}",
        field="id",
        fix="export each record once (the latest state)",
    )


def missing_columns(
    path: Path, columns: Sequence[str], required: Sequence[str], what: str
) -> IngestError | None:
    """The error for a file whose rows lack a required column (None: it has them all)."""
    missing = [name for name in required if name not in columns]
    if not missing:
        return None
    found = ", ".join(columns) or "none"
    return IngestError(
        f"{path.name}: no {', '.join(repr(m) for m in missing)} column for {what} (found: {found})",
        hint=f"{what} files need the columns {', '.join(required)}; name the export's own "
        f'columns with --column, e.g. --column {missing[0]}="Its header" '
        f"(`covenant ingest {what}s --help`)",
    )
