"""What an evaluation returns: exact values, and absence with a reason instead of a number."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from covenant.core.model import Objective
from covenant.core.timeutil import utc_text


class Status(StrEnum):
    """Worst first: an SLO is breached, else paging, else warning (ticket tier), else ok."""

    BREACHED = "breached"
    PAGING = "paging"
    WARNING = "warning"
    OK = "ok"
    NO_DATA = "no_data"


@dataclass(frozen=True, slots=True, kw_only=True)
class Burn:
    """The burn rate over one window, or the reason there is none."""

    window_s: int
    start: datetime
    end: datetime
    rate: Fraction | None
    events: int
    no_data: str | None = None
    counted: int = 0
    """The units the rate is over: events (Occurrences) or slices (time slices)."""
    policy_filled: int = 0
    """Counted slices without events that a good/bad no-data policy counted for want of data."""
    policy_note: str | None = None
    """Set when ``policy_filled`` > 0: how many, in words (as ``Evaluation.policy_note``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TierResult:
    """One alert tier: the threshold it compares with, both windows, and whether it fires."""

    name: str
    severity: str
    threshold: Fraction
    long: Burn
    short: Burn
    firing: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Budget:
    """Error budget over the SLO window, in ``unit`` (events or slices).

    ``remaining`` may be negative (overspent); ``remaining_ratio`` is remaining / allowed.
    """

    unit: str
    allowed: Fraction
    consumed: Fraction
    remaining: Fraction
    remaining_ratio: Fraction | None


StaleKind = Literal["read-failed", "days-unread", "never-read", "query-changed", "no-series"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Stale:
    """Why an objective read from a source shows "no data" although it may have figures: they
    describe the data read so far, not the service now."""

    kind: StaleKind
    """``read-failed`` (the source's last read failed and the data ends before ``at``),
    ``days-unread`` (a first read by days stored sums only, and the minutes are not read yet),
    ``never-read`` (no read has reached it), ``query-changed`` (its counts are another
    query's) or ``no-series`` (its total query matched no series in the source: a misspelt
    metric or label, not a quiet service)."""
    reason: str  # in words, with the fix (``Evaluation.no_data``)
    source: str | None = None  # the DataSource, where known
    code: str | None = None  # the failed read's error code (docs/errors.md)
    failed_at: datetime | None = None  # when the source's latest read failed
    data_until: datetime | None = None  # the end of the data read from it
    query: str | None = None  # ``no-series``: the query (its selector) that matched nothing

    @property
    def held(self) -> bool:
        """Whether its figures describe data that stopped arriving (``read-failed``,
        ``days-unread``): then its alerts keep their state (``core.alert_rules.stale_keys``)."""
        return self.kind in ("read-failed", "days-unread")

    @property
    def behind(self) -> bool:
        """Whether there is data that is behind (shown as "stale"): every kind but
        ``never-read``, which has none yet, and ``no-series``, whose source answered with
        nothing (plain "no data")."""
        return self.kind not in ("never-read", "no-series")


@dataclass(frozen=True, slots=True, kw_only=True)
class Evaluation:
    """One objective of one SLO evaluated at ``at``."""

    objective: Objective
    at: datetime
    window_start: datetime
    window_end: datetime
    period_end: datetime
    good: int
    total: int
    unit: str
    sli: Fraction | None
    budget: Budget | None
    burn: Burn | None
    tiers: tuple[TierResult, ...]
    time_to_exhaustion: timedelta | None
    status: Status
    no_data: str | None = None
    exhaustion_note: str | None = None
    policy_note: str | None = None
    """Set when a good/bad no-data policy counted slices of the window that had no events:
    how many, so figures that come from the policy are never shown as if measured."""
    policy_filled: int = 0
    """How many slices of the SLO window that note is about (0 without a note)."""
    stale: Stale | None = None
    """Set with ``no_data`` when the objective is read from a source that has not answered
    for ``at``: the figures are those of the data read so far."""
    data_from: datetime | None = None
    """Set when the window starts before the first stored minute with events of its SLI
    (never read that far back, before the source's retention, a new SLO): the figures cover
    the window from there only (:attr:`coverage_note`)."""
    coverage_checked: bool = field(default=False, compare=False)
    """Whether :attr:`data_from` was looked up (``services.coverage``: an objective's series);
    False for a composite, whose coverage is not known (None then does not mean "all"). Not
    compared: the figures are the same whether or not it was looked up."""

    @property
    def window_minutes(self) -> int:
        """The SLO window's length in whole minutes."""
        return int((self.window_end - self.window_start).total_seconds()) // 60

    @property
    def covered_minutes(self) -> int | None:
        """The minutes of the window the stored data covers (from :attr:`data_from`, else all
        of them); None when not known: not looked up, or no events in the window (no data)."""
        if not self.coverage_checked or self.total - self.policy_filled <= 0:
            return None
        if self.data_from is None:
            return self.window_minutes
        return int((self.window_end - self.data_from).total_seconds()) // 60

    @property
    def coverage_note(self) -> str | None:
        """``data from <instant> only (N of the window's M minutes)``, or None when the stored
        data covers the whole window (or is not known not to)."""
        if self.data_from is None:
            return None
        whole = self.window_minutes
        held = int((self.window_end - self.data_from).total_seconds()) // 60
        since = utc_text(self.data_from)
        return f"data from {since} only ({held:,} of the window's {whole:,} minutes)"

    @property
    def firing(self) -> tuple[TierResult, ...]:
        return tuple(t for t in self.tiers if t.firing)
