"""The record store: tickets and incidents upserted by id, loaded back as core objects — on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from covenant.core.agreements import Incident
from covenant.core.tickets import StatusChange, Ticket
from covenant.errors import InputError, NaiveDatetimeError
from covenant.store import record_tables, records
from covenant.store.db import alembic_config, migrate
from covenant.store.tables import metadata

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def ticket(id_: str, *, customer: str = "acme", created: datetime = T0, **kw: object) -> Ticket:
    history = kw.pop("history", (StatusChange(at=created, status="open"),))
    return Ticket(
        id=id_,
        customer=customer,
        priority=str(kw.pop("priority", "P1")),
        created=created,
        history=history,  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def incident(id_: str, start: datetime, end: datetime | None, **kw: object) -> Incident:
    services = kw.pop("services", ("checkout",))
    return Incident(id=id_, services=services, start=start, end=end, **kw)  # type: ignore[arg-type]


def _table_of(diff: tuple[object, ...]) -> str | None:
    """The table an Alembic autogenerate diff is about (other branches' tables are ignored)."""
    for item in diff[1:]:
        if isinstance(item, sa.Table):
            return item.name
        table = getattr(item, "table", None)
        if isinstance(table, sa.Table):
            return table.name
        if isinstance(item, str) and item in {"tickets", "incidents"}:
            return item
    return None


def test_migration_creates_the_record_tables_as_declared(engine: Engine) -> None:
    migrate(engine)  # idempotent: the fixture migrated once already
    names = set(sa.inspect(engine).get_table_names())
    assert {"tickets", "incidents"} <= names
    with engine.connect() as conn:
        versions = set(conn.execute(sa.text("select version_num from alembic_version")).scalars())
        assert versions == set(
            ScriptDirectory.from_config(alembic_config()).get_heads()
        )  # one head
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, metadata)
    flat = [d for group in diffs for d in (group if isinstance(group, list) else [group])]
    assert [d for d in flat if _table_of(d) in {"tickets", "incidents"}] == []
    indexes = {ix["name"] for ix in sa.inspect(engine).get_indexes("incidents")}
    assert {"ix_incidents_start_at", "ix_incidents_end_at"} <= indexes


def test_tickets_round_trip_with_history_and_offsets(engine: Engine) -> None:
    plus_two = timezone(timedelta(hours=2))
    full = ticket(
        "T-1",
        created=T0,
        history=(
            StatusChange(at=T0, status="open"),
            StatusChange(at=T0 + H, status="waiting-on-customer"),
            StatusChange(at=T0 + 3 * H, status="open"),
            StatusChange(at=T0 + 6 * H, status="resolved"),
        ),
        first_response=(T0 + timedelta(minutes=10)).astimezone(plus_two),
        resolved=T0 + 6 * H,
    )
    bare = ticket("T-2", customer="beta", created=T0 + H, priority="P3")
    with engine.begin() as conn:
        counts = records.save_tickets(conn, tickets=[full, bare], at=NOW)
    assert counts == records.SaveCounts(inserted=2)
    with engine.connect() as conn:
        loaded = records.load_tickets(conn)
    assert loaded == [full, bare]
    assert loaded[0].first_response is not None
    assert loaded[0].first_response.utcoffset() == timedelta(0)


def test_a_changed_ticket_replaces_the_stored_one(engine: Engine) -> None:
    open_ticket = ticket("T-1")
    with engine.begin() as conn:
        records.save_tickets(conn, tickets=[open_ticket, ticket("T-2")], at=NOW)
    resolved = ticket(
        "T-1",
        history=(StatusChange(at=T0, status="open"), StatusChange(at=T0 + H, status="resolved")),
        resolved=T0 + H,
    )
    with engine.begin() as conn:
        counts = records.save_tickets(
            conn, tickets=[resolved, ticket("T-2"), ticket("T-3")], at=NOW + H
        )
    assert counts == records.SaveCounts(inserted=1, updated=1, unchanged=1)
    with engine.connect() as conn:
        loaded = {t.id: t for t in records.load_tickets(conn)}
        query = sa.select(record_tables.tickets.c.id, record_tables.tickets.c.updated_at)
        stamps = dict(conn.execute(query).all())
    assert loaded["T-1"] == resolved
    assert stamps == {"T-1": NOW + H, "T-2": NOW, "T-3": NOW + H}


