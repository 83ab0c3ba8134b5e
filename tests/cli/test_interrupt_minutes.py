"""Ctrl-C while a command reads the minutes of days stored as sums ends it at once.

A first read by days stores whole days as two sums each. ``backtest``, ``suggest``, ``report
sla`` and ``exposure`` read those days minute by minute before they compute
(``cli.day_minutes.with_minutes``). Here the store holds two days of ``web`` as sums only; the
fake Prometheus answers the first day's minutes (one good and two events a minute, the day's
sums exactly) and holds every query of the second for an hour, with a DataSource timeout of
ten minutes. Before, a Ctrl-C then waited for the held queries to time out (Python's exit joins
the threads of the read) and ended with no word. Now the command ends on the interrupt with 130
and says what stays — while the server still holds the queries (released only after the command
has ended: an ordering, not a timing). The first day is in the store as its minutes, the second
still as its sums.

Before a read starts, and once it is done, a Ctrl-C ends the command as any other Ctrl-C does
(typer's 130, nothing said: nothing is in flight).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli import interrupt
from covenant.cli.main import app as cli
from covenant.services import alert_backtest
from covenant.services.store import open_store
from covenant.store import buckets
from covenant.store.chunk_reads import read_matrix
from covenant.store.day_sums import DaySum, day_sum_days, write_day_sums
from covenant.store.db import write_transaction
from tests.cli.test_interrupt_read import COMMAND, ENDED
from tests.sources.promfake import Answer, fake_prometheus, instants, matrix

DAY, MINUTES = 86400, 1440
FIRST = int(datetime(2025, 3, 10, tzinfo=UTC).timestamp())  # answered
SECOND = FIRST + DAY  # held
GOOD, TOTAL = 1, 2  # the events of every minute the server answers
NOTE = "note: reading the minutes of 2 days (2025-03-10, 2025-03-11) of web from Prometheus"
SAID = (
    "interrupted: the minutes of the days read so far are kept; nothing was computed — run the "
    "command again to read the rest"
)
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
      effectiveFrom: 2025-01-01
      fees: {web: "1000.00"}
      period: {unit: month, timeZone: UTC}
      signatories:
        - {name: Ada, role: CEO Acme, signedAt: 2024-12-10}
      availability:
        - name: web-uptime
          services: [web]
          level: 99.0
          measurement:
            source: bad-intervals
            slo: web
            interval: 5m
            errorRateAtLeast: 50
          credits:
            - {below: 99.0, credit: 10}
          backedBy: [web]
"""
COMMANDS = {
    "backtest-alerts": [
        *("backtest", "alerts", "web", "--from", "2025-03-10T00:00:00Z"),
        *("--to", "2025-03-12T00:00:00Z"),
    ],
    "report-sla": [
        *("report", "sla", "--customer", "acme", "--period", "2025-03"),
        *("--at", "2025-03-31T00:00:00Z"),
    ],
    "exposure": ["exposure", "--at", "2025-03-20T00:00:00Z"],
}


def _workspace(folder: Path, url: str) -> Path:
    """A workspace whose SLO ``web`` reads the fake, and a store holding ``FIRST`` and
    ``SECOND`` as their sums only (what a first read by days leaves)."""
    folder.mkdir()
    source = (
        "{metricSource: {metricSourceRef: prom, spec: {query: 'sum(rate(%s[{{.window}}])) * 60'}}}"
    )
    (folder / "slos.yaml").write_text(
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prom}\n"
        f'spec: {{type: Prometheus, connectionDetails: {{url: "{url}", timeout: 10m}}}}\n'
        f"""---
apiVersion: openslo/v1
kind: SLO
metadata: {{name: web}}
spec:
  service: web
  indicator:
    metadata: {{name: web}}
    spec:
      ratioMetric:
        good: {source % "good"}
        total: {source % "all"}
  timeWindow: [{{duration: 30d, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: 0.99}}]
"""
    )
    (folder / "agreements.yaml").write_text(AGREEMENT)
    (folder / ".covenant").mkdir()
    engine = open_store(_url(folder))
    try:
        with write_transaction(engine) as conn:
            sid = buckets.ensure_series(conn, keys=["web"])["web"]
            sums = [DaySum(sid, d, GOOD * MINUTES, TOTAL * MINUTES) for d in (FIRST, SECOND)]
            write_day_sums(conn, sums)
    finally:
        engine.dispose()
    return folder


def _url(ws: Path) -> str:
    return f"sqlite:///{ws / '.covenant' / 'covenant.db'}"


