"""What every read of a metrics source does first: a write transaction on the store, the ids
of its series, and claiming those series for the queries they are read with
(``store.source_queries``: counts read with a query that has changed since are set aside,
never summed with the new query's)."""

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
    from covenant.store.source_queries import Replaced
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
) -> dict[str, Replaced]:
    """Claim the series of ``reads`` for their queries before reading them: a series read
    with another query is set aside (kept, not used) and its key given a new series, or the
    one it had with this query before (``store.source_queries``); what that did, by key.
    Given the ``states`` read just before, a series whose stored query is already its own
    costs nothing (the worker's every tick)."""
    if states is not None:
        reads = [r for r in reads if not _claimed(states.get(r.series), r)]
    if not reads:
        return {}
    from covenant.store.source_queries import Claim, claim_queries  # noqa: PLC0415

    with writing(store) as conn:
        ids = ensure_series(conn, keys=[r.series for r in reads], step=step)
        claims = [
            Claim(
                series_id=ids[r.series],
                key=r.series,
                source=r.source.name,
                sha256=r.fingerprint,
                legacy=r.legacy,
            )
            for r in reads
        ]
        return claim_queries(conn, claims, at=at)


def claimed(
    store: Store,
    reads: Sequence[SeriesQueries],
    *,
    step: int,
    at: datetime,
    states: Mapping[str, SourceState],
) -> tuple[dict[str, SourceState], dict[str, Replaced]]:
    """:func:`claim_reads` given the ``states`` read just before; those states with the ones of
    the keys it replaced read again (their keys name other series now: a new one, or one
    restored), and what it did."""
    replaced = claim_reads(store, reads, step=step, at=at, states=states)
    fresh = dict(states)
    if replaced:
        from covenant.store.source_state import read_states  # noqa: PLC0415

        for key in replaced:
            fresh.pop(key, None)
        with store.connect() as conn:
            fresh.update(read_states(conn, keys=list(replaced)))
    return fresh, replaced


def claimed_by_others(
    conn: Connection | sqlite3.Connection, reads: Sequence[SeriesQueries], ids: Mapping[str, int]
) -> set[str]:
    """The keys of ``reads`` whose series (``ids``, resolved before) is claimed for another
    query now, in the write's transaction: another process's claim came between this read's
    and its write (its ids were resolved after: they name the other query's series)."""
    from covenant.store.source_queries import stored_queries  # noqa: PLC0415

    stored = stored_queries(conn, [ids[r.series] for r in reads])
    return {
        r.series for r in reads if stored.get(ids[r.series]) not in (None, r.fingerprint, r.legacy)
    }


def _claimed(state: SourceState | None, read: SeriesQueries) -> bool:
    return state is not None and state.query_sha256 == read.fingerprint


def query_changed(state: SourceState | None, read: SeriesQueries) -> bool:
    """Whether ``state`` was read with another query than ``read``'s (None: never read; a
    row from before migration 0018 holds no query: not changed, as far as is known)."""
    return state is not None and state.query_sha256 not in (None, read.fingerprint, read.legacy)


def with_replaced(
    reports: list[ReadReport], replaced: Mapping[str, Replaced], reads: Sequence[SeriesQueries]
) -> list[ReadReport]:
    """``reports`` with what each series' changed query did (:func:`claim_reads`); a series
    that had nothing left to read (one restored, read up to the end already) gets a report of
    its own, so that it is said all the same."""
    if not replaced:
        return reports
    from covenant.core.timeutil import from_epoch  # noqa: PLC0415
    from covenant.services.prometheus import ReadReport  # noqa: PLC0415 - it imports this

    found = [
        r if r.series not in replaced else replace(r, query_changed=replaced[r.series])
        for r in reports
    ]
    said = {r.series for r in found}
    for r in reads:
        change = replaced.get(r.series)
        if change is not None and r.series not in said:
            said.add(r.series)
            until = from_epoch(change.restored_until or 0)
            found.append(
                ReadReport(
                    series=r.series,
                    slos=r.slos,
                    source=r.source.name,
                    start=until,
                    end=until,
                    read_until=until,
                    buckets=0,
                    good=0,
                    total=0,
                    query_changed=change,
                )
            )
    return found
