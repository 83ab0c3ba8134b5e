"""The worker tests' shared SLO: checkout availability at 99.9 % over 30 days, counted from
stored one-minute buckets of a series named ``checkout``, and a writer of those buckets."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from sqlalchemy.engine import Engine

from covenant.core.timeutil import to_epoch
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


def put(engine: Engine, start: datetime, minutes: int, *, bad: int) -> None:
    """100 requests a minute, ``bad`` of them failing, from ``start``."""
    s = to_epoch(start)
    with write_transaction(engine) as conn:
        sid = ensure_series(conn, keys=["checkout"], step=STEP)["checkout"]
        add_counts(
            conn,
            series_ids=np.full(minutes, sid),
            bucket_starts=s + STEP * np.arange(minutes),
            good=np.full(minutes, 100 - bad),
            total=np.full(minutes, 100),
            step=STEP,
        )
