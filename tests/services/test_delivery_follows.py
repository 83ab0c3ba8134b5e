"""Every process's dispatcher follows the workspace's files itself (``covenant serve`` starts it
with the context's ``workspace``), not only the one whose worker ticks:

- a target added to the files after a follower started is sent to by that follower (it used to
  find the row's target unknown and mark the row failed at its first attempt);
- a target removed while its alert fires still gets the alert's resolution (the dispatcher
  keeps the removed target aside for the resolutions of what it was told), also from a
  process started after the removal, which never read the target from the files (the outbox
  row of the firing notice keeps how the target was reached).

Real webhook receivers, a real store (SQLite and PostgreSQL); the "files" are a loader whose
answer the test switches, as ``Context.workspace`` answers once a file changed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.delivery import Backoff, Dispatcher
from covenant.store import outbox
from tests.checkout import wait
from tests.receiver import Receiver, receiver

STARTS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ENDS = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def hook(name: str, url: str) -> str:
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


def workspace(*targets: str) -> Workspace:
    head = "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\n"
    loaded, problems = analyse_text("---\n".join([head, *targets]))
    assert loaded is not None, problems
    return loaded


def notice(state: NoticeState, targets: tuple[str, ...]) -> AlertNotice:
    firing = AlertNotice(
        key="burn-rate/checkout-availability/page-fast",
        kind=NoticeKind.BURN_RATE,
        state=NoticeState.FIRING,
        severity="page",
        labels={"alertname": "CheckoutAvailabilityBurnRate"},
        annotations={},
        starts_at=STARTS,
        targets=targets,
    )
    if state is NoticeState.FIRING:
        return firing
    return replace(firing, state=NoticeState.RESOLVED, ends_at=ENDS)


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as server:
        yield server


def sent(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return outbox.counts(conn)


def test_a_follower_sends_to_a_target_added_after_it_started(
    engine: Engine, hooks: Receiver
) -> None:
    old = workspace(hook("hook-a", f"{hooks.url}/a"))
    new = workspace(hook("hook-a", f"{hooks.url}/a"), hook("hook-b", f"{hooks.url}/b"))
    leader = Dispatcher.for_workspace(engine, new)  # writes the rows; never sends here
    follower = Dispatcher.for_workspace(engine, old, backoff=Backoff(0.05, 0.2), poll_s=0.05)
    follower.start(load=lambda: new)  # its files now name hook-b
    try:
        assert leader.submit([notice(NoticeState.FIRING, ("hook-b",))]) == 1
        hooks.wait_for("/b", 1)
        wait(lambda: sent(engine)["sent"] == 1, "the row marked sent")
    finally:
        assert follower.stop(30)
    assert sent(engine) == {"pending": 0, "sent": 1, "failed": 0}
    assert [b["target"] for b in hooks.bodies("/b")] == ["hook-b"]


def test_a_removed_target_gets_the_resolution_of_what_it_was_told(
    engine: Engine, hooks: Receiver
) -> None:
    both = workspace(hook("hook-a", f"{hooks.url}/a"), hook("hook-b", f"{hooks.url}/b"))
    only_a = workspace(hook("hook-a", f"{hooks.url}/a"))
    files = [both]
    dispatcher = Dispatcher.for_workspace(engine, both, backoff=Backoff(0.05, 0.2), poll_s=0.05)
    dispatcher.start(load=lambda: files[0])
    try:
        dispatcher.submit([notice(NoticeState.FIRING, ("hook-b",))])
        hooks.wait_for("/b", 1)
        files[0] = only_a  # hook-b is removed from the files while the alert fires
        wait(lambda: "hook-b" in dispatcher.retired, "the dispatcher read the files again")
        assert "hook-b" not in dispatcher.targets
        # the worker resolves the alert, its record still naming the removed target
        assert dispatcher.submit([notice(NoticeState.RESOLVED, ("hook-b",))]) == 1
        hooks.wait_for("/b", 2)
        wait(lambda: sent(engine)["sent"] == 2, "both rows marked sent")
        # a new firing notice for the removed target is not written: it is gone
        fresh = replace(notice(NoticeState.FIRING, ("hook-b",)), starts_at=ENDS)
        assert dispatcher.submit([fresh]) == 0
    finally:
        assert dispatcher.stop(30)
    assert [(b["state"], b["target"]) for b in hooks.bodies("/b")] == [
        ("firing", "hook-b"),
        ("resolved", "hook-b"),
    ]
    assert hooks.bodies("/a") == []
    assert sent(engine) == {"pending": 0, "sent": 2, "failed": 0}


def test_a_process_started_after_the_removal_still_sends_the_resolution(
    engine: Engine, hooks: Receiver
) -> None:
    """A restart between the removal and the resolution: the new process's files never named
    hook-b, yet hook-b hears the end of the alert it was told about, at the address (and with
    the settings) it was told it at; nothing new is routed to it."""
    both = workspace(hook("hook-a", f"{hooks.url}/a"), hook("hook-b", f"{hooks.url}/b"))
    only_a = workspace(hook("hook-a", f"{hooks.url}/a"))
    first = Dispatcher.for_workspace(engine, both, backoff=Backoff(0.05, 0.2), poll_s=0.05)
    first.start(load=lambda: both)
    try:
        assert first.submit([notice(NoticeState.FIRING, ("hook-b",))]) == 1
        hooks.wait_for("/b", 1)
        wait(lambda: sent(engine)["sent"] == 1, "the firing row marked sent")
    finally:
        assert first.stop(30)
    later = Dispatcher.for_workspace(engine, only_a, backoff=Backoff(0.05, 0.2), poll_s=0.05)
    assert later.retired == {}  # it never saw hook-b in its files
    later.start(load=lambda: only_a)
    try:
        assert later.submit([notice(NoticeState.RESOLVED, ("hook-b",))]) == 1
        hooks.wait_for("/b", 2)
        wait(lambda: sent(engine)["sent"] == 2, "the resolution marked sent")
        fresh = replace(notice(NoticeState.FIRING, ("hook-b",)), starts_at=ENDS)
        assert later.submit([fresh]) == 0  # a new alert is not routed to a removed target
    finally:
        assert later.stop(30)
    assert [(b["state"], b["target"]) for b in hooks.bodies("/b")] == [
        ("firing", "hook-b"),
        ("resolved", "hook-b"),
    ]
    assert hooks.bodies("/a") == []
    assert sent(engine) == {"pending": 0, "sent": 2, "failed": 0}
