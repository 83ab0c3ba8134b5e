"""Notices go to the targets of their SLO's alert policies, their customer's targets, or the
workspace's default ones (docs/delivery.md, "Which notices go where") — through the worker's
tick, the outbox and the dispatcher to real receivers: a stdlib webhook receiver per target
path and a real Alertmanager."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.delivery import Backoff, Dispatcher
from covenant.services.store import open_store
from covenant.services.worker import Worker
from tests.checkout import drained, put, slo_with_policies, wait
from tests.promserver import Server, get_json, running_alertmanager
from tests.receiver import Receiver, receiver

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SLOS = ("checkout", "search", "payments")


def target(name: str, kind: str, url: str) -> str:
    return f"""\
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: {name}
  annotations:
    covenant.dev/delivery: '{{"url": "{url}", "timeout": "5s"}}'
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


CONDITION = """\
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: fast-burn}
spec:
  severity: page
  condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h}
"""


def workspace_text(hooks: str, alertmanager: str) -> str:
    """checkout → its policy's webhook and Alertmanager; search → its own webhook; payments
    has no policy → the default targets: those no policy names (``hook-default``)."""
    docs = [
        "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\n",
        CONDITION,
        target("hook-checkout", "webhook", f"{hooks}/checkout"),
        target("am-checkout", "alertmanager", alertmanager),
        target("hook-search", "webhook", f"{hooks}/search"),
        target("hook-default", "webhook", f"{hooks}/default"),
        policy("checkout-pages", "hook-checkout", "am-checkout"),
        policy("search-pages", "hook-search"),
        slo_with_policies("checkout", ["checkout-pages"]),
        slo_with_policies("search", ["search-pages"]),
        slo_with_policies("payments", []),
    ]
    return "---\n".join(docs)


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[Server]:
    with running_alertmanager(tmp_path / "am") as server:
        yield server


def received(hooks: Receiver, path: str) -> list[tuple[str, str, str]]:
    return sorted((b["key"], b["state"], b["target"]) for b in hooks.bodies(path))


def active(server: Server) -> list[str]:
    return sorted(a["labels"]["sloth_slo"] for a in get_json(f"{server.url}/api/v2/alerts"))


def test_each_target_gets_only_the_alerts_of_its_policies(
    tmp_path: Path, alertmanager: Server
) -> None:
    with receiver() as hooks:
        workspace: Workspace | None
        workspace, problems = analyse_text(workspace_text(hooks.url, alertmanager.url))
        assert workspace is not None, problems
        engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
        dispatcher = Dispatcher.for_workspace(engine, workspace, backoff=Backoff(0.05, 0.2))
        worker = Worker(engine, enqueue=dispatcher.enqueue)
        for series in SLOS:  # every SLO burns: its fast-burn (or default page-fast) tier fires
            put(engine, T0 - timedelta(hours=3), 170, bad=0, series=series)
            put(engine, T0 - timedelta(minutes=10), 10, bad=50, series=series)
        dispatcher.start()
        try:
            first = worker.tick(workspace, T0)
            keys = {n.key for n in first.notices}
            assert "burn-rate/checkout-availability/fast-burn" in keys
            assert "burn-rate/search-availability/fast-burn" in keys
            assert "burn-rate/payments-availability/page-fast" in keys  # the defaults
            payments = sorted(k for k in keys if k.startswith("burn-rate/payments"))
            hooks.wait_for("/checkout", 1)
            hooks.wait_for("/search", 1)
            hooks.wait_for("/default", len(payments))
            wait(lambda: active(alertmanager) == ["checkout-availability"], "checkout paged")
            for series in SLOS:  # eight clean minutes: every 5-minute window is clean
                put(engine, T0, 8, bad=0, series=series)
            later = worker.tick(workspace, T0 + timedelta(minutes=8))
            assert {n.state.value for n in later.notices} == {"resolved"}
            hooks.wait_for("/checkout", 2)
            hooks.wait_for("/search", 2)
            resolved_payments = [n.key for n in later.notices if "payments" in n.key]
            hooks.wait_for("/default", len(payments) + len(resolved_payments))
            wait(lambda: active(alertmanager) == [], "checkout's page resolved")
        finally:
            assert dispatcher.stop(30)
            engine.dispose()
    checkout = "burn-rate/checkout-availability/fast-burn"
    search = "burn-rate/search-availability/fast-burn"
    assert received(hooks, "/checkout") == [
        (checkout, "firing", "hook-checkout"),
        (checkout, "resolved", "hook-checkout"),
    ]
    assert received(hooks, "/search") == [
        (search, "firing", "hook-search"),
        (search, "resolved", "hook-search"),
    ]
    default = received(hooks, "/default")
    assert {key for key, _, _ in default} == set(payments)
    assert {who for _, _, who in default} == {"hook-default"}


# --- the agreement side: a customer's targets, its customer-facing target, the default ---

AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from covenant.config import Settings, sqlite_url  # noqa: PLC0415
    from covenant.services.demo import run_demo  # noqa: PLC0415
    from tests.conftest import ROOT  # noqa: PLC0415

    shop = tmp_path_factory.mktemp("routing") / "shop"
    shutil.copytree(ROOT / "examples" / "shop", shop, ignore=shutil.ignore_patterns(".covenant"))
    run_demo(Settings(workspace=shop, database_url=sqlite_url(shop)), at=AT, days=40)
    return shop


def test_agreement_alerts_go_to_their_customers_targets(demo: Path, tmp_path: Path) -> None:
    from covenant.config import sqlite_url  # noqa: PLC0415
    from covenant.core.tickets import Ticket  # noqa: PLC0415
    from covenant.services.record_changes import create_ticket  # noqa: PLC0415
    from covenant.services.workspace import load_workspace  # noqa: PLC0415

    shop = tmp_path / "shop"
    shutil.copytree(demo, shop)
    contracts = shop / "contracts.yaml"
    text = contracts.read_text()
    assert text.count("  currency: EUR\n") == 1  # Globex's Customer document
    contracts.write_text(
        text.replace("  currency: EUR\n", "  currency: EUR\n  notificationTargets: [globex-team]\n")
    )
    with receiver() as hooks:
        (shop / "targets.yaml").write_text(
            "---\n".join(
                [
                    target("globex-team", "webhook", f"{hooks.url}/globex-team"),
                    target("hook-default", "webhook", f"{hooks.url}/default"),
                    target("globex-portal", "webhook", f"{hooks.url}/globex-portal").replace(
                        '"timeout": "5s"', '"audience": "customer", "customer": "globex"'
                    ),
                ]
            )
        )
        workspace = replace(load_workspace(shop), prometheus=None)
        engine = open_store(sqlite_url(shop))
        dispatcher = Dispatcher.for_workspace(engine, workspace, backoff=Backoff(0.05, 0.2))
        worker = Worker(engine, enqueue=dispatcher.enqueue)
        opened = AT + timedelta(minutes=3)
        ticket = Ticket(id="GLX-R1", customer="globex", priority="P1", created=opened)
        create_ticket(engine, ticket=ticket, customers=["globex", "initech"], at=opened)
        dispatcher.start()
        try:
            at_risk = worker.tick(workspace, opened + timedelta(minutes=23))  # 23 of 30 min
            deadline = datetime(2027, 1, 1, 5, 0, tzinfo=UTC)  # Initech's November credit
            claim = worker.tick(workspace, deadline - timedelta(days=7))
            wait(lambda: drained(engine), "every notice sent")
        finally:
            assert dispatcher.stop(30)
            engine.dispose()
    ticket_key = "ticket-at-risk/globex-enterprise/GLX-R1/first-response/1"
    assert ticket_key in {n.key for n in at_risk.notices}
    (claim_key,) = [n.key for n in claim.notices if n.kind.value == "claim-deadline"]
    assert claim_key.startswith("claim-deadline/initech-standard/")

    team = hooks.bodies("/globex-team")
    assert ticket_key in {b["key"] for b in team}
    assert {b["labels"]["agreement"] for b in team} == {"globex-enterprise"}
    portal = hooks.bodies("/globex-portal")
    assert "GLX-R1" in {b["labels"].get("ticket") for b in portal if b["kind"] == "ticket-at-risk"}
    assert {b["labels"]["customer"] for b in portal} <= {"globex", "Globex Corporation"}
    assert "burn-rate" not in {b["kind"] for b in portal + team}
    default = hooks.bodies("/default")
    assert claim_key in {b["key"] for b in default}  # Initech names no targets: the default
    assert not [b for b in default if b["labels"].get("agreement") == "globex-enterprise"]


def test_an_inline_target_of_an_inline_policy_gets_its_slos_alerts(tmp_path: Path) -> None:
    with receiver() as hooks:
        inline = f"""\
  alertPolicies:
    - kind: AlertPolicy
      metadata: {{name: search-inline}}
      spec:
        conditions: [{{conditionRef: fast-burn}}]
        notificationTargets:
          - kind: AlertNotificationTarget
            metadata:
              name: hook-inline
              annotations:
                covenant.dev/delivery: '{{"url": "{hooks.url}/inline"}}'
            spec: {{target: webhook}}
"""
        text = "---\n".join(
            [
                "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\n",
                CONDITION,
                target("hook-default", "webhook", f"{hooks.url}/default"),
                slo_with_policies("checkout", []),
                slo_with_policies("search", []).replace("  alertPolicies: []\n", inline),
            ]
        )
        workspace, problems = analyse_text(text)
        assert workspace is not None, problems
        assert sorted(t.name for t in workspace.delivery) == ["hook-default", "hook-inline"]
        engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
        dispatcher = Dispatcher.for_workspace(engine, workspace, backoff=Backoff(0.05, 0.2))
        worker = Worker(engine, enqueue=dispatcher.enqueue)
        for series in ("checkout", "search"):
            put(engine, T0 - timedelta(hours=3), 170, bad=0, series=series)
            put(engine, T0 - timedelta(minutes=10), 10, bad=50, series=series)
        tick = worker.tick(workspace, T0)
        dispatcher.start()
        try:
            wait(lambda: drained(engine), "every notice sent")
        finally:
            assert dispatcher.stop(30)
            engine.dispose()
    search = "burn-rate/search-availability/fast-burn"
    assert received(hooks, "/inline") == [(search, "firing", "hook-inline")]
    checkout = sorted(n.key for n in tick.notices if "checkout" in n.key)
    assert checkout  # the default tiers fired for checkout, which has no policy
    assert sorted(key for key, _, _ in received(hooks, "/default")) == checkout


