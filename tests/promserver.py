"""A real Prometheus (or VictoriaMetrics) for the tests: started on a free loopback port with a
temporary data directory, optionally backfilled from OpenMetrics text with
`promtool tsdb create-blocks-from openmetrics`, stopped on teardown.

The binaries come from Debian's packages (`scripts/install-test-deps`, which `make test` runs).
Without them a test skips on a developer machine and fails under CI=true (`unavailable`).
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.availability import unavailable
from tests.ports import free_port

READY_TIMEOUT_S = 60.0
#: Keep backfilled history of any age: Prometheus drops blocks past its retention on start.
RETENTION = "100y"


RELEASES = ("stable", "sid")
"""The Prometheus releases the Prometheus tests run against (``prometheus_release`` in
tests/conftest.py): Debian stable's package (2.42: range selectors closed at both ends) and
Debian sid's (3.x: left-open range selectors, what most servers run now), which
scripts/install-prometheus-sid unpacks into .cache/prometheus-sid."""
SID_BIN = Path(__file__).resolve().parent.parent / ".cache" / "prometheus-sid" / "bin"


def binary(name: str, release: str = "stable") -> str:
    """The path of a service binary, or skip/fail (CI) when it is not installed. ``release``
    "sid" takes ``prometheus`` and ``promtool`` from Debian sid's Prometheus 3."""
    if release == "sid" and name in ("prometheus", "promtool"):
        unpacked = SID_BIN / name
        if not unpacked.is_file():
            unavailable(f"{name} 3 is not unpacked (scripts/install-prometheus-sid does it)")
        return str(unpacked)
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed (scripts/install-test-deps installs it)")
    return path


@dataclass(frozen=True)
class Sample:
    """One OpenMetrics sample: a series (name and labels), a value and a UTC epoch instant."""

    name: str
    labels: Mapping[str, str]
    value: float
    timestamp: float  # epoch seconds; a fraction for millisecond instants


def request_counters(
    job: str, start: int, minutes: int, per_minute: Callable[[int, str], int], codes: Sequence[str]
) -> list[Sample]:
    """``http_requests_total{job, code}`` scraped on every minute boundary from ``start`` (the
    sample at scrape 0 is 0): ``per_minute(m, code)`` requests in the minute ending at scrape
    ``m``, for ``m`` in 1 … ``minutes``."""
    samples = []
    for code in codes:
        value = 0
        for m in range(minutes + 1):
            value += per_minute(m, code) if m else 0
            labels = {"job": job, "code": code}
            samples.append(Sample("http_requests_total", labels, value, start + 60 * m))
    return samples


