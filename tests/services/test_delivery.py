"""Delivery to real HTTP receivers (a stdlib server on loopback): webhook and Slack bodies,
retries, a hanging receiver, the outbox across restarts, customer-facing targets."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.definitions.delivery import DeliveryTarget
from covenant.services.delivery import Backoff, Dispatcher
from covenant.services.senders import customer_view
from covenant.store import outbox
from covenant.store.db import create_engine_for, migrate, write_transaction
from tests.receiver import Receiver, receiver

STARTS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ENDS = datetime(2026, 12, 1, 9, 42, tzinfo=UTC)
FAST = Backoff(base_s=0.01, cap_s=0.05)


def notice(
    state: NoticeState = NoticeState.FIRING,
    *,
    key: str = "burn-rate/checkout-availability/page-fast",
    kind: NoticeKind = NoticeKind.BURN_RATE,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    targets: tuple[str, ...] | None = None,
) -> AlertNotice:
    return AlertNotice(
        key=key,
        kind=kind,
        state=state,
        severity="page",
        labels=labels or {"alertname": "CheckoutAvailability", "sloth_slo": "availability"},
        annotations=annotations
        or {"title": "Checkout burns its budget", "summary": "14x over 1 h and 5 min"},
        starts_at=STARTS,
        ends_at=ENDS if state is NoticeState.RESOLVED else None,
        targets=targets,
    )


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    """These tests run on SQLite; tests/services/test_delivery_replicas.py covers PostgreSQL."""
    return sqlite_engine


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as server:
        yield server


def webhook(url: str, name: str = "hook", **options: object) -> DeliveryTarget:
    return DeliveryTarget(name=name, kind="webhook", url=url, **options)  # type: ignore[arg-type]


def all_rows(engine: Engine) -> list[outbox.OutboxRow]:
    with engine.connect() as conn:
        return outbox.rows(conn, limit=1000)


def test_webhook_and_slack_bodies(
    engine: Engine, hooks: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_TOKEN", "s3cret")
    monkeypatch.setenv("SLACK_URL", f"{hooks.url}/slack")
    targets = [
        webhook(f"{hooks.url}/hook", bearer_token_env="HOOK_TOKEN", headers=(("X-Team", "sre"),)),
        DeliveryTarget(name="chat", kind="slack", url_env="SLACK_URL"),
    ]
    dispatcher = Dispatcher(engine, targets, backoff=FAST)
    dispatcher.start()
    try:
        assert dispatcher.submit([notice()]) == 2
        hooks.wait_for("/hook", 1)
        hooks.wait_for("/slack", 1)
        dispatcher.submit([notice(NoticeState.RESOLVED)])
        hooks.wait_for("/hook", 2)
        hooks.wait_for("/slack", 2)
    finally:
        assert dispatcher.stop(30)
    firing, resolved = hooks.bodies("/hook")
    text = "burn-rate/checkout-availability/page-fast\nfiring\n2026-12-01T09:00:00+00:00\nhook"
    assert firing == {
        "version": "1",
        "idempotencyKey": hashlib.sha256(text.encode()).hexdigest()[:32],
        "target": "hook",
        "key": "burn-rate/checkout-availability/page-fast",
        "kind": "burn-rate",
        "state": "firing",
        "severity": "page",
        "labels": {"alertname": "CheckoutAvailability", "sloth_slo": "availability"},
        "annotations": {"title": "Checkout burns its budget", "summary": "14x over 1 h and 5 min"},
        "startsAt": "2026-12-01T09:00:00Z",
        "endsAt": None,
    }
    assert (resolved["state"], resolved["endsAt"]) == ("resolved", "2026-12-01T09:42:00Z")
    assert resolved["idempotencyKey"] != firing["idempotencyKey"]
    sent = [r for r in hooks.requests if r.path == "/hook"]
    assert sent[0].headers["authorization"] == "Bearer s3cret"
    assert sent[0].headers["x-team"] == "sre"
    assert sent[0].headers["idempotency-key"] == firing["idempotencyKey"]
    slack_firing, slack_resolved = hooks.bodies("/slack")
    assert slack_firing["text"] == "[FIRING] Checkout burns its budget"
    assert slack_resolved["text"] == "[RESOLVED] Checkout burns its budget"
    header, section, context = slack_firing["blocks"]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Checkout burns its budget"},
    }
    assert "14x over 1 h and 5 min" in section["text"]["text"]
    assert "page" in context["elements"][0]["text"]
    assert [r.status for r in all_rows(engine)] == ["sent"] * 4


def test_a_receiver_failing_twice_gets_the_notice_once(engine: Engine, hooks: Receiver) -> None:
    hooks.statuses["/flaky"] = [503, 500]
    dispatcher = Dispatcher(engine, [webhook(f"{hooks.url}/flaky")], backoff=FAST)
    dispatcher.start()
    try:
        dispatcher.submit([notice()])
        hooks.wait_for("/flaky", 1)
        # the same notice again (a retried tick) adds nothing and sends nothing
        assert dispatcher.submit([notice()]) == 0
    finally:
        assert dispatcher.stop(30)
    assert dispatcher.send_due() == 0  # nothing is due any more
    assert [r.status for r in hooks.requests] == [503, 500, 200]
    keys = {r.body["idempotencyKey"] for r in hooks.requests}
    assert len(keys) == 1  # every attempt carried the same key
    (row,) = all_rows(engine)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


def test_a_hanging_receiver_does_not_block_submit(engine: Engine, hooks: Receiver) -> None:
    hooks.hang.add("/slow")
    target = webhook(f"{hooks.url}/slow", timeout_s=0.2)
    dispatcher = Dispatcher(engine, [target], backoff=Backoff(base_s=60, cap_s=60))
    dispatcher.start()
    try:
        dispatcher.submit([notice()])
        assert hooks.hanging.acquire(timeout=60)  # the receiver now holds the first request
        # the receiver still holds it, and further notices are written all the same
        second = notice(key="burn-rate/checkout-latency/page-fast")
        assert dispatcher.submit([second]) == 1
        assert not hooks.released.is_set()
        assert {r.notice_key for r in all_rows(engine)} == {
            "burn-rate/checkout-availability/page-fast",
            "burn-rate/checkout-latency/page-fast",
        }
    finally:
        assert dispatcher.stop(30)
        hooks.release()
    # the timed-out sends stay pending for a later attempt, with the reason
    rows = all_rows(engine)
    assert {r.status for r in rows} == {"pending"}
    assert any(r.last_error == "no answer within 0.2 s" for r in rows)


def test_a_pending_notice_survives_a_restart(tmp_path: Path, hooks: Receiver) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    first = create_engine_for(url)
    migrate(first)
    Dispatcher(first, [webhook(f"{hooks.url}/hook")]).submit([notice()])  # never started
    first.dispose()
    assert hooks.requests == []
    again = create_engine_for(url)
    dispatcher = Dispatcher(again, [webhook(f"{hooks.url}/hook")], backoff=FAST)
    dispatcher.start()
    try:
        hooks.wait_for("/hook", 1)
    finally:
        assert dispatcher.stop(30)
        again.dispose()
    assert [b["key"] for b in hooks.bodies("/hook")] == [notice().key]


def test_enqueue_is_part_of_the_callers_transaction(engine: Engine) -> None:
    dispatcher = Dispatcher(engine, [webhook("http://127.0.0.1:9/x")])

    def failing_tick() -> None:
        with write_transaction(engine) as conn:
            assert dispatcher.enqueue(conn, [notice()]) == 1
            raise RuntimeError("the alert-state change failed")

    with pytest.raises(RuntimeError):
        failing_tick()
    assert all_rows(engine) == []
    with write_transaction(engine) as conn:
        dispatcher.enqueue(conn, [notice()])
    assert len(all_rows(engine)) == 1


def test_a_refusal_is_not_retried_and_can_be_put_back(engine: Engine, hooks: Receiver) -> None:
    hooks.statuses["/strict"] = [400]
    dispatcher = Dispatcher(engine, [webhook(f"{hooks.url}/strict")], backoff=FAST)
    dispatcher.submit([notice()])
    assert dispatcher.send_due() == 1
    (row,) = all_rows(engine)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error is not None
    assert row.last_error.startswith("HTTP 400")
    assert dispatcher.send_due() == 0
    with write_transaction(engine) as conn:
        assert outbox.retry(conn, now=datetime.now(UTC)) == 1
    assert dispatcher.send_due() == 1
    assert [r.status for r in hooks.requests] == [400, 200]
    assert all_rows(engine)[0].status == "sent"


def test_a_receiver_repeating_what_it_was_sent_gets_no_secret_into_the_outbox(
    engine: Engine, hooks: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bearer token, a header from the environment and a Slack URL (its credential) are
    shown as *** in the error a refusing receiver's answer becomes."""
    monkeypatch.setenv("HOOK_TOKEN", "t0ken-abcdef")
    monkeypatch.setenv("TEAM_KEY", "key-123456")
    monkeypatch.setenv("SLACK_URL", f"{hooks.url}/services/T01/B02/x9secret")
    hooks.echo |= {"/strict", "/services/T01/B02/x9secret"}
    hooks.statuses["/strict"] = [403]
    hooks.statuses["/services/T01/B02/x9secret"] = [400]
    targets = [
        webhook(
            f"{hooks.url}/strict",
            bearer_token_env="HOOK_TOKEN",
            headers_env=(("X-Key", "TEAM_KEY"),),
        ),
        DeliveryTarget(name="chat", kind="slack", url_env="SLACK_URL"),
    ]
    dispatcher = Dispatcher(engine, targets, backoff=FAST)
    dispatcher.submit([notice()])
    assert dispatcher.send_due() == 2
    errors = sorted(row.last_error or "" for row in all_rows(engine))
    assert errors[0].startswith('HTTP 400: {"refused": "None at ***"')
    assert errors[1].startswith('HTTP 403: {"refused": "Bearer *** at /strict"')
    for secret in ("t0ken-abcdef", "key-123456", "x9secret"):
        assert not any(secret in error for error in errors)


