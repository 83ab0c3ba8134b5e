"""What the pages that write definitions recorded in the store share (the maintenance and the
corrections pages): a comma-separated field read as names, and the write itself — the service
the API's ``/maintenance-windows`` and ``/corrections`` routes call (``services.
definition_writes``), under the signed-in user, shown by this server at once."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from covenant.core.access import WRITERS
from covenant.errors import CovenantError, DefinitionError
from covenant.services.users import Session
from covenant.web.core import PAGE_NAMES, backend, error_status, page


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


def notes_asked(request: Request, notes: dict[str, str]) -> str:
    """The note after a redirect (``?created=NAME`` → "Created NAME."), each name cut short."""
    return " ".join(
        f"{word} {request.query_params[key][:63]}."
        for key, word in notes.items()
        if request.query_params.get(key)
    )


def form_page(
    session: Session,
    template: str,
    *,
    title: str,
    note: str = "",
    refused: CovenantError | None = None,
    typed: dict[str, str] | None = None,
    **listed: Any,
) -> Response:
    """A definitions page; after a refused form: the error (and its problems) above the form,
    the form as typed, with the error's status."""
    shown: dict[str, Any] = {}
    if refused is not None:
        message, hint = refused.worded(PAGE_NAMES)
        problems = refused.problems if isinstance(refused, DefinitionError) else ()
        shown = {
            "code": refused.code,
            "message": message,
            "hint": hint,
            "problems": [p for p in problems if p.severity == "error"],
        }
    return page(
        template,
        session=session,
        status=200 if refused is None else error_status(refused),
        title=title,
        writes=session.principal.role in WRITERS,
        note=note,
        refused=shown,
        typed=typed or {},
        **listed,
    )
