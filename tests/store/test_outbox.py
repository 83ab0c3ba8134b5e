"""The notice outbox on SQLite and PostgreSQL: one row per notice and target, leases, claims
that two senders never share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from covenant.store import outbox
from covenant.store.db import write_transaction

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


def row(key: str, target: str = "hook", state: str = "firing") -> outbox.NewRow:
    return outbox.NewRow(
        notice_key=key, state=state, starts_at=NOW, target=target, kind="burn-rate", notice="{}"
    )


def test_a_notice_is_written_once_per_state_and_target(engine: Engine) -> None:
    rows = [row("a"), row("a", target="chat"), row("a", state="resolved")]
    with write_transaction(engine) as conn:
        assert outbox.add(conn, rows, now=NOW) == 3
    with write_transaction(engine) as conn:
        assert outbox.add(conn, [*rows, row("b")], now=NOW) == 1
    with engine.connect() as conn:
        assert outbox.counts(conn) == {"pending": 4, "sent": 0, "failed": 0}


def test_claims_lease_rows_until_marked_or_expired(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        outbox.add(conn, [row("a"), row("b"), row("c")], now=NOW)
    with write_transaction(engine) as conn:
        first = outbox.claim(conn, now=NOW, limit=2, lease=LEASE, owner="one")
    with write_transaction(engine) as conn:
        second = outbox.claim(conn, now=NOW, limit=5, lease=LEASE, owner="two")
    assert [r.notice_key for r in first] == ["a", "b"]
    assert [r.notice_key for r in second] == ["c"]
    with write_transaction(engine) as conn:
        assert not outbox.mark_sent(conn, first[0].id, owner="two", now=NOW)  # not its lease
        assert outbox.mark_sent(conn, first[0].id, owner="one", now=NOW)
    later = NOW + LEASE + timedelta(seconds=1)  # "one" died holding b; "two" holding c
    with write_transaction(engine) as conn:
        again = outbox.claim(conn, now=later, limit=5, lease=LEASE, owner="three")
    assert [r.notice_key for r in again] == ["b", "c"]


def test_a_failed_send_waits_for_its_next_attempt(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        outbox.add(conn, [row("a")], now=NOW)
        (claimed,) = outbox.claim(conn, now=NOW, limit=1, lease=LEASE, owner="one")
        retry_at = NOW + timedelta(seconds=30)
        outbox.mark_failed(
            conn, claimed.id, owner="one", error="HTTP 503", next_attempt_at=retry_at, give_up=False
        )
    with write_transaction(engine) as conn:
        assert (
            outbox.claim(conn, now=retry_at - timedelta(seconds=1), limit=1, lease=LEASE, owner="x")
            == []
        )
        (again,) = outbox.claim(conn, now=retry_at, limit=1, lease=LEASE, owner="x")
    assert (again.attempts, again.last_error) == (1, "HTTP 503")


@pytest.mark.postgres
def test_two_postgres_senders_never_claim_the_same_row(postgres_engine: Engine) -> None:
    with write_transaction(postgres_engine) as conn:
        outbox.add(conn, [row(f"n{i}") for i in range(10)], now=NOW)
    with postgres_engine.connect() as one, postgres_engine.connect() as two, one.begin():
        mine = outbox.claim(one, now=NOW, limit=4, lease=LEASE, owner="one")
        # "one" still holds its rows' locks: "two" skips them instead of waiting
        with two.begin():
            two.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
            theirs = outbox.claim(two, now=NOW, limit=10, lease=LEASE, owner="two")
    assert len(mine) == 4
    assert len(theirs) == 6
    assert {r.id for r in mine}.isdisjoint({r.id for r in theirs})


def test_firing_alerts_are_claimed_again_until_their_resolution(engine: Engine) -> None:
    hour = timedelta(hours=1)
    with write_transaction(engine) as conn:
        outbox.add(conn, [row("a", target="am"), row("b", target="am"), row("c")], now=NOW)
        for claimed in outbox.claim(conn, now=NOW, limit=10, lease=LEASE, owner="o"):
            outbox.mark_sent(conn, claimed.id, owner="o", now=NOW)
        outbox.add(conn, [row("b", target="am", state="resolved")], now=NOW)
    with write_transaction(engine) as conn:
        early = outbox.claim_resend(conn, now=NOW + hour / 2, every=hour, targets=["am"], limit=9)
        due = outbox.claim_resend(conn, now=NOW + hour, every=hour, targets=["am"], limit=9)
        again = outbox.claim_resend(conn, now=NOW + hour, every=hour, targets=["am"], limit=9)
    assert early == []
    assert [(r.notice_key, r.target) for r in due] == [("a", "am")]  # b is resolved, c not am
    assert again == []  # just sent again
