"""Alert backtests: an SLO's alert tiers (or proposed ones, ``--tier``) replayed over a past
range of the stored data (``core.replay``). Nothing here writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from sqlalchemy import Connection, Engine

from covenant.core.evaluate import required_range
from covenant.core.model import DAY, AlertTier, Objective, RollingWindow
from covenant.core.replay import AlertReplay, replay_alerts
from covenant.core.timeutil import from_epoch, require_utc, to_epoch, utc_text
from covenant.definitions.durations import parse_duration
from covenant.definitions.workspace import Workspace
from covenant.errors import InputError, NotFoundError, RangeLimitError
from covenant.store.buckets import read_matrix, series_extent

STEP = 60
"""The stored bucket step, in seconds."""
"""The most reporting periods one agreement backtest covers (100 years of months)."""
MAX_REPLAY_STEPS = 500_000


def _stored(conn: Connection, keys: Sequence[str]) -> tuple[int, int] | None:
    """The span (epoch seconds) over which any of ``keys`` has stored events, else None."""
    spans = [s for s in series_extent(conn, keys=list(dict.fromkeys(keys))).values() if s]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


_TIER = re.compile(r"^([^:]+):([^:]+):([^:]+):([^:]+):([^:]+)$")


def parse_tier(text: str) -> AlertTier:
    """``page-fast:page:14.4:1h:5m`` → an alert tier (name, severity, burn rate, long, short).

    The burn rate may end in ``%`` to give the share of the budget spent in the long window
    instead (``page-fast:page:2%:1h:5m``, the SRE Workbook way).
    """
    m = _TIER.match(text.strip())
    if m is None:
        raise InputError(
            f"alert tier {text!r} is not name:severity:burn:long:short",
            hint="write e.g. --tier page-fast:page:14.4:1h:5m",
        )
    name, severity, burn, long_w, short_w = m.groups()
    try:
        budget = burn.endswith("%")
        number = Decimal(burn.removesuffix("%"))
        if not number.is_finite():
            raise ValueError(burn)
        value = Fraction(number)
    except (InvalidOperation, ValueError, OverflowError):
        raise InputError(f"alert tier {name}: {burn!r} is not a number") from None
    if value <= 0:
        raise InputError(f"alert tier {name}: the burn rate must be positive")
    if budget and value > 100:
        raise InputError(f"alert tier {name}: a budget share over 100 % can never fire")
    return AlertTier(
        name=name,
        severity=severity,
        long_window_s=parse_duration(long_w).seconds,
        short_window_s=parse_duration(short_w).seconds,
        burn_rate=None if budget else value,
        budget_fraction=value / 100 if budget else None,
    )


def find_objectives(workspace: Workspace, slo: str) -> list[Objective]:
    """The objectives of ``slo`` (a name) or the one objective ``slo/name``."""
    found = [o for o in workspace.objectives if slo in (o.slo, o.key)]
    if not found:
        names = ", ".join(sorted({o.slo for o in workspace.objectives})) or "none"
        raise NotFoundError(f"no SLO named {slo!r}", hint=f"SLOs in the workspace: {names}")
    return found


def backtest_alerts(
    engine: Engine,
    *,
    workspace: Workspace,
    slo: str,
    start: datetime | None,
    end: datetime,
    step_s: int = 300,
    tiers: Sequence[AlertTier] | None = None,
) -> list[AlertReplay]:
    """Replay each objective of ``slo`` over ``[start, end]`` (default: one SLO window back)."""
    end = require_utc(end, what="--to")
    objectives = find_objectives(workspace, slo)
    out = []
    with engine.connect() as conn:
        for o in objectives:
            chosen = tuple(o.alert_tiers if tiers is None else tiers)
            if start is None:
                span = o.window.seconds if isinstance(o.window, RollingWindow) else 30 * DAY
                lo_at = end - timedelta(seconds=span)
            else:
                lo_at = require_utc(start, what="--from")
            if lo_at >= end:
                raise InputError(
                    f"the replay's start {utc_text(lo_at)} is not before its end {utc_text(end)}",
                    hint="give a start (--from, or from= over HTTP) before the end (--to, to=)",
                )
            shaped = replace(o, alert_tiers=chosen)
            first, last = _replay_range(conn, shaped, lo_at, end)
            steps = (to_epoch(last) - to_epoch(first)) // max(step_s, 1) + 1
            if steps > MAX_REPLAY_STEPS:
                raise RangeLimitError(
                    f"{o.key}: replaying from {utc_text(first)} to {utc_text(last)} every "
                    f"{step_s}s is {steps:,} evaluations; a replay makes at most "
                    f"{MAX_REPLAY_STEPS:,}",
                    hint="narrow --from/--to, or use a longer --step (e.g. 1h)",
                )
            lo, _ = required_range([shaped], at=first, step=STEP)
            _, hi = required_range([shaped], at=last, step=STEP)
            data = read_matrix(conn, keys=[o.series], start=lo, end=hi + STEP, step=STEP)
            out.append(replay_alerts(o, data, start=first, end=last, step_s=step_s, tiers=tiers))
    return out


def _replay_range(
    conn: Connection, o: Objective, start: datetime, end: datetime
) -> tuple[datetime, datetime]:
    """``[start, end]`` cut to where the stored data can reach a window: from the longest window
    read before the first stored event to that long after the last one (beyond, every window
    is empty). A range that misses the stored data entirely is kept as asked (every instant is
    no data, and the replay says so)."""
    stored = _stored(conn, [o.series])
    reach = max(
        [o.window.seconds if isinstance(o.window, RollingWindow) else 93 * DAY]
        + [t.long_window_s for t in o.alert_tiers]
    )
    if stored is not None:
        first = max(start, from_epoch(stored[0] - reach))
        last = min(end, from_epoch(stored[1] + reach))
        if first < last:
            return first, last
    return start, end


def parse_step(text: str) -> int:
    """``5m`` → 300: the replay step in seconds."""
    return parse_duration(text).seconds
