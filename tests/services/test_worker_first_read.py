"""The worker's first read of an SLI never read covers its windows, as ``evaluate --read`` does.

A real Prometheus back-filled with eight hours of ``http_requests_total`` (``api`` and
``late``, both with 200s and 500s every minute); two SLOs with a rolling 1-day window read
them. The worker's first tick, two minutes after the last scrape, must count all eight hours
(not the last three, which was all a never-read series got before), and a tick reads at most
``first_reads`` never-read SLIs' windows: the others wait for the next tick ("no data", never
a figure over a few hours). The expected counts are summed here from the generator's formula.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from covenant.api.app import create_app
from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.core.results import Status
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.definitions.workspace import load_workspace
from covenant.render.evaluation import evaluation_json
from covenant.services.coverage import apply_coverage
from covenant.services.evaluate import evaluate_workspace
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from covenant.services.worker import Worker
from covenant.store.source_state import read_states
from tests.api.support import EXPIRES, Client
from tests.promserver import Server, openmetrics_text, request_counters
from tests.services.test_prometheus_no_series import SLO
from tests.web.pages import Browser

START = 1_789_948_800  # 2026-09-21T00:00:00Z
MINUTES = 8 * 60
END = START + MINUTES * 60  # 08:00, the last scrape
NOW = from_epoch(END + 120)  # the catch-up reads up to two minutes before now: to 08:00


def _api(m: int, code: str) -> int:
    return (m % 7) + 3 if code == "200" else (1 if m % 10 == 0 else 0)


def _late(m: int, code: str) -> int:
    return 2 if code == "200" else (1 if m % 4 == 0 else 0)


def _expected(per_minute: Callable[[int, str], int]) -> tuple[int, int]:
    good = sum(per_minute(m, "200") for m in range(1, MINUTES + 1))
    return good, good + sum(per_minute(m, "500") for m in range(1, MINUTES + 1))


def _server(prometheus: Callable[..., Server]) -> Server:
    samples = request_counters("api", START, MINUTES, _api, ("200", "500"))
    samples += request_counters("late", START, MINUTES, _late, ("200", "500"))
    return prometheus(openmetrics=openmetrics_text(samples, counters=["http_requests"]))


def _workspace(folder: Path, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    docs = [
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prom}\n"
        f'spec:\n  type: Prometheus\n  connectionDetails: {{url: "{url}"}}\n'
    ]
    for name in ("api", "late"):
        slo = SLO.replace("NAME", name).replace("JOB", name)
        docs.append(
            slo.replace("GOOD", "http_requests_total").replace("TOTAL", "http_requests_total")
        )
    (folder / "slos.yaml").write_text("".join(docs))
    return folder


def test_the_first_tick_reads_a_never_read_sli_over_its_window(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server = _server(prometheus)
    ws = _workspace(tmp_path / "ws", server.url)
    workspace = load_workspace(ws)
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    result = Worker(engine).tick(workspace, NOW)
    assert result.problems == ()
    by_slo = {e.objective.slo: e for e in result.report.evaluations}
    for name, formula in (("api", _api), ("late", _late)):
        good, total = _expected(formula)
        assert (by_slo[name].good, by_slo[name].total) == (good, total), name
        assert by_slo[name].status is not Status.NO_DATA


def test_a_tick_reads_a_bounded_number_of_never_read_slis(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server = _server(prometheus)
    workspace = load_workspace(_workspace(tmp_path / "ws", server.url))
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    worker = Worker(engine, first_reads=1)
    first = worker.tick(workspace, NOW)
    with engine.connect() as conn:
        states = read_states(conn, keys=["api", "late"])
    assert states["api"].read_until == END  # read, all of its window
    assert "late" not in states or states["late"].read_until is None  # waits its turn
    by_slo = {e.objective.slo: e for e in first.report.evaluations}
    assert (by_slo["api"].good, by_slo["api"].total) == _expected(_api)
    assert by_slo["late"].status is Status.NO_DATA  # not read yet: no figure
    assert by_slo["late"].total == 0
    second = worker.tick(workspace, NOW + timedelta(minutes=1))
    by_slo = {e.objective.slo: e for e in second.report.evaluations}
    assert (by_slo["late"].good, by_slo["late"].total) == _expected(_late)
    assert (by_slo["api"].good, by_slo["api"].total) == _expected(_api)  # caught up, as before


def test_a_window_that_starts_before_the_stored_data_says_from_when(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server = _server(prometheus)
    ws = _workspace(tmp_path / "ws", server.url)
    workspace = load_workspace(ws)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = open_store(url)
    result = Worker(engine).tick(workspace, NOW)
    # the server holds 8 hours; the 1-day window ends at now (two minutes after the last
    # scrape): 8 × 60 + 2 of its 24 × 60 minutes, from the first scrape's minute on
    note = (
        f"data from 2026-09-21T00:00:00Z only ({8 * 60 + 2:,} of the window's {24 * 60:,} minutes)"
    )
    worker_notes = {e.objective.slo: e.coverage_note for e in result.report.evaluations}
    assert worker_notes == {"api": note, "late": note}
    report = evaluate_workspace(
        engine, workspace=workspace, at=NOW, now=NOW
    )  # what the CLI, the API and the web pages evaluate
    assert [e.data_from for e in report.evaluations] == [from_epoch(START)] * 2
    assert [e.coverage_note for e in report.evaluations] == [note, note]
    shown = evaluation_json(report.evaluations[0])
    assert (shown["data_from"], shown["coverage_note"]) == ("2026-09-21T00:00:00Z", note)
    # data stored from the window's start on: no note
    assert apply_coverage(report, {"api": to_epoch(NOW) - 86400}).evaluations[0].data_from is None


def test_the_api_and_the_pages_say_from_when_the_window_holds_data(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server = _server(prometheus)
    ws = _workspace(tmp_path / "ws", server.url)
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    Worker(engine).tick(load_workspace(ws), NOW)  # reads both SLIs' windows
    plain = f"data from 2026-09-21T00:00:00Z only ({482:,} of the window's {1440:,} minutes)"
    note = plain.replace("'", "&#39;")  # as the pages escape it
    token = create_token(
        engine, role="viewer", customer=None, expires_at=EXPIRES, at=NOW, customers=()
    ).text
    client = Client(create_app(settings, clock=lambda: NOW))
    answer = client.get("/api/v1/evaluations/api", token)
    assert answer.status_code == 200, answer.text
    assert [e["coverage_note"] for e in answer.json()["results"]] == [plain]
    browser = Browser(client.app)
    assert browser.sign_in_token(token).status_code == 303
    assert f"Part of the window: {note}" in browser.get("/ui/slos/api").text
    assert (
        f'part of the window<span class="visually-hidden">: {note}'
        in browser.get("/ui/overview").text
    )


def test_evaluate_says_from_when_the_window_holds_data(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server = _server(prometheus)
    ws = _workspace(tmp_path / "ws", server.url)
    at = "2026-09-21T08:02:00Z"  # NOW
    env = {"COVENANT_DATABASE_URL": ""}
    plain = f"data from 2026-09-21T00:00:00Z only ({482:,} of the window's {1440:,} minutes)"
    done = CliRunner().invoke(
        app, ["evaluate", "-w", str(ws), "--at", at, "--read", "--format", "json"], env=env
    )
    assert done.exit_code == 0, done.output
    results = {r["slo"]: r for r in json.loads(done.stdout)["results"]}
    assert {k: (r["data_from"], r["coverage_note"]) for k, r in results.items()} == {
        "api": ("2026-09-21T00:00:00Z", plain),
        "late": ("2026-09-21T00:00:00Z", plain),
    }
    table = CliRunner().invoke(
        app,
        ["evaluate", "-w", str(ws), "--at", at, "--no-read", "--wide"],
        env={**env, "COLUMNS": "400"},
    )
    assert table.exit_code == 0, table.output
    rows = {line.split()[0]: line.rstrip() for line in table.stdout.splitlines() if line.strip()}
    assert rows["api"].endswith(f"ok ({plain})")
