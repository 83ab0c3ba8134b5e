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
    period_fee,
)
from covenant.core.money import Money, quantum


@dataclass(frozen=True, slots=True)
class ProRata:
    """A fee pro rata: the whole period's fee ``full`` × ``share`` (the part of the period the
    version was in force) is ``fee``, exact as credits and penalties are taken of it; a
    statement shows all three, so a reader can redo the line (docs/sla.md "Credits")."""

    full: Decimal
    share: Fraction
    fee: Decimal


def pro_rata(
    version: AgreementVersion, services: tuple[str, ...], share: Fraction
) -> ProRata | None:
    """The pro rata of :func:`period_fee` for ``share`` of the period; None for all of it."""
    if share == 1:
        return None
    return ProRata(
        full=period_fee(version, services), share=share, fee=period_fee(version, services, share)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditLimit:
    """One limit that changed a credit, with its figures (a statement words it in its own
    language): ``kind`` is ``cap`` (the commitment's cap: ``percent`` of the fee when that was
    the lower bound), ``minimum`` (below the minimum payable credit), ``minimum-exclusive`` (not
    more than a minimum that must be exceeded) or ``agreement-cap`` (the version's cap on all
    its credits of the period); ``before`` → ``after`` in the currency, ``bound`` the limit.
    ``exact``: a pro-rated bound before it was rounded (the commitment's or the agreement's cap
    that is a percent of a pro-rated fee, :func:`pro_rated_bound`), for a statement to show as
    it shows that fee."""

    kind: str
    before: Decimal
    bound: Decimal
    after: Decimal
    percent: Decimal | None = None
    exact: Decimal | None = None


def pro_rated_bound(fee: Decimal, percent: Decimal | None, share: Fraction) -> Decimal | None:
    """``percent`` of the exact ``fee`` before it is rounded, when that fee is pro rata
    (``share`` < 1): the cap a statement shows, so a reader can redo it from the exact fee it
    shows; None for a whole period's fee (its cap is shown as applied) or no percent."""
    if share == 1 or percent is None:
        return None
    return fee * percent / 100


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditResult:
    tier: CreditTier | None
    percent: Decimal
    fee: Money
    uncapped: Money
    amount: Money
    notes: tuple[str, ...] = ()
    limits: tuple[CreditLimit, ...] = ()  # the notes' figures, in the same order
    pro_rata: ProRata | None = None  # the exact fee and how, when the fee is pro rata


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
    limits = []
    caps: list[tuple[Decimal, Decimal | None]] = []  # (amount, percent of the fee)
    if remedies.cap_percent is not None:
        by_percent = (fee * remedies.cap_percent / 100).quantize(unit, rounding=ROUND_HALF_UP)
        caps.append((by_percent, remedies.cap_percent))
    if remedies.cap_amount is not None:
        caps.append((remedies.cap_amount, None))
    if caps and amount > min(c for c, _ in caps):
        cap, cap_percent = min(caps, key=lambda c: (c[0], c[1] is not None))
        limits.append(
            CreditLimit(
                kind="cap",
                before=amount,
                bound=cap,
                after=cap,
                percent=cap_percent,
                exact=pro_rated_bound(fee, cap_percent, share),
            )
        )
        amount = cap
        notes.append(f"capped at {amount} {version.currency}")
    minimum = remedies.minimum_credit
    if (
        minimum is not None
        and Decimal(0) < amount
        and (amount < minimum or (amount == minimum and not remedies.minimum_inclusive))
    ):
        below = amount < minimum
        rule = "below the minimum payable credit of" if below else "not more than"
        notes.append(f"{amount} {version.currency} is {rule} {minimum} {version.currency}")
        limits.append(
            CreditLimit(
                kind="minimum" if below else "minimum-exclusive",
                before=amount,
                bound=minimum,
                after=Decimal(0).quantize(unit),
            )
        )
        amount = Decimal(0).quantize(unit)
    currency = version.currency
    return CreditResult(
        tier=tier,
        percent=percent,
        fee=Money(amount=fee.quantize(unit, rounding=ROUND_HALF_UP), currency=currency),
        uncapped=Money(amount=uncapped, currency=currency),
        amount=Money(amount=amount, currency=currency),
        notes=tuple(notes),
        limits=tuple(limits),
        pro_rata=pro_rata(version, commitment.services, share),
    )
