"""Alert state: pending → firing → resolved, one notice per transition, dedup by key."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from covenant.core.alert_state import AlertCondition, AlertPhase, AlertRecord, advance
from covenant.core.notices import NoticeKind, NoticeState
from covenant.errors import NaiveDatetimeError

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def cond(active: bool, *, for_s: int = 0, text: str = "x", key: str = "k") -> AlertCondition:
    return AlertCondition(
        key=key,
        kind=NoticeKind.TICKET_AT_RISK,
        severity="ticket",
        labels={"alertname": "TicketAtRisk"},
        annotations={"summary": text},
        active=active,
        for_s=for_s,
    )


def run(steps: list[list[AlertCondition]], **kw: object) -> list[list[tuple[str, str]]]:
    """The notices (key, state) of each tick, starting at T0 a minute apart."""
    records: dict[str, AlertRecord] = {}
    out = []
    for i, conditions in enumerate(steps):
        t = advance(records, conditions, now=T0 + i * MINUTE, **kw)  # type: ignore[arg-type]
        records = {r.key: r for r in t.records}
        out.append([(n.key, n.state.value) for n in t.notices])
    return out


def test_fires_at_once_without_for_and_resolves_once() -> None:
    seen = run([[cond(True)], [cond(True)], [cond(False)], [cond(False)], []])
    assert seen == [[("k", "firing")], [], [("k", "resolved")], [], []]


def test_for_keeps_it_pending_then_fires() -> None:
    steps = [[cond(True, for_s=120)]] * 4
    assert run(steps) == [[], [], [("k", "firing")], []]


def test_pending_that_ends_never_notifies() -> None:
    assert run([[cond(True, for_s=120)], [cond(False, for_s=120)], []]) == [[], [], []]


def test_a_resolved_alert_fires_again_as_a_new_episode() -> None:
    records: dict[str, AlertRecord] = {}
    starts = []
    for i, active in enumerate([True, False, True]):
        t = advance(records, [cond(active)], now=T0 + i * MINUTE)
        records = {r.key: r for r in t.records}
        starts.extend(n.starts_at for n in t.notices if n.state is NoticeState.FIRING)
    assert starts == [T0, T0 + 2 * MINUTE]
    assert records["k"].phase is AlertPhase.FIRING
    assert records["k"].ends_at is None


def test_notice_carries_start_and_end() -> None:
    first = advance({}, [cond(True)], now=T0)
    second = advance({r.key: r for r in first.records}, [], now=T0 + 5 * MINUTE)
    (notice,) = second.notices
    assert (notice.starts_at, notice.ends_at) == (T0, T0 + 5 * MINUTE)
    assert second.records[0].phase is AlertPhase.RESOLVED


def test_text_follows_but_no_new_notice_while_firing() -> None:
    first = advance({}, [cond(True, text="a")], now=T0)
    second = advance({r.key: r for r in first.records}, [cond(True, text="b")], now=T0 + MINUTE)
    assert second.notices == ()
    assert [r.annotations["summary"] for r in second.changed] == ["b"]


def test_unknown_kinds_keep_their_state() -> None:
    first = advance({}, [cond(True)], now=T0)
    kept = advance(
        {r.key: r for r in first.records}, [], now=T0 + MINUTE, unknown={NoticeKind.TICKET_AT_RISK}
    )
    assert kept.notices == ()
    assert kept.records == first.records


def test_a_held_alert_takes_the_targets_reroute_gives_without_a_notice() -> None:
    """A held alert (``keep``) keeps its phase and start, but its targets are the routing of
    now: the record is written again (``changed``) and no notice is sent for it."""
    first = advance({}, [replace(cond(True), targets=("old",))], now=T0)
    held = advance(
        {r.key: r for r in first.records},
        [],
        now=T0 + MINUTE,
        keep={"k"},
        reroute=lambda record: ("new",),
    )
    assert held.notices == ()
    (record,) = held.records
    assert (record.phase, record.starts_at, record.targets) == (AlertPhase.FIRING, T0, ("new",))
    assert held.changed == held.records
    again = advance({"k": record}, [], now=T0 + 2 * MINUTE, keep={"k"}, reroute=lambda r: ("new",))
    assert again.changed == ()  # the same targets: nothing to write


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        advance({}, [cond(True), cond(False)], now=T0)


def test_naive_now_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError, match="no time zone"):
        advance({}, [], now=datetime(2026, 1, 1))
