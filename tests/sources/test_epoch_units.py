"""Epoch numbers as instants, events and records alike: the number of digits tells the unit.

10 digits are seconds, 13 milliseconds, 16 microseconds and 19 nanoseconds — each unit's
numbers for the instants from 2001-09-09T01:46:40Z (10**9 s) to 2200, so no number is read in
two units. A number of any other length is a bad row naming its line, column and the fix: its
unit is a guess (999999999 is 2001-09-08 in seconds, 1970-01-12 in milliseconds), and before,
events took it as seconds without a word, while 16- and 19-digit numbers (microseconds and
nanoseconds, as OpenTelemetry and Loki write them) were refused as "outside 1970 to 2200", and
ticket and incident files took no epoch number at all.

T0 = 2026-10-01T09:00:00Z is 1790845200 epoch seconds (datetime's own arithmetic below).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from covenant.core.model import EventRule
from covenant.sources.events import read_events
from covenant.sources.record_columns import reading
from covenant.sources.record_instants import BAD, UNIT_UNCLEAR
from covenant.sources.records import TICKET_COLUMNS, parse_instants, read_incidents, read_tickets

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
S = (T0 - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1)
RULE = EventRule(series="checkout-availability", sli="checkout")


def _minute_counts(path: Path) -> tuple[dict[int, tuple[int, int]], list[tuple[str, str, str]]]:
    result = read_events(path, rules=[RULE])
    counts = result.counts
    found: dict[int, tuple[int, int]] = {}
    for start, good, total in zip(
        counts.bucket_starts.tolist(), counts.good.tolist(), counts.total.tolist(), strict=True
    ):
        was = found.get(start, (0, 0))
        found[start] = (was[0] + good, was[1] + total)
    problems = [(p.where, p.field, p.message) for p in result.problems]
    return found, problems


def test_event_numbers_in_any_of_four_units_by_their_digits(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    rows = [
        f"{S + 1}",  # seconds
        f"{(S + 2) * 1000 + 250}",  # milliseconds
        f"{(S + 3) * 10**6 + 999_999}",  # microseconds
        f"{(S + 4) * 10**9 + 7}",  # nanoseconds
        f"{S + 5}.5",  # seconds with a fraction
        f"{(S + 60) * 10**9}",  # nanoseconds: the next minute
    ]
    path.write_text("timestamp,sli,outcome\n" + "".join(f"{r},checkout,good\n" for r in rows))
    counts, problems = _minute_counts(path)
    assert problems == []
    assert counts == {S: (5, 5), S + 60: (1, 1)}


def test_an_event_number_whose_digits_tell_no_unit_is_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    rows = [f"{S}", "999999999", f"{S * 100}", f"{S * 10**4}", "0"]  # lines 2 to 6
    path.write_text("timestamp,sli,outcome\n" + "".join(f"{r},checkout,good\n" for r in rows))
    counts, problems = _minute_counts(path)
    assert counts == {S: (1, 1)}
    assert [(where, field) for where, field, _ in problems] == [
        ("e.csv:3", "timestamp"),
        ("e.csv:4", "timestamp"),
        ("e.csv:5", "timestamp"),
        ("e.csv:6", "timestamp"),
    ]
    assert "999999999" in problems[0][2]
    assert "digits" in problems[0][2]


def test_jsonl_event_numbers_are_read_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    events = [
        {"timestamp": (S + 4) * 10**9 + 7, "sli": "checkout", "outcome": "good"},
        {"timestamp": S * 1000, "sli": "checkout", "outcome": "bad"},
        {"timestamp": 999_999_999, "sli": "checkout", "outcome": "good"},  # line 3
    ]
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    counts, problems = _minute_counts(path)
    assert counts == {S: (1, 2)}
    assert [(where, field) for where, field, _ in problems] == [("e.jsonl:3", "timestamp")]


def test_record_instants_take_epoch_numbers_in_the_same_four_units() -> None:
    seconds, status = parse_instants(
        [
            S,
            str(S * 1000 + 999),
            S * 10**6,
            f"{S * 10**9 + 5}",
            f"{S}.75",
            float(S),
            " 1790845200 ",
        ]
    )
    assert seconds.tolist() == [S] * 7
    assert status.tolist() == [0] * 7


def test_record_numbers_whose_digits_tell_no_unit_and_booleans_are_no_instants() -> None:
    _, status = parse_instants([999_999_999, "123456789012", "0", True, "17908452OO", [S]])
    assert status.tolist() == [UNIT_UNCLEAR, UNIT_UNCLEAR, UNIT_UNCLEAR, BAD, BAD, BAD]


def test_tickets_with_epoch_instants(tmp_path: Path) -> None:
    csv_path = tmp_path / "tickets.csv"
    csv_path.write_text(
        "id,customer,priority,created,first_response,resolved\n"
        f"T-1,acme,P1,{S},{(S + 600) * 1000},\n"
        f"T-2,acme,P1,999999999,,\n"  # line 3: unit unclear
    )
    parsed = read_tickets(csv_path)
    assert [(t.id, t.created, t.first_response) for t in parsed.records] == [
        ("T-1", T0, T0 + timedelta(minutes=10))
    ]
    (problem,) = parsed.problems
    assert (problem.where, problem.field, problem.code) == ("tickets.csv:3", "created", "bad-value")
    assert "999999999" in problem.message
    assert "milliseconds with 13" in problem.fix

    json_path = tmp_path / "tickets.json"
    ticket = {"id": "T-1", "customer": "acme", "priority": "P1", "created": S}
    json_path.write_text(json.dumps([ticket]))
    (read,) = read_tickets(json_path).records
    assert read.created == T0


def test_incidents_with_epoch_instants(tmp_path: Path) -> None:
    path = tmp_path / "incidents.jsonl"
    incident = {"id": "I-1", "services": ["checkout"], "start": S * 1000, "end": S + 3000}
    path.write_text(json.dumps(incident) + "\n")
    parsed = read_incidents(path)
    assert not parsed.problems
    (read,) = parsed.records
    assert (read.start, read.end) == (T0, T0 + timedelta(minutes=50))


def test_a_record_epoch_number_past_2200_names_the_units_in_its_fix(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text("id,customer,priority,created\nT-1,acme,P1,9999999999\n")  # 2286
    (problem,) = read_tickets(path).problems
    assert "lies outside 1970-01-01 to 2200-01-01" in problem.message
    assert "milliseconds with 13" in problem.fix


def test_an_epoch_number_is_read_beside_a_time_format(tmp_path: Path) -> None:
    """`--time-format` reads the export's own instants; an epoch number is UTC, as ever."""
    path = tmp_path / "x.csv"
    path.write_text(
        f"id,customer,priority,created\nX-1,acme,P1,01.10.2026 11:00 +0200\nX-2,acme,P1,{S}\n"
    )
    how = reading(fields=TICKET_COLUMNS, time_format="%d.%m.%Y %H:%M %z")
    parsed = read_tickets(path, reading=how)
    assert not parsed.problems
    assert [(t.id, t.created) for t in parsed.records] == [("X-1", T0), ("X-2", T0)]


