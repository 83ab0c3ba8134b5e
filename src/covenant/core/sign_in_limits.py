"""How many failed sign-ins a name or a client address may have before it must wait.

Each key (a client address; a user name from one address; a user name from every address)
counts its failed sign-ins. The first ``free`` of them
cost nothing; from then on every failure makes the key wait ``base × 2^(failures − free)``
before its next attempt (30 s, 1 min, 2 min, … up to ``cap``). A key forgets its failures once
it has had none for ``window``; a successful sign-in forgets a name's. While a key waits, its
sign-ins are refused before any password is checked (no Argon2 work is spent on them).

A name's wait counted over every address holds back only the addresses that have themselves
failed for that name within the window (:func:`seconds_to_wait`): someone failing on purpose
from elsewhere cannot lock the name's owner out, while a guesser spread over many addresses
gets one free guess per fresh address and then waits with the rest — up to ``NAME_CEILING``
failures of the name within the window, after which every address waits the name's wait, its
owner's too (a guesser with unlimited fresh addresses — an IPv6 /64 — gets at most that many
guesses an hour; locking the owner out that way takes that many addresses). An address's own
waits (its failures for any name; its failures for this name) always hold it back.

Pure: the store keeps each key's :class:`Failures` (``store.sign_in_limits``), the clock is
given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_DOUBLINGS = 16  # beyond this the cap has long been reached; keeps 2**n small
NAME_CEILING = 100
"""Failures of one name from every address within the window after which every address,
fresh or not, waits the name's wait."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    free: int  # failures that cost no wait
    base: timedelta  # the wait after the first failure past ``free``
    cap: timedelta  # the longest wait
    window: timedelta  # failures are forgotten after this long without one


@dataclass(frozen=True, slots=True, kw_only=True)
class Failures:
    count: int
    last: datetime  # the latest failure
    blocked_until: datetime | None  # no attempt before this instant


BY_NAME = Rule(
    free=5, base=timedelta(seconds=30), cap=timedelta(minutes=15), window=timedelta(hours=1)
)
# an office or a proxy shares one address among many people: more failures before a wait
BY_ADDRESS = Rule(
    free=20, base=timedelta(seconds=30), cap=timedelta(minutes=15), window=timedelta(hours=1)
)


def wait_of(rule: Rule, count: int) -> timedelta | None:
    """The wait after the ``count``-th failure in a row (None: no wait)."""
    if count < rule.free:
        return None
    doublings: int = 2 ** min(count - rule.free, MAX_DOUBLINGS)
    return min(rule.cap, rule.base * doublings)


def after_failure(rule: Rule, before: Failures | None, at: datetime) -> Failures:
    """The key's failures once one more happened at ``at``."""
    fresh = before is None or at - before.last >= rule.window
    count = 1 if fresh or before is None else before.count + 1
    wait = wait_of(rule, count)
    return Failures(count=count, last=at, blocked_until=None if wait is None else at + wait)


def seconds_left(failures: Failures | None, at: datetime) -> int:
    """Whole seconds the key must still wait at ``at`` (rounded up; 0: it may try now)."""
    if failures is None or failures.blocked_until is None or failures.blocked_until <= at:
        return 0
    return -(-(failures.blocked_until - at) // timedelta(seconds=1))


def recent(rule: Rule, failures: Failures | None, at: datetime) -> bool:
    """Whether the key has a failure not yet forgotten at ``at``."""
    return failures is not None and at - failures.last < rule.window


def seconds_to_wait(
    *,
    address: Failures | None,
    name_here: Failures | None,
    name_anywhere: Failures | None,
    at: datetime,
) -> int:
    """Whole seconds a sign-in must wait at ``at``: the address's wait, the name's wait from
    this address, and the name's wait from every address when this address has failed for the
    name itself (an address that has not is never held back by other addresses' failures)."""
    waits = [seconds_left(address, at), seconds_left(name_here, at)]
    flooded = (
        name_anywhere is not None
        and recent(BY_NAME, name_anywhere, at)
        and name_anywhere.count >= NAME_CEILING
    )
    if flooded or recent(BY_NAME, name_here, at):
        waits.append(seconds_left(name_anywhere, at))
    return max(waits)
