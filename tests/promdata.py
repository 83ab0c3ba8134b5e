"""One set of request events, written two ways: as an event file for the embedded engine, and as
the Prometheus counters and histogram an instrumented service would have exported for them.

The counters are sampled exactly on minute boundaries (the sample at ``t`` counts the events
before ``t``), so ``increase(x[1m])`` at ``t`` is exactly the events of ``[t − 1m, t)`` — the
exactness condition of docs/prometheus.md. ``api``'s request counter restarts once (a counter
reset: after it the counter counts from zero again). Expected numbers are never computed by
Covenant's code: the event file is what the engine reads, the counters what Prometheus reads.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.core.timeutil import from_epoch
from tests.promserver import Sample, openmetrics_text

STEP = 60
CODES = ("200", "404", "500", "503")
LE = ("100", "300", "1000", "+Inf")
SERVICES = ("api", "web")


@dataclass(frozen=True)
class Event:
    at: int  # epoch second
    service: str
    status: int
    latency_ms: int


def events(start: int, minutes: int, *, seed: int = 7) -> list[Event]:
    """Uneven traffic: busy and quiet minutes (some empty), a burst of 5xx, latencies around
    the 300 ms threshold (300 itself included)."""
    rng = random.Random(seed)
    found: list[Event] = []
    for m in range(minutes):
        for service in SERVICES:
            busy = 25 if (m // 60) % 24 in range(8, 20) else 4
            n = rng.randint(0, busy)
            burst = service == "api" and minutes // 3 <= m < minutes // 3 + 20
            for _ in range(n):
                status = rng.choices([200, 404, 500, 503], weights=[90, 4, 3, 3])[0]
                if burst and rng.random() < 0.5:
                    status = 503
                latency = rng.choice([20, 99, 100, 150, 299, 300, 301, 900, 1000, 2500])
                found.append(
                    Event(start + m * STEP + rng.randrange(STEP), service, status, latency)
                )
    found.sort(key=lambda e: e.at)
    return found


def event_csv(path: Path, found: list[Event]) -> Path:
    lines = ["timestamp,service,status,latency_ms"]
    lines += [f"{e.at},{e.service},{e.status},{e.latency_ms}" for e in found]
    path.write_text("\n".join(lines) + "\n")
    return path


def counter_samples(
    found: list[Event], start: int, minutes: int, *, reset_at: int | None = None
) -> list[Sample]:
    """The counters at every minute boundary ``start … start + minutes·60``.

    ``reset_at``: the api request counters restart just after that boundary (index), so their
    next samples count from zero.
    """
    samples: list[Sample] = []
    counts: dict[tuple[str, ...], int] = {}
    i = 0
    for b in range(minutes + 1):
        t = start + b * STEP
        while i < len(found) and found[i].at < t:
            e = found[i]
            counts[("req", e.service, str(e.status))] = (
                counts.get(("req", e.service, str(e.status)), 0) + 1
            )
            for le in LE:
                if le == "+Inf" or e.latency_ms <= int(le):
                    counts[("le", e.service, le)] = counts.get(("le", e.service, le), 0) + 1
            counts[("count", e.service)] = counts.get(("count", e.service), 0) + 1
            i += 1
        for service in SERVICES:
            for code in CODES:
                value = counts.get(("req", service, code), 0)
                labels = {"service": service, "code": code}
                samples.append(Sample("http_requests_total", labels, value, t))
            for le in LE:
                value = counts.get(("le", service, le), 0)
                labels = {"service": service, "le": le}
                samples.append(Sample("http_request_duration_ms_bucket", labels, value, t))
            samples.append(
                Sample(
                    "http_request_duration_ms_count",
                    {"service": service},
                    counts.get(("count", service), 0),
                    t,
                )
            )
        if reset_at is not None and b == reset_at:
            for code in CODES:
                counts[("req", "api", code)] = 0
    return samples


def openmetrics(
    found: list[Event], start: int, minutes: int, *, reset_at: int | None = None
) -> str:
    return openmetrics_text(
        counter_samples(found, start, minutes, reset_at=reset_at),
        counters=["http_requests"],
    )


def vm_lines(found: list[Event], start: int, minutes: int, *, reset_at: int | None = None) -> str:
    """The same samples in the Prometheus text format VictoriaMetrics imports (ms timestamps)."""
    lines = []
    for s in counter_samples(found, start, minutes, reset_at=reset_at):
        labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
        lines.append(f"{s.name}{{{labels}}} {int(s.value)} {s.timestamp * 1000}")
    return "\n".join(lines) + "\n"


def workspace(folder: Path, url: str, details: str = "") -> Path:
    """SLIs read through the DataSource at ``url`` and, for the same SLIs, the event rules;
    ``details``: more lines of its connectionDetails (indented by four spaces)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = WORKSPACE.replace("URL", url).replace(
        "    timeout: 20s\n", f"    timeout: 20s\n{details}"
    )
    (folder / "slos.yaml").write_text(text)
    return folder


