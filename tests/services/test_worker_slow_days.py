"""A slow or failing Prometheus never delays a tick's SLO notices; failed day reads back off.

The store is ``test_day_minutes``'s: a first read by days against the real Prometheus fixture
left two days of ``web`` as day sums. The worker reads through a tiny local proxy that hands
every query to the real server, except the reads of a whole day's minutes (an instant query
``…[1d5m]`` at a midnight), which it holds or answers 503 as the test says. Then:

- the tick's burn-rate notices are committed (alert state and outbox) and handed to
  ``notify`` before the agreements ask the proxy for a day's minutes — the proxy holds that
  read until the notice arrived; the agreement alert already firing keeps its state while its
  statements cannot be read, and resolves only once they are;
- a failed day read is asked again after 1 minute, then after 2: the tick in between sends
  the proxy nothing (its requests are counted), the agreements' problem and the SLO's stale
  reason name the last error and the next try, and a read that succeeds clears them;
- every notice is sent once.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from covenant.core.alert_state import AlertPhase, AlertRecord, Transition
from covenant.core.model import default_alert_tiers
from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import Workspace, load_workspace
from covenant.services.delivery import Dispatcher
from covenant.services.store import open_store
from covenant.services.worker import Worker
from covenant.store import outbox
from covenant.store.alert_states import load_alert_states, save_transition
from covenant.store.db import write_transaction
from tests.services.test_day_minutes import (
    AGREEMENT,
    PIECE_DAYS,
    SUM_DAYS,
    _read_to_later,
    _store,
    _sum_days,
    by_days,
    loaded,
)
from tests.services.test_prometheus_recorded import AT, DAY, LATER, _expected, _workspace

__all__ = ["by_days", "loaded"]  # the module fixtures this module shares

# Debian stable's Prometheus only, as test_day_minutes whose store it takes: what it checks is
# the worker's order and back-off; the recorded read under it runs on both releases in
# tests/services/test_prometheus_recorded.py, and its module server costs a minute of CI each.
pytestmark = pytest.mark.prometheus_releases("stable")

TARGET = """\
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: oncall
  annotations:
    covenant.dev/delivery: '{"url": "http://127.0.0.1:9", "timeout": "5s"}'
spec:
  target: alertmanager
"""
SEEDED = "forecast-credit/acme-web/web-uptime/2026-08"  # fired before: no condition makes it


@dataclass
class Proxy:
    """The proxy's state: how it answers day reads, and what it saw."""

    upstream: str
    mode: str = "forward"  # or "503", or "hold" (wait for ``gate``, then 503)
    gate: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    requests: int = 0  # every request received
    day_reads: int = 0  # reads of a whole day's minutes
    events: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, what: str, detail: str) -> None:
        with self.lock:
            self.events.append((what, detail))


def _is_day_read(form: dict[str, str]) -> bool:
    """An instant query of a day and the lookback at a midnight: a day's minutes."""
    query, at = form.get("query", ""), form.get("time")
    return at is not None and int(float(at)) % DAY == 0 and query.endswith(f"[{DAY + 300}s]")


