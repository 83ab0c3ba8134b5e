"""Checks shared by every document that names an HTTP endpoint (a Prometheus DataSource, an
alert delivery target): a secret's environment-variable name, a URL without credentials, a
timeout. Each caller gives its own error code and an example in its own words."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from covenant.definitions.fields import problem

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "x-api-key", "x-auth-token"}
)
"""Headers that carry a credential (lower case): never written in the workspace."""
_TIMEOUT = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m)?$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}


def env_name(value: str, *, code: str, example: str) -> str:
    """``value`` when it can name an environment variable (the secret is never written)."""
    if not ENV_NAME.match(value):
        raise problem(
            code,
            f"{value!r} is not an environment-variable name",
            f"name the variable that holds the secret, e.g. {example} (never the secret)",
        )
    return value


def http_url(value: str, *, code: str, example: str, secret_hint: str) -> str:
    """``value`` when it is an http(s) URL with a host and no ``user:password@``."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise problem(code, f"url {value!r} is not an http(s) URL with a host", example)
    if parts.username or parts.password:
        raise problem("inline-secret", "the url holds credentials", secret_hint)
    return value


def timeout_seconds(value: Any, *, code: str, limit_s: float, limit: str, example: str) -> float:
    """``30s``, ``1m``, ``500ms`` or a number of seconds, in (0, ``limit_s``]."""
    text = "" if isinstance(value, bool) else str(value).strip()
    found = _TIMEOUT.match(text)
    seconds = float(found.group(1)) * _UNIT_S[found.group(2)] if found else 0.0
    if not 0 < seconds <= limit_s:
        raise problem(code, f"timeout {value!r} is not a duration {limit}", example)
    return seconds
