"""What HTTP/1.1 can carry in a header, as h11 (httpx's HTTP/1.1) checks it: one grammar for
a Prometheus DataSource's headers, a delivery target's, and the values read from the
environment for either. h11's refusal of anything else repeats the value, so a value is
checked here first and refused by the field or variable that holds it, never shown."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""An HTTP header's name (RFC 9110's token)."""
HEADER_VALUE = re.compile(r"(?:[\x21-\x7e](?:[\t\x20-\x7e]*[\x21-\x7e])?)?")
"""A header value HTTP/1.1 carries as written (RFC 9110's field-value, as h11 checks it):
printable ASCII, with spaces and tabs inside but not at either end."""


def value_fault(value: str) -> str | None:
    """Why HTTP cannot carry ``value`` in a header as written (None: it can), in words that
    never repeat it."""
    if HEADER_VALUE.fullmatch(value):
        return None
    if re.fullmatch(r"[\t\x20-\x7e]*", value):
        return "starts or ends with a space or tab, which HTTP cannot send as written"
    return (
        "holds a line break, a control character or a character outside ASCII, which HTTP "
        "cannot send as written"
    )


def first_unsendable(
    headers: Mapping[str, str], headers_env: Iterable[str]
) -> tuple[str, str, str, str] | None:
    """The first header whose name (of ``headers`` or ``headers_env``), or literal value (of
    ``headers``), HTTP cannot send: (field, name, message, fix); None when all can."""
    for field, names in (("headers", headers), ("headersEnv", headers_env)):
        for name in names:
            if not HEADER_NAME.fullmatch(name):
                return (
                    field,
                    name,
                    f"{name!r} is not an HTTP header name",
                    "write the name alone (letters, digits and - such as X-Team), without a "
                    "colon, spaces or the value",
                )
    for name, value in headers.items():
        fault = value_fault(value)
        if fault is not None:
            return (
                "headers",
                name,
                f"header {name!r} {fault}",
                "write the value on one line in ASCII, without spaces or tabs around it "
                "(percent-encode other characters as the server expects)",
            )
    return None


def first_twice(
    fields: Iterable[tuple[str, Iterable[str]]],
) -> tuple[str, str, str, str] | None:
    """The first header that ``fields`` (each: a field's name and the headers it sets, in the
    order they are read) set twice, names being without case (RFC 9110), so ``X-Team`` and
    ``x-team`` would go out as one header twice: (field, name, the earlier field, its name)."""
    seen: dict[str, tuple[str, str]] = {}
    for field, names in fields:
        for name in names:
            first = seen.setdefault(name.lower(), (field, name))
            if first != (field, name):
                return field, name, *first
    return None
