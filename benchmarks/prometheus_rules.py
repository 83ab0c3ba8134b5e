"""Accuracy and evaluation cost of three ways to keep a 30-day SLI in Prometheus, on the same data.

- **Covenant**: the rules of ``covenant rules prometheus`` (minute counts; windows are sums of
  recorded counts; the 30-day SLI a sum of counts over a sum of counts).
- **Sloth**: Sloth's generated form (``../shared/corpus/sloth/_gen/``): ``rate`` over the raw
  series for every alert window, the 30-day ratio the average of 5-minute ratios.
- **Pyrra-style**: ``increase(...[30d])`` over the raw series on every evaluation, plus Sloth's
  ``rate`` recordings for the alert windows.

Diurnal traffic (busy afternoons, quiet nights with a higher error ratio) for 31 days is
back-filled (``promtool tsdb create-blocks-from openmetrics``) and then served live by a loopback
exporter that Prometheus scrapes; the recordings each method keeps over history are back-filled
(``create-blocks-from rules``, from the same rule file path as the live groups so they keep the
same evaluation offsets), then Prometheus evaluates all three live for a few minutes. Reported:
each method's 30-day error ratio against the exact one from the events, and each group's
``prometheus_rule_group_last_duration_seconds``. Figures: docs/benchmarks.md.

Run: ``.venv/bin/python benchmarks/prometheus_rules.py [--instances 4] [--live-minutes 7]``
"""

from __future__ import annotations

import argparse
import http.server
import json
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.promserver import (  # noqa: E402
    Sample,
    Server,
    backfill,
    backfill_rules,
    openmetrics_text,
    start_prometheus,
)

from covenant.core.model import Objective, RollingWindow  # noqa: E402
from covenant.core.promql import PrometheusSource, SeriesQueries  # noqa: E402
from covenant.render.prom_rule_file import dump_yaml  # noqa: E402
from covenant.render.prom_rules import RuleTarget, rule_groups, source_rules  # noqa: E402

DAY, MINUTE = 86_400, 60
WINDOWS = {"5m": 300, "30m": 1800, "1h": 3600, "2h": 7200, "6h": 21600, "1d": DAY, "3d": 3 * DAY}
TARGET = Fraction(999, 1000)
JOB = 'job="bench"'
ERRORS = f'http_requests_total{{{JOB}, code=~"5.."}}'
TOTAL = f"http_requests_total{{{JOB}}}"


