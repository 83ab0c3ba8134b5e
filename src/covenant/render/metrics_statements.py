"""``/metrics``: statements due and not issued, per customer (``services.statement_backlog``) —
never per period (the label set is the workspace's customers with a binding agreement).

``covenant_statement_periods_unissued`` has a sample for every such customer, 0 when each of its
closed periods of the last 366 days is issued, so a series does not come and go;
``covenant_statement_unissued_oldest_end_timestamp_seconds`` (epoch seconds) when the oldest
of them ended, no sample when there is none: ``time() - …`` is how long it has been due.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from covenant.render.prom_text import Family, escape


@dataclass(frozen=True, slots=True, kw_only=True)
class UnissuedStatements:
    """A customer's closed statement periods without an issued revision
    (``services.statement_backlog``)."""

    customer: str
    periods: int
    oldest_end: datetime | None  # when the oldest of them ended (None: none)


def unissued_families(found: Sequence[UnissuedStatements]) -> Iterator[Family]:
    """The two families (nothing when no customer has a binding agreement)."""
    if not found:
        return
    count = Family(
        "covenant_statement_periods_unissued",
        "Statement periods of the customer's agreements that ended in the last 366 days "
        "without a statement issued for them.",
    )
    oldest = Family(
        "covenant_statement_unissued_oldest_end_timestamp_seconds",
        "When the oldest of those periods ended (epoch seconds); no sample when there is none.",
    )
    for u in found:
        labels = f'customer="{escape(u.customer)}"'
        count.add(labels, float(u.periods))
        if u.oldest_end is not None:
            oldest.add(labels, u.oldest_end.timestamp())
    yield from (count, oldest)
