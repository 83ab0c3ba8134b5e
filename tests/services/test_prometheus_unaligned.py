"""Counters scraped at ordinary, unaligned instants (every 15 s at :07, :22, …; every 30 s at
:13.5, :43.5) read through a real Prometheus into exact integer counts per minute.

``increase(x[1m])`` over such samples is extrapolated by Prometheus to fractions; Covenant reads
the samples and counts them. The expected counts are derived here from the events alone: each
event is counted in the minute of the first sample that reports it (the minute ``[a, a + 1m)``
holds the samples of ``(a, a + 1m]``), except when that sample is its series' first or comes
after a silence of more than 5 minutes (docs/prometheus.md#exactness).
"""

from __future__ import annotations

import bisect
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sqlalchemy.engine import Engine

from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.services.prometheus import ingest_prometheus
from covenant.services.store import open_store
from covenant.store import buckets
from tests import promdata
from tests.promserver import Sample, Server, openmetrics_text

START = 1_790_000_000 - 1_790_000_000 % 86400
MINUTES = 360
END = START + MINUTES * 60
KEYS = ["api-availability", "web-availability", "api-latency:lte300"]
SILENCE = (START + 100 * 60, START + 107 * 60)  # web is not scraped for 7 minutes
RESET_AFTER = START + 200 * 60 + 7  # api's request counters restart after this scrape


def scrapes(service: str) -> list[float]:
    """When each service's target is scraped: never on a minute boundary."""
    if service == "api":
        return [START - 60 + 7 + 15 * k for k in range((MINUTES + 2) * 4)]
    found = [START - 60 + 13.5 + 30 * k for k in range((MINUTES + 2) * 2)]
    return [s for s in found if not SILENCE[0] <= s < SILENCE[1]]


def _series_events(events: list[promdata.Event]) -> dict[tuple[str, ...], list[int]]:
    """Event instants per counter series (name, service, label value)."""
    found: dict[tuple[str, ...], list[int]] = {}
    for e in events:
        found.setdefault(("req", e.service, str(e.status)), []).append(e.at)
        for le in promdata.LE:
            if le == "+Inf" or e.latency_ms <= int(le):
                found.setdefault(("le", e.service, le), []).append(e.at)
        found.setdefault(("count", e.service), []).append(e.at)
    return found


def samples(events: list[promdata.Event]) -> list[Sample]:
    """Each counter at each scrape: the events before the scrape (api's request counters from
    zero again after RESET_AFTER)."""
    per = _series_events(events)
    out: list[Sample] = []
    for service in promdata.SERVICES:
        names: list[tuple[tuple[str, ...], str, dict[str, str]]] = [
            (("req", service, c), "http_requests_total", {"service": service, "code": c})
            for c in promdata.CODES
        ]
        names += [
            (("le", service, le), "http_request_duration_ms_bucket", {"service": service, "le": le})
            for le in promdata.LE
        ]
        names += [(("count", service), "http_request_duration_ms_count", {"service": service})]
        for key, name, labels in names:
            instants = per.get(key, [])
            for s in scrapes(service):
                value = bisect.bisect_left(instants, s)  # events at < s
                if key[0] == "req" and service == "api" and s > RESET_AFTER:
                    value -= bisect.bisect_left(instants, RESET_AFTER)
                out.append(Sample(name, labels, value, s))
    return out


