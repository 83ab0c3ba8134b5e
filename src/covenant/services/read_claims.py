"""What every read of a metrics source does first: a write transaction on the store, the ids
of its series, and claiming those series for the queries they are read with
(``store.source_queries``: counts read with a query that has changed since are dropped, and
the series read again whole, never summed with the new query's)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from covenant.store.sqlite_writer import SqliteWriter

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from sqlalchemy.engine import Connection, Engine

    from covenant.core.promql import SeriesQueries
    from covenant.services.prometheus import ReadReport
    from covenant.store.source_queries import Dropped
    from covenant.store.source_state import SourceState

    Store = Engine | SqliteWriter


def writing(store: Store) -> AbstractContextManager[Connection | sqlite3.Connection]:
    """A write transaction on the store: ``sqlite3``'s (``SqliteWriter``, no SQLAlchemy loaded)
    or the engine's."""
    if isinstance(store, SqliteWriter):
        return store.write()
    from covenant.store.db import write_transaction  # noqa: PLC0415

    return write_transaction(store)


def ensure_series(
    conn: Connection | sqlite3.Connection, *, keys: list[str], step: int
) -> dict[str, int]:
    """The id of every key, missing series created with ``step``."""
    if isinstance(conn, sqlite3.Connection):
        from covenant.store.sqlite_writer import ensure_series as created  # noqa: PLC0415

        return created(conn, keys=keys, step=step)
    from covenant.store.buckets import ensure_series as engine_series  # noqa: PLC0415

    return engine_series(conn, keys=keys, step=step)


def claim_reads(
    store: Store,
    reads: Sequence[SeriesQueries],
    *,
    step: int,
    at: datetime,
    states: Mapping[str, SourceState] | None = None,
    since: int | None = None,
) -> dict[str, Dropped]:
    """Claim the series of ``reads`` for their queries before reading them (a series read
    with another query is forgotten, its frontier back at the first day it held or at
    ``since`` if earlier, to be read again from there); what was dropped of each series
    forgotten. Given the ``states`` read
    just before, a series whose stored query is already its own costs nothing (the worker's
    every tick)."""
    if states is not None:
        reads = [
            r
            for r in reads
            if (state := states.get(r.series)) is None or state.query_sha256 != r.fingerprint
        ]
    if not reads:
        return {}
    from covenant.store.source_queries import Claim, claim_queries  # noqa: PLC0415

    with writing(store) as conn:
        ids = ensure_series(conn, keys=[r.series for r in reads], step=step)
        claims = [
            Claim(series_id=ids[r.series], key=r.series, source=r.source.name, sha256=r.fingerprint)
            for r in reads
        ]
        return claim_queries(conn, claims, at=at, since=since)


def with_dropped(reports: list[ReadReport], dropped: Mapping[str, Dropped]) -> list[ReadReport]:
    """``reports`` with the days each series' changed query dropped (:func:`claim_reads`)."""
    if not dropped:
        return reports
    return [
        r if r.series not in dropped else replace(r, dropped=dropped[r.series]) for r in reports
    ]
