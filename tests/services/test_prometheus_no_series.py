""" "No data" tells a query that matched no series (a misspelt metric or label) from series
that counted no events (a quiet service), against a real Prometheus back-filled with promtool.

Four SLIs over three hours of counters scraped on every minute boundary:

- ``api``: ``http_requests_total{job="api"}``, 200s and 500s every minute: normal numbers;
- ``typo``: the same with the total query's metric misspelt (``http_requets_total``): no
  series for it, while its good query counts the 200s;
- ``typos``: both queries misspelt alike (copied): no series at all;
- ``quiet``: ``http_requests_total{job="quiet"}``, scraped but never incremented: 0 events;
- ``late``: ``http_requests_total{job="late"}``, scraped from the second hour on only.

The reasons are written out here by hand, instants included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant.api.app import create_app
from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.core.results import Evaluation, Status
from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.render.metrics import exposition
from covenant.services.evaluate import EvaluationReport, evaluate_workspace
from covenant.services.metrics import metrics_snapshot
from covenant.services.prometheus import catch_up, ingest_prometheus
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from covenant.services.users import create_user
from covenant.store.source_state import read_states
from tests.api.support import Client
from tests.promserver import Server, openmetrics_text, request_counters
from tests.web.pages import Browser
from tests.web.served import PASSWORD

START = 1_789_948_800  # 2026-09-21T00:00:00Z
MINUTES = 180
END = START + MINUTES * 60  # 03:00
LATE_FROM = 120  # the late job is first scraped at 02:00
LATER = datetime(2026, 12, 1, tzinfo=UTC)  # when the test's token and user are made


def _api(m: int, code: str) -> int:
    return (m % 7) + 3 if code == "200" else (1 if m % 10 == 0 else 0)


def _late(m: int, code: str) -> int:
    return 2 if code == "200" else 0


def _openmetrics() -> str:
    samples = request_counters("api", START, MINUTES, _api, ("200", "500"))
    samples += request_counters("quiet", START, MINUTES, lambda m, c: 0, ("200", "500"))
    late = request_counters("late", START + LATE_FROM * 60, MINUTES - LATE_FROM, _late, ("200",))
    return openmetrics_text([*samples, *late], counters=["http_requests"])


SLO = """---
apiVersion: openslo/v1
kind: SLO
metadata: {name: NAME}
spec:
  service: shop
  indicator:
    metadata: {name: NAME}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            metricSourceRef: prom
            spec: {query: 'GOOD{job="JOB",code="200"}'}
        total:
          metricSource:
            metricSourceRef: prom
            spec: {query: 'sum(TOTAL{job="JOB"})'}
  timeWindow: [{duration: 1d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.9}]