def _stored(ws: Path) -> tuple[list[int], tuple[int, int] | None]:
    """The days of ``web`` still stored as sums, and the good and total of the first day's
    minutes (None while it is stored as its sums)."""
    engine = open_store(_url(ws))
    try:
        with engine.connect() as conn:
            sid = buckets.ensure_series(conn, keys=["web"])["web"]
            sums = day_sum_days(conn, series_ids=[sid], before=SECOND + DAY).get(sid, [])
            if FIRST in sums:
                return sums, None
            m = read_matrix(conn, keys=["web"], start=FIRST, end=FIRST + DAY)
            return sums, (int(m.good.sum()), int(m.total.sum()))
    finally:
        engine.dispose()


def _lines(proc: subprocess.Popen[str], into: queue.Queue[str]) -> None:
    assert proc.stderr is not None
    for line in iter(proc.stderr.readline, ""):
        into.put(line)


def _env() -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")},
        "COVENANT_HELP_CACHE": "0",
    }


@pytest.mark.parametrize("command", list(COMMANDS))
def test_ctrl_c_while_reading_the_minutes_of_days_of_sums_ends_at_once(
    tmp_path: Path, command: str
) -> None:
    release, held = threading.Event(), threading.Event()

    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        if int(float(form["start"])) >= SECOND:  # the second day: held until the test ends
            held.set()
            release.wait(3600)
        count = GOOD if "good[" in form["query"] else TOTAL
        return matrix(dict.fromkeys(instants(form), str(count)))

    with fake_prometheus(respond) as fake:
        ws = _workspace(tmp_path / "ws", fake.url)
        proc = subprocess.Popen(
            [sys.executable, "-c", COMMAND, *COMMANDS[command], "-w", str(ws)],
            cwd=tmp_path,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()  # stderr, line by line, as it comes
        reader = threading.Thread(target=_lines, args=(proc, lines))
        reader.start()
        try:
            first = lines.get(timeout=60)  # the note: the read has begun (a bound, not a timing)
            assert first.startswith(NOTE), first
            assert held.wait(60)  # a query of the second day is held: the read hangs
            assert proc.poll() is None
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=ENDED)
            assert not release.is_set()  # ended while the server still held the queries
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            release.set()
            reader.join()  # the whole of stderr, to its end
            out, _ = proc.communicate()
    err = first + "".join(lines.queue)
    assert proc.returncode == 130, err
    assert f"\n{SAID}\n" in err
    assert "Traceback" not in err
    assert out == ""  # nothing computed, nothing shown
    # the first day read is kept as its minutes; the second is still its sums
    assert _stored(ws) == ([SECOND], (GOOD * MINUTES, TOTAL * MINUTES))


@pytest.mark.parametrize("when", ["before-the-read", "after-the-read"])
def test_ctrl_c_outside_the_read_ends_as_any_ctrl_c(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """A Ctrl-C in the computation — before the days are read (its first try) or after (its
    second) — is typer's: 130, nothing said (no query is in flight to leave)."""

    def not_here(what: str) -> None:
        raise AssertionError(f"interrupted({what!r}) outside a read")

    real = alert_backtest.backtest_alerts
    calls: list[int] = []

    def backtest_alerts(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if when == "after-the-read" and len(calls) == 1:
            return real(*args, **kwargs)  # refused: the two days are read, then called again
        raise KeyboardInterrupt

    monkeypatch.setattr(interrupt, "interrupted", not_here)
    monkeypatch.setattr(alert_backtest, "backtest_alerts", backtest_alerts)

    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        count = GOOD if "good[" in form["query"] else TOTAL
        return matrix(dict.fromkeys(instants(form), str(count)))

    with fake_prometheus(respond) as fake:
        ws = _workspace(tmp_path / "ws", fake.url)
        done = CliRunner().invoke(
            cli,
            [*COMMANDS["backtest-alerts"], "-w", str(ws)],
            env={"COVENANT_DATABASE_URL": _url(ws), "COVENANT_NOW": ""},
        )
    assert done.exit_code == 130, done.output
    assert "interrupted" not in done.output
    assert (NOTE in done.output) == (when == "after-the-read")
    assert len(calls) == (2 if when == "after-the-read" else 1)
    if when == "before-the-read":  # nothing read
        assert _stored(ws) == ([FIRST, SECOND], None)
    else:  # both days read, as their minutes
        assert _stored(ws) == ([], (GOOD * MINUTES, TOTAL * MINUTES))
