"""What a read of Prometheus says beside its counts: warnings a user should see."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from covenant.core.timeutil import utc_text

if TYPE_CHECKING:
    from covenant.core.promql import SeriesQueries
    from covenant.services.prometheus import ReadReport

NOTHING_GOOD_S = 3600
"""A read this long (or longer) whose good query counted nothing while its total counted
events is worth a word (:func:`nothing_good`); a minute of only failures is not."""


def nothing_good(reports: Sequence[ReadReport], reads: Sequence[SeriesQueries]) -> list[str]:
    """A warning for each read of an SLI with a good query that counted no event over an hour
    or more while its total counted some: a typo in the good query's metric or labels matches
    no series, which reads as 0 % good (and pages), not as no data."""
    with_good = {r.series for r in reads if r.good is not None}
    return [
        f"{r.series}: its good query counted no event from {utc_text(r.start)} to "
        f"{utc_text(r.read_until)} while its total counted {r.total:,}: check the good "
        "query's metric name and labels (a query that matches no series reads as 0 % good)"
        for r in reports
        if r.series in with_good
        and r.good == 0
        and r.total > 0
        and (r.read_until - r.start).total_seconds() >= NOTHING_GOOD_S
    ]
