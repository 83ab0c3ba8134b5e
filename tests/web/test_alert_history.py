"""An SLO page's alert history: every transition on record, not only each alert's last one.
The real worker ticks over data written here: the fast page fires at the demo's instant,
resolves after two good hours, and fires again after half an hour of 50 % failures; the page
lists all three from the worker's history (``alert_transitions``), a pending alert dropped
unfired too; a store without them (upgraded since) shows the earlier two from the outbox and
the last from the worker's record."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import timedelta

import pytest
import sqlalchemy as sa

from covenant.core.alert_state import PhaseChange
from covenant.core.notices import AlertNotice, NoticeKind
from covenant.core.tickets import Ticket
from covenant.services.record_changes import create_ticket, update_ticket
from covenant.services.senders import encode_notice
from covenant.services.store import open_store
from covenant.services.worker import Worker
from covenant.services.workspace import load_workspace
from covenant.store import alert_transitions, outbox
from covenant.store.db import write_transaction
from tests.api.support import AT, Shop, make_shop
from tests.checkout import put
from tests.web.pages import Browser
from tests.web.served import add_users

KEY = "burn-rate/checkout-availability/page-fast"  # 1 h long window, 5 min short
SLOW = "burn-rate/checkout-availability/ticket-slow"


def history_rows(browser: Browser, path: str = "/ui/slos/checkout-availability") -> list[list[str]]:
    """The cells of the alert history table of the page at ``path``, row by row."""
    page = browser.get(path).text
    table = page[page.index('<table class="alert-history">') :]
    table = table[: table.index("</table>")]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row)]
        for row in re.findall(r"<tr><td>.*?</tr>", table, re.S)
    ]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-alerts"))
    add_users(made)
    return made


def test_the_slo_page_lists_every_transition_on_record(shop: Shop) -> None:
    engine = open_store(shop.settings.database_url)
    workspace = load_workspace(shop.workspace)
    series = workspace.objective("checkout-availability").series

    def enqueue(conn: object, notices: Sequence[AlertNotice]) -> int:
        """What delivery writes for one webhook target that takes every notice."""
        rows = [
            outbox.NewRow(
                notice_key=n.key,
                state=n.state.value,
                starts_at=n.starts_at,
                target="hook",
                kind=n.kind.value,
                notice=encode_notice(n),
            )
            for n in notices
        ]
        return outbox.add(conn, rows, now=AT)  # type: ignore[arg-type]

    worker = Worker(engine, enqueue=enqueue, catch_up=False)
    worker.tick(workspace, AT)  # the demo's last hour burns far above 13.44×: it fires
    put(engine, AT, 120, bad=0, series=series)
    worker.tick(workspace, AT + timedelta(hours=2))  # two good hours: it resolves
    put(engine, AT + timedelta(hours=2), 30, bad=50, series=series)
    worker.tick(workspace, AT + timedelta(hours=2, minutes=30))  # 50 % failing: 500×, again
    dropped = PhaseChange(  # what the worker records of a pending alert ended unfired
        key=SLOW,
        kind=NoticeKind.BURN_RATE,
        from_state="pending",
        to_state="dropped",
        at=AT + timedelta(hours=1, minutes=7),
        severity="ticket",
        labels={},
        annotations={},
    )
    with write_transaction(engine) as conn:
        alert_transitions.record(conn, [dropped])

    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    rows = history_rows(browser)
    assert [r for r in rows if r[1] == KEY] == [
        ["2026-11-20 14:30", KEY, "firing", "history"],
        ["2026-11-20 14:00", KEY, "resolved", "history"],
        ["2026-11-20 12:00", KEY, "firing", "history"],
    ]
    assert ["2026-11-20 13:07", SLOW, "dropped", "history"] in rows
    times = [r[0] for r in rows]
    assert times == sorted(times, reverse=True)  # newest first

    with write_transaction(engine) as conn:  # as a store upgraded after these ticks
        conn.execute(sa.delete(alert_transitions.alert_transitions))
    engine.dispose()
    rows = history_rows(browser)
    assert [r for r in rows if r[1] == KEY] == [
        ["2026-11-20 14:30", KEY, "firing", "alert state"],
        ["2026-11-20 14:00", KEY, "resolved", "outbox"],
        ["2026-11-20 12:00", KEY, "firing", "outbox"],
    ]
    times = [r[0] for r in rows]
    assert times == sorted(times, reverse=True)  # newest first


def test_the_agreement_page_lists_its_alerts_transitions(shop: Shop) -> None:
    """A Globex P1 ticket created at AT + 3 h, unanswered: its 30-minute first response is at
    risk past 75 % (the tick at + 23 min), breached past 30 (at + 31 min); answered at + 34 min,
    both resolve at the tick at + 35 min (examples/shop/contracts.yaml)."""
    engine = open_store(shop.settings.database_url)
    workspace = load_workspace(shop.workspace)
    opened = AT + timedelta(hours=3)
    ticket = Ticket(id="GLX-H1", customer="globex", priority="P1", created=opened)
    create_ticket(engine, ticket=ticket, customers=["globex", "initech"], at=opened)
    worker = Worker(engine, catch_up=False)  # no delivery target: nothing in the outbox
    for minutes in (22, 23, 31):
        worker.tick(workspace, opened + timedelta(minutes=minutes))
    answered = opened + timedelta(minutes=34)
    update_ticket(engine, ticket_id="GLX-H1", at=answered, first_response=answered)
    worker.tick(workspace, opened + timedelta(minutes=35))
    engine.dispose()

    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    rows = history_rows(browser, "/ui/agreements/globex-enterprise")
    key = "globex-enterprise/GLX-H1/first-response/1"
    assert [r for r in rows if "GLX-H1" in r[1]] == [
        ["2026-11-20 15:35", f"ticket-breached/{key}", "resolved", "history"],
        ["2026-11-20 15:35", f"ticket-at-risk/{key}", "resolved", "history"],
        ["2026-11-20 15:31", f"ticket-breached/{key}", "firing", "history"],
        ["2026-11-20 15:23", f"ticket-at-risk/{key}", "firing", "history"],
    ]
    assert not [r for r in rows if r[1].startswith("burn-rate/")]  # its own alerts only
