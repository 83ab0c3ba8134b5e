"""A brute-force reference for support penalties: the rules of docs/sla.md ("Support",
"Reopened tickets") and docs/agreements.md ("Numbers are exact") applied directly to plain
numbers, independent of the code under test (nothing from ``covenant`` is imported).

The rules, as the docs write them:

* the version in force at an instant is the highest-numbered version that has started; it
  ends at its ``effectiveTo`` or where a later version starts. Its part of the period is the
  seconds it was in force inside the period ÷ the period's seconds;
* the tickets of a version are its customer's tickets **created** while it was in force in
  the period (and by ``at``), of a priority with a target;
* a ticket's cycles: a move into ``resolved``/``closed`` ends one, a move out of them starts
  the next; the first-response timer runs from creation to the first public response or the
  first cycle's resolution, whichever comes first, and never restarts;
* a timer counts the seconds the desk is open (24×7 without a calendar) and the ticket is
  not in a pause state; ``breached`` when counted > target, ``met`` when stopped and not
  breached, else running (undecided). A reopened ticket counts its latest cycle, ``breached``
  when any earlier cycle breached;
* attainment per priority and timer = met ÷ (met + breached); the commitment is met when every
  decided one is at least ``attainment`` %, missed when one is below it, *no data* when
  nothing is decided;
* a missed commitment owes its penalty: ``percent`` % of the version's whole fee for the
  period (monthly fee × 1, × 3 for a quarter) pro rata its part of the period, **plus**
  ``amount`` (not pro rata) when both are written; the sum is rounded half up to the
  currency's minor unit, once;
* the statement's penalties are the sum per currency of its versions' penalties.

Business time is counted by day, not by step: the only calendar used is Monday–Friday
09:00–17:00 in a zone whose clock changes happen at night (Berlin, New York, UTC), so each
open span is one local day's 09:00–17:00, read with ``zoneinfo``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from math import floor
from zoneinfo import ZoneInfo

RESOLVED = frozenset({"resolved", "closed"})
MINOR_UNITS = {"EUR": 2, "USD": 2, "JPY": 0, "KWD": 3}


@dataclass(frozen=True)
class Target:
    priority: str
    first_response: int | None  # seconds
    resolution: int | None


@dataclass(frozen=True)
class Version:
    number: int
    start: int  # effective from (epoch seconds)
    end: int | None  # effective to
    fee: Decimal  # monthly fee of all its services together
    quarterly: bool
    currency: str
    targets: tuple[Target, ...]
    attainment: Decimal  # percent
    percent: Decimal | None
    amount: Decimal | None
    business: str | None  # the zone of a Mon–Fri 09–17 desk; None: 24×7
    pause_states: frozenset[str] = frozenset({"waiting-on-customer"})


@dataclass(frozen=True)
class RefTicket:
    id: str
    customer: str
    priority: str
    created: int
    history: tuple[tuple[int, str], ...]  # starts with (created, "open"); strictly increasing
    first_response: int | None


@dataclass(frozen=True)
class Outcome:
    version: int
    met: bool | None
    penalty: Decimal | None
    counts: dict[tuple[str, str], tuple[int, int]]  # (priority, timer) → (met, breached)


def half_up(value: Fraction, currency: str) -> Decimal:
    places = MINOR_UNITS[currency]
    scaled = value * 10**places
    assert scaled >= 0
    return Decimal(floor(scaled + Fraction(1, 2))).scaleb(-places)


def _open_spans(zone: str | None, lo: int, hi: int) -> list[tuple[int, int]]:
    if zone is None:
        return [(lo, hi)]
    tz = ZoneInfo(zone)
    day = datetime.fromtimestamp(lo, tz).date() - timedelta(days=1)
    last = datetime.fromtimestamp(hi, tz).date()
    out = []
    while day <= last:
        if day.weekday() < 5:
            a = int(datetime(day.year, day.month, day.day, 9, tzinfo=tz).timestamp())
            b = int(datetime(day.year, day.month, day.day, 17, tzinfo=tz).timestamp())
            out.append((max(a, lo), min(b, hi)))
        day += timedelta(days=1)
    return [(a, b) for a, b in out if a < b]


def _overlap(spans: list[tuple[int, int]], others: list[tuple[int, int]]) -> int:
    return sum(max(0, min(b, d) - max(a, c)) for a, b in spans for c, d in others)


def _counted(v: Version, t: RefTicket, start: int, stop: int, at: int) -> int:
    """Open seconds in [start, stop) minus those in a pause state."""
    known = [(m, s) for m, s in t.history if m <= at]
    pauses, opened = [], None
    for m, s in known:
        if s in v.pause_states and opened is None:
            opened = m
        elif s not in v.pause_states and opened is not None:
            pauses.append((opened, m))
            opened = None
    if opened is not None:
        pauses.append((opened, at))
    spans = _open_spans(v.business, start, stop)
    return sum(b - a for a, b in spans) - _overlap(spans, pauses)


def _verdicts(v: Version, t: RefTicket, target: Target, at: int) -> dict[str, str]:
    known = [(m, s) for m, s in t.history if m <= at]
    cycles: list[tuple[int, int | None]] = []
    start, resolved = t.created, False
    for m, s in known:
        if s in RESOLVED and not resolved:
            cycles.append((start, m))
            resolved = True
        elif s not in RESOLVED and resolved:
            start, resolved = m, False
    if not resolved:
        cycles.append((start, None))
    out = {}

    def judge(begin: int, stop: int | None, limit: int) -> str:
        counted = _counted(v, t, begin, at if stop is None else stop, at)
        if counted > limit:
            return "breached"
        return "running" if stop is None else "met"

    if target.first_response is not None:
        stops = [x for x in (t.first_response, cycles[0][1]) if x is not None and x <= at]
        out["first-response"] = judge(t.created, min(stops, default=None), target.first_response)
    if target.resolution is not None:
        states = [judge(a, b, target.resolution) for a, b in cycles]
        out["resolution"] = "breached" if "breached" in states[:-1] else states[-1]
    return out


def in_force(versions: list[Version], p0: int, p1: int) -> list[tuple[Version, int, int]]:
    """Each version's span in force inside [p0, p1), from the rule: the highest-numbered
    version that has started, until its end (found second by second would be the same: the
    spans only change at a version's start or end)."""
    edges = sorted({p0, p1, *(v.start for v in versions), *(v.end for v in versions if v.end)})
    edges = [e for e in edges if p0 <= e <= p1]
    spans: dict[int, list[int]] = {}
    for a, b in pairwise(edges):
        started = [v for v in versions if v.start <= a]
        if not started:
            continue
        top = max(started, key=lambda v: v.number)
        if top.end is not None and top.end <= a:
            continue
        span = spans.setdefault(top.number, [a, b])
        span[1] = b
    by = {v.number: v for v in versions}
    return [(by[n], a, b) for n, (a, b) in sorted(spans.items())]


def outcomes(
    versions: list[Version], tickets: list[RefTicket], customer: str, p0: int, p1: int, at: int
) -> list[Outcome]:
    out = []
    for v, lo, hi in in_force(versions, p0, p1):
        targets = {x.priority: x for x in v.targets}
        counts: dict[tuple[str, str], tuple[int, int]] = {}
        for t in tickets:
            if t.customer != customer or not lo <= t.created < hi or t.created > at:
                continue
            if t.priority not in targets:
                continue
            for kind, state in _verdicts(v, t, targets[t.priority], at).items():
                met, breached = counts.get((t.priority, kind), (0, 0))
                counts[(t.priority, kind)] = (
                    met + (state == "met"),
                    breached + (state == "breached"),
                )
        required = Fraction(v.attainment)
        decided = [Fraction(m, m + b) * 100 >= required for m, b in counts.values() if m + b]
        met_ = None if not decided else all(decided)
        penalty = None
        if met_ is False:
            exact = Fraction(0)
            if v.percent is not None:
                exact += (
                    Fraction(v.percent)
                    / 100
                    * Fraction(v.fee)
                    * (3 if v.quarterly else 1)
                    * Fraction(hi - lo, p1 - p0)
                )
            if v.amount is not None:
                exact += Fraction(v.amount)
            penalty = half_up(exact, v.currency)
        out.append(Outcome(version=v.number, met=met_, penalty=penalty, counts=counts))
    return out


def local_midnight(day: date, zone: str) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).timestamp())


def iso(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
