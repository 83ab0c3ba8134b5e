"""A target whose firing notice ended ``failed`` was never told of the alert (docs/delivery.md,
"A target added while alerts fire"): like Alertmanager, whose notification log records only
the notifications a receiver accepted, Covenant does not send it the alert's resolution as if
it had heard the firing (the resolution is held, failed, beside it), and, while the alert
fires on and is routed to it, tells it again — its failed firing row is put back to pending
once it has been given up for the dispatcher's re-send interval (how often Alertmanager hears
a firing alert again), not every tick.

Real sends to a real receiver: ``/broken`` refuses the firing notice (400, a permanent
refusal: the row fails at once); ``/ok`` takes everything."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy.engine import Engine

from covenant.core.notices import NoticeState
from covenant.services.delivery import Backoff, Dispatcher
from covenant.store import outbox
from covenant.store.db import write_transaction
from tests.receiver import receiver
from tests.services.test_delivery import ENDS, FAST, STARTS, all_rows, notice, webhook

RESEND = timedelta(hours=1)


def statuses(engine: Engine) -> dict[tuple[str, str], tuple[str, int]]:
    return {(r.target, r.state): (r.status, r.attempts) for r in all_rows(engine)}


def test_a_failed_firing_row_is_not_told_its_resolution_nor_counted_as_told(
    engine: Engine,
) -> None:
    now = [STARTS]
    with receiver() as hooks:
        hooks.statuses["/broken"] = [400]
        dispatcher = Dispatcher(
            engine,
            [webhook(f"{hooks.url}/ok", name="ok"), webhook(f"{hooks.url}/broken", name="broken")],
            backoff=FAST,
            clock=lambda: now[0],
            resend=RESEND,
        )
        firing = notice(targets=("ok", "broken"))
        assert dispatcher.submit([firing]) == 2
        assert dispatcher.send_due() == 2
        assert statuses(engine) == {
            ("ok", "firing"): ("sent", 1),
            ("broken", "firing"): ("failed", 1),  # refused: given up at once
        }

        now[0] = STARTS + timedelta(minutes=1)  # the next tick: the alert fires on
        with write_transaction(engine) as conn:
            assert dispatcher.enqueue_unheard(conn, [firing]) == 0  # not yet: just given up
        assert statuses(engine)[("broken", "firing")] == ("failed", 1)

        now[0] = STARTS + RESEND + timedelta(minutes=1)  # given up a re-send interval ago
        with write_transaction(engine) as conn:
            assert dispatcher.enqueue_unheard(conn, [firing]) == 1  # "broken" told again
        assert statuses(engine)[("broken", "firing")] == ("pending", 0)
        with write_transaction(engine) as conn:  # pending: being told, not told twice
            assert dispatcher.enqueue_unheard(conn, [firing]) == 0
        hooks.statuses["/broken"] = [400]  # refused again
        assert dispatcher.send_due() == 1
        assert statuses(engine)[("broken", "firing")] == ("failed", 1)

        resolved = replace(notice(NoticeState.RESOLVED, targets=("ok", "broken")), ends_at=ENDS)
        assert dispatcher.submit([resolved]) == 1  # only "ok" heard it fire
        assert dispatcher.send_due() == 1
    assert statuses(engine) == {
        ("ok", "firing"): ("sent", 1),
        ("ok", "resolved"): ("sent", 1),
        ("broken", "firing"): ("failed", 1),
        ("broken", "resolved"): ("failed", 0),  # held with its firing, never tried
    }
    assert [b["state"] for b in hooks.bodies("/ok")] == ["firing", "resolved"]
    assert hooks.bodies("/broken") == []  # every request it had was refused (400)


def test_a_failed_firing_row_gets_no_resolution_after_its_route_changed(engine: Engine) -> None:
    """A resolution goes to the targets told of the firing even when the routing dropped them
    since — but a target whose firing row failed was not told: it is sent none (its row is
    held, failed, for a retry to send after the firing: tests/services/test_delivery_order.py)."""
    dispatcher = Dispatcher(
        engine,
        [webhook("http://127.0.0.1:9/a", name="a"), webhook("http://127.0.0.1:9/b", name="b")],
        clock=lambda: STARTS,
    )
    assert dispatcher.submit([notice(targets=("a", "b"))]) == 2
    with write_transaction(engine) as conn:  # "a" sent, "b" given up (no request is made)
        rows = outbox.claim(conn, now=STARTS, limit=10, lease=RESEND, owner="me")
        by_target = {r.target: r.id for r in rows}
        outbox.mark_sent(conn, by_target["a"], owner="me", now=STARTS)
        outbox.mark_failed(
            conn, by_target["b"], owner="me", error="x", next_attempt_at=STARTS, give_up=True
        )
    assert dispatcher.submit([notice(NoticeState.RESOLVED, targets=())]) == 1  # routed nowhere
    assert {(r.target, r.state, r.status) for r in all_rows(engine)} == {
        ("a", "firing", "sent"),
        ("a", "resolved", "pending"),
        ("b", "firing", "failed"),
        ("b", "resolved", "failed"),  # held: sent only after its firing, by a retry
    }


def test_a_failed_firing_row_is_told_again_a_re_send_interval_after_it_was_given_up(
    engine: Engine,
) -> None:
    """The wait is measured from the give-up (the last attempt), not from the next attempt
    the backoff would have made (here half an hour to an hour later, never made)."""
    now = [STARTS]
    with receiver() as hooks:
        hooks.statuses["/broken"] = [400]  # refused: given up at its first attempt, at STARTS
        dispatcher = Dispatcher(
            engine,
            [webhook(f"{hooks.url}/broken", name="broken")],
            backoff=Backoff(base_s=3600, cap_s=3600),  # 30 to 60 minutes
            clock=lambda: now[0],
            resend=RESEND,
        )
        firing = notice(targets=("broken",))
        assert dispatcher.submit([firing]) == 1
        assert dispatcher.send_due() == 1
        assert statuses(engine) == {("broken", "firing"): ("failed", 1)}

        now[0] = STARTS + RESEND - timedelta(minutes=1)  # given up 59 minutes ago
        with write_transaction(engine) as conn:
            assert dispatcher.enqueue_unheard(conn, [firing]) == 0
        now[0] = STARTS + RESEND + timedelta(minutes=1)  # given up 61 minutes ago
        with write_transaction(engine) as conn:
            assert dispatcher.enqueue_unheard(conn, [firing]) == 1
    assert statuses(engine) == {("broken", "firing"): ("pending", 0)}
