"""API benchmark: `covenant serve` loaded over loopback by wrk, a second process (C, epoll).

Workspace: 1,000 Occurrences SLOs (one event SLI and one service each, rolling 30 days, the
default alert tiers) over 1,000 series × 31 days of generated one-minute counts in the
workspace's SQLite store. The server runs as `covenant serve` with ``COVENANT_NOW`` pinned to
the end of the data and ``--no-worker`` (the baseline has no worker; the tick has its own
benchmark); wrk (Debian package ``wrk``; ``make bench`` installs it) sends the load.

1. **Ingestion**: ``PUT /api/v1/event-batches/{key}`` with a batch of 10,000 raw events (100
   services, the last two hours), every request under a new key, from 4 connections for
   ``--seconds``. events/s = batches answered 201 × 10,000 / s. The store's total grows by at
   least that many events (checked: every batch counted). Baseline, same run: the same batches
   ingested by calling ``services.event_batches.ingest_event_batch`` in-process, one after the other
   (no HTTP, no JSON): what the API costs on top of the work it must do. The API side runs
   with one server process and with ``--workers`` (on SQLite the processes' batches queue for
   the one writer).
2. **Reads at 50 concurrent clients**: ``GET /api/v1/slos`` (1,000 definitions) and ``GET
   /api/v1/evaluations/{slo}`` (one SLO evaluated from the store), wrk with 50 connections
   for ``--seconds`` each, p50 and p99 from wrk's latency histogram. Baseline, same run, same
   wrk: a minimal FastAPI app under the same uvicorn settings (this file, ``baseline-server``)
   answering the same two reads the plain way, with no token check: the SLO documents loaded
   once at start-up, returned as a dict per request; the one SLO evaluated from the same store
   by the same service call (``services.evaluate.evaluate_objectives``) and rendered by the same
   renderer. It is the floor FastAPI and uvicorn allow for the same answer; Covenant's figure
   adds authentication (a token looked up per request) and reading the definitions anew
   when a file changed. Both answer the whole list (no page) uncompressed (no
   Accept-Encoding), and the JSON of both sides is compared (printed: the same or not).
   ``--extras`` also measures, both sides alike, the list with ``Accept-Encoding: gzip``
   (the baseline with FastAPI's ``GZipMiddleware``, which compresses per request; Covenant
   sends the bytes it compressed once) and a page of 100 (``?limit=100``; the baseline slices
   its list). wrk counts the bytes received: kB per answer on the wire is printed.

Both sides run ``--workers`` server processes (default 2, the cores of the test machine):
``covenant serve --workers N``, and the baseline app under the same supervisor
(``covenant.api.workers``: one socket per process with ``SO_REUSEPORT``); with 1, the baseline
runs under plain ``uvicorn.run``. Every side runs ``--repeat`` times, alternating, best run
kept. The machine is shared: the load average before and after each run is printed; figures
go to docs/benchmarks.md.

    python benchmarks/api.py [--seconds 15] [--repeat 3] [--workers 2] [--skip-ingest]
        [--extras]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson
import uvicorn
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from covenant.api.routes_definitions import definition_json
from covenant.api.workers import supervise
from covenant.config import sqlite_url
from covenant.render.evaluation import report_json
from covenant.services.evaluate import evaluate_objectives
from covenant.services.event_batches import ingest_event_batch
from covenant.services.ingest import ingest_matrix
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from covenant.services.workspace import definitions_of, load_workspace
from covenant.sources.synthetic import Incident, Profile, generate

DATA = Path(__file__).resolve().parent / ".data"
AT = datetime(2026, 10, 30, 13, 37, tzinfo=UTC)
N_SLOS = 1000
BATCH = 10_000
BATCH_SERVICES = 100
INGEST_CONNECTIONS = 4
READ_CONNECTIONS = 50
TARGET_EVENTS_S = 50_000
TARGET_P99_MS = 100.0
TARGETS = ("0.99", "0.995", "0.999", "0.9995")
BIN = Path(sys.executable).parent
DAY = 86_400
WINDOW = 30 * DAY


def service(i: int) -> str:
    return f"svc-{i:04d}"


def slo_name(i: int) -> str:
    return f"{service(i)}-availability"


def definitions(lo: int, hi: int) -> str:
    docs = []
    for i in range(lo, hi):
        name = service(i)
        docs.append(
            f"""apiVersion: openslo/v1
