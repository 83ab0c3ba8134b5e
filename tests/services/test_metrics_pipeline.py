"""Covenant's own pipeline on ``/metrics`` (``services.metrics``), on SQLite and PostgreSQL: the
notice outbox per status and the age of its oldest pending notice (read at every scrape), and
per DataSource its series by read state, the failing ones per error code and the oldest read
frontier — on the page evaluated at the scrape and on the page the worker's loop published.

Everything is written through the store's own functions (``store.outbox``,
``store.source_reads``); the expected numbers are worked out here from what was written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client.exposition import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import CollectorRegistry
from sqlalchemy.engine import Engine

from covenant.core.timeutil import to_epoch
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.metrics import SharedMetrics
from covenant.services.worker import Worker
from covenant.services.worker_loop import WorkerLoop
from covenant.store import outbox
from covenant.store.buckets import ensure_series
from covenant.store.db import write_transaction
from covenant.store.source_reads import record_error, record_read

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SLOS = {"prom-a": ("a0", "a1", "a2", "a3"), "prom-b": ("b0", "b1")}
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def slo(name: str, source: str) -> str:
    return f"""apiVersion: openslo/v1
kind: SLO
metadata: {{name: {name}}}
spec:
  service: shop
  indicator:
    metadata: {{name: {name}}}
    spec:
      ratioMetric:
        counter: true
        good: {{metricSource: {{metricSourceRef: {source}, spec: {{query: good_{name}}}}}}}
        total: {{metricSource: {{metricSourceRef: {source}, spec: {{query: total_{name}}}}}}}
  timeWindow: [{{duration: 1d, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: 0.99}}]
