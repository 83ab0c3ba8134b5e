"""Reading and classifying event files: formats, line numbers, bad rows, rules, brute force."""

from __future__ import annotations

import csv
import gzip
import io
import json
import tempfile
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covenant.core.model import Comparison, EventRule, Operator
from covenant.errors import IngestError
from covenant.sources.events import ClassifiedEvents, read_events

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
AVAIL = EventRule(series="checkout-availability", sli="checkout")
FAST = EventRule(
    series="checkout-latency:lte300",
    sli="checkout",
    latency_ms=Comparison(op=Operator.LTE, threshold=Fraction(300)),
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def counts(result: ClassifiedEvents) -> dict[tuple[str, int], tuple[int, int]]:
    c = result.counts
    return {
        (c.keys[s], int(b)): (int(g), int(t))
        for s, b, g, t in zip(c.series, c.bucket_starts, c.good, c.total, strict=True)
    }


def test_csv_buckets_and_classifies_status_and_latency(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "e.csv",
        "timestamp,sli,status,latency_ms\n"
        "2026-01-01T00:00:10Z,checkout,200,120\n"
        "2026-01-01T00:00:59.999Z,checkout,503,20\n"
        "2026-01-01T01:01:00+01:00,checkout,200,900\n"  # = 00:01 UTC
        "2026-01-01T00:00:20Z,search,200,1\n",
    )
    result = read_events(path, rules=[AVAIL, FAST])
    assert counts(result) == {
        ("checkout-availability", T0): (1, 2),
        ("checkout-availability", T0 + 60): (1, 1),
        ("checkout-latency:lte300", T0): (2, 2),
        ("checkout-latency:lte300", T0 + 60): (0, 1),
    }
    assert (result.rows_read, result.rows_ingested, result.rows_rejected) == (4, 3, 0)
    assert result.rows_unmatched == 1
    assert result.unmatched == (("sli=search", 1),)
    assert (result.events_min, result.events_max) == (T0 + 10, T0 + 60)


def test_csv_bad_rows_carry_file_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.csv",
        "timestamp,sli,status\n"  # line 1
        "2026-01-01T00:00:00Z,checkout,200\n"  # 2
        '"2026-01-01T00:00:00Z","checkout",500\n'  # 3
        "\n"  # 4 (blank, skipped)
        '2026-01-01T00:00:00Z,"check\nout",200\n'  # 5-6 (quoted newline: unmatched)
        "2026-01-01T00:02:00,checkout,200\n"  # 7 naive
        "2026-01-01T00:03:00Z,checkout,abc\n"  # 8 bad status
        "1,2\n"  # 9 wrong column count
        "not a time,checkout,200\n"  # 10
        "2026-01-01T00:04:00Z,checkout,404\n",  # 11
    )
    result = read_events(path, rules=[AVAIL])
    where = {p.where: p for p in result.problems}
    assert set(where) == {"bad.csv:7", "bad.csv:8", "bad.csv:9", "bad.csv:10"}
    assert "no UTC offset; add Z" in where["bad.csv:7"].message
    assert where["bad.csv:7"].field == "timestamp"
    assert where["bad.csv:8"].field == "status"
    assert result.rows_rejected == 4
    assert result.rows_ingested == 3
    assert result.rows_read == 8
    assert counts(result) == {
        ("checkout-availability", T0): (1, 2),
        ("checkout-availability", T0 + 240): (1, 1),
    }


def test_jsonl_line_numbers_skip_blank_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"timestamp": "2026-01-01T00:00:00Z", "sli": "checkout", "outcome": "ok"}),
        "",
        json.dumps({"timestamp": "2026-01-01T00:00:00", "sli": "checkout", "outcome": "ok"}),
        json.dumps({"timestamp": "2026-01-01T00:00:00Z", "sli": "checkout", "outcome": "meh"}),
        json.dumps({"timestamp": "2026-01-01T00:00:30Z", "sli": "checkout", "outcome": "error"}),
    ]
    path = write(tmp_path, "e.jsonl", "\n".join(lines) + "\n")
    result = read_events(path, rules=[AVAIL])
    assert [(p.where, p.field) for p in result.problems] == [
        ("e.jsonl:3", "timestamp"),
        ("e.jsonl:4", "outcome"),
    ]
    assert counts(result) == {("checkout-availability", T0): (1, 2)}


def test_jsonl_with_broken_lines_and_mixed_types_takes_the_careful_path(tmp_path: Path) -> None:
    lines = [
        json.dumps({"timestamp": T0 + 5, "sli": "checkout", "status": 200}),
        "{not json",
        json.dumps({"timestamp": "2026-01-01T00:00:07Z", "sli": "checkout", "status": "500"}),
        json.dumps({"timestamp": (T0 + 61) * 1000, "sli": "checkout", "status": 200}),
    ]
    path = write(tmp_path, "mixed.jsonl", "\n".join(lines))
    result = read_events(path, rules=[AVAIL])
    assert [p.where for p in result.problems] == ["mixed.jsonl:2"]
    assert result.rows_rejected == 1
    assert counts(result) == {
        ("checkout-availability", T0): (1, 2),
        ("checkout-availability", T0 + 60): (1, 1),
    }


def test_epoch_seconds_and_milliseconds_in_csv(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "epoch.csv",
        f"timestamp,sli,outcome\n{T0 + 1},checkout,true\n{(T0 + 2) * 1000},checkout,false\n"
        f"{T0 + 3}.5,checkout,1\n",
    )
    result = read_events(path, rules=[AVAIL])
    assert counts(result) == {("checkout-availability", T0): (2, 3)}


