"""``create_app(settings)``: the one composition root of the HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI

from covenant.api import errors
from covenant.api.deps import Clock, Context
from covenant.config import Settings

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


def create_app(settings: Settings, *, clock: Clock = system_clock) -> FastAPI:
    """The API for the workspace and store of ``settings``; ``clock`` gives "now" (tests and
    ``COVENANT_NOW`` pin it). Nothing is opened until the first request needs it."""
    from covenant.api import (
        routes_agreements,
        routes_definitions,
        routes_health,
        routes_lifecycle,
        routes_records,
        routes_slo,
        routes_tokens,
        routes_writes,
    )

    context = Context(settings=settings, clock=clock)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        context.close()

    app = FastAPI(
        title="Covenant",
        version=version_text(),
        summary="SLOs and SLAs managed together: the HTTP API.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.covenant = context
    errors.install(app)
    for module in (
        routes_tokens,
        routes_definitions,
        routes_slo,
        routes_agreements,
        routes_lifecycle,
        routes_records,
        routes_writes,
    ):
        app.include_router(module.router, prefix=PREFIX)
    app.include_router(routes_health.router)  # /healthz, /readyz: no prefix, no token
    return app
