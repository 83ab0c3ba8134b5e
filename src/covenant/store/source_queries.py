"""Which queries each series read from a metrics source was read with, and dropping counts
read with a query that has changed since (plain SQL, any connection ``query_of`` takes).

A read claims its series first (:func:`claim_queries`, in the read's first write
transaction): a series never read gets its ``source_reads`` row with the query's SHA-256 and
no frontier; one read with the same query is left alone; one whose row holds no SHA-256 (a
store from before migration 0018) adopts the query; and one read with another query is
*forgotten* — its stored days are deleted (journalled as written, so the worker sums the
series again from what is left), its error cleared and its read frontier moved back to the
first day it held, so the reads that follow read that whole span again with the new query
(what the server no longer keeps stays unread: no data). Counts of two queries are never
summed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from covenant.store.bucket_journal import note_writes
from covenant.store.bucket_ranges import CHUNKS
from covenant.store.chunk_reads import DAY, IN_LIMIT, batched, dialect_of, query_of, run_many
from covenant.store.sqlite_writer import stamp


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """One series a read is about to fill: its id, key, source name and query SHA-256."""

    series_id: int
    key: str
    source: str
    sha256: str


def claim_queries(
    conn: Any, claims: Sequence[Claim], *, at: datetime, since: int | None = None
) -> dict[str, Dropped]:
    """Record each claim's query (module docstring); what was dropped of the series read
    with another query, by key. A forgotten series' frontier goes back to the first day it
    held, or to ``since`` (epoch second) if that is earlier."""
    if not claims:
        return {}
    run = query_of(conn)
    server = dialect_of(conn) == "postgresql"
    ids = sorted({c.series_id for c in claims})
    stored: dict[int, str | None] = {}
    for part in batched(ids, IN_LIMIT):
        marks = ", ".join("?" * len(part))
        if server:  # as every writer of a series' days: one at a time (store.day_sums)
            run(f"SELECT id FROM series WHERE id IN ({marks}) ORDER BY id FOR NO KEY UPDATE", part)
        sql = f"SELECT series_id, query_sha256 FROM source_reads WHERE series_id IN ({marks})"
        stored.update({int(i): None if s is None else str(s) for i, s in run(sql, part)})
    when: Any = at.astimezone(UTC) if server else stamp(at)
    new = [c for c in claims if c.series_id not in stored]
    run_many(
        conn,
        "INSERT INTO source_reads (series_id, source, updated_at, query_sha256) "
        "VALUES (?, ?, ?, ?)",
        [(c.series_id, c.source, when, c.sha256) for c in new],
    )
    adopted = [c for c in claims if c.series_id in stored and stored[c.series_id] is None]
    run_many(
        conn,
        "UPDATE source_reads SET query_sha256 = ? WHERE series_id = ?",
        [(c.sha256, c.series_id) for c in adopted],
    )
    changed = [c for c in claims if stored.get(c.series_id) not in (None, c.sha256)]
    return {c.key: _forget(conn, c, when, since) for c in changed}


@dataclass(frozen=True, slots=True, kw_only=True)
class Dropped:
    """What forgetting a series dropped: its stored days and the first of them (epoch
    second; None when none was stored), and where its read frontier now stands (None:
    never read)."""

    days: int
    first: int | None
    frontier: int | None


def _forget(conn: Any, claim: Claim, when: Any, since: int | None) -> Dropped:
    """Drop the stored days of ``claim``'s series; its frontier goes back (``claim_queries``)."""
    days = [
        int(d)
        for (d,) in query_of(conn)(
            f"SELECT day FROM {CHUNKS} WHERE series_id = ? ORDER BY day", [claim.series_id]
        )
    ]
    if days:
        note_writes(conn, series_ids=[claim.series_id], lo=[days[0]], hi=[days[-1] + DAY])
        run_many(conn, f"DELETE FROM {CHUNKS} WHERE series_id = ?", [(claim.series_id,)])
    first = days[0] if days else None
    frontier = min((t for t in (first, since) if t is not None), default=None)
    run_many(
        conn,
        "UPDATE source_reads SET read_until = ?, error_code = NULL, error = NULL, "
        "error_at = NULL, source = ?, updated_at = ?, query_sha256 = ? WHERE series_id = ?",
        [(frontier, claim.source, when, claim.sha256, claim.series_id)],
    )
    return Dropped(days=len(days), first=first, frontier=frontier)
