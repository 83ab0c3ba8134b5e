"""Ticket and incident files (CSV, JSONL, JSON arrays; ``.gz`` welcome) → core records.

Reading: CSV goes through pyarrow's parser with *every* column read as text (type inference
would turn ticket id ``007`` into ``7`` and drop UTC offsets), line numbers come from the
quote-aware record scan shared with event files. JSON and JSONL are read with the standard
library, because their values nest (status histories, service lists) and pyarrow's JSON
inference drops UTC offsets inside nested fields; the position of every JSON object gives
its line.

A file is read batch by batch (``recordfiles.record_batches``) and parsed batch by batch:
instants of a batch's column (and all its status-history entries at once) are classified and
parsed vectorised with pyarrow.compute; the ``Ticket`` / ``Incident`` objects are then built
per record. A bad row becomes a ``Problem`` with ``file:line``, field, message and fix; the
first problem of a row is the one reported, and the rest of the file is kept. A repeated id
is found across batches by ``record_account`` (the later row wins). A file that cannot be read
at all raises ``IngestError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from covenant.core.agreements import Incident
from covenant.core.tickets import StatusChange, Ticket
from covenant.errors import InputError, Problem
from covenant.sources.record_account import Entry, KeptInMemory, RecordAccount, RecordBatch
from covenant.sources.record_columns import RecordReading, first_local_problem, mapped
from covenant.sources.record_fields import (
    Instants,
    Reject,
    boolean,
    history_entries,
    key_value,
    label,
    names,
)
from covenant.sources.record_instants import (
    parse_instants,
)
from covenant.sources.record_paths import check_repeated
from covenant.sources.recordfiles import (
    RECORD_BLOCK_BYTES,
    RecordSource,
    read_record_source,
    record_batches,
)

__all__ = [
    "INCIDENT_COLUMNS",
    "INCIDENT_REQUIRED",
    "TICKET_COLUMNS",
    "TICKET_REQUIRED",
    "ParsedRecords",
    "RecordBatch",
    "RecordSource",
    "incident_batches",
    "parse_incidents",
    "parse_instants",
    "parse_tickets",
    "read_incidents",
    "read_record_source",
    "read_tickets",
    "ticket_batches",
]


TICKET_COLUMNS = ("id", "customer", "priority", "created", "first_response", "resolved", "history")
TICKET_REQUIRED = ("id", "customer", "priority", "created")
INCIDENT_COLUMNS = (
    "id",
    "services",
    "start",
    "end",
    "severity",
    "customer_caused",
    "force_majeure",
    "planned_maintenance",
    "customers",
)
INCIDENT_REQUIRED = ("id", "services", "start")

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
R = TypeVar("R", Ticket, Incident)


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedRecords(Generic[R]):
    """The good records of a file (ids unique, in file order) and an account of every row."""

    path: Path
    records: tuple[R, ...]
    rows_read: int
    rows_rejected: int
    problems: tuple[Problem, ...]  # the first MAX_PROBLEMS, in file order


def parse_tickets(source: RecordSource) -> RecordBatch[Ticket]:
    """The tickets of a batch; bad rows become problems (see ``docs/records.md``)."""
    rows = source.rows
    created = Instants("created", [r.get("created") for r in rows])
    first_response = Instants("first_response", [r.get("first_response") for r in rows])
    resolved = Instants("resolved", [r.get("resolved") for r in rows])
    histories = [history_entries(r.get("history")) for r in rows]
    flat = [entry for entries, _ in histories if entries for entry in entries]
    at = Instants("history", [entry[1] for entry in flat])
    offsets = np.cumsum([0] + [len(entries or ()) for entries, _ in histories]).tolist()

    def build(i: int, row: dict[str, Any]) -> Ticket:
        ticket_id = key_value(row, "id")
        customer = key_value(row, "customer")
        priority = label(row, "priority")
        if not priority:
            raise Reject("missing-value", "priority", "no priority", "fill in priority")
        opened = created.require(i)
        answered = first_response.get(i)
        closed = resolved.get(i)
        for moment, field in ((answered, "first_response"), (closed, "resolved")):
            if moment is not None and moment < opened:
                raise Reject(
                    "bad-value",
                    field,
                    f"{field} {_iso(moment)} is before created {_iso(opened)}",
                    f"check the {field} and created times",
                )
        entries, reject = histories[i]
        if entries is None:
            raise reject or Reject("bad-value", "history", "unreadable status history")
        changes: list[StatusChange] = []
        for k, (status, _, text) in enumerate(entries, start=offsets[i]):
            moment = at.require(k, label=f"entry {text!r}")
            changes.append(StatusChange(at=moment, status=status))
        if not changes:
            changes.append(StatusChange(at=opened, status="open"))
            if closed is not None:
                changes.append(StatusChange(at=closed, status="resolved"))
        try:
            return Ticket(
                id=ticket_id,
                customer=customer,
                priority=priority,
                created=opened,
                history=tuple(changes),
                first_response=answered,
                resolved=closed,
            )
        except InputError as exc:
            raise Reject(
                "unsorted-history",
                "history",
                exc.message,
                "list the status changes in time order, none before created",
            ) from exc

    return _collect(source, build, key=lambda t: t.id)


# --- incidents -------------------------------------------------------------------------------


def parse_incidents(source: RecordSource) -> RecordBatch[Incident]:
    """The incidents of a batch; bad rows become problems (see ``docs/records.md``)."""
    rows = source.rows
    starts = Instants("start", [r.get("start") for r in rows])
    ends = Instants("end", [r.get("end") for r in rows])

    def build(i: int, row: dict[str, Any]) -> Incident:
        incident_id = key_value(row, "id")
        services = names(row, "services")
        if not services:
            raise Reject("missing-value", "services", "no services", "name the affected service(s)")
        start = starts.require(i)
        end = ends.get(i)
        if end is not None and end < start:
            raise Reject(
                "bad-value",
                "end",
                f"end {_iso(end)} is before start {_iso(start)}",
                "check the start and end times (leave end empty while the incident is open)",
            )
        return Incident(
            id=incident_id,
            services=services,
            start=start,
            end=end,
            severity=label(row, "severity"),
            customer_caused=boolean(row, "customer_caused"),
            force_majeure=boolean(row, "force_majeure"),
            planned_maintenance=boolean(row, "planned_maintenance"),
            customers=names(row, "customers"),
        )

    return _collect(source, build, key=lambda incident: incident.id)


# --- shared ----------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _collect(
    source: RecordSource,
    build: Callable[[int, dict[str, Any]], R],
    *,
    key: Callable[[R], str],
) -> RecordBatch[R]:
    """Build every row of a batch: the records with their lines, and the bad rows."""
    entries: list[Entry[R]] = []
    problems: list[tuple[int, Problem]] = []
    for i, row in enumerate(source.rows):
        try:
            local = first_local_problem(row)  # a cell --time-zone/--time-format cannot read
            if local is not None:
                raise Reject(local.code, local.field, local.message, local.fix)
            record = build(i, row)
        except Reject as reject:
            problem = Problem(
                code=reject.code,
                message=reject.message,
                where=source.where(i),
                field=reject.field,
                fix=reject.fix,
            )
            problems.append((source.lines[i], problem))
            continue
        entries.append((source.lines[i], key(record), record))
    problems.extend(
        (_line(row.where), Problem(code="bad-row", message=row.message, where=row.where))
        for row in source.invalid
    )
    problems.sort(key=lambda item: (item[0], _element(item[1].where)))
    return RecordBatch(
        source=source,
        entries=tuple(entries),
        problems=tuple(problems),
        rows_read=len(source.rows) + source.invalid_count,
        rows_rejected=len(source.rows) - len(entries) + source.invalid_count,
    )


def _element(where: str) -> int:
    """The element number a row's place names (`f.json:1 (element 3)`: 3), else 0."""
    head, _, number = where.rpartition(" (element ")
    return int(number[:-1]) if head and number[:-1].isdigit() else 0


