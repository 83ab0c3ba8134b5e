"""Reading ``source_reads`` (see ``store.source_reads``) in plain SQL through the DB-API, so
``covenant evaluate`` reads it through ``sqlite3`` without loading SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from covenant.core.results import Stale
from covenant.core.timeutil import from_epoch, utc_text
from covenant.store.chunk_reads import batched, query_of, series_rows

ASIDE = "#"
"""Between a key and a query's SHA-256 in the name of a series set aside because its query
changed (``store.source_queries``); never in a series key of a workspace."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceState:
    source: str
    read_until: int | None
    error_code: str | None
    error: str | None
    error_at: datetime | None
    updated_at: datetime | None = None  # the last read's (or failure's) instant
    query_sha256: str | None = None  # the queries it was read with (SeriesQueries.fingerprint)
    first_found: bool | None = None
    """Whether the newest read's good (bad) query matched any series in the source (None:
    not known, a row from before migration 0020 or never read)."""
    first_unmatched_from: int | None = None
    """When ``first_found`` is False: the epoch second since which it matched none."""
    total_found: bool | None = None  # the same for the total query
    total_unmatched_from: int | None = None


def read_states(conn: Any, *, keys: Sequence[str]) -> dict[str, SourceState]:
    """The source state of each key that has one (any connection ``query_of`` takes)."""
    run = query_of(conn)
    ids = {id_: key for key, (id_, _) in series_rows(conn, list(dict.fromkeys(keys))).items()}
    found: dict[str, SourceState] = {}
    for part in batched(sorted(ids)):
        sql = (
            f"SELECT series_id, {_COLUMNS} FROM source_reads "
            f"WHERE series_id IN ({', '.join('?' * len(part))})"
        )
        for series_id, *state in run(sql, part):
            found[ids[int(series_id)]] = _state(*state)
    return found


def answered_from(conn: Any, *, keys: Sequence[str]) -> dict[str, int]:
    """Per one of ``keys`` read from a metrics source, the first minute (epoch s) a read found
    the source answering for it (``source_reads.answered_from``); a key without one is left
    out (never answered, events from files, or read before migration 0025)."""
    run = query_of(conn)
    ids = {id_: key for key, (id_, _) in series_rows(conn, list(dict.fromkeys(keys))).items()}
    found: dict[str, int] = {}
    for part in batched(sorted(ids)):
        sql = (
            "SELECT series_id, answered_from FROM source_reads WHERE answered_from IS NOT NULL "
            f"AND series_id IN ({', '.join('?' * len(part))})"
        )
        found.update({ids[int(series_id)]: int(first) for series_id, first in run(sql, part)})
    return found


def failed_states(conn: Any, *, keys: Sequence[str]) -> dict[str, SourceState]:
    """The source state of each of ``keys`` whose last read failed: ``read_states`` of the
    few failing rows, found without looking every key up (the worker asks for 10,000)."""
    wanted = set(keys)
    found = _joined(conn, failed_only=True)
    return {key: state for key, state in found.items() if key in wanted}


def every_state(conn: Any) -> dict[str, SourceState]:
    """The source state of every series that has one, by series key, in one query (what
    ``/metrics`` counts per source; the error texts are only the failing rows')."""
    return _joined(conn, failed_only=False)


def unmatched_states(conn: Any) -> dict[str, SourceState]:
    """The source state of every series whose newest read's total query matched no series
    (the few rows of a misspelt metric or label: what the worker reports each tick)."""
    return _joined(conn, failed_only=False, where="NOT r.total_found")


def _joined(conn: Any, *, failed_only: bool, where: str | None = None) -> dict[str, SourceState]:
    columns = ", ".join(f"r.{c}" for c in _COLUMNS.split(", "))
    sql = f"SELECT s.key, {columns} FROM source_reads r JOIN series s ON s.id = r.series_id"
    if failed_only:
        where = "r.error IS NOT NULL"
    if where is not None:
        sql += f" WHERE {where}"
    return {str(key): _state(*state) for key, *state in query_of(conn)(sql, [])}


_COLUMNS = (
    "source, read_until, error_code, error, error_at, updated_at, query_sha256, first_found, "
    "first_unmatched_from, total_found, total_unmatched_from"
)


def _state(
    source: Any,
    until: Any,
    code: Any,
    error: Any,
    error_at: Any,
    updated_at: Any,
    sha: Any,
    first_found: Any,
    first_from: Any,
    total_found: Any,
    total_from: Any,
) -> SourceState:
    return SourceState(
        query_sha256=None if sha is None else str(sha),
        first_found=None if first_found is None else bool(first_found),
        first_unmatched_from=None if first_from is None else int(first_from),
        total_found=None if total_found is None else bool(total_found),
        total_unmatched_from=None if total_from is None else int(total_from),
        source=str(source),
        read_until=None if until is None else int(until),
        error_code=code,
        error=error,
        error_at=instant(error_at),
        updated_at=instant(updated_at),
    )


def instant(value: Any) -> datetime | None:
    """A stored instant as an aware UTC datetime (SQLite returns text through ``sqlite3``)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def stale_reasons(conn: Any, *, keys: Sequence[str], at: int) -> dict[str, Stale]:
    """Why each key is stale at epoch second ``at``: its source's last read failed and the
    data read ends before ``at``. Keys not read from a source, or fresh, are not listed."""
    reasons: dict[str, Stale] = {}
    for key, state in failed_states(conn, keys=keys).items():
        if state.error is None or (state.read_until is not None and state.read_until >= at):
            continue
        until = "nothing read yet"
        data_until = None if state.read_until is None else from_epoch(state.read_until)
        if data_until is not None:
            until = "data up to " + utc_text(data_until)
        when = utc_text(state.error_at) if state.error_at else "?"
        reasons[key] = Stale(
            kind="read-failed",
            reason=(
                f"stale: reading {state.source} failed at {when} [{state.error_code}]: "
                f"{state.error} ({until})"
            ),
            source=state.source,
            code=state.error_code,
            failed_at=state.error_at,
            data_until=data_until,
        )
    return reasons
