"""The one parser of instants and periods: absolute forms, relative forms, the injected clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.common import now
from covenant.cli.main import app
from covenant.cli.when import parse_instant, parse_period, zone_of
from covenant.errors import InstantOptionError, PeriodOptionError

REF = datetime(2027, 3, 31, 10, 15, 0, tzinfo=UTC)  # a month end, to test day clamping


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", REF),
        ("NOW", REF),
        ("-7d", datetime(2027, 3, 24, 10, 15, tzinfo=UTC)),
        ("-36h", datetime(2027, 3, 29, 22, 15, tzinfo=UTC)),
        ("-90m", datetime(2027, 3, 31, 8, 45, tzinfo=UTC)),
        ("-30s", datetime(2027, 3, 31, 10, 14, 30, tzinfo=UTC)),
        ("-2w", datetime(2027, 3, 17, 10, 15, tzinfo=UTC)),
        ("+1d", datetime(2027, 4, 1, 10, 15, tzinfo=UTC)),
        ("-1M", datetime(2027, 2, 28, 10, 15, tzinfo=UTC)),  # Feb has no 31st: clamped
        ("-13M", datetime(2026, 2, 28, 10, 15, tzinfo=UTC)),
        ("-1y", datetime(2026, 3, 31, 10, 15, tzinfo=UTC)),
        ("2026-10-31T09:30:00Z", datetime(2026, 10, 31, 9, 30, tzinfo=UTC)),
        ("2026-10-31T11:30:00+02:00", datetime(2026, 10, 31, 9, 30, tzinfo=UTC)),
    ],
)
def test_instants(text: str, expected: datetime) -> None:
    assert parse_instant(text, reference=REF) == expected


def test_leap_day_minus_a_year_is_the_28th() -> None:
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    assert parse_instant("-1y", reference=leap) == datetime(2027, 2, 28, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-10-31", "T00:00:00Z"),
        ("2026-10-31T00:00:00", "no UTC offset"),
        ("yesterday", "ISO-8601"),
        ("-7x", "ISO-8601"),
        ("-999999d", "too far"),
        ("-60000y", "1971 to 8999"),
        ("-9000y", "1971 to 8999"),
        ("0001-01-01T00:00:00Z", "1971 to 8999"),
        ("2026-11-31T00:00:00Z", "November 2026 has days 01 to 30, not 31"),
        ("2026-02-29T12:00:00Z", "February 2026 has days 01 to 28, not 29"),
        ("2026-13-01T00:00:00Z", "a month is 01 to 12, not 13"),
        ("2026-04-00T00:00:00Z", "April 2026 has days 01 to 30, not 00"),
    ],
)
def test_bad_instants_say_what_is_accepted(text: str, message: str) -> None:
    with pytest.raises(InstantOptionError, match=message) as raised:
        parse_instant(text, reference=REF, option="--from")
    assert raised.value.code == "invalid-instant-option"
    assert str(raised.value).startswith(f"--from {text!r} ")
    assert "-7d" in raised.value.hint  # the accepted forms, whatever the problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("this-month", "2027-03"),
        ("last-month", "2027-02"),
        ("next-month", "2027-04"),
        ("-3M", "2026-12"),
        ("+10M", "2028-01"),
        ("this-quarter", "2027-Q1"),
        ("last-quarter", "2026-Q4"),
        ("next-quarter", "2027-Q2"),
        ("-5Q", "2025-Q4"),
        ("2026-11", "2026-11"),  # absolute labels pass through to the services' checks
        ("2026-Q4", "2026-Q4"),
        ("Last-Month", "2027-02"),
    ],
)
def test_periods(text: str, expected: str) -> None:
    assert parse_period(text, reference=REF) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-99999M", "1971 to 8999"),
        ("-2Y", "this-month, last-month"),
        ("previous-month", "-1Q"),
        ("2026-13", "2026-Q4"),  # absolute labels are checked here too
        ("2026-00", "2026-Q4"),
        ("2026-Q5", "2026-Q4"),
        ("1970-12", "1971 to 8999"),
        ("9000-Q1", "1971 to 8999"),
    ],
)
def test_bad_periods_say_what_is_accepted(text: str, message: str) -> None:
    with pytest.raises(PeriodOptionError, match=message) as raised:
        parse_period(text, reference=REF)
    assert raised.value.code == "invalid-period-option"
    assert str(raised.value).startswith(f"--period {text!r} ")


def test_the_clock_can_be_injected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COVENANT_NOW", "2030-01-15T08:00:00.5+01:00")
    assert now() == datetime(2030, 1, 15, 7, 0, tzinfo=UTC)
    assert parse_instant("-1d") == datetime(2030, 1, 14, 7, 0, tzinfo=UTC)
    assert parse_period("last-quarter") == "2029-Q4"
    monkeypatch.setenv("COVENANT_NOW", "tomorrow")
    with pytest.raises(SystemExit) as stopped:  # a coded usage error: invalid-covenant-now
        now()
    assert stopped.value.code == 2


def test_the_cli_takes_relative_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COVENANT_NOW", "2030-01-15T08:00:00Z")
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["init", f"{tmp_path}/ws"]).exit_code == 0
    result = runner.invoke(app, ["evaluate", "-w", f"{tmp_path}/ws", "-f", "json", "--at", "-2h"])
    assert result.exit_code == 0, result.output
    assert '"at": "2030-01-15T06:00:00Z"' in result.stdout
    bad = runner.invoke(app, ["report", "sla", "-c", "x", "-p", "-2Y", "-w", f"{tmp_path}/ws"])
    assert bad.exit_code == 2
    assert "this-month" in bad.output


PROPOSAL = "examples/proposals/initech-premium.yaml"


@pytest.mark.parametrize(
    ("args", "option", "value", "code"),
    [
        (["evaluate"], "--at", "yesterday", "invalid-instant-option"),
        (["exposure"], "--at", "2026-10-31", "invalid-instant-option"),
        (["agreements", "list"], "--at", "-9999999d", "invalid-instant-option"),
        (["report", "sla", "-c", "x"], "--at", "-1x", "invalid-instant-option"),
        (["report", "sla", "-c", "x"], "--period", "previous-month", "invalid-period-option"),
        (["report", "sla", "-c", "x"], "--period", "2026-13", "invalid-period-option"),
        (["backtest", "alerts", "slo"], "--from", "2026-10-01T00:00", "invalid-instant-option"),
        (["backtest", "alerts", "slo"], "--to", "-60000y", "invalid-instant-option"),
        (
            ["backtest", "agreement", PROPOSAL, "--to", "-1M"],
            "--from",
            "-2Y",
            "invalid-period-option",
        ),
        (
            ["backtest", "agreement", PROPOSAL, "--from", "-3M"],
            "--to",
            "1970-01",
            "invalid-period-option",
        ),
    ],
)
def test_a_bad_time_option_is_a_coded_usage_error(
    tmp_path: Path, args: list[str], option: str, value: str, code: str
) -> None:
    """Shown as every coded error is (error: message — fix, then the explain hint) and exits 2
    like Click's usage errors; the code is one `covenant explain` knows."""
    args = [*args, "-w", str(tmp_path), f"{option}={value}"]
    if option != "--period" and args[:2] == ["report", "sla"]:
        args.append("--period=2026-10")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"error: {option} {value!r} "), result.stderr
    assert ("-7d" if code == "invalid-instant-option" else "last-month") in lines[0]
    assert lines[1] == f"  run: covenant explain {code}"
    assert "Usage:" not in result.output
    explained = CliRunner().invoke(app, ["explain", code])
    assert explained.exit_code == 0
    assert option in explained.stdout


def test_relative_periods_are_read_on_the_agreements_wall_clock() -> None:
    early = datetime(2027, 12, 1, 2, 0, tzinfo=UTC)  # still 30 November in New York
    new_york = zone_of(["America/New_York"])
    assert parse_period("this-month", reference=early) == "2027-12"
    assert parse_period("this-month", reference=early, zone=new_york) == "2027-11"
    assert parse_period("last-quarter", reference=early, zone=new_york) == "2027-Q3"
    assert parse_period("2027-12", reference=early, zone=new_york) == "2027-12"


def test_zone_of_several_or_none() -> None:
    assert str(zone_of(["Europe/Berlin", "America/New_York", "Europe/Berlin"])) == (
        "America/New_York"
    )
    assert zone_of([]) is UTC
    assert zone_of(["Not/AZone"]) is UTC
