"""The sign-in rate limit in the store, on SQLite and PostgreSQL: the waits the documented rule
gives (5 free failures for a name, 20 for an address, then 30 s doubling to 15 min; forgotten
after an hour without one), seen by a second engine (another process), failures sent at the
same moment by many threads all counted, and a name's failures from other addresses holding back
only the addresses that failed for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from covenant.errors import TooManySignInsError
from covenant.services import sign_in_limits as limits
from covenant.store.db import create_engine_for
from tests.stores import at_once

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ADA = limits.keys_of(name="ada", address="198.51.100.7")


def _wait(engine: Engine, keys: list[str], at: datetime) -> int:
    try:
        limits.check(engine, keys, at=at)
    except TooManySignInsError as refused:
        wait, message = refused.retry_after_s, refused.message
    else:
        return 0
    assert f"try again in {wait} s" in message
    return wait


def test_a_name_waits_after_five_failures_then_twice_as_long(engine: Engine) -> None:
    assert ADA == ["address:198.51.100.7", "here:ada@198.51.100.7", "name:ada"]
    for i in range(4):
        assert limits.failed(engine, ADA, at=T0 + timedelta(seconds=i)) == 0
    assert _wait(engine, ADA, T0 + timedelta(seconds=4)) == 0
    assert limits.failed(engine, ADA, at=T0 + timedelta(seconds=4)) == 30  # the 5th
    assert _wait(engine, ADA, T0 + timedelta(seconds=4)) == 30
    assert _wait(engine, ADA, T0 + timedelta(seconds=33, microseconds=1)) == 1  # rounded up
    assert _wait(engine, ADA, T0 + timedelta(seconds=34)) == 0
    assert limits.failed(engine, ADA, at=T0 + timedelta(seconds=34)) == 60  # the 6th
    expected = [120, 240, 480, 900, 900]  # 30 s × 2^n, at most 15 min
    at = T0 + timedelta(seconds=94)
    for wait in expected:
        assert limits.failed(engine, ADA, at=at) == wait
        at += timedelta(seconds=wait)
    # another process on the same store sees the same wait
    other = create_engine_for(engine.url.render_as_string(hide_password=False))
    try:
        assert _wait(other, ADA, at - timedelta(seconds=900)) == 900
    finally:
        other.dispose()
    # a good password forgets the name's failures, not the address's (11 so far)
    limits.succeeded(engine, ADA)
    assert limits.failed(engine, ADA, at=at) == 0
    for _ in range(7):  # the address's 13th … 19th failure (token sign-ins: no name)
        assert limits.failed(engine, limits.keys_of(name=None, address="198.51.100.7"), at=at) == 0
    # its 20th: 30 s × 2^(20 − 20), though "bob" has failed only once
    assert limits.failed(engine, limits.keys_of(name="bob", address="198.51.100.7"), at=at) == 30
    assert _wait(engine, limits.keys_of(name="carl", address="198.51.100.7"), at) == 30
    assert _wait(engine, limits.keys_of(name="carl", address="198.51.100.8"), at) == 0


def test_a_name_failing_elsewhere_holds_back_only_addresses_that_failed_for_it(
    engine: Engine,
) -> None:
    def keys(address: str) -> list[str]:
        return limits.keys_of(name="vic", address=address)

    # 4 guessers fail 5 times each on "vic", in turns: the name's 5th failure (overall) makes
    # every guesser that has failed for it wait, its 6th … 20th double the wait up to 15 min
    at = T0
    waits = []
    for _ in range(5):
        for guesser in range(4):
            waits.append(limits.failed(engine, keys(f"192.0.2.{guesser}"), at=at))
            at += timedelta(seconds=1)
    # the name's n-th failure waits 30 s × 2^(n − 5), at most 900 s (each guesser's own count
    # of 5 never exceeds the name's)
    assert waits == [0, 0, 0, 0] + [min(900, 30 * 2 ** (n - 5)) for n in range(5, 21)]
    for guesser in range(4):  # each still waits the name's 15 min from the last failure
        assert _wait(engine, keys(f"192.0.2.{guesser}"), at) == 900 - 1
    # the owner's address has not failed for "vic": not held back at all
    assert _wait(engine, keys("198.51.100.50"), at) == 0
    # a fresh guesser gets one guess, then waits with the others (the name's 21st failure)
    assert limits.failed(engine, keys("192.0.2.99"), at=at) == 900
    assert _wait(engine, keys("192.0.2.99"), at) == 900
    # the owner signs in (the route checks, then forgets the name's failures): each guesser's
    # own 5 failures for the name still hold it back (its 5th, at T0 + 16 s + g: 30 s)
    limits.succeeded(engine, keys("198.51.100.50"))
    assert at == T0 + timedelta(seconds=20)
    for guesser in range(4):
        assert _wait(engine, keys(f"192.0.2.{guesser}"), at) == 30 - (20 - (16 + guesser))


def test_failures_are_forgotten_after_an_hour_without_one(engine: Engine) -> None:
    for i in range(5):
        limits.failed(engine, ADA, at=T0 + timedelta(minutes=i))
    assert _wait(engine, ADA, T0 + timedelta(minutes=4)) == 30
    later = T0 + timedelta(minutes=4, hours=1)
    assert limits.failed(engine, ADA, at=later) == 0  # counted from 1 again


@pytest.mark.parametrize("threads", [8])
def test_failures_sent_at_once_are_all_counted(engine: Engine, threads: int) -> None:
    waits = at_once(lambda _: limits.failed(engine, ADA, at=T0), threads)
    # 8 failures at T0: the 5th waits 30 s, the 6th 60, the 7th 120, the 8th 240
    assert sorted(waits) == [0, 0, 0, 0, 30, 60, 120, 240]
    assert _wait(engine, ADA, T0) == 240