def traffic(start: int, minutes: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """Per-minute (total, bad): ~2,000 requests a minute in the afternoon, ~40 at night; the
    error ratio is 0.05 % by day and 2 % at night (a batch job failing in the quiet hours)."""
    rng = np.random.default_rng(seed)
    t = start + MINUTE * np.arange(minutes)
    hour = (t % DAY) / 3600
    busy = (0.5 - 0.5 * np.cos(2 * np.pi * (hour - 3) / 24)) ** 3
    total = rng.poisson(40 + 1960 * busy).astype(np.int64)
    bad = rng.binomial(total, 0.0005 + 0.0195 * (1 - busy) ** 4).astype(np.int64)
    return total, bad


def cumulative(counts: np.ndarray, instances: int) -> np.ndarray:
    """Per instance, the counter after each minute: ``[instance, k]`` counts minutes ``< k``.
    Each minute's events are split evenly over the instances (integers)."""
    rows = [(counts + (instances - 1 - i)) // instances for i in range(instances)]
    return np.array([np.concatenate(([0], np.cumsum(r))) for r in rows], dtype=np.int64)


def samples(start: int, until: int, counters: dict[str, np.ndarray], scrape: int) -> str:
    """OpenMetrics history: every counter scraped every ``scrape`` seconds in ``[start,
    until)``; a counter steps once a minute, at the minute's end (so the events of a minute are
    exactly the difference of the samples a minute apart)."""
    out: list[Sample] = []
    times = np.arange(start, until, scrape)
    index = (times - start) // MINUTE
    for code, table in counters.items():
        for i, row in enumerate(table):
            labels = {"job": "bench", "instance": f"pod-{i}", "code": code}
            out += [
                Sample("http_requests_total", labels, float(v), int(t))
                for t, v in zip(times.tolist(), row[index].tolist(), strict=True)
            ]
    return openmetrics_text(out, counters=["http_requests"])


def pod(i: int) -> str:
    """The labels of service ``i``'s counters in this benchmark: one job, a pod each."""
    return f'job="bench",instance="pod-{i}"'


class Exporter(http.server.ThreadingHTTPServer):
    """Serves the counters live on loopback, as a scraped service would: the value at scrape
    time counts every minute that has ended (row ``i`` of each code's table is the series
    ``labels(i)``)."""

    def __init__(
        self, start: int, counters: dict[str, np.ndarray], labels: Callable[[int], str] = pod
    ) -> None:
        self.start, self.counters, self.labels = start, counters, labels
        super().__init__(("127.0.0.1", 0), _Metrics)


class _Metrics(http.server.BaseHTTPRequestHandler):
    server: Exporter

    def do_GET(self) -> None:
        k = int(time.time() - self.server.start) // MINUTE
        lines = ["# TYPE http_requests_total counter"]
        for code, table in self.server.counters.items():
            column = table[:, min(k, table.shape[1] - 1)]
            lines += [
                f'http_requests_total{{{self.server.labels(i)},code="{code}"}} {int(v)}'
                for i, v in enumerate(column.tolist())
            ]
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _ids(slo: str) -> dict[str, str]:
    return {"sloth_id": f"bench-{slo}", "sloth_service": "bench", "sloth_slo": slo}


def _sel(slo: str) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in _ids(slo).items()) + "}"


def covenant_groups() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(live groups, the groups to back-fill: the minute counts)."""
    objective = Objective(
        slo="covenant",
        name="",
        series="bench",
        target=TARGET,
        window=RollingWindow(seconds=30 * DAY),
        service="bench",
        sli="bench",
    )
    counts = SeriesQueries(
        series="bench",
        slos=("covenant",),
        sli="bench",
        source=PrometheusSource(name="bench", url="http://127.0.0.1:9090"),
        total=f"sum(increase({TOTAL}[{{{{.window}}}}]))",
        bad=f"sum(increase({ERRORS}[{{{{.window}}}}]))",
    )
    target = RuleTarget(objective=objective, counts=counts)
    groups = rule_groups([target])
    history = [{**groups[0], "rules": source_rules(target)}]
    return groups, history


def sloth_groups() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Sloth's generated form for the same SLO (as in the corpus' _gen files)."""
    ids, sel = _ids("sloth"), _sel("sloth")
    rules = []
    for w in WINDOWS:
        expr = f"(sum(rate({ERRORS}[{w}])))\n/\n(sum(rate({TOTAL}[{w}])))"
        rules.append(
            {
                "record": f"slo:sli_error:ratio_rate{w}",
                "expr": expr,
                "labels": {**ids, "sloth_window": w},
            }
        )
    rules.append(
        {
            "record": "slo:sli_error:ratio_rate30d",
            "expr": f"sum_over_time(slo:sli_error:ratio_rate5m{sel}[30d])\n"
            "/ ignoring (sloth_window)\n"
            f"count_over_time(slo:sli_error:ratio_rate5m{sel}[30d])",
            "labels": {**ids, "sloth_window": "30d"},
        }
    )
    budget = repr(float(1 - TARGET))
    meta = [
        {"record": "slo:objective:ratio", "expr": f"vector({float(TARGET)!r})", "labels": ids},
        {"record": "slo:error_budget:ratio", "expr": f"vector(1-{float(TARGET)!r})", "labels": ids},
        {"record": "slo:time_period:days", "expr": "vector(30)", "labels": ids},
        {
            "record": "slo:current_burn_rate:ratio",
            "expr": f"slo:sli_error:ratio_rate5m{sel}\n/ on(sloth_id, sloth_slo, sloth_service) "
            f"group_left\nslo:error_budget:ratio{sel}",
            "labels": ids,
        },
        {
            "record": "slo:period_burn_rate:ratio",
            "expr": f"slo:sli_error:ratio_rate30d{sel}\n/ on(sloth_id, sloth_slo, sloth_service) "
            f"group_left\nslo:error_budget:ratio{sel}",
            "labels": ids,
        },
        {
            "record": "slo:period_error_budget_remaining:ratio",
            "expr": f"1 - slo:period_burn_rate:ratio{sel}",
            "labels": ids,
        },
    ]

    def cond(short: str, long: str, factor: str) -> str:
        return (
            f"(max(slo:sli_error:ratio_rate{short}{sel} > ({factor} * {budget})) without "
            f"(sloth_window)\nand\nmax(slo:sli_error:ratio_rate{long}{sel} > ({factor} * "
            f"{budget})) without (sloth_window))"
        )

    alerts = [
        {
            "alert": "SlothBenchPage",
            "expr": cond("5m", "1h", "14.4") + "\nor\n" + cond("30m", "6h", "6"),
            "labels": {"sloth_severity": "page"},
        },
        {
            "alert": "SlothBenchTicket",
            "expr": cond("2h", "1d", "3") + "\nor\n" + cond("6h", "3d", "1"),
            "labels": {"sloth_severity": "ticket"},
        },
    ]
    groups = [
        {"name": "sloth-slo-sli-recordings-bench-sloth", "rules": rules},
        {"name": "sloth-slo-meta-recordings-bench-sloth", "rules": meta},
        {"name": "sloth-slo-alerts-bench-sloth", "rules": alerts},
    ]
    history = [{"name": groups[0]["name"], "rules": rules[:1]}]
    return groups, history


def pyrra_groups() -> list[dict[str, Any]]:
    """The increase[30d] form: the window's counts recomputed from the raw counters at every
    evaluation (Pyrra's ``increase`` recording), the SLI from them."""
    ids, sel = _ids("pyrra"), _sel("pyrra")
    rules = [
        {
            "record": "pyrra:http_requests:increase30d",
            "expr": f"sum by (code) (increase({TOTAL}[30d]))",
            "labels": ids,
        },
        {
            "record": "slo:sli_error:ratio_rate30d",
            "expr": f'sum(pyrra:http_requests:increase30d{{code=~"5..", {sel[1:]})\n/\n'
            f"sum(pyrra:http_requests:increase30d{sel})",
            "labels": {**ids, "sloth_window": "30d"},
        },
    ]
    return [{"name": "pyrra-slo-increase-bench-pyrra", "rules": rules}]


_METRIC = re.compile(
    r"^prometheus_rule_group_(last_duration_seconds|last_evaluation_timestamp_seconds)"
    r'\{rule_group="[^"]*;([^"]+)"\} (\S+)$'
)


def group_metrics(server: Server) -> dict[str, tuple[float, float]]:
    """Per group name: (last evaluation timestamp, last duration in seconds)."""
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=30) as response:
        text = response.read().decode()
    seen: dict[str, dict[str, float]] = {}
    for line in text.splitlines():
        found = _METRIC.match(line)
        if found:
            seen.setdefault(found.group(2), {})[found.group(1)] = float(found.group(3))
    return {
        name: (v.get("last_evaluation_timestamp_seconds", 0.0), v.get("last_duration_seconds", 0.0))
        for name, v in seen.items()
    }


