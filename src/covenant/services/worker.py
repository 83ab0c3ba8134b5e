"""The worker's minute tick: catch up sources, evaluate every SLO and agreement, keep alerts.

``Worker.tick(workspace, now)`` (or the module's :func:`tick`) does, in order:

1. Prometheus catch-up (``services.prometheus.catch_up``) when the workspace reads SLIs from a
   Prometheus-compatible DataSource, then the minutes of days a first read by days stored as
   sums that the windows now cut (``refine_days``); a day whose read failed lately waits for
   its next try (``services.day_retries``), as does a series whose catch-up stopped at exact
   sums its minutes no longer add up to (``services.worker_reads``); each source's reads
   share one query's time per tick (``services.prometheus.budgeted``);
2. every objective evaluated at ``now`` — incrementally: event-based objectives from the
   cumulative counts the worker keeps at their window edges, moved each tick by the buckets
   in between (``services.incremental``); objectives that need every bucket (time slices),
   composites and objectives a correction may touch by the full engine path
   (``services.evaluate``), so the report equals ``evaluate_workspace`` at ``now``;
3. the SLO alerts (burn-rate, no-data) advanced (``core.alert_state``) and written in one
   transaction, with each transition appended to the alert history
   (``store.alert_transitions``, pruned past its retention once an hour) and the notices of
   their transitions written into delivery's outbox in the same transaction (``enqueue``:
   ``Dispatcher.enqueue`` in ``covenant serve``; and, with ``unheard``, the alerts that fire
   on for the targets never told of them: ``Dispatcher.enqueue_unheard``), then handed to
   ``notify`` — before anything the agreements read, whose alerts keep their state here;
4. the agreements' alerts (forecast credit tiers, ticket timers, claim deadlines,
   ``services.worker_agreements``), the minutes of days stored as sums read first where their
   statements need them (``services.day_minutes``), advanced and written the same way in a
   transaction of their own (the SLO alerts keep theirs), then handed to ``notify``.

The tick's result names the series whose total query matched no series in their newest
read (``TickResult.unmatched``: a misspelt metric or label; no failure, their SLOs are "no
data" naming the query), which ``covenant serve``'s loop logs once each.

With ``catch_up=False`` (``covenant serve --no-catch-up``) the worker asks no source anything:
no step 1, and a day of sums the agreements need is ``minutes-unread`` at once.

The clock is the caller's: ``now`` is an argument (``covenant serve`` passes the wall clock).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from covenant.core.alert_state import (
    AlertCondition,
    AlertPhase,
    AlertRecord,
    Transition,
    advance,
    phase_changes,
)
from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.core.results import Stale
from covenant.core.timeutil import require_utc
from covenant.core.window_answers import needs_buckets
from covenant.services.coverage import first_stored
from covenant.services.evaluate import (
    DEFAULT_STEP,
    EvaluationReport,
    changed_stale,
    evaluate_objectives,
    read_stale,
    unread_stale,
)
from covenant.services.incremental import EdgeCache, ReadStats
from covenant.services.no_series import Unmatched, unmatched_series
from covenant.services.notice_log import log_notices
from covenant.services.source_silence import Hearing
from covenant.services.tick_stop import check_stop
from covenant.services.worker_eval import EdgeResults, Plan, TickEvaluation
from covenant.services.worker_reads import FIRST_READS_PER_TICK, TickReads
from covenant.services.worker_routes import Reroute, held_routes
from covenant.store import alert_transitions as history
from covenant.store.alert_states import load_alert_states, save_transition
from covenant.store.bucket_journal import forget_writes
from covenant.store.db import write_transaction

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from covenant.core.forecast_portfolio import Exposure
    from covenant.definitions.routing import NoticeRouting
    from covenant.definitions.workspace import Workspace
    from covenant.services.day_retries import DayFailure
    from covenant.services.prometheus import ClientFactory

log = logging.getLogger("covenant.worker")
T = TypeVar("T")

Notify = Callable[[Sequence[AlertNotice]], None]
"""Receives notices (firing and resolved) after their state is committed: a tick's SLO alerts'
first, then (with agreements) its agreement alerts' in a second call."""

