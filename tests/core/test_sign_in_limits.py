"""The sign-in wait rule, pure: a name's wait over every address holds back an address only
while that address has a failure of its own for the name (within the hour); the address's wait
and the name-from-this-address wait always hold it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from covenant.core.sign_in_limits import Failures, seconds_to_wait

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def failures(count: int, ago_s: int, wait_s: int | None) -> Failures:
    last = AT - timedelta(seconds=ago_s)
    until = None if wait_s is None else last + timedelta(seconds=wait_s)
    return Failures(count=count, last=last, blocked_until=until)


NAME_BLOCKED = failures(9, ago_s=10, wait_s=900)  # 890 s left


def test_a_name_blocked_elsewhere_does_not_hold_back_an_address_that_never_failed_for_it() -> None:
    assert seconds_to_wait(address=None, name_here=None, name_anywhere=NAME_BLOCKED, at=AT) == 0
    # nor one whose failures for the name are an hour old (forgotten)
    stale = failures(3, ago_s=3600, wait_s=None)
    assert seconds_to_wait(address=None, name_here=stale, name_anywhere=NAME_BLOCKED, at=AT) == 0


def test_an_address_that_failed_for_the_name_waits_the_names_wait() -> None:
    once = failures(1, ago_s=3599, wait_s=None)
    assert seconds_to_wait(address=None, name_here=once, name_anywhere=NAME_BLOCKED, at=AT) == 890


def test_an_address_own_waits_hold_it_back_whatever_the_name() -> None:
    address = failures(20, ago_s=5, wait_s=30)  # 25 s left
    here = failures(6, ago_s=40, wait_s=60)  # 20 s left
    assert seconds_to_wait(address=address, name_here=None, name_anywhere=None, at=AT) == 25
    assert seconds_to_wait(address=None, name_here=here, name_anywhere=None, at=AT) == 20
    assert seconds_to_wait(address=address, name_here=here, name_anywhere=None, at=AT) == 25


def test_a_name_failed_from_a_hundred_addresses_holds_back_every_address() -> None:
    """A guesser with unlimited fresh addresses (an IPv6 /64) gets one free guess per address
    only until the name has 100 failures within the hour; from then on a fresh address waits
    the name's wait too (the owner's included: that takes 100 addresses)."""
    flooded = failures(100, ago_s=10, wait_s=900)  # 890 s left
    short_of_it = failures(99, ago_s=10, wait_s=900)
    assert seconds_to_wait(address=None, name_here=None, name_anywhere=flooded, at=AT) == 890
    assert seconds_to_wait(address=None, name_here=None, name_anywhere=short_of_it, at=AT) == 0
    forgotten = failures(100, ago_s=3600, wait_s=900)  # an hour without a failure: forgotten
    assert seconds_to_wait(address=None, name_here=None, name_anywhere=forgotten, at=AT) == 0