"""


def _workspace(folder: Path, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    docs = [
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prom}\n"
        f'spec:\n  type: Prometheus\n  connectionDetails: {{url: "{url}"}}\n'
    ]
    right, wrong = "http_requests_total", "http_requets_total"
    for name, good, total, job in (
        ("api", right, right, "api"),
        ("typo", right, wrong, "api"),
        ("typos", wrong, wrong, "api"),
        ("quiet", right, right, "quiet"),
        ("late", right, right, "late"),
    ):
        slo = SLO.replace("NAME", name).replace("JOB", job)
        docs.append(slo.replace("GOOD", good).replace("TOTAL", total))
    (folder / "slos.yaml").write_text("".join(docs))
    return folder


TYPO_3H = (
    '`http_requets_total{job="api"}` matched no series in Prometheus `prom` from '
    "2026-09-21T00:00:00Z to 2026-09-21T03:00:00Z — check the metric name and labels (try it "
    "in the Prometheus UI)"
)
QUIET = (
    'no events: the series of `http_requests_total{job="quiet"}` exist in Prometheus `prom` '
    "and counted 0 events in the window (a quiet service)"
)
API_GOOD = sum((m % 7) + 3 for m in range(1, MINUTES + 1))
API_TOTAL = API_GOOD + sum(1 for m in range(1, MINUTES + 1) if m % 10 == 0)


def html(text: str) -> str:
    """``text`` as the page writes it (Jinja2 escapes a double quote as ``&#34;``)."""
    return text.replace('"', "&#34;")


def _by_slo(report: EvaluationReport) -> dict[str, Evaluation]:
    return {e.objective.slo: e for e in report.evaluations}


def test_no_series_and_no_events_are_told_apart(
    engine: Engine, tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server = prometheus(openmetrics=_openmetrics())
    workspace = load_workspace(_workspace(tmp_path / "ws", server.url))
    assert workspace.prometheus is not None
    reads = workspace.prometheus.reads
    # the first hour only: the late job has no series yet either
    first = ingest_prometheus(
        engine, reads=reads, start=from_epoch(START), end=from_epoch(START + 3600)
    )
    assert [r.error for r in first] == [None] * 5
    e = _by_slo(evaluate_workspace(engine, workspace=workspace, at=from_epoch(START + 3600)))
    assert e["late"].no_data == (
        '`http_requests_total{job="late"}` matched no series in Prometheus `prom` from '
        "2026-09-21T00:00:00Z to 2026-09-21T01:00:00Z — check the metric name and labels (try "
        "it in the Prometheus UI)"
    )
    # then caught up to 03:00 (now 03:02, two minutes' lag): the run of reads matching no
    # series goes on from midnight for the typo; the late job's series appeared
    catch_up(engine, reads=reads, now=from_epoch(END + 120), initial=3600)
    with engine.connect() as conn:
        states = read_states(conn, keys=["api", "typo", "typos", "quiet", "late"])
    assert {
        k: (s.read_until, s.total_found, s.total_unmatched_from) for k, s in states.items()
    } == {
        "api": (END, True, None),
        "typo": (END, False, START),
        "typos": (END, False, START),
        "quiet": (END, True, None),
        "late": (END, True, None),
    }
    assert (states["typo"].first_found, states["typo"].first_unmatched_from) == (True, None)
    assert (states["typos"].first_found, states["typos"].first_unmatched_from) == (False, START)
    e = _by_slo(evaluate_workspace(engine, workspace=workspace, at=from_epoch(END)))
    typo, quiet, api, late = e["typo"], e["quiet"], e["api"], e["late"]
    assert (typo.status, typo.no_data, typo.good, typo.total) == (Status.NO_DATA, TYPO_3H, 0, 0)
    assert (e["typos"].no_data, e["typos"].total) == (TYPO_3H, 0)  # the total query named
    assert typo.stale is not None
    assert (typo.stale.kind, typo.stale.query, typo.stale.source, typo.stale.behind) == (
        "no-series",
        'http_requets_total{job="api"}',
        "prom",
        False,
    )
    assert (quiet.status, quiet.no_data, quiet.stale, quiet.sli) == (
        Status.NO_DATA,
        QUIET,
        None,
        None,
    )
    assert (api.good, api.total, api.no_data, api.stale) == (API_GOOD, API_TOTAL, None, None)
    assert (late.good, late.total, late.no_data) == (2 * 60, 2 * 60, None)
    # a window that ends before the reads that matched nothing is plain "no events"
    e = _by_slo(evaluate_workspace(engine, workspace=workspace, at=from_epoch(START)))
    assert e["typo"].no_data == "no events in the window"
    assert e["typo"].stale is None
    # /metrics counts the series whose total query matched nothing, per source
    page = exposition(metrics_snapshot(engine, workspace=workspace, now=from_epoch(END)))
    lines = page.decode().splitlines()
    assert 'covenant_source_series_unmatched{query="total",source="prom"} 2.0' in lines
    assert 'covenant_source_series_unmatched{query="good",source="prom"} 1.0' in lines
    stale = [line for line in lines if line.startswith("covenant_slo_stale{") and "typo" in line]
    assert len(stale) == 2  # typo and typos
    assert all(line.endswith(" 0.0") for line in stale)


def test_evaluate_json_and_table_name_the_query_that_matched_nothing(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server = prometheus(openmetrics=_openmetrics())
    ws = _workspace(tmp_path / "ws", server.url)
    at = "2026-09-21T03:00:00Z"
    env = {"COVENANT_DATABASE_URL": ""}
    # the first hour by `ingest prometheus`, the rest by evaluate's own catch-up (sqlite3)
    read = ["ingest", "prometheus", "-w", str(ws), "--from", "2026-09-21T00:00:00Z"]
    read += ["--to", "2026-09-21T01:00:00Z"]
    ingested = CliRunner().invoke(app, read, env=env)
    assert ingested.exit_code == 0, ingested.output
    done = CliRunner().invoke(
        app, ["evaluate", "-w", str(ws), "--at", at, "--format", "json"], env=env
    )
    assert done.exit_code == 0, done.output
    results = {r["slo"]: r for r in json.loads(done.stdout)["results"]}
    typo = results["typo"]
    assert (typo["status"], typo["no_data"]) == ("no_data", TYPO_3H)
    assert typo["stale"] == {
        "kind": "no-series",
        "source": "prom",
        "code": None,
        "failed_at": None,
        "data_until": "2026-09-21T03:00:00Z",
        "query": 'http_requets_total{job="api"}',
    }
    assert (results["quiet"]["no_data"], results["quiet"]["stale"]) == (QUIET, None)
    assert (results["api"]["good"], results["api"]["total"]) == (API_GOOD, API_TOTAL)
    table = CliRunner().invoke(
        app,
        ["evaluate", "-w", str(ws), "--at", at, "--no-read", "--wide"],
        env={**env, "COLUMNS": "400"},
    )
    assert table.exit_code == 0, table.output
    rows = {line.split()[0]: line.rstrip() for line in table.stdout.splitlines() if line.strip()}
    assert rows["typo"].endswith(f"  no data: {TYPO_3H}")
    assert rows["quiet"].endswith(f"  no data: {QUIET}")
    # the API's evaluations and the web UI's SLO page say the same
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    token = create_token(
        engine, role="viewer", customer=None, expires_at=LATER, at=LATER, customers=()
    ).text
    create_user(
        engine, name="vic", password=PASSWORD, role="viewer", customer=None, customers=(), at=LATER
    )
    engine.dispose()
    api = create_app(settings, clock=lambda: from_epoch(END))
    answer = Client(api).get("/api/v1/evaluations", token)
    assert answer.status_code == 200, answer.text
    found = {r["slo"]: r for r in answer.json()["results"]}
    assert (found["typo"]["no_data"], found["typo"]["stale"]["kind"]) == (TYPO_3H, "no-series")
    assert (found["quiet"]["no_data"], found["quiet"]["stale"]) == (QUIET, None)
    browser = Browser(api)
    browser.sign_in("vic")
    page = browser.get("/ui/slos/typo")
    assert page.status_code == 200, page.text
    assert f'<p class="muted">No data: {html(TYPO_3H)}</p>' in page.text
    page = browser.get("/ui/slos/quiet")
    assert f'<p class="muted">No data: {html(QUIET)}</p>' in page.text


def test_ingest_names_a_total_query_that_matched_nothing_not_a_retention_gap(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    """`covenant ingest prometheus` of a misspelt total query said only "prom has no data for
    60 of the minutes read (before its retention, or a gap in its data)" and "ok": the fix
    (the metric name) is what `covenant evaluate` says, so the read says it too."""
    server = prometheus(openmetrics=_openmetrics())
    ws = _workspace(tmp_path / "ws", server.url)
    read = ["ingest", "prometheus", "-w", str(ws), "--from", "2026-09-21T00:00:00Z"]
    read += ["--to", "2026-09-21T01:00:00Z"]
    done = CliRunner().invoke(app, read, env={"COVENANT_DATABASE_URL": "", "COLUMNS": "400"})
    assert done.exit_code == 0, done.output
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    first_hour = "from 2026-09-21T00:00:00Z to 2026-09-21T01:00:00Z"
    fix = "— check the metric name and labels (try it in the Prometheus UI)"
    assert sorted(warnings) == [
        f'warning: late: `http_requests_total{{job="late"}}` matched no series in Prometheus '
        f"`prom` {first_hour} {fix}",
        f'warning: typo: `http_requets_total{{job="api"}}` matched no series in Prometheus '
        f"`prom` {first_hour} {fix}",
        f'warning: typos: `http_requets_total{{job="api"}}` matched no series in Prometheus '
        f"`prom` {first_hour} {fix}",
    ]
    # the machine form says it too: `no_series`, the total query as to try it, else null
    as_json = CliRunner().invoke(
        app, [*read, "--format", "json"], env={"COVENANT_DATABASE_URL": ""}
    )
    assert as_json.exit_code == 0, as_json.output
    rows = {row["series"]: row["no_series"] for row in json.loads(as_json.stdout)["series"]}
    assert rows == {
        "api": None,
        "typo": 'http_requets_total{job="api"}',
        "typos": 'http_requets_total{job="api"}',
        "quiet": None,
        "late": 'http_requests_total{job="late"}',
    }