kind: Service
metadata:
  name: {name}
spec: {{}}
---
apiVersion: covenant/v1
kind: SLI
metadata:
  name: {name}-availability
spec:
  events:
    service: {name}
    status: {{op: lt, value: 500}}
  ratioMetric:
    counter: true
    good:
      metricSource:
        type: Prometheus
        spec: {{query: 'sum(http_requests_total{{job="{name}",code!~"5.."}})'}}
    total:
      metricSource:
        type: Prometheus
        spec: {{query: 'sum(http_requests_total{{job="{name}"}})'}}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: {slo_name(i)}
spec:
  service: {name}
  indicatorRef: {name}-availability
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: {TARGETS[i % len(TARGETS)]}
"""
        )
    return "---\n".join(docs)


def build(n: int) -> Path:
    """The workspace with its store (cached in benchmarks/.data/api-N)."""

    root = DATA / f"api-{n}"
    ws = root / "ws"
    if (root / "done").exists():
        return ws
    shutil.rmtree(root, ignore_errors=True)
    print(f"building {root.name}: {n} SLOs, {n} series × 31 days …", flush=True)
    t0 = time.perf_counter()
    ws.mkdir(parents=True)
    for lo in range(0, n, 100):  # a definition file holds at most 50,000 values
        (ws / f"slos-{lo // 100:02d}.yaml").write_text(definitions(lo, min(lo + 100, n)))
    end = int(AT.timestamp()) // 60 * 60
    start = end - end % DAY - WINDOW
    rng = np.random.default_rng(5)
    profiles = {}
    for i in range(n):
        incidents: tuple[Incident, ...] = ()
        if rng.random() < 0.3:
            at = end - int(rng.integers(0, 30 * 24)) * 3600
            incidents = (Incident(start=at - 3600, end=at + 1800, error_ratio=0.05),)
        profiles[f"{service(i)}-availability"] = Profile(
            service=service(i),
            peak_per_minute=float(rng.choice([5, 50, 500, 3000])),
            error_ratio=float(rng.choice([0.0, 0.0002, 0.001, 0.004])),
            incidents=incidents,
        )
    engine = open_store(sqlite_url(ws))
    keys = list(profiles)
    for lo in range(0, n, 100):  # generate and write in slices to bound memory
        part = {k: profiles[k] for k in keys[lo : lo + 100]}
        matrix = generate(part, start=start, end=end + DAY - end % DAY, seed=lo)
        ingest_matrix(engine, matrix=matrix)
    engine.dispose()
    (root / "done").write_text("")
    print(f"  built in {time.perf_counter() - t0:.0f} s", flush=True)
    return ws


def batch_rows(seed: int) -> list[dict[str, Any]]:
    """10,000 raw events: 100 services, the two hours before AT, ~1 % 5xx."""
    rng = np.random.default_rng(seed)
    end = int(AT.timestamp())
    stamps = end - rng.integers(1, 7200, size=BATCH)
    services = rng.integers(0, N_SLOS, size=BATCH_SERVICES)[rng.integers(0, BATCH_SERVICES, BATCH)]
    statuses = np.where(rng.random(BATCH) < 0.01, 503, 200)
    return [
        {
            "timestamp": datetime.fromtimestamp(int(s), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "service": service(int(v)),
            "status": int(c),
        }
        for s, v, c in zip(stamps, services, statuses, strict=True)
    ]


def store_total(ws: Path) -> int:
    with sqlite3.connect(ws / ".covenant" / "covenant.db") as conn:
        (total,) = conn.execute("SELECT COALESCE(SUM(total_sum), 0) FROM bucket_chunks").fetchone()
    return int(total)


# ---------------------------------------------------------------- servers and wrk


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(
        self, command: list[str], port: int, log: Path, env: dict[str, str], processes: int
    ) -> None:
        self.port = port
        self.log = log.open("ab")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.wait_ready(processes)

    def wait_ready(self, processes: int) -> None:
        """Until ``processes`` different processes answered /readyz (each request on a new
        connection: the kernel spreads them over the processes)."""
        deadline = time.monotonic() + 120
        seen: set[int] = set()
        while time.monotonic() < deadline:
            try:
                answer = httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=5)
                if answer.status_code == 200:
                    seen.add(answer.json()["pid"])
                    if len(seen) >= processes:
                        return
                    continue
            except httpx.TransportError:
                time.sleep(0.1)
            if self.process.poll() is not None:
                break
        raise SystemExit(f"server did not start; see {self.log.name}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def covenant_server(ws: Path, log: Path, workers: int = 1) -> Server:
    port = free_port()
    env = {**os.environ, "COVENANT_NOW": AT.isoformat()}
    command = [str(BIN / "covenant"), "serve", "-w", str(ws), "--port", str(port), "--no-worker"]
    return Server([*command, "--workers", str(workers)], port, log, env, workers)


def baseline_server(ws: Path, log: Path, workers: int = 1) -> Server:
    port = free_port()
    command = [sys.executable, __file__, "baseline-server", str(ws), str(port), str(workers)]
    return Server(command, port, log, dict(os.environ), workers)


LUA_READ = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  token = args[1]
  headers = {["Authorization"] = "Bearer " .. token}
  if args[2] then headers["Accept-Encoding"] = args[2] end
end
request = function()
  return wrk.format("GET", nil, headers)
end
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "p50_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"bytes": %d, "status_errors": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    latency.max, summary.bytes, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""

LUA_INGEST = """
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  token, prefix = args[1], args[2]
  local f = assert(io.open(args[3], "rb"))
  body = f:read("*a")
  f:close()
  created = 0
  other = 0
