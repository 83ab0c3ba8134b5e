"""Prometheus benchmark: SLOs read through a real Prometheus and evaluated by Covenant, against
slo-generator 2.6.0 computing the same SLOs from the same server in the same run.

Data: ``--slos`` (default 200) services with generated one-minute traffic (diurnal rhythm, a few
incidents; ``covenant.sources.synthetic``) over 32 days up to two days past the build, exported as
two counters per service (``http_requests_total{job, code="200"|"500"}``) sampled on every minute
boundary and backfilled into Prometheus 2.x with ``promtool`` (cached under benchmarks/.data/).

The recording rules of ``covenant rules prometheus`` (minute counts and their day sums; see
``RULES``) are back-filled into the same server with ``promtool tsdb create-blocks-from rules``
(cached; ``--no-rules`` skips them).

Covenant, as a process each (the CLI a person or a cron runs):
- cold: ``covenant evaluate --at AT --read --format json`` on an empty store: the first read,
  taking the whole days no window edge cuts from the counters' values at midnight, witnessed by
  the recorded day counts (docs/prometheus.md, "A first read by days"), the rest from samples;
- cold, every sample: ``covenant ingest prometheus --from AT-30d --to AT`` into another empty
  store (every sample of the month), then ``covenant evaluate --no-read``;
- warm: ``covenant ingest prometheus --from AT-2m --to AT`` (what a worker's catch-up reads each
  minute: the store already holds the rest), then the same ``evaluate``.

slo-generator (``slo-generator[prometheus]==2.6.0`` with ``setuptools<81``, in its own
virtualenv under benchmarks/.data/): ``slo-generator compute`` over the same SLOs with its
Prometheus backend (``good_bad_ratio``: ``sum(increase(filter[<window>s]))`` as instant queries)
and one error-budget-policy step per window Covenant reports (30d, 3d, 1d, 6h, 2h, 1h, 30m, 5m).
Its backend cannot ask for a past instant: it measures at the server's *now*. The benchmark
starts it just after a minute boundary AT and evaluates Covenant at AT.

Counts: Covenant's good and bad per SLO and window (from its exact burn rates) are checked equal
to the generated counts (independent of both tools) before any time is reported.
slo-generator's are compared with the same exact counts; every differing number is written to
benchmarks/.data/prometheus-<n>/differences.txt with its reason (the summary is printed).

    python benchmarks/prometheus.py [--slos 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.promserver: the Prometheus the tests start

from tests.promserver import (  # noqa: E402
    RELEASES,
    Server,
    backfill_rules,
    get_json,
    restart,
    start_prometheus,
)

import covenant as covenant_package  # noqa: E402
from _slogen import (  # noqa: E402
    STEPS,
    TARGETS,
    WINDOW,
    covenant_counts,
    slogen_bin,
    slogen_counts,
)
from covenant.config import sqlite_url  # noqa: E402
from covenant.core.model import DAY, default_alert_tiers  # noqa: E402
from covenant.core.timeutil import from_epoch  # noqa: E402
from covenant.definitions.workspace import load_workspace  # noqa: E402
from covenant.services.evaluate import evaluate_workspace  # noqa: E402
from covenant.services.prometheus import ingest_prometheus  # noqa: E402
from covenant.services.store import open_store  # noqa: E402
from covenant.sources.synthetic import Incident, Profile, generate  # noqa: E402

DATA = ROOT / "benchmarks" / ".data"
BIN = Path(sys.executable).parent
SLOGEN = ["slo-generator[prometheus]==2.6.0", "setuptools<81"]
TARGET_RATIO = 10


def job(i: int) -> str:
    return f"api-{i:03d}"


def build(n: int, now: int) -> tuple[Path, int, np.ndarray, np.ndarray]:
    """The backfilled Prometheus data dir, the data's first instant and the exact per-minute
    good and total counts (cached; rebuilt when the data would end within six hours)."""
    root = DATA / f"prometheus-{n}"
    meta = root / "meta.json"
    if meta.exists():
        known = json.loads(meta.read_text())
        if known["end"] - 6 * 3600 > now:
            counts = np.load(root / "counts.npz")
            return root, int(known["start"]), counts["good"], counts["total"]
    print(f"building {root.name}: {n} services × 34 days of one-minute counters …", flush=True)
    if root.exists():
        subprocess.run(["rm", "-rf", str(root)], check=True)
    root.mkdir(parents=True)
    today = now - now % DAY
    start, end = today - 32 * DAY, today + 2 * DAY
    rng = np.random.default_rng(11)
    profiles = {}
    for i in range(n):
        incidents: tuple[Incident, ...] = ()
        if rng.random() < 0.3:
            at = now - int(rng.integers(0, 30 * 24)) * 3600
            incidents = (Incident(start=at - 3600, end=at + 1800, error_ratio=0.05),)
        profiles[job(i)] = Profile(
            service=job(i),
            peak_per_minute=float(rng.choice([5, 50, 500, 3000])),
            error_ratio=float(rng.choice([0.0, 0.0002, 0.001, 0.004])),
            incidents=incidents,
        )
    matrix = generate(profiles, start=start, end=end, seed=3)
    good, total = np.asarray(matrix.good), np.asarray(matrix.total)
    np.savez(root / "counts.npz", good=good, total=total)
    data = root / "server" / "data"
    data.mkdir(parents=True)
    t0 = time.perf_counter()
    backfill(data, start=start, end=end, good=good, total=total)
    print(f"  backfilled in {time.perf_counter() - t0:.0f} s", flush=True)
    meta.write_text(json.dumps({"start": start, "end": end, "n": n}))
    return root, start, good, total


BLOCK = 2 * 3600  # promtool's block length: it reads its whole input once per block


def backfill(data: Path, *, start: int, end: int, good: np.ndarray, total: np.ndarray) -> None:
    """The counters at every minute boundary of ``[start, end]``, backfilled with promtool one
    two-hour block at a time (one input per block: promtool re-reads its input for every block
    it writes, so one file of a month would be read 400 times)."""
    cumulative = []
    for i in range(good.shape[0]):
        for code, counts in (("200", good[i]), ("500", total[i] - good[i])):
            values = np.concatenate(([0], np.cumsum(counts)))
            cumulative.append((f'http_requests_total{{code="{code}",job="{job(i)}"}} ', values))
    source = data.parent / "block.om"
    for lo in range(start - start % BLOCK, end + 1, BLOCK):
        first, last = max(lo, start), min(lo + BLOCK - 60, end)
        if first > last:
            continue
        a, b = (first - start) // 60, (last - start) // 60 + 1
        instants = [str(t) for t in range(first, last + 1, 60)]
        with source.open("w") as out:
            out.write("# TYPE http_requests counter\n")
            for head, values in cumulative:
                out.write(
                    "".join(
                        f"{head}{v} {t}\n"
                        for v, t in zip(values[a:b].tolist(), instants, strict=True)
                    )
                )
            out.write("# EOF\n")
        subprocess.run(
            ["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(source), str(data)],
            check=True,
            capture_output=True,
        )
    source.unlink()


RULES = "covenant-benchmark-rules.yml"
"""The recording rules back-filled for the first read by days. The rules of ``covenant rules
prometheus`` for these SLOs are 200 groups (one per SLO); promtool back-fills one query per
rule per two-hour block, which for 200 groups over 34 days is 160,000 queries. These are the
same expressions — the minute count ``S − S offset 1m`` of each counter (a reset counting the
value after it) and its ``sum_over_time`` over ``[23h59m59s999ms]`` — written once for all
SLOs (``sum by (job)``) and labelled with each SLO's ``sloth_id``."""


