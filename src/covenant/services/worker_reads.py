"""The worker's reads of its sources each tick: catch-up, then the days the windows now cut.

1. ``services.prometheus.catch_up`` reads every series from its read frontier up to now.
   A series whose catch-up stopped at a day (hour) of exact sums that the server's minutes no
   longer add up to (``source-sums-differ``: the sums are kept, the frontier stays at that
   day) would read the same minutes again on every tick, and fail the same way; so it waits
   as a failed day read does (``services.day_retries``: 1, 2, 4, 8, then 15 minutes), and a
   catch-up of it that gets past that point forgets the wait. Any other failure (a server
   down, slow or refusing) is asked again on the next tick: live minutes are due every
   minute, and the client's budget bounds what each tick waits.
2. ``services.prometheus_recorded.refine_days`` reads the minutes of the days stored as sums
   that an evaluation's edges come to cut, each failed day waiting its turn the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from covenant.core.timeutil import to_epoch
from covenant.errors import CovenantError, SumsDifferError
from covenant.services.day_retries import DayRetries

if TYPE_CHECKING:
    from covenant.core.promql import SeriesQueries
    from covenant.definitions.workspace import Workspace
    from covenant.services.prometheus import ClientFactory, ReadReport, Store


@dataclass(slots=True, kw_only=True)
class TickReads:
    """What one worker remembers between ticks about its reads' failures."""

    engine: Store
    step: int
    initial_s: int
    days: DayRetries = field(default_factory=DayRetries)  # failed day (hour) minute reads
    kept: DayRetries = field(default_factory=DayRetries)  # catch-ups stopped by kept sums

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
        reads = workspace.prometheus.reads if workspace.prometheus else ()
        if not reads:
            return 0
        from covenant.services.prometheus import catch_up  # noqa: PLC0415

        try:
            reports = catch_up(
                self.engine,
                reads=reads,
                now=now,
                initial=self.initial_s,
                step=self.step,
                client_for=clients,
                due=lambda series, since: self.kept.due(series, since, now=now),
            )
        except CovenantError as exc:  # recorded per series by catch_up; evaluation goes on
            problems.append(f"Prometheus catch-up: {exc}")
            return 0
        self._remember_kept(reports, now)
        from covenant.services.read_warnings import requeried  # noqa: PLC0415

        for line in requeried(reports):  # an old query's counts set aside: said once, in the log
            logging.getLogger("covenant.worker").warning("%s", line)
        reports += self._refine(workspace, reads, now, problems, clients)
        problems.extend(f"{r.series}: {r.error}" for r in reports if r.error is not None)
        late = self.kept.of_series(r.series for r in reads)
        for series, wait in sorted(late.items()):
            if wait.retry_at > now:
                problems.append(f"{series}: not caught up before its next try: {wait.reason()}")
        return len(reports)

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
