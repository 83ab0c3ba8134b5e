"""Evaluation cost in Prometheus of the rules for calendar windows, plain and anchored.

``covenant rules prometheus`` for a plain calendar month against the anchored windows of
``render.prom_anchored`` (several months, a month from the 15th) in UTC and in a zone with
daylight saving time.

Four kinds of SLO, ``--slos`` (default 50) of each, SLO ``i`` of every kind reading the
counters of service ``api-<i>`` (the same counters for all four kinds):

- ``1M UTC``: a calendar month (``render.prom_windows``: ``days_in_month``);
- ``3M UTC``: three months from January (``render.prom_anchored``: the period's days from the
  day numbers of two months' 1sts, in the alert guards of every tier);
- ``3M Berlin``: the same in Europe/Berlin (the offset and the period's UTC length recorded
  from their tables, the guards read the recording);
- ``month from the 15th, Berlin``.

The counters are the one-minute traffic of ``covenant.sources.synthetic`` (diurnal rhythm,
the rates and error ratios of ``benchmarks/prometheus.py``'s services), served live on
loopback as ``http_requests_total{job, code}`` and scraped every 15 s by a real Prometheus
(Debian's 2.42, or 3.x with ``--prometheus sid``) with an empty data directory: rules append
at the server's now, which a back-filled store reaching past now (``benchmarks/prometheus.py``
keeps two days ahead) refuses ("out of bounds"). Each kind's rules are written by ``python -m
covenant rules prometheus`` into a file of their own; Prometheus evaluates the files live for
``--minutes``. Every 10 s the benchmark reads each group's
``prometheus_rule_group_last_duration_seconds`` and the instant of its last evaluation
(``/metrics``), and every minute each rule's ``evaluationTime`` (``/api/v1/rules``, a large
answer); evaluations in the first 150 s are left out (the counters have no minute ago yet).
Reported per kind: the best (least) time of each SLO's per-minute and 5-minute group over the
evaluations seen, their median and their sum over the kind's SLOs (the time that kind costs
the server a minute), and the rules that take most of it.

With ``--baseline REV`` (default: main before several months' days were recorded once a
minute) each kind whose rules differ at that revision is loaded a second time from it, its
SLOs named apart, into the same server: before and after under the same load.

A group's time is wall-clock: Prometheus evaluates its groups concurrently, so when the
rules ask more CPU than the server gets (a loaded machine, many dear groups) every group
waits for the others and the figures measure the queue, not the rules. The benchmark says so
("BUSY") when the groups' best times add up to more than a fifth of the minute: compare the
medians with a run of fewer ``--slos``.

Only the recordings these rules make while the benchmark runs exist (no history of minute
counts is back-filled): the period sums of the 5-minute group read a few minutes of them,
where a server that has run the rules for a whole period scans up to 31 days (``1M``) or 92
days (``3M``) of minute counts per SLO every 5 minutes (docs/prometheus-rules.md, "Calendar
windows"). The per-minute group, where the anchored date arithmetic is, does not depend on it.

    python benchmarks/prometheus_calendar.py [--slos 50] [--minutes 13]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.promserver: the Prometheus the tests start

import numpy as np  # noqa: E402
from tests.promserver import RELEASES, start_prometheus  # noqa: E402

from covenant.sources.synthetic import Profile, generate  # noqa: E402
from prometheus_rules import Exporter  # noqa: E402  (the counters served as a scrape)

MINUTE = 60
INLINE_GUARDS = "5e381d5"  # main before several months' days were recorded once a minute
WARM_UP = 150  # seconds from the server's start whose evaluations are not counted

KINDS = {  # name: (file stem, the OpenSLO timeWindow)
    "1M UTC": (
        "month-utc",
        '{duration: 1M, isRolling: false, calendar: {startTime: "2026-01-01 00:00:00", '
        "timeZone: UTC}}",
    ),
    "3M UTC": (
        "3m-utc",
        '{duration: 3M, isRolling: false, calendar: {startTime: "2026-01-01 00:00:00", '
        "timeZone: UTC}}",
    ),
    "3M Berlin": (
        "3m-berlin",
        '{duration: 3M, isRolling: false, calendar: {startTime: "2026-01-01 00:00:00", '
        "timeZone: Europe/Berlin}}",
    ),
    "month from the 15th, Berlin": (
        "15th-berlin",
        '{duration: 1M, isRolling: false, calendar: {startTime: "2026-01-15 00:00:00", '
        "timeZone: Europe/Berlin}}",
    ),
}


def job(i: int) -> str:
    return f"api-{i:03d}"


def counters(services: int, start: int, minutes: int) -> dict[str, np.ndarray]:
    """Per code, each service's counter after each minute since ``start`` (row ``i``, column
    ``k``: the requests of the minutes before minute ``k``)."""
    rng = np.random.default_rng(11)
    profiles = {
        job(i): Profile(
            service=job(i),
            peak_per_minute=float(rng.choice([5, 50, 500, 3000])),
            error_ratio=float(rng.choice([0.0, 0.0002, 0.001, 0.004])),
        )
        for i in range(services)
    }
    matrix = generate(profiles, start=start, end=start + minutes * MINUTE, seed=3)
    good, total = np.asarray(matrix.good), np.asarray(matrix.total)
    zero = np.zeros((services, 1), dtype=np.int64)
    return {
        code: np.concatenate((zero, np.cumsum(counts, axis=1)), axis=1)
        for code, counts in (("200", good), ("500", total - good))
    }


def labels(i: int) -> str:
    """The labels of SLO ``i``'s counters: a job of its own."""
    return f'job="{job(i)}"'


