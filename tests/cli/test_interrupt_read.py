"""Ctrl-C while a Prometheus read hangs ends the command at once, saying what stays.

The server answers the first query of each SLI and then holds every query after it for an
hour; the DataSource's timeout is ten minutes. Before, a Ctrl-C then waited for every query in
flight to time out (three tries each: half an hour here, a minute and a half with the default
timeout) and ended with no word. Now the command ends on the interrupt with 130 and says that
what was written stays — while the server still holds the queries (it is released only after
the command has ended: an ordering, not a timing). The minutes of the answered queries are in
the store.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from covenant.core.series import BucketMatrix
from covenant.services.store import open_store
from covenant.store import buckets
from tests.sources.promfake import Answer, fake_prometheus, instants, matrix

COMMAND = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = ["covenant", *sys.argv[1:]]
from covenant.cli.main import main
main()
"""
"""``covenant ARGS`` with Ctrl-C as at a terminal: a test run in the background (CI) ignores
SIGINT, which a child inherits and Python then leaves ignored."""
SLIS = 6
HUNG = range(3, SLIS)  # the SLIs whose queries the server holds
ENDED = 120.0  # how long the test waits for the command to end after the interrupt: a bound
# for a broken run (it would wait 30 minutes), far above what ending takes


def _workspace(folder: Path, url: str) -> Path:
    folder.mkdir()
    source = (
        "{metricSource: {metricSourceRef: prom, spec: {query: 'sum(rate(%s[{{.window}}])) * 60'}}}"
    )
    docs = [
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prom}\n"
        f'spec: {{type: Prometheus, connectionDetails: {{url: "{url}", timeout: 10m}}}}\n'
    ]
    docs.extend(
        f"""apiVersion: openslo/v1
kind: SLO
metadata: {{name: s{i}}}
spec:
  service: s{i}
  indicator:
    metadata: {{name: s{i}}}
    spec:
      ratioMetric:
        good: {source % f"good{i}"}
        total: {source % f"all{i}"}
  timeWindow: [{{duration: 30d, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: 0.99}}]
"""
        for i in range(SLIS)
    )
    (folder / "slos.yaml").write_text("---\n".join(docs))
    return folder


def _matrix(ws: Path) -> BucketMatrix:
    now = int(time.time()) // 60 * 60
    engine = open_store(f"sqlite:///{ws / '.covenant' / 'covenant.db'}")
    try:
        with engine.connect() as conn:
            keys = [f"s{i}" for i in range(SLIS)]
            return buckets.read_matrix(conn, keys=keys, start=now - 32 * 86400, end=now + 3600)
    finally:
        engine.dispose()


def _written(ws: Path) -> int:
    if not (ws / ".covenant" / "covenant.db").exists():
        return 0
    try:
        return int(_matrix(ws).total.sum())
    except Exception:  # the other process is still creating the store
        return 0


@pytest.mark.parametrize("command", ["ingest", "evaluate"])
def test_ctrl_c_during_a_hung_read_ends_at_once_and_keeps_what_was_written(
    tmp_path: Path, command: str
) -> None:
    release, held = threading.Event(), threading.Event()

    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        if any(f"{name}{i}[" in form["query"] for name in ("good", "all") for i in HUNG):
            held.set()  # the second half of the SLIs: held until the test ends
            release.wait(3600)
        return matrix(dict.fromkeys(instants(form), "2"))

    with fake_prometheus(respond) as fake:
        ws = _workspace(tmp_path / "ws", fake.url)
        args = (
            ["ingest", "prometheus", "-w", str(ws), "--from", "-30d", "--to", "now"]
            if command == "ingest"
            else ["evaluate", "-w", str(ws), "--read", "--format", "json"]
        )
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")},
            "COVENANT_HELP_CACHE": "0",
        }
        proc = subprocess.Popen(
            [sys.executable, "-c", COMMAND, *args],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert held.wait(60)  # a query is held: the read hangs (a bound, not a timing)
            if command == "ingest":  # and the answered SLIs' first minutes are written
                deadline = time.monotonic() + 60  # a wait for the other process, not a check
                while _written(ws) == 0 and time.monotonic() < deadline:
                    time.sleep(0.05)
            assert proc.poll() is None
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=ENDED)
            assert not release.is_set()  # ended while the server still held the queries
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
            release.set()
    assert proc.returncode == 130
    assert "interrupted: " in err
    assert "Traceback" not in err
    assert ("the minutes written so far are kept" in err) == (command == "ingest")
    assert ("what was read so far is kept; nothing was evaluated" in err) == (command == "evaluate")
    if command == "ingest":  # what was written stays: two events a minute, none held
        m = _matrix(ws)
        answered = [i for i in range(SLIS) if i not in HUNG]
        assert (m.total[answered] > 0).any()
        assert set(m.total[m.total > 0].ravel().tolist()) == {2}
        assert (m.good == m.total).all()
        assert int(m.total[list(HUNG)].sum()) == 0