def latest(server: Server, expr: str, at: int) -> tuple[float, float] | None:
    result = server.query(f"{expr}[15m]", at)
    if len(result) != 1:
        return None
    ts, value = result[0]["values"][-1]
    return float(ts), float(value)


def rule_health(server: Server) -> None:
    """Every rule that is not healthy, with Prometheus's error."""
    with urllib.request.urlopen(f"{server.url}/api/v1/rules", timeout=30) as response:
        body = json.loads(response.read())
    for group in body["data"]["groups"]:
        for rule in group["rules"]:
            if rule.get("health") != "ok":
                print(
                    f"  {group['name']} / {rule['name']}: {rule.get('health')} "
                    f"{rule.get('lastError', '')}"
                )


def _move_blocks(source: Path, server: Server) -> None:
    for block in source.iterdir():
        if block.is_dir():
            shutil.move(str(block), server.data_dir / block.name)


def _wait_for(server: Server, expr: str, at: int, what: str) -> None:
    """Prometheus loads blocks moved into its data directory at its next reload (every
    minute): wait until ``expr`` answers."""
    deadline = time.monotonic() + 300
    while not server.query(expr, at):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not appear within 5 minutes")
        time.sleep(5)


def _reload(server: Server, workdir: Path, rules: Path) -> None:
    config_file = workdir / "prometheus.yml"
    config = json.loads(config_file.read_text())
    config["rule_files"] = [str(rules)]
    config_file.write_text(json.dumps(config))
    request = urllib.request.Request(f"{server.url}/-/reload", method="POST")
    with urllib.request.urlopen(request, timeout=60):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=4, help="pods per code (raw series)")
    parser.add_argument("--scrape", type=int, default=30, help="scrape interval, seconds")
    parser.add_argument("--live-minutes", type=float, default=7.0)
    args = parser.parse_args()
    live = int(time.time()) // MINUTE * MINUTE  # history before, scraped live from here
    start = live - 31 * DAY
    minutes = (live + 3 * 3600 - start) // MINUTE
    total, bad = traffic(start, minutes)
    counters = {
        "200": cumulative(total - bad, args.instances),
        "500": cumulative(bad, args.instances),
    }
    exporter = Exporter(start, counters)
    threading.Thread(target=exporter.serve_forever, daemon=True).start()
    workdir = Path(tempfile.mkdtemp(prefix="covenant-bench-prom-"))
    scrape = {
        "job_name": "bench",
        "honor_labels": True,
        "scrape_interval": f"{args.scrape}s",
        "static_configs": [{"targets": [f"127.0.0.1:{exporter.server_address[1]}"]}],
    }
    server = start_prometheus(workdir, scrape_configs=[scrape])
    try:
        t0 = time.perf_counter()
        history = workdir / "history"
        history.mkdir()
        backfill(samples(start, live, counters, args.scrape), history, workdir)
        _move_blocks(history, server)
        _wait_for(server, f"http_requests_total offset {30 * DAY}s", live, "the raw history")
        print(
            f"back-filled {live - start} s of {2 * args.instances} counters and loaded them "
            f"in {time.perf_counter() - t0:.0f} s"
        )
        cov_live, cov_history = covenant_groups()
        sloth_live, sloth_history = sloth_groups()
        rules = workdir / "rules.yml"  # one path: a group's evaluation offset hashes file and name
        rules.write_text(dump_yaml({"groups": cov_history + sloth_history}), encoding="utf-8")
        t0 = time.perf_counter()
        until = int(time.time())
        backfill_rules(
            server, rules, start=start + MINUTE, end=until, output_dir=workdir / "rb", by_name=False
        )
        _move_blocks(workdir / "rb", server)
        _wait_for(
            server, f"covenant:sli_total:count1m offset {29 * DAY}s", until, "the recorded history"
        )
        rules.write_text(
            dump_yaml({"groups": cov_live + sloth_live + pyrra_groups()}), encoding="utf-8"
        )
        _reload(server, workdir, rules)
        print(
            f"back-filled the recordings' history in {time.perf_counter() - t0:.0f} s; "
            f"evaluating live for {args.live_minutes:g} minutes"
        )
        durations: dict[str, dict[float, float]] = {}
        deadline = time.monotonic() + args.live_minutes * 60
        while time.monotonic() < deadline:
            for name, (ts, seconds) in group_metrics(server).items():
                if ts > 0:
                    durations.setdefault(name, {})[ts] = seconds
            time.sleep(5)
        at = int(time.time())
        rule_health(server)
        report(server, durations, at, start, total, bad)
    finally:
        server.stop()
        exporter.shutdown()


