"""Migration ``0021_ticket_settled`` on both backends: upgrade from 0020 adds
``tickets.settled_at`` and fills it for the stored tickets from their resolution and status
history (since when each has stayed resolved; NULL while open — never resolved, or reopened),
so ``load_tickets(open_at=…)`` finds the open ones; downgrade to 0020 removes it and keeps the
rows."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from covenant.store.db import create_engine_for
from covenant.store.records import load_tickets
from tests.stores import migrate_to

HISTORY = {
    # open since creation, never resolved
    "OPEN": '[{"at":"2026-10-30T00:00:00Z","status":"open"}]',
    # resolved at 20:00 then closed at 21:00: settled since 20:00
    "DONE": '[{"at":"2026-10-30T09:00:00Z","status":"open"},'
    '{"at":"2026-10-30T20:00:00Z","status":"resolved"},'
    '{"at":"2026-10-30T21:00:00Z","status":"closed"}]',
    # resolved on 29 October, reopened on 20 November: open (its export keeps the resolution)
    "BACK": '[{"at":"2026-10-29T10:00:00Z","status":"open"},'
    '{"at":"2026-10-29T12:00:00Z","status":"resolved"},'
    '{"at":"2026-11-20T11:00:00Z","status":"open"}]',
    # no history, only the resolution column: settled since then
    "BARE": "[]",
}
CREATED = {
    "OPEN": "2026-10-30 00:00:00",
    "DONE": "2026-10-30 09:00:00",
    "BACK": "2026-10-29 10:00:00",
    "BARE": "2026-10-28 08:00:00",
}
RESOLVED = {"DONE": "'2026-10-30 20:00:00'", "BACK": "'2026-10-29 12:00:00'"}
RESOLVED["BARE"] = "'2026-10-28 09:30:00'"


def _columns(url: str) -> set[str]:
    engine = create_engine_for(url)
    try:
        return {c["name"] for c in sa.inspect(engine).get_columns("tickets")}
    finally:
        engine.dispose()


def _open(url: str, at: datetime) -> list[str]:
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            return sorted(t.id for t in load_tickets(conn, open_at=at))
    finally:
        engine.dispose()


def test_upgrade_fills_when_each_ticket_settled_and_downgrade_removes_it(store_url: str) -> None:
    migrate_to(store_url, "0020_source_matches")
    engine = create_engine_for(store_url)
    try:
        with engine.begin() as conn:
            for id_, history in HISTORY.items():
                conn.exec_driver_sql(
                    "INSERT INTO tickets (id, customer, priority, created, resolved, history, "
                    "content_sha256, updated_at) VALUES "
                    f"('{id_}', 'acme', 'P1', '{CREATED[id_]}', {RESOLVED.get(id_, 'NULL')}, "
                    f"'{history}', 'x', '2026-11-01 00:00:00')"
                )
    finally:
        engine.dispose()
    migrate_to(store_url, "0021_ticket_settled")
    assert "settled_at" in _columns(store_url)
    engine = create_engine_for(store_url)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, settled_at FROM tickets ORDER BY id").all()
    finally:
        engine.dispose()
    settled = {id_: None if v is None else str(v)[:19] for id_, v in rows}
    assert settled == {
        "BACK": None,
        "BARE": "2026-10-28 09:30:00",
        "DONE": "2026-10-30 20:00:00",
        "OPEN": None,
    }
    # on 20 November at noon: OPEN and BACK are open; DONE and BARE settled in October
    assert _open(store_url, datetime(2026, 11, 20, 12, 0, tzinfo=UTC)) == ["BACK", "OPEN"]
    # on 30 October at 12:00: DONE was still open then, BARE was settled, BACK not reopened
    # yet (settled_at is NULL: the store keeps it among the candidates)
    assert _open(store_url, datetime(2026, 10, 30, 12, 0, tzinfo=UTC)) == ["BACK", "DONE", "OPEN"]
    migrate_to(store_url, "0020_source_matches", down=True)
    assert "settled_at" not in _columns(store_url)
    engine = create_engine_for(store_url)
    try:
        with engine.connect() as conn:
            ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM tickets ORDER BY id")]
    finally:
        engine.dispose()
    assert ids == ["BACK", "BARE", "DONE", "OPEN"]
    migrate_to(store_url, "0021_ticket_settled")
    assert "settled_at" in _columns(store_url)
