"""The minute ranges of a first read fetched together and written in time order
(``services.prometheus_runs.read_runs``), against a local fake Prometheus: a series whose range
fails is not written further, the others are written in every range, one event per minute."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from covenant.core.promql import PrometheusSource, SeriesQueries
from covenant.services.prometheus_runs import gaps, read_runs
from covenant.services.store import open_store
from covenant.store.chunk_reads import read_matrix
from tests.sources.promfake import Answer, fake_prometheus

T0 = 1_790_000_000 - 1_790_000_000 % 86400
RUNS = [(T0, T0 + 3600), (T0 + 7200, T0 + 10800), (T0 + 14400, T0 + 18000)]


def _reads(url: str) -> list[SeriesQueries]:
    source = PrometheusSource(name="m", url=url, timeout_s=5.0)
    return [
        SeriesQueries(
            series=name,
            slos=(name,),
            sli=name,
            source=source,
            good=f"sum(increase({name}_total{{code='200'}}[{{{{.window}}}}]))",
            total=f"sum(increase({name}_total[{{{{.window}}}}]))",
        )
        for name in ("a", "b")
    ]


def _respond(form: dict[str, str], _: dict[str, str]) -> Answer:
    """A sample on every minute boundary, one more event each; ``a`` refused in range 1."""
    name = re.findall(r"^(\w+)_total", form["query"])[0]
    span = int(re.findall(r"\[(\d+)s\]", form["query"])[0])
    end = int(float(form["time"]))
    if name == "a" and RUNS[1][0] < end <= RUNS[1][1]:
        body = {"status": "error", "errorType": "bad_data", "error": "refused"}
        return Answer(status=400, body=json.dumps(body).encode())
    values = [[m, str((m - T0) // 60 + 1000)] for m in range(end - end % 60, end - span, -60)][::-1]
    labels = {"__name__": f"{name}_total", "code": "200"}
    result = [{"metric": labels, "values": values}]
    body = {"status": "success", "data": {"resultType": "matrix", "result": result}}
    return Answer(body=json.dumps(body).encode())


def test_a_series_whose_range_fails_is_not_written_further(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with fake_prometheus(_respond) as fake:
            out = read_runs(
                engine,
                _reads(fake.url),
                runs=RUNS,
                step=60,
                now=datetime(2026, 12, 1, tzinfo=UTC),
                settled=RUNS[-1][1],
                client_for=None,
                max_points=11_000,
            )
        assert [sorted(r.series for r in reports) for reports in out] == [
            ["a", "b"],
            ["a", "b"],
            ["b"],
        ]
        failed = next(r for r in out[1] if r.series == "a")
        assert failed.error is not None
        assert "refused" in failed.error.message
        minutes = (RUNS[-1][1] - T0) // 60
        with engine.connect() as conn:
            found = read_matrix(conn, keys=["a", "b"], start=T0, end=RUNS[-1][1])
        a_total, b_total = found.total[0][:minutes], found.total[1][:minutes]
        a_good, b_good = found.good[0][:minutes], found.good[1][:minutes]
        ranges = [range((lo - T0) // 60, (hi - T0) // 60) for lo, hi in RUNS]
        for i in range(minutes):
            inside = [k for k, r in enumerate(ranges) if i in r]
            # b: one event in every minute of every range; a: only in the first range's
            assert b_total[i] == (1 if inside else 0), i
            assert a_total[i] == (1 if inside == [0] else 0), i
            assert (a_good[i], b_good[i]) == (a_total[i], b_total[i])
    finally:
        engine.dispose()


def test_the_gaps_are_the_range_less_the_summed_days_and_hours_in_time_order() -> None:
    day, hour = 86400, 3600
    lo, end = T0 + 30 * 60, T0 + 3 * day + 2 * hour + 300
    found = gaps(lo, end, days=[T0 + day], hours=[T0 + 2 * hour, T0 + 2 * day + hour])
    assert found == [
        (lo, T0 + 2 * hour),
        (T0 + 3 * hour, T0 + day),
        (T0 + 2 * day, T0 + 2 * day + hour),
        (T0 + 2 * day + 2 * hour, end),
    ]
