"""Secrets written into a DataSource that Covenant does not read (Datadog, CloudWatch, …), or
into an SLI's ``metricSource.spec``.

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

from covenant.core.promql import is_compatible
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
    why = f"Covenant does not read {kind or 'these'} sources"
    return _warnings(doc, ("spec", "connectionDetails"), details, why)


def metric_source_secrets(
    doc: SourceDocument, kind: str | None, details: Any, here: PathKey
) -> list[Problem]:
    """A warning for each secret value in an SLI's ``metricSource.spec`` (at ``here``): the
    OpenSLO specification's example of a source without a DataSource writes its keys there.
    Covenant reads at most the query of a Prometheus-compatible source, never a secret."""
    if kind is not None and is_compatible(kind):
        why = "Covenant reads only the query here"
    else:
        why = f"Covenant does not read {kind} sources" if kind else "Covenant does not read it"
    return _warnings(doc, here, details, why)


def dropped_secrets(doc: SourceDocument, details: Any, here: PathKey) -> list[Problem]:
    """A warning for each secret in a v2alpha inline ``dataSourceSpec.connectionDetails`` (at
    ``here``), nested ones too (``basicAuth.password``): the conversion to openslo/v1 drops
    them, but the file that holds them is committed and shared."""
    why = "Covenant drops an inline dataSourceSpec's connectionDetails"
    return _warnings(doc, here, details, why, nested=True)


def _warnings(
    doc: SourceDocument, here: PathKey, details: Any, why: str, *, nested: bool = False
) -> list[Problem]:
    found: list[PathKey] = []
    if isinstance(details, dict):
        found = _found(here, details, nested=nested)
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
            message=f"{path[-1]} puts a secret in the workspace ({why}, but the file is "
            "committed and shared)",
            fix="remove it from the file: keep it where the tool that reads this source "
            "takes it from (its environment or secret store)",
            severity=WARNING,
        )
        for path in found
    ]


def _found(here: PathKey, details: dict[Any, Any], *, nested: bool) -> list[PathKey]:
    """The paths of the secrets in ``details`` (with ``nested``, in its mappings too)."""
    found: list[PathKey] = []
    for key, value in details.items():
        if _secret(key, value):
            found.append((*here, str(key)))
        elif nested and isinstance(value, dict):
            found += _found((*here, str(key)), value, nested=True)
    return found


def _secret(key: object, value: object) -> bool:
    name = str(key).lower().replace("_", "").replace("-", "")
    if name not in SECRET_NAMES or not isinstance(value, str | int) or isinstance(value, bool):
        return False
    text = str(value).strip()
    return bool(text) and not _REFERENCE.match(text)
