"""The objective model the engine computes with: frozen values, checked on construction.

These are *resolved* definitions: references are followed, durations are integer seconds,
targets are exact ``Fraction`` ratios in (0, 1) — never percentages, never floats. The
definitions layer builds them from YAML; the core never sees YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from covenant.core.timeutil import require_utc
from covenant.errors import InputError

MINUTE = 60
HOUR = 3600
DAY = 86400


class BudgetingMethod(StrEnum):
    OCCURRENCES = "Occurrences"
    TIMESLICES = "Timeslices"
    RATIO_TIMESLICES = "RatioTimeslices"


class NoDataPolicy(StrEnum):
    """How a time slice without events counts (Timeslices and RatioTimeslices only)."""

    GOOD = "good"
    BAD = "bad"
    SKIP = "skip"


class CalendarUnit(StrEnum):
    DAY = "Day"
    WEEK = "Week"
    MONTH = "Month"
    QUARTER = "Quarter"
    YEAR = "Year"


class Operator(StrEnum):
    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """``value <op> threshold``, exact (threshold is a Fraction)."""

    op: Operator
    threshold: Fraction

    def __str__(self) -> str:
        symbol = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}[self.op.value]
        return f"{symbol}{self.threshold}"


@dataclass(frozen=True, slots=True, kw_only=True)
class RollingWindow:
    """The last ``seconds`` before the evaluation instant."""

    seconds: int

    def __post_init__(self) -> None:
        if self.seconds <= 0:
            raise InputError(f"a rolling window must be positive, got {self.seconds}s")


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarWindow:
    """``count`` calendar units in ``zone``, aligned to ``anchor`` (default: the unit's start).

    A month window is the calendar month in the zone (28–31 days, DST-correct), never 30 days.
    """

    unit: CalendarUnit
    count: int = 1
    zone: str = "UTC"
    anchor: datetime | None = None

    def __post_init__(self) -> None:
        if self.count <= 0:
            raise InputError(f"a calendar window needs a positive count, got {self.count}")
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise InputError(
                f"unknown time zone {self.zone!r}", hint="use an IANA name such as Europe/Berlin"
            ) from exc
        if self.anchor is not None:
            require_utc(self.anchor, what="calendar window anchor")


Window = RollingWindow | CalendarWindow


Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertRouting:
    """What an SLO's burn-rate alerts carry for the routes that match them, beside Covenant's
    own labels: the SLO's labels, and a Sloth file's ``alerting`` (its alert name, labels and
    annotations for every alert, and those of its page and its ticket alerts)."""

    name: str = ""  # the alert name ("": Covenant's <Slo>BurnRate)
    slo_labels: Pairs = ()  # the SLO's metadata.labels that are Prometheus label names
    labels: Pairs = ()
    page_labels: Pairs = ()
    ticket_labels: Pairs = ()
    annotations: Pairs = ()
    page_annotations: Pairs = ()
    ticket_annotations: Pairs = ()
    # by tier name: labels of that tier's alert only (Pyrra's long, short, exhaustion)
    tier_labels: tuple[tuple[str, Pairs], ...] = ()

    def labels_over(self, own: dict[str, str], *, pages: bool, tier: str = "") -> dict[str, str]:
        """``own`` (Covenant's labels of a tier's alert) with the SLO's labels under them and
        the alerting labels over them (a page's or a ticket's, then the tier's own last), the
        ``IDENTITY`` labels kept."""
        merged = {**dict(self.slo_labels), **own, **dict(self.labels)}
        merged.update(self.page_labels if pages else self.ticket_labels)
        merged.update(dict(self.tier_labels).get(tier, ()))
        merged.update((k, own[k]) for k in IDENTITY if k in own)
        return merged

    def annotations_over(self, own: dict[str, str], *, pages: bool) -> dict[str, str]:
        """``own`` annotations with the alerting annotations (a page's or a ticket's last)."""
        merged = {**own, **dict(self.annotations)}
        merged.update(self.page_annotations if pages else self.ticket_annotations)
        return merged

    def template_labels(self, *, pages: bool, tier: str = "") -> frozenset[str]:
        """The labels whose values on a tier's alert are the alerting's own (``labels_over``):
        Go templates as a Sloth file means them (``{{ $labels.x }}``); every other value is
        text to carry as written."""
        given = (*self.labels, *(self.page_labels if pages else self.ticket_labels))
        names = {k for k, _ in given} | {k for k, _ in dict(self.tier_labels).get(tier, ())}
        return frozenset(names - set(IDENTITY))

    def template_annotations(self, *, pages: bool) -> frozenset[str]:
        """The annotations whose values are the alerting's own (``annotations_over``)."""
        given = (*self.annotations, *(self.page_annotations if pages else self.ticket_annotations))
        return frozenset(k for k, _ in given)


IDENTITY = (
    "alertname",
    "sloth_id",
    "sloth_service",
    "sloth_slo",
    "sloth_severity",
    "covenant_tier",
)
"""The labels that say which alert it is: never replaced by an SLO's or a routing label."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertTier:
    """One multi-window burn-rate condition: fires when both windows burn at ``>= burn_rate``.

    ``budget_fraction`` is the share of the window's budget this tier tolerates spending in
    ``long_window_s``; when ``burn_rate`` is None the rate is derived from it and the SLO
    window length (``budget_fraction × W / long_window``), as the SRE Workbook does.
    """

    name: str
    severity: str  # "page" or "ticket" (free text allowed; "page"/"critical" page)
    long_window_s: int
    short_window_s: int
    budget_fraction: Fraction | None = None
    burn_rate: Fraction | None = None
    inclusive: bool = True  # fire at burn >= threshold; False: strictly above (OpenSLO op: gt)
    for_s: int = 0  # OpenSLO alertAfter: how long the condition holds (pending) before it fires

    def __post_init__(self) -> None:
        if self.for_s < 0:
            raise InputError(f"alert tier {self.name!r}: alertAfter must not be negative")
        if (self.budget_fraction is None) == (self.burn_rate is None):
            raise InputError(f"alert tier {self.name!r}: give exactly one of burn rate or budget")
        if self.short_window_s <= 0 or self.long_window_s <= 0:
            raise InputError(f"alert tier {self.name!r}: windows must be positive")
        if self.short_window_s > self.long_window_s:
            raise InputError(f"alert tier {self.name!r}: short window is longer than long window")

    def factor(self, window_seconds: int) -> Fraction:
        """The burn-rate threshold for an SLO window of ``window_seconds``."""
        if self.burn_rate is not None:
            return self.burn_rate
        assert self.budget_fraction is not None
        return self.budget_fraction * window_seconds / self.long_window_s

    @property
    def pages(self) -> bool:
        return self.severity.lower() in {"page", "critical"}


def default_alert_tiers() -> tuple[AlertTier, ...]:
    """SRE Workbook ch. 5 defaults: 2 % in 1 h, 5 % in 6 h page; 10 % in 1 d, 10 % in 3 d ticket.

    For a 30-day window these give the familiar 14.4, 6, 3 and 1; for 28 days Sloth's 13.44,
    5.6 and 2.8, and 1 where the share formula gives 0.9333… (the engine never compares with a
    rate below 1: see ``alert_threshold``).
    """
    return (
        AlertTier(
            name="page-fast",
            severity="page",
            long_window_s=HOUR,
            short_window_s=5 * MINUTE,
            budget_fraction=Fraction(2, 100),
        ),
        AlertTier(
            name="page-slow",
            severity="page",
            long_window_s=6 * HOUR,
            short_window_s=30 * MINUTE,
            budget_fraction=Fraction(5, 100),
        ),
        AlertTier(
            name="ticket-fast",
            severity="ticket",
            long_window_s=DAY,
            short_window_s=2 * HOUR,
            budget_fraction=Fraction(10, 100),
        ),
        AlertTier(
            name="ticket-slow",
            severity="ticket",
            long_window_s=3 * DAY,
            short_window_s=6 * HOUR,
            budget_fraction=Fraction(10, 100),
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRule:
    """How raw request events become the ``(good, total)`` counts of the series ``series``.

    An event belongs to the series when its ``sli`` column equals ``sli``, or (when ``service``
    is set) its ``service`` column equals ``service``. It is good when every given criterion
    holds: ``status`` compares the status code, ``latency_ms`` the latency in milliseconds.
    With neither given, an ``outcome`` column decides, else ``status < 500``.
    """

    series: str
    sli: str
    service: str | None = None
    status: Comparison | None = None
    latency_ms: Comparison | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Objective:
    """One objective of an SLO, resolved: what the engine evaluates.

    ``series`` is the store key of the ``(good, total)`` bucket series that feeds it; ratio SLIs
    share one series per SLI, a threshold SLI has one per threshold (``sli:lte300``).
    """

    slo: str
    name: str
    series: str
    target: Fraction
    window: Window
    method: BudgetingMethod = BudgetingMethod.OCCURRENCES
    time_slice_target: Fraction | None = None
    time_slice_window_s: int | None = None
    no_data: NoDataPolicy = NoDataPolicy.SKIP
    minimum_events: int = 0
    alert_tiers: tuple[AlertTier, ...] = field(default_factory=default_alert_tiers)
    service: str = ""
    sli: str = ""
    display_name: str = ""
    sloth_slo: str = ""
    """The ``sloth_slo`` label's SLO part when it is not ``slo`` (an SLO imported from Sloth and
    renamed keeps Sloth's name there: ``covenant.dev/sloth-slo``)."""
    sloth_service: str = ""  # the ``sloth_service`` label when it is not ``service``
    routing: AlertRouting | None = None  # labels and names its alerts carry for their routes

    def __post_init__(self) -> None:
        if not 0 < self.target < 1:
            raise InputError(
                f"{self.slo}: target {self.target} is outside (0, 1)",
                hint="write a ratio such as 0.999 (targetPercent takes 99.9); "
                "100 % leaves no error budget",
            )
        if self.method is BudgetingMethod.TIMESLICES and self.time_slice_target is None:
            raise InputError(f"{self.slo}: Timeslices needs a time slice target")
        if self.method is not BudgetingMethod.OCCURRENCES and not self.time_slice_window_s:
            raise InputError(f"{self.slo}: {self.method} needs a time slice window")
        if self.minimum_events < 0:
            raise InputError(f"{self.slo}: minimum events must be >= 0")

    @property
    def key(self) -> str:
        return f"{self.slo}/{self.name}" if self.name else self.slo
