"""Random SLI traffic exported as Prometheus counters and a histogram, the way real services
and a real scraper leave them: for the differential test of Covenant's reads
(tests/services/test_prometheus_differential.py).

Per seed, a few jobs run a few instances each. An instance lives from a birth to a death
(late starts, early stops) and restarts now and then (its counters count from zero again;
sometimes under a new instance name, as a new pod). Traffic is uneven: a daily swing, silent
hours, bursts of errors and slow requests. Each instance is scraped at its own interval (15 s,
30 s, 1 m, sometimes 2 m), phase (sometimes exactly on the minute or 1 ms after it) and jitter,
with scrape outages of every length around Prometheus's 5-minute lookback and a few gaps of
exactly 300 s ± 1 ms. A series whose labels a client creates on first use appears with its
first event. A histogram's ``le`` is spelled as the instance's client spells it.

Nothing here calls Covenant: the samples are what the test back-fills into Prometheus and what
tests/promrandom_expect.py counts by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

MINUTE_MS = 60_000
HOUR_S = 3600
DAY_S = 86400
DAYS = 3
BASE = 1_787_184_000  # 2026-08-20T00:00:00Z: a seed's first day is 0–69 days after it
MARGIN_S = 2 * HOUR_S  # samples from this long before START to this long after END

CODES = ("200", "404", "500", "503")
BOUNDS = ("0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf")
SPELLINGS = {  # how clients spell each bound (one spelling per instance)
    "0.05": ("0.05", "0.050", "5e-02", "5.0E-2"),
    "0.1": ("0.1", "0.10", "1e-01", "1.0E-1"),
    "0.25": ("0.25", "0.250", "2.5e-01", "2.5E-1"),
    "0.5": ("0.5", "0.50", "5e-01", "5.0E-1"),
    "1": ("1", "1.0", "1e+00", "1.0E0"),
    "2.5": ("2.5", "2.50", "2.5e+00", "2.5E0"),
    "+Inf": ("+Inf",),
}
REQUESTS = "http_requests_total"
BUCKET = "request_duration_seconds_bucket"
COUNT = "request_duration_seconds_count"
OUTAGES_S = (20, 120, 290, 299, 300, 301, 310, 330, 420, 600, 3600, 4 * HOUR_S)
BLIND_GAP_MS = (300_000, 360_000)
DOWNTIMES_MS = (0, 1500, 20_000, 120_000, 240_000, 420_000, 2_400_000)


@dataclass(frozen=True, slots=True, order=True)
class SeriesId:
    """A series: its metric name and labels (sorted pairs)."""

    name: str
    labels: tuple[tuple[str, str], ...]

    def label(self, key: str) -> str:
        return dict(self.labels).get(key, "")


@dataclass(frozen=True, slots=True)
class Life:
    """One process of an instance: alive in ``[birth_ms, death_ms)``, scraped at ``scrapes``."""

    instance: str
    birth_ms: int
    death_ms: int
    scrapes: np.ndarray  # int64 ms, increasing
    lazy: bool  # series appear with their first event, not at 0 on start


@dataclass
class Job:
    name: str
    histogram: bool
    lives: list[Life] = field(default_factory=list)
    spelling: dict[str, dict[str, str]] = field(default_factory=dict)  # instance -> bound -> le


@dataclass
class Scenario:
    seed: int
    start: int  # epoch s, a UTC midnight
    jobs: list[Job]
    samples: dict[SeriesId, list[tuple[int, int]]]  # (ms, value), in time order

    @property
    def end(self) -> int:
        return self.start + DAYS * DAY_S

    @property
    def data_start(self) -> int:
        return self.start - MARGIN_S

    @property
    def data_end(self) -> int:
        return self.end + MARGIN_S


def scenario(seed: int, *, witnessed: bool = False) -> Scenario:
    """The seed's jobs and samples. ``witnessed``: no series has two consecutive samples more
    than 5 and at most 6 minutes apart (a later one is left out until the gap is longer), the
    one silence the recording rules' witness of a first read by days cannot see
    (docs/prometheus.md, "What the witness cannot see")."""
    rng = np.random.default_rng(seed)
    start = BASE + int(rng.integers(0, 70)) * DAY_S
    jobs = [Job("api", histogram=True), Job("web", histogram=False), Job("batch", False)]
    found = Scenario(seed, start, jobs, {})
    lo_ms, hi_ms = found.data_start * 1000, found.data_end * 1000
    for job in jobs:
        rates = _rates(rng, found.data_start, found.data_end)
        burst = _bursts(rng, rates.size)
        count = 2 if job.name == "batch" else int(rng.integers(1, 4))
        for i in range(count):
            if job.name == "batch":  # a job that stops within the first day
                birth = lo_ms + int(rng.integers(0, 6 * HOUR_S)) * 1000
                death = found.start * 1000 + int(rng.integers(2, 20)) * HOUR_S * 1000
            else:
                birth = lo_ms if rng.random() < 0.6 else lo_ms + _ms(rng, DAYS * DAY_S)
                death = (
                    hi_ms if rng.random() < 0.7 else birth + _ms(rng, hi_ms // 1000 - birth // 1000)
                )
            for life in _lives(rng, f"{job.name}-{i}", birth, min(death, hi_ms)):
                job.lives.append(life)
                if life.instance not in job.spelling:
                    job.spelling[life.instance] = {b: str(rng.choice(SPELLINGS[b])) for b in BOUNDS}
                _export(rng, found, job, life, rates, burst)
    if witnessed:
        for series, points in found.samples.items():
            found.samples[series] = _without_blind_gaps(points)
    return found


def _without_blind_gaps(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    kept: list[tuple[int, int]] = []
    for t, value in sorted(points):
        if kept and BLIND_GAP_MS[0] < t - kept[-1][0] <= BLIND_GAP_MS[1]:
            continue
        kept.append((t, value))
    return kept


def _ms(rng: np.random.Generator, seconds: int) -> int:
    return int(rng.integers(0, max(1, seconds) * 1000))


def _rates(rng: np.random.Generator, lo: int, hi: int) -> np.ndarray:
    """Mean requests per minute of one instance, per minute of ``[lo, hi)``: a daily swing
    around a base rate, and silent hours (no request at all)."""
    minutes = (hi - lo) // 60
    hour = ((lo + 60 * np.arange(minutes)) // HOUR_S) % 24
    base = float(rng.choice([0.3, 2.0, 8.0, 20.0]))
    swing = 0.25 + 1.5 * (np.sin((hour - 6) / 24 * 2 * np.pi) + 1) / 2
    rates = base * swing
    hours = minutes // 60
    silent = rng.random(hours) < 0.08
    rates[np.repeat(silent, 60)[:minutes]] = 0.0
    return rates


def _bursts(rng: np.random.Generator, minutes: int) -> np.ndarray:
    """Minutes of a burst: more traffic, many errors and slow requests."""
    burst = np.zeros(minutes, dtype=bool)
    for _ in range(int(rng.integers(0, 5))):
        first = int(rng.integers(0, minutes))
        burst[first : first + int(rng.integers(3, 90))] = True
    return burst


def _lives(rng: np.random.Generator, name: str, birth: int, death: int) -> list[Life]:
    """An instance's processes: restarts at random instants after a downtime, sometimes under
    a new instance name (a new pod), and now and then a crash loop (lives of seconds to a few
    minutes, a few seconds apart, under one name)."""
    span = (death - birth) // 1000
    cuts = [
        (birth + _ms(rng, span), int(rng.choice(DOWNTIMES_MS))) for _ in range(rng.integers(0, 4))
    ]
    if rng.random() < 0.2:
        at = birth + _ms(rng, span)
        for _ in range(int(rng.integers(3, 9))):
            at += int(rng.integers(10_000, 180_000))
            downtime = int(rng.integers(0, 20_000))
            cuts.append((at, -downtime))  # negative: a crash, the same pod comes back
            at += downtime
    found: list[Life] = []
    at, generation, pod = birth, 0, name
    for cut, downtime in [*sorted(cuts), (death, 0)]:
        end = min(cut, death)
        if end > at:
            found.append(Life(pod, at, end, _scrapes(rng, at, end), bool(rng.random() < 0.5)))
        at = max(at, end + abs(downtime))
        if downtime >= 0 and rng.random() < 0.3:
            generation += 1
            pod = f"{name}-{generation}"
    return found


def _scrapes(rng: np.random.Generator, birth: int, death: int) -> np.ndarray:
    """The instants a process is scraped: its interval, phase and jitter, less outages, with
    now and then a gap of exactly 300 s ± 1 ms."""
    interval = int(rng.choice([15_000, 15_000, 30_000, 30_000, 60_000, 120_000]))
    clock = rng.random()
    if clock < 0.3:  # on the minute's boundaries, or 1 ms after them
        phase, jitter = int(clock < 0.2), 0
    else:
        phase, jitter = int(rng.integers(0, interval)), int(rng.choice([0, 3, 400, 3000]))
    first = (birth - phase) // interval + 1
    last = (death - phase - 1) // interval
    if last < first:
        return np.zeros(0, dtype=np.int64)
    ticks = np.arange(first, last + 1, dtype=np.int64) * interval + phase
    if jitter:
        ticks = ticks + rng.integers(-jitter, jitter + 1, size=ticks.size)
    ticks = ticks[(ticks >= birth) & (ticks < death)]
    keep = np.ones(ticks.size, dtype=bool)
    for _ in range(int(rng.integers(0, 4))):
        at = birth + _ms(rng, (death - birth) // 1000)
        keep &= ~((ticks >= at) & (ticks < at + int(rng.choice(OUTAGES_S)) * 1000))
    ticks = np.sort(np.unique(ticks[keep]))
    for _ in range(int(rng.integers(0, 3))):  # a gap of exactly 300 s, 1 ms less or more
        if ticks.size < 3:
            break
        i = int(rng.integers(0, ticks.size - 1))
        after = int(ticks[i]) + 300_000 + int(rng.choice([-1, 0, 1]))
        if after >= death:
            continue
        ticks = np.sort(np.concatenate((ticks[(ticks <= ticks[i]) | (ticks > after)], [after])))
    return ticks


def _export(
    rng: np.random.Generator,
    found: Scenario,
    job: Job,
    life: Life,
    rates: np.ndarray,
    burst: np.ndarray,
) -> None:
    """The life's requests, and its counters at each of its scrapes."""
    lo_ms = found.data_start * 1000
    first_min = (life.birth_ms - lo_ms) // MINUTE_MS
    last_min = (life.death_ms - 1 - lo_ms) // MINUTE_MS
    minutes = np.arange(first_min, last_min + 1)
    n = rng.poisson(rates[minutes])
    at = np.repeat(lo_ms + minutes * MINUTE_MS, n) + rng.integers(0, MINUTE_MS, size=n.sum())
    hot = np.repeat(burst[minutes], n)
    inside = (at >= life.birth_ms) & (at < life.death_ms)
    at, hot = at[inside], hot[inside]
    order = np.argsort(at, kind="stable")
    at, hot = at[order], hot[order]
    calm_codes = rng.choice(len(CODES), size=at.size, p=[0.93, 0.04, 0.02, 0.01])
    code = np.where(hot & (rng.random(at.size) < 0.6), 3, calm_codes)
    calm_speed = rng.choice(len(BOUNDS), size=at.size, p=[0.3, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02])
    speed = np.where(hot, rng.integers(2, len(BOUNDS), size=at.size), calm_speed)
    kinds: list[tuple[SeriesId, np.ndarray]] = []
    pod = (("instance", life.instance), ("job", job.name))
    for c, text in enumerate(CODES):
        kinds.append((SeriesId(REQUESTS, tuple(sorted((*pod, ("code", text))))), at[code == c]))
    if job.histogram:
        spelled = job.spelling[life.instance]
        for b, bound in enumerate(BOUNDS):
            labels = tuple(sorted((*pod, ("le", spelled[bound]))))
            kinds.append((SeriesId(BUCKET, labels), at[speed <= b]))
        kinds.append((SeriesId(COUNT, pod), at))
    # a histogram's series appear together, with its first observation
    histogram_from = int(at[0]) if at.size else None
    for series, times in kinds:
        values = np.searchsorted(times, life.scrapes, side="left")  # events before each scrape
        if life.lazy:
            since = (
                histogram_from
                if series.name != REQUESTS
                else (int(times[0]) if times.size else None)
            )
            if since is None:
                continue
            shown = life.scrapes > since
        else:
            shown = np.ones(life.scrapes.size, dtype=bool)
        rows = found.samples.setdefault(series, [])
        rows.extend(zip(life.scrapes[shown].tolist(), values[shown].tolist(), strict=True))


