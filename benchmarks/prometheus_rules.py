"""Accuracy and evaluation cost of three ways to keep a 30-day SLI in Prometheus, on the same data.

- **Covenant**: the rules of ``covenant rules prometheus`` (minute counts; windows are sums of
  recorded counts; the 30-day SLI a sum of counts over a sum of counts).
- **Sloth**: Sloth's generated form (``../shared/corpus/sloth/_gen/``): ``rate`` over the raw
  series for every alert window, the 30-day ratio the average of 5-minute ratios.
- **Pyrra-style**: ``increase(...[30d])`` over the raw series on every evaluation, plus Sloth's
  ``rate`` recordings for the alert windows.

Diurnal traffic (busy afternoons, quiet nights with a higher error ratio) for 31 days up to a few
minutes after now is back-filled (``promtool tsdb create-blocks-from openmetrics``), the
recordings each method keeps over history are back-filled (``create-blocks-from rules``, same
file path so the live groups keep the same evaluation offsets), then Prometheus evaluates all
three live for a few minutes. Reported: each method's 30-day error ratio against the exact one
from the events, and each group's ``prometheus_rule_group_last_duration_seconds``.

Run: ``.venv/bin/python benchmarks/prometheus_rules.py [--instances 4] [--live-minutes 7]``
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import urllib.request
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.promserver import (  # noqa: E402
    Sample,
    Server,
    backfill_rules,
    openmetrics_text,
    restart,
    start_prometheus,
)

from covenant.core.model import Objective, RollingWindow  # noqa: E402
from covenant.core.promql import PrometheusSource, SeriesQueries  # noqa: E402
from covenant.render.prom_rules import RuleTarget, dump_yaml, rule_groups, source_rules  # noqa: E402

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


def samples(start: int, total: np.ndarray, bad: np.ndarray, instances: int, scrape: int) -> str:
    """Counters per instance and code, scraped every ``scrape`` seconds (each minute's events
    spread evenly over the instances and the scrapes within it)."""
    per = MINUTE // scrape
    out: list[Sample] = []
    for code, counts in (("200", total - bad), ("500", bad)):
        for i in range(instances):
            share = (counts + (instances - 1 - i)) // instances  # integer split over instances
            steps = np.repeat(share, per) // per
            steps[per - 1 :: per] += share - (share // per) * per  # the remainder at :45
            cumulative = np.concatenate(([0], np.cumsum(steps)))
            labels = {"job": "bench", "instance": f"pod-{i}", "code": code}
            out += [
                Sample("http_requests_total", labels, float(v), start + k * scrape)
                for k, v in enumerate(cumulative.tolist())
            ]
    return openmetrics_text(out, counters=["http_requests"])


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


def latest(server: Server, expr: str, at: int) -> tuple[float, float]:
    result = server.query(f"{expr}[15m]", at)
    assert len(result) == 1, (expr, result)
    ts, value = result[0]["values"][-1]
    return float(ts), float(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=4, help="pods per code (raw series)")
    parser.add_argument("--scrape", type=int, default=30, help="scrape interval, seconds")
    parser.add_argument("--live-minutes", type=float, default=7.0)
    args = parser.parse_args()
    now = int(time.time()) // MINUTE * MINUTE
    start, end = now - 31 * DAY, now + 40 * MINUTE
    minutes = (end - start) // MINUTE
    total, bad = traffic(start, minutes)
    workdir = Path(tempfile.mkdtemp(prefix="covenant-bench-prom-"))
    t0 = time.perf_counter()
    server = start_prometheus(
        workdir, openmetrics=samples(start, total, bad, args.instances, args.scrape)
    )
    print(
        f"back-filled {minutes} minutes x {2 * args.instances} series "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    cov_live, cov_history = covenant_groups()
    sloth_live, sloth_history = sloth_groups()
    rules = workdir / "rules.yml"  # one path: a group's evaluation offset hashes file and name
    rules.write_text(dump_yaml({"groups": cov_history + sloth_history}), encoding="utf-8")
    t0 = time.perf_counter()
    backfill_rules(server, rules, start=start + MINUTE, end=end, output_dir=workdir / "blocks")
    print(f"back-filled the recorded history in {time.perf_counter() - t0:.0f} s")
    rules.write_text(
        dump_yaml({"groups": cov_live + sloth_live + pyrra_groups()}), encoding="utf-8"
    )
    server = restart(server, workdir, blocks=workdir / "blocks")
    server.stop()
    server = start_prometheus(workdir, rule_files=[rules])
    try:
        durations: dict[str, dict[float, float]] = {}
        deadline = time.monotonic() + args.live_minutes * 60
        while time.monotonic() < deadline:
            for name, (ts, seconds) in group_metrics(server).items():
                if ts > 0:
                    durations.setdefault(name, {})[ts] = seconds
            time.sleep(5)
        at = int(time.time())
        report(server, durations, at, start, total, bad)
    finally:
        server.stop()


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
        ts, value = latest(server, f"slo:sli_error:ratio_rate30d{_sel(slo)}", at)
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
