"""Per DataSource, the instant a read from it last returned data (``source_health``) and the
series reads from it that failed, per error code (``source_read_errors``): counted in the
transaction that records the reads (``services.prometheus``), by every reader of the store —
the worker's catch-up, ``covenant ingest prometheus``, ``covenant evaluate``'s catch-up, the
API's reads — through a ``sqlite3`` connection or an engine's (plain SQL, ``?`` marks).

The counts start at 0 with the store (migration ``0022_worker_health``) and never go back:
``/metrics`` serves them as counters, the same on every process and across restarts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from covenant.store.chunk_reads import query_of, run_many

READ_ERROR_CODES: tuple[str, ...] = (
    "minutes-unread",
    "source-bad-answer",
    "source-credentials",
    "source-error",
    "source-query-changed",
    "source-refused",
    "source-sums-differ",
    "source-tls",
    "source-unreachable",
)
"""Every code a failed series read can carry (``errors.SourceError`` and its subclasses): the
``code`` values of ``/metrics``' ``covenant_source_read_errors_total``, each served from the
start (0 when none) so that ``increase()`` sees a code's first failure."""

_SUCCESS = (
    "INSERT INTO source_health (source, last_success_s) VALUES (?, ?) "
    "ON CONFLICT (source) DO UPDATE SET last_success_s = CASE "
    "WHEN source_health.last_success_s < excluded.last_success_s "
    "THEN excluded.last_success_s ELSE source_health.last_success_s END"
)
_ERRORS = (
    "INSERT INTO source_read_errors (source, code, errors) VALUES (?, ?, ?) "
    "ON CONFLICT (source, code) DO UPDATE SET "
    "errors = source_read_errors.errors + excluded.errors"
)


def record_source_reads(
    conn: Any, *, succeeded: Mapping[str, int], failed: Mapping[tuple[str, str], int]
) -> None:
    """Per source of ``succeeded`` the epoch second a read of it returned data (kept when
    newer), and per ``(source, code)`` of ``failed`` that many more failed series reads."""
    run_many(conn, _SUCCESS, sorted(succeeded.items()))
    run_many(conn, _ERRORS, [(s, c, n) for (s, c), n in sorted(failed.items()) if n])


def last_successes(conn: Any) -> dict[str, int]:
    """Per source, the epoch second a read of it last returned data."""
    rows = query_of(conn)("SELECT source, last_success_s FROM source_health", [])
    return {str(source): int(at) for source, at in rows}


def read_errors(conn: Any) -> dict[str, dict[str, int]]:
    """Per source, its failed series reads per error code."""
    found: dict[str, dict[str, int]] = {}
    rows = query_of(conn)("SELECT source, code, errors FROM source_read_errors", [])
    for source, code, errors in rows:
        found.setdefault(str(source), {})[str(code)] = int(errors)
    return found
