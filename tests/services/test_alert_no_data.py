"""OpenSLO ``alertWhenNoData`` and ``alertWhenBreaching`` (docs/delivery.md, "Which notices go
where"): through the worker's tick, the outbox and the dispatcher to stdlib webhook receivers.

- A policy with ``alertWhenNoData: true`` gets a ``no-data`` alert of its tier when the SLO's
  data stops: pending once the tier's short window holds no event, firing after the
  condition's ``alertAfter``, resolved when data returns. A policy without it gets none.
- A stale source (its read failed) is no data too.
- A policy with ``alertWhenBreaching: false`` gets no burn-rate alert; another policy of the
  same tier still does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from covenant.core.timeutil import to_epoch
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.delivery import Backoff, Dispatcher
from covenant.services.store import open_store
from covenant.services.worker import Worker
from covenant.store.buckets import ensure_series
from covenant.store.db import write_transaction
from tests.checkout import drained, put, slo_with_policies, wait
from tests.receiver import Receiver, receiver

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
ALERT_AFTER = timedelta(minutes=5)  # the condition's alertAfter below
SHORT = timedelta(minutes=5)  # its short window: lookbackWindow 1h / 12
CONDITION = """\
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: fast-burn}
spec:
  severity: page
  condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m}
"""


def target(name: str, url: str) -> str:
    return f"""\
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: {name}
  annotations:
    covenant.dev/delivery: '{{"url": "{url}", "timeout": "5s"}}'
spec:
  target: webhook
"""


def policy(name: str, hook: str, extra: str = "") -> str:
    return f"""\
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {{name: {name}}}
spec:
{extra}  conditions: [{{conditionRef: fast-burn}}]
  notificationTargets: [{{targetRef: {hook}}}]
