"""``covenant serve`` (the HTTP API) and ``covenant token create|list|revoke``."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from covenant.cli.common import (
    ActorOption,
    WorkspaceOption,
    cli_actor,
    console,
    fail,
    now,
    settings_for,
    store_to_write,
)
from covenant.cli.console import err_console, usage
from covenant.config import DEFAULT_MAX_BODY_BYTES, MAX_BODY_ENV
from covenant.errors import CovenantError, OptionValueError, ServeStartError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_SHUTDOWN_TIMEOUT_S = 30
DEFAULT_DEFINITIONS_CHECK_S = 1.0
ROLES = ("admin", "editor", "viewer", "customer")


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    token = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)
    token.command("create")(create_command)
    token.command("list")(list_command)
    token.command("revoke")(revoke_command)
    app.add_typer(token, name="token")


def serve_command(
    workspace: WorkspaceOption = Path(),
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (0.0.0.0 for every interface).")
    ] = DEFAULT_HOST,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="TCP port (0: any free port).")
    ] = DEFAULT_PORT,
    no_worker: Annotated[
        bool,
        typer.Option(
            "--no-worker",
            help="Serve the API only: no minute tick, no alerts (another process runs them).",
        ),
    ] = False,
    no_catch_up: Annotated[
        bool,
        typer.Option(
            "--no-catch-up",
            help="The worker asks the workspace's Prometheus sources nothing: no catch-up, and "
            "no day of minutes for the agreements' alerts (their data is ingested another way, "
            "as in the demo).",
        ),
    ] = False,
    shutdown_timeout: Annotated[
        int,
        typer.Option(
            "--shutdown-timeout",
            min=0,
            help="On SIGTERM or Ctrl-C, how long requests in flight may still run (seconds).",
        ),
    ] = DEFAULT_SHUTDOWN_TIMEOUT_S,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes sharing the port (one per core is a good start); one of "
            "them runs the worker's tick.",
        ),
    ] = 1,
    definitions_check: Annotated[
        float,
        typer.Option(
            "--definitions-check",
            min=0,
            max=3600,
            help="Look at the workspace's files at most this often (seconds): an edited "
            "definition shows in the answers at most this long after it is saved.",
        ),
    ] = DEFAULT_DEFINITIONS_CHECK_S,
    proxies_option: Annotated[
        str,
        typer.Option(
            "--trusted-proxies",
            envvar="COVENANT_TRUSTED_PROXIES",
            help="Reverse proxies (addresses or CIDR networks, comma-separated) whose "
            "--proxy-header is believed: the client is then the nearest address not among "
            "them. Default: none (no header is read). Also spelled --forwarded-allow-ips.",
        ),
    ] = "",
    # uvicorn's and gunicorn's name for --trusted-proxies, kept out of the help's name column:
    # both names in it were cut to "--trusted-proxies,--f…" at 80 columns
    forwarded_allow_ips: Annotated[
        str | None, typer.Option("--forwarded-allow-ips", hidden=True)
    ] = None,
    proxy_header: Annotated[
        str,
        typer.Option(
            "--proxy-header",
            envvar="COVENANT_PROXY_HEADER",
            help="The header the trusted proxies write: x-forwarded-for (with "
            "X-Forwarded-Proto) or forwarded (RFC 7239). Only that one is read: the proxies "
            "must overwrite or drop the other, or a client could name its own address.",
        ),
    ] = "x-forwarded-for",
    max_body_bytes: Annotated[
        int,
        typer.Option(
            "--max-body-bytes",
            envvar=MAX_BODY_ENV,
            min=1,
            help="The most bytes a request body may hold (an event batch, a form): a larger "
            "one is refused (413 body-too-large) before it is read whole. Default 16 MiB.",
        ),
    ] = DEFAULT_MAX_BODY_BYTES,
) -> None:
    """Serve the workspace: HTTP API, web UI and /metrics, and run the worker.

    The API is under /api/v1 (OpenAPI at /api/v1/openapi.json), the web UI under /ui. Every
    minute the worker catches up sources, evaluates every SLO and agreement and keeps alert
    state (docs/worker.md). Of several servers on one store, one runs the worker at a time
    (the leader; /readyz says which; docs/deployment.md).

    API requests need a token (`covenant token create`); the UI signs in with a token or a
    user (`covenant user create`). Stop with Ctrl-C or SIGTERM: requests in
    flight (an event batch being ingested) and the worker's tick are finished first, then the
    process exits 0."""
    from covenant.api.serving import proxy_header_of, trusted_proxies

    try:  # before anything is opened
        if forwarded_allow_ips is not None and proxies_option not in ("", forwarded_allow_ips):
            raise OptionValueError(
                f"--trusted-proxies ({proxies_option}) and --forwarded-allow-ips "
                f"({forwarded_allow_ips}) name different proxies: they are one option",
                hint="give the proxies once, with --trusted-proxies (or COVENANT_TRUSTED_PROXIES)",
            )
        proxies = trusted_proxies(
            proxies_option if forwarded_allow_ips is None else forwarded_allow_ips
        )
        header = proxy_header_of(proxy_header)
    except CovenantError as error:
        raise usage(error) from None
    settings = settings_for(workspace)
    from covenant.services.serving import hold_serving

    shown = f"[{host}]" if ":" in host else host
    try:  # first: `covenant demo` will not delete the store, nor is it being rebuilt now
        serving = hold_serving(
            settings.database_url, address=f"http://{shown}:{port}" if port else ""
        )
    except CovenantError as error:
        raise fail(error) from None
    try:
        served = _serve_held(
            settings,
            workspace,
            make_app_options={
                "worker": not no_worker,
                "catch_up": not no_catch_up,
                "definitions_check_s": definitions_check,
                "max_body_bytes": max_body_bytes,
            },
            host=host,
            port=port,
            shutdown_timeout=shutdown_timeout,
            workers=workers,
            proxies=proxies,
            proxy_header=header,
        )
    finally:
        if serving is not None:
            serving.close()
    if not served:
        raise typer.Exit(3)  # uvicorn logged why (the port is taken, say)


def _serve_held(
    settings: Any,
    workspace: Path,
    *,
    make_app_options: dict[str, Any],
    host: str,
    port: int,
    shutdown_timeout: int,
    workers: int,
    proxies: Any,
    proxy_header: Any,
) -> bool:
    """What ``covenant serve`` does once it holds the store's serving lock: check the
    workspace, migrate the store, then serve until stopped (False: uvicorn could not)."""
    from covenant.api.app import create_app
    from covenant.api.serving import cannot_listen, serve
    from covenant.services.leader import Leadership
    from covenant.services.slo_history import record_slo_changes
    from covenant.services.store import open_store
    from covenant.services.workspace import load_workspace
    from covenant.store.lock_wait import StoreLockedError

    try:
        loaded = load_workspace(workspace)  # refuse to start on an invalid workspace
        engine = open_store(settings.database_url)  # migrated before the first request
        try:  # the SLOs changed since the last recording, in the audit log
            record_slo_changes(engine, workspace=loaded, actor="serve", at=now())
        except StoreLockedError as error:  # another writer holds the store: start all the same
            err_console.print(  # each process's start-up, then its requests, record them
                "SLO changes not recorded at start (the server records them at a later "
                f"request): {error.message}",
                style="yellow",
                markup=False,
                highlight=False,
            )
        finally:
            engine.dispose()
    except CovenantError as error:
        raise fail(error) from None
    worker = make_app_options["worker"]

    # the worker ticks only while its process leads (one per store: docs/deployment.md)
    def make_app() -> Any:  # in each server process
        return create_app(
            settings,
            clock=now,
            worker=worker,
            leadership=Leadership(settings.database_url) if worker else None,
            catch_up=make_app_options["catch_up"],
            definitions_check_s=make_app_options["definitions_check_s"],
            preload=True,
            max_body_bytes=make_app_options["max_body_bytes"],
        )

    shown = f"[{host}]" if ":" in host else host
    refused = cannot_listen(host, port)
    if refused is not None:
        problem, fix = refused
        raise fail(ServeStartError(f"cannot listen on {shown}:{port}: {problem}", hint=fix))

    def listening(bound: int) -> None:  # only once the port accepts connections
        console.print(
            f"Covenant API for {workspace.resolve()} at http://{shown}:{bound}/api/v1 "
            f"(docs: /api/v1/docs; worker {'on' if worker else 'off'}"
            + (f"; {workers} processes" if workers > 1 else "")
            + (f"; trusted proxies {', '.join(proxies)})" if proxies else ")"),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )

    try:
        return serve(
            make_app,
            host=host,
            port=port,
            shutdown_timeout=shutdown_timeout,
            workers=workers,
            proxies=proxies,
            proxy_header=proxy_header,
            on_listening=listening,
        )
    except CovenantError as error:  # the app did not start (serve-start-failed)
        raise fail(error) from None


def create_command(
    role: Annotated[str, typer.Option("--role", help="admin, editor, viewer or customer.")],
    customer: Annotated[
        str | None,
        typer.Option("--customer", help="The customer a customer token is bound to."),
    ] = None,
    expires: Annotated[
        str | None,
        typer.Option(
            "--expires", help="12h, 90d, 8w, a date (2027-03-01) or an instant; default 90d."
        ),
    ] = None,
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "",
    actor: ActorOption = None,
    workspace: WorkspaceOption = Path(),
    output: FormatOption = Format.TABLE,
) -> None:
    """Make an API token. It is printed once: only its hash is stored."""
    from covenant.services.store import open_store
    from covenant.services.tokens import create_token, parse_expiry
    from covenant.services.workspace import load_workspace

    at = now()
    try:
        url = store_to_write(workspace, "a token")
        customers = (
            [c.name for c in load_workspace(workspace, applying=True).customers] if customer else []
        )
        made = create_token(
            open_store(url),
            role=role,
            customer=customer,
            expires_at=parse_expiry(expires, at=at),
            at=at,
            customers=customers,
            label=label,
            created_by=cli_actor(actor),
        )
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps({**_row(made.token, at), "token": made.text}, indent=2))
        return
    from covenant.core.timeutil import utc_text

    bound = f" for customer {made.token.customer}" if made.token.customer else ""
    # what the token is on stderr, the token alone on stdout: TOKEN=$(covenant token create …)
    err_console.print(
        f"token {made.token.id}: {made.token.role.value}{bound}, expires "
        f"{utc_text(made.token.expires_at)}",
        markup=False,
        highlight=False,
    )
    err_console.print("Copy it now; it is not shown again:", style="bold")
    typer.echo(made.text)


def _row(t: Any, at: Any) -> dict[str, Any]:
    """A token as ``--format json`` prints it: instants as the API writes them (``Z``)."""
    from covenant.core.timeutil import utc_iso

    return {
        "id": t.id,
        "role": t.role.value,
        "customer": t.customer,
        "label": t.label,
        "created_at": utc_iso(t.created_at),
        "created_by": t.created_by,
        "expires_at": utc_iso(t.expires_at),
        "revoked_at": None if t.revoked_at is None else utc_iso(t.revoked_at),
        "state": t.state(at),
    }


def list_command(
    workspace: WorkspaceOption = Path(),
    output: FormatOption = Format.TABLE,
) -> None:
    """Every API token (never its secret): id, role, customer, expiry, state."""
    from covenant.services.store import listed
    from covenant.services.tokens import list_tokens

    at = now()
    url = settings_for(workspace).database_url
    try:
        tokens = listed(url, list_tokens)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        rows = [_row(t, at) for t in tokens]
        # ``items`` as GET /api/v1/tokens answers; ``tokens``, the key it printed alone before,
        # the same rows, kept for one release (CHANGELOG, stop 44): read ``items``
        typer.echo(json.dumps({"items": rows, "tokens": rows}, indent=2))
        return
    if not tokens:
        console.print("no API token yet: `covenant token create --role viewer` makes one")
        return
    from covenant.core.timeutil import utc_text

    for t in tokens:
        bound = f" ({t.customer})" if t.customer else ""
        label = f"  {t.label}" if t.label else ""
        console.print(
            f"{t.id}  {t.role.value}{bound}  {t.state(at)}  expires {utc_text(t.expires_at)}"
            f"{label}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def revoke_command(
    token_id: Annotated[str, typer.Argument(help="The token's id (from `covenant token list`).")],
    actor: ActorOption = None,
    workspace: WorkspaceOption = Path(),
    output: FormatOption = Format.TABLE,
) -> None:
    """Revoke an API token: requests with it are refused from now on (-f json: the token as
    DELETE /api/v1/tokens/{id} answers it)."""
    from covenant.services.store import open_store
    from covenant.services.tokens import revoke_token

    at = now()
    try:
        revoked = revoke_token(
            open_store(settings_for(workspace).database_url),
            token_id=token_id,
            at=at,
            actor=cli_actor(actor),
        )
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps(_row(revoked, at), indent=2))
        return
    console.print(f"token {revoked.id} revoked", markup=False, highlight=False)
