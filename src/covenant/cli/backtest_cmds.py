"""``covenant backtest agreement|alerts`` and ``covenant suggest slo|backing``."""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from covenant.cli.common import AtOption, WorkspaceOption, console, fail, settings_for, usage
from covenant.cli.console import now
from covenant.cli.evaluate_cmds import FormatOption
from covenant.cli.evaluate_run import Format
from covenant.cli.options import count_option, option_error
from covenant.cli.table_options import WideOption
from covenant.cli.when import instant_option, period_option, zone_of
from covenant.errors import CovenantError, InputError, InstantOptionError, PeriodOptionError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from covenant.core.agreements import AgreementVersion
    from covenant.core.backtest import AgreementBacktest
    from covenant.core.replay import AlertReplay
    from covenant.core.suggest import BackingSuggestion, TargetSuggestion

T = TypeVar("T")


def register(app: typer.Typer) -> None:
    backtest = typer.Typer(
        help="Replay proposed terms or alert policies against history.", no_args_is_help=True
    )
    backtest.command("agreement")(agreement_command)
    backtest.command("alerts")(alerts_command)
    app.add_typer(backtest, name="backtest")
    suggest = typer.Typer(help="Suggest targets from history.", no_args_is_help=True)
    suggest.command("slo")(suggest_slo_command)
    suggest.command("backing")(suggest_backing_command)
    app.add_typer(suggest, name="suggest")


def _windows_and_hold(windows: str, hold: str) -> tuple[int, int]:
    """``--windows`` (M) and ``--hold`` (N ≤ M) as whole numbers: a bad one is a usage error."""
    m = count_option(windows, option="--windows", example="12")  # the most: range-too-large
    n = count_option(hold, option="--hold", example="10")
    assert m is not None
    assert n is not None
    if n > m:
        raise usage(
            option_error(
                "--hold",
                hold,
                f"is more than --windows {m}: the target cannot hold in more windows than are "
                "looked at",
                f"give --hold at most {m}, e.g. --windows {m} --hold {max(1, m * 5 // 6)}",
            )
        )
    return m, n


def _store(workspace: Path) -> Engine:
    from covenant.services.store import open_existing

    return open_existing(settings_for(workspace).database_url)


def _run(
    workspace: Path,
    output_format: Format,
    compute: Callable[[], T],
    as_json: Callable[[T], object],
    as_table: Callable[[T], None],
) -> None:
    """Compute (a Covenant error exits with its message), then print JSON or a table. Days a
    first read by days stored as sums only are read minute by minute first (``day_minutes``)."""
    from covenant.cli.day_minutes import with_minutes

    try:
        result = with_minutes(workspace, compute)
    except CovenantError as error:
        raise fail(error) from None
    if output_format is Format.JSON:
        typer.echo(json.dumps(as_json(result), indent=2))
    else:
        as_table(result)


def agreement_command(
    file: Annotated[
        Path,
        typer.Argument(help="YAML file with one Agreement (the proposed terms).", dir_okay=False),
    ],
    first: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="PERIOD",
            help="First period: 2026-01, 2026-Q1, last-month, -3M, this-quarter, -2Q.",
        ),
    ],
    last: Annotated[
        str,
        typer.Option("--to", metavar="PERIOD", help="Last period (included), e.g. this-month."),
    ],
    workspace: WorkspaceOption = Path(),
    version: Annotated[
        str | None,
        typer.Option("--version", metavar="N", help="Version to test (default: the latest)."),
    ] = None,
    at: AtOption = None,
    output_format: FormatOption = Format.TABLE,
    wide: WideOption = False,
) -> None:
    """What the proposed terms would have paid in each past period, beside the current terms."""
    from covenant.render.backtest import backtest_json, render_backtest_table
    from covenant.services.backtest import backtest_agreement, load_proposal, periods_reversed

    instant = instant_option(at)
    number = count_option(version, option="--version", example="2")
    for name, given in (("--from", first), ("--to", last)):
        period_option(given, option=name, reference=instant)  # a usage error before any work

    def compute() -> AgreementBacktest:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(
                f"cannot read {file}: {exc}", hint="give a readable YAML file"
            ) from exc
        _, versions = load_proposal(workspace, text=text, file=str(file))
        zone = zone_of([v.zone for v in versions])  # relative periods on its wall clock
        start = period_option(first, option="--from", reference=instant, zone=zone)
        end = period_option(last, option="--to", reference=instant, zone=zone)
        if periods_reversed(start, end):  # a usage error, as backtest alerts' reversed range
            raise usage(
                PeriodOptionError(
                    f"--from {first!r} ({start}) is after --to {last!r} ({end})",
                    hint=f"swap them: --from {last} --to {first}",
                )
            )
        return backtest_agreement(
            _store(workspace),
            workspace_dir=workspace,
            proposal_text=text,
            proposal_file=str(file),
            first=start,
            last=end,
            at=instant,
            version=number,
            now=now(),  # an --at after now: measured up to now
        )

    _run(
        workspace,
        output_format,
        compute,
        backtest_json,
        lambda r: render_backtest_table(console, r, wide=wide),
    )


