"""`covenant alerts outbox`: counts, rows and --retry of failed notices (audited)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import sqlite_url
from covenant.services.audit import AuditFilter, list_entries
from covenant.services.store import open_store
from covenant.store import outbox
from covenant.store.db import write_transaction

runner = CliRunner()
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def new(key: str) -> outbox.NewRow:
    return outbox.NewRow(
        notice_key=key, state="firing", starts_at=NOW, target="hook", kind="burn-rate", notice="{}"
    )


def test_outbox_lists_and_retries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    engine = open_store(sqlite_url(tmp_path))
    with write_transaction(engine) as conn:
        outbox.add(conn, [new("a"), new("b"), new("c")], now=NOW)
        first, second = outbox.claim(conn, now=NOW, limit=2, lease=timedelta(minutes=2), owner="t")
        outbox.mark_sent(conn, first.id, owner="t", now=NOW)
        outbox.mark_failed(
            conn, second.id, owner="t", error="HTTP 400: no", next_attempt_at=NOW, give_up=True
        )
    engine.dispose()
    shown = runner.invoke(app, ["alerts", "outbox", "-w", str(tmp_path), "-f", "json"])
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.output)
    assert body["counts"] == {"pending": 1, "sent": 1, "failed": 1}
    assert [(r["notice_key"], r["status"]) for r in body["rows"]] == [
        ("c", "pending"),
        ("b", "failed"),
        ("a", "sent"),
    ]
    assert body["rows"][1]["last_error"] == "HTTP 400: no"
    failed = runner.invoke(app, ["alerts", "outbox", "-w", str(tmp_path), "--status", "failed"])
    assert failed.exit_code == 0
    assert "#2  failed  firing  b → hook  attempts 1  last error: HTTP 400: no" in failed.output
    assert "#1" not in failed.output
    retry = ["alerts", "outbox", "-w", str(tmp_path), "--retry", "--actor", "ops:alice"]
    retried = runner.invoke(app, [*retry, "-f", "json"])
    after = json.loads(retried.output)
    assert (after["retried"], after["counts"]) == (1, {"pending": 2, "sent": 1, "failed": 0})
    again = json.loads(runner.invoke(app, [*retry, "-f", "json"]).output)
    assert again["retried"] == 0  # nothing failed any more: nothing changed, nothing audited
    engine = open_store(sqlite_url(tmp_path))
    rows = list_entries(engine, where=AuditFilter(entity_kind="outbox"))
    engine.dispose()
    assert [(e.actor, e.action, e.entity_id) for e in rows] == [("ops:alice", "retried", "notices")]
    assert (rows[0].before_data(), rows[0].after_data()) == (
        {"ids": [second.id], "status": "failed"},
        {"ids": [second.id], "status": "pending"},
    )


def test_outbox_without_a_store_creates_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    result = runner.invoke(app, ["alerts", "outbox", "-w", str(tmp_path)])
    assert result.exit_code == 1
    assert "no-store" in result.output or "no store" in result.output
    assert not (tmp_path / ".covenant").exists()


def test_prune_deletes_sent_notices_older_than_the_retention(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--prune` does what a running dispatcher does every hour, for a store no worker
    serves: sent rows last sent more than 7 days ago go (a firing row whose resolution is not
    in the outbox stays: it may still fire); pending and recent rows stay."""
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    monkeypatch.setenv("COVENANT_NOW", NOW.isoformat())
    engine = open_store(sqlite_url(tmp_path))
    old, recent = NOW - timedelta(days=8), NOW - timedelta(days=6)

    def resolved(key: str) -> outbox.NewRow:
        return outbox.NewRow(
            notice_key=key,
            state="resolved",
            starts_at=NOW,
            target="hook",
            kind="burn-rate",
            notice="{}",
        )

    with write_transaction(engine) as conn:
        # a: fired and resolved 8 days ago (both go); b: resolved 6 days ago (both stay);
        # c: fired 8 days ago, no resolution (stays); d: pending (stays)
        outbox.add(conn, [new("a"), resolved("a"), new("b"), resolved("b"), new("c")], now=old)
        lease = timedelta(minutes=2)  # a resolution is claimed once its firing is sent
        while claimed := outbox.claim(conn, now=old, limit=10, lease=lease, owner="t"):
            for row in claimed:
                sent_at = recent if row.notice_key == "b" else old
                outbox.mark_sent(conn, row.id, owner="t", now=sent_at)
        outbox.add(conn, [new("d")], now=NOW)
    engine.dispose()
    (tmp_path / "shop.yaml").write_text(
        "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\nspec: {}\n"
    )
    prune = ["alerts", "outbox", "-w", str(tmp_path), "--prune", "--actor", "ops:bob"]
    shown = runner.invoke(app, [*prune, "-f", "json"])
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.output)
    assert body["pruned"] == 2
    assert body["counts"] == {"pending": 1, "sent": 3, "failed": 0}
    left = sorted((r["notice_key"], r["state"]) for r in body["rows"])
    assert left == [("b", "firing"), ("b", "resolved"), ("c", "firing"), ("d", "firing")]
    again = runner.invoke(app, prune)
    assert again.exit_code == 0, again.output
    assert "0 sent notice(s) older than 7 days pruned" in again.output
    # the prune that deleted rows is audited with its actor; the one that deleted none is not
    engine = open_store(sqlite_url(tmp_path))
    audited = list_entries(engine, where=AuditFilter(entity_kind="outbox"))
    engine.dispose()
    assert [(e.actor, e.action, e.before_data()["count"]) for e in audited] == [
        ("ops:bob", "pruned", 2)
    ]