def test_parquet_with_service_matching_and_fan_out(tmp_path: Path) -> None:
    rules = [
        AVAIL,
        FAST,
        EventRule(series="payments-availability", sli="payments", service="pay"),
    ]
    table = pa.table(
        {
            "timestamp": pa.array(
                [T0 * 1000, T0 * 1000 + 500, T0 * 1000], pa.timestamp("ms", "UTC")
            ),
            "sli": ["checkout", None, "other"],
            "service": ["web", "pay", "pay"],
            "status": [200, 502, 200],
            "latency_ms": [301.0, 5.0, 1.0],
        }
    )
    path = tmp_path / "e.parquet"
    pq.write_table(table, path)
    result = read_events(path, rules=rules)
    assert counts(result) == {
        ("checkout-availability", T0): (1, 1),
        ("checkout-latency:lte300", T0): (0, 1),
        ("payments-availability", T0): (1, 2),
    }


def test_a_naive_parquet_timestamp_column_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "naive.parquet"
    pq.write_table(
        pa.table(
            {"timestamp": pa.array([T0], pa.timestamp("s")), "sli": ["checkout"], "status": [200]}
        ),
        path,
    )
    with pytest.raises(IngestError, match="time zone"):
        read_events(path, rules=[AVAIL])


def test_precounted_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "counts.csv",
        "timestamp,sli,good,total\n"
        "2026-01-01T00:00:00Z,checkout-availability,99,100\n"
        "2026-01-01T00:00:30Z,checkout-availability,10,10\n"
        "2026-01-01T00:01:00Z,checkout-availability,11,10\n"  # good > total
        "2026-01-01T00:02:00Z,checkout-availability,-1,10\n",
    )
    result = read_events(path, rules=[AVAIL, FAST])
    assert result.precounted
    assert counts(result) == {("checkout-availability", T0): (109, 110)}
    assert [p.where for p in result.problems] == ["counts.csv:4", "counts.csv:5"]


def test_gzipped_csv(tmp_path: Path) -> None:
    path = tmp_path / "e.csv.gz"
    path.write_bytes(gzip.compress(b"timestamp,sli,status\n2026-01-01T00:00:00Z,checkout,500\n"))
    result = read_events(path, rules=[AVAIL])
    assert counts(result) == {("checkout-availability", T0): (0, 1)}


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("e.txt", b"x", "file format"),
        ("e.csv", b"sli,status\ncheckout,200\n", "timestamp"),
        ("e.csv", b"timestamp,status\n2026-01-01T00:00:00Z,200\n", "sli"),
        ("e.csv", b"timestamp,sli\n2026-01-01T00:00:00Z,checkout\n", "outcome"),
        ("e.parquet", b"not parquet at all", "Parquet"),
        ("e.csv.gz", b"not gzip", "gzip"),
    ],
)
def test_unreadable_files_raise_ingest_error_with_a_fix(
    tmp_path: Path, name: str, content: bytes, match: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError, match=match) as info:
        read_events(path, rules=[AVAIL])
    assert info.value.hint


def test_thresholds_compare_as_written(tmp_path: Path) -> None:
    rule = EventRule(
        series="x", sli="checkout", latency_ms=Comparison(op=Operator.LT, threshold=Fraction(1, 10))
    )
    path = write(
        tmp_path,
        "t.csv",
        "timestamp,sli,latency_ms\n2026-01-01T00:00:00Z,checkout,0.1\n"
        "2026-01-01T00:00:00Z,checkout,0.09\n",
    )
    assert counts(read_events(path, rules=[rule])) == {("x", T0): (1, 2)}


events = st.lists(
    st.tuples(
        st.integers(min_value=-5000, max_value=5000),  # seconds around T0
        st.sampled_from(["a", "b", "c", "zzz"]),
        st.sampled_from([200, 204, 404, 499, 500, 503]),
        st.integers(min_value=0, max_value=1000),
    ),
    min_size=1,
    max_size=80,
)


@settings(max_examples=40, deadline=None)
@given(rows=events, as_epoch=st.booleans())
def test_counts_equal_a_naive_python_count(
    rows: list[tuple[int, str, int, int]], as_epoch: bool
) -> None:
    rules = [
        EventRule(series="a-avail", sli="a"),
        EventRule(
            series="a-fast", sli="a", latency_ms=Comparison(op=Operator.LT, threshold=Fraction(500))
        ),
        EventRule(
            series="b-ok", sli="b", status=Comparison(op=Operator.LT, threshold=Fraction(400))
        ),
        EventRule(series="c-avail", sli="c"),
    ]
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["timestamp", "sli", "status", "latency_ms"])
    for offset, sli, status, latency in rows:
        moment = np.datetime64(T0 + offset, "s").astype(str) + "Z"
        out.writerow([T0 + offset if as_epoch else moment, sli, status, latency])
    expected: Counter[tuple[str, int, bool]] = Counter()
    for offset, sli, status, latency in rows:
        bucket = (T0 + offset) // 60 * 60
        for rule in rules:
            if rule.sli != sli:
                continue
            if rule.latency_ms is not None:
                good = latency < 500
            elif rule.status is not None:
                good = status < 400
            else:
                good = status < 500
            expected[(rule.series, bucket, good)] += 1
    naive = {}
    for series, bucket, _ in expected:
        naive[(series, bucket)] = (
            expected[(series, bucket, True)],
            expected[(series, bucket, True)] + expected[(series, bucket, False)],
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.csv"
        path.write_text(buffer.getvalue())
        result = read_events(path, rules=rules)
    assert counts(result) == naive
    assert result.rows_unmatched == sum(1 for r in rows if r[1] == "zzz")
    assert result.rows_rejected == 0
