"""``covenant serve``: the minutes of days stored as sums, read for requests without blocking.

A request (an API route, a UI page) whose reader meets days a first read by days stored as
their sums only (``DaySumsOnlyError``) is not held while Prometheus answers: the
:class:`MinutesReader` of the process queues exactly the ``(series, day)`` pairs it named and
reads them on a few threads of its own, and the request is answered at once. For one request
asked again and again, the answers are (docs/prometheus.md, "A first read by days"):

- ``minutes-pending`` (HTTP 503, ``Retry-After``) while any of its days is queued or being
  read, and only then (a pair is read by one read at a time, whoever asks for it);
- after the read: the figures (the store's write makes every kept answer be computed again),
  or ``minutes-unread`` (502) naming the SLOs, the days, the source's error and the fix when
  the read failed, or when it succeeded but the days are still stored as sums (the source had
  no minutes of them). That answer stands for ``retry_s`` (a minute); the first request after
  it reads the days again (``minutes-pending`` once more);
- ``minutes-busy`` (503, ``Retry-After``) when queuing its days would hold more than
  ``max_waiting`` series-days queued or being read: nothing of it is queued; a request that
  alone needs more is ``minutes-unread`` with the ``covenant ingest prometheus`` that reads
  them.

Never a 500, never a raw ``store-error``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from covenant.errors import (
    CovenantError,
    DaySumsOnlyError,
    MinutesBusyError,
    MinutesPendingError,
    MinutesUnreadError,
)
from covenant.services.day_minutes import (
    DAY,
    days_text,
    ingest_hint,
    read_needed,
    slos_of,
)
from covenant.store.day_sums import day_sum_days, hour_sum_days, series_keys

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from covenant.core.promql import SeriesQueries
    from covenant.services.prometheus import ClientFactory

log = logging.getLogger("covenant.day_minutes")

RETRY_S = 60.0
"""A read's outcome (failed, or read and still sums) is answered this long before the days
are read again."""
RETRY_AFTER_S = 5
"""What a pending answer's ``Retry-After`` asks for."""
BUSY_RETRY_AFTER_S = 30
"""What a ``minutes-busy`` answer's ``Retry-After`` asks for."""
WORKERS = 2
"""Threads reading at once (each reads a batch; a read fetches a few series at once)."""
BATCH = 32
"""Series-days one read takes from the queue (oldest first)."""
MAX_WAITING = 256
"""Series-days queued or being read at most (eight months of one series)."""

Pair = tuple[str, int]


