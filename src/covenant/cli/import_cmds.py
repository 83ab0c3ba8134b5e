"""``covenant import sloth|pyrra|slo-generator FILE...``: other tools' SLOs into the workspace."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from covenant.cli.common import console, err_console, fail, usage
from covenant.errors import CovenantError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from covenant.definitions.importers.base import Options
    from covenant.services.importing import ImportPlan


class ReportFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


Files = Annotated[
    list[Path],
    typer.Argument(help="The tool's files, or folders of them (*.yaml, *.yml).", exists=True),
]
Into = Annotated[
    Path,
    typer.Option(
        "--into",
        "-w",
        help="Workspace folder to write into (created if missing).",
        envvar="COVENANT_WORKSPACE",
    ),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Report what would be written; write nothing.")
]
Force = Annotated[
    bool,
    typer.Option("--force", help="Replace the files an earlier import of the same sources wrote."),
]
Format = Annotated[
    ReportFormat, typer.Option("--format", "-f", help="text for people, json for machines.")
]
Url = Annotated[
    str | None,
    typer.Option(
        "--prometheus-url", help="URL of the Prometheus DataSource (default http://localhost:9090)."
    ),
]
Source = Annotated[str, typer.Option("--datasource", help="Name of the Prometheus DataSource.")]
Split = Annotated[
    bool,
    typer.Option(
        "--split-groups",
        help="Write one SLO per group value of a grouped SLI (Pyrra grouping, Sloth "
        "by (labels)), asking the workspace's DataSource --datasource (with its auth, headers, "
        "tenant and TLS settings) or else the server at --prometheus-url which values it has "
        "over the SLO's window now; a value that appears later is not covered.",
    ),
]


def _url(given: str | None) -> dict[str, Any]:
    if given is None:
        return {}
    return {"prometheus_url": given, "prometheus_url_given": True}


def _run(
    tool: str,
    files: list[Path],
    *,
    into: Path,
    dry_run: bool,
    force: bool,
    output: ReportFormat,
    options: Options,
    config_given: bool = False,
) -> None:
    from covenant.cli.console import now
    from covenant.services import importing
    from covenant.services.import_report import import_json, preview_changes

    try:
        plan = importing.plan_import(
            tool,
            files,
            into=into,
            options=options,
            config_given=config_given,
            force=force or dry_run,  # a dry run previews a replacement, as the API's preview
            at=now() if options.split_groups else None,
        )
        written = [] if dry_run or plan.problems else importing.write_import(plan)
    except importing.ImportOptionError as exc:
        raise usage(exc) from exc
    except CovenantError as exc:
        raise fail(exc) from exc
    report = import_json(plan, written, dry_run=dry_run)
    if dry_run:
        report = preview_changes(plan, report, forced=force)
        report["summary"] = report["summary"].replace("force=true", "--force")
    if output is ReportFormat.JSON:
        typer.echo(json.dumps(report, indent=2))
    else:
        _text(plan, written, dry_run=dry_run)
        if dry_run and not plan.problems:
            _say(report["summary"], "bold")
    if plan.problems:
        raise typer.Exit(code=1)
    if not any(planned.imported.slos for planned in plan.files):
        err_console.print(
            "error: nothing to import: no file holds an SLO Covenant can carry over (each "
            "file's reason is above)",
            style="bold red",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=1)


def _say(text: str, style: str = "") -> None:
    console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)


NAMED = 10
"""How many SLO names a file's report line shows; the rest are counted (JSON lists all)."""


def _named(slos: Sequence[str]) -> str:
    """``slos`` named, up to :data:`NAMED` of them: a 1,000-SLO file is not one long line."""
    shown = ", ".join(slos[:NAMED])
    more = len(slos) - NAMED
    return shown if more <= 0 else f"{shown} and {more} more (--format json lists every one)"


def _text(plan: ImportPlan, written: list[Path], *, dry_run: bool) -> None:
    from covenant.services.import_report import import_status

    for planned in plan.files:
        imported = planned.imported
        status = import_status(planned)
        head = f"{imported.source}: {status}"
        if imported.slos:
            head += f" — {len(imported.slos)} SLO(s): {_named(imported.slos)}"
        _say(head, "bold red" if status == "refused" else "bold")
        if imported.reason:
            _say(f"  {imported.reason}")
        for problem in imported.problems:
            _say(f"  {problem}", "red")
        if imported.problems and imported.notes:  # the problems first: nothing is written
            _say(f"  ({len(imported.notes)} note(s) not shown until the problems are fixed)")
        for note in [] if imported.problems else imported.notes:
            mark = "left out" if note.skipped else "note"
            place = " ".join(part for part in (note.where, note.field) if part)
            _say(
                f"  {mark}: {place}: {note.reason}",
                "yellow" if note.skipped else "",
            )
        for original, name in imported.renamed.items():
            _say(f"  renamed: {original!r} → {name} (OpenSLO names are DNS labels)")
        for reused in planned.reused:
            _say(f"  {reused} is already in the workspace: reused, not written again")
        if planned.target is not None:
            verb = "would write" if dry_run or plan.problems else "wrote"
            replacing = " (replacing the file an earlier import of it wrote)"
            _say(f"  {verb} {planned.target}{replacing if planned.replaces else ''}", "green")
    for warning in plan.warnings:
        _say(f"warning: {warning}", "yellow")
    if len(plan.files) > 1:
        _say(_summary(plan), "bold")
    if plan.problems:
        err_console.print(
            "error: some files are not valid input; nothing was written — fix them or leave them "
            "out",
            style="bold red",
            markup=False,
            highlight=False,
        )
        err_console.print(
            "  run: covenant explain CODE (the code in brackets)", style="dim", markup=False
        )
    elif written:
        _say(f"next: covenant validate {plan.into}")


