"""The audit log's hash chain on SQLite and PostgreSQL: appends chain, verify finds the first
edited, deleted or inserted row, concurrent appenders never fork the chain."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from covenant.errors import InputError
from covenant.services.slo_history import record_slo_changes
from covenant.services.workspace import load_workspace
from covenant.store import audit
from covenant.store.audit_tables import audit_log
from covenant.store.db import write_transaction
from tests.conftest import ROOT
from tests.stores import at_once

T0 = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def _append(engine: Engine, n: int, *, start: int = 0) -> None:
    with write_transaction(engine) as conn:
        for i in range(start, start + n):
            audit.append(
                conn,
                actor="cli:alice",
                action="changed",
                entity_kind="slo",
                entity_id=f"slo-{i}",
                before={"target": "99/100"} if i else None,
                after={"target": f"{999 - i}/1000"},
                at=T0 + timedelta(minutes=i),
                reason=f"step {i}",
            )


def _rows(engine: Engine) -> list[sa.RowMapping]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(audit_log).order_by(audit_log.c.seq)).mappings())


def _verify(engine: Engine, anchor: tuple[int, str] | None = None) -> audit.Verification:
    with engine.connect() as conn:
        return audit.verify(conn, anchor=anchor)


def _expected_hash(prev: str | None, row: sa.RowMapping) -> str:
    """The chaining rule written out independently: sha256(prev + "\\n" + sorted compact JSON)."""
    body = {
        "seq": row["seq"],
        "at": row["at"].astimezone(UTC).isoformat(),
        "actor": row["actor"],
        "action": row["action"],
        "entity_kind": row["entity_kind"],
        "entity_id": row["entity_id"],
        "reason": row["reason"],
        "before": row["before"],
        "after": row["after"],
    }
    text = (prev or "") + "\n" + json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def test_rows_are_numbered_and_chained_by_sha256(engine: Engine) -> None:
    _append(engine, 3)
    rows = _rows(engine)
    assert [r["seq"] for r in rows] == [1, 2, 3]
    assert rows[0]["prev_hash"] is None
    previous = None
    for row in rows:
        assert row["prev_hash"] == previous
        assert row["hash"] == _expected_hash(previous, row)
        previous = row["hash"]
    assert rows[0]["before"] is None
    assert rows[1]["before"] == '{"target":"99/100"}'
    assert rows[2]["after"] == '{"target":"997/1000"}'
    assert rows[2]["at"] == T0 + timedelta(minutes=2)
    result = _verify(engine)
    assert (result.rows, result.head_seq, result.head_hash, result.broken) == (
        3,
        3,
        rows[2]["hash"],
        None,
    )


def test_values_are_written_as_canonical_json(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        entry = audit.append(
            conn,
            actor="sync",
            action="created",
            entity_kind="agreement",
            entity_id="globex",
            before=None,
            after={"level": Fraction(999, 1000), "fee": Decimal("1200.50"), "at": T0, "b": [2, 1]},
            at=T0,
        )
    assert (
        entry.after
        == '{"at":"2026-11-03T09:30:00+00:00","b":[2,1],"fee":"1200.50","level":"999/1000"}'
    )
    assert entry.after_data()["level"] == "999/1000"


def test_an_empty_log_verifies_with_no_head(engine: Engine) -> None:
    result = _verify(engine)
    assert (result.rows, result.head_seq, result.broken) == (0, None, None)


def _execute(engine: Engine, statement: sa.Executable) -> None:
    with engine.begin() as conn:
        conn.execute(statement)


def test_an_edited_row_is_named(engine: Engine) -> None:
    _append(engine, 5)
    _execute(
        engine,
        sa.update(audit_log).where(audit_log.c.seq == 3).values(after='{"target":"9/10"}'),
    )
    broken = _verify(engine).broken
    assert broken is not None
    assert broken.seq == 3
    assert "edited" in broken.reason


def test_an_edit_with_its_hash_recomputed_breaks_the_next_row(engine: Engine) -> None:
    _append(engine, 5)
    row = _rows(engine)[1]
    forged = {**dict(row), "actor": "mallory"}
    _execute(
        engine,
        sa.update(audit_log)
        .where(audit_log.c.seq == 2)
        .values(actor="mallory", hash=_expected_hash(row["prev_hash"], forged)),  # type: ignore[arg-type]
    )
    broken = _verify(engine).broken
    assert broken is not None
    assert broken.seq == 3
    assert "not chained" in broken.reason


def test_a_deleted_row_is_named(engine: Engine) -> None:
    _append(engine, 5)
    _execute(engine, sa.delete(audit_log).where(audit_log.c.seq == 2))
    broken = _verify(engine).broken
    assert broken is not None
    assert broken.seq == 2
    assert "missing" in broken.reason


def test_a_deleted_row_with_the_rest_renumbered_is_found(engine: Engine) -> None:
    _append(engine, 4)
    _execute(engine, sa.delete(audit_log).where(audit_log.c.seq == 2))
    for seq in (3, 4):
        _execute(engine, sa.update(audit_log).where(audit_log.c.seq == seq).values(seq=seq - 1))
    broken = _verify(engine).broken
    assert broken is not None
    assert broken.seq == 2
    assert "not chained" in broken.reason


def test_an_inserted_row_is_found(engine: Engine) -> None:
    _append(engine, 3)
    rows = _rows(engine)
    # shift rows 2 and 3 up, and slip a forged row #2 in, chained to row #1 as a forger would
    for seq in (3, 2):
        _execute(engine, sa.update(audit_log).where(audit_log.c.seq == seq).values(seq=seq + 1))
    forged = {**dict(rows[1]), "seq": 2, "actor": "mallory", "prev_hash": rows[0]["hash"]}
    forged["hash"] = _expected_hash(rows[0]["hash"], forged)  # type: ignore[arg-type]
    _execute(engine, sa.insert(audit_log).values(**forged))
    broken = _verify(engine).broken
    assert broken is not None
    assert broken.seq == 3  # the original row #2, now #3, is chained to row #1, not the forgery
    assert "not chained" in broken.reason


def test_a_row_appended_by_hand_is_found(engine: Engine) -> None:
    _append(engine, 2)
    head = _rows(engine)[-1]
    _execute(
        engine,
        sa.insert(audit_log).values(
            **{**dict(head), "seq": 3, "prev_hash": head["hash"], "hash": "0" * 64}
        ),
    )
    broken = _verify(engine).broken
    assert broken is not None
    assert (broken.seq, "edited" in broken.reason) == (3, True)


def test_rows_cut_from_the_end_show_only_against_an_anchor(engine: Engine) -> None:
    _append(engine, 4)
    head = _verify(engine)
    assert head.head_seq == 4
    anchor = (4, str(head.head_hash))
    assert _verify(engine, anchor).broken is None
    _execute(engine, sa.delete(audit_log).where(audit_log.c.seq >= 3))
    assert _verify(engine).broken is None  # a shorter chain is still whole: the known limit
    broken = _verify(engine, anchor).broken
    assert broken is not None
    assert broken.seq == 4
    assert "missing" in broken.reason
    wrong = _verify(engine, (2, "f" * 64)).broken
    assert wrong is not None
    assert (wrong.seq, "rewritten" in wrong.reason) == (2, True)


def test_verify_reads_past_a_page(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "PAGE", 3)
    _append(engine, 8)
    assert _verify(engine).rows == 8
    _execute(engine, sa.update(audit_log).where(audit_log.c.seq == 7).values(actor="x"))
    broken = _verify(engine).broken
    assert broken is not None
    assert broken.seq == 7


def test_bad_fields_are_refused_and_nothing_is_written(engine: Engine) -> None:
    with pytest.raises(InputError, match="actor"), write_transaction(engine) as conn:
        audit.append(
            conn,
            actor="x" * 256,
            action="created",
            entity_kind="token",
            entity_id="t1",
            before=None,
            after={},
            at=T0,
        )
    assert _rows(engine) == []


def test_entries_filter_and_latest_per_entity(engine: Engine) -> None:
    _append(engine, 3)
    with write_transaction(engine) as conn:
        audit.append(
            conn,
            actor="token:abc",
            action="revoked",
            entity_kind="token",
            entity_id="abc",
            before={"state": "active"},
            after={"state": "revoked"},
            at=T0 + timedelta(hours=1),
        )
        audit.append(
            conn,
            actor="cli:bob",
            action="changed",
            entity_kind="slo",
            entity_id="slo-1",
            before=None,
            after={"target": "1/2"},
            at=T0 + timedelta(hours=2),
        )
    with engine.connect() as conn:
        assert [e.seq for e in audit.entries(conn, entity_kind="slo")] == [1, 2, 3, 5]
        assert [e.seq for e in audit.entries(conn, entity_id="slo-1")] == [2, 5]
        assert [e.seq for e in audit.entries(conn, actor="token:abc")] == [4]
        assert [e.seq for e in audit.entries(conn, action="revoked")] == [4]
        window = audit.entries(conn, since=T0 + timedelta(minutes=1), until=T0 + timedelta(hours=1))
        assert [e.seq for e in window] == [2, 3]
        assert [e.seq for e in audit.entries(conn, after_seq=2, limit=2)] == [3, 4]
        latest = audit.latest(conn, entity_kind="slo")
        assert {k: v.seq for k, v in latest.items()} == {"slo-0": 1, "slo-1": 5, "slo-2": 3}


def test_concurrent_appenders_never_fork_the_chain(engine: Engine) -> None:
    """Writers in their own transactions append at once; every row lands, chained in one line."""
    writers, each = 6, 15

    def write(w: int) -> None:
        for i in range(each):
            with write_transaction(engine) as conn:
                audit.append(
                    conn,
                    actor=f"writer-{w}",
                    action="created",
                    entity_kind="ticket",
                    entity_id=f"T-{w}-{i}",
                    before=None,
                    after={"i": i},
                    at=T0,
                )

    at_once(write, writers)
    result = _verify(engine)
    assert result.broken is None
    assert result.rows == writers * each
    ids = {r["entity_id"] for r in _rows(engine)}
    assert ids == {f"T-{w}-{i}" for w in range(writers) for i in range(each)}


def test_plain_transactions_on_postgres_also_serialize(postgres_engine: Engine) -> None:
    """Without write_transaction (engine.begin(), READ COMMITTED), the advisory lock alone keeps
    one chain: the second appender reads the head only after the first committed."""
    writers, each = 5, 10

    def write(w: int) -> None:
        for i in range(each):
            with postgres_engine.begin() as conn:
                audit.append(
                    conn,
                    actor="sync",
                    action="created",
                    entity_kind="incident",
                    entity_id=f"I-{w}-{i}",
                    before=None,
                    after=None,
                    at=T0,
                )

    at_once(write, writers)
    result = _verify(postgres_engine)
    assert (result.rows, result.broken) == (writers * each, None)


def test_servers_loading_the_same_change_record_it_once(engine: Engine) -> None:
    """Several recorders of the same definitions at once: each SLO is created exactly once."""
    shop = ROOT / "examples" / "shop"
    defined = sum(
        text.count("\nkind: SLO\n") + text.startswith("kind: SLO\n")
        for text in (p.read_text() for p in shop.glob("*.yaml"))
    )
    workspace = load_workspace(shop)
    at_once(
        lambda r: record_slo_changes(engine, workspace=workspace, actor=f"serve-{r}", at=T0),
        4,
    )
    rows = _rows(engine)
    assert defined > 3
    assert len(rows) == defined
    assert sorted(r["entity_id"] for r in rows) == sorted({r["entity_id"] for r in rows})
    assert {r["action"] for r in rows} == {"created"}
    assert _verify(engine).broken is None
