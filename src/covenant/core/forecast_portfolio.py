"""Exposure per customer and across the portfolio: the commitments' forecasts (``core.forecast``)
and the support penalties (``core.forecast_support``) grouped per customer, money summed per
currency, never across. Support money is summed apart from credits: a penalty is not a credit
(no cap applies to it, docs/sla.md), and a reader asks for each on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from covenant.core.forecast_support import SupportExposure
from covenant.core.money import Money
from covenant.core.statement import totals
from covenant.core.timeutil import require_utc

if TYPE_CHECKING:  # core.forecast imports this module (and re-exports its names)
    from covenant.core.forecast import CommitmentExposure


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerExposure:
    customer: str
    customer_name: str
    commitments: tuple[CommitmentExposure, ...]
    owed_now: tuple[Money, ...]  # per currency
    expected: tuple[Money, ...]
    worst_case: tuple[Money, ...]
    support: tuple[SupportExposure, ...] = ()
    support_incurred: tuple[Money, ...] = ()  # penalties if the period ended now, per currency
    support_worst_case: tuple[Money, ...] = ()  # every open ticket timer breached


@dataclass(frozen=True, slots=True, kw_only=True)
class Exposure:
    """Money at risk across the portfolio at ``at`` (sums per currency, never across)."""

    at: datetime
    customers: tuple[CustomerExposure, ...]
    owed_now: tuple[Money, ...]
    expected: tuple[Money, ...]
    worst_case: tuple[Money, ...]
    measured_until: datetime | None = None  # now, for an ``at`` after now (None: ``at``)
    support_incurred: tuple[Money, ...] = ()
    support_worst_case: tuple[Money, ...] = ()


def portfolio(
    *,
    at: datetime,
    commitments: Sequence[CommitmentExposure],
    names: Mapping[str, str],
    support: Sequence[SupportExposure] = (),
) -> Exposure:
    """Group per customer and sum money per currency (expected, worst case, owed now; and the
    support penalties owed now and in the worst case, apart)."""
    by_customer: dict[str, tuple[list[CommitmentExposure], list[SupportExposure]]] = {}
    for c in commitments:
        by_customer.setdefault(c.customer, ([], []))[0].append(c)
    for s in support:
        by_customer.setdefault(s.customer, ([], []))[1].append(s)
    customers = tuple(
        CustomerExposure(
            customer=name,
            customer_name=names.get(name, name),
            commitments=tuple(items),
            owed_now=totals([c.owed_now for c in items if c.owed_now is not None]),
            expected=totals([c.expected_credit for c in items if c.expected_credit is not None]),
            worst_case=totals(
                [c.worst_case_credit for c in items if c.worst_case_credit is not None]
            ),
            support=tuple(penalties),
            support_incurred=totals([s.incurred for s in penalties if s.incurred is not None]),
            support_worst_case=totals(
                [s.worst_case for s in penalties if s.worst_case is not None]
            ),
        )
        for name, (items, penalties) in sorted(by_customer.items())
    )
    return Exposure(
        at=require_utc(at),
        customers=customers,
        owed_now=totals([m for c in customers for m in c.owed_now]),
        expected=totals([m for c in customers for m in c.expected]),
        worst_case=totals([m for c in customers for m in c.worst_case]),
        support_incurred=totals([m for c in customers for m in c.support_incurred]),
        support_worst_case=totals([m for c in customers for m in c.support_worst_case]),
    )