def openmetrics_text(samples: Iterable[Sample], *, counters: Sequence[str] = ()) -> str:
    """OpenMetrics exposition text for backfilling. `counters` are metric family names (without
    `_total`) typed as counters; every other family is a gauge. Samples of one family are kept
    together and in time order, as `promtool` requires."""
    families: dict[str, list[Sample]] = {}
    for sample in samples:
        family = sample.name.removesuffix("_total")
        families.setdefault(family, []).append(sample)
    lines: list[str] = []
    for family, members in families.items():
        kind = "counter" if family in counters else "gauge"
        lines.append(f"# TYPE {family} {kind}")
        for sample in sorted(members, key=lambda s: (sorted(s.labels.items()), s.timestamp)):
            labels = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(sample.labels.items()))
            selector = f"{sample.name}{{{labels}}}" if labels else sample.name
            lines.append(f"{selector} {_number(sample.value)} {sample.timestamp}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def get_json(url: str, params: Mapping[str, str] | None = None, timeout: float = 30.0) -> Any:
    """GET a JSON document (stdlib only: the fixture must not depend on the client under test)."""
    if params:
        url = f"{url}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


@dataclass(frozen=True)
class WebAccess:
    """Prometheus's web config (`tls_server_config`, `basic_auth_users`) and what a client of
    the fixture needs to get in: the CA's context and the Authorization header."""

    config: Mapping[str, Any]
    context: ssl.SSLContext | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Server:
    """A started server process; `url` is its base URL (http://127.0.0.1:PORT)."""

    name: str
    url: str
    data_dir: Path
    log: Path
    process: subprocess.Popen[bytes]
    extra: dict[str, Any] = field(default_factory=dict)

    def query(self, expr: str, at: int) -> list[dict[str, Any]]:
        """An instant query's `result` (vector) at epoch second `at`."""
        body = get_json(f"{self.url}/api/v1/query", {"query": expr, "time": str(at)})
        assert body["status"] == "success", body
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def query_range(self, expr: str, start: float, end: float, step: int) -> list[dict[str, Any]]:
        params = {"query": expr, "start": str(start), "end": str(end), "step": str(step)}
        body = get_json(f"{self.url}/api/v1/query_range", params)
        assert body["status"] == "success", body
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _wait_ready(server: Server, path: str, *, web: WebAccess | None = None) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    request = urllib.request.Request(
        f"{server.url}{path}", headers=dict(web.headers) if web else {}
    )
    context = web.context if web else None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with {server.process.returncode}:\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(request, timeout=2, context=context) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    server.stop()
    waited = f"{READY_TIMEOUT_S:.0f} s"
    raise RuntimeError(f"{server.name} not ready after {waited}:\n{server.log_tail()}")


def backfill(openmetrics: str, data_dir: Path, workdir: Path, *, release: str = "stable") -> None:
    """Write OpenMetrics text into TSDB blocks under `data_dir` with promtool."""
    source = workdir / "backfill.om"
    source.write_text(openmetrics)
    command = [binary("promtool", release), "tsdb", "create-blocks-from", "openmetrics"]
    done = subprocess.run(
        [*command, str(source), str(data_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"promtool backfill failed:\n{done.stdout}\n{done.stderr}")


def start_prometheus(
    workdir: Path,
    *,
    openmetrics: str | None = None,
    rule_files: Sequence[Path] = (),
    evaluation_interval: str = "1m",
    scrape_configs: Sequence[Mapping[str, Any]] = (),
    extra_args: Sequence[str] = (),
    web: WebAccess | None = None,
    release: str = "stable",
) -> Server:
    """Start Prometheus (of `release`, one of RELEASES) on a free loopback port. `openmetrics`
    is backfilled before start; `rule_files` are loaded (their paths are copied into the config
    as given). `web`: TLS and basic auth (Prometheus's `--web.config.file`); the URL is then
    https."""
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir = workdir / "data"
    data_dir.mkdir(exist_ok=True)
    if openmetrics is not None:
        backfill(openmetrics, data_dir, workdir, release=release)
    config = {
        "global": {"evaluation_interval": evaluation_interval, "scrape_interval": "15s"},
        "rule_files": [str(path) for path in rule_files],
        "scrape_configs": list(scrape_configs),
    }
    config_file = workdir / "prometheus.yml"
    config_file.write_text(json.dumps(config))  # JSON is YAML
    port = free_port()
    log = workdir / "prometheus.log"
    command = [
        binary("prometheus", release),
        f"--config.file={config_file}",
        f"--storage.tsdb.path={data_dir}",
        f"--storage.tsdb.retention.time={RETENTION}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--web.enable-lifecycle",
        "--web.enable-admin-api",
        *extra_args,
    ]
    scheme = "http"
    if web is not None:
        web_file = workdir / "web.yml"
        web_file.write_text(json.dumps(web.config))
        command.append(f"--web.config.file={web_file}")
        scheme = "https" if "tls_server_config" in web.config else "http"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=workdir)
    server = Server("prometheus", f"{scheme}://127.0.0.1:{port}", data_dir, log, process)
    server.extra["release"] = release
    _wait_ready(server, "/-/ready", web=web)
    return server


def start_victoria_metrics(workdir: Path, *, extra_args: Sequence[str] = ()) -> Server:
    """Start VictoriaMetrics (single node) on a free loopback port with a temporary storage path.
    Load data through its import APIs (`/api/v1/import/prometheus?timestamp=…` or
    `/api/v1/import`), then call `/internal/force_flush` before querying."""
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir = workdir / "vmdata"
    port = free_port()
    log = workdir / "victoria-metrics.log"
    command = [
        binary("victoria-metrics"),
        f"-storageDataPath={data_dir}",
        f"-httpListenAddr=127.0.0.1:{port}",
        "-retentionPeriod=100y",
        "-search.disableCache",
        *extra_args,
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=workdir)
    server = Server("victoria-metrics", f"http://127.0.0.1:{port}", data_dir, log, process)
    _wait_ready(server, "/health")
    return server


def start_vmauth(workdir: Path, *, backend: Server, bearer_token: str) -> Server:
    """Start vmauth (Debian's `victoria-metrics` package) on a free loopback port in front of
    `backend`: a request with ``Authorization: Bearer <bearer_token>`` is proxied to it, one
    without is refused with 401 and one with another token with 400 — an authenticating proxy
    as many Prometheus and VictoriaMetrics servers are run behind."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "auth.yml"
    users = [{"bearer_token": bearer_token, "url_prefix": backend.url}]
    config.write_text(json.dumps({"users": users}))  # JSON is YAML
    port = free_port()
    log = workdir / "vmauth.log"
    command = [binary("vmauth"), f"-auth.config={config}", f"-httpListenAddr=127.0.0.1:{port}"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=workdir)
    server = Server("vmauth", f"http://127.0.0.1:{port}", workdir, log, process)
    headers = {"Authorization": f"Bearer {bearer_token}"}
    _wait_ready(server, "/api/v1/status/buildinfo", web=WebAccess(config={}, headers=headers))
    return server


def backfill_rules(
    server: Server,
    rule_file: Path,
    *,
    start: int,
    end: int,
    output_dir: Path,
    by_name: bool = True,
) -> None:
    """Evaluate `rule_file`'s recording rules over `[start, end]` against `server` and write the
    results as TSDB blocks to `output_dir` (`promtool tsdb create-blocks-from rules`; each
    group's interval is its step). Rules that read other recordings need those loaded first:
    back-fill one dependency level at a time (`restart` loads the new blocks)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    # A group's evaluation offset hashes the rule file's path as given: by its name (run from
    # its folder) the instants are the same wherever a test runs; by its full path they are
    # those of a Prometheus that loads the file (to continue back-filled groups live).
    command = [
        binary("promtool", server.extra.get("release", "stable")),
        "tsdb",
        "create-blocks-from",
        "rules",
        f"--start={start}",
        f"--end={end}",
        f"--url={server.url}",
        f"--output-dir={output_dir.resolve()}",
        rule_file.name if by_name else str(rule_file.resolve()),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=rule_file.parent
    )
    if done.returncode != 0:
        raise RuntimeError(f"promtool rule backfill failed:\n{done.stdout}\n{done.stderr}")


def restart(server: Server, workdir: Path, *, blocks: Path | None = None) -> Server:
    """Stop `server`, move the blocks under `blocks` into its data directory and start it again
    on the same data (a new port)."""
    server.stop()
    if blocks is not None:
        for block in blocks.iterdir():
            if block.is_dir():
                shutil.move(str(block), server.data_dir / block.name)
    return start_prometheus(workdir, release=server.extra.get("release", "stable"))


def start_alertmanager(
    workdir: Path, *, config: Mapping[str, Any], port: int | None = None
) -> Server:
    """Start Alertmanager (Debian's `prometheus-alertmanager`) on a free loopback port (or
    ``port``: a restart where it listened before) with `config` (written as JSON, which is
    YAML), a storage path in ``workdir`` (kept across restarts) and clustering off."""
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir = workdir / "alertmanager-data"
    data_dir.mkdir(exist_ok=True)
    config_file = workdir / "alertmanager.yml"
    config_file.write_text(json.dumps(config))
    port = port or free_port()
    log = workdir / "alertmanager.log"
    command = [
        binary("prometheus-alertmanager"),
        f"--config.file={config_file}",
        f"--storage.path={data_dir}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",  # one instance: no gossip port
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=workdir)
    server = Server("alertmanager", f"http://127.0.0.1:{port}", data_dir, log, process)
    _wait_ready(server, "/-/ready")
    return server


def alertmanager_config(
    *,
    routes: Mapping[str, tuple[str | Sequence[str], str]] | None = None,
    group_by: Sequence[str] = ("alertname",),
) -> dict[str, Any]:
    """An Alertmanager configuration whose receiver ``name`` gets, for each ``name: (matcher,
    url)`` of ``routes``, the alerts that match at that webhook (resolutions too); the rest
    go to a receiver that drops them. Groups flush at once. A route's matcher is one
    (``'customer="globex"'``) or several, all of which an alert must match."""
    routes = routes or {}
    return {
        "route": {
            "receiver": "none",
            "group_by": list(group_by),
            "group_wait": "0s",
            "group_interval": "1s",
            "repeat_interval": "1h",
            "routes": [
                {"receiver": name, "matchers": [m] if isinstance(m, str) else list(m)}
                for name, (m, _) in routes.items()
            ],
        },
        "receivers": [
            {"name": "none"},
            *(
                {"name": name, "webhook_configs": [{"url": url, "send_resolved": True}]}
                for name, (_, url) in routes.items()
            ),
        ],
    }


def active_alerts(server: Server) -> list[dict[str, Any]]:
    """The alerts an Alertmanager holds now (its v2 API)."""
    alerts: list[dict[str, Any]] = get_json(f"{server.url}/api/v2/alerts")
    return alerts


@contextmanager
def running_alertmanager(
    workdir: Path, config: Mapping[str, Any] | None = None
) -> Iterator[Server]:
    """An Alertmanager (``start_alertmanager``) for the ``with`` block; by default it routes
    nothing anywhere (a sender's alerts are only held)."""
    server = start_alertmanager(workdir, config=config or alertmanager_config())
    try:
        yield server
    finally:
        server.stop()
