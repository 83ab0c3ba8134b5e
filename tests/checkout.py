"""The worker tests' shared SLO: checkout availability at 99.9 % over 30 days, counted from
stored one-minute buckets of a series named ``checkout``, a writer of those buckets, the same
SLO under another name with alert policies, and the waits of the delivery tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import numpy as np
from sqlalchemy.engine import Engine

from covenant.core.timeutil import to_epoch
from covenant.store import outbox
from covenant.store.buckets import add_counts, ensure_series
from covenant.store.db import write_transaction

STEP = 60
CHECKOUT_SLO = """\
apiVersion: covenant/v1
kind: SLO
metadata: {name: checkout-availability}
spec:
  service: shop
  indicator:
    metadata: {name: checkout}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: events, spec: {}}}
        total: {metricSource: {type: events, spec: {}}}
  timeWindow: [{duration: 30d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.999}]
"""


PROMETHEUS_SLI = """\
apiVersion: openslo/v1
kind: SLI
metadata: {name: checkout}
spec:
  ratioMetric:
    counter: true
    good: {metricSource: {type: Prometheus, spec: {query: good}}}
    total: {metricSource: {type: Prometheus, spec: {query: total}}}
"""


def prometheus_slo(
    name: str = "checkout",
    *,
    indicator: str | None = None,
    window: str = "28d",
    target: str = "0.999",
) -> str:
    """An OpenSLO SLO ``name`` whose inline ratio SLI (named ``indicator``, default ``name``)
    counts Prometheus queries ``good`` over ``total``, rolling ``window``, objective ``target``."""
    return f"""\
apiVersion: openslo/v1
kind: SLO
metadata: {{name: {name}}}
spec:
  service: shop
  indicator:
    metadata: {{name: {indicator or name}}}
    spec:
      ratioMetric:
        counter: true
        good: {{metricSource: {{type: Prometheus, spec: {{query: good}}}}}}
        total: {{metricSource: {{type: Prometheus, spec: {{query: total}}}}}}
  timeWindow: [{{duration: {window}, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: {target}}}]
"""


def slo_with_policies(name: str, policies: list[str]) -> str:
    """The checkout SLO named ``<name>-availability`` on series ``name``, with alert policies."""
    refs = "".join(f"\n    - alertPolicyRef: {p}" for p in policies)
    text = CHECKOUT_SLO.replace("checkout", name)
    return f"{text}  alertPolicies:{refs or ' []'}\n"


def put(
    engine: Engine, start: datetime, minutes: int, *, bad: int, series: str = "checkout"
) -> None:
    """100 requests a minute to ``series``, ``bad`` of them failing, from ``start``."""
    s = to_epoch(start)
    with write_transaction(engine) as conn:
        sid = ensure_series(conn, keys=[series], step=STEP)[series]
        add_counts(
            conn,
            series_ids=np.full(minutes, sid),
            bucket_starts=s + STEP * np.arange(minutes),
            good=np.full(minutes, 100 - bad),
            total=np.full(minutes, 100),
            step=STEP,
        )


def wait(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60  # only ends a broken test; nothing asserts how long
    while not condition():
        assert time.monotonic() < deadline, f"not reached: {what}"
        time.sleep(0.05)


def drained(engine: Engine) -> bool:
    """True once the outbox has nothing pending (and nothing failed)."""
    with engine.connect() as conn:
        counts = outbox.counts(conn)
    assert counts["failed"] == 0
    return counts["pending"] == 0
