"""Fuzz the argument parsers: durations, periods, instants, tiers, steps, margins, windows —
directly, and through the CLI on the demo workspace. Every value ends in a result, a coded
error (exit 1, naming its docs/errors.md code) or a usage error naming the option (exit 2)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from covenant.cli import when
from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.definitions.durations import parse_duration
from covenant.errors import CovenantError, InstantOptionError, PeriodOptionError
from covenant.services.alert_backtest import parse_step, parse_tier
from covenant.services.demo import run_demo
from covenant.services.lint import parse_margin as lint_margin
from covenant.services.sla import parse_period
from covenant.services.suggest import parse_margin
from tests.conftest import ROOT
from tests.fuzz.harness import FUZZ, TOKENS, check_error, coded, documented, no_hang

AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)

ARGUMENT = (
    st.sampled_from(TOKENS)
    | st.text(max_size=24)
    | st.from_regex(r"-?\d{1,20}(\.\d{0,20})?(e-?\d{1,4})?[smhdwMQY%]?", fullmatch=True)
    | st.from_regex(r"\d{4}-(\d{2}|Q\d)", fullmatch=True)
    | st.from_regex(
        r"\d{1,5}-\d{1,2}-\d{1,2}(T\d{1,2}:\d{2}(:\d{2})?)?(Z|[+-]\d{2}:\d{2})?", fullmatch=True
    )
    | st.from_regex(
        r"[a-z-]{1,12}:[a-z]{0,6}:[\d.%]{0,8}:\d{0,6}[smhd]?:\d{0,6}[smhd]?", fullmatch=True
    )
    | st.from_regex(r"(this|last|next)-(month|quarter|year)|[+-]\d{1,6}[smhdwMQY]", fullmatch=True)
)

PARSERS: dict[str, Callable[[str], Any]] = {
    "duration": parse_duration,
    "period": parse_period,
    "tier": parse_tier,
    "step": parse_step,
    "margin": parse_margin,
    "lint-margin": lint_margin,
}


@settings(FUZZ, max_examples=400)
@given(name=st.sampled_from(sorted(PARSERS)), text=ARGUMENT)
def test_parsers_return_a_value_or_a_coded_error(name: str, text: str) -> None:
    parser = PARSERS[name]
    raised: Exception | None = None
    try:
        with no_hang(5):
            parser(text)
    except (CovenantError, ValueError) as error:
        raised = error
    if isinstance(raised, CovenantError):
        check_error(raised)
    elif raised is not None:
        # lint's margin parser documents ValueError; its CLI turns it into a usage error
        assert name == "lint-margin", f"{name}({text!r}) raised {raised!r}"


REFERENCES = st.sampled_from(
    [AT, datetime(1971, 1, 1, tzinfo=UTC), datetime(8999, 12, 31, 23, 59, tzinfo=UTC)]
)


@settings(FUZZ, max_examples=400)
@given(
    text=ARGUMENT | st.just("now"),
    reference=REFERENCES,
    kind=st.sampled_from(["at", "period"]),
    zone=st.sampled_from([None, "UTC", "Pacific/Kiritimati", "America/Havana", "Etc/GMT+12"]),
)
def test_relative_instants_and_periods_parse_or_say_why(
    text: str, reference: datetime, kind: str, zone: str | None
) -> None:
    """The CLI's one parser for --at/--from/--to/--period (absolute or relative to now): a
    value in 1971–8999, or Click's usage error naming the problem — even at the range ends."""
    usage: CovenantError | None = None
    try:
        with no_hang(5):
            if kind == "at":
                moment = when.parse_instant(text, reference=reference)
                assert when.EARLIEST <= moment < when.LATEST
                assert moment.tzinfo is not None
            else:
                label = when.parse_period(
                    text, reference=reference, zone=None if zone is None else ZoneInfo(zone)
                )
                found = coded(lambda: parse_period(label))
                if isinstance(found, CovenantError):
                    # an absolute form is passed on as written; the statement validates it
                    assert label in (text, text.strip()), (text, label)
                else:
                    assert 1971 <= found[0] <= 8999
    except (InstantOptionError, PeriodOptionError) as error:
        usage = error
    assert usage is None or (usage.message and usage.hint and usage.code in documented())


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fuzz") / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    run_demo(Settings(workspace=target, database_url=sqlite_url(target)), at=AT, days=35)
    return target


PROPOSAL = str(ROOT / "examples" / "proposals" / "initech-premium.yaml")
COMMANDS: list[tuple[list[str], list[str]]] = [
    # (command words, the options that take the fuzzed value — one drawn per run)
    (["evaluate"], ["--at"]),
    (["report", "sla", "-c", "initech"], ["--period", "--at"]),
    (["exposure"], ["--at"]),
    (["agreements", "list"], ["--at"]),
    (["agreements", "show", "initech-standard"], ["--at"]),
    (["backtest", "alerts", "checkout-availability"], ["--from", "--to", "--step", "--tier"]),
    (["backtest", "agreement", PROPOSAL], ["--from", "--to", "--at"]),
    (["suggest", "slo", "checkout-monthly"], ["--windows", "--hold", "--at"]),
    (["suggest", "backing", "initech-standard"], ["--margin", "--windows", "--at"]),
    (["lint"], ["--margin"]),
]
DEFAULTS = {
    "--at": "2026-11-27T09:30:00Z",
    "--period": "2026-11",
    "--from": "2026-10-20T00:00:00Z",
    "--to": "2026-11-27T00:00:00Z",
}
CODE = re.compile(r"errors\.md#([a-z0-9-]+)|covenant explain ([a-z0-9-]+)")


@settings(FUZZ, max_examples=80)
@given(st.data())
def test_cli_options_end_in_a_result_or_a_coded_error(shop: Path, data: st.DataObject) -> None:
    words, options = data.draw(st.sampled_from(COMMANDS))
    option = data.draw(st.sampled_from(options))
    value = data.draw(ARGUMENT)
    args = [*words, "-w", str(shop)]
    if words[:2] == ["backtest", "agreement"]:
        args += ["--from", "2026-10", "--to", "2026-11"]
    for name, default in DEFAULTS.items():
        if name in options and name != option and words[:2] != ["backtest", "agreement"]:
            args += [name, default]
    args += [f"{option}={value}"]
    with no_hang():
        result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        result.output,
        result.exception,
    )
    assert "Traceback" not in result.output, (args, result.output)
    if result.exit_code == 1:
        codes = [a or b for a, b in CODE.findall(result.output)]
        assert codes, (args, result.output)
        assert set(codes) <= documented(), (args, result.output)
    elif result.exit_code == 2:
        # a bad option value (an instant, a period, a number, a step, a margin): a coded usage
        # error that names the option, never Click's uncoded "Invalid value" box
        codes = [a or b for a, b in CODE.findall(result.output)]
        assert codes, (args, result.output)
        assert set(codes) <= documented(), (args, result.output)
        assert f"error: {option} " in result.output or option in result.output, (
            args,
            result.output,
        )
        assert "Invalid value" not in result.output, (args, result.output)
    else:
        assert result.exit_code == 0, (args, result.exit_code, result.output)
