"""The error reference's pages (staff): every code an error page or a validation problem can
carry, and one code's explanation, as `covenant explain [CODE]` prints them and ``GET
/api/v1/errors[/{code}]`` answers (``services.error_reference``: one reading for all three).
An error page links its code here (docs/ui.md)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from covenant.errors import InputError, NotFoundError
from covenant.web.core import page, staff
from covenant.web.routes import pages_router

router = pages_router()


@router.get("/errors")
def errors_page(request: Request) -> Response:
    from covenant.services.error_reference import reference

    session = staff(request)
    return page(
        "errors.html", session=session, title="Error codes", codes=list(reference().values())
    )


@router.get("/errors/{code}")
def error_code_page(request: Request, code: str) -> Response:
    """One code's explanation; a code the reference does not document is a 404 page naming
    the codes spelled like it."""
    from covenant.services.error_reference import reference, unknown_code, wanted_code

    session = staff(request)
    if len(code) > 100:
        raise InputError("the code is longer than 100 characters", hint="give a code: not-found")
    known = reference()
    found = known.get(wanted_code(code))
    if found is None:
        raise NotFoundError(unknown_code(code, list(known)), hint="the error codes page lists each")
    return page(
        "error_code.html",
        session=session,
        title=f"Error code {found.code}",
        explained=found,
        paragraphs=found.text.split("\n\n"),
    )
