"""A customer's statement for one reporting period: what was promised, measured and owed."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from covenant.core.availability import AvailabilityResult
from covenant.core.elapsed import after_now_note
from covenant.core.money import Money
from covenant.core.parties import Addressee, Issuer
from covenant.core.support import SupportResult


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitmentText:
    """A commitment as its contract words it: display name, wording, the support penalty's
    terms and the display name of the support hours' calendar."""

    agreement: str
    version: int
    name: str
    display_name: str = ""
    terms: str = ""
    penalty_percent: Decimal | None = None
    penalty_amount: Decimal | None = None
    calendar: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Presentation:
    """What a statement says besides the figures: its number, who issued it to whom, its
    locale, and the names the contracts use (agreement → display name; "agreement/commitment"
    → display name and wording)."""

    number: str = ""
    locale: str = "en_GB"
    issuer: Issuer | None = None
    customer: Addressee | None = None
    agreement_names: tuple[tuple[str, str], ...] = ()
    commitments: tuple[CommitmentText, ...] = ()

    def agreement_name(self, agreement: str) -> str:
        return dict(self.agreement_names).get(agreement) or agreement

    def commitment(self, agreement: str, version: int, name: str) -> CommitmentText:
        for text in self.commitments:
            if (text.agreement, text.version, text.name) == (agreement, version, name):
                return text
        return CommitmentText(agreement=agreement, version=version, name=name)


def statement_number(customer: str, period: str, versions: Sequence[tuple[str, int]]) -> str:
    """``{period}-{8 hex digits}``: the period, then the first 8 hex digits (upper case) of the
    sha256 of ``customer|period|agreement@vN|…`` (versions sorted). The same for the same
    customer, agreement versions and period, whenever and wherever it is rendered; another
    period or version gives another number."""
    key = "|".join([customer, period, *(f"{a}@v{v}" for a, v in sorted(versions))])
    return f"{period}-{hashlib.sha256(key.encode()).hexdigest()[:8].upper()}"


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueMark:
    """What an issued statement's document says of its issue: when, which revision, and the
    SHA-256 of its canonical JSON (``services.issued_statements``)."""

    issued_at: datetime
    revision: int
    digest: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NotIncluded:
    """An agreement of the customer in force during the period asked for that reports per
    another period form (a quarterly one in a month's statement, a monthly one in a quarter's):
    its figures are not in this statement but in the statements of ``periods``."""

    agreement: str
    display_name: str
    reports_per: str  # "month" or "quarter"
    periods: tuple[str, ...]  # "2026-Q4", or "2026-10", "2026-11", …


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
    presentation: Presentation = field(default_factory=Presentation)
    not_included: tuple[NotIncluded, ...] = ()
    measured_until: datetime | None = None
    """Where the figures are measured up to: ``generated_at``, or now when ``generated_at`` is
    after now (the rest of the period has not happened yet). None: ``generated_at``."""

    @property
    def until(self) -> datetime:
        """Where the figures are measured up to (``measured_until`` or ``generated_at``)."""
        return self.generated_at if self.measured_until is None else self.measured_until

    @property
    def not_yet_note(self) -> str | None:
        """What a statement at an instant after now says (None for one at or before now)."""
        return after_now_note(
            self.generated_at, self.until, "the statement is provisional, measured"
        )

    @property
    def owed(self) -> tuple[Money, ...]:
        """Credits and penalties together: the one total owed per currency."""
        return totals([*self.credits, *self.penalties])

    @property
    def complete(self) -> bool:
        """Final: the period is over, the stored records cover all of it, and no support timer
        of its tickets is still running."""
        return (
            all(a.complete and not a.uncovered for a in self.availability)
            and self.until >= self.period_end
            and not self.running_timers
        )

    @property
    def running_timers(self) -> int:
        """Support timers of the period's tickets still running at ``until``: a period
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
