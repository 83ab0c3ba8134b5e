"""Ticket timers, cycles, pauses, at-risk states, attainment and penalties."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from covenant.core.agreements import (
    AgreementVersion,
    SupportCommitment,
    SupportTarget,
    VersionStatus,
)
from covenant.core.business_time import Pauses
from covenant.core.support import (
    Attainment,
    TimerKind,
    TimerState,
    WallClock,
    attainment,
    counted,
    support_compliance,
    ticket_timers,
)
from covenant.core.tickets import StatusChange, Ticket

DAY0 = datetime(2026, 10, 5, tzinfo=UTC)


def h(hours: float) -> datetime:
    return DAY0 + timedelta(hours=hours)


COMMITMENT = SupportCommitment(
    name="support",
    calendar=None,
    targets=(
        SupportTarget(priority="P1", first_response_s=1800, resolution_s=7200),
        SupportTarget(priority="P2", resolution_s=8 * 3600),
    ),
    pause_states=frozenset({"waiting-on-customer"}),
    attainment=Fraction(95, 100),
    penalty_percent=Decimal(5),
)
VERSION = AgreementVersion(
    agreement="globex-msa",
    version=1,
    customer="globex",
    status=VersionStatus.ACTIVE,
    effective_from=datetime(2026, 1, 1, tzinfo=UTC),
    effective_to=None,
    currency="EUR",
    fees=(("shop", Decimal("2000.00")),),
    support=(COMMITMENT,),
)


def ticket(
    tid: str, *changes: tuple[float, str], priority: str = "P1", response: float | None = None
) -> Ticket:
    history = tuple(StatusChange(at=h(t), status=s) for t, s in changes)
    return Ticket(
        id=tid,
        customer="globex",
        priority=priority,
        created=history[0].at,
        history=history,
        first_response=h(response) if response is not None else None,
    )


def test_vendor_example_pause_moves_the_deadline() -> None:
    """24×7 resolution target 2 h, created 08:00, paused 09:00–10:05 → deadline 11:05."""
    t = ticket(
        "T1",
        (8, "open"),
        (9, "waiting-on-customer"),
        (10 + 5 / 60, "open"),
        (10.5, "resolved"),
        response=8.25,
    )
    timers = ticket_timers([t], COMMITMENT, clock=WallClock(), at=h(12))
    resolution = next(x for x in timers if x.kind is TimerKind.RESOLUTION)
    assert resolution.deadline == h(11 + 5 / 60)
    assert resolution.elapsed_s == int(2.5 * 3600) - 65 * 60
    assert resolution.paused_s == 65 * 60
    assert not resolution.paused_now
    assert resolution.state is TimerState.MET
    response = next(x for x in timers if x.kind is TimerKind.FIRST_RESPONSE)
    assert response.elapsed_s == 900
    assert response.state is TimerState.MET


def test_a_paused_running_timer_stands_still() -> None:
    t = ticket("T6", (0, "open"), (1, "waiting-on-customer"), priority="P2")
    (timer,) = ticket_timers([t], COMMITMENT, clock=WallClock(), at=h(10))
    assert timer.paused_now
    assert (timer.elapsed_s, timer.paused_s) == (3600, 9 * 3600)
    assert timer.deadline == h(10 + 7)  # 7 h of the 8 h target remain, counted from now
    assert timer.state is TimerState.RUNNING


def test_breach_is_strictly_more_than_the_target_in_whole_seconds() -> None:
    exact = ticket("T2", (0, "open"), (2, "resolved"))
    over = ticket("T3", (0, "open"), (2 + 1 / 3600, "resolved"))
    timers = ticket_timers([exact, over], COMMITMENT, clock=WallClock(), at=h(5))
    states = {(x.ticket, x.kind): x.state for x in timers}
    assert states["T2", TimerKind.RESOLUTION] is TimerState.MET
    assert states["T3", TimerKind.RESOLUTION] is TimerState.BREACHED
    assert states["T2", TimerKind.FIRST_RESPONSE] is TimerState.BREACHED  # no response at all


def test_reopen_starts_a_new_resolution_cycle() -> None:
    t = ticket("T4", (0, "open"), (1, "resolved"), (30, "open"), (33, "resolved"), response=0.1)
    timers = [
        x
        for x in ticket_timers([t], COMMITMENT, clock=WallClock(), at=h(40))
        if x.kind is TimerKind.RESOLUTION
    ]
    assert [(x.cycle, x.elapsed_s, x.state, x.superseded) for x in timers] == [
        (1, 3600, TimerState.MET, True),  # its resolution did not hold: no longer counts
        (2, 3 * 3600, TimerState.BREACHED, False),
    ]


def _resolution(result_attainment: Sequence[Attainment]) -> tuple[int, int, int]:
    found = next(a for a in result_attainment if a.kind is TimerKind.RESOLUTION)
    return found.met, found.breached, found.running


def test_a_reopened_tickets_earlier_met_cycle_no_longer_counts() -> None:
    # P1 resolution 2 h. Opened 0:00, resolved 1:00 (cycle 1: 1 h of 2 h, met), reopened
    # 30:00; at 31:00 cycle 2 is 1 h of 2 h in (at-risk-50): the ticket is not resolved, so
    # its resolution is undecided — 0 met, 0 breached, 1 running — not 1 met.
    t = ticket("R1", (0, "open"), (1, "resolved"), (30, "open"), response=0.1)
    timers = ticket_timers([t], COMMITMENT, clock=WallClock(), at=h(31))
    resolution = [x for x in timers if x.kind is TimerKind.RESOLUTION]
    assert [(x.cycle, x.state, x.superseded) for x in resolution] == [
        (1, TimerState.MET, True),
        (2, TimerState.AT_RISK_50, False),
    ]
    assert [x.cycle for x in counted(timers) if x.kind is TimerKind.RESOLUTION] == [2]
    assert _resolution(attainment(timers, COMMITMENT)) == (0, 0, 1)
    # resolved again at 31:30 (cycle 2: 1.5 h of 2 h): met once, one ticket
    t2 = ticket("R1", (0, "open"), (1, "resolved"), (30, "open"), (31.5, "resolved"))
    done = ticket_timers([t2], COMMITMENT, clock=WallClock(), at=h(40))
    assert _resolution(attainment(done, COMMITMENT)) == (1, 0, 0)


def test_a_breach_stands_when_the_ticket_is_reopened() -> None:
    # Opened 0:00, resolved 3:00 (cycle 1: 3 h > 2 h, breached), reopened 10:00, resolved
    # 10:30 (cycle 2: 30 min, within 2 h on its own): the ticket's resolution stays breached.
    t = ticket("R2", (0, "open"), (3, "resolved"), (10, "open"), (10.5, "resolved"))
    timers = ticket_timers([t], COMMITMENT, clock=WallClock(), at=h(12))
    resolution = [x for x in timers if x.kind is TimerKind.RESOLUTION]
    assert [
        (x.cycle, x.elapsed_s, x.state, x.superseded, x.breached_cycle) for x in resolution
    ] == [
        (1, 3 * 3600, TimerState.BREACHED, True, None),
        (2, 1800, TimerState.BREACHED, False, 1),
    ]
    assert [x.late for x in resolution] == [True, False]  # only cycle 1 ran past its target
    assert _resolution(attainment(timers, COMMITMENT)) == (0, 1, 0)


def test_running_timers_are_at_risk_at_half_and_three_quarters() -> None:
    t = ticket("T5", (0, "open"), priority="P2")
    states = [
        ticket_timers([t], COMMITMENT, clock=WallClock(), at=h(x))[0].state
        for x in (3.9, 4, 6, 8, 8.001)
    ]
    assert states == [
        TimerState.RUNNING,
        TimerState.AT_RISK_50,
        TimerState.AT_RISK_75,
        TimerState.AT_RISK_75,
        TimerState.BREACHED,
    ]


def test_attainment_and_penalty() -> None:
    good = [ticket(f"G{i}", (i, "open"), (i + 1, "resolved"), response=i + 0.1) for i in range(19)]
    late = ticket("L", (0, "open"), (5, "resolved"), response=0.1)
    result = support_compliance(
        VERSION,
        COMMITMENT,
        [*good, late],
        clock=WallClock(),
        period=(DAY0, DAY0 + timedelta(days=30)),
        at=h(48),
    )
    resolution = next(a for a in result.attainment if a.kind is TimerKind.RESOLUTION)
    assert resolution.share == Fraction(19, 20)  # exactly 95 %: met
    assert result.met is True
    assert result.penalty is None
    late2 = ticket("L2", (2, "open"), (9, "resolved"), response=2.1)
    result = support_compliance(
        VERSION,
        COMMITMENT,
        [*good, late, late2],
        clock=WallClock(),
        period=(DAY0, DAY0 + timedelta(days=30)),
        at=h(48),
    )
    assert result.met is False
    assert result.penalty is not None
    assert result.penalty.amount == Decimal("100.00")


@given(
    start=st.integers(0, 10_000),
    seconds=st.integers(0, 20_000),
    pauses=st.lists(st.tuples(st.integers(-5_000, 40_000), st.integers(1, 5_000)), max_size=4),
)
def test_wall_clock_deadline_matches_a_second_by_second_walk(
    start: int, seconds: int, pauses: list[tuple[int, int]]
) -> None:
    spans = []
    for begin, length in sorted(pauses):  # non-overlapping, as a status history produces them
        s = max(begin, spans[-1][1]) if spans else begin
        spans.append((s, s + length))
    paused = set()
    for s, e in spans:
        paused.update(range(s, e))
    t, counted = start, 0
    while counted < seconds:
        if t not in paused:
            counted += 1
        t += 1
    ps = Pauses(
        ticket=np.zeros(len(spans), dtype=np.int64),
        start=np.array([s for s, _ in spans], dtype=np.int64),
        end=np.array([e for _, e in spans], dtype=np.int64),
    )
    due = WallClock().deadline(np.array([start]), np.array([seconds]), ps)[0]
    clock = WallClock()
    assert clock.elapsed(np.array([start]), np.array([due]), ps)[0] == seconds
    assert due == t


def test_a_reopened_ticket_still_open_is_running_not_met() -> None:
    t = Ticket(
        id="T7",
        customer="globex",
        priority="P1",
        created=h(0),
        history=(
            StatusChange(at=h(0), status="open"),
            StatusChange(at=h(1), status="resolved"),
            StatusChange(at=h(2), status="open"),
        ),
        first_response=h(0.1),
        resolved=h(1),  # the export kept the first resolution
    )
    timers = [
        x
        for x in ticket_timers([t], COMMITMENT, clock=WallClock(), at=h(3))
        if x.kind is TimerKind.RESOLUTION
    ]
    assert [(x.cycle, x.stopped is None, x.elapsed_s) for x in timers] == [
        (1, False, 3600),
        (2, True, 3600),
    ]
    assert timers[1].state is TimerState.AT_RISK_50


def test_tickets_count_under_the_version_in_force_and_the_penalty_is_pro_rata() -> None:
    late = [ticket(f"L{i}", (i, "open"), (i + 5, "resolved"), response=i + 0.1) for i in range(3)]
    period = (DAY0, DAY0 + timedelta(days=30))
    first_half = (DAY0, DAY0 + timedelta(days=15))
    result = support_compliance(
        VERSION, COMMITMENT, late, clock=WallClock(), period=period, at=h(48), in_force=first_half
    )
    assert result.met is False
    assert result.penalty is not None
    assert result.penalty.amount == Decimal("50.00")  # 5 % of half of 2000.00
    second_half = (DAY0 + timedelta(days=15), DAY0 + timedelta(days=30))
    other = support_compliance(
        VERSION, COMMITMENT, late, clock=WallClock(), period=period, at=h(48), in_force=second_half
    )
    assert other.timers == ()
    assert other.met is None


@pytest.mark.parametrize(
    ("currency", "fee", "penalty"),
    [
        # 5 % of each fee, rounded half up to the currency's minor unit (ISO 4217), by hand:
        ("JPY", "12330", "617"),  # 616.5 → 617 (JPY has no decimals)
        ("KWD", "1000.010", "50.001"),  # 50.0005 → 50.001 (3 decimals)
        ("BHD", "99.990", "5.000"),  # 4.9995 → 5.000
        ("EUR", "2000.10", "100.01"),  # 100.005 → 100.01
    ],
)
def test_a_penalty_is_rounded_half_up_to_its_currencys_minor_unit(
    currency: str, fee: str, penalty: str
) -> None:
    version = replace(VERSION, currency=currency, fees=(("shop", Decimal(fee)),))
    late = [ticket(f"L{i}", (i, "open"), (i + 5, "resolved"), response=i + 0.1) for i in range(3)]
    result = support_compliance(
        version,
        COMMITMENT,
        late,
        clock=WallClock(),
        period=(DAY0, DAY0 + timedelta(days=30)),
        at=h(48),
    )
    assert result.met is False
    assert result.penalty is not None
    assert result.penalty.currency == currency
    assert str(result.penalty.amount) == penalty  # the value and its number of decimals


@given(
    steps=st.lists(st.integers(1, 5 * 3600), min_size=1, max_size=7),
    at_s=st.integers(0, 40 * 3600),
)
def test_one_resolution_verdict_per_ticket_and_a_breach_stands(steps: list[int], at_s: int) -> None:
    # A ticket toggling open → resolved → open … at the given gaps (seconds), read at ``at_s``.
    moves, moment = [(0.0, "open")], 0
    for n, gap in enumerate(steps):
        moment += gap
        moves.append((moment / 3600, "resolved" if n % 2 == 0 else "open"))
    t = ticket("H", *moves, response=0.1)
    timers = ticket_timers([t], COMMITMENT, clock=WallClock(), at=h(at_s / 3600))
    cycles = [x for x in timers if x.kind is TimerKind.RESOLUTION]
    live = [x for x in counted(timers) if x.kind is TimerKind.RESOLUTION]
    assert len(live) == 1  # one resolution timer counts, the latest cycle's
    assert live[0].cycle == max(x.cycle for x in cycles)
    assert all(x.superseded for x in cycles if x is not live[0])
    # breached iff some cycle ran past the 2 h target on its own; met only when resolved
    assert (live[0].state is TimerState.BREACHED) == any(x.elapsed_s > 7200 for x in cycles)
    if live[0].state is TimerState.MET:
        assert live[0].stopped is not None
    met, breached, running = _resolution(attainment(timers, COMMITMENT))
    assert met + breached + running == 1


def test_a_stopped_timers_deadline_ignores_pauses_after_it_stopped() -> None:
    # 24×7. P1: response 30 min, resolution 2 h. Created 0:00, answered 0:10 (the response timer
    # stops: due 0:30), waiting on the customer 0:15–1:00, resolved 1:30 (cycle 1 stops),
    # reopened 2:00 and waiting on the customer 2:15–4:00. A stopped timer is settled
    # (Jira Service Management's completed cycle keeps its own times): the later waits are no
    # pause of the response timer, and a later cycle's wait none of cycle 1, so neither moves
    # its deadline — nor may reading the ticket later change it.
    t = ticket(
        "S1",
        (0, "open"),
        (0.25, "waiting-on-customer"),
        (1, "open"),
        (1.5, "resolved"),
        (2, "open"),
        (2.25, "waiting-on-customer"),
        (4, "open"),
        response=10 / 60,
    )
    found = ticket_timers([t], COMMITMENT, clock=WallClock(), at=h(6))
    timers = {(x.kind, x.cycle): x for x in found}
    response = timers[TimerKind.FIRST_RESPONSE, 1]
    assert (response.elapsed_s, response.paused_s, response.state) == (600, 0, TimerState.MET)
    assert response.deadline == h(0.5)
    first = timers[TimerKind.RESOLUTION, 1]
    # 0:00-1:30 less the 45 min wait: 45 min counted; due 2:00 + 45 min = 2:45
    assert (first.elapsed_s, first.paused_s, first.state) == (2700, 2700, TimerState.MET)
    assert first.deadline == h(2.75)
    # cycle 2 is pushed by its own wait: 2:00 + 2 h + 1 h 45 min = 5:45
    assert timers[TimerKind.RESOLUTION, 2].deadline == h(5.75)


def test_a_timer_read_as_its_pause_ends_is_not_paused() -> None:
    # Waiting on the customer 1:00–2:00; read at 2:00 the ticket is open again (the change at
    # the instant read has happened): the timer runs, it does not stand still. Read at 1:00, the
    # instant the wait begins, it stands still.
    t = ticket("P1", (0, "open"), (1, "waiting-on-customer"), (2, "open"), priority="P2")
    (ended,) = ticket_timers([t], COMMITMENT, clock=WallClock(), at=h(2))
    assert (ended.paused_s, ended.paused_now) == (3600, False)
    (begun,) = ticket_timers([t], COMMITMENT, clock=WallClock(), at=h(1))
    assert (begun.paused_s, begun.paused_now) == (0, True)


def test_a_ticket_reopened_the_instant_it_was_resolved_is_open() -> None:
    # Resolved at 1:00 and reopened at 1:00 (an automation, the customer's reply): the export's
    # ``resolved`` is that 1:00 resolution, which the reopening undid — the history lists the
    # move back to open after it. Cycle 2 runs from 1:00: at 2:30 it has used 1.5 h of 2 h.
    t = replace(
        ticket("Z1", (0, "open"), (1, "resolved"), (1, "open"), response=0.1), resolved=h(1)
    )
    timers = ticket_timers([t], COMMITMENT, clock=WallClock(), at=h(2.5))
    resolution = [x for x in timers if x.kind is TimerKind.RESOLUTION]
    assert [(x.cycle, x.stopped, x.elapsed_s, x.state) for x in resolution] == [
        (1, h(1), 3600, TimerState.MET),
        (2, None, 5400, TimerState.AT_RISK_75),
    ]
    # without a history, a resolution at creation closes the first cycle there
    bare = Ticket(id="Z2", customer="globex", priority="P2", created=h(0), resolved=h(0))
    (only,) = ticket_timers([bare], COMMITMENT, clock=WallClock(), at=h(1))
    assert (only.stopped, only.elapsed_s, only.state) == (h(0), 0, TimerState.MET)


def test_a_penalty_of_a_percent_and_an_amount_owes_their_sum_the_amount_not_pro_rata() -> None:
    """docs/sla.md "Support": `penalty: {percent: 5, amount: "30.00"}` owes 5 % of the fee pro
    rata plus 30.00 — the amount in full for each version in force whose commitment is missed.
    By hand: the version is in force for the first 15 of 30 days, so 5 % of 1000.00 (half of
    2000.00) = 50.00, plus 30.00 = 80.00 EUR."""
    both = replace(COMMITMENT, penalty_amount=Decimal("30.00"))
    late = [ticket(f"L{i}", (i, "open"), (i + 5, "resolved"), response=i + 0.1) for i in range(3)]
    result = support_compliance(
        replace(VERSION, support=(both,)),
        both,
        late,
        clock=WallClock(),
        period=(DAY0, DAY0 + timedelta(days=30)),
        at=h(48),
        in_force=(DAY0, DAY0 + timedelta(days=15)),
    )
    assert result.met is False
    assert result.penalty is not None
    assert result.penalty.amount == Decimal("80.00")
