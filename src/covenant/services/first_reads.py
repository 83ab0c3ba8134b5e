"""The first read of series never read: everything their SLOs' windows need, not a few hours.

:func:`read_first` reads each of ``reads`` from the start of the range an evaluation of its
objectives at ``at`` reads (their windows and their longest alert windows,
``core.evaluate.required_range``) — by whole days from the server's recorded counts where
they check (``services.prometheus_recorded.first_read_by_days``, docs/prometheus.md "A first
read by days"), the rest sample by sample (``services.prometheus.catch_up``). The worker of
``covenant serve`` reads its never-read SLIs so (``services.worker_reads``), a few a tick.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from covenant.core.evaluate import required_range
from covenant.core.timeutil import from_epoch

if TYPE_CHECKING:
    from covenant.core.model import Objective
    from covenant.core.promql import SeriesQueries
    from covenant.services.prometheus import ClientFactory, ReadReport, Store


def read_first(
    engine: Store,
    *,
    reads: Sequence[SeriesQueries],
    objectives: Sequence[Objective],
    now: datetime,
    step: int,
    lag_s: int,
    client_for: ClientFactory | None = None,
    by_days: bool = True,
    due: Callable[[str, int], bool] | None = None,
    until: datetime | None = None,
) -> list[ReadReport]:
    """Read ``reads`` (never read: claimed already) over what their objectives need at
    ``now``, up to ``now − lag_s`` (the catch-up's end); the reports of the reads. ``by_days``
    False (corrections or composites, which read every bucket) reads every sample. ``until``
    (``covenant evaluate --read``'s instant): what an evaluation at it needs, read up to it
    (at most up to now: ``catch_up``'s ``until``)."""
    if not reads:
        return []
    from covenant.services.prometheus import catch_up  # noqa: PLC0415

    keys = {r.series for r in reads}
    needing = [o for o in objectives if o.series in keys]
    current = int(now.timestamp()) // step * step
    settled = current - lag_s
    settled -= settled % step
    evaluated = current if until is None else int(until.timestamp()) // step * step
    initial = step
    if needing:
        start, stop = required_range(needing, at=from_epoch(evaluated), step=step)
        initial = max(step, (settled if until is None else stop) - start)
    reports: list[ReadReport] = []
    rest = list(reads)
    unchecked: dict[str, str] = {}  # series read from every sample, and why
    if by_days and needing:
        from covenant.services.prometheus_recorded import first_read_by_days  # noqa: PLC0415

        reports, rest = first_read_by_days(
            engine,
            reads=rest,
            objectives=objectives,
            at=min(evaluated, current),
            now=now,
            settled=settled,
            client_for=client_for,
            unchecked=unchecked,
        )
    if not rest:
        return reports
    reports += [
        replace(r, note=unchecked.get(r.series, ""))
        for r in catch_up(
            engine,
            reads=rest,
            now=now,
            initial=initial,
            step=step,
            lag_s=lag_s,
            client_for=client_for,
            due=due,
            until=until,
        )
    ]
    return reports