def test_load_tickets_filters_by_customer_and_half_open_creation_range(engine: Engine) -> None:
    batch = [
        ticket("a1", customer="acme", created=T0),
        ticket("a2", customer="acme", created=T0 + 2 * H),
        ticket("b1", customer="beta", created=T0 + H),
    ]
    with engine.begin() as conn:
        records.save_tickets(conn, tickets=batch, at=NOW)
    with engine.connect() as conn:
        assert [t.id for t in records.load_tickets(conn)] == ["a1", "b1", "a2"]
        assert [t.id for t in records.load_tickets(conn, customer="acme")] == ["a1", "a2"]
        window = records.load_tickets(conn, created_from=T0 + H, created_to=T0 + 2 * H)
        assert [t.id for t in window] == ["b1"]
        with pytest.raises(NaiveDatetimeError):
            records.load_tickets(conn, created_from=datetime(2026, 10, 1))


def test_incidents_round_trip_and_overlap_queries(engine: Engine) -> None:
    before = incident("before", T0 - 2 * H, T0)  # ends exactly at the window start
    inside = incident(
        "inside",
        T0 + H,
        T0 + 2 * H,
        services=("checkout", "search"),
        severity="sev1",
        customer_caused=True,
        force_majeure=True,
        planned_maintenance=True,
        customers=("acme",),
    )
    spanning = incident("spanning", T0 - H, T0 + H, services=("search",), customers=("beta",))
    still_open = incident("open", T0 + 5 * H, None)
    after = incident("after", T0 + 24 * H, T0 + 25 * H)  # starts exactly at the window end
    with engine.begin() as conn:
        counts = records.save_incidents(
            conn, incidents=[before, inside, spanning, still_open, after], at=NOW
        )
    assert counts.inserted == 5
    end = T0 + 24 * H
    with engine.connect() as conn:
        found = records.load_incidents(conn, start=T0, end=end)
        assert [i.id for i in found] == ["spanning", "inside", "open"]
        assert found[1] == inside
        assert found[2].end is None
        by_service = records.load_incidents(conn, services=["checkout"], start=T0, end=end)
        assert [i.id for i in by_service] == ["inside", "open"]
        for_acme = records.load_incidents(conn, customer="acme", start=T0, end=end)
        assert [i.id for i in for_acme] == ["inside", "open"]  # acme's and everyone's
        everything = records.load_incidents(conn, start=T0 - 24 * H, end=T0 + 48 * H)
        assert len(everything) == 5
        with pytest.raises(InputError):
            records.load_incidents(conn, start=T0 + H, end=T0)


def test_an_incident_that_closes_is_updated(engine: Engine) -> None:
    with engine.begin() as conn:
        records.save_incidents(conn, incidents=[incident("i", T0, None)], at=NOW)
    with engine.begin() as conn:
        counts = records.save_incidents(conn, incidents=[incident("i", T0, T0 + H)], at=NOW)
    assert counts == records.SaveCounts(updated=1)
    with engine.connect() as conn:
        (stored,) = records.load_incidents(conn, start=T0, end=T0 + 24 * H)
    assert stored.end == T0 + H


def test_repeated_ids_in_one_save_are_refused_and_nothing_is_written(engine: Engine) -> None:
    with pytest.raises(InputError, match="repeat an id"), engine.begin() as conn:
        records.save_tickets(conn, tickets=[ticket("x"), ticket("x")], at=NOW)
    with engine.connect() as conn:
        assert records.load_tickets(conn) == []


def test_a_failed_transaction_leaves_nothing(engine: Engine) -> None:
    def write_then_crash() -> None:
        with engine.begin() as conn:
            records.save_tickets(conn, tickets=[ticket("x")], at=NOW)
            raise RuntimeError("crash after the write, before the commit")

    with pytest.raises(RuntimeError):
        write_then_crash()
    with engine.connect() as conn:
        assert records.load_tickets(conn) == []
