"""The credit owed for a measured level: the first matching tier of the commitment, then its
cap, then the minimum payable credit; money in ``Decimal`` rounded half up to the currency's
minor unit (ISO 4217), the fee pro rata the part of the period the version was in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    CreditTier,
    Money,
    period_fee,
    quantum,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditResult:
    tier: CreditTier | None
    percent: Decimal
    fee: Money
    uncapped: Money
    amount: Money
    notes: tuple[str, ...] = ()


def credit_for(
    version: AgreementVersion,
    commitment: AvailabilityCommitment,
    level: Fraction,
    *,
    share: Fraction = Fraction(1),
) -> CreditResult:
    """The credit owed for ``level``: first matching tier, then cap, then minimum payable.

    ``share`` is the part of the period the version was in force: its fee is pro rata.
    """
    remedies = commitment.remedies
    unit = quantum(version.currency)
    fee = period_fee(version, commitment.services, share)
    tier = next((t for t in remedies.tiers if t.contains(level)), None)
    percent = tier.credit if tier else Decimal(0)
    uncapped = (fee * percent / 100).quantize(unit, rounding=ROUND_HALF_UP)
    amount = uncapped
    notes = []
    caps = []
    if remedies.cap_percent is not None:
        caps.append((fee * remedies.cap_percent / 100).quantize(unit, rounding=ROUND_HALF_UP))
    if remedies.cap_amount is not None:
        caps.append(remedies.cap_amount)
    if caps and amount > min(caps):
        amount = min(caps)
        notes.append(f"capped at {amount} {version.currency}")
    minimum = remedies.minimum_credit
    if (
        minimum is not None
        and Decimal(0) < amount
        and (amount < minimum or (amount == minimum and not remedies.minimum_inclusive))
    ):
        rule = "below the minimum payable credit of" if amount < minimum else "not more than"
        notes.append(f"{amount} {version.currency} is {rule} {minimum} {version.currency}")
        amount = Decimal(0).quantize(unit)
    currency = version.currency
    return CreditResult(
        tier=tier,
        percent=percent,
        fee=Money(amount=fee.quantize(unit, rounding=ROUND_HALF_UP), currency=currency),
        uncapped=Money(amount=uncapped, currency=currency),
        amount=Money(amount=amount, currency=currency),
        notes=tuple(notes),
    )