def openmetrics(found: Scenario) -> str:
    """The samples as OpenMetrics text for ``promtool tsdb create-blocks-from openmetrics``.
    Instants are written with 0.2 ms more than their millisecond, so that promtool's
    ``int64(seconds * 1000)`` gives that millisecond whether it truncates or rounds."""
    lines = [f"# TYPE {REQUESTS.removesuffix('_total')} counter"]
    families = [REQUESTS, BUCKET, COUNT]
    for name in families:
        if name != REQUESTS:
            lines.append(f"# TYPE {name} gauge")
        for series in sorted(s for s in found.samples if s.name == name):
            labels = ",".join(f'{k}="{v}"' for k, v in series.labels)
            for t, value in sorted(found.samples[series]):
                lines.append(f"{name}{{{labels}}} {value} {t // 1000}.{t % 1000:03d}2")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def prometheus_text(found: Scenario) -> str:
    """The samples in the Prometheus text format with millisecond stamps, as VictoriaMetrics
    imports them (``/api/v1/import/prometheus``)."""
    lines = []
    for series, points in found.samples.items():
        labels = ",".join(f'{k}="{v}"' for k, v in series.labels)
        lines += [f"{series.name}{{{labels}}} {value} {t}" for t, value in points]
    return "\n".join(lines) + "\n"


def le_value(text: str) -> Fraction | None:
    """The bound an ``le`` label spells (None for +Inf)."""
    return None if text == "+Inf" else Fraction(text)
