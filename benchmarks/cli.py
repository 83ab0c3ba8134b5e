"""CLI benchmark: ``covenant --help``, and ``covenant evaluate --format json`` end to end as a
process, against slo-generator 2.6.0 computing the same SLOs from the same counts.

Workspace: 100 Occurrences SLOs (rolling 30 days, four targets, the default alert tiers) over
100 series × 31 days of generated one-minute counts, written into the workspace's SQLite
store before timing. Covenant is timed as ``covenant evaluate --workspace WS --at AT --format
json`` (a fresh process: start-up, reading the YAML, opening the store, evaluating, writing
JSON).

slo-generator (from PyPI, in a virtualenv this benchmark creates under benchmarks/.data/,
with ``setuptools<81`` which it needs for ``pkg_resources``) is timed as ``slo-generator
compute -f SLO_DIR -c config.yaml -t AT``: 100 SLO configs whose error budget policy has one
step per window Covenant reports (30 d, 3 d, 1 d, 6 h, 2 h, 1 h, 30 m, 5 m). Its Prometheus
backend cannot query a past instant, so the benchmark writes a replay backend
(``replay_backend.Replay``, loaded by slo-generator as a custom backend class) that answers
``good_bad_ratio`` from the same counts: cumulative good/total per minute in a binary file it
reads by offset (two reads per query, as cheap as a backend can be).

Covenant is timed twice per round: *cold*, with no evaluation cache (a first run: the YAML
is read and validated — this plain OpenSLO workspace by ``definitions.plain``, without
pydantic — and the cache written), and *warm*, the next run, which takes
the resolved definitions from the cache (``.covenant/evaluation-cache.json``, keyed by the
definition files' content). Both print the same JSON (checked).

Before any time is reported, every SLO's good and bad counts in every window are checked equal
between the two (Covenant's from its exact burn rates), and so is the SLI of the 30-day window
(slo-generator rounds it to 6 decimals). Both sides are timed the same way, interleaved,
best of ``--repeat``.

``covenant --help`` is timed as a user meets it after the first run: from the help cache
(``cli.help_cache``, here in ``benchmarks/.data/help-cache``; the warm-up run fills it), beside
the same page on a miss (the cache off: ``cli.help_render`` prints typer's page without typer;
the version is typer's) and slo-generator's ``--help``, in the same run; the cached and missed
pages are checked equal first. ``--help-only`` times just that part.

    python benchmarks/cli.py [--slos 100] [--repeat 5] [--help-only]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import numpy as np

import covenant as covenant_package
from _slogen import STEPS, TARGETS, WINDOW, covenant_counts, slogen_bin, slogen_counts
from covenant.config import sqlite_url
from covenant.core.model import DAY, default_alert_tiers
from covenant.definitions.evaluation_cache import FILE_NAME as CACHE_FILE
from covenant.services.ingest import ingest_matrix, open_store
from covenant.sources.synthetic import Incident, Profile, generate

DATA = Path(__file__).resolve().parent / ".data"
AT = datetime(2026, 10, 30, 13, 37, tzinfo=UTC)
SLOGEN = ["slo-generator==2.6.0", "setuptools<81"]
BIN = Path(sys.executable).parent
HELP_TARGET_S = 0.3

BACKEND = '''"""Replay backend for slo-generator: a past window's good/bad counts from a file."""

import json
import mmap
import struct
from pathlib import Path

_OPEN = {}