def expected(events: list[promdata.Event], key: tuple[str, ...], service: str) -> list[int]:
    """Per minute of [START, END): the events of one counter series, each in the minute of the
    first scrape after it, unless that scrape only starts the series afresh."""
    instants = scrapes(service)
    counts = [0] * MINUTES
    for at in _series_events(events).get(key, []):
        i = bisect.bisect_right(instants, at)  # the first scrape after the event
        if i == 0 or i == len(instants) or instants[i] - instants[i - 1] > 300:
            continue  # reported by a series' first sample or the first after a silence
        s = instants[i]
        minute = int(-(-s // 60)) * 60 - 60  # (a, a + 60] -> a
        if START <= minute < END:
            counts[(minute - START) // 60] += 1
    return counts


def _sum(*rows: list[int]) -> list[int]:
    return [sum(col) for col in zip(*rows, strict=True)]


def _read(path: Path, ws: Path, max_points: int) -> Engine:
    reads = load_workspace(ws).prometheus.reads  # type: ignore[union-attr]
    engine = open_store(f"sqlite:///{path}")
    reports = ingest_prometheus(
        engine, reads=reads, start=from_epoch(START), end=from_epoch(END), max_points=max_points
    )
    assert [r.error for r in reports] == [None] * len(KEYS)
    return engine


def test_unaligned_scrapes_are_counted_exactly_per_minute(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    events = promdata.events(START, MINUTES)
    text = openmetrics_text(samples(events), counters=["http_requests"])
    server = prometheus(openmetrics=text)
    _check(tmp_path, server, events, extrapolates=True)


def test_victoria_metrics_unaligned_scrapes_are_counted_the_same(
    tmp_path: Path, victoria_metrics: Callable[..., Server]
) -> None:
    events = promdata.events(START, MINUTES)
    server = victoria_metrics()
    lines = "".join(_vm_line(s) for s in samples(events))
    request = urllib.request.Request(
        f"{server.url}/api/v1/import/prometheus", data=lines.encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=60):
        pass
    with urllib.request.urlopen(f"{server.url}/internal/force_flush", timeout=60):
        pass
    _check(tmp_path, server, events)


def _vm_line(s: Sample) -> str:
    labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
    return f"{s.name}{{{labels}}} {int(s.value)} {round(s.timestamp * 1000)}\n"


def _check(
    tmp_path: Path, server: Server, events: list[promdata.Event], *, extrapolates: bool = False
) -> None:
    if extrapolates:  # the premise: Prometheus's increase() over these samples is no count
        (answer,) = server.query_range(
            'sum(increase(http_requests_total{service="api"}[1m]))', START + 60, END, 60
        )
        assert any(not float(v).is_integer() for _, v in answer["values"])

    ws = promdata.workspace(tmp_path / "ws", server.url)
    one = _read(tmp_path / "one.db", ws, max_points=11_000)
    parts = _read(tmp_path / "parts.db", ws, max_points=47)  # eight ranges, cut mid-hour
    with one.connect() as conn:
        m = buckets.read_matrix(conn, keys=KEYS, start=START, end=END)
    with parts.connect() as conn:
        cut = buckets.read_matrix(conn, keys=KEYS, start=START, end=END)
    assert (m.good.tolist(), m.total.tolist()) == (cut.good.tolist(), cut.total.tolist())

    api_ok = _sum(*(expected(events, ("req", "api", c), "api") for c in ("200", "404")))
    api_all = _sum(*(expected(events, ("req", "api", c), "api") for c in promdata.CODES))
    web_5xx = _sum(*(expected(events, ("req", "web", c), "web") for c in ("500", "503")))
    web_all = _sum(*(expected(events, ("req", "web", c), "web") for c in promdata.CODES))
    fast = expected(events, ("le", "api", "300"), "api")
    count = expected(events, ("count", "api"), "api")
    assert m.good.tolist() == [api_ok, [t - b for t, b in zip(web_all, web_5xx, strict=True)], fast]
    assert m.total.tolist() == [api_all, web_all, count]
    # the silence and the reset were there, and only the silence lost events
    web = scrapes("web")
    before = max(s for s in web if s < SILENCE[0])
    after, last = min(s for s in web if s >= SILENCE[1]), max(s for s in web if s <= END)
    lost = [e for e in events if e.service == "web" and before <= e.at < after]
    reported = [e for e in events if e.service == "web" and e.at < last]
    assert lost
    assert sum(web_all) == len(reported) - len(lost)
    api = scrapes("api")
    last = max(s for s in api if s <= END)
    assert sum(api_all) == sum(1 for e in events if e.service == "api" and e.at < last)
    assert np.asarray(m.total).sum() > 0