class MinutesReader:
    """Reads the minutes of the day-sum days that requests needed: a bounded queue of
    ``(series, day)`` pairs (each queued or read once at a time), read in batches on at most
    ``workers`` threads (started when there is work, ended when there is none)."""

    def __init__(
        self,
        *,
        engine: Callable[[], Engine],
        reads: Callable[[], Sequence[SeriesQueries]],
        clock: Callable[[], datetime],
        client_for: ClientFactory | None = None,
        retry_s: float = RETRY_S,
        monotonic: Callable[[], float] = time.monotonic,
        workers: int = WORKERS,
        batch: int = BATCH,
        max_waiting: int = MAX_WAITING,
    ) -> None:
        self.engine = engine
        self.reads = reads
        self.clock = clock
        self.client_for = client_for
        self.retry_s = retry_s
        self.monotonic = monotonic
        self.workers = max(1, workers)
        self.batch = max(1, batch)
        self.max_waiting = max(1, max_waiting)
        self._lock = threading.Lock()
        self._queued: dict[Pair, None] = {}  # waiting for a thread, oldest first
        self._flight: set[Pair] = set()  # being read
        self._failed: dict[Pair, tuple[MinutesUnreadError, float]] = {}
        self._read: dict[Pair, float] = {}  # read without an error, when
        self._threads = 0

    def answer(self, refused: DaySumsOnlyError) -> CovenantError:
        """What to answer a request that was ``refused`` (see the module's docstring)."""
        from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

        from covenant.services.store import store_failure  # noqa: PLC0415

        try:
            with self.engine().connect() as conn:
                keys = series_keys(conn, sorted({i for i, _ in refused.needed}))
                ids = {(keys.get(i, f"series id {i}"), d): i for i, d in refused.needed}
                with self._lock:
                    self._forget(self.monotonic())
                    reread = [p for p in ids if p in self._read]
                still = self._still_sums(conn, {p: ids[p] for p in reread})
        except SQLAlchemyError as exc:  # the store did not answer: a coded error, never a 500
            raise store_failure("find the series of the days to read", exc) from exc
        pairs = set(ids)
        with self._lock:  # no I/O under the lock: the messages naming SLOs are made after it
            failed = [self._failed[p][0] for p in sorted(pairs) if p in self._failed]
            if failed:
                return failed[0]
            waiting = pairs & (self._queued.keys() | self._flight)
            new = pairs - waiting - set(reread)
            unread = bool(still) or len(new) > self.max_waiting  # answered after the lock
            held = len(self._queued) + len(self._flight)
            if not unread and new and held + len(new) > self.max_waiting:
                return MinutesBusyError(
                    f"the server is reading the minutes of {held} series-days already "
                    f"(at most {self.max_waiting}); the {len(new)} of this answer were not "
                    "queued",
                    hint=f"ask again in {BUSY_RETRY_AFTER_S} seconds",
                    retry_after_s=BUSY_RETRY_AFTER_S,
                )
            if not unread:
                self._queued.update(dict.fromkeys(sorted(new)))
                self._start()
        if still:
            return self._unread_again(still)
        if len(new) > self.max_waiting:
            return self._too_many(new)
        return MinutesPendingError(
            f"the minutes of {days_text(d for _, d in pairs)} of {self._slos(pairs)} are being "
            "read from Prometheus now (a first read by days stored those days' or some of their "
            "hours' counts only)",
            hint=f"ask again in {RETRY_AFTER_S} seconds",
            retry_after_s=RETRY_AFTER_S,
        )

    def idle(self) -> bool:
        """Nothing is being read or waiting to be."""
        with self._lock:
            return self._threads == 0 and not self._queued and not self._flight

    def wait(self, timeout: float) -> bool:
        """Wait until idle (tests); False when ``timeout`` passed first."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.idle():
                return True
            time.sleep(0.05)
        return self.idle()

    def _forget(self, now: float) -> None:
        """Outcomes older than ``retry_s`` (under the lock): their days are read again."""
        for memory in (self._failed, self._read):
            for p in [p for p, v in memory.items() if now - _at(v) >= self.retry_s]:
                del memory[p]

    def _still_sums(self, conn: object, ids: dict[Pair, int]) -> list[Pair]:
        """Of pairs read lately, those the store still holds as sums (of the day, or of some
        of its hours)."""
        if not ids:
            return []
        days = sorted({d for _, d in ids})
        series = sorted(set(ids.values()))
        found = day_sum_days(conn, series_ids=series, before=days[-1] + DAY, days=days)
        pieces = hour_sum_days(conn, series_ids=series, days=days)
        return sorted(p for p, i in ids.items() if p[1] in found.get(i, ()) or (i, p[1]) in pieces)

    def _unread_again(self, still: list[Pair]) -> MinutesUnreadError:
        days = [d for _, d in still]
        return MinutesUnreadError(
            f"the minutes of {days_text(days)} of {self._slos(still)} were read from "
            "Prometheus without an error, but the days are still stored as their counts only: "
            "another write (a first read by days) stored their counts again since",
            hint=f"read them with {ingest_hint(days)} "
            "(the server reads them again on a request after a minute)",
        )

    def _too_many(self, new: Collection[Pair]) -> MinutesUnreadError:
        days = [d for _, d in new]
        return MinutesUnreadError(
            f"the answer needs the minutes of {len(new)} series-days "
            f"({days_text(days)} of {self._slos(new)}), more than the server reads for a "
            f"request ({self.max_waiting})",
            hint=f"read them with {ingest_hint(days)}, then ask again",
        )

    def _start(self) -> None:
        """Threads for the queue (under the lock), at most ``workers``."""
        wanted = min(self.workers, -(-len(self._queued) // self.batch))
        while self._threads < wanted:
            self._threads += 1
            threading.Thread(target=self._run, name="covenant-day-minutes", daemon=True).start()

    def _slos(self, pairs: Collection[Pair]) -> str:
        try:
            reads = self.reads()
        except CovenantError:
            reads = []
        return "SLO " + ", ".join(slos_of({k for k, _ in pairs}, reads))

    def _take(self) -> set[Pair]:
        """The next batch, moved to the pairs being read; empty: the thread ends."""
        with self._lock:
            batch = set(list(self._queued)[: self.batch])
            if not batch:
                self._threads -= 1
                return batch
            for p in batch:
                del self._queued[p]
            self._flight |= batch
            return batch

    def _run(self) -> None:
        while batch := self._take():
            needed: dict[str, list[int]] = {}
            for key, day in sorted(batch):
                needed.setdefault(key, []).append(day)
            try:
                read_needed(
                    self.engine(),
                    reads=self.reads(),
                    needed=needed,
                    now=self.clock(),
                    client_for=self.client_for,
                )
                failed: MinutesUnreadError | None = None
            except MinutesUnreadError as error:
                failed = error
            except Exception as error:  # a store or definitions failure: answered as failed
                log.exception("reading the minutes of %d series-days failed", len(batch))
                failed = MinutesUnreadError(
                    f"the minutes of {days_text(d for _, d in batch)} could not be read: {error}",
                    hint="see the server's log; a request after a minute tries again",
                )
            with self._lock:
                self._flight -= batch
                at = self.monotonic()
                if failed is not None:
                    self._failed.update(dict.fromkeys(batch, (failed, at)))
                else:
                    self._read.update(dict.fromkeys(batch, at))


def _at(value: float | tuple[MinutesUnreadError, float]) -> float:
    return value[1] if isinstance(value, tuple) else value


def answer_for(
    reader: MinutesReader, refused: DaySumsOnlyError, *, customer: bool
) -> CovenantError:
    """What a request ``refused`` for day minutes is answered (the API's and the UI's one
    rule): the reader's answer, or the store's error when it could not look; in words that
    name nothing internal for a ``customer``. Reads the store: call it off the event loop."""
    try:
        answer = reader.answer(refused)
    except CovenantError as error:  # the store did not answer: say that
        answer = error
    return for_customers(answer) if customer else answer


def for_customers(answer: CovenantError) -> CovenantError:
    """``answer`` in words that name no SLO or source (a customer's page or token); the
    failure itself is logged for the operators."""
    if isinstance(answer, MinutesBusyError):
        return MinutesBusyError(
            "the server is reading many figures just now",
            hint=f"ask again (reload the page) in {answer.retry_after_s} seconds",
            retry_after_s=answer.retry_after_s,
        )
    if isinstance(answer, MinutesPendingError):
        return MinutesPendingError(
            "some of the figures asked for are still being read",
            hint=f"ask again (reload the page) in {answer.retry_after_s} seconds",
            retry_after_s=answer.retry_after_s,
        )
    log.error("a customer's answer could not be given: %s", answer)
    return MinutesUnreadError(
        "some of the figures asked for cannot be read just now",
        hint="try again later; the operators can see why in the server's log",
    )