def test_routing_by_target_name_kind_and_customer(engine: Engine, hooks: Receiver) -> None:
    targets = [
        webhook(f"{hooks.url}/ops", name="ops"),
        webhook(f"{hooks.url}/pages", name="pages", kinds=frozenset({"burn-rate"})),
        webhook(f"{hooks.url}/globex", name="globex", audience="customer", customer="globex"),
    ]
    dispatcher = Dispatcher(engine, targets, internal={"checkout-availability", "checkout"})
    ticket = notice(
        key="ticket-breached/globex/T-7",
        kind=NoticeKind.TICKET_BREACHED,
        labels={"alertname": "TicketBreached", "customer": "globex", "ticket": "T-7"},
        annotations={"summary": "Ticket T-7 passed its resolution time."},
        targets=("ops", "globex"),
    )
    other = notice(
        key="ticket-breached/acme/T-9",
        kind=NoticeKind.TICKET_BREACHED,
        labels={"alertname": "TicketBreached", "customer": "acme"},
        targets=("ops", "globex"),
    )
    burn = notice(targets=("pages", "globex"))
    default = notice(key="burn-rate/checkout-latency/page-fast")  # not routed: internal ones
    nowhere = notice(key="burn-rate/checkout-errors/page-fast", targets=())  # routed nowhere
    dispatcher.submit([ticket, other, burn, default, nowhere])
    assert sorted((r.target, r.notice_key) for r in all_rows(engine)) == [
        ("globex", "ticket-breached/globex/T-7"),
        ("ops", "burn-rate/checkout-latency/page-fast"),
        ("ops", "ticket-breached/acme/T-9"),
        ("ops", "ticket-breached/globex/T-7"),
        ("pages", "burn-rate/checkout-availability/page-fast"),
        ("pages", "burn-rate/checkout-latency/page-fast"),
    ]


