"""The time a Prometheus source may take in one worker tick, shared by its clients.

One query may take up to ``attempts`` × the DataSource's ``timeout`` and the waits between
the attempts (0.5 s, 1 s): 91.5 s with the defaults. A tick asks one source many queries —
the catch-up's parts, the minutes of days stored as sums, an agreement's statement — so a
server that hangs would make a tick pay that once per query. A :class:`Budget` caps the
whole tick at about one query's worth per source, counted as the time the source is waited
on (while at least one of its queries is in flight or waits to be tried again: the tick's own
work in between — writing, evaluating — does not count):

- every attempt waits at most what is left of it (the HTTP timeout is cut to fit);
- once it is spent, or once a query got no answer at all after its retries (the server is
  down or hangs), the source's other queries of the tick are not asked: they fail at once
  with ``source-unreachable`` saying so, and are asked again on the next tick.

The clock is ``time.monotonic`` (an adapter's measure of waiting, never an instant of data).

A command that reads (``covenant evaluate --read``, ``covenant ingest prometheus``) keeps only
the second rule, for the whole command (``Budget(math.inf, scope="command")``): a long read may
wait on its source as long as its queries need, but once one query got no answer after its
retries, the others fail at once instead of each paying its own timeouts (a hung server cost
a first read of 200 SLOs two minutes with a 5-second timeout, and half an hour with 60).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from covenant.errors import SourceError, SourceUnreachableError


def query_budget_s(timeout_s: float, attempts: int, backoff_s: float) -> float:
    """The longest one query may take: every attempt's timeout and the waits between them."""
    waits = sum(backoff_s * 2**k for k in range(max(0, attempts - 1)))
    return float(attempts * timeout_s + waits)


class Budget:
    """What is left of one source's time in a tick (thread-safe: the reads run on threads)."""

    def __init__(
        self,
        seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        scope: str = "tick",
    ) -> None:
        self.seconds = seconds
        self.scope = scope  # "tick" (the worker's), or "command" (one CLI read)
        self._clock = clock
        self._lock = threading.Lock()
        self._tripped: SourceError | None = None
        self._spent = 0.0  # seconds with a query of the source in flight, before ``_since``
        self._busy = 0  # queries in flight now
        self._since = 0.0

    def left(self) -> float:
        """Seconds left (0 when spent)."""
        with self._lock:
            spent = self._spent + (self._clock() - self._since if self._busy else 0.0)
        return max(0.0, self.seconds - spent)

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """While the source is waited on (one attempt and the wait before it); queries on
        several threads at once count their common time once."""
        with self._lock:
            if not self._busy:
                self._since = self._clock()
            self._busy += 1
        try:
            yield
        finally:
            with self._lock:
                self._busy -= 1
                if not self._busy:
                    self._spent += self._clock() - self._since

    def trip(self, error: SourceError) -> None:
        """The source got no answer after a query's retries: ask it nothing more this tick
        (command)."""
        with self._lock:
            if self._tripped is None:
                self._tripped = error

    def check(self, what: str) -> float:
        """The seconds the next attempt may wait, or ``SourceUnreachableError`` when the
        source is not to be asked again in this tick."""
        with self._lock:
            tripped = self._tripped
        if tripped is not None:
            again = (
                "the next tick asks again"
                if self.scope == "tick"
                else "run the command again once it answers"
            )
            raise SourceUnreachableError(
                f"{what} not asked: an earlier query of this {self.scope} got no answer "
                f"({tripped.message})",
                hint="check that the server is up and answers within the DataSource's "
                f"timeout; {again}",
            ) from tripped  # the query that got no answer (services.source_silence)
        left = self.left()
        if left <= 0:
            raise SourceUnreachableError(
                f"{what} not asked: this tick's time for the source ({self.seconds:g} s: "
                "every attempt's timeout of one query and the waits between them) is spent",
                hint="the server answers too slowly: check it, or raise the DataSource's "
                "timeout; the next tick asks again",
            )
        return left