def workspace(folder: Path, stem: str, window: str, slos: int) -> None:
    """``slos`` SLOs of one kind (99.9 %, the default alert tiers), SLO ``i`` on ``api-<i>``."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = [
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prometheus}\nspec:\n"
        '  type: Prometheus\n  connectionDetails: {url: "http://127.0.0.1:9090"}\n'
    ]
    for i in range(slos):
        key = job(i)
        docs.append(
            f"""apiVersion: openslo/v1
kind: SLI
metadata: {{name: {key}}}
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        metricSourceRef: prometheus
        spec: {{query: 'http_requests_total{{job="{key}",code="200"}}'}}
    total:
      metricSource:
        metricSourceRef: prometheus
        spec: {{query: 'http_requests_total{{job="{key}"}}'}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {{name: {key}-{stem}}}
spec:
  service: {key}
  indicatorRef: {key}
  timeWindow: [{window}]
  budgetingMethod: Occurrences
  objectives: [{{target: 0.999}}]
"""
        )
    (folder / "slos.yaml").write_text("---\n".join(docs))


def rules_file(src: Path, work: Path, stem: str, window: str, slos: int) -> Path:
    """One kind's rule file, written by the command a person runs with the tree ``src``."""
    ws = work / "workspaces" / stem
    workspace(ws, stem, window, slos)
    out = work / f"{stem}.rules.yml"
    command = [sys.executable, "-m", "covenant", "rules", "prometheus", "-w", str(ws)]
    env = dict(os.environ, PYTHONPATH=str(src))
    subprocess.run([*command, "-o", str(out)], env=env, check=True, capture_output=True)
    return out


def write_rules(work: Path, slos: int, baseline: str | None) -> dict[str, Path]:
    """Each kind's rule file from this tree and, where ``baseline``'s differs, that one too
    (its SLOs named apart, so both load into one server)."""
    files = {}
    before = baseline_tree(baseline, work / "baseline") if baseline else None
    for kind, (stem, window) in KINDS.items():
        files[kind] = rules_file(ROOT / "src", work, stem, window, slos)
        if before is None:
            continue
        old = rules_file(before, work / "baseline", stem, window, slos)
        if old.read_bytes() != files[kind].read_bytes():
            old = rules_file(before, work / "baseline", f"{stem}-before", window, slos)
            files[f"{kind}, before ({baseline})"] = old
    return files


def baseline_tree(revision: str, into: Path) -> Path:
    """``src/`` of ``revision`` in ``into``."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def rules_api(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/api/v1/rules", timeout=120) as response:
        groups: list[dict[str, Any]] = json.loads(response.read())["data"]["groups"]
    return groups


def rule_key(rule: dict[str, Any], position: int) -> str:
    """A rule's name within its group: the record's, or the alert's with its position (one
    alert name per tier)."""
    if rule["type"] == "alerting":
        return f"alert #{position} ({rule['labels'].get('sloth_severity', '')})"
    return str(rule["name"])


_METRIC = re.compile(
    r"^prometheus_rule_group_(last_duration_seconds|last_evaluation_timestamp_seconds)"
    r'\{rule_group="([^";]*);([^"]+)"\} (\S+)$'
)


class Seen:
    """The evaluations seen: per group (its file's name and its name) each evaluation's
    duration by its instant (``/metrics``, every 10 s), and per rule its duration by the
    group's evaluation instant (``/api/v1/rules``, every minute: a large answer)."""

    def __init__(self, since: float) -> None:
        self.since = since  # evaluations before it are left out (no minute counted yet)
        self.groups: dict[tuple[str, str], dict[float, float]] = {}
        self.rules: dict[tuple[str, str], dict[str, dict[str, float]]] = {}
        self.unhealthy: dict[str, str] = {}

    def read_groups(self, url: str) -> None:
        with urllib.request.urlopen(f"{url}/metrics", timeout=60) as response:
            text = response.read().decode()
        found: dict[tuple[str, str], dict[str, float]] = {}
        for line in text.splitlines():
            match = _METRIC.match(line)
            if match:
                key = (Path(match.group(2)).name, match.group(3))
                found.setdefault(key, {})[match.group(1)] = float(match.group(4))
        for key, values in found.items():
            at = values.get("last_evaluation_timestamp_seconds", 0.0)
            if at >= self.since and "last_duration_seconds" in values:
                self.groups.setdefault(key, {})[at] = values["last_duration_seconds"]

    def read_rules(self, url: str) -> None:
        try:
            groups = rules_api(url)
        except (OSError, TimeoutError) as error:  # a loaded server: the next read
            print(f"  (/api/v1/rules not read: {error})", flush=True)
            return
        for group in groups:
            at = group.get("lastEvaluation", "")
            when = datetime.fromisoformat(at[:19]).replace(tzinfo=UTC).timestamp()
            if when < self.since:
                continue
            per_rule = self.rules.setdefault((Path(group["file"]).name, group["name"]), {})
            for position, rule in enumerate(group["rules"]):
                name = rule_key(rule, position)
                per_rule.setdefault(name, {})[at] = float(rule["evaluationTime"])
                if rule.get("health") not in ("ok", "unknown"):
                    self.unhealthy[f"{group['name']} / {name}"] = rule.get("lastError", "")


def report(seen: Seen, files: dict[str, Path], sizes: dict[str, int], slos: int) -> None:
    print(
        "\n| kind | rule file | per-minute group: median of best, sum over SLOs | "
        "5-minute group: median, sum | per minute, all SLOs | evaluations seen |"
    )
    print("|---|---|---|---|---|---|")
    tops: dict[str, list[tuple[float, str]]] = {}
    busy = 0.0
    for kind, path in files.items():
        parts: dict[str, list[float]] = {"sli": [], "meta": []}
        counts: dict[str, list[int]] = {"sli": [], "meta": []}
        by_rule: dict[str, float] = {}
        for (file, name), evaluations in seen.groups.items():
            if file != path.name:
                continue
            part = "meta" if name.startswith("covenant-slo-meta-recordings") else "sli"
            parts[part].append(min(evaluations.values()))
            counts[part].append(len(evaluations))
            per = 5 if part == "meta" else 1
            for rule, times in seen.rules.get((file, name), {}).items():
                label = f"{part}: {rule}"
                by_rule[label] = by_rule.get(label, 0.0) + min(times.values()) / per
        if len(parts["sli"]) != slos or len(parts["meta"]) != slos:
            raise SystemExit(
                f"{kind}: evaluated {len(parts['sli'])} per-minute and {len(parts['meta'])} "
                f"5-minute groups of {slos} SLOs: run longer (--minutes)"
            )
        per_minute = sum(parts["sli"]) + sum(parts["meta"]) / 5
        busy += per_minute
        print(
            f"| {kind} | {sizes[kind] / 1e6:.2f} MB | "
            f"{statistics.median(parts['sli']) * 1e3:.2f} ms, {sum(parts['sli']) * 1e3:.0f} ms | "
            f"{statistics.median(parts['meta']) * 1e3:.2f} ms, "
            f"{sum(parts['meta']) * 1e3:.0f} ms | {per_minute * 1e3:.0f} ms | "
            f"{min(counts['sli'])}–{max(counts['sli'])} / "
            f"{min(counts['meta'])}–{max(counts['meta'])} |"
        )
        tops[kind] = sorted(((v, k) for k, v in by_rule.items()), reverse=True)
    if busy > 12:
        print(
            f"\nBUSY: the groups' best times add up to {busy:.0f} s a minute: some waited for "
            "others (the sums overstate; the medians hold while they stay near a run with "
            "fewer --slos)"
        )
    print("\nThe rules that cost most (sum over the kind's SLOs of each rule's best, per minute):")
    for kind, ranked in tops.items():
        total = sum(v for v, _ in ranked)
        print(f"- {kind} ({total * 1e3:.0f} ms a minute in rules):")
        for value, name in ranked[:6]:
            print(f"    {value * 1e3:7.1f} ms  {value / total:5.1%}  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slos", type=int, default=50, help="SLOs of each kind (default 50)")
    parser.add_argument(
        "--minutes",
        type=float,
        default=13.0,
        help="how long Prometheus evaluates the rules (default 13: two 5-minute evaluations "
        f"after the first {WARM_UP} s, which are not counted)",
    )
    parser.add_argument("--prometheus", choices=RELEASES, default="stable")
    parser.add_argument(
        "--baseline",
        default=INLINE_GUARDS,
        help="also load the rules of this git revision where they differ, in the same server "
        f"(default {INLINE_GUARDS}: the guards computed the days of several months inline; "
        "'' for none)",
    )
    args = parser.parse_args()
    load = os.getloadavg()
    started = datetime.now(UTC)
    start = int(time.time()) // MINUTE * MINUTE
    exporter = Exporter(start, counters(args.slos, start, int(args.minutes) + 30), labels)
    threading.Thread(target=exporter.serve_forever, daemon=True).start()
    work = Path(tempfile.mkdtemp(prefix="covenant-bench-calendar-"))
    try:
        files = write_rules(work, args.slos, args.baseline or None)
        sizes = {kind: path.stat().st_size for kind, path in files.items()}
        scrape = {
            "job_name": "services",
            "honor_labels": True,
            "scrape_interval": "15s",
            "static_configs": [{"targets": [f"127.0.0.1:{exporter.server_address[1]}"]}],
        }
        server = start_prometheus(
            work / "server",
            rule_files=list(files.values()),
            scrape_configs=[scrape],
            release=args.prometheus,
        )
        try:
            print(
                f"evaluating {len(files)} × {args.slos} SLOs' rules live for "
                f"{args.minutes:g} minutes …",
                flush=True,
            )
            # the first minutes: the counters have no minute ago yet, the windows no counts
            seen = Seen(since=time.time() + WARM_UP)
            deadline = time.monotonic() + args.minutes * 60
            rules_read = 0.0
            while time.monotonic() < deadline:
                seen.read_groups(server.url)
                if time.monotonic() - rules_read > 60:
                    rules_read = time.monotonic()
                    seen.read_rules(server.url)
                time.sleep(10)
            seen.read_groups(server.url)
            seen.read_rules(server.url)
            with urllib.request.urlopen(f"{server.url}/api/v1/status/buildinfo") as response:
                served = json.loads(response.read())["data"]["version"]
        finally:
            server.stop()
    finally:
        exporter.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    if seen.unhealthy:
        for rule, error in sorted(seen.unhealthy.items())[:10]:
            print(f"unhealthy: {rule}: {error}")
        raise SystemExit(f"{len(seen.unhealthy)} rules failed to evaluate")
    end_load = os.getloadavg()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load {load[0]:.1f} → {end_load[0]:.1f}; Python {sys.version.split()[0]}; "
        f"{started:%Y-%m-%d %H:%M}–{datetime.now(UTC):%H:%M} UTC; Prometheus {served}"
    )
    print(f"{args.slos} SLOs of each kind (99.9 %, the default alert tiers); every rule healthy")
    report(seen, files, sizes, args.slos)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
