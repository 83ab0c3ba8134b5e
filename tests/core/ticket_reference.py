"""A brute-force reference for support ticket timers: walk time step by step from the ticket's
creation and apply the rules of docs/sla.md ("Support", "Reopened tickets") and
docs/business-time.md directly.

Independent of the code under test: nothing from ``covenant`` is imported. A desk is described
here with plain numbers (:class:`Desk`), a ticket with epoch seconds (:class:`RefTicket`); the
wall clock is read with ``zoneinfo`` alone. Nothing converts a wall time to an instant: the
rule "a wall time maps to the first instant at which the zone's clock shows that time or
later" (business-time.md, "Wall clock and DST") is read through the *high-water mark* of the
clock, the largest local reading so far. With ``T(w)`` the first instant whose reading is
``>= w``, an instant ``t`` is at or past ``T(w)`` exactly when some instant ``s <= t`` read
``>= w``, i.e. when ``mark(t) >= w``. So ``t`` lies in a shift ``[T(ws), T(we))`` exactly when
``ws <= mark(t) < we``, and in a holiday's local day ``[T(D 00:00), T(D+1 00:00))`` exactly
when ``mark(t)`` falls on date ``D`` — gaps and folds need no special case.

The rules, as the docs write them:

* open time is the union of the shifts (a shift belongs to the date it starts on; an end at or
  before its start runs into the next morning; 24:00 is the next midnight) — a date's
  override replaces its shifts (and a holiday on it), else the weekly hours in force that date
  apply (the last schedule change effective on or before it) — minus the closed time, which
  always wins: holidays (``local-day`` closes the holiday's local date 00:00–24:00,
  ``shift-start`` instead removes the shifts that start on it, the previous evening's shift
  running on) and partial-day closures (closed on a date from start to end);
* the ticket's status at an instant is its last status change at or before it (several
  changes at one instant: the last listed); before the first change it is open; without any
  history the minimal one is ``open`` at ``created`` and ``resolved`` at ``resolved``
  (records.md); with one, the history decides (the tests give ``resolved`` as an export does:
  the history's last resolution, kept after a reopening, or none);
* a move into ``resolved``/``closed`` ends the current cycle; a move out of them starts a new
  one; the first-response timer runs from creation to the first public response, or to the
  first cycle's resolution when that comes first, and never restarts;
* a second counts for a timer when the desk is open and the ticket is not in a pause state;
  ``paused`` counts the open seconds spent in a pause state;
* ``breached`` when elapsed > target (integer seconds); else ``met`` once stopped, else
  ``at-risk-75`` at >= 75 % of the target, ``at-risk-50`` at >= 50 %, else ``running``; an
  earlier cycle that breached makes the latest cycle ``breached`` (``breached_cycle``: the
  first such cycle) and every cycle but the latest is ``superseded``;
* ``paused_now``: a running timer whose ticket is in a pause state at ``at``;
* the deadline is the earliest instant ``d`` at which the timer's counted seconds reach the
  target (business-time.md, "Deadline"; a timer stopped at ``d`` is met, one second more is a
  breach), given the pauses so far: the timer's own pauses up to where it stops (or ``at``),
  and none after — as if it ran on, unpaused, from there.

**Steps.** The walk reads the desk and the ticket once per ``step`` seconds (60 or 1). A step
of 60 is exact when every instant given (creation, status changes, responses, ``at``) is a
whole minute of epoch time, every shift edge is a whole minute of the day, and the zone's
offsets and transitions are whole minutes (true of every zone used in the tests):

  Proof. Within a step ``[60k, 60k + 60)`` no status changes and no offset changes, so the
  ticket's status is constant and the wall reading is ``s + off`` with ``off ≡ 0 (mod 60)``.
  Every reading so far is ``60j + r`` (``0 <= r < 60``) with a whole-minute ``60j``, so the
  high-water mark before the step is ``M = 60i + 59`` for some ``i``. Within the step
  ``mark(s) = max(M, s + off)`` where ``s + off`` runs over one wall minute ``[60j, 60j + 59]``:
  if ``j > i`` it is ``s + off`` all minute, else ``M`` all minute; either way ``mark // 60`` is
  constant over the step and equal to the one read at ``60k``. Every boundary compared with
  the mark (shift edges, midnights) is a whole minute, so ``mark >= w`` and the mark's date are
  constant over the step: so is "open", and every second of the step counts alike. Counts are
  then ``60 ×`` the counted steps, and a deadline inside a counted step is its start plus the
  seconds still needed (each of its seconds counts), so any target in seconds is exact. ∎
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DAY = 86400
RESOLVED = frozenset({"resolved", "closed"})
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
WARMUP = 2 * 3600
"""Readings before the origin that the high-water mark needs: a fold turns a clock back by
at most an hour (30 minutes on Lord Howe), so the largest reading so far was read within the
last hour."""


class BeyondHorizonError(Exception):
    """A deadline lies beyond the walk's horizon."""


