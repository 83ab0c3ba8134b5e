"""The headers of a Prometheus DataSource's ``connectionDetails``: ``headers`` (sent as
written) and ``headersEnv`` (header → the environment variable holding its value), checked as
HTTP can send them, and the fields that set one header twice."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from covenant.core.http_headers import first_twice, first_unsendable
from covenant.definitions.diagnostics import at
from covenant.definitions.headers import header_twice
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem

if TYPE_CHECKING:
    from covenant.definitions.prometheus import Connection


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
    and basicAuth, or a header that headers, headersEnv, tenant (X-Scope-OrgID) or the
    authentication set twice (names without case)."""
    unsendable = first_unsendable(details.headers or {}, details.headers_env or {})
    if unsendable:
        field, name, said, how = unsendable
        return [at(doc, (*here, field, name), code="invalid-data-source", message=said, fix=how)]
    if details.bearer_token_env and details.basic_auth:
        return [
            at(
                doc,
                here,
                code="conflicting-fields",
                message="give bearerTokenEnv or basicAuth, not both",
                fix="remove one of them",
            )
        ]
    auth = "bearerTokenEnv" if details.bearer_token_env else "basicAuth"
    twice = first_twice(
        (
            ("tenant", ["X-Scope-OrgID"] if details.tenant else []),
            (auth, ["Authorization"] if details.bearer_token_env or details.basic_auth else []),
            ("headers", details.headers or {}),
            ("headersEnv", details.headers_env or {}),
        )
    )
    if twice is None:
        return []
    return [header_twice(doc, here, twice, code="conflicting-fields")]
