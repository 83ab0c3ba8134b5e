"""Fuzz the ticket and incident readers: CSV, JSONL and JSON arrays, mutated as text and bytes."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from covenant.errors import CovenantError
from covenant.sources.records import read_incidents, read_tickets
from tests.fuzz.harness import FUZZ, check_problems, coded, mutated
from tests.sources.test_records import INCIDENTS, ticket_objects

TICKETS_CSV = (
    "id,customer,priority,created,first_response,resolved,history\n"
    "T-1,acme,P1,2026-10-01T09:00:00Z,2026-10-01T09:10:00Z,2026-10-01T15:00:00Z,"
    '"open@2026-10-01T09:00:00Z;resolved@2026-10-01T15:00:00Z"\n'
    "T-2,acme,P2,2026-10-01T09:00:00+02:00,,,\n"
)
INCIDENTS_CSV = (
    "id,services,start,end,severity,customer_caused\n"
    "INC-1,checkout,2026-10-01T09:00:00Z,2026-10-01T10:00:00Z,sev1,false\n"
    'INC-2,"checkout;search",2026-10-02T09:00:00Z,,sev2,no\n'
)
SEEDS = {
    ("tickets", "csv"): TICKETS_CSV,
    ("tickets", "jsonl"): "\n".join(json.dumps(o) for o in ticket_objects()) + "\n",
    ("tickets", "json"): json.dumps(ticket_objects(), indent=2),
    ("incidents", "csv"): INCIDENTS_CSV,
    ("incidents", "jsonl"): "\n".join(json.dumps(o) for o in INCIDENTS) + "\n",
    ("incidents", "json"): json.dumps(INCIDENTS, indent=2),
}
READERS = {"tickets": read_tickets, "incidents": read_incidents}


def read(kind: str, name: str, raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(raw)
        found = coded(lambda: READERS[kind](path))
    if isinstance(found, CovenantError):
        assert name in found.message or path.name in str(found), found
        return
    check_problems(found.problems)
    for p in found.problems:
        assert p.where.startswith(f"{name}:"), p  # file:line
    assert found.rows_rejected + len(found.records) <= found.rows_read + found.rows_rejected


@FUZZ
@given(st.data())
def test_mutated_record_files(data: st.DataObject) -> None:
    kind, fmt = data.draw(st.sampled_from(sorted(SEEDS)))
    text = data.draw(mutated(SEEDS[kind, fmt]))
    read(kind, f"records.{fmt}", text.encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(
    key=st.sampled_from(sorted(SEEDS)),
    encoding=st.sampled_from(["utf-16", "latin-1", "utf-32", "cp1252"]),
    junk=st.binary(max_size=24),
    cut=st.integers(0, 400),
    gz=st.booleans(),
)
def test_record_files_as_bytes(
    key: tuple[str, str], encoding: str, junk: bytes, cut: int, gz: bool
) -> None:
    kind, fmt = key
    raw = (SEEDS[key] + "Zoë,Ω\n").encode(encoding, errors="replace")
    raw = raw[:cut] + junk + raw[cut:]
    if gz:
        raw = gzip.compress(raw)[: max(cut, 10)] if cut % 2 else gzip.compress(raw)
    read(kind, f"records.{fmt}" + (".gz" if gz else ""), raw)


@FUZZ
@given(
    kind=st.sampled_from(["tickets", "incidents"]),
    values=st.dictionaries(
        st.sampled_from(
            [
                "id",
                "customer",
                "priority",
                "created",
                "first_response",
                "resolved",
                "history",
                "services",
                "start",
                "end",
                "severity",
                "customer_caused",
                "pause",
                "Id",
                " ID ",
            ]
        ),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=5), inner, max_size=4)
            ),
            max_leaves=12,
        ),
        max_size=12,
    ),
)
def test_json_records_with_any_values(kind: str, values: dict[str, object]) -> None:
    read(kind, "records.jsonl", (json.dumps(values) + "\n").encode())
    read(kind, "records.json", json.dumps([values, values]).encode())
