"""A first read that takes whole days from the recorded counts equals a read of every sample.

Three services' counters are scraped every 30 s at unaligned instants (:13.5, :43.5) over a
week; ``api``'s counters restart once (a reset) in the middle of a day, ``db``'s in an hour no
edge cuts of a day an edge cuts. The generated rules' minute, hour and day counts are
back-filled with promtool (at their groups' own offsets within the minute, as Prometheus
evaluates them). ``evaluate --read``'s first read (``read_before_evaluating``) then stores
``web``'s and ``db``'s whole middle days as day sums — the witness holds — and the hours of the
days an edge cuts that no edge cuts as hour sums (``store.hour_pieces``; not ``db``'s hours
around its reset). ``api``'s reset makes the recorded day that holds it differ from the
counters' increase, so of its whole days only the first is a day sum; the other is asked by
hours, and only the two hours around the reset are read from its samples. Every evaluation
equals the one on a store read minute by minute,
and its counts equal the ones derived here from the events alone; an hour later the edges cut
summed hours, whose minutes (only theirs) the next read reads; a day later the sliding windows
cut a day-sum day, which the next read replaces with its minutes before evaluating.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.render.prom_rule_file import dump_yaml
from covenant.render.prom_rules import rule_groups
from covenant.services import prometheus_recorded
from covenant.services.evaluate import evaluate_objectives
from covenant.services.evaluate_read import read_before_evaluating
from covenant.services.incremental import EdgeCache
from covenant.services.prom_rules import plan_rules
from covenant.services.prometheus import ingest_prometheus
from covenant.services.read_claims import claim_reads
from covenant.services.store import open_store
from covenant.store.bucket_journal import forget_writes
from covenant.store.chunk_reads import read_edge_counts, series_rows
from covenant.store.day_sums import day_sum_days, hour_sum_days
from covenant.store.source_queries import aside_key
from tests.promserver import Sample, Server, backfill_rules, openmetrics_text, restart

DAY = 86400
START = 1_790_000_000 - 1_790_000_000 % DAY  # a midnight
DAYS = 8
END = START + DAYS * DAY
AT = START + 6 * DAY + 13 * 3600 + 17 * 60  # the first evaluation: 5-day windows end here
LATER = AT + 20 * 3600  # the 5-day window's start has slid into the next day
RESET_AFTER = START + 3 * DAY + 11 * 3600 + 13.5  # api's counters restart after this scrape
DB_RESET_AFTER = START + 5 * DAY + 4 * 3600 + 20 * 60 + 13.5  # db's: hour 4 of a cut day
RESETS = {"api": RESET_AFTER, "db": DB_RESET_AFTER}
SERVICES = ("api", "db", "web")
RULE_FILE = "rules.yml"


def _workspace(folder: Path, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    docs = [
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prom}\n"
        f'spec: {{type: Prometheus, connectionDetails: {{url: "{url}"}}}}\n'
    ]
    docs.extend(
        f"""apiVersion: openslo/v1