def _line(where: str) -> int:
    tail = where.rsplit(":", 1)[-1].split(" ", 1)[0]  # `f.json:1 (element 3)`: 1
    return int(tail) if tail.isdigit() else 0


def ticket_batches(
    path: Path, *, block_bytes: int = RECORD_BLOCK_BYTES, reading: RecordReading | None = None
) -> Iterator[RecordBatch[Ticket]]:
    """The file's tickets, batch by batch (bounded memory); repeated ids not yet resolved.
    ``reading``: other column names, a zone or a format (``record_columns``)."""
    return _batches(path, parse_tickets, block_bytes, reading, TICKET_COLUMNS)


def incident_batches(
    path: Path, *, block_bytes: int = RECORD_BLOCK_BYTES, reading: RecordReading | None = None
) -> Iterator[RecordBatch[Incident]]:
    """The file's incidents, batch by batch (see ``ticket_batches``)."""
    return _batches(path, parse_incidents, block_bytes, reading, INCIDENT_COLUMNS)


def _batches(
    path: Path,
    parse: Callable[[RecordSource], RecordBatch[R]],
    block_bytes: int,
    reading: RecordReading | None = None,
    fields: Sequence[str] = (),
) -> Iterator[RecordBatch[R]]:
    sources = _checked(record_batches(path, block_bytes=block_bytes), fields, reading)
    for source in sources if reading is None else mapped(sources, reading):
        batch = parse(source)
        del source  # the rows are let go before the next block is read: one batch at a time
        yield batch
        del batch


def _checked(
    sources: Iterator[RecordSource], fields: Sequence[str], how: RecordReading | None
) -> Iterator[RecordSource]:
    """``sources``, once a CSV header's repeated names are known not to be read as a field."""
    for source in sources:
        if source.repeated:
            check_repeated(source.path, source.repeated, fields, how.columns if how else {})
        yield source


def read_tickets(
    path: Path, *, block_bytes: int = RECORD_BLOCK_BYTES, reading: RecordReading | None = None
) -> ParsedRecords[Ticket]:
    """Read and parse a whole ticket file into memory (ingestion stages it batch by batch)."""
    batches = ticket_batches(path, block_bytes=block_bytes, reading=reading)
    return _read_all(path, batches, TICKET_REQUIRED, "ticket")


def read_incidents(
    path: Path, *, block_bytes: int = RECORD_BLOCK_BYTES, reading: RecordReading | None = None
) -> ParsedRecords[Incident]:
    """Read and parse a whole incident file into memory (see ``read_tickets``)."""
    batches = incident_batches(path, block_bytes=block_bytes, reading=reading)
    return _read_all(path, batches, INCIDENT_REQUIRED, "incident")


def _read_all(
    path: Path, batches: Iterator[RecordBatch[R]], required: Sequence[str], what: str
) -> ParsedRecords[R]:
    account = RecordAccount(path, required=required, what=what)
    kept: KeptInMemory[R] = KeptInMemory()
    for batch in batches:
        account.add(batch, kept)
    account.finish()
    return ParsedRecords(
        path=path,
        records=kept.records(),
        rows_read=account.rows_read,
        rows_rejected=account.rows_rejected,
        problems=account.problems,
    )
