"""``/metrics`` counts the ticks and failed ticks of the worker loop of the process that
answers (``covenant_worker_ticks``, ``covenant_worker_tick_failures``); a process that runs
no worker (``--no-worker``) has no such samples. The expected counts are the rounds this test
runs: two that tick and one whose workspace cannot be read."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from covenant.api.app import create_app
from covenant.api.deps import Context
from covenant.definitions.workspace import Workspace
from covenant.services.store import open_store
from covenant.services.worker import Worker
from covenant.services.worker_loop import WorkerLoop
from covenant.services.workspace import load_workspace
from tests.api.support import AT, Shop

COUNTS = ("covenant_worker_ticks", "covenant_worker_tick_failures")


def _samples(app: Any, token: str) -> dict[str, float]:
    async def scrape() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})

    answer = asyncio.run(scrape())
    assert answer.status_code == 200, answer.text
    return {
        s.name: s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
        if s.name in COUNTS
    }


def test_the_ticks_and_failures_of_this_process_worker(shop: Shop) -> None:
    app = create_app(shop.settings, clock=lambda: AT)
    context: Context = app.state.covenant
    engine = open_store(shop.settings.database_url)
    broken = False

    def workspace() -> Workspace:
        if broken:
            raise OSError("the workspace cannot be read")
        return load_workspace(shop.workspace)

    try:
        loop = WorkerLoop(Worker(engine), workspace=workspace, clock=lambda: AT)
        assert loop.run_once() is not None
        broken = True
        assert loop.run_once() is None
        broken = False
        assert loop.run_once() is not None
        context.worker = loop
        found = _samples(app, shop.tokens["viewer"])
    finally:
        engine.dispose()
    assert found == {"covenant_worker_ticks": 2.0, "covenant_worker_tick_failures": 1.0}


def test_no_worker_no_counts(shop: Shop) -> None:
    app = create_app(shop.settings, clock=lambda: AT)
    assert _samples(app, shop.tokens["viewer"]) == {}
