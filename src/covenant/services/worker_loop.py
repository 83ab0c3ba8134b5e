"""The worker's loop: a background thread that ticks every minute while this process leads.

``covenant serve`` starts one in the API's lifespan (``--no-worker`` serves the API only).
Each round it asks ``leadership`` (``acquire()``: non-blocking, True while this process leads;
``services.leader`` on PostgreSQL, one process per SQLite file) and, when it leads, loads the
workspace (read again when a file changed) and ticks at the wall clock's now. A tick that fails
is logged and the next one runs on time; ``stop`` lets a running tick finish. After each tick
the loop publishes the tick's ``/metrics`` page into the store (``services.metrics``), which
every server process serves, and counts the tick in the store by outcome (``ok``,
``problems``, ``failed``: ``store.worker_health``, what ``/metrics`` shows of the worker).
A series whose query matches no series is logged once, when it starts to; a DataSource that
does not answer, once per reason until it answers again (``services.source_silence``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from covenant.core.timeutil import utc_text
from covenant.errors import DefinitionError, StoreError
from covenant.services.metrics import publish_tick
from covenant.services.source_silence import SilenceLog
from covenant.services.store_refusals import outage
from covenant.services.tick_stop import TickAbandonedError
from covenant.store.db import write_transaction
from covenant.store.lock_wait import StoreLockedError
from covenant.store.worker_health import Outcome, record_tick

if TYPE_CHECKING:
    from covenant.definitions.workspace import Workspace
    from covenant.services.worker import TickResult, Worker

log = logging.getLogger("covenant.worker")

INTERVAL_S = 60
FOLLOWER_RETRY_S = 5


class Leadership(Protocol):
    terms: int  # leaderships taken so far (another process may have led in between)

    def acquire(self) -> bool: ...

    def held(self) -> bool: ...

    def release(self) -> None: ...


class AlwaysLead:
    """Until a store-level election is wired in: this process leads."""

    terms = 1

    def acquire(self) -> bool:
        return True

    def held(self) -> bool:
        return True

    def release(self) -> None:
        return None


class WorkerLoop:
    """Ticks ``worker`` every ``interval_s`` seconds on a daemon thread."""

    def __init__(
        self,
        worker: Worker,
        *,
        workspace: Callable[[], Workspace],
        clock: Callable[[], datetime],
        leadership: Leadership | None = None,
        interval_s: float = INTERVAL_S,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.worker = worker
        self.timer = timer  # seconds, for the tick's duration (``clock`` keeps whole seconds)
        self.workspace = workspace
        self.clock = clock
        self.leadership: Leadership = leadership or AlwaysLead()
        self.interval_s = interval_s
        self.ticks = 0
        self.failures = 0
        self._term = 0  # the leadership term of the last tick (leader.Leadership.terms)
        self.last_error: str | None = None
        self.last_tick_at: datetime | None = None  # the instant of the latest tick that ran
        self.last_failure_at: datetime | None = None
        self._unmatched: set[tuple[str, str, int]] = set()  # series matching no series, logged
        self._silences = SilenceLog()  # DataSources that do not answer, logged once per reason
        # the definitions of the latest tick that read them whole, and when: while the files
        # do not validate (a file being edited, a bad push) the ticks go on with these
        self._good: tuple[Workspace, datetime] | None = None
        self._stop = threading.Event()
        # a tick asks between its units of work, and is abandoned at a stop (services.tick_stop)
        self.worker.stopped = self._stop.is_set
        self._thread: threading.Thread | None = None

    @property
    def latest(self) -> TickResult | None:
        return self.worker.latest

    @property
    def running(self) -> bool:
        """True while the loop's thread runs."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def leading(self) -> bool:
        return self.leadership.held()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="covenant-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop: the running tick (if any) ends at its next unit of work — the transaction
        under way is finished, the rest abandoned (``services.tick_stop``); release the
        leadership."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.leadership.release()

    def run_once(self) -> TickResult | None:
        """One round: tick when this process leads (None when it does not)."""
        if not self.leadership.acquire():
            return None
        if self.leadership.terms != self._term:  # led anew: another process may have ticked
            self._term = self.leadership.terms  # meanwhile and taken the journal's rows, which
            self.worker.cache.reset()  # the edge cache would not see
        started = self.clock()
        began = self.timer()
        broken: str | None = None  # why the files were not used, when they were not
        try:
            workspace, broken = self._definitions(started)
            result = self.worker.tick(workspace, started)
        except TickAbandonedError as exc:  # stopping: the transaction under way was rolled back
            log.info("worker: %s; the next tick starts from the store as it is", exc)
            return None
        except DefinitionError as exc:  # no good reading to go on with: said, not a traceback
            self._record("failed", started, max(self.timer() - began, 0.0))
            self.failures += 1
            self.last_error = exc.listed()
            self.last_failure_at = started
            log.warning("worker: tick failed: %s", self.last_error)
            return None
        except StoreLockedError as exc:  # another writer held the store past the wait
            self._record("failed", started, max(self.timer() - began, 0.0))
            self.failures += 1
            self.last_error = f"{exc.message}; the tick is run again at the next one"
            self.last_failure_at = started
            log.warning("worker: tick not run: %s (%s)", self.last_error, exc.hint)
            return None
        except Exception as exc:  # the loop survives any failure; the log keeps it
            self._record("failed", started, max(self.timer() - began, 0.0))
            self.failures += 1
            self.last_failure_at = started
            lost = exc if isinstance(exc, StoreError) else outage("run the tick", exc)
            if lost is not None:  # the connection lost, the disk full: said, no traceback
                self.last_error = f"{lost.message}; the tick is run again at the next one"
                log.warning("worker: tick not run: %s (%s)", self.last_error, lost.hint)
                return None
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.exception("worker tick failed")
            return None
        took = max(self.timer() - began, 0.0)
        if broken is not None:  # the tick's first problem: what it was not evaluated on
            result = replace(result, problems=(broken, *result.problems))
        self._record("problems" if result.problems else "ok", started, took)
        self.last_error = broken
        self.last_tick_at = started
        sources = (
            {r.source.name for r in workspace.prometheus.reads} if workspace.prometheus else ()
        )
        for line in self._silences.lines(result.heard, at=started, sources=sources):
            log.warning("worker: %s", line)
        covered = result.heard.lines  # said by the lines above
        for problem in result.problems:
            if problem not in covered:
                log.warning("worker: %s", problem)
        self._report_unmatched(result)
        try:  # the full report readers see (/metrics): assembled here, after the alerts moved,
            # and published for every server process (services.metrics)
            publish_tick(
                self.worker.engine,
                result,
                workspace=workspace,
                published_at=self.clock(),
            )
        except StoreLockedError as exc:  # published again by the next tick
            log.warning("worker: the tick's metrics could not be published: %s", exc)
        except Exception as exc:
            lost = outage("publish the tick's metrics", exc)
            if lost is None:
                log.exception("worker: the tick's metrics could not be published")
            else:  # published again by the next tick
                log.warning("worker: the tick's metrics could not be published: %s", lost.message)
        self.ticks += 1
        return result

    def _definitions(self, at: datetime) -> tuple[Workspace, str | None]:
        """The workspace to tick on: the files as they are now, or — when they do not validate
        and a reading that did is kept — that reading, with the problem that says why."""
        try:
            workspace = self.workspace()
        except DefinitionError as exc:
            if self._good is None:
                raise
            kept, read_at = self._good
            return kept, (
                f"{exc.listed()}; this tick used the definitions last read whole "
                f"at {utc_text(read_at)}, and the next ones do until the files validate "
                "(covenant validate)"
            )
        self._good = (workspace, at)
        return workspace, None

    def _record(self, outcome: Outcome, at: datetime, took_s: float) -> None:
        """Count the tick in the store (``store.worker_health``: what ``/metrics`` shows on
        every process); a store that cannot take it is logged."""
        try:
            with write_transaction(self.worker.engine) as conn:
                record_tick(conn, outcome=outcome, at=at, took_s=took_s)
        except StoreLockedError as exc:
            log.warning("worker: the tick (%s) could not be counted in the store: %s", outcome, exc)
        except Exception as exc:
            lost = outage("count the tick", exc)
            if lost is None:
                log.exception("worker: the tick (%s) could not be counted in the store", outcome)
            else:
                log.warning(
                    "worker: the tick (%s) could not be counted in the store: %s",
                    outcome,
                    lost.message,
                )

    def _report_unmatched(self, result: TickResult) -> None:
        """Log each series whose total query matches no series once, when it starts to (a
        query that matches again, or changes, is logged anew when it matches nothing)."""
        now = {(u.series, u.query, u.since): u for u in result.unmatched}
        for key, found in now.items():
            if key not in self._unmatched:
                log.warning("worker: %s", found.line)
        self._unmatched = set(now)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = self.clock()
            ran = self.run_once() is not None or self.leadership.held()
            if not ran:
                self._stop.wait(FOLLOWER_RETRY_S)
                continue
            elapsed = (self.clock() - started).total_seconds()
            wait = self.interval_s - elapsed % self.interval_s if self.interval_s else 0
            self._stop.wait(max(wait, 0.0))