def test_a_customer_never_reads_an_internal_name(engine: Engine, hooks: Receiver) -> None:
    target = webhook(f"{hooks.url}/globex", name="globex", audience="customer", customer="globex")
    dispatcher = Dispatcher(engine, [target], internal={"checkout-availability", "checkout"})
    dispatcher.submit(
        [
            notice(
                key="forecast-credit/globex-gold/checkout-availability",
                kind=NoticeKind.FORECAST_CREDIT,
                labels={
                    "alertname": "ForecastCredit",
                    "customer": "globex",
                    "agreement": "globex-gold",
                    "sloth_slo": "checkout-availability",
                    "sloth_service": "checkout",
                },
                annotations={
                    "summary": "At this rate, Globex's November credit becomes 10 % on the 27th.",
                    "description": "checkout-availability measures 99.2 %.",
                    "customer_display_name": "Globex Corporation",
                },
                targets=("globex",),
            )
        ]
    )
    assert dispatcher.send_due() == 1
    (body,) = hooks.bodies("/globex")
    assert body["labels"] == {
        "alertname": "ForecastCredit",
        "customer": "globex",
        "agreement": "globex-gold",
    }
    assert body["annotations"] == {
        "summary": "At this rate, Globex's November credit becomes 10 % on the 27th.",
        "customer_display_name": "Globex Corporation",  # its own name: kept
    }
    assert "checkout" not in json.dumps(body)


