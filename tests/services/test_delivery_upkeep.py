"""Webhook signing (``signingSecretEnv``: HMAC-SHA256 of the send's instant and the body,
checked here with the standard library over the bytes a real receiver got, and with the
receiver's check docs/delivery.md gives) and pruning of sent outbox rows."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.definitions.delivery import DeliveryTarget
from covenant.definitions.workspace import analyse_text
from covenant.services.delivery import Backoff, Dispatcher
from covenant.store import outbox
from tests.conftest import ROOT
from tests.receiver import receiver

STARTS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FAST = Backoff(base_s=0.05, cap_s=0.2)


def notice(key: str, state: NoticeState = NoticeState.FIRING) -> AlertNotice:
    return AlertNotice(
        key=key,
        kind=NoticeKind.BURN_RATE,
        state=state,
        severity="page",
        labels={"alertname": "CheckoutAvailability", "note": "café ✓"},
        annotations={"summary": "Checkout burns its budget"},
        starts_at=STARTS,
        ends_at=STARTS + timedelta(minutes=42) if state is NoticeState.RESOLVED else None,
    )


def docs_check() -> Callable[..., bool]:
    """The receiver's check as docs/delivery.md gives it (its Python block, run as written)."""
    text = (ROOT / "docs" / "delivery.md").read_text()
    section = text[text.index("### Signed webhooks") :]
    code = section[section.index("```python\n") + 10 : section.index("```\n", 10)]
    scope: dict[str, Any] = {}
    exec(compile(code, "docs/delivery.md", "exec"), scope)
    check: Callable[..., bool] = scope["genuine"]
    return check