def exact_error(start: int, total: np.ndarray, bad: np.ndarray, ts: float) -> Fraction:
    """The error ratio of the minutes ending in (e − 30 d, e], e = ``ts`` on the minute."""
    e = int(ts) // MINUTE * MINUTE
    hi = (e - start) // MINUTE
    lo = hi - 30 * DAY // MINUTE
    return Fraction(int(bad[lo:hi].sum()), int(total[lo:hi].sum()))


def report(
    server: Server,
    durations: dict[str, dict[float, float]],
    at: int,
    start: int,
    total: np.ndarray,
    bad: np.ndarray,
) -> None:
    print("\n| method | 30-day error ratio | exact (events) | error vs exact |")
    print("|---|---|---|---|")
    for method, slo in (
        ("Covenant", "covenant"),
        ("Sloth", "sloth"),
        ("Pyrra-style increase[30d]", "pyrra"),
    ):
        found = latest(server, f"slo:sli_error:ratio_rate30d{_sel(slo)}", at)
        if found is None:
            print(f"| {method} | (no value) | | |")
            continue
        ts, value = found
        exact = exact_error(start, total, bad, ts)
        off = (value - float(exact)) / float(exact)
        print(f"| {method} | {value:.6%} | {float(exact):.6%} | {off:+.3%} |")
    print("\n| rule group | interval | evaluations | median duration | max | cost per minute |")
    print("|---|---|---|---|---|---|")
    for name in sorted(durations):
        values = list(durations[name].values())
        interval = 300 if "meta-recordings" in name and name.startswith("covenant") else 60
        median = statistics.median(values)
        print(
            f"| {name} | {interval // 60}m | {len(values)} | {median * 1000:.2f} ms | "
            f"{max(values) * 1000:.2f} ms | {median * 60 / interval * 1000:.2f} ms |"
        )


if __name__ == "__main__":
    main()
