"""Per (alert episode, target), a receiver hears the firing before the resolution (docs/delivery.md,
"Order"): a resolution is not sent while that target's firing row of the same episode is still
pending (in backoff, or being sent); a firing row given up holds its resolution back with it
(``failed``: the target was never told), and a retry — ``covenant alerts outbox --retry``, its
API and web page, all ``retry_failed`` — puts the pair back and sends the firing first, so a
receiver is never left with a firing alert whose end it will not hear.

Real sends to a real receiver; the dispatcher's clock is a list the test moves, so a row in
backoff is due exactly when the test says."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy.engine import Engine

from covenant.core.notices import AlertNotice, NoticeState
from covenant.services.delivery import Backoff, Dispatcher, retry_failed
from covenant.store import outbox
from covenant.store.db import write_transaction
from tests.receiver import receiver
from tests.services.test_delivery import ENDS, STARTS, all_rows, notice, webhook

WAIT = Backoff(base_s=60.0, cap_s=60.0)  # the second attempt is due 30 to 60 s after the first


def row(n: AlertNotice) -> outbox.NewRow:
    return outbox.NewRow(
        notice_key=n.key,
        state=n.state.value,
        starts_at=n.starts_at,
        target="hook",
        kind=n.kind.value,
        notice="{}",
    )


def statuses(engine: Engine) -> dict[str, tuple[str, int]]:
    return {r.state: (r.status, r.attempts) for r in all_rows(engine)}


def resolved_notice() -> AlertNotice:
    return replace(notice(NoticeState.RESOLVED), ends_at=ENDS)


def test_a_resolution_waits_while_its_firing_is_in_backoff(engine: Engine) -> None:
    now = [STARTS]
    with receiver() as hooks:
        hooks.statuses["/hook"] = [503]  # the firing fails once (a transient error): backoff
        dispatcher = Dispatcher(
            engine, [webhook(f"{hooks.url}/hook")], backoff=WAIT, clock=lambda: now[0]
        )
        assert dispatcher.submit([notice()]) == 1
        assert dispatcher.send_due() == 1
        assert statuses(engine) == {"firing": ("pending", 1)}

        now[0] = STARTS + timedelta(seconds=1)  # the alert resolves; its firing not due yet
        assert dispatcher.submit([resolved_notice()]) == 1
        assert dispatcher.send_due() == 0  # the resolution waits for its firing
        assert hooks.bodies("/hook") == []

        now[0] = STARTS + timedelta(minutes=2)  # both due: the firing goes, then its end
        assert dispatcher.send_due() == 1
        assert dispatcher.send_due() == 1
    assert [b["state"] for b in hooks.bodies("/hook")] == ["firing", "resolved"]
    assert statuses(engine) == {"firing": ("sent", 2), "resolved": ("sent", 1)}


def test_a_firing_given_up_holds_its_resolution_and_a_retry_sends_both_in_order(
    engine: Engine,
) -> None:
    now = [STARTS]
    with receiver() as hooks:
        hooks.statuses["/hook"] = [503, 400]  # a transient error, then a refusal: given up
        dispatcher = Dispatcher(
            engine, [webhook(f"{hooks.url}/hook")], backoff=WAIT, clock=lambda: now[0]
        )
        dispatcher.submit([notice()])
        assert dispatcher.send_due() == 1
        now[0] = STARTS + timedelta(seconds=1)
        dispatcher.submit([resolved_notice()])
        now[0] = STARTS + timedelta(minutes=2)
        assert dispatcher.send_due() == 1  # the firing, refused
        assert dispatcher.send_due() == 0  # its resolution is not sent: never told it fired
        rows = {r.state: r for r in all_rows(engine)}
        assert (rows["firing"].status, rows["resolved"].status) == ("failed", "failed")
        assert "firing" in (rows["resolved"].last_error or "")

        retried = retry_failed(engine, now=now[0], actor="test", ids=[rows["firing"].id])
        assert retried == 2  # the firing and, after it, its resolution
        assert dispatcher.send_due() == 1
        assert dispatcher.send_due() == 1
    assert [r.status for r in hooks.requests] == [503, 400, 200, 200]
    assert [b["state"] for b in hooks.bodies("/hook")] == ["firing", "resolved"]


def test_a_retry_after_the_alert_resolved_sends_the_firing_and_then_its_end(
    engine: Engine,
) -> None:
    """The firing row failed long before the alert resolved (its resolution was never
    written as one to send): a retry of every failed row still ends with the receiver
    hearing the alert's end."""
    now = [STARTS]
    with receiver() as hooks:
        hooks.statuses["/hook"] = [400]  # refused: given up at once
        dispatcher = Dispatcher(
            engine, [webhook(f"{hooks.url}/hook")], backoff=WAIT, clock=lambda: now[0]
        )
        dispatcher.submit([notice()])
        assert dispatcher.send_due() == 1
        assert statuses(engine) == {"firing": ("failed", 1)}

        now[0] = ENDS  # the alert resolves: no resolution goes to a target never told
        dispatcher.submit([resolved_notice()])
        assert dispatcher.send_due() == 0
        assert hooks.bodies("/hook") == []

        now[0] = ENDS + timedelta(days=1)  # an admin retries every failed row
        assert retry_failed(engine, now=now[0], actor="test") == 2
        while dispatcher.send_due():
            pass
    assert [b["state"] for b in hooks.bodies("/hook")] == ["firing", "resolved"]
    assert statuses(engine) == {"firing": ("sent", 1), "resolved": ("sent", 1)}  # tried anew


def test_a_resolution_written_as_its_firing_was_given_up_is_held_not_left_pending(
    engine: Engine,
) -> None:
    """On PostgreSQL a tick may write a resolution (its firing row read as pending) while a
    sender gives that firing up: the next claim holds it (failed), rather than leave it
    pending for good behind a firing that will not be sent."""
    lease = timedelta(minutes=2)
    with write_transaction(engine) as conn:
        outbox.add(conn, [row(notice())], now=STARTS)
        (firing,) = outbox.claim(conn, now=STARTS, limit=10, lease=lease, owner="me")
        outbox.mark_failed(
            conn, firing.id, owner="me", error="x", next_attempt_at=STARTS, give_up=True
        )  # no resolution to hold yet: the tick's is not committed
        outbox.add(conn, [row(resolved_notice())], now=STARTS)
        assert outbox.claim(conn, now=STARTS, limit=10, lease=lease, owner="me") == []
    rows = {r.state: r for r in all_rows(engine)}
    assert (rows["resolved"].status, rows["resolved"].last_error) == ("failed", outbox.HELD)