def test_a_bad_inline_delivery_annotation_is_an_error() -> None:
    text = "---\n".join(
        [
            "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\n",
            CONDITION,
            """\
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: pages}
spec:
  conditions: [{conditionRef: fast-burn}]
  notificationTargets:
    - kind: AlertNotificationTarget
      metadata:
        name: hook-inline
        annotations: {covenant.dev/delivery: '{"url": "ftp://nowhere"}'}
      spec: {target: webhook}
""",
            slo_with_policies("checkout", ["pages"]),
        ]
    )
    workspace, problems = analyse_text(text)
    assert workspace is None
    (problem,) = [p for p in problems if p.severity == "error"]
    assert problem.code == "invalid-delivery"
    assert "notificationTargets[0]" in problem.field or "notificationTargets" in str(problem)


def test_an_slo_whose_policies_reach_no_delivered_target_is_warned_about() -> None:
    email = """\
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata: {name: mail}
spec: {target: email}
"""
    text = "---\n".join(
        [
            "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\n",
            CONDITION,
            email,
            target("hook", "webhook", "http://127.0.0.1:9/hook"),
            policy("mail-only", "mail"),
            policy("hooked", "hook"),
            slo_with_policies("checkout", ["mail-only"]),
            slo_with_policies("search", ["hooked"]),
        ]
    )
    workspace, problems = analyse_text(text)
    assert workspace is not None, problems
    routed = [p for p in problems if p.code == "alerts-not-routed"]
    assert [p.message for p in routed] == [
        "the alert policies of SLO 'checkout-availability' name no target Covenant delivers "
        "to: its alerts are not sent"
    ]
    assert routed[0].severity == "warning"
    assert workspace.routing is not None
    assert workspace.routing.for_tier("checkout-availability", "fast-burn") == ()
    assert workspace.routing.for_tier("search-availability", "fast-burn") == ("hook",)


def test_alert_when_resolved_false_keeps_resolutions_from_webhooks_not_alertmanager(
    tmp_path: Path, alertmanager: Server
) -> None:
    with receiver() as hooks:
        quiet = policy("checkout-pages", "hook-checkout", "am-checkout").replace(
            "spec:\n", "spec:\n  alertWhenResolved: false\n"
        )
        text = "---\n".join(
            [
                "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\n",
                CONDITION,
                target("hook-checkout", "webhook", f"{hooks.url}/checkout"),
                target("am-checkout", "alertmanager", alertmanager.url),
                target("hook-search", "webhook", f"{hooks.url}/search"),
                quiet,
                policy("search-pages", "hook-search"),
                slo_with_policies("checkout", ["checkout-pages"]),
                slo_with_policies("search", ["search-pages"]),
            ]
        )
        workspace, problems = analyse_text(text)
        assert workspace is not None, problems
        engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
        dispatcher = Dispatcher.for_workspace(engine, workspace, backoff=Backoff(0.05, 0.2))
        worker = Worker(engine, enqueue=dispatcher.enqueue)
        for series in ("checkout", "search"):
            put(engine, T0 - timedelta(hours=3), 170, bad=0, series=series)
            put(engine, T0 - timedelta(minutes=10), 10, bad=50, series=series)
        dispatcher.start()
        try:
            worker.tick(workspace, T0)
            wait(lambda: active(alertmanager) == ["checkout-availability"], "checkout paged")
            for series in ("checkout", "search"):
                put(engine, T0, 8, bad=0, series=series)
            later = worker.tick(workspace, T0 + timedelta(minutes=8))
            assert len(later.notices) == 2  # both resolve
            wait(lambda: active(alertmanager) == [], "Alertmanager heard the end")
            wait(lambda: drained(engine), "every notice sent")
        finally:
            assert dispatcher.stop(30)
            engine.dispose()
    checkout = "burn-rate/checkout-availability/fast-burn"
    search = "burn-rate/search-availability/fast-burn"
    assert received(hooks, "/checkout") == [(checkout, "firing", "hook-checkout")]
    assert received(hooks, "/search") == [
        (search, "firing", "hook-search"),
        (search, "resolved", "hook-search"),
    ]
