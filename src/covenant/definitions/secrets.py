"""Secrets written into a DataSource that Covenant does not read (Datadog, CloudWatch, …).

A Prometheus DataSource with a secret in it is refused (``definitions.prometheus``: Covenant
reads secrets only from the environment). Another type's connection details are not used
here, but the workspace that holds them is committed and shared all the same, so a value under
a key that names a secret (``apiKey``, ``secretAccessKey``, ``clientSecret``, …) is a warning.
A reference to the environment (``${DATADOG_API_KEY}``, ``$TOKEN``) or a key naming a variable
(``apiKeyEnv``) is no secret.
"""

from __future__ import annotations

import re
from typing import Any

from covenant.definitions.diagnostics import WARNING, at
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem

SECRET_NAMES = frozenset(
    {
        "apikey",
        "appkey",
        "applicationkey",
        "accesstoken",
        "apitoken",
        "authtoken",
        "bearertoken",
        "sessiontoken",
        "token",
        "password",
        "secret",
        "secretkey",
        "secretaccesskey",
        "clientsecret",
        "privatekey",
    }
)
"""Key names (lower case, without ``_`` and ``-``) whose value is a secret."""
_REFERENCE = re.compile(r"^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$")


def foreign_secrets(doc: SourceDocument, kind: str | None, details: Any) -> list[Problem]:
    """A warning for each secret value in a DataSource's ``connectionDetails`` (a mapping, or
    the Go SDK's list of one-key mappings) of a type Covenant does not read."""
    here: PathKey = ("spec", "connectionDetails")
    found: list[PathKey] = []
    if isinstance(details, dict):
        found = [(*here, str(k)) for k, v in details.items() if _secret(k, v)]
    elif isinstance(details, list):
        found = [
            (*here, i, str(k))
            for i, one in enumerate(details)
            if isinstance(one, dict)
            for k, v in one.items()
            if _secret(k, v)
        ]
    return [
        at(
            doc,
            path,
            code="inline-secret",
            message=f"{path[-1]} puts a secret in the workspace (Covenant does not read "
            f"{kind or 'this'} sources, but the file is committed and shared)",
            fix="remove it from the file: keep it where the tool that reads this source "
            "takes it from (its environment or secret store)",
            severity=WARNING,
        )
        for path in found
    ]


def _secret(key: object, value: object) -> bool:
    name = str(key).lower().replace("_", "").replace("-", "")
    if name not in SECRET_NAMES or not isinstance(value, str | int) or isinstance(value, bool):
        return False
    text = str(value).strip()
    return bool(text) and not _REFERENCE.match(text)