def test_the_last_nanosecond_and_microsecond_of_a_minute_stay_in_it(tmp_path: Path) -> None:
    """A 19-digit number is past float64's 53 bits: read as a float, the last nanoseconds of a
    second round up into the next (S + 59 s + 999,999,999 ns became S + 60 s, the next
    minute). Integer digits are divided exactly, in CSV text, JSON numbers and record files."""
    last_ns = (S + 59) * 10**9 + 999_999_999
    last_us = (S + 59) * 10**6 + 999_999
    csv = tmp_path / "e.csv"
    csv.write_text(
        "timestamp,sli,outcome\n" + "".join(f"{r},checkout,good\n" for r in (last_ns, last_us))
    )
    assert _minute_counts(csv) == ({S: (2, 2)}, [])
    jsonl = tmp_path / "e.jsonl"
    jsonl.write_text(
        "".join(
            json.dumps({"timestamp": t, "sli": "checkout", "outcome": "good"}) + "\n"
            for t in (last_ns, last_us)
        )
    )
    assert _minute_counts(jsonl) == ({S: (2, 2)}, [])
    # mixed with ISO text (the row-by-row path) and in records
    mixed = tmp_path / "m.csv"
    mixed.write_text(
        "timestamp,sli,outcome\n"
        f"{last_ns},checkout,good\n2026-10-01T09:00:30Z,checkout,good\nnot-a-time,checkout,good\n"
    )
    counts, problems = _minute_counts(mixed)
    assert counts == {S: (2, 2)}
    assert [(w, f) for w, f, _ in problems] == [("m.csv:4", "timestamp")]
    seconds, status = parse_instants([last_ns, str(last_ns), last_us, f" {last_ns} "])
    assert seconds.tolist() == [S + 59] * 4
    assert status.tolist() == [0] * 4
