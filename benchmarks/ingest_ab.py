"""Two source trees' event ingest, alternated run by run in fresh processes, beside baselines.

    git archive main src | tar -x -C /tmp/before
    .venv/bin/python benchmarks/ingest_ab.py --before /tmp/before/src --events 1000000 --runs 7

Each run is one process doing one end-to-end ingest (``benchmarks/ingest.py``'s own sides:
``run_covenant``, ``run_baseline``), so the sides share the machine's load alike: ``before``
(the tree given), ``after`` (this checkout), then each baseline asked for. Prints the best and
median wall time and the best and median CPU time (all threads) of every side, and the load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = """
import json, sys
sys.path.insert(0, sys.argv[3])
import _gen, ingest as bench
path = _gen.event_files(int(sys.argv[1]))[0]
side = sys.argv[2]
wall, cpu, _ = bench.run_covenant(path) if side in ("before", "after") else bench.run_baseline(
    side, path
)
print(json.dumps([wall, cpu]))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the other tree's src/ folder")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baselines", default="pandas,duckdb")
    args = parser.parse_args()
    sides = ["before", "after", *[b for b in args.baselines.split(",") if b]]
    found: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
    print(f"load average before: {os.getloadavg()}")
    for _ in range(args.runs):
        for side in sides:
            env = dict(os.environ)
            env.pop("PYTHONPATH", None)
            if side == "before":
                env["PYTHONPATH"] = args.before
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(args.events), side, str(HERE)],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            wall, cpu = json.loads(done.stdout.strip().splitlines()[-1])
            found[side].append((wall, cpu))
    print(f"load average after: {os.getloadavg()}")
    for side, runs in found.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(
            f"{side:8s} wall best {min(walls):.3f} s, median {statistics.median(walls):.3f} s; "
            f"cpu best {min(cpus):.3f} s, median {statistics.median(cpus):.3f} s"
        )


if __name__ == "__main__":
    main()
