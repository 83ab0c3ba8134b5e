"""Fleet benchmark: evaluate 1,000 SLOs × 30 days of 1-minute buckets read from the store.

Covenant: ``services.evaluate.evaluate_objectives``: the store sums whole days from its
per-day totals and decodes only the day chunks a window edge cuts, then the engine answers
every window (SLI, budget, 1 h burn and both windows of the four default alert tiers) exactly.

Baseline, measured in the same run on the same store, written as a skilled numpy user would:
read every stored chunk of the 30 days once (``sqlite3``), decode them into a dense
``(series, minute)`` matrix, take one cumulative sum, and index it at the window edges; then
budgets, burn rates, thresholds and alert decisions column-wise, exactly (integer numerators
and denominators, integer cross products). Its numbers are checked equal to Covenant's, SLO by
SLO and window by window, before any time is reported. Both sides are timed the same way,
interleaved, best of ``--repeat``.

Two instants are measured: midnight (every window edge but the last day's falls on a day
boundary) and 13:37 UTC (edges cut four different days).

    python benchmarks/fleet.py [--slos 1000] [--days 30] [--repeat 5]
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

from covenant.core.evaluate import CURRENT_BURN_WINDOW_S, required_range
from covenant.core.model import DAY, Objective, RollingWindow
from covenant.core.results import Evaluation, Status
from covenant.services.evaluate import evaluate_objectives
from covenant.services.ingest import ingest_matrix, open_store
from covenant.sources.synthetic import Incident, Profile, generate

DATA = Path(__file__).resolve().parent / ".data"
AT = datetime(2026, 10, 31, tzinfo=UTC)
INSTANTS = (AT, datetime(2026, 10, 30, 13, 37, tzinfo=UTC))  # midnight, and mid-day
TARGETS = [Fraction(99, 100), Fraction(995, 1000), Fraction(999, 1000), Fraction(9995, 10000)]


def objectives(n: int, days: int) -> list[Objective]:
    return [
        Objective(
            slo=f"slo-{i:04d}",
            name="",
            series=f"series-{i:04d}",
            target=TARGETS[i % len(TARGETS)],
            window=RollingWindow(seconds=days * DAY),
        )
        for i in range(n)
    ]


def build_store(n: int, days: int) -> str:
    """A SQLite store with ``n`` series × ``days`` of traffic (cached between runs)."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"fleet-{n}x{days}d-v2.db"
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    objs = objectives(n, days)
    start, end = required_range(objs, at=AT, step=60)
    start -= DAY  # one more day, so the mid-day instant's windows are covered too
    end_s = end
    rng = np.random.default_rng(11)
    profiles = {}
    for o in objs:
        incidents: tuple[Incident, ...] = ()
        if rng.random() < 0.3:  # some series burn now, some burned earlier
            offset = int(rng.integers(0, days * 24)) * 3600
            incidents = (
                Incident(
                    start=end_s - offset - 3600,
                    end=end_s - offset + 1800,
                    error_ratio=float(rng.choice([0.005, 0.02, 0.1])),
                ),
            )
        profiles[o.series] = Profile(
            service=o.series,
            peak_per_minute=float(rng.choice([5, 50, 500, 3000])),
            error_ratio=float(rng.choice([0.0, 0.0002, 0.001, 0.004])),
            incidents=incidents,
        )
    print(f"building {path.name}: {n} series × {days} days …", flush=True)
    t0 = time.perf_counter()
    engine = open_store(url)
    for lo in range(0, n, 100):  # generate and write in slices to bound memory
        keys = list(profiles)[lo : lo + 100]
        matrix = generate({k: profiles[k] for k in keys}, start=start, end=end, seed=lo)
        ingest_matrix(engine, matrix=matrix)
    engine.dispose()
    print(f"  built in {time.perf_counter() - t0:.1f} s", flush=True)
    return url


# ---------------------------------------------------------------- the numpy baseline

I64 = npt.NDArray[np.int64]


