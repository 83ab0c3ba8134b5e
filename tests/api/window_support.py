"""A small workspace served by the API on each store (``store_url``): the checkout SLO, a
customer, and 100 requests a minute stored for checkout; tokens for every role."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from covenant.api.app import create_app
from covenant.config import Settings
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from tests.api.support import Client
from tests.checkout import CHECKOUT_SLO, put

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
V1 = "/api/v1"
CUSTOMER = """\
apiVersion: covenant/v1
kind: Customer
metadata: {name: globex}
spec: {currency: EUR}
"""
ROLES = ("admin", "editor", "viewer", "customer")


@dataclass(eq=False)
class Served:
    workspace: Path
    engine: Engine
    client: Client
    tokens: dict[str, str]
    url: str
    now: list[datetime]  # the app's clock: now[0]

    def close(self) -> None:
        self.client.app.state.covenant.close()  # the app's store connections
        self.engine.dispose()

    def call(self, method: str, path: str, role: str = "editor", **kw: Any) -> httpx.Response:
        return self.client.request(method, f"{V1}{path}", self.tokens[role], **kw)

    def evaluation(self, at: datetime = AT) -> dict[str, Any]:
        answer = self.call(
            "GET", "/evaluations/checkout-availability", "viewer", params={"at": at.isoformat()}
        )
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()["results"][0]
        return found


@contextmanager
def served_on(folder: Path, url: str, *, extra: str = "") -> Iterator[Served]:
    made = serve(folder, url, extra=extra)
    try:
        yield made
    finally:
        made.close()


def covenant(served: Served, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed `covenant` command on the served workspace and store, at AT."""
    env = {**os.environ, "COVENANT_DATABASE_URL": served.url, "COVENANT_NOW": AT.isoformat()}
    command = [str(Path(sys.executable).parent / "covenant"), *args, "-w", str(served.workspace)]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def serve(folder: Path, url: str, *, extra: str = "") -> Served:
    """The workspace in ``folder`` (the SLO, a customer and ``extra`` YAML) on ``url``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "slo.yaml").write_text(CHECKOUT_SLO + "---\n" + CUSTOMER)
    if extra:
        (folder / "windows.yaml").write_text(extra)
    engine = open_store(url)
    tokens = {
        role: create_token(
            engine,
            role=role,
            customer="globex" if role == "customer" else None,
            expires_at=AT + timedelta(days=90),
            at=AT,
            customers=["globex"],
        ).text
        for role in ROLES
    }
    now = [AT]
    app = create_app(Settings(workspace=folder, database_url=url), clock=lambda: now[0])
    return Served(
        workspace=folder, engine=engine, client=Client(app), tokens=tokens, url=url, now=now
    )


def two_hours_bad(engine: Engine) -> None:
    """18 Nov 12:00–22:00 UTC clean (600 minutes × 100 requests), 22:00–24:00 with 10 of every
    100 failing (120 minutes): 72,000 requests, 1,200 bad."""
    start = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
    put(engine, start, 600, bad=0)
    put(engine, start + timedelta(minutes=600), 120, bad=10)
