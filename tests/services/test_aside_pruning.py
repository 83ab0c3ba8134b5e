"""Pruning the series set aside because their SLI's query changed (services.aside_pruning,
``covenant db prune``), on SQLite and PostgreSQL: listed without deleting, deleted with their
days, read state and journal rows on request (audited), only those read before the cut-off;
the series in use untouched, and a query changed back after a prune starts empty."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import sqlite_url
from covenant.services.aside_pruning import prune_aside
from covenant.services.audit import AuditFilter, list_entries
from covenant.services.incremental import EdgeCache
from covenant.services.store import open_store
from covenant.store.aside_series import aside_series, delete_series
from covenant.store.bucket_journal import forget_writes
from covenant.store.buckets import ensure_series, read_matrix
from covenant.store.db import write_transaction
from covenant.store.source_queries import Claim, Replaced, claim_queries
from tests.checkout import put, wait

AT = datetime(2026, 10, 3, tzinfo=UTC)
DAY0 = datetime(2026, 10, 1, tzinfo=UTC)
DAY1 = DAY0 + timedelta(days=1)
Q1, Q2 = "1" * 64, "2" * 64


def _claim(engine: Engine, key: str, sha: str) -> dict[str, Replaced]:
    with write_transaction(engine) as conn:
        sid = ensure_series(conn, keys=[key], step=60)[key]
        claim = Claim(series_id=sid, key=key, source="prometheus", sha256=sha)
        return claim_queries(conn, [claim], at=AT)


def _set_aside(engine: Engine) -> None:
    """``api`` read with Q1 on two days and ``web`` on one, then both claimed for Q2 (set
    aside); ``api`` then read with Q2 for 10 minutes."""
    put(engine, DAY0, 30, bad=0, series="api")
    put(engine, DAY1, 20, bad=0, series="api")
    put(engine, DAY0, 5, bad=0, series="web")
    for key in ("api", "web"):
        _claim(engine, key, Q1)
        assert key in _claim(engine, key, Q2)
    put(engine, DAY0, 10, bad=0, series="api")


def _rows(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one())


def _keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT key FROM series ORDER BY key")]


def _total(engine: Engine, key: str) -> int:
    with engine.connect() as conn:
        m = read_matrix(conn, keys=[key], start=int(DAY0.timestamp()), end=int(AT.timestamp()))
    return int(m.total.sum())


def test_lists_then_deletes_the_series_set_aside(engine: Engine) -> None:
    _set_aside(engine)
    aside = ["api#" + "1" * 16, "web#" + "1" * 16]
    assert _keys(engine) == ["api", *aside[:1], "web", aside[1]]
    before = {t: _rows(engine, t) for t in ("bucket_chunks", "source_reads", "series")}

    listed = prune_aside(engine, now=AT, actor="test")  # a dry run
    assert [(s.name, s.key, s.query, s.days) for s in listed.pruned] == [
        (aside[0], "api", "1" * 16, 2),
        (aside[1], "web", "1" * 16, 1),
    ]
    assert [s.as_json()["first_day"] for s in listed.pruned] == ["2026-10-01", "2026-10-01"]
    assert [s.as_json()["last_day"] for s in listed.pruned] == ["2026-10-02", "2026-10-01"]
    assert listed.days == 3
    assert not listed.deleted
    assert {t: _rows(engine, t) for t in before} == before  # nothing deleted

    done = prune_aside(engine, now=AT, actor="ops:alice", apply=True)
    assert done.deleted
    assert [s.name for s in done.pruned] == aside
    assert _keys(engine) == ["api", "web"]
    # api: its 10 minutes read with Q2 (100 requests each); web: nothing read with Q2
    assert (_total(engine, "api"), _total(engine, "web")) == (1000, 0)
    assert _rows(engine, "bucket_chunks") == 1  # api's day read with Q2
    assert _rows(engine, "source_reads") == 2
    (entry,) = list_entries(engine, where=AuditFilter(entity_kind="series"))
    assert (entry.actor, entry.action, entry.entity_id) == ("ops:alice", "pruned", "set-aside")
    assert json.loads(entry.before) == {"series": aside, "days": 3}

    again = prune_aside(engine, now=AT, actor="test", apply=True)
    assert (again.pruned, again.deleted) == ([], False)
    assert (
        len(list_entries(engine, where=AuditFilter(entity_kind="series"))) == 1
    )  # nothing audited

    # Q1 again: nothing is left to restore, so the key starts a new series
    assert _claim(engine, "web", Q1) == {"web": Replaced(days_aside=0)}
    assert _total(engine, "web") == 0


def test_only_series_read_before_the_cut_off(engine: Engine) -> None:
    _set_aside(engine)
    with engine.begin() as conn:  # web's old series was last read a day later than api's
        conn.execute(
            text(
                "UPDATE source_reads SET updated_at = :at WHERE series_id = "
                "(SELECT id FROM series WHERE key = :key)"
            ),
            {"at": AT + timedelta(days=1), "key": "web#" + "1" * 16},
        )
    now = AT + timedelta(days=2, hours=1)
    both = prune_aside(engine, now=now, actor="test", older_than=timedelta(days=1))
    assert [s.key for s in both.pruned] == ["api", "web"]
    assert both.kept == []
    one = prune_aside(engine, now=now, actor="test", older_than=timedelta(days=2), apply=True)
    assert [s.key for s in one.pruned] == ["api"]
    assert [s.key for s in one.kept] == ["web"]
    assert one.read_before == AT + timedelta(hours=1)
    assert _keys(engine) == ["api", "web", "web#" + "1" * 16]
    assert _claim(engine, "web", Q1) == {  # still restorable
        "web": Replaced(days_aside=0, restored=True, restored_until=None)
    }
    assert _total(engine, "web") == 500


def test_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    engine = open_store(sqlite_url(tmp_path))
    _set_aside(engine)
    engine.dispose()
    prune = ["db", "prune", "-w", str(tmp_path)]
    listed = runner.invoke(app, prune)
    assert listed.exit_code == 0, listed.output
    assert "  api  query 1111111111111111…  2 days, 2026-10-01 to 2026-10-02" in listed.output
    assert "2 series set aside (3 days of counts) would be deleted" in listed.output
    recent = runner.invoke(app, [*prune, "--older-than", "36500d", "-f", "json"])
    assert json.loads(recent.output)["pruned"] == []
    bad = runner.invoke(app, [*prune, "--older-than", "soon"])
    assert bad.exit_code == 1
    assert "--older-than: invalid duration 'soon'" in bad.output
    done = runner.invoke(app, [*prune, "--yes", "-f", "json"])
    assert done.exit_code == 0, done.output
    body = json.loads(done.output)
    assert body["deleted"]
    assert body["days"] == 3
    assert [s["series"] for s in body["pruned"]] == ["api#" + "1" * 16, "web#" + "1" * 16]
    assert "no series set aside to prune" in runner.invoke(app, prune).output


runner = CliRunner()


def test_a_claim_restoring_a_series_being_pruned_waits_and_starts_anew(
    postgres_engine: Engine,
) -> None:
    """PostgreSQL, two transactions: a prune has deleted ``web``'s series set aside (not yet
    committed) when a claim changes ``web``'s query back to the one of that series. The claim
    waits for the prune and then, finding it gone, gives the key a new series; it never
    renames a deleted row back (which left the key with no series)."""
    engine = postgres_engine
    _set_aside(engine)
    claimed: dict[str, Replaced] = {}
    with write_transaction(engine) as conn:
        gone = [s.series_id for s in aside_series(conn, lock=True) if s.key == "web"]
        delete_series(conn, gone)
        worker = threading.Thread(target=lambda: claimed.update(_claim(engine, "web", Q1)))
        worker.start()
        wait(lambda: _waiting_for_series(engine), "the claim waits for the pruned row")
    worker.join()
    assert claimed == {"web": Replaced(days_aside=0)}
    assert _keys(engine) == ["api", "api#" + "1" * 16, "web", "web#" + "2" * 16]
    assert _total(engine, "web") == 0


def _waiting_for_series(engine: Engine) -> bool:
    with engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE '%%series%%'"
        ).scalar_one()
    return bool(found)


def test_a_store_that_cannot_be_written_is_a_clear_error_and_keeps_everything(
    tmp_path: Path,
) -> None:
    from covenant.errors import StoreError  # noqa: PLC0415
    from covenant.store.db import read_only_engine  # noqa: PLC0415

    engine = open_store(sqlite_url(tmp_path))
    _set_aside(engine)
    engine.dispose()
    reader = read_only_engine(tmp_path / ".covenant" / "covenant.db")
    with pytest.raises(StoreError, match="cannot prune the series set aside"):
        prune_aside(reader, now=AT, actor="test", apply=True)
    reader.dispose()
    engine = open_store(sqlite_url(tmp_path))
    assert _keys(engine) == ["api", "api#" + "1" * 16, "web", "web#" + "1" * 16]


def test_the_worker_finds_the_new_series_of_a_key_whose_old_one_was_pruned(
    engine: Engine,
) -> None:
    """The worker's edge cache held ``api``'s first series when its query changed and the
    series set aside was pruned before the next tick: the tick counts the new series (10
    minutes of 100), as a fresh cache does, not the pruned one (60 minutes)."""
    put(engine, DAY0, 60, bad=0, series="api")
    _claim(engine, "api", Q1)
    cache = EdgeCache(step=60)
    edges = [int(DAY0.timestamp()), int((DAY0 + timedelta(hours=2)).timestamp())]

    def tick(cached: EdgeCache) -> list[int]:
        with engine.connect() as conn:
            counts, stats = cached.counts(conn, keys=["api"], edges=edges)
        with write_transaction(engine) as conn:
            forget_writes(conn, stats.seqs)  # as the worker does after each tick
        return [int(t) for t in counts.total.ravel()]

    assert tick(cache) == [0, 6000]
    assert "api" in _claim(engine, "api", Q2)
    put(engine, DAY0, 10, bad=0, series="api")
    (pruned,) = prune_aside(engine, now=AT, actor="test", apply=True).pruned
    assert pruned.name == "api#" + "1" * 16
    assert tick(cache) == [0, 1000]
    assert tick(EdgeCache(step=60)) == [0, 1000]
