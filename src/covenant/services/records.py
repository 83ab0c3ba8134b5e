"""Use cases for ticket and incident records: ingest files, load records as core objects.

One file is one transaction: its records and its ``ingest_batches`` entry are written
together or not at all. The file is read and parsed batch by batch and its records are staged
on disk (``store.record_staging``) until it has been read to its end, so a file of any size
takes the memory of a batch, and one found bad at its last line writes nothing. A file whose
bytes were ingested before (same sha256) is skipped and reported as a duplicate. A record
whose id is stored already is replaced when its content changed and left alone otherwise;
the report counts inserted, updated and unchanged records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, Literal, NamedTuple, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from covenant.core.agreements import Incident
from covenant.core.tickets import Ticket
from covenant.definitions.workspace import Workspace
from covenant.errors import Problem
from covenant.services.ingest import Progress
from covenant.services.ingest_ahead import FUTURE_SKEW_S, ahead_text, refuse_ahead
from covenant.services.nothing_ingested import refuse_if_nothing_ingested, refuse_if_rows_rejected
from covenant.services.store_refusals import store_errors
from covenant.services.ticket_checks import ticket_warnings
from covenant.sources import records as record_files
from covenant.sources.eventcounts import Ahead
from covenant.sources.eventfiles import file_sha256, missing_file
from covenant.sources.record_account import RecordAccount
from covenant.sources.record_columns import RecordReading
from covenant.sources.recordfiles import RECORD_BLOCK_BYTES, record_format, refuse_empty
from covenant.store import audit, buckets, records
from covenant.store.audit import UNKNOWN_ACTOR
from covenant.store.db import write_transaction
from covenant.store.record_staging import StagedRecords, save_staged
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
    """How to read, stage and date one kind of record."""

    name: RecordKind
    what: str  # "ticket": in messages
    batches: Callable[..., Iterator[record_files.RecordBatch[R]]]
    required: tuple[str, ...]
    values: Callable[[R], tuple[Any, ...]]  # the store row of a record, plain values
    instant: int  # the position in it of the instant recorded as the batch's first/last


_TICKETS: _Kind[Ticket] = _Kind(
    name="tickets",
    what="ticket",
    batches=record_files.ticket_batches,
    required=record_files.TICKET_REQUIRED,
    values=records.ticket_values,
    instant=records.TICKET_VALUES.index("created"),
)
_INCIDENTS: _Kind[Incident] = _Kind(
    name="incidents",
    what="incident",
    batches=record_files.incident_batches,
    required=record_files.INCIDENT_REQUIRED,
    values=records.incident_values,
    instant=records.INCIDENT_VALUES.index("start_at"),
)


class _Stored(NamedTuple):
    """What a ticket warning needs of a stored ticket row."""

    id: str
    customer: str
    priority: str


Warn = Callable[[Iterator[_Stored]], tuple[Problem, ...]]


def ingest_ticket_files(
    engine: Engine,
    *,
    files: Sequence[Path],
    progress: Progress | None = None,
    workspace: Workspace | None = None,
    block_bytes: int = RECORD_BLOCK_BYTES,
    now: datetime | None = None,
    refuse_future: bool = False,
    reading: RecordReading | None = None,
    actor: str = UNKNOWN_ACTOR,
    strict: bool = False,
) -> list[RecordIngestReport]:
    """Ingest ticket files, each in its own transaction; one report per file, in order.

    With ``workspace``, each report warns about tickets no agreement of it counts (an unknown
    customer, a priority without a support target: ``services.ticket_checks``).
    Raises ``IngestError`` for a file that cannot be read at all (files before it stay
    ingested), its ``NothingIngestedError`` for a file of rows that are all rejected (not
    recorded: an empty export is fine) and ``StoreError`` when the store refuses the write
    (nothing of that file stays).
    ``block_bytes``: text read per batch (memory is that of a batch or two). A ticket with
    an instant more than ``FUTURE_SKEW_S`` after ``now`` (default: the wall clock) is stored
    with a warning, or with ``refuse_future`` its file is refused (``FutureEventsError``).
    ``reading``: the export's own column names, zone or time format (``record_columns``).
    ``actor``: who the file's audit row names (one row per file written, none for a duplicate).
    ``strict``: all or nothing — a file with any rejected row raises ``RowsRejectedError``
    (nothing of it stored or recorded, no audit row; files before it stay ingested).
    """
    reports = []
    for p in files:
        path = Path(p)
        warn = None if workspace is None else _warner(workspace, path.name)
        reports.append(
            _ingest_file(
                engine,
                path=path,
                kind=_TICKETS,
                progress=progress,
                block_bytes=block_bytes,
                warn=warn,
                now=now,
                refuse_future=refuse_future,
                reading=reading,
                actor=actor,
                strict=strict,
            )
        )
    return reports


def _warner(workspace: Workspace, name: str) -> Warn:
    def warn(tickets: Iterator[_Stored]) -> tuple[Problem, ...]:
        return ticket_warnings(tickets, workspace=workspace, file=name)

    return warn


def ingest_incident_files(
    engine: Engine,
    *,
    files: Sequence[Path],
    progress: Progress | None = None,
    block_bytes: int = RECORD_BLOCK_BYTES,
    now: datetime | None = None,
    refuse_future: bool = False,
    reading: RecordReading | None = None,
    actor: str = UNKNOWN_ACTOR,
    strict: bool = False,
) -> list[RecordIngestReport]:
    """Ingest incident files, each in its own transaction (see ``ingest_ticket_files``)."""
    return [
        _ingest_file(
            engine,
            path=Path(p),
            kind=_INCIDENTS,
            progress=progress,
            block_bytes=block_bytes,
            now=now,
            refuse_future=refuse_future,
            reading=reading,
            actor=actor,
            strict=strict,
        )
        for p in files
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


def _earlier(engine: Engine, key: str) -> buckets.BatchRecord | None:
    with engine.connect() as conn:
        return buckets.find_batch(conn, sha256=key)


def _ingest_file(
    engine: Engine,
    *,
    path: Path,
    kind: _Kind[R],
    progress: Progress | None,
    block_bytes: int,
    warn: Warn | None = None,
    now: datetime | None = None,
    refuse_future: bool = False,
    reading: RecordReading | None = None,
    actor: str = UNKNOWN_ACTOR,
    strict: bool = False,
) -> RecordIngestReport:
    """Read the file batch by batch into staging, then write it in one transaction (with
    ``strict``, none of it when any row was rejected: validated whole, then applied)."""
    _notify(progress, path, "read", 0.0)
    record_format(path)  # a name we cannot read is refused before any work
    if not path.is_file():
        raise missing_file(path)
    refuse_empty(
        path, header=kind.required
    )  # before the hash: an empty file is never "already ingested"
    sha256 = file_sha256(path)
    plain = reading is None or reading.plain
    # read with other columns, a zone or a format, the same bytes are other records
    key = batch_key(
        kind.name if plain or reading is None else f"{kind.name}:{reading.key()}", sha256
    )
    with store_errors(engine, file=path.name):
        earlier = _earlier(engine, key)
        if earlier is not None:
            _notify(progress, path, "done", 1.0)
            return _duplicate(path, kind.name, sha256, earlier)
        clock = datetime.now(UTC) if now is None else now
        account = RecordAccount(
            path,
            required=kind.required,
            what=kind.what,
            ahead_after=clock + timedelta(seconds=FUTURE_SKEW_S),
        )
        with StagedRecords(kind.name, values=kind.values) as staged:
            for batch in kind.batches(path, block_bytes=block_bytes, reading=reading):
                account.add(batch, staged)
                _notify(progress, path, "read", 0.7 * batch.source.done)
                del batch  # let go before the next batch is read: one batch at a time
            account.finish()  # a required column in no row: nothing is written
            refuse_if_nothing_ingested(  # an empty export (no rows) stays fine: docs/records.md
                path,
                rows_read=account.rows_read,
                rows_ingested=staged.count(),
                rows_rejected=account.rows_rejected,
                problems=account.problems,
                refuse_empty=False,
            )
            if strict:  # all or nothing: checked before a row is written
                refuse_if_rows_rejected(
                    path,
                    rows_read=account.rows_read,
                    rows_rejected=account.rows_rejected,
                    problems=account.problems,
                    what=kind.what,
                )
            if refuse_future:
                refuse_ahead(account.ahead, noun=kind.what)
            _notify(progress, path, "write", 0.7)
            try:
                counts = _write(
                    engine,
                    path=path,
                    kind=kind,
                    key=key,
                    staged=staged,
                    account=account,
                    audited=(actor, sha256),
                )
            except IntegrityError:
                # the same bytes were ingested concurrently, after our check: nothing was written
                earlier = _earlier(engine, key)
                if earlier is None:
                    raise
                _notify(progress, path, "done", 1.0)
                return _duplicate(path, kind.name, sha256, earlier)
            warnings = () if warn is None else warn(_tickets(staged))
            if account.ahead is not None:
                warnings += (ahead_warning(account.ahead, noun=kind.what),)
    _notify(progress, path, "done", 1.0)
    return RecordIngestReport(
        path=path,
        kind=kind.name,
        sha256=sha256,
        rows_read=account.rows_read,
        rows_rejected=account.rows_rejected,
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        problems=account.problems,
        warnings=warnings,
    )


def ahead_warning(ahead: Ahead, *, noun: str) -> Problem:
    """The warning of a record file with records dated after now (stored all the same)."""
    said = ahead_text(ahead, stored=True, noun=noun)
    return Problem(
        code="future-records",
        message=said.split(": ", 1)[1],
        where=ahead.first,
        severity="warning",
    )


def _tickets(staged: StagedRecords[Any]) -> Iterator[_Stored]:
    for chunk in staged.rows():
        yield from (_Stored(row[0], row[1], row[2]) for row in chunk)  # records.TICKET_VALUES


def _write(
    engine: Engine,
    *,
    path: Path,
    kind: _Kind[R],
    key: str,
    staged: StagedRecords[R],
    account: RecordAccount,
    audited: tuple[str, str],
) -> records.SaveCounts:
    now = datetime.now(UTC)  # when the rows were written: a write's own time, as the API's
    low: int | None = None
    high: int | None = None

    def span(rows: list[tuple[Any, ...]]) -> None:
        nonlocal low, high
        instants = [row[kind.instant] for row in rows]  # epoch seconds
        low = min(instants) if low is None else min(low, *instants)
        high = max(instants) if high is None else max(high, *instants)

    # BEGIN IMMEDIATE on SQLite: queue for the write lock before reading the rows merged into
    # (a deferred transaction failed with "database is locked" once another writer committed)
    with write_transaction(engine) as conn:
        counts = save_staged(conn, staged, at=now, each=span)
        buckets.record_batch(
            conn,
            batch=buckets.BatchRecord(
                sha256=key,
                filename=path.name,
                rows_read=account.rows_read,
                rows_ingested=counts.inserted + counts.updated + counts.unchanged,
                rows_rejected=account.rows_rejected,
                events_min=low,
                events_max=high,
                ingested_at=now,
            ),
        )
        audit.append(  # last: the audit lock is held only to the commit
            conn,
            actor=audited[0],
            action="ingested",
            entity_kind=f"{kind.what}-file",
            entity_id=path.name[:255],
            before=None,
            after={
                "sha256": audited[1],
                "rows_read": account.rows_read,
                "rows_rejected": account.rows_rejected,
                "inserted": counts.inserted,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "first": _utc(low),
                "last": _utc(high),
            },
            at=now,
        )
    return counts


def _utc(epoch_s: int | None) -> datetime | None:
    return None if epoch_s is None else datetime.fromtimestamp(epoch_s, UTC)
