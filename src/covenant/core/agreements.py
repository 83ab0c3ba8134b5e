"""The agreement (SLA) model: versions, commitments and remedies, resolved and exact.

Built by the definitions layer from ``covenant/v1`` ``Agreement`` documents. Levels and
thresholds are ``Fraction`` ratios (99.9 % is 999/1000), money is ``Decimal`` with a
currency, durations are integer seconds, instants are aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from covenant.core.timeutil import require_utc
from covenant.errors import InputError


class VersionStatus(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    SIGNED = "signed"
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    TERMINATED = "terminated"


TRANSITIONS: dict[VersionStatus, frozenset[VersionStatus]] = {
    VersionStatus.DRAFT: frozenset({VersionStatus.PROPOSED, VersionStatus.TERMINATED}),
    VersionStatus.PROPOSED: frozenset(
        {VersionStatus.DRAFT, VersionStatus.SIGNED, VersionStatus.TERMINATED}
    ),
    VersionStatus.SIGNED: frozenset({VersionStatus.ACTIVE, VersionStatus.TERMINATED}),
    VersionStatus.ACTIVE: frozenset(
        {VersionStatus.SUPERSEDED, VersionStatus.EXPIRED, VersionStatus.TERMINATED}
    ),
    VersionStatus.SUPERSEDED: frozenset(),
    VersionStatus.EXPIRED: frozenset(),
    VersionStatus.TERMINATED: frozenset(),
}
"""Allowed moves: draft → proposed → signed → active → superseded | expired | terminated."""

BINDING = frozenset(
    {
        VersionStatus.SIGNED,
        VersionStatus.ACTIVE,
        VersionStatus.SUPERSEDED,
        VersionStatus.EXPIRED,
        VersionStatus.TERMINATED,
    }
)
"""Statuses of a signed version: its terms are immutable; a change needs an amendment."""


def can_move(current: VersionStatus, target: VersionStatus) -> bool:
    return target in TRANSITIONS[current]


def is_binding(version: AgreementVersion) -> bool:
    """Signed terms: a binding status, and signatures (a terminated draft was never signed)."""
    if version.status is VersionStatus.TERMINATED:
        return bool(version.signatories)
    return version.status in BINDING


def version_spans(
    versions: Sequence[AgreementVersion],
    *,
    start: datetime,
    end: datetime,
    terminated: Mapping[tuple[str, int], datetime] | None = None,
) -> list[tuple[AgreementVersion, datetime, datetime]]:
    """The part of ``[start, end)`` each binding version of each agreement was in force.

    The version in force at an instant is the highest-numbered binding version that has
    started; it ends at its ``effective_to``, at its recorded termination (``terminated``,
    keyed by (agreement, version)), or where a later version starts — whichever is first. The
    spans of one agreement never overlap, so nothing is counted twice.
    """
    ended = terminated or {}
    out = []
    for v in versions:
        if not is_binding(v):
            continue
        lo = max(start, v.effective_from)
        hi = end
        if v.effective_to is not None:
            hi = min(hi, v.effective_to)
        if (v.agreement, v.version) in ended:
            hi = min(hi, ended[v.agreement, v.version])
        for w in versions:
            if w.agreement == v.agreement and w.version > v.version and is_binding(w):
                hi = min(hi, max(w.effective_from, v.effective_from))
        if lo < hi:
            out.append((v, lo, hi))
    return sorted(out, key=lambda item: (item[0].agreement, item[1]))


def in_force_at(
    versions: Sequence[AgreementVersion],
    at: datetime,
    *,
    terminated: Mapping[tuple[str, int], datetime] | None = None,
) -> list[AgreementVersion]:
    """The version of each agreement in force at the instant ``at`` (:func:`version_spans`
    over the second that starts at it), by agreement name."""
    spans = version_spans(versions, start=at, end=at + timedelta(seconds=1), terminated=terminated)
    return [v for v, _, _ in spans]


class PeriodUnit(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditTier:
    """A credit that applies when the measured level lies inside the tier's bounds.

    Bounds are written exactly as the contract does: ``below`` with ``below_inclusive``
    (``< 99.99`` or ``≤ 99.99``), ``at_least`` with ``at_least_inclusive`` (``≥ 99.0`` or
    ``> 99.0``). ``credit`` is a percentage of the period's fee for the covered services.
    """

    credit: Decimal
    below: Fraction | None = None
    below_inclusive: bool = False
    at_least: Fraction | None = None
    at_least_inclusive: bool = True

    def __post_init__(self) -> None:
        if self.below is None and self.at_least is None:
            raise InputError("a credit tier needs at least one bound")
        if not Decimal(0) <= self.credit <= Decimal(100):
            raise InputError(f"credit {self.credit} % is outside 0–100 %")

    def contains(self, level: Fraction) -> bool:
        if self.below is not None and (
            level > self.below or (level == self.below and not self.below_inclusive)
        ):
            return False
        return self.at_least is None or not (
            level < self.at_least or (level == self.at_least and not self.at_least_inclusive)
        )

    def pays_when_met(self, level: Fraction) -> bool:
        """True when the tier contains some level in ``[level, 1]``: it would pay a credit
        while the committed ``level`` is met (exact, on the bounds as written)."""
        high, high_inclusive = Fraction(1), True
        if self.below is not None:
            high, high_inclusive = self.below, self.below_inclusive
        low, low_inclusive = level, True
        if self.at_least is not None and self.at_least >= level:
            low = self.at_least
            low_inclusive = self.at_least_inclusive
        return low < high or (low == high and low_inclusive and high_inclusive)

    def __str__(self) -> str:
        parts = []
        if self.below is not None:
            parts.append(f"{'≤' if self.below_inclusive else '<'} {_pct(self.below)}")
        if self.at_least is not None:
            parts.append(f"{'≥' if self.at_least_inclusive else '>'} {_pct(self.at_least)}")
        return " and ".join(parts) + f" → {self.credit} %"


def _pct(value: Fraction) -> str:
    text = f"{Decimal(value.numerator) / Decimal(value.denominator) * 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + " %"


class DowntimeSource(StrEnum):
    """How downtime is measured for an availability commitment."""

    INCIDENTS = "incidents"  # union of incident intervals on the covered services
    BAD_INTERVALS = "bad-intervals"  # an interval is down when its error ratio meets a threshold
    MEAN_ERROR_RATE = "mean-error-rate"  # level = 1 − mean of per-interval error ratios


@dataclass(frozen=True, slots=True, kw_only=True)
class Measurement:
    """``series`` is the bucket series (a backing SLO's SLI) for the interval-based sources.

    ``interval_s`` is the interval (e.g. 60 s or 300 s). For BAD_INTERVALS an interval is
    down when ``bad / total`` ≥ ``threshold`` (``>`` when ``threshold_inclusive`` is False);
    an interval without requests is never down and, for MEAN_ERROR_RATE, counts as 0 % errors.
    For INCIDENTS, ``severities`` (if given) limits which incidents count.

    ``minimum_run_s`` (BAD_INTERVALS, whole intervals): only maximal runs of consecutive down
    intervals this long or longer count, each whole, judged across the period's bounds
    (``core.downtime``; Google Cloud's "five or more consecutive minutes of Downtime").
    """

    source: DowntimeSource
    series: str | None = None
    interval_s: int = 60
    threshold: Fraction | None = None
    threshold_inclusive: bool = True
    severities: frozenset[str] = frozenset()
    records_from: datetime | None = None  # INCIDENTS: the incident records are complete since
    components: tuple[str, ...] = ()  # INCIDENTS: down only while ≥ components_down of these are
    components_down: int = 0
    minimum_run_s: int | None = None  # BAD_INTERVALS: shorter runs of down intervals don't count

    def __post_init__(self) -> None:
        if self.source is not DowntimeSource.INCIDENTS and not self.series:
            raise InputError(f"{self.source} downtime needs a series (a backing SLO's SLI)")
        if self.source is DowntimeSource.BAD_INTERVALS and self.threshold is None:
            raise InputError("bad-interval downtime needs an error-ratio threshold")
        if self.interval_s <= 0:
            raise InputError("the measurement interval must be positive")
        if self.minimum_run_s is not None:
            if self.source is not DowntimeSource.BAD_INTERVALS:
                raise InputError(
                    f"a minimum run of down intervals has no meaning with {self.source} downtime",
                    hint="write minimumRun only with source: bad-intervals",
                )
            if self.minimum_run_s <= 0 or self.minimum_run_s % self.interval_s:
                raise InputError(
                    f"minimum run {self.minimum_run_s}s is not a positive whole multiple of the "
                    f"{self.interval_s}s interval",
                    hint="write minimumRun as a whole number of intervals (interval: 1m with "
                    "minimumRun: 5m)",
                )
        if self.components and not (
            self.source is DowntimeSource.INCIDENTS
            and len(self.components) >= 2
            and 1 <= self.components_down <= len(self.components)
        ):
            raise InputError(
                "k-of-n downtime needs incidents, at least 2 components and 1 ≤ k ≤ n",
                hint="components: [az-a, az-b, az-c] with atLeastDown: 2",
            )


class EligibleTime(StrEnum):
    PERIOD = "period"  # every minute of the period the version is in force
    PERIOD_LESS_EXCLUSIONS = "period-less-exclusions"  # excluded time leaves the denominator too


@dataclass(frozen=True, slots=True, kw_only=True)
class Exclusions:
    """What does not count as downtime.

    Maintenance windows count as excluded only when announced at least ``maintenance_notice_s``
    before they start (None: maintenance is never excluded); incidents flagged customer-caused
    or force majeure are excluded when the flags say so.
    """

    maintenance_notice_s: int | None = None
    customer_caused: bool = True
    force_majeure: bool = True


class ClaimRule(StrEnum):
    PERIODS_AFTER = "periods-after"  # end of the N-th billing period after the incident's period
    DAYS_AFTER_PERIOD = "days-after-period"  # N days after the end of the incident's period


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimDeadline:
    rule: ClaimRule
    count: int

    def __post_init__(self) -> None:
        if self.count < 0:
            raise InputError("a claim deadline count must be >= 0")


@dataclass(frozen=True, slots=True, kw_only=True)
class Remedies:
    """Credit tiers (first matching tier wins; write them from mildest to harshest or make
    them disjoint), fixed penalties, a cap and a minimum payable credit per period."""

    tiers: tuple[CreditTier, ...] = ()
    cap_percent: Decimal | None = None  # of the period's fee
    cap_amount: Decimal | None = None
    minimum_credit: Decimal | None = None  # credits below this amount are not paid
    minimum_inclusive: bool = True  # True: paid when ≥ the minimum; False: only when >
    claim: ClaimDeadline | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AvailabilityCommitment:
    name: str
    services: tuple[str, ...]
    level: Fraction
    measurement: Measurement
    exclusions: Exclusions = field(default_factory=Exclusions)
    eligible: EligibleTime = EligibleTime.PERIOD
    remedies: Remedies = field(default_factory=Remedies)
    backing_slos: tuple[str, ...] = ()
    display_name: str = ""  # what the contract calls it (statements show this, not ``name``)
    terms: str = ""  # the commitment in the contract's own words (statements quote it)

    def __post_init__(self) -> None:
        if not 0 < self.level < 1:
            raise InputError(
                f"{self.name}: level {self.level} is outside (0, 1)",
                hint="write a percentage such as 99.9",
            )
        for k, tier in enumerate(self.remedies.tiers):
            if tier.pays_when_met(self.level):
                raise InputError(
                    f"{self.name}: credit tier {k} ({tier}) pays while the committed level "
                    f"{_pct(self.level)} is met",
                    hint=f"bound the tier below the level (below: {_pct(self.level)[:-2]})",
                )


@dataclass(frozen=True, slots=True, kw_only=True)
class SupportTarget:
    """Targets for one priority, in seconds of business time (or calendar time). The priority
    is kept as the contract writes it (``"P1 "`` too): it is part of the signed terms and their
    content hash. It is compared with a ticket's stripped (``support.targets_by_priority``)."""

    priority: str
    first_response_s: int | None = None
    resolution_s: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SupportCommitment:
    """Per-priority targets measured on ``calendar`` (None: calendar time, 24×7).

    Time in a ``pause_states`` status does not count. ``attainment`` is the share of tickets
    created in the period that must meet their targets; below it, ``penalty_percent`` of the
    period's fee plus ``penalty_amount`` is owed (docs/sla.md "Support").
    """

    name: str
    calendar: str | None
    targets: tuple[SupportTarget, ...]
    pause_states: frozenset[str] = frozenset({"waiting-on-customer"})
    attainment: Fraction = Fraction(95, 100)
    penalty_percent: Decimal | None = None
    penalty_amount: Decimal | None = None
    backing_slos: tuple[str, ...] = ()
    display_name: str = ""  # what the contract calls it (statements show this, not ``name``)
    terms: str = ""  # the commitment in the contract's own words (statements quote it)


@dataclass(frozen=True, slots=True, kw_only=True)
class Party:
    name: str
    role: str = ""
    signed_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.signed_at is not None:
            require_utc(self.signed_at, what="signature time")


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementVersion:
    """One version of an agreement: what was in force from ``effective_from``."""

    agreement: str
    version: int
    customer: str
    status: VersionStatus
    effective_from: datetime
    effective_to: datetime | None
    currency: str
    fees: tuple[tuple[str, Decimal], ...]  # (service, monthly fee)
    period: PeriodUnit = PeriodUnit.MONTH
    zone: str = "UTC"
    availability: tuple[AvailabilityCommitment, ...] = ()
    support: tuple[SupportCommitment, ...] = ()
    signatories: tuple[Party, ...] = ()
    approvals: tuple[Party, ...] = ()
    reason: str = ""
    cap_percent: Decimal | None = None  # all credits of a period together: % of the period fee
    cap_amount: Decimal | None = None  # … and/or an amount

    def __post_init__(self) -> None:
        require_utc(self.effective_from, what="effective_from")
        if self.effective_to is not None:
            require_utc(self.effective_to, what="effective_to")
            if self.effective_to <= self.effective_from:
                raise InputError(
                    f"{self.agreement} v{self.version}: effective_to is not after effective_from"
                )
        if self.version < 1:
            raise InputError("versions are numbered from 1")

    @property
    def key(self) -> str:
        return f"{self.agreement}@v{self.version}"

    def fee(self, services: tuple[str, ...]) -> Decimal:
        """The monthly fee for ``services`` (all of the agreement's when empty)."""
        wanted = set(services)
        return sum(
            (amount for service, amount in self.fees if not wanted or service in wanted),
            Decimal(0),
        )

    def in_force(self, at: datetime) -> bool:
        at = require_utc(at)
        return self.effective_from <= at and (self.effective_to is None or at < self.effective_to)


@dataclass(frozen=True, slots=True, kw_only=True)
class MaintenanceWindow:
    """Planned maintenance on ``services`` announced at ``announced_at``. ``display_name`` is
    what a customer's statement calls it (``metadata.displayName``); without one a statement
    says "planned maintenance", never the internal ``name``."""

    name: str
    services: tuple[str, ...]
    start: datetime
    end: datetime
    announced_at: datetime
    customers: tuple[str, ...] = ()  # empty: every customer
    display_name: str = ""

    @property
    def label(self) -> str:
        """How the evidence names it for a customer: ``maintenance “Database upgrade”`` or
        ``planned maintenance``."""
        return f"maintenance “{self.display_name}”" if self.display_name else "planned maintenance"

    def __post_init__(self) -> None:
        for value, what in (
            (self.start, "start"),
            (self.end, "end"),
            (self.announced_at, "announced_at"),
        ):
            require_utc(value, what=f"maintenance {what}")
        if self.end <= self.start:
            raise InputError(f"maintenance {self.name}: end is not after start")


@dataclass(frozen=True, slots=True, kw_only=True)
class Incident:
    """An incident record: downtime evidence for incident-measured commitments and exclusions."""

    id: str
    services: tuple[str, ...]
    start: datetime
    end: datetime | None  # None: still open
    severity: str = ""
    customer_caused: bool = False
    force_majeure: bool = False
    planned_maintenance: bool = False
    customers: tuple[str, ...] = ()  # empty: every customer


def period_fee(
    version: AgreementVersion, services: tuple[str, ...], share: Fraction = Fraction(1)
) -> Decimal:
    """The fee for ``services`` over a period (monthly fee, ×3 for a quarter), pro rata
    ``share`` of the period when the version was in force for only part of it; exact."""
    months = 1 if version.period is PeriodUnit.MONTH else 3
    return version.fee(services) * months * share.numerator / share.denominator