class Replay:
    """``good_bad_ratio`` over ``[timestamp - window, timestamp)`` from cumulative counts."""

    def __init__(self, client=None, data=None, **kwargs):
        if data not in _OPEN:
            index = json.loads(Path(data + ".json").read_text())
            handle = open(data, "rb")
            _OPEN[data] = (index, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
        self.index, self.blob = _OPEN[data]

    def _at(self, row, instant):
        start, step, n = self.index["start"], self.index["step"], self.index["n"]
        col = min(max((instant - start) // step, 0), n)
        good = struct.unpack_from("<q", self.blob, 8 * ((2 * row) * (n + 1) + col))[0]
        total = struct.unpack_from("<q", self.blob, 8 * ((2 * row + 1) * (n + 1) + col))[0]
        return good, total

    def good_bad_ratio(self, timestamp, window, slo_config):
        row = self.index["rows"][slo_config["spec"]["service_level_indicator"]["series"]]
        end = int(timestamp) // self.index["step"] * self.index["step"]
        g1, t1 = self._at(row, end)
        g0, t0 = self._at(row, end - int(window))
        return g1 - g0, (t1 - g1) - (t0 - g0)
'''


def series(i: int) -> str:
    return f"api-{i:03d}"


def build(n: int) -> tuple[Path, Path]:
    """The Covenant workspace (with its store) and the slo-generator folder (cached)."""
    root = DATA / f"cli-{n}"
    ws, sg = root / "covenant", root / "slo-generator"
    if (root / "done").exists():
        return ws, sg
    print(f"building {root.name}: {n} series × 31 days …", flush=True)
    (ws / ".covenant").mkdir(parents=True, exist_ok=True)
    (sg / "slos").mkdir(parents=True, exist_ok=True)
    end = int(AT.timestamp()) // 60 * 60
    start = end - end % DAY - WINDOW  # whole days, covering every window
    rng = np.random.default_rng(5)
    profiles = {}
    for i in range(n):
        incidents: tuple[Incident, ...] = ()
        if rng.random() < 0.3:
            at = end - int(rng.integers(0, 30 * 24)) * 3600
            incidents = (Incident(start=at - 3600, end=at + 1800, error_ratio=0.05),)
        profiles[series(i)] = Profile(
            service=series(i),
            peak_per_minute=float(rng.choice([5, 50, 500, 3000])),
            error_ratio=float(rng.choice([0.0, 0.0002, 0.001, 0.004])),
            incidents=incidents,
        )
    matrix = generate(profiles, start=start, end=end + DAY - end % DAY, seed=3)
    engine = open_store(sqlite_url(ws))
    ingest_matrix(engine, matrix=matrix)
    engine.dispose()

    docs = []
    for i in range(n):
        key = series(i)
        docs.append(
            f"""apiVersion: openslo/v1
kind: SLI
metadata:
  name: {key}
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total{{job="{key}",code!~"5.."}}[1m]))
    total:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total{{job="{key}"}}[1m]))
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: {key}-availability
spec:
  service: {key}
  indicatorRef: {key}
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: {TARGETS[i % len(TARGETS)]}
"""
        )
        (sg / "slos" / f"{key}.yaml").write_text(
            f"""apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: {key}-availability
  labels:
    service_name: {key}
    feature_name: requests
    slo_name: availability
spec:
  description: {key} availability
  backend: replay_backend.Replay
  method: good_bad_ratio
  exporters: []
  service_level_indicator:
    series: {key}
  goal: {TARGETS[i % len(TARGETS)]}
"""
        )
    (ws / "slos.yaml").write_text("---\n".join(docs))

    # slo-generator's side: cumulative counts per series, good then total, n + 1 columns each.
    cols = matrix.good.shape[1]
    cumulative = np.zeros((n, 2, cols + 1), dtype="<i8")
    np.cumsum(matrix.good, axis=1, out=cumulative[:, 0, 1:])
    np.cumsum(matrix.total, axis=1, out=cumulative[:, 1, 1:])
    (sg / "replay.bin").write_bytes(cumulative.tobytes())
    index = {"start": matrix.start, "step": 60, "n": cols, "rows": {series(i): i for i in range(n)}}
    (sg / "replay.bin.json").write_text(json.dumps(index))
    (sg / "replay_backend.py").write_text(BACKEND)
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
    (sg / "config.yaml").write_text(
        f"""backends:
  replay_backend.Replay:
    data: {sg / "replay.bin"}
exporters: {{}}
error_budget_policies:
  default:
    steps:
{steps}"""
    )
    (root / "done").write_text("")
    return ws, sg


CPU: dict[str, list[float]] = {}  # CPU seconds (user + system) of each timed run, by label


def timed(
    cmd: list[str],
    *,
    cwd: Path | None = None,
    label: str = "",
    extra: dict[str, str] | None = None,
) -> tuple[float, str]:
    """Wall seconds and standard output of one run; its CPU seconds go to ``CPU[label]``."""
    env = {**os.environ, "COLORED_OUTPUT": "0", "COVENANT_DATABASE_URL": "", **(extra or {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(label, []).append(cpu)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed, done.stdout


def check_same(covenant_json: str, slogen_out: str, n: int) -> int:
    """Every SLO's good/bad counts in every window equal; the 30-day SLI too. Returns checks."""
    theirs = slogen_counts(slogen_out)
    assert len(theirs) == n * len(STEPS), f"slo-generator reported {len(theirs)} windows"
    ours = covenant_counts(covenant_json)
    assert len({slo for slo, _ in ours}) == n
    assert {seconds for _, seconds in ours} == set(dict(STEPS).values()), sorted(ours)
    for key, (good, bad) in ours.items():
        got = theirs[key]
        assert got[:2] == (good, bad), (key, got, good, bad)
    for r in json.loads(covenant_json)["results"]:
        sli = Fraction(r["sli_value"]["exact"])
        assert abs(round(float(sli), 6) * 100 - theirs[(r["slo"], WINDOW)][2]) < 1e-6, r["slo"]
    return len(ours)


def help_part(covenant: str, slogen: Path, repeat: int) -> None:
    """``covenant --help`` (from the help cache, as every run after the first is) against the
    same help on a miss in the same run (the cache switched off) and slo-generator's
    ``--help``; ``covenant evaluate --help`` and ``covenant --version`` beside them."""
    cache = {"XDG_CACHE_HOME": str(DATA / "help-cache"), "COVENANT_HELP_CACHE": "1"}
    off = {"COVENANT_HELP_CACHE": "0"}
    runs = {  # label: (command line, environment)
        "help": ([covenant, "--help"], cache),
        "help, miss": ([covenant, "--help"], off),
        "theirs help": ([str(slogen), "--help"], {}),
        "evaluate --help": ([covenant, "evaluate", "--help"], cache),
        "evaluate --help, miss": ([covenant, "evaluate", "--help"], off),
        "version": ([covenant, "--version"], cache),
        "version, miss": ([covenant, "--version"], off),
    }
    outputs = {label: timed(cmd, extra=env)[1] for label, (cmd, env) in runs.items()}  # warm
    for label in ("help", "evaluate --help", "version"):  # the cache prints the missed page
        assert outputs[label] == outputs[f"{label}, miss"], f"{label} differs from a miss"
    wall: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(repeat):  # interleaved: every command sees the same machine load
        for label, (cmd, env) in runs.items():
            wall[label].append(timed(cmd, label=label, extra=env)[0])
    best = min(wall["help"])
    verdict = "met" if best < HELP_TARGET_S else "NOT met"
    print(f"covenant --help: best {best:.3f} s (target < {HELP_TARGET_S} s: {verdict})")
    for label in runs:
        print(
            f"  {label:<24} wall best {min(wall[label]):.3f} s, "
            f"median {sorted(wall[label])[len(wall[label]) // 2]:.3f} s; "
            f"CPU best {min(CPU[label]):.3f} s"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slos", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--help-only", action="store_true", help="time only the --help part")
    args = parser.parse_args()
    slogen = slogen_bin("slo-generator-venv", SLOGEN)
    covenant = str(BIN / "covenant")
    # Byte-code for both sides, as an installed package has it: pip compiled slo-generator's
    # at install, and an environment with PYTHONDONTWRITEBYTECODE (this dev box sets it) would
    # otherwise compile Covenant's sources (an editable install) on every run.
    package = Path(covenant_package.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    print(f"machine: {platform.processor() or platform.machine()}, {sys.version.split()[0]}")
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; best of {args.repeat}, interleaved")
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    help_part(covenant, slogen, args.repeat)
    if args.help_only:
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 0
    ws, sg = build(args.slos)
    at = AT.isoformat().replace("+00:00", "Z")
    evaluate = [covenant, "evaluate", "--workspace", str(ws), "--at", at, "--format", "json"]
    compute = [str(slogen), "compute", "-f", "slos", "-c", "config.yaml"]
    compute += ["-t", str(int(AT.timestamp()))]
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(sg)], check=True)
    cached = ws / ".covenant" / CACHE_FILE
    timed(evaluate)  # warm the file cache on both sides
    timed(compute, cwd=sg)
    cold, warm, theirs = [], [], []
    cold_out = warm_out = theirs_out = ""
    for _ in range(args.repeat):  # interleaved: both sides see the same machine load
        cached.unlink(missing_ok=True)  # cold: a first run, the definitions read in full
        seconds, cold_out = timed(evaluate, label="cold")
        cold.append(seconds)
        assert cached.is_file(), "the cold run wrote no evaluation cache"
        seconds, warm_out = timed(evaluate, label="warm")  # the next run, from the cache
        warm.append(seconds)
        seconds, theirs_out = timed(compute, cwd=sg, label="theirs")
        theirs.append(seconds)
    assert cold_out == warm_out, "the cached run printed something else"
    checked = check_same(warm_out, theirs_out, args.slos)

    cold_ratio, warm_ratio = min(theirs) / min(cold), min(theirs) / min(warm)
    print(
        f"{args.slos} SLOs × 30 days of 1-minute counts, {len(STEPS)} windows each; "
        f"{checked} (SLO, window) counts equal on both sides"
    )
    print(f"covenant evaluate --format json, cold (no cache): best {min(cold):.3f} s")
    print(f"covenant evaluate --format json, warm (cached definitions): best {min(warm):.3f} s")
    print(f"slo-generator compute (replay backend): best {min(theirs):.3f} s")
    for what, ratio in (("cold", cold_ratio), ("warm", warm_ratio)):
        verdict = "met" if ratio >= 2 else "NOT met"
        print(f"ratio, {what}: covenant is {ratio:.2f}× as fast (target ≥ 2×: {verdict})")
    best_cpu = {label: min(CPU[label]) for label in ("cold", "warm", "theirs")}
    print(
        f"CPU (user + system), best: cold {best_cpu['cold']:.3f} s, warm "
        f"{best_cpu['warm']:.3f} s, slo-generator {best_cpu['theirs']:.3f} s; ratios "
        f"{best_cpu['theirs'] / best_cpu['cold']:.2f}× cold, "
        f"{best_cpu['theirs'] / best_cpu['warm']:.2f}× warm"
    )
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
