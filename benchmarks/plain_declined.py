"""A workspace the plain reader declines: parsed once (the full load takes the files the plain
reader read) against parsed twice (the plain reader, then the full load reading every file
again, as before), in the same run.

Workspace: 100 plain SLI + SLO pairs in one file and one SLO with an inline SLI in another (an
inline SLI is not plain, so the plain reader reads both files and declines). Both ways build
the same objectives (checked). CPU time of the definitions load in this process (pydantic and
the models imported before timing), interleaved, best of ``--repeat``.

    python benchmarks/plain_declined.py [--pairs 100] [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from covenant.definitions.plain import plain_objectives
from covenant.definitions.workspace import Workspace, load_workspace

PAIR = """apiVersion: openslo/v1
kind: SLI
metadata: {{name: api-{i:03d}}}
spec:
  ratioMetric:
    counter: true
    good: {{metricSource: {{type: Prometheus, spec: {{query: 'good{{job="api-{i:03d}"}}'}}}}}}
    total: {{metricSource: {{type: Prometheus, spec: {{query: 'total{{job="api-{i:03d}"}}'}}}}}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {{name: api-{i:03d}}}
spec:
  service: api
  indicatorRef: api-{i:03d}
  timeWindow: [{{duration: 28d, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: 0.999}}]
"""
INLINE = """apiVersion: openslo/v1
kind: SLO
metadata: {name: search}
spec:
  service: api
  indicator:
    metadata: {name: search}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: Prometheus, spec: {query: good}}}
        total: {metricSource: {type: Prometheus, spec: {query: total}}}
  timeWindow: [{duration: 7d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="declined-"))
    text = "---\n".join(PAIR.format(i=i) for i in range(args.pairs))
    (root / "a.yaml").write_text(text, encoding="utf-8")
    (root / "b.yaml").write_text(INLINE, encoding="utf-8")

    def twice() -> Workspace:  # before: the full load reads every file again
        assert plain_objectives(root) is None
        return load_workspace(root)

    def once() -> Workspace:
        reads: dict = {}
        assert plain_objectives(root, reads=reads) is None
        return load_workspace(root, reads=reads)

    assert twice().objectives == once().objectives
    assert len(once().objectives) == args.pairs + 1
    ways: dict[str, Callable[[], Workspace]] = {"parsed twice": twice, "parsed once": once}
    cpu: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.repeat):  # interleaved: both see the same machine load
        for name, way in ways.items():
            start = time.process_time()
            way()
            cpu[name].append(time.process_time() - start)
    print(f"{2 * args.pairs + 1} documents; best of {args.repeat}, interleaved, CPU time")
    for name, seconds in cpu.items():
        print(f"  {name}: best {min(seconds) * 1000:.1f} ms")
    ratio = min(cpu["parsed twice"]) / min(cpu["parsed once"])
    print(f"ratio: {ratio:.2f}× as fast; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
