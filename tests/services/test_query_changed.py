"""An SLI whose query changes after it was read from Prometheus is read again with the new query;
its counts are never the old query's, nor a sum of both.

A real Prometheus holds two days and a half of one job's request counters, by code (200, 404,
500), scraped on every minute with counts per minute chosen here. The SLI first counts as good
every code that is not 5xx, then only 200, then only 404: each answer is checked against the
sums of those per-minute counts, computed here without Covenant.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant.api.app import create_app
from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.services import prometheus as prometheus_service
from covenant.services.prometheus import catch_up, ingest_prometheus
from covenant.services.slo_timeline import slo_timeline
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from covenant.services.worker import Worker
from covenant.store import buckets
from tests.api.support import EXPIRES, Client
from tests.promserver import Server, openmetrics_text, request_counters
from tests.web.pages import Browser

DAY = 86400
START = 1_790_000_000 - 1_790_000_000 % DAY  # a midnight
AT = START + 2 * DAY + 6 * 3600
MINUTES = (AT - START) // 60 + 5
CODES = ("200", "404", "500")
NOT_5XX = 'code!~"5.."'
ONLY_200 = 'code="200"'
ONLY_404 = 'code="404"'
SLO = """apiVersion: openslo/v1
kind: DataSource
metadata: {name: prometheus}
spec:
  type: Prometheus
  connectionDetails: {url: "URL"}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: api-availability}
