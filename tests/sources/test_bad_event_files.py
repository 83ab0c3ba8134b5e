"""Hostile event files: each gets a coded error or a bad-row problem with its line, never a crash.

Also: files are read in bounded batches, and batching changes nothing in what is counted.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from covenant.core.model import EventRule
from covenant.errors import IngestError
from covenant.sources import eventcounts as counts_module
from covenant.sources.events import ClassifiedEvents, iter_classified, read_events

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
AVAIL = EventRule(series="checkout-availability", sli="checkout")
GOOD_LINE = '{"timestamp":"2026-01-01T00:00:00Z","sli":"checkout","status":200}'


def problems(result: ClassifiedEvents) -> list[tuple[str, str, str]]:
    return [(p.where, p.code, p.message) for p in result.problems]


def counts(result: ClassifiedEvents) -> dict[int, tuple[int, int]]:
    c = result.counts
    return {
        int(b): (int(g), int(t)) for b, g, t in zip(c.bucket_starts, c.good, c.total, strict=True)
    }


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("null", "line is not a JSON object"),
        ("[" * 100_000, "line is not a JSON object"),
        ('{"timestamp":' + '{"a":' * 100_000 + "1" + "}" * 100_001, "nests more than 64"),
        ('{"timestamp":"2026-01-01T00:00:01Z","x":' + "[" * 70 + "]" * 70 + "}", "nests more"),
        ("42", "line is not a JSON object"),
        ('{"timestamp": "2026-01-01T00:00:01Z", "sli": ', "line is not valid JSON"),
    ],
)
def test_jsonl_lines_pyarrow_cannot_take_are_bad_rows(
    tmp_path: Path, bad_line: str, message: str
) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text(f"{GOOD_LINE}\n{bad_line}\n\n{GOOD_LINE}\n")
    result = read_events(path, rules=[AVAIL])
    assert result.rows_read == 3
    assert result.rows_ingested == 2
    assert result.rows_rejected == 1
    ((where, code, text),) = problems(result)
    assert where == "e.jsonl:2"
    assert code == "bad-row"
    assert message in text
    assert counts(result) == {T0: (2, 2)}


def test_a_file_of_nothing_but_bad_lines_reports_each(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text("null\nnull\n")
    result = read_events(path, rules=[AVAIL])
    assert (result.rows_read, result.rows_ingested, result.rows_rejected) == (2, 0, 2)
    assert [w for w, _, _ in problems(result)] == ["e.jsonl:1", "e.jsonl:2"]


def test_a_latin1_byte_in_a_jsonl_key_is_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_bytes(
        GOOD_LINE.encode()
        + b'\n{"timestamp":"2026-01-01T00:00:00Z","sli":"checkout","caf\xe9":1}\n'
        + GOOD_LINE.encode()
        + b"\n"
    )
    result = read_events(path, rules=[AVAIL])
    ((where, code, text),) = problems(result)
    assert (where, code) == ("e.jsonl:2", "bad-row")
    assert "not UTF-8" in text
    assert "0xe9" in text
    assert counts(result) == {T0: (2, 2)}


def test_a_latin1_byte_in_a_csv_cell_is_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(
        b"timestamp,sli,status\n"
        b"2026-01-01T00:00:00Z,checkout,200\n"
        b"2026-01-01T00:00:00Z,caf\xe9,200\n"
        b"2026-01-01T00:00:01Z,checkout,503\n"
    )
    result = read_events(path, rules=[AVAIL])
    ((where, code, text),) = problems(result)
    assert (where, code) == ("e.csv:3", "bad-row")
    assert "UTF-8" in text
    assert counts(result) == {T0: (1, 2)}


OPENMETRICS = (
    b"# TYPE http_requests counter\n"
    b'http_requests_total{code="200",job="api"} 5 1796083207.300\n'
    b"# EOF\n"
)


@pytest.mark.parametrize("name", ["data.om", "metrics.prom", "data.om.gz", "data.csv"])
def test_an_openmetrics_file_is_named_and_sent_to_prometheus(tmp_path: Path, name: str) -> None:
    """A stranger with counters in an OpenMetrics file (to back-fill into Prometheus) tried
    `covenant ingest events data.om` and read "cannot tell the file format from its name —
    name event files *.csv …"; renamed data.csv, every line was a rejected row, the file
    recorded as ingested, exit 0. Counters' samples are not request events: the error says so
    and where they go."""
    path = tmp_path / name
    path.write_bytes(gzip.compress(OPENMETRICS) if name.endswith(".gz") else OPENMETRICS)
    with pytest.raises(IngestError) as info:
        read_events(path, rules=[AVAIL])
    assert info.value.code == "ingest-error"
    assert info.value.message.startswith(
        f"{name}: a Prometheus/OpenMetrics exposition of counters' samples, not request events"
    )
    assert "promtool tsdb create-blocks-from openmetrics" in info.value.hint
    assert "covenant ingest prometheus" in info.value.hint


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        (
            "e.csv",
            b"timestamp,sli,status,status\n2026-01-01T00:00:00Z,a,200,500\n",
            "'status' twice",
        ),
        ("e.csv", "timestamp,sli,status\n2026-01-01T00:00:00Z,a,200\n".encode("utf-16"), "UTF-16"),
        ("e.jsonl", (GOOD_LINE + "\n").encode("utf-16-le"), "UTF-16"),
        ("e.csv", b"timestamp,sli,caf\xe9\n", "header is not UTF-8"),
        ("e.csv", b"", "empty"),
        ("e.csv", b"\n\n", "empty"),
    ],
)
def test_unreadable_headers_and_encodings_are_ingest_errors(
    tmp_path: Path, name: str, content: bytes, match: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError, match=match) as info:
        read_events(path, rules=[AVAIL])
    assert info.value.code == "ingest-error"
    assert info.value.hint


def test_a_utf8_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(b"\xef\xbb\xbftimestamp,sli,status\n2026-01-01T00:00:00Z,checkout,200\n")
    assert counts(read_events(path, rules=[AVAIL])) == {T0: (1, 1)}


def test_struct_columns_in_jsonl_and_parquet(tmp_path: Path) -> None:
    jsonl = tmp_path / "e.jsonl"
    jsonl.write_text(
        GOOD_LINE[:-1]
        + ',"meta":{"a":1}}\n'
        + '{"timestamp":"2026-01-01T00:00:00Z","sli":{"a":1},"status":200}\n'
        + '{"timestamp":"2026-01-01T00:00:00Z","sli":"checkout","status":{"code":200}}\n'
    )
    result = read_events(jsonl, rules=[AVAIL])
    assert counts(result) == {T0: (1, 1)}  # an unused struct column is no problem
    assert [(w, c) for w, c, _ in problems(result)] == [
        ("e.jsonl:2", "bad-row"),  # pyarrow refuses the mixed column: read line by line
        ("e.jsonl:3", "bad-value"),
    ]
    assert "sli is an object or a list" in problems(result)[0][2]
    assert "not an HTTP status code" in problems(result)[1][2]

    parquet = tmp_path / "e.parquet"
    pq.write_table(
        pa.table(
            {
                "timestamp": ["2026-01-01T00:00:00Z"] * 2,
                "sli": pa.array([{"a": 1}, None], pa.struct([("a", pa.int64())])),
                "service": [None, "checkout-svc"],
                "status": pa.array([[200], [200]]),
            }
        ),
        parquet,
    )
    rule = EventRule(series="svc", sli="", service="checkout-svc")
    result = read_events(parquet, rules=[rule])
    assert [(w, c) for w, c, _ in problems(result)] == [
        ("e.parquet row 1", "bad-value"),
        ("e.parquet row 2", "bad-value"),
    ]
    assert "not an SLI name" in problems(result)[0][2]
    assert "not an HTTP status code" in problems(result)[1][2]
    assert result.rows_ingested == 0


def test_parquet_uint64_extremes_are_bad_values(tmp_path: Path) -> None:
    top = 2**64 - 1
    path = tmp_path / "e.parquet"
    pq.write_table(
        pa.table(
            {
                "timestamp": pa.array([top, T0], pa.uint64()),
                "sli": ["checkout", "checkout"],
                "status": pa.array([200, top], pa.uint64()),
                "outcome": pa.array([top, 1], pa.uint64()),
            }
        ),
        path,
    )
    result = read_events(path, rules=[AVAIL])
    assert result.rows_ingested == 0
    assert [(w, c) for w, c, _ in problems(result)] == [
        ("e.parquet row 1", "bad-value"),
        ("e.parquet row 2", "bad-value"),
    ]
    counted = tmp_path / "c.parquet"
    pq.write_table(
        pa.table(
            {
                "timestamp": ["2026-01-01T00:00:00Z"] * 3,
                "sli": ["checkout"] * 3,
                "good": pa.array([top, 2**63, 3], pa.uint64()),
                "total": pa.array([top, 2**63, 4], pa.uint64()),
            }
        ),
        counted,
    )
    result = read_events(counted, rules=[AVAIL])
    assert counts(result) == {T0: (3, 4)}
    assert [w for w, _, _ in problems(result)] == ["c.parquet row 1", "c.parquet row 2"]


# --- batches ---------------------------------------------------------------------------------


def make_rows(seed: int, n: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        instant = datetime.fromtimestamp(T0 + rng.randrange(0, 3 * 3600), tz=UTC)
        rows.append(
            (
                instant.isoformat().replace("+00:00", "Z"),
                rng.choice(["checkout", "checkout", "search"]),
                rng.choice(["200", "200", "503", "oops"]),
            )
        )
    return rows


def reference(rows: list[tuple[str, str, str]]) -> tuple[dict[int, tuple[int, int]], int]:
    """Brute force: per minute (good, total) of checkout rows with a valid status; bad rows."""
    good: Counter[int] = Counter()
    total: Counter[int] = Counter()
    bad = 0
    for stamp, sli, status in rows:
        if sli != "checkout":
            continue
        if not status.isdigit():
            bad += 1
            continue
        epoch = int(datetime.fromisoformat(stamp).timestamp())
        minute = epoch - epoch % 60
        total[minute] += 1
        good[minute] += int(status) < 500
    return {m: (good[m], total[m]) for m in total}, bad


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("name", ["e.csv", "e.csv.gz", "e.jsonl", "e.parquet"])
def test_small_batches_count_exactly_what_one_batch_counts(
    tmp_path: Path, name: str, sparse: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sparse:  # no room for day chunks: every batch merges as sparse entries, often
        monkeypatch.setattr(counts_module, "_DENSE_BYTES", 0)
        monkeypatch.setattr(counts_module, "_REDUCE_AT", 500)
    rows = make_rows(7, 3000)
    path = tmp_path / name
    if name.startswith("e.csv"):
        lines = ["timestamp,sli,status,note"]
        for i, (stamp, sli, status) in enumerate(rows):
            note = '"two\nlines, quoted"' if i % 97 == 0 else "plain"
            lines.append(f"{stamp},{sli},{status},{note}")
        text = "\n".join(lines) + "\n"
        path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
    elif name == "e.jsonl":
        out = []
        for i, (stamp, sli, status) in enumerate(rows):
            value: object = int(status) if status.isdigit() and i % 5 else status
            out.append(json.dumps({"timestamp": stamp, "sli": sli, "status": value}))
        path.write_text("\n".join(out) + "\n")
    else:
        pq.write_table(
            pa.table(
                {k: [r[i] for r in rows] for i, k in enumerate(["timestamp", "sli", "status"])}
            ),
            path,
        )
    want, bad = reference(rows)
    whole = read_events(path, rules=[AVAIL])
    small = list(iter_classified(path, rules=[AVAIL], block_bytes=4096))
    assert len(small) > 10  # really read in many batches
    batched = read_events(path, rules=[AVAIL], block_bytes=4096)
    for result in (whole, batched):
        assert counts(result) == want
        assert result.rows_rejected == bad
        assert result.rows_read == len(rows)
    assert problems(batched) == problems(whole)
    assert len(problems(whole)) == min(bad, 100)


def test_bad_rows_keep_their_file_lines_across_batches(tmp_path: Path) -> None:
    rows = make_rows(3, 2000)
    path = tmp_path / "e.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["timestamp", "sli", "status"])
        writer.writerows(rows)
    expected = [f"e.csv:{i + 2}" for i, (_, sli, status) in enumerate(rows) if sli == "checkout"]
    expected = [
        where
        for where, (_, sli, status) in zip(
            expected, [r for r in rows if r[1] == "checkout"], strict=True
        )
        if not status.isdigit()
    ][:100]
    result = read_events(path, rules=[AVAIL], block_bytes=2048)
    assert [w for w, _, _ in problems(result)] == expected
    assert expected
