"""The headers of a Prometheus DataSource's ``connectionDetails``: ``headers`` (sent as
written) and ``headersEnv`` (header → the environment variable holding its value), checked as
HTTP can send them, and the fields that set one header twice."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from covenant.definitions.diagnostics import at
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem

if TYPE_CHECKING:
    from covenant.definitions.prometheus import Connection

HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""An HTTP header's name (RFC 9110's token)."""
HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")
"""A header value HTTP/1.1 carries as written: printable ASCII and tabs (a line break would
end the header)."""


def secret_fix(path: Sequence[str]) -> str:
    """How to give the secret at ``path`` (keys of connectionDetails) by a variable."""
    if path[0] != "headers":
        return (
            "put it in an environment variable and name it: bearerTokenEnv: "
            "PROMETHEUS_TOKEN, or basicAuth: {usernameEnv: …, passwordEnv: …}"
        )
    variable = "PROMETHEUS_" + re.sub(r"[^A-Z0-9]+", "_", path[1].upper()).strip("_")
    return f"put its value in an environment variable and name it: headersEnv: {{{path[1]}: " + (
        f"{variable}}}" + (", or bearerTokenEnv" if path[1].lower() == "authorization" else "")
    )


def conflicts(doc: SourceDocument, here: PathKey, details: Connection) -> list[Problem]:
    """A header HTTP cannot send as written, or two fields that set one header: bearerTokenEnv
    and basicAuth, or a headersEnv header that headers, tenant (X-Scope-OrgID) or the
    authentication sets too."""
    unsendable = _unsendable(details)
    if unsendable:
        keys, said, how = unsendable
        return [at(doc, (*here, *keys), code="invalid-data-source", message=said, fix=how)]
    if details.bearer_token_env and details.basic_auth:
        message, fix, path = "give bearerTokenEnv or basicAuth, not both", "one of them", here
    else:
        taken = {h.lower(): "headers" for h in details.headers or {}}
        taken |= {"x-scope-orgid": "tenant"} if details.tenant else {}
        auth = "bearerTokenEnv" if details.bearer_token_env else "basicAuth"
        taken |= {"authorization": auth} if details.bearer_token_env or details.basic_auth else {}
        both = [(h, taken[h.lower()]) for h in details.headers_env or {} if h.lower() in taken]
        if not both:
            return []
        header, other = both[0]
        message = f"header {header!r} is set by both {other} and headersEnv"
        fix, path = f"it from {other} or from headersEnv", (*here, "headersEnv", header)
    return [at(doc, path, code="conflicting-fields", message=message, fix=f"remove {fix}")]


def _unsendable(details: Connection) -> tuple[tuple[str, str], str, str] | None:
    """The first header whose name, or literal value, HTTP cannot send: (path, message, fix)."""
    for field, given in (("headers", details.headers or {}), ("headersEnv", details.headers_env)):
        for name in given or {}:
            if not HEADER_NAME.fullmatch(name):
                return (
                    (field, name),
                    f"{name!r} is not an HTTP header name",
                    "write the name alone (letters, digits and - such as X-Team), without a "
                    "colon, spaces or the value",
                )
    for name, value in (details.headers or {}).items():
        if not HEADER_VALUE.fullmatch(value):
            return (
                ("headers", name),
                f"header {name!r} has a line break, a control character or a character "
                "outside ASCII, which HTTP cannot send as written",
                "write the value on one line in ASCII (percent-encode other characters as the "
                "server expects)",
            )
    return None
