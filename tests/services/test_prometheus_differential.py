"""A brute-force differential check of Covenant's reading of SLIs through a real Prometheus.

Per seed, tests/promrandom.py makes three days of uneven traffic for a few jobs (silent hours,
bursts, restarts and crash loops that reset the counters, instances that start late and stop
early, series that appear with their first event, a histogram whose ``le`` each client spells
its own way), scraped at irregular instants (15 s to 2 min, jittered, on the minute, 1 ms after
it, gaps of every length around 5 minutes, some exactly 300 s ± 1 ms); promtool back-fills the
samples into a temporary Prometheus. tests/promrandom_workspace.py writes the SLIs in each
counter form of docs/prometheus.md and SLOs with random windows, targets and methods, and
tests/promrandom_expect.py counts by hand, from the samples, what the docs say Covenant counts
(no Covenant code). Then:

- ``covenant ingest prometheus`` reads the range in two overlapping pieces into one store: every
  minute of every SLI must hold the hand count; ``covenant evaluate --no-read`` of that store at
  four instants must give every SLO's window, good/total, status, 1-hour burn and each alert
  tier's two windows (events, exact burn rate, firing), and no data as no data (no ratio, never
  0 % or 100 %); a minute whose good exceeds its total (a crash-looping histogram) must be
  refused (``source-bad-answer``), never stored;
- ``covenant evaluate --read`` into an empty store, then the default catch-up at a later
  instant, must answer the same;
- the same through VictoriaMetrics;
- the generated rules back-filled too (about 40 s a seed: ``make test`` runs seed 0 on the
  stable release, ``COVENANT_PROM_DIFF_RULES=1`` the asked seeds on both), and ``evaluate
  --read``'s first read by days, then its catch-up, must answer the same.

``make test`` runs the seeds of ``CI_SEEDS``; ``COVENANT_PROM_DIFF_SEEDS=200`` runs seeds 0–199
on both releases, ``=300-399`` those seeds.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.definitions.workspace import load_workspace
from covenant.render.prom_rule_file import dump_yaml
from covenant.render.prom_rules import rule_groups
from covenant.services.prom_rules import plan_rules
from covenant.services.store import open_store
from covenant.store.chunk_reads import read_matrix, series_rows
from covenant.store.day_sums import day_sum_days, hour_sum_days
from tests.promrandom import DAY_S, Scenario, openmetrics, prometheus_text, scenario
from tests.promrandom_expect import TIERS, Counts, Expected, Sli, expected, sli_counts, utc
from tests.promrandom_workspace import catalog, workspace_yaml
from tests.promserver import Server, backfill_rules, restart, start_prometheus

RULES = os.environ.get("COVENANT_PROM_DIFF_RULES", "") not in ("", "0")
CI_SEEDS = {0: "stable", 10: "sid"}
"""The seeds ``make test`` runs, each on one Prometheus release (about 20 s each): between them
1-hour and 10-minute slices, counter resets, samples on the minute and 300 s apart."""
FIRST = 31 * DAY_S  # ingest from this long before the samples' first day: every window's start


def seeds(ci: tuple[int, ...] = tuple(CI_SEEDS)) -> list[int]:
    asked = os.environ.get("COVENANT_PROM_DIFF_SEEDS", "")
    if not asked:
        return list(ci)
    if "-" in asked:
        lo, hi = asked.split("-")
        return list(range(int(lo), int(hi) + 1))
    return list(range(int(asked)))


def _run(args: list[str], store: Path) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, args, env={"COVENANT_DATABASE_URL": f"sqlite:///{store}"})
    return done.exit_code, done.stdout, done.stderr


def seeds_on(release: str) -> list[int]:
    """The seeds run on ``release``: those of CI_SEEDS that name it, or every seed asked."""
    if os.environ.get("COVENANT_PROM_DIFF_SEEDS"):
        return seeds()
    return [seed for seed, on in CI_SEEDS.items() if on == release]


@pytest.mark.prometheus_releases("stable")
@pytest.mark.parametrize("seed", seeds_on("stable"))
def test_reads_through_prometheus_stable_equal_the_samples_counted_by_hand(
    seed: int, tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    _check_seed(seed, tmp_path, prometheus)


@pytest.mark.prometheus_releases("sid")
@pytest.mark.parametrize("seed", seeds_on("sid"))
def test_reads_through_prometheus_sid_equal_the_samples_counted_by_hand(
    seed: int, tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    _check_seed(seed, tmp_path, prometheus)


def _check_seed(seed: int, tmp_path: Path, prometheus: Callable[..., Server]) -> None:
    found = scenario(seed)
    server = prometheus(openmetrics=openmetrics(found))
    _check_premise(server, found)
    _check_reads(seed, found, server, tmp_path)


@pytest.mark.parametrize("seed", seeds(ci=(20,)))
def test_reads_through_victoria_metrics_equal_the_samples_counted_by_hand(
    seed: int, tmp_path: Path, victoria_metrics: Callable[..., Server]
) -> None:
    """The same through VictoriaMetrics (imported at the same milliseconds)."""
    found = scenario(seed)
    server = victoria_metrics()
    lines = prometheus_text(found)
    for path, data in (
        ("/api/v1/import/prometheus", lines.encode()),
        ("/internal/force_flush", None),
    ):
        request = urllib.request.Request(f"{server.url}{path}", data=data)
        with urllib.request.urlopen(request, timeout=120):
            pass
    _check_premise(server, found)
    _check_reads(seed, found, server, tmp_path)


def _check_reads(seed: int, found: Scenario, server: Server, tmp_path: Path) -> None:
    slis, slos = catalog(seed)
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "slos.yaml").write_text(workspace_yaml(slis, slos, server.url))
    counts: dict[str, tuple[Counts, int | None]] = {s.name: sli_counts(found, s) for s in slis}
    rng = np.random.default_rng(20_000 + seed)
    problems: list[str] = []

    # A: ingest prometheus in overlapping pieces, then evaluate the store as it is
    store = tmp_path / "ingested.db"
    lo, hi = found.start - FIRST, found.end
    cuts = sorted(int(c) for c in rng.integers(found.start, hi, size=2))
    for a, b in ((lo, cuts[1]), (cuts[0], hi)):
        code, out, err = _run(
            [
                "ingest",
                "prometheus",
                "-w",
                str(ws),
                "--from",
                utc(a),
                "--to",
                utc(b),
                "--format",
                "json",
            ],
            store,
        )
        problems += _ingest_problems(out, err, code, slis, counts, (a, b))
    problems += _bucket_problems(store, slis, counts, lo // 60 * 60, hi // 60 * 60)
    instants = [found.end, found.start + 2 * DAY_S, *_random_instants(rng, found.start)]
    for at in instants:
        problems += _evaluate_problems(ws, store, at, ["--no-read"], slis, slos, counts)

    # B: evaluate --read into an empty store, then the default catch-up later (before either,
    # the default reads nothing never read: every SLO is no data, not 0 % or 100 %)
    fresh = tmp_path / "fresh.db"
    first, later = sorted(_random_instants(rng, found.start))
    problems += _unread_problems(ws, fresh, first)
    problems += _evaluate_problems(ws, fresh, first, ["--read"], slis, slos, counts)
    problems += _evaluate_problems(ws, fresh, later, [], slis, slos, counts)
    assert not problems, f"seed {seed}:\n" + "\n".join(problems[:40])


@pytest.mark.prometheus_releases(*(("stable", "sid") if RULES else ("stable",)))
@pytest.mark.parametrize("seed", seeds() if RULES else [0])
def test_a_first_read_by_days_equals_the_samples_counted_by_hand(
    seed: int, tmp_path: Path, prometheus_release: str
) -> None:
    """With the generated rules back-filled, ``evaluate --read``'s first read takes whole days
    (and hours) from the recordings where they witness them; it must still answer what the
    samples count, and so must the catch-up that later reads the minutes of the days and hours
    its edges come to cut. The samples have no silence of 5 to 6 minutes, the one the witness
    cannot see (docs/prometheus.md)."""
    found = scenario(seed, witnessed=True)
    slis, slos = catalog(seed, short=True)
    counts = {s.name: sli_counts(found, s) for s in slis}
    workdir = tmp_path / "prometheus"
    server = start_prometheus(workdir, openmetrics=openmetrics(found), release=prometheus_release)
    try:
        ws = tmp_path / "ws"
        ws.mkdir()
        (ws / "slos.yaml").write_text(workspace_yaml(slis, slos, server.url))
        server = _with_rules(server, ws, found, workdir)
        (ws / "slos.yaml").write_text(workspace_yaml(slis, slos, server.url))
        # just after the samples' third day: its middle day is whole in every window
        rng = np.random.default_rng(30_000 + seed)
        first = found.end + int(rng.integers(60, 3600))
        later = first + int(rng.integers(300, 3300))
        store = tmp_path / "by-days.db"
        problems = _evaluate_problems(ws, store, first, ["--read"], slis, slos, counts)
        summed = _summed(store, slis, found)
        problems += _evaluate_problems(ws, store, later, [], slis, slos, counts)
    finally:
        server.stop()
    print(f"seed {seed}: {summed} days and hours read as their sums")
    assert not problems, f"seed {seed} ({summed} days and hours read as sums):\n" + "\n".join(
        problems[:40]
    )


def _with_rules(server: Server, ws: Path, found: Scenario, workdir: Path) -> Server:
    """The generated rules' minute, hour and day counts back-filled over the samples, one
    dependency level at a time (as tests/services/test_prometheus_recorded.py does)."""
    groups = rule_groups(plan_rules(load_workspace(ws)).targets, meta=False)
    for k, names in enumerate((("count1m",), ("count1d", "count1h"))):
        chosen = [
            {**g, "rules": [r for r in g["rules"] if r.get("record", "").endswith(names)]}
            for g in groups
        ]
        rule_file = workdir / "rules.yml"
        rule_file.write_text(dump_yaml({"groups": [g for g in chosen if g["rules"]]}))
        blocks = workdir / f"blocks{k}"
        backfill_rules(
            server, rule_file, start=found.data_start, end=found.data_end, output_dir=blocks
        )
        server = restart(server, workdir, blocks=blocks)
    return server


def _summed(store: Path, slis: list[Sli], found: Scenario) -> int:
    """How many days and hours of the SLIs the store holds as sums."""
    engine = open_store(f"sqlite:///{store}")
    try:
        with engine.connect() as conn:
            ids = [i for i, _ in series_rows(conn, [s.key for s in slis]).values()]
            days = day_sum_days(conn, series_ids=ids, before=found.data_end)
            first = (found.start - FIRST) // DAY_S * DAY_S
            masks = hour_sum_days(
                conn, series_ids=ids, days=list(range(first, found.data_end, DAY_S))
            )
    finally:
        engine.dispose()
    return sum(len(d) for d in days.values()) + sum(bin(m).count("1") for m in masks.values())


def _unread_problems(ws: Path, store: Path, at: int) -> list[str]:
    code, out, err = _run(["evaluate", "-w", str(ws), "--at", utc(at), "--format", "json"], store)
    problems = [] if code == 0 else [f"evaluate of nothing read: exit {code}: {err[-500:]}"]
    for r in json.loads(out)["results"] if code == 0 else []:
        said = (r["status"], r["sli_value"]["value"], r["budget"], (r["stale"] or {}).get("kind"))
        if said != ("no_data", None, None, "never-read"):
            problems.append(f"evaluate of nothing read: {r['slo']}: {said}")
    return problems


def _random_instants(rng: np.random.Generator, start: int) -> list[int]:
    """Two instants of the scenario's last two days, to the second."""
    return [start + DAY_S + int(rng.integers(0, 2 * DAY_S)) for _ in range(2)]


