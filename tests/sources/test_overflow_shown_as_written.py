"""A number too large for a float (`2e308`, `1e999`) is named in a rejected row's problem as the
file wrote it, not as the `inf` it overflowed to: the row `…,checkout,2e308` said `'inf' is not
an HTTP status code`, a text the file does not hold. (`NaN` or `inf` written as such are still
quoted words: tests/sources/test_row_problem_fixes.py.)"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from covenant.core.model import Comparison, EventRule, Operator
from covenant.sources.events import read_events

RULE = EventRule(
    series="checkout-availability",
    sli="checkout",
    status=Comparison(op=Operator.LT, threshold=Fraction(500)),
)
OK = "2026-01-01T00:00:01Z,checkout,200,5\n"


def messages(path: Path) -> list[tuple[str, str, str]]:
    result = read_events(path, rules=[RULE])
    return [(p.where, p.field or "", p.message) for p in result.problems]


def test_an_overflowing_status_and_latency_are_named_as_written(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        "timestamp,sli,status,latency_ms\n"
        "2026-01-01T00:00:00Z,checkout,2e308,5\n"
        "2026-01-01T00:00:00Z,checkout,200,1E999\n"
        "2026-01-01T00:00:00Z,checkout,-3e400,5\n"
        "2026-01-01T00:00:00Z,checkout,inf,5\n" + OK
    )
    assert messages(path) == [
        ("e.csv:2", "status", "2e308 is not an HTTP status code"),
        ("e.csv:3", "latency_ms", "1E999 is not a number of milliseconds"),
        ("e.csv:4", "status", "-3e400 is not an HTTP status code"),
        ("e.csv:5", "status", "'inf' is not an HTTP status code"),
    ]


def test_overflowing_counts_are_named_as_written(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "timestamp,sli,good,total\n"
        "2026-01-01T00:00:00Z,checkout,1e400,1e400\n"
        "2026-01-01T00:00:00Z,checkout,1,2\n"
    )
    ((where, field, message),) = messages(path)
    assert (where, field) == ("c.csv:2", "good")
    assert message == "good=1e400 total=1e400 are not both whole numbers from 0 to 10^12"


def test_overflowing_counts_in_json_lines_are_named_as_written(tmp_path: Path) -> None:
    """JSON Lines kept a number's text by writing back what `json.loads` made of it: `1e400`
    became the float infinity, written `Infinity`."""
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"timestamp": "2026-01-01T00:00:00Z", "sli": "checkout", "good": 1e400, "total": 1e400}\n'
        '{"timestamp": "2026-01-01T00:00:00Z", "sli": "checkout", "good": 1, "total": 2}\n'
    )
    ((where, field, message),) = messages(path)
    assert (where, field) == ("c.jsonl:1", "good")
    assert "Infinity" not in message
    # as the file wrote them: numbers, not text (they were quoted, good='1e400')
    assert message == "good=1e400 total=1e400 are not both whole numbers from 0 to 10^12"