spec:
  service: api
  indicator:
    metadata: {name: api}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            metricSourceRef: prometheus
            spec: {query: 'sum(http_requests_total{job="api",GOOD})'}
        total:
          metricSource:
            metricSourceRef: prometheus
            spec: {query: 'sum(http_requests_total{job="api"})'}
  timeWindow: [{duration: 1d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
"""


def _per_minute(minute: int, code: str) -> int:
    """Requests in the minute ending at scrape ``minute`` (uneven, each code its own rhythm)."""
    if code == "200":
        return 1 + minute % 7
    return int(minute % 5 == 1) if code == "404" else int(minute % 9 == 4)


def _good_codes(good: str) -> tuple[str, ...]:
    return {NOT_5XX: ("200", "404"), ONLY_200: ("200",), ONLY_404: ("404",)}[good]


def _counts(good: str, start: int, end: int) -> tuple[int, int]:
    """``(good, total)`` of the minutes ``[start, end)`` (scrapes ``start + 60`` to ``end``)."""
    minutes = range((start - START) // 60 + 1, (end - START) // 60 + 1)
    total = sum(_per_minute(m, c) for m in minutes for c in CODES)
    return sum(_per_minute(m, c) for m in minutes for c in _good_codes(good)), total


def _served(prometheus: Callable[..., Server]) -> Server:
    samples = request_counters("api", START, MINUTES, _per_minute, CODES)
    return prometheus(openmetrics=openmetrics_text(samples, counters=["http_requests"]))


def _workspace(ws: Path, server: Server, good: str) -> Path:
    ws.mkdir(exist_ok=True)
    (ws / "slos.yaml").write_text(SLO.replace("URL", server.url).replace("GOOD", good))
    return ws


def _evaluate_json(ws: Path, *extra: str) -> tuple[dict[str, Any], str]:
    """``covenant evaluate`` at AT into the workspace's own store: its JSON and its stderr."""
    stamp = from_epoch(AT).isoformat().replace("+00:00", "Z")
    args = ["evaluate", "-w", str(ws), "--at", stamp, "--format", "json", *extra]
    done = CliRunner().invoke(app, args, env={"COVENANT_DATABASE_URL": ""})
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout), " ".join(done.stderr.split())


def _evaluate(ws: Path, *extra: str) -> tuple[dict[str, Any], str]:
    printed, said = _evaluate_json(ws, *extra)
    (result,) = printed["results"]
    return result, said


def _stamp(t: int) -> str:
    return from_epoch(t).isoformat().replace("+00:00", "Z")


def test_evaluate_reads_an_sli_as_new_when_its_query_changed_and_restores_it_when_it_is_back(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server = _served(prometheus)
    ws = _workspace(tmp_path / "ws", server, NOT_5XX)
    result, _ = _evaluate(ws, "--read")
    assert (result["good"], result["total"]) == _counts(NOT_5XX, AT - DAY, AT)

    _workspace(ws, server, ONLY_200)  # the good query changes; the store holds the old counts
    result, said = _evaluate(ws)  # the default: catch up what was read before
    assert (result["good"], result["total"]) == _counts(ONLY_200, AT - DAY, AT)
    # the old counts span three UTC days (the first read reached back to AT − 3d, the default
    # tiers' longest alert window, 3 days, SRE workbook; the data start at START); the new
    # query is read as a first read, from AT − 3d
    assert (
        "warning: api: its query changed since it was last read: the counts read with the old "
        f"query (3 days) are set aside, kept but not used, and it was read as new from "
        f"{_stamp(AT - 3 * DAY)}"
    ) in said
    result, said = _evaluate(ws)  # read with this query now: nothing to say, same counts
    assert (result["good"], result["total"]) == _counts(ONLY_200, AT - DAY, AT)
    assert "query changed" not in said

    _workspace(ws, server, ONLY_404)
    result, _ = _evaluate(ws, "--no-read")  # the store as it is: another query's counts
    assert result["status"] == "no_data"
    assert "its query changed since its counts were read" in str(result["no_data"])
    result, _ = _evaluate(ws)
    assert (result["good"], result["total"]) == _counts(ONLY_404, AT - DAY, AT)

    _workspace(ws, server, ONLY_200)  # back: its counts were set aside, not lost
    result, said = _evaluate(ws)
    assert (result["good"], result["total"]) == _counts(ONLY_200, AT - DAY, AT)
    assert (
        "warning: api: its query changed since it was last read: the counts read with the old "
        "query (3 days) are set aside, kept but not used, and those read with this query "
        f"before are used again (read up to {_stamp(AT)})"
    ) in said


def _reads(ws: Path) -> list:  # type: ignore[type-arg]
    found = load_workspace(ws).prometheus
    assert found is not None
    return list(found.reads)


def _stored(engine: Engine, start: int, end: int, *, key: str = "api") -> tuple[int, int]:
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=[key], start=START, end=AT + DAY)
    lo, hi = (start - START) // 60, (end - START) // 60
    assert int(m.total[0][:lo].sum()) == 0  # nothing before
    assert int(m.total[0][hi:].sum()) == 0  # nor after
    return int(m.good[0][lo:hi].sum()), int(m.total[0][lo:hi].sum())


def _aside(ws: Path) -> str:
    """The name of the series of ``api`` read with the workspace's query, once set aside."""
    return f"api#{_reads(ws)[0].fingerprint[:16]}"


def test_catch_up_and_ingest_set_the_old_query_counts_aside_and_restore_them(
    engine: Engine, tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server = _served(prometheus)
    ws = _workspace(tmp_path / "ws", server, NOT_5XX)
    read_to = START + 2 * DAY
    (first,) = ingest_prometheus(
        engine, reads=_reads(ws), start=from_epoch(START), end=from_epoch(read_to)
    )
    assert first.query_changed is None
    assert _stored(engine, START, read_to) == _counts(NOT_5XX, START, read_to)
    old = _aside(ws)

    # the worker's catch-up: a new series, read as never read (its last hour, up to now − 2
    # min); the old query's two days are kept under the name set aside
    _workspace(ws, server, ONLY_200)
    now = from_epoch(AT + 150)
    (again,) = catch_up(engine, reads=_reads(ws), now=now, initial=3600)
    assert again.query_changed is not None
    assert (again.query_changed.days_aside, again.query_changed.restored) == (2, False)
    assert (again.start, again.end) == (from_epoch(AT - 3600), from_epoch(AT))
    assert _stored(engine, AT - 3600, AT) == _counts(ONLY_200, AT - 3600, AT)
    assert _stored(engine, START, read_to, key=old) == _counts(NOT_5XX, START, read_to)
    assert catch_up(engine, reads=_reads(ws), now=now, initial=3600) == []  # nothing new

    # an explicit range after a change reads that range, into a new series
    _workspace(ws, server, ONLY_404)
    (ranged,) = ingest_prometheus(
        engine, reads=_reads(ws), start=from_epoch(START + DAY), end=from_epoch(AT)
    )
    assert ranged.query_changed is not None
    assert ranged.query_changed.days_aside == 1
    assert _stored(engine, START + DAY, AT) == _counts(ONLY_404, START + DAY, AT)

    # back to the second query: its series is the key's again, read up to AT already
    _workspace(ws, server, ONLY_200)
    (back,) = catch_up(engine, reads=_reads(ws), now=now, initial=3600)
    assert back.query_changed is not None
    assert back.query_changed.restored
    assert back.query_changed.restored_until == AT
    assert back.buckets == 0  # nothing left to read
    assert _stored(engine, AT - 3600, AT) == _counts(ONLY_200, AT - 3600, AT)
    assert _stored(engine, START, read_to, key=old) == _counts(NOT_5XX, START, read_to)


def test_the_worker_evaluates_the_new_query_from_its_next_tick_on(
    engine: Engine, tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    """The worker keeps each key's series id and moves its window edges minute by minute;
    after a change the key names a new series, which every later tick must read, not the one
    set aside (whose edges would move over the old query's counts)."""
    server = _served(prometheus)
    ws = _workspace(tmp_path / "ws", server, NOT_5XX)
    worker = Worker(engine, catch_up_initial_s=3 * DAY)
    lag = 120  # the catch-up reads up to now − 2 min

    def tick(at: int) -> tuple[int, int]:
        result = worker.tick(load_workspace(ws), from_epoch(at))
        assert result.problems == ()
        (found,) = result.report.evaluations
        assert found.good is not None
        return found.good, found.total

    assert tick(AT - 60) == _counts(NOT_5XX, AT - 60 - DAY, AT - 60 - lag)
    _workspace(ws, server, ONLY_200)
    for at in (AT, AT + 60, AT + 120):  # the change's tick, then edges moved from the cache
        assert tick(at) == _counts(ONLY_200, at - DAY, at - lag)
    # a worker that reads nothing (serve --no-catch-up): the store holds another query's counts
    _workspace(ws, server, ONLY_404)
    idle = Worker(engine, catch_up=False).tick(load_workspace(ws), from_epoch(AT + 180))
    (found,) = idle.report.evaluations
    assert found.status.value == "no_data"
    assert found.no_data is not None
    assert found.no_data.startswith("its query changed since its counts were read")
    assert found.stale is not None
    assert found.stale.kind == "query-changed"
    assert not found.stale.held  # not a source that stopped: its alerts are not held


def test_a_read_whose_series_another_process_claimed_meanwhile_writes_nothing(
    engine: Engine, tmp_path: Path, prometheus: Callable[..., Server], monkeypatch: Any
) -> None:
    """A worker still on the old definition finds its series claimed for its own query, then
    another process claims the key for a new query before the worker's read resolves the
    series it writes into: that is the new query's, so the worker's counts are not written."""
    server = _served(prometheus)
    ws = _workspace(tmp_path / "ws", server, NOT_5XX)
    ingest_prometheus(
        engine, reads=_reads(ws), start=from_epoch(START), end=from_epoch(START + DAY)
    )
    old = _aside(ws)
    stale_reads = _reads(ws)
    _workspace(ws, server, ONLY_200)
    new_reads = _reads(ws)
    claim = prometheus_service.claim_reads

    def then_another(*args: Any, **kwargs: Any) -> Any:
        found = claim(*args, **kwargs)  # this read's claim: its own query, nothing to do
        claim(engine, new_reads, step=60, at=from_epoch(AT))  # the other process's
        return found

    monkeypatch.setattr(prometheus_service, "claim_reads", then_another)
    now = from_epoch(START + DAY + 3600 + 150)
    (report,) = catch_up(engine, reads=stale_reads, now=now, initial=3600)
    assert report.error is not None
    assert report.error.code == "source-query-changed"
    assert _stored(engine, START, START) == (0, 0)  # the new query's series: nothing in it
    assert _stored(engine, START, START + DAY, key=old) == _counts(NOT_5XX, START, START + DAY)


def test_a_series_read_before_the_queries_were_kept_adopts_its_query(
    engine: Engine, tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    """A store from before migration 0018 holds no query: the next read cannot know whether it
    changed, so it keeps the counts and records its own query from then on."""
    server = _served(prometheus)
    ws = _workspace(tmp_path / "ws", server, NOT_5XX)
    end = START + DAY
    ingest_prometheus(engine, reads=_reads(ws), start=from_epoch(START), end=from_epoch(end))
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE source_reads SET query_sha256 = NULL")
    _workspace(ws, server, ONLY_200)
    reads = _reads(ws)
    (kept,) = catch_up(engine, reads=reads, now=from_epoch(end + 3600 + 150), initial=3600)
    assert kept.query_changed is None
    assert _stored(engine, START, end + 3600) == (
        _counts(NOT_5XX, START, end)[0] + _counts(ONLY_200, end, end + 3600)[0],
        _counts(NOT_5XX, START, end + 3600)[1],
    )
    with engine.connect() as conn:
        (stored,) = conn.exec_driver_sql("SELECT query_sha256 FROM source_reads").one()
    assert stored == reads[0].fingerprint


# a second SLO on an SLI of its own (the 5xx as bad), never read
NEW_SLI = "---\n" + (
    SLO.split("---\n", 1)[1]
    .replace("api-availability", "api-errors")
    .replace("{name: api}", "{name: api-5xx}")
    .replace("good:", "bad:")
    .replace("GOOD", 'code="500"')
)


def test_the_api_says_what_evaluate_says_of_a_changed_query_and_of_an_sli_never_read(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server = _served(prometheus)
    ws = _workspace(tmp_path / "ws", server, NOT_5XX)
    _evaluate(ws, "--read")
    _workspace(ws, server, ONLY_200)
    with (ws / "slos.yaml").open("a") as text:
        text.write(NEW_SLI)
    printed, _ = _evaluate_json(ws, "--no-read")
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    token = create_token(
        engine, role="viewer", customer=None, expires_at=EXPIRES, at=from_epoch(AT), customers=()
    ).text
    engine.dispose()
    client = Client(create_app(settings, clock=lambda: from_epoch(AT)))
    stamp = from_epoch(AT).isoformat().replace("+00:00", "Z")
    answer = client.get(f"/api/v1/evaluations?at={stamp}", token)
    assert answer.status_code == 200, answer.text
    assert answer.json() == printed
    reasons = {r["slo"]: (r["status"], r["no_data"]) for r in printed["results"]}
    assert reasons["api-availability"][0] == "no_data"
    assert "its query changed since its counts were read" in reasons["api-availability"][1]
    # the web UI's SLO page (its timeline) says the same of now and of every point
    engine = open_store(settings.database_url)
    try:
        line = slo_timeline(
            engine, workspace=load_workspace(ws), key="api-availability", at=from_epoch(AT)
        )
    finally:
        engine.dispose()
    for e in (line.now, *line.points):
        assert e.no_data is not None
        assert e.no_data.startswith("its query changed since its counts were read")
    assert reasons["api-errors"][0] == "no_data"
    assert reasons["api-errors"][1].startswith("not read from Prometheus yet")
    kinds = {r["slo"]: (r["stale"] or {}).get("kind") for r in printed["results"]}
    assert (kinds["api-availability"], kinds["api-errors"]) == ("query-changed", "never-read")
    # /metrics: both are no data and stale, whatever figures the old query's counts give
    scraped = client.get("/metrics", token)
    assert scraped.status_code == 200, scraped.text
    for slo in ("api-availability", "api-errors"):
        for family in ("covenant_slo_no_data", "covenant_slo_stale"):
            (line,) = [
                x
                for x in scraped.text.splitlines()
                if x.startswith(family + "{") and f'sloth_slo="{slo}"' in x
            ]
            assert line.endswith(" 1.0"), line
    # the UI's overview tags the changed query stale, with the reason; the SLI never read has
    # no data to be behind: plain no data, the reason as the status's title
    browser = Browser(client.app)
    assert browser.sign_in_token(token).status_code == 303
    overview = browser.get("/ui/overview").text
    assert overview.count('<span class="tag stale" title="its query changed since') == 1
    assert overview.count('<span class="tag stale" title="not read from Prometheus yet') == 0
    never = '<span class="status status-no_data" title="not read from Prometheus yet'
    assert overview.count(never) == 1
