"""The demo shop's app (API and UI) served by uvicorn on a free loopback port, in a thread, with
the clock pinned at the demo's instant; users of every role made with passwords."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import uvicorn

from covenant.api.app import create_app
from covenant.services.store import open_store
from covenant.services.users import create_user
from tests.api.support import AT, CUSTOMERS, Shop, make_shop
from tests.ports import free_port

PASSWORD = "demo-password-for-tests"
USERS = {  # name → (role, customer)
    "ada": ("admin", None),
    "eve": ("editor", None),
    "vic": ("viewer", None),
    "gus": ("customer", "globex"),
    "ian": ("customer", "initech"),
}
READY_WAIT_S = 60  # a wait for a loaded machine, not an assertion


def add_users(shop: Shop) -> None:
    engine = open_store(shop.settings.database_url)
    for name, (role, customer) in USERS.items():
        create_user(
            engine,
            name=name,
            password=PASSWORD,
            role=role,
            customer=customer,
            customers=CUSTOMERS,
            at=AT,
            created_by="test",
        )
    engine.dispose()


@dataclass(eq=False)
class Served:
    shop: Shop
    url: str


@contextmanager
def serving(folder: Path, clock: Callable[[], datetime] = lambda: AT) -> Iterator[Served]:
    """The demo shop served; ``clock`` is the server's "now" (default: pinned at the demo's)."""
    shop = make_shop(folder)
    add_users(shop)
    port = free_port()
    config = uvicorn.Config(
        create_app(shop.settings, clock=clock),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_WAIT_S
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.1)
    try:
        yield Served(shop=shop, url=url)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
