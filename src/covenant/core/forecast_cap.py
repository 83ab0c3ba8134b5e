"""An agreement-wide credit cap applied to the forecasts of one version's commitments, exactly
as ``report sla`` applies it to their credits (``core.availability.cap_across``): the cap is
the lower of ``cap_percent`` of the version's whole period fee (pro rata the part of the
period it is in force) and ``cap_amount`` (``agreement_cap``); credits are kept in the order
the commitments are written until the cap is reached, the rest cut (``kept_in_order``, the
statement's rule).

- Owed now: each commitment's credit so far, in order, cut to what the cap leaves (with a
  note, as the statement's).
- Worst case: the scenario where every commitment reaches its worst case, paid in order until
  the cap is reached (each commitment's share of it).
- Expected credit: E[the commitment's credit after the cap], from its tier chances and those
  of the commitments written before it, taken as independent of each other (the model has no
  joint distribution). Exact in ``Decimal`` (each probability converted exactly) and rounded
  to the currency's minor unit once, at the end, half up, as ``expected_credit`` (200 digits:
  exact for up to three commitments of a version, within 10^-150 beyond). For a single
  commitment this is E[min(credit, cap)], no assumption needed; for several, the expected
  credits add up to at most the cap whatever the dependence.
- Tier rows and crossing alerts: a tier's credit is shown at most what the cap leaves after
  the credits owed now of the commitments written before it (they are paid at least those),
  so no row promises more than a statement could pay.

- A commitment without a forecast (mean-error-rate; too early in the period) takes the part of
  the cap its credit owed now uses (cut to what is left), in its place in the order; the
  commitments after it see that credit as certain (exposure cannot say whether it grows). One
  without a credit owed now (no data) takes no part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from covenant.core.agreements import AgreementVersion
from covenant.core.availability import agreement_cap, kept_in_order
from covenant.core.forecast import CommitmentExposure
from covenant.core.money import Money, quantum
from covenant.core.timeutil import to_epoch


def in_force_share(
    period: tuple[datetime, datetime], in_force: tuple[datetime, datetime]
) -> Fraction:
    """The part of ``period`` the version is in force (its fee and cap are pro rata)."""
    start, end = period
    lo, hi = max(start, in_force[0]), min(end, in_force[1])
    return Fraction(max(0, to_epoch(hi) - to_epoch(lo)), to_epoch(end) - to_epoch(start))


def cap_exposures(
    version: AgreementVersion,
    exposures: Sequence[CommitmentExposure],
    *,
    share: Fraction = Fraction(1),
) -> list[CommitmentExposure]:
    """``exposures`` (one version's commitments, in the order they are written) with the
    version's cap across the agreement applied; unchanged when the version has none."""
    cap = agreement_cap(version, share=share)
    if cap is None:
        return list(exposures)
    unit = quantum(version.currency)
    currency = version.currency

    def money(amount: Decimal) -> Money:
        return Money(amount=amount.quantize(unit), currency=currency)

    def cut_note(what: str, before: Decimal, after: Decimal) -> tuple[str, ...]:
        if after >= before:
            return ()
        return (
            f"the agreement caps all credits of the period at {cap} {currency}: {what} "
            f"{before} {currency} becomes {after.quantize(unit)}",
        )

    # owed now and worst case: each a scenario paid in order, cut as a statement cuts credits
    priced = [e for e in exposures if e.owed_now is not None]
    owed_kept = kept_in_order(cap, [e.owed_now.amount for e in priced if e.owed_now])
    worst_kept = iter(
        kept_in_order(
            cap,
            [
                owed
                if e.no_forecast is not None  # only its credit so far: that part of the cap
                else (Decimal(0) if e.worst_case_credit is None else e.worst_case_credit.amount)
                for e, owed in zip(priced, owed_kept, strict=True)
            ],
        )
    )
    kept = iter(owed_kept)
    room = cap  # what the credits locked in before a commitment leave it in any case
    paid: dict[Decimal, Decimal] = {Decimal(0): Decimal(1)}  # credits so far → probability
    out = []
    for e in exposures:
        if e.owed_now is None:
            out.append(e)
            continue
        owed, worst_cut = next(kept), next(worst_kept)
        notes = list(cut_note("the credit owed so far", e.owed_now.amount, owed))
        if e.no_forecast is not None:  # the commitments after it see this credit as certain
            shifted: dict[Decimal, Decimal] = {}
            for before, p_before in paid.items():
                key = before + min(owed, cap - before)
                shifted[key] = shifted.get(key, Decimal(0)) + p_before
            paid = shifted
            out.append(replace(e, owed_now=money(owed), notes=(*e.notes, *notes)))
            room -= owed
            continue
        worst = e.worst_case_credit
        if worst is not None:
            notes.extend(cut_note("the worst case", worst.amount, worst_cut))
            worst = money(worst_cut)
        with localcontext() as ctx:
            ctx.prec = 200  # every product and sum exact, as in expected_credit
            mean = Decimal(0)
            after: dict[Decimal, Decimal] = {}
            for before, p_before in paid.items():
                for chance in e.tiers:
                    pay = min(chance.credit.amount, cap - before)
                    p = p_before * Decimal(chance.probability)
                    mean += p * pay
                    after[before + pay] = after.get(before + pay, Decimal(0)) + p
            paid = after
            expected = mean.quantize(unit, rounding=ROUND_HALF_UP)
        if e.expected_credit is not None:
            notes.extend(cut_note("the expected credit", e.expected_credit.amount, expected))
        out.append(
            replace(
                e,
                owed_now=money(owed),
                expected_credit=money(expected),
                worst_case_credit=worst,
                tiers=tuple(replace(t, credit=money(min(t.credit.amount, room))) for t in e.tiers),
                crossings=tuple(
                    replace(c, credit=money(min(c.credit.amount, room))) for c in e.crossings
                ),
                notes=(*e.notes, *notes),
            )
        )
        room -= owed
    return out
