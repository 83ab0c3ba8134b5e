"""The API app runs the worker in its lifespan (``covenant serve``), and only while it leads."""

from __future__ import annotations

import asyncio
import time

import httpx

from covenant.api.app import create_app
from covenant.api.deps import Context
from covenant.services.store import open_store
from covenant.services.worker import Worker
from covenant.services.worker_loop import WorkerLoop
from covenant.services.workspace import load_workspace
from tests.api.support import AT, Shop


class Follower:
    terms = 0

    def __init__(self) -> None:
        self.asked = 0
        self.released = False

    def acquire(self) -> bool:
        self.asked += 1
        return False

    def held(self) -> bool:
        return False

    def release(self) -> None:
        self.released = True


def test_the_lifespan_starts_and_stops_the_worker(shop: Shop) -> None:
    app = create_app(shop.settings, clock=lambda: AT, worker=True, interval_s=0.2)
    context: Context = app.state.covenant
    admin = {"Authorization": f"Bearer {shop.tokens['admin']}"}

    async def serve() -> str:
        async with app.router.lifespan_context(app):
            loop = context.worker
            assert loop is not None
            deadline = time.monotonic() + 120  # waiting for a tick, not a timing assertion
            while loop.ticks == 0:
                assert loop.last_error is None, loop.last_error
                assert time.monotonic() < deadline, "no tick in 120 s"
                await asyncio.sleep(0.1)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return (await client.get("/metrics", headers=admin)).text

    text = asyncio.run(serve())
    assert 'covenant_worker_objectives{path="incremental"}' in text
    assert context.worker is not None
    assert not context.worker.running  # stopped with the app


def test_without_worker_nothing_ticks(shop: Shop) -> None:
    app = create_app(shop.settings, clock=lambda: AT)

    async def serve() -> None:
        async with app.router.lifespan_context(app):
            assert app.state.covenant.worker is None

    asyncio.run(serve())


def test_a_follower_does_not_tick(shop: Shop) -> None:
    engine = open_store(shop.settings.database_url)
    follower = Follower()
    loop = WorkerLoop(
        Worker(engine),
        workspace=lambda: load_workspace(shop.workspace),
        clock=lambda: AT,
        leadership=follower,
    )
    assert loop.run_once() is None
    assert (follower.asked, loop.ticks, loop.latest) == (1, 0, None)
    loop.stop()
    assert follower.released
    engine.dispose()
