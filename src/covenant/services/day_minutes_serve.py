"""``covenant serve``: the minutes of days stored as sums, read for requests without blocking.

A request (an API route, a UI page) whose reader meets days a first read by days stored as
their sums only (``DaySumsOnlyError``) is not held while Prometheus answers: the
:class:`MinutesReader` of the process reads exactly the days it named on a thread of its own,
and the request is answered at once with ``minutes-pending`` (HTTP 503, ``Retry-After``) naming
the SLOs and the days; the same request a few seconds later finds the minutes (the store's
write makes every kept answer be computed again). When the read fails (Prometheus down) the
answer is ``minutes-unread`` (502) naming the SLOs, the days, the source's error and the fix;
a request after ``retry_s`` tries again. Never a 500, never a raw ``store-error``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from covenant.errors import (
    CovenantError,
    DaySumsOnlyError,
    MinutesPendingError,
    MinutesUnreadError,
)
from covenant.services.day_minutes import days_text, needed_days, read_needed, slos_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from covenant.core.promql import SeriesQueries
    from covenant.services.prometheus import ClientFactory

log = logging.getLogger("covenant.day_minutes")

RETRY_S = 60.0
"""A failed read of a day's minutes is answered as failed this long before it is tried again."""
RETRY_AFTER_S = 5
"""What a pending answer's ``Retry-After`` asks for."""

Pair = tuple[str, int]


class MinutesReader:
    """Reads the minutes of the day-sum days that requests needed, one batch at a time on a
    thread of its own (started when there is work, ended when there is none)."""

    def __init__(
        self,
        *,
        engine: Callable[[], Engine],
        reads: Callable[[], Sequence[SeriesQueries]],
        clock: Callable[[], datetime],
        client_for: ClientFactory | None = None,
        retry_s: float = RETRY_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.reads = reads
        self.clock = clock
        self.client_for = client_for
        self.retry_s = retry_s
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._wanted: set[Pair] = set()  # asked for, not read yet (being read or queued)
        self._failed: dict[Pair, tuple[MinutesUnreadError, float]] = {}
        self._thread: threading.Thread | None = None

    def answer(self, refused: DaySumsOnlyError) -> CovenantError:
        """What to answer a request that was ``refused``: its days are queued to be read
        (``minutes-pending``), or their read failed lately (``minutes-unread``)."""
        from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

        from covenant.services.store import store_failure  # noqa: PLC0415

        try:
            with self.engine().connect() as conn:
                needed = needed_days(conn, refused)
        except SQLAlchemyError as exc:  # the store did not answer: a coded error, never a 500
            raise store_failure("find the series of the days to read", exc) from exc
        pairs = {(k, d) for k, days in needed.items() for d in days}
        now = self.monotonic()
        with self._lock:
            failed = [
                self._failed[p][0]
                for p in sorted(pairs)
                if p in self._failed and now - self._failed[p][1] < self.retry_s
            ]
            if failed:
                return failed[0]
            for p in pairs:
                self._failed.pop(p, None)
            self._wanted |= pairs
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="covenant-day-minutes", daemon=True
                )
                self._thread.start()
        slos = self._slos(needed)
        return MinutesPendingError(
            f"the minutes of {days_text(d for _, d in pairs)} of {slos} are being read from "
            "Prometheus now (a first read by days stored those days' counts only)",
            hint=f"ask again in {RETRY_AFTER_S} seconds",
            retry_after_s=RETRY_AFTER_S,
        )

    def idle(self) -> bool:
        """Nothing is being read or waiting to be."""
        with self._lock:
            return self._thread is None and not self._wanted

    def wait(self, timeout: float) -> bool:
        """Wait until idle (tests); False when ``timeout`` passed first."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.idle():
                return True
            time.sleep(0.05)
        return self.idle()

    def _slos(self, needed: dict[str, list[int]]) -> str:
        try:
            reads = self.reads()
        except CovenantError:
            reads = []
        return "SLO " + ", ".join(slos_of(needed, reads))

    def _run(self) -> None:
        while True:
            with self._lock:
                batch = set(self._wanted)
                if not batch:
                    self._thread = None
                    return
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
                    hint="see the server's log; the next request tries again",
                )
            with self._lock:
                self._wanted -= batch
                if failed is not None:
                    at = self.monotonic()
                    self._failed.update(dict.fromkeys(batch, (failed, at)))


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
