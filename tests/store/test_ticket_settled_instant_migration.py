"""Migration ``0024_ticket_settled_instant`` through ``covenant db upgrade`` on both backends: a
ticket stored before the fix of "resolution at the instant of a reopening" with ``settled_at``
at that instant (written here directly with SQL, as the older code stored it) is open after
the upgrade — ``settled_at`` NULL, and ``load_tickets(open_at=…)`` finds it again — while the
other tickets keep what they had; a second upgrade has nothing to do."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from covenant.store.db import create_engine_for
from covenant.store.records import load_tickets
from tests.store.test_db_commands import db, heads
from tests.stores import migrate_to

# (created, resolved, history, settled_at as the older code stored it, as it must be now)
ROWS = {
    # resolved at 12:00, reopened at 12:00 (the resolution the reopening undid): open
    "SAME": (
        "2026-11-02 09:00:00",
        "'2026-11-02 12:00:00'",
        '[{"at":"2026-11-02T09:00:00Z","status":"open"},'
        '{"at":"2026-11-02T11:00:00Z","status":"resolved"},'
        '{"at":"2026-11-02T12:00:00Z","status":"open"}]',
        "'2026-11-02 12:00:00'",
        None,
    ),
    # reopened at 12:00 and resolved again at 12:00:01, strictly after: settled then
    "AFTER": (
        "2026-11-02 09:00:00",
        "'2026-11-02 12:00:01'",
        '[{"at":"2026-11-02T09:00:00Z","status":"open"},'
        '{"at":"2026-11-02T11:00:00Z","status":"resolved"},'
        '{"at":"2026-11-02T12:00:00Z","status":"open"}]',
        "'2026-11-02 12:00:01'",
        "2026-11-02 12:00:01",
    ),
    # resolved at its creation, never reopened: settled at creation (the first cycle)
    "AT_CREATION": (
        "2026-11-03 08:00:00",
        "'2026-11-03 08:00:00'",
        "[]",
        "'2026-11-03 08:00:00'",
        "2026-11-03 08:00:00",
    ),
    # resolved by its history at 10:00 (closed later): settled since 10:00
    "DONE": (
        "2026-11-03 09:00:00",
        "'2026-11-03 10:00:00'",
        '[{"at":"2026-11-03T09:00:00Z","status":"open"},'
        '{"at":"2026-11-03T10:00:00Z","status":"resolved"},'
        '{"at":"2026-11-03T11:00:00Z","status":"closed"}]',
        "'2026-11-03 10:00:00'",
        "2026-11-03 10:00:00",
    ),
    # open, never resolved
    "OPEN": (
        "2026-11-04 09:00:00",
        "NULL",
        '[{"at":"2026-11-04T09:00:00Z","status":"open"}]',
        "NULL",
        None,
    ),
}


def _settled(url: str) -> dict[str, str | None]:
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, settled_at FROM tickets ORDER BY id").all()
    finally:
        engine.dispose()
    return {str(id_): None if v is None else str(v)[:19] for id_, v in rows}


def _open(url: str, at: datetime) -> list[str]:
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            return sorted(t.id for t in load_tickets(conn, open_at=at))
    finally:
        engine.dispose()


def test_upgrade_reopens_a_ticket_resolved_at_its_reopening(store_url: str, tmp_path: Path) -> None:
    migrate_to(store_url, "0023_issued_statements")
    engine = create_engine_for(store_url)
    try:
        with engine.begin() as conn:
            for id_, (created, resolved, history, stored, _) in ROWS.items():
                conn.exec_driver_sql(
                    "INSERT INTO tickets (id, customer, priority, created, resolved, history, "
                    "settled_at, content_sha256, updated_at) VALUES "
                    f"('{id_}', 'acme', 'P1', '{created}', {resolved}, '{history}', {stored}, "
                    "'x', '2026-11-01 00:00:00')"
                )
    finally:
        engine.dispose()
    noon = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
    assert _open(store_url, noon) == ["OPEN"]  # the stale value hides SAME

    code, out, err = db(["upgrade"], store_url, tmp_path)

    assert code == 0, err
    assert f"upgraded from 0023_issued_statements to {', '.join(heads())}" in out
    assert _settled(store_url) == {id_: row[4] for id_, row in ROWS.items()}
    assert _open(store_url, noon) == ["OPEN", "SAME"]
    code, out, err = db(["upgrade"], store_url, tmp_path)
    assert code == 0, err
    assert "nothing to do" in out
    assert _settled(store_url) == {id_: row[4] for id_, row in ROWS.items()}
