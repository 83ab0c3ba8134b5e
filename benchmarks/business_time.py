"""Business-time benchmark: elapsed time and a 4-business-hour deadline for 1 M tickets.

Two runs, each with baselines measured in the same run, timed the same way (best of
``--repeat`` on every side, compilation included on every side; Covenant and the mask baseline
alternate, so a burst of load from elsewhere on the machine falls on both):

**Many calendars** (the headline). 1,000 distinct calendars, one per customer: 8 zones, 4 kinds
of weekly hours (office, office with lunch, an overnight desk, 24x7) and per-customer holidays
(a country's public holidays, some with a subdivision, plus 0-6 dates of the customer's own).
1 M tickets, each on one customer's calendar, created at whole minutes over 2026 and resolved
minutes to weeks later. Covenant compiles the 1,000 calendars over the range the tickets need
(``compile_calendars(covering=..., ahead=..., zone_data=...)``, the zones' TZif files read by
``covenant.sources.zones`` in the timed run) and computes every ticket in one batch call
each for elapsed time and deadline. Covenant is timed without pauses (the work the baseline
does) and with about 30 % of tickets paused 1-3 times.

Baseline: what a skilled numpy user writes: per zone, the local weekday, minute of day and date
of every UTC minute of the range (pandas ``tz_convert``); per kind of hours, a 10,080-minute
weekly open mask read at every minute (shared by the calendars of that zone and hours); per
calendar, a copy of that mask with the minutes of its holidays (whole local dates, one slice
each) set closed, and its cumulative sum (int32 minutes). Elapsed = 60 x (cumsum at end -
cumsum at start); deadline = the first minute whose cumsum reaches cumsum at start + 240
(``searchsorted``). Exact for unpaused tickets at whole minutes, and checked equal to Covenant
on every ticket (elapsed and deadline) before any time is printed. It has no pauses.

**Three calendars**, as before: Berlin 08:00-17:00 Mon-Fri with German holidays; New York
09:00-18:00 with a lunch break and US holidays; a Sydney overnight desk 18:00-09:00 Mon-Fri.
1 M tickets at any second, about 30 % paused. Baseline: the ``businesstimedelta`` package
(``WorkDayRule``, ``LunchTimeRule``, ``HolidayRule``; ``rules.difference(a, b)`` and
``a + BusinessTimeDelta(rules, seconds=N)``, pytz zones) on a sample of unpaused Berlin / New
York tickets, checked equal on every sampled ticket. It is a scalar pure-Python library, so its
figure is per ticket; read it beside the vectorised baseline above.

    python benchmarks/business_time.py [--tickets 1000000] [--calendars 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import businesstimedelta as btd
import holidays
import numpy as np
import pandas as pd
import pytz

from covenant.core import wallclock
from covenant.core.business_time import (
    Calendar,
    CalendarSet,
    Pauses,
    WeeklyHours,
    business_deadline,
    business_seconds_between,
    compile_calendars,
    to_epoch,
)
from covenant.sources import zones

TARGET_S = 4 * 3600
YEARS = range(2025, 2028)
YEAR_START = to_epoch(datetime(2026, 1, 1, tzinfo=UTC))
AHEAD = timedelta(days=60)

ZONES = (
    ("Europe/Berlin", "DE", "BY"),
    ("Europe/London", "GB", None),
    ("Europe/Paris", "FR", None),
    ("America/New_York", "US", "NY"),
    ("America/Chicago", "US", None),
    ("America/Sao_Paulo", "BR", None),
    ("Asia/Tokyo", "JP", None),
    ("Australia/Sydney", "AU", "NSW"),
)
HOURS = (
    {"mon-fri": "08:00-17:00"},
    {"mon-fri": "09:00-12:00, 13:00-18:00"},
    {"mon-fri": "22:00-06:00"},
    {"daily": "00:00-24:00"},
    {"mon-fri": "18:00-09:00"},  # the three-calendar run's Sydney desk
)


# ------------------------------------------------------------------------- many calendars


@dataclass(frozen=True)
class Customer:
    calendar: Calendar
    zone: str
    hours: int  # index into HOURS


def customers(n: int, seed: int = 11) -> list[Customer]:
    rng = np.random.default_rng(seed)
    public = {
        (country, sub): sorted(holidays.country_holidays(country, subdiv=sub, years=YEARS))
        for _, country, subdivision in ZONES
        for sub in {subdivision, None}
    }
    found = []
    for _ in range(n):
        z = int(rng.integers(0, len(ZONES)))
        h = int(rng.integers(0, 4))
        zone, country, subdivision = ZONES[z]
        days = set(public[(country, subdivision if rng.random() < 0.5 else None)])
        own = rng.integers(0, 3 * 365, int(rng.integers(0, 7)))
        days |= {date(2025, 6, 1) + timedelta(days=int(d)) for d in own}
        cal = Calendar(zone=zone, hours=WeeklyHours.parse(HOURS[h]), holidays=frozenset(days))
        found.append(Customer(calendar=cal, zone=zone, hours=h))
    return found


def minute_tickets(
    n: int, calendars: int, seed: int = 5
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Pauses]:
    rng = np.random.default_rng(seed)
    which = rng.integers(0, calendars, n)
    created = YEAR_START + rng.integers(0, 365 * 1440, n) * 60
    minutes = np.minimum(rng.lognormal(mean=7.0, sigma=1.3, size=n), 30 * 1440).astype(np.int64)
    resolved = created + minutes * 60
    return which, created, resolved, _pauses(rng, created, resolved)


def _pauses(rng: np.random.Generator, created: np.ndarray, resolved: np.ndarray) -> Pauses:
    paused = np.flatnonzero(rng.random(created.size) < 0.3)
    count = rng.integers(1, 4, paused.size)
    ticket = np.repeat(paused, count)
    lo, span = created[ticket], resolved[ticket] - created[ticket]
    start = lo + (rng.random(ticket.size) * span).astype(np.int64)
    end = start + (rng.random(ticket.size) * 0.4 * span).astype(np.int64)
    shuffle = rng.permutation(ticket.size)
    return Pauses(ticket=ticket[shuffle], start=start[shuffle], end=end[shuffle])


def covenant_many(
    cals: list[Calendar],
    which: np.ndarray,
    created: np.ndarray,
    resolved: np.ndarray,
    paused: Pauses | None,
) -> tuple[float, float, np.ndarray, np.ndarray, CalendarSet]:
    """One timed run from scratch: the zone files are read anew (the caches cleared), the
    calendars compiled anew and the pauses read into a fresh ``Pauses`` (so nothing merged in
    an earlier run is reused)."""
    wallclock.segments.cache_clear()
    zones.read_zone.cache_clear()
    t0 = time.perf_counter()
    zone_data = zones.read_zones(c.zone for c in cals)
    compiled = compile_calendars(
        cals, covering=(created, resolved), ahead=AHEAD, zone_data=zone_data
    )
    t1 = time.perf_counter()
    pauses = (
        None if paused is None else Pauses(ticket=paused.ticket, start=paused.start, end=paused.end)
    )
    elapsed = business_seconds_between(compiled, created, resolved, calendar=which, pauses=pauses)
    due = business_deadline(compiled, created, TARGET_S, calendar=which, pauses=pauses)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, elapsed, due, compiled


def _week_mask(spec: dict[str, str]) -> np.ndarray:
    """Open minutes of the week (Monday 00:00 first), an overnight shift split at midnight."""
    mask = np.zeros(7 * 1440, dtype=bool)
    week = WeeklyHours.parse(spec)
    for day, shifts in enumerate(week.days):
        for shift in shifts:
            lo = day * 1440 + shift.start // 60
            hi = day * 1440 + shift.stop // 60
            idx = np.arange(lo, hi) % (7 * 1440)
            mask[idx] = True
    return mask


def baseline_many(
    found: list[Customer],
    which: np.ndarray,
    created: np.ndarray,
    resolved: np.ndarray,
    lo: int,
    hi: int,
) -> tuple[float, np.ndarray, np.ndarray]:
    """The vectorised one-minute-mask baseline (see the module docstring)."""
    t0 = time.perf_counter()
    lo = lo - lo % 60
    utc = pd.DatetimeIndex(np.arange(lo, hi + 60, 60) * 1_000_000_000, tz="UTC")
    local_week: dict[str, np.ndarray] = {}
    day_edges: dict[str, tuple[np.ndarray, int]] = {}
    for zone in sorted({c.zone for c in found}):
        local = utc.tz_convert(zone)
        local_week[zone] = (local.day_of_week * 1440 + local.hour * 60 + local.minute).to_numpy()
        days = local.tz_localize(None).normalize().asi8 // 86_400_000_000_000
        first = int(days[0])
        # the first minute of each local date (dates are contiguous, so one searchsorted)
        day_edges[zone] = (np.searchsorted(days, np.arange(first, int(days[-1]) + 2)), first)
    week_masks = [_week_mask(h) for h in HOURS]
    base: dict[tuple[str, int], np.ndarray] = {}
    order = np.argsort(which, kind="stable")
    edges = np.concatenate([[0], np.cumsum(np.bincount(which, minlength=len(found)))])
    start_minute = (created - lo) // 60
    end_minute = (resolved - lo) // 60
    elapsed = np.empty_like(created)
    due = np.empty_like(created)
    epoch_day = date(1970, 1, 1).toordinal()
    cum = np.zeros(utc.size + 1, dtype=np.int32)  # open minutes before each minute
    for k, customer in enumerate(found):
        key = (customer.zone, customer.hours)
        if key not in base:
            base[key] = week_masks[customer.hours][local_week[customer.zone]]
        starts, first = day_edges[customer.zone]
        mask = base[key].copy()
        for day in customer.calendar.holidays:  # a holiday closes its local date's minutes
            d = day.toordinal() - epoch_day - first
            if 0 <= d < starts.size - 1:
                mask[starts[d] : starts[d + 1]] = False
        np.cumsum(mask, out=cum[1:])
        rows = order[edges[k] : edges[k + 1]]
        at_start = cum[start_minute[rows]]
        elapsed[rows] = (cum[end_minute[rows]] - at_start).astype(np.int64) * 60
        reach = np.searchsorted(cum, at_start + TARGET_S // 60, side="left")
        if (reach >= cum.size).any():
            raise SystemExit("baseline: a deadline falls after the range; raise AHEAD")
        due[rows] = lo + reach * 60
    return time.perf_counter() - t0, elapsed, due


# ------------------------------------------------------------------------- three calendars


def three_calendars() -> list[Calendar]:
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


def second_tickets(n: int, seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray, Pauses]:
    rng = np.random.default_rng(seed)
    which = rng.integers(0, 3, n)
    created = YEAR_START + rng.integers(0, 365 * 86400, n)
    hours = np.minimum(rng.lognormal(mean=3.0, sigma=1.2, size=n), 24 * 60)
    resolved = created + (hours * 3600).astype(np.int64)
    return which, created, resolved, _pauses(rng, created, resolved)


def businesstimedelta_sample(
    cals: list[Calendar],
    which: np.ndarray,
    created: np.ndarray,
    resolved: np.ndarray,
    sample: np.ndarray,
) -> tuple[float, list[int], list[int]]:
    rules = [baseline_rules(c) for c in cals[:2]]
    t0 = time.perf_counter()
    got_elapsed, got_due = [], []
    for i in sample.tolist():
        rule = rules[int(which[i])]
        a = pytz.utc.localize(datetime(1970, 1, 1) + timedelta(seconds=int(created[i])))
        b = pytz.utc.localize(datetime(1970, 1, 1) + timedelta(seconds=int(resolved[i])))
        got_elapsed.append(int(rule.difference(a, b).timedelta.total_seconds()))
        got_due.append(to_epoch(a + btd.BusinessTimeDelta(rule, seconds=TARGET_S)))
    return time.perf_counter() - t0, got_elapsed, got_due


# ------------------------------------------------------------------------- report


def _load() -> str:
    """The 1, 5 and 15 minute load averages (other work on the machine while this ran)."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def best(runs: list[float]) -> str:
    return f"{min(runs):.3f} s (runs: {', '.join(f'{r:.3f}' for r in runs)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--calendars", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.tickets
    print(
        f"date: {datetime.now(UTC):%Y-%m-%d}, machine: {platform.machine()} "
        f"{platform.processor() or ''}, Python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, load average {_load()}"
    )

    # many calendars
    found = customers(args.calendars)
    cals = [c.calendar for c in found]
    which, created, resolved, pauses = minute_tickets(n, len(cals))
    plain, base, cpu_ours, cpu_theirs = [], [], [], []
    for _ in range(args.repeat):  # interleaved, so a burst of load on the machine hits both
        cpu = time.process_time()
        plain.append(covenant_many(cals, which, created, resolved, None))
        cpu_ours.append(time.process_time() - cpu)
        compiled = plain[0][4]
        cpu = time.process_time()
        base.append(baseline_many(found, which, created, resolved, compiled.start, compiled.end))
        cpu_theirs.append(time.process_time() - cpu)
    paused, cpu_paused = [], []
    for _ in range(args.repeat):
        cpu = time.process_time()
        paused.append(covenant_many(cals, which, created, resolved, pauses))
        cpu_paused.append(time.process_time() - cpu)
    assert base[0][1].tolist() == plain[0][2].tolist(), "elapsed differs from the mask baseline"
    assert base[0][2].tolist() == plain[0][3].tolist(), "deadlines differ from the mask baseline"
    ours = [c + e for c, e, *_ in plain]
    ours_paused = [c + e for c, e, *_ in paused]
    theirs = [b[0] for b in base]
    days = (compiled.end - compiled.start) / 86400
    print(
        f"\n{n:,} tickets over {len(cals):,} calendars ({len(ZONES)} zones, 4 kinds "
        f"of hours, per-customer holidays), range {days:.0f} days; elapsed + "
        f"{TARGET_S // 3600} h deadline for each; best of {args.repeat}"
    )
    print(f"  covenant compile:            {best([c for c, *_ in plain])}")
    print(f"  covenant compute:            {best([e for _, e, *_ in plain])}")
    print(
        f"  covenant, compile included:  {best(ours)} = {n / min(ours):,.0f} tickets/s "
        f"(target >= 1 M: {'met' if n / min(ours) >= 1e6 else 'NOT met'})"
    )
    print(
        f"  covenant with {np.unique(pauses.ticket).size:,} tickets paused "
        f"({len(pauses):,} pauses), compile included: {best(ours_paused)} = "
        f"{n / min(ours_paused):,.0f} tickets/s (process CPU time {best(cpu_paused)})"
    )
    print(
        f"  numpy one-minute mask + cumsum, compile included: {best(theirs)} = "
        f"{n / min(theirs):,.0f} tickets/s; equal on all {n:,} tickets (elapsed and deadline)"
    )
    ratio = min(theirs) / min(ours)
    print(
        f"  ratio: covenant is {ratio:.1f}x the mask baseline "
        f"(target >= 10x: {'met' if ratio >= 10 else 'NOT met'})"
    )
    print(
        f"  process CPU time of the same runs (less moved by other load): covenant "
        f"{best(cpu_ours)}, mask baseline {best(cpu_theirs)}; ratio "
        f"{min(cpu_theirs) / min(cpu_ours):.1f}x"
    )

    # three calendars
    three = three_calendars()
    which3, created3, resolved3, pauses3 = second_tickets(n)
    runs3 = [covenant_many(three, which3, created3, resolved3, pauses3) for _ in range(args.repeat)]
    rng = np.random.default_rng(9)
    unpaused = np.ones(n, dtype=bool)
    unpaused[pauses3.ticket] = False
    pool = np.flatnonzero(unpaused & (which3 < 2))
    sample = rng.choice(pool, size=min(args.sample, pool.size), replace=False)
    took, b_elapsed, b_due = businesstimedelta_sample(three, which3, created3, resolved3, sample)
    assert b_elapsed == runs3[0][2][sample].tolist(), "elapsed differs from businesstimedelta"
    assert b_due == runs3[0][3][sample].tolist(), "deadlines differ from businesstimedelta"
    ours3 = [c + e for c, e, *_ in runs3]
    # the mask baseline on the same tickets at whole minutes, without pauses
    created_m, resolved_m = created3 - created3 % 60, resolved3 - resolved3 % 60
    as_customers = [
        Customer(calendar=three[0], zone="Europe/Berlin", hours=0),
        Customer(calendar=three[1], zone="America/New_York", hours=1),
        Customer(calendar=three[2], zone="Australia/Sydney", hours=4),
    ]
    runs_m, base3 = [], []
    for _ in range(args.repeat):
        runs_m.append(covenant_many(three, which3, created_m, resolved_m, None))
        span = runs_m[0][4]
        base3.append(
            baseline_many(as_customers, which3, created_m, resolved_m, span.start, span.end)
        )
    assert base3[0][1].tolist() == runs_m[0][2].tolist(), "elapsed differs from the mask"
    assert base3[0][2].tolist() == runs_m[0][3].tolist(), "deadlines differ from the mask"
    ours_m = [c + e for c, e, *_ in runs_m]
    theirs_m = [b[0] for b in base3]
    print(
        f"\n{n:,} tickets over 3 calendars, {np.unique(pauses3.ticket).size:,} paused "
        f"({len(pauses3):,} pauses); best of {args.repeat}"
    )
    print(f"  covenant compile:            {best([c for c, *_ in runs3])}")
    print(f"  covenant compute:            {best([e for _, e, *_ in runs3])}")
    print(f"  covenant, compile included:  {best(ours3)} = {n / min(ours3):,.0f} tickets/s")
    print(
        f"  at whole minutes, unpaused: covenant {best(ours_m)}, numpy one-minute mask + cumsum "
        f"{best(theirs_m)} (compile included on both); equal on all {n:,}; ratio "
        f"{min(theirs_m) / min(ours_m):.1f}x"
    )
    print(
        f"  businesstimedelta: {sample.size:,} unpaused tickets in {took:.2f} s = "
        f"{sample.size / took:,.0f} tickets/s; equal on all {sample.size:,} (elapsed and "
        f"deadline); per ticket covenant is {(n / min(ours3)) / (sample.size / took):,.0f}x"
    )
    print(f"\nload average at the end: {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
