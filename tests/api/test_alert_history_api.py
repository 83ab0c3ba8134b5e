"""GET /slos/{name}/alerts and /agreements/{name}/alerts: the alert history the SLO and
agreement pages list, over the API (staff only; a customer token is refused whatever it asks,
as on the agreement's history).

The rows are written here through the store's own functions (the worker's alert history, its
alert records, and the outbox's notices of an episode from before the history was kept); every
expected row is written out by hand from them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from covenant.core.alert_state import AlertPhase, AlertRecord, PhaseChange, Transition
from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.services.senders import encode_notice
from covenant.services.store import open_store
from covenant.store import alert_transitions, outbox
from covenant.store.alert_states import save_transition
from covenant.store.db import write_transaction
from tests.api.support import AT, CUSTOMERS, Shop

V1 = "/api/v1"
DAY = AT.replace(hour=0)  # 2026-11-20T00:00Z
FAST = "burn-rate/checkout-availability/page-fast"
SLOW = "burn-rate/checkout-availability/ticket-slow"
LATENCY = "burn-rate/checkout-latency/page-fast"  # another SLO's
LOOKALIKE = "burn-rate/checkout-availability-eu/page-fast"  # a name that starts the same
GLOBEX = "globex-enterprise/GLX-A1/first-response/1"
RISK, BREACH = f"ticket-at-risk/{GLOBEX}", f"ticket-breached/{GLOBEX}"
INITECH = "ticket-at-risk/initech-standard/INI-A1/first-response/1"


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


def change(key: str, to: str, when: datetime, before: str | None = None) -> PhaseChange:
    return PhaseChange(
        key=key,
        kind=NoticeKind(key.partition("/")[0]),
        from_state=before,
        to_state=to,
        at=when,
        severity="page",
        labels={},
        annotations={},
    )


def record(key: str, kind: NoticeKind, phase: AlertPhase, **times: datetime) -> AlertRecord:
    return AlertRecord(
        key=key, kind=kind, phase=phase, severity="page", labels={}, annotations={}, **times
    )


def notice(state: NoticeState, ends_at: datetime | None = None) -> outbox.NewRow:
    """FAST's episode of 08:00–09:00 as the outbox holds it (before the history was kept)."""
    sent = AlertNotice(
        key=FAST,
        kind=NoticeKind.BURN_RATE,
        state=state,
        severity="page",
        labels={},
        annotations={},
        starts_at=at(8),
        ends_at=ends_at,
    )
    return outbox.NewRow(
        notice_key=FAST,
        state=state.value,
        starts_at=at(8),
        target="hook",
        kind="burn-rate",
        notice=encode_notice(sent),
    )


@pytest.fixture(scope="module")
def written(shop: Shop) -> Shop:
    engine = open_store(shop.settings.database_url)
    changes = [
        change(FAST, "firing", at(10)),
        change(SLOW, "pending", at(10, 5)),
        change(LATENCY, "firing", at(10, 10)),
        change(SLOW, "dropped", at(10, 20), "pending"),
        change(FAST, "resolved", at(11), "firing"),
        change(LOOKALIKE, "firing", at(11, 15)),
        change(FAST, "firing", at(11, 30), "resolved"),
        change(RISK, "firing", at(12, 10)),
        change(INITECH, "firing", at(12, 20)),
        change(BREACH, "firing", at(12, 30)),
        change(RISK, "resolved", at(12, 40), "firing"),
        change(BREACH, "resolved", at(12, 40), "firing"),
    ]
    records = (
        record(FAST, NoticeKind.BURN_RATE, AlertPhase.FIRING, pending_since=at(11, 30),
               starts_at=at(11, 30)),
        record(RISK, NoticeKind.TICKET_AT_RISK, AlertPhase.RESOLVED, pending_since=at(12, 10),
               starts_at=at(12, 10), ends_at=at(12, 40)),
        record(BREACH, NoticeKind.TICKET_BREACHED, AlertPhase.RESOLVED,
               pending_since=at(12, 30), starts_at=at(12, 30), ends_at=at(12, 40)),
        record(LATENCY, NoticeKind.BURN_RATE, AlertPhase.FIRING, pending_since=at(10, 10),
               starts_at=at(10, 10)),
    )  # fmt: skip
    with write_transaction(engine) as conn:
        assert alert_transitions.record(conn, changes) == len(changes)
        tick = Transition(records=records, changed=records, dropped=(), notices=())
        save_transition(conn, transition=tick, stored=[], now=AT)
        firing, resolved = notice(NoticeState.FIRING), notice(NoticeState.RESOLVED, at(9))
        assert outbox.add(conn, [firing, resolved], now=at(9)) == 2
    engine.dispose()
    return shop


FAST_NOW = {
    "key": FAST,
    "kind": "burn-rate",
    "state": "firing",
    "severity": "page",
    "pending_since": "2026-11-20T11:30:00Z",
    "starts_at": "2026-11-20T11:30:00Z",
    "ends_at": None,
}
SLO_ITEMS = [
    {"key": FAST, "state": "firing", "at": "2026-11-20T11:30:00Z", "source": "history"},
    {"key": FAST, "state": "resolved", "at": "2026-11-20T11:00:00Z", "source": "history"},
    {"key": SLOW, "state": "dropped", "at": "2026-11-20T10:20:00Z", "source": "history"},
    {"key": SLOW, "state": "pending", "at": "2026-11-20T10:05:00Z", "source": "history"},
    {"key": FAST, "state": "firing", "at": "2026-11-20T10:00:00Z", "source": "history"},
    {"key": FAST, "state": "resolved", "at": "2026-11-20T09:00:00Z", "source": "outbox"},
    {"key": FAST, "state": "firing", "at": "2026-11-20T08:00:00Z", "source": "outbox"},
]


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
def test_an_slos_alert_history_newest_first_with_each_alerts_state(
    written: Shop, role: str
) -> None:
    answer = written.client.get(f"{V1}/slos/checkout-availability/alerts", written.tokens[role])
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "slo": "checkout-availability",
        "alerts": [FAST_NOW],
        "items": SLO_ITEMS,
    }