def ingest_first_hour(ws: Path, start: int, env: dict[str, str]) -> tuple[int, str]:
    """``covenant ingest prometheus`` of api-latency over ``[start, start + 1 h)`` into the
    workspace's own SQLite store, JSON: the exit code and the output."""
    args = ["ingest", "prometheus", "-w", str(ws), "--format", "json", "--slo", "api-latency"]
    args += ["--from", from_epoch(start).isoformat(), "--to", from_epoch(start + 3600).isoformat()]
    done = CliRunner().invoke(app, args, env={"COVENANT_DATABASE_URL": "", **env})
    return done.exit_code, done.output


def api_latency_first_hour(start: int, minutes: int) -> tuple[int, int]:
    """``(good, total)`` of api-latency (≤ 300 ms) in the first hour of ``events``."""
    found = [e for e in events(start, minutes) if e.service == "api" and e.at < start + 3600]
    return sum(1 for e in found if e.latency_ms <= 300), len(found)


WORKSPACE = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: shop}
spec: {}
---
apiVersion: openslo/v1
kind: DataSource
metadata: {name: metrics}
spec:
  type: Prometheus
  connectionDetails:
    url: URL
    timeout: 20s
---
apiVersion: covenant/v1
kind: SLI
metadata: {name: api-availability}
spec:
  events: {service: api, status: {op: lt, value: 500}}
  ratioMetric:
    counter: true
    good:
      metricSource:
        metricSourceRef: metrics
        spec: {query: 'sum(http_requests_total{service="api",code!~"5.."})'}
    total:
      metricSource:
        metricSourceRef: metrics
        spec: {query: 'sum by (code) (http_requests_total{service="api"})'}
---
apiVersion: covenant/v1
kind: SLI
metadata: {name: web-availability}
spec:
  events: {service: web, status: {op: lt, value: 500}}
  ratioMetric:
    counter: true
    bad:
      metricSource:
        metricSourceRef: metrics
        spec: {query: 'http_requests_total{service="web",code=~"5.."}'}
    total:
      metricSource:
        metricSourceRef: metrics
        spec: {query: 'sum(increase(http_requests_total{service="web"}[{{.window}}]))'}
---
apiVersion: covenant/v1
kind: SLI
metadata: {name: api-latency}
spec:
  events: {service: api}
  thresholdMetric:
    metricSource:
      metricSourceRef: metrics
      spec: {query: 'http_request_duration_ms_bucket{service="api"}'}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: api-availability}
spec:
  service: shop
  indicatorRef: api-availability
  timeWindow: [{duration: 1d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: web-minutes}
spec:
  service: shop
  indicatorRef: web-availability
  timeWindow: [{duration: 1d, isRolling: true}]
  budgetingMethod: Timeslices
  objectives: [{target: 0.9, timeSliceTarget: 0.95, timeSliceWindow: 5m}]
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: api-latency}
spec:
  service: shop
  indicatorRef: api-latency
  timeWindow: [{duration: 1d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{op: lte, value: 300, target: 0.95}]
"""
