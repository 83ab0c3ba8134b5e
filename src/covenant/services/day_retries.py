"""The worker's memory of the days whose minutes it could not read, with a backoff.

A day stored as its sums (a first read by days, ``services.prometheus_recorded``) is read
minute by minute when an evaluation's edge comes to cut it (``refine_days``) or an agreement's
statement needs it (``services.day_minutes``). When that read fails, asking again on every
tick would pay the source's timeout and retries every minute. So the worker remembers each
failed ``(series, day)`` with its error, and asks again only after a wait that doubles with
each failure in a row — 1, 2, 4, 8, then 15 minutes at most — and forgets it once a read
succeeds. While a day waits, the SLOs of its series are "no data (stale)" with the last error
and the instant of the next try (``reason``), and an agreement reader that needs it fails at
once naming the same (``services.day_minutes.read_needed``).

The memory is the worker's own (in its process): a restarted worker asks once more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from covenant.core.timeutil import require_utc, to_epoch, utc_text

if TYPE_CHECKING:
    from covenant.services.prometheus import ReadReport

FIRST_WAIT_S = 60
"""The wait after a first failure: the next tick asks again."""
MOST_WAIT_S = 900
"""The longest wait (15 minutes) however many failures in a row."""
FORGET_AFTER_S = 3600
"""A failure due this long ago and not asked again is forgotten (``DayRetries.prune``)."""


def wait_s(failures: int) -> int:
    """The wait after ``failures`` failed reads in a row: 1, 2, 4, 8, 15, 15 … minutes."""
    return min(MOST_WAIT_S, FIRST_WAIT_S << min(max(0, failures - 1), 10))


@dataclass(frozen=True, slots=True, kw_only=True)
class DayFailure:
    """The last failed read of one series' day, and when it is asked again."""

    source: str
    code: str
    error: str
    failed_at: datetime
    failures: int  # in a row
    retry_at: datetime

    def reason(self) -> str:
        """``reading SOURCE failed at T [code]: message; asked again at R`` (a stale
        reason's part)."""
        return (
            f"reading {self.source} failed at {utc_text(self.failed_at)} [{self.code}]: "
            f"{self.error}; asked again at {utc_text(self.retry_at)} "
            f"({self.failures} failed read{'s' if self.failures != 1 else ''} in a row)"
        )


class DayRetries:
    """Failed ``(series key, day)`` reads and their backoff (one worker's; not thread-safe)."""

    def __init__(self) -> None:
        self._failed: dict[tuple[str, int], DayFailure] = {}

    def due(self, series: str, day: int, *, now: datetime) -> bool:
        """Whether the minutes of ``day`` of ``series`` may be asked for at ``now``."""
        found = self._failed.get((series, day))
        return found is None or found.retry_at <= now

    def failure(self, series: str, day: int) -> DayFailure | None:
        return self._failed.get((series, day))

    def record(self, reports: Iterable[ReadReport], *, now: datetime) -> None:
        """Remember the days read by ``reports`` (``read_day_minutes``: one per series and
        day): a complete read forgets the day, a failed one counts a failure more."""
        now = require_utc(now, what="now")
        for r in reports:
            key = (r.series, to_epoch(r.start))
            if r.complete:
                self._failed.pop(key, None)
                continue
            before = self._failed.get(key)
            failures = 1 if before is None else before.failures + 1
            error = r.error
            self._failed[key] = DayFailure(
                source=r.source,
                code=error.code if error is not None else "source-error",
                error=error.message if error is not None else "the read stopped early",
                failed_at=now,
                failures=failures,
                retry_at=now + timedelta(seconds=wait_s(failures)),
            )

    def of_series(self, keys: Iterable[str]) -> dict[str, DayFailure]:
        """Per series key with a remembered failure: its latest failure, with the earliest
        instant one of its days is asked again."""
        wanted = set(keys)
        found: dict[str, DayFailure] = {}
        for (series, _), f in sorted(self._failed.items()):
            if series not in wanted:
                continue
            known = found.get(series)
            if known is None:
                found[series] = f
                continue
            latest = f if f.failed_at >= known.failed_at else known
            found[series] = DayFailure(
                source=latest.source,
                code=latest.code,
                error=latest.error,
                failed_at=latest.failed_at,
                failures=max(f.failures, known.failures),
                retry_at=min(f.retry_at, known.retry_at),
            )
        return found

    def prune(self, *, now: datetime) -> None:
        """Forget the days due for an hour that nobody asked for since (no window or
        statement needs them any more): the memory holds only days still wanted."""
        gone = now - timedelta(seconds=FORGET_AFTER_S)
        for key in [k for k, f in self._failed.items() if f.retry_at < gone]:
            del self._failed[key]

    def waiting(
        self, needed: Mapping[str, Iterable[int]], *, now: datetime
    ) -> dict[str, list[int]]:
        """Of ``needed`` (days per series key), the days not to be asked for at ``now``."""
        found: dict[str, list[int]] = {}
        for series, days in needed.items():
            late = sorted(d for d in set(days) if not self.due(series, d, now=now))
            if late:
                found[series] = late
        return found

    def __len__(self) -> int:
        return len(self._failed)
