"""``covenant rules prometheus`` and ``covenant dashboards grafana`` (docs/prometheus-rules.md)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from covenant.cli.common import WorkspaceOption, err_console, fail, usage
from covenant.errors import CovenantError, InputError

if TYPE_CHECKING:
    from covenant.services.prom_rules import RulePlan


class RuleFormat(StrEnum):
    RULES = "rules"
    PROMETHEUSRULE = "prometheusrule"


SloOption = Annotated[
    list[str] | None,
    typer.Option("--slo", metavar="NAME", help="Only this SLO (repeatable; default: every SLO)."),
]


def register(app: typer.Typer) -> None:
    rules = typer.Typer(
        help="Generate monitoring rules from the definitions.", no_args_is_help=True
    )
    rules.command("prometheus")(prometheus_command)
    app.add_typer(rules, name="rules")
    dashboards = typer.Typer(
        help="Generate dashboards on the generated rules.", no_args_is_help=True
    )
    dashboards.command("grafana")(grafana_command)
    app.add_typer(dashboards, name="dashboards")


def _report(plan: RulePlan) -> None:
    """List every objective without rules (with the reason) and what the rules need; none at
    all is an error."""
    from covenant.cli.console import now
    from covenant.services.prom_rules import none_with_rules, rule_notes

    for note in rule_notes(plan, at=now()):
        err_console.print(
            note.line(),
            style="" if note.level == "note" else "yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if not plan.targets:
        raise fail(
            none_with_rules(
                plan,
                listed="each objective is listed above with the reason (docs/prometheus-rules.md)",
                check="check -w (the folder of the definitions), or ",
            )
        )


def _refuse_others(out: Path | None, tests: Path | None, *, force: bool) -> None:
    """Every file the command would write, checked before any is: none that Covenant did not
    write is replaced without --force."""
    from covenant.services.generated_files import GENERATED, refuse_others, rule_file_ours
    from covenant.services.prom_tests import tests_rules_path

    paths = [out] if out is not None and str(out) != "-" else []
    if tests is not None:
        paths += [tests_rules_path(tests), tests]
    refuse_others(
        paths,
        ours=rule_file_ours,
        what=f"it does not start with {GENERATED!r}",
        force=force,
        head=65536,
    )


def _write(chunks: Iterable[str], out: Path | None) -> None:
    """Each piece as it is made: to standard output, or to ``out`` replaced whole once the
    last is written (a failure halfway leaves the file that was there)."""
    if out is None or str(out) == "-":  # "-": standard output, as other tools read it
        for chunk in chunks:
            typer.echo(chunk, nl=False)
    else:
        from covenant.services.generated_files import write_replacing

        with _writing(out):
            write_replacing(out, chunks)


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """An unwritable ``--out``/``--tests`` (a missing folder, no permission) is a coded error
    naming the file, not a traceback."""
    try:
        yield
    except OSError as exc:
        raise InputError(
            f"cannot write {exc.filename or path}: {exc.strerror or exc}",
            hint="give a file in an existing folder you can write to",
        ) from None


def prometheus_command(
    workspace: WorkspaceOption = Path(),
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write the rules to FILE (default, or -: standard output).",
            dir_okay=False,
        ),
    ] = None,
    rule_format: Annotated[
        RuleFormat,
        typer.Option(
            "--format",
            "-f",
            help="rules: a Prometheus rule file; prometheusrule: a prometheus-operator "
            "PrometheusRule.",
        ),
    ] = RuleFormat.RULES,
    slo: SloOption = None,
    tests: Annotated[
        Path | None,
        typer.Option(
            "--tests",
            metavar="FILE",
            dir_okay=False,
            help="Also write promtool unit tests to FILE (and the rules they load to "
            "FILE's name with .rules.yml): each alert tier fires and resolves at the "
            "instants Covenant's engine computes.",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            help="prometheusrule: the PrometheusRule's metadata.name (default covenant-slos): "
            "one per output applied to a namespace.",
        ),
    ] = None,
    namespace: Annotated[
        str | None,
        typer.Option("--namespace", help="prometheusrule: its metadata.namespace."),
    ] = None,
    label: Annotated[
        list[str] | None,
        typer.Option(
            "--label",
            metavar="KEY=VALUE",
            help="prometheusrule: a metadata label (repeat it), e.g. release=prometheus for "
            "an operator's ruleSelector.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace a file at --out or --tests that Covenant did not write (refused "
            "otherwise: it may be your own rules).",
        ),
    ] = False,
    level: Annotated[
        int | None,
        typer.Option(
            "--level",
            metavar="N",
            min=1,
            help="Only the recording rules of dependency level N (1: those reading the SLIs' "
            "metrics; each next level reads the levels before it), to back-fill the history "
            "with promtool one level at a time.",
        ),
    ] = None,
) -> None:
    """Prometheus recording and alerting rules for every Prometheus-backed SLO.

    Objectives that get no rules are listed on standard error with the reason.
    """
    from covenant.errors import OptionValueError
    from covenant.services.prom_rules import (
        check_level,
        level_chunks,
        operator_metadata,
        rule_file_chunks,
        workspace_plan,
    )

    operator = rule_format is RuleFormat.PROMETHEUSRULE
    try:
        metadata = operator_metadata(name, namespace, label or [], operator=operator)
        check_level(level, operator=operator, tests=tests is not None)
    except OptionValueError as error:
        raise usage(error) from None
    try:
        plan = workspace_plan(workspace, slos=slo or ())
        _report(plan)
        if level is not None:
            try:
                chunks, note = level_chunks(plan, level=level)
            except OptionValueError as error:
                raise usage(error) from None
            err_console.print(note, markup=False, highlight=False, soft_wrap=True)
        else:
            chunks = rule_file_chunks(plan, operator=operator, metadata=metadata)
        _refuse_others(out, tests, force=force)
        _write(chunks, out)  # one objective's rules made and written at a time
        if out is not None and str(out) != "-":  # as --tests and dashboards say theirs
            err_console.print(f"wrote {out}", markup=False, highlight=False, soft_wrap=True)
        if tests is not None:
            from covenant.services.prom_tests import write_rule_tests

            with _writing(tests):
                written = write_rule_tests(plan, tests)
            for line in written:
                err_console.print(line, markup=False, highlight=False, soft_wrap=True)
    except CovenantError as error:
        raise fail(error) from None


def grafana_command(
    workspace: WorkspaceOption = Path(),
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Folder for the dashboards (one JSON file per service).",
            file_okay=False,
        ),
    ] = Path("dashboards"),
    slo: SloOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace a dashboard file in --out that Covenant did not write (refused "
            "otherwise: it may be your own).",
        ),
    ] = False,
) -> None:
    """A Grafana dashboard per service on the recordings of `covenant rules prometheus`."""
    from covenant.errors import OptionValueError
    from covenant.services.dashboards import write_grafana_dashboards

    if out.suffix.lower() == ".json" and not out.is_dir():
        raise usage(
            OptionValueError(
                f"--out {out}: --out is a folder (one dashboard file per service), not a file",
                hint=f"give a folder, e.g. --out {out.with_suffix('') or 'dashboards'}",
            )
        )
    try:
        written, plan = write_grafana_dashboards(workspace, out, slos=slo or (), force=force)
    except CovenantError as error:
        raise fail(error) from None
    _report(plan)
    for path in written:
        typer.echo(str(path))