def _check_premise(server: Server, found: Scenario) -> None:
    """The server holds the samples at the milliseconds generated (the instants written with
    0.2 ms more read as their millisecond)."""
    series = max(found.samples, key=lambda s: len(found.samples[s]))
    first = found.samples[series][:200]
    labels = ",".join(f'{k}="{v}"' for k, v in series.labels)
    span = (first[-1][0] - first[0][0]) // 1000 + 2
    (answer,) = server.query(f"{series.name}{{{labels}}}[{span}s]", first[-1][0] // 1000 + 1)
    stored = [(round(float(t) * 1000), int(v)) for t, v in answer["values"]]
    assert stored[: len(first)] == first


def _ingest_problems(
    out: str,
    err: str,
    code: int,
    slis: list[Sli],
    counts: dict[str, tuple[Counts, int | None]],
    read: tuple[int, int],
) -> list[str]:
    """The read's report: no error, but for an SLI with a minute whose good exceeds its total
    in the range read (refused)."""
    what = f"ingest {utc(read[0])}…{utc(read[1])}"
    lo, hi = read[0] // 60 * 60, read[1] // 60 * 60
    broken = set()
    for s in slis:
        minute = counts[s.name][1]
        if minute is not None and lo <= minute < hi:
            broken.add(s.key)
    try:
        rows = json.loads(out)["series"]
    except (ValueError, KeyError):
        return [f"{what}: exit {code}, not JSON: {out[-500:]} {err[-500:]}"]
    problems = []
    for row in rows:
        key, error = row["series"], row["error"]
        if key in broken:
            if not error or "exceeds total" not in str(error):
                problems.append(f"{what}: {key}: good above total not refused: {row}")
        elif error:
            problems.append(f"{what}: {key}: {error}")
    if code != (1 if broken else 0):
        problems.append(f"{what}: exit {code}: {err[-500:]}")
    return problems


def _bucket_problems(
    store: Path, slis: list[Sli], counts: dict[str, tuple[Counts, int | None]], lo: int, hi: int
) -> list[str]:
    """Every stored minute of ``[lo, hi)`` against the hand count (read straight from the
    SQLite store's chunks with Covenant's chunk reader)."""
    keys = [s.key for s in slis if counts[s.name][1] is None]
    engine = open_store(f"sqlite:///{store}")
    with engine.connect() as conn:
        m = read_matrix(conn, keys=keys, start=lo, end=hi)
    engine.dispose()
    problems = []
    for i, key in enumerate(keys):
        want = next(counts[s.name][0] for s in slis if s.key == key)
        for name, got, full in (("good", m.good[i], want.good), ("total", m.total[i], want.total)):
            expect = np.zeros(got.size, dtype=np.int64)
            a = want.lo_min - lo // 60
            src_lo, dst_lo = max(0, -a), max(0, a)
            n = min(full.size - src_lo, got.size - dst_lo)
            expect[dst_lo : dst_lo + n] = full[src_lo : src_lo + n]
            wrong = np.flatnonzero(np.asarray(got) != expect)
            if wrong.size:
                j = int(wrong[0])
                problems.append(
                    f"{key}: {name} differs in {wrong.size} minutes, first {utc(lo + 60 * j)}: "
                    f"stored {int(got[j])}, counted {int(expect[j])}"
                )
    return problems


def _evaluate_problems(
    ws: Path,
    store: Path,
    at: int,
    options: list[str],
    slis: list[Sli],
    slos: list[Any],
    counts: dict[str, tuple[Counts, int | None]],
) -> list[str]:
    what = f"evaluate {' '.join(options)} --at {utc(at)}"
    code, out, err = _run(
        ["evaluate", "-w", str(ws), "--at", utc(at), "--format", "json", *options], store
    )
    try:
        results = {r["slo"]: r for r in json.loads(out)["results"]}
    except (ValueError, KeyError):
        return [f"{what}: exit {code}: {out[-500:]} {err[-800:]}"]
    problems = [] if code == 0 else [f"{what}: exit {code}: {err[-500:]}"]
    by_name = {s.name: s for s in slis}
    for slo in slos:
        sli = by_name[slo.sli]
        got = results.get(slo.name)
        if got is None:
            problems.append(f"{what}: {slo.name}: no result")
            continue
        want_counts, broken = counts[sli.name]
        stale = got["stale"]
        if broken is not None and stale is not None:  # refused, so no data from there on
            if (got["status"], stale["code"]) != ("no_data", "source-bad-answer"):
                problems.append(f"{what}: {slo.name}: read refused, yet {got['status']} {stale}")
            continue
        want = expected(want_counts, slo, at)
        if stale is not None and (stale["kind"] != "no-series" or want.total):
            # no-series: no events, and its total query matched no series (a job that
            # stopped, or never ran): plain no data, its figures checked as any
            problems.append(f"{what}: {slo.name}: stale {stale}")
            continue
        problems += [f"{what}: {slo.name}: {p}" for p in _compare(got, want, sli)]
    return problems


def _rate(field: dict[str, Any] | None) -> Fraction | None:
    if field is None or field.get("exact") is None:
        return None
    return Fraction(field["exact"])


def _compare(got: dict[str, Any], want: Expected, sli: Sli) -> list[str]:
    problems = []
    if got["series"] != sli.key:
        problems.append(f"series {got['series']!r}, not {sli.key!r}")
    window = (got["window_start"], got["window_end"])
    if window != (utc(want.window[0]), utc(want.window[1])):
        problems.append(f"window {window}, not {utc(want.window[0])}…{utc(want.window[1])}")
    if (got["good"], got["total"]) != (want.good, want.total):
        problems.append(f"good/total {got['good']}/{got['total']}, not {want.good}/{want.total}")
    if got["status"] != want.status:
        problems.append(f"status {got['status']}, not {want.status}")
    if want.total == 0 and (_rate(got["sli_value"]) is not None or got["no_data"] is None):
        problems.append(f"no data reads as {got['sli_value']} ({got['no_data']!r})")
    burn = got["burn_rate"]
    if _rate(burn["rate"]) != want.burn.rate(_target(got)):
        problems.append(f"1h burn {burn['rate']}, not {want.burn.rate(_target(got))}")
    if burn["events"] != want.burn.events:
        problems.append(f"1h burn events {burn['events']}, not {want.burn.events}")
    tiers = {a["tier"]: a for a in got["alerts"]}
    if set(tiers) != set(TIERS):
        problems.append(f"tiers {sorted(tiers)}")
    for name, (long, short, firing, threshold) in want.tiers.items():
        tier = tiers.get(name)
        if tier is None:
            continue
        if _rate(tier["threshold"]) != threshold:
            problems.append(f"{name} threshold {tier['threshold']}, not {threshold}")
        for side, win in (("long", long), ("short", short)):
            rate = win.rate(_target(got))
            if _rate(tier[side]["rate"]) != rate:
                problems.append(f"{name} {side} rate {tier[side]['rate']}, not {rate}")
            if rate is None and tier[side]["no_data"] is None:
                problems.append(f"{name} {side}: no events, yet no no_data reason")
            if tier[side]["events"] != win.events:
                problems.append(f"{name} {side} events {tier[side]['events']}, not {win.events}")
        if tier["firing"] != firing:
            problems.append(f"{name} firing {tier['firing']}, not {firing}")
    return problems


def _target(got: dict[str, Any]) -> Fraction:
    return Fraction(got["target"]["exact"])
