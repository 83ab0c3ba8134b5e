"""A definition file broken while `covenant serve` runs: the worker goes on ticking with the
definitions it last read that validated (its alerts move on, resolutions are sent) and says,
naming the file and line, why — in its log (a warning, no traceback), in `GET /api/v1/worker`
and in the tick's outcome (`problems`); once the file is fixed, the ticks are plain again.
`/readyz` says `invalid` and its log line names the problem too.

The app's lifespan runs the worker as `covenant serve` does (real files, a real store, a
clock the test moves); every wait polls for a state with a deadline that only ends a broken
test."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from covenant.api.app import create_app
from covenant.api.deps import Context
from covenant.config import Settings
from covenant.errors import DefinitionError
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from covenant.store.alert_states import load_alert_states
from covenant.store.worker_health import tick_totals
from tests.api.support import AT, EXPIRES
from tests.checkout import CHECKOUT_SLO, put

WORKSPACE = "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\nspec: {}\n---\n"
GOOD = WORKSPACE + CHECKOUT_SLO
# the objective's list left unclosed: a YAML syntax error, at the line YAML itself names
BROKEN = GOOD.replace("objectives: [{target: 0.999}]", "objectives: [{target: 0.999}")


def yaml_error_line(text: str) -> int:
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        list(yaml.safe_load_all(text))
    mark = caught.value.problem_mark
    assert mark is not None
    return int(mark.line) + 1


BROKEN_LINE = yaml_error_line(BROKEN)
PAGE_FAST = "burn-rate/checkout-availability/page-fast"
WAIT_S = 120  # a wait for the worker's thread on a loaded machine, not a timing check


def until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"not reached in {WAIT_S} s: {what}"
        time.sleep(0.1)


def phase(url: str, key: str) -> str | None:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            record = load_alert_states(conn).get(key)
    finally:
        engine.dispose()
    return None if record is None else record.phase.value


def outcomes(url: str) -> dict[str, int]:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            return dict(tick_totals(conn).ticks)
    finally:
        engine.dispose()


def test_a_broken_file_keeps_the_last_good_definitions_and_says_why(
    store_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    workspace = tmp_path / "shop"
    workspace.mkdir()
    slos = workspace / "slos.yaml"
    slos.write_text(GOOD)
    engine = open_store(store_url)
    put(engine, AT - timedelta(hours=3), 170, bad=0)  # clean, then 10 minutes of 50 % errors
    put(engine, AT - timedelta(minutes=10), 10, bad=50)
    put(engine, AT, 120, bad=0)  # the next two hours are clean again
    admin = create_token(
        engine, role="admin", customer=None, expires_at=EXPIRES, at=AT, customers=()
    ).text
    engine.dispose()

    now = [AT]
    app = create_app(
        Settings(workspace=workspace, database_url=store_url),
        clock=lambda: now[0],
        worker=True,
        interval_s=0.2,
    )
    context: Context = app.state.covenant
    caplog.set_level(logging.INFO)

    async def serve() -> tuple[dict[str, object], dict[str, object], int]:
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {admin}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            # the routes' first answers before the worker's thread starts: FastAPI builds a
            # route's models on first use, and two threads building at once may warn
            for path in ("/api/v1/worker", "/readyz"):
                await client.get(path, headers=headers)
            async with app.router.lifespan_context(app):
                await asyncio.to_thread(
                    until,
                    lambda: phase(store_url, PAGE_FAST) == "firing",
                    "the page-fast alert fires",
                )
                slos.write_text(BROKEN)
                caplog.clear()
                broken_ready = (await client.get("/readyz")).status_code
                # an hour later every short window is clean: the alert resolves, on the
                # definitions read before the file broke
                now[0] = AT + timedelta(hours=1)
                await asyncio.to_thread(
                    until,
                    lambda: phase(store_url, PAGE_FAST) == "resolved",
                    "the page-fast alert resolves while the file is broken",
                )
                during = (await client.get("/api/v1/worker", headers=headers)).json()
                slos.write_text(GOOD)
                now[0] = AT + timedelta(hours=1, minutes=1)

                def plain_again() -> bool:
                    loop = context.worker
                    return loop is not None and loop.last_error is None

                await asyncio.to_thread(until, plain_again, "a plain tick after the fix")
                after = (await client.get("/api/v1/worker", headers=headers)).json()
                return during, after, broken_ready

    during, after, broken_ready = asyncio.run(serve())

    where = f"slos.yaml:{BROKEN_LINE}"
    assert broken_ready == 503
    error = str(during["last_error"])
    assert where in error, error
    assert "yaml-syntax" in error, error
    assert "last read" in error  # it says what it goes on with
    assert after["last_error"] is None
    assert outcomes(store_url).get("problems", 0) >= 1  # the ticks on old definitions

    worker_lines = [r for r in caplog.records if r.name == "covenant.worker"]
    said = [r.getMessage() for r in worker_lines if where in r.getMessage()]
    assert said
    assert all("yaml-syntax" in line for line in said), said
    readiness = [r for r in caplog.records if r.getMessage().startswith("readiness")]
    assert readiness
    assert all(where in r.getMessage() for r in readiness)
    # said in words, never as a traceback of the definitions' error
    traced = [r for r in worker_lines + readiness if r.exc_info]
    assert not [r for r in traced if r.exc_info and r.exc_info[0] is DefinitionError], traced