@contextmanager
def proxy_to(upstream: str) -> Iterator[Proxy]:
    proxy = Proxy(upstream=upstream)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            form = dict(urllib.parse.parse_qsl(body.decode()))
            day = _is_day_read(form)
            with proxy.lock:
                proxy.requests += 1
                proxy.day_reads += day
            if day and proxy.mode != "forward":
                proxy.note("asked", form["time"])
                if proxy.mode == "hold":
                    proxy.gate.wait(60)
                self._answer(503, b'{"status":"error","error":"overloaded"}', "application/json")
                proxy.note("answered", "503")
                return
            request = urllib.request.Request(
                proxy.upstream + self.path,
                data=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:
                    status, text = answer.status, answer.read()
                    kind = answer.headers.get("Content-Type", "application/json")
            except urllib.error.HTTPError as refused:
                status, text, kind = refused.code, refused.read(), "application/json"
            self._answer(status, text, kind)

        def _answer(self, status: int, body: bytes, kind: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield proxy
    finally:
        proxy.gate.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _strict_workspace(folder: Path, url: str) -> Workspace:
    """``test_prometheus_recorded``'s workspace through ``url``, at 99.9 % (its 2 % errors
    burn the budget 20 times over), with the agreement on ``web`` and an alerting target."""
    ws = _workspace(folder, url)
    slos = ws / "slos.yaml"
    slos.write_text(slos.read_text().replace("target: 0.99}", "target: 0.999}"))
    (ws / "agreements.yaml").write_text(AGREEMENT)
    (ws / "targets.yaml").write_text(TARGET)
    return load_workspace(ws)


def _firing_tiers(events: dict[str, Any], at: int) -> set[str]:
    """The burn-rate keys whose tier fires at ``at``, from the generated events: both windows'
    error ratio at least the tier's rate (never below 1) times the budget (0.1 %)."""
    keys = set()
    for s in sorted(events):  # every service of the fixture (api, web, db)
        for tier in default_alert_tiers():
            rate = max(Fraction(1), tier.factor(5 * DAY))
            fires = True
            for length in (tier.long_window_s, tier.short_window_s):
                bad = _expected(events[s]["500"], at - length, at)
                total = bad + _expected(events[s]["200"], at - length, at)
                fires &= total > 0 and Fraction(bad, total) >= rate * Fraction(1, 1000)
            if fires:
                keys.add(f"burn-rate/{s}-availability/{tier.name}")
    return keys


def _seed_firing_forecast(engine: Any) -> None:
    """A forecast alert that fired before the test (its period is past: no condition)."""
    record = AlertRecord(
        key=SEEDED,
        kind=NoticeKind.FORECAST_CREDIT,
        phase=AlertPhase.FIRING,
        severity="warning",
        labels={"alertname": "AgreementCreditForecast", "agreement": "acme-web"},
        annotations={"summary": "seeded"},
        pending_since=from_epoch(AT - DAY),
        starts_at=from_epoch(AT - DAY),
    )
    with write_transaction(engine) as conn:
        done = Transition(records=(record,), changed=(record,), dropped=(), notices=())
        save_transition(conn, transition=done, stored=[], now=from_epoch(AT - DAY))


def test_slo_notices_go_before_the_agreements_read_and_failed_days_back_off(
    loaded: Any, by_days: Path, tmp_path: Path
) -> None:
    server, _, events = loaded
    url = _store(by_days, tmp_path)
    engine = open_store(url)
    sent: list[AlertNotice] = []
    with proxy_to(server.url) as proxy:
        workspace = _strict_workspace(tmp_path / "ws", proxy.url)
        dispatcher = Dispatcher.for_workspace(engine, workspace)  # never started: rows stay
        seen: list[dict[str, Any]] = []

        def notify(notices: Sequence[AlertNotice]) -> None:
            with engine.connect() as conn:
                states = load_alert_states(conn)
                pending = outbox.counts(conn)["pending"]
            seen.append(
                {
                    "keys": sorted(n.key for n in notices),
                    "committed": all(states[n.key].phase.value == n.state.value for n in notices),
                    "outbox": pending,
                    "day reads before": proxy.day_reads,
                }
            )
            sent.extend(notices)
            proxy.note("notified", ",".join(sorted(n.key for n in notices)))
            proxy.gate.set()  # the held day read may answer now

        worker = Worker(engine, notify=notify, enqueue=dispatcher.enqueue)
        _seed_firing_forecast(engine)
        try:
            proxy.mode = "hold"
            first = worker.tick(workspace, from_epoch(AT))
            fired = _firing_tiers(events, AT)
            assert fired, "the 2 % errors fire some tier at 99.9 %"
            # one notify call: the SLO notices, committed with their outbox rows, handed over
            # before the proxy was asked for a day's minutes (which it held until then)
            assert seen == [
                {"keys": sorted(fired), "committed": True, "outbox": len(fired),
                 "day reads before": 0},
            ]  # fmt: skip
            assert proxy.events[0] == ("notified", ",".join(sorted(fired)))
            assert {e for e, _ in proxy.events[1:]} == {"asked", "answered"}
            assert {n.key for n in first.notices} == fired
            # the statements could not be read: the forecast alert keeps firing
            states = _states(engine)
            assert states[SEEDED] == AlertPhase.FIRING
            assert any("minutes-unread" in p or "could not be read" in p for p in first.problems)
            assert _sum_days(url) == {"web": list(SUM_DAYS)}
            asked = proxy.day_reads
            assert asked > 0

            proxy.mode = "503"  # a minute later: asked again (the first wait is 1 minute)
            second = worker.tick(workspace, from_epoch(AT + 60))
            assert proxy.day_reads > asked
            assert second.notices == ()
            assert _states(engine)[SEEDED] == AlertPhase.FIRING

            before = proxy.day_reads  # two minutes later: the second wait (2 minutes) runs
            third = worker.tick(workspace, from_epoch(AT + 120))
            # no day asked (the catch-up may read its last minute again to clear the recorded
            # error: services.prometheus, a stale error clears on the first successful read)
            assert proxy.day_reads == before
            retry = from_epoch(AT + 180).isoformat().replace("+00:00", "Z")
            waiting = [p for p in third.problems if "not asked again yet" in p]
            assert waiting, third.problems
            assert all(f"asked again at {retry}" in p for p in waiting)
            assert all("[source-refused]" in p and "2 failed reads in a row" in p for p in waiting)
            assert _states(engine)[SEEDED] == AlertPhase.FIRING

            proxy.mode = "forward"  # then the server answers: the days are read
            fourth = worker.tick(workspace, from_epoch(AT + 180))
            assert fourth.problems == ()
            assert _sum_days(url) == {}
            # evaluated at last: the seeded alert's condition is gone (and this period's
            # forecast may fire); handed over in the tick's second notify call
            resolved = [(n.key, n.state) for n in fourth.notices if n.key == SEEDED]
            assert resolved == [(SEEDED, NoticeState.RESOLVED)]
            assert {n.kind for n in fourth.notices} <= {NoticeKind.FORECAST_CREDIT}
            assert seen[-1]["keys"] == sorted(n.key for n in fourth.notices)
            assert seen[-1]["committed"]
        finally:
            engine.dispose()
    # every notice once
    assert len({(n.key, n.state) for n in sent}) == len(sent)


def _states(engine: Any) -> dict[str, AlertPhase]:
    with engine.connect() as conn:
        return {k: r.phase for k, r in load_alert_states(conn).items()}


def _web(result: Any) -> Any:
    return next(e for e in result.report.evaluations if e.objective.slo == "web-availability")


def test_a_failed_refinement_backs_off_and_a_read_clears_the_stale_reason(
    loaded: Any, by_days: Path, tmp_path: Path
) -> None:
    server, ws, events = loaded
    url = _store(by_days, tmp_path)
    _read_to_later(url, ws)  # both series read up to LATER: the ticks below read no minute
    engine = open_store(url)
    try:
        with proxy_to(server.url) as proxy:
            workspace = load_workspace(_workspace(tmp_path / "ws", proxy.url))
            worker = Worker(engine)
            proxy.mode = "503"
            first = worker.tick(workspace, from_epoch(LATER))
            web = _web(first)
            assert web.no_data is not None
            assert web.no_data.startswith("stale: the minutes of 2026-09-23, 2026-09-25 are not")
            retry = from_epoch(LATER + 60).isoformat().replace("+00:00", "Z")
            assert f"asked again at {retry} (1 failed read in a row)" in web.no_data
            assert "[source-refused]" in web.no_data
            api = next(e for e in first.report.evaluations if e.objective.slo != web.objective.slo)
            good = _expected(events["api"]["200"], LATER - 5 * DAY, LATER)
            bad = _expected(events["api"]["500"], LATER - 5 * DAY, LATER)
            assert (api.good, api.total, api.no_data) == (good, good + bad, None)
            asked = proxy.day_reads
            assert asked > 0

            second = worker.tick(workspace, from_epoch(LATER + 60))  # due: asked, fails again
            assert proxy.day_reads > asked
            retry = from_epoch(LATER + 180).isoformat().replace("+00:00", "Z")
            assert f"asked again at {retry} (2 failed reads in a row)" in (
                _web(second).no_data or ""
            )

            before = proxy.day_reads
            third = worker.tick(workspace, from_epoch(LATER + 120))  # waits: no day asked
            assert proxy.day_reads == before
            reason = _web(third).no_data or ""
            assert reason.startswith("stale: the minutes of 2026-09-23, 2026-09-25 are not")
            assert f"asked again at {retry} (2 failed reads in a row)" in reason
            assert "[source-refused]" in reason
            assert any("before their next try" in p for p in third.problems), third.problems

            proxy.mode = "forward"
            tick = LATER + 180
            fourth = worker.tick(workspace, from_epoch(tick))
            web = _web(fourth)
            assert web.no_data is None, web.no_data
            lo, hi = tick - 5 * DAY, tick - 120
            g = _expected(events["web"]["200"], lo, hi)
            b = _expected(events["web"]["500"], lo, hi)
            assert (web.good, web.total) == (g, g + b)
            assert fourth.problems == ()
            assert len(worker.retries) == 0
    finally:
        engine.dispose()


def test_without_catch_up_the_worker_asks_the_source_nothing(
    loaded: Any, by_days: Path, tmp_path: Path
) -> None:
    """``catch_up=False`` (``covenant serve --no-catch-up``): not the catch-up, nor the days
    the agreements' statements need — the counting proxy gets no request at all; the readers
    that need a day of sums report ``minutes-unread``, their fix saying catch-up is off, and
    the alert already firing keeps its state."""
    server, _, _ = loaded
    url = _store(by_days, tmp_path)
    engine = open_store(url)
    try:
        with proxy_to(server.url) as proxy:
            workspace = _strict_workspace(tmp_path / "ws", proxy.url)
            worker = Worker(engine, catch_up=False)
            _seed_firing_forecast(engine)
            first = worker.tick(workspace, from_epoch(AT))
            second = worker.tick(workspace, from_epoch(AT + 60))
            assert proxy.requests == 0
    finally:
        engine.dispose()
    assert first.caught_up == second.caught_up == 0
    unread = [p for p in second.problems if "catch-up is off" in p]
    assert unread, second.problems
    # web's days of sums and days of hour pieces: 2026-09-22 to 2026-09-27 (START is 09-21)
    assert (min(SUM_DAYS + PIECE_DAYS), max(SUM_DAYS + PIECE_DAYS)) == (
        from_epoch(AT).replace(day=22, hour=0, minute=0).timestamp(),
        from_epoch(AT).replace(day=27, hour=0, minute=0).timestamp(),
    )
    assert all("2026-09-23" in p and "2026-09-25" in p for p in unread)
    assert all(
        "covenant ingest prometheus --from 2026-09-22T00:00:00Z --to 2026-09-28T00:00:00Z" in p
        for p in unread
    )
    assert all("without --no-catch-up" in p for p in unread)
    assert _states_of(url)[SEEDED] == AlertPhase.FIRING
    assert _sum_days(url) == {"web": list(SUM_DAYS)}  # nothing was read


def _states_of(url: str) -> dict[str, AlertPhase]:
    engine = open_store(url)
    try:
        return _states(engine)
    finally:
        engine.dispose()
