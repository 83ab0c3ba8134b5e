"""Use cases for ticket and incident records: ingest files, load records as core objects.

One file is one transaction: its records and its ``ingest_batches`` entry are written
together or not at all. A file whose bytes were ingested before (same sha256) is skipped and
reported as a duplicate. A record whose id is stored already is replaced when its content
changed and left alone otherwise; the report counts inserted, updated and unchanged records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Generic, Literal, TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from covenant.core.agreements import Incident
from covenant.core.tickets import Ticket
from covenant.core.timeutil import to_epoch
from covenant.definitions.workspace import Workspace
from covenant.errors import Problem
from covenant.services.ingest import Progress, store_errors
from covenant.services.nothing_ingested import refuse_if_nothing_ingested
from covenant.services.ticket_checks import ticket_warnings
from covenant.sources import records as record_files
from covenant.sources.recordfiles import RecordSource, read_record_source
from covenant.store import buckets, records
from covenant.store.records import load_incidents, load_tickets

__all__ = [
    "RecordIngestReport",
    "RecordKind",
    "ingest_incident_files",
    "ingest_ticket_files",
    "load_incidents",
    "load_tickets",
]

RecordKind = Literal["tickets", "incidents"]
R = TypeVar("R", Ticket, Incident)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordIngestReport:
    """What ingesting one ticket or incident file did (for a duplicate: nothing)."""

    path: Path
    kind: RecordKind
    sha256: str
    rows_read: int
    rows_rejected: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: tuple[Problem, ...] = ()
    duplicate_of: datetime | None = None  # when set: skipped, ingested before at this instant
    warnings: tuple[
        Problem, ...
    ] = ()  # stored records no agreement counts (services.ticket_checks)

    @property
    def duplicate(self) -> bool:
        return self.duplicate_of is not None

    @property
    def rows_ingested(self) -> int:
        """Good rows: inserted, updated or found unchanged."""
        return self.inserted + self.updated + self.unchanged


@dataclass(frozen=True, slots=True, kw_only=True)
class _Kind(Generic[R]):
    """How to parse, save and date one kind of record."""

    name: RecordKind
    parse: Callable[[RecordSource], record_files.ParsedRecords[R]]
    save: Callable[[Connection, Sequence[R], datetime], records.SaveCounts]
    instant: Callable[[R], datetime]  # recorded as the batch's first/last instant


_TICKETS: _Kind[Ticket] = _Kind(
    name="tickets",
    parse=record_files.parse_tickets,
    save=lambda conn, items, at: records.save_tickets(conn, tickets=items, at=at),
    instant=lambda ticket: ticket.created,
)
_INCIDENTS: _Kind[Incident] = _Kind(
    name="incidents",
    parse=record_files.parse_incidents,
    save=lambda conn, items, at: records.save_incidents(conn, incidents=items, at=at),
    instant=lambda incident: incident.start,
)


def ingest_ticket_files(
    engine: Engine,
    *,
    files: Sequence[Path],
    progress: Progress | None = None,
    workspace: Workspace | None = None,
) -> list[RecordIngestReport]:
    """Ingest ticket files, each in its own transaction; one report per file, in order.

    With ``workspace``, each report warns about tickets no agreement of it counts (an unknown
    customer, a priority without a support target: ``services.ticket_checks``).
    Raises ``IngestError`` for a file that cannot be read at all (files before it stay
    ingested), its ``NothingIngestedError`` for a file of rows that are all rejected (not
    recorded: an empty export is fine) and ``StoreError`` when the store refuses the write
    (nothing of that file stays).
    """
    reports = []
    for p in files:
        report, parsed = _ingest_file(engine, path=Path(p), kind=_TICKETS, progress=progress)
        if workspace is not None and parsed is not None:
            found = ticket_warnings(parsed.records, workspace=workspace, file=Path(p).name)
            report = replace(report, warnings=found)
        reports.append(report)
    return reports


def ingest_incident_files(
    engine: Engine, *, files: Sequence[Path], progress: Progress | None = None
) -> list[RecordIngestReport]:
    """Ingest incident files, each in its own transaction (see ``ingest_ticket_files``)."""
    return [
        _ingest_file(engine, path=Path(p), kind=_INCIDENTS, progress=progress)[0] for p in files
    ]


def _notify(progress: Progress | None, path: Path, stage: str, fraction: float) -> None:
    if progress is not None:
        progress(path, stage, fraction)


def _duplicate(
    path: Path, kind: RecordKind, sha256: str, batch: buckets.BatchRecord
) -> RecordIngestReport:
    return RecordIngestReport(
        path=path,
        kind=kind,
        sha256=sha256,
        rows_read=batch.rows_read,
        rows_rejected=batch.rows_rejected,
        unchanged=batch.rows_ingested,
        duplicate_of=batch.ingested_at,
    )


def batch_key(kind: str, sha256: str) -> str:
    """The idempotency key of a record file: its bytes *and* what it was read as, so the same
    file ingested as events, tickets or incidents is three different batches."""
    return hashlib.sha256(f"{kind}:{sha256}".encode()).hexdigest()


def _ingest_file(
    engine: Engine, *, path: Path, kind: _Kind[R], progress: Progress | None
) -> tuple[RecordIngestReport, record_files.ParsedRecords[R] | None]:
    """The file's report, and its records when they were parsed (None for a duplicate)."""
    _notify(progress, path, "read", 0.0)
    source = read_record_source(path)
    with store_errors(engine):
        with engine.connect() as conn:
            earlier = buckets.find_batch(conn, sha256=batch_key(kind.name, source.sha256))
        if earlier is not None:
            _notify(progress, path, "done", 1.0)
            return _duplicate(path, kind.name, source.sha256, earlier), None
        _notify(progress, path, "parse", 0.4)
        parsed = kind.parse(source)
        refuse_if_nothing_ingested(  # an empty export (no rows) stays fine: docs/records.md
            path,
            rows_read=parsed.rows_read,
            rows_ingested=len(parsed.records),
            rows_rejected=parsed.rows_rejected,
            problems=parsed.problems,
            refuse_empty=False,
        )
        _notify(progress, path, "write", 0.7)
        try:
            counts = _write(engine, path=path, kind=kind, parsed=parsed)
        except IntegrityError:
            # the same bytes were ingested concurrently, after our check: nothing was written
            with engine.connect() as conn:
                earlier = buckets.find_batch(conn, sha256=batch_key(kind.name, source.sha256))
            if earlier is None:
                raise
            _notify(progress, path, "done", 1.0)
            return _duplicate(path, kind.name, source.sha256, earlier), None
    _notify(progress, path, "done", 1.0)
    report = RecordIngestReport(
        path=path,
        kind=kind.name,
        sha256=source.sha256,
        rows_read=parsed.rows_read,
        rows_rejected=parsed.rows_rejected,
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        problems=parsed.problems,
    )
    return report, parsed


def _write(
    engine: Engine, *, path: Path, kind: _Kind[R], parsed: record_files.ParsedRecords[R]
) -> records.SaveCounts:
    now = datetime.now(UTC)
    instants = [to_epoch(kind.instant(record)) for record in parsed.records]
    with engine.begin() as conn:
        counts = kind.save(conn, parsed.records, now)
        buckets.record_batch(
            conn,
            batch=buckets.BatchRecord(
                sha256=batch_key(kind.name, parsed.sha256),
                filename=path.name,
                rows_read=parsed.rows_read,
                rows_ingested=counts.inserted + counts.updated + counts.unchanged,
                rows_rejected=parsed.rows_rejected,
                events_min=min(instants, default=None),
                events_max=max(instants, default=None),
                ingested_at=now,
            ),
        )
    return counts