Enqueue = Callable[["Connection", Sequence[AlertNotice]], int]
"""Writes notices into delivery's outbox in the worker's alert-state transaction
(``services.delivery.Dispatcher.enqueue``): a state change and its notice commit together.
The same shape writes, for the alerts firing now, the targets never told of them
(``Dispatcher.enqueue_unheard``: a target added while they fire)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TickResult:
    """What one tick saw and changed."""

    at: datetime
    evaluated: TickEvaluation  # decisions now, the full report when read (``report``)
    alerts: tuple[AlertRecord, ...]  # every alert state after the tick
    notices: tuple[AlertNotice, ...]  # transitions of this tick (firing, resolved)
    reads: ReadStats
    incremental: int  # objectives evaluated from the kept edge counts
    full: int  # objectives (and composites) evaluated by the full engine path
    caught_up: int = 0  # series read from Prometheus
    problems: tuple[str, ...] = ()  # what could not be evaluated (its alerts keep their state)
    agreements: Exposure | None = None  # the agreements' forecast, when there are any
    unmatched: tuple[Unmatched, ...] = ()  # series whose total query matched no series
    heard: Hearing = field(default_factory=Hearing)  # DataSources that did not answer

    @property
    def report(self) -> EvaluationReport:
        """Every objective's evaluation at ``at`` (``evaluate_workspace``'s report), assembled
        on first read from the tick's own counts (``services.worker_eval``)."""
        return self.evaluated.report()


def incremental_objectives(workspace: Workspace) -> tuple[list[int], list[int]]:
    """Positions of the objectives the worker evaluates from edge counts, and of the others
    (time slices, or an SLO a correction names: the full path evaluates those)."""
    corrected: set[str] = set()
    every = False
    for rule in workspace.corrections:
        if not rule.slos:
            every = True
        corrected.update(rule.slos)
    fast: list[int] = []
    slow: list[int] = []
    for i, o in enumerate(workspace.objectives):
        if needs_buckets(o) or every or o.slo in corrected:
            slow.append(i)
        else:
            fast.append(i)
    return fast, slow