kind: SLI
metadata: {{name: {s}}}
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        metricSourceRef: prom
        spec: {{query: 'http_requests_total{{service="{s}",code="200"}}'}}
    total:
      metricSource:
        metricSourceRef: prom
        spec: {{query: 'http_requests_total{{service="{s}"}}'}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {{name: {s}-availability}}
spec:
  service: {s}
  indicatorRef: {s}
  timeWindow: [{{duration: 5d, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: 0.99}}]
"""
        for s in SERVICES
    )
    (folder / "slos.yaml").write_text("---\n".join(docs))
    return folder


def _events(service: str) -> dict[str, list[float]]:
    """Event instants per status code (a few per minute, more by day, some errors)."""
    rng = np.random.default_rng({"api": 7, "web": 8, "db": 9}[service])
    minutes = np.arange(START - 600, END + 600, 60)
    rate = 2 + 3 * (np.sin((minutes % DAY) / DAY * 2 * np.pi) > 0)
    n = rng.poisson(rate)
    at = np.repeat(minutes, n) + rng.uniform(0, 60, int(n.sum()))
    bad = rng.random(at.size) < 0.02
    return {"200": sorted(at[~bad].tolist()), "500": sorted(at[bad].tolist())}


def _scrapes() -> list[float]:
    return [START - 600 + 13.5 + 30 * k for k in range((END - START + 1200) // 30)]


def _samples(events: dict[str, dict[str, list[float]]]) -> list[Sample]:
    out = []
    for s in SERVICES:
        for code, instants in events[s].items():
            reset = RESETS.get(s)
            lost = bisect.bisect_left(instants, reset) if reset is not None else 0
            for t in _scrapes():
                value = bisect.bisect_left(instants, t)
                if reset is not None and t > reset:
                    value -= lost
                labels = {"service": s, "code": code}
                out.append(Sample("http_requests_total", labels, value, t))
    return out


def _expected(instants: list[float], lo: int, hi: int) -> int:
    """The events the samples reading counts in ``[lo, hi)``: each in the minute of the first
    scrape after it (the minute ``[a, a + 1m)`` holds the scrapes of ``(a, a + 1m]``); none is
    lost here (every series has a sample before the range and no silence)."""
    scrapes = _scrapes()
    count = 0
    for e in instants:
        i = bisect.bisect_right(scrapes, e)
        if i == len(scrapes):
            continue  # after the last scrape: never reported
        s = scrapes[i]
        minute = int(-(-s // 60)) * 60 - 60
        count += lo <= minute < hi
    return count


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, prometheus_release: str) -> Any:
    from tests.promserver import start_prometheus  # noqa: PLC0415

    events = {s: _events(s) for s in SERVICES}
    workdir = tmp_path_factory.mktemp("prometheus")
    text = openmetrics_text(_samples(events), counters=["http_requests"])
    server: Server = start_prometheus(workdir, openmetrics=text, release=prometheus_release)
    try:
        ws = _workspace(workdir / "ws", server.url)
        groups = rule_groups(plan_rules(load_workspace(ws)).targets, meta=False)
        for k, names in enumerate((("count1m",), ("count1d", "count1h"))):
            chosen = [
                {
                    **g,
                    "rules": [r for r in g["rules"] if r.get("record", "").endswith(names)],
                }
                for g in groups
            ]
            rule_file = workdir / RULE_FILE
            rule_file.write_text(dump_yaml({"groups": chosen}), encoding="utf-8")
            blocks = workdir / f"blocks{k}"
            backfill_rules(server, rule_file, start=START - 300, end=END, output_dir=blocks)
            server = restart(server, workdir, blocks=blocks)
        ws = _workspace(workdir / "ws", server.url)
        yield server, ws, events
    finally:
        server.stop()


def _evaluations(url: str, ws: Path, at: int) -> list[Any]:
    workspace = load_workspace(ws)
    engine = open_store(url)
    try:
        report = evaluate_objectives(engine, objectives=workspace.objectives, at=from_epoch(at))
    finally:
        engine.dispose()
    return list(report.evaluations)


def test_a_first_read_by_days_equals_a_read_of_every_sample(loaded: Any, tmp_path: Path) -> None:
    _, ws, events = loaded
    workspace = load_workspace(ws)
    reads = workspace.prometheus.reads  # type: ignore[union-attr]
    key = {o.slo: o.series for o in workspace.objectives}
    by_days, raw = f"sqlite:///{tmp_path / 'days.db'}", f"sqlite:///{tmp_path / 'raw.db'}"
    open_store(by_days).dispose()
    reports = read_before_evaluating(
        by_days, reads=reads, objectives=workspace.objectives, at=from_epoch(AT), every=True
    )
    assert [r.error for r in reports] == [None, None, None]
    assert [r.note for r in reports] == ["", "", ""]  # the recordings were there: no note
    engine = open_store(raw)
    try:
        done = ingest_prometheus(engine, reads=reads, start=from_epoch(START), end=from_epoch(END))
        assert [r.error for r in done] == [None, None, None]
    finally:
        engine.dispose()
    engine = open_store(by_days)
    try:
        with engine.connect() as conn:
            ids = series_rows(conn, list(key.values()))
            stored = day_sum_days(conn, series_ids=[i for i, _ in ids.values()], before=END)
    finally:
        engine.dispose()
    # web, db: the days no 5d/3d/1d edge cuts (AT − 4d, AT − 2d) as sums; api: not the day
    # after its reset's (the recorded day ending at its midnight holds the reset)
    assert stored == {
        **{
            ids[key[f"{s}-availability"]][0]: [START + 2 * DAY, START + 4 * DAY]
            for s in ("db", "web")
        },
        ids[key["api-availability"]][0]: [START + 2 * DAY],
    }, stored
    first = _evaluations(by_days, ws, AT)
    assert first == _evaluations(raw, ws, AT)
    for e in first:
        s = e.objective.slo.removesuffix("-availability")
        lo = AT - 5 * DAY
        assert e.good == _expected(events[s]["200"], lo, AT)
        assert e.total - e.good == _expected(events[s]["500"], lo, AT)
    # 20 hours later the 5-day and 3-day windows start inside the two days of sums: the next
    # read (evaluate's catch-up) reads their minutes before the evaluation
    again = read_before_evaluating(
        by_days, reads=reads, objectives=workspace.objectives, at=from_epoch(LATER), every=False
    )
    assert all(r.error is None for r in again)
    engine = open_store(by_days)
    try:
        with engine.connect() as conn:
            left = day_sum_days(conn, series_ids=[i for i, _ in ids.values()], before=END)
    finally:
        engine.dispose()
    assert left == {}  # both cut now: the 5-day start (START + 2d), the 3-day one (START + 4d)
    later = _evaluations(by_days, ws, LATER)
    assert later == _evaluations(raw, ws, LATER)
    for e in later:
        s = e.objective.slo.removesuffix("-availability")
        assert e.total == _expected(events[s]["200"] + events[s]["500"], LATER - 5 * DAY, LATER)


HOUR = 3600


def _windows(objective: Any) -> list[int]:
    """The objective's window and every alert window, in seconds (from its definition)."""
    found = {objective.window.seconds}
    for tier in objective.alert_tiers:
        found |= {tier.long_window_s, tier.short_window_s}
    found.add(300)  # the current burn rate's
    return sorted(found)


def _summed_hours(url: str, ids: list[int], days: list[int]) -> dict[int, set[int]]:
    """Per series id, the hour starts stored as their sums."""
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            pieces = hour_sum_days(conn, series_ids=ids, days=days)
    finally:
        engine.dispose()
    out: dict[int, set[int]] = {}
    for (i, day), mask in pieces.items():
        out.setdefault(i, set()).update(day + h * HOUR for h in range(24) if not mask >> h & 1)
    return out


def _window_counts(conn: Any, keys: list[str], at: int, windows: list[int]) -> Any:
    edges = sorted({at - w for w in windows} | {at})
    unread: dict[int, set[int]] = {}
    c = read_edge_counts(conn, keys=keys, edges=edges, unread=unread)
    assert unread == {}
    last = len(edges) - 1
    return {
        (k, w): (
            int(c.good[r, last] - c.good[r, edges.index(at - w)]),
            int(c.total[r, last] - c.total[r, edges.index(at - w)]),
        )
        for r, k in enumerate(keys)
        for w in windows
    }


def test_a_first_read_takes_the_uncut_hours_of_cut_days_as_sums(
    loaded: Any, tmp_path: Path
) -> None:
    _, ws, events = loaded
    workspace = load_workspace(ws)
    reads = workspace.prometheus.reads  # type: ignore[union-attr]
    key = {o.slo.removesuffix("-availability"): o.series for o in workspace.objectives}
    windows = _windows(workspace.objectives[0])
    assert all(_windows(o) == windows for o in workspace.objectives)
    url = f"sqlite:///{tmp_path / 'hours.db'}"
    open_store(url).dispose()
    reports = read_before_evaluating(
        url, reads=reads, objectives=workspace.objectives, at=from_epoch(AT), every=True
    )
    assert [r.error for r in reports] == [None, None, None]
    engine = open_store(url)
    with engine.connect() as conn:
        ids = {s: series_rows(conn, [key[s]])[key[s]][0] for s in SERVICES}
    engine.dispose()
    # derived here from the windows alone: the edges, the hours they cut, the hours of the
    # days they cut that none cuts (after the first edge's hour, before the current one)
    edges = sorted({AT - w for w in windows} | {AT})
    lo = edges[0]
    cut_days = sorted({e - e % DAY for e in edges if e % DAY})
    cut_hours = {e - e % HOUR for e in edges if e % HOUR}
    free = {
        h
        for d in cut_days
        for h in range(d, d + DAY, HOUR)
        if h not in cut_hours and lo < h and h + HOUR <= AT
    }
    db_reset_hours = {START + 5 * DAY + 4 * HOUR, START + 5 * DAY + 5 * HOUR}
    after_reset = START + 4 * DAY  # api's whole day whose recorded day holds its reset
    summed = _summed_hours(url, list(ids.values()), [*cut_days, after_reset])
    assert summed[ids["web"]] == free
    assert summed[ids["db"]] == free - db_reset_hours  # the reset's hours: not sums
    # api: the day after the reset by hours, every one of them; the reset's two hours not sums
    # (which two depends on the rule group's offset within the minute: the reset is 13.5 s
    # after 11:00)
    api_hours = free | set(range(after_reset, after_reset + DAY, HOUR))
    left_out = sorted(api_hours - summed[ids["api"]])
    reset_hour = int(RESET_AFTER) - int(RESET_AFTER) % HOUR
    assert left_out in ([reset_hour - HOUR, reset_hour], [reset_hour, reset_hour + HOUR])
    assert summed[ids["api"]] <= api_hours
    # minutes read from samples: the cut hours' (from the first edge on) and the reset hours
    minutes = {r.series: r.buckets for r in reports}
    in_cut = sum((min(h + HOUR, AT) - max(h, lo)) // 60 for h in cut_hours)
    by_days = (AT - lo - 2 * DAY) // 60  # what the read by days alone read
    assert minutes[key["web"]] == in_cut
    assert minutes[key["db"]] == in_cut + 120
    assert minutes[key["api"]] == in_cut + 120
    print(f"minutes read per series: by days {by_days}, by hours {in_cut}")
    assert in_cut * 10 < by_days

    # every (SLO, window) count equals the one derived from the events
    def check(at: int) -> None:
        engine = open_store(url)
        try:
            with engine.connect() as conn:
                counts = _window_counts(conn, [key[s] for s in SERVICES], at, windows)
        finally:
            engine.dispose()
        for s in SERVICES:
            for w in windows:
                good = _expected(events[s]["200"], at - w, at)
                bad = _expected(events[s]["500"], at - w, at)
                assert counts[(key[s], w)] == (good, good + bad), (s, w, at)

    check(AT)
    # 50 minutes later every edge has crossed an hour boundary: the next read reads the minutes
    # of the summed hours the edges now cut, and only those
    soon = AT + 50 * 60
    again = read_before_evaluating(
        url, reads=reads, objectives=workspace.objectives, at=from_epoch(soon), every=False
    )
    assert all(r.error is None for r in again)
    now_cut = {e - e % HOUR for e in {soon - w for w in windows} if e % HOUR}
    left = _summed_hours(url, list(ids.values()), [*cut_days, after_reset])
    assert left[ids["web"]] == free - now_cut
    assert left[ids["db"]] == free - db_reset_hours - now_cut
    assert left[ids["api"]] == summed[ids["api"]] - now_cut
    check(soon)


def test_the_worker_tick_stays_exact_as_its_edges_cross_summed_hours(
    loaded: Any, tmp_path: Path
) -> None:
    _, ws, events = loaded
    workspace = load_workspace(ws)
    reads = workspace.prometheus.reads  # type: ignore[union-attr]
    keys = [o.series for o in workspace.objectives]
    service = {o.series: o.slo.removesuffix("-availability") for o in workspace.objectives}
    windows = _windows(workspace.objectives[0])
    # each event's minute as the samples reading counts it (``_expected``), for quick counts
    minute_of = {
        (s, code): _minutes_counted(events[s][code]) for s in SERVICES for code in ("200", "500")
    }

    def expected(s: str, code: str, lo: int, hi: int) -> int:
        m = minute_of[(s, code)]
        return int(np.searchsorted(m, hi) - np.searchsorted(m, lo))

    url = f"sqlite:///{tmp_path / 'tick.db'}"
    open_store(url).dispose()
    first = read_before_evaluating(
        url, reads=reads, objectives=workspace.objectives, at=from_epoch(AT), every=True
    )
    assert all(r.error is None for r in first)
    cache = EdgeCache()
    hits = 0
    for at in range(AT, AT + 50 * 60 + 1, 60):  # the worker's minute ticks, across 14:00
        if at > AT:  # its catch-up: the new minutes, and the summed hours its edges now cut
            done = read_before_evaluating(
                url, reads=reads, objectives=workspace.objectives, at=from_epoch(at), every=False
            )
            assert all(r.error is None for r in done)
        edges = sorted({at - w for w in windows} | {at})
        engine = open_store(url)
        try:
            with engine.begin() as conn:
                counts, stats = cache.counts(conn, keys=keys, edges=edges)
                forget_writes(conn, stats.seqs)  # as the worker does after its tick
        finally:
            engine.dispose()
        assert stats.unread == {}, at
        hits += stats.ahead_hits
        last = len(edges) - 1
        for row, k in enumerate(keys):
            s = service[k]
            for w in windows:
                j = edges.index(at - w)
                good = int(counts.good[row, last] - counts.good[row, j])
                total = int(counts.total[row, last] - counts.total[row, j])
                want_good = expected(s, "200", at - w, at)
                assert (good, total) == (want_good, want_good + expected(s, "500", at - w, at)), (
                    s,
                    w,
                    at,
                )
    assert hits  # buckets read ahead answered some ticks


def _minutes_counted(instants: list[float]) -> Any:
    """The minute ``_expected`` counts each event in (sorted; none for an event never
    reported, after the last scrape)."""
    scrapes = np.asarray(_scrapes())
    i = np.searchsorted(scrapes, np.asarray(instants), side="right")
    s = scrapes[i[i < scrapes.size]]
    return np.sort(np.ceil(s / 60).astype(np.int64) * 60 - 60)


def test_the_hour_witness_over_days_of_hours_in_pieces(loaded: Any) -> None:
    """The recorded hours of 2 days and an hour, then 6 hours two days later (two runs, of 49
    hours and of 6): each witnessed hour's good and
    total are the events' in it, every hour of web (no reset) is witnessed, and db's hour with
    its counter reset (04:20 of day 5) is not, nor hour 5: a UTC hour is witnessed by the two
    recordings that cover it (the group evaluates a few seconds after each hour), and the one
    stamped just after 05:00 covers the reset."""
    from covenant.core.alert_rules import service_label, slo_label  # noqa: PLC0415
    from covenant.services.prometheus_recorded import _witnessed  # noqa: PLC0415
    from covenant.sources.prometheus.recorded import Recorded  # noqa: PLC0415

    _, ws, events = loaded
    workspace = load_workspace(ws)
    hours = [START + DAY + k * HOUR for k in range(49)]
    hours += [START + 5 * DAY + k * HOUR for k in range(6)]
    recs = []
    for r in workspace.prometheus.reads:  # type: ignore[union-attr]
        (o, *_) = [o for o in workspace.objectives if o.series == r.series]
        recs.append(Recorded(queries=r, sloth_id=f"{service_label(o)}-{slo_label(o)}"))
    found = _witnessed(recs, periods=hours, span=HOUR, client_for=None)
    by_service = {s: found[r.queries.series] for s in SERVICES for r in recs if s in r.sloth_id}
    for service, sums in by_service.items():
        for k, h in enumerate(hours):
            if not sums.ok[k]:
                continue
            bad = _expected(events[service]["500"], h, h + HOUR)
            good = _expected(events[service]["200"], h, h + HOUR)
            assert (int(sums.good[k]), int(sums.total[k])) == (good, good + bad), (service, k)
    assert bool(by_service["web"].ok.all())
    unwitnessed = {hours[k] for k in np.flatnonzero(~by_service["db"].ok)}
    assert unwitnessed == {START + 5 * DAY + 4 * HOUR, START + 5 * DAY + 5 * HOUR}


def test_a_first_read_that_sums_its_whole_range_records_its_frontier(
    loaded: Any, tmp_path: Path
) -> None:
    """At a past hour, with no alert windows shorter than an hour (here none), no edge cuts
    an hour: web's whole range is day sums and witnessed hour sums, with no minutes to read.
    Its read frontier is still recorded at that hour (before, none was: every later ``evaluate
    --read`` took it for a series never read and read it again by days), and its counts are
    the events'."""
    from dataclasses import replace  # noqa: PLC0415

    from covenant.store.source_state import read_states  # noqa: PLC0415

    _, ws, events = loaded
    workspace = load_workspace(ws)
    reads = workspace.prometheus.reads  # type: ignore[union-attr]
    objectives = [replace(o, alert_tiers=()) for o in workspace.objectives]
    (web,) = [o for o in objectives if o.slo == "web-availability"]
    at = START + 6 * DAY + 13 * 3600  # an hour boundary inside the data
    url = f"sqlite:///{tmp_path / 'covenant.db'}"
    reports = read_before_evaluating(
        url, reads=reads, objectives=objectives, at=from_epoch(at), every=True
    )
    assert all(r.error is None for r in reports)
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            state = read_states(conn, keys=[web.series])[web.series]
        (row,) = evaluate_objectives(engine, objectives=[web], at=from_epoch(at)).evaluations
    finally:
        engine.dispose()
    assert state.read_until == at
    lo = at - 5 * DAY
    assert row.good == _expected(events["web"]["200"], lo, at)
    assert row.total - row.good == _expected(events["web"]["500"], lo, at)


def test_sums_of_a_first_read_whose_sli_another_process_claimed_go_nowhere_else(
    loaded: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """Another process, with another definition of every SLI, claims them while this first
    read asks the recorded counts: the day and hour sums are not written into the other
    query's series, and this read's own catch-up claims the SLIs back (setting the other
    query's, empty, aside) and reads them from every sample, exact."""
    _, ws, events = loaded
    workspace = load_workspace(ws)
    reads = workspace.prometheus.reads  # type: ignore[union-attr]
    url = f"sqlite:///{tmp_path / 'days.db'}"
    open_store(url).dispose()
    others = [replace(r, total=f"({r.total}) * 1") for r in reads]
    witnessed = prometheus_recorded._witnessed
    claimed: list[list[str]] = []
    once = threading.Lock()  # the witnesses run on two threads

    def then_another(*args: Any, **kwargs: Any) -> Any:
        found = witnessed(*args, **kwargs)
        with once:
            if not claimed:  # the other process, once, between the witness and the write
                engine = open_store(url)
                try:
                    done = claim_reads(engine, others, step=60, at=from_epoch(AT))
                finally:
                    engine.dispose()
                claimed.append(sorted(done))
        return found

    monkeypatch.setattr(prometheus_recorded, "_witnessed", then_another)
    reports = read_before_evaluating(
        url, reads=reads, objectives=workspace.objectives, at=from_epoch(AT), every=True
    )
    assert claimed == [sorted(r.series for r in reads)]  # this read's (empty) series set aside
    assert [r.error for r in reports] == [None] * len(reports)
    # its catch-up claimed them back from the other query (whose series are set aside)
    assert {r.series for r in reports if r.query_changed is not None} == {r.series for r in reads}
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            keys = [aside_key(r.series, o.fingerprint) for r, o in zip(reads, others, strict=True)]
            aside = series_rows(conn, keys)
            assert len(aside) == len(reads)  # claimed back by this read's catch-up
            held = [i for i, _ in aside.values()]
            assert day_sum_days(conn, series_ids=held, before=END) == {}
            every_day = list(range(START, END, DAY))
            assert hour_sum_days(conn, series_ids=held, days=every_day) == {}
            m = read_edge_counts(conn, keys=keys, edges=[START, END], step=60)
            assert int(m.total.sum()) == 0
    finally:
        engine.dispose()
    for e in _evaluations(url, ws, AT):
        s = e.objective.slo.removesuffix("-availability")
        assert e.total == _expected(events[s]["200"] + events[s]["500"], AT - 5 * DAY, AT)
