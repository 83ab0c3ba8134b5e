"""Fuzz the event readers: CSV, JSONL (plain and .gz) and Parquet, classified by the demo
workspace's SLIs."""

from __future__ import annotations

import gzip
import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from covenant.definitions.workspace import load_workspace
from covenant.errors import CovenantError
from covenant.sources.events import read_events
from tests.conftest import ROOT
from tests.fuzz.harness import FUZZ, check_problems, coded, mutated

CSV = (ROOT / "examples" / "shop" / "events-sample.csv").read_text()[:3000]
JSONL = "".join(
    json.dumps({"timestamp": t, "service": s, "status": int(c), "latency_ms": int(ms)}) + "\n"
    for t, s, c, ms in (line.split(",") for line in CSV.splitlines()[1:40])
)
PRECOUNTED = "timestamp,sli,good,total\n2026-10-01T09:00:00Z,checkout-availability,9,10\n"


@cache
def rules() -> Any:
    return load_workspace(ROOT / "examples" / "shop").event_rules


def read(name: str, raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(raw)
        found = coded(lambda: read_events(path, rules=rules()))
    if isinstance(found, CovenantError):
        return
    check_problems(found.problems)
    for p in found.problems:
        assert p.where.startswith(name), p  # file:line, or "file row N" for Parquet
    assert found.rows_ingested + found.rows_rejected + found.rows_unmatched <= found.rows_read


def test_lines_nested_past_the_json_parser_are_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text(JSONL.splitlines()[0] + "\n" + "[" * 100_000 + "\nnull\n")
    found = read_events(path, rules=rules())
    assert [(p.where, p.code) for p in found.problems[-2:]] == [
        ("deep.jsonl:2", "bad-row"),
        ("deep.jsonl:3", "bad-row"),
    ]


@FUZZ
@given(st.data())
def test_mutated_event_text(data: st.DataObject) -> None:
    name, seed = data.draw(
        st.sampled_from([("e.csv", CSV), ("e.jsonl", JSONL), ("p.csv", PRECOUNTED)])
    )
    text = data.draw(mutated(seed))
    raw = text.encode("utf-8", errors="surrogatepass")
    if data.draw(st.booleans()):
        read(name + ".gz", gzip.compress(raw))
    else:
        read(name, raw)


# Open finding (store's sources/eventfiles.py): for a ragged CSV row that is not UTF-8, pyarrow
# decodes the row's text itself before calling the invalid-row handler, fails, and prints
# "Exception ignored in ... on_invalid" to stderr; the read then ends in the coded not-UTF-8
# error this test asserts. Only that message is tolerated here.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@FUZZ
@given(
    name=st.sampled_from(["e.csv", "e.jsonl"]),
    encoding=st.sampled_from(["utf-16", "latin-1", "utf-32"]),
    junk=st.binary(max_size=24),
    cut=st.integers(0, 600),
)
def test_event_bytes(name: str, encoding: str, junk: bytes, cut: int) -> None:
    seed = (CSV if name == "e.csv" else JSONL).replace("checkout", "chéckout", 1)
    raw = seed.encode(encoding, errors="replace")
    read(name, raw[:cut] + junk + raw[cut:])


SCALARS = {
    "string": (
        st.text(max_size=12) | st.sampled_from(["2026-10-01T09:00:00Z", "checkout"]),
        pa.string(),
    ),
    "int64": (st.integers(-(2**63), 2**63 - 1), pa.int64()),
    "uint64": (st.integers(0, 2**64 - 1), pa.uint64()),
    "float": (st.floats(allow_nan=True, allow_infinity=True), pa.float64()),
    "bool": (st.booleans(), pa.bool_()),
    "timestamp": (st.integers(-(2**40), 2**40), pa.timestamp("s", tz="UTC")),
    "naive": (st.integers(0, 2**31), pa.timestamp("ms")),
    "struct": (st.fixed_dictionaries({"a": st.integers(0, 9)}), pa.struct([("a", pa.int64())])),
    "list": (st.lists(st.integers(0, 9), max_size=3), pa.list_(pa.int64())),
}
COLUMNS = ["timestamp", "service", "sli", "status", "latency_ms", "outcome", "good", "total", "x"]


@FUZZ
@given(st.data())
def test_parquet_with_any_columns(data: st.DataObject) -> None:
    names = data.draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=6, unique=True))
    rows = data.draw(st.integers(0, 5))
    arrays = []
    for _ in names:
        strategy, kind = SCALARS[data.draw(st.sampled_from(sorted(SCALARS)))]
        values = data.draw(st.lists(st.none() | strategy, min_size=rows, max_size=rows))
        arrays.append(pa.array(values, type=kind))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "e.parquet"
        pq.write_table(pa.table(dict(zip(names, arrays, strict=True))), path)
        raw = path.read_bytes()
    read("e.parquet", raw)