@dataclass
class Baseline:
    """Per SLO (rows in objective order): counts per window, exact values as integer pairs."""

    good: I64
    total: I64
    bad: I64
    slack: I64  # 1 - target = slack / den
    den: I64
    events: dict[int, I64]  # window seconds -> events in [end - w, end)
    window_bad: dict[int, I64]
    thresholds: list[tuple[I64, I64]]  # per tier: numerator, denominator (per SLO)
    firing: list[npt.NDArray[np.bool_]]  # per tier
    status: list[str]


def numpy_baseline(conn: sqlite3.Connection, objs: list[Objective], at: datetime) -> Baseline:
    """The same numbers the straightforward numpy way: dense matrix, one cumsum, edges."""
    end = int(at.timestamp()) // 60 * 60
    window = objs[0].window.seconds  # type: ignore[union-attr]  # the fleet shares one window
    tiers = objs[0].alert_tiers
    first = end - max(window, *(t.long_window_s for t in tiers))
    day0 = first - first % DAY
    n_days = (end - day0 + DAY - 1) // DAY
    keys = [o.series for o in objs]
    index = {key: i for i, key in enumerate(keys)}
    good = np.zeros((len(keys), n_days, 1440), dtype=np.int64)
    total = np.zeros((len(keys), n_days, 1440), dtype=np.int64)
    rows = conn.execute(
        "SELECT s.key, c.day, c.itemsize, c.counts FROM bucket_chunks c "
        "JOIN series s ON s.id = c.series_id WHERE c.day >= ? AND c.day < ?",
        (day0, day0 + n_days * DAY),
    ).fetchall()
    for size in {row[2] for row in rows}:
        mine = [row for row in rows if row[2] == size]
        chunks = np.frombuffer(b"".join(row[3] for row in mine), dtype=f"<u{size}").reshape(
            len(mine), 2, 1440
        )
        r = np.fromiter((index.get(row[0], -1) for row in mine), dtype=np.intp, count=len(mine))
        c = np.fromiter(((row[1] - day0) // DAY for row in mine), np.intp, count=len(mine))
        keep = r >= 0
        good[r[keep], c[keep]] = chunks[keep, 0]
        total[r[keep], c[keep]] = chunks[keep, 1]
    cum_good = np.zeros((len(keys), n_days * 1440 + 1), dtype=np.int64)
    cum_total = np.zeros((len(keys), n_days * 1440 + 1), dtype=np.int64)
    np.cumsum(good.reshape(len(keys), -1), axis=1, out=cum_good[:, 1:])
    np.cumsum(total.reshape(len(keys), -1), axis=1, out=cum_total[:, 1:])

    def sums(seconds: int) -> tuple[I64, I64]:
        lo, hi = (end - seconds - day0) // 60, (end - day0) // 60
        return cum_good[:, hi] - cum_good[:, lo], cum_total[:, hi] - cum_total[:, lo]

    num = np.array([o.target.numerator for o in objs], dtype=np.int64)
    den = np.array([o.target.denominator for o in objs], dtype=np.int64)
    slack = den - num
    spans = {window, CURRENT_BURN_WINDOW_S} | {
        w for t in tiers for w in (t.long_window_s, t.short_window_s)
    }
    events: dict[int, I64] = {}
    window_bad: dict[int, I64] = {}
    for w in spans:
        g, t = sums(w)
        events[w], window_bad[w] = t, t - g
    # A tier fires when both windows burn at >= its threshold: bad * den / (events * slack)
    # >= threshold, with the threshold (2 % of the budget in 1 h, ...) kept within
    # [1, 1 / (1 - target)]: an integer cross product per SLO.
    thresholds = []
    firing = []
    for tier in tiers:
        per_target = {}
        for target in {o.target for o in objs}:
            share = tier.budget_fraction if tier.budget_fraction is not None else Fraction(0)
            raw = tier.burn_rate or share * window / tier.long_window_s
            per_target[target] = min(max(raw, Fraction(1)), 1 / (1 - target))
        t_num = np.array([per_target[o.target].numerator for o in objs], dtype=np.int64)
        t_den = np.array([per_target[o.target].denominator for o in objs], dtype=np.int64)
        fires = np.ones(len(objs), dtype=bool)
        for w in (tier.long_window_s, tier.short_window_s):
            e, b = events[w], window_bad[w]
            fires &= (e > 0) & (b * den * t_den >= t_num * e * slack)
        thresholds.append((t_num, t_den))
        firing.append(fires)
    g, t = sums(window)
    bad = t - g
    remaining = slack * t - den * bad  # × 1/den
    pages = np.zeros(len(objs), dtype=bool)
    warns = np.zeros(len(objs), dtype=bool)
    for tier, fires in zip(tiers, firing, strict=True):
        pages |= fires & tier.pages
        warns |= fires
    status = np.where(
        t == 0,
        "no_data",
        np.where(
            remaining < 0, "breached", np.where(pages, "paging", np.where(warns, "warning", "ok"))
        ),
    ).tolist()
    return Baseline(
        good=g,
        total=t,
        bad=bad,
        slack=slack,
        den=den,
        events=events,
        window_bad=window_bad,
        thresholds=thresholds,
        firing=firing,
        status=status,
    )


def check_equal(results: list[Evaluation], base: Baseline) -> None:
    """Every number of every SLO equal, exactly, or the comparison means nothing."""

    def rate(w: int, i: int) -> Fraction | None:
        e = int(base.events[w][i])
        if e == 0:
            return None
        return Fraction(int(base.window_bad[w][i]) * int(base.den[i]), e * int(base.slack[i]))

    for i, e in enumerate(results):
        where = e.objective.slo
        assert e.status == Status(base.status[i]), (where, e.status, base.status[i])
        total = int(base.total[i])
        if total == 0:
            assert e.budget is None and e.sli is None, where
            continue
        slack, den, bad = int(base.slack[i]), int(base.den[i]), int(base.bad[i])
        assert (e.good, e.total) == (int(base.good[i]), total), where
        assert e.sli == Fraction(int(base.good[i]), total), where
        assert e.budget is not None, where
        assert e.budget.allowed == Fraction(slack * total, den), where
        assert e.budget.consumed == bad, where
        assert e.budget.remaining == Fraction(slack * total - den * bad, den), where
        assert e.burn is not None and e.burn.rate == rate(CURRENT_BURN_WINDOW_S, i), where
        for k, t in enumerate(e.tiers):
            tier = e.objective.alert_tiers[k]
            t_num, t_den = base.thresholds[k]
            assert t.threshold == Fraction(int(t_num[i]), int(t_den[i])), (where, t.name)
            assert t.long.rate == rate(tier.long_window_s, i), (where, t.name)
            assert t.short.rate == rate(tier.short_window_s, i), (where, t.name)
            assert t.firing == bool(base.firing[k][i]), (where, t.name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slos", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    objs = objectives(args.slos, args.days)
    url = build_store(args.slos, args.days)
    engine = open_store(url)
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    print(f"machine: {platform.processor() or platform.machine()}, {sys.version.split()[0]}")
    print(f"fleet: {args.slos} SLOs × {args.days} days of 1-minute buckets")
    worst = float("inf")
    for at in INSTANTS:
        covenant_times, baseline_times = [], []
        results: list[Evaluation] = []
        base = None
        for _ in range(args.repeat):  # interleaved, so both sides see the same machine load
            t0 = time.perf_counter()
            report = evaluate_objectives(engine, objectives=objs, at=at)
            covenant_times.append(time.perf_counter() - t0)
            results = list(report.evaluations)
            t0 = time.perf_counter()
            base = numpy_baseline(conn, objs, at)
            baseline_times.append(time.perf_counter() - t0)
        assert base is not None
        check_equal(results, base)
        firing = sum(1 for e in results if e.firing)
        ratio = min(baseline_times) / min(covenant_times)
        worst = min(worst, ratio)
        print(f"at {at.isoformat()}: {firing} SLOs with a firing tier; every number equal")
        print(
            f"  covenant (store read + engine): best {min(covenant_times):.3f} s of {args.repeat}"
        )
        print(
            f"  numpy baseline (read all chunks, dense matrix, one cumsum): "
            f"best {min(baseline_times):.3f} s of {args.repeat}"
        )
        print(f"  ratio: covenant is {ratio:.2f}× faster (target ≥ 2×)")
    conn.close()
    engine.dispose()
    print(f"worst ratio {worst:.2f}×: target ≥ 2× {'met' if worst >= 2 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