def alerts_command(
    slo: Annotated[str, typer.Argument(help="SLO name (or slo/objective).")],
    workspace: WorkspaceOption = Path(),
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="INSTANT",
            help="First instant: 2026-11-01T00:00:00Z, -7d, -1M (default: one SLO window back).",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", metavar="INSTANT", help="Last instant: as --from, or now (default)."),
    ] = None,
    step: Annotated[str, typer.Option("--step", help="Evaluate every … (5m, 1m, 1h).")] = "5m",
    tier: Annotated[
        list[str] | None,
        typer.Option("--tier", help="Proposed tier name:severity:burn:long:short (repeatable)."),
    ] = None,
    output_format: FormatOption = Format.TABLE,
    wide: WideOption = False,
) -> None:
    """When each alert tier would have fired, for how long, and the budget spent by then."""
    from covenant.render.alert_backtest import alerts_json, render_alerts_table
    from covenant.services.alert_backtest import backtest_alerts, parse_step, parse_tier
    from covenant.services.workspace import load_workspace

    reference = instant_option(None)
    to_instant = instant_option(end, option="--to", reference=reference)
    from_instant = (
        None if start is None else instant_option(start, option="--from", reference=reference)
    )
    if from_instant is not None and from_instant >= to_instant:
        raise usage(
            InstantOptionError(
                f"--from {start!r} ({from_instant.isoformat().replace('+00:00', 'Z')}) is not "
                f"before --to {end or 'now'!r} ({to_instant.isoformat().replace('+00:00', 'Z')})",
                hint=f"swap them: --from {end or 'now'} --to {start}",
            )
        )
    try:
        step_s = parse_step(step)
    except InputError as error:
        raise usage(
            option_error(
                "--step", step, "is not a step", "write a duration such as --step 5m (or 1m, 1h)"
            )
        ) from error

    def compute() -> list[AlertReplay]:
        tiers = None if not tier else [parse_tier(t) for t in tier]
        ws = load_workspace(workspace)
        return backtest_alerts(
            _store(workspace),
            workspace=ws,
            slo=slo,
            start=from_instant,
            end=to_instant,
            step_s=step_s,
            tiers=tiers,
        )

    _run(
        workspace,
        output_format,
        compute,
        alerts_json,
        lambda r: render_alerts_table(console, r, wide=wide),
    )


def suggest_slo_command(
    slo: Annotated[str, typer.Argument(help="SLO name (or slo/objective).")],
    workspace: WorkspaceOption = Path(),
    windows: Annotated[
        str, typer.Option("--windows", metavar="M", help="Windows to look back (M).")
    ] = "12",
    hold: Annotated[
        str, typer.Option("--hold", metavar="N", help="Windows the target must hold in (N).")
    ] = "10",
    at: AtOption = None,
    output_format: FormatOption = Format.TABLE,
    wide: WideOption = False,
) -> None:
    """The target that would have held in N of the last M windows."""
    from covenant.render.suggest import render_suggestion_table, suggestion_json
    from covenant.services.suggest import suggest_slo
    from covenant.services.workspace import load_workspace

    instant = instant_option(at)
    counts = _windows_and_hold(windows, hold)

    def compute() -> list[TargetSuggestion]:
        ws = load_workspace(workspace)
        return suggest_slo(
            _store(workspace),
            workspace=ws,
            slo=slo,
            at=instant,
            windows=counts[0],
            hold=counts[1],
        )

    _run(
        workspace,
        output_format,
        compute,
        suggestion_json,
        lambda r: render_suggestion_table(console, r, wide=wide),
    )


def suggest_backing_command(
    agreement: Annotated[str, typer.Argument(help="Agreement name.")],
    workspace: WorkspaceOption = Path(),
    margin: Annotated[
        str | None,
        typer.Option(
            "--margin",
            help="Required margin in percentage points (default: the agreement's "
            "covenant.dev/required-margin annotation, else 0.05).",
        ),
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", metavar="N", help="Agreement version.")
    ] = None,
    windows: Annotated[
        str, typer.Option("--windows", metavar="M", help="Windows of history (M).")
    ] = "12",
    hold: Annotated[
        str, typer.Option("--hold", metavar="N", help="Windows to hold in (N).")
    ] = "10",
    at: AtOption = None,
    output_format: FormatOption = Format.TABLE,
    wide: WideOption = False,
) -> None:
    """The backing SLO target each commitment needs (level + margin), and how the SLO fares."""
    from covenant.render.suggest import backing_json, render_backing_table
    from covenant.services.suggest import required_margin, suggest_backing
    from covenant.services.workspace import load_workspace

    instant = instant_option(at)
    number = count_option(version, option="--version", example="2")
    counts = _windows_and_hold(windows, hold)

    def compute() -> tuple[Fraction, AgreementVersion, list[BackingSuggestion]]:
        ws = load_workspace(workspace)
        used = required_margin(ws, agreement=agreement, given=margin)
        chosen, result = suggest_backing(
            _store(workspace),
            workspace=ws,
            agreement=agreement,
            at=instant,
            margin=used,
            version=number,
            windows=counts[0],
            hold=counts[1],
        )
        return used, chosen, result

    def table(found: tuple[Fraction, AgreementVersion, list[BackingSuggestion]]) -> None:
        used, chosen, result = found
        console.print(
            f"{chosen.key} ({chosen.status.value}), margin {float(used * 100):g} points",
            markup=False,
            highlight=False,
        )
        render_backing_table(console, result, wide=wide)

    _run(workspace, output_format, compute, lambda found: backing_json(found[2]), table)
