"""A customer's statement for one reporting period: what was promised, measured and owed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from covenant.core.agreements import Money
from covenant.core.availability import AvailabilityResult
from covenant.core.support import SupportResult


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    customer: str
    customer_name: str
    period_label: str
    period_start: datetime
    period_end: datetime
    zone: str
    generated_at: datetime
    agreements: tuple[tuple[str, int], ...]  # (agreement, version) in force during the period
    availability: tuple[AvailabilityResult, ...]
    support: tuple[SupportResult, ...]
    credits: tuple[Money, ...]  # total per currency
    penalties: tuple[Money, ...]

    @property
    def complete(self) -> bool:
        """Final: the period is over, the stored records cover all of it, and no support timer
        of its tickets is still running."""
        return (
            all(a.complete and not a.uncovered for a in self.availability)
            and self.generated_at >= self.period_end
            and not self.running_timers
        )

    @property
    def running_timers(self) -> int:
        """Support timers of the period's tickets still running at ``generated_at``: a period
        that is over stays provisional until they stop."""
        return sum(t.stopped is None for s in self.support for t in s.timers)

    @property
    def partial(self) -> bool:
        """Some commitment's eligible time is not covered by the stored records."""
        return any(a.uncovered for a in self.availability)


def totals(amounts: Sequence[Money]) -> tuple[Money, ...]:
    """Sum money per currency (never across currencies)."""
    by_currency: dict[str, Decimal] = {}
    for m in amounts:
        by_currency[m.currency] = by_currency.get(m.currency, Decimal("0.00")) + m.amount
    return tuple(Money(amount=v, currency=k) for k, v in sorted(by_currency.items()))