"""


def load(docs: list[str]) -> Workspace:
    head = ["apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\n", CONDITION]
    workspace, problems = analyse_text("---\n".join(head + docs))
    assert workspace is not None, problems
    for o in workspace.objectives:
        if o.slo == "payments-availability":  # no policy: the default tiers
            continue
        (tier,) = o.alert_tiers
        assert (tier.name, tier.short_window_s, tier.for_s) == (
            "fast-burn",
            SHORT.total_seconds(),
            ALERT_AFTER.total_seconds(),
        )
    return workspace


def received(hooks: Receiver, path: str) -> list[tuple[str, str, str, str]]:
    return [(b["key"], b["kind"], b["state"], b["target"]) for b in hooks.bodies(path)]


def phases(worker: Worker) -> dict[str, str]:
    assert worker.latest is not None
    return {r.key: r.phase.value for r in worker.latest.alerts}


def test_a_no_data_alert_fires_after_the_wait_and_resolves_when_data_returns(
    tmp_path: Path,
) -> None:
    nd = "no-data/checkout-availability/fast-burn"
    with receiver() as hooks:
        workspace = load(
            [
                target("hook-checkout", f"{hooks.url}/checkout"),
                target("hook-search", f"{hooks.url}/search"),
                target("hook-default", f"{hooks.url}/default"),
                policy("checkout-watch", "hook-checkout", "  alertWhenNoData: true\n"),
                policy("search-pages", "hook-search"),
                slo_with_policies("checkout", ["checkout-watch"]),
                slo_with_policies("search", ["search-pages"]),
                slo_with_policies("payments", []),
            ]
        )
        engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
        dispatcher = Dispatcher.for_workspace(engine, workspace, backoff=Backoff(0.05, 0.2))
        worker = Worker(engine, enqueue=dispatcher.enqueue)
        for series in ("checkout", "search", "payments"):  # clean data, which stops at T0
            put(engine, T0 - timedelta(hours=3), 180, bad=0, series=series)
        pending_from = T0 + SHORT  # the first short window without an event
        fires_at = pending_from + ALERT_AFTER
        dispatcher.start()
        try:
            at = T0
            while at < fires_at:
                tick = worker.tick(workspace, at)
                assert tick.notices == ()
                assert phases(worker) == ({nd: "pending"} if at >= pending_from else {}), at
                at += MINUTE
            fired = worker.tick(workspace, fires_at)
            assert [(n.key, n.state.value) for n in fired.notices] == [(nd, "firing")]
            (notice,) = fired.notices
            assert notice.starts_at == fires_at
            assert notice.targets == ("hook-checkout",)
            assert notice.labels["alertname"] == "CheckoutAvailabilityNoData"
            assert worker.tick(workspace, fires_at + MINUTE).notices == ()  # deduplicated
            put(engine, fires_at + MINUTE, 2, bad=0)  # data returns
            back = worker.tick(workspace, fires_at + 2 * MINUTE)
            assert [(n.key, n.state.value) for n in back.notices] == [(nd, "resolved")]
            wait(lambda: drained(engine), "every notice sent")
        finally:
            assert dispatcher.stop(30)
            engine.dispose()
    assert received(hooks, "/checkout") == [
        (nd, "no-data", "firing", "hook-checkout"),
        (nd, "no-data", "resolved", "hook-checkout"),
    ]
    assert received(hooks, "/search") == []  # its policy does not ask for no-data alerts
    assert received(hooks, "/default") == []  # nor does an SLO without policies


def test_alert_when_breaching_false_sends_no_burn_rate_alert_to_its_targets(
    tmp_path: Path,
) -> None:
    burn = "burn-rate/checkout-availability/fast-burn"
    nd = "no-data/checkout-availability/fast-burn"
    with receiver() as hooks:
        watch = "  alertWhenBreaching: false\n  alertWhenNoData: true\n"
        workspace = load(
            [
                target("hook-pages", f"{hooks.url}/pages"),
                target("hook-watch", f"{hooks.url}/watch"),
                policy("pages", "hook-pages"),
                policy("watch", "hook-watch", watch),
                slo_with_policies("checkout", ["pages", "watch"]),
            ]
        )
        routing = workspace.routing
        assert routing is not None
        assert routing.for_tier("checkout-availability", "fast-burn") == ("hook-pages",)
        assert routing.for_no_data("checkout-availability", "fast-burn") == ("hook-watch",)
        engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
        dispatcher = Dispatcher.for_workspace(engine, workspace, backoff=Backoff(0.05, 0.2))
        worker = Worker(engine, enqueue=dispatcher.enqueue)
        put(engine, T0 - timedelta(hours=3), 170, bad=0)
        put(
            engine, T0 - timedelta(minutes=10), 16, bad=50, series="checkout"
        )  # bad until T0 + 6 min
        stops = T0 + timedelta(minutes=6)  # no event from here on
        dispatcher.start()
        try:
            notices = []
            at = T0
            while at <= stops + SHORT + ALERT_AFTER:
                notices += [(n.key, n.state.value, at) for n in worker.tick(workspace, at).notices]
                at += MINUTE
            wait(lambda: drained(engine), "every notice sent")
        finally:
            assert dispatcher.stop(30)
            engine.dispose()
    assert notices == [
        (burn, "firing", T0 + ALERT_AFTER),  # bad since T0 - 10 min: pending from T0
        (burn, "resolved", stops + SHORT),  # no burn rate: the tier no longer fires
        (nd, "firing", stops + SHORT + ALERT_AFTER),
    ]
    assert [(k, s) for k, _, s, _ in received(hooks, "/pages")] == [
        (burn, "firing"),
        (burn, "resolved"),
    ]
    assert [(k, s) for k, _, s, _ in received(hooks, "/watch")] == [(nd, "firing")]


def test_a_stale_source_is_no_data_too(tmp_path: Path) -> None:
    """The SLO's events keep every window filled, but its source read failed: its numbers are
    stale ("no data (stale)"), so the no-data alert fires after alertAfter and resolves once a
    read succeeds again."""
    from covenant.store.source_reads import record_error, record_read  # noqa: PLC0415

    nd = "no-data/checkout-availability/fast-burn"
    workspace = load(
        [
            target("hook-checkout", "http://127.0.0.1:9/checkout"),
            policy("checkout-watch", "hook-checkout", "  alertWhenNoData: true\n"),
            slo_with_policies("checkout", ["checkout-watch"]),
        ]
    )
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    worker = Worker(engine)
    put(engine, T0 - timedelta(hours=3), 200, bad=0)  # until T0 + 20 min
    with write_transaction(engine) as conn:
        sid = ensure_series(conn, keys=["checkout"], step=60)["checkout"]
        record_read(conn, series_id=sid, source="prom", until=to_epoch(T0), at=T0)
        record_error(conn, series_id=sid, source="prom", code="source-error", message="down", at=T0)
    try:
        assert worker.tick(workspace, T0).notices == ()  # read up to T0: fresh at T0
        assert phases(worker) == {}
        stale_from = T0 + MINUTE
        at = stale_from
        while at < stale_from + ALERT_AFTER:
            tick = worker.tick(workspace, at)
            assert tick.report.evaluations[0].no_data is not None
            assert tick.report.evaluations[0].no_data.startswith("stale:")
            assert tick.notices == ()
            assert phases(worker) == {nd: "pending"}
            at += MINUTE
        fired = worker.tick(workspace, stale_from + ALERT_AFTER)
        assert [(n.key, n.state.value, n.targets) for n in fired.notices] == [
            (nd, "firing", ("hook-checkout",))
        ]
        assert "stale:" in fired.notices[0].annotations["description"]
        back = stale_from + ALERT_AFTER + MINUTE
        with write_transaction(engine) as conn:
            record_read(conn, series_id=sid, source="prom", until=to_epoch(back), at=back)
        resolved = worker.tick(workspace, back)
        assert [(n.key, n.state.value) for n in resolved.notices] == [(nd, "resolved")]
    finally:
        engine.dispose()
