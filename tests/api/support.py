"""The demo shop behind an API app, with a token per role and one per customer."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from covenant.api.app import create_app
from covenant.config import Settings, sqlite_url
from covenant.core.tickets import Ticket
from covenant.services.agreements import sync_agreements
from covenant.services.demo import run_demo
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from covenant.services.workspace import load_workspace
from covenant.store.records import save_tickets
from tests.checkout import CHECKOUT_SLO
from tests.conftest import ROOT
from tests.stores import postgres_schemas

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
EXPIRES = datetime(2027, 6, 1, tzinfo=UTC)
CUSTOMERS = ("globex", "initech")
INITECH_TICKET = Ticket(
    id="INI-0001",
    customer="initech",
    priority="P2",
    created=datetime(2026, 10, 6, 14, 0, tzinfo=UTC),
    first_response=datetime(2026, 10, 6, 15, 0, tzinfo=UTC),
    resolved=datetime(2026, 10, 7, 9, 0, tzinfo=UTC),
)
ROLES = ("admin", "editor", "viewer", "customer:globex", "customer:initech")


class Client:
    """httpx against the ASGI app in this process (one event loop per request)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def request(
        self, method: str, path: str, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"

        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.request(method, path, headers=headers, **kw)

        return asyncio.run(send())

    def get(self, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        return self.request("GET", path, token, **kw)


@dataclass(eq=False)
class Shop:
    workspace: Path
    settings: Settings
    tokens: dict[str, str]  # role (or customer:NAME) → token
    client: Client


def make_shop(folder: Path, database_url: str | None = None) -> Shop:
    """The demo shop in ``folder`` on its SQLite store, or on ``database_url``'s store."""
    shop = folder / "shop"
    shutil.copytree(ROOT / "examples" / "shop", shop, ignore=shutil.ignore_patterns(".covenant"))
    shutil.copytree(ROOT / "examples" / "proposals", folder / "proposals")
    settings = Settings(workspace=shop, database_url=database_url or sqlite_url(shop))
    run_demo(settings, at=AT, days=62)
    engine = open_store(settings.database_url)
    sync_agreements(engine, workspace=load_workspace(shop), at=AT, actor="test")
    with engine.begin() as conn:  # the demo's tickets are Globex's; one for Initech too
        save_tickets(conn, tickets=[INITECH_TICKET], at=AT)
    tokens = role_tokens(engine, customers=CUSTOMERS)
    engine.dispose()
    return Shop(
        workspace=shop,
        settings=settings,
        tokens=tokens,
        client=Client(create_app(settings, clock=lambda: AT)),
    )


def role_tokens(engine: Engine, *, customers: Sequence[str]) -> dict[str, str]:
    """A token of each role in ``ROLES`` (``customer:NAME`` for a customer's), by role."""
    tokens = {}
    for role in ROLES:
        kind, _, customer = role.partition(":")
        tokens[role] = create_token(
            engine,
            role=kind,
            customer=customer or None,
            expires_at=EXPIRES,
            at=AT,
            customers=customers,
        ).text
    return tokens


def checkout_workspace(folder: Path) -> Path:
    """A workspace ``folder``/shop of one service and the checkout SLO."""
    workspace = folder / "shop"
    workspace.mkdir()
    (workspace / "slos.yaml").write_text(
        "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\nspec: {}\n---\n"
        + CHECKOUT_SLO
    )
    return workspace


@contextmanager
def served_on_postgres(
    postgres_url: str,
    folder: Path,
    *,
    prefix: str,
    role: str,
    seed: Callable[[Engine], object] | None = None,
) -> Iterator[tuple[str, Client, str]]:
    """The API on :func:`checkout_workspace` in ``folder`` with its store in a fresh schema
    (named from ``prefix``) of the PostgreSQL at ``postgres_url``, ``seed`` run on the store
    first: ``(the store's URL, a client, a token of role)``, at ``AT``."""
    workspace = checkout_workspace(folder)
    with postgres_schemas(postgres_url, prefix=prefix) as (url,):
        engine = open_store(url)
        if seed is not None:
            seed(engine)
        token = create_token(
            engine, role=role, customer=None, expires_at=EXPIRES, at=AT, customers=[]
        ).text
        engine.dispose()
        app = create_app(Settings(workspace=workspace, database_url=url), clock=lambda: AT)
        try:
            yield url, Client(app), token
        finally:
            app.state.covenant.close()