def _summary(plan: ImportPlan) -> str:
    from covenant.services.import_report import import_status

    statuses = [import_status(planned) for planned in plan.files]
    slos = sum(len(planned.imported.slos) for planned in plan.files)
    left = sum(n.skipped for planned in plan.files for n in planned.imported.notes)
    parts = [f"{len(plan.files)} files", f"{slos} SLO(s) imported", f"{left} left out"]
    parts += [
        f"{statuses.count(status)} {label}"
        for status, label in (
            ("nothing-imported", "with nothing to import"),
            ("refused", "refused"),
        )
        if status in statuses
    ]
    return ", ".join(parts)


def sloth(
    files: Files,
    into: Into = Path(),
    dry_run: DryRun = False,
    force: Force = False,
    output: Format = ReportFormat.TEXT,
    prometheus_url: Url = None,
    datasource: Source = "prometheus",
    split_groups: Split = False,
    period: Annotated[
        str, typer.Option("--sloth-period", help="SLO period (Sloth's --default-slo-period).")
    ] = "30d",
    windows: Annotated[
        Path | None,
        typer.Option(
            "--alert-windows",
            help="A Sloth AlertWindows catalog for the period.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Import Sloth specs (prometheus/v1, PrometheusServiceLevel, OpenSLO v1alpha SLOs)."""
    from covenant.definitions.importers.base import Options
    from covenant.services import importing

    try:
        period = importing.sloth_period(period, option="--sloth-period")
        catalog = importing.alert_windows(windows) if windows is not None else None
    except CovenantError as exc:
        raise usage(exc) from exc
    options = Options(
        datasource=datasource,
        **_url(prometheus_url),
        sloth_period=period,
        alert_windows=catalog,
        split_groups=split_groups,
    )
    _run("sloth", files, into=into, dry_run=dry_run, force=force, output=output, options=options)


def pyrra(
    files: Files,
    into: Into = Path(),
    dry_run: DryRun = False,
    force: Force = False,
    output: Format = ReportFormat.TEXT,
    prometheus_url: Url = None,
    datasource: Source = "prometheus",
    split_groups: Split = False,
) -> None:
    """Import Pyrra ServiceLevelObjective resources."""
    from covenant.definitions.importers.base import Options

    options = Options(datasource=datasource, **_url(prometheus_url), split_groups=split_groups)
    _run("pyrra", files, into=into, dry_run=dry_run, force=force, output=output, options=options)


def slo_generator(
    files: Files,
    into: Into = Path(),
    dry_run: DryRun = False,
    force: Force = False,
    output: Format = ReportFormat.TEXT,
    prometheus_url: Url = None,
    datasource: Source = "prometheus",
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="slo-generator's shared config, or a v1 error_budget_policy.yaml (default: "
            "config.yaml beside the file or above).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Import slo-generator SLO configs (sre.google.com/v2, and v1)."""
    from covenant.definitions.importers.base import Options
    from covenant.services.import_sources import read_slo_generator_config

    shared: dict[str, Any] = {}
    if config is not None:
        try:
            shared["slo_generator_config"] = read_slo_generator_config(config)
        except CovenantError as exc:
            raise fail(exc) from exc
        shared["slo_generator_config_file"] = str(config)
    options = Options(datasource=datasource, **_url(prometheus_url), **shared)
    _run(
        "slo-generator",
        files,
        into=into,
        dry_run=dry_run,
        force=force,
        output=output,
        options=options,
        config_given=config is not None,
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    import_app = typer.Typer(
        help="Import other tools' SLOs (Sloth, Pyrra, slo-generator) as OpenSLO definitions.",
        no_args_is_help=True,
    )
    import_app.command("sloth")(sloth)
    import_app.command("pyrra")(pyrra)
    import_app.command("slo-generator")(slo_generator)
    app.add_typer(import_app, name="import")
