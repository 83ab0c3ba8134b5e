"""The worker's tick, its ``/metrics`` page and ``covenant exposure`` on the demo shop with many
tickets in the current period.

The demo shop (62 days of minute data, its agreements) is built once (``--build``) into
``--data`` with ``--tickets`` (default 100,000) more support tickets of Globex's, created over
its current month up to an hour before ``AT`` and drawn as the demo draws its own
(``services.demo.shop_tickets``: P1/P2/P3, mostly on time, some late, a quarter paused), of
which ``--open-share`` (default a fifth) are still open, never answered (long past their
targets: alerts fire on them). Each run then copies that store afresh and times, in process:

- **first tick**: ``Worker.tick`` with a fresh worker (no catch-up: the data is stored): the
  evaluation, the SLO alerts, the agreement alerts (exposure, the ticket timers, the
  statements) and the first writing of every ticket alert;
- **publish 1**: ``services.metrics.publish_tick`` after it (the ``/metrics`` page every server
  process serves, as ``covenant serve``'s loop publishes it after each tick);
- **second tick** and **publish 2**: a minute later, the same worker (the steady state: every
  alert already in its state);
- **agreement alerts (read-only)**: ``worker_agreements.agreement_conditions`` alone, and
  **exposure** (``services.exposure.exposure``) alone;
- **scrape without a page**: ``services.metrics.metrics_snapshot`` (what a scrape computes when
  no worker publishes);
- **covenant exposure**: the command line, wall time of the process (import included).

It prints one JSON line of seconds. Run it against two trees for a before/after on the same
data: ``--src`` names the tree's ``src`` (default: this one's).

Run: ``.venv/bin/python benchmarks/worker_tickets.py --build --data /tmp/tick-data`` then
``.venv/bin/python benchmarks/worker_tickets.py --data /tmp/tick-data [--src OTHER/src]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PERIOD_START = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # November in Berlin
HOUR = 3600


def _src() -> Path:
    if "--src" in sys.argv:
        return Path(sys.argv[sys.argv.index("--src") + 1]).resolve()
    return ROOT / "src"


sys.path.insert(0, str(_src()))

import numpy as np  # noqa: E402

from covenant.config import Settings, sqlite_url  # noqa: E402
from covenant.core.tickets import StatusChange, Ticket  # noqa: E402
from covenant.core.timeutil import from_epoch  # noqa: E402
from covenant.services.agreements import sync_agreements  # noqa: E402
from covenant.services.demo import run_demo  # noqa: E402
from covenant.services.exposure import exposure  # noqa: E402
from covenant.services.metrics import metrics_snapshot, publish_tick  # noqa: E402
from covenant.services.recorded_definitions import with_recorded_definitions  # noqa: E402
from covenant.services.store import open_store  # noqa: E402
from covenant.services.worker import Worker  # noqa: E402
from covenant.services.worker_agreements import agreement_conditions  # noqa: E402
from covenant.services.workspace import load_workspace  # noqa: E402
from covenant.store.records import save_tickets  # noqa: E402


def build(data: Path, count: int, open_share: float) -> None:
    shop = data / "shop"
    if data.exists():
        shutil.rmtree(data)
    shutil.copytree(ROOT / "examples" / "shop", shop, ignore=shutil.ignore_patterns(".covenant"))
    settings = Settings(workspace=shop, database_url=sqlite_url(shop))
    run_demo(settings, at=AT, days=62)
    engine = open_store(settings.database_url)
    sync_agreements(engine, workspace=load_workspace(shop), at=AT, actor="bench")
    tickets = generated(count, open_share)
    with engine.begin() as conn:
        for first in range(0, count, 5_000):
            save_tickets(conn, tickets=tickets[first : first + 5_000], at=AT)
    engine.dispose()
    (data / "url").write_text(settings.database_url.replace(str(shop), "{shop}"))


def generated(count: int, open_share: float) -> list[Ticket]:
    """``count`` tickets of Globex's drawn as ``demo.shop_tickets`` draws its own, over the month
    up to an hour before ``AT``; ``open_share`` of them still open and never answered."""
    # imported here: only --build draws (with this tree), a run may name an older tree's src
    from covenant.services.demo import draw_priority, drawn_ticket  # noqa: PLC0415

    rng = np.random.default_rng(44)
    start, end = int(PERIOD_START.timestamp()), int(AT.timestamp())
    created_all = np.sort(rng.integers(start, end - HOUR, size=count)).tolist()
    tickets = []
    for n, created in enumerate(created_all):
        ticket_id, priority = f"BENCH-{n:06d}", draw_priority(rng)
        if rng.random() < open_share:
            history = (StatusChange(at=from_epoch(created), status="open"),)
            tickets.append(
                Ticket(
                    id=ticket_id,
                    customer="globex",
                    priority=priority,
                    created=from_epoch(created),
                    history=history,
                )
            )
        else:
            tickets.append(
                drawn_ticket(rng, ticket_id=ticket_id, created=created, end=end, priority=priority)
            )
    return tickets


def run(data: Path, src: Path) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp())
    shop = folder / "shop"
    shutil.copytree(data / "shop", shop)
    url = (data / "url").read_text().replace("{shop}", str(shop))
    engine = open_store(url)
    workspace = with_recorded_definitions(engine, load_workspace(shop))
    worker = Worker(engine, notify=lambda notices: None, catch_up=False)
    took: dict[str, float] = {}

    def timed(name: str, call):  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        out = call()
        took[name] = round(time.perf_counter() - began, 2)
        return out

    first = timed("first tick", lambda: worker.tick(workspace, AT))
    timed("publish 1", lambda: publish_tick(engine, first, workspace=workspace, published_at=AT))
    later = AT + timedelta(minutes=1)
    second = timed("second tick", lambda: worker.tick(workspace, later))
    timed(
        "publish 2", lambda: publish_tick(engine, second, workspace=workspace, published_at=later)
    )
    timed(
        "agreement alerts (read-only)",
        lambda: agreement_conditions(engine, workspace=workspace, now=later),
    )
    timed("exposure", lambda: exposure(engine, workspace=workspace, at=later, now=later))
    timed("scrape without a page", lambda: metrics_snapshot(engine, workspace=workspace, now=later))
    engine.dispose()
    env = {**os.environ, "PYTHONPATH": str(src), "COVENANT_DATABASE_URL": url}
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "covenant", "exposure", "--workspace", str(shop), "--at",
         later.strftime("%Y-%m-%dT%H:%M:%SZ")],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    took["covenant exposure"] = round(time.perf_counter() - began, 2)
    if done.returncode != 0:
        raise SystemExit(f"covenant exposure failed: {done.stdout}{done.stderr}")
    took["alerts"] = len(second.alerts)
    took["load"] = round(os.getloadavg()[0], 1)
    shutil.rmtree(folder)
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--open-share", type=float, default=0.2)
    args = parser.parse_args()
    if args.build:
        build(args.data, args.tickets, args.open_share)
        return
    print(json.dumps({"src": str(args.src), **run(args.data, args.src.resolve())}), flush=True)


if __name__ == "__main__":
    main()
