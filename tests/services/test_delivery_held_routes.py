"""A held alert follows the routing of now (docs/delivery.md, "A target added while alerts
fire"): an alert whose SLO's data is stale neither fires nor resolves, but the targets its
notices go to are the workspace's current routing, as Alertmanager routes every notification
against the configuration it has now — not the targets of the last tick that evaluated it.

The worker ticks with a dispatcher that is never started: the test reads what it writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from covenant.core.timeutil import to_epoch
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.delivery import Dispatcher
from covenant.services.worker import Worker
from covenant.store import outbox
from covenant.store.alert_states import load_alert_states
from covenant.store.buckets import ensure_series
from covenant.store.db import write_transaction
from covenant.store.source_reads import record_error, record_read
from tests.checkout import STEP, put, slo_with_policies
from tests.services.test_delivery_new_target import CONDITION, policy, target

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
URL = "http://127.0.0.1:9/unused"  # nothing is sent: the dispatcher is never started


def files(*targets: str) -> Workspace:
    """checkout's policy pages ``targets`` (hook-old and hook-new are both defined)."""
    docs = [
        "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\n",
        CONDITION,
        target("hook-old", "webhook", f"{URL}/old"),
        target("hook-new", "webhook", f"{URL}/new"),
        slo_with_policies("checkout", ["checkout-pages"]),
        policy("checkout-pages", *targets),
    ]
    loaded, problems = analyse_text("---\n".join(docs))
    assert loaded is not None, problems
    return loaded


def rows(engine: Engine) -> set[tuple[str, str, str]]:
    with engine.connect() as conn:
        return {(r.notice_key, r.state, r.target) for r in outbox.rows(conn, limit=1000)}


def test_a_stale_held_alert_is_routed_as_the_workspace_routes_now(engine: Engine) -> None:
    before, after = files("hook-old"), files("hook-new")
    put(engine, T0 - timedelta(minutes=10), 10, bad=50)
    dispatcher = Dispatcher.for_workspace(engine, before)
    worker = Worker(engine, enqueue=dispatcher.enqueue, unheard=dispatcher.enqueue_unheard)
    fired = worker.tick(before, T0)
    keys = {n.key for n in fired.notices}
    assert keys == {"burn-rate/checkout-availability/fast-burn"}  # the policy's one tier
    assert rows(engine) == {(k, "firing", "hook-old") for k in keys}

    with write_transaction(engine) as conn:  # the source's read fails: checkout is stale
        sid = ensure_series(conn, keys=["checkout"], step=STEP)["checkout"]
        record_read(conn, series_id=sid, source="prom", until=to_epoch(T0), at=T0)
        record_error(conn, series_id=sid, source="prom", code="source-error", message="x", at=T0)
    dispatcher.refresh(after)  # the policy now pages hook-new instead of hook-old
    held = worker.tick(after, T0 + timedelta(minutes=1))
    assert held.notices == ()  # stale: nothing fires or resolves
    assert {r.phase.value for r in held.alerts} == {"firing"}
    assert {r.targets for r in held.alerts} == {("hook-new",)}
    with engine.connect() as conn:
        stored = load_alert_states(conn)
    assert {r.targets for r in stored.values()} == {("hook-new",)}
    # hook-new is told of the alerts that fire (with their own start), as if added to them
    assert rows(engine) == {(k, "firing", t) for k in keys for t in ("hook-old", "hook-new")}
