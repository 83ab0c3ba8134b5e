"""Claiming series for their queries (store.source_queries), on SQLite and PostgreSQL: a new
series records its query, an old row adopts one, a changed query sets the old counts aside
under ``<key>#<sha>`` (kept, not listed) and the key starts empty, and changing back restores
them; a claim made with an id another process has since renamed follows the key."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from covenant.store.buckets import ensure_series, list_series, read_matrix
from covenant.store.db import write_transaction
from covenant.store.source_queries import Claim, Replaced, aside_key, claim_queries
from tests.checkout import put

AT = datetime(2026, 10, 2, tzinfo=UTC)
DAY0 = datetime(2026, 10, 1, tzinfo=UTC)
Q1, Q2 = "1" * 64, "2" * 64


def _claim(engine: Engine, sha: str, *, series_id: int | None = None) -> dict[str, Replaced]:
    with write_transaction(engine) as conn:
        sid = series_id or ensure_series(conn, keys=["api"], step=60)["api"]
        claim = Claim(series_id=sid, key="api", source="prometheus", sha256=sha)
        return claim_queries(conn, [claim], at=AT)


def _state(engine: Engine) -> list[tuple[str, object, object]]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT s.key, r.query_sha256, r.read_until FROM series s "
            "LEFT JOIN source_reads r ON r.series_id = s.id ORDER BY s.key"
        ).all()
    return [tuple(r) for r in rows]


def _total(engine: Engine, key: str) -> int:
    with engine.connect() as conn:
        m = read_matrix(conn, keys=[key], start=int(DAY0.timestamp()), end=int(AT.timestamp()))
    return int(m.total.sum())


def test_claims_record_adopt_set_aside_and_restore(engine: Engine) -> None:
    put(engine, DAY0, 30, bad=0, series="api")  # 30 minutes of 100 requests
    assert _claim(engine, Q1) == {}  # never read: its row records the query
    assert _state(engine) == [("api", Q1, None)]
    assert _claim(engine, Q1) == {}  # the same query: nothing to do

    assert _claim(engine, Q2) == {"api": Replaced(days_aside=1)}
    old = aside_key("api", Q1)
    assert old == "api#" + "1" * 16
    assert _state(engine) == [("api", Q2, None), (old, Q1, None)]
    assert (_total(engine, "api"), _total(engine, old)) == (0, 3000)
    with engine.connect() as conn:
        assert [s.key for s in list_series(conn)] == ["api"]  # the aside one is not in use

    put(engine, DAY0, 10, bad=0, series="api")  # read with Q2
    back = _claim(engine, Q1)  # the first query again: its counts come back
    assert back == {"api": Replaced(days_aside=1, restored=True, restored_until=None)}
    assert _state(engine) == [("api", Q1, None), (aside_key("api", Q2), Q2, None)]
    assert (_total(engine, "api"), _total(engine, aside_key("api", Q2))) == (3000, 1000)


def test_a_row_from_before_the_queries_adopts_the_claim(engine: Engine) -> None:
    put(engine, DAY0, 5, bad=0, series="api")
    _claim(engine, Q1)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE source_reads SET query_sha256 = NULL")
    assert _claim(engine, Q2) == {}  # no query known: kept, and Q2 recorded
    assert _state(engine) == [("api", Q2, None)]
    assert _total(engine, "api") == 500


def test_a_claim_with_an_id_renamed_since_follows_the_key(engine: Engine) -> None:
    """Another process claimed ``api`` for Q2 between this one's finding the id and its
    claim: the id now names ``api#…`` (Q1's), and the claim is of the key's series now."""
    put(engine, DAY0, 30, bad=0, series="api")
    _claim(engine, Q1)
    with engine.connect() as conn:
        stale = ensure_series(conn, keys=["api"], step=60)["api"]
    _claim(engine, Q2)  # the other process
    assert _claim(engine, Q2, series_id=stale) == {}  # already Q2's: nothing to do
    assert _state(engine) == [("api", Q2, None), (aside_key("api", Q1), Q1, None)]
    assert _total(engine, aside_key("api", Q1)) == 3000
