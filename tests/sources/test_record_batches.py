"""A record file read in batches reads as it did whole: where the batches (and, in a ``.json``
array, the pieces of text) are cut changes no record, line, count or problem; and a file found
bad after many batches were staged writes nothing.

The expected rows and lines are written out here from how each file is made.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from covenant.errors import IngestError
from covenant.services.records import batch_key, ingest_incident_files, load_incidents
from covenant.sources import recordtext
from covenant.sources.recordfiles import read_record_source, record_batches
from covenant.sources.records import read_tickets
from covenant.store import buckets
from covenant.store.tables import ingest_batches

CSV = (
    "id,customer,priority,created,first_response,resolved,history\n"
    "T-1,acme,P1,2026-10-01T09:00:00Z,,,\n"  # 2: loses to line 9
    '"T-2","beta\n inc",P2,2026-10-01T10:00:00Z,,,\n'  # 3-4: a cell over two lines
    "\n"  # 5: blank
    "T-3,acme,P1,yesterday,,,\n"  # 6: bad created
    "T-4,acme\n"  # 7: wrong number of columns
    "T-5,acme,P3,2026-10-01T11:00:00Z,,,\n"  # 8
    "T-1,acme,P1,2026-10-01T09:00:00Z,,2026-10-01T12:00:00Z,\n"  # 9: kept
)
CSV_IDS = ["T-2", "T-5", "T-1"]  # by the line of the row kept
CSV_PROBLEMS = [
    ("tickets.csv:2", "duplicate-id"),
    ("tickets.csv:6", "bad-value"),
    ("tickets.csv:7", "bad-row"),
]


def _jsonl() -> str:
    lines = [
        json.dumps(
            {"ID": "T-1", "customer": "acme", "priority": "P1", "created": "2026-10-01T09:00:00Z"}
        ),
        "",
        "[1, 2]",  # 3: not an object
        json.dumps(
            {"id": "T-2", "customer": "ç😀", "priority": "P1", "created": "2026-10-01T09:00:00Z"},
            ensure_ascii=False,
        ),
        "{broken",  # 5
        json.dumps(
            {"id": "T-1", "customer": "acme", "priority": "P2", "created": "2026-10-01T09:00:00Z"}
        ),
    ]
    return "\n".join(lines) + "\n"


JSONL_IDS = ["T-2", "T-1"]
JSONL_PROBLEMS = [
    ("tickets.jsonl:1", "duplicate-id"),
    ("tickets.jsonl:3", "bad-row"),
    ("tickets.jsonl:5", "bad-row"),
]


@pytest.mark.parametrize("block_bytes", [7, 64, 1 << 20])  # a quoted record fits 8 blocks
@pytest.mark.parametrize(
    ("name", "text", "ids", "problems"),
    [
        ("tickets.csv", CSV, CSV_IDS, CSV_PROBLEMS),
        ("tickets.jsonl", _jsonl(), JSONL_IDS, JSONL_PROBLEMS),
    ],
)
def test_where_the_batches_are_cut_changes_nothing(
    tmp_path: Path,
    block_bytes: int,
    name: str,
    text: str,
    ids: list[str],
    problems: list[tuple[str, str]],
) -> None:
    path = tmp_path / name
    path.write_text(text)
    parsed = read_tickets(path, block_bytes=block_bytes)
    assert [t.id for t in parsed.records] == ids
    assert [(p.where, p.code) for p in parsed.problems] == problems
    assert (parsed.rows_read, parsed.rows_rejected) == (len(ids) + len(problems), len(problems))


def _array() -> tuple[str, list[object], list[int]]:
    """A pretty-printed array with numbers, escapes and text of 2 to 4 UTF-8 bytes a character,
    and elements that are no object; the values and the line each element starts on."""
    values: list[object] = [
        {"id": "I-1", "services": ["checkout"], "start": "2026-10-01T09:00:00Z", "n": 1.5e3},
        123456789,
        {"id": "I-2", "services": "search", "start": "2026-10-01T09:00:00Z", "note": 'é "q" \\'},
        "text",
        {"id": "I-3", "services": ["a😀", "b"], "start": "2026-10-01T09:00:00Z", "x": [True, None]},
        -0.25,
        {"id": "I-4", "services": ["ü"], "start": "2026-10-01T09:00:00Z", "deep": {"a": {"b": []}}},
    ]
    parts, lines, line = [], [], 2
    for i, value in enumerate(values):
        text = json.dumps(value, indent=2, ensure_ascii=i % 2 == 0)
        parts.append(text)
        lines.append(line)
        line += text.count("\n") + 1
    return "[\n" + ",\n".join(parts) + "\n]\n", values, lines


@pytest.mark.parametrize("piece", [1, 2, 3, 5, 64, 1 << 16])
def test_a_json_array_read_in_pieces_of_any_size_keeps_values_and_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int
) -> None:
    text, values, lines = _array()
    path = tmp_path / "incidents.json"
    path.write_text(text)
    monkeypatch.setattr(recordtext, "PIECE", piece)
    source = read_record_source(path)
    objects = [(v, line) for v, line in zip(values, lines, strict=True) if isinstance(v, dict)]
    assert list(source.rows) == [v for v, _ in objects]
    assert list(source.lines) == [line for _, line in objects]
    others = [line for v, line in zip(values, lines, strict=True) if not isinstance(v, dict)]
    assert [row.where for row in source.invalid] == [f"incidents.json:{n}" for n in others]
    assert source.invalid_count == 3


@pytest.mark.parametrize("piece", [1, 7, 1 << 16])
@pytest.mark.parametrize(
    ("tail", "line", "message"),
    [
        ('  {"id": ]\n]\n', 0, "invalid JSON: Expecting value"),
        ('  {"id": "I-9"}\n}\n', 1, "expected ',' or ']' after an array element"),
        ('  {"id": "I-9"}\n]\n\n  x', 1, "text after the closing ']'"),
        ('  {"id": "I-9", "services": "unterminated\n]\n', 0, "invalid JSON: Invalid control"),
    ],
)
def test_broken_json_is_named_at_its_line_wherever_the_pieces_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int, tail: str, line: int, message: str
) -> None:
    head = "[\n" + "".join(f'  {{"id": "I-{i}"}},\n' for i in range(3))  # lines 1-4
    path = tmp_path / "incidents.json"
    path.write_text(head + tail)
    monkeypatch.setattr(recordtext, "PIECE", piece)
    with pytest.raises(IngestError) as info:
        read_record_source(path)
    assert info.value.message.startswith(f"incidents.json:{5 + line}: {message}")


def _incident(i: int) -> str:
    start = datetime.fromtimestamp(1_790_000_000 + 60 * i, UTC).isoformat()
    return json.dumps({"id": f"I-{i}", "services": ["checkout"], "start": start})


def _nothing_stored(engine: Engine) -> None:
    with engine.connect() as conn:
        start, end = datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
        assert load_incidents(conn, start=start, end=end) == []
        assert conn.execute(ingest_batches.select()).fetchall() == []


def test_a_json_array_broken_at_its_end_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    """2,000 incidents are staged in many batches before the last element is found broken."""
    path = tmp_path / "incidents.json"
    path.write_text("[\n" + ",\n".join(_incident(i) for i in range(2000)) + ',\n{"id": ]\n]\n')
    with pytest.raises(IngestError) as info:
        ingest_incident_files(engine, files=[path], block_bytes=1024)
    assert info.value.message.startswith("incidents.json:2002: invalid JSON")
    _nothing_stored(engine)


def test_a_column_missing_from_every_row_is_found_at_the_end_and_writes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "incidents.jsonl"
    rows = [json.loads(_incident(i)) for i in range(2000)]
    path.write_text(
        "".join(json.dumps({k: v for k, v in r.items() if k != "services"}) + "\n" for r in rows)
    )
    with pytest.raises(IngestError) as info:
        ingest_incident_files(engine, files=[path], block_bytes=1024)
    assert info.value.message == (
        "incidents.jsonl: no 'services' column for incident (found: id, start)"
    )
    _nothing_stored(engine)


def test_a_repeated_id_far_apart_is_found_across_batches(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "incidents.jsonl"
    lines = [_incident(i) for i in range(1000)] + [_incident(3)]  # line 4 again on line 1001
    path.write_text("\n".join(lines) + "\n")
    (report,) = ingest_incident_files(engine, files=[path], block_bytes=256)
    assert (report.rows_read, report.rows_rejected, report.inserted) == (1001, 1, 1000)
    (problem,) = report.problems
    assert (problem.where, problem.code) == ("incidents.jsonl:4", "duplicate-id")
    assert "appears again on line 1001" in problem.message
    with engine.connect() as conn:
        batch = buckets.find_batch(conn, sha256=_key(path))
    assert batch is not None
    assert (batch.events_min, batch.events_max) == (1_790_000_000, 1_790_000_000 + 60 * 999)


def _key(path: Path) -> str:
    return batch_key("incidents", hashlib.sha256(path.read_bytes()).hexdigest())


def test_a_json_array_of_tiny_elements_is_cut_at_ten_thousand_rows(tmp_path: Path) -> None:
    """25,001 ``{}`` are 75 KiB, under one batch's text (1 MiB): they were one batch, as 1 MiB
    of them were 350,000 rows built at once with a problem each (650 MiB). At most 10,000 rows
    a batch now, and every element is still read, each at its own element number."""
    from covenant.sources.recordarray import json_array_batches  # noqa: PLC0415

    path = tmp_path / "tiny.json"
    path.write_text("[" + ",".join(["{}"] * 25_001) + "]")
    batches = list(json_array_batches(path, gz=False, block_bytes=1 << 20))
    assert [len(batch.rows) for batch in batches] == [10_000, 10_000, 5_001]
    assert batches[2].where(5_000) == "tiny.json:1 (element 25001)"


@pytest.mark.parametrize(
    ("name", "text"),
    [("tiny.jsonl", "{}\n" * 25_001), ("tiny.csv", "id\n" + "x\n" * 25_001)],
)
def test_jsonl_and_csv_of_tiny_rows_are_cut_at_ten_thousand_rows(
    tmp_path: Path, name: str, text: str
) -> None:
    """25,001 rows of 2 bytes are 49 KiB, under one batch's text (1 MiB), so they were one
    batch (1 MiB of them: 350,000 rows built at once, each with its problem). At most 10,000
    rows a batch now, as in a ``.json`` array, every row still at its own line."""
    path = tmp_path / name
    path.write_text(text)
    batches = list(record_batches(path, block_bytes=1 << 20))
    assert [len(batch.rows) for batch in batches] == [10_000, 10_000, 5_001]
    first = 2 if name.endswith(".csv") else 1  # the line of the first row (after a header)
    assert [batch.lines[0] for batch in batches] == [first, first + 10_000, first + 20_000]
    assert batches[2].where(5_000) == f"{name}:{first + 25_000}"


def _tickets_csv(count: int) -> tuple[str, dict[int, str]]:
    """``count`` tickets T-1..T-count (T-n on line n + 1), with a few bad rows on each side of
    the 10,000th and 20,000th rows; the bad lines and the problem code each is to get."""
    bad = {10_000: "bad-row", 10_002: "bad-value", 20_001: "bad-row", 20_003: "duplicate-id"}
    lines = ["id,customer,priority,created"]
    for n in range(1, count + 1):
        line = n + 1
        if bad.get(line) == "bad-row":
            lines.append(f"T-{n},acme")
        elif bad.get(line) == "bad-value":
            lines.append(f"T-{n},acme,P1,yesterday")
        else:
            lines.append(f"T-{n},acme,P{n % 3 + 1},2026-10-01T09:00:00Z")
    lines.append("T-20002,acme,P1,2026-10-02T09:00:00Z")  # line 20,003's id again at the end
    return "\n".join(lines) + "\n", bad


def test_a_csv_file_cut_at_ten_thousand_rows_counts_and_keeps_the_same(tmp_path: Path) -> None:
    text, bad = _tickets_csv(25_000)
    path = tmp_path / "tickets.csv"
    path.write_text(text)
    parsed = read_tickets(path)
    # 25,001 rows: 25,000 tickets and T-20002 again, which wins over line 20,003
    assert (parsed.rows_read, parsed.rows_rejected) == (25_001, 4)
    assert [(p.where, p.code) for p in parsed.problems] == [
        (f"tickets.csv:{line}", code) for line, code in sorted(bad.items())
    ]
    ids = [f"T-{n}" for n in range(1, 25_001) if n + 1 not in bad] + ["T-20002"]
    assert [t.id for t in parsed.records] == ids
    assert parsed.records[-1].created == datetime(2026, 10, 2, 9, tzinfo=UTC)
