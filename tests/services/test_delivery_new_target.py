"""A target added to the workspace while alerts fire is told of the alerts that fire now and
match it, as Alertmanager tells a receiver added to a route (docs/delivery.md, "A target
added while alerts fire"): once, with the alert's own ``startsAt``, then re-sent and resolved
like any firing notice it was sent. Not told: a target whose routing does not take the alert
(another SLO's policy, a ``kinds`` filter), and an alert that resolved before it was added.

Two processes on one store, each with its worker loop (a real leadership: only the leader
ticks and writes) and its dispatcher; real webhook receivers and a real Alertmanager; SQLite
and PostgreSQL. The "files" are a loader whose answer the test switches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from covenant.core.notices import NoticeKind
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.delivery import Backoff, Dispatcher
from covenant.services.leader import Leadership
from covenant.services.store import open_store
from covenant.services.worker import Worker
from covenant.services.worker_loop import WorkerLoop
from covenant.store import outbox
from covenant.store.db import write_transaction
from tests.checkout import drained, put, slo_with_policies, wait
from tests.promserver import Server, get_json, running_alertmanager
from tests.receiver import Receiver, receiver
from tests.services.test_delivery import STARTS, notice, webhook

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CHECKOUT = "burn-rate/checkout-availability/fast-burn"
SEARCH = "burn-rate/search-availability/fast-burn"

CONDITION = """\
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: fast-burn}
spec:
  severity: page
  condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h}
"""


def target(name: str, kind: str, url: str, kinds: str = "") -> str:
    extra = f', "kinds": ["{kinds}"]' if kinds else ""
    return f"""\
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: {name}
  annotations:
    covenant.dev/delivery: '{{"url": "{url}", "timeout": "5s"{extra}}}'
spec:
  target: {kind}
"""


def policy(name: str, *targets: str) -> str:
    refs = ", ".join(f"{{targetRef: {t}}}" for t in targets)
    return f"""\
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {{name: {name}}}
spec:
  conditions: [{{conditionRef: fast-burn}}]
  notificationTargets: [{refs}]
"""


def files(hooks: str, alertmanager: str, *, added: bool) -> Workspace:
    """Before (``added=False``): checkout's and search's policies page ``hook-old``. After:
    ``hook-new`` and ``am-new`` join both policies' targets, ``hook-tickets`` (kinds:
    ticket-breached) joins checkout's, and ``hook-payments`` pages a new SLO that never fires."""
    docs = [
        "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\n",
        CONDITION,
        target("hook-old", "webhook", f"{hooks}/old"),
        slo_with_policies("checkout", ["checkout-pages"]),
        slo_with_policies("search", ["search-pages"]),
    ]
    if added:
        docs += [
            target("hook-new", "webhook", f"{hooks}/new"),
            target("am-new", "alertmanager", alertmanager),
            target("hook-tickets", "webhook", f"{hooks}/tickets", kinds="ticket-breached"),
            target("hook-payments", "webhook", f"{hooks}/payments"),
            policy("checkout-pages", "hook-old", "hook-new", "am-new", "hook-tickets"),
            policy("search-pages", "hook-old", "hook-new", "am-new"),
            policy("payments-pages", "hook-payments"),
            slo_with_policies("payments", ["payments-pages"]),
        ]
    else:
        docs += [policy("checkout-pages", "hook-old"), policy("search-pages", "hook-old")]
    loaded, problems = analyse_text("---\n".join(docs))
    assert loaded is not None, problems
    return loaded


@dataclass
class Process:
    """One ``covenant serve`` process: its engine, dispatcher and worker loop."""

    dispatcher: Dispatcher
    loop: WorkerLoop
    leadership: Leadership

    def close(self) -> None:
        assert self.dispatcher.stop(30)
        self.leadership.close()
        self.dispatcher.engine.dispose()


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[Server]:
    with running_alertmanager(tmp_path / "am") as server:
        yield server


def rows(engine_url: str) -> int:
    engine = open_store(engine_url)
    try:
        with engine.connect() as conn:
            return sum(outbox.counts(conn).values())
    finally:
        engine.dispose()


def received(hooks: Receiver, path: str) -> list[tuple[str, str, str, str]]:
    return [(b["key"], b["state"], b["target"], b["startsAt"]) for b in hooks.bodies(path)]


