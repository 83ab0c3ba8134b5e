"""``covenant init``: the files of a new workspace (a README, SLO definitions, sample events)."""

from __future__ import annotations

from pathlib import Path

from covenant.errors import InputError
from covenant.files_replaced import write_all_replacing

README = """\
# Covenant workspace

- `slos.yaml` — a Service, an SLI with `events` (how raw request events count) and two SLOs:
  availability on a rolling 28 days (Occurrences) and latency per calendar month in
  Europe/Berlin (Timeslices).
- `events/sample.csv` — a few request events (`timestamp,sli,status,latency_ms`, UTC).

Check the definitions with `covenant validate .`; export them as OpenSLO with
`covenant export openslo -w .`.
"""

SLOS = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout
  displayName: Checkout
spec:
  description: The checkout API
---
apiVersion: covenant/v1
kind: SLI
metadata:
  name: checkout-availability
  displayName: Checkout requests that succeed
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        type: events
        spec: {}
    total:
      metricSource:
        type: events
        spec: {}
  events:
    status: {op: lt, value: 500}
---
apiVersion: covenant/v1
kind: SLO
metadata:
  name: checkout-availability
  displayName: Checkout availability
spec:
  service: checkout
  indicatorRef: checkout-availability
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
  noDataPolicy: skip
---
apiVersion: covenant/v1
kind: SLO
metadata:
  name: checkout-latency
  displayName: Checkout latency per month
spec:
  service: checkout
  indicator:
    metadata:
      name: checkout-latency
    spec:
      thresholdMetric:
        metricSource:
          type: events
          spec: {}
  timeWindow:
    - duration: 1M
      isRolling: false
      calendar:
        startTime: 2026-01-01 00:00:00
        timeZone: Europe/Berlin
  budgetingMethod: Timeslices
  objectives:
    - op: lte
      value: 300
      target: 0.99
      timeSliceTarget: 0.95
      timeSliceWindow: 5m
  # A 5-minute slice without requests is left out (skip); `good` or `bad` would count it.
  noDataPolicy: skip
  minimumEvents: 10
"""

SAMPLE_EVENTS = """\
timestamp,sli,status,latency_ms
2026-10-01T00:00:00Z,checkout-availability,200,120
2026-10-01T00:00:20Z,checkout-availability,200,95
2026-10-01T00:00:40Z,checkout-availability,503,30
2026-10-01T00:01:00Z,checkout-latency,200,310
2026-10-01T00:01:30Z,checkout-latency,200,180
"""

FILES = {
    Path("README.md"): README,
    Path("slos.yaml"): SLOS,
    Path("events/sample.csv"): SAMPLE_EVENTS,
}


def write_scaffold(directory: Path) -> list[Path]:
    """Write the starter files into ``directory``; refuse if any of them exists already."""
    targets = [directory / relative for relative in FILES]
    existing = [path for path in targets if path.exists()]
    if existing:
        raise InputError(
            f"{', '.join(str(p) for p in existing)} already "
            f"{'exists' if len(existing) == 1 else 'exist'}; nothing was written",
            hint="choose an empty or new directory, or move those files away",
        )
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory} is not a directory", hint="give a directory path")
    try:  # all or none (a kill halfway leaves none, so init can be run again)
        for relative in FILES:
            (directory / relative).parent.mkdir(parents=True, exist_ok=True)
        write_all_replacing([(directory / relative, [text]) for relative, text in FILES.items()])
    except OSError as exc:
        raise InputError(
            f"cannot create the workspace in {directory}: {exc.strerror or exc}",
            hint="choose a directory you can write to",
        ) from exc
    return targets
