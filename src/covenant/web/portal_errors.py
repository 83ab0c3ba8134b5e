"""The customer's error pages in the portal's language: a page under ``/ui/portal``, or any
page a customer is signed in to, that fails (a statement that is not there, a period or a
revision that does not read, a page not open to a customer, an address with no page, a
failure on the provider's side) is written in the language the portal would be written in
(``web.portal_text``: ``?lang=``, else its cookie, else the customer's statements'), with the
words of the catalogue's ``portal_error_*`` entries.

A failure says what it is about with :func:`covenant.web.portal_text.worded` (the entry and
its values: the period, the parameter); otherwise its code or HTTP status picks the words. The
English message of the error (the staff's pages, the API, the log) is never shown translated
word by word, and nothing the customer typed is repeated but the period and parameter named.
The error code stays as it is (it is what a customer quotes to the provider).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from covenant.core.access import Role
from covenant.render.statement_labels import language_of
from covenant.web.core import BASE, backend, page
from covenant.web.portal_text import (
    DEFAULT_LOCALE,
    PortalText,
    asked_language,
    page_locale,
    stated_language,
    words_of,
)

PORTAL = f"{BASE}/portal"
BY_CODE = {  # the words of an error no portal route worded, by its code
    "invalid-period-option": "period",
    "forbidden": "forbidden",
    "not-found": "not_found",
    "minutes-pending": "pending",
    "minutes-busy": "pending",
    "internal-error": "internal",
}
BY_STATUS = {403: "forbidden", 404: "not_found"}


def for_customer(request: Request, session: Any) -> bool:
    """Whether an error page is a customer's: under ``/ui/portal``, or signed in as one."""
    path = request.url.path
    if path == PORTAL or path.startswith(f"{PORTAL}/"):
        return True
    return session is not None and session.principal.role is Role.CUSTOMER


def _statements(request: Request, session: Any) -> tuple[str, str]:
    """The locale and zone of the customer's statements (``web.portal.portal_text``'s way with
    no statement at hand), else ``en_GB`` in UTC: an error page always answers, even when the
    store cannot be read."""
    from covenant.services.portal import visible_agreements

    if session is None or session.principal.customer is None:
        return DEFAULT_LOCALE, "UTC"
    try:
        ctx = backend(request)
        agreements = visible_agreements(ctx.engine(), principal=session.principal, at=ctx.clock())
        return stated_language(ctx.workspace().labels, agreements)
    except Exception:
        return DEFAULT_LOCALE, "UTC"


def error_text(request: Request, session: Any) -> PortalText:
    """The words and formats of a customer's error page."""
    locale, zone = _statements(request, session)
    return PortalText(page_locale(locale, asked_language(request, refuse=False)), zone)


def _words(status: int, code: str, error: Exception | None) -> tuple[str, dict[str, str]]:
    if error is not None and (found := words_of(error)) is not None:
        return found
    if code in BY_CODE:
        return BY_CODE[code], {}
    if status >= 500:
        return "internal", {}
    return BY_STATUS.get(status, "input"), {}


def customer_error_page(
    request: Request,
    *,
    session: Any,
    status: int,
    code: str,
    error: Exception | None = None,
    english: tuple[str, str] | None = None,
    revisions: tuple[str, Sequence[int]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The error page of ``code`` (``status``) in the customer's language; ``english``: the
    error's own message and hint, shown as they are on a page in English (they name the value
    refused: the catalogue's words for another language name only the parameter);
    ``revisions``: the statement's page and the revisions issued of it, each linked (a
    revision not there)."""
    text = error_text(request, session)
    key, values = _words(status, code, error)
    if "period" in values:
        with suppress(ValueError):  # a label that names no period: as written
            values = {**values, "period": text.period(values["period"])}
    links = []
    if revisions is not None:
        path, numbers = revisions
        links = [
            (f"{path}?revision={n}", text("portal_error_revision_link", revision=n))
            for n in numbers
        ]
        links.append((path, text("portal_error_whole")))
        if not numbers:
            key, values = "not_found", {}
    message, hint = (
        text(f"portal_error_{key}", **values),
        text(f"portal_error_{key}_hint", **values),
    )
    if english is not None and language_of(text.locale) == "en":
        message, hint = english
    answer = page(
        "error.html",
        session=session,
        status=status,
        code=code,
        message=message,
        hint=hint,
        title=f"{status}: {code}",
        t=text,
        links=links,
    )
    answer.headers.update(headers or {})
    return answer
