"""Which queries each series read from a metrics source was read with, and setting aside the
counts of a query that has changed since (plain SQL, any connection ``query_of`` takes).

A read claims its series first (:func:`claim_queries`, in one write transaction before it
reads): a series never read gets its ``source_reads`` row with the query's SHA-256 and no
frontier; one read with the same query is left alone; one whose row holds no SHA-256 (a store
from before migration 0018) adopts the query; and one read with another query is **set
aside**: its stored series is renamed ``<key>#<old SHA-256, 16 hex>`` with everything read
with that query (its days and its read state, kept, never evaluated), and the key gets a new,
empty series, never read — or, when the key was read with the new query before, the series
set aside then is renamed back and used again, read up to where it was. Both renamings are
journalled as writes of the whole span (``bucket_journal``), so the worker's edge cache reads
the key again. Counts of two queries are never summed, and none is lost: changing a query
back restores them. A read still running with the old query (another process) writes into
the series it resolved before the claim — the one set aside, with its own query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from covenant.store.bucket_journal import note_writes
from covenant.store.bucket_ranges import CHUNKS
from covenant.store.chunk_reads import (
    DAY,
    IN_LIMIT,
    Query,
    batched,
    dialect_of,
    query_of,
    run_many,
    series_rows,
)
from covenant.store.source_state import ASIDE
from covenant.store.sqlite_writer import stamp

MAX_KEY = 255  # store.tables.series.key


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """One series a read is about to fill: its id, key, source name and query SHA-256."""

    series_id: int
    key: str
    source: str
    sha256: str
    legacy: str | None = None  # the same counts' SHA-256 as an earlier Covenant wrote it


@dataclass(frozen=True, slots=True, kw_only=True)
class Replaced:
    """What a changed query did to a key: the days of the old query's series set aside, and,
    when the new query had been read before, where the series restored was read up to (epoch
    second; None: a new, empty series)."""

    days_aside: int
    restored_until: int | None = None
    restored: bool = False


def aside_key(key: str, sha256: str) -> str:
    """The name of ``key``'s series read with the query of ``sha256``, set aside."""
    suffix = f"{ASIDE}{sha256[:16]}"
    return key[: MAX_KEY - len(suffix)] + suffix


def claim_queries(conn: Any, claims: Sequence[Claim], *, at: datetime) -> dict[str, Replaced]:
    """Record each claim's query (module docstring); what a changed query did, by key."""
    if not claims:
        return {}
    run = query_of(conn)
    server = dialect_of(conn) == "postgresql"
    if server:  # as every writer of a series' days: one at a time (store.day_sums)
        _lock(run, [c.series_id for c in claims])
    # another process's claim of these keys (waited for) may have renamed their series since
    # the ids were found: each key's series is the one it names now
    current = series_rows(conn, [c.key for c in claims])
    moved = [c for c in claims if c.key in current and current[c.key][0] != c.series_id]
    if moved:
        claims = [
            replace(c, series_id=current[c.key][0]) if c.key in current else c for c in claims
        ]
        if server:
            _lock(run, [current[c.key][0] for c in moved])
    stored = stored_queries(conn, [c.series_id for c in claims])
    when: Any = at.astimezone(UTC) if server else stamp(at)
    new = [c for c in claims if c.series_id not in stored]
    run_many(
        conn,
        "INSERT INTO source_reads (series_id, source, updated_at, query_sha256) "
        "VALUES (?, ?, ?, ?)",
        [(c.series_id, c.source, when, c.sha256) for c in new],
    )
    adopted = [
        c
        for c in claims
        if c.series_id in stored
        and (stored[c.series_id] is None or stored[c.series_id] == c.legacy)
    ]
    run_many(
        conn,
        "UPDATE source_reads SET query_sha256 = ? WHERE series_id = ?",
        [(c.sha256, c.series_id) for c in adopted],
    )
    found: dict[str, Replaced] = {}
    for c in claims:
        old = stored.get(c.series_id)
        if old is not None and old not in (c.sha256, c.legacy):
            found[c.key] = _set_aside(conn, c, old, when)
    return found


def stored_queries(conn: Any, series_ids: Sequence[int]) -> dict[int, str | None]:
    """The query SHA-256 each of ``series_ids`` that has a ``source_reads`` row was claimed
    with (None: a row from before migration 0018)."""
    run = query_of(conn)
    stored: dict[int, str | None] = {}
    for part in batched(sorted(set(series_ids)), IN_LIMIT):
        marks = ", ".join("?" * len(part))
        sql = f"SELECT series_id, query_sha256 FROM source_reads WHERE series_id IN ({marks})"
        stored.update({int(i): None if s is None else str(s) for i, s in run(sql, part)})
    return stored


def _lock(run: Query, ids: Sequence[int]) -> None:
    """PostgreSQL: lock the ``series`` rows of ``ids``, in id order (no deadlock)."""
    for part in batched(sorted(set(ids)), IN_LIMIT):
        marks = ", ".join("?" * len(part))
        run(f"SELECT id FROM series WHERE id IN ({marks}) ORDER BY id FOR NO KEY UPDATE", part)


def _set_aside(conn: Any, claim: Claim, old: str, when: Any) -> Replaced:
    run = query_of(conn)
    days = _journal_span(conn, claim.series_id)
    gone = aside_key(claim.key, old)
    # a series already set aside under that name cannot hold counts of its own (a restore
    # renames it back): one left by an interrupted older version, never this one
    run_many(conn, "DELETE FROM series WHERE key = ? AND id <> ?", [(gone, claim.series_id)])
    run_many(conn, "UPDATE series SET key = ? WHERE id = ?", [(gone, claim.series_id)])
    # locked (PostgreSQL): a prune deleting it (store.aside_series) finishes first, and then
    # it is not found
    lock = " FOR NO KEY UPDATE" if dialect_of(conn) == "postgresql" else ""
    back = run(f"SELECT id FROM series WHERE key = ?{lock}", [aside_key(claim.key, claim.sha256)])
    if back:  # read with this query before: that series is the key's again
        restored = int(back[0][0])
        run_many(conn, "UPDATE series SET key = ? WHERE id = ?", [(claim.key, restored)])
        _journal_span(conn, restored)
        until = run("SELECT read_until FROM source_reads WHERE series_id = ?", [restored])
        frontier = None if not until or until[0][0] is None else int(until[0][0])
        return Replaced(days_aside=days, restored=True, restored_until=frontier)
    step = run("SELECT step_s FROM series WHERE id = ?", [claim.series_id])[0][0]
    run_many(
        conn,
        "INSERT INTO series (key, step_s, created_at) VALUES (?, ?, ?)",
        [(claim.key, int(step), when)],
    )
    (fresh,) = run("SELECT id FROM series WHERE key = ?", [claim.key])
    run_many(
        conn,
        "INSERT INTO source_reads (series_id, source, updated_at, query_sha256) "
        "VALUES (?, ?, ?, ?)",
        [(int(fresh[0]), claim.source, when, claim.sha256)],
    )
    return Replaced(days_aside=days)


def _journal_span(conn: Any, series_id: int) -> int:
    """Journal the whole stored span of a series as written (its key's counts change); the
    number of days it holds."""
    days = [
        int(d)
        for (d,) in query_of(conn)(
            f"SELECT day FROM {CHUNKS} WHERE series_id = ? ORDER BY day", [series_id]
        )
    ]
    # an empty span at 0 when it holds none: the key's series changed all the same
    lo, hi = (days[0], days[-1] + DAY) if days else (0, 0)
    note_writes(conn, series_ids=[series_id], lo=[lo], hi=[hi])
    return len(days)
