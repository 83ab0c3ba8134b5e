"""The web UI's pages against the API answers they are built from, timed in the same run.

On the demo shop (62 days of minute data, its 10 objectives), in this process over ASGI (no
network), signed in with a session cookie for the pages and a bearer token for the API:

- **overview** (``/ui/overview``: evaluate every objective, filter, sort, render HTML) against
  ``GET /api/v1/evaluations`` (evaluate every objective, JSON) — the baseline;
- **SLO page** (``/ui/slos/checkout-availability``: 61 evaluations for the charts, alert records,
  corrections, history, lint) against one ``GET /api/v1/evaluations/checkout-availability``;
- **portal** (``/ui/portal``, signed in as Globex's customer user) with ``--tickets`` (default
  100,000) resolved tickets of Globex's, one a minute before the demo's period, against
  ``GET /api/v1/agreements`` as that customer (its "Earlier tickets" list is the part that
  grows with the tickets).

The clock moves one second per request, so neither side is answered from the answer cache.
Best and median of ``--rounds`` are printed with the load average.

Run: ``.venv/bin/python benchmarks/ui.py [--rounds 15] [--tickets 100000] [--portal-only]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from covenant.api.app import create_app  # noqa: E402
from covenant.config import Settings, sqlite_url  # noqa: E402
from covenant.core.tickets import StatusChange, Ticket  # noqa: E402
from covenant.services.agreements import sync_agreements  # noqa: E402
from covenant.services.demo import run_demo  # noqa: E402
from covenant.services.store import open_store  # noqa: E402
from covenant.services.tokens import create_token  # noqa: E402
from covenant.services.users import create_user  # noqa: E402
from covenant.services.workspace import load_workspace  # noqa: E402
from covenant.store.records import save_tickets  # noqa: E402

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PASSWORD = "benchmark-password"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--portal-only", action="store_true")
    args = parser.parse_args()
    rounds = args.rounds
    folder = Path(tempfile.mkdtemp())
    shop = folder / "shop"
    shutil.copytree(ROOT / "examples" / "shop", shop, ignore=shutil.ignore_patterns(".covenant"))
    settings = Settings(workspace=shop, database_url=sqlite_url(shop))
    run_demo(settings, at=AT, days=62)
    engine = open_store(settings.database_url)
    sync_agreements(engine, workspace=load_workspace(shop), at=AT, actor="bench")
    token = create_token(
        engine, role="viewer", customer=None, expires_at=AT + timedelta(days=30), at=AT,
        customers=[],
    ).text  # fmt: skip
    create_user(
        engine, name="vic", password=PASSWORD, role="viewer", customer=None, customers=[], at=AT
    )
    create_user(
        engine, name="gus", password=PASSWORD, role="customer", customer="globex",
        customers=["globex"],
        at=AT,
    )  # fmt: skip
    customer_token = create_token(
        engine, role="customer", customer="globex", expires_at=AT + timedelta(days=30), at=AT,
        customers=["globex"],
    ).text  # fmt: skip
    add_tickets(engine, args.tickets)
    engine.dispose()
    ticks = iter(range(10**9))
    app = create_app(settings, clock=lambda: AT + timedelta(seconds=next(ticks)))
    asyncio.run(run(app, token, customer_token, rounds, args.portal_only))
    shutil.rmtree(folder)


def add_tickets(engine: object, count: int) -> None:
    """``count`` P3 tickets of Globex's, one a minute ending a day before the demo's 62 days,
    each answered and resolved within the hour (none live, all "earlier")."""
    start = AT - timedelta(days=63) - timedelta(minutes=count)
    tickets = []
    for n in range(count):
        created = start + timedelta(minutes=n)
        tickets.append(
            Ticket(
                id=f"BENCH-{n:06d}",
                customer="globex",
                priority="P3",
                created=created,
                first_response=created + timedelta(minutes=5),
                resolved=created + timedelta(minutes=50),
                history=(
                    StatusChange(at=created, status="open"),
                    StatusChange(at=created + timedelta(minutes=50), status="resolved"),
                ),
            )
        )
    with engine.begin() as conn:  # type: ignore[attr-defined]
        for first in range(0, count, 5_000):
            save_tickets(conn, tickets=tickets[first : first + 5_000], at=AT)


async def sign_in(client: httpx.AsyncClient, name: str) -> None:
    form = await client.get("/ui/sign-in")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    signed = await client.post(
        "/ui/sign-in", data={"csrf": csrf.group(1), "name": name, "password": PASSWORD}
    )
    assert signed.status_code == 303


async def run(app: object, token: str, customer_token: str, rounds: int, portal_only: bool) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    staff = httpx.AsyncClient(transport=transport, base_url="http://bench")
    customer = httpx.AsyncClient(transport=transport, base_url="http://bench")
    async with staff, customer:
        await sign_in(staff, "vic")
        await sign_in(customer, "gus")
        bearer = {"Authorization": f"Bearer {token}"}
        customer_bearer = {"Authorization": f"Bearer {customer_token}"}
        pairs = [
            (staff, bearer, "overview", "/ui/overview", "/api/v1/evaluations"),
            (
                staff,
                bearer,
                "SLO page",
                "/ui/slos/checkout-availability",
                "/api/v1/evaluations/checkout-availability",
            ),
        ]
        if portal_only:
            pairs = []
        pairs.append((customer, customer_bearer, "portal", "/ui/portal", "/api/v1/agreements"))
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores, {rounds} rounds")
        for client, auth, name, page, api in pairs:
            page_s, api_s = [], []
            for _ in range(rounds):
                t0 = time.perf_counter()
                answer = await client.get(page)
                page_s.append(time.perf_counter() - t0)
                assert answer.status_code == 200, answer.text
                t0 = time.perf_counter()
                answer = await client.get(api, headers=auth)
                api_s.append(time.perf_counter() - t0)
                assert answer.status_code == 200, answer.text
            best, base = min(page_s), min(api_s)
            middle, api_middle = statistics.median(page_s), statistics.median(api_s)
            print(
                f"{name:9} best {best * 1000:7.1f} ms, median {middle * 1000:7.1f} ms | API best "
                f"{base * 1000:6.1f} ms, median {api_middle * 1000:6.1f} ms | "
                f"ratio (best) {best / base:5.1f}×"
            )


if __name__ == "__main__":
    main()
