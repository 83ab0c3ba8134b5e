"""What ``covenant evaluate`` reads from Prometheus before it evaluates (one process, not two).

- **auto** (the default): every SLI that has been read from its Prometheus DataSource before
  (``covenant ingest prometheus``, the worker, an earlier ``evaluate --read``) is caught up from
  where its last read ended to the evaluation instant, and one whose only reads failed before
  reading a minute (the server down) is read as new; nothing else is read. A workspace whose
  store holds no Prometheus read (event files only, the demo) reads nothing, opens no
  connection and imports no HTTP client.
- **every** (``--read``): the same, and an SLI never read is read from the start of what the
  evaluation needs (its window, the longest alert window) — the first read of a workspace.
- **none** (``--no-read``): the store as it is.

In the first two, an SLI whose query changed since it was read is read as new: the counts read
with the old query are set aside first (kept, not used), or those read with the new query
before are used again and caught up (``services.read_claims``).

The reads are ``services.prometheus.catch_up`` with ``until``: up to the evaluation instant,
at most now; the minutes within the catch-up lag of now are stored but read again next time.
A failure is recorded as every read records it, and the SLOs it feeds show "no data (stale)"
with the reason — a failed read of the minutes of a day stored as its sums (``refine_days``)
too: only the SLOs of that series, the others evaluate (``services.day_minutes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from covenant.core.model import Objective
    from covenant.core.promql import SeriesQueries
    from covenant.services.prometheus import ReadReport
    from covenant.store.source_state import SourceState
    from covenant.store.sqlite_writer import SqliteWriter

STEP = 60
LAG_S = 120  # services.prometheus.DEFAULT_LAG_S (not imported: it loads httpx)


def read_before_evaluating(
    database_url: str,
    *,
    reads: Sequence[SeriesQueries],
    objectives: Sequence[Objective],
    at: datetime,
    every: bool,
    now: datetime | None = None,
    by_days: bool = True,
) -> list[ReadReport]:
    """Catch up the reads (all of them with ``every``, else those read before) up to ``at``;
    the reports of what was read (empty when nothing was).

    ``by_days``: a first read takes the whole days its event-based objectives need only as
    sums from the server's recorded counts where they check (``services.prometheus_recorded``),
    and later reads refine the days the sliding windows cut; False (corrections or composites,
    which read every bucket) reads every minute."""
    if not reads:
        return []
    from covenant.services.read_claims import (  # noqa: PLC0415
        claimed,
        query_changed,
        with_replaced,
    )
    from covenant.services.store import open_reader, store_missing  # noqa: PLC0415
    from covenant.store.source_state import read_states  # noqa: PLC0415

    keys = [r.series for r in reads]
    states: dict[str, SourceState] = {}
    if not store_missing(database_url):
        reader = open_reader(database_url)
        try:
            with reader.connect() as conn:
                states = read_states(conn, keys=keys)
        finally:
            reader.dispose()
    # read before, read with another query (set aside first: read_claims), or whose only
    # reads failed before a minute (the server down: read as new once it answers, not left
    # stale with that old error)
    asked = {
        r.series
        for r in reads
        if (state := states.get(r.series)) is not None
        and (state.read_until is not None or state.error or query_changed(state, r))
    }
    chosen = [r for r in reads if every or r.series in asked]
    if not chosen:
        return []
    from covenant.services.prometheus import budgeted, catch_up  # noqa: PLC0415
    from covenant.store.sqlite_writer import open_sqlite_writer  # noqa: PLC0415

    # an embedded store is written through sqlite3 (no SQLAlchemy to load), a new one created
    # from the schema snapshot; others, and one to migrate, through the engine
    engine: Engine | SqliteWriter | None = open_sqlite_writer(database_url, create=True)
    if engine is None:
        from covenant.services.store import open_store  # noqa: PLC0415

        engine = open_store(database_url)
    # one source that does not answer is not asked again by this command (its other
    # queries fail at once, each naming the first one's error)
    client_for = budgeted(tick=False)
    try:
        moment = now or datetime.now(UTC)
        states, replaced = claimed(engine, chosen, step=STEP, at=moment, states=states)
        never = [r for r in chosen if (s := states.get(r.series)) is None or s.read_until is None]
        first = {r.series for r in never}
        reports: list[ReadReport] = []
        if never:
            from covenant.services.first_reads import read_first  # noqa: PLC0415

            reports = read_first(
                engine,
                reads=never,
                objectives=objectives,
                now=moment,
                step=STEP,
                lag_s=LAG_S,
                client_for=client_for,
                by_days=by_days,
                until=at,
            )
        reports += catch_up(
            engine,
            reads=[r for r in chosen if r.series not in first],
            now=moment,
            initial=STEP,
            until=at,
            client_for=client_for,
        )
        # the day-sum days the evaluation needs the minutes of: those its edges cut, and with
        # corrections or composites (``by_days`` False) every one of their range
        from covenant.services.prometheus_recorded import refine_days  # noqa: PLC0415

        reports += refine_days(
            engine,
            reads=reads,
            objectives=objectives,
            at=min(_minute(at), _minute(moment)),
            now=moment,
            every_bucket=not by_days,
            client_for=client_for,
        )
        return with_replaced(reports, replaced, reads)
    finally:
        engine.dispose()


def _minute(moment: datetime) -> int:
    seconds = int(moment.timestamp())
    return seconds - seconds % STEP