def _minute_count(selector: str) -> str:
    s = selector
    return f"sum by (job) ((({s}) - ({s} offset 1m)) >= 0 or ({s} and ({s} offset 1m)))"


def _sloth_id(expr: str) -> str:
    return f'label_replace({expr}, "sloth_id", "$1-$1-availability", "job", "(.*)")'


def rule_file(folder: Path, level: int) -> Path:
    """The level-1 (minute counts), level-2 (day counts) or level-3 (hour counts) rules, one
    group, one file name (a group's evaluation offset within the minute hashes both: the same
    for every level)."""
    total = _minute_count("http_requests_total")
    good = _minute_count('http_requests_total{code="200"}')
    if level == 1:
        rules = [
            {"record": "covenant:sli_total:count1m", "expr": _sloth_id(total)},
            {"record": "covenant:sli_good:count1m", "expr": _sloth_id(f"{good} or 0 * {total}")},
        ]
    else:
        name, window = ("count1d", "23h59m59s999ms") if level == 2 else ("count1h", "59m59s999ms")
        rules = [
            {
                "record": f"covenant:sli_{kind}:{name}",
                "expr": f"sum_over_time(covenant:sli_{kind}:count1m[{window}])",
            }
            for kind in ("total", "good")
        ]
    group = {"name": "covenant-benchmark-sli-recordings", "interval": "1m", "rules": rules}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / RULES
    path.write_text(json.dumps({"groups": [group]}))  # JSON is YAML
    return path


