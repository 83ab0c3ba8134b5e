"""Calibrate the early-forecast threshold (``core.forecast_model.MIN_ELAPSED``) by backtest.

    .venv/bin/python benchmarks/early_forecast.py                 # 400 periods, seed 20261201
    .venv/bin/python benchmarks/early_forecast.py --generator pareto
    .venv/bin/python benchmarks/early_forecast.py --history 3-6   # the path with history
    .venv/bin/python benchmarks/early_forecast.py --periods 1000 --seed 7

With fewer than ``MIN_HISTORY`` past periods the exposure forecast reads the episode rate from
the current period alone (a Jeffreys Gamma(½, elapsed) posterior) and the episode lengths from
a log-normal posterior (``core.forecast_lengths``). Early in a period that is little evidence,
so nothing is projected before a share of the period has data. This script measures how often
the forecast's band (the 5th–95th percentiles of the end-of-period downtime, widened to the
mean, as ``core.forecast`` reports it: a nominal 90 % band) misses the level the period
actually ends at, for each share of the period elapsed, over generated periods:

- a 30-day period measured in 5-minute units, by default no past period on record (the case
  the threshold guards); ``--history 3-6`` gives each service 3–6 past periods (its rate
  varies from period to period, log-normal σ 0.5 around its own) to check the path with
  history;
- ``--generator``: ``lognormal`` (the documented one): each period's episode rate drawn
  log-uniformly from 0.3 to 30 episodes a month (a quiet service to a flaky one), episodes
  starting as a Poisson process and lasting a log-normal length (median 12 minutes, σ = 1.2:
  most a few minutes, a few hours); ``pareto``: 1–40 a month, Pareto lengths from 5 minutes
  with tail index 1.3 (infinite variance: a rare outage of a day); ``exponential``: 0.1–10 a
  month, exponential lengths (mean 40 minutes: a light tail, mostly quiet services);
- at each share f of the period: the finished episodes, the one running (its age), and the
  model's distribution of the downtime still to come, from ``remaining_downtime`` itself; a
  miss is a period whose real remaining downtime lies outside the band.

The threshold would be the smallest share from which the miss rate stays at most ``--bound``
(15 %: the nominal rate of a 90 % band is 10 %). ``gross`` is the share of periods whose
projected downtime (so far + expected) is off by more than a factor of 2 beyond 30 minutes,
either way: what a reader takes from the projected level. Deterministic for a given seed.
Results: docs/exposure.md.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from covenant.core.forecast import BAND
from covenant.core.forecast_model import MIN_ELAPSED, PastPeriod, remaining_downtime

UNIT = 300  # 5-minute measurement intervals (bad-intervals); 1-minute grids cost 25x the time
PERIOD = 30 * 86_400
SHARES = (0.01, 0.02, 0.03, 0.05, 0.075, 0.10, 0.15, 0.20, 0.30, 0.50)
START = datetime(2026, 12, 1, tzinfo=UTC)
Service = tuple[tuple[PastPeriod, ...], list[tuple[int, int]]]


GENERATORS = ("lognormal", "pareto", "exponential")
"""``lognormal``: 0.3–30 episodes a month, log-normal lengths (median 12 min, σ 1.2);
``pareto``: 1–40 a month, Pareto lengths (from 5 min, tail index 1.3: infinite variance);
``exponential``: 0.1–10 a month, exponential lengths (mean 40 min: a light tail)."""


def monthly_rate(rng: np.random.Generator, generator: str) -> float:
    """A service's episode rate (episodes a month), log-uniform over the generator's range."""
    low, high = {"lognormal": (0.3, 30.0), "pareto": (1.0, 40.0), "exponential": (0.1, 10.0)}[
        generator
    ]
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def lengths_min(rng: np.random.Generator, generator: str, n: int) -> npt.NDArray[np.float64]:
    """``n`` episode lengths in minutes."""
    if generator == "lognormal":
        return rng.lognormal(math.log(12.0), 1.2, size=n)
    if generator == "pareto":
        return 5.0 * (1.0 - rng.random(size=n)) ** (-1.0 / 1.3)
    return rng.exponential(40.0, size=n)


def episodes(
    rng: np.random.Generator, generator: str = "lognormal", per_month: float | None = None
) -> list[tuple[int, int]]:
    """One period's merged down episodes ``(start, end)`` in seconds, whole units."""
    if per_month is None:
        per_month = monthly_rate(rng, generator)
    n = int(rng.poisson(per_month))
    starts = np.sort(rng.integers(0, PERIOD // UNIT, size=n)) * UNIT
    lengths = np.maximum(1, np.rint(lengths_min(rng, generator, n) * 60 / UNIT)) * UNIT
    merged: list[tuple[int, int]] = []
    for s, length in zip(starts.tolist(), lengths.astype(np.int64).tolist(), strict=True):
        e = min(s + length, PERIOD)
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def service(rng: np.random.Generator, generator: str, past: int) -> Service:
    """A service's ``past`` previous periods and its current one. Its rate varies from period
    to period around the service's own (log-normal, σ 0.5), as months do."""
    if past == 0:  # as the documented runs drew them (same seed, same periods)
        return (), episodes(rng, generator)
    base = monthly_rate(rng, generator)
    periods = [
        episodes(rng, generator, base * math.exp(rng.normal(0.0, 0.5))) for _ in range(past + 1)
    ]
    history = tuple(
        PastPeriod(
            start=START - timedelta(seconds=PERIOD * (past - i)),
            eligible_s=PERIOD,
            episodes=tuple(e - s for s, e in spans),
        )
        for i, spans in enumerate(periods[:-1])
    )
    return history, periods[-1]


GROSS_FACTOR = 2.0
GROSS_SLACK_S = 1800


def judge(
    history: tuple[PastPeriod, ...], spans: list[tuple[int, int]], share: float
) -> tuple[bool, bool, bool]:
    """(missed, above, gross) at ``share`` of the period: whether the band misses the final
    downtime, whether that lies above the band (more down than it allowed), and whether the
    projected downtime (so far + expected remaining) is off by more than a factor of 2 beyond
    30 minutes either way (what a reader takes from the projected level)."""
    t = round(PERIOD * share / UNIT) * UNIT
    completed = [e - s for s, e in spans if e <= t]
    running = [(s, e) for s, e in spans if s < t < e]
    ongoing = t - running[0][0] if running else None
    actual = sum(max(0, e - max(s, t)) for s, e in spans)  # downtime after t
    so_far = sum(min(e, t) - s for s, e in spans if s < t)
    model = remaining_downtime(
        history,
        elapsed_s=t,
        completed=completed,
        ongoing_s=ongoing,
        remaining_s=PERIOD - t,
        unit_s=UNIT,
    )
    low = min(model.quantile_s(BAND[0]), model.mean_s)
    high = max(model.quantile_s(BAND[1]), model.mean_s)
    projected, final = so_far + model.mean_s, so_far + actual
    gross = (
        projected > GROSS_FACTOR * final + GROSS_SLACK_S
        or projected < final / GROSS_FACTOR - GROSS_SLACK_S
    )
    return not (low <= actual <= high), actual > high, gross


def judge_all(
    task: tuple[tuple[PastPeriod, ...], list[tuple[int, int]], float],
) -> tuple[bool, bool, bool]:
    return judge(*task)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--periods", type=int, default=400)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--bound", type=float, default=0.15, help="largest miss rate accepted")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--generator", choices=GENERATORS, default="lognormal")
    parser.add_argument(
        "--history",
        default="0",
        help="past periods on record per service: a number or a range LOW-HIGH (e.g. 3-6)",
    )
    args = parser.parse_args()
    low, _, high = args.history.partition("-")
    past_low, past_high = int(low), int(high or low)
    rng = np.random.default_rng(args.seed)
    services = [
        service(rng, args.generator, int(rng.integers(past_low, past_high + 1)))
        if past_high > past_low
        else service(rng, args.generator, past_low)
        for _ in range(args.periods)
    ]
    t0 = time.perf_counter()
    print(
        f"{args.periods} generated 30-day periods (seed {args.seed}, {args.generator}), "
        f"{args.history} past period(s) on record; band {BAND[0]:.0%}–{BAND[1]:.0%} "
        f"(nominal miss rate {1 - (BAND[1] - BAND[0]):.0%})"
    )
    print(f"{'share':>6} {'days':>5} {'missed':>7} {'above':>6} {'below':>6} {'gross':>6}")
    tasks = [(history, spans, share) for share in SHARES for history, spans in services]
    with multiprocessing.Pool(args.jobs) as pool:
        found = pool.map(judge_all, tasks, chunksize=8)
    chosen = None
    n = len(services)
    for i, share in enumerate(SHARES):
        results = found[i * n : (i + 1) * n]
        missed = sum(r[0] for r in results) / n
        above = sum(r[1] for r in results) / n
        gross = sum(r[2] for r in results) / n
        print(
            f"{share:6.1%} {share * 30:5.1f} {missed:7.1%} {above:6.1%} {missed - above:6.1%} "
            f"{gross:6.1%}"
        )
        if missed > args.bound:
            chosen = None
        elif chosen is None:
            chosen = share
    half = 1.96 * math.sqrt(0.15 * 0.85 / n)
    print(f"(a rate near 15 % is known to ±{half:.1%} at 95 % confidence with {n} periods)")
    print(
        f"smallest share from which the miss rate stays <= {args.bound:.0%}: "
        + (f"{chosen:.1%}" if chosen is not None else "none of those tried")
        + f"; the code's MIN_ELAPSED is {float(MIN_ELAPSED):.1%} "
        f"({time.perf_counter() - t0:.0f} s)"
    )


if __name__ == "__main__":
    main()
