"""Amounts of money: ``Decimal`` with an ISO 4217 currency, rounded to its minor unit.

Split out of ``core.agreements`` (an agreement's fees, caps, minimums and penalties are
``Money``); it does not re-export them: import them from here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from covenant.errors import InputError

_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_ZERO_DECIMALS.split(" "), 0),
    **dict.fromkeys(_THREE_DECIMALS.split(" "), 3),
    "CLF": 4,
    "UYW": 4,
}
"""ISO 4217 minor units (decimals) of the currencies that do not have 2; every other code has 2."""

MAX_AMOUNT = Decimal(10) ** 12
"""The largest amount an agreement may state (a fee, cap, minimum or penalty): below 10^12,
so every credit computed from it is exact in ``Decimal``'s default 28 digits."""


def minor_units(currency: str) -> int:
    """How many decimals an amount in ``currency`` has (ISO 4217; 2 unless listed)."""
    return MINOR_UNITS.get(currency, 2)


def quantum(currency: str) -> Decimal:
    """The smallest amount of ``currency``: 0.01 EUR, 1 JPY, 0.001 BHD (ISO 4217). Every
    credit, cap and penalty is rounded half up to it."""
    return Decimal(1).scaleb(-minor_units(currency))


@dataclass(frozen=True, slots=True, kw_only=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise InputError("money must be a Decimal", hint="write amounts as text: '1200.00'")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise InputError(
                f"currency {self.currency!r} is not an ISO 4217 code",
                hint="use a three-letter code such as EUR or USD",
            )