def record(root: Path, server: Server, *, start: int, end: int) -> Server:
    """Back-fill the recording rules into the server (cached: once per data set): the minute
    counts over the whole data, then the day counts around every midnight (the only instants
    the first read by days reads them at; promtool evaluates a range once per rule and
    two-hour block, and a day count sums 1,440 minute counts per instant)."""
    done = root / "recorded.json"
    if done.exists():
        return _record_hours(root, server, start=start, end=end)
    print("back-filling the recording rules (minute counts, then day counts) …", flush=True)
    t0 = time.perf_counter()
    work = root / "rules"
    subprocess.run(["rm", "-rf", str(work)], check=True)
    blocks = work / "blocks1"
    backfill_rules(server, rule_file(work, 1), start=start, end=end, output_dir=blocks)
    server = restart(server, root / "server", blocks=blocks)
    blocks = work / "blocks2"
    path = rule_file(work, 2)
    for day in range(start - start % DAY + DAY, end, DAY):
        backfill_rules(server, path, start=day - 60, end=day + 120, output_dir=blocks)
    server = restart(server, root / "server", blocks=blocks)
    done.write_text(json.dumps({"seconds": round(time.perf_counter() - t0)}))
    print(f"  recorded in {time.perf_counter() - t0:.0f} s", flush=True)
    return _record_hours(root, server, start=start, end=end)


def _record_hours(root: Path, server: Server, *, start: int, end: int) -> Server:
    """Back-fill the hour counts (the first read's witness of whole hours) over the whole data,
    once (cached apart from the minute and day counts, which an older cache holds alone): one
    promtool run, a query per rule and two-hour block summing 60 minute counts per instant."""
    done = root / "recorded-hours.json"
    if done.exists():
        return server
    print("back-filling the hour counts …", flush=True)
    t0 = time.perf_counter()
    work = root / "rules"
    blocks = work / "blocks3"
    subprocess.run(["rm", "-rf", str(blocks)], check=True)
    backfill_rules(server, rule_file(work, 3), start=start + 3600, end=end, output_dir=blocks)
    server = restart(server, root / "server", blocks=blocks)
    done.write_text(json.dumps({"seconds": round(time.perf_counter() - t0)}))
    print(f"  recorded in {time.perf_counter() - t0:.0f} s", flush=True)
    return server