class Worker:
    """One worker: its edge cache and its notify callback. Not thread-safe (one loop owns it)."""

    def __init__(
        self,
        engine: Engine,
        *,
        notify: Notify = log_notices,
        step: int = DEFAULT_STEP,
        client_for: ClientFactory | None = None,
        catch_up_initial_s: int | None = None,
        first_reads: int = FIRST_READS_PER_TICK,
        enqueue: Enqueue | None = None,
        catch_up: bool = True,
        unheard: Enqueue | None = None,
    ) -> None:
        self.engine = engine
        self.catch_up = catch_up
        self.notify = notify
        self.enqueue = enqueue
        self.unheard = unheard  # given every firing alert each tick: tells new targets of it
        self.step = step
        self.client_for = client_for
        self.cache = EdgeCache(step=step)
        self.reads = TickReads(
            engine=engine, step=step, initial_s=catch_up_initial_s, first_reads=first_reads
        )
        self.retries = self.reads.days  # days whose minutes failed to read, and their backoff
        self.latest: TickResult | None = None
        self._plan_key: tuple[object, object] | None = None
        self._plan: tuple[list[int], list[int], Plan | None] = ([], [], None)
        self._history_pruned: datetime | None = None  # the tick that last pruned the history
        # asked between a tick's units of work: True when the process is stopping (the loop
        # sets it; services.tick_stop)
        self.stopped: Callable[[], bool] | None = None

    def evaluate(
        self, workspace: Workspace, *, at: datetime, seen_at: datetime | None = None
    ) -> tuple[EvaluationReport, ReadStats, int]:
        """Every objective and composite at ``at``: the report ``evaluate_workspace`` gives,
        read incrementally where it can be. Returns it, what was read, and how many objectives
        were evaluated from the kept edge counts."""
        found, stats = self.decide(workspace, at=at, seen_at=seen_at)
        return found.report(), stats, len(found.fast)

    def decide(
        self, workspace: Workspace, *, at: datetime, seen_at: datetime | None = None
    ) -> tuple[TickEvaluation, ReadStats]:
        """The tick's evaluation at ``at``: the decisions of every objective (what the alerts
        need), the full report when read (``TickEvaluation.report``); and what was read."""
        at = require_utc(at, what="at")
        fast, slow, plan = self._plan_for(workspace)
        objectives = workspace.objectives
        stats = ReadStats()
        edge = None
        stale: dict[str, Stale] = {}
        if plan is not None:
            edge, stats = self._edge_results(plan, at)
        waits = self._waits(workspace)
        full = None
        if slow or workspace.composites or workspace.corrections:
            full = evaluate_objectives(
                self.engine,
                objectives=[objectives[i] for i in slow],
                at=at,
                step=self.step,
                composites=workspace.composites,
                corrections=workspace.corrections,
                seen_at=seen_at or at,
                now=at,  # the worker's clock
                day_sums_stale=True,  # a day whose minutes the catch-up could not read
                waits=waits,
            )
        if plan is not None:  # as ``mark_stale`` reads them for the whole report
            series = {o.series for o in objectives}
            series |= {p.objective.series for c in workspace.composites for p in c.components}
            stale = read_stale(self.engine, series, at=at)
            if stats.unread:  # day-sum days an edge needed (their refinement failed)
                stale |= unread_stale(self.engine, stats.unread, waits=waits)
        if not self.catch_up and workspace.prometheus is not None:  # no claim of its own
            stale |= changed_stale(self.engine, workspace.prometheus.reads)
        found = TickEvaluation(
            at=at,
            count=len(objectives),
            fast=fast,
            edge=edge,
            slow=slow,
            full=full,
            corrections=bool(workspace.corrections),
            stale=stale,
            first=lambda: first_stored(self.engine, (o.series for o in objectives)),
        )
        return found, stats

    def _waits(self, workspace: Workspace) -> dict[str, DayFailure] | None:
        """The remembered failures of the series' days (their stale reasons name them)."""
        if not len(self.retries):
            return None
        return self.retries.of_series(o.series for o in workspace.objectives) | (
            self.retries.of_series(
                p.objective.series for c in workspace.composites for p in c.components
            )
        )

    def _plan_for(self, workspace: Workspace) -> tuple[list[int], list[int], Plan | None]:
        """The incremental objectives' positions, the others', and their plan: kept while the
        workspace's objectives and corrections are the same objects."""
        key = self._plan_key
        if key is None or key[0] is not workspace.objectives or key[1] is not workspace.corrections:
            fast, slow = incremental_objectives(workspace)
            quick = [workspace.objectives[i] for i in fast]
            plan = Plan.of(quick) if quick else None
            self._plan_key = (workspace.objectives, workspace.corrections)
            self._plan = (fast, slow, plan)
        return self._plan

    def _edge_results(self, plan: Plan, at: datetime) -> tuple[EdgeResults, ReadStats]:
        edges = plan.edges(at, self.step)
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":  # one snapshot: the journal and the buckets
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                counts, stats = self.cache.counts(conn, keys=plan.keys, edges=edges)
        if stats.seqs:
            with write_transaction(self.engine) as conn:
                forget_writes(conn, stats.seqs)
        return EdgeResults.of(plan, counts, at), stats

    def tick(self, workspace: Workspace, now: datetime) -> TickResult:
        """One tick at ``now``: see the module's docstring."""
        now = require_utc(now, what="now")
        problems: list[str] = []
        self.reads.prune(now)
        self._prune_history(now)
        clients = self._clients(workspace)
        caught = self.reads.read(workspace, now, problems, clients) if self.catch_up else 0
        check_stop(self.stopped, before="the objectives were evaluated")
        evaluated, stats = self.decide(workspace, at=now, seen_at=now)
        routing = workspace.routing
        route = (lambda o, tier: routing.for_tier(o.slo, tier)) if routing else None
        conditions: list[AlertCondition] = evaluated.conditions(route=route)
        if routing is not None:  # OpenSLO alertWhenNoData: true (definitions.routing)
            silent = routing.for_no_data
            conditions.extend(
                evaluated.no_data_conditions(route=lambda o, tier: silent(o.slo, tier))
            )
        # the SLO alerts first: committed and handed over before the agreements read anything
        # (a slow source never delays them); the agreement alerts keep their state meanwhile
        later = set(NoticeKind) - set(_SLO_KINDS) if workspace.agreements else set()
        reroute = held_routes(workspace)  # a held alert's targets: the routing of now
        transition = self._advance(
            conditions,
            now=now,
            unknown=later,
            keep=evaluated.keep(),
            routing=routing,
            reroute=reroute,
            elsewhere=later,
        )
        self._notify(transition.notices)
        notices = transition.notices
        agreements = None
        if workspace.agreements:
            from covenant.services.worker_agreements import agreement_conditions  # noqa: PLC0415

            found = agreement_conditions(
                self.engine,
                workspace=workspace,
                now=now,
                minutes=self._minutes(workspace, now, clients),
                stopped=self.stopped,
            )
            problems.extend(found.problems)
            agreements = found.exposure
            transition = self._advance(  # the SLO alerts keep the state written above
                _routed(found.conditions, workspace),
                now=now,
                unknown=set(_SLO_KINDS) | found.unknown,
                keep=(),
                routing=routing,
                reroute=reroute,
                elsewhere=set(_SLO_KINDS),
            )
            self._notify(transition.notices)
            notices += transition.notices
        reads = workspace.prometheus.reads if workspace.prometheus else ()
        result = TickResult(
            at=now,
            evaluated=evaluated,
            alerts=transition.records,
            notices=notices,
            reads=stats,
            incremental=len(evaluated.fast),
            full=len(workspace.objectives) - len(evaluated.fast) + len(workspace.composites),
            caught_up=caught,
            problems=tuple(problems),
            agreements=agreements,
            unmatched=unmatched_series(self.engine, reads),
            heard=self.reads.heard if self.catch_up else Hearing(),
        )
        self.latest = result
        return result

    def _prune_history(self, now: datetime) -> None:
        """Once an hour (by the ticks' clock): delete the alert history past its retention."""
        last = self._history_pruned
        if last is not None and timedelta(0) <= now - last < timedelta(hours=1):
            return
        with write_transaction(self.engine) as conn:
            history.prune(conn, before=now - history.RETENTION)
        self._history_pruned = now  # pruned: not again for an hour (refused: the next tick)

    def _notify(self, notices: Sequence[AlertNotice]) -> None:
        if notices:
            try:
                self.notify(notices)
            except Exception:  # a failing receiver never stops the worker
                log.exception("notify failed for %d notices", len(notices))

    def _clients(self, workspace: Workspace) -> ClientFactory | None:
        """The tick's Prometheus clients: each source's share one query's time
        (``services.prometheus.budgeted``); None without Prometheus reads."""
        if not (workspace.prometheus and workspace.prometheus.reads):
            return self.client_for
        from covenant.services.prometheus import budgeted  # noqa: PLC0415

        return budgeted(self.client_for)

    def _advance(
        self,
        conditions: Sequence[AlertCondition],
        *,
        now: datetime,
        unknown: set[NoticeKind],
        keep: Sequence[str],
        routing: NoticeRouting | None = None,
        reroute: Reroute | None = None,
        elsewhere: set[NoticeKind] | None = None,
    ) -> Transition:
        """Advance, record and enqueue the alerts of ``conditions``; ``elsewhere``: the kinds
        another call of the tick advances (default ``unknown``) — the others that fire,
        evaluated or held, are handed to ``unheard`` routed as ``reroute`` says now."""
        elsewhere = unknown if elsewhere is None else elsewhere
        with write_transaction(self.engine) as conn:
            previous = load_alert_states(conn)
            transition = advance(
                previous, conditions, now=now, unknown=unknown, keep=keep, reroute=reroute
            )
            # raised here, the transaction is rolled back: the alerts are written whole or not
            check_stop(self.stopped, before="the alerts were written")
            save_transition(conn, transition=transition, stored=list(previous), now=now)
            history.record(conn, phase_changes(previous, transition, now=now))
            if routing is not None:
                notices = tuple(_resolution_targets(n, routing) for n in transition.notices)
                transition = replace(transition, notices=notices)
            if self.enqueue is not None and transition.notices:
                self.enqueue(conn, transition.notices)
            if self.unheard is not None:  # what fires on, for a target not told of it yet
                fresh = {n.key for n in transition.notices}
                firing = [
                    r.notice()
                    for r in transition.records
                    if r.phase is AlertPhase.FIRING
                    and r.kind not in elsewhere
                    and r.key not in fresh
                ]
                if firing:
                    self.unheard(conn, firing)
        return transition

    def _minutes(
        self, workspace: Workspace, now: datetime, clients: ClientFactory | None
    ) -> Callable[[Callable[[], T]], T]:
        """Runs a reader of the agreements (exposure, statements) so that the minutes of the
        days stored as sums it needs are read first, from the workspace's sources (a failure,
        or a day waiting for its next try, is the reader's problem: it names the SLOs, days
        and fix). Without catch-up (``catch_up=False``, ``covenant serve --no-catch-up``) no
        source is asked: such a day is ``minutes-unread`` at once, its fix saying so."""
        from covenant.services.day_minutes import (  # noqa: PLC0415
            with_day_minutes,
            without_catch_up,
        )

        reads = workspace.prometheus.reads if workspace.prometheus else ()
        if not self.catch_up:
            return lambda read: without_catch_up(read, engine=self.engine, reads=reads)

        def run(read: Callable[[], T]) -> T:
            return with_day_minutes(
                read,
                engine=lambda: self.engine,
                reads=lambda: reads,
                now=lambda: now,
                client_for=clients,
                dispose=False,
                retries=self.retries,
            )

        return run


