"""Bulk writing of ticket and incident files stores exactly what saving record by record stores.

A file's records are staged as plain values (epoch seconds) and written without SQLAlchemy's
value-by-value processing: on SQLite a chunk at a time with one driver-level upsert per chunk
(``store.record_staging``), on PostgreSQL by ``COPY`` and one merge (``store.record_copy``).
The rows it leaves must be those ``records.save_tickets`` / ``save_incidents`` — the path the
API's one-at-a-time writes still take — leaves for the same records, byte for byte, on SQLite
and on PostgreSQL: the expected records are written out by hand below from the files' text,
saved through that path, and the two tables compared. Also: new / updated / unchanged counts,
a file found unreadable at its last line or a store failing once the records are written (on
SQLite also after the first chunk) leaves nothing, and the same file again changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from covenant.core.agreements import Incident
from covenant.core.tickets import StatusChange, Ticket
from covenant.errors import IngestError
from covenant.services.records import ingest_incident_files, ingest_ticket_files
from covenant.store import buckets, record_staging, record_tables, records

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
NOW = datetime(2026, 11, 1, tzinfo=UTC)
HEADER = "id,customer,priority,created,first_response,resolved,history\n"

FIRST = HEADER + (
    "T-1,acme,P1,2026-10-01T09:00:00Z,2026-10-01T09:05:00Z,,\n"
    # an offset and a fraction: stored in UTC, to the second
    'T-2,"Bêta, Inc",P2,2026-10-01T11:01:00.750+02:00,,2026-10-01T10:00:00Z,'
    "open@2026-10-01T09:01:00Z;Waiting-On-Customer@2026-10-01T09:30:00Z;"
    "open@2026-10-01T09:40:00Z;resolved@2026-10-01T10:00:00Z\n"
    "T-3,globex,P3,2026-10-01T09:02:00Z,,,\n"
)
# a day on: T-1 resolved (updated), T-2 and T-3 as before (unchanged), T-4 new, one bad row
LATER = HEADER + (
    "T-1,acme,P1,2026-10-01T09:00:00Z,2026-10-01T09:05:00Z,2026-10-01T12:00:00Z,\n"
    'T-2,"Bêta, Inc",P2,2026-10-01T09:01:00Z,,2026-10-01T10:00:00Z,'
    "open@2026-10-01T09:01:00Z;waiting-on-customer@2026-10-01T09:30:00Z;"
    "open@2026-10-01T09:40:00Z;resolved@2026-10-01T10:00:00Z\n"
    "T-5,acme,P1,not-a-time,,,\n"
    "T-3,globex,P3,2026-10-01T09:02:00Z,,,\n"
    "T-4,acme,P2,2026-10-02T08:00:00Z,2026-10-02T08:00:30Z,,\n"
)


def expected_tickets() -> list[Ticket]:
    """The tickets stored after FIRST then LATER, written out from the files by hand."""
    t1_created = T0
    t2 = [T0 + M, T0 + 30 * M, T0 + 40 * M, T0 + 60 * M]
    return [
        Ticket(
            id="T-1",
            customer="acme",
            priority="P1",
            created=t1_created,
            first_response=T0 + 5 * M,
            resolved=T0 + 180 * M,
            history=(
                StatusChange(at=t1_created, status="open"),
                StatusChange(at=T0 + 180 * M, status="resolved"),
            ),
        ),
        Ticket(
            id="T-2",
            customer="Bêta, Inc",
            priority="P2",
            created=T0 + M,
            resolved=T0 + 60 * M,
            history=tuple(
                StatusChange(at=at, status=status)
                for at, status in zip(
                    t2, ("open", "waiting-on-customer", "open", "resolved"), strict=True
                )
            ),
        ),
        Ticket(
            id="T-3",
            customer="globex",
            priority="P3",
            created=T0 + 2 * M,
            history=(StatusChange(at=T0 + 2 * M, status="open"),),
        ),
        Ticket(
            id="T-4",
            customer="acme",
            priority="P2",
            created=T0 + 23 * 60 * M,
            first_response=T0 + 23 * 60 * M + timedelta(seconds=30),
            history=(StatusChange(at=T0 + 23 * 60 * M, status="open"),),
        ),
    ]


def stored(engine: Engine, table: sa.Table) -> list[tuple[Any, ...]]:
    """Every row of ``table`` by id, ``updated_at`` apart, as the driver returns it."""
    names = [c.name for c in table.columns if c.name != "updated_at"]
    with engine.connect() as conn:
        query = f"SELECT {', '.join(names)} FROM {table.name} ORDER BY id"
        return [tuple(row) for row in conn.exec_driver_sql(query)]


def stamps(engine: Engine, table: sa.Table) -> dict[str, datetime]:
    with engine.connect() as conn:
        t = table.c
        return {str(i): u for i, u in conn.execute(sa.select(t.id, t.updated_at))}


def reference(engine: Engine, table: sa.Table, save: Any) -> list[tuple[Any, ...]]:
    """The rows saving the expected records one path at a time leaves (the table emptied
    first), then the table emptied again."""
    with engine.begin() as conn:
        conn.execute(table.delete())
        save(conn)
    rows = stored(engine, table)
    with engine.begin() as conn:
        conn.execute(table.delete())
    return rows


def test_a_mixed_ticket_file_stores_what_saving_ticket_by_ticket_stores(
    engine: Engine, tmp_path: Path
) -> None:
    first, later = tmp_path / "first.csv", tmp_path / "later.csv"
    first.write_text(FIRST)
    later.write_text(LATER)
    (one,) = ingest_ticket_files(engine, files=[first], now=NOW)
    assert (one.inserted, one.updated, one.unchanged, one.rows_rejected) == (3, 0, 0, 0)
    before = stamps(engine, record_tables.tickets)
    (two,) = ingest_ticket_files(engine, files=[later], now=NOW)
    assert (two.inserted, two.updated, two.unchanged, two.rows_rejected) == (1, 1, 2, 1)
    assert [p.where for p in two.problems] == ["later.csv:4"]
    after = stamps(engine, record_tables.tickets)
    # unchanged tickets keep the stamp of the write that last changed them
    assert after["T-2"] == before["T-2"]
    assert after["T-3"] == before["T-3"]
    assert after["T-1"] == after["T-4"] > before["T-1"]
    assert {u.tzinfo for u in after.values()} == {UTC}

    # the same file again: a duplicate, and not one byte of the table changes
    rows = stored(engine, record_tables.tickets)
    (again,) = ingest_ticket_files(engine, files=[later], now=NOW)
    assert again.duplicate
    assert stored(engine, record_tables.tickets) == rows
    assert stamps(engine, record_tables.tickets) == after

    def save(conn: sa.Connection) -> None:
        records.save_tickets(conn, tickets=expected_tickets(), at=NOW)

    assert rows == reference(engine, record_tables.tickets, save)


INCIDENTS = (
    "id,services,start,end,severity,customer_caused,force_majeure,planned_maintenance,customers\n"
    "INC-1,checkout;search;checkout,2026-10-03T12:00:00+02:00,2026-10-03T10:45:00Z,sev1,"
    "no,yes,0,\n"
    "INC-2,checkout,2026-10-05T00:00:00Z,,sev2,YES,no,no,acme;Bêta\n"
)


def test_a_mixed_incident_file_stores_what_saving_incident_by_incident_stores(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "incidents.csv"
    path.write_text(INCIDENTS)
    (report,) = ingest_incident_files(engine, files=[path], now=NOW)
    assert (report.inserted, report.updated, report.unchanged) == (2, 0, 0)
    rows = stored(engine, record_tables.incidents)
    ten = datetime(2026, 10, 3, 10, 0, tzinfo=UTC)
    expected = [
        Incident(
            id="INC-1",
            services=("checkout", "search"),
            start=ten,
            end=ten + 45 * M,
            severity="sev1",
            force_majeure=True,
        ),
        Incident(
            id="INC-2",
            services=("checkout",),
            start=datetime(2026, 10, 5, tzinfo=UTC),
            end=None,
            severity="sev2",
            customer_caused=True,
            customers=("acme", "Bêta"),
        ),
    ]

    def save(conn: sa.Connection) -> None:
        records.save_incidents(conn, incidents=expected, at=NOW)

    assert rows == reference(engine, record_tables.incidents, save)


def test_a_file_unreadable_at_its_last_line_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    first = tmp_path / "first.csv"
    first.write_text(FIRST)
    ingest_ticket_files(engine, files=[first], now=NOW)
    rows = stored(engine, record_tables.tickets)
    broken = tmp_path / "later.json"  # a changed ticket, a new one, then broken JSON
    broken.write_text(
        '[{"id": "T-1", "customer": "acme", "priority": "P9", "created": "2026-10-01T09:00:00Z"},\n'
        '{"id": "T-9", "customer": "acme", "priority": "P1", "created": "2026-10-01T09:00:00Z"},\n'
        '{"id": "T-10", "customer": }]\n'
    )
    with pytest.raises(IngestError) as caught:
        ingest_ticket_files(engine, files=[broken], now=NOW)
    assert str(caught.value).startswith("later.json:3: invalid JSON")
    assert stored(engine, record_tables.tickets) == rows
    with engine.connect() as conn:  # not recorded: the fixed file can be ingested
        batches = conn.exec_driver_sql("SELECT filename FROM ingest_batches").fetchall()
    assert [b[0] for b in batches] == ["first.csv"]


def test_a_store_failing_once_the_records_are_written_keeps_nothing_of_the_file(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, later = tmp_path / "first.csv", tmp_path / "later.csv"
    first.write_text(FIRST)
    later.write_text(LATER)
    ingest_ticket_files(engine, files=[first], now=NOW)
    rows = stored(engine, record_tables.tickets)
    real = buckets.record_batch

    def failing(*args: Any, **kwargs: Any) -> None:
        raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(buckets, "record_batch", failing)  # after every record was written
    with pytest.raises(Exception, match="disk I/O error"):
        ingest_ticket_files(engine, files=[later], now=NOW)
    assert stored(engine, record_tables.tickets) == rows
    monkeypatch.setattr(buckets, "record_batch", real)
    (report,) = ingest_ticket_files(engine, files=[later], now=NOW)  # not recorded: it goes in
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 2)


def test_a_store_failing_after_the_first_chunk_keeps_nothing_of_the_file(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite writes chunk by chunk (PostgreSQL copies, then merges in one statement: killed
    during it in tests/services/test_record_copy.py)."""
    engine = sqlite_engine
    first, later = tmp_path / "first.csv", tmp_path / "later.csv"
    first.write_text(FIRST)
    later.write_text(LATER)
    ingest_ticket_files(engine, files=[first], now=NOW)
    rows = stored(engine, record_tables.tickets)
    monkeypatch.setattr(record_staging, "_CHUNK", 1)  # T-1 is written, then the store fails
    real = record_staging._save_chunk
    calls: list[int] = []

    def failing(*args: Any) -> records.SaveCounts:
        calls.append(1)
        if len(calls) == 2:
            raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))
        return real(*args)

    monkeypatch.setattr(record_staging, "_save_chunk", failing)
    with pytest.raises(Exception, match="disk I/O error"):
        ingest_ticket_files(engine, files=[later], now=NOW)
    assert stored(engine, record_tables.tickets) == rows  # T-1's update rolled back
    monkeypatch.setattr(record_staging, "_save_chunk", real)
    (report,) = ingest_ticket_files(engine, files=[later], now=NOW)  # not recorded: it goes in
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 2)


