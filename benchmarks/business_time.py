"""Business-time benchmark: elapsed time and a 4-business-hour deadline for 1 M tickets.

Three calendars: Berlin 08:00-17:00 Mon-Fri with German holidays; New York 09:00-18:00
Mon-Fri with a 12:00-13:00 lunch break and US holidays; a Sydney overnight desk 18:00-09:00
Mon-Fri. Tickets are created at random instants over 2026 and resolved hours to weeks later;
about 30 % have 1-3 pauses (in any order, some overlapping). Covenant compiles each calendar
once and computes every ticket with the vectorised engine (compile and compute timed apart).

Baseline, measured in the same run: the ``businesstimedelta`` package (``WorkDayRule``,
``LunchTimeRule``, ``HolidayRule``, ``Rules``; ``rules.difference(a, b)`` for elapsed time and
``a + BusinessTimeDelta(rules, seconds=N)`` for the deadline, pytz zones) on a random sample
of tickets *without pauses* from the Berlin and New York calendars. It has no pauses, and its
overnight rule ignores DST, so the sample leaves out pauses and the overnight desk. Both are
checked equal on every sampled ticket (elapsed seconds and deadline instant) before any time is
reported; its conventions agree with Covenant's on these calendars (the earliest deadline,
holidays as whole local dates, real elapsed seconds).

    python benchmarks/business_time.py [--tickets 1000000] [--sample 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import businesstimedelta as btd
import holidays
import numpy as np
import pytz

from covenant.core.business_time import (
    Calendar,
    IntervalTable,
    Pauses,
    WeeklyHours,
    business_deadline,
    business_seconds_between,
    compile_calendar,
)
from covenant.core.timeutil import to_epoch

YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
RANGE = (datetime(2025, 12, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC))
TARGET_S = 4 * 3600
YEARS = range(2025, 2028)


def calendars() -> list[Calendar]:
    return [
        Calendar(
            name="berlin",
            zone="Europe/Berlin",
            hours=WeeklyHours.parse({"mon-fri": "08:00-17:00"}),
            holidays=frozenset(holidays.country_holidays("DE", years=YEARS)),
        ),
        Calendar(
            name="new-york",
            zone="America/New_York",
            hours=WeeklyHours.parse({"mon-fri": "09:00-12:00, 13:00-18:00"}),
            holidays=frozenset(holidays.country_holidays("US", years=YEARS)),
        ),
        Calendar(
            name="sydney-nights",
            zone="Australia/Sydney",
            hours=WeeklyHours.parse({"mon-fri": "18:00-09:00"}),
            holidays=frozenset(holidays.country_holidays("AU", subdiv="NSW", years=YEARS)),
        ),
    ]


def baseline_rules(calendar: Calendar) -> btd.Rules:
    tz = pytz.timezone(calendar.zone)
    weekdays = [0, 1, 2, 3, 4]
    found = [btd.HolidayRule(set(calendar.holidays), tz=tz)]
    if calendar.name == "berlin":
        found.append(btd.WorkDayRule(clock_time(8), clock_time(17), working_days=weekdays, tz=tz))
    else:
        found.append(btd.WorkDayRule(clock_time(9), clock_time(18), working_days=weekdays, tz=tz))
        found.append(
            btd.LunchTimeRule(clock_time(12), clock_time(13), working_days=weekdays, tz=tz)
        )
    return btd.Rules(found)


def tickets(n: int, seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray, Pauses]:
    """Calendar index, created, resolved (epoch seconds) and the flattened pauses."""
    rng = np.random.default_rng(seed)
    which = rng.integers(0, 3, n)
    created = to_epoch(YEAR_START) + rng.integers(0, 365 * 86400, n)
    hours = np.minimum(rng.lognormal(mean=3.0, sigma=1.2, size=n), 24 * 60)
    resolved = created + (hours * 3600).astype(np.int64)
    paused = np.flatnonzero(rng.random(n) < 0.3)
    count = rng.integers(1, 4, paused.size)
    ticket = np.repeat(paused, count)
    lo, span = created[ticket], resolved[ticket] - created[ticket]
    start = lo + (rng.random(ticket.size) * span).astype(np.int64)
    end = start + (rng.random(ticket.size) * 0.4 * span).astype(np.int64)
    shuffle = rng.permutation(ticket.size)
    pauses = Pauses(ticket=ticket[shuffle], start=start[shuffle], end=end[shuffle])
    return which, created, resolved, pauses


def _subset(pauses: Pauses, rows: np.ndarray, n: int) -> Pauses:
    """The pauses of tickets ``rows``, re-indexed to positions in ``rows``."""
    position = np.full(n, -1, dtype=np.int64)
    position[rows] = np.arange(rows.size)
    keep = position[pauses.ticket] >= 0
    return Pauses(
        ticket=position[pauses.ticket[keep]], start=pauses.start[keep], end=pauses.end[keep]
    )


def covenant_run(
    cals: list[Calendar],
    which: np.ndarray,
    created: np.ndarray,
    resolved: np.ndarray,
    pauses: Pauses,
) -> tuple[float, float, np.ndarray, np.ndarray]:
    t0 = time.perf_counter()
    tables: list[IntervalTable] = [compile_calendar(c, start=RANGE[0], end=RANGE[1]) for c in cals]
    compiled = time.perf_counter() - t0
    t0 = time.perf_counter()
    elapsed = np.empty_like(created)
    due = np.empty_like(created)
    for k, table in enumerate(tables):  # one vectorised call per calendar, not per ticket
        rows = np.flatnonzero(which == k)
        sub = _subset(pauses, rows, created.size)
        elapsed[rows] = business_seconds_between(table, created[rows], resolved[rows], pauses=sub)
        due[rows] = business_deadline(table, created[rows], TARGET_S, pauses=sub)
    computed = time.perf_counter() - t0
    return compiled, computed, elapsed, due


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cals = calendars()
    which, created, resolved, pauses = tickets(args.tickets)

    runs = [covenant_run(cals, which, created, resolved, pauses) for _ in range(args.repeat)]
    compiled = min(r[0] for r in runs)
    computed = min(r[1] for r in runs)
    elapsed, due = runs[0][2], runs[0][3]

    # the baseline on a sample of unpaused Berlin / New York tickets
    rng = np.random.default_rng(9)
    unpaused = np.ones(args.tickets, dtype=bool)
    unpaused[pauses.ticket] = False
    pool = np.flatnonzero(unpaused & (which < 2))
    sample = rng.choice(pool, size=min(args.sample, pool.size), replace=False)
    rules = [baseline_rules(c) for c in cals[:2]]
    t0 = time.perf_counter()
    base_elapsed, base_due = [], []
    for i in sample.tolist():
        rule = rules[int(which[i])]
        a = pytz.utc.localize(datetime(1970, 1, 1) + timedelta(seconds=int(created[i])))
        b = pytz.utc.localize(datetime(1970, 1, 1) + timedelta(seconds=int(resolved[i])))
        base_elapsed.append(int(rule.difference(a, b).timedelta.total_seconds()))
        base_due.append(to_epoch(a + btd.BusinessTimeDelta(rule, seconds=TARGET_S)))
    base_time = time.perf_counter() - t0
    assert base_elapsed == elapsed[sample].tolist(), "elapsed differs from businesstimedelta"
    assert base_due == due[sample].tolist(), "deadlines differ from businesstimedelta"

    ours = args.tickets / computed
    theirs = sample.size / base_time
    print(
        f"date: {datetime.now(UTC).date()}, machine: {platform.processor() or platform.machine()}, "
        f"Python {sys.version.split()[0]}"
    )
    print(
        f"{args.tickets:,} tickets over {len(cals)} calendars, "
        f"{np.unique(pauses.ticket).size:,} paused ({len(pauses):,} pauses); "
        f"elapsed + {TARGET_S // 3600} h deadline for each"
    )
    print(
        f"covenant compile (3 calendars, {RANGE[0]:%Y-%m}..{RANGE[1]:%Y-%m}): "
        f"{compiled * 1000:.1f} ms"
    )
    print(
        f"covenant compute: {computed:.3f} s = {ours:,.0f} tickets/s "
        f"(with compile: {args.tickets / (computed + compiled):,.0f} tickets/s)"
    )
    print(
        f"businesstimedelta: {sample.size:,} unpaused tickets in {base_time:.2f} s = "
        f"{theirs:,.0f} tickets/s; equal on all {sample.size:,} (elapsed and deadline)"
    )
    print(
        f"ratio: covenant is {ours / theirs:,.0f}× faster per ticket (target ≥ 300×); "
        f"≥ 1 M tickets/s: {'met' if ours >= 1e6 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