def test_limit_keeps_the_newest_rows(written: Shop) -> None:
    url = f"{V1}/slos/checkout-availability/alerts"
    for limit in (1, 3, 7, 1000):
        answer = written.client.get(url, written.tokens["viewer"], params={"limit": limit})
        assert answer.status_code == 200, answer.text
        assert answer.json()["items"] == SLO_ITEMS[:limit]
        assert answer.json()["alerts"] == [FAST_NOW]  # every alert's state, whatever the limit


def test_another_slo_answers_its_own_alerts_only(written: Shop) -> None:
    viewer = written.tokens["viewer"]
    latency = written.client.get(f"{V1}/slos/checkout-latency/alerts", viewer).json()
    assert latency["items"] == [
        {"key": LATENCY, "state": "firing", "at": "2026-11-20T10:10:00Z", "source": "history"}
    ]
    assert [a["key"] for a in latency["alerts"]] == [LATENCY]
    quiet = written.client.get(f"{V1}/slos/payments-availability/alerts", viewer)
    assert quiet.status_code == 200  # defined, nothing on record
    assert quiet.json() == {"slo": "payments-availability", "alerts": [], "items": []}


def test_an_agreements_alert_history_is_its_own(written: Shop) -> None:
    answer = written.client.get(
        f"{V1}/agreements/globex-enterprise/alerts", written.tokens["viewer"]
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "agreement": "globex-enterprise",
        "alerts": [  # by key
            {
                "key": RISK,
                "kind": "ticket-at-risk",
                "state": "resolved",
                "severity": "page",
                "pending_since": "2026-11-20T12:10:00Z",
                "starts_at": "2026-11-20T12:10:00Z",
                "ends_at": "2026-11-20T12:40:00Z",
            },
            {
                "key": BREACH,
                "kind": "ticket-breached",
                "state": "resolved",
                "severity": "page",
                "pending_since": "2026-11-20T12:30:00Z",
                "starts_at": "2026-11-20T12:30:00Z",
                "ends_at": "2026-11-20T12:40:00Z",
            },
        ],
        "items": [  # newest first; at one instant, keys in reverse order (as the page)
            {"key": BREACH, "state": "resolved", "at": "2026-11-20T12:40:00Z", "source": "history"},
            {"key": RISK, "state": "resolved", "at": "2026-11-20T12:40:00Z", "source": "history"},
            {"key": BREACH, "state": "firing", "at": "2026-11-20T12:30:00Z", "source": "history"},
            {"key": RISK, "state": "firing", "at": "2026-11-20T12:10:00Z", "source": "history"},
        ],
    }  # fmt: skip
    initech = written.client.get(
        f"{V1}/agreements/initech-standard/alerts", written.tokens["admin"]
    )
    assert initech.json()["items"] == [
        {"key": INITECH, "state": "firing", "at": "2026-11-20T12:20:00Z", "source": "history"}
    ]
    assert initech.json()["alerts"] == []  # no record of it: the history alone


def test_an_unknown_name_is_not_found(written: Shop) -> None:
    for path in ("/slos/no-such-slo/alerts", "/agreements/no-such-agreement/alerts"):
        answer = written.client.get(f"{V1}{path}", written.tokens["viewer"])
        assert answer.status_code == 404, answer.text
        assert answer.json()["code"] == "not-found"
        assert set(answer.json()) == {"code", "message", "hint"}


@pytest.mark.parametrize("limit", ["0", "1001", "-3", "ten", ""])
def test_a_bad_limit_is_refused_naming_it(written: Shop, limit: str) -> None:
    for path in ("/slos/checkout-availability/alerts", "/agreements/globex-enterprise/alerts"):
        answer = written.client.get(f"{V1}{path}?limit={limit}", written.tokens["viewer"])
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "invalid-input"
        assert "limit" in answer.json()["message"]


@pytest.mark.parametrize("customer", CUSTOMERS)
def test_a_customer_is_refused_alike_whatever_it_asks(written: Shop, customer: str) -> None:
    """Its own agreement, the other's, one that does not exist, an SLO: the same refusal, so
    nothing (not even existence) is told."""
    token = written.tokens[f"customer:{customer}"]
    paths = [
        "/agreements/globex-enterprise/alerts",
        "/agreements/initech-standard/alerts",
        "/agreements/no-such-agreement/alerts",
        "/slos/checkout-availability/alerts",
        "/slos/no-such-slo/alerts",
    ]
    answers = [written.client.get(f"{V1}{path}", token) for path in paths]
    assert {a.status_code for a in answers} == {403}
    assert answers[0].json()["code"] == "forbidden"
    assert all(a.json() == answers[0].json() for a in answers)
    assert not [a.text for a in answers if "GLX-A1" in a.text or "INI-A1" in a.text]
