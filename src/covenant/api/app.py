"""``create_app(settings)``: the one composition root of the HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from starlette.responses import Response

from covenant.api import errors
from covenant.api.body_keys import single_keys
from covenant.api.body_text import unicode_body
from covenant.api.deps import Clock, Context
from covenant.config import DEFAULT_MAX_BODY_BYTES, Settings
from covenant.errors import CovenantError

if TYPE_CHECKING:
    from covenant.services.worker import Notify
    from covenant.services.worker_loop import Leadership

PREFIX = "/api/v1"


def version_text() -> str:
    from importlib.metadata import PackageNotFoundError, version

    import covenant

    try:
        return version("covenant")
    except PackageNotFoundError:  # a source tree that was never installed
        return covenant.__version__


def system_clock() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def _preload(context: Context) -> None:
    """Read the definitions now; a problem is logged (requests report it as they would).
    Then every object made so far (modules, the definitions) is left out of the garbage
    collector's passes (``gc.freeze``): a full pass over the 1,000-SLO workspace took 60–130 ms
    on a loaded 2-core machine, a pause every request in flight waited out. Reference counting
    still frees them when the files are read anew (reference cycles among them stay)."""
    import gc
    import logging

    from starlette.concurrency import run_in_threadpool

    from covenant.errors import CovenantError

    try:
        await run_in_threadpool(context.workspace)
    except CovenantError as error:
        logging.getLogger("covenant.api").error("definitions not read at start-up: %s", error)
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    worker: bool = False,
    notify: Notify | None = None,
    leadership: Leadership | None = None,
    interval_s: float = 60,
    catch_up: bool = True,
    definitions_check_s: float = 0.0,
    preload: bool = False,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> FastAPI:
    """The API for the workspace and store of ``settings``; ``clock`` gives "now" (tests and
    ``COVENANT_NOW`` pin it). Nothing is opened until the first request needs it.

    With ``worker`` the app's lifespan also runs the worker (``services.worker_loop``): a tick
    every ``interval_s`` seconds while ``leadership`` says this process leads (default: it
    does), its notices handed to ``notify`` (default: logged); ``catch_up`` False leaves the
    workspace's Prometheus sources unread. ``covenant serve`` turns it on.

    ``definitions_check_s``: the workspace's files are looked at (names, sizes, times) at
    most this often, so an edited file shows in the answers at most that long after it was
    saved; 0 looks at them for every request that needs them (``covenant serve``: 1 s).
    ``preload``: the app's start-up reads the definitions before the first request
    (``covenant serve``: each process starts ready, not with its first requests waiting).
    ``max_body_bytes``: the most a request body may hold (``api.body_limit``; ``covenant
    serve --max-body-bytes``), 413 ``body-too-large`` past it.
    """
    from fastapi import Depends

    from covenant import web
    from covenant.api import (
        routes_agreements,
        routes_alerts,
        routes_audit,
        routes_definition_writes,
        routes_definitions,
        routes_errors,
        routes_health,
        routes_imports,
        routes_ingest,
        routes_lifecycle,
        routes_metrics,
        routes_record_files,
        routes_records,
        routes_rules,
        routes_slo,
        routes_sources,
        routes_statements,
        routes_tokens,
        routes_users,
        routes_version_terms,
        routes_writes,
    )
    from covenant.api.body_limit import LimitBody
    from covenant.api.deps import token_gate
    from covenant.web.core import session_gate

    context = Context(settings=settings, clock=clock, definitions_check_s=definitions_check_s)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if preload:
            await _preload(context)
        if worker:
            context.start_worker(
                notify=notify, leadership=leadership, interval_s=interval_s, catch_up=catch_up
            )
        try:
            yield
        finally:
            context.stop_worker()
            context.close()

    app = FastAPI(
        title="Covenant",
        version=version_text(),
        summary="SLOs and SLAs managed together: the HTTP API.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(unicode_body), Depends(single_keys)],
    )
    app.state.covenant = context
    errors.install(app)
    app.add_middleware(LimitBody, most=max_body_bytes, gates=(token_gate, session_gate))
    for module in (
        routes_tokens,
        routes_definitions,
        routes_slo,
        routes_agreements,
        routes_statements,
        routes_version_terms,
        routes_lifecycle,
        routes_definition_writes,
        routes_records,
        routes_writes,
        routes_metrics,
        routes_audit,
        routes_alerts,
        routes_sources,
        routes_rules,
        routes_imports,
        routes_errors,
        routes_users,
        routes_ingest,
        routes_record_files,
    ):
        app.include_router(module.router, prefix=PREFIX)
    app.include_router(routes_metrics.scrape)  # /metrics, where Prometheus looks by default
    app.include_router(routes_health.router)  # /healthz, /readyz: no prefix, no token
    web.install(app)  # the web UI under /ui (docs/ui.md): pages, not API routes
    _answer_day_sums(app, context)
    return app


def _answer_day_sums(app: FastAPI, context: Context) -> None:
    """A request that needs the minutes of days stored as sums only is answered at once,
    ``minutes-pending`` while they are read (``services.day_minutes_serve``) or
    ``minutes-unread`` when that failed, as every error (JSON, or a page under /ui)."""
    from starlette.concurrency import run_in_threadpool

    from covenant.errors import DaySumsOnlyError

    async def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DaySumsOnlyError)
        from covenant.services.day_minutes_serve import answer_for

        customer = getattr(request.state, "customer", None) is not None  # a customer's token
        answer = await run_in_threadpool(
            lambda: answer_for(context.minutes_reader(), exc, customer=customer)
        )
        found = app.exception_handlers[CovenantError](request, answer)
        return await found if isinstance(found, Awaitable) else found

    app.add_exception_handler(DaySumsOnlyError, handle)
