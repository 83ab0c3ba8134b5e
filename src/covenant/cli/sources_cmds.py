"""``covenant sources list`` and ``covenant sources worker``: the Prometheus DataSources the
SLIs read from, how far each series was read and why its latest read failed, and the
workers' ticks on the store — what ``GET /api/v1/data-sources`` and ``/worker`` answer
(``services.source_status``; ``-f json`` is their answer)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from covenant.cli.common import WorkspaceOption, console, fail, settings_for
from covenant.errors import CovenantError


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def register(app: typer.Typer) -> None:
    sources = typer.Typer(
        help="Data sources: how far each series was read, and the worker's ticks.",
        no_args_is_help=True,
    )
    sources.command("list")(list_command)
    sources.command("worker")(worker_command)
    app.add_typer(sources, name="sources")


def _print(line: str) -> None:
    console.print(line, markup=False, highlight=False, soft_wrap=False, overflow="fold")


def list_command(
    workspace: WorkspaceOption = Path(),
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", help="Only this DataSource.", show_default=False),
    ] = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Every DataSource an SLI reads from: its URL, its series by read state, and per series
    how far it is read and its latest read's error (as GET /api/v1/data-sources)."""
    from covenant.render.tables import Col, print_table
    from covenant.services.source_status import data_sources_json
    from covenant.services.store import open_existing
    from covenant.services.workspace import load_workspace

    try:
        engine = open_existing(settings_for(workspace).database_url)
        items = data_sources_json(engine, load_workspace(workspace), name=name)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps({"items": items}, indent=2))
        return
    if not items:
        _print("no SLI reads from a Prometheus DataSource: nothing is read (docs/prometheus.md)")
    for source in items:
        states = source["states"]
        _print(f"{source['name']}  {source['url']}")
        if reached := _reached(source):
            _print(f"  {reached}")
        _print(
            f"  {source['series_count']} series: {states['read']} read, "
            f"{states['failing']} failing, {states['never-read']} never read; "
            f"oldest read up to {source['read_until_oldest'] or '-'}"
        )
        rows = [_series_row(s) for s in source["series"]]
        print_table(
            console,
            [
                Col("series", name=True),
                Col("state", wrap=False),
                Col("read up to", wrap=False),
                Col("latest problem"),
            ],
            rows,
        )


def _reached(source: dict[str, Any]) -> str:
    """How the source is reached, as /ui/sources says it: the variables its secrets are read
    from (never a value), the literal headers' names, the tenant, an unverified TLS."""
    parts = []
    auth = source["auth"]
    if auth is not None and auth["kind"] == "bearer":
        parts.append(f"bearer token from ${auth['env']}")
    elif auth is not None:
        parts.append(f"basic auth from ${auth['username_env']}")
    parts += [f"header {h} from ${v}" for h, v in sorted(source["headers_env"].items())]
    parts += [f"header {h} as written" for h in source["headers"]]
    if source["tenant"]:
        parts.append(f"tenant {source['tenant']}")
    if not source["tls_verify"]:
        parts.append("TLS not verified")
    return "; ".join(parts)


def _series_row(series: dict[str, Any]) -> list[str]:
    error = series["error"]
    problem = "" if error is None else f"{error['code']} at {error['at']}: {error['message']}"
    if not problem and series["unmatched"]:
        problem = "; ".join(f"{u['query']} query matched no series" for u in series["unmatched"])
    return [series["series"], series["state"], series["read_until"] or "-", problem]


def worker_command(
    workspace: WorkspaceOption = Path(),
    output: FormatOption = Format.TABLE,
) -> None:
    """Every worker's ticks on the store and the queries whose newest read matched no series
    (as GET /api/v1/worker answers from a process that runs no worker itself)."""
    from covenant.services.source_status import worker_json
    from covenant.services.store import open_existing
    from covenant.services.workspace import load_workspace

    try:
        engine = open_existing(settings_for(workspace).database_url)
    except CovenantError as error:
        raise fail(error) from None
    try:
        defined = load_workspace(workspace)
    except CovenantError:  # as the API: the store's ticks are told all the same
        defined = None
    try:
        found = worker_json(None, engine, defined)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps(found, indent=2))
        return
    store = found["store"]
    ticks = store["ticks"]
    if store["last_tick_at"] is None:
        _print("workers on the store: no tick counted yet (is `covenant serve` running?)")
    else:
        done = store["last_success_at"] or "none completed yet"
        _print(
            f"workers on the store: {ticks['ok']} ticks ok, {ticks['problems']} with problems, "
            f"{ticks['failed']} failed; the latest at {store['last_tick_at']} took "
            f"{store['last_tick_seconds']:.1f} s; the latest completed: {done}"
        )
    unmatched = found["unmatched"]
    if unmatched is None:
        _print("queries matching no series: unknown (the workspace does not validate)")
    elif not unmatched:
        _print("queries matching no series: none")
    for u in unmatched or ():
        since = u["since"] or "-"
        _print(f"  {u['source']} {u['series']} {u['query']}: {u['selector']} (since {since})")