end
request = function()
  counter = counter + 1
  return wrk.format("PUT", "/api/v1/event-batches/" .. prefix .. "-" .. id .. "-" .. counter,
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
response = function(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end
done = function(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("created"); o = o + t:get("other") end
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "p50_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"created": %d, "other": %d, "status_errors": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    latency.max, c, o, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def wrk(url: str, *, script: Path, connections: int, seconds: int, args: list[str]) -> dict:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s"]
    command += ["-s", str(script), url, "--", *args]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = [x for x in out.splitlines() if x.startswith("{")][-1]
    result: dict[str, Any] = json.loads(line)
    return result


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


# ---------------------------------------------------------------- the baseline app


def run_baseline_server(ws: Path, port: int, workers: int) -> None:
    if workers > 1:  # the same process model as `covenant serve --workers N`
        config = uvicorn.Config(
            None,  # type: ignore[arg-type]  # each worker process makes its app
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
        )
        supervise(lambda: baseline_app(ws), config, workers=workers)
        return
    uvicorn.run(
        baseline_app(ws), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )


def baseline_app(ws: Path) -> Any:
    """The plain FastAPI app: the same two reads, no token, definitions loaded once."""

    workspace = load_workspace(ws)
    engine = open_store(sqlite_url(ws))
    slos = definitions_of(workspace, "SLO")
    by_slo = {o.slo: o for o in workspace.objectives}
    app = FastAPI()

    @app.get("/readyz")
    def readyz() -> dict[str, Any]:
        return {"status": "ready", "pid": os.getpid()}

    @app.get("/api/v1/slos")
    def list_slos(limit: int | None = None) -> dict[str, Any]:
        if limit is None:
            return {"items": [definition_json(d) for d in slos]}
        page = [definition_json(d) for d in slos[:limit]]
        return {"items": page, "next": page[-1]["name"] if limit < len(slos) else None}

    @app.get("/api/v1/evaluations/{slo}")
    def evaluation(slo: str) -> dict[str, Any]:
        report = evaluate_objectives(engine, objectives=[by_slo[slo]], at=AT)
        return report_json(report.at, report.evaluations, corrected=report.corrected)

    app.add_middleware(GZipMiddleware, minimum_size=1024)  # FastAPI's way to gzip when asked
    return app


# ---------------------------------------------------------------- main


def token(ws: Path, role: str) -> str:

    engine = open_store(sqlite_url(ws))
    try:
        return create_token(
            engine,
            role=role,
            customer=None,
            expires_at=datetime(2099, 1, 1, tzinfo=UTC),
            at=datetime.now(UTC),
            customers=[],
            label="benchmarks/api.py",
        ).text
    finally:
        engine.dispose()


def direct_ingest(ws: Path, rows: list[dict[str, Any]], seconds: int) -> tuple[float, int]:
    """The same batches through the service call, in-process: events/s, batches."""

    rules = load_workspace(ws).event_rules
    engine = open_store(sqlite_url(ws))
    run = uuid.uuid4().hex[:8]
    done = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        report = ingest_event_batch(engine, key=f"direct-{run}-{done}", rows=rows, rules=rules)
        assert report.rows_ingested == BATCH, report
        done += 1
    elapsed = time.perf_counter() - t0
    engine.dispose()
    return done * BATCH / elapsed, done


def alike(a: Any, b: Any) -> bool:
    """The same JSON, but for how a decimal number is written: FastAPI's default writes the
    documents' Decimal targets as strings ("0.99"), Covenant as written (0.99)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(alike(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(alike(x, y) for x, y in zip(a, b, strict=True))
    if (isinstance(a, float) and isinstance(b, str)) or (
        isinstance(a, str) and isinstance(b, float)
    ):
        return Decimal(str(a)) == Decimal(str(b))
    return bool(a == b)


def ms(us: float) -> str:
    return f"{us / 1000:.1f} ms"


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "baseline-server":
        run_baseline_server(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="server processes, both sides (covenant serve --workers; default 2: the cores)",
    )
    parser.add_argument("--skip-ingest", action="store_true", help="the reads only")
    parser.add_argument(
        "--extras",
        action="store_true",
        help="also the SLO list gzipped and a page of 100 (not the issue's targets)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk; make bench installs it)")
        return 1
    ws = build(N_SLOS)
    logs = DATA / "api-logs"
    logs.mkdir(exist_ok=True)
    editor, viewer = token(ws, "editor"), token(ws, "viewer")
    rows = batch_rows(11)
    body = logs / "batch.json"
    body.write_bytes(orjson.dumps({"events": rows}))
    read_lua, ingest_lua = logs / "read.lua", logs / "ingest.lua"
    read_lua.write_text(LUA_READ)
    ingest_lua.write_text(LUA_INGEST)
    cpu = platform.processor() or platform.machine()
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs ({cpu}), Python "
        f"{platform.python_version()}; {load()}"
    )
    print(
        f"workspace: {N_SLOS} SLOs, {N_SLOS} series × 31 days; wrk -t 2; "
        f"{args.seconds} s per run, best of {args.repeat}; {args.workers} server processes "
        "a side"
    )

    # 1. ingestion, with one server process and with --workers (SQLite: one writer at a time)
    api_rates: dict[int, list[float]] = {n: [] for n in sorted({1, args.workers})}
    direct_rates: list[float] = []
    for r in range(0 if args.skip_ingest else args.repeat):
        for processes, rates in api_rates.items():
            server = covenant_server(ws, logs / "covenant.log", processes)
            try:
                before = store_total(ws)
                found = wrk(
                    f"http://127.0.0.1:{server.port}",
                    script=ingest_lua,
                    connections=INGEST_CONNECTIONS,
                    seconds=args.seconds,
                    args=[editor, uuid.uuid4().hex[:8], str(body)],
                )
            finally:
                server.stop()
            counted = store_total(ws) - before
            assert found["other"] == 0 and found["status_errors"] == 0, found
            assert counted >= found["created"] * BATCH and counted % BATCH == 0, (counted, found)
            rate = found["created"] * BATCH / found["seconds"]
            rates.append(rate)
            print(
                f"  ingest API ({processes} proc.) run {r + 1}: {rate:>9,.0f} events/s "
                f"({found['created']} batches of {BATCH:,}, p50 {ms(found['p50_us'])}, "
                f"p99 {ms(found['p99_us'])}); {load()}"
            )
        rate, n = direct_ingest(ws, rows, args.seconds)
        direct_rates.append(rate)
        print(f"  ingest direct run {r + 1}: {rate:>9,.0f} events/s ({n} batches); {load()}")
    for processes, rates in api_rates.items():
        if not rates:
            continue
        best_api, best_direct = max(rates), max(direct_rates)
        verdict = "met" if best_api >= TARGET_EVENTS_S else "NOT met"
        print(
            f"ingest, {processes} server process(es): API {best_api:,.0f} events/s (target "
            f"{TARGET_EVENTS_S:,}: {verdict}); direct service call {best_direct:,.0f} events/s; "
            f"API/direct {best_api / best_direct:.2f}"
        )

    # 2. reads at 50 concurrent clients: (label, path, Accept-Encoding); the first two are
    # the targets, the others what a client may ask for instead (both sides alike)
    reads = [
        ("SLO list", "/api/v1/slos", None),
        ("one evaluation", f"/api/v1/evaluations/{slo_name(42)}", None),
    ]
    if args.extras:
        reads += [
            ("SLO list gzip", "/api/v1/slos", "gzip"),
            ("SLO page of 100", "/api/v1/slos?limit=100", None),
        ]
    best: dict[tuple[str, str], dict[str, Any]] = {}
    answers: dict[tuple[str, str], Any] = {}
    for r in range(args.repeat):
        for side, start in (("covenant", covenant_server), ("baseline", baseline_server)):
            server = start(ws, logs / f"{side}.log", args.workers)
            try:
                for label, path, encoding in reads:
                    url = f"http://127.0.0.1:{server.port}{path}"
                    headers = {"Authorization": f"Bearer {viewer}"}
                    if encoding:
                        headers["Accept-Encoding"] = encoding
                    for _ in range(10 * args.workers):  # new connections: every process
                        answer = httpx.get(url, headers=headers, timeout=60)
                        answer.raise_for_status()
                    answers[(label, side)] = answer.json()
                    found = wrk(
                        url,
                        script=read_lua,
                        connections=READ_CONNECTIONS,
                        seconds=args.seconds,
                        args=[viewer] if encoding is None else [viewer, encoding],
                    )
                    assert found["status_errors"] == 0, found
                    if found["requests"] == 0:  # nothing answered within the run
                        found["p50_us"] = found["p99_us"] = args.seconds * 1_000_000
                    size = found["bytes"] / max(found["requests"], 1)
                    print(
                        f"  {label:<15} {side:<8} run {r + 1}: p50 {ms(found['p50_us'])}, "
                        f"p99 {ms(found['p99_us'])}, {found['requests'] / found['seconds']:,.0f}"
                        f" req/s, {size / 1000:,.1f} kB/answer on the wire, "
                        f"{found['socket_errors']} socket errors; {load()}"
                    )
                    kept = best.get((label, side))
                    if kept is None or found["p99_us"] < kept["p99_us"]:
                        best[(label, side)] = found
            finally:
                server.stop()
    for label, _, _ in reads:
        ours, base = best[(label, "covenant")], best[(label, "baseline")]
        verdict = "met" if ours["p99_us"] / 1000 < TARGET_P99_MS else "NOT met"
        same = alike(answers[(label, "covenant")], answers[(label, "baseline")])
        print(
            f"{label} at {READ_CONNECTIONS} clients: Covenant p50 {ms(ours['p50_us'])}, p99 "
            f"{ms(ours['p99_us'])} (target < {TARGET_P99_MS:.0f} ms: {verdict}); plain FastAPI "
            f"p50 {ms(base['p50_us'])}, p99 {ms(base['p99_us'])}; p99 ratio "
            f"{ours['p99_us'] / base['p99_us']:.2f}; the same JSON on both sides: {same}"
        )
    print(f"done; {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
