"""After a first read by days, every reader that needs minutes reads those days' minutes first.

The store is the one ``test_prometheus_recorded`` builds: ``evaluate --read``'s first read at
``AT`` against the real Prometheus fixture (counters back-filled with promtool, the rules'
recordings too) keeps two days of ``web`` (and ``db``) as day sums (``START + 2d``, ``START +
4d``) and the four days the edges cut as hour pieces (minutes only in the hours an edge cuts).
A reader of every bucket over the five days needs the minutes of all six. ``api`` is then read
minute by minute (``ingest prometheus``): an SLI with no sums, as one without recordings is.
Then:

- the CLI's readers (``backtest alerts``, ``suggest slo``, ``report sla``, ``exposure``) read the
  minutes of the days they need from Prometheus, with a note, and answer; the minutes stored
  equal the counts derived here from the generated events;
- the API and the UI answer ``minutes-pending`` (503, ``Retry-After``) at once while the
  process reads them, then the figures; with Prometheus down ``minutes-unread`` naming the
  SLO, the days and the fix — never a 500 or a raw ``store-error``;
- a failed refinement (Prometheus down when the window's edge crosses into a day of sums)
  makes only ``web``'s SLO "no data (stale)" with the reason, in ``evaluate`` and in the
  worker, while ``api`` evaluates to its exact counts.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app as cli
from covenant.core.results import Status
from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.services.evaluate import evaluate_objectives
from covenant.services.evaluate_read import read_before_evaluating
from covenant.services.prometheus import catch_up, ingest_prometheus
from covenant.services.store import open_store
from covenant.store.chunk_reads import read_matrix, series_rows
from covenant.store.day_sums import day_sum_days
from tests.services.test_prometheus_recorded import (
    AT,
    DAY,
    END,
    LATER,
    START,
    _expected,
    _workspace,
    loaded,
)

__all__ = ["loaded"]  # the module's Prometheus server, shared with its fixture

# Debian stable's Prometheus only: these readers take the same recorded read that
# tests/services/test_prometheus_recorded.py checks on both releases, and its module server
# (rules back-filled) costs minutes of CI a release.
pytestmark = pytest.mark.prometheus_releases("stable")

DOWN = "http://127.0.0.1:9"  # nothing listens: connection refused at once
SUM_DAYS = (START + 2 * DAY, START + 4 * DAY)  # web's days of sums after the first read
PIECE_DAYS = (START + DAY, START + 3 * DAY, START + 5 * DAY, START + 6 * DAY)  # hour pieces
SIX_DAYS = "2026-09-22, 2026-09-23, 2026-09-24, 2026-09-25, 2026-09-26 and 1 more"
AGREEMENT = """apiVersion: covenant/v1
kind: Customer
metadata: {name: acme}
spec: {currency: EUR}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: acme-web}
spec:
  customer: acme
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {web: "1000.00"}
      period: {unit: month, timeZone: UTC}
      signatories:
        - {name: Ada, role: CEO Acme, signedAt: 2025-12-10}
      availability:
        - name: web-uptime
          services: [web]
          level: 99.0
          measurement:
            source: bad-intervals
            slo: web-availability
            interval: 5m
            errorRateAtLeast: 50
          credits:
            - {below: 99.0, credit: 10}
          backedBy: [web-availability]
"""


@pytest.fixture(scope="module")
def by_days(loaded: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store after the first read by days at ``AT`` (copied by each test)."""
    _, ws, _ = loaded
    workspace = load_workspace(ws)
    path = tmp_path_factory.mktemp("by-days") / "days.db"
    open_store(f"sqlite:///{path}").dispose()
    reports = read_before_evaluating(
        f"sqlite:///{path}",
        reads=workspace.prometheus.reads,  # type: ignore[union-attr]
        objectives=workspace.objectives,
        at=from_epoch(AT),
        every=True,
    )
    assert [r.error for r in reports] == [None, None, None]
    # api's sums (the first read stored its days without the reset's) replaced by its minutes
    api = [r for r in workspace.prometheus.reads if r.series == "api"]  # type: ignore[union-attr]
    engine = open_store(f"sqlite:///{path}")
    try:
        done = ingest_prometheus(engine, reads=api, start=from_epoch(START), end=from_epoch(AT))
        assert [r.error for r in done] == [None]
    finally:
        engine.dispose()
    assert _sum_days(f"sqlite:///{path}") == {"web": list(SUM_DAYS)}
    return path


