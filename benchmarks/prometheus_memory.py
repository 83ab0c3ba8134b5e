"""Peak memory of ``ingest prometheus`` over a long range, as a separate process.

    .venv/bin/python benchmarks/prometheus_memory.py                       # 1 SLI × 10 y, 8 × 1 y
    .venv/bin/python benchmarks/prometheus_memory.py --run 1x3650 --run 4x730
    .venv/bin/python benchmarks/prometheus_memory.py --baseline-src /tmp/old/src   # an older tree

Each run (``SLIS x DAYS``) reads that many SLIs over that many days, one bucket a minute, into
a fresh SQLite store, from a local server that answers every instant with fixed counts (the
fake of the tests, ``tests/sources/promfake.py``, in a process of its own: the figure is
Covenant's alone). The ingest runs in a child process; its peak resident set size is its own
``VmHWM``. The counts are checked (every minute 3 good of 4) before a figure is printed.
``--baseline-src`` runs the same child on another source tree for a before/after figure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SERVER = """
import sys, time
from tests.sources.promfake import fake_prometheus
from tests.sources.test_prometheus_errors import counts_answer
with fake_prometheus(counts_answer(good=3, total=4)) as fake:
    print(fake.url, flush=True)
    time.sleep(86400)
"""

CHILD = """
import sys, time
from datetime import timedelta
from covenant.core.promql import PrometheusSource, SeriesQueries
from covenant.core.timeutil import from_epoch
from covenant.services.prometheus import ingest_prometheus
from covenant.services.store import open_store
url, folder, slis, days = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
end = 1_790_000_000 - 1_790_000_000 % 86400
source = PrometheusSource(name="metrics", url=url)
reads = [
    SeriesQueries(series=f"s{i}", slos=(f"s{i}",), sli=f"s{i}", source=source,
                  good=f'sum(sum_over_time(good_count{{i="{i}"}}[{{{{.window}}}}]))',
                  total=f'sum(sum_over_time(total_count{{i="{i}"}}[{{{{.window}}}}]))')
    for i in range(slis)
]
engine = open_store(f"sqlite:///{folder}/covenant.db")
t0 = time.perf_counter()
reports = ingest_prometheus(engine, reads=reads, start=from_epoch(end - days * 86400),
                            end=from_epoch(end), now=from_epoch(end))
took = time.perf_counter() - t0
minutes = days * 1440
assert all(r.error is None and (r.buckets, r.good, r.total) == (minutes, 3 * minutes, 4 * minutes)
           for r in reports), reports
status = open("/proc/self/status").read().splitlines()
hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(f"{hwm} {took:.1f}")
"""


def measure(url: str, slis: int, days: int, src: str) -> tuple[float, str]:
    """``(peak RSS in MB, seconds)`` of one ingest in a child process, or NaN and the error."""
    env = dict(os.environ, PYTHONPATH=src)
    with tempfile.TemporaryDirectory() as store:
        child = subprocess.run(
            [sys.executable, "-c", CHILD, url, store, str(slis), str(days)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    if child.returncode != 0:
        return float("nan"), child.stderr.strip()[-300:]
    hwm_kb, took = child.stdout.split()
    return int(hwm_kb) / 1024, took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="append", help="SLIS x DAYS, e.g. 1x3650")
    parser.add_argument("--baseline-src", default=None, help="an older src/ to compare with")
    args = parser.parse_args()
    runs = [tuple(int(n) for n in r.split("x")) for r in (args.run or ["1x3650", "8x365"])]
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        trees = [("covenant", str(ROOT / "src"))]
        if args.baseline_src:
            trees.append(("baseline", args.baseline_src))
        for slis, days in runs:
            print(f"{slis} SLI(s) × {days} days ({slis * days * 1440:,} SLI-minutes)")
            for label, src in trees:
                peak, took = measure(url, slis, days, src)
                print(f"  {label:8s} peak RSS {peak:7.0f} MB   ({took} s)")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
