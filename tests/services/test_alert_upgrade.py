"""An alert that fired before notices were routed (its stored record names no targets: a
Covenant before alert routing sent it to every internal target) and resolves on the first
tick after the upgrade: its resolution goes to every target its firing notice went to — the
webhooks too, not only Alertmanager. Real webhook receivers and a real Alertmanager.
(The other side of the rule — a policy with ``alertWhenResolved: false`` keeps the resolution
from its webhook although the webhook was told the alert fired — is
``tests/services/test_alert_routing.py``'s.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.delivery import Backoff, Dispatcher
from covenant.services.store import open_store
from covenant.services.worker import Worker
from covenant.store.worker_tables import alert_states
from tests.checkout import drained, put, wait
from tests.promserver import Server
from tests.receiver import receiver
from tests.services.test_alert_routing import T0, active, alertmanager, received, workspace_text

__all__ = ["alertmanager"]  # fixture, used by name

KEY = "burn-rate/checkout-availability/fast-burn"


def test_an_alert_fired_before_routing_resolves_to_every_target_it_went_to(
    tmp_path: Path, alertmanager: Server
) -> None:
    with receiver() as hooks:
        workspace: Workspace | None
        workspace, problems = analyse_text(workspace_text(hooks.url, alertmanager.url))
        assert workspace is not None, problems
        engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
        dispatcher = Dispatcher.for_workspace(engine, workspace, backoff=Backoff(0.05, 0.2))
        worker = Worker(engine, enqueue=dispatcher.enqueue)
        put(engine, T0 - timedelta(hours=3), 170, bad=0)
        put(engine, T0 - timedelta(minutes=10), 10, bad=50)  # checkout burns; the others: no data
        dispatcher.start()
        try:
            fired = worker.tick(workspace, T0)
            (firing,) = [n for n in fired.notices if n.key == KEY]
            # as the store looks after an upgrade from before alert routing: the record names
            # no targets, and its firing notice went to every internal target
            with engine.begin() as conn:
                conn.execute(
                    sa.update(alert_states).where(alert_states.c.key == KEY).values(targets="[]")
                )
            dispatcher.submit([replace(firing, targets=None)])
            wait(lambda: drained(engine), "the firing notices sent")
            wait(lambda: active(alertmanager) == ["checkout-availability"], "checkout paged")
            put(engine, T0, 8, bad=0)  # eight clean minutes: the 5-minute window is clean
            later = worker.tick(workspace, T0 + timedelta(minutes=8))
            assert [(n.key, n.state.value, n.targets) for n in later.notices] == [
                (KEY, "resolved", ())
            ]
            wait(lambda: drained(engine), "the resolutions sent")
            wait(lambda: active(alertmanager) == [], "Alertmanager heard the end")
        finally:
            assert dispatcher.stop(30)
            engine.dispose()
    for path, name in (
        ("/checkout", "hook-checkout"),
        ("/search", "hook-search"),
        ("/default", "hook-default"),
    ):
        assert received(hooks, path) == [(KEY, "firing", name), (KEY, "resolved", name)], path
