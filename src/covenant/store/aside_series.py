"""Series set aside because their SLI's query changed (``store.source_queries``): listing
them, and deleting them for good (``covenant db prune``), in plain SQL on any connection
``query_of`` takes.

A series set aside is named ``<key>#<16 hex>``: the key it was read for and the start of the
SHA-256 of the query it was read with. Nothing evaluates it; it is kept so that changing the
query back restores its counts. Deleting it removes its days and its read state, in the
caller's transaction. Its journalled writes (``bucket_journal``) stay: the worker's edge cache
learns from them that a key's series changed (a deleted id among the writes makes it find the
key's series again), and forgets them as any other. On PostgreSQL the rows to delete are
locked ``SKIP LOCKED``: a series a concurrent claim is renaming back to its key (the query
changed back) is left alone, and the prune never waits for a claim (no deadlock); a claim
that finds the row locked by the prune waits for it and then finds it gone (it then starts a
new series).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from covenant.core.timeutil import utc_iso
from covenant.store.bucket_ranges import CHUNKS
from covenant.store.chunk_reads import IN_LIMIT, batched, dialect_of, query_of, run_many
from covenant.store.source_state import ASIDE, instant

_NAME = re.compile(rf"^(?P<key>.+){re.escape(ASIDE)}(?P<sha>[0-9a-f]{{16}})$")


@dataclass(frozen=True, slots=True, kw_only=True)
class AsideSeries:
    """One series set aside: its id and stored name, the key it was read for, the start of
    its query's SHA-256, the UTC days it holds (how many, and the epoch seconds of the first
    and the last; None when it holds none) and when it was last read (None: never)."""

    series_id: int
    name: str
    key: str
    query: str
    days: int
    first_day: int | None
    last_day: int | None
    last_read: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "series": self.name,
            "key": self.key,
            "query_sha256_prefix": self.query,
            "days": self.days,
            "first_day": _date(self.first_day),
            "last_day": _date(self.last_day),
            "last_read": None if self.last_read is None else utc_iso(self.last_read),
        }


def _date(day: int | None) -> str | None:
    """A stored day (the epoch second it starts) as its ISO date."""
    return None if day is None else datetime.fromtimestamp(day, UTC).date().isoformat()


def aside_series(conn: Any, *, lock: bool = False) -> list[AsideSeries]:
    """Every series set aside, by name; ``lock``: their ``series`` rows are locked for the
    caller's transaction to delete them (PostgreSQL; SQLite's write transaction holds the
    whole store)."""
    run = query_of(conn)
    suffix = " FOR UPDATE SKIP LOCKED" if lock and dialect_of(conn) == "postgresql" else ""
    rows = run(f"SELECT id, key FROM series WHERE key LIKE ? ORDER BY id{suffix}", [f"%{ASIDE}%"])
    named = {int(i): _NAME.match(str(k)) for i, k in rows}
    found = {i: m for i, m in named.items() if m is not None}
    spans: dict[int, tuple[int, int, int]] = {}
    reads: dict[int, Any] = {}
    for part in batched(sorted(found), IN_LIMIT):
        marks = ", ".join("?" * len(part))
        sql = (
            f"SELECT series_id, COUNT(*), MIN(day), MAX(day) FROM {CHUNKS} "
            f"WHERE series_id IN ({marks}) GROUP BY series_id"
        )
        spans.update({int(i): (int(n), int(lo), int(hi)) for i, n, lo, hi in run(sql, part)})
        sql = f"SELECT series_id, updated_at FROM source_reads WHERE series_id IN ({marks})"
        reads.update({int(i): at for i, at in run(sql, part)})
    listed = []
    for series_id, match in found.items():
        days, lo, hi = spans.get(series_id, (0, None, None))
        listed.append(
            AsideSeries(
                series_id=series_id,
                name=match.group(0),
                key=match.group("key"),
                query=match.group("sha"),
                days=days,
                first_day=lo,
                last_day=hi,
                last_read=instant(reads.get(series_id)),
            )
        )
    return sorted(listed, key=lambda s: s.name)


def delete_series(conn: Any, series_ids: Sequence[int]) -> None:
    """Delete ``series_ids`` with their days and read state (their journalled writes stay:
    see the module docstring)."""
    rows = [(i,) for i in sorted(set(series_ids))]
    for table in (CHUNKS, "source_reads"):
        run_many(conn, f"DELETE FROM {table} WHERE series_id = ?", rows)
    run_many(conn, "DELETE FROM series WHERE id = ?", rows)
