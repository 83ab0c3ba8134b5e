"""`covenant serve`'s lifespan runs delivery beside the worker: a tick's notices reach the
workspace's webhook target (a real HTTP receiver) without anyone calling the dispatcher."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from covenant.api.app import create_app
from covenant.api.deps import Context
from covenant.config import Settings, sqlite_url
from covenant.services.store import open_store
from tests.checkout import CHECKOUT_SLO, put
from tests.receiver import receiver
from tests.services.test_worker_delivery import T0

WORKSPACE = (
    """\
apiVersion: openslo/v1
kind: Service
metadata: {name: shop}
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: ops
  annotations:
    covenant.dev/delivery: '{"url": "%s/ops"}'
spec:
  target: webhook
---
"""
    + CHECKOUT_SLO
)


def test_serve_delivers_the_workers_notices(tmp_path: Path) -> None:
    with receiver() as hooks:
        (tmp_path / "slos.yaml").write_text(WORKSPACE % hooks.url)
        settings = Settings(workspace=tmp_path, database_url=sqlite_url(tmp_path))
        engine = open_store(settings.database_url)
        put(engine, T0 - timedelta(hours=3), 170, bad=0)
        put(engine, T0 - timedelta(minutes=10), 10, bad=50)  # all four tiers fire at T0
        engine.dispose()
        app = create_app(settings, clock=lambda: T0, worker=True, interval_s=0.2)
        context: Context = app.state.covenant

        async def serve() -> None:
            async with app.router.lifespan_context(app):
                assert context.dispatcher is not None
                await asyncio.to_thread(hooks.wait_for, "/ops", 4)

        asyncio.run(serve())
        keys = sorted(body["key"] for body in hooks.bodies("/ops"))
        assert keys == [
            f"burn-rate/checkout-availability/{tier}"
            for tier in ("page-fast", "page-slow", "ticket-fast", "ticket-slow")
        ]
        assert {body["state"] for body in hooks.bodies("/ops")} == {"firing"}
        assert context.dispatcher is not None
        assert context.dispatcher.stop(1)  # stopped with the app already
