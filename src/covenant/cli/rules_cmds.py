"""``covenant rules prometheus`` and ``covenant dashboards grafana`` (docs/prometheus-rules.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
    """List every objective without rules, with the reason; none at all is an error."""
    for skipped in plan.skipped:
        err_console.print(
            f"skipped {skipped.objective}: {skipped.reason}",
            style="yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    _horizon_notes(plan)
    _retention_note(plan)
    for target in plan.targets:
        quiet = [t.name for t in target.objective.alert_tiers if not target.switch(t).resolved]
        if quiet:
            err_console.print(
                f"note {target.objective.key}: alertWhenResolved: false ({', '.join(quiet)}) "
                "has no Prometheus form (Prometheus always sends the resolution); its alerts "
                'carry the annotation covenant_send_resolved: "false": route them to an '
                "Alertmanager receiver with send_resolved: false (docs/prometheus-rules.md)",
                style="yellow",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    if plan.targets:
        return
    if plan.skipped:
        why, hint = "", "each objective is listed above with the reason (docs/prometheus-rules.md)"
    else:
        why = ": the workspace defines no SLO"
        hint = (
            "check -w (the folder of the definitions), or add an SLO with a Prometheus "
            "DataSource (docs/prometheus.md)"
        )
    raise fail(InputError(f"no objective gets Prometheus rules{why}", hint=hint))


RETENTION_S = 15 * 86400
"""Prometheus's default ``--storage.tsdb.retention.time``."""


def _retention_note(plan: RulePlan) -> None:
    """Windows longer than Prometheus's default retention sum recordings the server must keep
    that long: say so once, with the flag (a 30-day SLI on a default server covers 15 days)."""
    import time

    from covenant.core.timeutil import shorthand
    from covenant.core.windows import window_bounds

    at = int(time.time())
    longest = max(
        (window_bounds(t.objective.window, at=at).length for t in plan.targets), default=0
    )
    if longest > RETENTION_S:
        err_console.print(
            f"note: the longest window ({shorthand(longest)}) sums recordings over that span: "
            "the server must keep them that long (Prometheus keeps 15d unless "
            f"--storage.tsdb.retention.time={shorthand(longest)} or more is set)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def _horizon_notes(plan: RulePlan) -> None:
    """Calendar windows in a zone with daylight saving time hold an offset table: say until
    when, and warn when less than a year of it is left."""
    from datetime import UTC, datetime

    from covenant.render.prom_windows import seasonal_zones
    from covenant.render.prom_zones import HORIZON, horizon_text

    zones = seasonal_zones([t.objective for t in plan.targets])
    if not zones:
        return
    left = HORIZON[1] - int(datetime.now(UTC).timestamp())
    soon = left < 365 * 86400
    err_console.print(
        f"{'warning' if soon else 'note'}: the calendar windows in {', '.join(zones)} "
        f"(daylight saving time) use the zones' UTC offsets from {horizon_text()}"
        + (": less than a year left, regenerate with a newer Covenant" if soon else ""),
        style="yellow" if soon else "",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def _write(text: str, out: Path | None) -> None:
    if out is None or str(out) == "-":  # "-": standard output, as other tools read it
        typer.echo(text, nl=False)
    else:
        with _writing(out):
            out.write_text(text, encoding="utf-8")


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
) -> None:
    """Prometheus recording and alerting rules for every Prometheus-backed SLO.

    Objectives that get no rules are listed on standard error with the reason.
    """
    from covenant.errors import OptionValueError
    from covenant.services.prom_rules import prometheus_rules

    operator = rule_format is RuleFormat.PROMETHEUSRULE
    try:
        metadata = _metadata(name, namespace, label or [], operator=operator)
    except OptionValueError as error:
        raise usage(error) from None
    try:
        text, plan = prometheus_rules(
            workspace, slos=slo or (), operator=operator, metadata=metadata
        )
        _report(plan)
        _write(text, out)
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


_DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
_DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_LABEL_KEY = r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
_LABEL_VALUE = r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$"


def _metadata(
    name: str | None, namespace: str | None, labels: list[str], *, operator: bool
) -> dict[str, Any]:
    """The PrometheusRule's ``--name``, ``--namespace`` and ``--label``s, checked as Kubernetes
    checks them (a usage error before anything is written)."""
    import re

    from covenant.errors import OptionValueError

    given = {"--name": name, "--namespace": namespace, "--label": labels or None}
    if not operator:
        used = [option for option, value in given.items() if value]
        if used:
            raise OptionValueError(
                f"{used[0]} is for --format prometheusrule",
                hint="add --format prometheusrule, or leave it out",
            )
        return {}
    found: dict[str, Any] = {}
    for option, value, most in (("--name", name, 253), ("--namespace", namespace, 63)):
        if value is None:
            continue
        label = option == "--namespace"  # a namespace is a DNS label: no dots
        if len(value) > most or not re.match(_DNS_LABEL if label else _DNS_SUBDOMAIN, value):
            raise OptionValueError(
                f"{option} {value!r} is not a Kubernetes name",
                hint="lowercase letters, digits, '-' and '.', e.g. checkout-slos",
            )
        found[option[2:]] = value
    pairs: dict[str, str] = {}
    for item in labels:
        key, eq, value = item.partition("=")
        prefix, _, short = key.rpartition("/")
        sizes = len(prefix) <= 253 and len(short) <= 63 and len(value) <= 63
        if (
            not eq
            or not sizes
            or not re.match(_LABEL_KEY, key)
            or not re.match(_LABEL_VALUE, value)
        ):
            raise OptionValueError(
                f"--label {item!r} is not a Kubernetes label KEY=VALUE",
                hint="e.g. --label release=prometheus",
            )
        pairs[key] = value
    if pairs:
        found["labels"] = pairs
    return found


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
) -> None:
    """A Grafana dashboard per service on the recordings of `covenant rules prometheus`."""
    from covenant.services.dashboards import write_grafana_dashboards

    try:
        written, plan = write_grafana_dashboards(workspace, out, slos=slo or ())
    except CovenantError as error:
        raise fail(error) from None
    _report(plan)
    for path in written:
        typer.echo(str(path))