"""


@pytest.fixture(scope="module")
def workspace() -> Workspace:
    never_asked = '{type: Prometheus, connectionDetails: {url: "http://127.0.0.1:9"}}'
    docs = [
        f"apiVersion: openslo/v1\nkind: DataSource\nmetadata: {{name: {source}}}\n"
        f"spec: {never_asked}\n"
        for source in SLOS
    ]
    docs += [slo(name, source) for source, names in SLOS.items() for name in names]
    found, problems = analyse_text("---\n".join(docs))
    assert found is not None, problems
    return found


def series_of(workspace: Workspace) -> dict[str, str]:
    """The series key each SLO reads."""
    assert workspace.prometheus is not None
    return {name: r.series for r in workspace.prometheus.reads for name in r.slos}


def parsed(page: bytes) -> Samples:
    found: Samples = {}
    for family in text_string_to_metric_families(page.decode()):
        for s in family.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            assert key not in found, f"duplicate series {key}"
            found[key] = s.value
    return found


def same_as_generate_latest(page: bytes) -> None:
    """Read back with prometheus_client's parser and written again by ``generate_latest``, the
    page is the same text byte for byte."""
    families = list(text_string_to_metric_families(page.decode()))

    class Again:
        def collect(self) -> Iterator[Any]:
            yield from families

    registry = CollectorRegistry(auto_describe=False)
    registry.register(Again())  # type: ignore[arg-type]
    assert generate_latest(registry) == page


def notices(got: Samples) -> dict[str, float]:
    return {dict(k[1])["status"]: v for k, v in got.items() if k[0] == "covenant_notices"}


def write_reads(engine: Engine, workspace: Workspace) -> None:
    """a0 read up to T0 − 2m; a1 up to T0 − 30m, then failing (source-error); a2 failing before
    any read (source-unreachable); a3 never tried. b0 up to T0 − 5m, b1 up to T0 − 3m, then
    failing (source-unreachable). A series no SLO reads any more, read up to a day ago."""
    keys = series_of(workspace)
    with write_transaction(engine) as conn:
        ids = ensure_series(conn, keys=[*keys.values(), "gone"])

        def read(slo: str, source: str, ago: timedelta) -> None:
            until = to_epoch(T0 - ago)
            record_read(conn, series_id=ids[keys[slo]], source=source, until=until, at=T0)

        def fail(slo: str, source: str, code: str) -> None:
            sid = ids[keys[slo]]
            record_error(conn, series_id=sid, source=source, code=code, message="down", at=T0)

        read("a0", "prom-a", timedelta(minutes=2))
        read("a1", "prom-a", timedelta(minutes=30))
        fail("a1", "prom-a", "source-error")
        fail("a2", "prom-a", "source-unreachable")
        read("b0", "prom-b", timedelta(minutes=5))
        read("b1", "prom-b", timedelta(minutes=3))
        fail("b1", "prom-b", "source-unreachable")
        old = to_epoch(T0 - timedelta(days=1))
        record_read(conn, series_id=ids["gone"], source="prom-a", until=old, at=T0)


def write_outbox(engine: Engine) -> None:
    """Four notices written 30, 20, 10 and 4 minutes before T0; the first two claimed, the
    first sent, the second given up on (failed): the 10-minute-old one is the oldest pending."""
    with write_transaction(engine) as conn:
        for minutes in (30, 20, 10, 4):
            row = outbox.NewRow(
                notice_key=f"burn-rate/a{minutes}/page-fast",
                state="firing",
                starts_at=T0 - timedelta(minutes=minutes),
                target="hook",
                kind="burn-rate",
                notice="{}",
            )
            assert outbox.add(conn, [row], now=T0 - timedelta(minutes=minutes)) == 1
        lease = timedelta(minutes=5)
        first, second = outbox.claim(conn, now=T0, limit=2, lease=lease, owner="test")
        assert outbox.mark_sent(conn, first.id, owner="test", now=T0)
        outbox.mark_failed(
            conn, second.id, owner="test", error="refused", next_attempt_at=T0, give_up=True
        )


def check_sources(got: Samples) -> None:
    by = {
        source: {
            dict(labels)["state"]: value
            for (family, labels), value in got.items()
            if family == "covenant_source_series" and dict(labels)["source"] == source
        }
        for source in SLOS
    }
    # a0, a1 were read; a2 (failed first) and a3 (never tried) never were; "gone" is not counted
    assert by == {"prom-a": {"read": 2, "never-read": 2}, "prom-b": {"read": 2, "never-read": 0}}
    failing = {
        (dict(labels)["source"], dict(labels)["code"]): value
        for (family, labels), value in got.items()
        if family == "covenant_source_series_failing"
    }
    assert failing == {
        ("prom-a", "source-error"): 1,
        ("prom-a", "source-unreachable"): 1,
        ("prom-b", "source-unreachable"): 1,
    }
    oldest = {
        dict(labels)["source"]: value
        for (family, labels), value in got.items()
        if family == "covenant_source_read_until_oldest_timestamp_seconds"
    }
    assert oldest == {
        "prom-a": (T0 - timedelta(minutes=30)).timestamp(),  # a1's, not "gone"'s day-old one
        "prom-b": (T0 - timedelta(minutes=5)).timestamp(),
    }


def test_an_empty_outbox_counts_zero_and_has_no_oldest_age(
    engine: Engine, workspace: Workspace
) -> None:
    page = SharedMetrics().page(engine, workspace=lambda: workspace, now=T0)
    got = parsed(page)
    assert notices(got) == {"pending": 0, "sent": 0, "failed": 0}
    assert ("covenant_notice_oldest_pending_age_seconds", ()) not in got  # no sample, not 0
    # nothing read yet: every series of each source is never-read, no frontier, none failing
    for source, names in SLOS.items():
        labels = (("source", source), ("state", "never-read"))
        assert got[("covenant_source_series", labels)] == len(names)
        frontier = ("covenant_source_read_until_oldest_timestamp_seconds", (("source", source),))
        assert frontier not in got
    assert not [k for k in got if k[0] == "covenant_source_series_failing"]
    same_as_generate_latest(page)


def test_the_pipeline_evaluated_at_the_scrape(engine: Engine, workspace: Workspace) -> None:
    write_reads(engine, workspace)
    write_outbox(engine)
    now = T0 + timedelta(seconds=90)
    page = SharedMetrics().page(engine, workspace=lambda: workspace, now=now)
    got = parsed(page)
    assert notices(got) == {"pending": 2, "sent": 1, "failed": 1}
    assert got[("covenant_notice_oldest_pending_age_seconds", ())] == 10 * 60 + 90
    check_sources(got)
    assert ("covenant_worker_tick_duration_seconds", ()) not in got  # no tick: not known
    same_as_generate_latest(page)

    # once nothing is pending, the age has no sample (the sent and failed ones still count)
    with write_transaction(engine) as conn:
        rows = outbox.claim(conn, now=now, limit=10, lease=timedelta(minutes=5), owner="test")
        assert len(rows) == 2
        for row in rows:
            assert outbox.mark_sent(conn, row.id, owner="test", now=now)
    got = parsed(SharedMetrics().page(engine, workspace=lambda: workspace, now=now))
    assert notices(got) == {"pending": 0, "sent": 3, "failed": 1}
    assert ("covenant_notice_oldest_pending_age_seconds", ()) not in got


class UnreadError(Exception):
    pass


def no_workspace() -> Workspace:
    raise UnreadError  # the published page is served without reading the definitions


def test_the_pipeline_on_the_published_page(engine: Engine, workspace: Workspace) -> None:
    write_reads(engine, workspace)
    write_outbox(engine)
    # the tick starts at T0 and its timer reads 100.0 s then 107.25 s: it took 7.25 s (the
    # clock keeps whole seconds; the duration is the timer's, to the fraction)
    timer = iter([100.0, 107.25])
    loop = WorkerLoop(
        Worker(engine, catch_up=False),
        workspace=lambda: workspace,
        clock=lambda: T0,
        timer=lambda: next(timer),
    )
    assert loop.run_once() is not None
    assert (loop.last_tick_at, loop.failures, loop.last_error) == (T0, 0, None)  # /api/v1/worker
    later = T0 + timedelta(seconds=45)
    page = SharedMetrics().page(engine, workspace=no_workspace, now=later)
    got = parsed(page)
    assert got[("covenant_metrics_snapshot_age_seconds", ())] == 45  # the published page
    assert got[("covenant_worker_tick_duration_seconds", ())] == 7.25
    check_sources(got)  # as the tick left them (catch-up off: it read nothing)
    assert notices(got) == {"pending": 2, "sent": 1, "failed": 1}
    # of the scrape's clock, not the tick's: written 10 minutes before T0, scraped 45 s after
    assert got[("covenant_notice_oldest_pending_age_seconds", ())] == 10 * 60 + 45
    same_as_generate_latest(page)

    # the outbox moves between ticks: the next scrape sees it without a new tick
    with write_transaction(engine) as conn:
        rows = outbox.claim(conn, now=later, limit=1, lease=timedelta(minutes=5), owner="test")
        assert outbox.mark_sent(conn, rows[0].id, owner="test", now=later)
    got = parsed(SharedMetrics().page(engine, workspace=no_workspace, now=later))
    assert notices(got) == {"pending": 1, "sent": 2, "failed": 1}
    assert got[("covenant_notice_oldest_pending_age_seconds", ())] == 4 * 60 + 45
