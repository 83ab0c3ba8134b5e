"""Agreement backtest: proposed terms replayed against history, beside the terms in force.

Every availability commitment of an agreement version is evaluated for every reporting period
of a range *as if the version had been in force*: its ``effective_from``/``effective_to`` are
ignored and eligible time is the part of each period the stored history covers. A period the
history does not reach is *no data*, never 100 %.

The other backtests live beside this one and are re-exported here for convenience:
:mod:`covenant.core.replay` (alert replay) and :mod:`covenant.core.suggest` (target
suggestions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from covenant.core.agreements import AgreementVersion, Incident, MaintenanceWindow, PeriodUnit
from covenant.core.availability import AvailabilityResult, availability, period_containing
from covenant.core.lint_findings import Finding
from covenant.core.money import Money
from covenant.core.replay import (
    AlertEpisode,
    AlertReplay,
    TierReplay,
    WindowCounts,
    replay_alerts,
    replay_instants,
    tier_firing,
    window_counts,
)
from covenant.core.series import BucketMatrix
from covenant.core.statement import totals
from covenant.core.suggest import (
    BackingCheck,
    BackingSuggestion,
    Span,
    TargetSuggestion,
    WindowLevel,
    backing_check,
    floor_to,
    nice_target_at_most,
    nice_targets,
    required_backing_target,
    suggest_target,
    suggestion_windows,
    window_levels,
)
from covenant.core.timeutil import require_utc
from covenant.errors import InputError


def period_label(version: AgreementVersion, start: datetime) -> str:
    """``2026-10`` for a month, ``2026-Q4`` for a quarter, in the version's zone.

    The one label of a reporting period: ``covenant.services.sla`` should use this one rather
    than its own copy (core cannot import services).
    """
    local = start.astimezone(ZoneInfo(version.zone))
    if version.period is PeriodUnit.QUARTER:
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    return f"{local.year}-{local.month:02d}"


def periods_between(version: AgreementVersion, first: datetime, last: datetime) -> list[Span]:
    """The version's reporting periods from the one holding ``first`` to the one holding
    ``last`` (both included)."""
    first, last = require_utc(first), require_utc(last)
    if last < first:
        raise InputError("the backtest range ends before it starts", hint="swap --from and --to")
    out = [period_containing(version, first)]
    while out[-1][1] <= last:
        out.append(period_containing(version, out[-1][1]))
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitmentPeriod:
    """One commitment in one period: the availability result, or why there is none."""

    label: str
    period_start: datetime
    period_end: datetime
    commitment: str
    committed: Fraction
    result: AvailabilityResult | None
    no_data: str | None

    @property
    def level(self) -> Fraction | None:
        return None if self.result is None else self.result.level

    @property
    def credit(self) -> Money | None:
        if self.result is None or self.result.credit is None:
            return None
        return self.result.credit.amount

    @property
    def partial(self) -> bool:
        """True when the history (or ``at``) covers only part of the period."""
        r = self.result
        return r is not None and (
            r.eligible_start > self.period_start or r.eligible_end < self.period_end
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionBacktest:
    """One agreement version evaluated for every period, as if it had been in force."""

    agreement: str
    version: int
    customer: str
    status: str
    currency: str
    rows: tuple[CommitmentPeriod, ...]

    @property
    def key(self) -> str:
        return f"{self.agreement}@v{self.version}"

    def credits(self, label: str | None = None) -> tuple[Money, ...]:
        """Credits that would have been paid (per currency), in one period or in all."""
        return totals(
            [
                c
                for r in self.rows
                if (label is None or r.label == label) and (c := r.credit) is not None
            ]
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementBacktest:
    """Proposed terms side by side with the terms in force, over the same periods."""

    proposed: VersionBacktest
    current: tuple[VersionBacktest, ...]
    labels: tuple[str, ...]
    at: datetime
    findings: tuple[Finding, ...] = ()  # covenant lint on the proposed terms (backing SLOs)

    def current_credits(self, label: str | None = None) -> tuple[Money, ...]:
        return totals([m for v in self.current for m in v.credits(label)])

    def difference(self, label: str | None = None) -> tuple[Money, ...]:
        """Proposed minus current credits, per currency (positive: the proposal costs more)."""
        return money_difference(self.proposed.credits(label), self.current_credits(label))


def money_difference(a: Sequence[Money], b: Sequence[Money]) -> tuple[Money, ...]:
    """``a − b`` per currency; a currency in only one side counts as zero in the other."""
    out: dict[str, Decimal] = {}
    for m in a:
        out[m.currency] = out.get(m.currency, Decimal("0.00")) + m.amount
    for m in b:
        out[m.currency] = out.get(m.currency, Decimal("0.00")) - m.amount
    return tuple(Money(amount=v, currency=k) for k, v in sorted(out.items()))


def backtest_version(
    version: AgreementVersion,
    *,
    periods: Sequence[Span],
    at: datetime,
    history: Mapping[str, Span | None],
    incidents: Sequence[Incident] = (),
    maintenance: Sequence[MaintenanceWindow] = (),
    data: BucketMatrix | None = None,
) -> VersionBacktest:
    """Evaluate every availability commitment of ``version`` for each of ``periods``.

    ``history`` maps a commitment name to the span the stored history covers for it (None:
    none). Eligible time in a period is the part inside that span and before ``at``; the
    version's own effective dates are ignored (the point is to ask "what if it had been in
    force"). ``data`` must cover the periods for interval-measured commitments.
    """
    at = require_utc(at)
    rows: list[CommitmentPeriod] = []
    for start, end in periods:
        label = period_label(version, start)
        for c in version.availability:
            span = history.get(c.name)
            reason: str | None = None
            result = None
            if start >= at:
                reason = "the period has not started"
            elif span is None:
                reason = "no stored history for this commitment"
            elif span[1] <= start or span[0] >= min(end, at):
                reason = "no stored history in this period"
            else:
                shadow = replace(version, effective_from=max(start, span[0]), effective_to=None)
                result = availability(
                    shadow,
                    c,
                    period_start=start,
                    at=min(at, span[1]),
                    incidents=incidents,
                    maintenance=maintenance,
                    data=data,
                )
                reason = result.no_data
            rows.append(
                CommitmentPeriod(
                    label=label,
                    period_start=start,
                    period_end=end,
                    commitment=c.name,
                    committed=c.level,
                    result=result,
                    no_data=reason,
                )
            )
    return VersionBacktest(
        agreement=version.agreement,
        version=version.version,
        customer=version.customer,
        status=version.status.value,
        currency=version.currency,
        rows=tuple(rows),
    )


__all__ = [
    "AgreementBacktest",
    "AlertEpisode",
    "AlertReplay",
    "BackingCheck",
    "BackingSuggestion",
    "CommitmentPeriod",
    "Span",
    "TargetSuggestion",
    "TierReplay",
    "VersionBacktest",
    "WindowCounts",
    "WindowLevel",
    "backing_check",
    "backtest_version",
    "floor_to",
    "money_difference",
    "nice_target_at_most",
    "nice_targets",
    "period_label",
    "periods_between",
    "replay_alerts",
    "replay_instants",
    "required_backing_target",
    "suggest_target",
    "suggestion_windows",
    "tier_firing",
    "window_counts",
    "window_levels",
]