def _resolution_targets(notice: AlertNotice, routing: NoticeRouting) -> AlertNotice:
    """A burn-rate or no-data resolution without the targets whose policies say
    ``alertWhenResolved: false``."""
    if notice.state is not NoticeState.RESOLVED or notice.kind not in _SLO_KINDS:
        return notice
    slo, tier = notice.key.split("/")[1], notice.labels.get("covenant_tier", "")
    quiet = routing.without_resolution(slo, tier)
    if not quiet:
        return notice
    kept = None if notice.targets is None else tuple(t for t in notice.targets if t not in quiet)
    return replace(notice, targets=kept, unresolved=tuple(sorted(quiet)))


_SLO_KINDS = (NoticeKind.BURN_RATE, NoticeKind.NO_DATA)


def _routed(conditions: Sequence[AlertCondition], workspace: Workspace) -> list[AlertCondition]:
    """Agreement alerts with their customer's targets (``definitions.routing``)."""
    routing = workspace.routing
    if routing is None:
        return list(conditions)
    customer_of = {v.agreement: v.customer for v in workspace.agreements}
    return [
        replace(c, targets=routing.for_customer(customer_of.get(c.labels.get("agreement", ""))))
        for c in conditions
    ]


def tick(
    store: Engine, workspace: Workspace, now: datetime, *, worker: Worker | None = None
) -> TickResult:
    """One tick with ``worker`` (a new one, with a cold cache, when None)."""
    return (worker or Worker(store)).tick(workspace, now)


def next_tick(now: datetime, *, interval_s: int = 60) -> datetime:
    """The next whole ``interval_s`` after ``now`` (ticks land on minute boundaries)."""
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(
        epoch - epoch % interval_s + interval_s, tz=now.tzinfo
    ) + timedelta(0)
