"""``covenant user create|list|disable``: the web UI's users (password sign-in)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

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
from covenant.errors import CovenantError, InputError


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def register(app: typer.Typer) -> None:
    user = typer.Typer(
        help="Web UI users (sign-in with a password): create, list, disable.",
        no_args_is_help=True,
    )
    user.command("create")(create_command)
    user.command("list")(list_command)
    user.command("disable")(disable_command)
    app.add_typer(user, name="user")


def _password(from_stdin: bool, *, quiet_stdout: bool = False) -> str:
    if from_stdin:
        text = sys.stdin.readline().rstrip("\r\n")
        if not text:
            raise InputError(
                "--password-stdin read no password", hint="pipe the password in on one line"
            )
        return text
    if not sys.stdin.isatty():  # getpass would warn, echo or read nothing, then abort
        raise InputError(
            "cannot ask for the password: standard input is not a terminal",
            hint="give it on standard input with --password-stdin (printf '%s\\n' "
            '"$PASSWORD" | covenant user create NAME --role ROLE --password-stdin), or run the '
            "command in a terminal",
        )
    # under -f json the prompts go to stderr: stdout holds the JSON document alone
    entered: str = typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True, err=quiet_stdout
    )
    return entered


def create_command(
    name: Annotated[str, typer.Argument(help="The user's sign-in name (alice, ops.team).")],
    role: Annotated[str, typer.Option("--role", help="admin, editor, viewer or customer.")],
    customer: Annotated[
        str | None,
        typer.Option("--customer", help="The customer a customer user is bound to."),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from standard input."),
    ] = False,
    actor: ActorOption = None,
    workspace: WorkspaceOption = Path(),
    output: FormatOption = Format.TABLE,
) -> None:
    """Make a web UI user; the password is asked for (twice) or read with --password-stdin and
    stored only as an Argon2id hash (-f json: the user as POST /api/v1/users answers it)."""
    from covenant.services.store import open_store
    from covenant.services.users import create_user, user_json
    from covenant.services.workspace import load_workspace

    try:
        password = _password(password_stdin, quiet_stdout=output is Format.JSON)
        url = store_to_write(workspace, "a user")
        customers = (
            [c.name for c in load_workspace(workspace, applying=True).customers] if customer else []
        )
        user = create_user(
            open_store(url),
            name=name,
            password=password,
            role=role,
            customer=customer,
            customers=customers,
            at=now(),
            created_by=cli_actor(actor),
        )
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps(user_json(user), indent=2))
        return
    bound = f" for customer {user.customer}" if user.customer else ""
    console.print(f"user {user.name}: {user.role.value}{bound}", markup=False, highlight=False)


def list_command(
    workspace: WorkspaceOption = Path(),
    output: FormatOption = Format.TABLE,
) -> None:
    """Every web UI user (never a password hash): name, role, customer, state."""
    from covenant.services.store import listed
    from covenant.services.users import list_users, user_json, users_json

    url = settings_for(workspace).database_url
    try:
        users = listed(url, list_users)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps(users_json(users), indent=2))
        return
    if not users:
        console.print("no user yet: `covenant user create NAME --role viewer` makes one")
        return
    from covenant.core.timeutil import utc_text

    for u in users:
        r = user_json(u)
        bound = f" ({u.customer})" if u.customer else ""
        console.print(
            f"{u.name}  {r['role']}{bound}  {r['state']}  created {utc_text(u.created_at)}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def disable_command(
    name: Annotated[str, typer.Argument(help="The user's name (from `covenant user list`).")],
    actor: ActorOption = None,
    workspace: WorkspaceOption = Path(),
    output: FormatOption = Format.TABLE,
) -> None:
    """Disable a web UI user: its sign-ins are refused and its sessions end now (-f json: the
    user as POST /api/v1/users/{name}/disable answers it)."""
    from covenant.services.store import open_store
    from covenant.services.users import disable_user, user_json

    try:
        user = disable_user(
            open_store(settings_for(workspace).database_url),
            name=name,
            at=now(),
            actor=cli_actor(actor),
        )
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps(user_json(user), indent=2))
        return
    console.print(f"user {user.name} disabled", markup=False, highlight=False)