def test_a_signed_webhook_carries_the_hmac_of_its_instant_and_body(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", "k3y-ß")
    with receiver() as hooks:
        targets = [
            DeliveryTarget(
                name="signed",
                kind="webhook",
                url=f"{hooks.url}/signed",
                signing_secret_env="HOOK_SECRET",
            ),
            DeliveryTarget(name="plain", kind="webhook", url=f"{hooks.url}/plain"),
            DeliveryTarget(
                name="unset",
                kind="webhook",
                url=f"{hooks.url}/unset",
                signing_secret_env="NO_SUCH_VAR",
            ),
        ]
        sent_at = datetime(2026, 12, 1, 9, 5, 7, 250_000, tzinfo=UTC)
        dispatcher = Dispatcher(sqlite_engine, targets, backoff=FAST, clock=lambda: sent_at)
        assert dispatcher.submit([notice("burn-rate/checkout/page-fast")]) == 3
        assert dispatcher.send_due() == 3
    (signed,) = [r for r in hooks.requests if r.path == "/signed"]
    header = signed.headers["x-covenant-signature"]
    t = 1_796_115_907  # 2026-12-01T09:05:07Z in Unix seconds (whole seconds, floored)
    content = b"1796115907." + signed.raw
    expected = hmac.new("k3y-ß".encode(), content, hashlib.sha256).hexdigest()
    assert header == f"t={t},v1={expected}"
    assert json.loads(signed.raw)["labels"]["note"] == "café ✓"
    # the receiver's check from the docs: genuine now, not 6 minutes later (a replay), not
    # with another secret, a changed body or a changed instant
    genuine = docs_check()
    assert genuine(signed.raw, header, "k3y-ß", now=t + 299)
    assert not genuine(signed.raw, header, "k3y-ß", now=t + 360)
    assert not genuine(signed.raw, header, "other", now=t)
    assert not genuine(signed.raw.replace(b"page", b"tick"), header, "k3y-ß", now=t)
    moved = header.replace(f"t={t}", f"t={t + 60}")
    assert not genuine(signed.raw, moved, "k3y-ß", now=t + 60)
    assert not genuine(signed.raw, "sha256=" + expected, "k3y-ß", now=t)
    (plain,) = [r for r in hooks.requests if r.path == "/plain"]
    assert "x-covenant-signature" not in plain.headers
    assert [r.path for r in hooks.requests if r.path == "/unset"] == []  # never sent unsigned
    with sqlite_engine.connect() as conn:
        (row,) = [r for r in outbox.rows(conn) if r.target == "unset"]
    assert (row.status, row.last_error) == (
        "pending",
        "the environment variable NO_SUCH_VAR is not set — export NO_SUCH_VAR=… where "
        "Covenant sends alerts (the target unset names it)",
    )


def test_signing_is_only_for_webhooks() -> None:
    text = """\
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: chat
  annotations:
    covenant.dev/delivery: '{"urlEnv": "SLACK_URL", "signingSecretEnv": "SECRET"}'
spec:
  target: slack
"""
    workspace, problems = analyse_text(text)
    assert workspace is None
    (problem,) = [p for p in problems if p.severity == "error"]
    assert problem.code == "invalid-delivery"
    assert "signingSecretEnv" in problem.message
    bad_name = text.replace('"SECRET"', '"not a name"').replace("slack", "webhook")
    workspace, problems = analyse_text(
        bad_name.replace('"urlEnv": "SLACK_URL"', '"url": "http://h/x"')
    )
    assert workspace is None
    assert [p.code for p in problems if p.severity == "error"] == ["invalid-delivery"]


def test_sent_rows_older_than_the_retention_are_pruned(sqlite_engine: Engine) -> None:
    now = [STARTS]
    ended, firing = "burn-rate/ended/page-fast", "burn-rate/still-firing/page-fast"
    both = ("hook", "refuses")

    def left() -> list[tuple[str, str, str, str]]:
        with sqlite_engine.connect() as conn:
            return sorted((r.notice_key, r.state, r.target, r.status) for r in outbox.rows(conn))

    with receiver() as hooks:
        hooks.statuses["/refuses"] = [400]  # the first notice it gets is refused: failed
        targets = [
            DeliveryTarget(name="hook", kind="webhook", url=f"{hooks.url}/hook"),
            DeliveryTarget(name="refuses", kind="webhook", url=f"{hooks.url}/refuses"),
        ]
        dispatcher = Dispatcher(
            sqlite_engine, targets, backoff=FAST, clock=lambda: now[0], retention=timedelta(days=7)
        )
        dispatcher.submit([replace(notice(ended), targets=both)])
        dispatcher.submit([replace(notice(firing), targets=("hook",))])
        dispatcher.send_due()
        now[0] = STARTS + timedelta(hours=1)
        dispatcher.submit([replace(notice(ended, NoticeState.RESOLVED), targets=both)])
        dispatcher.send_due()
        assert left() == [
            (ended, "firing", "hook", "sent"),
            (ended, "firing", "refuses", "failed"),
            (ended, "resolved", "hook", "sent"),
            (ended, "resolved", "refuses", "failed"),  # never told it fired: held, not sent
            (firing, "firing", "hook", "sent"),
        ]
        now[0] = STARTS + timedelta(days=7, minutes=30)  # the firing rows are 7 days old
        assert dispatcher.prune() == 1  # the ended alert's firing row; the other still fires
        now[0] = STARTS + timedelta(days=7, hours=1, minutes=1)  # and now its resolution
        assert dispatcher.prune() == 1
    assert left() == [
        (ended, "firing", "refuses", "failed"),  # failed rows stay (alerts outbox --retry)
        (ended, "resolved", "refuses", "failed"),
        (firing, "firing", "hook", "sent"),  # still firing: kept however old
    ]


def test_the_sending_thread_prunes(sqlite_engine: Engine) -> None:
    now = [STARTS]
    with receiver() as hooks:
        target = DeliveryTarget(name="hook", kind="webhook", url=f"{hooks.url}/hook")
        dispatcher = Dispatcher(sqlite_engine, [target], backoff=FAST, clock=lambda: now[0])
        key = "burn-rate/ended/page-fast"
        dispatcher.submit([notice(key), notice(key, NoticeState.RESOLVED)])
        assert dispatcher.send_due() == 1  # the firing; its resolution waits for it
        assert dispatcher.send_due() == 1
        now[0] = STARTS + timedelta(days=8)  # older than the default retention (7 days)
        dispatcher.start()
        try:
            deadline = time.monotonic() + 60  # only ends a broken test
            while True:
                with sqlite_engine.connect() as conn:
                    if outbox.counts(conn) == {"pending": 0, "sent": 0, "failed": 0}:
                        break
                assert time.monotonic() < deadline, "the thread did not prune"
                time.sleep(0.05)
        finally:
            assert dispatcher.stop(30)


def test_the_workspace_settings_choose_the_retention(sqlite_engine: Engine) -> None:
    text = """\
apiVersion: covenant/v1
kind: Settings
metadata: {name: workspace}
spec: {outboxRetention: 14d}
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: hook
  annotations: {covenant.dev/delivery: '{"url": "http://127.0.0.1:9/hook"}'}
spec: {target: webhook}
"""
    workspace, problems = analyse_text(text)
    assert workspace is not None, problems
    assert Dispatcher.for_workspace(sqlite_engine, workspace).retention == timedelta(days=14)
    plain, _ = analyse_text(text.replace("spec: {outboxRetention: 14d}", "spec: {}"))
    assert plain is not None
    assert Dispatcher.for_workspace(sqlite_engine, plain).retention == timedelta(days=7)
    monthly, problems = analyse_text(text.replace("14d", "1M"))
    assert monthly is None
    assert [p.code for p in problems if p.severity == "error"] == ["invalid-duration"]
