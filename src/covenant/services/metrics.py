"""What ``/metrics`` shows: the worker's latest tick, the same in every server process.

The process that leads the worker publishes each tick's page into the store right after the
tick (``publish_tick``: its report, forecast, alert states and ticket timers
(``services.metrics_timers``), rendered once, in the worker's thread); every process —
leader, follower, ``--no-worker`` — serves the latest published page (``SharedMetrics``),
with ``covenant_metrics_snapshot_age_seconds``, how old its tick is. So a scrape answers the
same samples whichever process (or replica) takes it.

When no page was published, or the latest is older than :data:`STALE_AFTER` (no worker ran
for a while: ``covenant serve --no-worker`` alone), the workspace is evaluated at ``now`` by the
same service functions as ``covenant evaluate`` and ``covenant exposure``, with the alert
states read from the store (no age gauge then: the numbers are of now).

Covenant's own pipeline: each DataSource's read states are counted with the tick (or at the
scrape, when evaluated then), over the series the workspace reads from it — a series no SLO
reads any more is not counted, its frozen frontier would alarm for ever. The notice outbox is
read at every scrape, whichever page is served, so the age of its oldest pending notice is of
the scrape's clock (two small queries: the counts ``covenant alerts outbox`` shows, and the
oldest pending row's instant), and so are the audit log's hash chain (``services.audit_watch``:
the rows appended since the last check, the whole log once an hour) and the batches of
events pushed into the store (files of ``covenant ingest events``, ``PUT /event-batches``):
their running totals, one row (``store.ingest_totals``).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from covenant.errors import TamperedError
from covenant.render.metrics import (
    IngestTotals,
    Snapshot,
    SourceReads,
    age_exposition,
    exposition,
    ingest_exposition,
    outbox_exposition,
    worker_exposition,
)
from covenant.render.metrics_agreements import agreement_counts
from covenant.render.metrics_audit import audit_exposition
from covenant.render.metrics_lint import LintCount, lint_counts
from covenant.render.metrics_records import AsideCount, OpenIncidents
from covenant.render.metrics_statements import UnissuedStatements
from covenant.render.metrics_timers import TimerGroup
from covenant.render.metrics_tokens import token_exposition
from covenant.services.audit_watch import AuditWatch
from covenant.services.evaluate import evaluate_workspace
from covenant.services.lint import lint_workspace
from covenant.services.metrics_records import open_incidents, set_aside
from covenant.services.metrics_timers import ticket_timer_groups
from covenant.services.statement_backlog import unissued_statements
from covenant.store import metrics_snapshots, outbox
from covenant.store.alert_states import load_alert_states
from covenant.store.db import write_transaction
from covenant.store.ingest_totals import batch_totals
from covenant.store.source_health import READ_ERROR_CODES, last_successes, read_errors
from covenant.store.source_state import every_state
from covenant.store.tokens import load_tokens
from covenant.store.worker_health import tick_totals

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from covenant.definitions.workspace import Workspace
    from covenant.services.worker import TickResult

_T = TypeVar("_T")
_NO_TIMERS: tuple[TimerGroup, ...] = ()
_NO_UNISSUED: tuple[UnissuedStatements, ...] = ()
_NO_INCIDENTS: tuple[OpenIncidents, ...] = ()

STALE_AFTER = timedelta(minutes=10)
"""A published page older than this (by its tick's instant) is not served: no worker ticks."""


def source_reads(conn: Connection, *, workspace: Workspace) -> tuple[SourceReads, ...]:
    """Per DataSource the workspace reads SLIs from: its series by read state, the failing
    ones per error code, the oldest frontier (one query, none without Prometheus reads)."""
    reads = workspace.prometheus.reads if workspace.prometheus else ()
    if not reads:
        return ()
    states = every_state(conn)
    successes, errors = last_successes(conn), read_errors(conn)
    by_source: dict[str, list[str]] = {}
    first_kind: dict[str, str] = {}
    for r in reads:
        by_source.setdefault(r.source.name, []).append(r.series)
        first_kind[r.series] = "good" if r.good is not None else "bad"
    found = []
    for source, keys in by_source.items():
        read = never = 0
        failing: Counter[str] = Counter()
        unmatched: Counter[str] = Counter()
        frontiers = []
        for key in dict.fromkeys(keys):
            state = states.get(key)
            if state is None or state.read_until is None:
                never += 1
            else:
                read += 1
                frontiers.append(state.read_until)
            if state is not None and state.error is not None:
                failing[state.error_code or "unknown"] += 1
            if state is not None and state.total_found is False:
                unmatched["total"] += 1
            if state is not None and state.first_found is False:
                unmatched[first_kind[key]] += 1
        oldest = min(frontiers) if frontiers else None
        found.append(
            SourceReads(
                source=source,
                read=read,
                never_read=never,
                failing=failing,
                oldest_until=oldest,
                unmatched=unmatched,
                last_success_s=successes.get(source),
                # every code from the start (0 when none): a counter series first seen at 1
                # would hide its first failure from increase() and rate()
                read_errors=dict.fromkeys(READ_ERROR_CODES, 0) | errors.get(source, {}),
            )
        )
    return tuple(found)


def lint_findings(workspace: Workspace) -> tuple[LintCount, ...]:
    """``covenant lint``'s findings on the workspace (its own margin, every agreement), counted
    per agreement and severity."""
    names = {v.agreement for v in workspace.agreements}
    return lint_counts(names, lint_workspace(workspace))


def _unless_tampered(compute: Callable[[], _T], instead: _T) -> _T:
    """``compute()``, or ``instead`` when a stored agreement disagrees with its history: the
    agreements' parts of the page cannot be computed then (no sample), while the rest of the
    page is served, and ``covenant_agreements{status="tampered"}`` says why (a tampered
    agreement used to fail the whole scrape, ``409``, every SLO's figures with it)."""
    try:
        return compute()
    except TamperedError:
        return instead


def agreement_states(engine: Engine, *, at: datetime) -> dict[str, int]:
    """The stored agreements per state at ``at``, as ``covenant agreements list`` shows it."""
    from covenant.services.agreements import list_agreements  # noqa: PLC0415
    from covenant.services.selection import agreement_state  # noqa: PLC0415

    return agreement_counts(agreement_state(s) for s in list_agreements(engine, at=at))


def tick_snapshot(
    result: TickResult,
    *,
    sources: tuple[SourceReads, ...] = (),
    timers: tuple[TimerGroup, ...] = (),
    unissued: tuple[UnissuedStatements, ...] = (),
    lint: tuple[LintCount, ...] = (),
    agreements: dict[str, int] | None = None,
    incidents: tuple[OpenIncidents, ...] = (),
    aside: tuple[AsideCount, ...] = (),
) -> Snapshot:
    """The numbers of one tick: its report, forecast and alert states after it, how the
    sources' reads stand after it, the ticket timers and the statements due and not issued at
    its instant, ``covenant lint``'s findings, the stored agreements per state, the incidents
    open at its instant and the series set aside (``services.metrics_records``)."""
    return Snapshot(
        at=result.at,
        evaluations=result.report.effective,
        exposure=result.agreements,
        alerts=result.alerts,
        paths={"incremental": result.incremental, "full": result.full},
        sources=sources,
        timers=timers,
        unissued=unissued,
        lint=lint,
        agreements=agreements,
        incidents=incidents,
        aside=aside,
    )


def publish_tick(
    engine: Engine,
    result: TickResult,
    *,
    workspace: Workspace,
    published_at: datetime,
) -> metrics_snapshots.Stamp:
    """Render the tick's page and store it as the latest (every process serves it)."""
    with engine.connect() as conn:
        sources = source_reads(conn, workspace=workspace)
        aside = set_aside(conn, workspace=workspace)
    snapshot = tick_snapshot(
        result,
        sources=sources,
        aside=aside,
        **_agreement_parts(engine, workspace=workspace, at=result.at),
    )
    body = exposition(snapshot)
    with write_transaction(engine) as conn:
        return metrics_snapshots.publish(conn, body, at=result.at, published_at=published_at)


def metrics_snapshot(engine: Engine, *, workspace: Workspace, now: datetime) -> Snapshot:
    """The workspace evaluated at ``now``, with the stored alert states (no page published)."""
    with engine.connect() as conn:
        alerts = tuple(load_alert_states(conn).values())
        sources = source_reads(conn, workspace=workspace)
        aside = set_aside(conn, workspace=workspace)
    report = evaluate_workspace(engine, workspace=workspace, at=now, now=now)
    found = None
    if workspace.agreements:
        from covenant.services.exposure import exposure  # noqa: PLC0415

        found = _unless_tampered(
            lambda: exposure(engine, workspace=workspace, at=now, now=now, support=False), None
        )
    return Snapshot(
        at=now,
        evaluations=report.effective,
        exposure=found,
        alerts=alerts,
        sources=sources,
        aside=aside,
        **_agreement_parts(engine, workspace=workspace, at=now),
    )


def _agreement_parts(engine: Engine, *, workspace: Workspace, at: datetime) -> dict[str, Any]:
    """The families read off the agreements at ``at`` — ticket timers, statements not issued,
    lint findings, agreements per status, incidents open — that a tick's page and a scrape's
    share; a tampered agreement leaves the timers, statements and incidents out, not the
    page."""
    return {
        "timers": _unless_tampered(
            lambda: ticket_timer_groups(engine, workspace=workspace, at=at), _NO_TIMERS
        ),
        "unissued": _unless_tampered(
            lambda: unissued_statements(engine, workspace=workspace, now=at), _NO_UNISSUED
        ),
        "incidents": _unless_tampered(
            lambda: open_incidents(engine, workspace=workspace, at=at), _NO_INCIDENTS
        ),
        "lint": lint_findings(workspace),
        "agreements": agreement_states(engine, at=at),
    }


def outbox_page(conn: Connection, *, now: datetime) -> bytes:
    """The outbox's families at ``now``: the counts per status ``covenant alerts outbox``
    shows, and the seconds since the oldest pending notice was written (none pending: no
    sample; 0 when the clocks disagree the other way)."""
    oldest = outbox.oldest_pending_at(conn)
    age = None if oldest is None else max((now - oldest).total_seconds(), 0.0)
    return outbox_exposition(outbox.counts(conn), oldest_pending_age_s=age)


def worker_page(conn: Connection) -> bytes:
    """The worker families: every worker's ticks on this store, as recorded after each."""
    totals = tick_totals(conn)
    return worker_exposition(
        totals.ticks, last_success_at=totals.last_success_at, last_tick_s=totals.last_tick_s
    )


def ingest_page(conn: Connection) -> bytes:
    """The ingest families: every batch of events pushed into the store, summed."""
    batches, ingested, rejected, last, newest = batch_totals(conn)
    totals = IngestTotals(
        batches=batches,
        rows_ingested=ingested,
        rows_rejected=rejected,
        last_batch_at=last,
        newest_event_s=newest,
    )
    return ingest_exposition(totals)


def token_page(conn: Connection, *, now: datetime) -> bytes:
    """The token families at ``now``: every API token counted per role and state (as ``covenant
    token list`` shows its state), and per role the nearest expiry of its active ones."""
    counts: Counter[tuple[str, str]] = Counter()
    nearest: dict[str, datetime] = {}
    for token in load_tokens(conn):
        state = token.state(now)
        counts[(token.role.value, state)] += 1
        if state == "active":
            kept = nearest.get(token.role.value)
            nearest[token.role.value] = (
                token.expires_at if kept is None else min(kept, token.expires_at)
            )
    return token_exposition(counts, next_expiry=nearest)


class SharedMetrics:
    """The latest published page, kept in memory while the stored one is the same (one small
    query per scrape, and two for the outbox; the body is read again only when a new tick was
    published)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: metrics_snapshots.StoredSnapshot | None = None
        self._audit = AuditWatch()

    def page(self, engine: Engine, *, workspace: Callable[[], Workspace], now: datetime) -> bytes:
        """The text ``/metrics`` answers at ``now`` (see the module docstring)."""
        audit = audit_exposition(self._audit.chain(engine, now=now))
        with engine.connect() as conn:
            pipeline = audit + (
                outbox_page(conn, now=now)
                + ingest_page(conn)
                + worker_page(conn)
                + token_page(conn, now=now)
            )
            stamp = metrics_snapshots.stamp(conn)
            if stamp is not None and now - stamp.at <= STALE_AFTER:
                with self._lock:
                    kept = self._kept
                if kept is None or kept.stamp != stamp:
                    kept = metrics_snapshots.read(conn)
                    with self._lock:
                        self._kept = kept
                if kept is not None:
                    age = max((now - kept.stamp.at).total_seconds(), 0.0)
                    return kept.body + age_exposition(age) + pipeline
        snapshot = metrics_snapshot(engine, workspace=workspace(), now=now)
        return exposition(snapshot) + pipeline