def test_a_target_added_while_alerts_fire_is_told_of_them_once(
    store_url: str, alertmanager: Server
) -> None:
    open_store(store_url).dispose()  # migrated
    now = [T0]
    with receiver() as hooks:
        before = files(hooks.url, alertmanager.url, added=False)
        after = files(hooks.url, alertmanager.url, added=True)
        current = [before]

        def process() -> Process:
            engine = open_store(store_url)
            dispatcher = Dispatcher.for_workspace(engine, current[0], backoff=Backoff(0.05, 0.2))
            dispatcher.start(load=lambda: current[0])
            leadership = Leadership(store_url)
            loop = WorkerLoop(
                Worker(engine, enqueue=dispatcher.enqueue, unheard=dispatcher.enqueue_unheard),
                workspace=dispatcher.following(lambda: current[0]),
                clock=lambda: now[0],
                leadership=leadership,
            )
            return Process(dispatcher=dispatcher, loop=loop, leadership=leadership)

        engine = open_store(store_url)
        for series in ("checkout", "search", "payments"):
            put(engine, T0 - timedelta(hours=3), 200, bad=0, series=series)
        for series in ("checkout", "search"):  # both burn from ten minutes before T0
            put(engine, T0 - timedelta(minutes=10), 10, bad=50, series=series)
        put(engine, T0, 20, bad=50, series="checkout")  # checkout burns on until T0+20m
        put(engine, T0, 20, bad=0, series="search")  # search is clean from T0
        engine.dispose()

        first, second = process(), process()
        try:
            fired = first.loop.run_once()  # the first process leads
            assert fired is not None
            assert {n.key for n in fired.notices} == {CHECKOUT, SEARCH}
            assert second.loop.run_once() is None  # a follower ticks not
            hooks.wait_for("/old", 2)
            now[0] = T0 + timedelta(minutes=8)  # search's five-minute window is clean
            resolved = first.loop.run_once()
            assert resolved is not None
            assert [(n.key, n.state.value) for n in resolved.notices] == [(SEARCH, "resolved")]
            hooks.wait_for("/old", 3)

            current[0] = after  # the targets are added while checkout fires
            now[0] = T0 + timedelta(minutes=9)
            assert second.loop.run_once() is None  # the follower writes nothing
            told = first.loop.run_once()
            assert told is not None
            assert told.notices == ()  # no alert changed state
            hooks.wait_for("/new", 1)
            wait(lambda: drained(first.dispatcher.engine), "the new rows sent")
            wait(
                lambda: (
                    [
                        (a["labels"]["sloth_slo"], a["startsAt"][:19])
                        for a in get_json(f"{alertmanager.url}/api/v2/alerts")
                    ]
                    == [("checkout-availability", "2026-11-20T12:00:00")]
                ),
                "Alertmanager told of checkout, with its start",
            )
            written = rows(store_url)
            assert written == 2 + 1 + 2  # hook-old: 2 firing, 1 resolved; the two added targets

            now[0] = T0 + timedelta(minutes=10)
            assert first.loop.run_once() is not None
            assert rows(store_url) == written  # told once

            first.loop.stop(30)  # the leader goes (its leadership released): a restart
            first.close()
            now[0] = T0 + timedelta(minutes=11)
            later = second.loop.run_once()  # the other process leads now: nothing told again
            assert later is not None
            assert rows(store_url) == written

            engine = open_store(store_url)
            put(engine, T0 + timedelta(minutes=20), 10, bad=0, series="checkout")
            engine.dispose()
            now[0] = T0 + timedelta(minutes=28)  # checkout's five-minute window is clean
            ended = second.loop.run_once()
            assert ended is not None
            assert [(n.key, n.state.value) for n in ended.notices] == [(CHECKOUT, "resolved")]
            hooks.wait_for("/old", 4)
            hooks.wait_for("/new", 2)
            wait(lambda: drained(second.dispatcher.engine), "the resolutions sent")
            wait(
                lambda: get_json(f"{alertmanager.url}/api/v2/alerts") == [],
                "Alertmanager heard checkout end",
            )
        finally:
            second.loop.stop(30)
            second.close()
            if first.dispatcher._thread is not None:
                first.loop.stop(30)
                first.close()
    start = "2026-11-20T12:00:00Z"
    assert sorted(received(hooks, "/old")) == [  # the two firing notices went out together
        (CHECKOUT, "firing", "hook-old", start),
        (CHECKOUT, "resolved", "hook-old", start),
        (SEARCH, "firing", "hook-old", start),
        (SEARCH, "resolved", "hook-old", start),
    ]
    # told of checkout (firing since T0, not since it was added), never of search (resolved)
    assert received(hooks, "/new") == [
        (CHECKOUT, "firing", "hook-new", start),
        (CHECKOUT, "resolved", "hook-new", start),
    ]
    assert hooks.bodies("/tickets") == []  # takes ticket-breached notices only
    assert hooks.bodies("/payments") == []  # its policy's SLO never fired


def test_only_the_targets_that_take_an_alert_and_were_not_told_are_written(
    engine: Engine,
) -> None:
    """The dispatcher's side alone: of the targets a firing ticket alert names, the one that
    was told of its episode is not written again, a customer's target takes only its own
    customer's alert and a ``kinds`` filter is respected; a second call writes nothing."""
    url = "http://127.0.0.1:9/unused"  # nothing is sent here
    dispatcher = Dispatcher(
        engine,
        [
            webhook(url, name="told"),
            webhook(url, name="ops"),
            webhook(url, name="pages", kinds=frozenset({"burn-rate"})),
            webhook(url, name="globex", audience="customer", customer="globex"),
            webhook(url, name="acme", audience="customer", customer="acme"),
        ],
    )
    ticket = notice(
        key="ticket-breached/globex/T-7",
        kind=NoticeKind.TICKET_BREACHED,
        labels={"alertname": "TicketBreached", "customer": "globex", "ticket": "T-7"},
        targets=("told",),
    )
    assert dispatcher.submit([ticket]) == 1  # its firing notice went to "told" only
    now = replace(ticket, targets=("told", "ops", "pages", "globex", "acme", "gone"))
    with write_transaction(engine) as conn:
        assert dispatcher.enqueue_unheard(conn, [now]) == 2
    with write_transaction(engine) as conn:
        assert dispatcher.enqueue_unheard(conn, [now]) == 0
    with engine.connect() as conn:
        found = [(r.target, r.state, r.starts_at) for r in outbox.rows(conn, limit=100)]
    assert sorted(found) == [
        ("globex", "firing", STARTS),
        ("ops", "firing", STARTS),
        ("told", "firing", STARTS),
    ]
