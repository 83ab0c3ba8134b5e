"""The worker's minute tick: catch up sources, evaluate every SLO and agreement, keep alerts.

``Worker.tick(workspace, now)`` (or the module's :func:`tick`) does, in order:

1. Prometheus catch-up (``services.prometheus.catch_up``) when the workspace reads SLIs from a
   Prometheus-compatible DataSource;
2. every objective evaluated at ``now`` — incrementally: event-based objectives from the
   cumulative counts the worker keeps at their window edges, moved each tick by the buckets
   in between (``services.incremental``); objectives that need every bucket (time slices),
   composites and objectives a correction may touch by the full engine path
   (``services.evaluate``), so the report equals ``evaluate_workspace`` at ``now``;
3. the agreements' alerts (forecast credit tiers, ticket timers, claim deadlines,
   ``services.worker_agreements``), the minutes of days a first read by days stored as sums
   read first where their statements need them (``services.day_minutes``);
4. alert state advanced (``core.alert_state``) and written in one transaction, with the notices
   of its transitions written into delivery's outbox in the same transaction (``enqueue``:
   ``Dispatcher.enqueue`` in ``covenant serve``); then the notices are handed to ``notify``.

The clock is the caller's: ``now`` is an argument (``covenant serve`` passes the wall clock).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from covenant.core.alert_state import AlertCondition, AlertRecord, Transition, advance
from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.core.timeutil import require_utc
from covenant.core.window_answers import needs_buckets
from covenant.errors import CovenantError
from covenant.services.evaluate import (
    DEFAULT_STEP,
    EvaluationReport,
    evaluate_objectives,
    read_stale,
    unread_stale,
)
from covenant.services.incremental import EdgeCache, ReadStats
from covenant.services.worker_eval import EdgeResults, Plan, TickEvaluation
from covenant.store.alert_states import load_alert_states, save_transition
from covenant.store.bucket_journal import forget_writes
from covenant.store.db import write_transaction

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from covenant.core.forecast import Exposure
    from covenant.definitions.routing import NoticeRouting
    from covenant.definitions.workspace import Workspace
    from covenant.services.prometheus import ClientFactory

log = logging.getLogger("covenant.worker")
T = TypeVar("T")

Notify = Callable[[Sequence[AlertNotice]], None]
"""Receives the notices of one tick (firing and resolved), after their state is committed."""

Enqueue = Callable[["Connection", Sequence[AlertNotice]], int]
"""Writes notices into delivery's outbox in the worker's alert-state transaction
(``services.delivery.Dispatcher.enqueue``): a state change and its notice commit together."""

CATCH_UP_INITIAL_S = 3 * 3600
"""A series never read from Prometheus is read from this long before now on the first tick."""


def log_notices(notices: Sequence[AlertNotice]) -> None:
    """The default ``notify``: one log line per notice."""
    for n in notices:
        log.warning("alert %s %s (%s): %s", n.state.value, n.key, n.severity, dict(n.labels))


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
        catch_up_initial_s: int = CATCH_UP_INITIAL_S,
        enqueue: Enqueue | None = None,
        catch_up: bool = True,
    ) -> None:
        self.engine = engine
        self.catch_up = catch_up
        self.notify = notify
        self.enqueue = enqueue
        self.step = step
        self.client_for = client_for
        self.catch_up_initial_s = catch_up_initial_s
        self.cache = EdgeCache(step=step)
        self.latest: TickResult | None = None
        self._plan_key: tuple[object, object] | None = None
        self._plan: tuple[list[int], list[int], Plan | None] = ([], [], None)

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
        stale: dict[str, str] = {}
        if plan is not None:
            edge, stats = self._edge_results(plan, at)
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
                day_sums_stale=True,  # a day whose minutes the catch-up could not read
            )
        if plan is not None:  # as ``mark_stale`` reads them for the whole report
            series = {o.series for o in objectives}
            series |= {p.objective.series for c in workspace.composites for p in c.components}
            stale = read_stale(self.engine, series, at=at)
            if stats.unread:  # day-sum days an edge needed (their refinement failed)
                stale |= unread_stale(self.engine, stats.unread)
        found = TickEvaluation(
            at=at,
            count=len(objectives),
            fast=fast,
            edge=edge,
            slow=slow,
            full=full,
            corrections=bool(workspace.corrections),
            stale=stale,
        )
        return found, stats

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
        caught = self._catch_up(workspace, now, problems)
        evaluated, stats = self.decide(workspace, at=now, seen_at=now)
        routing = workspace.routing
        route = (lambda o, tier: routing.for_tier(o.slo, tier)) if routing else None
        conditions: list[AlertCondition] = evaluated.conditions(route=route)
        if routing is not None:  # OpenSLO alertWhenNoData: true (definitions.routing)
            silent = routing.for_no_data
            conditions.extend(
                evaluated.no_data_conditions(route=lambda o, tier: silent(o.slo, tier))
            )
        unknown: set[NoticeKind] = set()
        agreements = None
        if workspace.agreements:
            from covenant.services.worker_agreements import agreement_conditions  # noqa: PLC0415

            found = agreement_conditions(
                self.engine, workspace=workspace, now=now, minutes=self._minutes(workspace, now)
            )
            conditions.extend(_routed(found.conditions, workspace))
            unknown.update(found.unknown)
            problems.extend(found.problems)
            agreements = found.exposure
        transition = self._advance(
            conditions,
            now=now,
            unknown=unknown,
            keep=evaluated.keep(),
            routing=routing,
        )
        if transition.notices:
            try:
                self.notify(transition.notices)
            except Exception:  # a failing receiver never stops the worker
                log.exception("notify failed for %d notices", len(transition.notices))
        result = TickResult(
            at=now,
            evaluated=evaluated,
            alerts=transition.records,
            notices=transition.notices,
            reads=stats,
            incremental=len(evaluated.fast),
            full=len(workspace.objectives) - len(evaluated.fast) + len(workspace.composites),
            caught_up=caught,
            problems=tuple(problems),
            agreements=agreements,
        )
        self.latest = result
        return result

    def _advance(
        self,
        conditions: Sequence[AlertCondition],
        *,
        now: datetime,
        unknown: set[NoticeKind],
        keep: Sequence[str],
        routing: NoticeRouting | None = None,
    ) -> Transition:
        with write_transaction(self.engine) as conn:
            previous = load_alert_states(conn)
            transition = advance(previous, conditions, now=now, unknown=unknown, keep=keep)
            save_transition(conn, transition=transition, stored=list(previous), now=now)
            if routing is not None:
                notices = tuple(_resolution_targets(n, routing) for n in transition.notices)
                transition = replace(transition, notices=notices)
            if self.enqueue is not None and transition.notices:
                self.enqueue(conn, transition.notices)
        return transition

    def _minutes(self, workspace: Workspace, now: datetime) -> Callable[[Callable[[], T]], T]:
        """Runs a reader of the agreements (exposure, statements) so that the minutes of the
        days stored as sums it needs are read first, from the workspace's sources (a failure
        is the reader's problem: it names the SLOs, days and fix)."""
        from covenant.services.day_minutes import with_day_minutes  # noqa: PLC0415

        reads = workspace.prometheus.reads if workspace.prometheus else ()

        def run(read: Callable[[], T]) -> T:
            return with_day_minutes(
                read,
                engine=lambda: self.engine,
                reads=lambda: reads,
                now=lambda: now,
                client_for=self.client_for,
                dispose=False,
            )

        return run

    def _catch_up(self, workspace: Workspace, now: datetime, problems: list[str]) -> int:
        reads = workspace.prometheus.reads if workspace.prometheus else ()
        if not reads or not self.catch_up:
            return 0
        from covenant.services.prometheus import catch_up  # noqa: PLC0415

        try:
            reports = catch_up(
                self.engine,
                reads=reads,
                now=now,
                initial=self.catch_up_initial_s,
                step=self.step,
                client_for=self.client_for,
            )
        except CovenantError as exc:  # recorded per series by catch_up; evaluation goes on
            problems.append(f"Prometheus catch-up: {exc}")
            return 0
        try:  # days a first read stored as sums, which the sliding windows now cut
            from covenant.services.prometheus_recorded import refine_days  # noqa: PLC0415

            reports += refine_days(
                self.engine,
                reads=reads,
                objectives=workspace.objectives,
                at=int(now.timestamp()) // self.step * self.step,
                now=now,
                client_for=self.client_for,
                every_bucket=bool(workspace.corrections or workspace.composites),
            )
        except CovenantError as exc:  # each series' failure is in its report (below)
            problems.append(f"Prometheus day refinement: {exc}")
        problems.extend(f"{r.series}: {r.error}" for r in reports if r.error is not None)
        return len(reports)


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
