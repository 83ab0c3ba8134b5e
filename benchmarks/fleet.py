"""Fleet benchmark: evaluate 1,000 SLOs × 30 days of 1-minute buckets read from the store.

Covenant: ``services.evaluate.evaluate_objectives`` — one store read into a dense matrix, then
the vectorised engine (SLI, budget, 1 h burn and both windows of the four default alert tiers).

Baseline, measured in the same run on the same store: a straightforward pandas implementation
of the same math — read the same day chunks with ``pandas.read_sql``, explode them into a long
``(series, minute, good, total)`` frame, and compute every window with a boolean mask and a
``groupby(...).sum()``, then budgets, burn rates and alert decisions column-wise. Its numbers
are checked equal to Covenant's before any time is reported.

    python benchmarks/fleet.py [--slos 1000] [--days 30] [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from covenant.core.evaluate import CURRENT_BURN_WINDOW_S, required_range
from covenant.core.model import DAY, Objective, RollingWindow
from covenant.core.results import Evaluation
from covenant.services.evaluate import evaluate_objectives
from covenant.services.ingest import ingest_matrix, open_store
from covenant.sources.synthetic import Incident, Profile, generate

DATA = Path(__file__).resolve().parent / ".data"
AT = datetime(2026, 10, 31, tzinfo=UTC)
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
    path = DATA / f"fleet-{n}x{days}d.db"
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    objs = objectives(n, days)
    start, end = required_range(objs, at=AT, step=60)
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


# ---------------------------------------------------------------- the pandas baseline


def pandas_baseline(url: str, objs: list[Objective]) -> pd.DataFrame:
    """Same SLI, budget, burn rates and alert decisions, written the straightforward pandas way."""
    start, end = required_range(objs, at=AT, step=60)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        chunks = pd.read_sql(
            sa.text(
                "SELECT s.key, c.day, c.itemsize, c.counts FROM bucket_chunks c "
                "JOIN series s ON s.id = c.series_id WHERE c.day >= :lo AND c.day < :hi"
            ),
            conn,
            params={"lo": start - DAY, "hi": end},
        )
    engine.dispose()
    frames = []
    for row in chunks.itertuples(index=False):
        dtype = np.dtype(f"<u{row.itemsize}")
        counts = np.frombuffer(row.counts, dtype=dtype).astype(np.int64)
        half = counts.size // 2
        frames.append(
            pd.DataFrame(
                {
                    "series": row.key,
                    "ts": row.day + 60 * np.arange(half, dtype=np.int64),
                    "good": counts[:half],
                    "total": counts[half:],
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    meta = pd.DataFrame(
        {
            "series": [o.series for o in objs],
            "slo": [o.slo for o in objs],
            "target": [float(o.target) for o in objs],
            "window": [o.window.seconds for o in objs],  # type: ignore[union-attr]
        }
    ).set_index("series")

    def window_sums(seconds: int) -> pd.DataFrame:
        mask = (df["ts"] >= end - seconds) & (df["ts"] < end)
        return df[mask].groupby("series")[["good", "total"]].sum()

    out = meta.copy()
    slo = window_sums(int(meta["window"].iloc[0]))
    out["good"] = slo["good"]
    out["total"] = slo["total"]
    out["sli"] = out["good"] / out["total"]
    out["allowed"] = (1 - out["target"]) * out["total"]
    out["remaining"] = out["allowed"] - (out["total"] - out["good"])
    burn = window_sums(CURRENT_BURN_WINDOW_S)
    out["burn_1h"] = ((burn["total"] - burn["good"]) / burn["total"]) / (1 - out["target"])
    tiers = objs[0].alert_tiers
    for tier in tiers:
        threshold = float(tier.factor(int(meta["window"].iloc[0])))
        firing = None
        for w in (tier.long_window_s, tier.short_window_s):
            s = window_sums(w)
            rate = ((s["total"] - s["good"]) / s["total"]) / (1 - out["target"])
            hit = rate >= threshold
            firing = hit if firing is None else firing & hit
        out[f"firing_{tier.name}"] = firing
    return out


def check_equal(results: list[Evaluation], baseline: pd.DataFrame) -> None:
    """The baseline must give the same numbers, or the comparison means nothing."""
    for e in results:
        row = baseline.loc[e.objective.series]
        assert e.good == row["good"] and e.total == row["total"], e.objective.slo
        assert e.budget is not None
        assert abs(float(e.budget.remaining) - row["remaining"]) < 1e-6 * max(1, row["allowed"])
        rate = e.burn.rate if e.burn else None
        assert rate is None or abs(float(rate) - row["burn_1h"]) < 1e-9 * max(1, float(rate))
        for t in e.tiers:
            if t.long.rate is not None and t.short.rate is not None:
                # exact decisions may differ from float ones only at an exact tie
                assert t.firing == bool(row[f"firing_{t.name}"]), (e.objective.slo, t.name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slos", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    objs = objectives(args.slos, args.days)
    url = build_store(args.slos, args.days)
    engine = open_store(url)

    covenant_times = []
    results: list[Evaluation] = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        report = evaluate_objectives(engine, objectives=objs, at=AT)
        covenant_times.append(time.perf_counter() - t0)
        results = list(report.evaluations)
    t0 = time.perf_counter()
    baseline = pandas_baseline(url, objs)
    pandas_time = time.perf_counter() - t0
    check_equal(results, baseline)

    best = min(covenant_times)
    firing = sum(1 for e in results if e.firing)
    print(f"machine: {platform.processor() or platform.machine()}, {sys.version.split()[0]}")
    print(
        f"fleet: {args.slos} SLOs × {args.days} days of 1-minute buckets "
        f"({args.slos * args.days * 1440:,} buckets), {firing} with a firing tier"
    )
    print(
        f"covenant (store read + engine): best {best:.3f} s, "
        f"median {statistics.median(covenant_times):.3f} s over {args.repeat} runs"
    )
    print(f"pandas baseline (same store, same math): {pandas_time:.3f} s")
    print(
        f"ratio: covenant is {pandas_time / best:.1f}× faster (target ≥ 20×); "
        f"target < 2 s: {'met' if best < 2 else 'NOT met'}"
    )
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
