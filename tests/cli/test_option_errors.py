"""Every bad option value is a coded usage error (exit 2) naming the option, the value and the fix.

`backtest alerts --from now --to -14d` and `suggest slo --windows 0` said what was wrong but not
what to do (exit 1, `invalid-input`); a bad `COVENANT_NOW` and Click's own checks of `--windows`,
`--hold`, `--version` and `lint --margin` printed an uncoded "Invalid value" box.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.conftest import ROOT

runner = CliRunner()
NOW = {"COVENANT_NOW": "2026-12-01T03:15:00Z"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("options") / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    assert runner.invoke(app, ["agreements", "sync", "-w", str(target)]).exit_code == 0
    return target


SLO = ["checkout-availability"]
PROXIES_HINT = (
    "— write the reverse proxies' addresses or networks, e.g. --t"
    "rusted-proxies 127.0.0.1,10.0.0.0/8 (no '*': any client could then name any address)"
)
PROPOSAL = [str(ROOT / "examples" / "proposals" / "initech-premium.yaml")]  # America/New_York
CASES = [
    (
        ["backtest", "agreement", *PROPOSAL, "--from", "2026-11", "--to", "2026-09"],
        "--from '2026-11' (2026-11) is after --to '2026-09' (2026-09) — swap them: --from "
        "2026-09 --to 2026-11",
        "invalid-period-option",
    ),
    (  # read on the agreement's wall clock: at 03:15 UTC on 1 December it is November there
        ["backtest", "agreement", *PROPOSAL, "--from", "this-month", "--to", "-4M"],
        "--from 'this-month' (2026-11) is after --to '-4M' (2026-07) — swap them: --from -4M "
        "--to this-month",
        "invalid-period-option",
    ),
    (
        ["backtest", "agreement", *PROPOSAL, "--from", "2026-Q4", "--to", "2026-09"],
        "--from '2026-Q4' (2026-Q4) is after --to '2026-09' (2026-09) — swap them: --from "
        "2026-09 --to 2026-Q4",
        "invalid-period-option",
    ),
    (
        ["backtest", "alerts", *SLO, "--from", "now", "--to", "-14d"],
        "--from 'now' (2026-12-01T03:15:00Z) is not before --to '-14d' (2026-11-17T03:15:00Z)"
        " — swap them: --from -14d --to now",
        "invalid-instant-option",
    ),
    (
        ["backtest", "alerts", *SLO, "--step", "0"],
        "--step '0' is not a step — write a duration such as --step 5m (or 1m, 1h)",
        "invalid-option-value",
    ),
    (
        ["suggest", "slo", *SLO, "--windows", "0"],
        "--windows '0' is not a whole number of at least 1 — write e.g. --windows 12",
        "invalid-option-value",
    ),
    (
        ["suggest", "slo", *SLO, "--windows", "twelve"],
        "--windows 'twelve' is not a whole number of at least 1 — write e.g. --windows 12",
        "invalid-option-value",
    ),
    (
        ["suggest", "slo", *SLO, "--hold", "0"],
        "--hold '0' is not a whole number of at least 1 — write e.g. --hold 10",
        "invalid-option-value",
    ),
    (
        ["suggest", "slo", *SLO, "--windows", "3"],
        "--hold '10' is more than --windows 3: the target cannot hold in more windows than are "
        "looked at — give --hold at most 3, e.g. --windows 3 --hold 2",
        "invalid-option-value",
    ),
    (
        ["suggest", "backing", "globex-enterprise", "--version", "v1"],
        "--version 'v1' is not a whole number of at least 1 — write e.g. --version 2",
        "invalid-option-value",
    ),
    (
        ["demo", "--days", "0"],
        "--days '0' is not a whole number from 1 to 400 — write e.g. --days 35",
        "invalid-option-value",
    ),
    (
        ["demo", "--days", "401"],
        "--days '401' is not a whole number from 1 to 400 — write e.g. --days 35",
        "invalid-option-value",
    ),
    (
        ["lint", "--margin", "abc"],
        "--margin 'abc' is not a number of percentage points — write percentage points, e.g. "
        "--margin 0.05",
        "invalid-option-value",
    ),
    *(
        (
            ["serve", "--trusted-proxies", f"127.0.0.1,{entry}"],
            f"--trusted-proxies {entry!r} is not an IP address or network {PROXIES_HINT}",
            "invalid-option-value",
        )
        for entry in ("*", "10.0.0.1/8", "proxy.internal")
    ),
    (  # uvicorn's name for it, kept out of the help's name column, is read the same
        ["serve", "--forwarded-allow-ips", "127.0.0.1,*"],
        f"--trusted-proxies '*' is not an IP address or network {PROXIES_HINT}",
        "invalid-option-value",
    ),
    (  # both names with different proxies: refused, not one silently chosen
        ["serve", "--trusted-proxies", "10.0.0.1", "--forwarded-allow-ips", "10.0.0.2"],
        "--trusted-proxies (10.0.0.1) and --forwarded-allow-ips (10.0.0.2) name different "
        "proxies: they are one option — give the proxies once, with --trusted-proxies (or "
        "COVENANT_TRUSTED_PROXIES)",
        "invalid-option-value",
    ),
    (
        ["serve", "--trusted-proxies", "127.0.0.1", "--proxy-header", "x-real-ip"],
        "--proxy-header 'x-real-ip' is not a header Covenant reads — write --proxy-header "
        "x-forwarded-for (X-Forwarded-For and X-Forwarded-Proto) or --proxy-header forwarded "
        "(RFC 7239), the one your proxies write",
        "invalid-option-value",
    ),
]


@pytest.mark.parametrize(("args", "message", "code"), CASES, ids=lambda c: str(c)[:40])
def test_a_bad_option_value_is_a_coded_usage_error(
    shop: Path, args: list[str], message: str, code: str
) -> None:
    result = runner.invoke(app, [*args, "-w", str(shop)], env=NOW)
    assert result.exit_code == 2, result.output
    assert f"error: {message}\n" in result.stderr
    assert f"run: covenant explain {code}" in result.stderr
    assert "Invalid value" not in result.output


def test_a_bad_clock_variable_is_a_coded_usage_error(shop: Path) -> None:
    result = runner.invoke(app, ["evaluate", "-w", str(shop)], env={"COVENANT_NOW": "soon"})
    assert result.exit_code == 2
    assert (
        "error: COVENANT_NOW='soon' is not an ISO-8601 instant with Z or an offset — write e.g. "
        "COVENANT_NOW=2026-10-31T09:30:00Z, or unset it to use the system clock"
    ) in result.stderr
    assert "run: covenant explain invalid-covenant-now" in result.stderr


@pytest.mark.parametrize(
    "clock", ["0001-01-01T00:00:00Z", "1970-06-01T00:00:00Z", "9999-12-31T00:00:00Z"]
)
def test_a_clock_outside_the_instants_range_is_a_coded_usage_error(shop: Path, clock: str) -> None:
    # --at refuses these years (1971 to 8999); the clock variable is read by every command and
    # an evaluation at year 1 reached an OverflowError traceback
    result = runner.invoke(app, ["evaluate", "-w", str(shop)], env={"COVENANT_NOW": clock})
    assert result.exit_code == 2, result.output
    assert (
        f"error: COVENANT_NOW={clock!r} is outside the years 1971 to 8999 — write an instant in "
        "that range, e.g. COVENANT_NOW=2026-10-31T09:30:00Z, or unset it to use the system clock"
    ) in result.stderr
    assert "run: covenant explain invalid-covenant-now" in result.stderr
    assert "Traceback" not in result.output


def test_good_values_still_run(shop: Path) -> None:
    args = ["suggest", "slo", *SLO, "--windows", "3", "--hold", "2", "-w", str(shop)]
    result = runner.invoke(app, args, env=NOW)
    assert result.exit_code == 0, result.output
    assert "checkout-availability" in result.stdout


def test_trusted_proxies_are_read_from_the_environment_too(shop: Path) -> None:
    env = {**NOW, "COVENANT_TRUSTED_PROXIES": "10.0.0.0/8 *"}
    result = runner.invoke(app, ["serve", "-w", str(shop)], env=env)
    assert result.exit_code == 2, result.output
    assert f"error: --trusted-proxies '*' is not an IP address or network {PROXIES_HINT}\n" in (
        result.stderr
    )
