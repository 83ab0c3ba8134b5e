"""The worker's reads of its sources each tick: catch-up, first reads, then the days cut.

1. ``services.prometheus.catch_up`` reads every series read before from its read frontier
   up to now.
   A series whose catch-up stopped at a day (hour) of exact sums that the server's minutes no
   longer add up to (``source-sums-differ``: the sums are kept, the frontier stays at that
   day) would read the same minutes again on every tick, and fail the same way; so it waits
   as a failed day read does (``services.day_retries``: 1, 2, 4, 8, then 15 minutes), and a
   catch-up of it that gets past that point forgets the wait. Any other failure (a server
   down, slow or refusing) is asked again on the next tick: live minutes are due every
   minute, and the client's budget bounds what each tick waits.
2. A series never read (or whose only reads failed before reading a minute, or whose query
   changed and has no counts of its own) is read over everything its SLOs' windows and alert
   windows need, as ``covenant evaluate --read`` reads it (``services.first_reads``: whole
   days from the recording rules where they check, else every sample) — at most
   ``first_reads`` series per DataSource a tick (:data:`FIRST_READS_PER_TICK`), those never
   tried first, then those tried longest ago, after the catch-up of the others, so a
   workspace of many new SLIs never holds up the minutes of those already read. One waiting
   its turn is not read at all meanwhile: its SLOs are "no data", never a figure over a few
   hours. A first read the tick's budget cuts short keeps what it read, and the next tick's
   catch-up goes on from there.
3. ``services.prometheus_recorded.refine_days`` reads the minutes of the days stored as sums
   that an evaluation's edges come to cut, each failed day waiting its turn the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from covenant.core.timeutil import to_epoch
from covenant.errors import CovenantError, SumsDifferError
from covenant.services.day_retries import DayRetries
from covenant.services.source_silence import Hearing, hearing

if TYPE_CHECKING:
    from covenant.core.promql import SeriesQueries
    from covenant.definitions.workspace import Workspace
    from covenant.services.prometheus import ClientFactory, ReadReport, Store
    from covenant.store.source_queries import Replaced


FIRST_READS_PER_TICK = 4
"""Never-read series whose windows one tick reads (module docstring, 2): as many as the
catch-up fetches at once (``services.prometheus.WORKERS``)."""


@dataclass(slots=True, kw_only=True)
class TickReads:
    """What one worker remembers between ticks about its reads' failures."""

    engine: Store
    step: int
    initial_s: int | None = None
    """None: a never-read series is read over its windows (module docstring, 2); else from
    this long before now, every one on the first tick (a test's shortcut)."""
    first_reads: int = FIRST_READS_PER_TICK
    days: DayRetries = field(default_factory=DayRetries)  # failed day (hour) minute reads
    kept: DayRetries = field(default_factory=DayRetries)  # catch-ups stopped by kept sums
    heard: Hearing = field(default_factory=Hearing)  # the latest tick's sources' answers

    def prune(self, now: datetime) -> None:
        self.days.prune(now=now)
        self.kept.prune(now=now)

    def read(
        self,
        workspace: Workspace,
        now: datetime,
        problems: list[str],
        clients: ClientFactory | None,
    ) -> int:
        """Catch up and refine (module docstring); each problem appended to ``problems``;
        the number of series reads reported."""
        self.heard = Hearing()
        reads = workspace.prometheus.reads if workspace.prometheus else ()
        if not reads:
            return 0
        from covenant.services.prometheus import catch_up  # noqa: PLC0415
        from covenant.services.read_claims import with_replaced  # noqa: PLC0415

        def due(series: str, since: int) -> bool:
            return self.kept.due(series, since, now=now)

        try:
            never, replaced = self._never_read(reads, now) if self.initial_s is None else ({}, {})
            first = self._turn(
                sorted((r for r in reads if r.series in never), key=lambda r: never[r.series])
            )
            reports = catch_up(
                self.engine,
                reads=[r for r in reads if r.series not in never],
                now=now,
                initial=self.initial_s or self.step,
                step=self.step,
                client_for=clients,
                due=due,
            )
            reports += self._first(workspace, first, now, clients, due)
            reports = with_replaced(reports, replaced, reads)
        except CovenantError as exc:  # recorded per series by catch_up; evaluation goes on
            problems.append(f"Prometheus catch-up: {exc}")
            return 0
        self._remember_kept(reports, now)
        from covenant.services.read_warnings import requeried  # noqa: PLC0415

        for line in requeried(reports):  # an old query's counts set aside: said once, in the log
            logging.getLogger("covenant.worker").warning("%s", line)
        reports += self._refine(workspace, reads, now, problems, clients)
        problems.extend(f"{r.series}: {r.error}" for r in reports if r.error is not None)
        self.heard = hearing(reports)
        late = self.kept.of_series(r.series for r in reads)
        for series, wait in sorted(late.items()):
            if wait.retry_at > now:
                problems.append(f"{series}: not caught up before its next try: {wait.reason()}")
        return len(reports)

    def _never_read(
        self, reads: Sequence[SeriesQueries], now: datetime
    ) -> tuple[dict[str, float], dict[str, Replaced]]:
        """The series of ``reads`` no read has reached (never read, only failed before a
        minute, or claimed anew for a changed query), after claiming them for their queries,
        each with when it was last tried (0: never; the untried first, so one that always
        fails never keeps the others waiting); and what the claims did
        (``services.read_claims``)."""
        from covenant.services.read_claims import claimed  # noqa: PLC0415
        from covenant.store.source_state import read_states  # noqa: PLC0415

        keys = [r.series for r in reads]
        with self.engine.connect() as conn:
            states = read_states(conn, keys=keys)
        states, replaced = claimed(self.engine, reads, step=self.step, at=now, states=states)
        never: dict[str, float] = {}
        for k in keys:
            state = states.get(k)
            if state is None or state.read_until is None:
                tried = state.updated_at or state.error_at if state is not None else None
                never[k] = tried.timestamp() if tried is not None else 0.0
        return never, replaced

    def _turn(self, never: Sequence[SeriesQueries]) -> list[SeriesQueries]:
        """The never-read series whose windows this tick reads: the first ``first_reads`` of
        each DataSource (each source's reads have a budget of their own)."""
        taken: dict[str, int] = {}
        turn = []
        for r in never:
            if taken.get(r.source.name, 0) < self.first_reads:
                taken[r.source.name] = taken.get(r.source.name, 0) + 1
                turn.append(r)
        return turn

    def _first(
        self,
        workspace: Workspace,
        first: Sequence[SeriesQueries],
        now: datetime,
        clients: ClientFactory | None,
        due: Callable[[str, int], bool],
    ) -> list[ReadReport]:
        """The first reads of ``first`` over their windows (module docstring, 2)."""
        if not first:
            return []
        from covenant.services.first_reads import read_first  # noqa: PLC0415
        from covenant.services.prometheus import DEFAULT_LAG_S  # noqa: PLC0415

        return read_first(
            self.engine,
            reads=first,
            objectives=workspace.objectives,
            now=now,
            step=self.step,
            lag_s=DEFAULT_LAG_S,
            client_for=clients,
            by_days=not (workspace.corrections or workspace.composites),
            due=due,
        )

    def _remember_kept(self, reports: Sequence[ReadReport], now: datetime) -> None:
        """A catch-up stopped by kept sums waits, keyed by where the next one starts (its
        frontier, ``read_until``); one that read past a waiting start forgets it."""
        stopped = [
            replace(r, start=r.read_until) for r in reports if isinstance(r.error, SumsDifferError)
        ]
        passed = [
            r for r in reports if r.complete and self.kept.failure(r.series, to_epoch(r.start))
        ]
        self.kept.record([*stopped, *passed], now=now)

    def _refine(
        self,
        workspace: Workspace,
        reads: Sequence[SeriesQueries],
        now: datetime,
        problems: list[str],
        clients: ClientFactory | None,
    ) -> list[ReadReport]:
        """The minutes of the day-sum days (summed hours) the windows now cut, a day that
        failed lately waiting its turn (named in ``problems``)."""
        waiting: dict[str, dict[int, list[int]]] = {}  # per series, starts per span

        def due(series: str, start: int, span: int) -> bool:  # failed lately: waits its turn
            if self.days.due(series, start, now=now):
                return True
            waiting.setdefault(series, {}).setdefault(span, []).append(start)
            return False

        refined: list[ReadReport] = []
        try:  # days a first read stored as sums, which the sliding windows now cut
            from covenant.services.prometheus_recorded import refine_days  # noqa: PLC0415

            refined = refine_days(
                self.engine,
                reads=reads,
                objectives=workspace.objectives,
                at=int(now.timestamp()) // self.step * self.step,
                now=now,
                client_for=clients,
                every_bucket=bool(workspace.corrections or workspace.composites),
                due=due,
            )
            self.days.record(refined, now=now)
        except CovenantError as exc:  # each series' failure is in its report
            problems.append(f"Prometheus day refinement: {exc}")
        if waiting:
            from covenant.services.day_minutes import days_text  # noqa: PLC0415

            for series, wait in self.days.of_series(waiting).items():
                spans = sorted(waiting[series].items(), reverse=True)  # days, then hours
                named = ", ".join(days_text(starts, span=span) for span, starts in spans)
                problems.append(
                    f"{series}: the minutes of {named} are not asked for before their next "
                    f"try: {wait.reason()}"
                )
        return refined
