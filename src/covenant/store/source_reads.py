"""How far each series was read from its metrics source, and the last error of that source.

One ``source_reads`` row per series that a source (a Prometheus DataSource) fills.
``read_until`` is the end (epoch second, exclusive) of the newest bucket read successfully;
``error`` the last failed read, kept until a read reaches ``read_until`` again (the catch-up
reads a failed series' last minute again when it has nothing newer to read). An
evaluation after ``read_until`` of a series with an error shows it as "no data (stale)" with
that error as the reason (``source_state.stale_reasons``, plain SQL without SQLAlchemy, so it
runs on ``sqlite3`` in ``covenant evaluate`` too). Writes take the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    case,
    func,
    or_,
    select,
    update,
)
from sqlalchemy import insert as core_insert

from covenant.core.promql import Match
from covenant.core.timeutil import to_epoch
from covenant.store.chunk_reads import batched
from covenant.store.source_state import SourceState, read_states, stale_reasons
from covenant.store.tables import UtcDateTime, metadata

__all__ = [
    "SourceState",
    "read_states",
    "record_error",
    "record_matches",
    "record_read",
    "record_reads",
    "source_reads",
    "stale_reasons",
]

if TYPE_CHECKING:
    from covenant.store.chunk_layout import Executor

source_reads = Table(
    "source_reads",
    metadata,
    Column("series_id", Integer, ForeignKey("series.id", ondelete="CASCADE"), primary_key=True),
    Column("source", String(255), nullable=False),  # the DataSource name
    Column("read_until", BigInteger, nullable=True),  # epoch s, exclusive; None: never read
    Column("error_code", String(64), nullable=True),
    Column("error", Text, nullable=True),
    Column("error_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    # SHA-256 of the queries the counts were read with (SeriesQueries.fingerprint); None: a
    # row from before migration 0018 (the next read adopts its query)
    Column("query_sha256", String(64), nullable=True),
    # whether the newest read's good (bad) and total queries matched any series, and since
    # when one has matched none (epoch s); None: not known (never read, or before 0020)
    Column("first_found", Boolean, nullable=True),
    Column("first_unmatched_from", BigInteger, nullable=True),
    Column("total_found", Boolean, nullable=True),
    Column("total_unmatched_from", BigInteger, nullable=True),
    # the first minute (epoch s) a read of the series found the source answering for it (its
    # counters there, even counting nothing: Counts.answered_from), the earliest of every
    # read; None: not known (never answered, or read before migration 0025)
    Column("answered_from", BigInteger, nullable=True),
)


def _row(conn: Executor, series_id: int) -> tuple[int | None, str | None] | None:
    t = source_reads.c
    found = conn.execute(select(t.read_until, t.error).where(t.series_id == series_id)).first()
    return None if found is None else (found[0], found[1])


def _ensure(conn: Executor, *, series_id: int, source: str, at: datetime) -> None:
    if _row(conn, series_id) is None:
        conn.execute(
            core_insert(source_reads).values(series_id=series_id, source=source, updated_at=at)
        )


def record_read(conn: Executor, *, series_id: int, source: str, until: int, at: datetime) -> None:
    """A read that succeeded up to ``until``: the frontier moves on; reaching it clears the
    error (a re-read of an older range leaves both as they are)."""
    _ensure(conn, series_id=series_id, source=source, at=at)
    found = _row(conn, series_id)
    assert found is not None
    frontier = found[0]
    values: dict[str, Any] = {"source": source, "updated_at": at}
    if frontier is None or until >= frontier:
        values |= {"read_until": until, "error_code": None, "error": None, "error_at": None}
    conn.execute(update(source_reads).where(source_reads.c.series_id == series_id).values(values))


def record_reads(
    conn: Executor, *, reads: Sequence[tuple[int, int]], source: str, at: datetime
) -> None:
    """:func:`record_read` for many ``(series_id, until)`` of one source, in a few statements."""
    if not reads:
        return
    t = source_reads.c
    frontier: dict[int, int | None] = {}
    for part in batched(sorted({i for i, _ in reads})):
        query = select(t.series_id, t.read_until).where(t.series_id.in_(part))
        frontier.update({int(i): None if u is None else int(u) for i, u in conn.execute(query)})
    missing = sorted({i for i, _ in reads} - set(frontier))
    if missing:
        conn.execute(
            core_insert(source_reads),
            [{"series_id": i, "source": source, "updated_at": at} for i in missing],
        )
    latest = to_epoch(at)  # a frontier after this instant was never read (an old --to bug)
    moved, kept = [], []
    for series_id, until in reads:
        known = frontier.get(series_id)
        if known is None or until >= known or known > latest:  # after the write: wrong
            moved.append({"sid": series_id, "until": until})
        else:
            kept.append({"sid": series_id})
    where = t.series_id == bindparam("sid")
    if moved:
        values: dict[str, Any] = {"read_until": bindparam("until"), "error_code": None}
        conn.execute(
            update(source_reads)
            .where(where)
            .values(**values, error=None, error_at=None, source=source, updated_at=at),
            moved,
        )
    if kept:
        conn.execute(update(source_reads).where(where).values(source=source, updated_at=at), kept)


def record_error(
    conn: Executor, *, series_id: int, source: str, code: str, message: str, at: datetime
) -> None:
    """A read that failed: the data read so far stays, the error is kept for the evaluation."""
    _ensure(conn, series_id=series_id, source=source, at=at)
    conn.execute(
        update(source_reads)
        .where(source_reads.c.series_id == series_id)
        .values(source=source, error_code=code, error=message, error_at=at, updated_at=at)
    )


def record_matches(conn: Executor, *, matches: Sequence[tuple[int, int, Match, Match]]) -> None:
    """Whether each ``(series id, read until, good (bad) match, total match)`` read matched
    series, kept on the series' row when the read is its newest (``read_until`` not past
    ``until``: a re-read of an older range changes nothing)."""
    if not matches:
        return
    t = source_reads.c
    rows = [
        {
            "sid": sid,
            "until": until,
            "ff": first[0],
            "fv": first[1],
            "fc": first[2],
            "tf": total[0],
            "tv": total[1],
            "tc": total[2],
        }
        for sid, until, first, total in matches
    ]

    def since(column: Any, value: str, continues: str) -> Any:
        kept = func.coalesce(column, bindparam(value, type_=BigInteger))
        return case(
            (bindparam(continues, type_=Boolean), kept),
            else_=bindparam(value, type_=BigInteger),
        )

    conn.execute(
        update(source_reads)
        .where(t.series_id == bindparam("sid"))
        .where(or_(t.read_until.is_(None), t.read_until <= bindparam("until")))
        .values(
            first_found=bindparam("ff"),
            first_unmatched_from=since(t.first_unmatched_from, "fv", "fc"),
            total_found=bindparam("tf"),
            total_unmatched_from=since(t.total_unmatched_from, "tv", "tc"),
        ),
        rows,
    )
