"""Which threshold series of an SLI hold events (plain SQL, any connection ``query_of`` takes).

A threshold SLI's counts are kept per threshold (``checkout-latency:lte300``,
``definitions.resolve``): an objective whose threshold changed reads a new, empty series while
the old one still holds the events. ``services.threshold_hint`` asks here, once per evaluation,
so its "no data" reason can say so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from covenant.store.chunk_reads import IN_LIMIT, batched, query_of
from covenant.store.source_state import ASIDE


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldSeries:
    """A stored series with events: its key and whether a metrics source (Prometheus) wrote it."""

    key: str
    read_from_source: bool


def threshold_series_with_events(conn: Any, *, slis: Sequence[str]) -> dict[str, list[HeldSeries]]:
    """Per SLI name of ``slis``, its stored series keyed ``<sli>:…`` that hold any event, by key.

    One query (per ``IN_LIMIT / 2`` names): the prefix is compared exactly with ``substr`` (a
    ``LIKE`` would read ``_`` and ``%`` in a name as patterns, and SQLite's ignores case)."""
    run = query_of(conn)
    found: dict[str, list[HeldSeries]] = {}
    names = sorted(set(slis))
    for part in batched(names, IN_LIMIT // 2):
        where = " OR ".join(["substr(s.key, 1, ?) = ?"] * len(part))
        sql = (
            "SELECT s.key, EXISTS (SELECT 1 FROM source_reads r WHERE r.series_id = s.id) "
            f"FROM series s WHERE ({where}) AND s.key NOT LIKE ? "  # not set aside
            "AND EXISTS (SELECT 1 FROM bucket_chunks c "
            "WHERE c.series_id = s.id AND c.total_sum > 0) ORDER BY s.key"
        )
        params: list[Any] = []
        for name in part:
            params += [len(name) + 1, f"{name}:"]
        params.append(f"%{ASIDE}%")  # a bound pattern: no % in the SQL (psycopg's marks)
        for key, read in run(sql, params):
            held = HeldSeries(key=str(key), read_from_source=bool(read))
            # the longest name whose prefix it has: "a:b" names "a:b:lte1", not "a" ("a:…")
            owner = max((n for n in part if held.key.startswith(f"{n}:")), key=len)
            found.setdefault(owner, []).append(held)
    return found
