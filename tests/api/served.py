"""`covenant serve` as a real process for the tests that kill, stop and restart it: a small
workspace (one service, one event SLI), an editor token, a server on a free loopback port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import httpx
import sqlalchemy as sa

from covenant.config import sqlite_url
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from tests.ports import free_port

SERIES = "api-availability"
SERVICE = "api"
AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
READY_WAIT_S = 90  # how long a start may take on a loaded machine (a wait, not an assertion)

DEFINITIONS = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: api
spec: {}
---
apiVersion: covenant/v1
kind: SLI
metadata:
  name: api-availability
spec:
  events:
    service: api
    status: {op: lt, value: 500}
  ratioMetric:
    counter: true
    good:
      metricSource:
        type: Prometheus
        spec: {query: 'sum(http_requests_total{service="api",code!~"5.."})'}
    total:
      metricSource:
        type: Prometheus
        spec: {query: 'sum(http_requests_total{service="api"})'}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-availability
spec:
  service: api
  indicatorRef: api-availability
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
"""


def make_workspace(folder: Path) -> Path:
    workspace = folder / "ws"
    workspace.mkdir(parents=True)
    (workspace / "api.yaml").write_text(DEFINITIONS)
    return workspace


@contextmanager
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A store URL on a schema of its own in the test database (dropped afterwards)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{postgres_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def store_url(workspace: Path, backend_url: str | None) -> str:
    return backend_url or sqlite_url(workspace)


def editor_token(url: str) -> str:
    engine = open_store(url)
    try:
        return create_token(
            engine,
            role="editor",
            customer=None,
            expires_at=datetime(2099, 1, 1, tzinfo=UTC),
            at=AT,
            customers=[],
        ).text
    finally:
        engine.dispose()


@dataclass(eq=False)
class Served:
    """One `covenant serve` at a time on a fixed port, started again after each stop."""

    workspace: Path
    database_url: str
    log: Path
    port: int = field(default_factory=free_port)
    extra: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _log_file: IO[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [str(Path(sys.executable).parent / "covenant"), "serve"]
        command += ["-w", str(self.workspace), "--port", str(self.port), *self.extra]
        env = {**os.environ, "COVENANT_DATABASE_URL": self.database_url}
        if self._log_file is None:
            self._log_file = self.log.open("ab")
        self._log_file.write(f"--- start {self.starts}\n".encode())
        self._log_file.flush()
        self.process = subprocess.Popen(
            command, env=env, stdout=self._log_file, stderr=subprocess.STDOUT
        )
        self.starts += 1

    def wait_ready(self) -> None:
        """Until /healthz answers (the process must stay alive meanwhile)."""
        assert self.process is not None
        deadline = time.monotonic() + READY_WAIT_S
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, f"covenant serve died: {self.output()}"
            assert time.monotonic() < deadline, f"not ready in {READY_WAIT_S} s: {self.output()}"
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 120) -> int:
        """Send ``sig`` and wait for the exit; its exit code."""
        assert self.process is not None
        self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def output(self) -> str:
        if self._log_file is not None:
            self._log_file.flush()
        return self.log.read_text(errors="replace")[-4000:]
