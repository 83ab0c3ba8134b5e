"""The plumbing of a page's form post: the form read once the session's role allows it and
its CSRF token checked (``posted_form``, every page that writes); for the tickets, incidents,
maintenance and corrections pages also the page itself (``FormPage``: staff only, with the
note of the redirect that led to it), a refused submit's problems by the field they are
about (worded as the API words them), the page again with the form as typed and the
refusal's status, and the redirect with a note after a post that wrote (Post/Redirect/Get,
docs/ui.md). What a page reads from its fields, which service it calls and what it lists
stay in the page's module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from covenant.core.access import WRITERS
from covenant.errors import CovenantError, DefinitionError
from covenant.services.users import Session
from covenant.web.core import (
    BASE,
    PAGE_NAMES,
    check_csrf,
    error_status,
    form,
    page,
    staff,
    writer,
)

REASON_MOST = 1000  # a reason for the audit log, as the API's DELETE routes cut it


async def posted_form(
    request: Request, role: Callable[[Request], Session] = writer
) -> tuple[Session, dict[str, str]]:
    """The signed-in session, its role checked by ``role`` (``core.writer``, ``core.admin``)
    before the form is read, and the form, its CSRF token this session's."""
    session = role(request)
    fields = await form(request)
    check_csrf(request, fields, session.csrf)
    return session, fields


def audit_reason(fields: dict[str, str]) -> str | None:
    """The form's ``reason`` for the audit log (blank: none), cut to ``REASON_MOST``."""
    return fields.get("reason", "").strip()[:REASON_MOST] or None


def notes_asked(request: Request, notes: dict[str, str]) -> str:
    """The note after a redirect (``?created=NAME`` → "Created NAME."), each name cut short."""
    return " ".join(
        f"{word} {request.query_params[key][:63]}."
        for key, word in notes.items()
        if request.query_params.get(key)
    )


@dataclass(slots=True)
class FieldProblems:
    """A refused submit's problems by field (``general``: those no field holds)."""

    by_field: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    statuses: set[int] = field(default_factory=set)

    def add(self, name: str, error: CovenantError) -> None:
        self.statuses.add(error_status(error))
        message, hint = error.worded(PAGE_NAMES)
        found = {"code": error.code, "message": message, "hint": hint}
        self.by_field.setdefault(name or "general", []).append(found)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    @property
    def status(self) -> int:
        """The page's status: the errors' (``not-found`` 404, ``conflict`` 409…) when they
        agree, else 400; 200 when there is none."""
        if not self.statuses:
            return 200
        return next(iter(self.statuses)) if len(self.statuses) == 1 else 400

    def caught(
        self, *, missing_is_page: bool = False, renamed: dict[str, str] | None = None
    ) -> Caught:
        """``with problems.caught(): service(...)``: a ``CovenantError`` the service raises
        (nothing written) is a problem of the field it names (``renamed``: the form's name of
        a field the service names otherwise). ``missing_is_page``: ``not-found`` is raised
        on, the error page, as for any page of a missing thing."""
        return Caught(self, missing_is_page, renamed or {})


@dataclass(slots=True)
class Caught:
    """The context of ``FieldProblems.caught``."""

    problems: FieldProblems
    missing_is_page: bool
    renamed: dict[str, str]

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> bool:
        if not isinstance(error, CovenantError):
            return False
        if self.missing_is_page and error.code == "not-found":
            return False
        self.problems.add(self.renamed.get(error.field, error.field), error)
        return True


def form_page(
    session: Session,
    template: str,
    *,
    title: str,
    note: str = "",
    typed: dict[str, str] | None = None,
    problems: FieldProblems | None = None,
    refused: CovenantError | None = None,
    **listed: object,
) -> HTMLResponse:
    """A page with forms; after a refused one: ``problems`` beside their fields (``errors``)
    or the error ``refused`` (and a definition's problems) above the form, the form as typed
    (``typed``), with the refusal's status. ``writes``: the session may use the forms."""
    shown: dict[str, object] = {}
    status = 200 if problems is None else problems.status
    if refused is not None:
        message, hint = refused.worded(PAGE_NAMES)
        found = refused.problems if isinstance(refused, DefinitionError) else ()
        shown = {
            "code": refused.code,
            "message": message,
            "hint": hint,
            "problems": [p for p in found if p.severity == "error"],
        }
        status = error_status(refused)
    return page(
        template,
        session=session,
        status=status,
        title=title,
        writes=session.principal.role in WRITERS,
        note=note,
        typed=typed or {},
        errors={} if problems is None else problems.by_field,
        refused=shown,
        **listed,
    )


@dataclass(frozen=True, slots=True)
class FormPage:
    """One staff page with forms: its ``path`` under /ui, template and title, the ``notes``
    its redirects carry (``?created=NAME`` → "Created NAME.") and ``values(request,
    **context)``: what it lists, as the template's values (``context``: which row's form was
    refused, for a page whose rows have forms)."""

    path: str
    template: str
    title: str
    notes: dict[str, str]
    values: Callable[..., dict[str, object]]

    def asked(self, request: Request) -> HTMLResponse:
        """The page as asked (GET): staff only, with the note of the redirect that led here."""
        return self.shown(request, staff(request), note=notes_asked(request, self.notes))

    def shown(
        self,
        request: Request,
        session: Session,
        *,
        note: str = "",
        typed: dict[str, str] | None = None,
        problems: FieldProblems | None = None,
        refused: CovenantError | None = None,
        **context: object,
    ) -> HTMLResponse:
        """The page; after a refused form: its problems or its error, the form as typed."""
        return form_page(
            session,
            self.template,
            title=self.title,
            note=note,
            typed=typed,
            problems=problems,
            refused=refused,
            **self.values(request, **context),
        )

    def done(self, **note: str) -> RedirectResponse:
        """The answer to a post that wrote: the page again, with the note of what was done
        (``created=NAME``, read back by ``notes_asked``)."""
        return RedirectResponse(f"{BASE}/{self.path}?" + urlencode(note), status_code=303)