@dataclass(frozen=True)
class Desk:
    """Weekly hours (Monday first; ``(start, end)`` seconds after midnight, ``end <= start``
    overnight, 86400 = 24:00), holidays and their rule, in an IANA zone."""

    zone: str
    hours: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date] = frozenset()
    holiday_rule: str = "local-day"  # or "shift-start"
    overrides: tuple[tuple[date, tuple[tuple[int, int], ...]], ...] = ()  # a date's own shifts
    closures: tuple[tuple[date, int, int], ...] = ()  # closed on a date from start to end
    changes: tuple[tuple[date, tuple[tuple[tuple[int, int], ...], ...]], ...] = ()  # new hours


@dataclass(frozen=True)
class RefTicket:
    created: int
    history: tuple[tuple[int, str], ...] = ()
    first_response: int | None = None
    resolved: int | None = None


@dataclass(frozen=True)
class RefTimer:
    kind: str  # "first-response" | "resolution"
    cycle: int
    started: int
    stopped: int | None
    target: int
    elapsed: int
    paused: int
    paused_now: bool
    remaining: int
    deadline: int
    state: str
    superseded: bool
    breached_cycle: int | None


class DeskWalk:
    """Open or closed at each step ``[origin + k·step, origin + (k + 1)·step)``, read lazily."""

    def __init__(self, desk: Desk | None, origin: int, step: int) -> None:
        self.desk, self.origin, self.step = desk, origin, step
        self.zone = ZoneInfo(desk.zone) if desk else None
        self.flags: list[bool] = []
        self.mark: int | None = None
        self._minute, self._offset = -1, 0
        self._days: dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
        if self.zone is not None:  # the mark needs the readings before the origin (folds)
            for t in range(origin - WARMUP, origin, step):
                self._read(t)

    def _read(self, t: int) -> int:
        """The high-water mark of the local clock (seconds since the local epoch) at ``t``.
        The offset is read once per UTC minute: every zone used changes its offset only at
        whole minutes (the wall reading is checked to stay a whole step of ``t`` below)."""
        assert self.zone is not None
        minute = t - t % 60
        if minute != self._minute:
            offset = datetime.fromtimestamp(minute, UTC).astimezone(self.zone).utcoffset()
            assert offset is not None
            self._minute, self._offset = minute, int(offset.total_seconds())
            assert self._offset % 60 == 0
        wall = t + self._offset
        self.mark = wall if self.mark is None else max(self.mark, wall)
        return self.mark

    def _shifts(self, day: int) -> tuple[tuple[int, int], ...]:
        """The shifts that start on ``day``: its override's, none on a ``shift-start``
        holiday, else the weekly hours in force that date (the last change effective on or
        before it)."""
        assert self.desk is not None
        when = date.fromordinal(day + EPOCH_ORDINAL)
        overrides = dict(self.desk.overrides)
        if when in overrides:
            return overrides[when]
        if self.desk.holiday_rule == "shift-start" and when in self.desk.holidays:
            return ()
        hours = self.desk.hours
        for effective, later in sorted(self.desk.changes):
            if effective <= when:
                hours = later
        return hours[(day + 3) % 7]  # 1970-01-01 was a Thursday; Monday is 0

    def _day(self, day: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """The open spans (local seconds) of the shifts of ``day`` and of the day before, and
        the closed spans of ``day`` (a ``local-day`` holiday without an override: all of it;
        its closures)."""
        found = self._days.get(day)
        if found is None:
            assert self.desk is not None
            opened = [
                (d * DAY + s, d * DAY + (e if e > s else e + DAY))
                for d in (day - 1, day)
                for s, e in self._shifts(d)
            ]
            when = date.fromordinal(day + EPOCH_ORDINAL)
            closed = [(day * DAY + s, day * DAY + e) for d, s, e in self.desk.closures if d == when]
            holiday = when in self.desk.holidays and when not in dict(self.desk.overrides)
            if self.desk.holiday_rule == "local-day" and holiday:
                closed.append((day * DAY, day * DAY + DAY))
            found = opened, closed
            self._days[day] = found
        return found

    def _open(self, mark: int) -> bool:
        opened, closed = self._day(mark // DAY)
        return any(lo <= mark < hi for lo, hi in opened) and not any(
            lo <= mark < hi for lo, hi in closed
        )

    def open(self, k: int) -> bool:
        while len(self.flags) <= k:
            t = self.origin + len(self.flags) * self.step
            self.flags.append(True if self.zone is None else self._open(self._read(t)))
        return self.flags[k]


_WALKS: dict[tuple[Desk | None, int], DeskWalk] = {}


class _Shifted:
    """A desk walk read from a later origin (tickets of one desk share one walk)."""

    def __init__(self, walk: DeskWalk, skip: int, limit: int) -> None:
        self.walk, self.skip, self.limit = walk, skip, limit

    def open(self, k: int) -> bool:
        if k >= self.limit:
            raise BeyondHorizonError
        return self.walk.open(self.skip + k)


def _walk(desk: Desk | None, origin: int, step: int, horizon: int) -> _Shifted:
    """The desk's walk from ``origin`` for ``horizon`` seconds, shared by the tickets of a desk
    (a walk from an earlier origin is reused: the steps are the same instants)."""
    walk = _WALKS.get((desk, step))
    if walk is None or walk.origin > origin or (origin - walk.origin) % step:
        walk = DeskWalk(desk, origin, step)
        if len(_WALKS) > 64:
            _WALKS.clear()
        _WALKS[(desk, step)] = walk
    return _Shifted(walk, (origin - walk.origin) // step, horizon // step)


def _history(t: RefTicket) -> list[tuple[int, str]]:
    if t.history:
        return list(t.history)
    derived = [(t.created, "open")]
    if t.resolved is not None:
        derived.append((t.resolved, "resolved"))
    return derived


def ticket_timers(
    t: RefTicket,
    *,
    first_response_s: int | None,
    resolution_s: int | None,
    pause_states: frozenset[str],
    desk: Desk | None,
    at: int,
    step: int = 60,
    horizon: int = 60 * DAY,
) -> list[RefTimer]:
    """Every timer of ``t`` as of ``at`` (none when it was created after ``at``)."""
    if t.created > at:
        return []
    known = [(moment, status) for moment, status in _history(t) if moment <= at]
    for moment in [t.created, at, *(m for m, _ in known)]:
        assert moment % step == 0, "every instant must be a whole step (see the proof)"
    times = [m for m, _ in known]

    def status(moment: int) -> str:
        i = bisect_right(times, moment) - 1
        return known[i][1] if i >= 0 else "open"

    # cycles: a move into a resolved state ends one, a move out of them starts the next
    cycles: list[tuple[int, int | None]] = []
    start, resolved = t.created, False
    for moment, s in known:
        if s in RESOLVED and not resolved:
            cycles.append((start, moment))
            resolved = True
        elif s not in RESOLVED and resolved:
            start, resolved = moment, False
    if not resolved:
        cycles.append((start, None))

    walk = _walk(desk, t.created, step, horizon)
    specs: list[tuple[str, int, int, int | None, int]] = []
    if first_response_s is not None:
        stops = [x for x in (t.first_response, cycles[0][1]) if x is not None and x <= at]
        assert all(x % step == 0 for x in stops)
        specs.append(("first-response", 1, t.created, min(stops, default=None), first_response_s))
    if resolution_s is not None:
        for n, (a, b) in enumerate(cycles, start=1):
            specs.append(("resolution", n, a, b, resolution_s))

    out: list[RefTimer] = []
    for kind, cycle, begin, stop, target in specs:
        end = at if stop is None else stop
        elapsed = paused = counted = 0  # counted: toward the deadline, on past ``end`` too
        deadline = begin if target == 0 else None
        k, moment = (begin - t.created) // step, begin
        while moment < end or deadline is None:
            inside = moment < end
            if walk.open(k):
                if inside and status(moment) in pause_states:
                    paused += step
                else:
                    if deadline is None and counted + step >= target:
                        deadline = moment + (target - counted)  # reached within this step
                    counted += step
                    if inside:
                        elapsed += step
            k += 1
            moment += step
        assert deadline is not None
        if elapsed > target:
            state = "breached"
        elif stop is not None:
            state = "met"
        elif 4 * elapsed >= 3 * target:
            state = "at-risk-75"
        elif 2 * elapsed >= target:
            state = "at-risk-50"
        else:
            state = "running"
        out.append(
            RefTimer(
                kind=kind,
                cycle=cycle,
                started=begin,
                stopped=stop,
                target=target,
                elapsed=elapsed,
                paused=paused,
                paused_now=stop is None and status(at) in pause_states,
                remaining=target - elapsed,
                deadline=deadline,
                state=state,
                superseded=kind == "resolution" and cycle < len(cycles),
                breached_cycle=None,
            )
        )
    return _carry_breaches(out)


def _carry_breaches(timers: Sequence[RefTimer]) -> list[RefTimer]:
    resolution = [x for x in timers if x.kind == "resolution"]
    late = [x.cycle for x in resolution if x.superseded and x.elapsed > x.target]
    if not late:
        return list(timers)
    first = min(late)
    return [
        replace(x, state="breached", breached_cycle=first)
        if x.kind == "resolution" and not x.superseded
        else x
        for x in timers
    ]
