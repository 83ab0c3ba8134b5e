"""``covenant report sla --at`` far after the period, with a business-hours support clock.

The support clock is compiled from 7 days before the period's start to 400 days after --at,
and a calendar is compiled for at most 50 × 366 = 18300 days. --at 8999-01-01 for 2026-10
failed with "calendar range of 2546970 days is too long — compile per reporting period
instead", which named neither --at nor what to give.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from covenant.core.agreements import SupportCommitment, SupportTarget
from covenant.errors import InputError
from covenant.services.sla_clocks import support_clock

COMMITMENT = SupportCommitment(
    name="business-hours-support",
    calendar="berlin-support",
    targets=(SupportTarget(priority="P1", resolution_s=7200),),
)
START = datetime(2026, 10, 1, tzinfo=UTC)


def _never(name: str, start: datetime, end: datetime) -> object:
    raise AssertionError(f"compiled {name} from {start} to {end}")


@pytest.mark.parametrize("at", [datetime(8999, 1, 1, tzinfo=UTC), datetime(2201, 6, 1, tzinfo=UTC)])
def test_an_at_too_far_after_the_period_is_named_with_the_last_one_accepted(at: datetime) -> None:
    with pytest.raises(InputError) as raised:
        support_clock(COMMITMENT, start=START, at=at, clock_for=_never)  # type: ignore[arg-type]
    assert raised.value.message.startswith(
        f"--at {at:%Y-%m-%dT%H:%M:%SZ} is too far after the period starting 2026-10-01T00:00:00Z"
    )
    # 2026-09-24 (7 days before) + 18300 days − 400 days = 2026-09-24 + 17900 days
    assert (
        raised.value.hint
        == "give --at at most 2075-09-27T00:00:00Z for this period (or leave it out: now)"
    )


def test_the_last_at_accepted_compiles_the_calendar() -> None:
    asked: list[tuple[datetime, datetime]] = []

    def clock_for(name: str, start: datetime, end: datetime) -> object:
        asked.append((start, end))
        return object()

    support_clock(
        COMMITMENT, start=START, at=datetime(2075, 9, 27, tzinfo=UTC), clock_for=clock_for
    )  # type: ignore[arg-type]
    ((first, last),) = asked
    assert (last - first).days == 18300