@pytest.mark.parametrize(
    "ticket",
    [
        Ticket(
            id="Ü-1",
            customer='ac"me\\',
            priority="P1",
            created=datetime(2026, 10, 1, 11, 0, 0, 999_999, tzinfo=timezone(timedelta(hours=2))),
            first_response=datetime(2026, 10, 1, 9, 0, 1, 5, tzinfo=UTC),
            history=(
                StatusChange(at=datetime(2026, 10, 1, 9, 0, 0, 999_999, tzinfo=UTC), status="ö"),
                StatusChange(at=datetime(2026, 10, 1, 10, tzinfo=UTC), status="closed"),
                StatusChange(at=datetime(2026, 10, 1, 11, tzinfo=UTC), status="open"),
            ),
        ),
        Ticket(id="T", customer="c", priority="p", created=datetime(1970, 1, 1, tzinfo=UTC)),
    ],
)
def test_plain_values_are_the_store_row(ticket: Ticket) -> None:
    row = records.ticket_row(ticket)
    values = dict(zip(records.TICKET_VALUES, records.ticket_values(ticket), strict=True))
    for name in records.TICKET_INSTANTS:
        moment = row[name]
        assert values[name] == (None if moment is None else int(moment.timestamp())), name
    assert {k: v for k, v in values.items() if k not in records.TICKET_INSTANTS} == {
        k: v for k, v in row.items() if k in values and k not in records.TICKET_INSTANTS
    }


def test_plain_incident_values_are_the_store_row() -> None:
    incident = Incident(
        id="I",
        services=("a", "ß"),
        start=datetime(2026, 10, 1, 11, 0, 0, 5, tzinfo=timezone(timedelta(hours=2))),
        end=None,
        planned_maintenance=True,
        customers=("x",),
    )
    row = records.incident_row(incident)
    values = dict(zip(records.INCIDENT_VALUES, records.incident_values(incident), strict=True))
    assert values["start_at"] == int(datetime(2026, 10, 1, 9, tzinfo=UTC).timestamp())
    assert values["end_at"] is None
    assert {k: v for k, v in values.items() if k not in records.INCIDENT_INSTANTS} == {
        k: v for k, v in row.items() if k in values and k not in records.INCIDENT_INSTANTS
    }