def _store(by_days: Path, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(by_days, folder / "days.db")
    return f"sqlite:///{folder / 'days.db'}"


def _sum_days(url: str) -> dict[str, list[int]]:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            rows = series_rows(conn, ["web", "api"])
            found = day_sum_days(conn, series_ids=[i for i, _ in rows.values()], before=END)
    finally:
        engine.dispose()
    key_of = {i: k for k, (i, _) in rows.items()}
    return {key_of[i]: days for i, days in found.items()}


def _minutes_match_the_events(url: str, events: dict[str, Any]) -> None:
    """Each day read again holds the minutes the samples reading counts from the events."""
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            for day in SUM_DAYS:
                m = read_matrix(conn, keys=["web"], start=day, end=day + DAY)
                good = _expected(events["web"]["200"], day, day + DAY)
                bad = _expected(events["web"]["500"], day, day + DAY)
                assert (int(m.good.sum()), int(m.total.sum())) == (good, good + bad)
    finally:
        engine.dispose()


def _cli(ws: Path, url: str, *args: str) -> Any:
    return CliRunner().invoke(
        cli, [*args, "-w", str(ws)], env={"COVENANT_DATABASE_URL": url, "COVENANT_NOW": ""}
    )


@pytest.mark.parametrize(
    "command",
    [
        ["backtest", "alerts", "web-availability", "--from", "2026-09-22T00:00:00Z", "--to",
         "2026-09-27T13:00:00Z", "--format", "json"],
        ["suggest", "slo", "web-availability", "--windows", "5", "--hold", "4", "--at",
         "2026-09-27T13:17:00Z", "--format", "json"],
        ["report", "sla", "--customer", "acme", "--period", "2026-09", "--at",
         "2026-09-27T13:17:00Z", "--format", "json"],
        ["exposure", "--at", "2026-09-27T13:17:00Z", "--format", "json"],
    ],
    ids=["backtest-alerts", "suggest-slo", "report-sla", "exposure"],
)  # fmt: skip
def test_cli_readers_read_the_minutes_of_days_of_sums_first(
    loaded: Any, by_days: Path, tmp_path: Path, command: list[str]
) -> None:
    server, _, events = loaded
    ws = _workspace(tmp_path / "ws", server.url)
    (ws / "agreements.yaml").write_text(AGREEMENT)
    url = _store(by_days, tmp_path)
    done = _cli(ws, url, *command)
    assert done.exit_code == 0, done.output
    assert "reading the minutes of" in done.output  # the note on stderr (mixed in here)
    assert "store-error" not in done.output
    assert _sum_days(url) == {}
    _minutes_match_the_events(url, events)


def test_a_cli_reader_names_the_slo_the_days_and_the_fix_when_prometheus_is_down(
    by_days: Path, tmp_path: Path
) -> None:
    ws = _workspace(tmp_path / "ws", DOWN)
    url = _store(by_days, tmp_path)
    done = _cli(
        ws,
        url,
        *("backtest", "alerts", "web-availability", "--from", "2026-09-22T00:00:00Z"),
        *("--to", "2026-09-27T13:00:00Z"),
    )
    assert done.exit_code == 1, done.output
    text = " ".join(done.output.split())
    assert "minutes-unread" in text
    assert "SLO web-availability" in text
    assert SIX_DAYS in text
    assert "covenant ingest prometheus --from 2026-09-22T00:00:00Z --to 2026-09-28T00:00:00Z" in (
        text
    )
    assert _sum_days(url) == {"web": list(SUM_DAYS)}  # nothing half-read


def _read_to_later(url: str, ws: Path) -> None:
    """Catch both series up to ``LATER`` from the live server (no refinement yet)."""
    reads = load_workspace(ws).prometheus.reads  # type: ignore[union-attr]
    engine = open_store(url)
    try:
        now = datetime.now(UTC)
        done = catch_up(engine, reads=reads, now=now, initial=DAY, until=from_epoch(LATER))
        assert [r.error for r in done] == [None, None, None]
    finally:
        engine.dispose()


def _check_later(evaluations: Any, events: dict[str, Any]) -> None:
    by_slo = {e.objective.slo: e for e in evaluations}
    api = by_slo["api-availability"]
    good = _expected(events["api"]["200"], LATER - 5 * DAY, LATER)
    bad = _expected(events["api"]["500"], LATER - 5 * DAY, LATER)
    assert (api.good, api.total) == (good, good + bad)
    assert api.status is not Status.NO_DATA
    web = by_slo["web-availability"]
    assert web.status is Status.NO_DATA
    assert web.no_data is not None
    # the days of sums the 5-day and 3-day edges now cut, and the day whose summed hour the
    # 1-day edge now cuts
    assert web.no_data.startswith(
        "stale: the minutes of 2026-09-23, 2026-09-25, 2026-09-27 are not read"
    )
    assert "[source-unreachable]" in web.no_data


def test_a_failed_refinement_makes_only_its_slo_stale_in_evaluate(
    loaded: Any, by_days: Path, tmp_path: Path
) -> None:
    _, ws, events = loaded
    url = _store(by_days, tmp_path)
    _read_to_later(url, ws)
    down = load_workspace(_workspace(tmp_path / "down", DOWN))
    reports = read_before_evaluating(
        url,
        reads=down.prometheus.reads,  # type: ignore[union-attr]
        objectives=down.objectives,
        at=from_epoch(LATER),
        every=False,
    )
    # two days and an hour per series (db's as web's)
    assert sorted((r.series, r.error is not None) for r in reports) == [
        *[("db", True)] * 3,
        *[("web", True)] * 3,
    ]
    engine = open_store(url)
    try:
        report = evaluate_objectives(
            engine, objectives=down.objectives, at=from_epoch(LATER), day_sums_stale=True
        )
    finally:
        engine.dispose()
    _check_later(report.evaluations, events)
    # the CLI says so and evaluates the others: exit 0, api's row, web's reason
    done = _cli(down_ws := tmp_path / "down", url, "evaluate", "--at", "2026-09-28T09:17:00Z")
    assert done.exit_code == 0, (down_ws, done.output)
    assert "store-error" not in done.output


def test_a_failed_refinement_makes_only_its_slo_stale_in_the_worker(
    loaded: Any, by_days: Path, tmp_path: Path
) -> None:
    from covenant.services.worker import Worker  # noqa: PLC0415

    _, ws, events = loaded
    url = _store(by_days, tmp_path)
    _read_to_later(url, ws)
    down = load_workspace(_workspace(tmp_path / "down", DOWN))
    engine = open_store(url)
    try:
        worker = Worker(engine)
        result = worker.tick(down, from_epoch(LATER))
        _check_later(result.report.evaluations, events)
        assert sorted(p.split(":")[0] for p in result.problems) == ["db"] * 3 + ["web"] * 3
        # once the server answers, the next tick reads the days (and the catch-up its minutes
        # up to 2 minutes before the tick): web evaluates again
        tick = LATER + 180
        again = worker.tick(load_workspace(ws), from_epoch(tick))
        web = next(e for e in again.report.evaluations if e.objective.slo == "web-availability")
        assert web.no_data is None, web.no_data
        lo, hi = tick - 5 * DAY, tick - 120
        g = _expected(events["web"]["200"], lo, hi)
        b = _expected(events["web"]["500"], lo, hi)
        assert (web.good, web.total) == (g, g + b)
    finally:
        engine.dispose()


def _served(ws: Path, url: str, *, customer: str | None = None) -> tuple[Any, str]:
    """The app (API and UI) on ``ws`` and ``url``, its clock at ``AT``; a viewer's token (the
    UI's user ``vic`` signs in with the same password as the web tests)."""
    from covenant.api.app import create_app  # noqa: PLC0415
    from covenant.config import Settings  # noqa: PLC0415
    from covenant.services.tokens import create_token  # noqa: PLC0415
    from covenant.services.users import create_user  # noqa: PLC0415
    from tests.web.served import PASSWORD  # noqa: PLC0415

    at = from_epoch(AT)
    engine = open_store(url)
    try:
        token = create_token(
            engine,
            role="customer" if customer else "viewer",
            customer=customer,
            expires_at=at + timedelta(days=365),
            at=at,
            customers=(customer,) if customer else (),
        ).text
        create_user(
            engine, name="vic", password=PASSWORD, role="viewer", customer=None, customers=(), at=at
        )
    finally:
        engine.dispose()
    return create_app(Settings(workspace=ws, database_url=url), clock=lambda: at), token


ALERTS = (
    "/api/v1/backtests/alerts/web-availability?from=2026-09-22T00:00:00Z&to=2026-09-27T13:00:00Z"
)


def test_the_api_answers_pending_at_once_then_the_figures(
    loaded: Any, by_days: Path, tmp_path: Path
) -> None:
    from tests.api.support import Client  # noqa: PLC0415

    server, _, events = loaded
    url = _store(by_days, tmp_path)
    application, token = _served(_workspace(tmp_path / "ws", server.url), url)
    client = Client(application)
    first = client.get(ALERTS, token)
    assert first.status_code == 503, first.text
    assert first.headers["Retry-After"] == "5"
    body = first.json()
    assert body["code"] == "minutes-pending"
    assert f"the minutes of {SIX_DAYS} of SLO web-availability" in body["message"]
    assert application.state.covenant.minutes_reader().wait(120)
    second = client.get(ALERTS, token)
    assert second.status_code == 200, second.text
    assert _sum_days(url) == {}
    _minutes_match_the_events(url, events)


def test_the_api_names_the_slo_the_days_and_the_fix_when_prometheus_is_down(
    by_days: Path, tmp_path: Path
) -> None:
    from tests.api.support import Client  # noqa: PLC0415

    url = _store(by_days, tmp_path)
    application, token = _served(_workspace(tmp_path / "ws", DOWN), url)
    client = Client(application)
    assert client.get(ALERTS, token).json()["code"] == "minutes-pending"
    assert application.state.covenant.minutes_reader().wait(120)
    failed = client.get(ALERTS, token)
    assert failed.status_code == 502, failed.text
    body = failed.json()
    assert body["code"] == "minutes-unread"
    assert f"SLO web-availability: the minutes of {SIX_DAYS}" in body["message"]
    assert "[source-unreachable]" not in body["message"]  # the source's own words instead
    assert "covenant ingest prometheus --from 2026-09-22T00:00:00Z" in body["hint"]
    assert _sum_days(url) == {"web": list(SUM_DAYS)}


def test_the_slo_page_says_its_minutes_are_being_read_then_shows_the_chart(
    loaded: Any, by_days: Path, tmp_path: Path
) -> None:
    from tests.web.pages import Browser  # noqa: PLC0415

    server, _, events = loaded
    url = _store(by_days, tmp_path)
    application, _ = _served(_workspace(tmp_path / "ws", server.url), url)
    browser = Browser(application)
    browser.sign_in("vic")
    first = browser.get("/ui/slos/web-availability")
    assert first.status_code == 503, first.text
    assert first.headers.get("Retry-After") == "5", first.text[first.text.find("<main") :]
    assert "minutes-pending" in first.text
    assert "are being read from Prometheus now" in first.text
    assert application.state.covenant.minutes_reader().wait(120)
    second = browser.get("/ui/slos/web-availability")
    assert second.status_code == 200, second.text[:2000]
    assert _sum_days(url) == {}
    _minutes_match_the_events(url, events)


def test_the_worker_reads_the_minutes_its_agreements_need(
    loaded: Any, by_days: Path, tmp_path: Path
) -> None:
    from covenant.services.worker import Worker  # noqa: PLC0415

    server, _, events = loaded
    ws = _workspace(tmp_path / "ws", server.url)
    (ws / "agreements.yaml").write_text(AGREEMENT)
    url = _store(by_days, tmp_path)
    engine = open_store(url)
    try:
        result = Worker(engine).tick(load_workspace(ws), from_epoch(AT))
    finally:
        engine.dispose()
    assert result.problems == ()
    assert result.agreements is not None
    assert [m.agreement for c in result.agreements.customers for m in c.commitments] == ["acme-web"]
    assert _sum_days(url) == {}
    _minutes_match_the_events(url, events)


def test_a_customers_statement_names_no_slo_while_its_minutes_are_read(
    loaded: Any, by_days: Path, tmp_path: Path
) -> None:
    from tests.api.support import Client  # noqa: PLC0415

    server, _, _ = loaded
    ws = _workspace(tmp_path / "ws", server.url)
    (ws / "agreements.yaml").write_text(AGREEMENT)
    url = _store(by_days, tmp_path)
    application, token = _served(ws, url, customer="acme")
    path = "/api/v1/customers/acme/statements/2026-09"
    first = Client(application).get(path, token)
    assert first.status_code == 503, first.text
    body = first.json()
    assert body["code"] == "minutes-pending"
    assert body["message"] == "some of the figures asked for are still being read"
    assert "web" not in first.text
    assert application.state.covenant.minutes_reader().wait(120)
    assert Client(application).get(path, token).status_code == 200
    assert _sum_days(url) == {}


def test_corrections_or_composites_have_the_catch_up_read_every_day_of_sums_in_range(
    loaded: Any, by_days: Path, tmp_path: Path
) -> None:
    """``evaluate`` with corrections or composites reads every bucket of the range: its
    catch-up (``by_days`` False) reads the minutes of every day of sums and of hour pieces
    there, not only the days and hours an edge cuts (none at ``AT``)."""
    _, ws, events = loaded
    workspace = load_workspace(ws)
    url = _store(by_days, tmp_path)
    reports = read_before_evaluating(
        url,
        reads=workspace.prometheus.reads,  # type: ignore[union-attr]
        objectives=workspace.objectives,
        at=from_epoch(AT),
        every=False,
        by_days=False,
    )
    assert sorted((r.series, r.start) for r in reports) == [
        (s, from_epoch(d)) for s in ("db", "web") for d in sorted(SUM_DAYS + PIECE_DAYS)
    ]
    assert all(r.complete for r in reports)
    assert _sum_days(url) == {}
    _minutes_match_the_events(url, events)