def workspace(folder: Path, n: int, url: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    docs = [
        f"""apiVersion: openslo/v1
kind: DataSource
metadata: {{name: prometheus}}
spec:
  type: Prometheus
  connectionDetails: {{url: "{url}", timeout: 60s}}
"""
    ]
    for i in range(n):
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
metadata: {{name: {key}-availability}}
spec:
  service: {key}
  indicatorRef: {key}
  timeWindow: [{{duration: 30d, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: {TARGETS[i % len(TARGETS)]}}}]
"""
        )
    (folder / "slos.yaml").write_text("---\n".join(docs))


def slogen_folder(folder: Path, n: int, url: str) -> None:
    (folder / "slos").mkdir(parents=True, exist_ok=True)
    for i in range(n):
        key = job(i)
        (folder / "slos" / f"{key}.yaml").write_text(
            f"""apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: {key}-availability
  labels: {{service_name: {key}, feature_name: requests, slo_name: availability}}
spec:
  description: {key} availability
  backend: prometheus
  method: good_bad_ratio
  exporters: []
  service_level_indicator:
    filter_good: 'http_requests_total{{job="{key}",code="200"}}'
    filter_valid: 'http_requests_total{{job="{key}"}}'
  goal: {TARGETS[i % len(TARGETS)]}
"""
        )
    thresholds = {t.long_window_s: t.factor(WINDOW) for t in default_alert_tiers()}
    steps = "".join(
        f"""      - name: {name}
        window: {seconds}
        burn_rate_threshold: {float(thresholds.get(seconds, 1))}
        alert: false
        message_alert: burning
        message_ok: fine
"""
        for name, seconds in STEPS
    )
    (folder / "config.yaml").write_text(
        f"""backends:
  prometheus:
    url: {url}
exporters: {{}}
error_budget_policies:
  default:
    steps:
{steps}"""
    )


def timed(
    cmd: list[str], *, cwd: Path | None = None, ok: tuple[int, ...] = (0,)
) -> tuple[float, str]:
    env = {**os.environ, "COLORED_OUTPUT": "0", "COVENANT_DATABASE_URL": ""}
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t0
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed, done.stdout + done.stderr


def exact_counts(
    good: np.ndarray, total: np.ndarray, start: int, at: int
) -> dict[tuple[str, int], tuple[int, int]]:
    """(SLO, window seconds) → (good, bad) from the generated counts (neither tool involved)."""
    cg = np.concatenate(
        (np.zeros((good.shape[0], 1), dtype=np.int64), np.cumsum(good, axis=1)), axis=1
    )
    ct = np.concatenate(
        (np.zeros((total.shape[0], 1), dtype=np.int64), np.cumsum(total, axis=1)), axis=1
    )
    end = (at - start) // 60
    found = {}
    for i in range(good.shape[0]):
        for _, seconds in STEPS:
            lo = end - seconds // 60
            g = int(cg[i, end] - cg[i, lo])
            t = int(ct[i, end] - ct[i, lo])
            found[(f"{job(i)}-availability", seconds)] = (g, t - g)
    return found


def reason(exact: tuple[int, int], theirs: tuple[int, int, float]) -> str:
    if theirs[0] < 0 or theirs[1] < 0:
        return "no data: slo-generator's NO_DATA sentinel (-1) reached its counts"
    if theirs[:2] == exact:
        return "SLI rounded to 6 decimals"
    return (
        "measured at the server's now, not at AT: increase() over a window whose edges fall "
        "between samples is extrapolated (a fraction), which slo-generator truncates with int()"
    )


def worker_tick(ws: Path, at: int) -> float:
    """What the service's worker does each minute, in its long-running process: read the last
    two minutes of every SLI and evaluate every SLO (no process start-up, no YAML reading)."""
    workspace = load_workspace(ws)
    assert workspace.prometheus is not None
    engine = open_store(sqlite_url(ws))
    try:
        reads = workspace.prometheus.reads
        t0 = time.perf_counter()
        ingest_prometheus(engine, reads=reads, start=from_epoch(at - 120), end=from_epoch(at))
        report = evaluate_workspace(engine, workspace=workspace, at=from_epoch(at))
        elapsed = time.perf_counter() - t0
        assert len(report.evaluations) == len(reads)
    finally:
        engine.dispose()
    return elapsed


def rewind(store: Path, until: int) -> None:
    """Set every series' read frontier back to ``until``: the store then holds what a worker
    that last read up to there would hold (the buckets after it are read again)."""
    import sqlite3  # noqa: PLC0415

    with sqlite3.connect(store / "covenant.db") as conn:
        conn.execute("UPDATE source_reads SET read_until = ?", (until,))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slos", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--cold-every",
        action="store_true",
        help="time the cold read in every repeat (default: the first only; it takes minutes)",
    )
    parser.add_argument(
        "--prometheus",
        choices=RELEASES,
        default="stable",
        help="the Prometheus release to serve the data: Debian stable's (2.42) or sid's (3.x, "
        "unpacked by scripts/install-prometheus-sid)",
    )
    parser.add_argument(
        "--no-rules",
        action="store_true",
        help="do not back-fill the recording rules (the first read then reads every sample)",
    )
    args = parser.parse_args()
    n = args.slos
    now = int(time.time())
    root, start, good, total = build(n, now)
    slogen = slogen_bin("slo-generator-prometheus-venv", SLOGEN)
    server: Server = start_prometheus(root / "server", release=args.prometheus)
    try:
        end = int(json.loads((root / "meta.json").read_text())["end"])
        if not args.no_rules:
            server = record(root, server, start=start, end=end)
        ws, sg = root / "covenant", root / "slo-generator"
        raw_ws = root / "covenant-raw"  # the first read without the day sums, for comparison
        workspace(ws, n, server.url)
        workspace(raw_ws, n, server.url)
        slogen_folder(sg, n, server.url)
        covenant = str(BIN / "covenant")
        store = ws / ".covenant"
        # Byte-code for both sides, as installed packages have it (pip compiled slo-generator's;
        # with PYTHONDONTWRITEBYTECODE an editable install would compile on every run)
        for folder in (Path(covenant_package.__file__).parent, slogen.parent.parent / "lib"):
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder)], check=False)
        # warm the file cache and Prometheus's chunk cache on both sides
        timed([covenant, "--help"])
        timed([str(slogen), "compute", "-f", "slos", "-c", "config.yaml"], cwd=sg)
        cold, cold_raw, warm, warm2, worker, theirs = [], [], [], [], [], []
        outputs = []
        at = 0
        for repeat in range(args.repeat):
            # start slo-generator just after a minute boundary; Covenant evaluates at it
            wait = 60 - time.time() % 60 + 0.05
            time.sleep(wait)
            at = int(time.time()) // 60 * 60
            stamp = datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z")
            seconds, theirs_out = timed(
                [str(slogen), "compute", "-f", "slos", "-c", "config.yaml", "-t", str(at)], cwd=sg
            )
            theirs.append(seconds)
            evaluate = [covenant, "evaluate", "-w", str(ws), "--at", stamp, "--format", "json"]
            if repeat == 0 or args.cold_every:
                # cold: an empty store, one process reads every SLI's window and evaluates
                subprocess.run(["rm", "-rf", str(store)], check=True)
                t_cold, out = timed([*evaluate, "--read"])
                cold.append(t_cold)
                outputs.append(("cold", at, out))
                # the same first read of every sample (ingest reads every minute), then evaluate
                subprocess.run(["rm", "-rf", str(raw_ws / ".covenant")], check=True)
                month = datetime.fromtimestamp(at - WINDOW, UTC).isoformat()
                raw_ingest = [covenant, "ingest", "prometheus", "-w", str(raw_ws)]
                t_read, _ = timed(
                    [
                        *raw_ingest,
                        "--from",
                        month.replace("+00:00", "Z"),
                        "--to",
                        stamp,
                        "--format",
                        "json",
                    ]
                )
                raw_eval = [covenant, "evaluate", "-w", str(raw_ws), "--at", stamp]
                t_eval, out = timed([*raw_eval, "--format", "json", "--no-read"])
                cold_raw.append(t_read + t_eval)
                outputs.append(("cold, every sample", at, out))
            ingest = [covenant, "ingest", "prometheus", "-w", str(ws), "--to", stamp]
            if cold and repeat:  # untimed: the minutes since the previous repeat's AT
                hour = datetime.fromtimestamp(at - 3600, UTC).isoformat().replace("+00:00", "Z")
                timed([*ingest, "--from", hour, "--format", "json"])
            # warm: the store holds everything up to AT − 2 min (the read frontier is set back
            # there; the buckets after it are read again and replaced, as if they were not there)
            rewind(store, at - 120)
            t_warm, out = timed(evaluate)
            warm.append(t_warm)
            outputs.append(("warm", at, out))
            # the same in two processes, as before: ingest the last 2 minutes, then evaluate
            recent = datetime.fromtimestamp(at - 120, UTC).isoformat().replace("+00:00", "Z")
            t_ingest, _ = timed([*ingest, "--from", recent, "--format", "json"])
            t_eval, out = timed([*evaluate, "--no-read"])
            warm2.append(t_ingest + t_eval)
            outputs.append(("warm, 2 processes", at, out))
            worker.append(worker_tick(ws, at))
        print(
            f"timings: cold {cold}, warm {warm}, warm in 2 processes {warm2}, worker {worker}, "
            f"slo-generator {theirs}"
        )
        exact = exact_counts(good, total, start, at)
        for label, when, out in outputs:  # every run of every repeat, at its own instant
            ours = covenant_counts(out)
            expected = exact_counts(good, total, start, when)
            assert len(ours) == n * len(STEPS), (label, len(ours))
            wrong = {k: (v, expected[k]) for k, v in ours.items() if v != expected[k]}
            assert not wrong, f"Covenant {label} differs from the generated counts: " + str(
                list(wrong.items())[:5]
            )
        slo = slogen_counts(theirs_out)
        differing = []
        for key, value in sorted(exact.items()):
            got = slo.get(key)
            if got is None:
                why = "missing from slo-generator's report"
                if value == (0, 0):
                    why += ": no events in the window, its SLI divides 0 by 0 and the step fails"
                else:
                    why += (
                        ": measured at the server's now (after AT), when the window held no "
                        "events: its SLI divides 0 by 0 and the step fails"
                    )
                differing.append((key, value, None, why))
            elif got[:2] != value:
                differing.append((key, value, got, reason(value, got)))
        lines = [
            f"{k[0]} {k[1]}s exact good/bad {v} slo-generator {g}: {why}"
            for k, v, g, why in differing
        ]
        (root / "differences.txt").write_text("\n".join(lines) + "\n")
        served = get_json(f"{server.url}/api/v1/status/buildinfo")["data"]["version"]
    finally:
        server.stop()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}; {sys.version.split()[0]}; {datetime.now(UTC):%Y-%m-%d}; "
        f"Prometheus {served}"
    )
    print(f"{n} SLOs × 30 days, {len(STEPS)} windows each, best of {args.repeat}")
    print(
        f"Covenant counts equal to the generated counts: {len(ours)} (SLO, window) pairs in "
        f"each of {len(outputs)} runs"
    )
    days = "whole days from the recorded counts" if not args.no_rules else "no recording rules"
    print(f"covenant cold (evaluate --read, {days} + evaluate): best {min(cold):.2f} s")
    print(
        "covenant cold, every sample (ingest prometheus 30 days + evaluate --no-read): "
        f"best {min(cold_raw):.2f} s"
    )
    print(f"covenant warm (evaluate: catch up the last 2 min + evaluate): best {min(warm):.2f} s")
    print(
        f"covenant warm, 2 processes (ingest the last 2 min, evaluate --no-read): "
        f"best {min(warm2):.2f} s"
    )
    print(f"covenant worker tick (in-process: last 2 min + evaluate): best {min(worker):.2f} s")
    print(f"slo-generator compute (Prometheus backend): best {min(theirs):.2f} s")
    for label, ours_t in (
        ("cold", min(cold)),
        ("cold, every sample", min(cold_raw)),
        ("warm", min(warm)),
        ("warm, 2 processes", min(warm2)),
        ("worker", min(worker)),
    ):
        ratio = min(theirs) / ours_t
        verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
        print(
            f"ratio {label}: covenant is {ratio:.2f}× as fast (target ≥ {TARGET_RATIO}×: {verdict})"
        )
    # the load of a shared machine moves between repeats: each repeat's own ratio too
    for label, times in (("warm", warm), ("warm, 2 processes", warm2), ("worker", worker)):
        each = ", ".join(f"{a / b:.1f}×" for a, b in zip(theirs, times, strict=True))
        print(f"ratio {label} in each repeat (slo-generator ÷ Covenant, same repeat): {each}")
    why: dict[str, int] = {}
    for *_, text in differing:
        why[text] = why.get(text, 0) + 1
    print(
        f"slo-generator differs from the exact counts in {len(differing)} of {len(exact)} "
        "(SLO, window) pairs:"
    )
    for text, count in sorted(why.items(), key=lambda kv: -kv[1]):
        print(f"  {count}: {text}")
    for line in lines[:5]:
        print(f"  e.g. {line}")
    print(f"every difference: {root / 'differences.txt'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
