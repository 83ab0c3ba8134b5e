"""Every rejected event row says the fix, not only the problem.

`no status, needed by its SLI` (a `NaN` or empty status cell), `good=… total=… are not both
whole numbers` (a raw row in a file that also has good/total) and `good is more than total`
came without a fix.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from covenant.core.model import Comparison, EventRule, Operator
from covenant.definitions.workspace import load_workspace
from covenant.errors import IngestError
from covenant.sources.eventrows import MESSAGES
from covenant.sources.events import read_events
from tests.conftest import ROOT

RULE = EventRule(
    series="checkout-availability",
    sli="checkout",
    status=Comparison(op=Operator.LT, threshold=Fraction(500)),
)


def test_every_row_problem_has_a_fix() -> None:
    assert len(MESSAGES) > 10
    assert {reason: fix for reason, (_, _, _, fix) in MESSAGES.items() if not fix} == {}


def test_a_nan_status_names_the_fix(tmp_path: Path) -> None:
    """`NaN` is a value, not an empty cell (tests/sources/test_one_kind_per_file.py)."""
    path = tmp_path / "e.csv"
    path.write_text(
        "timestamp,sli,status\n2026-01-01T00:00:00Z,checkout,NaN\n2026-01-01T00:00:01Z,checkout,200\n"
    )
    result = read_events(path, rules=[RULE])
    ((problem),) = result.problems
    assert (problem.where, problem.field, problem.code) == ("e.csv:2", "status", "bad-value")
    assert problem.message == "'NaN' is not an HTTP status code"
    assert problem.fix == "use a code from 100 to 599, written as digits (200, not 2e2)"


def test_an_empty_status_names_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        "timestamp,sli,status\n2026-01-01T00:00:00Z,checkout,\n2026-01-01T00:00:01Z,checkout,200\n"
    )
    result = read_events(path, rules=[RULE])
    ((problem),) = result.problems
    assert (problem.where, problem.field, problem.code) == ("e.csv:2", "status", "missing-value")
    assert "fill in the HTTP status code" in problem.fix


def test_a_raw_row_in_a_pre_counted_jsonl_file_names_the_fix(tmp_path: Path) -> None:
    """A file mixing the two kinds is refused whole, naming both lines and the fix."""
    path = tmp_path / "e.jsonl"
    path.write_text(
        '{"timestamp":"2026-01-01T00:00:00Z","sli":"checkout","status":200}\n'
        '{"timestamp":"2026-01-01T00:00:00Z","sli":"checkout","good":5,"total":5}\n'
    )
    with pytest.raises(IngestError) as caught:
        read_events(path, rules=[RULE])
    assert caught.value.message.startswith("e.jsonl:1 is a raw event and e.jsonl:2 a pre-counted")
    assert "separate files" in caught.value.hint


def test_whole_numbers_are_quoted_as_the_file_wrote_them(tmp_path: Path) -> None:
    # regression: in a column that also holds a fraction (`200.5`, so it is read as floats),
    # `-200` was quoted as `-200.0 is not an HTTP status code` and the counts `5` and `3` as
    # `good=5.0 is more than total=3.0`
    path = tmp_path / "e.csv"
    path.write_text(
        "timestamp,sli,status\n"
        "2026-01-01T00:00:00Z,checkout,-200\n"
        "2026-01-01T00:00:01Z,checkout,200.5\n"
        "2026-01-01T00:00:02Z,checkout,200\n"
    )
    first, second = read_events(path, rules=[RULE]).problems
    assert first.message == "-200 is not an HTTP status code"
    assert second.message == "200.5 is not an HTTP status code"
    counted = tmp_path / "c.csv"
    counted.write_text(
        "timestamp,sli,good,total\n"
        "2026-01-01T00:00:00Z,checkout,5,3\n"
        "2026-01-01T00:00:01Z,checkout,1.5,3\n"
    )
    first, second = read_events(counted, rules=[RULE]).problems
    assert first.message == "good=5 is more than total=3"
    assert second.message.startswith("good=1.5 total=3 are not both whole numbers")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_count_past_2_to_the_53_is_quoted_as_written(tmp_path: Path, suffix: str) -> None:
    # regression: in a column read as floats (a fraction elsewhere), 9007199254740993 became
    # the float 9007199254740992 (2^53 + 1 is not a float) and was quoted as that number;
    # 99999999999999999999 (past int64, read as a float) as 1e+20
    rows = [("9007199254740993", "3"), ("1.5", "3"), ("99999999999999999999", "3")]
    path = tmp_path / f"c{suffix}"
    if suffix == ".csv":
        body = "".join(
            f"2026-01-01T00:00:0{i}Z,checkout,{g},{t}\n" for i, (g, t) in enumerate(rows)
        )
        path.write_text("timestamp,sli,good,total\n" + body)
    else:
        path.write_text(
            "".join(
                f'{{"timestamp": "2026-01-01T00:00:0{i}Z", "sli": "checkout", "good": {g}, '
                f'"total": {t}}}\n'
                for i, (g, t) in enumerate(rows)
            )
        )
    messages = [p.message for p in read_events(path, rules=[RULE]).problems]
    tail = "are not both whole numbers from 0 to 10^12"
    assert messages == [
        f"good=9007199254740993 total=3 {tail}",
        f"good=1.5 total=3 {tail}",
        f"good=99999999999999999999 total=3 {tail}",
    ]


def test_a_stray_quote_before_a_bad_row_is_no_traceback(tmp_path: Path) -> None:
    # regression (found by tests/fuzz): a quote inside an unquoted value opens a quoted field
    # to the scan of records, which then runs to the end of the file; quoting a bad row's
    # values as written split that run as one CSV record and raised csv.Error
    rules = load_workspace(ROOT / "examples" / "shop").event_rules
    lines = (ROOT / "examples" / "shop" / "events-sample.csv").read_text().splitlines()[:11]
    lines[1] = lines[1][:1] + '"' + lines[1][1:]  # 2"026-10-01T09:00:01Z,…
    path = tmp_path / "e.csv"
    path.write_text("\n".join(lines) + "\n")
    found = read_events(path, rules=rules)
    assert found.problems, found
    assert all(p.where.startswith("e.csv") for p in found.problems)


def test_lower_case_t_and_z_are_read_as_rfc_3339_allows(tmp_path: Path) -> None:
    """RFC 3339 (5.6, NOTE): "T" and "Z" may be written lower case; they were bad rows."""
    path = tmp_path / "e.csv"
    path.write_text(
        "timestamp,sli,status\n"
        "2026-01-01T00:00:00Z,checkout,200\n"
        "2026-01-01t00:01:00z,checkout,200\n"
        "2026-01-01t02:02:00+02:00,checkout,500\n"
    )
    result = read_events(path, rules=[RULE])
    assert result.problems == ()
    assert (result.rows_ingested, result.rows_rejected) == (3, 0)
    # 2026-01-01T00:00:00Z is 1,767,225,600 s after the epoch; the last row is 00:02:00Z
    assert (result.events_min, result.events_max) == (1_767_225_600, 1_767_225_600 + 120)
