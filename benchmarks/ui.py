"""The web UI's pages against the API answers they are built from, timed in the same run.

On the demo shop (62 days of minute data, its 10 objectives), in this process over ASGI (no
network), signed in with a session cookie for the pages and a bearer token for the API:

- **overview** (``/ui/overview``: evaluate every objective, filter, sort, render HTML) against
  ``GET /api/v1/evaluations`` (evaluate every objective, JSON) — the baseline;
- **SLO page** (``/ui/slos/checkout-availability``: 61 evaluations for the charts, alert records,
  corrections, history, lint) against one ``GET /api/v1/evaluations/checkout-availability``.

The clock moves one second per request, so neither side is answered from the answer cache.
Best and median of ``--rounds`` are printed with the load average.

Run: ``.venv/bin/python benchmarks/ui.py [--rounds 15]``
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
from covenant.services.agreements import sync_agreements  # noqa: E402
from covenant.services.demo import run_demo  # noqa: E402
from covenant.services.store import open_store  # noqa: E402
from covenant.services.tokens import create_token  # noqa: E402
from covenant.services.users import create_user  # noqa: E402
from covenant.services.workspace import load_workspace  # noqa: E402

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PASSWORD = "benchmark-password"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
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
    engine.dispose()
    ticks = iter(range(10**9))
    app = create_app(settings, clock=lambda: AT + timedelta(seconds=next(ticks)))
    asyncio.run(run(app, token, rounds))
    shutil.rmtree(folder)


async def run(app: object, token: str, rounds: int) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        form = await client.get("/ui/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        signed = await client.post(
            "/ui/sign-in", data={"csrf": csrf.group(1), "name": "vic", "password": PASSWORD}
        )
        assert signed.status_code == 303
        bearer = {"Authorization": f"Bearer {token}"}
        pairs = [
            ("overview", "/ui/overview", "/api/v1/evaluations"),
            (
                "SLO page",
                "/ui/slos/checkout-availability",
                "/api/v1/evaluations/checkout-availability",
            ),
        ]
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores, {rounds} rounds")
        for name, page, api in pairs:
            page_s, api_s = [], []
            for _ in range(rounds):
                t0 = time.perf_counter()
                answer = await client.get(page)
                page_s.append(time.perf_counter() - t0)
                assert answer.status_code == 200, answer.text
                t0 = time.perf_counter()
                answer = await client.get(api, headers=bearer)
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
