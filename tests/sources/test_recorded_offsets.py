"""How the first read by days finds each rule group's recordings (the real server's reads:
tests/services/test_prometheus_recorded.py). The answers here are written by hand: one
instant of ``timestamp()``, then the recordings at exactly each recording instant."""

from __future__ import annotations

import numpy as np

from covenant.core.promql import PrometheusSource, SeriesQueries
from covenant.sources.prometheus.client import Series
from covenant.sources.prometheus.recorded import (
    DAY,
    NO_RECORDINGS,
    Recorded,
    _offset,
    _recordings,
    recorded_days,
)

FIRST = 1_790_000_000 // DAY * DAY  # a midnight


def series(sid: str, times: list[int], values: list[float], **labels: str) -> Series:
    return Series(
        labels={"sloth_id": sid, **labels},
        times=np.array(times, dtype=np.int64),
        values=np.array(values, dtype=np.float64),
    )


class Answers:
    """A client answering each query from a table: the stamps query, then good and total."""

    def __init__(self, stamps: list[Series], values: dict[str, list[Series]]) -> None:
        self.stamps, self.values = stamps, values
        self.asked: list[tuple[str, int, int, int]] = []

    def query_range(self, query: str, *, start: int, end: int, step: int) -> list[Series]:
        self.asked.append((query, start, end, step))
        if query.startswith("timestamp("):
            return self.stamps
        return self.values["good" if "sli_good" in query else "total"]


def test_offsets_group_the_reads_and_a_missing_recording_or_a_repeated_id_is_none() -> None:
    at = [FIRST + 60, FIRST + DAY + 60, FIRST + 2 * DAY + 60]
    stamps = [
        series("a", at[:1], [FIRST + 11.397]),  # offset 11,397 ms
        series("b", at[:1], [FIRST + 11.397]),
        series("c", at[:1], [FIRST + 48.603]),  # another group: 48,603 ms
        series("d", at[:1], [FIRST + 48.603]),  # no total recording on the last day
        series("e", at[:1], [FIRST - 30.0]),  # stamped before the midnight: not after it
        series("f", at[:1], [FIRST + 5.0], replica="1"),  # one id, two series
        series("f", at[:1], [FIRST + 5.0], replica="2"),
    ]
    every = {sid: series(sid, at, [1.0, 2.0, 3.0]) for sid in "abcf"}
    values = {
        "good": [*every.values(), series("d", at, [1.0, 2.0, 3.0])],
        "total": [*every.values(), series("d", at[:2], [1.0, 2.0])],
    }
    client = Answers(stamps, values)
    found = _recordings(client, list("abcdef"), first=FIRST, n=2)  # type: ignore[arg-type]
    assert sorted(found) == ["a", "b", "c", "d"]
    assert {k: _offset(v) for k, v in found.items()} == {
        "a": 11_397,
        "b": 11_397,
        "c": 48_603,
        "d": None,  # a day without its recording at the offset: the SLI is read from samples
    }
    assert _offset(None) is None
    # one instant for the stamps; each recording asked at exactly its group's instants
    (stamp_q, s0, s1, _), (good_q, g0, g1, step), _ = client.asked
    assert stamp_q.startswith("timestamp(covenant:sli_total:count1d{")
    assert (s0, s1) == (FIRST + 60, FIRST + 60)
    assert (g0, g1, step) == (FIRST + 60, FIRST + 2 * DAY + 60, DAY)
    assert 'sloth_id=~"a|b"}[1ms] offset 48603ms)' in good_q
    assert 'sloth_id=~"c|d"}[1ms] offset 11397ms)' in good_q
    assert '"f"' not in good_q
    assert '"e"' not in good_q


def test_no_stamp_after_the_first_midnight_asks_nothing_more() -> None:
    client = Answers([], {"good": [], "total": []})
    assert _recordings(client, ["a"], first=FIRST, n=3) == {}  # type: ignore[arg-type]
    assert len(client.asked) == 1


def test_without_recordings_the_counters_are_not_asked_for() -> None:
    """No rules loaded: one cheap question per group of reads (the stamps at one instant),
    not the month of counters at every midnight; each read is left to its samples."""
    source = PrometheusSource(name="prom", url="http://127.0.0.1:9", timeout_s=5.0)
    reads = [
        Recorded(
            queries=SeriesQueries(
                series=job,
                slos=(f"{job}-availability",),
                sli=job,
                source=source,
                good=f'sum(increase(http_requests_total{{job="{job}",code="200"}}[{{{{.window}}}}]))',
                total=f'sum(increase(http_requests_total{{job="{job}"}}[{{{{.window}}}}]))',
            ),
            sloth_id=f"{job}-availability",
        )
        for job in ("api", "web")
    ]
    client = Answers([], {"good": [], "total": []})
    found = recorded_days(client, reads, first=FIRST, n=30)  # type: ignore[arg-type]
    assert [q for q, *_ in client.asked] == [
        'timestamp(covenant:sli_total:count1d{sloth_id=~"api-availability|web-availability"})'
    ]
    assert [(d.ok.any(), d.why) for d in found] == [(False, NO_RECORDINGS)] * 2
