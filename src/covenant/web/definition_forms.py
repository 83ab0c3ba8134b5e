"""What the pages that write definitions recorded in the store share (the maintenance and the
corrections pages): a comma-separated field read as names, and the write itself — the service
the API's ``/maintenance-windows`` and ``/corrections`` routes call (``services.
definition_writes``), under the signed-in user, shown by this server at once."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from covenant.web.core import backend


def items(text: str) -> list[str]:
    """The names of a comma-separated field, blanks dropped."""
    return [part.strip() for part in text.split(",") if part.strip()]


def write_definition_form(
    request: Request,
    actor: str,
    kind: str,
    *,
    name: str,
    spec: dict[str, Any] | None,
    creating: bool = False,
    reason: str | None = None,
    ending: bool = False,
    display_name: str | None = None,
) -> None:
    """Create (``creating``), replace, delete (``spec`` None) or end (``ending``) one."""
    from covenant.services.definition_writes import write_definition

    ctx = backend(request)
    write_definition(
        ctx.engine(),
        workspace=ctx.files_workspace(),
        kind=kind,
        name=name,
        spec=spec,
        creating=creating,
        at=ctx.clock(),
        actor=actor,
        reason=reason,
        ending=ending,
        display_name=display_name,
    )
    ctx.forget_definitions()  # the next page applies it, on this server at once