def test_a_firing_alert_is_sent_to_alertmanager_again_until_resolved(
    engine: Engine, hooks: Receiver
) -> None:
    clock = [STARTS]
    target = DeliveryTarget(name="am", kind="alertmanager", url=hooks.url)
    dispatcher = Dispatcher(engine, [target], clock=lambda: clock[0])
    dispatcher.submit([notice()])
    assert dispatcher.send_due() == 1
    clock[0] = STARTS + timedelta(minutes=59)
    assert dispatcher.resend_due() == 0  # sent less than an hour ago
    clock[0] = STARTS + timedelta(hours=1)
    assert dispatcher.resend_due() == 1
    clock[0] = STARTS + timedelta(hours=1, minutes=30)
    dispatcher.submit([notice(NoticeState.RESOLVED)])
    clock[0] = STARTS + timedelta(hours=3)
    assert dispatcher.resend_due() == 0  # its resolution is in the outbox
    assert dispatcher.send_due() == 1
    bodies = hooks.bodies("/api/v2/alerts")
    # endsAt: now + 4 h while firing (the hold), the alert's end once resolved
    assert [b[0]["endsAt"] for b in bodies] == [
        "2026-12-01T13:00:00Z",
        "2026-12-01T14:00:00Z",
        "2026-12-01T09:42:00Z",
    ]
    assert {b[0]["startsAt"] for b in bodies} == {"2026-12-01T09:00:00Z"}


def test_a_ticket_notice_reaches_its_customer_by_agreement(engine: Engine) -> None:
    # the agreement label says whose it is, whatever the customer label holds (an alert that
    # fired before the customer label held the customer's id has its display name there)
    target = webhook("http://127.0.0.1:9/x", name="globex", audience="customer", customer="globex")
    dispatcher = Dispatcher(engine, [target])
    dispatcher.customer_of = {"globex-gold": "globex", "acme-basic": "acme"}
    mine = notice(
        key="ticket-breached/globex-gold/T-7/resolution/0",
        kind=NoticeKind.TICKET_BREACHED,
        labels={"alertname": "TicketBreached", "agreement": "globex-gold", "customer": "Globex"},
        targets=("globex",),
    )
    theirs = notice(
        key="ticket-breached/acme-basic/T-9/resolution/0",
        kind=NoticeKind.TICKET_BREACHED,
        labels={"alertname": "TicketBreached", "agreement": "acme-basic", "customer": "globex"},
        targets=("globex",),
    )
    assert dispatcher.submit([mine, theirs]) == 1
    assert [r.notice_key for r in all_rows(engine)] == [mine.key]


def test_a_customer_summary_that_was_dropped_names_the_customer_by_its_display_name() -> None:
    ticket = notice(
        key="ticket-breached/globex-gold/T-7/resolution/1",
        kind=NoticeKind.TICKET_BREACHED,
        labels={"alertname": "TicketBreached", "agreement": "globex-gold", "customer": "globex"},
        annotations={
            "summary": "Ticket T-7 is late; checkout-availability burns too.",  # internal
            "customer_display_name": "Globex Corporation",
        },
    )
    seen = customer_view(ticket, ["checkout-availability"])
    assert dict(seen.annotations) == {
        "customer_display_name": "Globex Corporation",
        "summary": "A ticket passed its response or resolution time for Globex Corporation "
        "(firing).",
    }
    assert dict(seen.labels) == dict(ticket.labels)
